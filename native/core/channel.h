// A channel is one netlink socket inside one network namespace. It has no thread of its own:
// requests queue on it, and one pool thread at a time (pool.h) drains the queue, sending what is
// queued together in one sendmsg (pipelining) and matching each reply to its request by sequence
// number. The socket is opened by the first drain, inside the namespace, unless given already open.
#pragma once
#include <deque>
#include <memory>
#include <mutex>

#include "exchange.h"
#include "netns.h"
#include "status.h"

namespace nln {

class Channel : public std::enable_shared_from_this<Channel> {
 public:
  Channel(int protocol, std::shared_ptr<const NetnsFd> ns) : protocol_(protocol), ns_(std::move(ns)) {}
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

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

}  // namespace nln
