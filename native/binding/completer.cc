#include "completer.h"

#include <chrono>

namespace nln_binding {

Completer::Completer(Napi::Env env) {
  tsfn_ = Tsfn::New(env, "netlink-native completions", 0, 1, this);
  tsfn_.Unref(env);
}

void Completer::expect(Napi::Env env) {
  if (outstanding_++ == 0) tsfn_.Ref(env);
}

void Completer::post(Job job) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    ready_.push_back(std::move(job));
    if (!scheduled_) scheduled_ = wake = true;
  }
  // Outside mu_ (it makes a system call): the JS thread takes mu_ in drain().
  if (!wake) return;
  std::lock_guard<std::mutex> call(call_mu_);
  if (!released_) tsfn_.NonBlockingCall(static_cast<void*>(nullptr));
}

void Completer::close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    ready_.clear();
  }
  std::lock_guard<std::mutex> call(call_mu_);
  released_ = true;
  tsfn_.Release();
}

namespace {
// Each result resumes JS code (the awaits after it) before the event loop gets control back: when
// many arrive at once (hundreds of requests in flight), they are delivered in turns of at most
// this many, or this long, so timers and I/O are never held up for long.
constexpr size_t kJobsPerTurn = 16;
constexpr auto kTurnBudget = std::chrono::microseconds(500);
}  // namespace

void Completer::drain(Napi::Env env, Napi::Function, Completer* self, void*) {
  if (env == nullptr) return;  // the function is being torn down
  auto start = std::chrono::steady_clock::now();
  for (size_t n = 0;; ++n) {
    Job job;
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      if (self->ready_.empty()) {
        self->scheduled_ = false;
        return;
      }
      if (n == kJobsPerTurn || std::chrono::steady_clock::now() - start > kTurnBudget) break;
      job = std::move(self->ready_.front());
      self->ready_.pop_front();
    }
    Napi::HandleScope scope(env);
    job(env);
    if (--self->outstanding_ == 0) self->tsfn_.Unref(env);
  }
  self->resume_later(env);  // scheduled_ stays set: post() need not wake us
}

void Completer::resume_later(Napi::Env env) {
  Napi::HandleScope scope(env);
  auto resume = Napi::Function::New(env, [this](const Napi::CallbackInfo& info) { drain(info.Env(), Napi::Function(), this, nullptr); });
  env.Global().Get("setImmediate").As<Napi::Function>().Call({resume});
}

}  // namespace nln_binding
