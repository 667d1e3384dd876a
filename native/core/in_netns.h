// Runs a piece of work on a thread made for it, inside a network namespace. Work that depends on
// the calling thread's namespace (sysctl files, /dev/net/tun, new sockets) runs here; the thread
// exits when the work is done, so no thread that entered a namespace ever runs anything else.
#pragma once
#include <functional>

#include "status.h"

namespace nln {

Status run_in_netns(int nsfd, const std::function<Status()>& work);

}  // namespace nln
