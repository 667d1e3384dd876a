// The xtables structs iptables-nft puts in compat match/target expressions (x86-64 layouts, as
// iptables-nft 1.8.9 sends them; each padded to 8 bytes like XT_ALIGN).
import { formatV6, parseAddress } from '../ip';

const align8 = (n: number) => (n + 7) & ~7;
const zero = (n: number) => Buffer.alloc(align8(n));

/** XT_CONNTRACK_STATE_BIT values, in the order iptables prints them. */
export const CT_STATE_BITS: Record<string, number> = { INVALID: 1, NEW: 8, RELATED: 4, ESTABLISHED: 2, UNTRACKED: 64 };
const XT_CONNTRACK_STATE = 1;
const XT_CONNTRACK_STATE_ALIAS = 1 << 13;

/** xt_conntrack_mtinfo3 (rev 3): --ctstate, and -m state (the alias flag makes -S print it so). */
export function conntrackInfo(states: string[], invert: boolean, alias: boolean): Buffer {
  const b = zero(162);
  b.writeUInt16LE(XT_CONNTRACK_STATE | (alias ? XT_CONNTRACK_STATE_ALIAS : 0), 146); // match_flags
  b.writeUInt16LE(invert ? XT_CONNTRACK_STATE : 0, 148); // invert_flags
  b.writeUInt16LE(states.reduce((m, s) => m | CT_STATE_BITS[s], 0), 150); // state_mask
  return b;
}

export function decodeConntrack(b: Buffer): { states: string[]; invert: boolean; alias: boolean } | undefined {
  if (b.length < 152) return undefined;
  const flags = b.readUInt16LE(146);
  if ((flags & ~(XT_CONNTRACK_STATE | XT_CONNTRACK_STATE_ALIAS)) !== 0) return undefined; // other conntrack options
  const mask = b.readUInt16LE(150);
  return { states: Object.keys(CT_STATE_BITS).filter((s) => mask & CT_STATE_BITS[s]), invert: (b.readUInt16LE(148) & XT_CONNTRACK_STATE) !== 0, alias: (flags & XT_CONNTRACK_STATE_ALIAS) !== 0 };
}

/** xt_comment_info: 256 bytes of text. */
export function commentInfo(text: string): Buffer {
  const b = Buffer.alloc(256);
  if (Buffer.byteLength(text) > 255) throw new RangeError(`--comment: ${JSON.stringify(text)} is longer than 255 bytes`);
  b.write(text);
  return b;
}
export const decodeComment = (b: Buffer) => b.subarray(0, b.indexOf(0) < 0 ? b.length : b.indexOf(0)).toString();

/** xt_addrtype_info_v1 (rev 1): source, dest (XT_ADDRTYPE_* bits), flags (invert bits). */
export const ADDRTYPES: Record<string, number> = {
  UNSPEC: 1, UNICAST: 2, LOCAL: 4, BROADCAST: 8, ANYCAST: 16, MULTICAST: 32, BLACKHOLE: 64, UNREACHABLE: 128,
  PROHIBIT: 256, THROW: 512, NAT: 1024, XRESOLVE: 2048,
};
export function addrtypeInfo(src: string | undefined, dst: string | undefined): Buffer {
  const b = zero(8);
  if (src) b.writeUInt16LE(ADDRTYPES[src], 0);
  if (dst) b.writeUInt16LE(ADDRTYPES[dst], 2);
  return b;
}
export function decodeAddrtype(b: Buffer): { src?: string; dst?: string } {
  const name = (n: number) => Object.keys(ADDRTYPES).find((k) => ADDRTYPES[k] === n);
  return { src: name(b.readUInt16LE(0)), dst: name(b.readUInt16LE(2)) };
}

/** xt_multiport_v1 (rev 1): flags (XT_MULTIPORT_SOURCE 0, _DESTINATION 1, _EITHER 2), count, ports[15], pflags, invert. */
export function multiportInfo(dir: 'sports' | 'dports' | 'ports', ports: Array<[number, number]>): Buffer {
  const b = zero(48);
  b[0] = dir === 'sports' ? 0 : dir === 'dports' ? 1 : 2;
  let n = 0;
  for (const [lo, hi] of ports) {
    if (n + (lo === hi ? 1 : 2) > 15) throw new RangeError('-m multiport: at most 15 ports (a range counts as two)');
    b.writeUInt16LE(lo, 2 + n * 2);
    if (lo !== hi) { b[32 + n] = 1; n++; b.writeUInt16LE(hi, 2 + n * 2); }
    n++;
  }
  b[1] = n;
  return b;
}
export function decodeMultiport(b: Buffer): { dir: 'sports' | 'dports' | 'ports'; ports: string[] } {
  const dir = b[0] === 0 ? 'sports' : b[0] === 1 ? 'dports' : 'ports';
  const ports: string[] = [];
  for (let i = 0; i < b[1]; i++) {
    const p = b.readUInt16LE(2 + i * 2);
    if (b[32 + i]) { ports.push(`${p}:${b.readUInt16LE(2 + (i + 1) * 2)}`); i++; } else ports.push(String(p));
  }
  return { dir, ports };
}

const NF_NAT_RANGE_MAP_IPS = 1;
const NF_NAT_RANGE_PROTO_SPECIFIED = 2;

/** "a.b.c.d[-e.f.g.h][:p[-q]]", "[v6]:p" or a bare IPv6 address -> addresses and ports. */
export function parseNatTarget(option: string, v: string): { min?: Buffer; max?: Buffer; ports?: [number, number] } {
  const bracket = /^\[([^\]]+)\](?::(\d+)(?:-(\d+))?)?$/.exec(v);
  const bareV6 = !bracket && (v.match(/:/g) ?? []).length > 1 ? [v, v, undefined, undefined] : undefined;
  const m = bracket ?? bareV6 ?? /^([^:]*)(?::(\d+)(?:-(\d+))?)?$/.exec(v);
  if (!m) throw new RangeError(`${option}: ${JSON.stringify(v)} is not ADDR[-ADDR][:PORT[-PORT]]`);
  const out: { min?: Buffer; max?: Buffer; ports?: [number, number] } = {};
  if (m[1]) {
    const [a, b] = m[1].includes(':') ? [m[1]] : m[1].split('-');
    out.min = parseAddress(option, a).bytes;
    out.max = b ? parseAddress(option, b).bytes : out.min;
  }
  if (m[2]) {
    const lo = Number(m[2]);
    const hi = m[3] ? Number(m[3]) : lo;
    for (const p of [lo, hi]) if (p < 1 || p > 65535) throw new RangeError(`${option}: port ${p} is out of range (1–65535)`);
    out.ports = [lo, hi];
  }
  if (!out.min && !out.ports) throw new RangeError(`${option}: ${JSON.stringify(v)} names no address or port`);
  return out;
}

/** nf_nat_range2 (DNAT rev 2). */
export function natRange2(t: ReturnType<typeof parseNatTarget>): Buffer {
  const b = zero(42);
  b.writeUInt32LE((t.min ? NF_NAT_RANGE_MAP_IPS : 0) | (t.ports ? NF_NAT_RANGE_PROTO_SPECIFIED : 0), 0);
  if (t.min) { t.min.copy(b, 4); t.max!.copy(b, 20); }
  if (t.ports) { b.writeUInt16BE(t.ports[0], 36); b.writeUInt16BE(t.ports[1], 38); }
  return b;
}

/** nf_nat_ipv4_multi_range_compat (SNAT, MASQUERADE, REDIRECT rev 0): one range. */
export function natMultiRange(t: { min?: Buffer; max?: Buffer; ports?: [number, number] }): Buffer {
  const b = zero(20);
  b.writeUInt32LE(1, 0); // rangesize
  b.writeUInt32LE((t.min ? NF_NAT_RANGE_MAP_IPS : 0) | (t.ports ? NF_NAT_RANGE_PROTO_SPECIFIED : 0), 4);
  if (t.min) { t.min.copy(b, 8); t.max!.copy(b, 12); }
  if (t.ports) { b.writeUInt16BE(t.ports[0], 16); b.writeUInt16BE(t.ports[1], 18); }
  return b;
}

function formatNat(min: Buffer | undefined, max: Buffer | undefined, ports: [number, number] | undefined, v6 = false): string {
  const ip = (x: Buffer) => (v6 ? formatV6(x.subarray(0, 16)) : [...x.subarray(0, 4)].join('.'));
  const len = v6 ? 16 : 4;
  let s = '';
  if (min) s += ip(min) + (max && !max.subarray(0, len).equals(min.subarray(0, len)) ? `-${ip(max)}` : '');
  if (v6 && min && ports) s = `[${s}]`;
  if (ports) s += `:${ports[0]}${ports[1] !== ports[0] ? `-${ports[1]}` : ''}`;
  return s;
}

/** nf_nat_range (IPv6 SNAT rev 1, MASQUERADE and REDIRECT rev 0): flags, min/max address, min/max port. */
export function natRange(t: { min?: Buffer; max?: Buffer; ports?: [number, number] }): Buffer {
  const b = zero(40);
  b.writeUInt32LE((t.min ? NF_NAT_RANGE_MAP_IPS : 0) | (t.ports ? NF_NAT_RANGE_PROTO_SPECIFIED : 0), 0);
  if (t.min) { t.min.copy(b, 4); t.max!.copy(b, 20); }
  if (t.ports) { b.writeUInt16BE(t.ports[0], 36); b.writeUInt16BE(t.ports[1], 38); }
  return b;
}

export function decodeNatRange(b: Buffer): { text: string; ports?: string } {
  const flags = b.readUInt32LE(0);
  const ports: [number, number] | undefined = flags & NF_NAT_RANGE_PROTO_SPECIFIED ? [b.readUInt16BE(36), b.readUInt16BE(38)] : undefined;
  return {
    text: formatNat(flags & NF_NAT_RANGE_MAP_IPS ? b.subarray(4, 20) : undefined, b.subarray(20, 36), ports, true),
    ports: ports && `${ports[0]}${ports[1] !== ports[0] ? `-${ports[1]}` : ''}`,
  };
}

export function decodeNatRange2(b: Buffer, v6 = false): string {
  const flags = b.readUInt32LE(0);
  return formatNat(flags & NF_NAT_RANGE_MAP_IPS ? b.subarray(4, 20) : undefined, b.subarray(20, 36),
    flags & NF_NAT_RANGE_PROTO_SPECIFIED ? [b.readUInt16BE(36), b.readUInt16BE(38)] : undefined, v6);
}

export function decodeNatMultiRange(b: Buffer): { text: string; ports?: string } {
  const flags = b.readUInt32LE(4);
  const ports: [number, number] | undefined = flags & NF_NAT_RANGE_PROTO_SPECIFIED ? [b.readUInt16BE(16), b.readUInt16BE(18)] : undefined;
  return {
    text: formatNat(flags & NF_NAT_RANGE_MAP_IPS ? b.subarray(8, 12) : undefined, b.subarray(12, 16), ports),
    ports: ports && `${ports[0]}${ports[1] !== ports[0] ? `-${ports[1]}` : ''}`,
  };
}

/** xt_mark_tginfo2 (MARK rev 2). */
export function markTarget(mark: number, mask: number): Buffer {
  const b = zero(8);
  b.writeUInt32LE(mark >>> 0, 0);
  b.writeUInt32LE(mask >>> 0, 4);
  return b;
}

/** xt_log_info (LOG rev 0): level, flags, prefix[30]. */
export function logInfo(prefix: string | undefined, level: number): Buffer {
  const b = zero(32);
  b[0] = level;
  if (prefix !== undefined) {
    if (Buffer.byteLength(prefix) > 29) throw new RangeError(`--log-prefix: ${JSON.stringify(prefix)} is longer than 29 bytes`);
    b.write(prefix, 2);
  }
  return b;
}
export function decodeLog(b: Buffer): { level: number; prefix: string } {
  const p = b.subarray(2, 32);
  return { level: b[0], prefix: p.subarray(0, p.indexOf(0) < 0 ? p.length : p.indexOf(0)).toString() };
}

/** ipt_reject_info (REJECT rev 0): what to answer with. */
export const REJECT_WITH = ['icmp-net-unreachable', 'icmp-host-unreachable', 'icmp-proto-unreachable', 'icmp-port-unreachable',
  'icmp-echo-reply', 'icmp-net-prohibited', 'icmp-host-prohibited', 'tcp-reset', 'icmp-admin-prohibited'];
/** ip6t_reject_info's values (REJECT rev 0 in ip6 tables). */
export const REJECT6_WITH = ['icmp6-no-route', 'icmp6-adm-prohibited', 'icmp6-not-neighbor', 'icmp6-addr-unreachable',
  'icmp6-port-unreachable', 'echo-reply', 'tcp-reset', 'icmp6-policy-fail', 'icmp6-reject-route'];
export function rejectInfo(withName: string, table = REJECT_WITH): Buffer {
  const b = zero(4);
  b.writeUInt32LE(table.indexOf(withName), 0);
  return b;
}
