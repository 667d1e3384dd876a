// A bridge's port (IFLA_INFO_SLAVE_DATA with slave kind "bridge"): the `bridgePort` option of
// links.add and links.set, and Link.portInfo.
import { checkBoolean, checkInteger, checkKeys, checkObject } from '../../validate';
import { attrSet, Kind } from '../schema';
import { bridgeId } from './bridge';
import { bool, plain } from './helpers';
import type { PortKind } from './kind';

const KEYS = ['hairpin', 'learning', 'flood', 'isolated', 'cost', 'priority', 'neighSuppress'] as const;
const SWITCHES = ['hairpin', 'learning', 'flood', 'isolated', 'neighSuppress'] as const;

export const bridgePort: PortKind = {
  table: attrSet('bridge_slave', [
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
  ]),
  check(value) {
    const bp = checkObject('bridgePort', value);
    checkKeys('bridgePort', bp, KEYS);
    for (const k of SWITCHES) if (bp[k] !== undefined) checkBoolean(`bridgePort.${k}`, bp[k]);
    if (bp.cost !== undefined) checkInteger('bridgePort.cost', bp.cost, 1, 0xffffffff);
    if (bp.priority !== undefined) checkInteger('bridgePort.priority', bp.priority, 0, 63);
  },
  encode: (bp) => ({
    hairpin: bool(bp.hairpin), learning: bool(bp.learning), flood: bool(bp.flood), isolated: bool(bp.isolated),
    cost: bp.cost, priority: bp.priority, neigh_suppress: bool(bp.neighSuppress),
  }),
  decode: plain,
};
