// Walking netlink bytes: the messages of a datagram, the attributes of a message. Building them is
// the codec's job (src/codec/); the addon only frames, stamps and patches what JS built.
#pragma once
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace nln {

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

// Iterates the attributes in [data, data + len), stopping at the first malformed one.
class AttrIterator {
 public:
  AttrIterator(const uint8_t* data, size_t len) : p_(data), end_(data + len) {}
  bool next(uint16_t* type, const uint8_t** payload, size_t* len);

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace nln
