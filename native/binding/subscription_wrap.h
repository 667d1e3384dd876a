// NativeSubscription: the JS face of nln::Subscription. read(wait = true) resolves with the
// announcements that have queued (netlink bytes; without wait, an empty Buffer when there are
// none); close() ends it (a waiting read is rejected EBADF).
#pragma once
#include <napi.h>

#include <memory>

#include "../core/subscription.h"
#include "addon_state.h"

namespace nln_binding {

class SubscriptionWrap : public Napi::ObjectWrap<SubscriptionWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object Wrap(Napi::Env env, const std::shared_ptr<AddonState>& state, std::shared_ptr<nln::Subscription> sub);

  explicit SubscriptionWrap(const Napi::CallbackInfo& info);
  ~SubscriptionWrap() override;

 private:
  Napi::Value Read(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  std::shared_ptr<AddonState> state_;
  std::shared_ptr<nln::Subscription> sub_;
};

}  // namespace nln_binding
