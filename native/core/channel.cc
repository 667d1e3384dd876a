#include "channel.h"

#include <errno.h>
#include <linux/netlink.h>
#include <sched.h>
#include <unistd.h>

namespace nln {

namespace {

// Upper bounds for one sendmsg: the kernel queues one ACK per message on our socket, so a batch
// must fit the receive buffer (socket.cc) with room to spare.
constexpr size_t kMaxBatchMessages = 512;
constexpr size_t kMaxBatchBytes = 512 << 10;

}  // namespace

Channel::Channel(int protocol, int nsfd)
    : Channel(protocol, [nsfd]() -> Status {
        if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0) return Status::fail(errno, "setns into the namespace");
        return {};
      }) {}

Channel::Channel(int protocol, Enter enter, Opened opened) : protocol_(protocol) {
  thread_ = std::thread([this, enter = std::move(enter), opened = std::move(opened)]() mutable { run(enter, std::move(opened)); });
}

Channel::~Channel() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Channel::submit_all(std::vector<std::unique_ptr<Request>> rs) {
  // Every request ends in a reply we can see: NLMSG_DONE for a dump (the kernel sends no ACK for
  // a dump it started, asked or not), an ACK for anything else (a GET answers with its message,
  // then the ACK). Inside a batch the kernel reports refusals whether or not ACK is asked, and the
  // sentinel's answer ends it, so batch messages go as they are.
  for (auto& r : rs) reinterpret_cast<nlmsghdr*>(&r->message[0])->nlmsg_flags |= NLM_F_ACK;
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& r : rs) queue_.push_back(std::move(r));
    wake = sleeping_;
  }
  if (wake) cv_.notify_one();
}

void Channel::run(const Enter& enter, Opened opened) {
  // This thread belongs to the namespace from here on; it is never handed other work. It runs at
  // the process's own priority: at nice 10 a namespace's thread waited ~0.4 ms for a CPU behind
  // the kernel's own workers, and the event loop's delay under load was no better (bench/README).
  open_status_ = enter();
  if (open_status_.ok()) open_status_ = exchanger_.open(protocol_);
  if (opened) {
    Opened tell = std::move(opened);
    tell(open_status_);  // may hand this channel's owner on: nothing here may keep it after this
  }
  for (;;) {
    std::vector<std::unique_ptr<Request>> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      sleeping_ = true;
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      sleeping_ = false;
      if (queue_.empty()) break;  // stopping, and everything submitted has been answered
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
  exchanger_.close();
}

}  // namespace nln
