// JS values <-> nln::Value. Objects become maps (key order kept: it is the attribute order on
// the wire), arrays lists, Buffers bytes, bigints 64-bit integers.
#pragma once
#include <napi.h>

#include "../core/value.h"

namespace nln_binding {

nln::Value from_js(const Napi::Value& v, const std::string& path);
Napi::Value to_js(Napi::Env env, const nln::Value& v);

}  // namespace nln_binding
