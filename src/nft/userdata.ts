// The userdata nft 1.0.6 writes with rules and sets (libnftnl's NFTNL_UDATA_* TLVs: one byte type,
// one byte length, the value). The kernel keeps it without reading it; `nft list` needs a set's
// (key byte order, what its key is) to print its elements: without it a mark 7 lists as
// 0x07000000 and an interface name as "". The bytes below are what nft sends (strace of its
// sendmsg), for the same declarations and rules.
import type { Field } from './items';

// NFTNL_UDATA_SET_*
const KEYBYTEORDER = 0;
const DATABYTEORDER = 1;
const MERGE_ELEMENTS = 2;
const KEY_TYPEOF = 3;
const DATA_TYPEOF = 4;
const DATA_INTERVAL = 6;
// NFTNL_UDATA_SET_TYPEOF_EXPR / _DATA: an expression's kind, then its own TLVs.
const TYPEOF_EXPR = 0;
const TYPEOF_DATA = 1;
// nft's enum expr_types.
const EXPR = { verdict: 1, payload: 7, meta: 9, ct: 12, concat: 13, fib: 26 } as const;
// nft's enum byteorder.
const HOST = 1;
const BIG = 2;

const tlv = (type: number, value: Buffer): Buffer => Buffer.concat([Buffer.from([type, value.length]), value]);
const u32 = (type: number, n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return tlv(type, b); };
const nest = (type: number, ...parts: Buffer[]): Buffer => tlv(type, Buffer.concat(parts));
const expression = (kind: number, ...data: Buffer[]): Buffer => Buffer.concat([u32(TYPEOF_EXPR, kind), nest(TYPEOF_DATA, ...data)]);

// Payload fields: nft's protocol description id and the field's index in its template table.
const payload = (desc: number, field: number) => expression(EXPR.payload, u32(0, desc), u32(1, field));
const meta = (key: number) => expression(EXPR.meta, u32(0, key));
// ct keys carry a direction; -1 is "none given".
const ct = (key: number) => expression(EXPR.ct, u32(0, key), u32(1, 0xffffffff));

/** A rule field as a set's key: its byte order and the expression nft records for it. */
const FIELD_KEYS: Record<Field, { order: number; expr: Buffer }> = {
  'ip saddr': { order: BIG, expr: payload(12, 11) },
  'ip daddr': { order: BIG, expr: payload(12, 12) },
  'ip6 saddr': { order: BIG, expr: payload(13, 8) },
  'ip6 daddr': { order: BIG, expr: payload(13, 9) },
  'tcp sport': { order: BIG, expr: payload(8, 1) },
  'tcp dport': { order: BIG, expr: payload(8, 2) },
  'udp sport': { order: BIG, expr: payload(6, 1) },
  'udp dport': { order: BIG, expr: payload(6, 2) },
  'meta l4proto': { order: HOST, expr: meta(16) },
  'meta mark': { order: HOST, expr: meta(3) },
  iif: { order: HOST, expr: meta(4) },
  oif: { order: HOST, expr: meta(5) },
  iifname: { order: HOST, expr: meta(6) },
  oifname: { order: HOST, expr: meta(7) },
  'ct state': { order: HOST, expr: ct(0) },
  'ct status': { order: HOST, expr: ct(2) },
  'ct mark': { order: HOST, expr: ct(3) },
  // NFTA_FIB result 3 (address type), flags 2 (daddr).
  'fib daddr type': { order: HOST, expr: expression(EXPR.fib, u32(0, 3), u32(1, 2)) },
};

/** A named set's key or data type (nft's datatype names): its byte order; 0 where nft has none. */
const TYPE_ORDER: Record<string, number> = {
  ipv4_addr: BIG, ipv6_addr: BIG, ether_addr: BIG, inet_service: BIG, inet_proto: 0,
  mark: HOST, ifname: HOST, iface_index: HOST, fib_addrtype: HOST, verdict: 0,
};

/** A set or map declared with `type KEY [: DATA]`, as nft writes it. */
export function declaredSetUserdata(keyType: string, dataType?: string): Buffer {
  const concat = keyType.includes(' . ');
  return Buffer.concat([
    u32(KEYBYTEORDER, concat ? 0 : TYPE_ORDER[keyType] ?? 0),
    ...(dataType === undefined ? [] : [u32(DATABYTEORDER, TYPE_ORDER[dataType] ?? 0)]),
    // A concatenation of types: the concat expression, with nothing known of its parts.
    ...(concat ? [nest(KEY_TYPEOF, expression(EXPR.concat))] : []),
    ...(dataType === undefined ? [] : [u32(DATA_INTERVAL, 0)]),
  ]);
}

/** An anonymous set in a rule (`ip saddr { … }`, `ip daddr . tcp dport { … }`), as nft writes it. */
export function anonymousSetUserdata(key: Field | Field[], interval: boolean): Buffer {
  if (Array.isArray(key)) {
    return Buffer.concat([u32(KEYBYTEORDER, 0), nest(KEY_TYPEOF, expression(EXPR.concat, ...key.map((f, i) => nest(i, FIELD_KEYS[f].expr))))]);
  }
  return Buffer.concat([u32(KEYBYTEORDER, FIELD_KEYS[key].order), ...(interval ? [u32(MERGE_ELEMENTS, 1)] : []), nest(KEY_TYPEOF, FIELD_KEYS[key].expr)]);
}

/** An anonymous map in a rule: `… vmap { k : verdict }` or `dnat to … map { k : address }`. */
export function anonymousMapUserdata(key: Field, data: 'verdict' | 'ipv4_addr' | 'ipv6_addr'): Buffer {
  return Buffer.concat([
    u32(KEYBYTEORDER, FIELD_KEYS[key].order),
    u32(DATABYTEORDER, TYPE_ORDER[data]),
    ...(data === 'verdict' ? [nest(DATA_TYPEOF, expression(EXPR.verdict))] : []),
    u32(DATA_INTERVAL, 0),
  ]);
}

// NFTNL_UDATA_RULE_COMMENT: the comment, NUL-terminated.
const RULE_COMMENT = 0;

/** Rule userdata as nft writes it: the comment. */
export function ruleUserdata(comment: string | undefined): Buffer | undefined {
  if (comment === undefined) return undefined;
  const text = Buffer.from(`${comment}\0`);
  if (text.length > 255) throw new RangeError(`comment: ${JSON.stringify(comment)} is longer than 254 bytes`);
  return tlv(RULE_COMMENT, text);
}

export function commentOf(userdata: Buffer | undefined): string | undefined {
  if (!userdata) return undefined;
  for (let i = 0; i + 2 <= userdata.length;) {
    const type = userdata[i];
    const len = userdata[i + 1];
    if (type === RULE_COMMENT) return userdata.subarray(i + 2, i + 2 + len).toString().replace(/\0$/, '');
    i += 2 + len;
  }
  return undefined;
}
