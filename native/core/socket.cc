#include "socket.h"

#include <errno.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "pool.h"

namespace nln {

namespace {
constexpr int kSendBuffer = 1 << 20;
// Pipelined batches make the kernel queue one ACK per message before we read any of them: a
// small buffer would overflow (ENOBUFS) and lose replies.
constexpr int kReceiveBuffer = 8 << 20;

void set_int(int fd, int level, int opt, int value) { setsockopt(fd, level, opt, &value, sizeof value); }
size_t send_buffer_of(int fd) {
  int granted = 0;
  socklen_t len = sizeof granted;
  getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &granted, &len);
  return static_cast<size_t>(granted);
}
}  // namespace

NetlinkSocket::~NetlinkSocket() { close(); }

// Releasing a netfilter socket waits in the kernel for nf_tables' deferred transaction cleanup
// (an RCU grace period, 5-10 ms): a socket dropped on the JS thread is closed on a pool thread.
void NetlinkSocket::close() {
  int fd = fd_;
  fd_ = -1;
  if (fd < 0) return;
  if (on_pool_thread()) ::close(fd);
  else pool_post([fd] { ::close(fd); });
}

Status NetlinkSocket::open(int protocol) {
  fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd_ < 0) return Status::fail(errno, "socket(AF_NETLINK)");
  set_int(fd_, SOL_SOCKET, SO_SNDBUF, kSendBuffer);
  send_buffer_ = send_buffer_of(fd_);
  // SO_RCVBUFFORCE passes rmem_max when we have CAP_NET_ADMIN; SO_RCVBUF is the fallback.
  if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer) < 0)
    set_int(fd_, SOL_SOCKET, SO_RCVBUF, kReceiveBuffer);
  set_int(fd_, SOL_NETLINK, NETLINK_EXT_ACK, 1);
  set_int(fd_, SOL_NETLINK, NETLINK_CAP_ACK, 1);
  set_int(fd_, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  socklen_t alen = sizeof local;
  const char* failed = bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) < 0 ? "bind(AF_NETLINK)"
                       : getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &alen) < 0 ? "getsockname(AF_NETLINK)"
                       : nullptr;
  if (failed) {
    Status s = Status::fail(errno, failed);
    close();
    return s;
  }
  port_id_ = local.nl_pid;
  return {};
}

Status NetlinkSocket::send(const struct iovec* iov, size_t count) {
  // The kernel refuses a datagram larger than the send buffer (EMSGSIZE). An nfnetlink batch must
  // be one datagram (it is one transaction), so the buffer grows to fit it, as nft does.
  size_t total = 0;
  for (size_t i = 0; i < count; ++i) total += iov[i].iov_len;
  if (total + 4096 > send_buffer_) {
    int want = static_cast<int>(total + (64 << 10));
    if (setsockopt(fd_, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof want) < 0) set_int(fd_, SOL_SOCKET, SO_SNDBUF, want);
    send_buffer_ = send_buffer_of(fd_);
  }
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  msghdr m{};
  m.msg_name = &kernel;
  m.msg_namelen = sizeof kernel;
  m.msg_iov = const_cast<struct iovec*>(iov);
  m.msg_iovlen = count;
  for (;;) {
    if (sendmsg(fd_, &m, 0) >= 0) return {};
    if (errno != EINTR) return Status::fail(errno, "sendmsg");
  }
}

Status NetlinkSocket::receive(uint8_t* buf, size_t cap, int flags, size_t* len, uint32_t* sender) {
  sockaddr_nl from{};
  struct iovec iov{buf, cap};
  msghdr m{};
  m.msg_name = &from;
  m.msg_namelen = sizeof from;
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  for (;;) {
    ssize_t n = recvmsg(fd_, &m, flags);
    if (n >= 0) {
      *len = flags & MSG_TRUNC ? static_cast<size_t>(n) : std::min(static_cast<size_t>(n), cap);
      *sender = from.nl_pid;
      return {};
    }
    if (errno != EINTR) return Status::fail(errno, "recvmsg");
  }
}

}  // namespace nln
