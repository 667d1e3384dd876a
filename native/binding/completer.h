// Hands results from addon threads to the JS thread. One thread-safe function per environment,
// referenced only while work is outstanding, so an idle addon never keeps the process alive.
#pragma once
#include <napi.h>

#include <deque>
#include <functional>
#include <mutex>
#include <vector>

namespace nln_binding {

class Completer {
 public:
  using Job = std::function<void(Napi::Env)>;

  explicit Completer(Napi::Env env);
  // JS thread: one more result is coming; keeps the event loop alive until it has been delivered.
  void expect(Napi::Env env);
  // Any thread: run job on the JS thread. Once the environment is shutting down the job is
  // dropped (destroyed on the calling thread: jobs hold nothing that must die on the JS thread).
  void post(Job job);
  // JS thread, at environment teardown.
  void close();

 private:
  static void drain(Napi::Env env, Napi::Function, Completer* self, void*);
  // Continues draining on a later turn of the event loop (setImmediate): timers and I/O run between.
  void resume_later(Napi::Env env);
  using Tsfn = Napi::TypedThreadSafeFunction<Completer, void, drain>;

  Tsfn tsfn_;
  // Held while a thread calls into the thread-safe function and while close() releases it: a call
  // racing the release would use a function N-API may already have freed.
  std::mutex call_mu_;
  bool released_ = false;  // under call_mu_
  std::mutex mu_;
  std::deque<Job> ready_;
  bool scheduled_ = false;
  bool closed_ = false;
  size_t outstanding_ = 0;  // JS thread only
};

}  // namespace nln_binding
