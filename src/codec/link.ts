// rtnetlink links (RTM_NEWLINK/DELLINK/GETLINK/SETLINK): ifinfomsg + IFLA_* attributes
// (linux/if_link.h), and each kind's IFLA_INFO_DATA / IFLA_INFO_SLAVE_DATA. Attribute names follow
// the keys `ip -j -d link show` prints, so decoded data reads like ip's.
import { Kind, type MessageSpec, attrSet, declareSet, defineSet, headerAndAttrs, noAttrs, struct, subMessage } from './schema';

export const linkAttrs = declareSet('link');

export const macvlanAttrs = attrSet('macvlan', [
  [1, 'mode', Kind.U32], // IFLA_MACVLAN_MODE
  [2, 'flags', Kind.U16], // IFLA_MACVLAN_FLAGS
  [3, 'macaddr_mode', Kind.U32], // IFLA_MACVLAN_MACADDR_MODE
  [4, 'macaddr', Kind.Mac], // IFLA_MACVLAN_MACADDR
  [6, 'macaddr_count', Kind.U32], // IFLA_MACVLAN_MACADDR_COUNT
  [7, 'bcqueuelen', Kind.U32], // IFLA_MACVLAN_BC_QUEUE_LEN
  [8, 'usedbcqueuelen', Kind.U32], // IFLA_MACVLAN_BC_QUEUE_LEN_USED
  [10, 'bclim', Kind.S32], // IFLA_MACVLAN_BC_CUTOFF
]);

export const vxlanPortRange = struct('ifla_vxlan_port_range', 4, [['low', 0, 2, 'be'], ['high', 2, 2, 'be']]);

export const vxlanAttrs = attrSet('vxlan', [
  [1, 'id', Kind.U32], // IFLA_VXLAN_ID
  [2, 'group', Kind.IP], // IFLA_VXLAN_GROUP
  [3, 'link', Kind.U32], // IFLA_VXLAN_LINK
  [4, 'local', Kind.IP], // IFLA_VXLAN_LOCAL
  [5, 'ttl', Kind.U8], // IFLA_VXLAN_TTL
  [6, 'tos', Kind.U8], // IFLA_VXLAN_TOS
  [7, 'learning', Kind.U8], // IFLA_VXLAN_LEARNING
  [8, 'ageing', Kind.U32], // IFLA_VXLAN_AGEING
  [9, 'limit', Kind.U32], // IFLA_VXLAN_LIMIT
  [10, 'port_range', Kind.Struct, vxlanPortRange], // IFLA_VXLAN_PORT_RANGE
  [11, 'proxy', Kind.U8], // IFLA_VXLAN_PROXY
  [12, 'rsc', Kind.U8], // IFLA_VXLAN_RSC
  [13, 'l2miss', Kind.U8], // IFLA_VXLAN_L2MISS
  [14, 'l3miss', Kind.U8], // IFLA_VXLAN_L3MISS
  [15, 'port', Kind.U16BE], // IFLA_VXLAN_PORT
  [16, 'group6', Kind.IP], // IFLA_VXLAN_GROUP6
  [17, 'local6', Kind.IP], // IFLA_VXLAN_LOCAL6
  [18, 'udp_csum', Kind.U8], // IFLA_VXLAN_UDP_CSUM
  [19, 'udp_zero_csum6_tx', Kind.U8], // IFLA_VXLAN_UDP_ZERO_CSUM6_TX
  [20, 'udp_zero_csum6_rx', Kind.U8], // IFLA_VXLAN_UDP_ZERO_CSUM6_RX
  [21, 'remcsum_tx', Kind.U8], // IFLA_VXLAN_REMCSUM_TX
  [22, 'remcsum_rx', Kind.U8], // IFLA_VXLAN_REMCSUM_RX
  [23, 'gbp', Kind.Flag], // IFLA_VXLAN_GBP
  [24, 'remcsum_nopartial', Kind.Flag], // IFLA_VXLAN_REMCSUM_NOPARTIAL
  [25, 'external', Kind.U8], // IFLA_VXLAN_COLLECT_METADATA
  [26, 'label', Kind.U32BE], // IFLA_VXLAN_LABEL
  [27, 'gpe', Kind.Flag], // IFLA_VXLAN_GPE
  [28, 'ttl_inherit', Kind.Flag], // IFLA_VXLAN_TTL_INHERIT
  [29, 'df', Kind.U8], // IFLA_VXLAN_DF
  [30, 'vnifilter', Kind.U8], // IFLA_VXLAN_VNIFILTER
  [31, 'localbypass', Kind.U8], // IFLA_VXLAN_LOCALBYPASS
]);

export const vlanFlags = struct('ifla_vlan_flags', 8, [['flags', 0, 4], ['mask', 4, 4]]);

export const vlanAttrs = attrSet('vlan', [
  [5, 'protocol', Kind.U16BE], // IFLA_VLAN_PROTOCOL
  [1, 'id', Kind.U16], // IFLA_VLAN_ID
  [2, 'flags', Kind.Struct, vlanFlags], // IFLA_VLAN_FLAGS
]);

export const ipvlanAttrs = attrSet('ipvlan', [
  [1, 'mode', Kind.U16], // IFLA_IPVLAN_MODE
  [2, 'flags', Kind.U16], // IFLA_IPVLAN_FLAGS
]);

export const bondAttrs = attrSet('bond', [
  [1, 'mode', Kind.U8], // IFLA_BOND_MODE
  [2, 'active_slave', Kind.U32], // IFLA_BOND_ACTIVE_SLAVE
  [3, 'miimon', Kind.U32], // IFLA_BOND_MIIMON
  [4, 'updelay', Kind.U32], // IFLA_BOND_UPDELAY
  [5, 'downdelay', Kind.U32], // IFLA_BOND_DOWNDELAY
  [6, 'use_carrier', Kind.U8], // IFLA_BOND_USE_CARRIER
  [7, 'arp_interval', Kind.U32], // IFLA_BOND_ARP_INTERVAL
  [9, 'arp_validate', Kind.U32], // IFLA_BOND_ARP_VALIDATE
  [10, 'arp_all_targets', Kind.U32], // IFLA_BOND_ARP_ALL_TARGETS
  [11, 'primary', Kind.U32], // IFLA_BOND_PRIMARY
  [12, 'primary_reselect', Kind.U8], // IFLA_BOND_PRIMARY_RESELECT
  [13, 'fail_over_mac', Kind.U8], // IFLA_BOND_FAIL_OVER_MAC
  [14, 'xmit_hash_policy', Kind.U8], // IFLA_BOND_XMIT_HASH_POLICY
  [15, 'resend_igmp', Kind.U32], // IFLA_BOND_RESEND_IGMP
  [16, 'num_peer_notif', Kind.U8], // IFLA_BOND_NUM_PEER_NOTIF
  [17, 'all_slaves_active', Kind.U8], // IFLA_BOND_ALL_SLAVES_ACTIVE
  [18, 'min_links', Kind.U32], // IFLA_BOND_MIN_LINKS
  [19, 'lp_interval', Kind.U32], // IFLA_BOND_LP_INTERVAL
  [20, 'packets_per_slave', Kind.U32], // IFLA_BOND_PACKETS_PER_SLAVE
  [21, 'ad_lacp_rate', Kind.U8], // IFLA_BOND_AD_LACP_RATE
  [22, 'ad_select', Kind.U8], // IFLA_BOND_AD_SELECT
  [24, 'ad_actor_sys_prio', Kind.U16], // IFLA_BOND_AD_ACTOR_SYS_PRIO
  [25, 'ad_user_port_key', Kind.U16], // IFLA_BOND_AD_USER_PORT_KEY
  [26, 'ad_actor_system', Kind.Mac], // IFLA_BOND_AD_ACTOR_SYSTEM
  [27, 'tlb_dynamic_lb', Kind.U8], // IFLA_BOND_TLB_DYNAMIC_LB
  [28, 'peer_notify_delay', Kind.U32], // IFLA_BOND_PEER_NOTIF_DELAY
  [29, 'ad_lacp_active', Kind.U8], // IFLA_BOND_AD_LACP_ACTIVE
  [30, 'arp_missed_max', Kind.U8], // IFLA_BOND_MISSED_MAX
]);

export const geneveAttrs = attrSet('geneve', [
  [1, 'id', Kind.U32], // IFLA_GENEVE_ID
  [2, 'remote', Kind.IP], // IFLA_GENEVE_REMOTE
  [7, 'remote6', Kind.IP], // IFLA_GENEVE_REMOTE6
  [11, 'label', Kind.U32BE], // IFLA_GENEVE_LABEL
  [3, 'ttl', Kind.U8], // IFLA_GENEVE_TTL
  [4, 'tos', Kind.U8], // IFLA_GENEVE_TOS
  [5, 'port', Kind.U16BE], // IFLA_GENEVE_PORT
  [6, 'external', Kind.Flag], // IFLA_GENEVE_COLLECT_METADATA
  [8, 'udp_csum', Kind.U8], // IFLA_GENEVE_UDP_CSUM
  [9, 'udp_zero_csum6_tx', Kind.U8], // IFLA_GENEVE_UDP_ZERO_CSUM6_TX
  [10, 'udp_zero_csum6_rx', Kind.U8], // IFLA_GENEVE_UDP_ZERO_CSUM6_RX
  [12, 'ttl_inherit', Kind.U8], // IFLA_GENEVE_TTL_INHERIT
  [13, 'df', Kind.U8], // IFLA_GENEVE_DF
  [14, 'inner_proto_inherit', Kind.Flag], // IFLA_GENEVE_INNER_PROTO_INHERIT
]);

export const vrfAttrs = attrSet('vrf', [
  [1, 'table', Kind.U32], // IFLA_VRF_TABLE
]);

// Read-only: tun/tap devices are made through /dev/net/tun, but the kernel reports them here.
export const tunAttrs = attrSet('tun', [
  [1, 'user', Kind.U32], // IFLA_TUN_OWNER
  [2, 'group', Kind.U32], // IFLA_TUN_GROUP
  [3, 'type', Kind.U8], // IFLA_TUN_TYPE
  [4, 'pi', Kind.U8], // IFLA_TUN_PI
  [5, 'vnet_hdr', Kind.U8], // IFLA_TUN_VNET_HDR
  [6, 'persist', Kind.U8], // IFLA_TUN_PERSIST
  [7, 'multi_queue', Kind.U8], // IFLA_TUN_MULTI_QUEUE
  [8, 'numqueues', Kind.U32], // IFLA_TUN_NUM_QUEUES
  [9, 'numdisabled', Kind.U32], // IFLA_TUN_NUM_DISABLED_QUEUES
]);

export const ifinfomsg = struct('ifinfomsg', 16, [
  ['family', 0, 1],
  ['type', 2, 2],
  ['index', 4, 4, 'signed'],
  ['flags', 8, 4],
  ['change', 12, 4],
]);

export const linkStats64 = struct('rtnl_link_stats64', 200, [
  ['rx_packets', 0, 8],
  ['tx_packets', 8, 8],
  ['rx_bytes', 16, 8],
  ['tx_bytes', 24, 8],
  ['rx_errors', 32, 8],
  ['tx_errors', 40, 8],
  ['rx_dropped', 48, 8],
  ['tx_dropped', 56, 8],
  ['multicast', 64, 8],
  ['collisions', 72, 8],
  ['rx_length_errors', 80, 8],
  ['rx_over_errors', 88, 8],
  ['rx_crc_errors', 96, 8],
  ['rx_frame_errors', 104, 8],
  ['rx_fifo_errors', 112, 8],
  ['rx_missed_errors', 120, 8],
  ['tx_aborted_errors', 128, 8],
  ['tx_carrier_errors', 136, 8],
  ['tx_fifo_errors', 144, 8],
  ['tx_heartbeat_errors', 152, 8],
  ['tx_window_errors', 160, 8],
  ['rx_compressed', 168, 8],
  ['tx_compressed', 176, 8],
  ['rx_nohandler', 184, 8],
  ['rx_otherhost_dropped', 192, 8],
]);

// struct ifla_bridge_id: 2 priority bytes then the 6-byte address, both as the kernel stores them.
export const bridgeId = struct('ifla_bridge_id', 8, [
  ['prio', 0, 2, 'be'],
  ['addr_hi', 2, 2, 'be'],
  ['addr_lo', 4, 4, 'be'],
]);

export const boolOptMulti = struct('br_boolopt_multi', 8, [['optval', 0, 4], ['optmask', 4, 4]]);

export const vethAttrs = attrSet('veth', [
  [1, 'peer', Kind.HeaderNested, headerAndAttrs(ifinfomsg, linkAttrs)], // VETH_INFO_PEER
]);

export const bridgeAttrs = attrSet('bridge', [
  [1, 'forward_delay', Kind.U32], // IFLA_BR_FORWARD_DELAY
  [2, 'hello_time', Kind.U32], // IFLA_BR_HELLO_TIME
  [3, 'max_age', Kind.U32], // IFLA_BR_MAX_AGE
  [4, 'ageing_time', Kind.U32], // IFLA_BR_AGEING_TIME
  [5, 'stp_state', Kind.U32], // IFLA_BR_STP_STATE
  [6, 'priority', Kind.U16], // IFLA_BR_PRIORITY
  [7, 'vlan_filtering', Kind.U8], // IFLA_BR_VLAN_FILTERING
  [8, 'vlan_protocol', Kind.U16BE], // IFLA_BR_VLAN_PROTOCOL
  [9, 'group_fwd_mask', Kind.U16], // IFLA_BR_GROUP_FWD_MASK
  [10, 'root_id', Kind.Struct, bridgeId], // IFLA_BR_ROOT_ID
  [11, 'bridge_id', Kind.Struct, bridgeId], // IFLA_BR_BRIDGE_ID
  [12, 'root_port', Kind.U16], // IFLA_BR_ROOT_PORT
  [13, 'root_path_cost', Kind.U32], // IFLA_BR_ROOT_PATH_COST
  [14, 'topology_change', Kind.U8], // IFLA_BR_TOPOLOGY_CHANGE
  [15, 'topology_change_detected', Kind.U8], // IFLA_BR_TOPOLOGY_CHANGE_DETECTED
  [16, 'hello_timer', Kind.U64], // IFLA_BR_HELLO_TIMER
  [17, 'tcn_timer', Kind.U64], // IFLA_BR_TCN_TIMER
  [18, 'topology_change_timer', Kind.U64], // IFLA_BR_TOPOLOGY_CHANGE_TIMER
  [19, 'gc_timer', Kind.U64], // IFLA_BR_GC_TIMER
  [20, 'group_addr', Kind.Mac], // IFLA_BR_GROUP_ADDR
  [21, 'fdb_flush', Kind.Flag], // IFLA_BR_FDB_FLUSH
  [22, 'mcast_router', Kind.U8], // IFLA_BR_MCAST_ROUTER
  [23, 'mcast_snooping', Kind.U8], // IFLA_BR_MCAST_SNOOPING
  [24, 'mcast_query_use_ifaddr', Kind.U8], // IFLA_BR_MCAST_QUERY_USE_IFADDR
  [25, 'mcast_querier', Kind.U8], // IFLA_BR_MCAST_QUERIER
  [26, 'mcast_hash_elasticity', Kind.U32], // IFLA_BR_MCAST_HASH_ELASTICITY
  [27, 'mcast_hash_max', Kind.U32], // IFLA_BR_MCAST_HASH_MAX
  [28, 'mcast_last_member_cnt', Kind.U32], // IFLA_BR_MCAST_LAST_MEMBER_CNT
  [29, 'mcast_startup_query_cnt', Kind.U32], // IFLA_BR_MCAST_STARTUP_QUERY_CNT
  [30, 'mcast_last_member_intvl', Kind.U64], // IFLA_BR_MCAST_LAST_MEMBER_INTVL
  [31, 'mcast_membership_intvl', Kind.U64], // IFLA_BR_MCAST_MEMBERSHIP_INTVL
  [32, 'mcast_querier_intvl', Kind.U64], // IFLA_BR_MCAST_QUERIER_INTVL
  [33, 'mcast_query_intvl', Kind.U64], // IFLA_BR_MCAST_QUERY_INTVL
  [34, 'mcast_query_response_intvl', Kind.U64], // IFLA_BR_MCAST_QUERY_RESPONSE_INTVL
  [35, 'mcast_startup_query_intvl', Kind.U64], // IFLA_BR_MCAST_STARTUP_QUERY_INTVL
  [36, 'nf_call_iptables', Kind.U8], // IFLA_BR_NF_CALL_IPTABLES
  [37, 'nf_call_ip6tables', Kind.U8], // IFLA_BR_NF_CALL_IP6TABLES
  [38, 'nf_call_arptables', Kind.U8], // IFLA_BR_NF_CALL_ARPTABLES
  [39, 'vlan_default_pvid', Kind.U16], // IFLA_BR_VLAN_DEFAULT_PVID
  [41, 'vlan_stats_enabled', Kind.U8], // IFLA_BR_VLAN_STATS_ENABLED
  [42, 'mcast_stats_enabled', Kind.U8], // IFLA_BR_MCAST_STATS_ENABLED
  [43, 'mcast_igmp_version', Kind.U8], // IFLA_BR_MCAST_IGMP_VERSION
  [44, 'mcast_mld_version', Kind.U8], // IFLA_BR_MCAST_MLD_VERSION
  [45, 'vlan_stats_per_port', Kind.U8], // IFLA_BR_VLAN_STATS_PER_PORT
  [46, 'multi_boolopt', Kind.Struct, boolOptMulti], // IFLA_BR_MULTI_BOOLOPT
]);

export const bridgePortAttrs = attrSet('bridge_slave', [
  [1, 'state', Kind.U8], // IFLA_BRPORT_STATE
  [2, 'priority', Kind.U16], // IFLA_BRPORT_PRIORITY
  [3, 'cost', Kind.U32], // IFLA_BRPORT_COST
  [4, 'hairpin', Kind.U8], // IFLA_BRPORT_MODE
  [5, 'guard', Kind.U8], // IFLA_BRPORT_GUARD
  [6, 'root_block', Kind.U8], // IFLA_BRPORT_PROTECT
  [7, 'fastleave', Kind.U8], // IFLA_BRPORT_FAST_LEAVE
  [8, 'learning', Kind.U8], // IFLA_BRPORT_LEARNING
  [9, 'flood', Kind.U8], // IFLA_BRPORT_UNICAST_FLOOD
  [10, 'proxy_arp', Kind.U8], // IFLA_BRPORT_PROXYARP
  [12, 'proxy_arp_wifi', Kind.U8], // IFLA_BRPORT_PROXYARP_WIFI
  [13, 'root_id', Kind.Struct, bridgeId], // IFLA_BRPORT_ROOT_ID
  [14, 'bridge_id', Kind.Struct, bridgeId], // IFLA_BRPORT_BRIDGE_ID
  [15, 'designated_port', Kind.U16], // IFLA_BRPORT_DESIGNATED_PORT
  [16, 'designated_cost', Kind.U16], // IFLA_BRPORT_DESIGNATED_COST
  [17, 'port_id', Kind.U16], // IFLA_BRPORT_ID
  [18, 'port_no', Kind.U16], // IFLA_BRPORT_NO
  [19, 'topology_change_ack', Kind.U8], // IFLA_BRPORT_TOPOLOGY_CHANGE_ACK
  [20, 'config_pending', Kind.U8], // IFLA_BRPORT_CONFIG_PENDING
  [21, 'message_age_timer', Kind.U64], // IFLA_BRPORT_MESSAGE_AGE_TIMER
  [22, 'forward_delay_timer', Kind.U64], // IFLA_BRPORT_FORWARD_DELAY_TIMER
  [23, 'hold_timer', Kind.U64], // IFLA_BRPORT_HOLD_TIMER
  [24, 'flush', Kind.Flag], // IFLA_BRPORT_FLUSH
  [25, 'multicast_router', Kind.U8], // IFLA_BRPORT_MULTICAST_ROUTER
  [27, 'mcast_flood', Kind.U8], // IFLA_BRPORT_MCAST_FLOOD
  [28, 'mcast_to_unicast', Kind.U8], // IFLA_BRPORT_MCAST_TO_UCAST
  [29, 'vlan_tunnel', Kind.U8], // IFLA_BRPORT_VLAN_TUNNEL
  [30, 'bcast_flood', Kind.U8], // IFLA_BRPORT_BCAST_FLOOD
  [31, 'group_fwd_mask', Kind.U16], // IFLA_BRPORT_GROUP_FWD_MASK
  [32, 'neigh_suppress', Kind.U8], // IFLA_BRPORT_NEIGH_SUPPRESS
  [33, 'isolated', Kind.U8], // IFLA_BRPORT_ISOLATED
  [34, 'backup_port', Kind.U32], // IFLA_BRPORT_BACKUP_PORT
  [37, 'mcast_eht_hosts_limit', Kind.U32], // IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT
  [38, 'mcast_eht_hosts_cnt', Kind.U32], // IFLA_BRPORT_MCAST_EHT_HOSTS_CNT
  [39, 'locked', Kind.U8], // IFLA_BRPORT_LOCKED
  [40, 'mab', Kind.U8], // IFLA_BRPORT_MAB
  [41, 'mcast_n_groups', Kind.U32], // IFLA_BRPORT_MCAST_N_GROUPS
  [42, 'mcast_max_groups', Kind.U32], // IFLA_BRPORT_MCAST_MAX_GROUPS
  [43, 'neigh_vlan_suppress', Kind.U8], // IFLA_BRPORT_NEIGH_VLAN_SUPPRESS
]);

// IFLA_INFO_DATA by IFLA_INFO_KIND: each kind's table.
export const linkInfoData = subMessage('kind', [
  ['veth', vethAttrs],
  ['bridge', bridgeAttrs],
  ['macvlan', macvlanAttrs],
  ['macvtap', macvlanAttrs],
  ['vxlan', vxlanAttrs],
  ['vlan', vlanAttrs],
  ['ipvlan', ipvlanAttrs],
  ['ipvtap', ipvlanAttrs],
  ['bond', bondAttrs],
  ['geneve', geneveAttrs],
  ['vrf', vrfAttrs],
  ['tun', tunAttrs],
  ['dummy', noAttrs],
  ['ifb', noAttrs],
  ['wireguard', noAttrs],
]);

export const linkInfoSlaveData = subMessage('slave_kind', [
  ['bridge', bridgePortAttrs],
]);

export const linkInfoAttrs = attrSet('linkinfo', [
  [1, 'kind', Kind.Chars], // IFLA_INFO_KIND
  [2, 'data', Kind.SubMessage, linkInfoData], // IFLA_INFO_DATA
  [4, 'slave_kind', Kind.Chars], // IFLA_INFO_SLAVE_KIND
  [5, 'slave_data', Kind.SubMessage, linkInfoSlaveData], // IFLA_INFO_SLAVE_DATA
]);

export const linkPropAttrs = attrSet('prop_list', [
  [53, 'altname', Kind.String, null, 'multi'], // IFLA_ALT_IFNAME
]);

defineSet(linkAttrs, [
  [1, 'address', Kind.Mac], // IFLA_ADDRESS
  [2, 'broadcast', Kind.Mac], // IFLA_BROADCAST
  [3, 'ifname', Kind.String], // IFLA_IFNAME
  [4, 'mtu', Kind.U32], // IFLA_MTU
  [5, 'link', Kind.U32], // IFLA_LINK
  [6, 'qdisc', Kind.String], // IFLA_QDISC
  [10, 'master', Kind.U32], // IFLA_MASTER
  [13, 'txqlen', Kind.U32], // IFLA_TXQLEN
  [16, 'operstate', Kind.U8], // IFLA_OPERSTATE
  [17, 'linkmode', Kind.U8], // IFLA_LINKMODE
  [18, 'linkinfo', Kind.Nested, linkInfoAttrs], // IFLA_LINKINFO
  [19, 'net_ns_pid', Kind.U32], // IFLA_NET_NS_PID
  [20, 'ifalias', Kind.String], // IFLA_IFALIAS
  [23, 'stats64', Kind.Struct, linkStats64], // IFLA_STATS64
  [27, 'group', Kind.U32], // IFLA_GROUP
  [28, 'net_ns_fd', Kind.U32], // IFLA_NET_NS_FD
  [29, 'ext_mask', Kind.U32], // IFLA_EXT_MASK
  [30, 'promiscuity', Kind.U32], // IFLA_PROMISCUITY
  [31, 'num_tx_queues', Kind.U32], // IFLA_NUM_TX_QUEUES
  [32, 'num_rx_queues', Kind.U32], // IFLA_NUM_RX_QUEUES
  [33, 'carrier', Kind.U8], // IFLA_CARRIER
  [34, 'phys_port_id', Kind.Binary], // IFLA_PHYS_PORT_ID
  [35, 'carrier_changes', Kind.U32], // IFLA_CARRIER_CHANGES
  [36, 'phys_switch_id', Kind.Binary], // IFLA_PHYS_SWITCH_ID
  [37, 'link_netnsid', Kind.S32], // IFLA_LINK_NETNSID
  [38, 'phys_port_name', Kind.String], // IFLA_PHYS_PORT_NAME
  [39, 'proto_down', Kind.U8], // IFLA_PROTO_DOWN
  [40, 'gso_max_segs', Kind.U32], // IFLA_GSO_MAX_SEGS
  [41, 'gso_max_size', Kind.U32], // IFLA_GSO_MAX_SIZE
  [46, 'target_netnsid', Kind.S32], // IFLA_TARGET_NETNSID
  [47, 'carrier_up_count', Kind.U32], // IFLA_CARRIER_UP_COUNT
  [48, 'carrier_down_count', Kind.U32], // IFLA_CARRIER_DOWN_COUNT
  [49, 'new_ifindex', Kind.S32], // IFLA_NEW_IFINDEX
  [50, 'min_mtu', Kind.U32], // IFLA_MIN_MTU
  [51, 'max_mtu', Kind.U32], // IFLA_MAX_MTU
  [52, 'prop_list', Kind.Nested, linkPropAttrs], // IFLA_PROP_LIST
  [54, 'perm_address', Kind.Mac], // IFLA_PERM_ADDRESS
  [56, 'parentdev', Kind.String], // IFLA_PARENT_DEV_NAME
  [57, 'parentbus', Kind.String], // IFLA_PARENT_DEV_BUS_NAME
  [58, 'gro_max_size', Kind.U32], // IFLA_GRO_MAX_SIZE
  [59, 'tso_max_size', Kind.U32], // IFLA_TSO_MAX_SIZE
  [60, 'tso_max_segs', Kind.U32], // IFLA_TSO_MAX_SEGS
  [61, 'allmulti', Kind.U32], // IFLA_ALLMULTI
  [63, 'gso_ipv4_max_size', Kind.U32], // IFLA_GSO_IPV4_MAX_SIZE
  [64, 'gro_ipv4_max_size', Kind.U32], // IFLA_GRO_IPV4_MAX_SIZE
]);

export const linkMessage: MessageSpec = { header: ifinfomsg, attrs: linkAttrs, nestedFlag: false };
