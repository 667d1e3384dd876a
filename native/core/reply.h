// The errno an answer that carries a status (NLMSG_ERROR: 0 is an ACK; NLMSG_DONE: a dump's end)
// says. What else the kernel said (its extended-ACK text) JS reads from the message itself
// (src/codec/ack.ts): the exchange hands a refusal's message on whole. Defined in exchange.cc;
// declared here for the fuzz targets. h must be readable for h->nlmsg_len bytes.
#pragma once
#include <linux/netlink.h>

namespace nln {

// 0, or a positive errno: EPROTO for an error message too short to carry one or carrying a value
// that is no errno (-1 … -4095).
int error_of(const nlmsghdr* h);

}  // namespace nln
