// Elements of sets and maps, both ways: a value (a single value, prefix or range of a field, a tuple of
// a concatenation, a verdict) as a set element's key or data, and listed elements back into values in
// the order nft lists them.
import { SET_TYPES, VERDICT } from '../constants';
import type { Field, Scalar } from '../items';
import { networkMask } from './bytes';
import { FIELD_ROWS, noIfindex, scalarFromBytes } from './fields';
import type { IfindexOf } from './types';

/** A verdict as map data: "accept", "drop", "jump CHAIN", … */
export function verdictData(v: string): { verdict: { code: number; chain?: string } } {
  const [name, chain] = v.split(/\s+/);
  return { verdict: { code: VERDICT[name as keyof typeof VERDICT] >>> 0, chain } };
}

export function verdictName(d: { code: number; chain?: string }): string | undefined {
  const name = (Object.keys(VERDICT) as Array<keyof typeof VERDICT>).find((k) => VERDICT[k] === (d.code | 0));
  return name && (d.chain ? `${name} ${d.chain}` : name);
}

/** A set element of a field's value: a prefix or range becomes an interval (key to keyEnd). */
export function element(field: Field, e: Scalar, ifindex: IfindexOf = noIfindex): { key: Buffer; keyEnd?: Buffer } {
  const f = FIELD_ROWS[field];
  if (e.kind === 'single') return { key: f.bytes(e.value, ifindex) };
  if (e.kind === 'range') return { key: f.bytes(e.from, ifindex), keyEnd: f.bytes(e.to, ifindex) };
  const mask = networkMask(e.length, f.len);
  const start = Buffer.from(f.bytes(e.address, ifindex).map((b, i) => b & mask[i]));
  const end = Buffer.from(start.map((b, i) => b | (~mask[i] & 0xff)));
  return { key: start, keyEnd: end };
}

/** Listed elements back into a field's values: an address interval that is exactly a prefix lists as one. */
export function setElements(field: Field, elements: Array<{ key: Buffer; keyEnd?: Buffer; intervalEnd?: boolean }>): Scalar[] {
  const out: Scalar[] = [];
  for (const e of inNftOrder([field], elements)) {
    if (e.intervalEnd) continue;
    if (!e.keyEnd) { out.push({ kind: 'single', value: scalarFromBytes(field, e.key) }); continue; }
    const from = scalarFromBytes(field, e.key);
    const to = scalarFromBytes(field, e.keyEnd);
    if (field.startsWith('ip')) {
      const len = e.key.length;
      for (let p = 0; p <= len * 8; p++) {
        const mask = networkMask(p, len);
        const start = Buffer.from(e.key.map((b, i) => b & mask[i]));
        const end = Buffer.from(start.map((b, i) => b | (~mask[i] & 0xff)));
        if (start.equals(e.key) && end.equals(e.keyEnd)) { out.push(p === len * 8 ? { kind: 'single', value: from } : { kind: 'prefix', address: String(from), length: p }); break; }
        if (p === len * 8) out.push({ kind: 'range', from, to });
      }
    } else {
      out.push(from === to ? { kind: 'single', value: from } : { kind: 'range', from, to });
    }
  }
  return out.sort((a, b) => (typeof (a as any).value === 'number' || typeof (a as any).from === 'number'
    ? Number((a as any).value ?? (a as any).from) - Number((b as any).value ?? (b as any).from) : 0));
}

/**
 * Elements in the order nft lists them: ascending, whatever order the kernel keeps them in (a hash
 * set's dump order is not the order they were added). Addresses and ports are big-endian and names
 * are bytes, so their keys' bytes sort as nft sorts them; a concatenation's keys likewise, component
 * by component. Host-order numbers (marks) are left to their callers' numeric sort.
 */
export function inNftOrder<E extends { key: Buffer }>(fields: Field[], elements: E[]): E[] {
  const byBytes = fields.length > 1 || fields[0].startsWith('ip') || fields[0].endsWith('ifname');
  return byBytes ? [...elements].sort((a, b) => Buffer.compare(a.key, b.key)) : elements;
}

/** A component's slot in a concatenated key: its length rounded up to 32-bit words. */
const slot = (field: Field) => Math.ceil(FIELD_ROWS[field].len / 4) * 4;

/** nft's concatenated type: 6 bits per component type, in order. */
export function concatType(fields: Field[]): { id: number; len: number } {
  let id = 0;
  let len = 0;
  for (const f of fields) {
    id = (id << 6) | SET_TYPES[FIELD_ROWS[f].keyType].id;
    len += slot(f);
  }
  return { id, len };
}

/** A tuple's key: each component in its own 32-bit-aligned slot. */
export function concatKeyOf(fields: Field[], tuple: Array<string | number>, ifindex: IfindexOf = noIfindex): Buffer {
  return Buffer.concat(fields.map((f, i) => {
    const b = FIELD_ROWS[f].bytes(tuple[i], ifindex);
    return Buffer.concat([b, Buffer.alloc(slot(f) - b.length)]);
  }));
}

/** Splits a concatenated key back into its components' values. */
export function splitConcatKey(fields: Field[], key: Buffer, ifname: (index: number) => string | undefined = () => undefined): Array<string | number> {
  const out: Array<string | number> = [];
  let off = 0;
  for (const f of fields) {
    const part = key.subarray(off, off + FIELD_ROWS[f].len);
    out.push(f === 'iif' || f === 'oif' ? (ifname(part.readUInt32LE(0)) ?? part.readUInt32LE(0)) : scalarFromBytes(f, part));
    off += slot(f);
  }
  return out;
}
