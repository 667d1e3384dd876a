// Random valid WireMessages for every table of src/codec (a seeded PRNG: the same seed, the same
// messages), for the round-trip property tests and the differential check against the C++ codec.
import { messageSpec, NETLINK_NETFILTER, NETLINK_ROUTE } from '../src/codec/families';
import { type AttrSet, type AttrSpec, Kind, type MessageSpec, type StructSpec } from '../src/codec/schema';
import { formatIp, formatMac } from '../src/codec/text';
import type { WireMessage } from '../src/codec/wire-message';

/** mulberry32: small, fast, good enough for picking test values. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  readonly next: () => number;
  constructor(seed: number) { this.next = prng(seed); }
  int(n: number): number { return Math.floor(this.next() * n); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  /** An unsigned or signed integer of `size` bytes, edges often; 8 bytes as a bigint. */
  integer(size: number, signed: boolean): number | bigint {
    if (size === 8) {
      const edge = this.pick([0n, 1n, 0xffffffffffffffffn, 0x7fffffffffffffffn, 1n << 32n]);
      return this.chance(0.3) ? edge : this.bytes(8).readBigUInt64LE();
    }
    const bits = 8 * size;
    const max = 2 ** bits;
    const u = this.chance(0.3) ? this.pick([0, 1, max - 1, max / 2, max / 2 - 1]) : this.int(max);
    return signed && u >= max / 2 ? u - max : u;
  }
  text(): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-_.:/ é中';
    let s = '';
    for (let n = this.int(16); n > 0; n--) s += alphabet[this.int(alphabet.length)];
    return s;
  }
  ip(): string {
    if (this.chance(0.4)) return formatIp(this.bytes(4), 0, 4);
    // IPv6 with runs of zero groups (where "::" and the embedded IPv4 forms come from).
    const b = this.bytes(16);
    for (let i = 0; i < 8; i++) if (this.chance(0.5)) b.writeUInt16BE(this.chance(0.1) ? 0xffff : 0, 2 * i);
    return formatIp(b, 0, 16);
  }
}

export function randomStruct(r: Random, st: StructSpec): Record<string, number | bigint> {
  const out: Record<string, number | bigint> = {};
  for (const f of st.fields) out[f.name] = r.integer(f.size, f.signed);
  return out;
}

function randomValue(r: Random, spec: AttrSpec, depth: number): unknown {
  switch (spec.kind) {
    case Kind.U8: case Kind.U16: case Kind.U32: case Kind.U64: case Kind.S32:
    case Kind.U16BE: case Kind.U32BE: case Kind.U64BE:
      return r.integer(spec.size, spec.signed);
    case Kind.String: case Kind.Chars: return r.text();
    case Kind.Binary: return r.bytes(r.int(24));
    case Kind.Mac: { const n = 1 + r.int(8); return formatMac(r.bytes(n), 0, n); }
    case Kind.IP: return r.ip();
    case Kind.Flag: return true;
    case Kind.Nested: return randomAttrs(r, spec.set!, depth + 1);
    case Kind.Struct: return randomStruct(r, spec.struct!);
    case Kind.HeaderNested: return { header: randomStruct(r, spec.struct!), attrs: randomAttrs(r, spec.set!, depth + 1) };
    case Kind.Nexthops: {
      const hops = [];
      for (let n = r.int(3); n > 0; n--) {
        const header = randomStruct(r, spec.struct!);
        delete header.len; // rtnh_len: the codec writes it
        hops.push({ header, attrs: randomAttrs(r, spec.set!, depth + 1) });
      }
      return hops;
    }
    case Kind.SubMessage: throw new Error('chosen with its selector (randomAttrs)');
  }
}

/** Kinds that nest: left out below a few levels (tables that refer to themselves recurse). */
const nests = (k: Kind) => k === Kind.Nested || k === Kind.HeaderNested || k === Kind.Nexthops || k === Kind.SubMessage;

/** A random selection of the set's attributes with valid values; a sub-message with its selector. */
export function randomAttrs(r: Random, set: AttrSet, depth = 0, all = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of set.attrs) {
    if (!all && !r.chance(0.5)) continue;
    if (nests(spec.kind) && depth >= 3) continue;
    if (spec.kind === Kind.SubMessage) {
      const [key, chosen] = r.pick([...spec.sub!.choices]);
      out[spec.sub!.selector] = key;
      out[spec.name] = randomAttrs(r, chosen, depth + 1, all);
      continue;
    }
    if (out[spec.name] !== undefined) continue; // a selector a sub-message already set
    out[spec.name] = spec.multi ? Array.from({ length: 1 + r.int(3) }, () => randomValue(r, spec, depth)) : randomValue(r, spec, depth);
  }
  return out;
}

/** Every message type with a table: [protocol, type, spec]. */
export function everyMessageType(): Array<[number, number, MessageSpec]> {
  const out: Array<[number, number, MessageSpec]> = [];
  for (let t = 0; t < 0x10000; t++) {
    for (const p of [NETLINK_ROUTE, NETLINK_NETFILTER]) {
      const spec = messageSpec(p, t);
      if (spec) out.push([p, t, spec]);
    }
  }
  return out;
}

export function randomMessage(r: Random, type: number, spec: MessageSpec, all = false): WireMessage {
  return { type, flags: r.int(0x10000), header: randomStruct(r, spec.header), attrs: randomAttrs(r, spec.attrs, 0, all) };
}
