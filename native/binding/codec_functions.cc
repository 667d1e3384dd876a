#include "codec_functions.h"

#include "../core/codec.h"
#include "convert.h"

namespace nln_binding {

namespace {

Napi::Value Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nln::MessageWriter w;
  try {
    std::vector<nln::Value> messages = unpack(info[1]);
    if (messages.size() != 1) throw Napi::TypeError::New(env, "expected one packed message");
    nln::encode_message(w, info[0].As<Napi::Number>().Int32Value(), messages[0]);
  } catch (const nln::CodecError& e) {
    throw Napi::TypeError::New(env, e.what());
  }
  return Napi::Buffer<char>::Copy(env, w.bytes().data(), w.bytes().size());
}

Napi::Value Decode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int protocol = info[0].As<Napi::Number>().Int32Value();
  auto buf = info[1].As<Napi::Buffer<char>>();
  std::vector<nln::Value> messages;
  size_t remaining = buf.Length();
  for (const nlmsghdr* h = reinterpret_cast<const nlmsghdr*>(buf.Data()); NLMSG_OK(h, remaining);
       h = NLMSG_NEXT(h, remaining)) {
    messages.push_back(nln::decode_message(protocol, h));
  }
  std::string packed = pack(messages);
  return Napi::Buffer<char>::Copy(env, packed.data(), packed.size());
}

}  // namespace

void define_codec_functions(Napi::Env env, Napi::Object exports) {
  exports.Set("encode", Napi::Function::New<Encode>(env));
  exports.Set("decode", Napi::Function::New<Decode>(env));
}

}  // namespace nln_binding
