#include "fake_socket.h"

#include <algorithm>
#include <cstring>

#include "../../native/core/socket.h"

#include <sys/socket.h>

namespace nln_fuzz {
FakeWire wire;

namespace {
// The next datagram's header, without taking it.
bool peek(size_t* len, uint32_t* sender) {
  if (wire.left < 3) return false;
  size_t n = static_cast<size_t>(wire.next[0] | (wire.next[1] << 8));
  *len = std::min(n, wire.left - 3);
  *sender = wire.next[2];
  return true;
}
}  // namespace
}  // namespace nln_fuzz

namespace nln {

using nln_fuzz::wire;

NetlinkSocket::~NetlinkSocket() { close(); }

void NetlinkSocket::close() { fd_ = -1; }

Status NetlinkSocket::open(int) {
  fd_ = 1000;
  port_id_ = nln_fuzz::kFakePortId;
  return {};
}

Status NetlinkSocket::send(const struct iovec* iov, size_t count) {
  if (wire.send_error) return Status::fail(wire.send_error, "sendmsg");
  std::string joined;
  for (size_t i = 0; i < count; ++i) joined.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  wire.sent.push_back(std::move(joined));
  return {};
}

Status NetlinkSocket::receive(uint8_t* buf, size_t cap, int flags, size_t* len, uint32_t* sender) {
  size_t n;
  if (!nln_fuzz::peek(&n, sender)) return Status::fail(wire.end_error, "recvmsg");
  // As recvmsg: a peek leaves it queued; a datagram longer than the buffer is cut.
  *len = flags & MSG_TRUNC ? n : std::min(n, cap);
  if (flags & MSG_PEEK) return {};
  if (cap) std::memcpy(buf, wire.next + 3, std::min(n, cap));
  wire.next += 3 + n;
  wire.left -= 3 + n;
  return {};
}

}  // namespace nln
