// ns.routes: the routing tables, like `ip route`.
import { NetlinkError } from './errors';
import { NLM_F, RTM, SCOPES } from './constants';
import { afOf, familyOf, type Family, formatV6, parseAddress, parsePrefix } from './ip';
import { scopeName } from './addr';
import { NETLINK_ROUTE, type Transport, type WireMessage } from './kernel/transport';
import type { LinkLookup, LinkRef } from './link/ref';
import { nameOf, ROUTE_PROTOCOLS, ROUTE_TYPES, tableNames } from './names';
import { checkBoolean, checkInteger, checkKeys, checkObject, checkOneOf, rangeError, typeError } from './validate';

export type RouteType = 'unicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'local' | 'broadcast' | 'throw';
export type TableRef = number | 'main' | 'local' | 'default' | string;

/** Route metrics (RTA_METRICS) besides mtu, as ip names them. */
const METRIC_KEYS = ['advmss', 'hoplimit', 'initcwnd', 'initrwnd', 'window', 'rtt', 'rttvar', 'ssthresh', 'cwnd', 'reordering', 'rto_min', 'quickack'] as const;
type MetricKey = (typeof METRIC_KEYS)[number];

export interface Nexthop {
  gateway?: string;
  dev?: LinkRef;
  /** 1–256, as `ip route … nexthop … weight N`. */
  weight?: number;
  onlink?: boolean;
}

export interface RouteSpec {
  /** 'default' or a prefix ("198.18.1.0/24"; a bare address is a host route). */
  dst: 'default' | string;
  gateway?: string;
  dev?: LinkRef;
  /** Preferred source address (`src`). */
  src?: string;
  table?: TableRef;
  metric?: number;
  scope?: 'global' | 'universe' | 'site' | 'link' | 'host' | 'nowhere' | number;
  protocol?: string | number;
  type?: RouteType;
  mtu?: number;
  metrics?: Partial<Record<MetricKey, number>>;
  onlink?: boolean;
  nexthops?: Nexthop[];
  /** Needed only for 'default' without a gateway (4 if omitted). */
  family?: Family;
}

export interface Route {
  family: Family;
  /** 'default', or the prefix as ip prints it (a host route without "/32"). */
  dst: string;
  gateway?: string;
  /** ifindex of the output link. */
  dev?: number;
  src?: string;
  table: number;
  metric?: number;
  scope: string;
  protocol: string;
  type: string;
  mtu?: number;
  metrics?: Record<string, number>;
  onlink: boolean;
  /** The output link has no carrier (ip prints `linkdown`). */
  linkdown: boolean;
  /** IPv6 router preference (RTA_PREF), as ip prints it after `pref`. */
  pref?: 'low' | 'medium' | 'high';
  nexthops?: Array<{ gateway?: string; dev?: number; weight: number; onlink: boolean }>;
}

const SPEC_KEYS = ['dst', 'gateway', 'dev', 'src', 'table', 'metric', 'scope', 'protocol', 'type', 'mtu', 'metrics', 'onlink', 'nexthops', 'family'] as const;
const RTNH_F_ONLINK = 4;
const RTNH_F_LINKDOWN = 16;
/** ICMPV6_ROUTER_PREF_* values. */
const ROUTER_PREFS: Record<number, 'low' | 'medium' | 'high'> = { 0: 'medium', 1: 'high', 3: 'low' };

/** The table names, once read (tableNames): a route's table is then found without a turn. */
let knownTables: Record<string, number> | undefined;

function tableNumber(field: string, table: unknown): number | Promise<number> {
  if (typeof table === 'number') return checkInteger(field, table, 1, 0xffffffff);
  if (typeof table !== 'string') throw typeError(field, table, 'a table number or name');
  if (knownTables !== undefined) return tableNamed(field, table, knownTables);
  return tableNames().then((names) => tableNamed(field, table, knownTables = names));
}

function tableNamed(field: string, table: string, names: Record<string, number>): number {
  const n = names[table];
  if (n === undefined) throw rangeError(field, table, 'is not a table number or a name in /etc/iproute2/rt_tables');
  return n;
}

function protocolNumber(field: string, p: unknown): number {
  if (typeof p === 'number') return checkInteger(field, p, 0, 255);
  return ROUTE_PROTOCOLS[checkOneOf(field, p, Object.keys(ROUTE_PROTOCOLS))];
}

function scopeNumber(field: string, s: unknown): number {
  if (typeof s === 'number') return checkInteger(field, s, 0, 255);
  return SCOPES[checkOneOf(field, s, Object.keys(SCOPES))];
}

export class Routes {
  readonly #t: Transport;
  readonly #links: LinkLookup;

  constructor(transport: Transport, links: LinkLookup) {
    this.#t = transport;
    this.#links = links;
  }

  /** Like `ip route add`. */
  add(r: RouteSpec): Promise<void> {
    return this.#modify(r, NLM_F.CREATE | NLM_F.EXCL, 'route.add');
  }

  /** Like `ip route replace`. */
  replace(r: RouteSpec): Promise<void> {
    return this.#modify(r, NLM_F.CREATE | NLM_F.REPLACE, 'route.replace');
  }

  /** Like `ip route append` (another route to the same prefix, e.g. IPv6 ECMP). */
  append(r: RouteSpec): Promise<void> {
    return this.#modify(r, NLM_F.CREATE | NLM_F.APPEND, 'route.append');
  }

  /** Like `ip route del`: what is given must match; what is not given matches anything. */
  async delete(r: Partial<RouteSpec> & { dst: string }): Promise<void> {
    await this.#t.request(NETLINK_ROUTE, await routeMessage(this.#links, r as RouteSpec, 0, true, 'route.delete'), 'route.delete');
  }

  /** Routes of a table (default: main; 'all' for every table), optionally one family or output link. */
  async list(filter: { table?: TableRef | 'all'; family?: Family; dev?: LinkRef } = {}): Promise<Route[]> {
    checkKeys('filter', checkObject('filter', filter), ['table', 'family', 'dev']);
    if (filter.family !== undefined && filter.family !== 4 && filter.family !== 6) throw rangeError('filter.family', filter.family, 'is not 4 or 6');
    const table = filter.table === 'all' ? 0 : await tableNumber('filter.table', filter.table ?? 'main');
    const oif = filter.dev === undefined ? undefined : await this.#links.index(filter.dev, 'route.list', 'filter.dev');
    const replies = await this.#t.request(NETLINK_ROUTE, {
      type: RTM.GETROUTE,
      flags: NLM_F.REQUEST | NLM_F.DUMP,
      // Strict dump checking: the kernel filters by table and output link itself.
      header: { family: filter.family === undefined ? 0 : afOf(filter.family), table: table < 256 ? table : 0 },
      attrs: { table: table >= 256 ? table : undefined, oif },
    }, 'route.list').catch((err: unknown) => {
      // Asked for one table, the kernel answers ENOENT while that table does not exist yet (a
      // namespace that never had a route has no main table): no routes, as `ip route show` says.
      if (table !== 0 && err instanceof NetlinkError && err.code === 'ENOENT') return [];
      throw err;
    });
    return replies.filter((m) => m.type === RTM.NEWROUTE).map(decodeRoute)
      .filter((r) => (table === 0 || r.table === table) && (oif === undefined || r.dev === oif || r.nexthops?.some((n) => n.dev === oif)));
  }

  /** The kernel's route lookup for a destination, like `ip route get ADDR`. */
  async get(destination: string): Promise<Route> {
    const d = parseAddress('destination', destination);
    const replies = await this.#t.request(NETLINK_ROUTE, {
      type: RTM.GETROUTE, flags: NLM_F.REQUEST,
      header: { family: afOf(d.family), dst_len: d.family === 4 ? 32 : 128 },
      attrs: { dst: d.address },
    }, 'route.get');
    return decodeRoute(replies.find((m) => m.type === RTM.NEWROUTE)!);
  }

  async #modify(r: RouteSpec, create: number, operation: string): Promise<void> {
    await this.#t.request(NETLINK_ROUTE, await routeMessage(this.#links, r, create, false, operation), operation);
  }

}

/**
 * RTM_NEWROUTE/RTM_DELROUTE as `ip route add/del` builds it (iproute_modify). Links builds a veth
 * peer's routes with it too (their dev then given by ifindex). Returned at once (a check failing
 * throws) when nothing has to be looked up: links given by ifindex and the table names read; a
 * promise otherwise. links.add then sends its chain in its caller's turn.
 */
export function routeMessage(links: Pick<LinkLookup, 'index'>, r: RouteSpec, create: number, del: boolean, operation: string): WireMessage | Promise<WireMessage> {
  return untilLookup(routeSteps(links, r, create, del, operation));
}

/** A builder's lookups: a number is known now, a promise is not. */
type Lookups<T> = Generator<number | Promise<number>, T, number>;

/** Runs steps in this turn while each lookup it yields is known; from the first that is not, asynchronously. */
function untilLookup<T>(steps: Lookups<T>): T | Promise<T> {
  for (let s = steps.next(); ; s = steps.next(s.value)) {
    if (s.done) return s.value;
    if (typeof s.value !== 'number') return finishLookups(steps, s.value);
  }
}

async function finishLookups<T>(steps: Lookups<T>, pending: Promise<number>): Promise<T> {
  for (let s = steps.next(await pending); ; s = steps.next(await s.value)) if (s.done) return s.value;
}

function* routeSteps(links: Pick<LinkLookup, 'index'>, r: RouteSpec, create: number, del: boolean, operation: string): Lookups<WireMessage> {
  const o = checkObject('route', r);
  checkKeys('route', o, SPEC_KEYS);
  if (r.family !== undefined && r.family !== 4 && r.family !== 6) throw rangeError('family', r.family, 'is not 4 or 6');
  const dst = r.dst === 'default' ? undefined : parsePrefix('dst', r.dst);
  const gateway = r.gateway === undefined ? undefined : parseAddress('gateway', r.gateway);
  const src = r.src === undefined ? undefined : parseAddress('src', r.src);
  const family: Family = dst?.family ?? gateway?.family ?? r.family ?? 4;
  const sameFamily = (field: 'gateway' | 'src', a: { family: Family } | undefined) => {
    if (a && a.family !== family) throw rangeError(field, r[field], `is IPv${a.family} but the route is IPv${family}`);
  };
  sameFamily('gateway', gateway);
  sameFamily('src', src);
  if (r.dst === undefined) throw new TypeError('dst: required ("default" or a prefix)');
  const type = r.type === undefined ? (del ? 0 : ROUTE_TYPES.unicast) : ROUTE_TYPES[checkOneOf('type', r.type, ['unicast', 'blackhole', 'unreachable', 'prohibit', 'local', 'broadcast', 'throw'])];
  const table = yield tableNumber('table', r.table ?? 'main');
  if (r.metric !== undefined) checkInteger('metric', r.metric, 0, 0xffffffff);
  if (r.mtu !== undefined) checkInteger('mtu', r.mtu, 68, 0xffffffff);
  if (r.onlink !== undefined) checkBoolean('onlink', r.onlink);
  const metrics: Record<string, number> = {};
  if (r.metrics !== undefined) {
    const m = checkObject('metrics', r.metrics);
    checkKeys('metrics', m, METRIC_KEYS);
    for (const [k, v] of Object.entries(m)) metrics[k] = checkInteger(`metrics.${k}`, v, 0, 0xffffffff);
  }
  if (r.mtu !== undefined) metrics.mtu = r.mtu;
  const oif = r.dev === undefined || typeof r.dev === 'number' ? r.dev : yield links.index(r.dev, operation, 'dev');
  let multipath: unknown[] | undefined;
  if (r.nexthops !== undefined) {
    if (!Array.isArray(r.nexthops) || r.nexthops.length === 0) throw typeError('nexthops', r.nexthops, 'a non-empty array');
    multipath = [];
    for (const [i, nh] of r.nexthops.entries()) {
      const f = `nexthops[${i}]`;
      checkKeys(f, checkObject(f, nh), ['gateway', 'dev', 'weight', 'onlink']);
      const gw = nh.gateway === undefined ? undefined : parseAddress(`${f}.gateway`, nh.gateway);
      if (gw && gw.family !== family) throw rangeError(`${f}.gateway`, nh.gateway, `is IPv${gw.family} but the route is IPv${family}`);
      const weight = nh.weight === undefined ? 1 : checkInteger(`${f}.weight`, nh.weight, 1, 256);
      const dev = nh.dev === undefined ? 0 : typeof nh.dev === 'number' ? nh.dev : yield links.index(nh.dev, operation, `${f}.dev`);
      multipath.push({ header: { flags: nh.onlink ? RTNH_F_ONLINK : 0, hops: weight - 1, ifindex: dev }, attrs: { gateway: gw?.address } });
    }
  }
  // ip's scope rules: local routes are host-scoped, broadcast link-scoped, a unicast route with no
  // gateway is link-scoped (on-link), everything else universe; a delete matches any scope.
  let scope: number;
  if (r.scope !== undefined) scope = scopeNumber('scope', r.scope);
  else if (del) scope = SCOPES.nowhere;
  else if (type === ROUTE_TYPES.local) scope = SCOPES.host;
  else if (type === ROUTE_TYPES.broadcast) scope = SCOPES.link;
  else if (type === ROUTE_TYPES.unicast && !gateway && !multipath) scope = SCOPES.link;
  else scope = SCOPES.global;
  const protocol = r.protocol !== undefined ? protocolNumber('protocol', r.protocol) : del ? 0 : ROUTE_PROTOCOLS.boot;
  return {
    type: del ? RTM.DELROUTE : RTM.NEWROUTE,
    flags: NLM_F.REQUEST | create,
    header: {
      family: afOf(family), dst_len: dst?.prefixLength ?? 0, table: table < 256 ? table : 0,
      protocol, scope, type, flags: r.onlink ? RTNH_F_ONLINK : 0,
    },
    attrs: {
      table: table >= 256 ? table : undefined,
      dst: dst?.address,
      gateway: gateway?.address,
      oif,
      prefsrc: src?.address,
      priority: r.metric,
      metrics: Object.keys(metrics).length ? metrics : undefined,
      multipath,
    },
  };
}

export function decodeRoute(m: WireMessage): Route {
  const h = m.header as Record<string, number>;
  const a = (m.attrs ?? {}) as Record<string, any>;
  const family = familyOf(h.family);
  const full = family === 4 ? 32 : 128;
  let dst = 'default';
  if (a.dst !== undefined) dst = h.dst_len === full ? a.dst : `${a.dst}/${h.dst_len}`;
  else if (h.dst_len > 0) dst = `${family === 4 ? '0.0.0.0' : formatV6(Buffer.alloc(16))}/${h.dst_len}`;
  const route: Route = {
    family, dst,
    table: a.table ?? h.table,
    scope: scopeName(h.scope),
    protocol: nameOf(ROUTE_PROTOCOLS, h.protocol),
    type: nameOf(ROUTE_TYPES, h.type),
    onlink: (h.flags & RTNH_F_ONLINK) !== 0,
    linkdown: (h.flags & RTNH_F_LINKDOWN) !== 0,
  };
  if (a.pref !== undefined && ROUTER_PREFS[a.pref] !== undefined) route.pref = ROUTER_PREFS[a.pref];
  if (a.gateway !== undefined) route.gateway = a.gateway;
  if (a.oif !== undefined) route.dev = a.oif;
  if (a.prefsrc !== undefined) route.src = a.prefsrc;
  if (a.priority !== undefined) route.metric = a.priority;
  if (a.metrics !== undefined) {
    route.metrics = a.metrics;
    if (a.metrics.mtu !== undefined) route.mtu = a.metrics.mtu;
  }
  if (a.multipath !== undefined) {
    route.nexthops = (a.multipath as Array<{ header: Record<string, number>; attrs: Record<string, string> }>).map((n) => ({
      ...(n.attrs.gateway !== undefined ? { gateway: n.attrs.gateway } : {}),
      ...(n.header.ifindex ? { dev: n.header.ifindex } : {}),
      weight: n.header.hops + 1,
      onlink: (n.header.flags & RTNH_F_ONLINK) !== 0,
    }));
  }
  return route;
}
