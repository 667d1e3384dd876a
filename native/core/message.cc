#include "message.h"

#include <cstring>

namespace nln {

namespace {
constexpr uint16_t kTypeMask = 0x3fff;  // strips NLA_F_NESTED / NLA_F_NET_BYTEORDER

uint16_t length16(size_t len) {
  if (len > UINT16_MAX) {
    throw OutOfRange("an attribute of " + std::to_string(len) + " bytes is longer than netlink allows (65,535 with its header)");
  }
  return static_cast<uint16_t>(len);
}
}

void MessageWriter::align() { buf_.resize((buf_.size() + 3) & ~size_t{3}, '\0'); }

size_t MessageWriter::begin(uint16_t type, uint16_t flags) {
  align();
  size_t off = buf_.size();
  nlmsghdr h{};
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  put(&h, sizeof h);
  return off;
}

void MessageWriter::end(size_t msg_offset) {
  uint32_t len = static_cast<uint32_t>(buf_.size() - msg_offset);
  std::memcpy(&buf_[msg_offset], &len, sizeof len);
}

void MessageWriter::put(const void* data, size_t len) {
  buf_.append(static_cast<const char*>(data), len);
  align();
}

void MessageWriter::attr(uint16_t type, const void* data, size_t len) {
  nlattr a{length16(NLA_HDRLEN + len), type};
  buf_.append(reinterpret_cast<const char*>(&a), sizeof a);
  put(data, len);
}

size_t MessageWriter::nest_begin(uint16_t type, bool nested_flag) {
  size_t off = buf_.size();
  nlattr a{0, static_cast<uint16_t>(nested_flag ? (type | NLA_F_NESTED) : type)};
  buf_.append(reinterpret_cast<const char*>(&a), sizeof a);
  return off;
}

void MessageWriter::nest_end(size_t nest_offset) { patch_length(nest_offset); }

void MessageWriter::patch_length(size_t offset) {
  uint16_t len = length16(buf_.size() - offset);
  std::memcpy(&buf_[offset], &len, sizeof len);
}

bool AttrIterator::next(uint16_t* type, const uint8_t** payload, size_t* len) {
  if (end_ - p_ < static_cast<ptrdiff_t>(NLA_HDRLEN)) return false;
  nlattr a;
  std::memcpy(&a, p_, sizeof a);
  if (a.nla_len < NLA_HDRLEN || a.nla_len > end_ - p_) return false;
  *type = a.nla_type & kTypeMask;
  *payload = p_ + NLA_HDRLEN;
  *len = a.nla_len - NLA_HDRLEN;
  size_t step = NLA_ALIGN(a.nla_len);
  p_ = (static_cast<ptrdiff_t>(step) > end_ - p_) ? end_ : p_ + step;
  return true;
}

}  // namespace nln
