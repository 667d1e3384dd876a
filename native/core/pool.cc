#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace nln {

namespace {

// NLN_THREADS overrides it (bench/README compares counts): two served containers made 64 at a time
// best on two CPUs; more threads only queued in the kernel's own locks.
int thread_count() {
  const char* s = getenv("NLN_THREADS");
  int n = s ? atoi(s) : 0;
  return n > 0 && n <= 64 ? n : 2;
}

struct Pool {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> jobs;
  int home = -1;  // the process's network namespace, where every thread returns

  Pool() {
    home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    for (int i = thread_count(); i > 0; --i) start();
  }
  void start() { std::thread([this] { serve(); }).detach(); }
  void serve();
};

// Made once and never destroyed: its threads outlive every environment and block at process exit.
Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}

thread_local bool stranded = false;  // this thread could not return to the process's namespace
thread_local bool in_pool = false;

void Pool::serve() {
  in_pool = true;
  while (!stranded) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [this] { return !jobs.empty(); });
      job = std::move(jobs.front());
      jobs.pop_front();
    }
    job();
  }
  start();  // a replacement; this one ends without running anything more
}

Status go_home(Status s) {
  if (setns(pool().home, CLONE_NEWNET) < 0) stranded = true;
  return s;
}

}  // namespace

bool on_pool_thread() { return in_pool; }

void pool_post(std::function<void()> job) {
  Pool& p = pool();
  {
    std::lock_guard<std::mutex> lock(p.mu);
    p.jobs.push_back(std::move(job));
  }
  p.cv.notify_one();
}

Status in_netns(int nsfd, const std::function<Status()>& work) {
  if (stranded) return Status::fail(EAGAIN, "this thread is retiring");
  if (setns(nsfd, CLONE_NEWNET) < 0) return go_home(Status::fail(errno, "setns into the namespace"));
  return go_home(work());
}

Status in_new_netns(const std::function<Status()>& enter_and_work) {
  if (stranded) return Status::fail(EAGAIN, "this thread is retiring");
  return go_home(enter_and_work());
}

}  // namespace nln
