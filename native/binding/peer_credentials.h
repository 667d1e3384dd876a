#pragma once
#include <napi.h>

namespace nln_binding {

void define_peer_credentials(Napi::Env env, Napi::Object exports);

}  // namespace nln_binding
