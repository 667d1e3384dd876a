// Maps (protocol, message type) to the table that encodes and decodes it.
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "nft_specs.h"
#include "rtnl_specs.h"

namespace nln {

const MessageSpec* find_message_spec(int protocol, uint16_t type) {
  if (protocol == NETLINK_ROUTE) {
    switch (type) {
      case RTM_NEWLINK:
      case RTM_DELLINK:
      case RTM_GETLINK:
      case RTM_SETLINK: return &kLinkMessage;
      case RTM_NEWADDR:
      case RTM_DELADDR:
      case RTM_GETADDR: return &kAddrMessage;
      case RTM_NEWROUTE:
      case RTM_DELROUTE:
      case RTM_GETROUTE: return &kRouteMessage;
      case RTM_NEWNEIGH:
      case RTM_DELNEIGH:
      case RTM_GETNEIGH: return &kNeighMessage;
      case RTM_NEWRULE:
      case RTM_DELRULE:
      case RTM_GETRULE: return &kRuleMessage;
      default: return nullptr;
    }
  }
  if (protocol == NETLINK_NETFILTER) return find_nft_message_spec(type);
  return nullptr;
}

}  // namespace nln
