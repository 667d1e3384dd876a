// Per-environment state: the completer and the namespaces and subscriptions still open (so that
// environment teardown can close them). Shared by every object the addon hands out.
#pragma once
#include <napi.h>

#include <memory>
#include <mutex>
#include <unordered_map>

#include "../core/namespace.h"
#include "../core/status.h"
#include "../core/subscription.h"
#include "completer.h"

namespace nln_binding {

struct AddonState {
  explicit AddonState(Napi::Env env) : completer(env) {}

  Completer completer;
  Napi::FunctionReference namespace_class;
  Napi::FunctionReference subscription_class;

  std::mutex mu;
  std::unordered_map<nln::Namespace*, std::weak_ptr<nln::Namespace>> open;
  std::unordered_map<nln::Subscription*, std::weak_ptr<nln::Subscription>> subscriptions;

  void track(const std::shared_ptr<nln::Namespace>& ns);
  void untrack(nln::Namespace* ns);
  void track(const std::shared_ptr<nln::Subscription>& sub);
  void untrack(nln::Subscription* sub);
  // Environment teardown, on the JS thread: results are no longer delivered, every namespace is
  // closed, and what N-API owns is released while the environment still exists. Whichever thread
  // lets go of the state last then destroys only inert parts.
  void teardown();
};

// A rejected promise's reason: an Error whose errno and detail (and, for a refusal by the kernel,
// its `answer`: the error message, extended ACK included) the TS layer turns into a NetlinkError.
Napi::Error make_error(Napi::Env env, const nln::Status& s, const std::string& answer = {});

// Netlink bytes handed to JS. A large answer (a dump of thousands) is given over, not copied: a
// copy on the JS thread touches as many fresh pages again; a small one is copied, which costs less
// than the finalizer that frees a given-over one.
Napi::Buffer<char> to_buffer(Napi::Env env, std::string&& bytes);

}  // namespace nln_binding
