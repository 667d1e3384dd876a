// `nln link|addr|route show`: ip's selectors (anything else is refused as ip refuses it) and the
// text ip prints, with link names where the kernel gives ifindexes.
import { parsePrefix } from '../ip';
import type { Link } from '../link/types';
import { tableNames } from '../names';
import type { Netns } from '../netns';
import type { Route } from '../route';
import { CliError, garbage } from './cli-error';

export interface LinkSelector { dev?: string; filter: { up?: boolean; master?: string; kind?: string } }

/** `[dev] NAME | up | master DEV | type KIND`, as `ip link show` takes them. */
export function parseLinkShow(words: string[]): LinkSelector {
  const out: LinkSelector = { filter: {} };
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === 'up') out.filter.up = true;
    else if ((w === 'master' || w === 'type') && words[i + 1] !== undefined) out.filter[w === 'type' ? 'kind' : 'master'] = words[++i];
    else if (out.dev !== undefined) throw garbage(w);
    else out.dev = w === 'dev' && words[i + 1] !== undefined ? words[++i] : w;
  }
  return out;
}

/** `[dev] NAME`, as `ip addr show` takes it. */
export function parseAddrShow(words: string[]): { dev?: string } {
  const out: { dev?: string } = {};
  for (let i = 0; i < words.length; i++) {
    if (out.dev !== undefined) throw garbage(words[i]);
    out.dev = words[i] === 'dev' && words[i + 1] !== undefined ? words[++i] : words[i];
  }
  return out;
}

export interface RouteSelector { table?: string; dev?: string; prefix?: string }

/** `table T|all`, `dev NAME` and one `[exact] PREFIX` (routes to exactly that prefix), as `ip route show` takes them. */
export function parseRouteShow(words: string[], family: 4 | 6 | undefined): RouteSelector {
  const out: RouteSelector = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if ((w === 'table' || w === 'dev') && words[i + 1] !== undefined) {
      out[w] = words[++i];
      continue;
    }
    const word = w === 'exact' ? words[++i] : w;
    if (word === 'default' || word === 'all') {
      out.prefix = word;
      continue;
    }
    let prefix: ReturnType<typeof parsePrefix> | undefined;
    try {
      prefix = parsePrefix('prefix', word ?? '');
    } catch { /* refused below, in ip's words */ }
    if (!prefix || (family !== undefined && prefix.family !== family) || out.prefix !== undefined) {
      throw new CliError(`Error: any valid prefix is expected rather than "${word}".`, 1);
    }
    out.prefix = prefix.prefixLength === (prefix.family === 4 ? 32 : 128) ? prefix.address : `${prefix.address}/${prefix.prefixLength}`;
  }
  return out;
}

/** ifindex → name in a namespace (ip's ll_index_to_name: "if%d" when unknown). */
export async function linkNames(ns: Netns): Promise<(index: number) => string> {
  const names = new Map((await ns.links.list()).map((l) => [l.index, l.name]));
  return (index) => names.get(index) ?? `if${index}`;
}

/** A line of `ip link show` (its first line: no qdisc, mode or group, which nln does not read). */
export function linkText(l: Link, name: (index: number) => string): string {
  const master = l.master === undefined ? '' : ` master ${name(l.master)}`;
  return `${l.index}: ${l.name}: <${l.flags.join(',')}> mtu ${l.mtu}${master} state ${l.operState}${l.kind ? ` ${l.kind}` : ''}${l.mac ? ` ${l.mac}` : ''}`;
}

/** ip's route metrics (RTA_METRICS) in the order it prints them (RTAX_* numbering). */
const METRIC_ORDER = ['mtu', 'window', 'rtt', 'rttvar', 'ssthresh', 'cwnd', 'advmss', 'reordering', 'hoplimit', 'initcwnd', 'features', 'rto_min', 'initrwnd', 'quickack'];

/** The table number → name function ip uses (rt_tables, else the number). */
export async function tableName(): Promise<(n: number) => string> {
  const byNumber = new Map(Object.entries(await tableNames()).map(([name, n]) => [n, name]));
  return (n) => byNumber.get(n) ?? String(n);
}

/**
 * A route as `ip route show` prints it (print_route), without ip's trailing space. What the
 * selector fixed is not repeated, as ip does: the device with `dev`, the table with `table T`.
 */
export function routeText(r: Route, sel: RouteSelector, name: (index: number) => string, table: (n: number) => string): string {
  const w: string[] = [];
  if (r.type !== 'unicast') w.push(r.type);
  w.push(r.dst);
  if (r.gateway !== undefined) w.push('via', r.gateway);
  if (r.dev !== undefined && sel.dev === undefined) w.push('dev', name(r.dev));
  if (r.table !== 254 && (sel.table === undefined || sel.table === 'all')) w.push('table', table(r.table));
  if (r.protocol !== 'boot') w.push('proto', r.protocol);
  if (r.scope !== 'global') w.push('scope', r.scope);
  if (r.src !== undefined) w.push('src', r.src);
  if (r.metric !== undefined) w.push('metric', String(r.metric));
  if (r.onlink) w.push('onlink');
  if (r.linkdown) w.push('linkdown');
  for (const key of METRIC_ORDER) {
    const v = r.metrics?.[key];
    if (v === undefined || (key === 'hoplimit' && v === 0xffffffff)) continue;
    if (key === 'rtt' || key === 'rttvar' || key === 'rto_min') {
      const ms = key === 'rtt' ? v / 8 : key === 'rttvar' ? v / 4 : v;
      w.push(key, ms >= 1000 ? `${ms / 1e3}s` : `${Math.floor(ms)}ms`);
    } else w.push(key, String(v));
  }
  let text = w.join(' ');
  for (const n of r.nexthops ?? []) {
    text += `\n\tnexthop${n.gateway !== undefined ? ` via ${n.gateway}` : ''} dev ${name(n.dev ?? 0)} weight ${n.weight}${n.onlink ? ' onlink' : ''}`;
  }
  if (r.pref !== undefined) text += ` pref ${r.pref}`;
  return text;
}

/**
 * The routes a selector picks, as ip filters them: `dev` matches the route's own output link
 * (a multipath route has none and is not shown), a prefix matches exactly.
 */
export function selectRoutes(routes: Route[], sel: RouteSelector, name: (index: number) => string): Route[] {
  return routes.filter((r) => (sel.dev === undefined || (r.dev !== undefined && name(r.dev) === sel.dev))
    && (sel.prefix === undefined || sel.prefix === 'all' || r.dst === sel.prefix));
}
