// Network namespaces as iproute2 keeps them: a named namespace is a bind mount of the namespace
// file on /run/netns/NAME, with /run/netns a shared mount so every mount namespace sees it.
// Everything here blocks in system calls; callers run it on an addon thread, never the JS thread.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "netlink.h"

namespace nln {

extern const char* const kNetnsRunDir;  // "/run/netns"

// An open namespace fd, closed when the last holder lets go: a namespace's channels and whatever
// still works there (a queued sysctl, a chain writing IFLA_NET_NS_FD) keep it, so the fd is that
// namespace's as long as anything may use it, never a number reused for another file.
struct NetnsFd {
  NetnsFd(int fd, uint64_t inode) : fd(fd), inode(inode) {}
  ~NetnsFd();
  NetnsFd(const NetnsFd&) = delete;
  NetnsFd& operator=(const NetnsFd&) = delete;
  const int fd;          // O_RDONLY|O_CLOEXEC on the namespace file
  const uint64_t inode;  // st_ino: the namespace's identity
};

// Creates a namespace like `ip netns add NAME` (name empty: an anonymous one that lives as long as
// the returned fd, or anything in it). unshare(CLONE_NEWNET) moves only the calling thread, which
// is left inside (Namespace::create returns it, pool.h).
Status netns_create_on_this_thread(const std::string& name, std::shared_ptr<NetnsFd>* out);
// Opens a namespace file (/run/netns/NAME, /proc/PID/ns/net, …) and checks it is a network one.
Status netns_open(const std::string& path, std::shared_ptr<NetnsFd>* out);
Status netns_delete(const std::string& name);

}  // namespace nln
