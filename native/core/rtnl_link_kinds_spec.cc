// IFLA_INFO_DATA of each link kind (linux/if_link.h). Names follow `ip -j -d`'s info_data keys.
#include <linux/if_link.h>

#include "rtnl_specs.h"

namespace nln {

const AttrSet kMacvlanAttrs{"macvlan", {
    {IFLA_MACVLAN_MODE, "mode", Kind::U32},
    {IFLA_MACVLAN_FLAGS, "flags", Kind::U16},
    {IFLA_MACVLAN_MACADDR_MODE, "macaddr_mode", Kind::U32},
    {IFLA_MACVLAN_MACADDR, "macaddr", Kind::Mac},
    {IFLA_MACVLAN_MACADDR_COUNT, "macaddr_count", Kind::U32},
    {IFLA_MACVLAN_BC_QUEUE_LEN, "bcqueuelen", Kind::U32},
    {IFLA_MACVLAN_BC_QUEUE_LEN_USED, "usedbcqueuelen", Kind::U32},
    {10, "bclim", Kind::S32},  // IFLA_MACVLAN_BC_CUTOFF
}};

const StructSpec kVxlanPortRange{"ifla_vxlan_port_range", 4, {
    {"low", 0, 2, false, true}, {"high", 2, 2, false, true}}};

const AttrSet kVxlanAttrs{"vxlan", {
    {IFLA_VXLAN_ID, "id", Kind::U32},
    {IFLA_VXLAN_GROUP, "group", Kind::IPAddr},
    {IFLA_VXLAN_LINK, "link", Kind::U32},
    {IFLA_VXLAN_LOCAL, "local", Kind::IPAddr},
    {IFLA_VXLAN_TTL, "ttl", Kind::U8},
    {IFLA_VXLAN_TOS, "tos", Kind::U8},
    {IFLA_VXLAN_LEARNING, "learning", Kind::U8},
    {IFLA_VXLAN_AGEING, "ageing", Kind::U32},
    {IFLA_VXLAN_LIMIT, "limit", Kind::U32},
    {IFLA_VXLAN_PORT_RANGE, "port_range", Kind::Struct, nullptr, &kVxlanPortRange},
    {IFLA_VXLAN_PROXY, "proxy", Kind::U8},
    {IFLA_VXLAN_RSC, "rsc", Kind::U8},
    {IFLA_VXLAN_L2MISS, "l2miss", Kind::U8},
    {IFLA_VXLAN_L3MISS, "l3miss", Kind::U8},
    {IFLA_VXLAN_PORT, "port", Kind::U16BE},
    {IFLA_VXLAN_GROUP6, "group6", Kind::IPAddr},
    {IFLA_VXLAN_LOCAL6, "local6", Kind::IPAddr},
    {IFLA_VXLAN_UDP_CSUM, "udp_csum", Kind::U8},
    {IFLA_VXLAN_UDP_ZERO_CSUM6_TX, "udp_zero_csum6_tx", Kind::U8},
    {IFLA_VXLAN_UDP_ZERO_CSUM6_RX, "udp_zero_csum6_rx", Kind::U8},
    {IFLA_VXLAN_REMCSUM_TX, "remcsum_tx", Kind::U8},
    {IFLA_VXLAN_REMCSUM_RX, "remcsum_rx", Kind::U8},
    {IFLA_VXLAN_GBP, "gbp", Kind::Flag},
    {IFLA_VXLAN_REMCSUM_NOPARTIAL, "remcsum_nopartial", Kind::Flag},
    {IFLA_VXLAN_COLLECT_METADATA, "external", Kind::U8},
    {IFLA_VXLAN_LABEL, "label", Kind::U32BE},
    {IFLA_VXLAN_GPE, "gpe", Kind::Flag},
    {IFLA_VXLAN_TTL_INHERIT, "ttl_inherit", Kind::Flag},
    {IFLA_VXLAN_DF, "df", Kind::U8},
    {IFLA_VXLAN_VNIFILTER, "vnifilter", Kind::U8},
    {31, "localbypass", Kind::U8},
}};

const StructSpec kVlanFlags{"ifla_vlan_flags", 8, {{"flags", 0, 4}, {"mask", 4, 4}}};

const AttrSet kVlanAttrs{"vlan", {
    {IFLA_VLAN_PROTOCOL, "protocol", Kind::U16BE},
    {IFLA_VLAN_ID, "id", Kind::U16},
    {IFLA_VLAN_FLAGS, "flags", Kind::Struct, nullptr, &kVlanFlags},
}};

const AttrSet kIpvlanAttrs{"ipvlan", {
    {IFLA_IPVLAN_MODE, "mode", Kind::U16},
    {IFLA_IPVLAN_FLAGS, "flags", Kind::U16},
}};

const AttrSet kBondAttrs{"bond", {
    {IFLA_BOND_MODE, "mode", Kind::U8},
    {IFLA_BOND_ACTIVE_SLAVE, "active_slave", Kind::U32},
    {IFLA_BOND_MIIMON, "miimon", Kind::U32},
    {IFLA_BOND_UPDELAY, "updelay", Kind::U32},
    {IFLA_BOND_DOWNDELAY, "downdelay", Kind::U32},
    {IFLA_BOND_USE_CARRIER, "use_carrier", Kind::U8},
    {IFLA_BOND_ARP_INTERVAL, "arp_interval", Kind::U32},
    {IFLA_BOND_ARP_VALIDATE, "arp_validate", Kind::U32},
    {IFLA_BOND_ARP_ALL_TARGETS, "arp_all_targets", Kind::U32},
    {IFLA_BOND_PRIMARY, "primary", Kind::U32},
    {IFLA_BOND_PRIMARY_RESELECT, "primary_reselect", Kind::U8},
    {IFLA_BOND_FAIL_OVER_MAC, "fail_over_mac", Kind::U8},
    {IFLA_BOND_XMIT_HASH_POLICY, "xmit_hash_policy", Kind::U8},
    {IFLA_BOND_RESEND_IGMP, "resend_igmp", Kind::U32},
    {IFLA_BOND_NUM_PEER_NOTIF, "num_peer_notif", Kind::U8},
    {IFLA_BOND_ALL_SLAVES_ACTIVE, "all_slaves_active", Kind::U8},
    {IFLA_BOND_MIN_LINKS, "min_links", Kind::U32},
    {IFLA_BOND_LP_INTERVAL, "lp_interval", Kind::U32},
    {IFLA_BOND_PACKETS_PER_SLAVE, "packets_per_slave", Kind::U32},
    {IFLA_BOND_AD_LACP_RATE, "ad_lacp_rate", Kind::U8},
    {IFLA_BOND_AD_SELECT, "ad_select", Kind::U8},
    {IFLA_BOND_AD_ACTOR_SYS_PRIO, "ad_actor_sys_prio", Kind::U16},
    {IFLA_BOND_AD_USER_PORT_KEY, "ad_user_port_key", Kind::U16},
    {IFLA_BOND_AD_ACTOR_SYSTEM, "ad_actor_system", Kind::Mac},
    {IFLA_BOND_TLB_DYNAMIC_LB, "tlb_dynamic_lb", Kind::U8},
    {IFLA_BOND_PEER_NOTIF_DELAY, "peer_notify_delay", Kind::U32},
    {IFLA_BOND_AD_LACP_ACTIVE, "ad_lacp_active", Kind::U8},
    {IFLA_BOND_MISSED_MAX, "arp_missed_max", Kind::U8},
}};

const AttrSet kGeneveAttrs{"geneve", {
    {IFLA_GENEVE_ID, "id", Kind::U32},
    {IFLA_GENEVE_REMOTE, "remote", Kind::IPAddr},
    {IFLA_GENEVE_REMOTE6, "remote6", Kind::IPAddr},
    {IFLA_GENEVE_LABEL, "label", Kind::U32BE},
    {IFLA_GENEVE_TTL, "ttl", Kind::U8},
    {IFLA_GENEVE_TOS, "tos", Kind::U8},
    {IFLA_GENEVE_PORT, "port", Kind::U16BE},
    {IFLA_GENEVE_COLLECT_METADATA, "external", Kind::Flag},
    {IFLA_GENEVE_UDP_CSUM, "udp_csum", Kind::U8},
    {IFLA_GENEVE_UDP_ZERO_CSUM6_TX, "udp_zero_csum6_tx", Kind::U8},
    {IFLA_GENEVE_UDP_ZERO_CSUM6_RX, "udp_zero_csum6_rx", Kind::U8},
    {IFLA_GENEVE_TTL_INHERIT, "ttl_inherit", Kind::U8},
    {IFLA_GENEVE_DF, "df", Kind::U8},
    {IFLA_GENEVE_INNER_PROTO_INHERIT, "inner_proto_inherit", Kind::Flag},
}};

const AttrSet kVrfAttrs{"vrf", {
    {IFLA_VRF_TABLE, "table", Kind::U32},
}};

// Read-only: tun/tap devices are made through /dev/net/tun, but the kernel reports them here.
const AttrSet kTunAttrs{"tun", {
    {IFLA_TUN_OWNER, "user", Kind::U32},
    {IFLA_TUN_GROUP, "group", Kind::U32},
    {IFLA_TUN_TYPE, "type", Kind::U8},
    {IFLA_TUN_PI, "pi", Kind::U8},
    {IFLA_TUN_VNET_HDR, "vnet_hdr", Kind::U8},
    {IFLA_TUN_PERSIST, "persist", Kind::U8},
    {IFLA_TUN_MULTI_QUEUE, "multi_queue", Kind::U8},
    {IFLA_TUN_NUM_QUEUES, "numqueues", Kind::U32},
    {IFLA_TUN_NUM_DISABLED_QUEUES, "numdisabled", Kind::U32},
}};

const AttrSet kNoAttrs{"none", {}};

}  // namespace nln
