// The decoders: each message of a datagram decoded by the table for its protocol and type
// (nln::decode_message), then packed for JS (nln::pack_values), as the addon does with a reply.
// Then the decoded form is encoded back (nln::encode_message) and the round trip must settle:
// encoding what the encoded bytes decode to gives the same bytes again (a decoder and encoder
// that disagree about a table row would not). Values the encoder refuses (CodecError: e.g. a
// u32 attribute the kernel sent short, decoded as bytes) end the round trip, not the run.
#pragma once
#include <string>
#include <vector>

#include "../../native/core/codec.h"
#include "../../native/core/value_pack.h"
#include "fuzz_input.h"

namespace nln_fuzz {

inline std::vector<nln::Value> decode_all(int protocol, const std::string& bytes) {
  Exact copy(bytes);
  std::vector<nln::Value> out;
  nln::for_each_message(copy.data(), copy.size(),
                        [&](const nlmsghdr* h) { out.push_back(nln::decode_message(protocol, h)); });
  return out;
}

// The message encoded, or empty when the encoder refuses it.
inline std::string encode_or_empty(int protocol, const nln::Value& message) {
  try {
    nln::MessageWriter w;
    nln::encode_message(w, protocol, message);
    return w.take();
  } catch (const nln::CodecError&) {
    return std::string();
  }
}

inline void fuzz_decode(int protocol, const uint8_t* data, size_t size) {
  std::vector<nln::Value> messages = decode_all(protocol, std::string(reinterpret_cast<const char*>(data), size));
  nln::pack_values(messages);
  for (const nln::Value& m : messages) {
    std::string once = encode_or_empty(protocol, m);
    if (once.empty()) continue;
    std::vector<nln::Value> again = decode_all(protocol, once);
    FUZZ_CHECK(again.size() == 1);
    std::string twice = encode_or_empty(protocol, again[0]);
    if (twice != once) {
      std::fprintf(stderr, "round trip differs: encoded %zu bytes, then %zu\n", once.size(), twice.size());
      FUZZ_CHECK(twice == once);
    }
  }
}

}  // namespace nln_fuzz
