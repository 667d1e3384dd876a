#include "completer.h"

namespace nln_binding {

Completer::Completer(Napi::Env env) {
  tsfn_ = Tsfn::New(env, "netlink-native completions", 0, 1, this);
  tsfn_.Unref(env);
}

void Completer::expect(Napi::Env env) {
  if (outstanding_++ == 0) tsfn_.Ref(env);
}

void Completer::post(Job job) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return;
  ready_.push_back(std::move(job));
  if (!scheduled_) {
    scheduled_ = true;
    tsfn_.NonBlockingCall(static_cast<void*>(nullptr));
  }
}

void Completer::close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    ready_.clear();
  }
  tsfn_.Release();
}

void Completer::drain(Napi::Env env, Napi::Function, Completer* self, void*) {
  if (env == nullptr) return;  // the function is being torn down
  std::vector<Job> jobs;
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    jobs.swap(self->ready_);
    self->scheduled_ = false;
  }
  for (auto& job : jobs) {
    Napi::HandleScope scope(env);
    job(env);
    if (--self->outstanding_ == 0) self->tsfn_.Unref(env);
  }
}

}  // namespace nln_binding
