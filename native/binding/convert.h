// nln::Value trees in and out of JS, as packed Buffers (../core/value_pack.h, src/pack.ts): maps
// are objects (key order kept: it is the attribute order on the wire), lists arrays, bytes
// Buffers, 64-bit counters bigints.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "../core/value.h"

namespace nln_binding {

// The values a packed Buffer holds; a malformed one throws a TypeError.
std::vector<nln::Value> unpack(const Napi::Value& packed);
// Values packed (on any thread), for JS to read with src/pack.ts.
std::string pack(const std::vector<nln::Value>& values);
// One message's netlink bytes; a value that does not fit its table is a TypeError, a length
// netlink cannot carry a RangeError — thrown before anything is sent.
std::string encode(Napi::Env env, int protocol, const nln::Value& message);
// The netlink messages a Buffer from JS holds, back to back (src/codec/ laid them out): each
// whole, at least a header long, 4-byte aligned; anything else is a TypeError, before any is sent.
std::vector<std::string> messages_of(const Napi::Value& v);

}  // namespace nln_binding
