#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
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

// Some requests block in the kernel for long (deleting a link waits ~20 ms for RCU, outside RTNL):
// when a job has waited this long for a thread, another is started, up to kMaxThreads, so one
// namespace's slow teardown never holds up the rest. A watcher checks while every thread is busy
// (and sleeps otherwise); threads beyond the base count end once idle.
constexpr auto kStarved = std::chrono::milliseconds(2);
constexpr auto kIdleEnd = std::chrono::milliseconds(500);
constexpr int kMaxThreads = 32;

struct Job {
  std::function<void()> run;
  std::chrono::steady_clock::time_point queued;
};

struct Pool {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Job> jobs;
  const int base = thread_count();
  int threads = 0;  // under mu, as are the two below
  int idle = 0;
  bool watcher_asleep = false;
  std::condition_variable watcher_cv;
  int home = -1;    // the process's network namespace, where every thread returns

  Pool() {
    home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    std::lock_guard<std::mutex> lock(mu);
    while (threads < base) start();
    std::thread([this] { watch(); }).detach();
  }
  // Under mu.
  void start() {
    ++threads;
    std::thread([this] { serve(); }).detach();
  }
  // Under mu: a thread more when the oldest job has waited too long.
  void grow_if_starved() {
    if (!jobs.empty() && threads < kMaxThreads && std::chrono::steady_clock::now() - jobs.front().queued > kStarved) start();
  }
  void serve();
  void watch();
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
  std::unique_lock<std::mutex> lock(mu);
  while (!stranded) {
    ++idle;
    // The base threads sleep until there is work (an idle process is never woken by us); one
    // started for a busy spell ends once it has been idle for kIdleEnd.
    bool woken = true;
    if (threads > base) woken = cv.wait_for(lock, kIdleEnd, [this] { return !jobs.empty(); });
    else cv.wait(lock, [this] { return !jobs.empty(); });
    --idle;
    if (!woken && threads > base) break;  // still one too many: this one ends
    if (!woken) continue;                 // the others ended first: this one stays, asleep
    Job job = std::move(jobs.front());
    jobs.pop_front();
    lock.unlock();
    job.run();
    lock.lock();
  }
  --threads;
  if (stranded) start();  // a replacement; this one ends without running anything more
}

void Pool::watch() {
  std::unique_lock<std::mutex> lock(mu);
  for (;;) {
    watcher_asleep = true;
    watcher_cv.wait(lock, [this] { return !jobs.empty() && idle == 0; });
    watcher_asleep = false;
    watcher_cv.wait_for(lock, kStarved);
    grow_if_starved();
  }
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
    p.jobs.push_back({std::move(job), std::chrono::steady_clock::now()});
    if (p.idle == 0 && p.watcher_asleep) p.watcher_cv.notify_one();
  }
  p.cv.notify_one();
}

Status run_in(int nsfd, const std::function<Status()>& work) {
  if (stranded) return Status::fail(EAGAIN, "this thread is retiring");
  if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0) return go_home(Status::fail(errno, "setns into the namespace"));
  return go_home(work());
}

}  // namespace nln
