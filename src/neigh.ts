// ns.neighbors: static ARP/NDP entries (`ip neigh`) and the bridge forwarding database (`bridge fdb`).
import { NLM_F, RTM } from './constants';
import { afOf, familyOf, type Family, parseAddress } from './ip';
import { NETLINK_ROUTE, type Transport, type WireMessage } from './kernel/transport';
import type { LinkLookup, LinkRef } from './link/ref';
import { checkBoolean, checkInteger, checkKeys, checkObject, checkOneOf, rangeError, typeError } from './validate';

/** NUD_* states (linux/neighbour.h) as ip names them. */
const STATES: Record<string, number> = {
  incomplete: 0x01, reachable: 0x02, stale: 0x04, delay: 0x08, probe: 0x10, failed: 0x20, noarp: 0x40, permanent: 0x80,
};
const NTF_SELF = 0x02;
const NTF_MASTER = 0x04;
const NTF_ROUTER = 0x80;
const NTF_EXT_LEARNED = 0x10;
const AF_BRIDGE = 7;

export type NeighborState = 'permanent' | 'reachable' | 'stale' | 'noarp' | 'delay' | 'probe';

export interface NeighborSpec {
  link: LinkRef;
  address: string;
  lladdr?: string;
  state?: NeighborState;
  router?: boolean;
}

export interface Neighbor {
  link: number;
  family: Family;
  address: string;
  lladdr?: string;
  /** ip's names, e.g. ['PERMANENT'] or ['REACHABLE']. */
  state: string[];
  router: boolean;
}

export interface FdbSpec {
  link: LinkRef;
  lladdr: string;
  /** Remote VTEP (vxlan): `dst`. */
  dst?: string;
  vni?: number;
  port?: number;
  vlan?: number;
  /** NTF_MASTER: the entry goes to the bridge the link is a port of. */
  master?: boolean;
  /** NTF_SELF: the entry goes to the link's own table (the default when neither is given, as with `bridge fdb`). */
  self?: boolean;
  /** true (default): NUD_PERMANENT; false: a static (NUD_NOARP) entry. */
  permanent?: boolean;
}

export interface FdbEntry {
  link: number;
  lladdr: string;
  dst?: string;
  vni?: number;
  port?: number;
  vlan?: number;
  master?: number;
  /** ip's names: 'self', 'master', 'extern_learn', … */
  flags: string[];
  state: string;
}

const stateNames = (state: number): string[] => {
  const names = Object.keys(STATES).filter((k) => state & STATES[k]).map((k) => k.toUpperCase());
  return names.length ? names : ['NONE'];
};

function checkMacLike(field: string, v: unknown): string {
  if (typeof v !== 'string' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(v)) throw rangeError(field, v, 'is not a MAC address (six hex pairs)');
  return v.toLowerCase();
}

export class Fdb {
  readonly #t: Transport;
  readonly #links: LinkLookup;

  constructor(transport: Transport, links: LinkLookup) {
    this.#t = transport;
    this.#links = links;
  }

  /** Like `bridge fdb add LLADDR dev LINK [dst IP] [vni N] [self|master] [permanent]`. */
  async add(e: FdbSpec): Promise<void> {
    await this.#send(await this.#message(e, RTM.NEWNEIGH, NLM_F.CREATE | NLM_F.EXCL, 'fdb.add'), 'fdb.add');
  }

  /** Like `bridge fdb append`: another destination for the same address (a VXLAN flood list). */
  async append(e: FdbSpec): Promise<void> {
    await this.#send(await this.#message(e, RTM.NEWNEIGH, NLM_F.CREATE | NLM_F.APPEND, 'fdb.append'), 'fdb.append');
  }

  /** Like `bridge fdb del`. */
  async delete(e: FdbSpec): Promise<void> {
    await this.#send(await this.#message(e, RTM.DELNEIGH, 0, 'fdb.delete'), 'fdb.delete');
  }

  /** Entries, optionally of one link (the kernel filters by it). */
  async list(filter: { link?: LinkRef } = {}): Promise<FdbEntry[]> {
    checkKeys('filter', checkObject('filter', filter), ['link']);
    const ifindex = filter.link === undefined ? undefined : await this.#links.index(filter.link, 'fdb.list', 'filter.link');
    const replies = await this.#t.request(NETLINK_ROUTE, {
      type: RTM.GETNEIGH, flags: NLM_F.REQUEST | NLM_F.DUMP, header: { family: AF_BRIDGE }, attrs: { ifindex },
    }, 'fdb.list');
    return replies.filter((m) => m.type === RTM.NEWNEIGH).map(decodeFdb).filter((e) => ifindex === undefined || e.link === ifindex);
  }

  async #message(e: FdbSpec, type: number, create: number, operation: string): Promise<WireMessage> {
    const o = checkObject('entry', e);
    checkKeys('entry', o, ['link', 'lladdr', 'dst', 'vni', 'port', 'vlan', 'master', 'self', 'permanent']);
    const lladdr = checkMacLike('lladdr', e.lladdr);
    const dst = e.dst === undefined ? undefined : parseAddress('dst', e.dst);
    if (e.vni !== undefined) checkInteger('vni', e.vni, 0, 0xffffff);
    if (e.port !== undefined) checkInteger('port', e.port, 1, 65535);
    if (e.vlan !== undefined) checkInteger('vlan', e.vlan, 1, 4094);
    for (const k of ['master', 'self', 'permanent'] as const) if (o[k] !== undefined) checkBoolean(k, o[k]);
    const ifindex = await this.#links.index(e.link, operation, 'link');
    let flags = (e.self ? NTF_SELF : 0) | (e.master ? NTF_MASTER : 0);
    if (flags === 0) flags = NTF_SELF;
    return {
      type, flags: NLM_F.REQUEST | create,
      header: { family: AF_BRIDGE, ifindex, state: e.permanent === false ? STATES.noarp : STATES.permanent, flags },
      attrs: { lladdr, dst: dst?.address, vlan: e.vlan, port: e.port, vni: e.vni },
    };
  }

  async #send(message: WireMessage, operation: string): Promise<void> {
    await this.#t.request(NETLINK_ROUTE, message, operation);
  }
}

export class Neighbors {
  readonly #t: Transport;
  readonly #links: LinkLookup;
  /** The bridge forwarding database. */
  readonly fdb: Fdb;

  constructor(transport: Transport, links: LinkLookup) {
    this.#t = transport;
    this.#links = links;
    this.fdb = new Fdb(transport, links);
  }

  /** Like `ip neigh add ADDR lladdr MAC dev LINK nud STATE [router]`. */
  add(n: NeighborSpec): Promise<void> {
    return this.#modify(n, RTM.NEWNEIGH, NLM_F.CREATE | NLM_F.EXCL, 'neighbor.add');
  }

  /** Like `ip neigh replace`. */
  replace(n: NeighborSpec): Promise<void> {
    return this.#modify(n, RTM.NEWNEIGH, NLM_F.CREATE | NLM_F.REPLACE, 'neighbor.replace');
  }

  /** Like `ip neigh del ADDR dev LINK`. */
  delete(n: { link: LinkRef; address: string }): Promise<void> {
    return this.#modify(n, RTM.DELNEIGH, 0, 'neighbor.delete');
  }

  /** ARP/NDP entries, optionally of one link and/or family (the kernel filters by link). */
  async list(filter: { link?: LinkRef; family?: Family } = {}): Promise<Neighbor[]> {
    checkKeys('filter', checkObject('filter', filter), ['link', 'family']);
    if (filter.family !== undefined && filter.family !== 4 && filter.family !== 6) throw rangeError('filter.family', filter.family, 'is not 4 or 6');
    const ifindex = filter.link === undefined ? undefined : await this.#links.index(filter.link, 'neighbor.list', 'filter.link');
    const replies = await this.#t.request(NETLINK_ROUTE, {
      type: RTM.GETNEIGH, flags: NLM_F.REQUEST | NLM_F.DUMP,
      header: { family: filter.family === undefined ? 0 : afOf(filter.family) }, attrs: { ifindex },
    }, 'neighbor.list');
    return replies.filter((m) => m.type === RTM.NEWNEIGH && (m.header?.family === 2 || m.header?.family === 10))
      .map(decodeNeighbor).filter((n) => ifindex === undefined || n.link === ifindex);
  }

  async #modify(n: NeighborSpec | { link: LinkRef; address: string }, type: number, create: number, operation: string): Promise<void> {
    const o = checkObject('neighbor', n);
    checkKeys('neighbor', o, ['link', 'address', 'lladdr', 'state', 'router']);
    const address = parseAddress('address', o.address);
    const lladdr = o.lladdr === undefined ? undefined : checkMacLike('lladdr', o.lladdr);
    if (type === RTM.NEWNEIGH && lladdr === undefined && o.state !== 'noarp') throw typeError('lladdr', o.lladdr, 'a MAC address (needed unless state is "noarp")');
    const state = o.state === undefined ? STATES.permanent : STATES[checkOneOf('state', o.state, ['permanent', 'reachable', 'stale', 'noarp', 'delay', 'probe'])];
    if (o.router !== undefined) checkBoolean('router', o.router);
    const ifindex = await this.#links.index(o.link as LinkRef, operation, 'link');
    await this.#t.request(NETLINK_ROUTE, {
      type, flags: NLM_F.REQUEST | create,
      header: { family: afOf(address.family), ifindex, state: type === RTM.DELNEIGH ? 0 : state, flags: o.router ? NTF_ROUTER : 0 },
      attrs: { dst: address.address, lladdr },
    }, operation);
  }
}

export function decodeNeighbor(m: WireMessage): Neighbor {
  const h = m.header as Record<string, number>;
  const a = (m.attrs ?? {}) as Record<string, any>;
  const n: Neighbor = { link: h.ifindex, family: familyOf(h.family), address: a.dst, state: stateNames(h.state), router: (h.flags & NTF_ROUTER) !== 0 };
  if (a.lladdr !== undefined) n.lladdr = a.lladdr;
  return n;
}

function decodeFdb(m: WireMessage): FdbEntry {
  const h = m.header as Record<string, number>;
  const a = (m.attrs ?? {}) as Record<string, any>;
  const flags = [
    ...(h.flags & NTF_SELF ? ['self'] : []),
    ...(h.flags & NTF_MASTER ? ['master'] : []),
    ...(h.flags & NTF_EXT_LEARNED ? ['extern_learn'] : []),
  ];
  const state = h.state & STATES.permanent ? 'permanent' : h.state & STATES.noarp ? 'static' : '';
  const e: FdbEntry = { link: h.ifindex, lladdr: a.lladdr, flags, state };
  for (const k of ['dst', 'vni', 'port', 'vlan', 'master'] as const) if (a[k] !== undefined) (e as unknown as Record<string, unknown>)[k] = a[k];
  return e;
}
