#include "chain_function.h"

#include <errno.h>

#include "../core/chain.h"
#include "messages.h"
#include "namespace_wrap.h"

namespace nln_binding {

namespace {

std::shared_ptr<AddonState> state_of(Napi::Env env) { return *env.GetInstanceData<std::shared_ptr<AddonState>>(); }

size_t index_at(const Napi::Object& o, const char* key) {
  return static_cast<size_t>(o.Get(key).As<Napi::Number>().Uint32Value());
}

// chain([{ create: NAME, sysctls: [[PATH, VALUE]] } (step 0 only) | { ns (null: the namespace step 0 made), protocol,
//          messages (netlink messages back to back, a Buffer),
//          patches: [{ message, offset } & ({ fromStep, fromMessage, attr, headerSize } | { fdOf } | { createdFd })] }])
//   -> Promise<answers>: per step, per message, its replies (netlink bytes), its refusal, or null
//      when an earlier refusal kept it from being sent. A namespace step 0 made stays, by its name.
Napi::Value Chain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array js_steps = info[0].As<Napi::Array>();
  std::vector<nln::ChainStep> steps(js_steps.Length());
  for (uint32_t k = 0; k < js_steps.Length(); ++k) {
    Napi::Object s = js_steps.Get(k).As<Napi::Object>();
    nln::ChainStep& step = steps[k];
    if (s.Get("create").IsString()) {
      if (k != 0) throw Napi::RangeError::New(env, "only the first step of a chain may create a namespace");
      step.create = s.Get("create").As<Napi::String>().Utf8Value();
      if (s.Get("sysctls").IsArray()) {
        Napi::Array pairs = s.Get("sysctls").As<Napi::Array>();
        for (uint32_t i = 0; i < pairs.Length(); ++i) {
          Napi::Array pair = pairs.Get(i).As<Napi::Array>();
          step.sysctls.emplace_back(pair.Get(0u).As<Napi::String>().Utf8Value(), pair.Get(1u).As<Napi::String>().Utf8Value());
        }
      }
      continue;
    }
    if (s.Get("ns").IsObject()) {
      step.ns = NamespaceWrap::Unwrap(s.Get("ns").As<Napi::Object>())->shared();
      if (!step.ns) throw make_error(env, nln::Status::fail(EBADF, "a chain step's namespace handle is closed"));
    } else if (k == 0 || steps[0].create.empty()) {
      throw Napi::TypeError::New(env, "a chain step needs a namespace (or a first step that creates one)");
    }
    step.protocol = s.Get("protocol").As<Napi::Number>().Int32Value();
    step.messages = messages_of(s.Get("messages"));
    Napi::Array patches = s.Get("patches").IsArray() ? s.Get("patches").As<Napi::Array>() : Napi::Array::New(env);
    for (uint32_t j = 0; j < patches.Length(); ++j) {
      Napi::Object p = patches.Get(j).As<Napi::Object>();
      nln::ChainPatch patch;
      patch.message = index_at(p, "message");
      patch.offset = index_at(p, "offset");
      if (patch.message >= step.messages.size() || patch.offset + 4 > step.messages[patch.message].size())
        throw Napi::RangeError::New(env, "a chain patch lies outside its step's messages");
      if (p.Get("fdOf").IsObject()) {
        patch.fd_of = NamespaceWrap::Unwrap(p.Get("fdOf").As<Napi::Object>())->shared();
        if (!patch.fd_of) throw make_error(env, nln::Status::fail(EBADF, "a namespace handle the chain needs is closed"));
      } else if (p.Get("createdFd").ToBoolean()) {
        if (steps[0].create.empty()) throw Napi::RangeError::New(env, "a patch takes the created namespace's fd, but the chain creates none");
        patch.created_fd = true;
      } else {
        patch.from_step = index_at(p, "fromStep");
        patch.from_message = index_at(p, "fromMessage");
        patch.attr = static_cast<uint16_t>(index_at(p, "attr"));
        patch.header_size = index_at(p, "headerSize");
        if (patch.from_step >= k) throw Napi::RangeError::New(env, "a patch must take its value from an earlier step");
      }
      step.patches.push_back(std::move(patch));
    }
  }
  auto state = state_of(env);
  auto deferred = Napi::Promise::Deferred::New(env);
  state->completer.expect(env);
  nln::ChainDone done = [state, deferred](std::vector<std::vector<nln::ChainAnswer>>&& answers,
                                                                std::shared_ptr<nln::Namespace> created) {
    // A namespace step 0 made is left to its name (/run/netns): the chain's handle on it goes.
    if (created) created->shutdown();
    auto out = std::make_shared<std::vector<std::vector<nln::ChainAnswer>>>(std::move(answers));
    state->completer.post([deferred, out](Napi::Env env) {
      Napi::Array steps = Napi::Array::New(env, out->size());
      for (size_t k = 0; k < out->size(); ++k) {
        auto& step = (*out)[k];
        Napi::Array a = Napi::Array::New(env, step.size());
        for (size_t i = 0; i < step.size(); ++i) {
          nln::ChainAnswer& x = step[i];
          Napi::Value v = env.Null();
          if (x.sent && !x.status.ok()) v = make_error(env, x.status, x.replies).Value();
          else if (x.sent) v = to_buffer(env, std::move(x.replies));
          a.Set(static_cast<uint32_t>(i), v);
        }
        steps.Set(static_cast<uint32_t>(k), a);
      }
      deferred.Resolve(steps);
    });
  };
  nln::run_chain(std::move(steps), std::move(done));
  return deferred.Promise();
}

}  // namespace

void define_chain_function(Napi::Env env, Napi::Object exports) {
  exports.Set("chain", Napi::Function::New<Chain>(env));
}

}  // namespace nln_binding
