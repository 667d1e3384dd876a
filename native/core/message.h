// Building netlink messages: header, fixed struct, attributes and nests, all 4-byte aligned.
#pragma once
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace nln {

// An attribute value that does not fit its table entry: a bug in the caller's request, reported
// with the attribute's path (e.g. "linkinfo.data.peer.attrs.mtu") before anything is sent.
class CodecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A value the wire cannot carry: an attribute (or nest) longer than its 16-bit length field can
// say, an integer wider than its field. Refused, never cut.
class OutOfRange : public CodecError {
 public:
  using CodecError::CodecError;
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

class MessageWriter {
 public:
  // Starts a message; returns its offset for end(). The sequence number is filled in at send time.
  size_t begin(uint16_t type, uint16_t flags);
  void end(size_t msg_offset);

  void put(const void* data, size_t len);  // raw bytes, then padding to 4
  void attr(uint16_t type, const void* data, size_t len);
  // iproute2 leaves NLA_F_NESTED off rtnetlink nests; nfnetlink (libmnl) sets it. We match each.
  size_t nest_begin(uint16_t type, bool nested_flag);
  void nest_end(size_t nest_offset);
  // Fills in the 16-bit length of what starts at offset (a nest, a next hop): its size so far.
  void patch_length(size_t offset);

  const std::string& bytes() const { return buf_; }
  std::string take() { return std::move(buf_); }

 private:
  void align();
  std::string buf_;
};

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
