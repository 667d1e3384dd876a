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

}  // namespace nln_binding
