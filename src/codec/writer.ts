// WireMessages -> netlink bytes, walking the tables (schema.ts): nlmsghdr, the fixed header,
// attributes and nests, all 4-byte aligned, written straight into one growing Buffer. What the wire
// cannot carry is refused, never cut: a TypeError or RangeError naming where the value sits
// ("attrs.linkinfo.data.peer.attrs.mtu: 4294967296 does not fit in 32 bits").
import { messageSpec } from './families';
import { type AttrSet, type AttrSpec, Kind, type StructSpec } from './schema';
import { parseIp, parseMac } from './text';
import type { WireMessage } from './wire-message';

const MAX_ATTR = 0xffff; // nla_len is 16 bits, header included
const TWO_32 = 2 ** 32;
const TWO_63 = 2 ** 63;

type Obj = Record<string, unknown>;

/** A plain object of named values (what the tables call a map), not a list or bytes. */
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export class Writer {
  buf = Buffer.allocUnsafe(4096);
  at = 0;
  /** Where the value being written sits: names and list indexes, joined only for an error. */
  readonly path: Array<string | number> = [];

  reset(): void {
    this.at = 0;
    // Only after a refusal left names behind: setting length 0 frees the array's storage, and
    // every message would then grow it again.
    if (this.path.length !== 0) this.path.length = 0;
  }

  room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  where(): string {
    let s = '';
    for (const p of this.path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
    return s;
  }

  typeError(what: string, v: unknown): never {
    throw new TypeError(`${this.where()}: ${what}, got ${show(v)}`);
  }

  rangeError(what: string): never {
    throw new RangeError(`${this.where()}: ${what}`);
  }

  pad(): void {
    this.room(3);
    while (this.at & 3) this.buf[this.at++] = 0;
  }

  /** An attribute header with its length left to fill in (end()); returns where it starts. */
  begin(type: number): number {
    this.room(4);
    const off = this.at;
    this.buf[off + 2] = type;
    this.buf[off + 3] = type >> 8;
    this.at += 4;
    return off;
  }

  /** Pads, then writes the length of what begin() started (payload and header, not the padding). */
  end(off: number): void {
    const len = this.at - off;
    if (len > MAX_ATTR) this.rangeError(`an attribute of ${len} bytes is longer than netlink allows (65,535 with its header)`);
    this.buf[off] = len;
    this.buf[off + 1] = len >> 8;
    this.pad();
  }
}

/** value as an integer of `bits` bits: from -2^(bits-1) (a signed field's negatives) to 2^bits-1. */
function integer(w: Writer, v: unknown, bits: number): number | bigint {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) w.typeError('expected an integer', v);
    if (v < -TWO_63 || v >= TWO_63) w.rangeError(`${v} is a number outside the 64-bit range`);
    if (bits < 64 && (v < 0 ? v < -(2 ** (bits - 1)) : v >= 2 ** bits)) w.rangeError(`${v} does not fit in ${bits} bits`);
    return v;
  }
  if (typeof v === 'bigint') {
    if (v < -(1n << BigInt(bits - 1)) || v >= 1n << BigInt(bits)) w.rangeError(`${v} does not fit in ${bits} bits`);
    return bits < 64 ? Number(v) : v;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return w.typeError('expected an integer', v);
}

function putInt(w: Writer, n: number | bigint, size: number, bigEndian: boolean): void {
  const b = w.buf;
  const at = w.at;
  if (size === 8) {
    if (typeof n === 'bigint') {
      const u = BigInt.asUintN(64, n);
      if (bigEndian) b.writeBigUInt64BE(u, at);
      else b.writeBigUInt64LE(u, at);
    } else {
      const hi = Math.floor(n / TWO_32); // exact: n is an integer below 2^63 in magnitude
      const lo = n - hi * TWO_32;
      if (bigEndian) { b.writeUInt32BE(hi >>> 0, at); b.writeUInt32BE(lo, at + 4); } else { b.writeUInt32LE(lo, at); b.writeUInt32LE(hi >>> 0, at + 4); }
    }
  } else {
    const v = n as number; // narrower values arrive as numbers (integer() converts bigints)
    if (size === 1) b[at] = v;
    else if (size === 2) {
      if (bigEndian) { b[at] = v >>> 8; b[at + 1] = v; } else { b[at] = v; b[at + 1] = v >>> 8; }
    } else if (bigEndian) {
      b[at] = v >>> 24; b[at + 1] = v >>> 16; b[at + 2] = v >>> 8; b[at + 3] = v;
    } else {
      b[at] = v; b[at + 1] = v >>> 8; b[at + 2] = v >>> 16; b[at + 3] = v >>> 24;
    }
  }
  w.at = at + size;
}

/** Zeros in b[start, end): a few bytes, for which a loop costs less than Buffer.fill's checks. */
function zero(b: Buffer, start: number, end: number): void {
  for (let i = start; i < end; i++) b[i] = 0;
}

/** The struct's size in bytes, zeros where v gives no field; then padding. */
export function encodeStruct(w: Writer, spec: StructSpec, v: unknown): void {
  w.room(spec.size + 3);
  const start = w.at;
  zero(w.buf, start, start + spec.size);
  if (isObject(v)) {
    const fields = spec.fields;
    for (let i = 0; i < fields.length; i++) { // indexed: no iterator results before the JIT optimizes this
      const f = fields[i];
      const fv = v[f.name];
      if (fv === undefined) continue;
      w.path.push(f.name);
      const n = integer(w, fv, 8 * f.size);
      w.at = start + f.offset;
      putInt(w, n, f.size, f.bigEndian);
      w.path.pop();
    }
  }
  w.at = start + spec.size;
  w.pad();
}

/** Text or bytes for a String/Chars/Binary/Mac/IP attribute. */
function textOrBytes(w: Writer, v: unknown): string | Uint8Array {
  if (typeof v === 'string' || v instanceof Uint8Array) return v;
  return w.typeError('expected a string', v);
}

function putBytes(w: Writer, type: number, v: string | Uint8Array, nul: boolean): void {
  const off = w.begin(type);
  if (typeof v === 'string') {
    const short = v.length <= 64;
    let ascii = short;
    if (short) {
      w.room(v.length + 1);
      for (let i = 0; i < v.length; i++) {
        const c = v.charCodeAt(i);
        if (c > 127) { ascii = false; break; }
        w.buf[w.at + i] = c;
      }
    }
    if (ascii) {
      w.at += v.length;
    } else {
      w.room(Buffer.byteLength(v) + 1);
      w.at += w.buf.write(v, w.at, 'utf8');
    }
  } else {
    putRaw(w, v, v.length + 1);
  }
  if (nul) w.buf[w.at++] = 0;
  w.end(off);
}

/** Bytes as they are (`room`: what to make room for, a NUL after them included). */
function putRaw(w: Writer, v: Uint8Array, room = v.length): void {
  w.room(room);
  w.buf.set(v, w.at);
  w.at += v.length;
}

function encodeOne(w: Writer, spec: AttrSpec, v: unknown, siblings: Obj, nestedFlag: boolean): void {
  const nestType = nestedFlag ? spec.type | 0x8000 : spec.type; // NLA_F_NESTED
  switch (spec.kind) {
    case Kind.U8: case Kind.U16: case Kind.U32: case Kind.U64: case Kind.S32:
    case Kind.U16BE: case Kind.U32BE: case Kind.U64BE: {
      const n = integer(w, v, 8 * spec.size);
      const off = w.begin(spec.type);
      w.room(8);
      putInt(w, n, spec.size, spec.bigEndian);
      w.end(off);
      return;
    }
    case Kind.String: case Kind.Chars:
      putBytes(w, spec.type, textOrBytes(w, v), spec.kind === Kind.String);
      return;
    case Kind.Binary:
      putBytes(w, spec.type, textOrBytes(w, v), false);
      return;
    case Kind.Mac: case Kind.IP: {
      const t = textOrBytes(w, v);
      const s = typeof t === 'string' ? t : Buffer.from(t).toString('latin1');
      const raw = spec.kind === Kind.Mac ? parseMac(s) : parseIp(s);
      if (raw === null) w.typeError(spec.kind === Kind.Mac ? 'not a link-layer address' : 'not an IP address', v);
      putBytes(w, spec.type, raw, false);
      return;
    }
    case Kind.Flag: {
      if (v === false) return; // off: left out
      w.end(w.begin(spec.type));
      return;
    }
    case Kind.Nested: {
      const off = w.begin(nestType);
      if (v instanceof Uint8Array) putRaw(w, v); // a payload encoded once (encodeNest), shared by many messages
      else encodeAttrs(w, spec.set!, v, nestedFlag);
      w.end(off);
      return;
    }
    case Kind.Struct: {
      const off = w.begin(spec.type); // a struct payload is not a nest: no flag
      encodeStruct(w, spec.struct!, v);
      w.end(off);
      return;
    }
    case Kind.HeaderNested: {
      const off = w.begin(spec.type);
      encodeHeaderAndAttrs(w, spec, v, nestedFlag);
      w.end(off);
      return;
    }
    case Kind.SubMessage: {
      const key = siblings[spec.sub!.selector];
      const set = typeof key === 'string' ? spec.sub!.choices.get(key) : undefined;
      if (set === undefined) w.typeError(`no attribute table for ${spec.sub!.selector} ${show(key)}`, v);
      const off = w.begin(nestType);
      encodeAttrs(w, set, v, nestedFlag);
      w.end(off);
      return;
    }
    case Kind.Nexthops: {
      if (!Array.isArray(v)) w.typeError('expected a list of next hops', v);
      const off = w.begin(spec.type);
      for (let i = 0; i < v.length; i++) {
        const start = w.at;
        w.path.push(i);
        encodeHeaderAndAttrs(w, spec, v[i], nestedFlag);
        w.end(start); // rtnh_len: the hop's header and attributes
        w.path.pop();
      }
      w.end(off);
      return;
    }
  }
}

/** { header, attrs } of a HeaderNested attribute or a next hop: the struct (zeros without one), then the attributes. */
function encodeHeaderAndAttrs(w: Writer, spec: AttrSpec, v: unknown, nestedFlag: boolean): void {
  const o = isObject(v) ? v : undefined;
  w.path.push('header');
  encodeStruct(w, spec.struct!, o?.header);
  w.path.pop();
  if (o?.attrs !== undefined) {
    w.path.push('attrs');
    encodeAttrs(w, spec.set!, o.attrs, nestedFlag);
    w.path.pop();
  }
}

/** The attributes of `attrs` by the table `set`, in the object's order; undefined/null ones left out. */
export function encodeAttrs(w: Writer, set: AttrSet, attrs: unknown, nestedFlag: boolean): void {
  if (!isObject(attrs)) w.typeError('expected an object of attributes', attrs);
  // for-in, not Object.keys: no array per object (messages are plain literals: nothing inherited).
  for (const key in attrs) {
    const v = attrs[key];
    if (v === undefined || v === null) continue;
    w.path.push(key);
    const spec = set.byName.get(key);
    if (spec === undefined) w.typeError(`not an attribute of ${set.name}`, v);
    if (spec.multi && Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        w.path.push(i);
        encodeOne(w, spec, v[i], attrs, nestedFlag);
        w.path.pop();
      }
    } else {
      encodeOne(w, spec, v, attrs, nestedFlag);
    }
    w.path.pop();
  }
}

function u16(w: Writer, v: unknown, name: string): number {
  w.path.push(name);
  const n = integer(w, v, 16) as number;
  if (n < 0) w.rangeError(`${n} does not fit in 16 bits unsigned`);
  w.path.pop();
  return n;
}

/** One message { type, flags, header, attrs } at the writer's end: nlmsg_len set, seq and pid 0. */
export function encodeMessage(w: Writer, protocol: number, msg: WireMessage): void {
  if (!isObject(msg)) w.typeError('expected a message object', msg);
  if (msg.type === undefined) w.typeError('a message needs a type', msg.type);
  const type = u16(w, msg.type, 'type');
  const flags = msg.flags === undefined ? 0 : u16(w, msg.flags, 'flags');
  const spec = messageSpec(protocol, type);
  if (spec === undefined) {
    w.path.push('type');
    w.typeError(`no table for message type ${type} of netlink protocol ${protocol}`, msg.type);
  }
  w.pad();
  w.room(16);
  const start = w.at;
  const b = w.buf;
  // Byte stores, not writeUInt16LE and a zeroing loop: a batch writes 1,000 headers before V8 optimizes this.
  b[start + 4] = type;
  b[start + 5] = type >> 8;
  b[start + 6] = flags;
  b[start + 7] = flags >> 8;
  b[start + 8] = b[start + 9] = b[start + 10] = b[start + 11] = 0; // seq
  b[start + 12] = b[start + 13] = b[start + 14] = b[start + 15] = 0; // port
  w.at += 16;
  w.path.push('header');
  encodeStruct(w, spec.header, msg.header);
  w.path.pop();
  if (msg.attrs !== undefined) {
    w.path.push('attrs');
    encodeAttrs(w, spec.attrs, msg.attrs, spec.nestedFlag);
    w.path.pop();
  }
  const len = w.at - start;
  const end = w.buf; // grown (a new Buffer) if the attributes needed more room
  end[start] = len;
  end[start + 1] = len >> 8;
  end[start + 2] = len >> 16;
  end[start + 3] = len >>> 24;
}
