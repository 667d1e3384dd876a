#include "namespace.h"

#include <linux/netlink.h>
#include <unistd.h>

namespace nln {

Status Namespace::create(const std::string& name, std::shared_ptr<Namespace>* out) {
  NetnsHandle h;
  Status made;
  auto route = std::make_unique<Channel>(NETLINK_ROUTE, [&h, &made, name]() -> Status {
    made = netns_create_on_this_thread(name, &h);
    return made;
  });
  Status s = route->wait_open();  // h and made are written before the thread signals
  if (!s.ok()) {
    route.reset();  // stops and joins the thread
    if (made.ok()) {  // the namespace exists but its socket could not be opened: undo
      close(h.fd);
      if (!name.empty()) netns_delete(name);
    }
    return s;
  }
  auto ns = std::make_shared<Namespace>(h);
  ns->channels_[NETLINK_ROUTE] = std::move(route);
  *out = std::move(ns);
  return {};
}

Channel* Namespace::channel(int protocol) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return nullptr;
  auto& c = channels_[protocol];
  if (!c) c = std::make_unique<Channel>(protocol, handle_.fd);
  return c.get();
}

void Namespace::shutdown() {
  std::map<int, std::unique_ptr<Channel>> channels;
  int fd;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    channels.swap(channels_);
    fd = handle_.fd;
  }
  channels.clear();  // each destructor answers its queue and joins its thread
  if (fd >= 0) close(fd);
}

}  // namespace nln
