#pragma once
#include <napi.h>

namespace nln_binding {

// encode(protocol, message) -> Buffer and decode(protocol, Buffer) -> messages: the codec on
// bytes, synchronously, for unit tests and for comparing requests with what iproute2 sends.
void define_codec_functions(Napi::Env env, Napi::Object exports);

}  // namespace nln_binding
