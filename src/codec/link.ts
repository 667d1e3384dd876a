// rtnetlink links (RTM_NEWLINK/DELLINK/GETLINK/SETLINK): ifinfomsg + IFLA_* attributes
// (linux/if_link.h), and each kind's IFLA_INFO_DATA / IFLA_INFO_SLAVE_DATA. Attribute names follow
// the keys `ip -j -d link show` prints, so decoded data reads like ip's.
import { ifinfomsg, linkAttrs } from './link-base';
import { dataTables, portTables } from './link-kinds/index';
import { Kind, type MessageSpec, attrSet, defineSet, struct, subMessage } from './schema';

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

// IFLA_INFO_DATA by IFLA_INFO_KIND, IFLA_INFO_SLAVE_DATA by IFLA_INFO_SLAVE_KIND: each kind's table,
// from its file in link-kinds/.
export const linkInfoData = subMessage('kind', dataTables());
export const linkInfoSlaveData = subMessage('slave_kind', portTables());

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
  [44, 'event', Kind.U32], // IFLA_EVENT
  [45, 'new_netnsid', Kind.S32], // IFLA_NEW_NETNSID
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
