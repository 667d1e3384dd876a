// iptables rules: parsed from iptables arguments, printed as `iptables-nft -S` prints them.
import { parseCidr } from '../ip';
import { formatMatch, MODULES } from './matches';
import { bang, checkIface, fail } from './options';
import { formatTarget, parseTarget } from './targets';
import type { IptMatch, IptRule } from './types';

export { checkPorts } from './options';

export type { IptMatch, IptRule, IptTarget } from './types';

/** The rule's matches in order, with the sport/dport shorthand as the first one. */
export function matchesOf(r: IptRule): IptMatch[] {
  const ms = r.matches ?? [];
  if (r.sport === undefined && r.dport === undefined) return ms;
  if (r.protocol !== 'tcp' && r.protocol !== 'udp') throw fail(r.sport !== undefined ? '--sport' : '--dport', 'needs -p tcp or -p udp');
  const m: IptMatch = { name: r.protocol };
  if (r.sport !== undefined) { m.sport = r.sport; if (r.sportNot) m.sportNot = true; }
  if (r.dport !== undefined) { m.dport = r.dport; if (r.dportNot) m.dportNot = true; }
  return [m, ...ms];
}

const PROTOCOLS = ['tcp', 'udp', 'icmp', 'all'];

/**
 * The rule part of an iptables command (everything after the chain and rule number). As iptables:
 * an option goes to the latest -m module that has it; a port option no module took loads the
 * protocol's own match (-p tcp) there; -m tcp may come before -p tcp.
 */
export function parseRuleArgs(args: string[]): IptRule {
  const r: IptRule = {};
  const matches: IptMatch[] = [];
  let not = false;
  const takeNot = () => { const n = not; not = false; return n; };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '!') { not = true; continue; }
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw fail(a, 'needs a value');
      return v;
    };
    switch (a) {
      case '-s': case '--source': r.source = cidrOf(a, value()); if (takeNot()) r.sourceNot = true; continue;
      case '-d': case '--destination': r.destination = cidrOf(a, value()); if (takeNot()) r.destinationNot = true; continue;
      case '-i': case '--in-interface': r.inInterface = checkIface(a, value()); if (takeNot()) r.inInterfaceNot = true; continue;
      case '-o': case '--out-interface': r.outInterface = checkIface(a, value()); if (takeNot()) r.outInterfaceNot = true; continue;
      case '-p': case '--protocol': {
        const v = value().toLowerCase();
        if (!PROTOCOLS.includes(v)) throw fail(a, `${JSON.stringify(v)} is not one of ${PROTOCOLS.join(', ')}`);
        r.protocol = v;
        if (takeNot()) r.protocolNot = true;
        continue;
      }
      case '-m': case '--match': {
        const name = value();
        if (!(name in MODULES)) throw fail(a, `unsupported match ${JSON.stringify(name)}`);
        matches.push({ name } as IptMatch);
        continue;
      }
      case '-j': case '--jump': case '-g': case '--goto':
        if (not) throw fail(a, "can't be negated");
        r.target = parseTarget(a, value(), args.slice(i + 1));
        i = args.length;
        continue;
    }
    // A module's option: the latest module that has it, else the protocol's match (-p tcp --dport).
    let m = [...matches].reverse().find((x) => a in MODULES[x.name].options);
    if (!m && (r.protocol === 'tcp' || r.protocol === 'udp') && a in MODULES[r.protocol].options) {
      m = { name: r.protocol };
      matches.push(m);
    }
    if (!m) {
      if (a in MODULES.tcp.options) throw fail(a, 'needs -p tcp or -p udp');
      throw fail(a, 'unsupported option');
    }
    const module = MODULES[m.name] as { options: Record<string, number>; apply(m: IptMatch, o: string, v: string[], not: boolean): void };
    const values: string[] = [];
    for (let k = 0; k < module.options[a]; k++) values.push(value());
    module.apply(m, a, values, takeNot());
  }
  if (not) throw fail('!', 'negates nothing (it goes before an option)');
  for (const m of matches) (MODULES[m.name] as { check(m: IptMatch, r: IptRule): void }).check(m, r);
  if (matches.length) r.matches = matches;
  return r;
}

/** As iptables prints it: the network with its length (/32, /128 for one address). */
function cidrOf(option: string, v: string): string {
  const c = parseCidr(option, v);
  return `${c.address}/${c.prefixLength}`;
}

/** The arguments `iptables-nft -S` prints for a rule (after "-A CHAIN"): addresses, interfaces, protocol, then matches and target in order. */
export function formatRule(r: IptRule): string {
  const p: string[] = [];
  if (r.source) p.push(`${bang(r.sourceNot)}-s ${r.source}`);
  if (r.destination) p.push(`${bang(r.destinationNot)}-d ${r.destination}`);
  if (r.inInterface) p.push(`${bang(r.inInterfaceNot)}-i ${r.inInterface}`);
  if (r.outInterface) p.push(`${bang(r.outInterfaceNot)}-o ${r.outInterface}`);
  if (r.protocol) p.push(`${bang(r.protocolNot)}-p ${r.protocol}`);
  for (const m of matchesOf(r)) p.push(formatMatch(m));
  if (r.target) p.push(formatTarget(r.target));
  return p.join(' ');
}
