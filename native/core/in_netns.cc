#include "in_netns.h"

#include <errno.h>
#include <sched.h>

#include <thread>

namespace nln {

Status run_in_netns(int nsfd, const std::function<Status()>& work) {
  Status s;
  std::thread([&] {
    if (setns(nsfd, CLONE_NEWNET) < 0) {
      s = Status::fail(errno, "setns into the namespace");
      return;
    }
    s = work();
  }).join();
  return s;
}

}  // namespace nln
