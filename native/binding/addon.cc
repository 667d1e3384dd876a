// Module entry: creates the per-environment state and exports the native surface that
// src/native.ts types. All logic lives in ../core; files here only convert and dispatch.
#include <napi.h>

#include <memory>

#include "addon_state.h"
#include "chain_function.h"
#include "file_lock.h"
#include "namespace_wrap.h"
#include "netns_functions.h"
#include "peer_credentials.h"
#include "subscription_wrap.h"

namespace nln_binding {

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
  state->namespace_class = Napi::Persistent(NamespaceWrap::Define(env));
  state->subscription_class = Napi::Persistent(SubscriptionWrap::Define(env));
  env.SetInstanceData<std::shared_ptr<AddonState>>(new std::shared_ptr<AddonState>(state));
  napi_add_env_cleanup_hook(env, teardown, new std::shared_ptr<AddonState>(state));
  define_netns_functions(env, exports);
  define_chain_function(env, exports);
  define_peer_credentials(env, exports);
  define_file_lock(env, exports);
  return exports;
}

}  // namespace

}  // namespace nln_binding

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return nln_binding::Init(env, exports); }

NODE_API_MODULE(netlink_native, InitModule)
