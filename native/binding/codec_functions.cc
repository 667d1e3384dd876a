#include "codec_functions.h"

#include "../core/codec.h"
#include "convert.h"

namespace nln_binding {

namespace {

Napi::Value Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nln::MessageWriter w;
  try {
    nln::encode_message(w, info[0].As<Napi::Number>().Int32Value(), from_js(info[1], "message"));
  } catch (const nln::CodecError& e) {
    throw Napi::TypeError::New(env, e.what());
  }
  return Napi::Buffer<char>::Copy(env, w.bytes().data(), w.bytes().size());
}

Napi::Value Decode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int protocol = info[0].As<Napi::Number>().Int32Value();
  auto buf = info[1].As<Napi::Buffer<char>>();
  Napi::Array out = Napi::Array::New(env);
  size_t remaining = buf.Length();
  uint32_t i = 0;
  for (const nlmsghdr* h = reinterpret_cast<const nlmsghdr*>(buf.Data()); NLMSG_OK(h, remaining);
       h = NLMSG_NEXT(h, remaining)) {
    out.Set(i++, to_js(env, nln::decode_message(protocol, h)));
  }
  return out;
}

}  // namespace

void define_codec_functions(Napi::Env env, Napi::Object exports) {
  exports.Set("encode", Napi::Function::New<Encode>(env));
  exports.Set("decode", Napi::Function::New<Decode>(env));
}

}  // namespace nln_binding
