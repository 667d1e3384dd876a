// Items <-> nf_tables expressions, encoded the way nft 1.0.6 encodes them (see `nft --debug=netlink`):
// payload/meta/ct loads into register 1, cmp/lookup/bitwise on it, immediates for NAT addresses and
// verdicts. Anonymous sets ({ 53, 5353 }) become sets created in the same transaction.
import { formatV6, parseAddress } from '../ip';
import {
  CMP, CT, FLAG_FIELDS, L4PROTOS, META, NAT_FLAGS, NAT_TYPE, type NftFamily, PAYLOAD_BASE, REG, SET_FLAGS, SET_TYPES, VERDICT,
} from './constants';
import { type Field, type Item, type MapValue, portProto, type Scalar, type Value } from './items';
import { LIMIT_UNITS } from './text';
import { anonymousMapUserdata, anonymousSetUserdata } from './userdata';
import { xtText } from '../iptables/xlate';

export interface Expr {
  name: string;
  data?: Record<string, unknown>;
}

export interface AnonymousSet {
  id: number;
  keyType: keyof typeof SET_TYPES;
  /** A concatenation's combined type and length (instead of keyType's). */
  concat?: { id: number; len: number };
  /** For an anonymous map: what the elements map to. */
  dataType?: 'verdict' | 'ipv4_addr' | 'ipv6_addr';
  flags: number;
  /** NFTA_SET_USERDATA as nft writes it for this set (userdata.ts). */
  userdata: Buffer;
  elements: Array<{ key: Buffer; keyEnd?: Buffer; data?: unknown }>;
}

const u32 = (n: number, le = true) => { const b = Buffer.alloc(4); le ? b.writeUInt32LE(n >>> 0) : b.writeUInt32BE(n >>> 0); return b; };
const u16be = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const data = (value: Buffer) => ({ value });
const load = (dreg = REG.r1) => dreg;

interface FieldInfo { load: Expr; len: number; keyType: keyof typeof SET_TYPES; bytes(v: string | number): Buffer }

const addrBytes = (v: string | number) => parseAddress('address', String(v)).bytes;

/** Gives the (4-byte, host order) ifindex of an interface name; filled in before sending. */
export type IfindexOf = (name: string) => Buffer;
const noIfindex: IfindexOf = (name) => { throw new RangeError(`iif/oif: cannot resolve ${JSON.stringify(name)} here`); };

function fieldInfo(f: Field, ifindex: IfindexOf = noIfindex): FieldInfo {
  const payload = (base: number, offset: number, len: number): Expr => ({ name: 'payload', data: { dreg: load(), base, offset, len } });
  switch (f) {
    case 'ip saddr': return { load: payload(PAYLOAD_BASE.network, 12, 4), len: 4, keyType: 'ipv4_addr', bytes: addrBytes };
    case 'ip daddr': return { load: payload(PAYLOAD_BASE.network, 16, 4), len: 4, keyType: 'ipv4_addr', bytes: addrBytes };
    case 'ip6 saddr': return { load: payload(PAYLOAD_BASE.network, 8, 16), len: 16, keyType: 'ipv6_addr', bytes: addrBytes };
    case 'ip6 daddr': return { load: payload(PAYLOAD_BASE.network, 24, 16), len: 16, keyType: 'ipv6_addr', bytes: addrBytes };
    case 'tcp sport': case 'udp sport': return { load: payload(PAYLOAD_BASE.transport, 0, 2), len: 2, keyType: 'inet_service', bytes: (v) => u16be(Number(v)) };
    case 'tcp dport': case 'udp dport': return { load: payload(PAYLOAD_BASE.transport, 2, 2), len: 2, keyType: 'inet_service', bytes: (v) => u16be(Number(v)) };
    case 'meta l4proto': return { load: { name: 'meta', data: { key: META.l4proto, dreg: load() } }, len: 1, keyType: 'inet_proto', bytes: (v) => Buffer.from([typeof v === 'number' ? v : L4PROTOS[v]]) };
    case 'iifname': case 'oifname': return {
      load: { name: 'meta', data: { key: f === 'iifname' ? META.iifname : META.oifname, dreg: load() } }, len: 16, keyType: 'ifname',
      bytes: (v) => { const b = Buffer.alloc(16); b.write(String(v)); return b; },
    };
    case 'meta mark': return { load: { name: 'meta', data: { key: META.mark, dreg: load() } }, len: 4, keyType: 'mark', bytes: (v) => u32(Number(v)) };
    case 'iif': case 'oif': return { load: { name: 'meta', data: { key: f === 'iif' ? META.iif : META.oif, dreg: load() } }, len: 4, keyType: 'iface_index', bytes: (v) => ifindex(String(v)) };
    case 'ct mark': return { load: { name: 'ct', data: { key: CT.mark, dreg: load() } }, len: 4, keyType: 'mark', bytes: (v) => u32(Number(v)) };
    case 'ct state': case 'ct status': return { load: { name: 'ct', data: { key: f === 'ct state' ? CT.state : CT.status, dreg: load() } }, len: 4, keyType: 'mark', bytes: (v) => u32(Number(v)) };
    // NFTA_FIB_F_DADDR (2), result NFT_FIB_RESULT_ADDRTYPE (3): the route type of the destination.
    case 'fib daddr type': return { load: { name: 'fib', data: { dreg: load(), result: 3, flags: 2 } }, len: 4, keyType: 'fib_addrtype', bytes: (v) => u32(({ unicast: 1, local: 2, broadcast: 3, multicast: 5 } as Record<string, number>)[String(v)]) };
  }
}

/** A verdict as map data: "accept", "drop", "jump CHAIN", … */
export function verdictData(v: string): { verdict: { code: number; chain?: string } } {
  const [name, chain] = v.split(/\s+/);
  return { verdict: { code: VERDICT[name as keyof typeof VERDICT] >>> 0, chain } };
}

export function verdictName(d: { code: number; chain?: string }): string | undefined {
  const name = (Object.keys(VERDICT) as Array<keyof typeof VERDICT>).find((k) => VERDICT[k] === (d.code | 0));
  return name && (d.chain ? `${name} ${d.chain}` : name);
}

/** A value of a field as the kernel compares it (an interface name padded to 16 bytes). */
export function fieldBytes(field: Field, v: string | number): Buffer {
  return fieldInfo(field).bytes(v);
}

/** nft's concatenated type: 6 bits per component type, in order. */
export function concatType(fields: Field[]): { id: number; len: number } {
  let id = 0;
  let len = 0;
  for (const f of fields) {
    const info = fieldInfo(f, () => Buffer.alloc(4));
    id = (id << 6) | SET_TYPES[info.keyType].id;
    len += Math.ceil(info.len / 4) * 4;
  }
  return { id, len };
}

/** The key of a tuple for a set of these fields. */
export function concatKeyOf(fields: Field[], tuple: Array<string | number>): Buffer {
  return concatKey(fields.map((f) => fieldInfo(f)), tuple);
}

/** A tuple's key: each component in its own 32-bit-aligned slot. */
function concatKey(infos: FieldInfo[], tuple: Array<string | number>): Buffer {
  return Buffer.concat(infos.map((f, i) => {
    const b = f.bytes(tuple[i]);
    return Buffer.concat([b, Buffer.alloc(Math.ceil(f.len / 4) * 4 - b.length)]);
  }));
}

/** Splits a concatenated key back into its components' values. */
export function splitConcatKey(fields: Field[], key: Buffer, ifname: (index: number) => string | undefined = () => undefined): Array<string | number> {
  const out: Array<string | number> = [];
  let off = 0;
  for (const f of fields) {
    const info = fieldInfo(f, () => Buffer.alloc(4));
    const part = key.subarray(off, off + info.len);
    out.push(f === 'iif' || f === 'oif' ? (ifname(part.readUInt32LE(0)) ?? part.readUInt32LE(0)) : scalarFromBytes(f, part));
    off += Math.ceil(info.len / 4) * 4;
  }
  return out;
}

const cmp = (op: number, value: Buffer): Expr => ({ name: 'cmp', data: { sreg: REG.r1, op, data: data(value) } });

function networkMask(len: number, bytes: number): Buffer {
  const m = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) m[i] = Math.max(0, Math.min(8, len - i * 8)) === 0 ? 0 : (0xff << (8 - Math.min(8, len - i * 8))) & 0xff;
  return m;
}

export interface Encoded {
  expressions: Expr[];
  sets: AnonymousSet[];
}

/** Items -> expressions. nextSetId numbers the anonymous sets of a transaction. */
export function encodeItems(items: Item[], family: NftFamily, nextSetId: () => number, ifindex: IfindexOf = noIfindex): Encoded {
  const out: Expr[] = [];
  const sets: AnonymousSet[] = [];
  let l4: string | number | undefined;
  let l3: string | undefined;
  const layer3 = (field: Field) => {
    const ipv = field.startsWith('ip6 ') ? 'ip6' : field.startsWith('ip ') ? 'ip' : undefined;
    if (ipv && family !== 'ip' && family !== 'ip6' && l3 !== ipv) {
      // In inet tables nft checks the layer-3 protocol first (meta nfproto); in bridge and
      // netdev tables, the ethertype (meta protocol).
      if (family === 'inet') out.push({ name: 'meta', data: { key: META.nfproto, dreg: REG.r1 } }, cmp(CMP.eq, Buffer.from([ipv === 'ip' ? 2 : 10])));
      else out.push({ name: 'meta', data: { key: META.protocol, dreg: REG.r1 } }, cmp(CMP.eq, u16be(ipv === 'ip' ? 0x0800 : 0x86dd)));
      l3 = ipv;
    }
  };
  const layer4 = (field: Field) => {
    const proto = portProto(field);
    if (proto && l4 !== proto) {
      // "tcp dport 80" needs the protocol checked first, as nft adds it.
      out.push(fieldInfo('meta l4proto').load, cmp(CMP.eq, Buffer.from([L4PROTOS[proto]])));
      l4 = proto;
    }
  };
  for (const it of items) {
    if (it.t === 'concat') {
      // Each field into consecutive 32-bit registers (the first is register 1), then one lookup.
      for (const f of it.fields) layer4(f);
      for (const f of it.fields) layer3(f);
      let word = 0;
      const infos = it.fields.map((f) => fieldInfo(f, ifindex));
      for (const f of infos) {
        out.push({ ...f.load, data: { ...f.load.data, dreg: word === 0 ? REG.r1 : 8 + word } });
        word += Math.ceil(f.len / 4);
      }
      const lookup: Record<string, unknown> = { sreg: REG.r1 };
      if (it.op === 'neq') lookup.flags = 1;
      if (it.value.kind === 'named') lookup.set = it.value.name;
      else {
        const id = nextSetId();
        sets.push({
          id, keyType: infos[0].keyType, concat: concatType(it.fields), flags: SET_FLAGS.anonymous | SET_FLAGS.constant, userdata: anonymousSetUserdata(it.fields, false),
          elements: it.value.elements.map((tuple) => ({ key: concatKey(infos, tuple) })),
        });
        lookup.set = '__set%d';
        lookup.set_id = id;
      }
      out.push({ name: 'lookup', data: lookup });
      continue;
    }
    if ((it.t === 'nat' || it.t === 'masquerade' || it.t === 'redirect') && it.ports && l4 !== 'tcp' && l4 !== 'udp' && l4 !== 'sctp') {
      // nft's rule: a port mapping needs the transport protocol matched before it.
      throw new RangeError(`${it.t === 'nat' ? it.type : it.t}: a port mapping needs a transport protocol match before it (meta l4proto tcp/udp, or a tcp/udp port match), as nft requires`);
    }
    if (it.t === 'vmap' || (it.t === 'nat' && it.map)) {
      const field = it.t === 'vmap' ? it.field : it.map!.field;
      layer4(field);
      const f = fieldInfo(field);
      const value = it.t === 'vmap' ? it.value : it.map!.value;
      const lookup: Record<string, unknown> = { sreg: REG.r1, dreg: it.t === 'vmap' ? REG.verdict : REG.r1 };
      if (value.kind === 'named') lookup.set = value.name;
      else {
        const id = nextSetId();
        const dataType = it.t === 'vmap' ? 'verdict' : value.entries[0]?.[1].includes(':') ? 'ipv6_addr' : 'ipv4_addr';
        sets.push({
          id, keyType: f.keyType, dataType, flags: SET_FLAGS.anonymous | SET_FLAGS.constant | SET_FLAGS.map, userdata: anonymousMapUserdata(field, dataType),
          elements: value.entries.map(([k, d]) => ({ ...element(f, k), data: dataType === 'verdict' ? verdictData(d) : data(parseAddress('map value', d).bytes) })),
        });
        lookup.set = '__map%d';
        lookup.set_id = id;
      }
      out.push(f.load, { name: 'lookup', data: lookup });
      if (it.t === 'nat') out.push({ name: 'nat', data: { type: NAT_TYPE[it.type], family: family === 'ip6' ? 10 : 2, reg_addr_min: REG.r1 } });
      continue;
    }
    if (it.t === 'match') {
      const f = fieldInfo(it.field, ifindex);
      layer3(it.field);
      layer4(it.field);
      if (it.field === 'meta l4proto' && it.value.kind === 'single') l4 = it.value.value;
      if (it.mask !== undefined && it.value.kind === 'single') {
        out.push(f.load, { name: 'bitwise', data: { sreg: REG.r1, dreg: REG.r1, len: 4, mask: data(u32(it.mask)), xor: data(u32(0)) } }, cmp(it.op === 'eq' ? CMP.eq : CMP.neq, f.bytes(it.value.value)));
        continue;
      }
      encodeMatch(out, sets, it.field, f, it.op, it.value, nextSetId);
      continue;
    }
    switch (it.t) {
      case 'counter': out.push({ name: 'counter', data: { bytes: 0n, packets: 0n } }); break;
      case 'verdict': out.push({ name: 'immediate', data: { dreg: REG.verdict, data: { verdict: { code: VERDICT[it.verdict] >>> 0, chain: it.chain } } } }); break;
      case 'nat': {
        const natData: Record<string, unknown> = { type: NAT_TYPE[it.type], family: family === 'ip6' ? 10 : 2 };
        let reg = REG.r1;
        if (it.address) {
          out.push({ name: 'immediate', data: { dreg: reg, data: data(parseAddress('nat', it.address).bytes) } });
          natData.family = it.address.includes(':') ? 10 : 2;
          natData.reg_addr_min = reg++;
          if (it.addressEnd) {
            out.push({ name: 'immediate', data: { dreg: reg, data: data(parseAddress('nat', it.addressEnd).bytes) } });
            natData.reg_addr_max = reg++;
          }
        }
        if (it.ports) {
          out.push({ name: 'immediate', data: { dreg: reg, data: data(u16be(it.ports[0])) } });
          natData.reg_proto_min = reg++;
          if (it.ports[1] !== it.ports[0]) {
            out.push({ name: 'immediate', data: { dreg: reg, data: data(u16be(it.ports[1])) } });
            natData.reg_proto_max = reg++;
          }
          natData.flags = NAT_FLAGS.protoSpecified;
        }
        out.push({ name: 'nat', data: natData });
        break;
      }
      case 'masquerade': case 'redirect': {
        const d: Record<string, unknown> = {};
        if (it.ports) {
          out.push({ name: 'immediate', data: { dreg: REG.r1, data: data(u16be(it.ports[0])) } });
          d.reg_proto_min = REG.r1;
          if (it.ports[1] !== it.ports[0]) {
            out.push({ name: 'immediate', data: { dreg: REG.r2, data: data(u16be(it.ports[1])) } });
            d.reg_proto_max = REG.r2;
          }
          d.flags = NAT_FLAGS.protoSpecified;
        }
        out.push({ name: it.t === 'masquerade' ? 'masq' : 'redir', data: d });
        break;
      }
      case 'log': out.push({ name: 'log', data: it.prefix !== undefined ? { prefix: it.prefix } : {} }); break;
      // type 0: packets; nft's default burst is 5.
      case 'limit': out.push({ name: 'limit', data: { rate: BigInt(it.rate), unit: BigInt(LIMIT_UNITS[it.per]), burst: it.burst ?? 5, type: 0, flags: 0 } }); break;
      // ip/ip6: ICMP(v6) port unreachable; inet and bridge: ICMPX port unreachable (nft's defaults).
      case 'reject': out.push({ name: 'reject', data: family === 'ip' || family === 'ip6' ? { type: 0, icmp_code: family === 'ip' ? 3 : 4 } : { type: 2, icmp_code: 1 } }); break;
      case 'notrack': out.push({ name: 'notrack' }); break;
      case 'set':
        out.push({ name: 'immediate', data: { dreg: REG.r1, data: data(u32(it.value)) } });
        out.push(it.key === 'meta mark' ? { name: 'meta', data: { key: META.mark, sreg: REG.r1 } } : { name: 'ct', data: { key: CT.mark, sreg: REG.r1 } });
        break;
    }
  }
  return { expressions: out, sets };
}

function encodeMatch(out: Expr[], sets: AnonymousSet[], field: Field, f: FieldInfo, op: 'eq' | 'neq', v: Value, nextSetId: () => number): void {
  const cmpOp = op === 'eq' ? CMP.eq : CMP.neq;
  if (v.kind === 'flags') {
    // ct state a,b: (state & mask) != 0 (ct status alike)
    const mask = v.names.reduce((m, n) => m | FLAG_FIELDS[field][n], 0);
    out.push(f.load, { name: 'bitwise', data: { sreg: REG.r1, dreg: REG.r1, len: 4, mask: data(u32(mask)), xor: data(u32(0)) } },
      cmp(op === 'eq' ? CMP.neq : CMP.eq, u32(0)));
    return;
  }
  // A one-element set is the element itself: nft compares it directly, and lists it so.
  if (v.kind === 'set' && v.elements.length === 1) v = v.elements[0];
  if (v.kind === 'named' || v.kind === 'set') {
    // libnftnl's order: sreg, (dreg), set, set_id, flags.
    const lookup: Record<string, unknown> = { sreg: REG.r1 };
    if (v.kind === 'named') lookup.set = v.name;
    else {
      const interval = v.elements.some((e) => e.kind !== 'single');
      const id = nextSetId();
      sets.push({
        id, keyType: f.keyType, flags: SET_FLAGS.anonymous | SET_FLAGS.constant | (interval ? SET_FLAGS.interval : 0),
        userdata: anonymousSetUserdata(field, interval), elements: v.elements.map((e) => element(f, e)),
      });
      lookup.set = '__set%d';
      lookup.set_id = id;
    }
    if (op === 'neq') lookup.flags = 1;
    out.push(f.load, { name: 'lookup', data: lookup });
    return;
  }
  if (v.kind === 'prefix') {
    const full = f.len * 8;
    if (v.length % 8 === 0 && v.length < full) {
      // On a byte boundary nft loads just the prefix's bytes: no bitwise.
      const bytes = v.length / 8;
      const load = { ...f.load, data: { ...f.load.data, len: bytes } };
      out.push(load, cmp(cmpOp, f.bytes(v.address).subarray(0, bytes)));
    } else if (v.length === full) {
      out.push(f.load, cmp(cmpOp, f.bytes(v.address)));
    } else {
      const mask = networkMask(v.length, f.len);
      const net = Buffer.from(f.bytes(v.address).map((b, i) => b & mask[i]));
      out.push(f.load, { name: 'bitwise', data: { sreg: REG.r1, dreg: REG.r1, len: f.len, mask: data(mask), xor: data(Buffer.alloc(f.len)) } }, cmp(cmpOp, net));
    }
    return;
  }
  if (v.kind === 'range') {
    if (op === 'eq') out.push(f.load, cmp(CMP.gte, f.bytes(v.from)), cmp(CMP.lte, f.bytes(v.to)));
    else out.push(f.load, { name: 'range', data: { sreg: REG.r1, op: CMP.neq, from: data(f.bytes(v.from)), to: data(f.bytes(v.to)) } });
    return;
  }
  if ((field === 'iifname' || field === 'oifname') && String(v.value).endsWith('*')) {
    // A wildcard compares only the bytes before the '*'.
    out.push(f.load, cmp(cmpOp, Buffer.from(String(v.value).slice(0, -1))));
    return;
  }
  out.push(f.load, cmp(cmpOp, f.bytes(v.value)));
}

function element(f: FieldInfo, e: Scalar): { key: Buffer; keyEnd?: Buffer } {
  if (e.kind === 'single') return { key: f.bytes(e.value) };
  if (e.kind === 'range') return { key: f.bytes(e.from), keyEnd: f.bytes(e.to) };
  const mask = networkMask(e.length, f.len);
  const start = Buffer.from(f.bytes(e.address).map((b, i) => b & mask[i]));
  const end = Buffer.from(start.map((b, i) => b | (~mask[i] & 0xff)));
  return { key: start, keyEnd: end };
}

// ---- decoding -------------------------------------------------------------------------------

type Loaded = { field?: Field; base?: number; offset?: number; len: number; mask?: Buffer; key?: string };

const bytesOf = (d: unknown): Buffer => (d as { value: Buffer }).value;

function fieldOfPayload(base: number, offset: number, len: number, l4: string | undefined): { field: Field; prefixBytes?: number } | undefined {
  if (base === PAYLOAD_BASE.network) {
    if (offset === 12 && len <= 4) return { field: 'ip saddr', prefixBytes: len };
    if (offset === 16 && len <= 4) return { field: 'ip daddr', prefixBytes: len };
    if (offset === 8 && len <= 16) return { field: 'ip6 saddr', prefixBytes: len };
    if (offset === 24 && len <= 16) return { field: 'ip6 daddr', prefixBytes: len };
  }
  if (base === PAYLOAD_BASE.transport && len === 2 && (l4 === 'tcp' || l4 === 'udp')) {
    if (offset === 0) return { field: `${l4} sport` as Field };
    if (offset === 2) return { field: `${l4} dport` as Field };
  }
  return undefined;
}

export function scalarFromBytes(field: Field, b: Buffer): string | number {
  if (field === 'ip saddr' || field === 'ip daddr') return [...b].join('.');
  if (field === 'ip6 saddr' || field === 'ip6 daddr') return formatV6(b);
  if (portProto(field)) return b.readUInt16BE(0);
  if (field === 'meta l4proto') return Object.keys(L4PROTOS).find((k) => L4PROTOS[k] === b[0]) ?? b[0];
  if (field === 'iifname' || field === 'oifname') {
    const nul = b.indexOf(0);
    return nul < 0 ? `${b.toString()}*` : b.subarray(0, nul).toString();
  }
  if (field === 'fib daddr type') return ({ 1: 'unicast', 2: 'local', 3: 'broadcast', 5: 'multicast' } as Record<number, string>)[b.readUInt32LE(0)] ?? b.readUInt32LE(0);
  return b.readUInt32LE(0);
}

function prefixLength(mask: Buffer): number {
  let n = 0;
  for (const b of mask) n += [...Array(8)].filter((_, i) => b & (0x80 >> i)).length;
  return n;
}

/** Looks up the elements of an anonymous set a rule refers to. */
export type SetResolver = (name: string) => Array<{ key: Buffer; keyEnd?: Buffer; intervalEnd?: boolean; data?: unknown }> | undefined;

/**
 * Expressions -> items. Returns undefined for any expression sequence outside the supported
 * language (the caller then lists the rule with its raw expressions).
 */
export function decodeExpressions(exprs: Expr[], resolveSet: SetResolver, ifname: (index: number) => string | undefined = () => undefined, family: NftFamily = 'ip'): Item[] | undefined {
  const items: Item[] = [];
  let reg: Loaded | undefined;
  let concat: Field[] = []; // fields loaded into registers for one lookup (a concatenation)
  const loaded = (field: Field, dreg: number) => {
    if (dreg === REG.r1) concat = [field];
    // Later parts: 32-bit registers (9…), or 16-byte ones (2–4) as the kernel reports an aligned one.
    else if ((dreg >= 9 || (dreg >= 2 && dreg <= 4)) && concat.length) concat.push(field);
    else return false;
    return true;
  };
  const imm: Record<number, Buffer> = {};
  let l4: string | undefined;
  let natMap: { field: Field; value: MapValue } | undefined;
  for (let i = 0; i < exprs.length; i++) {
    const e = exprs[i];
    const d = (e.data ?? {}) as Record<string, any>;
    switch (e.name) {
      case 'payload': {
        const f = fieldOfPayload(d.base, d.offset, d.len, l4);
        if (!f || !loaded(f.field, d.dreg)) return undefined;
        if (d.dreg !== REG.r1) break; // a later part of a concatenation
        reg = { field: f.field, len: d.len, base: d.base, offset: d.offset };
        // A port match after "meta l4proto tcp" is listed as "tcp dport …" alone.
        if (portProto(f.field)) implyProtocol(items, l4);
        break;
      }
      case 'meta': {
        if (d.sreg !== undefined) {
          if (d.key !== META.mark || !imm[d.sreg]) return undefined;
          items.push({ t: 'set', key: 'meta mark', value: imm[d.sreg].readUInt32LE(0) });
          break;
        }
        if (d.key === META.nfproto || d.key === META.protocol) {
          // The layer-3 check nft puts before an ip/ip6 match in inet/bridge/netdev tables: implied
          // by that match, so it is not an item of its own.
          const c = exprs[i + 1];
          const p = exprs[i + 2];
          if (c?.name !== 'cmp' || p?.name !== 'payload' || (p.data as any).base !== PAYLOAD_BASE.network) return undefined;
          i++;
          break;
        }
        const key = ({ [META.l4proto]: 'meta l4proto', [META.iifname]: 'iifname', [META.oifname]: 'oifname', [META.mark]: 'meta mark', [META.iif]: 'iif', [META.oif]: 'oif' } as Record<number, Field>)[d.key];
        if (!key || !loaded(key, d.dreg)) return undefined;
        if (d.dreg !== REG.r1) break;
        reg = { field: key, len: key === 'meta l4proto' ? 1 : key === 'iifname' || key === 'oifname' ? 16 : 4 };
        break;
      }
      case 'ct': {
        if (d.sreg !== undefined) {
          if (d.key !== CT.mark || !imm[d.sreg]) return undefined;
          items.push({ t: 'set', key: 'ct mark', value: imm[d.sreg].readUInt32LE(0) });
          break;
        }
        if (d.key === CT.state) reg = { field: 'ct state', len: 4 };
        else if (d.key === CT.status) reg = { field: 'ct status', len: 4 };
        else if (d.key === CT.mark) reg = { field: 'ct mark', len: 4 };
        else return undefined;
        break;
      }
      case 'fib':
        if (d.result !== 3 || d.flags !== 2) return undefined;
        reg = { field: 'fib daddr type', len: 4 };
        break;
      case 'bitwise':
        if (!reg) return undefined;
        reg.mask = bytesOf(d.mask);
        break;
      case 'cmp': {
        if (!reg?.field) return undefined;
        const field = reg.field;
        const value = bytesOf(d.data);
        const next = exprs[i + 1];
        if (field in FLAG_FIELDS) {
          if (!reg.mask || value.readUInt32LE(0) !== 0) return undefined;
          const mask = reg.mask.readUInt32LE(0);
          const names = FLAG_FIELDS[field];
          items.push({ t: 'match', field, op: d.op === CMP.neq ? 'eq' : 'neq', value: { kind: 'flags', names: Object.keys(names).filter((n) => mask & names[n]) } });
          reg = undefined;
          break;
        }
        if (d.op === CMP.gte && next?.name === 'cmp' && (next.data as any).op === CMP.lte) {
          items.push({ t: 'match', field, op: 'eq', value: { kind: 'range', from: scalarFromBytes(field, value), to: scalarFromBytes(field, bytesOf((next.data as any).data)) } });
          i++;
          reg = undefined;
          break;
        }
        if (d.op !== CMP.eq && d.op !== CMP.neq) return undefined;
        const op = d.op === CMP.eq ? 'eq' : 'neq';
        let v: Value;
        const fullLen = field.startsWith('ip6') ? 16 : field.startsWith('ip ') ? 4 : undefined;
        // A mask on a mark: "meta mark & MASK == VALUE" (a full mask is no mask).
        const markMask = !fullLen && reg.mask?.length === 4 ? reg.mask.readUInt32LE(0) : undefined;
        if (markMask !== undefined && markMask !== 0xffffffff) {
          items.push({ t: 'match', field, op, value: { kind: 'single', value: scalarFromBytes(field, value) }, mask: markMask });
          reg = undefined;
          break;
        }
        if (fullLen && reg.mask) v = { kind: 'prefix', address: String(scalarFromBytes(field, pad(value, fullLen))), length: prefixLength(reg.mask) };
        else if (fullLen && value.length < fullLen) v = { kind: 'prefix', address: String(scalarFromBytes(field, pad(value, fullLen))), length: value.length * 8 };
        else if (field === 'iifname' || field === 'oifname') v = { kind: 'single', value: scalarFromBytes(field, value.length < 16 ? value : value) };
        else if (field === 'iif' || field === 'oif') v = { kind: 'single', value: ifname(value.readUInt32LE(0)) ?? value.readUInt32LE(0) };
        else v = { kind: 'single', value: scalarFromBytes(field, value) };
        // Shorter than IFNAMSIZ: with its NUL an exact name (as iptables writes it), without one a prefix.
        if ((field === 'iifname' || field === 'oifname') && value.length < 16) v = { kind: 'single', value: value[value.length - 1] === 0 ? value.subarray(0, -1).toString() : `${value.toString()}*` };
        items.push({ t: 'match', field, op, value: v });
        if (field === 'meta l4proto' && v.kind === 'single') l4 = String(v.value);
        reg = undefined;
        break;
      }
      case 'range': {
        if (!reg?.field) return undefined;
        items.push({ t: 'match', field: reg.field, op: d.op === CMP.eq ? 'eq' : 'neq', value: { kind: 'range', from: scalarFromBytes(reg.field, bytesOf(d.from)), to: scalarFromBytes(reg.field, bytesOf(d.to)) } });
        reg = undefined;
        break;
      }
      case 'lookup': {
        if (!reg?.field) return undefined;
        const field = reg.field;
        if (concat.length > 1 && d.dreg === undefined) {
          const fields = concat;
          const op = d.flags & 1 ? 'neq' : 'eq';
          // As for a single port match, the protocol check nft adds is implied by "tcp dport".
          if (fields.some((f) => portProto(f) === l4)) implyProtocol(items, l4);
          if (!String(d.set).startsWith('__set')) items.push({ t: 'concat', fields, op, value: { kind: 'named', name: d.set } });
          else {
            const els = resolveSet(d.set);
            if (!els) return undefined;
            items.push({ t: 'concat', fields, op, value: { kind: 'tuples', elements: inNftOrder(fields, els).map((e) => splitConcatKey(fields, e.key, ifname)) } });
          }
          concat = [];
          reg = undefined;
          break;
        }
        if (d.dreg !== undefined) {
          // A map lookup: into the verdict register (vmap), or into register 1 for the nat after it.
          let value: MapValue;
          if (!String(d.set).startsWith('__map')) value = { kind: 'named', name: d.set };
          else {
            const els = resolveSet(d.set);
            if (!els) return undefined;
            const entries: Array<[Scalar, string]> = [];
            for (const e of els) {
              const dd = e.data as { value?: Buffer; verdict?: { code: number; chain?: string } } | undefined;
              const text = dd?.verdict ? verdictName(dd.verdict) : dd?.value ? String(scalarFromBytes(dd.value.length === 16 ? 'ip6 daddr' : 'ip daddr', dd.value)) : undefined;
              if (text === undefined) return undefined;
              entries.push([setElements(field, [e])[0], text]);
            }
            entries.sort((a, b) => Number((a[0] as { value?: number }).value ?? 0) - Number((b[0] as { value?: number }).value ?? 0));
            value = { kind: 'map', entries };
          }
          if (portProto(field)) implyProtocol(items, l4);
          if (d.dreg === REG.verdict) items.push({ t: 'vmap', field, value });
          else if (d.dreg === REG.r1 && exprs[i + 1]?.name === 'nat') natMap = { field, value };
          else return undefined;
          reg = undefined;
          break;
        }
        const op = d.flags & 1 ? 'neq' : 'eq';
        if (!String(d.set).startsWith('__set')) {
          items.push({ t: 'match', field, op, value: { kind: 'named', name: d.set } });
        } else {
          const elements = resolveSet(d.set);
          if (!elements) return undefined;
          items.push({ t: 'match', field, op, value: { kind: 'set', elements: setElements(field, elements) } });
        }
        reg = undefined;
        break;
      }
      case 'counter':
        items.push({ t: 'counter', packets: d.packets ?? 0n, bytes: d.bytes ?? 0n });
        break;
      case 'immediate':
        if (d.dreg === REG.verdict) {
          const code = (d.data?.verdict?.code ?? 0) | 0;
          const name = (Object.keys(VERDICT) as Array<keyof typeof VERDICT>).find((k) => VERDICT[k] === code);
          if (!name) return undefined;
          items.push(d.data.verdict.chain ? { t: 'verdict', verdict: name, chain: d.data.verdict.chain } : { t: 'verdict', verdict: name });
        } else {
          imm[d.dreg] = bytesOf(d.data);
        }
        break;
      case 'nat': {
        const nat: Item = { t: 'nat', type: d.type === NAT_TYPE.snat ? 'snat' : 'dnat' };
        if (natMap) {
          nat.map = natMap;
          natMap = undefined;
          items.push(nat);
          break;
        }
        // The kernel reports addr_max = addr_min for a single address.
        if (d.reg_addr_max !== undefined && d.reg_addr_max !== d.reg_addr_min) {
          const b = imm[d.reg_addr_max];
          nat.addressEnd = b.length === 4 ? [...b].join('.') : formatV6(b);
        }
        if (d.reg_addr_min !== undefined) {
          const b = imm[d.reg_addr_min];
          nat.address = b.length === 4 ? [...b].join('.') : formatV6(b);
        }
        if (d.reg_proto_min !== undefined) {
          const lo = imm[d.reg_proto_min].readUInt16BE(0);
          nat.ports = [lo, d.reg_proto_max !== undefined ? imm[d.reg_proto_max].readUInt16BE(0) : lo];
        }
        items.push(nat);
        break;
      }
      case 'masq': case 'redir': {
        const it: { t: 'masquerade' | 'redirect'; ports?: [number, number] } = { t: e.name === 'masq' ? 'masquerade' : 'redirect' };
        if (d.reg_proto_min !== undefined) {
          const lo = imm[d.reg_proto_min].readUInt16BE(0);
          it.ports = [lo, d.reg_proto_max !== undefined ? imm[d.reg_proto_max].readUInt16BE(0) : lo];
        }
        items.push(it);
        break;
      }
      case 'log': items.push(d.prefix !== undefined ? { t: 'log', prefix: d.prefix } : { t: 'log' }); break;
      case 'limit': {
        const per = (Object.keys(LIMIT_UNITS) as Array<keyof typeof LIMIT_UNITS>).find((k) => BigInt(LIMIT_UNITS[k]) === d.unit);
        if (!per || d.type !== 0) return undefined;
        items.push({ t: 'limit', rate: Number(d.rate), per, burst: d.burst });
        break;
      }
      case 'reject': items.push({ t: 'reject' }); break;
      case 'notrack': items.push({ t: 'notrack' }); break;
      case 'match': case 'target':
        items.push({ t: 'xt', text: xtText(e.name, d.name, d.rev, d.info, { family, l4 }) });
        break;
      default: return undefined;
    }
  }
  return items;
}

/** Marks the last `meta l4proto PROTO` match implied: a port match of PROTO says it (nft drops it). */
function implyProtocol(items: Item[], l4: string | undefined): void {
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i];
    if (it.t !== 'match' || it.field !== 'meta l4proto') continue;
    if (it.op === 'eq' && it.value.kind === 'single' && String(it.value.value) === l4) it.implied = true;
    return;
  }
}

function pad(b: Buffer, len: number): Buffer {
  return b.length >= len ? b : Buffer.concat([b, Buffer.alloc(len - b.length)]);
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

export function setElements(field: Field, elements: Array<{ key: Buffer; keyEnd?: Buffer; intervalEnd?: boolean }>): Scalar[] {
  const out: Scalar[] = [];
  for (const e of inNftOrder([field], elements)) {
    if (e.intervalEnd) continue;
    if (!e.keyEnd) { out.push({ kind: 'single', value: scalarFromBytes(field, e.key) }); continue; }
    const from = scalarFromBytes(field, e.key);
    const to = scalarFromBytes(field, e.keyEnd);
    if (field.startsWith('ip')) {
      // An address range that is exactly a prefix lists as one.
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
