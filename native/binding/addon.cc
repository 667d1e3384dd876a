// Module entry, the per-environment state, and the one path by which results reach JS.
#include "addon.h"

#include <linux/netlink.h>

#include <chrono>
#include <cstring>

namespace nln_binding {

namespace {
// Each result resumes JS code (the awaits after it) before the event loop gets control back: when
// many arrive at once (hundreds of requests in flight), they are delivered in turns of at most
// this many, or this long, so timers and I/O are never held up for long.
constexpr size_t kJobsPerTurn = 16;
constexpr auto kTurnBudget = std::chrono::microseconds(500);
}  // namespace

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
    job(env);  // settles a promise: throws nothing (Pending::settle)
    if (--self->outstanding_ == 0) self->tsfn_.Unref(env);
  }
  // The rest on a later turn of the event loop (setImmediate), timers and I/O between; scheduled_
  // stays set: post() need not wake us.
  Napi::HandleScope scope(env);
  resume_later(env, self);
}

void Completer::resume_later(Napi::Env env, Completer* self) {
  auto resume = Napi::Function::New(env, [self](const Napi::CallbackInfo& info) { drain(info.Env(), Napi::Function(), self, nullptr); });
  env.Global().Get("setImmediate").As<Napi::Function>().Call({resume});
}

void AddonState::teardown() {
  completer.close();
  std::unordered_map<const void*, std::function<void()>> all;
  all.swap(open);
  for (auto& e : all) e.second();
  namespace_class.Reset();
  subscription_class.Reset();
}

std::shared_ptr<AddonState> state_of(Napi::Env env) { return *env.GetInstanceData<std::shared_ptr<AddonState>>(); }

Napi::Error make_error(Napi::Env env, const nln::Status& s, const std::string& answer) {
  Napi::Error e = Napi::Error::New(env, s.detail.empty() ? std::strerror(s.err) : s.detail);
  e.Set("errno", Napi::Number::New(env, s.err));
  if (!s.detail.empty()) e.Set("detail", Napi::String::New(env, s.detail));
  if (!answer.empty()) e.Set("answer", Napi::Buffer<char>::Copy(env, answer.data(), answer.size()));
  return e;
}

Napi::Value to_buffer(Napi::Env env, std::string&& bytes) {
  constexpr size_t kGiveOver = 64 << 10;
  if (bytes.size() < kGiveOver) return Napi::Buffer<char>::Copy(env, bytes.data(), bytes.size());
  auto* held = new std::string(std::move(bytes));
  // NewOrCopy: where the embedder forbids external buffers (V8's sandbox, as in Electron), a copy.
  return Napi::Buffer<char>::NewOrCopy(env, &(*held)[0], held->size(), [](Napi::Env, char*, std::string* s) { delete s; }, held);
}

std::string messages_of(const Napi::Value& v, size_t count, std::vector<size_t>* starts) {
  if (!v.IsBuffer()) throw Napi::TypeError::New(v.Env(), "expected netlink messages in a Buffer");
  auto b = v.As<Napi::Buffer<char>>();
  std::string bytes(b.Data(), b.Length());
  std::vector<size_t> at;
  size_t end = 0;  // where the last message walked ends, padded
  nln::for_each_message(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), [&](const nlmsghdr* h) {
    at.push_back(reinterpret_cast<const char*>(h) - bytes.data());
    end = at.back() + NLMSG_ALIGN(h->nlmsg_len);
  });
  if (at.empty() || end < bytes.size() || (count && at.size() != count))
    throw Napi::TypeError::New(v.Env(), count == 1 ? "expected one netlink message, whole" : "expected whole netlink messages, back to back, 4-byte aligned");
  if (starts) *starts = std::move(at);
  return bytes;
}

Pending::Pending(Napi::Env env) : state_(state_of(env)), deferred_(Napi::Promise::Deferred::New(env)) {
  state_->completer.expect(env);
}

void Pending::settle(const nln::Status& s, Make make, std::string bytes, int index) const {
  // The state, not a pointer into it: the answer may come after the environment is gone.
  state_->completer.post([d = deferred_, s, make = std::move(make), bytes = std::move(bytes), index](Napi::Env env) mutable {
    try {
      if (s.ok()) return d.Resolve(make ? make(env) : bytes.empty() ? env.Null() : to_buffer(env, std::move(bytes)));
      Napi::Error e = make_error(env, s, bytes);
      if (index >= 0) e.Set("index", Napi::Number::New(env, index));
      d.Reject(e.Value());
    } catch (const Napi::Error& e) {
      d.Reject(e.Value());  // the result could not be built (out of memory, say): the promise still settles
    } catch (const std::exception& e) {
      d.Reject(Napi::Error::New(env, e.what()).Value());
    }
  });
}

namespace {

// Environment teardown (process exit, Worker exit or terminate()). The hook holds its own
// reference, independent of the instance data's.
void teardown(void* arg) {
  auto* state = static_cast<std::shared_ptr<AddonState>*>(arg);
  (*state)->teardown();
  delete state;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto state = std::make_shared<AddonState>(env);
  env.SetInstanceData<std::shared_ptr<AddonState>>(new std::shared_ptr<AddonState>(state));
  state->namespace_class = Napi::Persistent(define_namespace_class(env));
  state->subscription_class = Napi::Persistent(define_subscription_class(env));
  napi_add_env_cleanup_hook(env, teardown, new std::shared_ptr<AddonState>(state));
  define_functions(env, exports);
  return exports;
}

}  // namespace

}  // namespace nln_binding

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return nln_binding::Init(env, exports); }

NODE_API_MODULE(netlink_native, InitModule)
