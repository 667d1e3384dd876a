// Value trees as they cross between JS and the addon: one flat buffer, written on one side and
// read on the other (src/pack.ts) without a call across N-API per value (that cost about a
// microsecond per value: ~70 µs for a rule's message, more for a link's read-back).
//
// Little-endian; each value is a tag byte, then:
//   0 null   1 false   2 true   3 f64, an integer   4 u64 (a bigint)
//   5 string: u32 byte length + UTF-8      6 bytes: u32 length + the bytes
//   7 map: u32 count + entries (u8 key length + key, value), in order   8 list: u32 count + values
//   9 key table: u32 count + keys (u8 length + key); only first, only from the addon
//  10 map whose keys are u16 indexes into the key table: u32 count + entries (u16, value)
// JS writes maps with their keys inline (7); the addon writes each distinct key once (9, 10):
// a dump repeats the same few dozen attribute names thousands of times.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "value.h"

namespace nln {

enum class PackTag : uint8_t { Null, False, True, Number, Big, String, Bytes, Map, List, KeyTable, IndexedMap };

// The values packed back to back in [data, data + len). Throws CodecError when the buffer is
// malformed (truncated, unknown tag, a number that is not an integer).
std::vector<Value> unpack_values(const uint8_t* data, size_t len);

// The values packed for JS (src/pack.ts reads them): a key table, then the values.
std::string pack_values(const std::vector<Value>& values);

}  // namespace nln
