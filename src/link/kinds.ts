// Per-kind knowledge for links.add: the options a kind takes, how they are checked, and the
// IFLA_INFO_DATA they become (in the attribute order iproute2 uses, so requests compare byte for
// byte with `ip link add`). Decoding the kernel's answer back is in info.ts.
import { parseCidr } from '../ip';
import { checkNetnsRef } from '../kernel/netns-ref';
import { sysctlPairs } from '../sysctl';
import { checkArray, checkBoolean, checkInteger, checkNetnsName, checkIfname, checkIp, checkKeys, checkMac, checkMtu, checkObject, checkOneOf, rangeError } from '../validate';
import type { LinkSpec } from './types';

export const COMMON_KEYS = [
  'kind', 'name', 'mtu', 'mac', 'broadcast', 'master', 'up', 'netns', 'group', 'alias', 'txqueuelen',
  'promisc', 'allmulticast', 'arp', 'gsoMaxSize', 'gsoMaxSegs', 'groMaxSize', 'bridgePort',
] as const;

type Spec = Record<string, unknown>;

export interface KindEntry {
  /** Options beyond COMMON_KEYS. */
  keys: readonly string[];
  /** Throws TypeError/RangeError naming the field; runs before anything is sent. */
  check(spec: Spec): void;
  /** IFLA_INFO_DATA; `dev` is the resolved ifindex of a vxlan's `dev`. */
  data?(spec: Spec, resolved: { dev?: number }): Record<string, unknown> | undefined;
  /** Made through /dev/net/tun rather than RTM_NEWLINK. */
  viaTun?: boolean;
}

export const MACVLAN_MODES = { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 } as const;
export const IPVLAN_MODES = { l2: 0, l3: 1, l3s: 2 } as const;
export const BOND_MODES = {
  'balance-rr': 0, 'active-backup': 1, 'balance-xor': 2, broadcast: 3, '802.3ad': 4, 'balance-tlb': 5, 'balance-alb': 6,
} as const;
export const VLAN_PROTOCOLS = { '802.1Q': 0x8100, '802.1ad': 0x88a8 } as const;

const bool = (b: unknown): number | undefined => (b === undefined ? undefined : b ? 1 : 0);
const optional = (spec: Spec, key: string, check: (field: string, v: unknown) => unknown) => {
  if (spec[key] !== undefined) check(key, spec[key]);
};
const flags = (spec: Spec, keys: readonly string[]) => keys.forEach((k) => optional(spec, k, checkBoolean));
const checkVni = (field: string, v: unknown) => checkInteger(field, v, 0, 0xffffff);
const checkPort = (field: string, v: unknown) => checkInteger(field, v, 1, 65535);
const checkU8 = (field: string, v: unknown) => checkInteger(field, v, 0, 255);
const checkParent = (spec: Spec) => {
  if (spec.parent === undefined) throw new TypeError(`parent: required for kind "${String(spec.kind)}" (the link it sits on)`);
  checkLinkRef('parent', spec.parent);
};

export function checkLinkRef(field: string, ref: unknown): string | number {
  if (typeof ref === 'number') return checkInteger(field, ref, 1, 0x7fffffff);
  if (typeof ref === 'string') return checkIfname(field, ref);
  throw new TypeError(`${field}: expected an interface name or ifindex, got ${JSON.stringify(ref)}`);
}

const none: KindEntry = { keys: [], check: () => {} };

const VXLAN_FLAGS = ['learning', 'proxy', 'l2miss', 'l3miss', 'udpChecksum', 'udp6ZeroChecksumTx', 'udp6ZeroChecksumRx', 'external'] as const;

const KINDS: Record<string, KindEntry> = {
  veth: {
    keys: ['peer'],
    check(spec) {
      const peer = checkObject('peer', spec.peer);
      checkKeys('peer', peer, ['name', 'netns', 'mtu', 'mac', 'up', 'loopbackUp', 'addresses', 'routes']);
      checkIfname('peer.name', peer.name);
      const creates = typeof peer.netns === 'object' && peer.netns !== null && 'create' in peer.netns;
      if (creates) {
        const c = peer.netns as { create: unknown; sysctl?: unknown };
        checkKeys('peer.netns', c, ['create', 'sysctl']);
        checkNetnsName('peer.netns.create', c.create);
        if (c.sysctl !== undefined) sysctlPairs('peer.netns.sysctl', c.sysctl);
      } else if (peer.netns !== undefined) {
        checkNetnsRef('peer.netns', peer.netns);
      }
      if (peer.mtu !== undefined) checkMtu('peer.mtu', peer.mtu);
      if (peer.mac !== undefined) checkMac('peer.mac', peer.mac);
      if (peer.up !== undefined) checkBoolean('peer.up', peer.up);
      if (peer.loopbackUp !== undefined) checkBoolean('peer.loopbackUp', peer.loopbackUp);
      if (peer.addresses !== undefined) {
        checkArray('peer.addresses', peer.addresses).forEach((a, i) => {
          const field = `peer.addresses[${i}]`;
          parseCidr(field, typeof a === 'string' ? a : checkObject(field, a).cidr);
        });
      }
      if (peer.routes !== undefined) {
        checkArray('peer.routes', peer.routes).forEach((r, i) => {
          const route = checkObject(`peer.routes[${i}]`, r);
          for (const k of ['dev', 'nexthops']) {
            if (route[k] !== undefined) throw new TypeError(`peer.routes[${i}].${k}: a peer's route goes through the peer; got ${JSON.stringify(route[k])}`);
          }
        });
      }
    },
      // The peer needs its namespace's fd: message.ts builds VETH_INFO_PEER.
  },
  bridge: {
    keys: ['vlanFiltering', 'stp', 'forwardDelay', 'ageingTime', 'mcastSnooping', 'defaultPvid'],
    check(spec) {
      flags(spec, ['vlanFiltering', 'stp', 'mcastSnooping']);
      // Kernel limits: forward_delay 2–30 s; times are in centiseconds.
      optional(spec, 'forwardDelay', (f, v) => checkInteger(f, v, 200, 3000));
      optional(spec, 'ageingTime', (f, v) => checkInteger(f, v, 0, 100000000));
      optional(spec, 'defaultPvid', (f, v) => checkInteger(f, v, 0, 4094));
    },
    data: (spec) => ({
      forward_delay: spec.forwardDelay, ageing_time: spec.ageingTime, stp_state: bool(spec.stp),
      vlan_filtering: bool(spec.vlanFiltering), vlan_default_pvid: spec.defaultPvid, mcast_snooping: bool(spec.mcastSnooping),
    }),
  },
  macvlan: {
    keys: ['parent', 'mode'],
    check(spec) {
      checkParent(spec);
      optional(spec, 'mode', (f, v) => checkOneOf(f, v, Object.keys(MACVLAN_MODES)));
    },
    data: (spec) => ({ mode: spec.mode === undefined ? undefined : MACVLAN_MODES[spec.mode as keyof typeof MACVLAN_MODES] }),
  },
  vxlan: {
    keys: ['vni', 'local', 'remote', 'group', 'port', 'dev', 'ttl', 'tos', 'ageing', ...VXLAN_FLAGS],
    check(spec) {
      if (spec.vni === undefined) throw new TypeError('vni: required for kind "vxlan"');
      checkVni('vni', spec.vni);
      optional(spec, 'local', checkIp);
      optional(spec, 'remote', checkIp);
      optional(spec, 'group', checkIp);
      if (spec.remote !== undefined && spec.group !== undefined) throw rangeError('group', spec.group, 'cannot be given with remote (a VXLAN has one or the other)');
      optional(spec, 'port', checkPort);
      optional(spec, 'dev', checkLinkRef);
      optional(spec, 'ttl', checkU8);
      optional(spec, 'tos', checkU8);
      optional(spec, 'ageing', (f, v) => checkInteger(f, v, 0, 0xffffffff));
      flags(spec, VXLAN_FLAGS);
    },
    data(spec, { dev }) {
      const v6 = [spec.local, spec.remote, spec.group].some((a) => typeof a === 'string' && a.includes(':'));
      const peer = spec.remote ?? spec.group;
      return {
        id: spec.vni,
        [v6 ? 'group6' : 'group']: peer,
        link: dev,
        [v6 ? 'local6' : 'local']: spec.local,
        ttl: spec.ttl, tos: spec.tos, learning: bool(spec.learning), ageing: spec.ageing, proxy: bool(spec.proxy),
        l2miss: bool(spec.l2miss), l3miss: bool(spec.l3miss), port: spec.port, udp_csum: bool(spec.udpChecksum),
        udp_zero_csum6_tx: bool(spec.udp6ZeroChecksumTx), udp_zero_csum6_rx: bool(spec.udp6ZeroChecksumRx),
        external: bool(spec.external),
      };
    },
  },
  vlan: {
    keys: ['parent', 'id', 'protocol'],
    check(spec) {
      checkParent(spec);
      if (spec.id === undefined) throw new TypeError('id: required for kind "vlan"');
      checkInteger('id', spec.id, 1, 4094);
      optional(spec, 'protocol', (f, v) => checkOneOf(f, v, Object.keys(VLAN_PROTOCOLS)));
    },
    data: (spec) => ({
      protocol: spec.protocol === undefined ? undefined : VLAN_PROTOCOLS[spec.protocol as keyof typeof VLAN_PROTOCOLS],
      id: spec.id,
    }),
  },
  ipvlan: {
    keys: ['parent', 'mode'],
    check(spec) {
      checkParent(spec);
      optional(spec, 'mode', (f, v) => checkOneOf(f, v, Object.keys(IPVLAN_MODES)));
    },
    // ip sends the flags (0: bridge) with every ipvlan.
    data: (spec) => ({ mode: spec.mode === undefined ? undefined : IPVLAN_MODES[spec.mode as keyof typeof IPVLAN_MODES], flags: 0 }),
  },
  bond: {
    keys: ['mode', 'miimon'],
    check(spec) {
      optional(spec, 'mode', (f, v) => checkOneOf(f, v, Object.keys(BOND_MODES)));
      optional(spec, 'miimon', (f, v) => checkInteger(f, v, 0, 0x7fffffff));
    },
    data: (spec) => ({ mode: spec.mode === undefined ? undefined : BOND_MODES[spec.mode as keyof typeof BOND_MODES], miimon: spec.miimon }),
  },
  geneve: {
    keys: ['vni', 'remote', 'port', 'ttl', 'tos'],
    check(spec) {
      if (spec.vni === undefined) throw new TypeError('vni: required for kind "geneve"');
      checkVni('vni', spec.vni);
      optional(spec, 'remote', checkIp);
      optional(spec, 'port', checkPort);
      optional(spec, 'ttl', checkU8);
      optional(spec, 'tos', checkU8);
    },
    // As iproute2 sends it: label, ttl and tos always, the port defaulting to 6081.
    data: (spec) => {
      const v6 = typeof spec.remote === 'string' && spec.remote.includes(':');
      return { id: spec.vni, [v6 ? 'remote6' : 'remote']: spec.remote, label: 0, ttl: spec.ttl ?? 0, tos: spec.tos ?? 0, port: spec.port ?? 6081 };
    },
  },
  vrf: {
    keys: ['table'],
    check(spec) {
      if (spec.table === undefined) throw new TypeError('table: required for kind "vrf"');
      checkInteger('table', spec.table, 1, 0xffffffff);
    },
    data: (spec) => ({ table: spec.table }),
  },
  dummy: none,
  ifb: none,
  wireguard: none,
  tun: {
    keys: ['owner', 'group', 'multiQueue', 'vnetHdr', 'pi'],
    check(spec) {
      optional(spec, 'owner', (f, v) => checkInteger(f, v, 0, 0xfffffffe));
      optional(spec, 'group', (f, v) => checkInteger(f, v, 0, 0xfffffffe));
      flags(spec, ['multiQueue', 'vnetHdr', 'pi']);
    },
    viaTun: true,
  },
};
KINDS.macvtap = KINDS.macvlan;
KINDS.tap = KINDS.tun;

export const SUPPORTED_KINDS = Object.keys(KINDS);

export function kindEntry(kind: unknown): KindEntry {
  if (typeof kind !== 'string') throw new TypeError(`kind: expected a string such as "veth" or "bridge", got ${String(kind)}`);
  const entry = KINDS[kind];
  if (!entry) throw new RangeError(`kind: "${kind}" is not a supported link kind (supported: ${SUPPORTED_KINDS.join(', ')})`);
  return entry;
}

export type { LinkSpec };
