// A ConntrackFilter checked once, before anything is sent; the part of it the kernel can apply
// (the attributes of a filtered dump or flush), and the whole of it applied to an entry in JS.
import { type Family, parseAddress } from '../ip';
import { checkArray, checkInteger, checkKeys, checkObject, rangeError, typeError } from '../validate';
import { type ConntrackEntry, type ConntrackFilter, type ConntrackStatus, type ConntrackTuple, PROTOCOLS, STATUS_BITS } from './types';

const KEYS = ['family', 'protocol', 'src', 'dst', 'sport', 'dport', 'replySrc', 'replyDst', 'replySport', 'replyDport', 'mark', 'markMask', 'zone', 'status'] as const;

/** Protocols whose tuples carry ports. */
const PORT_PROTOCOLS = new Set([6, 17, 33, 132, 136]);

// CTA_FILTER_F_* (the kernel's net/netfilter/nf_internals.h): which tuple fields a filter compares.
const F_IP_SRC = 1 << 0;
const F_IP_DST = 1 << 1;
const F_PROTO_NUM = 1 << 3;
const F_SRC_PORT = 1 << 4;
const F_DST_PORT = 1 << 5;

interface Side {
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
}

export interface CheckedFilter {
  family?: Family;
  protocol?: number;
  original: Side;
  reply: Side;
  mark?: number;
  markMask: number;
  zone?: number;
  /** IPS_* bits that must all be set. */
  status?: number;
}

/** TypeError/RangeError naming the field for anything the filter cannot mean. */
export function checkFilter(field: string, value: unknown): CheckedFilter {
  const o = checkObject(field, value) as ConntrackFilter;
  checkKeys(field, o, KEYS);
  const out: CheckedFilter = { original: {}, reply: {}, markMask: 0xffffffff };
  if (o.family !== undefined) {
    if (o.family !== 4 && o.family !== 6) throw rangeError(`${field}.family`, o.family, 'is not 4 or 6');
    out.family = o.family;
  }
  if (o.protocol !== undefined) out.protocol = protocolNumber(`${field}.protocol`, o.protocol);
  const address = (key: 'src' | 'dst' | 'replySrc' | 'replyDst'): string | undefined => {
    if (o[key] === undefined) return undefined;
    const a = parseAddress(`${field}.${key}`, o[key]);
    if (out.family !== undefined && a.family !== out.family) {
      throw rangeError(`${field}.${key}`, o[key], `is IPv${a.family} but the filter is IPv${out.family}`);
    }
    out.family = a.family;
    return a.address;
  };
  const port = (key: 'sport' | 'dport' | 'replySport' | 'replyDport'): number | undefined => {
    if (o[key] === undefined) return undefined;
    const p = checkInteger(`${field}.${key}`, o[key], 0, 65535);
    if (out.protocol === undefined) throw typeError(`${field}.protocol`, o.protocol, `a protocol with ports (tcp, udp, sctp, dccp, udplite) for ${key}`);
    if (!PORT_PROTOCOLS.has(out.protocol)) throw rangeError(`${field}.${key}`, p, `cannot match: protocol ${JSON.stringify(o.protocol)} has no ports`);
    return p;
  };
  out.original = prune({ src: address('src'), dst: address('dst'), sport: port('sport'), dport: port('dport') });
  out.reply = prune({ src: address('replySrc'), dst: address('replyDst'), sport: port('replySport'), dport: port('replyDport') });
  if (o.mark !== undefined) out.mark = checkInteger(`${field}.mark`, o.mark, 0, 0xffffffff);
  if (o.markMask !== undefined) {
    out.markMask = checkInteger(`${field}.markMask`, o.markMask, 0, 0xffffffff);
    if (o.mark === undefined) throw typeError(`${field}.mark`, o.mark, 'a mark to compare, with markMask');
  }
  if (o.zone !== undefined) out.zone = checkInteger(`${field}.zone`, o.zone, 0, 65535);
  if (o.status !== undefined) out.status = statusBits(`${field}.status`, o.status);
  return out;
}

function protocolNumber(field: string, value: unknown): number {
  if (typeof value === 'number') return checkInteger(field, value, 0, 255);
  if (typeof value !== 'string') throw typeError(field, value, 'a protocol name (tcp, udp, icmp, …) or number');
  const n = PROTOCOLS[value.toLowerCase()];
  if (n === undefined) throw rangeError(field, value, `is not one of ${Object.keys(PROTOCOLS).join(', ')} (or give its number)`);
  return n;
}

/** Status names, any case (conntrack(8) writes them in capitals: --status DNAT,ASSURED). */
function statusBits(field: string, value: unknown): number {
  const names = typeof value === 'string' ? [value] : checkArray(field, value);
  if (names.length === 0) throw rangeError(field, value, 'is empty: name at least one status flag');
  let bits = 0;
  names.forEach((name, i) => {
    const f = typeof value === 'string' ? field : `${field}[${i}]`;
    if (typeof name !== 'string') throw typeError(f, name, 'a status flag name');
    const bit = STATUS_BITS[name.toLowerCase() as ConntrackStatus];
    if (bit === undefined) throw rangeError(f, name, `is not one of ${Object.keys(STATUS_BITS).join(', ')}`);
    bits |= bit;
  });
  return bits;
}

const prune = (s: Side): Side => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as Side;

/** Whether the filter names tuple fields (what CTA_FILTER carries). */
export const hasTuple = (f: CheckedFilter): boolean => f.protocol !== undefined || Object.keys(f.original).length > 0 || Object.keys(f.reply).length > 0;

/**
 * The address families to ask the kernel about, one request each: a tuple filter (CTA_FILTER)
 * needs the family in the request, so one without a family is asked of IPv4 and IPv6 apart.
 * 0: every family in one request.
 */
export function familiesToAsk(f: CheckedFilter): Array<0 | Family> {
  if (f.family !== undefined) return [f.family];
  return hasTuple(f) ? [4, 6] : [0];
}

/** The attributes of a filtered dump or flush for one family: what the kernel can match itself. */
export function kernelFilterAttrs(f: CheckedFilter, family: 0 | Family): Record<string, unknown> {
  const attrs: Record<string, unknown> = {};
  if (f.mark !== undefined) Object.assign(attrs, { mark: f.mark, mark_mask: f.markMask });
  if (f.status !== undefined) Object.assign(attrs, { status: f.status, status_mask: f.status });
  // CTA_ZONE filters a dump from Linux 6.8 (an older kernel ignores it: matches() still applies
  // the zone). Zone 0 is the kernel's "no zone filter" (NF_CT_DEFAULT_ZONE_ID): that filter alone
  // brings the whole table back, to be filtered here.
  if (f.zone !== undefined && f.zone !== 0) attrs.zone = f.zone;
  if (family === 0 || !hasTuple(f)) return attrs;
  const orig = tupleFilter(f, f.original, family);
  const reply = tupleFilter(f, f.reply, family);
  // The protocol is matched on the original direction (both directions carry the same).
  const origFlags = orig.flags | (f.protocol !== undefined ? F_PROTO_NUM : 0);
  if (origFlags) attrs.tuple_orig = orig.attrs;
  if (reply.flags) attrs.tuple_reply = reply.attrs;
  attrs.filter = { orig_flags: origFlags, reply_flags: reply.flags };
  return attrs;
}

function tupleFilter(f: CheckedFilter, s: Side, family: Family): { flags: number; attrs: Record<string, unknown> } {
  let flags = 0;
  const ip: Record<string, string> = {};
  const v = family === 4 ? 'v4' : 'v6';
  if (s.src !== undefined) { ip[`${v}_src`] = s.src; flags |= F_IP_SRC; }
  if (s.dst !== undefined) { ip[`${v}_dst`] = s.dst; flags |= F_IP_DST; }
  const proto: Record<string, number> = {};
  if (f.protocol !== undefined) proto.num = f.protocol;
  if (s.sport !== undefined) { proto.src_port = s.sport; flags |= F_SRC_PORT; }
  // The kernel reads a tuple filter's ports only along with its protocol number.
  if (s.dport !== undefined) { proto.dst_port = s.dport; flags |= F_DST_PORT; }
  if (flags & (F_SRC_PORT | F_DST_PORT)) flags |= F_PROTO_NUM;
  const attrs: Record<string, unknown> = {};
  if (Object.keys(ip).length > 0) attrs.ip = ip;
  if (Object.keys(proto).length > 0) attrs.proto = proto;
  return { flags, attrs };
}

/**
 * Whether the kernel's flush can be trusted with the whole filter. A kernel older than 6.8
 * ignores CTA_ZONE and would flush every zone: a zone goes the dump-and-delete way. A
 * kernel older than status filtering (5.19) would ignore CTA_STATUS and flush more. A kernel older
 * than flush-with-CTA_FILTER refuses it (EOPNOTSUPP, or EINVAL for a partial tuple: the caller
 * falls back), but takes a complete tuple as the one entry to delete whatever the rest of the
 * filter says: those go the dump-and-delete way.
 */
export function kernelCanFlush(f: CheckedFilter): boolean {
  const complete = (s: Side) => s.src !== undefined && s.dst !== undefined && f.protocol !== undefined && (!PORT_PROTOCOLS.has(f.protocol) || (s.sport !== undefined && s.dport !== undefined));
  return f.zone === undefined && f.status === undefined && !complete(f.original) && !complete(f.reply);
}

const sideMatches = (s: Side, t: ConntrackTuple): boolean =>
  (s.src === undefined || s.src === t.src) && (s.dst === undefined || s.dst === t.dst)
  && (s.sport === undefined || s.sport === t.sport) && (s.dport === undefined || s.dport === t.dport);

/** The whole filter, for what the kernel did not (or, on an older kernel, could not) apply. */
export function matches(f: CheckedFilter, e: ConntrackEntry): boolean {
  return (f.family === undefined || f.family === e.family)
    && (f.protocol === undefined || f.protocol === e.protocolNumber)
    && sideMatches(f.original, e.original) && sideMatches(f.reply, e.reply)
    && (f.mark === undefined || ((e.mark & f.markMask) >>> 0) === f.mark)
    && (f.zone === undefined || f.zone === e.zone)
    && (f.status === undefined || (statusOf(e) & f.status) === f.status);
}

const statusOf = (e: ConntrackEntry): number => e.status.reduce((bits, name) => bits | STATUS_BITS[name], 0);
