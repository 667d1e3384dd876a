// The rtnetlink decoders (links, addresses, routes, neighbours, rules): see decode.h.
// Input: a datagram of NETLINK_ROUTE messages, as the kernel sends replies.
#include <linux/netlink.h>

#include "decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nln_fuzz::fuzz_decode(NETLINK_ROUTE, data, size);
  return 0;
}
