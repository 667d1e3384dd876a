// The rtnetlink message tables, defined one family per file (rtnl_*_spec.cc).
#pragma once
#include "spec.h"

namespace nln {

extern const MessageSpec kLinkMessage;

}  // namespace nln
