// Netlink messages as JS hands them over: Buffers the codec (src/codec/) filled.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

namespace nln_binding {

// The netlink messages a Buffer holds, back to back: each whole, at least a header long, 4-byte
// aligned; anything else is a TypeError, thrown before any is sent.
std::vector<std::string> messages_of(const Napi::Value& v);

}  // namespace nln_binding
