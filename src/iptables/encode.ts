// IptRule <-> nf_tables expressions, as iptables-nft 1.8.9 writes them: native payload/meta/cmp for
// interfaces, protocol, addresses, ports and marks; xtables compat matches and targets for the rest;
// a counter before the target; NFTA_RULE_COMPAT with the protocol.
import { formatV6, parseCidr } from '../ip';
import { CMP, META, PAYLOAD_BASE, REG, VERDICT } from '../nft/constants';
import type { Expr } from '../nft/expressions';
import { checkPorts, type IptMatch, type IptRule, type IptTarget } from './rule';
import * as xt from './xt';

const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const u16be = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const cmp = (op: number, value: Buffer): Expr => ({ name: 'cmp', data: { sreg: REG.r1, op, data: { value } } });
// libnftnl's attribute order: key, then the register.
const meta = (key: number): Expr => ({ name: 'meta', data: { key, dreg: REG.r1 } });
const payload = (base: number, offset: number, len: number): Expr => ({ name: 'payload', data: { dreg: REG.r1, base, offset, len } });
const PROTO: Record<string, number> = { tcp: 6, udp: 17, icmp: 1 };
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
  out.push(payload(PAYLOAD_BASE.network, offset, size), { name: 'bitwise', data: { sreg: REG.r1, dreg: REG.r1, len: size, mask: { value: mask }, xor: { value: Buffer.alloc(size) } } }, cmp(op, net));
}

function ports(out: Expr[], offset: number, spec: string, not: boolean | undefined): void {
  const [lo, hi] = checkPorts('port', spec);
  out.push(payload(PAYLOAD_BASE.transport, offset, 2));
  if (lo === hi) out.push(cmp(not ? CMP.neq : CMP.eq, u16be(lo)));
  else out.push({ name: 'range', data: { sreg: REG.r1, op: not ? CMP.neq : CMP.eq, from: { value: u16be(lo) }, to: { value: u16be(hi) } } });
}

const compat = (kind: 'match' | 'target', name: string, rev: number, info: Buffer): Expr => ({ name: kind, data: { name, rev, info } });

function match(m: IptMatch): Expr[] {
  switch (m.name) {
    case 'conntrack': return [compat('match', 'conntrack', 3, xt.conntrackInfo(m.ctstate, !!m.not, false))];
    case 'state': return [compat('match', 'conntrack', 3, xt.conntrackInfo(m.state, !!m.not, true))];
    case 'comment': return [compat('match', 'comment', 0, xt.commentInfo(m.comment))];
    case 'addrtype': return [compat('match', 'addrtype', 1, xt.addrtypeInfo(m.srcType, m.dstType))];
    case 'multiport': {
      const dir = m.dports ? 'dports' : m.sports ? 'sports' : 'ports';
      const list = (m.dports ?? m.sports ?? m.ports)!.map((p) => checkPorts('--dports', p));
      return [compat('match', 'multiport', 1, xt.multiportInfo(dir, list))];
    }
    case 'mark': return [meta(META.mark), { name: 'bitwise', data: { sreg: REG.r1, dreg: REG.r1, len: 4, mask: { value: u32(m.mask ?? 0xffffffff) }, xor: { value: u32(0) } } }, cmp(m.not ? CMP.neq : CMP.eq, u32(m.mark))];
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
    case 'DNAT': return compat('target', 'DNAT', 2, xt.natRange2(xt.parseNatTarget('--to-destination', t.toDestination)));
    // IPv6 NAT targets carry nf_nat_range (SNAT at rev 1); IPv4 ones the older multi-range struct.
    case 'SNAT': return family === 'ip6'
      ? compat('target', 'SNAT', 1, xt.natRange(xt.parseNatTarget('--to-source', t.toSource)))
      : compat('target', 'SNAT', 0, xt.natMultiRange(xt.parseNatTarget('--to-source', t.toSource)));
    case 'MASQUERADE': case 'REDIRECT': {
      const range = t.toPorts ? xt.parseNatTarget('--to-ports', `:${t.toPorts}`) : {};
      return compat('target', t.name, 0, family === 'ip6' ? xt.natRange(range) : xt.natMultiRange(range));
    }
    case 'MARK': return compat('target', 'MARK', 2, xt.markTarget(t.setXmark[0], t.setXmark[1]));
    case 'LOG': return compat('target', 'LOG', 0, xt.logInfo(t.prefix, t.level ?? 4));
    case 'REJECT': return family === 'ip6'
      ? compat('target', 'REJECT', 0, xt.rejectInfo(t.with ?? 'icmp6-port-unreachable', xt.REJECT6_WITH))
      : compat('target', 'REJECT', 0, xt.rejectInfo(t.with ?? 'icmp-port-unreachable'));
  }
}

/** A NAT target with a port needs a protocol, as iptables says ("Need TCP, UDP, SCTP or DCCP with port specification"). */
function checkTargetPorts(r: IptRule): void {
  const t = r.target;
  const [option, value] = t?.name === 'DNAT' ? ['--to-destination', t.toDestination] : t?.name === 'SNAT' ? ['--to-source', t.toSource]
    : (t?.name === 'MASQUERADE' || t?.name === 'REDIRECT') && t.toPorts ? ['--to-ports', t.toPorts] : [];
  if (!option || (r.protocol && r.protocol !== 'all')) return;
  if (option === '--to-ports' || xt.parseNatTarget(option, value!).ports) {
    throw new RangeError(`iptables: ${option}: ${JSON.stringify(value)} has a port, which needs -p tcp or -p udp (iptables: "Need TCP, UDP, SCTP or DCCP with port specification")`);
  }
}

/** Where the addresses are in the network header: IPv4 12/16 (4 bytes), IPv6 8/24 (16 bytes). */
const LAYOUT = { ip: { saddr: 12, daddr: 16, size: 4 }, ip6: { saddr: 8, daddr: 24, size: 16 } } as const;

export function encodeRule(r: IptRule, family: 'ip' | 'ip6' = 'ip'): EncodedRule {
  const out: Expr[] = [];
  const L = LAYOUT[family];
  if (family === 'ip6' && r.protocol === 'icmp') throw new RangeError('ip6tables: -p icmp: use -p ipv6-icmp (not supported yet)');
  if (r.inInterface) iface(out, META.iifname, r.inInterface, r.inInterfaceNot);
  if (r.outInterface) iface(out, META.oifname, r.outInterface, r.outInterfaceNot);
  const proto = r.protocol && r.protocol !== 'all' ? PROTO[r.protocol] : 0;
  if (proto) out.push(meta(META.l4proto), cmp(r.protocolNot ? CMP.neq : CMP.eq, Buffer.from([proto])));
  if (r.source) address(out, L.saddr, r.source, r.sourceNot, L.size);
  if (r.destination) address(out, L.daddr, r.destination, r.destinationNot, L.size);
  if (r.sport !== undefined) ports(out, 0, r.sport, r.sportNot);
  if (r.dport !== undefined) ports(out, 2, r.dport, r.dportNot);
  for (const m of r.matches ?? []) out.push(...match(m));
  checkTargetPorts(r);
  out.push({ name: 'counter', data: { bytes: 0n, packets: 0n } });
  if (r.target) out.push(target(r.target, family));
  return { expressions: out, compat: { proto, flags: r.protocolNot ? COMPAT_INV : 0 } };
}

// ---- decoding ---------------------------------------------------------------------------------

const NAMES: Record<number, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp' };

function prefixLen(mask: Buffer): number {
  let n = 0;
  for (const b of mask) for (let i = 7; i >= 0; i--) if (b & (1 << i)) n++;
  return n;
}

/** Expressions -> IptRule; undefined for anything iptables-nft would not have written. */
export function decodeRule(exprs: Expr[], family: 'ip' | 'ip6' = 'ip'): IptRule | undefined {
  const L = LAYOUT[family];
  const r: IptRule = {};
  const matches: IptMatch[] = [];
  let load: { kind: string; len?: number; offset?: number } | undefined;
  let mask: Buffer | undefined;
  for (const e of exprs) {
    const d = (e.data ?? {}) as Record<string, any>;
    switch (e.name) {
      case 'meta':
        load = { kind: ({ [META.iifname]: 'iif', [META.oifname]: 'oif', [META.l4proto]: 'l4', [META.mark]: 'mark' } as Record<number, string>)[d.key] };
        if (!load.kind) return undefined;
        mask = undefined;
        break;
      case 'payload':
        load = { kind: d.base === PAYLOAD_BASE.network ? 'net' : d.base === PAYLOAD_BASE.transport ? 'tp' : 'x', len: d.len, offset: d.offset };
        mask = undefined;
        break;
      case 'bitwise':
        mask = d.mask.value;
        break;
      case 'cmp': case 'range': {
        if (!load) return undefined;
        const not = d.op === CMP.neq;
        const v: Buffer = e.name === 'cmp' ? d.data.value : d.from.value;
        if (load.kind === 'iif' || load.kind === 'oif') {
          const name = v[v.length - 1] === 0 ? v.subarray(0, v.length - 1).toString() : `${v.toString()}+`;
          if (load.kind === 'iif') { r.inInterface = name; if (not) r.inInterfaceNot = true; } else { r.outInterface = name; if (not) r.outInterfaceNot = true; }
        } else if (load.kind === 'l4') {
          r.protocol = NAMES[v[0]] ?? String(v[0]);
          if (not) r.protocolNot = true;
        } else if (load.kind === 'net' && (load.offset === L.saddr || load.offset === L.daddr)) {
          const len = mask ? prefixLen(mask) : load.len! * 8;
          const full = Buffer.concat([v, Buffer.alloc(L.size - v.length)]);
          const cidr = `${L.size === 4 ? [...full].join('.') : formatV6(full)}/${len}`;
          if (load.offset === L.saddr) { r.source = cidr; if (not) r.sourceNot = true; } else { r.destination = cidr; if (not) r.destinationNot = true; }
        } else if (load.kind === 'tp' && (load.offset === 0 || load.offset === 2)) {
          const text = e.name === 'range' ? `${v.readUInt16BE(0)}:${(d.to.value as Buffer).readUInt16BE(0)}` : String(v.readUInt16BE(0));
          if (load.offset === 0) { r.sport = text; if (not) r.sportNot = true; } else { r.dport = text; if (not) r.dportNot = true; }
        } else if (load.kind === 'mark') {
          const mm: IptMatch = { name: 'mark', mark: v.readUInt32LE(0) };
          if (mask && mask.readUInt32LE(0) !== 0xffffffff) mm.mask = mask.readUInt32LE(0);
          if (not) mm.not = true;
          matches.push(mm);
        } else return undefined;
        load = undefined;
        mask = undefined;
        break;
      }
      case 'match': {
        const info: Buffer = d.info;
        if (d.name === 'conntrack' && d.rev === 3) {
          const c = xt.decodeConntrack(info);
          if (!c) return undefined;
          matches.push(c.alias ? { name: 'state', state: c.states, ...(c.invert ? { not: true } : {}) } : { name: 'conntrack', ctstate: c.states, ...(c.invert ? { not: true } : {}) });
        } else if (d.name === 'comment') matches.push({ name: 'comment', comment: xt.decodeComment(info) });
        else if (d.name === 'addrtype' && d.rev === 1) {
          const a = xt.decodeAddrtype(info);
          matches.push({ name: 'addrtype', ...(a.src ? { srcType: a.src } : {}), ...(a.dst ? { dstType: a.dst } : {}) });
        } else if (d.name === 'multiport' && d.rev === 1) {
          const m = xt.decodeMultiport(info);
          matches.push({ name: 'multiport', [m.dir]: m.ports } as IptMatch);
        } else return undefined;
        break;
      }
      case 'counter':
        break;
      case 'immediate': {
        const v = d.data?.verdict;
        if (d.dreg !== REG.verdict || !v) return undefined;
        const code = v.code | 0;
        r.target = code === VERDICT.accept ? { name: 'ACCEPT' } : code === VERDICT.drop ? { name: 'DROP' } : code === VERDICT.return ? { name: 'RETURN' }
          : code === VERDICT.jump ? { name: 'jump', chain: v.chain } : code === VERDICT.goto ? { name: 'goto', chain: v.chain } : undefined;
        if (!r.target) return undefined;
        break;
      }
      case 'target': {
        const info: Buffer = d.info;
        switch (d.name) {
          case 'DNAT': r.target = { name: 'DNAT', toDestination: xt.decodeNatRange2(info, family === 'ip6') }; break;
          case 'SNAT': r.target = { name: 'SNAT', toSource: (family === 'ip6' ? xt.decodeNatRange(info) : xt.decodeNatMultiRange(info)).text }; break;
          case 'MASQUERADE': case 'REDIRECT': {
            const p = (family === 'ip6' ? xt.decodeNatRange(info) : xt.decodeNatMultiRange(info)).ports;
            r.target = p ? { name: d.name, toPorts: p } : { name: d.name };
            break;
          }
          case 'MARK': r.target = { name: 'MARK', setXmark: [info.readUInt32LE(0), info.readUInt32LE(4)] }; break;
          case 'LOG': { const l = xt.decodeLog(info); r.target = { name: 'LOG', ...(l.prefix ? { prefix: l.prefix } : {}), ...(l.level !== 4 ? { level: l.level } : {}) }; break; }
          case 'REJECT': r.target = { name: 'REJECT', with: (family === 'ip6' ? xt.REJECT6_WITH : xt.REJECT_WITH)[info.readUInt32LE(0)] }; break;
          default: return undefined;
        }
        break;
      }
      default:
        return undefined;
    }
  }
  if (matches.length) r.matches = matches;
  return r;
}

