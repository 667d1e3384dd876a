// A netlink socket set up the way iproute2's libnetlink does it: close-on-exec, large buffers,
// extended ACK (the kernel says why it refused), capped ACKs (no echo of our request), and strict
// dump checking (filters in dump requests are applied by the kernel or refused, never ignored).
#pragma once
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>

#include "netlink.h"

namespace nln {

class NetlinkSocket {
 public:
  NetlinkSocket() = default;
  ~NetlinkSocket();
  NetlinkSocket(const NetlinkSocket&) = delete;
  NetlinkSocket& operator=(const NetlinkSocket&) = delete;

  // Opens the socket in the calling thread's network namespace.
  Status open(int protocol);
  void close();

  // One sendmsg carrying every message in iov: the kernel handles them in order, in this call.
  Status send(const struct iovec* iov, size_t count);
  // One datagram (possibly several netlink messages) into buf, cut at cap; *sender is the sending
  // socket's port id (0: the kernel). flags: MSG_DONTWAIT (else it waits for one), MSG_PEEK|MSG_TRUNC
  // (*len is then its whole size, left queued).
  Status receive(uint8_t* buf, size_t cap, int flags, size_t* len, uint32_t* sender);

  uint32_t port_id() const { return port_id_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  uint32_t port_id_ = 0;
  size_t send_buffer_ = 0;  // what SO_SNDBUF allows; raised for a large nfnetlink batch
};

}  // namespace nln
