// Byte helpers the expressions share: nf_tables data attributes ({ value: Buffer }), host- and
// network-order integers, address masks, and the comparison of register 1 with a value.
import { REG } from '../constants';

export const u32 = (n: number, le = true) => { const b = Buffer.alloc(4); le ? b.writeUInt32LE(n >>> 0) : b.writeUInt32BE(n >>> 0); return b; };
export const u16be = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };

/** NFTA_DATA_VALUE, as a data attribute carries it. */
export const data = (value: Buffer) => ({ value });
export const bytesOf = (d: unknown): Buffer => (d as { value: Buffer }).value;

/** The mask of a prefix of `len` bits over an address of `bytes` bytes. */
export function networkMask(len: number, bytes: number): Buffer {
  const m = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) m[i] = Math.max(0, Math.min(8, len - i * 8)) === 0 ? 0 : (0xff << (8 - Math.min(8, len - i * 8))) & 0xff;
  return m;
}

/** The prefix length a mask stands for (its set bits). */
export function prefixLength(mask: Buffer): number {
  let n = 0;
  for (const b of mask) n += [...Array(8)].filter((_, i) => b & (0x80 >> i)).length;
  return n;
}

export function pad(b: Buffer, len: number): Buffer {
  return b.length >= len ? b : Buffer.concat([b, Buffer.alloc(len - b.length)]);
}

/** Register 1 compared with a value (`op`: CMP). */
export const cmp = (op: number, value: Buffer) => ({ name: 'cmp', data: { sreg: REG.r1, op, data: data(value) } });
