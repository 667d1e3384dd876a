// bond: links aggregated under one.
import { checkInteger, checkOneOf } from '../../validate';
import { attrSet, Kind } from '../schema';
import { nameOf, numberOf, optional } from './helpers';
import type { LinkKind } from './kind';

export const BOND_MODES = {
  'balance-rr': 0, 'active-backup': 1, 'balance-xor': 2, broadcast: 3, '802.3ad': 4, 'balance-tlb': 5, 'balance-alb': 6,
} as const;

export const bond: LinkKind = {
  table: attrSet('bond', [
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
  ]),
  keys: ['mode', 'miimon'],
  check(spec) {
    optional(spec, 'mode', (f, v) => checkOneOf(f, v, Object.keys(BOND_MODES)));
    optional(spec, 'miimon', (f, v) => checkInteger(f, v, 0, 0x7fffffff));
  },
  encode: (spec) => ({ mode: numberOf(BOND_MODES, spec.mode), miimon: spec.miimon }),
  decode: (raw) => ({ ...raw, mode: nameOf(BOND_MODES, raw.mode) }),
};
