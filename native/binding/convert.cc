#include "convert.h"

#include <vector>

#include "../core/codec.h"
#include "../core/value_pack.h"

namespace nln_binding {

std::vector<nln::Value> unpack(const Napi::Value& packed) {
  if (!packed.IsBuffer()) throw Napi::TypeError::New(packed.Env(), "expected a packed Buffer (src/pack.ts)");
  auto b = packed.As<Napi::Buffer<uint8_t>>();
  try {
    return nln::unpack_values(b.Data(), b.Length());
  } catch (const nln::CodecError& e) {
    throw Napi::TypeError::New(packed.Env(), e.what());
  }
}

std::string pack(const std::vector<nln::Value>& values) { return nln::pack_values(values); }

std::string encode(Napi::Env env, int protocol, const nln::Value& message) {
  nln::MessageWriter w;
  try {
    nln::encode_message(w, protocol, message);
  } catch (const nln::OutOfRange& e) {
    throw Napi::RangeError::New(env, e.what());
  } catch (const nln::CodecError& e) {
    throw Napi::TypeError::New(env, e.what());
  }
  return w.take();
}

}  // namespace nln_binding
