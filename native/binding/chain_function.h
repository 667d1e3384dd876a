// chain(steps): exchanges in several namespaces run one after another on the addon's threads
// (../core/chain.h), answered once.
#pragma once
#include <napi.h>

namespace nln_binding {

void define_chain_function(Napi::Env env, Napi::Object exports);

}  // namespace nln_binding
