#include "subscription.h"

#include <errno.h>
#include <linux/netlink.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <thread>

#include "exchange.h"
#include "netlink.h"
#include "pool.h"

namespace nln {

namespace {
// A read hands on at most this much; the rest waits in the kernel's buffer for the next one.
constexpr size_t kMaxRead = 1 << 20;
// After an overrun, at most this many stale datagrams are thrown away (a receive buffer's worth).
constexpr size_t kMaxPurge = 1 << 16;
Status closed() { return Status::fail(EBADF, "the subscription is closed"); }
}  // namespace

// The one thread that waits for subscriptions to become readable. An armed socket is one with a
// read waiting (EPOLLONESHOT: it fires once per read). Made once, never destroyed, as the pool is.
struct Poller {
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  std::mutex mu;
  uint64_t next_id = 1;
  std::map<uint64_t, std::weak_ptr<Subscription>> subs;

  Poller() {
    std::thread([this] { run(); }).detach();
  }
  void run() {
    epoll_event events[16];
    for (;;) {
      int n = epoll_wait(epfd, events, 16, -1);
      for (int i = 0; i < n; ++i) {
        std::shared_ptr<Subscription> s;
        {
          std::lock_guard<std::mutex> lock(mu);
          auto it = subs.find(events[i].data.u64);
          if (it != subs.end()) s = it->second.lock();
        }
        if (s) s->drain();
      }
    }
  }
  static Poller& get() {
    static Poller* p = new Poller();
    return *p;
  }
};

void Subscription::open(std::shared_ptr<const NetnsFd> ns, int protocol, std::vector<uint32_t> groups, Opened done) {
  pool_post([ns, protocol, groups = std::move(groups), done = std::move(done)] {
    auto s = std::make_shared<Subscription>();
    Status st = run_in(ns->fd, [&]() -> Status {
      Status opened = s->sock_.open(protocol);
      for (size_t i = 0; opened.ok() && i < groups.size(); ++i) {
        uint32_t g = groups[i];
        if (setsockopt(s->sock_.fd(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) < 0)
          opened = Status::fail(errno, "join netlink group " + std::to_string(g));
      }
      return opened;
    });
    if (!st.ok()) return done(st, nullptr);
    Poller& p = Poller::get();
    epoll_event ev{};
    {
      std::lock_guard<std::mutex> lock(p.mu);
      s->id_ = p.next_id++;
      p.subs[s->id_] = s;
    }
    ev.data.u64 = s->id_;
    ev.events = 0;  // armed by read()
    if (epoll_ctl(p.epfd, EPOLL_CTL_ADD, s->sock_.fd(), &ev) < 0) st = Status::fail(errno, "epoll_ctl");
    if (!st.ok()) s->close();
    done(st, st.ok() ? s : nullptr);
  });
}

void Subscription::arm() {
  epoll_event ev{};
  ev.data.u64 = id_;
  ev.events = EPOLLIN | EPOLLONESHOT;
  if (epoll_ctl(Poller::get().epfd, EPOLL_CTL_MOD, sock_.fd(), &ev) < 0) {
    Read tell = std::move(waiting_);
    tell(Status::fail(errno, "epoll_ctl"), {});
  }
}

void Subscription::read(Read done, bool wait) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return done(closed(), {});
  if (waiting_) return done(Status::fail(EBUSY, "a read is already waiting on this subscription"), {});
  waiting_ = std::move(done);
  wait_ = wait;
  if (wait) return arm();
  pool_post([self = shared_from_this()] { self->drain(); });
}

void Subscription::drain() {
  Read tell;
  Status status;
  std::string out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || !waiting_) return;
    tell = std::move(waiting_);
    while (out.size() < kMaxRead) {
      size_t len = 0;
      Status r = receive_from_kernel(sock_, rx_, false, &len);
      if (r.err == ENOBUFS) {
        // The kernel dropped announcements (said once, by the call that meets it). What is still
        // queued, and what was read, is older than the snapshot the consumer now takes: dropped,
        // so that nothing from before the gap is told after it.
        out.clear();
        for (size_t n = 0; n < kMaxPurge && recv(sock_.fd(), nullptr, 0, MSG_DONTWAIT | MSG_TRUNC) >= 0; ++n) {}
        status = Status::fail(ENOBUFS, "the kernel dropped announcements (receive buffer overrun)");
      } else if (!r.ok() && r.err != EAGAIN) {
        status = r;
      }
      if (!r.ok()) break;
      for_each_message(rx_.data.get(), len, [&](const nlmsghdr* h) {
        if (h->nlmsg_type >= NLMSG_MIN_TYPE) append_message(&out, h);
      });
    }
    if (status.ok() && out.empty() && wait_) {
      // Woken for nothing we keep (a forged datagram): wait again.
      waiting_ = std::move(tell);
      return arm();
    }
  }
  tell(status, std::move(out));
}

void Subscription::close() {
  Read tell;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    tell = std::move(waiting_);
    Poller& p = Poller::get();
    if (sock_.fd() >= 0) epoll_ctl(p.epfd, EPOLL_CTL_DEL, sock_.fd(), nullptr);
    sock_.close();
    std::lock_guard<std::mutex> plock(p.mu);
    p.subs.erase(id_);
  }
  if (tell) tell(closed(), {});
}

}  // namespace nln
