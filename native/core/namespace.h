// One open network namespace: its fd and the channels (one per netlink protocol) that work in it.
#pragma once
#include <map>
#include <memory>
#include <mutex>

#include "channel.h"
#include "netns.h"

namespace nln {

class Namespace {
 public:
  explicit Namespace(NetnsHandle h) : handle_(h) {}
  // Creates a namespace (named, or anonymous when name is empty) on the thread that becomes its
  // rtnetlink channel: no thread is made just to unshare, the first request finds the channel
  // already inside with its socket open, and creations run side by side. Returns at once; `done`
  // runs on that new thread with the namespace, or with a failure and the half-made object, which
  // must be released on another thread (releasing it joins the thread `done` runs on).
  using Created = std::function<void(const Status&, std::shared_ptr<Namespace>)>;
  // `before` runs first on that thread, still where it started: the last chance to open sockets in
  // other namespaces without setns (a chain that creates the namespace does, chain.h).
  static void create(const std::string& name, Created done, Channel::Enter before = nullptr);
  ~Namespace();
  Namespace(const Namespace&) = delete;
  Namespace& operator=(const Namespace&) = delete;

  // Queues requests on the channel for a protocol (started on first use: its thread enters this
  // namespace), together. After shutdown() each is answered EBADF at once instead: no request is
  // ever left on a channel that has no thread, nor given to one being destroyed.
  void submit(int protocol, std::vector<std::unique_ptr<Request>> requests);
  // Answers what is queued and joins the channel threads. Blocks: call it from an addon thread.
  // Idempotent. The fd stays open until the object goes: whoever still holds it (a queued sysctl,
  // a chain writing IFLA_NET_NS_FD) works in this namespace, never in one opened after it.
  void shutdown();
  bool closed() {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }

  int fd() const { return handle_.fd; }
  uint64_t inode() const { return handle_.inode; }

 private:
  std::mutex mu_;
  NetnsHandle handle_;
  bool closed_ = false;
  std::map<int, std::unique_ptr<Channel>> channels_;
};

}  // namespace nln
