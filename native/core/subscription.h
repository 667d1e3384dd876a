// A netlink socket joined to the kernel's multicast groups in one namespace (what `ip monitor` and
// `nft monitor` listen to): what the kernel announces queues in the socket's receive buffer until
// read. A read waiting for the next announcement waits on one thread shared by every
// subscription (epoll), never on a pool thread. A read takes what has queued, up to kMaxRead
// bytes: what we hold is one read's worth, and a consumer that lags makes the kernel's buffer
// overflow instead, which the next read reports as ENOBUFS, dropping what was still queued from
// before the gap (the consumer then starts over from a snapshot).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "exchange.h"
#include "netns.h"

namespace nln {

class Subscription : public std::enable_shared_from_this<Subscription> {
 public:
  // Whole netlink messages back to back (only the kernel's), or why there are none: after
  // close(), EBADF.
  using Read = std::function<void(Status, std::string)>;
  using Opened = std::function<void(Status, std::shared_ptr<Subscription>)>;

  // On a pool thread, inside the namespace: the socket and its groups. `done` runs there.
  static void open(std::shared_ptr<const NetnsFd> ns, int protocol, std::vector<uint32_t> groups, Opened done);
  // One read at a time: a second while one waits is refused (EBUSY). Without `wait`, what has
  // queued so far, possibly nothing (read on a pool thread).
  void read(Read done, bool wait = true);
  void close();  // a read waiting is answered EBADF

 private:
  friend struct Poller;
  void drain();  // on the poller's thread once the socket is readable, or a pool thread
  void arm();    // under mu_

  std::mutex mu_;
  NetlinkSocket sock_;
  RxBuffer rx_;
  uint64_t id_ = 0;
  bool closed_ = false;
  Read waiting_;
  bool wait_ = true;  // the waiting read's
};

}  // namespace nln
