// Strict IPv4/IPv6 address and prefix parsing. Errors name the field and the exact bad part
// (`123.456.0.0/16` → octet 456), before anything reaches the kernel.
import { formatIp } from './codec/text';
import { ipVersion, rangeError, typeError } from './validate';

export type Family = 4 | 6;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const afOf = (family: Family): number => (family === 4 ? AF_INET : AF_INET6);
export const familyOf = (af: number): Family => (af === AF_INET6 ? 6 : 4);

export interface Cidr {
  address: string;
  prefixLength: number;
  family: Family;
  /** The address's bytes (4 or 16). */
  bytes: Buffer;
}

function parseV4(field: string, whole: string, s: string): Buffer {
  // By hand, not split/map/regex: a container's messages parse several addresses.
  let parts = 1;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 46 /* . */) parts++;
  if (parts !== 4) throw rangeError(field, whole, `is not an IPv4 address (${parts} parts, not 4)`);
  const bytes = Buffer.alloc(4);
  let start = 0;
  for (let k = 0; k < 4; k++) {
    let end = s.indexOf('.', start);
    if (end < 0) end = s.length;
    let n = 0;
    for (let i = start; i < end; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9 || end - start > 3) { n = -1; break; }
      n = n * 10 + d;
    }
    const p = s.slice(start, end);
    if (n < 0 || end === start) throw rangeError(field, whole, `has octet ${JSON.stringify(p)}, which is not a number 0–255`);
    if (p.length > 1 && p.charCodeAt(0) === 48) throw rangeError(field, whole, `has octet ${p} with a leading zero (ambiguous: octal or decimal?)`);
    if (n > 255) throw rangeError(field, whole, `has octet ${n}, which is over 255`);
    bytes[k] = n;
    start = end + 1;
  }
  return bytes;
}

function parseV6(field: string, whole: string, s: string, allowMapped: boolean): Buffer {
  if (s.includes('%')) throw rangeError(field, whole, 'has a zone id (%…), which has no meaning here');
  if (ipVersion(s) !== 6) throw rangeError(field, whole, 'is not an IPv6 address');
  // Expand: split on '::', each side into 16-bit groups (a trailing dotted quad is two groups).
  const expand = (side: string): number[] => {
    if (side === '') return [];
    const groups: number[] = [];
    for (const g of side.split(':')) {
      if (g.includes('.')) {
        const b = parseV4(field, whole, g);
        groups.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
      } else {
        groups.push(parseInt(g, 16));
      }
    }
    return groups;
  };
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = expand(head);
  const t = tail === undefined ? [] : expand(tail);
  const groups = [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  const bytes = Buffer.alloc(16);
  groups.forEach((g, i) => bytes.writeUInt16BE(g, i * 2));
  if (!allowMapped && bytes.subarray(0, 10).every((b) => b === 0) && bytes.readUInt16BE(10) === 0xffff) {
    const v4 = `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
    throw rangeError(field, whole, `is an IPv4-mapped IPv6 address: give the IPv4 address ${v4} instead`);
  }
  return bytes;
}

/** One address, IPv4 or IPv6, no prefix. */
export function parseAddress(field: string, value: unknown, options: { allowMapped?: boolean; whole?: string } = {}): { address: string; family: Family; bytes: Buffer } {
  if (typeof value !== 'string') throw typeError(field, value, 'an IP address string');
  const whole = options.whole ?? value;
  if (value.includes('/')) throw rangeError(field, value, 'has a prefix length; an address is expected here');
  if (value.includes(':')) {
    const bytes = parseV6(field, whole, value, options.allowMapped ?? false);
    return { address: formatV6(bytes), family: 6, bytes };
  }
  const bytes = parseV4(field, whole, value);
  return { address: value, family: 4, bytes };
}

/** "addr/len" (or a bare address: a host prefix, /32 or /128). */
export function parseCidr(field: string, value: unknown): Cidr {
  if (typeof value !== 'string') throw typeError(field, value, 'an address with prefix, like "198.18.0.1/24"');
  const slash = value.indexOf('/');
  const addrPart = slash < 0 ? value : value.slice(0, slash);
  const { address, family, bytes } = parseAddress(field, addrPart, { whole: value });
  const max = family === 4 ? 32 : 128;
  let prefixLength = max;
  if (slash >= 0) {
    const p = value.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) throw rangeError(field, value, `has prefix length ${JSON.stringify(p)}, which is not a number 0–${max}`);
    prefixLength = Number(p);
    if (prefixLength > max) throw rangeError(field, value, `has prefix length ${prefixLength}, over ${max} for IPv${family}`);
  }
  return { address, family, prefixLength, bytes };
}

/** A network prefix: like parseCidr, and the host bits must be zero (as the kernel requires of routes). */
export function parsePrefix(field: string, value: unknown): Cidr {
  const c = parseCidr(field, value);
  const net = networkOf(c.bytes, c.prefixLength);
  if (!net.equals(c.bytes)) {
    const fixed = c.family === 4 ? [...net].join('.') : formatV6(net);
    throw rangeError(field, value, `has host bits set: did you mean ${fixed}/${c.prefixLength}?`);
  }
  return c;
}

export function networkOf(bytes: Buffer, prefixLength: number): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, prefixLength - i * 8));
    out[i] &= keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
  }
  return out;
}

/** RFC 5952 text, as inet_ntop writes it (what `ip` and `nft` print): the codec's formatter. */
export const formatV6 = (b: Buffer): string => formatIp(b, 0, 16);
