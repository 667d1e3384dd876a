// Buffers coming from JS: nln::unpack_values (native/core/value_pack.h) reads what src/pack.ts
// wrote, and each value is then encoded as a message for both protocols, as a request from JS
// is (the addon's encode and request), and packed back (nln::pack_values). Malformed buffers and
// values must be refused with CodecError, nothing else. Input: the packed buffer.
#include <linux/netlink.h>

#include "decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nln_fuzz::Exact packed(data, size);
  std::vector<nln::Value> values;
  try {
    values = nln::unpack_values(packed.data(), packed.size());
  } catch (const nln::CodecError&) {
    return 0;
  }
  nln::pack_values(values);
  for (const nln::Value& v : values) {
    for (int protocol : {NETLINK_ROUTE, NETLINK_NETFILTER}) {
      std::string bytes = nln_fuzz::encode_or_empty(protocol, v);
      if (!bytes.empty()) nln::pack_values(nln_fuzz::decode_all(protocol, bytes));
    }
  }
  return 0;
}
