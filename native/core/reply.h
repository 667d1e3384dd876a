// Reading the kernel's answers that carry a status rather than data: an NLMSG_ERROR (an ACK when
// its errno is 0) and the error a DONE may end a dump with. Defined in exchange.cc, which uses
// them; declared here so the fuzz targets (test/fuzz/) can feed them malformed replies.
// h must be readable for h->nlmsg_len bytes (for_each_message checks that).
#pragma once
#include <linux/netlink.h>

#include <cstddef>

#include "status.h"

namespace nln {

// Reads NLMSG_ERROR / NLMSG_DONE extended-ACK attributes (NLMSGERR_ATTR_MSG) from tlv_offset on.
void read_ext_ack(const nlmsghdr* h, size_t tlv_offset, Status* s);

// The status an NLMSG_ERROR (or a DONE's trailing error) carries; false when it is too short to
// carry one.
bool read_error(const nlmsghdr* h, Status* s);

}  // namespace nln
