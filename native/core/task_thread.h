// One long-lived addon thread that runs blocking filesystem and namespace work (open, mount,
// unlink, joining channel threads) in order, off the JS thread and off libuv's shared pool.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace nln {

class TaskThread {
 public:
  TaskThread();
  ~TaskThread();  // runs what is queued, then joins
  void post(std::function<void()> task);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace nln
