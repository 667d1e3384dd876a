#include "namespace.h"

#include <unistd.h>

namespace nln {

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
