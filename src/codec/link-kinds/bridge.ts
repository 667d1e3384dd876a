// bridge: its own settings (IFLA_BR_*); its ports' are in bridge-port.ts.
import { checkInteger } from '../../validate';
import { attrSet, Kind, struct } from '../schema';
import { bool, flags, nameOf, optional, plain } from './helpers';
import type { LinkKind } from './kind';
import { VLAN_PROTOCOLS } from './vlan';

// struct ifla_bridge_id: 2 priority bytes then the 6-byte address, both as the kernel stores them.
export const bridgeId = struct('ifla_bridge_id', 8, [
  ['prio', 0, 2, 'be'],
  ['addr_hi', 2, 2, 'be'],
  ['addr_lo', 4, 4, 'be'],
]);

const boolOptMulti = struct('br_boolopt_multi', 8, [['optval', 0, 4], ['optmask', 4, 4]]);

/** IFLA_BR_MULTI_BOOLOPT's bits (BR_BOOLOPT_*), by the names ip prints. */
const BOOLOPTS = ['no_linklocal_learn', 'mcast_vlan_snooping', 'mst_enabled'];

/** A struct ifla_bridge_id as ip prints it: priority, then the address bytes in unpadded hex ("8000.2:0:0:0:0:1"). */
function bridgeIdText(id: unknown): unknown {
  if (typeof id !== 'object' || id === null) return id;
  const { prio, addr_hi: hi, addr_lo: lo } = id as Record<string, number>;
  const bytes = [hi >> 8, hi & 255, lo >>> 24, (lo >> 16) & 255, (lo >> 8) & 255, lo & 255];
  return `${prio.toString(16).padStart(4, '0')}.${bytes.map((b) => b.toString(16)).join(':')}`;
}

export const bridge: LinkKind = {
  table: attrSet('bridge', [
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
  ]),
  keys: ['vlanFiltering', 'stp', 'forwardDelay', 'ageingTime', 'mcastSnooping', 'defaultPvid'],
  check(spec) {
    flags(spec, ['vlanFiltering', 'stp', 'mcastSnooping']);
    // Kernel limits: forward_delay 2–30 s; times are in centiseconds.
    optional(spec, 'forwardDelay', (f, v) => checkInteger(f, v, 200, 3000));
    optional(spec, 'ageingTime', (f, v) => checkInteger(f, v, 0, 100000000));
    optional(spec, 'defaultPvid', (f, v) => checkInteger(f, v, 0, 4094));
  },
  encode: (spec) => ({
    forward_delay: spec.forwardDelay, ageing_time: spec.ageingTime, stp_state: bool(spec.stp),
    vlan_filtering: bool(spec.vlanFiltering), vlan_default_pvid: spec.defaultPvid, mcast_snooping: bool(spec.mcastSnooping),
  }),
  decode(raw) {
    const out = plain(raw);
    out.bridge_id = bridgeIdText(out.bridge_id);
    out.root_id = bridgeIdText(out.root_id);
    if (out.vlan_protocol !== undefined) out.vlan_protocol = nameOf(VLAN_PROTOCOLS, out.vlan_protocol);
    const multi = out.multi_boolopt as { optval: number; optmask: number } | undefined;
    if (multi) {
      BOOLOPTS.forEach((name, bit) => {
        if (multi.optmask & (1 << bit)) out[name] = (multi.optval >> bit) & 1;
      });
    }
    return out;
  },
};
