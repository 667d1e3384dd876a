// One long-lived addon thread that runs blocking filesystem and namespace work (open, mount,
// unlink, joining channel threads) in order, off the JS thread and off libuv's shared pool.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace nln {

class TaskThread {
 public:
  TaskThread();
  ~TaskThread();  // stop(), or, on the thread itself, leaves it to finish on its own
  TaskThread(const TaskThread&) = delete;
  TaskThread& operator=(const TaskThread&) = delete;

  // Runs task in order on the thread; after stop(), on a detached thread of its own (work such as
  // releasing a namespace must still happen, and must not run on the thread that posts it).
  void post(std::function<void()> task);
  // Runs what is queued, then joins. From any thread but this one's; idempotent.
  void stop();

 private:
  // Shared with the thread, so that it can finish even when the last owner let go inside a task.
  struct Queue {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::function<void()>> tasks;
    bool stopping = false;
  };
  std::shared_ptr<Queue> q_ = std::make_shared<Queue>();
  std::thread thread_;
};

}  // namespace nln
