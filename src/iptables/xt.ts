// The xtables match structs iptables-nft puts in compat match expressions (x86-64 layouts, as
// iptables-nft 1.8.9 sends them; each padded to 8 bytes like XT_ALIGN). Targets: xt-targets.ts.

export const align8 = (n: number) => (n + 7) & ~7;
export const zero = (n: number) => Buffer.alloc(align8(n));
/** A NUL-terminated string field. */
export const cString = (b: Buffer) => b.subarray(0, b.indexOf(0) < 0 ? b.length : b.indexOf(0)).toString();

/** XT_CONNTRACK_STATE_* bits (SNAT/DNAT/UNTRACKED above the ctinfo ones), in the order iptables prints them. */
export const CT_STATE_BITS: Record<string, number> = { INVALID: 1, NEW: 8, RELATED: 4, ESTABLISHED: 2, UNTRACKED: 256, SNAT: 64, DNAT: 128 };
/** IPS_* conntrack status bits --ctstatus takes, in print order (NONE is the empty mask). */
export const CT_STATUS_BITS: Record<string, number> = { EXPECTED: 1, SEEN_REPLY: 2, ASSURED: 4, CONFIRMED: 8 };
const XT_CONNTRACK_STATE = 1;
const XT_CONNTRACK_STATUS = 1 << 6;
const XT_CONNTRACK_STATE_ALIAS = 1 << 13;

export interface Conntrack { states?: string[]; statesNot?: boolean; statuses?: string[]; statusNot?: boolean; alias?: boolean }

const bits = (names: string[], table: Record<string, number>) => names.reduce((m, s) => m | (table[s] ?? 0), 0);
const namesOf = (mask: number, table: Record<string, number>) => Object.keys(table).filter((s) => mask & table[s]);

/** xt_conntrack_mtinfo3 (rev 3): --ctstate and --ctstatus, and -m state (the alias flag makes -S print it so). */
export function conntrackInfo(c: Conntrack): Buffer {
  const b = zero(162);
  const flags = (c.states ? XT_CONNTRACK_STATE : 0) | (c.statuses ? XT_CONNTRACK_STATUS : 0) | (c.alias ? XT_CONNTRACK_STATE_ALIAS : 0);
  b.writeUInt16LE(flags, 146); // match_flags
  b.writeUInt16LE((c.statesNot ? XT_CONNTRACK_STATE : 0) | (c.statusNot ? XT_CONNTRACK_STATUS : 0), 148); // invert_flags
  b.writeUInt16LE(bits(c.states ?? [], CT_STATE_BITS), 150); // state_mask
  b.writeUInt16LE(bits(c.statuses ?? [], CT_STATUS_BITS), 152); // status_mask
  return b;
}

export function decodeConntrack(b: Buffer): Conntrack | undefined {
  if (b.length < 154) return undefined;
  const flags = b.readUInt16LE(146);
  if ((flags & ~(XT_CONNTRACK_STATE | XT_CONNTRACK_STATUS | XT_CONNTRACK_STATE_ALIAS)) !== 0) return undefined; // other conntrack options
  const invert = b.readUInt16LE(148);
  const c: Conntrack = {};
  if (flags & XT_CONNTRACK_STATE) c.states = namesOf(b.readUInt16LE(150), CT_STATE_BITS);
  if (invert & XT_CONNTRACK_STATE) c.statesNot = true;
  if (flags & XT_CONNTRACK_STATUS) c.statuses = namesOf(b.readUInt16LE(152), CT_STATUS_BITS);
  if (invert & XT_CONNTRACK_STATUS) c.statusNot = true;
  if (flags & XT_CONNTRACK_STATE_ALIAS) c.alias = true;
  return c;
}

/** xt_comment_info: 256 bytes of text. */
export function commentInfo(text: string): Buffer {
  const b = Buffer.alloc(256);
  if (Buffer.byteLength(text) > 255) throw new RangeError(`--comment: ${JSON.stringify(text)} is longer than 255 bytes`);
  b.write(text);
  return b;
}
export const decodeComment = cString;

/** xt_addrtype_info_v1 (rev 1): source, dest (XT_ADDRTYPE_* bits), flags. */
export const ADDRTYPES: Record<string, number> = {
  UNSPEC: 1, UNICAST: 2, LOCAL: 4, BROADCAST: 8, ANYCAST: 16, MULTICAST: 32, BLACKHOLE: 64, UNREACHABLE: 128,
  PROHIBIT: 256, THROW: 512, NAT: 1024, XRESOLVE: 2048,
};
/** XT_ADDRTYPE_INVERT_SOURCE, _INVERT_DEST, _LIMIT_IFACE_IN, _LIMIT_IFACE_OUT. */
export const ADDRTYPE_FLAGS = { srcNot: 1, dstNot: 2, limitIn: 4, limitOut: 8 } as const;
export interface Addrtype { src?: string; dst?: string; flags: number }
export function addrtypeInfo(a: Addrtype): Buffer {
  const b = zero(8);
  if (a.src) b.writeUInt16LE(ADDRTYPES[a.src], 0);
  if (a.dst) b.writeUInt16LE(ADDRTYPES[a.dst], 2);
  b.writeUInt32LE(a.flags, 4);
  return b;
}
export function decodeAddrtype(b: Buffer): Addrtype {
  const name = (n: number) => Object.keys(ADDRTYPES).find((k) => ADDRTYPES[k] === n);
  return { src: name(b.readUInt16LE(0)), dst: name(b.readUInt16LE(2)), flags: b.readUInt32LE(4) };
}

/** xt_multiport_v1 (rev 1): flags (XT_MULTIPORT_SOURCE 0, _DESTINATION 1, _EITHER 2), count, ports[15], pflags, invert. */
export function multiportInfo(dir: 'sports' | 'dports' | 'ports', ports: Array<[number, number]>, invert: boolean): Buffer {
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
  b[47] = invert ? 1 : 0;
  return b;
}
export function decodeMultiport(b: Buffer): { dir: 'sports' | 'dports' | 'ports'; ports: string[]; invert: boolean } {
  const dir = b[0] === 0 ? 'sports' : b[0] === 1 ? 'dports' : 'ports';
  const ports: string[] = [];
  for (let i = 0; i < b[1]; i++) {
    const p = b.readUInt16LE(2 + i * 2);
    if (b[32 + i]) { ports.push(`${p}:${b.readUInt16LE(2 + (i + 1) * 2)}`); i++; } else ports.push(String(p));
  }
  return { dir, ports, invert: b[47] !== 0 };
}

/** xt_tcp / xt_udp (rev 0), which iptables-nft sends only for a match it has no native form for (`-m tcp` alone). */
export function tcpudpInfo(proto: 'tcp' | 'udp'): Buffer {
  const b = zero(proto === 'tcp' ? 12 : 9);
  b.writeUInt16LE(0xffff, 2); // spts[1]
  b.writeUInt16LE(0xffff, 6); // dpts[1]
  return b;
}

/** xt_statistic_info (rev 0): mode, flags (XT_STATISTIC_INVERT), u.random.probability or u.nth {every, packet, count}. */
export type Statistic = { mode: 'random'; probability: number; not: boolean } | { mode: 'nth'; every: number; packet: number; not: boolean };
export function statisticInfo(s: Statistic): Buffer {
  const b = zero(24); // the kernel's `master` pointer closes it
  b.writeUInt16LE(s.mode === 'random' ? 0 : 1, 0);
  b.writeUInt16LE(s.not ? 1 : 0, 2);
  // libxt_statistic stores every-1, and count = every - packet whatever the mode (u.random aliases u.nth.every).
  const every = s.mode === 'random' ? Math.round(0x80000000 * s.probability) : s.every - 1;
  const packet = s.mode === 'random' ? 0 : s.packet;
  b.writeUInt32LE(every >>> 0, 4);
  b.writeUInt32LE(packet >>> 0, 8);
  b.writeUInt32LE((every - packet) >>> 0, 12);
  return b;
}
export function decodeStatistic(b: Buffer): Statistic {
  const not = (b.readUInt16LE(2) & 1) !== 0;
  return b.readUInt16LE(0) === 0
    ? { mode: 'random', probability: b.readUInt32LE(4) / 0x80000000, not }
    : { mode: 'nth', every: b.readUInt32LE(4) + 1, packet: b.readUInt32LE(8), not };
}

/** xt_physdev_info (rev 0): physindev, in_mask, physoutdev, out_mask (16 bytes each), invert, bitmask. */
export const PHYSDEV = { in: 1, out: 2, bridged: 4, isIn: 8, isOut: 16 } as const;
export interface Physdev { in?: string; out?: string; bitmask: number; invert: number }
export function physdevInfo(p: Physdev): Buffer {
  const b = zero(66);
  const dev = (name: string, at: number) => {
    // The name as given ("eth+" keeps its +); the mask covers the prefix of "eth+", a full name with its NUL.
    b.write(name, at);
    b.fill(0xff, at + 16, at + 16 + (name.endsWith('+') ? Buffer.byteLength(name) - 1 : Buffer.byteLength(name) + 1));
  };
  if (p.in !== undefined) dev(p.in, 0);
  if (p.out !== undefined) dev(p.out, 32);
  b[64] = p.invert;
  b[65] = p.bitmask;
  return b;
}
export function decodePhysdev(b: Buffer): Physdev {
  const dev = (at: number) => cString(b.subarray(at, at + 16));
  const bitmask = b[65];
  return { bitmask, invert: b[64], ...(bitmask & PHYSDEV.in ? { in: dev(0) } : {}), ...(bitmask & PHYSDEV.out ? { out: dev(32) } : {}) };
}

/** xt_connmark_mtinfo1 (rev 1): mark, mask, invert. */
export function connmarkInfo(mark: number, mask: number, invert: boolean): Buffer {
  const b = zero(9);
  b.writeUInt32LE(mark >>> 0, 0);
  b.writeUInt32LE(mask >>> 0, 4);
  b[8] = invert ? 1 : 0;
  return b;
}

/** xt_set_info_match_v4 (set rev 4): index, dim, flags (bit i: dimension i is src; bit 0: !), counters left unset. */
const IPSET_INV_MATCH = 1;
export function setInfo(index: number, dirs: Array<'src' | 'dst'>, invert: boolean): Buffer {
  const b = zero(44);
  b.writeUInt16LE(index, 0);
  b[2] = dirs.length;
  b[3] = dirs.reduce((f, d, i) => f | (d === 'src' ? 1 << (i + 1) : 0), invert ? IPSET_INV_MATCH : 0);
  return b;
}
export function decodeSet(b: Buffer): { index: number; dirs: Array<'src' | 'dst'>; invert: boolean } | undefined {
  if (b.length < 44 || b.subarray(4, 44).some((x) => x !== 0)) return undefined; // counters and flags: not supported
  const dirs = Array.from({ length: b[2] }, (_, i): 'src' | 'dst' => (b[3] & (1 << (i + 1)) ? 'src' : 'dst'));
  return { index: b.readUInt16LE(0), dirs, invert: (b[3] & IPSET_INV_MATCH) !== 0 };
}

/** xt_recent_mtinfo_v1 (recent rev 1): seconds, hit_count, check_set, invert, name[200], side, mask. */
export const RECENT = { rcheck: 1, set: 2, update: 4, remove: 8, rttl: 16, reap: 32 } as const;
export interface Recent { seconds: number; hitcount: number; checkSet: number; invert: boolean; name: string; dest: boolean; mask: Buffer | undefined }
export function recentInfo(r: Recent): Buffer {
  const b = zero(228);
  b.writeUInt32LE(r.seconds, 0);
  b.writeUInt32LE(r.hitcount, 4);
  b[8] = r.checkSet;
  b[9] = r.invert ? 1 : 0;
  b.write(r.name, 10);
  b[210] = r.dest ? 1 : 0;
  // libxt_recent starts from a mask of all ones, and --mask overwrites the union with the address.
  if (r.mask) r.mask.copy(b, 212); else b.fill(0xff, 212, 228);
  return b;
}
export function decodeRecent(b: Buffer): Recent {
  const mask = b.subarray(212, 228);
  return {
    seconds: b.readUInt32LE(0), hitcount: b.readUInt32LE(4), checkSet: b[8], invert: b[9] !== 0, name: cString(b.subarray(10, 210)),
    dest: b[210] === 1, mask: mask.every((x) => x === 0xff) ? undefined : Buffer.from(mask),
  };
}
