#include "channel.h"

#include <linux/netlink.h>

#include "pool.h"

namespace nln {

namespace {

// Upper bounds for one sendmsg: the kernel queues one ACK per message on our socket, so a batch
// must fit the receive buffer (socket.cc) with room to spare.
constexpr size_t kMaxBatchMessages = 512;
constexpr size_t kMaxBatchBytes = 512 << 10;

}  // namespace

void Channel::submit_all(std::vector<std::unique_ptr<Request>> rs) {
  // Every request ends in a reply we can see: NLMSG_DONE for a dump (the kernel sends no ACK for
  // a dump it started, asked or not), an ACK for anything else (a GET answers with its message,
  // then the ACK). Inside a batch the kernel reports refusals whether or not ACK is asked, and the
  // sentinel's answer ends it, so batch messages go as they are.
  for (auto& r : rs) reinterpret_cast<nlmsghdr*>(&r->message[0])->nlmsg_flags |= NLM_F_ACK;
  bool start;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& r : rs) queue_.push_back(std::move(r));
    start = !draining_;
    draining_ = true;
  }
  if (!start) return;
  // Already on a pool thread (a chain's next step, sent from the answer to the one before): drained
  // here and now, as the C floor would, instead of waking another thread for it.
  if (on_pool_thread()) return drain();
  pool_post([self = shared_from_this()] { self->drain(); });
}

void Channel::hold_until_idle(std::shared_ptr<void> token) {
  std::lock_guard<std::mutex> lock(mu_);
  if (draining_) idle_tokens_.push_back(std::move(token));
}

void Channel::drain() {
  if (!opened_) {
    opened_ = true;
    open_status_ = in_netns(ns_->fd, [this] { return exchanger_.open(protocol_); });
  }
  for (;;) {
    std::vector<std::unique_ptr<Request>> batch;
    std::vector<std::shared_ptr<void>> idle;  // released after the lock
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) {
        draining_ = false;
        idle.swap(idle_tokens_);
        return;
      }
      size_t bytes = 0;
      while (!queue_.empty() && batch.size() < kMaxBatchMessages && bytes < kMaxBatchBytes) {
        // The kernel runs one dump per socket at a time: a dump ends its exchange. An nfnetlink
        // batch has one to itself (it is sent in two sendmsg calls of its own).
        const Request& next = *queue_.front();
        if (!next.batch.empty() && !batch.empty()) break;
        bool ends = next.dump || !next.batch.empty();
        bytes += next.message.size();
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
        if (ends) break;
      }
    }
    if (!open_status_.ok()) {
      for (auto& r : batch) r->done(Outcome{open_status_, {}});
      continue;
    }
    exchanger_.exchange(batch);
  }
}

}  // namespace nln
