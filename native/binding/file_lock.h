#pragma once
#include <napi.h>

namespace nln_binding {

void define_file_lock(Napi::Env env, Napi::Object exports);

}  // namespace nln_binding
