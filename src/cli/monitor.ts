// `nln monitor`: what the kernel announces, through ns.watch (no snapshot), printed as `ip monitor`
// prints it: the same line per route, neighbour, rule and address event ("Deleted " before a
// removal); a link as `ip link show` prints it, without the qdisc (a Link does not carry it). -j:
// one JSON event per line.
import type { Address } from '../addr';
import type { Link } from '../link/types';
import type { Neighbor } from '../neigh';
import type { Netns } from '../netns';
import type { Rule } from '../rule';
import type { WatchEvent, WatchWhat } from '../watch';
import { CliError } from './cli-error';
import { routeText, tableName } from './ip-show';
import { runNftMonitor } from './nft-monitor';

export const MONITOR_HELP = `usage: nln [-n NS] [-j] monitor [all|link|address|route|neigh|rule|nft]…
Prints what the kernel announces in the namespace until interrupted, as ip monitor (nft: nft monitor) does.`;

const OBJECTS: Record<string, keyof WatchWhat> = {
  link: 'links', address: 'addresses', addr: 'addresses', route: 'routes', neigh: 'neighbors', neighbor: 'neighbors', rule: 'rules',
};

export function parseMonitorArgs(words: string[]): WatchWhat {
  const what: WatchWhat = {};
  for (const w of words) {
    if (w === 'all') Object.values(OBJECTS).forEach((k) => (what[k] = true));
    else if (w === 'nft') what.nft = true;
    else if (OBJECTS[w]) what[OBJECTS[w]] = true;
    else throw new CliError(`nln monitor: unknown object "${w}" (link, address, route, neigh, rule, nft or all)\n\n${MONITOR_HELP}`, 2);
  }
  if (Object.keys(what).length === 0) Object.values(OBJECTS).forEach((k) => (what[k] = true));
  return what;
}

const lifetime = (s: number) => (s === 0xffffffff ? 'forever' : `${s}sec`);

/** An address as ip monitor prints it (print_addrinfo): two lines. */
export function addressText(a: Address, name: string): string {
  const w = [`${a.link}: ${name}    ${a.family === 4 ? 'inet' : 'inet6'} ${a.address}${a.peer ? ` peer ${a.peer}` : ''}/${a.prefixLength}`];
  if (a.broadcast) w.push(`brd ${a.broadcast}`);
  w.push(`scope ${a.scope}`, ...a.flags.filter((f) => f !== 'permanent'));
  if (a.family === 4 && a.label) w.push(a.label);
  return `${w.join(' ')}\n       valid_lft ${lifetime(a.validLifetime)} preferred_lft ${lifetime(a.preferredLifetime)}`;
}

/** A neighbour as ip neigh prints it. */
export function neighborText(n: Neighbor, name: string): string {
  return [n.address, 'dev', name, ...(n.lladdr ? ['lladdr', n.lladdr] : []), ...(n.router ? ['router'] : []), ...n.state].join(' ');
}

/** A rule as ip rule prints it. */
export function ruleText(r: Rule, table: (n: number) => string): string {
  const w = [`from ${r.from}`];
  if (r.to) w.push(`to ${r.to}`);
  if (r.fwmark !== undefined) w.push(`fwmark 0x${r.fwmark.toString(16)}${r.fwmask !== undefined && r.fwmask !== 0xffffffff ? `/0x${r.fwmask.toString(16)}` : ''}`);
  if (r.iif) w.push(`iif ${r.iif}`);
  if (r.oif) w.push(`oif ${r.oif}`);
  w.push(r.action === 'lookup' ? `lookup ${table(r.table ?? 0)}` : r.action);
  return `${r.priority}:\t${w.join(' ')}`;
}

/** A link as ip link show prints it, less the qdisc. */
export function linkLines(l: Link, name: (index: number) => string): string {
  const at = l.peerIndex !== undefined && l.linkNetnsId === undefined ? `@${name(l.peerIndex)}` : l.parent !== undefined ? `@${name(l.parent)}` : l.linkNetnsId !== undefined ? `@if${l.peerIndex ?? l.parent}` : '';
  const master = l.master === undefined ? '' : ` master ${name(l.master)}`;
  const first = `${l.index}: ${l.name}${at}: <${l.flags.join(',')}> mtu ${l.mtu}${master} state ${l.operState} group ${l.group === 0 ? 'default' : l.group}`;
  return l.mac === undefined ? first : `${first}\n    link/ether ${l.mac} brd ${l.broadcast ?? 'ff:ff:ff:ff:ff:ff'}`;
}

export async function runMonitor(ns: Netns, what: WatchWhat, json: boolean, signal?: AbortSignal): Promise<void> {
  // nft monitor's announcements are a stream of their own, printed beside ip monitor's.
  if (what.nft) {
    const { nft: _, ...rest } = what;
    await Promise.all([runNftMonitor(ns, json, signal), Object.keys(rest).length > 0 && runMonitor(ns, rest, json, signal)]);
    return;
  }
  const names = new Map((await ns.links.list()).map((l) => [l.index, l.name]));
  const name = (i: number) => names.get(i) ?? `if${i}`;
  const table = await tableName();
  // Link events keep the names current; announcements about links never seen ask for them again.
  const watched = { ...what, links: true as const };
  for await (const e of ns.watch(watched, { snapshot: false, ...(signal ? { signal } : {}) })) {
    if (!('object' in e)) continue;
    if (e.object === 'link') {
      if (e.type === 'removed') names.delete(e.value.index);
      else names.set(e.value.index, e.value.name);
      if (!what.links) continue;
    }
    if ('link' in e.value && typeof e.value.link === 'number' && !names.has(e.value.link)) {
      for (const l of await ns.links.list()) names.set(l.index, l.name);
    }
    console.log(json ? JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)) : text(e, name, table));
  }
}

function text(e: Exclude<WatchEvent, { type: 'snapshot-start' | 'snapshot-end' | 'resync' | 'nft' }>, name: (i: number) => string, table: (n: number) => string): string {
  const deleted = e.type === 'removed' ? 'Deleted ' : '';
  switch (e.object) {
    case 'link': return deleted + linkLines(e.value, name);
    case 'address': return deleted + addressText(e.value, name(e.value.link));
    case 'route': return deleted + routeText(e.value, {}, name, table);
    case 'neighbor': return deleted + neighborText(e.value, name(e.value.link));
    case 'rule': return deleted + ruleText(e.value, table);
  }
}
