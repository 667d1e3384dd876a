// The addon's threads: a few, shared by every namespace and every Worker of the process. A netlink
// socket stays in the namespace it was opened in, so one thread serves sockets of any number of
// namespaces; it enters a namespace only for the moment something must be opened there (a socket,
// a sysctl file, /dev/net/tun) or made (unshare), and returns before it runs anything else.
#pragma once
#include <functional>

#include "status.h"

namespace nln {

// Runs job on one of the threads, in no particular order with other jobs. Never blocks.
void pool_post(std::function<void()> job);
// True on a pool thread.
bool on_pool_thread();

// On a pool thread: runs work inside the namespace nsfd (nsfd < 0: a new one, made by `enter`),
// then returns the thread to the process's namespace. A thread that cannot return retires once
// its job is done, and another takes its place: no thread runs work in a namespace not its own.
Status in_netns(int nsfd, const std::function<Status()>& work);
Status in_new_netns(const std::function<Status()>& enter_and_work);

}  // namespace nln
