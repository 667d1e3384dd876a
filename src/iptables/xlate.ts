// xtables compat matches and targets (what iptables-nft writes) as nft 1.0.6 lists them: nft
// prints the translation libxtables gives for each (its "xlate"), so these strings are those
// translations, measured against `nft list` of rules iptables-nft 1.8.9 wrote. Quirks included:
// a comment translates to nothing (the rule text keeps the empty place), addrtype with both a
// source and a destination type prints only the source, multiport --ports lists port pairs.
import * as xt from './xt';

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

function match(name: string, rev: number, info: Buffer, l4: string | undefined): string | undefined {
  if (name === 'conntrack' && rev === 3) {
    const c = xt.decodeConntrack(info);
    return c && `ct state ${c.invert ? '! ' : ''}${XLATE_STATES.filter((s) => c.states.includes(s)).join(',').toLowerCase()}`;
  }
  if (name === 'comment') return '';
  if (name === 'addrtype' && rev === 1) {
    const a = xt.decodeAddrtype(info);
    const [dir, type] = a.src ? ['saddr', a.src] : ['daddr', a.dst];
    return type && `fib ${dir} type ${type.toLowerCase()}`;
  }
  if (name === 'multiport' && rev === 1 && l4) return multiport(info, l4);
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
  const field = `${proto} ${m.dir === 'sports' ? 'sport' : 'dport'}`;
  return ports.length === 1 ? `${field} ${ports[0]}` : `${field} { ${ports.join(', ')} }`;
}

function nat(kind: 'dnat' | 'snat', text: string): string {
  return `${kind} to ${text}`;
}

function target(name: string, rev: number, info: Buffer, family: string): string | undefined {
  const v6 = family === 'ip6';
  switch (name) {
    case 'DNAT': return rev === 2 ? nat('dnat', xt.decodeNatRange2(info, v6)) : undefined;
    case 'SNAT': return nat('snat', (v6 ? xt.decodeNatRange(info) : xt.decodeNatMultiRange(info)).text);
    case 'MASQUERADE': case 'REDIRECT': {
      const p = (v6 ? xt.decodeNatRange(info) : xt.decodeNatMultiRange(info)).ports;
      return `${name === 'MASQUERADE' ? 'masquerade' : 'redirect'}${p ? ` to :${p}` : ''}`;
    }
    case 'MARK': {
      if (rev !== 2) return undefined;
      const mark = info.readUInt32LE(0);
      const mask = info.readUInt32LE(4);
      if (mask === 0xffffffff) return `meta mark set ${hex(mark)}`;
      return mark === 0 ? `meta mark set mark and ${hex(~mask)}` : `meta mark set mark and ${hex(~mask)} xor ${hex(mark)}`;
    }
    case 'LOG': {
      const l = xt.decodeLog(info);
      return `log${l.prefix ? ` prefix "${l.prefix}"` : ''}${l.level !== 4 ? ` level ${LOG_LEVELS[l.level] ?? l.level}` : ''}`;
    }
    case 'REJECT': return REJECT_TEXT[(v6 ? xt.REJECT6_WITH : xt.REJECT_WITH)[info.readUInt32LE(0)]];
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
