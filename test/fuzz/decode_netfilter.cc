// The nfnetlink (nf_tables) decoders: tables, chains, rules and their expressions, sets, set
// elements, generations: see decode.h. Input: a datagram of NETLINK_NETFILTER messages.
#include <linux/netlink.h>

#include "decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nln_fuzz::fuzz_decode(NETLINK_NETFILTER, data, size);
  return 0;
}
