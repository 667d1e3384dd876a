// IFLA_INFO_DATA as the kernel reports it -> Link.info, keyed and valued like `ip -j -d`'s
// info_data: mode names instead of numbers, booleans for on/off switches, numbers for times.
import { BOND_MODES, IPVLAN_MODES, MACVLAN_MODES, VLAN_PROTOCOLS } from './kinds';

type Raw = Record<string, unknown>;

const nameOf = (table: Record<string, number>, value: unknown): unknown =>
  Object.keys(table).find((k) => table[k] === value) ?? value;

/** 64-bit kernel counters that are really small numbers (timers, intervals) become numbers. */
function plain(raw: Raw): Raw {
  const out: Raw = {};
  for (const k in raw) {
    const v = raw[k];
    out[k] = typeof v === 'bigint' ? Number(v) : v;
  }
  return out;
}

function booleans(raw: Raw, keys: readonly string[]): Raw {
  for (const k of keys) if (typeof raw[k] === 'number') raw[k] = raw[k] !== 0;
  return raw;
}

/** A struct ifla_bridge_id as ip prints it: priority, then the address bytes in unpadded hex ("8000.2:0:0:0:0:1"). */
function bridgeId(id: unknown): unknown {
  if (typeof id !== 'object' || id === null) return id;
  const { prio, addr_hi: hi, addr_lo: lo } = id as Record<string, number>;
  const bytes = [hi >> 8, hi & 255, lo >>> 24, (lo >> 16) & 255, (lo >> 8) & 255, lo & 255];
  return `${prio.toString(16).padStart(4, '0')}.${bytes.map((b) => b.toString(16)).join(':')}`;
}

const BOOLOPTS = ['no_linklocal_learn', 'mcast_vlan_snooping', 'mst_enabled'];

const DECODERS: Record<string, (raw: Raw) => Raw> = {
  bridge: (raw) => {
    const out = plain(raw);
    out.bridge_id = bridgeId(out.bridge_id);
    out.root_id = bridgeId(out.root_id);
    if (out.vlan_protocol !== undefined) out.vlan_protocol = nameOf(VLAN_PROTOCOLS, out.vlan_protocol);
    // IFLA_BR_MULTI_BOOLOPT packs on/off options in bits (BR_BOOLOPT_*), which ip prints by name.
    const multi = out.multi_boolopt as { optval: number; optmask: number } | undefined;
    if (multi) {
      BOOLOPTS.forEach((name, bit) => {
        if (multi.optmask & (1 << bit)) out[name] = (multi.optval >> bit) & 1;
      });
    }
    return out;
  },
  macvlan: (raw) => ({ ...raw, mode: nameOf(MACVLAN_MODES, raw.mode) }),
  vxlan: (raw) => {
    const out = booleans(plain(raw), ['learning', 'proxy', 'rsc', 'l2miss', 'l3miss', 'udp_csum', 'udp_zero_csum6_tx',
      'udp_zero_csum6_rx', 'remcsum_tx', 'remcsum_rx', 'external', 'vnifilter', 'localbypass']);
    // IFLA_VXLAN_GROUP holds the unicast peer too; ip calls that one "remote".
    for (const [attr, remote] of [['group', 'remote'], ['group6', 'remote6']] as const) {
      const a = out[attr];
      if (typeof a === 'string' && !isMulticast(a)) {
        out[remote] = a;
        delete out[attr];
      }
    }
    return out;
  },
  vlan: (raw) => ({ ...raw, protocol: nameOf(VLAN_PROTOCOLS, raw.protocol) }),
  ipvlan: (raw) => ({ ...raw, mode: nameOf(IPVLAN_MODES, raw.mode) }),
  bond: (raw) => ({ ...raw, mode: nameOf(BOND_MODES, raw.mode) }),
  geneve: (raw) => booleans({ ...raw }, ['udp_csum', 'udp_zero_csum6_tx', 'udp_zero_csum6_rx', 'ttl_inherit']),
  tun: (raw) => {
    const out = booleans({ ...raw }, ['pi', 'vnet_hdr', 'persist', 'multi_queue']);
    out.type = raw.type === 1 ? 'tun' : raw.type === 2 ? 'tap' : raw.type;
    return out;
  },
};
DECODERS.macvtap = DECODERS.macvlan;
DECODERS.ipvtap = DECODERS.ipvlan;

function isMulticast(ip: string): boolean {
  if (ip.includes(':')) return ip.toLowerCase().startsWith('ff');
  const first = Number(ip.split('.')[0]);
  return first >= 224 && first <= 239;
}

export function decodeInfo(kind: string, raw: Raw): Raw {
  return (DECODERS[kind] ?? plain)(raw);
}
