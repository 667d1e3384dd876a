// iptables rules: parsed from iptables arguments, printed as `iptables-nft -S` prints them.
import { parseCidr } from '../ip';
import { ADDRTYPES, CT_STATE_BITS, REJECT6_WITH, REJECT_WITH } from './xt';

export type IptMatch =
  | { name: 'conntrack'; ctstate: string[]; not?: boolean }
  | { name: 'state'; state: string[]; not?: boolean }
  | { name: 'comment'; comment: string }
  | { name: 'multiport'; dports?: string[]; sports?: string[]; ports?: string[] }
  | { name: 'addrtype'; srcType?: string; dstType?: string }
  | { name: 'mark'; mark: number; mask?: number; not?: boolean };

export type IptTarget =
  | { name: 'ACCEPT' | 'DROP' | 'RETURN' }
  | { name: 'jump' | 'goto'; chain: string }
  | { name: 'DNAT'; toDestination: string }
  | { name: 'SNAT'; toSource: string }
  | { name: 'MASQUERADE'; toPorts?: string }
  | { name: 'REDIRECT'; toPorts?: string }
  | { name: 'MARK'; setXmark: [number, number] }
  | { name: 'LOG'; prefix?: string; level?: number }
  | { name: 'REJECT'; with?: string };

/** A rule, in iptables' terms. Ports are "80" or "1000:2000"; interfaces may end in "+". */
export interface IptRule {
  source?: string; sourceNot?: boolean;
  destination?: string; destinationNot?: boolean;
  inInterface?: string; inInterfaceNot?: boolean;
  outInterface?: string; outInterfaceNot?: boolean;
  protocol?: string; protocolNot?: boolean;
  sport?: string; sportNot?: boolean;
  dport?: string; dportNot?: boolean;
  matches?: IptMatch[];
  target?: IptTarget;
}

const fail = (option: string, why: string) => new RangeError(`iptables: ${option}: ${why}`);

export function checkPorts(option: string, v: string): [number, number] {
  const m = /^(\d+)(?::(\d+))?$/.exec(v);
  if (!m) throw fail(option, `${JSON.stringify(v)} is not a port or range (80, 1000:2000)`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  for (const p of [lo, hi]) if (p > 65535) throw fail(option, `port ${p} is out of range (0–65535)`);
  return [lo, hi];
}

function checkIface(option: string, v: string): string {
  if (v === '' || Buffer.byteLength(v) > 15 || /[\s/:]/.test(v)) throw fail(option, `${JSON.stringify(v)} is not an interface name (a trailing + matches a prefix)`);
  return v;
}

/** The rule part of an iptables command (everything after the chain and rule number). */
export function parseRuleArgs(args: string[]): IptRule {
  const r: IptRule = { matches: [] };
  let i = 0;
  let not = false;
  let current: string | undefined; // the last -m module, for its options
  const value = (opt: string) => {
    const v = args[++i];
    if (v === undefined) throw fail(opt, 'needs a value');
    return v;
  };
  const takeNot = () => { const n = not; not = false; return n; };
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === '!') { not = true; continue; }
    switch (a) {
      case '-s': case '--source': r.source = cidrOf(a, value(a)); r.sourceNot = takeNot(); break;
      case '-d': case '--destination': r.destination = cidrOf(a, value(a)); r.destinationNot = takeNot(); break;
      case '-i': case '--in-interface': r.inInterface = checkIface(a, value(a)); r.inInterfaceNot = takeNot(); break;
      case '-o': case '--out-interface': r.outInterface = checkIface(a, value(a)); r.outInterfaceNot = takeNot(); break;
      case '-p': case '--protocol': {
        const v = value(a).toLowerCase();
        if (!['tcp', 'udp', 'icmp', 'all'].includes(v)) throw fail(a, `${JSON.stringify(v)} is not one of tcp, udp, icmp, all`);
        r.protocol = v;
        r.protocolNot = takeNot();
        break;
      }
      case '-m': case '--match': {
        current = value(a);
        if (!['tcp', 'udp', 'multiport', 'conntrack', 'state', 'comment', 'addrtype', 'mark'].includes(current)) throw fail(a, `unsupported match ${JSON.stringify(current)}`);
        if ((current === 'tcp' || current === 'udp') && r.protocol !== current) throw fail(`-m ${current}`, `needs -p ${current} before it`);
        break;
      }
      case '--sport': case '--source-port': case '--dport': case '--destination-port': {
        if (r.protocol !== 'tcp' && r.protocol !== 'udp') throw fail(a, 'needs -p tcp or -p udp');
        const v = value(a);
        checkPorts(a, v);
        if (a.startsWith('--s')) { r.sport = v; r.sportNot = takeNot(); } else { r.dport = v; r.dportNot = takeNot(); }
        break;
      }
      case '--dports': case '--sports': case '--ports': {
        if (current !== 'multiport') throw fail(a, 'belongs to -m multiport');
        if (r.protocol !== 'tcp' && r.protocol !== 'udp') throw fail('-m multiport', 'needs -p tcp or -p udp');
        const ports = value(a).split(',');
        ports.forEach((p) => checkPorts(a, p));
        r.matches!.push({ name: 'multiport', [a.slice(2)]: ports } as IptMatch);
        break;
      }
      case '--ctstate': case '--state': {
        if ((a === '--ctstate' && current !== 'conntrack') || (a === '--state' && current !== 'state')) throw fail(a, `belongs to -m ${a === '--ctstate' ? 'conntrack' : 'state'}`);
        const states = value(a).split(',').map((s) => s.toUpperCase());
        for (const s of states) if (!(s in CT_STATE_BITS)) throw fail(a, `${JSON.stringify(s)} is not one of ${Object.keys(CT_STATE_BITS).join(', ')}`);
        const n = takeNot();
        r.matches!.push(a === '--ctstate' ? { name: 'conntrack', ctstate: states, ...(n ? { not: true } : {}) } : { name: 'state', state: states, ...(n ? { not: true } : {}) });
        break;
      }
      case '--comment':
        if (current !== 'comment') throw fail(a, 'belongs to -m comment');
        r.matches!.push({ name: 'comment', comment: value(a) });
        break;
      case '--src-type': case '--dst-type': {
        if (current !== 'addrtype') throw fail(a, 'belongs to -m addrtype');
        const t = value(a).toUpperCase();
        if (!(t in ADDRTYPES)) throw fail(a, `${JSON.stringify(t)} is not an address type (${Object.keys(ADDRTYPES).join(', ')})`);
        const last = r.matches![r.matches!.length - 1];
        const m = last?.name === 'addrtype' ? last : (r.matches!.push({ name: 'addrtype' }), r.matches![r.matches!.length - 1] as Extract<IptMatch, { name: 'addrtype' }>);
        if (a === '--src-type') m.srcType = t; else m.dstType = t;
        break;
      }
      case '--mark': {
        if (current !== 'mark') throw fail(a, 'belongs to -m mark');
        const [mk, mask] = value(a).split('/');
        r.matches!.push({ name: 'mark', mark: num(a, mk), ...(mask !== undefined ? { mask: num(a, mask) } : {}), ...(takeNot() ? { not: true } : {}) });
        break;
      }
      case '-j': case '--jump': case '-g': case '--goto':
        r.target = parseTarget(a, value(a), args, i + 1);
        i = args.length;
        break;
      default:
        throw fail(a, 'unsupported option');
    }
  }
  if (r.matches!.length === 0) delete r.matches;
  return r;
}

/** As iptables prints it: the network with its length (/32, /128 for one address). */
function cidrOf(option: string, v: string): string {
  const c = parseCidr(option, v);
  return `${c.address}/${c.prefixLength}`;
}

function num(option: string, s: string): number {
  const n = /^(0x[0-9a-f]+|\d+)$/i.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw fail(option, `${JSON.stringify(s)} is not a 32-bit number`);
  return n;
}

function parseTarget(opt: string, name: string, args: string[], from: number): IptTarget {
  const rest = args.slice(from);
  const options: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) {
    if (!rest[i].startsWith('--') || rest[i + 1] === undefined) throw fail(rest[i], `unexpected after -j ${name}`);
    options[rest[i]] = rest[i + 1];
  }
  const allow = (...keys: string[]) => { for (const k of Object.keys(options)) if (!keys.includes(k)) throw fail(k, `is not an option of ${name}`); };
  if (opt === '-g' || opt === '--goto') { allow(); return { name: 'goto', chain: name }; }
  switch (name) {
    case 'ACCEPT': case 'DROP': case 'RETURN': allow(); return { name };
    case 'DNAT': allow('--to-destination'); if (!options['--to-destination']) throw fail('-j DNAT', 'needs --to-destination'); return { name, toDestination: options['--to-destination'] };
    case 'SNAT': allow('--to-source'); if (!options['--to-source']) throw fail('-j SNAT', 'needs --to-source'); return { name, toSource: options['--to-source'] };
    case 'MASQUERADE': case 'REDIRECT': allow('--to-ports'); return options['--to-ports'] ? { name, toPorts: options['--to-ports'] } : { name };
    case 'MARK': {
      allow('--set-mark', '--set-xmark');
      const v = options['--set-xmark'] ?? options['--set-mark'];
      if (!v) throw fail('-j MARK', 'needs --set-mark or --set-xmark');
      const [m, mask] = v.split('/');
      return { name, setXmark: [num('--set-mark', m), mask === undefined ? 0xffffffff : num('--set-mark', mask)] };
    }
    case 'LOG': {
      allow('--log-prefix', '--log-level');
      const t: IptTarget = { name };
      if (options['--log-prefix'] !== undefined) t.prefix = options['--log-prefix'];
      if (options['--log-level'] !== undefined) t.level = num('--log-level', options['--log-level']);
      return t;
    }
    case 'REJECT':
      allow('--reject-with');
      if (options['--reject-with'] && ![...REJECT_WITH, ...REJECT6_WITH].includes(options['--reject-with'])) throw fail('--reject-with', `${JSON.stringify(options['--reject-with'])} is not one of ${[...REJECT_WITH, ...REJECT6_WITH].join(', ')}`);
      return options['--reject-with'] ? { name, with: options['--reject-with'] } : { name };
    default:
      // Any other name is a user chain (the kernel refuses a jump to one that does not exist).
      allow();
      return { name: 'jump', chain: name };
  }
}

const bang = (n: boolean | undefined) => (n ? '! ' : '');
/** libxtables' xtables_save_string: bare when only [A-Za-z0-9_-], else double-quoted with escapes. */
const saveString = (v: string) => (/^[A-Za-z0-9_-]+$/.test(v) ? v : `"${v.replace(/(["\\'])/g, '\\$1')}"`);
/** States as iptables prints them: INVALID, NEW, RELATED, ESTABLISHED, UNTRACKED. */
const stateOrder = (states: string[]) => Object.keys(CT_STATE_BITS).filter((s) => states.includes(s)).join(',');
const hex = (n: number) => `0x${n.toString(16)}`;

/** The arguments `iptables-nft -S` prints for a rule (after "-A CHAIN"). */
export function formatRule(r: IptRule): string {
  const p: string[] = [];
  if (r.source) p.push(`${bang(r.sourceNot)}-s ${r.source}`);
  if (r.destination) p.push(`${bang(r.destinationNot)}-d ${r.destination}`);
  if (r.inInterface) p.push(`${bang(r.inInterfaceNot)}-i ${r.inInterface}`);
  if (r.outInterface) p.push(`${bang(r.outInterfaceNot)}-o ${r.outInterface}`);
  if (r.protocol) p.push(`${bang(r.protocolNot)}-p ${r.protocol}`);
  if (r.sport !== undefined || r.dport !== undefined) {
    p.push(`-m ${r.protocol}`);
    if (r.sport !== undefined) p.push(`${bang(r.sportNot)}--sport ${r.sport}`);
    if (r.dport !== undefined) p.push(`${bang(r.dportNot)}--dport ${r.dport}`);
  }
  for (const m of r.matches ?? []) {
    switch (m.name) {
      case 'conntrack': p.push(`-m conntrack ${bang(m.not)}--ctstate ${stateOrder(m.ctstate)}`); break;
      case 'state': p.push(`-m state ${bang(m.not)}--state ${stateOrder(m.state)}`); break;
      case 'comment': p.push(`-m comment --comment ${saveString(m.comment)}`); break;
      case 'multiport': p.push(`-m multiport ${m.dports ? `--dports ${m.dports.join(',')}` : m.sports ? `--sports ${m.sports.join(',')}` : `--ports ${m.ports!.join(',')}`}`); break;
      case 'addrtype': p.push(`-m addrtype${m.srcType ? ` --src-type ${m.srcType}` : ''}${m.dstType ? ` --dst-type ${m.dstType}` : ''}`); break;
      case 'mark': p.push(`-m mark ${bang(m.not)}--mark ${hex(m.mark)}${m.mask !== undefined && m.mask !== 0xffffffff ? `/${hex(m.mask)}` : ''}`); break;
    }
  }
  const t = r.target;
  if (t) {
    switch (t.name) {
      case 'jump': p.push(`-j ${t.chain}`); break;
      case 'goto': p.push(`-g ${t.chain}`); break;
      case 'DNAT': p.push(`-j DNAT --to-destination ${t.toDestination}`); break;
      case 'SNAT': p.push(`-j SNAT --to-source ${t.toSource}`); break;
      case 'MASQUERADE': case 'REDIRECT': p.push(`-j ${t.name}${t.toPorts ? ` --to-ports ${t.toPorts}` : ''}`); break;
      case 'MARK': p.push(`-j MARK --set-xmark ${hex(t.setXmark[0])}/${hex(t.setXmark[1])}`); break;
      case 'LOG': p.push(`-j LOG${t.prefix !== undefined ? ` --log-prefix ${saveString(t.prefix)}` : ''}${t.level !== undefined && t.level !== 4 ? ` --log-level ${t.level}` : ''}`); break;
      case 'REJECT': p.push(`-j REJECT --reject-with ${t.with ?? 'icmp-port-unreachable'}`); break;
      default: p.push(`-j ${t.name}`);
    }
  }
  return p.join(' ');
}
