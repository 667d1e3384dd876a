// iptables match modules (-m NAME and the protocol matches -p loads): their options, parsed as
// iptables parses them, and printed in the order and form iptables-nft -S prints them.
import { bang, checkIface, fail, hex, markMask, namesIn, num, portText, saveString } from './options';
import type { IptMatch, IptRule } from './types';
import { ADDRTYPES, CT_STATE_BITS, CT_STATUS_BITS } from './xt';

type MatchOf<N extends IptMatch['name']> = Extract<IptMatch, { name: N }>;
/** An option's arguments: none (a flag), one, or two (--tcp-flags MASK COMP, --match-set NAME FLAGS). */
type Arity = 0 | 1 | 2;

interface Module<M extends IptMatch> {
  options: Record<string, Arity>;
  /** Sets the option on the match (`not` when a `!` came before it). */
  apply(m: M, option: string, values: string[], not: boolean): void;
  /** Once the rule is parsed: what iptables requires of the match. */
  check(m: M, rule: IptRule): void;
  /** The text after `-m NAME`, as iptables-nft -S prints it ('' for none). */
  format(m: M): string;
}

/** TCP flag bits in the order iptables prints them; ALL and NONE as iptables accepts them. */
export const TCP_FLAGS: Record<string, number> = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32 };
const tcpFlags = (option: string, v: string) => (v.toUpperCase() === 'ALL' ? 0x3f : v.toUpperCase() === 'NONE' ? 0 : namesIn(option, v, TCP_FLAGS).reduce((m, f) => m | TCP_FLAGS[f], 0));
const flagNames = (n: number) => (n === 0 ? 'NONE' : Object.keys(TCP_FLAGS).filter((f) => n & TCP_FLAGS[f]).join(','));

const inOrder = (names: string[], table: Record<string, number>) => Object.keys(table).filter((s) => names.includes(s)).join(',');

const needProtocol = (name: string) => (m: IptMatch, rule: IptRule) => {
  if (rule.protocol !== name) throw fail(`-m ${name}`, `needs -p ${name}`);
};

const portMatch = (proto: 'tcp' | 'udp'): Module<MatchOf<'tcp' | 'udp'>> => ({
  options: { '--sport': 1, '--source-port': 1, '--dport': 1, '--destination-port': 1, ...(proto === 'tcp' ? { '--tcp-flags': 2, '--syn': 0 } : {}) },
  apply(m, option, [v, comp], not) {
    if (option === '--tcp-flags' || option === '--syn') {
      m.tcpFlags = option === '--syn' ? [0x17, 0x02] : [tcpFlags(option, v), tcpFlags(option, comp)];
      if (not) m.tcpFlagsNot = true;
    } else if (option.startsWith('--s')) { m.sport = portText(option, v); if (not) m.sportNot = true; } else { m.dport = portText(option, v); if (not) m.dportNot = true; }
  },
  check: needProtocol(proto),
  format: (m) => [
    m.sport !== undefined ? `${bang(m.sportNot)}--sport ${m.sport}` : '',
    m.dport !== undefined ? `${bang(m.dportNot)}--dport ${m.dport}` : '',
    m.tcpFlags ? `${bang(m.tcpFlagsNot)}--tcp-flags ${flagNames(m.tcpFlags[0])} ${flagNames(m.tcpFlags[1])}` : '',
  ].filter(Boolean).join(' '),
});

const conntrack: Module<MatchOf<'conntrack'>> = {
  options: { '--ctstate': 1, '--ctstatus': 1 },
  apply(m, option, [v], not) {
    if (option === '--ctstate') { m.ctstate = namesIn(option, v, CT_STATE_BITS); if (not) m.not = true; } else {
      m.ctstatus = namesIn(option, v, CT_STATUS_BITS, ['NONE']).filter((s) => s !== 'NONE');
      if (not) m.ctstatusNot = true;
    }
  },
  check(m) { if (!m.ctstate && !m.ctstatus) throw fail('-m conntrack', 'needs --ctstate or --ctstatus'); },
  format: (m) => [
    m.ctstate ? `${bang(m.not)}--ctstate ${inOrder(m.ctstate, CT_STATE_BITS)}` : '',
    m.ctstatus ? `${bang(m.ctstatusNot)}--ctstatus ${inOrder(m.ctstatus, CT_STATUS_BITS) || 'NONE'}` : '',
  ].filter(Boolean).join(' '),
};

const state: Module<MatchOf<'state'>> = {
  options: { '--state': 1 },
  apply(m, option, [v], not) {
    m.state = namesIn(option, v, CT_STATE_BITS).filter((s) => s !== 'SNAT' && s !== 'DNAT');
    if (m.state.length !== v.split(',').length) throw fail(option, 'SNAT and DNAT are --ctstate states (-m conntrack)');
    if (not) m.not = true;
  },
  check(m) { if (!m.state) throw fail('-m state', 'needs --state'); },
  format: (m) => `${bang(m.not)}--state ${inOrder(m.state, CT_STATE_BITS)}`,
};

const comment: Module<MatchOf<'comment'>> = {
  options: { '--comment': 1 },
  apply(m, _o, [v]) { m.comment = v; },
  check(m) { if (m.comment === undefined) throw fail('-m comment', 'needs --comment'); },
  format: (m) => `--comment ${saveString(m.comment)}`,
};

const multiport: Module<MatchOf<'multiport'>> = {
  options: { '--dports': 1, '--destination-ports': 1, '--sports': 1, '--source-ports': 1, '--ports': 1 },
  apply(m, option, [v], not) {
    const key = option === '--ports' ? 'ports' : option.startsWith('--s') ? 'sports' : 'dports';
    if (m.dports || m.sports || m.ports) throw fail(option, '-m multiport takes one of --sports, --dports, --ports');
    m[key] = v.split(',').map((p) => portText(option, p));
    if (not) m.not = true;
  },
  check(m, rule) {
    if (!m.dports && !m.sports && !m.ports) throw fail('-m multiport', 'needs --sports, --dports or --ports');
    if (rule.protocol !== 'tcp' && rule.protocol !== 'udp') throw fail('-m multiport', 'needs -p tcp or -p udp');
  },
  format: (m) => `${bang(m.not)}${m.dports ? `--dports ${m.dports.join(',')}` : m.sports ? `--sports ${m.sports.join(',')}` : `--ports ${m.ports!.join(',')}`}`,
};

const addrtype: Module<MatchOf<'addrtype'>> = {
  options: { '--src-type': 1, '--dst-type': 1, '--limit-iface-in': 0, '--limit-iface-out': 0 },
  apply(m, option, [v], not) {
    if (option === '--limit-iface-in') { m.limitIfaceIn = true; return; }
    if (option === '--limit-iface-out') { m.limitIfaceOut = true; return; }
    const t = v.toUpperCase();
    if (!(t in ADDRTYPES)) throw fail(option, `${JSON.stringify(t)} is not an address type (${Object.keys(ADDRTYPES).join(', ')})`);
    if (option === '--src-type') { m.srcType = t; if (not) m.srcTypeNot = true; } else { m.dstType = t; if (not) m.dstTypeNot = true; }
  },
  check(m) {
    if (!m.srcType && !m.dstType) throw fail('-m addrtype', 'needs --src-type or --dst-type');
    if (m.limitIfaceIn && m.limitIfaceOut) throw fail('--limit-iface-in', "can't be used with --limit-iface-out");
  },
  format: (m) => [
    m.srcType ? `${bang(m.srcTypeNot)}--src-type ${m.srcType}` : '', m.dstType ? `${bang(m.dstTypeNot)}--dst-type ${m.dstType}` : '',
    m.limitIfaceIn ? '--limit-iface-in' : '', m.limitIfaceOut ? '--limit-iface-out' : '',
  ].filter(Boolean).join(' '),
};

const mark: Module<MatchOf<'mark' | 'connmark'>> = {
  options: { '--mark': 1 },
  apply(m, option, [v], not) {
    const [value, mask] = markMask(option, v);
    m.mark = value;
    if (mask !== undefined && mask !== 0xffffffff) m.mask = mask; else delete m.mask;
    if (not) m.not = true;
  },
  check(m) { if (m.mark === undefined) throw fail(`-m ${m.name}`, 'needs --mark'); },
  format: (m) => `${bang(m.not)}--mark ${hex(m.mark)}${m.mask !== undefined && m.mask !== 0xffffffff ? `/${hex(m.mask)}` : ''}`,
};

/** libxt_statistic prints the probability with %.11f: the exact binary value, rounded half to even. */
function probabilityText(p: number): string {
  const raw = BigInt(Math.round(p * 0x80000000));
  const scaled = raw * 10n ** 11n;
  const den = 0x80000000n;
  let q = scaled / den;
  const rem = scaled % den;
  if (rem * 2n > den || (rem * 2n === den && q % 2n === 1n)) q += 1n;
  const s = q.toString().padStart(12, '0');
  return `${s.slice(0, -11)}.${s.slice(-11)}`;
}

const statistic: Module<MatchOf<'statistic'>> = {
  options: { '--mode': 1, '--probability': 1, '--every': 1, '--packet': 1 },
  apply(m, option, [v], not) {
    const s = m as Record<string, unknown>;
    if (option === '--mode') {
      if (v !== 'random' && v !== 'nth') throw fail(option, `${JSON.stringify(v)} is not random or nth`);
      s.mode = v;
    } else if (option === '--probability') {
      const p = /^(\d+(\.\d*)?|\.\d+)$/.test(v) ? Number(v) : NaN;
      if (!(p >= 0 && p <= 1)) throw fail(option, `${JSON.stringify(v)} is not a probability from 0 to 1`);
      s.probability = p;
    } else if (option === '--every') s.every = num(option, v, 0xffffffff);
    else s.packet = num(option, v);
    if (not) m.not = true;
  },
  check(m) {
    const s = m as { mode?: string; probability?: number; every?: number; packet?: number };
    if (s.mode === 'random' ? s.probability === undefined || s.every !== undefined || s.packet !== undefined : s.mode === 'nth' ? s.probability !== undefined || s.every === undefined || s.packet === undefined : true) {
      throw fail('-m statistic', 'needs --mode random --probability P, or --mode nth --every N --packet P');
    }
    if (s.mode === 'nth' && (s.every! < 1 || s.packet! > s.every! - 1)) throw fail('--packet', `${s.packet} is not below --every ${s.every}`);
  },
  format: (m) => (m.mode === 'random'
    ? `--mode random ${bang(m.not)}--probability ${probabilityText(m.probability)}`
    : `--mode nth ${bang(m.not)}--every ${m.every} --packet ${m.packet}`),
};

/** xt_rateinfo's scale, and the units libxt_limit knows (largest first), in seconds. */
const LIMIT_SCALE = 10000;
const LIMIT_UNITS: Array<[string, number]> = [['day', 86400], ['hour', 3600], ['min', 60], ['sec', 1]];

/** A rate as xt_rateinfo's avg (time per packet), and back to the unit iptables-nft picks for it (its add_nft_limit and print_rate). */
export function limitOf(avg: number): { rate: number; unit: number; text: string } {
  let i = 1;
  for (; i < LIMIT_UNITS.length; i++) {
    const mult = LIMIT_SCALE * LIMIT_UNITS[i][1];
    if (avg > mult || Math.floor(mult / avg) < mult % avg) break;
  }
  const [name, seconds] = LIMIT_UNITS[i - 1];
  const rate = Math.floor((LIMIT_SCALE * seconds) / avg);
  return { rate, unit: seconds, text: `${rate}/${name}` };
}
export const limitAvg = (rate: number, unitSeconds: number) => Math.floor((LIMIT_SCALE * unitSeconds) / rate);

const limit: Module<MatchOf<'limit'>> = {
  options: { '--limit': 1, '--limit-burst': 1 },
  apply(m, option, [v]) {
    if (option === '--limit-burst') { m.burst = num(option, v, 10000); return; }
    const r = /^(\d+)(?:\/([a-z]+))?$/i.exec(v);
    // Any prefix of second, minute, hour, day (libxt_limit's strncasecmp); per second without one.
    const seconds = r && (r[2] === undefined ? 1 : ([['second', 1], ['minute', 60], ['hour', 3600], ['day', 86400]] as const).find(([u]) => u.startsWith(r[2].toLowerCase()))?.[1]);
    if (!r || !seconds || Number(r[1]) < 1) throw fail(option, `${JSON.stringify(v)} is not a rate (N/sec, N/min, N/hour, N/day)`);
    const avg = limitAvg(Number(r[1]), seconds);
    if (avg === 0) throw fail(option, `rate too fast ${JSON.stringify(v)}`);
    m.limit = limitOf(avg).text;
  },
  check() {},
  format: (m) => `--limit ${m.limit ?? '3/hour'}${m.burst !== undefined && m.burst !== 5 ? ` --limit-burst ${m.burst}` : ''}`,
};

const physdev: Module<MatchOf<'physdev'>> = {
  options: { '--physdev-in': 1, '--physdev-out': 1, '--physdev-is-in': 0, '--physdev-is-out': 0, '--physdev-is-bridged': 0 },
  apply(m, option, [v], not) {
    const key = ({ '--physdev-in': 'in', '--physdev-out': 'out', '--physdev-is-in': 'isIn', '--physdev-is-out': 'isOut', '--physdev-is-bridged': 'isBridged' } as const)[option]!;
    const s = m as Record<string, unknown>;
    s[key] = v === undefined ? true : checkIface(option, v);
    if (not) s[`${key}Not`] = true;
  },
  check(m) { if (!m.in && !m.out && !m.isIn && !m.isOut && !m.isBridged) throw fail('-m physdev', 'needs an option (--physdev-in, --physdev-out, --physdev-is-in, --physdev-is-out, --physdev-is-bridged)'); },
  format: (m) => [
    m.isIn ? `${bang(m.isInNot)}--physdev-is-in` : '', m.in ? `${bang(m.inNot)}--physdev-in ${m.in}` : '',
    m.isOut ? `${bang(m.isOutNot)}--physdev-is-out` : '', m.out ? `${bang(m.outNot)}--physdev-out ${m.out}` : '',
    m.isBridged ? `${bang(m.isBridgedNot)}--physdev-is-bridged` : '',
  ].filter(Boolean).join(' '),
};

const set: Module<MatchOf<'set'>> = {
  options: { '--match-set': 2 },
  apply(m, option, [name, flags], not) {
    if (name === '' || Buffer.byteLength(name) > 31) throw fail(option, `${JSON.stringify(name)} is not an ipset name (1–31 bytes)`);
    const dirs = flags.split(',');
    if (dirs.length > 6 || dirs.some((d) => d !== 'src' && d !== 'dst')) throw fail(option, `${JSON.stringify(flags)} is not src|dst[,src|dst…]`);
    m.set = name;
    m.flags = dirs as Array<'src' | 'dst'>;
    if (not) m.not = true;
  },
  check(m) { if (!m.set) throw fail('-m set', 'needs --match-set NAME src|dst'); },
  format: (m) => `${bang(m.not)}--match-set ${m.set} ${m.flags.join(',')}`,
};

const recent: Module<MatchOf<'recent'>> = {
  options: { '--name': 1, '--set': 0, '--rcheck': 0, '--update': 0, '--remove': 0, '--seconds': 1, '--reap': 0, '--hitcount': 1, '--rttl': 0, '--rsource': 0, '--rdest': 0, '--mask': 1 },
  apply(m, option, [v], not) {
    const s = m as Record<string, unknown>;
    switch (option) {
      case '--set': case '--rcheck': case '--update': case '--remove':
        if (s.command) throw fail(option, `-m recent takes one of --set, --rcheck, --update, --remove (it has --${s.command})`);
        s.command = option.slice(2);
        if (not) m.not = true;
        return;
      case '--name':
        if (v === '' || Buffer.byteLength(v) > 199) throw fail(option, `${JSON.stringify(v)} is not a list name (1–199 bytes)`);
        m.recentName = v;
        return;
      case '--seconds': m.seconds = num(option, v); return;
      case '--hitcount': m.hitcount = num(option, v); return;
      case '--mask': m.mask = v; return;
      case '--rsource': case '--rdest': m.side = option.slice(2) as 'rsource'; return;
      default: s[option.slice(2)] = true; // --reap, --rttl
    }
  },
  check(m) {
    if (!m.command) throw fail('-m recent', 'needs one of --set, --rcheck, --update, --remove');
    if (m.reap && !m.seconds) throw fail('--reap', 'needs --seconds');
  },
  format: (m) => [
    `${bang(m.not)}--${m.command}`, m.seconds ? `--seconds ${m.seconds}` : '', m.reap ? '--reap' : '', m.hitcount ? `--hitcount ${m.hitcount}` : '',
    m.rttl ? '--rttl' : '', `--name ${m.recentName ?? 'DEFAULT'}`, `--mask ${m.mask ?? '255.255.255.255'}`, `--${m.side ?? 'rsource'}`,
  ].filter(Boolean).join(' '),
};

export const MODULES: { [N in IptMatch['name']]: Module<MatchOf<N>> } = {
  tcp: portMatch('tcp'), udp: portMatch('udp'), conntrack, state, comment, multiport, addrtype, mark, connmark: mark, statistic, limit, physdev, set, recent,
};

/** The text `iptables-nft -S` prints for a match: "-m NAME OPTIONS". */
export function formatMatch(m: IptMatch): string {
  const text = (MODULES[m.name] as Module<IptMatch>).format(m);
  return `-m ${m.name}${text ? ` ${text}` : ''}`;
}
