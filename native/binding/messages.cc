#include "messages.h"

#include <linux/netlink.h>

#include <algorithm>
#include <cstring>

namespace nln_binding {

std::vector<std::string> messages_of(const Napi::Value& v) {
  if (!v.IsBuffer()) throw Napi::TypeError::New(v.Env(), "expected netlink messages in a Buffer");
  auto b = v.As<Napi::Buffer<uint8_t>>();
  std::vector<std::string> out;
  size_t off = 0;
  while (b.Length() - off >= NLMSG_HDRLEN) {
    uint32_t len;
    std::memcpy(&len, b.Data() + off, sizeof len);
    if (len < NLMSG_HDRLEN || len > b.Length() - off) break;
    out.emplace_back(reinterpret_cast<const char*>(b.Data() + off), len);
    off += std::min<size_t>(NLMSG_ALIGN(len), b.Length() - off);  // the last one may go unpadded
  }
  if (off != b.Length() || out.empty()) throw Napi::TypeError::New(v.Env(), "expected whole netlink messages, back to back, 4-byte aligned");
  return out;
}

}  // namespace nln_binding
