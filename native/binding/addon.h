// The addon's JS face (src/native.ts types it): per-environment state, the one way a result
// reaches JS (Pending), and the handles it gives out. Logic lives in ../core; files here convert
// (and tie a subscription's socket to the event loop).
#pragma once
#include <napi.h>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "../core/namespace.h"
#include "../core/socket.h"

namespace nln_binding {

// Hands results from addon threads to the JS thread. One thread-safe function per environment,
// referenced only while work is outstanding, so an idle addon never keeps the process alive.
class Completer {
 public:
  using Job = std::function<void(Napi::Env)>;
  explicit Completer(Napi::Env env);
  // JS thread: one more result is coming; keeps the event loop alive until it has been delivered.
  void expect(Napi::Env env);
  // Any thread: run job on the JS thread. Once the environment is shutting down the job is
  // dropped (destroyed on the calling thread: jobs hold nothing that must die on the JS thread).
  void post(Job job);
  void close();  // JS thread, at environment teardown

 private:
  static void drain(Napi::Env env, Napi::Function, Completer* self, void*);
  static void resume_later(Napi::Env env, Completer* self);
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

// Per environment, shared by everything the addon hands out: the completer, and how to close each
// handle still open (environment teardown closes them all; handles come and go on the JS thread).
struct AddonState {
  explicit AddonState(Napi::Env env) : completer(env) {}
  Completer completer;
  Napi::FunctionReference namespace_class;
  Napi::FunctionReference subscription_class;
  std::unordered_map<const void*, std::function<void()>> open;

  // On the JS thread: results are no longer delivered, every handle is closed, and what N-API owns
  // is released while the environment still exists.
  void teardown();
};

std::shared_ptr<AddonState> state_of(Napi::Env env);

// A rejected promise's reason: an Error with errno and detail (and, for a refusal by the kernel,
// its `answer`: the error message, extended ACK included) that src/errors.ts makes a NetlinkError.
Napi::Error make_error(Napi::Env env, const nln::Status& s, const std::string& answer = {});

// Netlink bytes handed to JS. A large answer (a dump of thousands) is given over, not copied: a
// copy on the JS thread touches as many fresh pages again; a small one is copied, which costs less
// than the finalizer that frees a given-over one.
Napi::Value to_buffer(Napi::Env env, std::string&& bytes);

// The netlink messages a Buffer holds, back to back (`count` of them unless 0; where each starts
// into *starts): each whole, at least a header long, 4-byte aligned; anything else is a
// TypeError, thrown before any is sent.
std::string messages_of(const Napi::Value& v, size_t count = 0, std::vector<size_t>* starts = nullptr);

// A promise made on the JS thread and settled from any thread: every async call answers this way.
class Pending {
 public:
  using Make = std::function<Napi::Value(Napi::Env)>;
  explicit Pending(Napi::Env env);
  Napi::Value promise() const { return deferred_.Promise(); }
  // When s is ok, resolves with make(env), else with `bytes` (netlink bytes; null when none);
  // else rejects with s and, for a refusal by the kernel, its error message (`bytes`) and, in a
  // batch, the refused one's index.
  void settle(const nln::Status& s, Make make = nullptr, std::string bytes = {}, int index = -1) const;

 private:
  std::shared_ptr<AddonState> state_;
  Napi::Promise::Deferred deferred_;
};

// NativeNamespace and NativeSubscription (handles.cc), and the module's functions (functions.cc).
Napi::Function define_namespace_class(Napi::Env env);
Napi::Function define_subscription_class(Napi::Env env);
Napi::Value wrap_namespace(Napi::Env env, std::shared_ptr<nln::Namespace> ns);
Napi::Value wrap_subscription(Napi::Env env, const std::shared_ptr<nln::NetlinkSocket>& sock);
// The namespace a handle holds, for calls made with it; null once it is closed.
std::shared_ptr<nln::Namespace> namespace_of(const Napi::Value& handle);
void define_functions(Napi::Env env, Napi::Object exports);

}  // namespace nln_binding
