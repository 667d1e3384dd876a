// Netlink bytes -> WireMessages, walking the tables (schema.ts). The hot path of a dump: one
// object per message, nest and struct, and nothing else allocated per attribute.
import { CodecError } from './errors';
import { messageSpec } from './families';
import { type AttrSet, type AttrSpec, type FieldSpec, Kind, type MessageView, type StructSpec } from './schema';
import { formatIp, formatMac } from './text';
import type { WireMessage } from './wire-message';

/** Nests recurse (a veth peer carries link attributes): deeper than this is left undecoded. */
export const MAX_NESTING = 32;

type Attrs = Record<string, unknown>;

/** A Buffer of its own (it may outlive the reply it came from). */
const copy = (b: Buffer, start: number, end: number): Buffer => Buffer.from(b.subarray(start, end));

// A u64 as a bigint: one allocation when it fits 32 bits, none for zero (most counters of a new
// link; Buffer's readBigUInt64* makes four bigints for every value). Kept values stay small.
const ZERO = BigInt(0);
const U32 = BigInt(32);
function u64(hi: number, lo: number): bigint {
  if (hi === 0) return lo === 0 ? ZERO : BigInt(lo);
  return (BigInt(hi) << U32) | BigInt(lo);
}
const readU64LE = (b: Buffer, at: number): bigint => u64(b.readUInt32LE(at + 4), b.readUInt32LE(at));
const readU64BE = (b: Buffer, at: number): bigint => u64(b.readUInt32BE(at), b.readUInt32BE(at + 4));

function readInt(b: Buffer, at: number, size: number, signed: boolean, bigEndian: boolean): number | bigint {
  switch (size) {
    case 1: return signed ? (b[at] << 24) >> 24 : b[at];
    case 2:
      if (bigEndian) return signed ? b.readInt16BE(at) : (b[at] << 8) | b[at + 1];
      return signed ? b.readInt16LE(at) : b[at] | (b[at + 1] << 8);
    case 4:
      if (bigEndian) return signed ? b.readInt32BE(at) : b.readUInt32BE(at);
      return signed ? b.readInt32LE(at) : b.readUInt32LE(at);
    default: // 8: a bigint, always unsigned (counters, handles)
      return bigEndian ? readU64BE(b, at) : readU64LE(b, at);
  }
}

// Buffer's own slicers (what toString calls after checking its arguments): untyped, always present.
type Slicing = Buffer & { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string };

/** Text up to the first NUL. ASCII (nearly always) is read as latin1, which is cheaper than UTF-8. */
function readString(b: Slicing, start: number, end: number): string {
  let ascii = true;
  let i = start;
  for (; i < end; i++) {
    const c = b[i];
    if (c === 0) break;
    if (c > 127) ascii = false;
  }
  return ascii ? b.latin1Slice(start, i) : b.utf8Slice(start, i);
}

// A struct read whole (the usual case) by a function made for it: one object literal of fixed
// shape instead of a store per field by name (a dump's stats64 alone is 25 fields per link).
type WholeReader = (b: Buffer, at: number) => Record<string, number | bigint>;
const wholeReaders = new WeakMap<StructSpec, WholeReader>();

function wholeReader(spec: StructSpec): WholeReader {
  let f = wholeReaders.get(spec);
  if (f === undefined) {
    const read = (x: FieldSpec): string => {
      const at = `at + ${x.offset}`;
      if (x.size === 8) return `readU64${x.bigEndian ? 'BE' : 'LE'}(b, ${at})`;
      if (x.size === 1) return x.signed ? `(b[${at}] << 24) >> 24` : `b[${at}]`;
      return `b.read${x.signed ? 'Int' : 'UInt'}${8 * x.size}${x.bigEndian ? 'BE' : 'LE'}(${at})`;
    };
    // Names and numbers come from the tables in this directory, never from the bytes.
    const body = `return { ${spec.fields.map((x) => `${JSON.stringify(x.name)}: ${read(x)}`).join(', ')} };`;
    f = new Function('readU64LE', 'readU64BE', `return function (b, at) { ${body} };`)(readU64LE, readU64BE) as WholeReader;
    wholeReaders.set(spec, f);
  }
  return f;
}

export function decodeStruct(spec: StructSpec, b: Buffer, start: number, len: number): Record<string, number | bigint> {
  if (len >= spec.size) return wholeReader(spec)(b, start);
  const out: Record<string, number | bigint> = {};
  const fields = spec.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.offset + f.size > len) break; // an older kernel's shorter struct: the fields it lacks stay absent
    out[f.name] = readInt(b, start + f.offset, f.size, f.signed, f.bigEndian);
  }
  return out;
}

function decodeOne(spec: AttrSpec, b: Buffer, start: number, end: number, siblings: Attrs, depth: number): unknown {
  const len = end - start;
  switch (spec.kind) {
    case Kind.U8: case Kind.U16: case Kind.U32: case Kind.U64: case Kind.S32:
    case Kind.U16BE: case Kind.U32BE: case Kind.U64BE:
      // Shorter than its type (a kernel bug, or a newer meaning): the bytes, not a guess.
      return len < spec.size ? copy(b, start, end) : readInt(b, start, spec.size, spec.signed, spec.bigEndian);
    case Kind.String: case Kind.Chars: return readString(b as Slicing, start, end);
    case Kind.Binary: return copy(b, start, end);
    case Kind.Mac: return formatMac(b, start, end);
    case Kind.IP: return formatIp(b, start, end);
    // Present = on; some kernels send such switches as a u8 instead, so a payload is read too.
    case Kind.Flag: return len === 0 || b[start] !== 0;
    case Kind.Nested: return decodeAttrs(spec.set!, b, start, end, depth + 1);
    case Kind.Struct: return decodeStruct(spec.struct!, b, start, len);
    case Kind.HeaderNested: {
      const hlen = (spec.struct!.size + 3) & ~3;
      return {
        header: decodeStruct(spec.struct!, b, start, len),
        attrs: len > hlen ? decodeAttrs(spec.set!, b, start + hlen, end, depth + 1) : {},
      };
    }
    case Kind.SubMessage: {
      const key = siblings[spec.sub!.selector];
      const set = typeof key === 'string' ? spec.sub!.choices.get(key) : undefined;
      return set === undefined ? copy(b, start, end) : decodeAttrs(set, b, start, end, depth + 1);
    }
    case Kind.Nexthops: return decodeNexthops(spec, b, start, end, depth);
  }
}

// RTA_MULTIPATH: rtnexthop entries (rtnh_len covers the header and its attributes), 4-byte aligned.
function decodeNexthops(spec: AttrSpec, b: Buffer, start: number, end: number, depth: number): unknown[] {
  const st = spec.struct!;
  const hops: unknown[] = [];
  let at = start;
  while (at + st.size <= end) {
    const hopLen = b[at] | (b[at + 1] << 8);
    if (hopLen < st.size || hopLen > end - at) throw new CodecError(`malformed next hop in ${spec.name}: length ${hopLen}, ${end - at} bytes left`, at);
    hops.push({ header: decodeStruct(st, b, at, hopLen), attrs: decodeAttrs(spec.set!, b, at + st.size, at + hopLen, depth + 1) });
    at += (hopLen + 3) & ~3;
  }
  return hops;
}

type SetReader = (b: Buffer, start: number, end: number, depth: number) => Attrs;
const setReaders = new WeakMap<AttrSet, SetReader>();

/** The attributes in b[start, end) by the table `set`; unknown ones are skipped. Fewer than 4
 * bytes left over at the end are ignored (as the kernel's nla_parse does). */
export function decodeAttrs(set: AttrSet, b: Buffer, start: number, end: number, depth: number): Attrs {
  if (depth >= MAX_NESTING) return {};
  let read = setReaders.get(set);
  if (read === undefined) {
    read = setReader(set);
    setReaders.set(set, read);
  }
  return read(b, start, end, depth);
}

// How one attribute's value is read, as an expression over b and its payload [p, q).
function valueExpression(spec: AttrSpec, i: number): string {
  const whole = (read: string) => `(q - p < ${spec.size} ? copy(b, p, q) : ${read})`;
  switch (spec.kind) {
    case Kind.U8: return whole('b[p]');
    case Kind.U16: return whole('b[p] | (b[p + 1] << 8)');
    case Kind.U16BE: return whole('(b[p] << 8) | b[p + 1]');
    case Kind.U32: return whole('b.readUInt32LE(p)');
    case Kind.U32BE: return whole('b.readUInt32BE(p)');
    case Kind.S32: return whole('b.readInt32LE(p)');
    case Kind.U64: return whole('readU64LE(b, p)');
    case Kind.U64BE: return whole('readU64BE(b, p)');
    case Kind.String: case Kind.Chars: return 'readString(b, p, q)';
    case Kind.Binary: return 'copy(b, p, q)';
    default: return `decodeOne(attrs[${i}], b, p, q, out, depth)`;
  }
}

// A reader made for one set: a switch on the attribute type, each case storing under its own
// constant name. One generic loop storing by computed names was most of a dump's decoding time
// (each store a lookup by name across every set's object shapes); here each store site sees one.
// The code is built from the tables in this directory only, never from bytes.
function setReader(set: AttrSet): SetReader {
  const cases = set.attrs.map((spec, i) => {
    const key = JSON.stringify(spec.name);
    if (spec.kind === Kind.SubMessage) return `case ${spec.type}: hasSub = true; break;`; // once its selector sibling is known
    if (spec.multi) return `case ${spec.type}: { const v = ${valueExpression(spec, i)}; const l = out[${key}]; if (l === undefined) out[${key}] = [v]; else l.push(v); break; }`;
    return `case ${spec.type}: out[${key}] = ${valueExpression(spec, i)}; break;`; // repeated: the last one counts
  });
  const body = `return function read_${set.name}(b, start, end, depth) {
  const out = {};
  let hasSub = false;
  let at = start;
  while (end - at >= 4) {
    const len = b[at] | (b[at + 1] << 8);
    if (len < 4 || len > end - at) malformed(set, len, end - at, at);
    const p = at + 4;
    const q = at + len;
    switch ((b[at + 2] | (b[at + 3] << 8)) & 0x3fff) { // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
      ${cases.join('\n      ')}
    }
    at += (len + 3) & ~3;
  }
  if (hasSub) subMessages(set, b, start, end, out, depth);
  return out;
};`;
  return new Function('set', 'attrs', 'copy', 'readString', 'readU64LE', 'readU64BE', 'decodeOne', 'malformed', 'subMessages', body)(
    set, set.attrs, copy, readString, readU64LE, readU64BE, decodeOne, malformed, subMessages) as SetReader;
}

function malformed(set: AttrSet, len: number, left: number, at: number): never {
  throw new CodecError(`malformed attribute in ${set.name}: length ${len}, ${left} bytes left`, at);
}

// The second pass for sub-messages (IFLA_INFO_DATA after IFLA_INFO_KIND is known); the first pass
// checked every length.
function subMessages(set: AttrSet, b: Buffer, start: number, end: number, out: Attrs, depth: number): void {
  const byType = set.byType;
  for (let at = start; end - at >= 4;) {
    const len = b[at] | (b[at + 1] << 8);
    const spec = byType[(b[at + 2] | (b[at + 3] << 8)) & 0x3fff];
    if (spec !== undefined && spec.kind === Kind.SubMessage) out[spec.name] = decodeOne(spec, b, at + 4, at + len, out, depth);
    at += (len + 3) & ~3;
  }
}

/** One message at b[at, at + len): { type, flags, seq, header, attrs }, or { …, payload } without a
 * table; by `view`'s table when it is of the view's type. */
export function decodeMessage(protocol: number, b: Buffer, at: number, len: number, view?: MessageView): WireMessage {
  const type = b[at + 4] | (b[at + 5] << 8);
  const flags = b[at + 6] | (b[at + 7] << 8);
  const seq = b.readUInt32LE(at + 8);
  const spec = view !== undefined && view.type === type ? view.spec : messageSpec(protocol, type);
  const start = at + 16;
  const end = at + len;
  if (spec === undefined) return { type, flags, seq, payload: copy(b, start, end) };
  const hlen = (spec.header.size + 3) & ~3;
  return {
    type, flags, seq,
    header: decodeStruct(spec.header, b, start, len - 16),
    attrs: len - 16 > hlen ? decodeAttrs(spec.attrs, b, start + hlen, end, 0) : {},
  };
}

/**
 * What `map` makes of each message in b (undefined: left out), each length checked against what
 * is left before it is read. Each message is mapped as soon as it is decoded, so in a dump of
 * thousands only what map keeps outlives its turn (the young generation's collections then copy
 * next to nothing).
 */
export function decodeAll<T>(protocol: number, b: Buffer, map: (m: WireMessage) => T | undefined, view?: MessageView): T[] {
  const out: T[] = [];
  let at = 0;
  while (at < b.length) {
    if (b.length - at < 16) throw new CodecError(`truncated netlink header: ${b.length - at} bytes at the end`, at);
    const len = b.readUInt32LE(at);
    if (len < 16 || len > b.length - at) throw new CodecError(`malformed netlink message: length ${len}, ${b.length - at} bytes left`, at);
    const v = map(decodeMessage(protocol, b, at, len, view));
    if (v !== undefined) out.push(v);
    at += Math.min((len + 3) & ~3, b.length - at);
  }
  return out;
}
