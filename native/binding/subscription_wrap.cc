#include "subscription_wrap.h"

namespace nln_binding {

namespace {
struct WrapArgs {
  std::shared_ptr<AddonState> state;
  std::shared_ptr<nln::Subscription> sub;
};
}  // namespace

Napi::Function SubscriptionWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeSubscription", {
      InstanceMethod<&SubscriptionWrap::Read>("read"),
      InstanceMethod<&SubscriptionWrap::Close>("close"),
  });
}

Napi::Object SubscriptionWrap::Wrap(Napi::Env env, const std::shared_ptr<AddonState>& state, std::shared_ptr<nln::Subscription> sub) {
  state->track(sub);
  WrapArgs args{state, std::move(sub)};
  return state->subscription_class.New({Napi::External<WrapArgs>::New(env, &args)});
}

SubscriptionWrap::SubscriptionWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SubscriptionWrap>(info) {
  if (info.Length() != 1 || !info[0].IsExternal())
    throw Napi::TypeError::New(info.Env(), "NativeSubscription is made by NativeNamespace.subscribe only");
  WrapArgs* args = info[0].As<Napi::External<WrapArgs>>().Data();
  state_ = args->state;
  sub_ = args->sub;
}

SubscriptionWrap::~SubscriptionWrap() {
  // Collected without close(): its socket goes with it.
  state_->untrack(sub_.get());
  sub_->close();
}

Napi::Value SubscriptionWrap::Read(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto deferred = Napi::Promise::Deferred::New(env);
  state_->completer.expect(env);
  bool wait = info.Length() < 1 || info[0].ToBoolean();
  sub_->read([state = state_, deferred](nln::Status s, std::string bytes) {
    auto data = std::make_shared<std::string>(std::move(bytes));
    state->completer.post([deferred, s, data](Napi::Env env) {
      if (!s.ok()) deferred.Reject(make_error(env, s).Value());
      else deferred.Resolve(to_buffer(env, std::move(*data)));
    });
  }, wait);
  return deferred.Promise();
}

Napi::Value SubscriptionWrap::Close(const Napi::CallbackInfo& info) {
  state_->untrack(sub_.get());
  sub_->close();
  return info.Env().Undefined();
}

}  // namespace nln_binding
