// xtables compat matches and targets (what iptables-nft writes) as nft 1.0.6 lists them: nft
// prints the translation libxtables gives for each (its "xlate"), so these strings are those
// translations, measured against `nft list` of rules iptables-nft 1.8.9 wrote. Quirks included:
// a comment translates to nothing (the rule text keeps the empty place), addrtype with both a
// source and a destination type prints only the source, multiport --ports lists port pairs.
import * as xt from './xt';
import * as xtt from './xt-targets';

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

/** ipt_reject_info / ip6t_reject_info values as nft names them; the defaults print as plain `reject`. */
const REJECT_TEXT: Record<string, string> = {
  'icmp-port-unreachable': 'reject', 'icmp6-port-unreachable': 'reject', 'tcp-reset': 'reject with tcp reset',
  'icmp-net-unreachable': 'reject with icmp type net-unreachable', 'icmp-host-unreachable': 'reject with icmp type host-unreachable',
  'icmp-proto-unreachable': 'reject with icmp type prot-unreachable', 'icmp-net-prohibited': 'reject with icmp type net-prohibited',
  'icmp-host-prohibited': 'reject with icmp type host-prohibited', 'icmp-admin-prohibited': 'reject with icmp type admin-prohibited',
  'icmp6-no-route': 'reject with icmpv6 type no-route', 'icmp6-adm-prohibited': 'reject with icmpv6 type admin-prohibited',
  'icmp6-addr-unreachable': 'reject with icmpv6 type addr-unreachable',
};
const LOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

/** The conntrack states in the order the translation lists them. */
const XLATE_STATES = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED'];
const lower = (names: string[]) => names.join(',').toLowerCase().replace(/_/g, '-');

/** libxt_conntrack's translation: states with SNAT or DNAT become `ct status snat` or `dnat` alone (the rest and the negation dropped, as nft lists it). */
function conntrack(c: xt.Conntrack): string {
  const parts: string[] = [];
  if (c.states) {
    const nat = c.states.includes('SNAT') ? 'snat' : c.states.includes('DNAT') ? 'dnat' : undefined;
    parts.push(nat ? `ct status ${nat}` : `ct state ${c.statesNot ? '! ' : ''}${lower(XLATE_STATES.filter((s) => c.states!.includes(s)))}`);
  }
  if (c.statuses) parts.push(`ct status${c.statusNot ? ' !' : ''}${c.statuses.length ? ` ${lower(c.statuses)}` : ''}`);
  return parts.join(' ');
}

/** libxt_statistic's translation: meta random against the scaled probability, numgen for nth. */
function statistic(info: Buffer): string {
  const s = xt.decodeStatistic(info);
  return s.mode === 'random'
    ? `meta random & 2147483647 ${s.not ? '>=' : '<'} ${info.readUInt32LE(4)}`
    : `numgen inc mod ${s.every} ${s.not ? '!= ' : ''}${s.packet}`;
}

function match(name: string, rev: number, info: Buffer, l4: string | undefined): string | undefined {
  if (name === 'conntrack' && rev === 3) {
    const c = xt.decodeConntrack(info);
    return c && conntrack(c);
  }
  if (name === 'comment') return '';
  if (name === 'addrtype' && rev === 1) {
    const a = xt.decodeAddrtype(info);
    const F = xt.ADDRTYPE_FLAGS;
    const [dir, type, not] = a.src ? ['saddr', a.src, a.flags & F.srcNot] : ['daddr', a.dst, a.flags & F.dstNot];
    const iface = a.flags & F.limitIn ? ' . iif' : a.flags & F.limitOut ? ' . oif' : '';
    return type && `fib ${dir}${iface} type ${not ? '!= ' : ''}${type.toLowerCase()}`;
  }
  if (name === 'multiport' && rev === 1 && l4) return multiport(info, l4);
  if (name === 'statistic' && rev === 0) return statistic(info);
  if (name === 'connmark' && rev === 1) {
    const mask = info.readUInt32LE(4);
    const op = info[8] ? '!= ' : mask !== 0xffffffff ? '== ' : '';
    return `ct mark${mask !== 0xffffffff ? ` and ${hex(mask)}` : ''} ${op}${hex(info.readUInt32LE(0))}`;
  }
  if ((name === 'tcp' || name === 'udp') && rev === 0) return '';
  return undefined;
}

/** xt_multiport_v1 (for the rule's protocol, -p): nft lists it with that protocol match spelled out before it. */
function multiport(info: Buffer, proto: string): string {
  const m = xt.decodeMultiport(info);
  const ports = m.ports.map((p) => p.replace(':', '-'));
  if (m.dir === 'ports') {
    // Each port number alone (a range's ends too): "sport . dport" pairs, either way round.
    const numbers = m.ports.flatMap((p) => p.split(':'));
    return `${proto} sport . ${proto} dport { ${numbers.map((p) => `0-65535 . ${p}, ${p} . 0-65535`).join(', ')} }`;
  }
  const field = `${proto} ${m.dir === 'sports' ? 'sport' : 'dport'}${m.invert ? ' !=' : ''}`;
  return ports.length === 1 ? `${field} ${ports[0]}` : `${field} { ${ports.join(', ')} }`;
}

/** NAT flags as nft lists them: " random,fully-random,persistent". */
function natFlags(f: xtt.NatFlags): string {
  const names = [f.random && 'random', f.randomFully && 'fully-random', f.persistent && 'persistent'].filter(Boolean);
  return names.length ? ` ${names.join(',')}` : '';
}

function nat(kind: 'dnat' | 'snat', n: xtt.DecodedNat): string {
  return `${kind} to ${n.text}${natFlags(n.flags)}`;
}

/** libxt_MARK's and libxt_CONNMARK's translation of a value/mask set. */
function markSet(field: string, mark: number, mask: number): string {
  if (mask === 0xffffffff) return `${hex(mark)}`;
  if (mark === 0) return `${field} and ${hex(~mask)}`;
  if (mark === mask) return `${field} or ${hex(mark)}`;
  if (mask === 0) return `${field} xor ${hex(mark)}`;
  return field === 'mark' ? `mark and ${hex(~mask)} xor ${hex(mark)}` : `${field} xor ${hex(mark)} and ${hex(~mask)}`;
}

function connmark(info: Buffer): string | undefined {
  const c = xtt.decodeConnmarkTarget(info);
  if (!c) return undefined;
  if (c.mode === 'set') return `ct mark set ${markSet('ct mark', c.ctmark, c.ctmask)}`;
  if (c.nfmask === 0xffffffff && c.ctmask === 0xffffffff) return c.mode === 'save' ? 'ct mark set mark' : 'meta mark set ct mark';
  return c.mode === 'restore' && c.nfmask === c.ctmask ? `meta mark set ct mark and ${hex(c.nfmask)}` : undefined;
}

function target(name: string, rev: number, info: Buffer, family: string): string | undefined {
  const v6 = family === 'ip6';
  switch (name) {
    case 'DNAT': return rev === 2 ? nat('dnat', xtt.decodeNatRange2(info, v6)) : undefined;
    case 'SNAT': return nat('snat', v6 ? xtt.decodeNatRange(info) : xtt.decodeNatMultiRange(info));
    case 'MASQUERADE': case 'REDIRECT': {
      const n = v6 ? xtt.decodeNatRange(info) : xtt.decodeNatMultiRange(info);
      return `${name === 'MASQUERADE' ? 'masquerade' : 'redirect'}${n.ports ? ` to :${n.ports}` : ''}${natFlags(n.flags)}`;
    }
    case 'MARK': return rev === 2 ? `meta mark set ${markSet('mark', info.readUInt32LE(0), info.readUInt32LE(4))}` : undefined;
    case 'CONNMARK': return rev === 2 ? connmark(info) : undefined;
    case 'CT': {
      const c = rev === 2 ? xtt.decodeCtTarget(info) : undefined;
      return c && c.flags & xtt.CT_FLAGS.notrack && !c.zone ? 'notrack' : undefined;
    }
    case 'TCPMSS': { const mss = info.readUInt16LE(0); return `tcp option maxseg size set ${mss === xtt.TCPMSS_CLAMP ? 'rt mtu' : mss}`; }
    case 'LOG': {
      const l = xtt.decodeLog(info);
      return `log${l.prefix ? ` prefix "${l.prefix}"` : ''}${l.level !== 4 ? ` level ${LOG_LEVELS[l.level] ?? l.level}` : ''}`;
    }
    case 'REJECT': return REJECT_TEXT[(v6 ? xtt.REJECT6_WITH : xtt.REJECT_WITH)[info.readUInt32LE(0)]];
    default: return undefined;
  }
}

/**
 * A compat expression as nft lists it, in a rule of `family` whose protocol match (-p) is `l4`;
 * for one without a translation, nft's fallback (`xt match NAME` / `xt target NAME`).
 */
export function xtText(kind: 'match' | 'target', name: string, rev: number, info: Buffer, context: { family: string; l4?: string }): string {
  const text = kind === 'match' ? match(name, rev, info, context.l4) : target(name, rev, info, context.family);
  return text ?? `xt ${kind} ${name}`;
}
