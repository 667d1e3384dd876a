#include "chain_function.h"

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

// chain([{ ns, protocol, messages (packed), patches: [{ message, to, fromStep, fromMessage, fromAttr }] }])
//   -> Promise<Array<Array<Buffer | Error | null>>>: per step, per message, its packed replies, its
//      refusal, or null when an earlier refusal kept it from being sent.
Napi::Value Chain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array js_steps = info[0].As<Napi::Array>();
  std::vector<nln::ChainStep> steps(js_steps.Length());
  for (uint32_t k = 0; k < js_steps.Length(); ++k) {
    Napi::Object s = js_steps.Get(k).As<Napi::Object>();
    nln::ChainStep& step = steps[k];
    step.ns = NamespaceWrap::Unwrap(s.Get("ns").As<Napi::Object>())->shared();
    step.protocol = s.Get("protocol").As<Napi::Number>().Int32Value();
    step.messages = unpack(s.Get("messages"));
    // Encoded once here so a malformed message is refused before anything is sent.
    for (const nln::Value& m : step.messages) {
      try {
        nln::MessageWriter w;
        nln::encode_message(w, step.protocol, m);
      } catch (const nln::CodecError& e) {
        throw Napi::TypeError::New(env, e.what());
      }
    }
    Napi::Array patches = s.Get("patches").IsArray() ? s.Get("patches").As<Napi::Array>() : Napi::Array::New(env);
    for (uint32_t j = 0; j < patches.Length(); ++j) {
      Napi::Object p = patches.Get(j).As<Napi::Object>();
      nln::ChainPatch patch;
      patch.message = index_at(p, "message");
      Napi::Array to = p.Get("to").As<Napi::Array>();
      for (uint32_t t = 0; t < to.Length(); ++t) patch.to.push_back(to.Get(t).As<Napi::String>().Utf8Value());
      patch.from_step = index_at(p, "fromStep");
      patch.from_message = index_at(p, "fromMessage");
      patch.from_attr = p.Get("fromAttr").As<Napi::String>().Utf8Value();
      if (patch.from_step >= k) throw Napi::RangeError::New(env, "a patch must take its value from an earlier step");
      step.patches.push_back(std::move(patch));
    }
  }
  auto state = state_of(env);
  auto deferred = Napi::Promise::Deferred::New(env);
  Completer* completer = &state->completer;
  completer->expect(env);
  nln::run_chain(std::move(steps), [completer, deferred](std::vector<std::vector<nln::ChainAnswer>>&& answers) {
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
    completer->post([deferred, out](Napi::Env env) {
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
  });
  return deferred.Promise();
}

}  // namespace

void define_chain_function(Napi::Env env, Napi::Object exports) {
  exports.Set("chain", Napi::Function::New<Chain>(env));
}

}  // namespace nln_binding
