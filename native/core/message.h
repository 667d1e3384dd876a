// Building netlink messages: header, fixed struct, attributes and nests, all 4-byte aligned.
#pragma once
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace nln {

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
  void patch_u16(size_t offset, uint16_t value);  // fills in a length written before its payload

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
