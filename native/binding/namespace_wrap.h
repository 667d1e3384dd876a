// NativeNamespace: the JS face of nln::Namespace. request() encodes a message with the codec
// tables, queues it on the namespace's channel and resolves with the decoded replies.
#pragma once
#include <napi.h>

#include <memory>

#include "addon_state.h"

namespace nln_binding {

class NamespaceWrap : public Napi::ObjectWrap<NamespaceWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object Wrap(Napi::Env env, const std::shared_ptr<AddonState>& state,
                           std::shared_ptr<nln::Namespace> ns);

  explicit NamespaceWrap(const Napi::CallbackInfo& info);
  ~NamespaceWrap() override;
  // The namespace itself, for calls that span several (chain); null once closed.
  std::shared_ptr<nln::Namespace> shared() const { return ns_; }

 private:
  Napi::Value Request(const Napi::CallbackInfo& info);
  Napi::Value Batch(const Napi::CallbackInfo& info);
  Napi::Value Submit(Napi::Env env, int protocol, std::unique_ptr<nln::Request> req);
  Napi::Value Subscribe(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value LendFd(const Napi::CallbackInfo& info);
  Napi::Value Inode(const Napi::CallbackInfo& info);

  std::shared_ptr<AddonState> state_;
  std::shared_ptr<nln::Namespace> ns_;
};

}  // namespace nln_binding
