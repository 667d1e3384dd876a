#include "convert.h"

#include <linux/netlink.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "../core/codec.h"
#include "../core/value_pack.h"

namespace nln_binding {

std::vector<nln::Value> unpack(const Napi::Value& packed) {
  if (!packed.IsBuffer()) throw Napi::TypeError::New(packed.Env(), "expected a packed Buffer (src/pack.ts)");
  auto b = packed.As<Napi::Buffer<uint8_t>>();
  try {
    return nln::unpack_values(b.Data(), b.Length());
  } catch (const nln::CodecError& e) {
    throw Napi::TypeError::New(packed.Env(), e.what());
  }
}

std::string pack(const std::vector<nln::Value>& values) { return nln::pack_values(values); }

std::string encode(Napi::Env env, int protocol, const nln::Value& message) {
  nln::MessageWriter w;
  try {
    nln::encode_message(w, protocol, message);
  } catch (const nln::OutOfRange& e) {
    throw Napi::RangeError::New(env, e.what());
  } catch (const nln::CodecError& e) {
    throw Napi::TypeError::New(env, e.what());
  }
  return w.take();
}

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
