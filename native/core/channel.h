// A channel is one netlink socket inside one network namespace, served by one thread the addon
// owns. The thread enters the namespace once, opens the socket there and serves only that
// socket until it exits, so no thread that entered a namespace ever runs unrelated work.
//
// Requests submitted while the thread is busy queue up; the next exchange sends all of them in
// one sendmsg (pipelining) and matches each reply to its request by sequence number.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "exchange.h"
#include "status.h"

namespace nln {

class Channel {
 public:
  // What the channel's thread does first to be in its namespace (setns, or creating it).
  using Enter = std::function<Status()>;

  // Told on the channel's thread once it has entered and opened its socket (or failed to).
  using Opened = std::function<void(const Status&)>;

  // nsfd < 0: stay in the namespace of the thread that constructs the channel.
  Channel(int protocol, int nsfd);
  Channel(int protocol, Enter enter, Opened opened = nullptr);
  ~Channel();  // stops and joins; call from a thread that may block (never the JS thread)
  // True on the channel's own thread (which must never destroy its channel: it would join itself).
  bool runs_here() const { return thread_.get_id() == std::this_thread::get_id(); }
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Queues them together, so they go out in the same sendmsg (in order) unless it is full.
  void submit_all(std::vector<std::unique_ptr<Request>> rs);

 private:
  void run(const Enter& enter, Opened opened);

  const int protocol_;
  Exchanger exchanger_;
  Status open_status_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Request>> queue_;
  bool sleeping_ = false;  // the thread waits on cv_: only then does submit() need to wake it
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace nln
