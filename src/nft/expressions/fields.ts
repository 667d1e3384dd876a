// The fields a rule matches on, one row each: the expression that loads it into a register and how
// a listed load is recognised as it, and how a value of it becomes the bytes the kernel compares and
// how those bytes read back. Matches, lookups, maps and concatenations all go through these rows.
import { formatV6, parseAddress } from '../../ip';
import { CT, L4PROTOS, META, PAYLOAD_BASE, REG, type SET_TYPES } from '../constants';
import type { Field } from '../items';
import { u16be, u32 } from './bytes';
import { shared } from './shared';
import type { Attrs, Expr, IfindexOf } from './types';

export interface FieldRow {
  /** The expression that loads the field into register `dreg`. */
  load(dreg?: number): Expr;
  /** Whether a listed load expression loads this field (a port's protocol is the one matched before it). */
  loadedBy(name: string, d: Attrs, l4: string | undefined): boolean;
  /** Bytes of a value in a register (a set key rounds this up to 32-bit words). */
  len: number;
  keyType: keyof typeof SET_TYPES;
  bytes(v: string | number, ifindex: IfindexOf): Buffer;
  scalar(b: Buffer): string | number;
}

export const noIfindex: IfindexOf = (name) => { throw new RangeError(`iif/oif: cannot resolve ${JSON.stringify(name)} here`); };

// A load into register 1 (all but a concatenation's later parts) is one shared expression per field.
const payload = (base: number, offset: number, len: number): Pick<FieldRow, 'load'> => {
  const r1 = shared({ name: 'payload', data: { dreg: REG.r1, base, offset, len } });
  return { load: (dreg = REG.r1) => (dreg === REG.r1 ? r1 : { name: 'payload', data: { dreg, base, offset, len } }) };
};
/** A network header field: a shorter load is a prefix of it (nft loads only a prefix's bytes). */
const networkLoaded = (offset: number, len: number) => (name: string, d: Attrs) => name === 'payload' && d.base === PAYLOAD_BASE.network && d.offset === offset && d.len <= len;
const portLoaded = (proto: 'tcp' | 'udp', offset: number) => (name: string, d: Attrs, l4: string | undefined) =>
  name === 'payload' && d.base === PAYLOAD_BASE.transport && d.len === 2 && l4 === proto && d.offset === offset;
const keyed = (expr: 'meta' | 'ct', key: number): Pick<FieldRow, 'load' | 'loadedBy'> => {
  const r1 = shared({ name: expr, data: { key, dreg: REG.r1 } });
  return {
    load: (dreg = REG.r1) => (dreg === REG.r1 ? r1 : { name: expr, data: { key, dreg } }),
    loadedBy: (name, d) => name === expr && d.key === key,
  };
};

const ipv4 = { len: 4, keyType: 'ipv4_addr', bytes: (v: string | number) => parseAddress('address', String(v)).bytes, scalar: (b: Buffer) => [...b].join('.') } as const;
const ipv6 = { len: 16, keyType: 'ipv6_addr', bytes: ipv4.bytes, scalar: formatV6 } as const;
const port = { len: 2, keyType: 'inet_service', bytes: (v: string | number) => u16be(Number(v)), scalar: (b: Buffer) => b.readUInt16BE(0) } as const;
/** A name padded to IFNAMSIZ; read back, one without its NUL is a prefix ("veth*"). */
const ifname = {
  len: 16, keyType: 'ifname',
  bytes: (v: string | number) => { const b = Buffer.alloc(16); b.write(String(v)); return b; },
  scalar: (b: Buffer) => { const nul = b.indexOf(0); return nul < 0 ? `${b.toString()}*` : b.subarray(0, nul).toString(); },
} as const;
/** Host-order 32-bit values (marks, ct state and status bits). */
const word = { len: 4, keyType: 'mark', bytes: (v: string | number) => u32(Number(v)), scalar: (b: Buffer) => b.readUInt32LE(0) } as const;
/** An interface index; names are resolved by the caller (ifindex) and read back by it (ifname). */
const ifindex = { len: 4, keyType: 'iface_index', bytes: (v: string | number, of: IfindexOf) => of(String(v)), scalar: word.scalar } as const;
const FIB_R1 = shared({ name: 'fib', data: { dreg: REG.r1, result: 3, flags: 2 } });
const ADDRTYPES: Record<string, number> = { unicast: 1, local: 2, broadcast: 3, multicast: 5 };

export const FIELD_ROWS: Record<Field, FieldRow> = {
  'ip saddr': { ...payload(PAYLOAD_BASE.network, 12, 4), loadedBy: networkLoaded(12, 4), ...ipv4 },
  'ip daddr': { ...payload(PAYLOAD_BASE.network, 16, 4), loadedBy: networkLoaded(16, 4), ...ipv4 },
  'ip6 saddr': { ...payload(PAYLOAD_BASE.network, 8, 16), loadedBy: networkLoaded(8, 16), ...ipv6 },
  'ip6 daddr': { ...payload(PAYLOAD_BASE.network, 24, 16), loadedBy: networkLoaded(24, 16), ...ipv6 },
  'tcp sport': { ...payload(PAYLOAD_BASE.transport, 0, 2), loadedBy: portLoaded('tcp', 0), ...port },
  'tcp dport': { ...payload(PAYLOAD_BASE.transport, 2, 2), loadedBy: portLoaded('tcp', 2), ...port },
  'udp sport': { ...payload(PAYLOAD_BASE.transport, 0, 2), loadedBy: portLoaded('udp', 0), ...port },
  'udp dport': { ...payload(PAYLOAD_BASE.transport, 2, 2), loadedBy: portLoaded('udp', 2), ...port },
  'meta l4proto': {
    ...keyed('meta', META.l4proto), len: 1, keyType: 'inet_proto',
    bytes: (v) => Buffer.from([typeof v === 'number' ? v : L4PROTOS[v]]),
    scalar: (b) => Object.keys(L4PROTOS).find((k) => L4PROTOS[k] === b[0]) ?? b[0],
  },
  iifname: { ...keyed('meta', META.iifname), ...ifname },
  oifname: { ...keyed('meta', META.oifname), ...ifname },
  iif: { ...keyed('meta', META.iif), ...ifindex },
  oif: { ...keyed('meta', META.oif), ...ifindex },
  'meta mark': { ...keyed('meta', META.mark), ...word },
  'ct mark': { ...keyed('ct', CT.mark), ...word },
  'ct state': { ...keyed('ct', CT.state), ...word },
  'ct status': { ...keyed('ct', CT.status), ...word },
  // NFTA_FIB_F_DADDR (2), result NFT_FIB_RESULT_ADDRTYPE (3): the route type of the destination.
  'fib daddr type': {
    load: (dreg = REG.r1) => (dreg === REG.r1 ? FIB_R1 : { name: 'fib', data: { dreg, result: 3, flags: 2 } }),
    loadedBy: (name, d) => name === 'fib' && d.result === 3 && d.flags === 2,
    len: 4, keyType: 'fib_addrtype',
    bytes: (v) => u32(ADDRTYPES[String(v)]),
    scalar: (b) => Object.keys(ADDRTYPES).find((k) => ADDRTYPES[k] === b.readUInt32LE(0)) ?? b.readUInt32LE(0),
  },
};

/** The field a listed load expression loads, if it is one of ours. */
export function fieldLoadedBy(name: string, d: Attrs, l4: string | undefined): Field | undefined {
  return (Object.keys(FIELD_ROWS) as Field[]).find((f) => FIELD_ROWS[f].loadedBy(name, d, l4));
}

/** A value of a field as the kernel compares it (an interface name padded to 16 bytes). */
export function fieldBytes(field: Field, v: string | number, ifindex: IfindexOf = noIfindex): Buffer {
  return FIELD_ROWS[field].bytes(v, ifindex);
}

/** A field's value read back from the bytes the kernel compares (iif/oif: the index; see ifname). */
export function scalarFromBytes(field: Field, b: Buffer): string | number {
  return FIELD_ROWS[field].scalar(b);
}
