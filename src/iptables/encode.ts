// IptRule -> nf_tables expressions, as iptables-nft 1.8.9 writes them: native payload/meta/cmp for
// interfaces, protocol, addresses, ports, TCP flags, marks and limits; xtables compat matches and
// targets for the rest; a counter before the target; NFTA_RULE_COMPAT with the protocol.
import { parseAddress, parseCidr } from '../ip';
import { CMP, META, PAYLOAD_BASE, REG, VERDICT } from '../nft/constants';
import { COUNTER, type Expr, sharedBy } from '../nft/expressions';
import { limitOf } from './matches';
import { checkPorts, fail } from './options';
import { type IptMatch, type IptRule, type IptTarget, matchesOf } from './rule';
import * as xt from './xt';
import * as xtt from './xt-targets';

import { LAYOUT } from './decode';

export { decodeRule } from './decode';

export const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const u16be = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const cmp = (op: number, value: Buffer): Expr => ({ name: 'cmp', data: { sreg: REG.r1, op, data: { value } } });
// Loads and masks are the same in many rules (a bounded set: keys, fields, prefix lengths): one
// shared expression each, encoded once (a kube-proxy restore has 100,000 rules of a few shapes).
// libnftnl's attribute order: key, then the register.
const meta = sharedBy((key: number): Expr => ({ name: 'meta', data: { key, dreg: REG.r1 } }));
const payloadOf = sharedBy((field: string): Expr => {
  const [base, offset, len] = field.split(' ').map(Number);
  return { name: 'payload', data: { dreg: REG.r1, base, offset, len } };
});
const payload = (base: number, offset: number, len: number): Expr => payloadOf(`${base} ${offset} ${len}`);
const bitwise = (len: number, mask: Buffer): Expr => ({ name: 'bitwise', data: { sreg: REG.r1, dreg: REG.r1, len, mask: { value: mask }, xor: { value: Buffer.alloc(len) } } });
/** An address prefix's mask (bounded: 129 lengths at most), not a mark's (any of 2^32). */
const prefixMask = sharedBy((mask: string): Expr => bitwise(mask.length / 2, Buffer.from(mask, 'hex')));
export const PROTO: Record<string, number> = { tcp: 6, udp: 17, icmp: 1 };
/** NFT_RULE_COMPAT_F_INV: the protocol match is negated. */
const COMPAT_INV = 2;

export interface EncodedRule {
  expressions: Expr[];
  compat: { proto: number; flags: number };
}

function iface(out: Expr[], key: number, name: string, not: boolean | undefined): void {
  // "veth+" compares the prefix; an exact name compares it with its NUL.
  const bytes = name.endsWith('+') ? Buffer.from(name.slice(0, -1)) : Buffer.concat([Buffer.from(name), Buffer.alloc(1)]);
  out.push(meta(key), cmp(not ? CMP.neq : CMP.eq, bytes));
}

function address(out: Expr[], offset: number, cidr: string, not: boolean | undefined, size: number): void {
  const c = parseCidr('address', cidr);
  if (c.bytes.length !== size) throw new RangeError(`iptables: ${cidr} is an IPv${c.family} address, this is IPv${size === 4 ? 4 : 6}`);
  const op = not ? CMP.neq : CMP.eq;
  if (c.prefixLength === 0) return;
  if (c.prefixLength % 8 === 0) {
    const n = c.prefixLength / 8;
    out.push(payload(PAYLOAD_BASE.network, offset, n), cmp(op, c.bytes.subarray(0, n)));
    return;
  }
  const mask = Buffer.alloc(size);
  for (let i = 0; i < size; i++) mask[i] = (0xff << (8 - Math.max(0, Math.min(8, c.prefixLength - i * 8)))) & 0xff;
  const net = Buffer.from(c.bytes.map((b, i) => b & mask[i]));
  out.push(payload(PAYLOAD_BASE.network, offset, size), prefixMask(mask.subarray(0, size).toString('hex')), cmp(op, net));
}

/** One port field, as iptables-nft's add_nft_tcpudp: nothing for 0:65535, `<=` for 0:N, else eq or a range. */
function port(out: Expr[], offset: number, spec: string, not: boolean | undefined): void {
  const [lo, hi] = checkPorts('port', spec);
  if (lo === 0 && hi === 0xffff) return;
  out.push(payload(PAYLOAD_BASE.transport, offset, 2));
  if (lo === hi) out.push(cmp(not ? CMP.neq : CMP.eq, u16be(lo)));
  else if (lo === 0) out.push(cmp(not ? CMP.gt : CMP.lte, u16be(hi)));
  else out.push({ name: 'range', data: { sreg: REG.r1, op: not ? CMP.neq : CMP.eq, from: { value: u16be(lo) }, to: { value: u16be(hi) } } });
}

/** -m tcp/-m udp: flags, then both ports in one 4-byte compare when both are single, non-zero and negated alike. */
function tcpudp(m: Extract<IptMatch, { name: 'tcp' | 'udp' }>): Expr[] {
  const out: Expr[] = [];
  if (m.tcpFlags) out.push(payload(PAYLOAD_BASE.transport, 13, 1), bitwise(1, Buffer.from([m.tcpFlags[0]])), cmp(m.tcpFlagsNot ? CMP.neq : CMP.eq, Buffer.from([m.tcpFlags[1]])));
  const s = m.sport === undefined ? undefined : checkPorts('--sport', m.sport);
  const d = m.dport === undefined ? undefined : checkPorts('--dport', m.dport);
  if (s && d && s[0] && s[0] === s[1] && d[0] && d[0] === d[1] && !m.sportNot === !m.dportNot) {
    out.push(payload(PAYLOAD_BASE.transport, 0, 4), cmp(m.sportNot ? CMP.neq : CMP.eq, Buffer.concat([u16be(s[0]), u16be(d[0])])));
  } else {
    if (m.sport !== undefined) port(out, 0, m.sport, m.sportNot);
    if (m.dport !== undefined) port(out, 2, m.dport, m.dportNot);
  }
  // Nothing native to say (-m tcp alone): iptables-nft sends the xt match itself.
  return out.length ? out : [compat('match', m.name, 0, xt.tcpudpInfo(m.name))];
}

const compat = (kind: 'match' | 'target', name: string, rev: number, info: Buffer): Expr => ({ name: kind, data: { name, rev, info } });

/** ipset names -> kernel indexes, for -m set (looked up before encoding: see ipset.ts). */
export type SetIndexes = ReadonlyMap<string, number>;

function match(m: IptMatch, sets: SetIndexes | undefined): Expr[] {
  switch (m.name) {
    case 'tcp': case 'udp': return tcpudp(m);
    case 'conntrack': return [compat('match', 'conntrack', 3, xt.conntrackInfo({ states: m.ctstate, statesNot: m.not, statuses: m.ctstatus, statusNot: m.ctstatusNot }))];
    case 'state': return [compat('match', 'conntrack', 3, xt.conntrackInfo({ states: m.state, statesNot: m.not, alias: true }))];
    case 'comment': return [compat('match', 'comment', 0, xt.commentInfo(m.comment))];
    case 'addrtype': {
      const F = xt.ADDRTYPE_FLAGS;
      const flags = (m.srcTypeNot ? F.srcNot : 0) | (m.dstTypeNot ? F.dstNot : 0) | (m.limitIfaceIn ? F.limitIn : 0) | (m.limitIfaceOut ? F.limitOut : 0);
      return [compat('match', 'addrtype', 1, xt.addrtypeInfo({ src: m.srcType, dst: m.dstType, flags }))];
    }
    case 'multiport': {
      const dir = m.dports ? 'dports' : m.sports ? 'sports' : 'ports';
      const list = (m.dports ?? m.sports ?? m.ports)!.map((p) => checkPorts(`--${dir}`, p));
      return [compat('match', 'multiport', 1, xt.multiportInfo(dir, list, !!m.not))];
    }
    case 'mark': {
      const out = [meta(META.mark)];
      if (m.mask !== undefined && m.mask !== 0xffffffff) out.push(bitwise(4, u32(m.mask)));
      return [...out, cmp(m.not ? CMP.neq : CMP.eq, u32(m.mark))];
    }
    case 'connmark': return [compat('match', 'connmark', 1, xt.connmarkInfo(m.mark, m.mask ?? 0xffffffff, !!m.not))];
    case 'statistic': return [compat('match', 'statistic', 0, xt.statisticInfo({ ...m, not: !!m.not }))];
    case 'limit': {
      const [rate, name] = (m.limit ?? '3/hour').split('/');
      const l = limitOf(Math.floor((10000 * ({ sec: 1, min: 60, hour: 3600, day: 86400 } as Record<string, number>)[name]) / Number(rate)));
      return [{ name: 'limit', data: { rate: BigInt(l.rate), unit: BigInt(l.unit), burst: m.burst ?? 5, type: 0, flags: 0 } }];
    }
    case 'physdev': {
      const P = xt.PHYSDEV;
      const bit = (on: boolean | undefined, b: number) => (on ? b : 0);
      const bitmask = bit(m.in !== undefined, P.in) | bit(m.out !== undefined, P.out) | bit(m.isBridged, P.bridged) | bit(m.isIn, P.isIn) | bit(m.isOut, P.isOut);
      const invert = bit(m.inNot, P.in) | bit(m.outNot, P.out) | bit(m.isBridgedNot, P.bridged) | bit(m.isInNot, P.isIn) | bit(m.isOutNot, P.isOut);
      return [compat('match', 'physdev', 0, xt.physdevInfo({ in: m.in, out: m.out, bitmask, invert }))];
    }
    case 'recent': {
      const R = xt.RECENT;
      const checkSet = R[m.command] | (m.rttl ? R.rttl : 0) | (m.reap ? R.reap : 0);
      const mask = m.mask === undefined ? undefined : parseAddress('--mask', m.mask).bytes;
      return [compat('match', 'recent', 1, xt.recentInfo({ seconds: m.seconds ?? 0, hitcount: m.hitcount ?? 0, checkSet, invert: !!m.not, name: m.recentName ?? 'DEFAULT', dest: m.side === 'rdest', mask }))];
    }
    case 'set': {
      const index = sets?.get(m.set);
      if (index === undefined) throw fail('--match-set', `${JSON.stringify(m.set)}: no such ipset (create it with ipset first)`);
      return [compat('match', 'set', 4, xt.setInfo(index, m.flags, !!m.not))];
    }
  }
}

function target(t: IptTarget, family: 'ip' | 'ip6'): Expr {
  const verdict = (code: number, chain?: string): Expr => ({ name: 'immediate', data: { dreg: REG.verdict, data: { verdict: { code: code >>> 0, chain } } } });
  switch (t.name) {
    case 'ACCEPT': return verdict(VERDICT.accept);
    case 'DROP': return verdict(VERDICT.drop);
    case 'RETURN': return verdict(VERDICT.return);
    case 'jump': return verdict(VERDICT.jump, t.chain);
    case 'goto': return verdict(VERDICT.goto, t.chain);
    case 'DNAT': return compat('target', 'DNAT', 2, xtt.natRange2(xtt.parseNatTarget('--to-destination', t.toDestination), t));
    // IPv6 NAT targets carry nf_nat_range (SNAT at rev 1); IPv4 ones the older multi-range struct.
    case 'SNAT': return family === 'ip6'
      ? compat('target', 'SNAT', 1, xtt.natRange(xtt.parseNatTarget('--to-source', t.toSource), t))
      : compat('target', 'SNAT', 0, xtt.natMultiRange(xtt.parseNatTarget('--to-source', t.toSource), t));
    case 'MASQUERADE': case 'REDIRECT': {
      const range = t.toPorts ? xtt.parseNatTarget('--to-ports', `:${t.toPorts}`) : {};
      return compat('target', t.name, 0, family === 'ip6' ? xtt.natRange(range, t) : xtt.natMultiRange(range, t));
    }
    case 'MARK': return compat('target', 'MARK', 2, xtt.markTarget(t.setXmark[0], t.setXmark[1]));
    case 'CONNMARK': return compat('target', 'CONNMARK', 2, xtt.connmarkTarget(t));
    case 'CT': return compat('target', 'CT', 2, xtt.ctTarget(t.notrack ? xtt.CT_FLAGS.notrack : 0, t.zone ?? 0));
    case 'NOTRACK': return compat('target', 'CT', 2, xtt.ctTarget(xtt.CT_FLAGS.notrack | xtt.CT_FLAGS.alias, 0));
    case 'TCPMSS': return compat('target', 'TCPMSS', 0, xtt.tcpmssTarget(t.mss === 'clamp' ? xtt.TCPMSS_CLAMP : t.mss));
    case 'LOG': return compat('target', 'LOG', 0, xtt.logInfo(t.prefix, t.level ?? 4));
    case 'REJECT': return family === 'ip6'
      ? compat('target', 'REJECT', 0, xtt.rejectInfo(t.with ?? 'icmp6-port-unreachable', xtt.REJECT6_WITH))
      : compat('target', 'REJECT', 0, xtt.rejectInfo(t.with ?? 'icmp-port-unreachable'));
  }
}

/** What the kernel would refuse with a bare EINVAL, said first as iptables says it. */
function checkTarget(r: IptRule): void {
  const t = r.target;
  if (t?.name === 'TCPMSS' && r.protocol !== 'tcp') throw fail('-j TCPMSS', 'needs -p tcp');
  // A NAT target with a port needs a protocol ("Need TCP, UDP, SCTP or DCCP with port specification").
  const [option, value] = t?.name === 'DNAT' ? ['--to-destination', t.toDestination] : t?.name === 'SNAT' ? ['--to-source', t.toSource]
    : (t?.name === 'MASQUERADE' || t?.name === 'REDIRECT') && t.toPorts ? ['--to-ports', t.toPorts] : [];
  if (!option || (r.protocol && r.protocol !== 'all')) return;
  if (option === '--to-ports' || xtt.parseNatTarget(option, value!).ports) {
    throw new RangeError(`iptables: ${option}: ${JSON.stringify(value)} has a port, which needs -p tcp or -p udp (iptables: "Need TCP, UDP, SCTP or DCCP with port specification")`);
  }
}


export function encodeRule(r: IptRule, family: 'ip' | 'ip6' = 'ip', sets?: SetIndexes): EncodedRule {
  const out: Expr[] = [];
  const L = LAYOUT[family];
  if (family === 'ip6' && r.protocol === 'icmp') throw new RangeError('ip6tables: -p icmp: use -p ipv6-icmp (not supported yet)');
  if (r.inInterface) iface(out, META.iifname, r.inInterface, r.inInterfaceNot);
  if (r.outInterface) iface(out, META.oifname, r.outInterface, r.outInterfaceNot);
  const proto = r.protocol && r.protocol !== 'all' ? PROTO[r.protocol] : 0;
  if (proto) out.push(meta(META.l4proto), cmp(r.protocolNot ? CMP.neq : CMP.eq, Buffer.from([proto])));
  if (r.source) address(out, L.saddr, r.source, r.sourceNot, L.size);
  if (r.destination) address(out, L.daddr, r.destination, r.destinationNot, L.size);
  for (const m of matchesOf(r)) out.push(...match(m, sets));
  checkTarget(r);
  out.push(COUNTER);
  if (r.target) out.push(target(r.target, family));
  return { expressions: out, compat: { proto, flags: r.protocolNot ? COMPAT_INV : 0 } };
}
