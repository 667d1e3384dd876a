// One open network namespace: its fd and the channels (one per netlink protocol) that work in it.
//
// A channel is one netlink socket inside one network namespace. It has no thread of its own:
// requests queue on it, and one pool thread at a time (pool.h) drains the queue, sending what is
// queued together in one sendmsg (pipelining) and matching each reply to its request by sequence
// number. The socket is opened by the first drain, inside the namespace, unless given already open.
#pragma once
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "exchange.h"
#include "netns.h"

namespace nln {

class Channel : public std::enable_shared_from_this<Channel> {
 public:
  Channel(int protocol, std::shared_ptr<const NetnsFd> ns) : protocol_(protocol), ns_(std::move(ns)) {}

  // Opens the socket in the calling thread's namespace now (a thread that just made it).
  Status open_here() {
    opened_ = true;
    return open_status_ = exchanger_.open(protocol_);
  }
  // Queues them together, so they go out in the same sendmsg (in order) unless it is full.
  void submit_all(std::vector<std::unique_ptr<Request>> rs);
  // Keeps token until everything queued now has been answered (Namespace::shutdown's wait).
  void hold_until_idle(std::shared_ptr<void> token);

 private:
  void drain();

  const int protocol_;
  const std::shared_ptr<const NetnsFd> ns_;
  Exchanger exchanger_;  // used by the draining thread only
  bool opened_ = false;
  Status open_status_;

  std::mutex mu_;
  std::deque<std::unique_ptr<Request>> queue_;
  bool draining_ = false;
  std::vector<std::shared_ptr<void>> idle_tokens_;
};

class Namespace {
 public:
  explicit Namespace(std::shared_ptr<NetnsFd> fd) : fd_(std::move(fd)) {}

  // Creates a namespace (named, or anonymous when name is empty) on a pool thread, opens its
  // rtnetlink socket while inside, runs `inside` there (sysctls a chain writes before any link
  // exists), and returns the thread home. `done` runs on that thread, after, with the namespace or
  // why there is none (nothing is left behind then, whatever failed).
  using Created = std::function<void(const Status&, std::shared_ptr<Namespace>)>;
  static void create(const std::string& name, std::function<Status()> inside, Created done);

  // Queues requests on the channel for a protocol, together. After shutdown() each is answered
  // EBADF at once instead.
  void submit(int protocol, std::vector<std::unique_ptr<Request>> requests);
  // A channel for one chain step alone (a socket opened for it, or one a finished step gave back):
  // chains in flight at once reach the kernel side by side, each on its own socket, instead of
  // queueing behind one another on the shared one. Null after shutdown().
  std::shared_ptr<Channel> take_lane(int protocol);
  void give_back(int protocol, std::shared_ptr<Channel> lane);
  // Closes the handle: what was queued before is still sent and answered, then `drained` runs
  // (on whichever thread answered last; at once when nothing was queued). Idempotent.
  void shutdown(std::function<void()> drained = nullptr);
  bool closed() {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }

  int fd() const { return fd_->fd; }
  uint64_t inode() const { return fd_->inode; }

 private:
  std::shared_ptr<NetnsFd> fd_;
  std::mutex mu_;
  bool closed_ = false;
  std::map<int, std::shared_ptr<Channel>> channels_;
  std::map<int, std::vector<std::shared_ptr<Channel>>> lanes_;  // idle ones, by protocol
};

}  // namespace nln
