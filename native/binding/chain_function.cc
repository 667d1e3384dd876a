#include "chain_function.h"

#include <errno.h>

#include "../core/chain.h"
#include "../core/codec.h"
#include "convert.h"
#include "namespace_wrap.h"

namespace nln_binding {

namespace {

std::shared_ptr<AddonState> state_of(Napi::Env env) { return *env.GetInstanceData<std::shared_ptr<AddonState>>(); }

size_t index_at(const Napi::Object& o, const char* key) {
  return static_cast<size_t>(o.Get(key).As<Napi::Number>().Uint32Value());
}

// chain([{ create: NAME, sysctls: [[PATH, VALUE]] } (step 0 only) | { ns (null: the namespace step 0 made), protocol,
//          messages (packed), patches: [{ message, to, fromStep, fromMessage, fromAttr }] }])
//   -> Promise<answers>: per step, per message, its packed replies, its refusal, or null when an
//      earlier refusal kept it from being sent. A namespace step 0 made stays, by its name.
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
    step.messages = unpack(s.Get("messages"));
    // Encoded once here so a malformed message is refused before anything is sent.
    for (const nln::Value& m : step.messages) encode(env, step.protocol, m);
    Napi::Array patches = s.Get("patches").IsArray() ? s.Get("patches").As<Napi::Array>() : Napi::Array::New(env);
    for (uint32_t j = 0; j < patches.Length(); ++j) {
      Napi::Object p = patches.Get(j).As<Napi::Object>();
      nln::ChainPatch patch;
      patch.message = index_at(p, "message");
      Napi::Array to = p.Get("to").As<Napi::Array>();
      for (uint32_t t = 0; t < to.Length(); ++t) patch.to.push_back(to.Get(t).As<Napi::String>().Utf8Value());
      if (p.Get("fdOf").IsObject()) {
        patch.fd_of = NamespaceWrap::Unwrap(p.Get("fdOf").As<Napi::Object>())->shared();
        if (!patch.fd_of) throw make_error(env, nln::Status::fail(EBADF, "a namespace handle the chain needs is closed"));
        step.patches.push_back(std::move(patch));
        continue;
      }
      patch.from_step = index_at(p, "fromStep");
      patch.from_message = index_at(p, "fromMessage");
      patch.from_attr = p.Get("fromAttr").As<Napi::String>().Utf8Value();
      if (patch.from_step >= k) throw Napi::RangeError::New(env, "a patch must take its value from an earlier step");
      step.patches.push_back(std::move(patch));
    }
  }
  auto state = state_of(env);
  auto deferred = Napi::Promise::Deferred::New(env);
  state->completer.expect(env);
  nln::ChainDone done = [state, deferred](std::vector<std::vector<nln::ChainAnswer>>&& answers,
                                                                std::shared_ptr<nln::Namespace> created) {
    // A namespace step 0 made is left to its name (/run/netns): its handle, and the thread that made
    // it and sent the chain's requests there, are released off this thread (that joins it).
    if (created) state->tasks.post([ns = std::move(created)] { ns->shutdown(); });
    // Packed here, on the thread that answered last; the JS thread only copies the bytes out.
    struct Answer {
      bool sent;
      nln::Status status;
      std::string packed;
    };
    auto out = std::make_shared<std::vector<std::vector<Answer>>>();
    for (const auto& step : answers) {
      out->emplace_back();
      for (const nln::ChainAnswer& a : step) out->back().push_back({a.sent, a.status, a.status.ok() ? pack(a.replies) : ""});
    }
    state->completer.post([deferred, out](Napi::Env env) {
      Napi::Array steps = Napi::Array::New(env, out->size());
      for (size_t k = 0; k < out->size(); ++k) {
        const auto& step = (*out)[k];
        Napi::Array a = Napi::Array::New(env, step.size());
        for (size_t i = 0; i < step.size(); ++i) {
          const Answer& x = step[i];
          Napi::Value v = env.Null();
          if (x.sent && !x.status.ok()) v = make_error(env, x.status).Value();
          else if (x.sent) v = Napi::Buffer<char>::Copy(env, x.packed.data(), x.packed.size());
          a.Set(static_cast<uint32_t>(i), v);
        }
        steps.Set(static_cast<uint32_t>(k), a);
      }
      deferred.Resolve(steps);
    });
  };
  if (steps.empty() || steps[0].create.empty()) {
    nln::run_chain(std::move(steps), std::move(done));
  } else {
    // Creating a namespace starts a thread: done from the task thread, not this one.
    auto moved = std::make_shared<std::vector<nln::ChainStep>>(std::move(steps));
    state->tasks.post([moved, done = std::move(done)] { nln::run_chain(std::move(*moved), done); });
  }
  return deferred.Promise();
}

}  // namespace

void define_chain_function(Napi::Env env, Napi::Object exports) {
  exports.Set("chain", Napi::Function::New<Chain>(env));
}

}  // namespace nln_binding
