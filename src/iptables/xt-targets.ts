// The xtables target structs iptables-nft puts in compat target expressions (x86-64 layouts, as
// iptables-nft 1.8.9 sends them; each padded to 8 bytes like XT_ALIGN).
import { formatV6, parseAddress } from '../ip';
import { cString, zero } from './xt';

const NF_NAT_RANGE_MAP_IPS = 1;
const NF_NAT_RANGE_PROTO_SPECIFIED = 2;
/** NF_NAT_RANGE_PROTO_RANDOM, _PERSISTENT, _PROTO_RANDOM_FULLY: --random, --persistent, --random-fully. */
export const NAT_FLAGS = { random: 4, persistent: 8, randomFully: 16 } as const;
export interface NatFlags { random?: boolean; randomFully?: boolean; persistent?: boolean }
const natFlags = (t: NatRange, f: NatFlags) => (t.min ? NF_NAT_RANGE_MAP_IPS : 0) | (t.ports ? NF_NAT_RANGE_PROTO_SPECIFIED : 0)
  | (f.random ? NAT_FLAGS.random : 0) | (f.persistent ? NAT_FLAGS.persistent : 0) | (f.randomFully ? NAT_FLAGS.randomFully : 0);
export function flagsOf(flags: number): NatFlags {
  return { ...(flags & NAT_FLAGS.random ? { random: true } : {}), ...(flags & NAT_FLAGS.randomFully ? { randomFully: true } : {}), ...(flags & NAT_FLAGS.persistent ? { persistent: true } : {}) };
}
type NatRange = { min?: Buffer; max?: Buffer; ports?: [number, number] };

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

/** nf_nat_range2 (DNAT rev 2): nf_nat_range and a base_proto left unset. */
export const natRange2 = (t: NatRange, f: NatFlags = {}): Buffer => natRange(t, f, 42);

/** nf_nat_ipv4_multi_range_compat (SNAT, MASQUERADE, REDIRECT rev 0): one range. */
export function natMultiRange(t: NatRange, f: NatFlags = {}): Buffer {
  const b = zero(20);
  b.writeUInt32LE(1, 0); // rangesize
  b.writeUInt32LE(natFlags(t, f), 4);
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
export function natRange(t: NatRange, f: NatFlags = {}, size = 40): Buffer {
  const b = zero(size);
  b.writeUInt32LE(natFlags(t, f), 0);
  if (t.min) { t.min.copy(b, 4); t.max!.copy(b, 20); }
  if (t.ports) { b.writeUInt16BE(t.ports[0], 36); b.writeUInt16BE(t.ports[1], 38); }
  return b;
}

export interface DecodedNat { text: string; ports?: string; flags: NatFlags }
/** nf_nat_range or nf_nat_range2 (IPv6 ones by default; DNAT's in IPv4 tables too). */
export function decodeNatRange(b: Buffer, v6 = true): DecodedNat {
  const flags = b.readUInt32LE(0);
  const ports: [number, number] | undefined = flags & NF_NAT_RANGE_PROTO_SPECIFIED ? [b.readUInt16BE(36), b.readUInt16BE(38)] : undefined;
  return {
    text: formatNat(flags & NF_NAT_RANGE_MAP_IPS ? b.subarray(4, 20) : undefined, b.subarray(20, 36), ports, v6),
    ports: ports && `${ports[0]}${ports[1] !== ports[0] ? `-${ports[1]}` : ''}`,
    flags: flagsOf(flags),
  };
}

export const decodeNatRange2 = (b: Buffer, v6 = false): DecodedNat => decodeNatRange(b, v6);

export function decodeNatMultiRange(b: Buffer): DecodedNat {
  const flags = b.readUInt32LE(4);
  const ports: [number, number] | undefined = flags & NF_NAT_RANGE_PROTO_SPECIFIED ? [b.readUInt16BE(16), b.readUInt16BE(18)] : undefined;
  return {
    text: formatNat(flags & NF_NAT_RANGE_MAP_IPS ? b.subarray(8, 12) : undefined, b.subarray(12, 16), ports),
    ports: ports && `${ports[0]}${ports[1] !== ports[0] ? `-${ports[1]}` : ''}`,
    flags: flagsOf(flags),
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
  return { level: b[0], prefix: cString(b.subarray(2, 32)) };
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

/** xt_connmark_tginfo2 (CONNMARK rev 2): ctmark, ctmask, nfmask, shift_dir, shift_bits, mode (XT_CONNMARK_SET 0, SAVE 1, RESTORE 2). */
export const CONNMARK_MODES = ['set', 'save', 'restore'] as const;
export interface Connmark { mode: (typeof CONNMARK_MODES)[number]; ctmark: number; ctmask: number; nfmask: number }
export function connmarkTarget(c: Connmark): Buffer {
  const b = zero(15);
  b.writeUInt32LE(c.ctmark >>> 0, 0);
  b.writeUInt32LE(c.ctmask >>> 0, 4);
  b.writeUInt32LE(c.nfmask >>> 0, 8);
  b[14] = CONNMARK_MODES.indexOf(c.mode);
  return b;
}
export function decodeConnmarkTarget(b: Buffer): Connmark | undefined {
  if (b[12] || b[13] || b[14] > 2) return undefined; // shifts: not supported
  return { mode: CONNMARK_MODES[b[14]], ctmark: b.readUInt32LE(0), ctmask: b.readUInt32LE(4), nfmask: b.readUInt32LE(8) };
}

/** xt_ct_target_info_v1 (CT rev 2): flags (XT_CT_NOTRACK 1, _NOTRACK_ALIAS 2), zone, events, helper, timeout. */
export const CT_FLAGS = { notrack: 1, alias: 2 } as const;
export function ctTarget(flags: number, zone: number): Buffer {
  const b = zero(64 + 8); // the kernel's ct pointer closes it
  b.writeUInt16LE(flags, 0);
  b.writeUInt16LE(zone, 2);
  return b;
}
export function decodeCtTarget(b: Buffer): { flags: number; zone: number } | undefined {
  if (b.readUInt32LE(4) || b.readUInt32LE(8) || b[12] || b[28]) return undefined; // events, helper, timeout: not supported
  return { flags: b.readUInt16LE(0), zone: b.readUInt16LE(2) };
}

/** xt_tcpmss_info (TCPMSS rev 0): the MSS, 0xffff for --clamp-mss-to-pmtu. */
export const TCPMSS_CLAMP = 0xffff;
export function tcpmssTarget(mss: number): Buffer {
  const b = zero(2);
  b.writeUInt16LE(mss, 0);
  return b;
}
