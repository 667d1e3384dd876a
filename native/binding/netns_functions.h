#pragma once
#include <napi.h>

namespace nln_binding {

void define_netns_functions(Napi::Env env, Napi::Object exports);

}  // namespace nln_binding
