// The rtnetlink message tables, defined one family per file (rtnl_*_spec.cc).
#pragma once
#include "spec.h"

namespace nln {

extern const MessageSpec kLinkMessage;
extern const MessageSpec kAddrMessage, kRouteMessage, kNeighMessage, kRuleMessage;

// IFLA_INFO_DATA tables of the kinds beyond veth and bridge (rtnl_link_kinds_spec.cc).
extern const AttrSet kMacvlanAttrs, kVxlanAttrs, kVlanAttrs, kIpvlanAttrs, kBondAttrs, kGeneveAttrs,
    kVrfAttrs, kTunAttrs, kNoAttrs;

}  // namespace nln
