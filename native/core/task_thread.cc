#include "task_thread.h"

#include <cstdio>
#include <exception>

namespace nln {

TaskThread::TaskThread() {
  thread_ = std::thread([q = q_] {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(q->mu);
        q->cv.wait(lock, [&] { return q->stopping || !q->tasks.empty(); });
        if (q->tasks.empty()) return;
        task = std::move(q->tasks.front());
        q->tasks.pop_front();
      }
      try {
        task();
      } catch (const std::exception& e) {
        // A task that throws loses its own work only: the embedding process carries on.
        std::fprintf(stderr, "netlink-native: a task failed: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "netlink-native: a task failed\n");
      }
    }
  });
}

TaskThread::~TaskThread() {
  if (thread_.joinable() && thread_.get_id() == std::this_thread::get_id()) {
    {
      std::lock_guard<std::mutex> lock(q_->mu);
      q_->stopping = true;
    }
    thread_.detach();  // it holds the queue: it finishes what is left and ends
    return;
  }
  stop();
}

void TaskThread::stop() {
  {
    std::lock_guard<std::mutex> lock(q_->mu);
    q_->stopping = true;
  }
  q_->cv.notify_one();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void TaskThread::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(q_->mu);
    if (!q_->stopping) {
      q_->tasks.push_back(std::move(task));
      q_->cv.notify_one();
      return;
    }
  }
  std::thread([task = std::move(task)] {
    try {
      task();
    } catch (...) {
      std::fprintf(stderr, "netlink-native: a task failed\n");
    }
  }).detach();
}

}  // namespace nln
