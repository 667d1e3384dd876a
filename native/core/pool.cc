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
#include <system_error>
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
// when a job has waited this long with every thread busy, a helper thread is started (up to
// kMaxThreads) that runs jobs until the queue is empty, then ends. So one namespace's slow
// teardown never holds up the rest. Only a watcher can notice, the threads being stuck: it sleeps
// unless every thread is busy with jobs waiting. Each wait is paid by a call whose steps come one
// after another (a CNI DEL beside its veth's teardown: 2 ms a step at first), so it is short.
constexpr auto kStarved = std::chrono::microseconds(500);
constexpr int kMaxThreads = 32;
// A helper waits this long for more work before it ends: the next step of the call it served
// finds it idle instead of starving again.
constexpr auto kLinger = std::chrono::milliseconds(20);

struct Job {
  std::function<void()> run;
  std::chrono::steady_clock::time_point queued;
};

struct Pool {
  std::mutex mu;
  std::condition_variable work, starving;
  std::deque<Job> jobs;  // under mu, as are the counts
  int threads = 0;
  int idle = 0;
  bool watcher_asleep = false;  // woken only then: not at every job while it times a wait
  int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);  // where every thread returns

  Pool() {
    std::lock_guard<std::mutex> lock(mu);
    for (int n = thread_count(); n > 0; --n) start(true);
    std::thread([this] { watch(); }).detach();
  }
  void start(bool stays) {  // under mu; a thread the system refuses is not counted (the watcher tries again)
    try {
      std::thread([this, stays] { serve(stays); }).detach();
      ++threads;
    } catch (const std::system_error&) {
    }
  }
  bool starved() const { return !jobs.empty() && idle == 0; }
  void wake_watcher() {  // under mu
    if (starved() && watcher_asleep) starving.notify_one();
  }
  void serve(bool stays);
  void watch();
};

// Made once and never destroyed: its threads outlive every environment and block at process exit.
Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}

thread_local bool stranded = false;  // this thread could not return to the process's namespace
thread_local bool in_pool = false;

void Pool::serve(bool stays) {
  in_pool = true;
  std::unique_lock<std::mutex> lock(mu);
  auto ready = [this] { return !jobs.empty(); };
  while (!stranded) {
    ++idle;
    if (stays) work.wait(lock, ready);
    bool got = stays || work.wait_for(lock, kLinger, ready);
    --idle;
    if (!got) break;
    Job job = std::move(jobs.front());
    jobs.pop_front();
    wake_watcher();
    lock.unlock();
    job.run();
    job.run = nullptr;  // what it held goes outside the lock: a socket's close can wait in the kernel
    lock.lock();
  }
  --threads;
  if (stranded && stays) start(true);  // a replacement; this one ends without running anything more
}

void Pool::watch() {
  std::unique_lock<std::mutex> lock(mu);
  for (;;) {
    watcher_asleep = true;
    starving.wait(lock, [this] { return starved(); });
    watcher_asleep = false;
    starving.wait_for(lock, kStarved);
    if (starved() && threads < kMaxThreads && std::chrono::steady_clock::now() - jobs.front().queued > kStarved) start(false);
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
    p.wake_watcher();
  }
  p.work.notify_one();
}

Status run_in(int nsfd, const std::function<Status()>& work) {
  if (stranded) return Status::fail(EAGAIN, "this thread is retiring");
  if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0) return go_home(Status::fail(errno, "setns into the namespace"));
  return go_home(work());
}

}  // namespace nln
