// What the core shares about netlink bytes: a status, the walk over a datagram's messages, and
// the errno a reply carries. Building messages is the codec's job (src/codec/); the addon only
// frames, stamps and patches what JS built.
#pragma once
#include <linux/netlink.h>

#include <errno.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace nln {

// The outcome of a system call or kernel request: a positive errno (0 = success) and which step
// of ours failed (the kernel's own text JS reads from its answer, src/codec/ack.ts).
struct Status {
  int err = 0;
  std::string detail;
  bool ok() const { return err == 0; }
  static Status fail(int err, std::string detail) { return Status{err, std::move(detail)}; }
};

// Calls f(const nlmsghdr*) for each netlink message in [data, data + len). Each length is checked
// against what is left before the message is handed on: a length that is short or runs past the
// end stops the walk (NLMSG_NEXT over an unsigned count wraps on an odd-length last message).
// data must be 4-byte aligned.
template <typename F>
void for_each_message(const uint8_t* data, size_t len, F&& f) {
  for (size_t off = 0; len - off >= sizeof(nlmsghdr);) {
    const nlmsghdr* h = reinterpret_cast<const nlmsghdr*>(data + off);
    if (h->nlmsg_len < sizeof(nlmsghdr) || h->nlmsg_len > len - off) return;
    size_t step = NLMSG_ALIGN(h->nlmsg_len);
    off += step < len - off ? step : len - off;
    f(h);
  }
}

// Appends one netlink message to out, padded to 4 bytes as the next one would start.
inline void append_message(std::string* out, const nlmsghdr* h) {
  out->append(reinterpret_cast<const char*>(h), h->nlmsg_len);
  out->resize(NLMSG_ALIGN(out->size()));
}

// The errno a reply that carries a status says (NLMSG_ERROR: 0 is an ACK; NLMSG_DONE: a dump's
// end): 0, or a positive errno; EPROTO for an error message too short to carry one or carrying a
// value that is no errno (-1 … -4095). h must be readable for h->nlmsg_len bytes.
inline int error_of(const nlmsghdr* h) {
  if (h->nlmsg_len < NLMSG_LENGTH(sizeof(int))) return h->nlmsg_type == NLMSG_ERROR ? EPROTO : 0;
  int error = 0;
  std::memcpy(&error, NLMSG_DATA(h), sizeof error);
  return error == 0 ? 0 : error < 0 && error >= -4095 ? -error : EPROTO;
}

}  // namespace nln
