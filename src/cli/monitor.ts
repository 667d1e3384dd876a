// `nln monitor`: what the kernel announces, printed as `ip monitor` prints it: the same lines per
// link, address, route, neighbour and rule announcement ("Deleted " before a removal). -j: the
// changes ns.watch reports (no snapshot), one JSON event per line.
import { type Address, decodeAddress } from '../addr';
import { IFF_UP, RTM } from '../constants';
import { NetlinkError } from '../errors';
import { NETLINK_ROUTE, TRANSPORT, type WireMessage } from '../kernel/transport';
import { decodeNeighbor, type Neighbor } from '../neigh';
import { Netns } from '../netns';
import { decodeRoute } from '../route';
import { decodeRule, type Rule } from '../rule';
import type { WatchWhat } from '../watch';
import { CliError } from './cli-error';
import { KnownLinks, linkAnnouncementText } from './monitor-link';
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

/** A neighbour as ip neigh prints it (a bridge's FDB entry has no address). */
export function neighborText(n: Neighbor, name: string): string {
  return [...(n.address ? [n.address] : []), 'dev', name, ...(n.lladdr ? ['lladdr', n.lladdr] : []), ...(n.router ? ['router'] : []), ...n.state].join(' ');
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

/** The objects ip monitor prints (nft's are nft monitor's). */
type IpObject = Exclude<keyof WatchWhat, 'nft'>;

/** What each object is announced on (rtnetlink groups, RTNLGRP_*) and how it reads, for the text lines. */
const ANNOUNCED: Record<IpObject, { groups: number[]; added: number; removed: number }> = {
  links: { groups: [1], added: RTM.NEWLINK, removed: RTM.DELLINK },
  addresses: { groups: [5, 9], added: RTM.NEWADDR, removed: RTM.DELADDR },
  routes: { groups: [7, 11], added: RTM.NEWROUTE, removed: RTM.DELROUTE },
  // A bridge's FDB entries come on the same group: ip prints them too ("dev br0 lladdr … PERMANENT").
  neighbors: { groups: [3], added: RTM.NEWNEIGH, removed: RTM.DELNEIGH },
  rules: { groups: [8, 19], added: RTM.NEWRULE, removed: RTM.DELRULE },
};

export async function runMonitor(ns: Netns, what: WatchWhat, json: boolean, signal?: AbortSignal): Promise<void> {
  // nft monitor's announcements are a stream of their own, printed beside ip monitor's.
  if (what.nft) {
    const { nft: _, ...rest } = what;
    await Promise.all([runNftMonitor(ns, json, signal), Object.keys(rest).length > 0 && runMonitor(ns, rest, json, signal)]);
    return;
  }
  if (json) {
    for await (const e of ns.watch(what, { snapshot: false, ...(signal ? { signal } : {}) })) {
      if ('object' in e) console.log(JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
    }
    return;
  }
  await printAnnouncements(ns, what, signal);
}

/**
 * Every announcement printed as it comes, as ip monitor does: one that changes nothing (a link
 * enslaved twice over, a feature change) is printed too, and a deletion as the kernel worded it;
 * ns.watch, which reports changes to a picture, leaves those out.
 */
async function printAnnouncements(ns: Netns, what: WatchWhat, signal?: AbortSignal): Promise<void> {
  const kinds = (Object.keys(what) as IpObject[]).map((k) => [k, ANNOUNCED[k]] as const);
  const sub = await ns[TRANSPORT].subscribe(NETLINK_ROUTE, kinds.flatMap(([, k]) => k.groups), 'monitor');
  const close = () => sub.close();
  signal?.addEventListener('abort', close, { once: true });
  try {
    // As ip: the links that exist when it starts, then each link announcement (and a lookup of a
    // link named that it does not know) keep the names and flags it prints.
    const known = new KnownLinks();
    const learn = async () => {
      for (const l of await ns.links.list()) if (!known.has(l.index)) known.set(l.index, l.name, l.up ? IFF_UP : 0);
      known.missed.clear();
    };
    await learn();
    await learnNetnsNames(ns, known);
    const table = await tableName();
    for (;;) {
      let batch: WireMessage[] | null;
      try {
        batch = await sub.read();
      } catch (err) {
        // The kernel dropped announcements: ip says so and listens on.
        if (!(err instanceof NetlinkError && err.code === 'ENOBUFS')) throw err;
        console.error('netlink receive error No buffer space available (105)');
        continue;
      }
      if (batch === null) return;
      for (const m of batch) {
        const found = kinds.find(([, k]) => m.type === k.added || m.type === k.removed);
        if (!found) continue;
        const [kind, { removed }] = found;
        const deleted = m.type === removed;
        if (kind === 'links') known.remember(m, deleted);
        let line = announcementText(kind, m, deleted, known, table);
        if (known.missed.size > 0) {
          await learn();
          line = announcementText(kind, m, deleted, known, table);
        }
        console.log(line);
      }
    }
  } finally {
    signal?.removeEventListener('abort', close);
    sub.close();
  }
}

/** As ip at start: the id this namespace gives each namespace named under /run/netns, if it has one. */
async function learnNetnsNames(ns: Netns, known: KnownLinks): Promise<void> {
  for (const name of await Netns.list()) {
    // A namespace deleted since the listing has no name to print.
    const id = await ns.nsidOf(name).catch(() => undefined);
    if (id !== undefined && !known.netnsNames.has(id)) known.netnsNames.set(id, name);
  }
}

function announcementText(kind: IpObject, m: WireMessage, deleted: boolean, known: KnownLinks, table: (n: number) => string): string {
  const name = (i: number) => known.name(i);
  const d = deleted ? 'Deleted ' : '';
  switch (kind) {
    case 'links': return linkAnnouncementText(m, deleted, known);
    case 'addresses': { const a = decodeAddress(m); return d + addressText(a, name(a.link)); }
    case 'routes': return d + routeText(decodeRoute(m), {}, name, table);
    case 'neighbors': { const n = decodeNeighbor(m); return d + neighborText(n, name(n.link)); }
    case 'rules': return d + ruleText(decodeRule(m), table);
  }
}
