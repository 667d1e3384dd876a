// nf_tables expressions -> IptRule, for rules iptables-nft 1.8.9 (or this library) wrote: the
// inverse of encode.ts, undefined for anything iptables-nft would not have written.
import { formatV6 } from '../ip';
import { CMP, META, PAYLOAD_BASE, REG, VERDICT } from '../nft/constants';
import type { Expr } from '../nft/expressions';
import { limitAvg, limitOf } from './matches';
import type { IptMatch, IptRule, IptTarget } from './types';
import * as xt from './xt';
import * as xtt from './xt-targets';

const NAMES: Record<number, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp' };
/** Where the addresses are in the network header: IPv4 12/16 (4 bytes), IPv6 8/24 (16 bytes). */
export const LAYOUT = { ip: { saddr: 12, daddr: 16, size: 4 }, ip6: { saddr: 8, daddr: 24, size: 16 } } as const;
/** ipset kernel indexes -> names, for -m set (see ipset.ts). */
export type SetNames = ReadonlyMap<number, string>;

/** The ipset indexes the rules' -m set matches carry, to look their names up before decoding. */
export function setIndexes(exprs: Expr[]): number[] {
  return exprs.flatMap((e) => {
    const d = e.data as { name?: string; rev?: number; info?: Buffer } | undefined;
    const m = e.name === 'match' && d?.name === 'set' && d.rev === 4 && d.info ? xt.decodeSet(d.info) : undefined;
    return m ? [m.index] : [];
  });
}
type PortMatch = Extract<IptMatch, { name: 'tcp' | 'udp' }>;

function prefixLen(mask: Buffer): number {
  let n = 0;
  for (const b of mask) for (let i = 7; i >= 0; i--) if (b & (1 << i)) n++;
  return n;
}

/** A compat match's xt struct -> its IptMatch (undefined: options this library does not know). */
function compatMatch(name: string, rev: number, info: Buffer, protocol: string | undefined, sets: SetNames | undefined, family: 'ip' | 'ip6'): IptMatch | undefined {
  switch (`${name}/${rev}`) {
    case 'recent/1': {
      const r = xt.decodeRecent(info);
      const R = xt.RECENT;
      const command = (['set', 'rcheck', 'update', 'remove'] as const).find((c) => r.checkSet & R[c]);
      if (!command) return undefined;
      // The mask as iptables prints it: an IPv4 table's from the union's first 4 bytes; all ones left out (the default).
      const mask = family === 'ip6' ? formatV6(r.mask ?? Buffer.alloc(16, 0xff)) : r.mask && [...r.mask.subarray(0, 4)].join('.');
      return {
        name: 'recent', command, ...(r.invert ? { not: true } : {}), recentName: r.name, ...(r.seconds ? { seconds: r.seconds } : {}),
        ...(r.checkSet & R.reap ? { reap: true } : {}), ...(r.hitcount ? { hitcount: r.hitcount } : {}), ...(r.checkSet & R.rttl ? { rttl: true } : {}),
        ...(mask ? { mask } : {}), side: r.dest ? 'rdest' : 'rsource',
      };
    }
    case 'conntrack/3': {
      const c = xt.decodeConntrack(info);
      if (!c) return undefined;
      if (c.alias) return { name: 'state', state: c.states ?? [], ...(c.statesNot ? { not: true } : {}) };
      return {
        name: 'conntrack', ...(c.states ? { ctstate: c.states } : {}), ...(c.statesNot ? { not: true } : {}),
        ...(c.statuses ? { ctstatus: c.statuses } : {}), ...(c.statusNot ? { ctstatusNot: true } : {}),
      };
    }
    case 'comment/0': return { name: 'comment', comment: xt.decodeComment(info) };
    case 'addrtype/1': {
      const a = xt.decodeAddrtype(info);
      const F = xt.ADDRTYPE_FLAGS;
      return {
        name: 'addrtype', ...(a.src ? { srcType: a.src } : {}), ...(a.flags & F.srcNot ? { srcTypeNot: true } : {}),
        ...(a.dst ? { dstType: a.dst } : {}), ...(a.flags & F.dstNot ? { dstTypeNot: true } : {}),
        ...(a.flags & F.limitIn ? { limitIfaceIn: true } : {}), ...(a.flags & F.limitOut ? { limitIfaceOut: true } : {}),
      };
    }
    case 'multiport/1': {
      const m = xt.decodeMultiport(info);
      return { name: 'multiport', [m.dir]: m.ports, ...(m.invert ? { not: true } : {}) } as IptMatch;
    }
    case 'connmark/1': {
      const mask = info.readUInt32LE(4);
      return { name: 'connmark', mark: info.readUInt32LE(0), ...(mask !== 0xffffffff ? { mask } : {}), ...(info[8] ? { not: true } : {}) };
    }
    case 'statistic/0': {
      const s = xt.decodeStatistic(info);
      return s.mode === 'random' ? { name: 'statistic', mode: 'random', probability: s.probability, ...(s.not ? { not: true } : {}) }
        : { name: 'statistic', mode: 'nth', every: s.every, packet: s.packet, ...(s.not ? { not: true } : {}) };
    }
    case 'physdev/0': {
      const p = xt.decodePhysdev(info);
      const P = xt.PHYSDEV;
      const m: Record<string, unknown> = { name: 'physdev' };
      for (const [key, bit] of [['in', P.in], ['out', P.out], ['isIn', P.isIn], ['isOut', P.isOut], ['isBridged', P.bridged]] as const) {
        if (!(p.bitmask & bit)) continue;
        m[key] = key === 'in' ? p.in : key === 'out' ? p.out : true;
        if (p.invert & bit) m[`${key}Not`] = true;
      }
      return m as IptMatch;
    }
    case 'set/4': {
      const m = xt.decodeSet(info);
      const set = m && sets?.get(m.index);
      return set === undefined ? undefined : { name: 'set', set, flags: m!.dirs, ...(m!.invert ? { not: true } : {}) };
    }
    case 'tcp/0': case 'udp/0':
      // Only `-m tcp` alone is sent as the xt match (all ports, no flags).
      return protocol === name && info.equals(xt.tcpudpInfo(name as 'tcp' | 'udp')) ? { name: name as 'tcp' | 'udp' } : undefined;
    default: return undefined;
  }
}

function compatTarget(name: string, rev: number, info: Buffer, family: 'ip' | 'ip6'): IptTarget | undefined {
  const v6 = family === 'ip6';
  switch (`${name}/${rev}`) {
    case 'DNAT/2': { const n = xtt.decodeNatRange2(info, v6); return { name: 'DNAT', toDestination: n.text, ...n.flags }; }
    case 'SNAT/0': case 'SNAT/1': { const n = v6 ? xtt.decodeNatRange(info) : xtt.decodeNatMultiRange(info); return { name: 'SNAT', toSource: n.text, ...n.flags }; }
    case 'MASQUERADE/0': case 'REDIRECT/0': {
      const n = v6 ? xtt.decodeNatRange(info) : xtt.decodeNatMultiRange(info);
      return { name: name as 'MASQUERADE', ...(n.ports ? { toPorts: n.ports } : {}), ...n.flags };
    }
    case 'MARK/2': return { name: 'MARK', setXmark: [info.readUInt32LE(0), info.readUInt32LE(4)] };
    case 'CONNMARK/2': { const c = xtt.decodeConnmarkTarget(info); return c && { name: 'CONNMARK', ...c }; }
    case 'CT/2': {
      const c = xtt.decodeCtTarget(info);
      if (!c) return undefined;
      if (c.flags & xtt.CT_FLAGS.alias) return { name: 'NOTRACK' };
      return { name: 'CT', ...(c.flags & xtt.CT_FLAGS.notrack ? { notrack: true } : {}), ...(c.zone ? { zone: c.zone } : {}) };
    }
    case 'TCPMSS/0': { const mss = info.readUInt16LE(0); return { name: 'TCPMSS', mss: mss === xtt.TCPMSS_CLAMP ? 'clamp' : mss }; }
    case 'LOG/0': { const l = xtt.decodeLog(info); return { name: 'LOG', ...(l.prefix ? { prefix: l.prefix } : {}), ...(l.level !== 4 ? { level: l.level } : {}) }; }
    case 'REJECT/0': return { name: 'REJECT', with: (v6 ? xtt.REJECT6_WITH : xtt.REJECT_WITH)[info.readUInt32LE(0)] };
    default: return undefined;
  }
}

/** A transport-header compare -> the ports or flags of the rule's protocol match. */
function transport(m: PortMatch, load: { offset: number; len: number }, e: Expr, mask: Buffer | undefined): boolean {
  const d = e.data as Record<string, any>;
  const v: Buffer = e.name === 'cmp' ? d.data.value : d.from.value;
  const not = d.op === CMP.neq || d.op === CMP.gt;
  if (load.offset === 13 && load.len === 1 && mask && e.name === 'cmp' && m.name === 'tcp' && (d.op === CMP.eq || d.op === CMP.neq)) {
    m.tcpFlags = [mask[0], v[0]];
    if (not) m.tcpFlagsNot = true;
    return true;
  }
  if (mask) return false;
  if (load.offset === 0 && load.len === 4 && e.name === 'cmp' && (d.op === CMP.eq || d.op === CMP.neq)) {
    m.sport = String(v.readUInt16BE(0));
    m.dport = String(v.readUInt16BE(2));
    if (not) { m.sportNot = true; m.dportNot = true; }
    return true;
  }
  if ((load.offset !== 0 && load.offset !== 2) || load.len !== 2) return false;
  let text: string;
  if (e.name === 'range') text = `${v.readUInt16BE(0)}:${(d.to.value as Buffer).readUInt16BE(0)}`;
  else if (d.op === CMP.eq || d.op === CMP.neq) text = String(v.readUInt16BE(0));
  else if (d.op === CMP.lte || d.op === CMP.gt) text = `0:${v.readUInt16BE(0)}`;
  else return false;
  if (load.offset === 0) { m.sport = text; if (not) m.sportNot = true; } else { m.dport = text; if (not) m.dportNot = true; }
  return true;
}

/** Expressions -> IptRule; undefined for anything iptables-nft would not have written. */
export function decodeRule(exprs: Expr[], family: 'ip' | 'ip6' = 'ip', sets?: SetNames): IptRule | undefined {
  const L = LAYOUT[family];
  const r: IptRule = {};
  const matches: IptMatch[] = [];
  let load: { kind: string; len: number; offset: number } | undefined;
  let mask: Buffer | undefined;
  /** The protocol match transport compares go to: the last match when it is one, else a new one. */
  const portMatch = (): PortMatch | undefined => {
    if (r.protocol !== 'tcp' && r.protocol !== 'udp') return undefined;
    const last = matches[matches.length - 1];
    if (last?.name === r.protocol) return last as PortMatch;
    const m: PortMatch = { name: r.protocol };
    matches.push(m);
    return m;
  };
  for (const e of exprs) {
    const d = (e.data ?? {}) as Record<string, any>;
    switch (e.name) {
      case 'meta':
        load = { kind: ({ [META.iifname]: 'iif', [META.oifname]: 'oif', [META.l4proto]: 'l4', [META.mark]: 'mark' } as Record<number, string>)[d.key], len: 0, offset: 0 };
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
        if (load.kind === 'tp') {
          const m = portMatch();
          if (!m || !transport(m, load, e, mask)) return undefined;
        } else if (e.name !== 'cmp' || (d.op !== CMP.eq && d.op !== CMP.neq)) {
          return undefined;
        } else if (load.kind === 'iif' || load.kind === 'oif') {
          const name = v[v.length - 1] === 0 ? v.subarray(0, v.length - 1).toString() : `${v.toString()}+`;
          if (load.kind === 'iif') { r.inInterface = name; if (not) r.inInterfaceNot = true; } else { r.outInterface = name; if (not) r.outInterfaceNot = true; }
        } else if (load.kind === 'l4') {
          r.protocol = NAMES[v[0]] ?? String(v[0]);
          if (not) r.protocolNot = true;
        } else if (load.kind === 'net' && (load.offset === L.saddr || load.offset === L.daddr)) {
          const len = mask ? prefixLen(mask) : load.len * 8;
          const full = Buffer.concat([v, Buffer.alloc(L.size - v.length)]);
          const cidr = `${L.size === 4 ? [...full].join('.') : formatV6(full)}/${len}`;
          if (load.offset === L.saddr) { r.source = cidr; if (not) r.sourceNot = true; } else { r.destination = cidr; if (not) r.destinationNot = true; }
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
      case 'limit': {
        if (Number(d.type) !== 0 || Number(d.flags) !== 0) return undefined;
        const l = limitOf(limitAvg(Number(d.rate), Number(d.unit)));
        matches.push({ name: 'limit', limit: l.text, ...(d.burst !== 5 ? { burst: d.burst } : {}) });
        break;
      }
      case 'match': {
        const m = compatMatch(d.name, d.rev, d.info, r.protocol, sets, family);
        if (!m) return undefined;
        matches.push(m);
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
        r.target = compatTarget(d.name, d.rev, d.info, family);
        if (!r.target) return undefined;
        break;
      }
      default:
        return undefined;
    }
  }
  if (matches.length) r.matches = matches;
  return r;
}
