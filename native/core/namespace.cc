#include "namespace.h"

#include <errno.h>
#include <linux/netlink.h>

#include "pool.h"

namespace nln {

void Namespace::create(const std::string& name, std::function<void()> inside, Created done) {
  pool_post([name, inside = std::move(inside), done = std::move(done)] {
    std::shared_ptr<NetnsFd> fd;
    std::shared_ptr<Channel> rtnl;
    Status s = in_new_netns([&]() -> Status {
      NetnsHandle h;
      Status made = netns_create_on_this_thread(name, &h);
      if (!made.ok()) return made;
      fd = std::make_shared<NetnsFd>(h);
      rtnl = std::make_shared<Channel>(NETLINK_ROUTE, fd);
      Status opened = rtnl->open_here();
      if (opened.ok() && inside) inside();
      return opened;
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
  // Outside the lock: the channel may drain right here (channel.cc), and what its answers set off
  // may submit to this namespace again.
  if (channel) return channel->submit_all(std::move(requests));
  for (auto& r : requests) r->done(Outcome{Status::fail(EBADF, "the namespace handle is closed"), {}});
}

namespace {
// Idle lanes kept per protocol for the next chains; more are closed as they come back.
constexpr size_t kIdleLanes = 8;
}  // namespace

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
