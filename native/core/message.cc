#include "message.h"

#include <cstring>

namespace nln {

namespace {
constexpr uint16_t kTypeMask = 0x3fff;  // strips NLA_F_NESTED / NLA_F_NET_BYTEORDER

}  // namespace

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
