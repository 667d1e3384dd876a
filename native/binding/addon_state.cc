#include "addon_state.h"

#include <cstring>
#include <vector>

namespace nln_binding {

void AddonState::track(const std::shared_ptr<nln::Namespace>& ns) {
  std::lock_guard<std::mutex> lock(mu);
  open[ns.get()] = ns;
}

void AddonState::untrack(nln::Namespace* ns) {
  std::lock_guard<std::mutex> lock(mu);
  open.erase(ns);
}

void AddonState::track(const std::shared_ptr<nln::Subscription>& sub) {
  std::lock_guard<std::mutex> lock(mu);
  subscriptions[sub.get()] = sub;
}

void AddonState::untrack(nln::Subscription* sub) {
  std::lock_guard<std::mutex> lock(mu);
  subscriptions.erase(sub);
}

void AddonState::teardown() {
  completer.close();
  std::vector<std::shared_ptr<nln::Namespace>> all;
  std::vector<std::shared_ptr<nln::Subscription>> subs;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (auto& e : open) {
      if (auto ns = e.second.lock()) all.push_back(ns);
    }
    open.clear();
    for (auto& e : subscriptions) {
      if (auto sub = e.second.lock()) subs.push_back(sub);
    }
    subscriptions.clear();
  }
  for (auto& ns : all) ns->shutdown(nullptr);
  for (auto& sub : subs) sub->close();
  namespace_class.Reset();
  subscription_class.Reset();
}

Napi::Buffer<char> to_buffer(Napi::Env env, std::string&& bytes) {
  constexpr size_t kGiveOver = 64 << 10;
  if (bytes.size() < kGiveOver) return Napi::Buffer<char>::Copy(env, bytes.data(), bytes.size());
  auto* held = new std::string(std::move(bytes));
  return Napi::Buffer<char>::New(env, &(*held)[0], held->size(), [](Napi::Env, char*, std::string* s) { delete s; }, held);
}

Napi::Error make_error(Napi::Env env, const nln::Status& s, const std::string& answer) {
  Napi::Error e = Napi::Error::New(env, s.detail.empty() ? std::strerror(s.err) : s.detail);
  e.Set("errno", Napi::Number::New(env, s.err));
  if (!s.detail.empty()) e.Set("detail", Napi::String::New(env, s.detail));
  if (!answer.empty()) e.Set("answer", Napi::Buffer<char>::Copy(env, answer.data(), answer.size()));
  return e;
}

}  // namespace nln_binding
