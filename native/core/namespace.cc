#include "namespace.h"

#include <errno.h>
#include <linux/netlink.h>
#include <unistd.h>

#include <thread>

namespace nln {

void Namespace::create(const std::string& name, Created done, Channel::Enter before) {
  auto ns = std::make_shared<Namespace>(NetnsHandle{});
  auto made = std::make_shared<Status>();
  Namespace* raw = ns.get();
  std::lock_guard<std::mutex> lock(raw->mu_);
  raw->channels_[NETLINK_ROUTE] = std::make_unique<Channel>(
      NETLINK_ROUTE,
      [raw, made, name, before = std::move(before)]() -> Status {
        if (before) {
          Status ready = before();
          if (!ready.ok()) return *made = ready;  // nothing made yet: nothing to undo
        }
        *made = netns_create_on_this_thread(name, &raw->handle_);
        return *made;
      },
      // Moves its reference out: the channel's thread must not hold the last one (see create()).
      [ns = std::move(ns), made, name, done = std::move(done)](const Status& opened) mutable {
        if (!opened.ok() && made->ok()) {  // the namespace exists but its socket could not be opened: undo
          close(ns->handle_.fd);
          ns->handle_.fd = -1;
          if (!name.empty()) netns_delete(name);
        }
        done(opened, std::move(ns));
      });
}

void Namespace::submit(int protocol, std::vector<std::unique_ptr<Request>> requests) {
  {
    // Held while queueing: shutdown() takes the channels away under this lock, so a channel is
    // never destroyed between being found and being given the requests.
    std::lock_guard<std::mutex> lock(mu_);
    if (!closed_) {
      auto& c = channels_[protocol];
      if (!c) c = std::make_unique<Channel>(protocol, handle_.fd);
      c->submit_all(std::move(requests));
      return;
    }
  }
  for (auto& r : requests) r->done(Outcome{Status::fail(EBADF, "the namespace handle is closed"), {}});
}

Namespace::~Namespace() {
  shutdown();
  if (handle_.fd >= 0) close(handle_.fd);
}

void Namespace::shutdown() {
  std::map<int, std::unique_ptr<Channel>> channels;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    channels.swap(channels_);
  }
  bool on_own_thread = false;
  for (const auto& c : channels) on_own_thread = on_own_thread || (c.second && c.second->runs_here());
  auto release = [channels = std::move(channels)]() mutable {
    channels.clear();  // each destructor answers its queue and joins its thread
  };
  if (!on_own_thread) return release();
  // Let go of on one of its own channel threads (the last reference was a result dropped there
  // while the environment shut down): joined from a thread of their own instead. That channel's
  // thread touches only its Channel from here on, which the new thread keeps alive until it ends.
  std::thread(std::move(release)).detach();
}

}  // namespace nln
