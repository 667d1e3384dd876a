// rtnetlink link messages (RTM_NEWLINK/DELLINK/GETLINK/SETLINK): ifinfomsg + IFLA_* attributes.
// Attribute names follow the keys `ip -j -d link show` prints, so decoded data reads like ip's.
// Numbers without a symbolic name are newer than the build machine's headers (linux/if_link.h).
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "rtnl_specs.h"

namespace nln {

const StructSpec kIfinfomsg{"ifinfomsg", 16, {
    {"family", 0, 1}, {"type", 2, 2}, {"index", 4, 4, true}, {"flags", 8, 4}, {"change", 12, 4}}};

const StructSpec kLinkStats64{"rtnl_link_stats64", 200, {
    {"rx_packets", 0, 8}, {"tx_packets", 8, 8}, {"rx_bytes", 16, 8}, {"tx_bytes", 24, 8},
    {"rx_errors", 32, 8}, {"tx_errors", 40, 8}, {"rx_dropped", 48, 8}, {"tx_dropped", 56, 8},
    {"multicast", 64, 8}, {"collisions", 72, 8}, {"rx_length_errors", 80, 8},
    {"rx_over_errors", 88, 8}, {"rx_crc_errors", 96, 8}, {"rx_frame_errors", 104, 8},
    {"rx_fifo_errors", 112, 8}, {"rx_missed_errors", 120, 8}, {"tx_aborted_errors", 128, 8},
    {"tx_carrier_errors", 136, 8}, {"tx_fifo_errors", 144, 8}, {"tx_heartbeat_errors", 152, 8},
    {"tx_window_errors", 160, 8}, {"rx_compressed", 168, 8}, {"tx_compressed", 176, 8},
    {"rx_nohandler", 184, 8}, {"rx_otherhost_dropped", 192, 8}}};

// struct ifla_bridge_id: 2 priority bytes then the 6-byte address, both as the kernel stores them.
const StructSpec kBridgeId{"ifla_bridge_id", 8, {
    {"prio", 0, 2, false, true}, {"addr_hi", 2, 2, false, true}, {"addr_lo", 4, 4, false, true}}};

const StructSpec kBoolOptMulti{"br_boolopt_multi", 8, {{"optval", 0, 4}, {"optmask", 4, 4}}};

extern const AttrSet kLinkAttrs;

const AttrSet kVethAttrs{"veth", {
    {VETH_INFO_PEER, "peer", Kind::HeaderNested, &kLinkAttrs, &kIfinfomsg},
}};

const AttrSet kBridgeAttrs{"bridge", {
    {IFLA_BR_FORWARD_DELAY, "forward_delay", Kind::U32},
    {IFLA_BR_HELLO_TIME, "hello_time", Kind::U32},
    {IFLA_BR_MAX_AGE, "max_age", Kind::U32},
    {IFLA_BR_AGEING_TIME, "ageing_time", Kind::U32},
    {IFLA_BR_STP_STATE, "stp_state", Kind::U32},
    {IFLA_BR_PRIORITY, "priority", Kind::U16},
    {IFLA_BR_VLAN_FILTERING, "vlan_filtering", Kind::U8},
    {IFLA_BR_VLAN_PROTOCOL, "vlan_protocol", Kind::U16BE},
    {IFLA_BR_GROUP_FWD_MASK, "group_fwd_mask", Kind::U16},
    {IFLA_BR_ROOT_ID, "root_id", Kind::Struct, nullptr, &kBridgeId},
    {IFLA_BR_BRIDGE_ID, "bridge_id", Kind::Struct, nullptr, &kBridgeId},
    {IFLA_BR_ROOT_PORT, "root_port", Kind::U16},
    {IFLA_BR_ROOT_PATH_COST, "root_path_cost", Kind::U32},
    {IFLA_BR_TOPOLOGY_CHANGE, "topology_change", Kind::U8},
    {IFLA_BR_TOPOLOGY_CHANGE_DETECTED, "topology_change_detected", Kind::U8},
    {IFLA_BR_HELLO_TIMER, "hello_timer", Kind::U64},
    {IFLA_BR_TCN_TIMER, "tcn_timer", Kind::U64},
    {IFLA_BR_TOPOLOGY_CHANGE_TIMER, "topology_change_timer", Kind::U64},
    {IFLA_BR_GC_TIMER, "gc_timer", Kind::U64},
    {IFLA_BR_GROUP_ADDR, "group_addr", Kind::Mac},
    {IFLA_BR_FDB_FLUSH, "fdb_flush", Kind::Flag},
    {IFLA_BR_MCAST_ROUTER, "mcast_router", Kind::U8},
    {IFLA_BR_MCAST_SNOOPING, "mcast_snooping", Kind::U8},
    {IFLA_BR_MCAST_QUERY_USE_IFADDR, "mcast_query_use_ifaddr", Kind::U8},
    {IFLA_BR_MCAST_QUERIER, "mcast_querier", Kind::U8},
    {IFLA_BR_MCAST_HASH_ELASTICITY, "mcast_hash_elasticity", Kind::U32},
    {IFLA_BR_MCAST_HASH_MAX, "mcast_hash_max", Kind::U32},
    {IFLA_BR_MCAST_LAST_MEMBER_CNT, "mcast_last_member_cnt", Kind::U32},
    {IFLA_BR_MCAST_STARTUP_QUERY_CNT, "mcast_startup_query_cnt", Kind::U32},
    {IFLA_BR_MCAST_LAST_MEMBER_INTVL, "mcast_last_member_intvl", Kind::U64},
    {IFLA_BR_MCAST_MEMBERSHIP_INTVL, "mcast_membership_intvl", Kind::U64},
    {IFLA_BR_MCAST_QUERIER_INTVL, "mcast_querier_intvl", Kind::U64},
    {IFLA_BR_MCAST_QUERY_INTVL, "mcast_query_intvl", Kind::U64},
    {IFLA_BR_MCAST_QUERY_RESPONSE_INTVL, "mcast_query_response_intvl", Kind::U64},
    {IFLA_BR_MCAST_STARTUP_QUERY_INTVL, "mcast_startup_query_intvl", Kind::U64},
    {IFLA_BR_NF_CALL_IPTABLES, "nf_call_iptables", Kind::U8},
    {IFLA_BR_NF_CALL_IP6TABLES, "nf_call_ip6tables", Kind::U8},
    {IFLA_BR_NF_CALL_ARPTABLES, "nf_call_arptables", Kind::U8},
    {IFLA_BR_VLAN_DEFAULT_PVID, "vlan_default_pvid", Kind::U16},
    {IFLA_BR_VLAN_STATS_ENABLED, "vlan_stats_enabled", Kind::U8},
    {IFLA_BR_MCAST_STATS_ENABLED, "mcast_stats_enabled", Kind::U8},
    {IFLA_BR_MCAST_IGMP_VERSION, "mcast_igmp_version", Kind::U8},
    {IFLA_BR_MCAST_MLD_VERSION, "mcast_mld_version", Kind::U8},
    {IFLA_BR_VLAN_STATS_PER_PORT, "vlan_stats_per_port", Kind::U8},
    {IFLA_BR_MULTI_BOOLOPT, "multi_boolopt", Kind::Struct, nullptr, &kBoolOptMulti},
}};

const AttrSet kBridgePortAttrs{"bridge_slave", {
    {IFLA_BRPORT_STATE, "state", Kind::U8},
    {IFLA_BRPORT_PRIORITY, "priority", Kind::U16},
    {IFLA_BRPORT_COST, "cost", Kind::U32},
    {IFLA_BRPORT_MODE, "hairpin", Kind::U8},
    {IFLA_BRPORT_GUARD, "guard", Kind::U8},
    {IFLA_BRPORT_PROTECT, "root_block", Kind::U8},
    {IFLA_BRPORT_FAST_LEAVE, "fastleave", Kind::U8},
    {IFLA_BRPORT_LEARNING, "learning", Kind::U8},
    {IFLA_BRPORT_UNICAST_FLOOD, "flood", Kind::U8},
    {IFLA_BRPORT_PROXYARP, "proxy_arp", Kind::U8},
    {IFLA_BRPORT_PROXYARP_WIFI, "proxy_arp_wifi", Kind::U8},
    {IFLA_BRPORT_ROOT_ID, "root_id", Kind::Struct, nullptr, &kBridgeId},
    {IFLA_BRPORT_BRIDGE_ID, "bridge_id", Kind::Struct, nullptr, &kBridgeId},
    {IFLA_BRPORT_DESIGNATED_PORT, "designated_port", Kind::U16},
    {IFLA_BRPORT_DESIGNATED_COST, "designated_cost", Kind::U16},
    {IFLA_BRPORT_ID, "port_id", Kind::U16},
    {IFLA_BRPORT_NO, "port_no", Kind::U16},
    {IFLA_BRPORT_TOPOLOGY_CHANGE_ACK, "topology_change_ack", Kind::U8},
    {IFLA_BRPORT_CONFIG_PENDING, "config_pending", Kind::U8},
    {IFLA_BRPORT_MESSAGE_AGE_TIMER, "message_age_timer", Kind::U64},
    {IFLA_BRPORT_FORWARD_DELAY_TIMER, "forward_delay_timer", Kind::U64},
    {IFLA_BRPORT_HOLD_TIMER, "hold_timer", Kind::U64},
    {IFLA_BRPORT_FLUSH, "flush", Kind::Flag},
    {IFLA_BRPORT_MULTICAST_ROUTER, "multicast_router", Kind::U8},
    {IFLA_BRPORT_MCAST_FLOOD, "mcast_flood", Kind::U8},
    {IFLA_BRPORT_MCAST_TO_UCAST, "mcast_to_unicast", Kind::U8},
    {IFLA_BRPORT_VLAN_TUNNEL, "vlan_tunnel", Kind::U8},
    {IFLA_BRPORT_BCAST_FLOOD, "bcast_flood", Kind::U8},
    {IFLA_BRPORT_GROUP_FWD_MASK, "group_fwd_mask", Kind::U16},
    {IFLA_BRPORT_NEIGH_SUPPRESS, "neigh_suppress", Kind::U8},
    {IFLA_BRPORT_ISOLATED, "isolated", Kind::U8},
    {IFLA_BRPORT_BACKUP_PORT, "backup_port", Kind::U32},
    {IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT, "mcast_eht_hosts_limit", Kind::U32},
    {IFLA_BRPORT_MCAST_EHT_HOSTS_CNT, "mcast_eht_hosts_cnt", Kind::U32},
    {IFLA_BRPORT_LOCKED, "locked", Kind::U8},
    {40, "mab", Kind::U8},
    {41, "mcast_n_groups", Kind::U32},
    {42, "mcast_max_groups", Kind::U32},
    {43, "neigh_vlan_suppress", Kind::U8},
}};

const SubMessageSpec kLinkInfoData{"kind", {
    {"veth", &kVethAttrs},
    {"bridge", &kBridgeAttrs},
    {"macvlan", &kMacvlanAttrs},
    {"macvtap", &kMacvlanAttrs},
    {"vxlan", &kVxlanAttrs},
    {"vlan", &kVlanAttrs},
    {"ipvlan", &kIpvlanAttrs},
    {"ipvtap", &kIpvlanAttrs},
    {"bond", &kBondAttrs},
    {"geneve", &kGeneveAttrs},
    {"vrf", &kVrfAttrs},
    {"tun", &kTunAttrs},
    {"dummy", &kNoAttrs},
    {"ifb", &kNoAttrs},
    {"wireguard", &kNoAttrs},
}};

const SubMessageSpec kLinkInfoSlaveData{"slave_kind", {
    {"bridge", &kBridgePortAttrs},
}};

const AttrSet kLinkInfoAttrs{"linkinfo", {
    {IFLA_INFO_KIND, "kind", Kind::Chars},
    {IFLA_INFO_DATA, "data", Kind::SubMessage, nullptr, nullptr, &kLinkInfoData},
    {IFLA_INFO_SLAVE_KIND, "slave_kind", Kind::Chars},
    {IFLA_INFO_SLAVE_DATA, "slave_data", Kind::SubMessage, nullptr, nullptr, &kLinkInfoSlaveData},
}};

const AttrSet kLinkPropAttrs{"prop_list", {
    {IFLA_ALT_IFNAME, "altname", Kind::String, nullptr, nullptr, nullptr, true},
}};

const AttrSet kLinkAttrs{"link", {
    {IFLA_ADDRESS, "address", Kind::Mac},
    {IFLA_BROADCAST, "broadcast", Kind::Mac},
    {IFLA_IFNAME, "ifname", Kind::String},
    {IFLA_MTU, "mtu", Kind::U32},
    {IFLA_LINK, "link", Kind::U32},
    {IFLA_QDISC, "qdisc", Kind::String},
    {IFLA_MASTER, "master", Kind::U32},
    {IFLA_TXQLEN, "txqlen", Kind::U32},
    {IFLA_OPERSTATE, "operstate", Kind::U8},
    {IFLA_LINKMODE, "linkmode", Kind::U8},
    {IFLA_LINKINFO, "linkinfo", Kind::Nested, &kLinkInfoAttrs},
    {IFLA_NET_NS_PID, "net_ns_pid", Kind::U32},
    {IFLA_IFALIAS, "ifalias", Kind::String},
    {IFLA_STATS64, "stats64", Kind::Struct, nullptr, &kLinkStats64},
    {IFLA_GROUP, "group", Kind::U32},
    {IFLA_NET_NS_FD, "net_ns_fd", Kind::U32},
    {IFLA_EXT_MASK, "ext_mask", Kind::U32},
    {IFLA_PROMISCUITY, "promiscuity", Kind::U32},
    {IFLA_NUM_TX_QUEUES, "num_tx_queues", Kind::U32},
    {IFLA_NUM_RX_QUEUES, "num_rx_queues", Kind::U32},
    {IFLA_CARRIER, "carrier", Kind::U8},
    {IFLA_PHYS_PORT_ID, "phys_port_id", Kind::Binary},
    {IFLA_CARRIER_CHANGES, "carrier_changes", Kind::U32},
    {IFLA_PHYS_SWITCH_ID, "phys_switch_id", Kind::Binary},
    {IFLA_LINK_NETNSID, "link_netnsid", Kind::S32},
    {IFLA_PHYS_PORT_NAME, "phys_port_name", Kind::String},
    {IFLA_PROTO_DOWN, "proto_down", Kind::U8},
    {IFLA_GSO_MAX_SEGS, "gso_max_segs", Kind::U32},
    {IFLA_GSO_MAX_SIZE, "gso_max_size", Kind::U32},
    {IFLA_TARGET_NETNSID, "target_netnsid", Kind::S32},
    {IFLA_CARRIER_UP_COUNT, "carrier_up_count", Kind::U32},
    {IFLA_CARRIER_DOWN_COUNT, "carrier_down_count", Kind::U32},
    {IFLA_NEW_IFINDEX, "new_ifindex", Kind::S32},
    {IFLA_MIN_MTU, "min_mtu", Kind::U32},
    {IFLA_MAX_MTU, "max_mtu", Kind::U32},
    {IFLA_PROP_LIST, "prop_list", Kind::Nested, &kLinkPropAttrs},
    {IFLA_PERM_ADDRESS, "perm_address", Kind::Mac},
    {IFLA_PARENT_DEV_NAME, "parentdev", Kind::String},
    {IFLA_PARENT_DEV_BUS_NAME, "parentbus", Kind::String},
    {IFLA_GRO_MAX_SIZE, "gro_max_size", Kind::U32},
    {IFLA_TSO_MAX_SIZE, "tso_max_size", Kind::U32},
    {IFLA_TSO_MAX_SEGS, "tso_max_segs", Kind::U32},
    {IFLA_ALLMULTI, "allmulti", Kind::U32},
    {63, "gso_ipv4_max_size", Kind::U32},
    {64, "gro_ipv4_max_size", Kind::U32},
}};

const MessageSpec kLinkMessage{&kIfinfomsg, &kLinkAttrs};

}  // namespace nln
