// The addon's threads: a few, shared by every namespace and every Worker of the process. A netlink
// socket stays in the namespace it was opened in, so one thread serves sockets of any number of
// namespaces; it enters a namespace only for the moment something must be opened there (a socket,
// a sysctl file, /dev/net/tun) or made (unshare), and returns before it runs anything else.
#pragma once
#include <functional>

#include "netlink.h"

namespace nln {

// Runs job on one of the threads, in no particular order with other jobs. Never blocks.
void pool_post(std::function<void()> job);
// True on a pool thread.
bool on_pool_thread();

// On a pool thread: runs work inside the namespace nsfd (nsfd < 0: work moves the thread into a new
// one itself), then returns the thread to the process's namespace. The one way code runs inside a
// namespace. A thread that cannot return retires once its job is done, and another takes its
// place: no thread runs work in a namespace not its own.
Status run_in(int nsfd, const std::function<Status()>& work);

}  // namespace nln
