// WireMessages as the addon takes them: one flat buffer per call, in the format
// native/core/value_pack.h describes. Walking objects is cheap here, in JS; done from C++ through
// N-API it cost about a microsecond per value (a rule's message ~70 µs).

/** WireMessages packed by pack(): how messages cross into the addon. */
export type Packed = Buffer & { readonly __packed: unique symbol };

const enum Tag { Null, False, True, Number, Big, String, Bytes, Map, List, KeyTable, IndexedMap }

let buf = Buffer.allocUnsafe(64 << 10);
let at = 0;
// Where the value being written sits, for the error a bad one raises.
const path: string[] = [];

function room(n: number): void {
  if (at + n <= buf.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, at + n));
  buf.copy(bigger, 0, 0, at);
  buf = bigger;
}

function fail(what: string, v: unknown): never {
  throw new TypeError(`${path.join('.').replace(/\.\[/g, '[')}: ${what}, got ${typeof v === 'bigint' ? `${v}n` : JSON.stringify(v) ?? String(v)}`);
}

/** Writes s as UTF-8 at offset; returns its length. Short ASCII (names, keys) byte by byte: a
 * Buffer.write call costs more than the copy for them. */
function text(s: string, offset: number): number {
  if (s.length <= 32) {
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) break;
      buf[offset + i] = c;
    }
    if (i === s.length) return i;
  }
  return buf.write(s, offset, 'utf8');
}

function write(v: unknown): void {
  room(9);
  switch (typeof v) {
    case 'undefined': buf[at++] = Tag.Null; return;
    case 'boolean': buf[at++] = v ? Tag.True : Tag.False; return;
    case 'number':
      if (!Number.isInteger(v)) fail('expected an integer', v);
      buf[at++] = Tag.Number;
      at = buf.writeDoubleLE(v, at);
      return;
    case 'bigint':
      if (v < 0n || v > 0xffffffffffffffffn) fail('expected an unsigned 64-bit integer', v);
      buf[at++] = Tag.Big;
      at = buf.writeBigUInt64LE(v, at);
      return;
    case 'string': {
      room(5 + v.length * 3);
      buf[at] = Tag.String;
      const n = text(v, at + 5);
      buf.writeUInt32LE(n, at + 1);
      at += 5 + n;
      return;
    }
    case 'object': break;
    default: fail('unsupported value type', v);
  }
  if (v === null) {
    buf[at++] = Tag.Null;
  } else if (v instanceof Uint8Array) {
    room(5 + v.length);
    buf[at] = Tag.Bytes;
    buf.writeUInt32LE(v.length, at + 1);
    buf.set(v, at + 5);
    at += 5 + v.length;
  } else if (Array.isArray(v)) {
    buf[at] = Tag.List;
    buf.writeUInt32LE(v.length, at + 1);
    at += 5;
    for (let i = 0; i < v.length; i++) {
      path.push(`[${i}]`);
      write(v[i]);
      path.pop();
    }
  } else {
    buf[at] = Tag.Map;
    const count = at + 1;
    at += 5;
    let n = 0;
    // for-in, not Object.keys: no array per object (messages are plain literals: nothing inherited).
    for (const key in v) {
      const item = (v as Record<string, unknown>)[key];
      if (item === undefined) continue; // an option left out
      room(1 + key.length * 3);
      buf[at] = text(key, at + 1);
      at += 1 + buf[at];
      path.push(key);
      write(item);
      path.pop();
      n++;
    }
    buf.writeUInt32LE(n, count);
  }
}

/** The values packed back to back, in a buffer of their own. */
export function pack(values: readonly unknown[], field = 'message'): Packed {
  at = 0;
  path.length = 0;
  for (let i = 0; i < values.length; i++) {
    path.push(values.length === 1 ? field : `${field}[${i}]`);
    write(values[i]);
    path.pop();
  }
  return Buffer.from(buf.subarray(0, at)) as Packed;
}

// Reading what the addon packed: replies, decoded natively by the codec's tables.
let src: Buffer = Buffer.alloc(0);
let pos = 0;
let keys: string[] = [];

function read(): unknown {
  const tag = src[pos++];
  switch (tag) {
    case Tag.Null: return null;
    case Tag.False: return false;
    case Tag.True: return true;
    case Tag.Number: pos += 8; return src.readDoubleLE(pos - 8);
    case Tag.Big: pos += 8; return src.readBigUInt64LE(pos - 8);
    case Tag.String: {
      const n = src.readUInt32LE(pos);
      pos += 4 + n;
      return src.toString('utf8', pos - n, pos);
    }
    case Tag.Bytes: {
      const n = src.readUInt32LE(pos);
      pos += 4 + n;
      return Buffer.from(src.subarray(pos - n, pos)); // its own memory: it may outlive the rest
    }
    case Tag.Map: {
      let n = src.readUInt32LE(pos);
      pos += 4;
      const o: Record<string, unknown> = {};
      for (; n > 0; n--) {
        const k = src[pos];
        const key = src.toString('latin1', pos + 1, pos + 1 + k);
        pos += 1 + k;
        o[key] = read();
      }
      return o;
    }
    case Tag.IndexedMap: {
      let n = src.readUInt32LE(pos);
      pos += 4;
      const o: Record<string, unknown> = {};
      for (; n > 0; n--) {
        const key = keys[src[pos] | (src[pos + 1] << 8)];
        pos += 2;
        o[key] = read();
      }
      return o;
    }
    case Tag.List: {
      const n = src.readUInt32LE(pos);
      pos += 4;
      const a: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) a[i] = read();
      return a;
    }
    default: throw new Error(`netlink-native: packed replies are malformed (tag ${tag} at ${pos - 1})`);
  }
}

// Key tables read lately, by their bytes: replies of one kind (a link's read-back) carry the same
// table every time, and reusing its strings spares making ~100 per reply (making them was about a
// tenth of the JS time of a container's calls, in a profile).
const recentTables: Array<{ bytes: Buffer; keys: string[] }> = [];
const RECENT_TABLES = 16;

function keyTable(): string[] {
  const start = pos;
  let n = src.readUInt32LE(pos);
  pos += 4;
  let end = pos;
  for (let i = 0; i < n; i++) end += 1 + src[end];
  for (const t of recentTables) {
    if (t.bytes.length === end - start && src.compare(t.bytes, 0, t.bytes.length, start, end) === 0) {
      pos = end;
      return t.keys;
    }
  }
  const table: string[] = [];
  for (; n > 0; n--) {
    table.push(src.toString('latin1', pos + 1, pos + 1 + src[pos]));
    pos += 1 + src[pos];
  }
  if (recentTables.length === RECENT_TABLES) recentTables.pop();
  recentTables.unshift({ bytes: Buffer.from(src.subarray(start, end)), keys: table });
  return table;
}

/** The values the addon packed, in order. */
export function unpack(packed: Buffer): unknown[] {
  src = packed;
  pos = 0;
  keys = [];
  if (src[0] === Tag.KeyTable) {
    pos = 1;
    keys = keyTable();
  }
  const out: unknown[] = [];
  while (pos < src.length) out.push(read());
  src = Buffer.alloc(0);
  keys = [];
  return out;
}
