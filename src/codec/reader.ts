// Netlink bytes -> WireMessages, walking the tables (schema.ts). The hot path of a dump: one
// object per message, nest and struct, and nothing else allocated per attribute.
import { CodecError } from './errors';
import { messageSpec } from './families';
import { type AttrSet, type AttrSpec, Kind, type StructSpec } from './schema';
import { formatIp, formatMac } from './text';
import type { WireMessage } from './wire-message';

/** Nests recurse (a veth peer carries link attributes): deeper than this is left undecoded. */
export const MAX_NESTING = 32;

type Attrs = Record<string, unknown>;

/** A Buffer of its own (it may outlive the reply it came from). */
const copy = (b: Buffer, start: number, end: number): Buffer => Buffer.from(b.subarray(start, end));

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
      return bigEndian ? b.readBigUInt64BE(at) : b.readBigUInt64LE(at);
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

export function decodeStruct(spec: StructSpec, b: Buffer, start: number, len: number): Record<string, number | bigint> {
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

/** The attributes in b[start, end) by the table `set`; unknown ones are skipped. Fewer than 4
 * bytes left over at the end are ignored (as the kernel's nla_parse does). */
export function decodeAttrs(set: AttrSet, b: Buffer, start: number, end: number, depth: number): Attrs {
  const out: Attrs = {};
  if (depth >= MAX_NESTING) return out;
  const byType = set.byType;
  let hasSub = false;
  let at = start;
  while (end - at >= 4) {
    const len = b[at] | (b[at + 1] << 8);
    if (len < 4 || len > end - at) throw new CodecError(`malformed attribute in ${set.name}: length ${len}, ${end - at} bytes left`, at);
    const spec = byType[(b[at + 2] | (b[at + 3] << 8)) & 0x3fff]; // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
    if (spec !== undefined) {
      if (spec.kind === Kind.SubMessage) {
        hasSub = true; // decoded below, once its selector sibling is known
      } else {
        const v = decodeOne(spec, b, at + 4, at + len, out, depth);
        if (spec.multi) {
          const list = out[spec.name] as unknown[] | undefined;
          if (list === undefined) out[spec.name] = [v];
          else list.push(v);
        } else {
          out[spec.name] = v; // a repeated single attribute: the last one counts
        }
      }
    }
    at += (len + 3) & ~3;
  }
  if (hasSub) {
    for (at = start; end - at >= 4;) {
      const len = b[at] | (b[at + 1] << 8);
      const spec = byType[(b[at + 2] | (b[at + 3] << 8)) & 0x3fff];
      if (spec !== undefined && spec.kind === Kind.SubMessage) out[spec.name] = decodeOne(spec, b, at + 4, at + len, out, depth);
      at += (len + 3) & ~3;
    }
  }
  return out;
}

/** One message at b[at, at + len): { type, flags, seq, header, attrs }, or { …, payload } without a table. */
export function decodeMessage(protocol: number, b: Buffer, at: number, len: number): WireMessage {
  const type = b[at + 4] | (b[at + 5] << 8);
  const flags = b[at + 6] | (b[at + 7] << 8);
  const seq = b.readUInt32LE(at + 8);
  const spec = messageSpec(protocol, type);
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

/** Every message in b, each length checked against what is left before it is read. */
export function decodeAll(protocol: number, b: Buffer): WireMessage[] {
  const out: WireMessage[] = [];
  let at = 0;
  while (at < b.length) {
    if (b.length - at < 16) throw new CodecError(`truncated netlink header: ${b.length - at} bytes at the end`, at);
    const len = b.readUInt32LE(at);
    if (len < 16 || len > b.length - at) throw new CodecError(`malformed netlink message: length ${len}, ${b.length - at} bytes left`, at);
    out.push(decodeMessage(protocol, b, at, len));
    at += Math.min((len + 3) & ~3, b.length - at);
  }
  return out;
}
