#include "namespace.h"

#include <errno.h>
#include <linux/netlink.h>

#include "pool.h"

namespace nln {

namespace {

// Upper bounds for one sendmsg: the kernel queues one ACK per message on our socket, so a batch
// must fit the receive buffer (socket.cc) with room to spare; and an iovec a request stays
// under IOV_MAX.
constexpr size_t kMaxBatchMessages = 512;
constexpr size_t kMaxBatchBytes = 512 << 10;
// Idle lanes kept per protocol for the next chains; more are closed as they come back.
constexpr size_t kIdleLanes = 8;

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
    open_status_ = run_in(ns_->fd, [this] { return exchanger_.open(protocol_); });
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
        bool ends = !next.batch.empty() || (reinterpret_cast<const nlmsghdr*>(next.message.data())->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
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


void Namespace::create(const std::string& name, std::function<Status()> inside, Created done) {
  pool_post([name, inside = std::move(inside), done = std::move(done)] {
    std::shared_ptr<NetnsFd> fd;
    std::shared_ptr<Channel> rtnl;
    Status s = run_in(-1, [&]() -> Status {
      Status made = netns_create_on_this_thread(name, &fd);
      if (!made.ok()) return made;
      rtnl = std::make_shared<Channel>(NETLINK_ROUTE, fd);
      Status opened = rtnl->open_here();
      return opened.ok() && inside ? inside() : opened;
    });
    if (!s.ok()) {
      if (fd && !name.empty()) netns_delete(name);  // made, but unusable: undone
      return done(s, nullptr);
    }
    auto ns = std::make_shared<Namespace>(std::move(fd));
    ns->channels_[NETLINK_ROUTE] = std::move(rtnl);
    done(s, std::move(ns));
  });
}

void Namespace::submit(int protocol, std::vector<std::unique_ptr<Request>> requests) {
  std::shared_ptr<Channel> channel;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!closed_) {
      auto& c = channels_[protocol];
      if (!c) c = std::make_shared<Channel>(protocol, fd_);
      channel = c;
    }
  }
  // Outside the lock: the channel may drain right here (Channel::submit_all), and what its answers set off
  // may submit to this namespace again.
  if (channel) return channel->submit_all(std::move(requests));
  for (auto& r : requests) r->done(Outcome{Status::fail(EBADF, "the namespace handle is closed"), {}});
}

std::shared_ptr<Channel> Namespace::take_lane(int protocol) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return nullptr;
  auto& idle = lanes_[protocol];
  if (idle.empty()) return std::make_shared<Channel>(protocol, fd_);
  auto lane = std::move(idle.back());
  idle.pop_back();
  return lane;
}

void Namespace::give_back(int protocol, std::shared_ptr<Channel> lane) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& idle = lanes_[protocol];
  if (!closed_ && idle.size() < kIdleLanes) idle.push_back(std::move(lane));
}

void Namespace::shutdown(std::function<void()> drained) {
  std::map<int, std::shared_ptr<Channel>> channels;
  std::map<int, std::vector<std::shared_ptr<Channel>>> lanes;  // idle: closed as they go
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    channels.swap(channels_);  // a channel being drained stays until its drain is done
    lanes.swap(lanes_);
  }
  // Runs `drained` when the last channel holding it has answered its queue.
  std::shared_ptr<void> token(nullptr, [drained = std::move(drained)](void*) {
    if (drained) drained();
  });
  for (auto& c : channels) c.second->hold_until_idle(token);
}

}  // namespace nln
