#include "codec_functions.h"

#include "../core/codec.h"
#include "convert.h"

namespace nln_binding {

namespace {

Napi::Value Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<nln::Value> messages = unpack(info[1]);
  if (messages.size() != 1) throw Napi::TypeError::New(env, "expected one packed message");
  std::string bytes = encode(env, info[0].As<Napi::Number>().Int32Value(), messages[0]);
  return Napi::Buffer<char>::Copy(env, bytes.data(), bytes.size());
}

Napi::Value Decode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int protocol = info[0].As<Napi::Number>().Int32Value();
  auto buf = info[1].As<Napi::Buffer<char>>();
  std::vector<nln::Value> messages;
  // Copied: a Buffer's bytes need not be 4-byte aligned.
  std::string bytes(buf.Data(), buf.Length());
  nln::for_each_message(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                        [&](const nlmsghdr* h) { messages.push_back(nln::decode_message(protocol, h)); });
  std::string packed = pack(messages);
  return Napi::Buffer<char>::Copy(env, packed.data(), packed.size());
}

}  // namespace

void define_codec_functions(Napi::Env env, Napi::Object exports) {
  exports.Set("encode", Napi::Function::New<Encode>(env));
  exports.Set("decode", Napi::Function::New<Decode>(env));
}

}  // namespace nln_binding
