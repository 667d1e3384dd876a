// ns.links: create, change, read and delete links in one namespace over rtnetlink.
import { checkLinkRef, kindEntry, type LinkKind, PORT_KINDS } from '../codec/link-kinds/index';
import { NLM_F, RTEXT_FILTER, RTM } from '../constants';
import { NetlinkError, netnsLabel } from '../errors';
import { type AddressOptions, addressMessageFor } from '../addr';
import { borrow, checkNetnsRef, type NetnsRef } from '../kernel/netns-ref';
import {
  answer, type ChainPatch, type ChainStep, isNetnsHandle, type MessageStep, NETLINK_ROUTE, Transport, type WireMessage,
} from '../kernel/transport';
import { routeMessage } from '../route';
import { sysctlPairs } from '../sysctl';
import {
  checkBoolean, checkInteger, checkIfname, checkKeys, checkMac, checkMtu, checkNetnsName, checkObject, checkString, checkU32,
} from '../validate';
import { decodeLink, LINK_VIEW } from './decode';
import { type Deletion, deleteLinks, type DeleteOptions } from './delete';
import { addMessage, flagChange, getMessage, linkAttrs, type Resolved, selector } from './message';
import type { Link, LinkChange, LinkRef, LinkSpec, TunSpec, VethPeer } from './types';

const COMMON_KEYS = [
  'kind', 'name', 'mtu', 'mac', 'broadcast', 'master', 'up', 'netns', 'group', 'alias', 'txqueuelen',
  'promisc', 'allmulticast', 'arp', 'gsoMaxSize', 'gsoMaxSegs', 'groMaxSize', 'bridgePort',
] as const;
const CHANGE_KEYS = [
  'up', 'master', 'netns', 'name', 'mtu', 'mac', 'broadcast', 'alias', 'group', 'txqueuelen', 'promisc',
  'allmulticast', 'arp', 'gsoMaxSize', 'gsoMaxSegs', 'groMaxSize', 'bridgePort',
] as const;
const bridgePort = PORT_KINDS.bridge;

export interface LinkFilter {
  kind?: string;
  master?: LinkRef;
  group?: number;
  up?: boolean;
}

const SWITCHES = ['up', 'promisc', 'allmulticast', 'arp'] as const;

function checkDeleteOptions(options: DeleteOptions): boolean {
  checkKeys('options', checkObject('options', options), ['untilUnlisted']);
  if (options.untilUnlisted !== undefined) checkBoolean('options.untilUnlisted', options.untilUnlisted);
  return options.untilUnlisted === true;
}

/** Checks the options links.add and links.set share. */
function checkCommon(o: Record<string, unknown>): void {
  if (o.mtu !== undefined) checkMtu('mtu', o.mtu);
  if (o.mac !== undefined) checkMac('mac', o.mac);
  if (o.broadcast !== undefined) checkString('broadcast', o.broadcast);
  if (o.master !== undefined && o.master !== null) checkLinkRef('master', o.master);
  if (o.netns !== undefined) checkNetnsRef('netns', o.netns);
  if (o.group !== undefined) checkU32('group', o.group);
  if (o.alias !== undefined) checkString('alias', o.alias);
  if (o.txqueuelen !== undefined) checkU32('txqueuelen', o.txqueuelen);
  for (let i = 0; i < SWITCHES.length; i++) if (o[SWITCHES[i]] !== undefined) checkBoolean(SWITCHES[i], o[SWITCHES[i]]);
  if (o.gsoMaxSize !== undefined) checkInteger('gsoMaxSize', o.gsoMaxSize, 1, 0x7fffffff);
  if (o.gsoMaxSegs !== undefined) checkInteger('gsoMaxSegs', o.gsoMaxSegs, 1, 0xffff);
  if (o.groMaxSize !== undefined) checkInteger('groMaxSize', o.groMaxSize, 1, 0x7fffffff);
}

/**
 * A veth peer's `netns`: an existing namespace, or `{ create, sysctl? }`. Checked here with the
 * link's own `netns`, where namespaces are resolved (the kind's file in the codec checks the rest).
 */
function checkPeerNetns(netns: unknown): void {
  if (typeof netns === 'object' && netns !== null && 'create' in netns) {
    const c = netns as { create: unknown; sysctl?: unknown };
    checkKeys('peer.netns', c, ['create', 'sysctl']);
    checkNetnsName('peer.netns.create', c.create);
    if (c.sysctl !== undefined) sysctlPairs('peer.netns.sysctl', c.sysctl);
  } else if (netns !== undefined) {
    checkNetnsRef('peer.netns', netns);
  }
}

/** RTM_NEWLINK without NLM_F_CREATE: changes the link the selector names, like `ip link set`. */
function setMessage(sel: { index: number; ifname?: string }, change: LinkChange, r: Resolved): WireMessage {
  return {
    type: RTM.NEWLINK,
    flags: NLM_F.REQUEST,
    header: { index: sel.index, ...flagChange(change) },
    attrs: linkAttrs(change, r, {
      ifname: change.name ?? sel.ifname,
      linkinfo: change.bridgePort ? { slave_kind: 'bridge', slave_data: bridgePort.encode(change.bridgePort as Record<string, unknown>) } : undefined,
    }),
  };
}

const peerRouteDetail = (dst: string) => `adding the peer's route ${dst}`;

/** True for links.add's refusal of a veth peer's route to `dst` because the peer's namespace has one. */
export function isPeerRouteTaken(err: unknown, peer: string, dst: string): boolean {
  return err instanceof NetlinkError && err.code === 'EEXIST' && err.link === peer && (err.message.includes(`${peerRouteDetail(dst)} `) || err.message.endsWith(peerRouteDetail(dst)));
}

/** A veth peer's `netns: { create: NAME, sysctl? }`, if that is what it is. */
function toCreate(netns: VethPeer['netns']): { create: string; sysctl?: Record<string, string | number> } | undefined {
  return typeof netns === 'object' && netns !== null && !isNetnsHandle(netns) && 'create' in netns ? netns : undefined;
}

/** IFLA_LINK (5) of an RTM_NEWLINK answer, past its 16-byte ifinfomsg: a veth's peer's ifindex. */
const IFLA_LINK_OF_READ_BACK = { type: 5, headerSize: 16 };

/** The ifindex a veth peer's messages carry until the chain writes the real one in (Transport.chain). */
const PEER_INDEX_PENDING = 1;

// Where the chain writes what JS does not know when it builds the messages (ChainPatch.to).
const NET_NS_FD_AT = ['attrs', 'net_ns_fd'];
const PEER_NET_NS_FD_AT = ['attrs', 'linkinfo', 'data', 'peer', 'attrs', 'net_ns_fd'];
const INDEX_AT = ['header', 'index'];
const OIF_AT = ['attrs', 'oif'];

/** A veth peer's address given as a bare CIDR: no options. */
const NO_OPTIONS = Object.freeze({});

/**
 * A veth peer's settings as one chain step in its namespace; undefined when it has none. The
 * messages name the peer by ifindex, so `links` is never asked for a lookup (a namespace the chain
 * itself creates has no links to ask). Made in this turn once the route table names are read (a
 * promise before: the first route in this process reads them).
 */
type PeerSettings = { step: MessageStep; what: string[] } | undefined;
function peerSettings(ns: Transport | 'created', links: Pick<Links, 'index'>, peer: VethPeer, readBack: { step: number; message: number }): PeerSettings | Promise<PeerSettings> {
  const items: MessageStep['items'] = [];
  const patches: ChainPatch[] = [];
  const what: string[] = []; // each message's description, for an error naming the one refused
  // The host end's read-back carries the peer's ifindex (in the peer's namespace) as IFLA_LINK.
  const add = (message: WireMessage, to: string[], description: string) => {
    patches.push({ message: items.length, to, fromStep: readBack.step, fromMessage: readBack.message, fromAttr: IFLA_LINK_OF_READ_BACK });
    const item = { message, operation: 'link.add' };
    items.push(item);
    what.push(description);
    return item;
  };
  if (peer.loopbackUp) {
    items.push({ message: setMessage(selector('lo'), { up: true }, {}), operation: 'link.add' });
    what.push("setting the peer's namespace's lo up");
  }
  if (peer.up) add(setMessage({ index: PEER_INDEX_PENDING }, { up: true }, {}), INDEX_AT, 'setting the peer up');
  const addresses = peer.addresses;
  if (addresses !== undefined) {
    for (let i = 0; i < addresses.length; i++) {
      const a = addresses[i];
      const [cidr, options] = typeof a === 'string' ? [a, NO_OPTIONS] : splitCidr(a);
      add(addressMessageFor(PEER_INDEX_PENDING, cidr, options, NLM_F.CREATE | NLM_F.EXCL), INDEX_AT, `adding the peer's address ${cidr}`);
    }
  }
  // Routes whose table name waits for the names to be read: their items get their messages then.
  let pending: Array<Promise<unknown>> | undefined;
  const routes = peer.routes;
  if (routes !== undefined) {
    for (let i = 0; i < routes.length; i++) {
      const route = routes[i];
      const description = `${peerRouteDetail(route.dst)}${route.gateway ? ` via ${route.gateway}` : ''}`;
      const m = routeMessage(links, { ...route, dev: PEER_INDEX_PENDING }, NLM_F.CREATE | NLM_F.EXCL, false, 'route.add');
      if (!(m instanceof Promise)) {
        add(m, OIF_AT, description);
        continue;
      }
      const item = add(m as unknown as WireMessage, OIF_AT, description);
      (pending ??= []).push(m.then((message) => { item.message = message; }));
    }
  }
  const settings: PeerSettings = items.length ? { step: { netns: ns, protocol: NETLINK_ROUTE, items, patches }, what } : undefined;
  return pending ? Promise.all(pending).then(() => settings) : settings;
}

function splitCidr(a: { cidr: string } & AddressOptions): [string, AddressOptions] {
  const { cidr, ...options } = a;
  return [cidr, options];
}

function linkFrom(replies: WireMessage[], ref: LinkRef): Link {
  const reply = replies.find((r) => r.type === RTM.NEWLINK);
  if (!reply) throw new NetlinkError('link.get', 19 /* ENODEV */, { detail: `no link ${JSON.stringify(ref)}` });
  return decodeLink(reply);
}

/** The options each kind takes, made once per kind rather than per call. */
const specKeys = new WeakMap<LinkKind, readonly string[]>();

/** Checks a LinkSpec completely (synchronously); returns its kind's entry. */
export function checkLinkSpec(spec: unknown): LinkKind {
  const s = checkObject('spec', spec);
  const kind = kindEntry(s.kind);
  let keys = specKeys.get(kind);
  if (keys === undefined) specKeys.set(kind, keys = [...COMMON_KEYS, ...kind.keys]);
  checkKeys('spec', s, keys);
  checkIfname('name', s.name);
  checkCommon(kind.keys.includes('group') ? { ...s, group: undefined } : s); // vxlan/tun: `group` is theirs
  if (s.bridgePort !== undefined) {
    if (s.master === undefined) throw new TypeError('bridgePort: needs master (the bridge the new link joins)');
    bridgePort.check(s.bridgePort);
  }
  kind.check(s);
  if (s.kind === 'veth') checkPeerNetns((s.peer as Record<string, unknown>).netns);
  return kind;
}

export class Links {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Creates a link; resolves with the link as the kernel made it (real ifindex). */
  async add(spec: LinkSpec): Promise<Link> {
    const kind = checkLinkSpec(spec);
    const held: Array<{ release(): Promise<void> }> = [];
    const borrowed = async (ref: NetnsRef) => {
      const b = await borrow(ref);
      held.push(b);
      return b.transport;
    };
    try {
      const where = spec.netns === undefined ? this.#t : await borrowed(spec.netns); // where the link lands
      const whereLinks = where === this.#t ? this : new Links(where);
      if (kind.viaTun) return await whereLinks.#addTun(spec as TunSpec);
      const s = spec as unknown as Record<string, LinkRef | undefined>;
      const r: Resolved = {
        // An ifindex needs no lookup, nor the turn an await costs.
        master: spec.master === undefined || typeof spec.master === 'number' ? spec.master : await whereLinks.index(spec.master, 'link.add', 'master'),
        parent: s.parent === undefined ? undefined : await this.index(s.parent, 'link.add', 'parent'),
        dev: s.dev === undefined ? undefined : await this.index(s.dev, 'link.add', 'dev'),
        // IFLA_NET_NS_FD: a placeholder the chain fills with the namespace's fd (JS never holds one).
        netnsFd: where === this.#t ? undefined : 0,
      };
      // A veth peer goes into an existing namespace, or one this call creates (`{ create: NAME }`).
      const creating = spec.kind === 'veth' ? toCreate(spec.peer.netns) : undefined;
      let peerNs: Transport | 'created' | undefined;
      if (spec.kind === 'veth') {
        peerNs = creating ? 'created' : spec.peer.netns === undefined ? where : await borrowed(spec.peer.netns as NetnsRef);
        if (peerNs !== where) r.peerNetnsFd = 0; // written in by the chain, as above
      }
      // One chain of exchanges, run natively without waking the JS thread between them: the
      // namespace to create; the link; what the kernel ignores at creation (the alias) or takes
      // only once the link exists (bridge-port settings), set by name; the read-back; then a veth
      // peer's own settings from inside its namespace, addressed by the ifindex the read-back carries.
      // A veth's carrier is off until its peer is up, but the kernel records that only when its
      // link-watch work runs: a veth joining a bridge in its creating message is taken for up, so
      // the port is enabled, disabled at the next read of the link and enabled again when the peer
      // comes up, each time walking every port of the bridge. Read once first (on kernels whose
      // read settles the link's state, as 6.18's does), it joins as a disabled port, enabled once.
      const joinsLater = spec.kind === 'veth' && r.master !== undefined;
      const create = { message: addMessage(spec, kind, joinsLater ? { ...r, master: undefined } : r), operation: 'link.add' };
      const after: MessageStep['items'] = []; // in `where`, once the link is made
      let join: MessageStep['items'][number] | undefined;
      if (joinsLater) {
        const settle = getMessage(spec.name);
        settle.attrs = { ...settle.attrs, ext_mask: RTEXT_FILTER.SKIP_STATS }; // only its effect is wanted
        join = { message: setMessage(selector(spec.name), {}, { master: r.master }), operation: 'link.add' };
        after.push({ message: settle, operation: 'link.add', unread: true }, join);
      }
      if (spec.alias !== undefined || spec.bridgePort) {
        after.push({ message: setMessage(selector(spec.name), { alias: spec.alias, bridgePort: spec.bridgePort }, {}), operation: 'link.add' });
      }
      // Decoded by the table of what decodeLink reads.
      after.push({ message: getMessage(spec.name), operation: 'link.add', view: LINK_VIEW });
      const steps: ChainStep[] = [];
      if (creating) steps.push({ create: creating.create, sysctl: creating.sysctl && sysctlPairs('peer.netns.sysctl', creating.sysctl), operation: 'link.add' });
      const creation = steps.length; // the step that makes the link
      const fdPatch: ChainPatch[] = [];
      if (where !== this.#t) fdPatch.push({ message: 0, to: NET_NS_FD_AT, fdOf: where });
      if (creating) fdPatch.push({ message: 0, to: PEER_NET_NS_FD_AT, createdFd: true });
      else if (peerNs instanceof Transport && peerNs !== where) fdPatch.push({ message: 0, to: PEER_NET_NS_FD_AT, fdOf: peerNs });
      // The kernel goes on with a sendmsg's later messages after refusing one, and these name the
      // link: sent with a creation refused EEXIST, they would change the link that was there. So
      // they wait for the creation's answer, unless all that follows is the read-back.
      if (where === this.#t && after.length === 1) {
        steps.push({ netns: where, protocol: NETLINK_ROUTE, items: [create, ...after], patches: fdPatch });
      } else {
        steps.push({ netns: this.#t, protocol: NETLINK_ROUTE, items: [create], patches: fdPatch }, { netns: where, protocol: NETLINK_ROUTE, items: after });
      }
      const lastStep = steps[steps.length - 1] as MessageStep;
      const readBack = { step: steps.length - 1, message: lastStep.items.length - 1 };
      const settings = spec.kind === 'veth' ? peerSettings(peerNs!, this, spec.peer, readBack) : undefined;
      const peer = settings instanceof Promise ? await settings : settings;
      if (peer) steps.push(peer.step);
      const answers = await Transport.chain(steps);
      const made = answers[creation]?.[0];
      let failure: NetlinkError | undefined;
      for (const step of answers) failure ??= step.find((a): a is NetlinkError => a instanceof NetlinkError);
      if (failure) {
        // All or nothing: the link (and a veth's peer) and a namespace made for it go before the
        // error is reported.
        if (made !== undefined && !(made instanceof NetlinkError)) await whereLinks.delete(spec.name).catch(() => {});
        if (creating && !(answers[0][0] instanceof NetlinkError)) await Transport.deleteNamed(creating.create).catch(() => {});
        const refusedPeerSetting = peer ? answers[steps.length - 1].indexOf(failure) : -1;
        if (refusedPeerSetting >= 0 && spec.kind === 'veth') {
          throw new NetlinkError(failure.operation, failure.errno, {
            kernelMessage: failure.kernelMessage, link: spec.peer.name, netns: peerNs instanceof Transport ? netnsLabel(peerNs) : creating?.create,
            detail: peer!.what[refusedPeerSetting],
          });
        }
        if (join && failure === answers[readBack.step][lastStep.items.indexOf(join)]) throw masterRefused(failure, spec, where);
        if (failure !== made) throw failure;
        throw failure.code === 'EEXIST' ? await whichNameIsTaken(failure, where, spec, peerNs) : explainAddFailure(failure, spec, where, !joinsLater);
      }
      return linkFrom(answer(answers[readBack.step][readBack.message]), spec.name);
    } finally {
      for (const h of held) await h.release();
    }
  }

  /** tun/tap: made through /dev/net/tun as `ip tuntap add` does, then configured like any link. */
  async #addTun(spec: TunSpec): Promise<Link> {
    const { kind, name, owner, group, multiQueue, vnetHdr, pi, netns: _netns, ...rest } = spec;
    await this.#t.tunCreate(name, { tap: kind === 'tap', owner, group, multiQueue, vnetHdr, pi }, 'link.add');
    try {
      const change = rest as LinkChange;
      if (Object.values(change).some((v) => v !== undefined)) await this.set(name, change);
      return await this.get(name);
    } catch (err) {
      // All or nothing: the device goes if configuring it failed.
      await this.delete(name).catch(() => {});
      throw err;
    }
  }

  /** Changes a link, like `ip link set`: one request for everything asked. */
  async set(ref: LinkRef, change: LinkChange): Promise<void> {
    checkLinkRef('ref', ref);
    const c = checkObject('change', change);
    checkKeys('change', c, CHANGE_KEYS);
    checkCommon(c);
    if (c.name !== undefined) checkIfname('name', c.name);
    if (c.bridgePort !== undefined) bridgePort.check(c.bridgePort);
    let target: { transport: Transport; release(): Promise<void> } | undefined;
    try {
      // Renaming a link named by its old name needs its index: IFLA_IFNAME then carries the new one.
      const sel = change.name !== undefined && typeof ref === 'string'
        ? { index: await this.index(ref, 'link.set', 'ref'), ifname: undefined }
        : selector(ref);
      if (change.netns !== undefined) target = await borrow(change.netns);
      const r: Resolved = {
        master: change.master === null ? 0 : change.master === undefined ? undefined : await this.index(change.master, 'link.set', 'master'),
        netnsFd: target ? 0 : undefined, // the target's fd, written in natively
      };
      const message = setMessage(sel, change, r);
      if (!target) return void await this.#request(message, 'link.set', ref);
      await Transport.chain([{
        netns: this.#t, protocol: NETLINK_ROUTE, items: [{ message, operation: 'link.set' }],
        patches: [{ message: 0, to: ['attrs', 'net_ns_fd'], fdOf: target.transport }],
      }]).then(([[answered]]) => answer(answered)).catch(noSuchLink('link.set', ref, this.#t));
    } finally {
      await target?.release();
    }
  }

  /** One link by name or ifindex; NetlinkError ENODEV when there is none. */
  async get(ref: LinkRef): Promise<Link> {
    checkLinkRef('ref', ref);
    return linkFrom(await this.#request(getMessage(ref), 'link.get', ref), ref);
  }

  /** Every link, or those matching the filter (kind and master are filtered by the kernel). */
  async list(filter: LinkFilter = {}): Promise<Link[]> {
    checkKeys('filter', checkObject('filter', filter), ['kind', 'master', 'group', 'up']);
    if (filter.kind !== undefined) checkString('filter.kind', filter.kind);
    if (filter.master !== undefined) checkLinkRef('filter.master', filter.master);
    if (filter.group !== undefined) checkU32('filter.group', filter.group);
    if (filter.up !== undefined) checkBoolean('filter.up', filter.up);
    const master = filter.master === undefined ? undefined : await this.index(filter.master, 'link.list', 'filter.master');
    // Each reply becomes its Link as it is decoded, by the table of what decodeLink reads.
    const links = await this.#t.requestMapped(NETLINK_ROUTE, {
      type: RTM.GETLINK,
      flags: NLM_F.REQUEST | NLM_F.DUMP,
      header: {},
      attrs: { master, linkinfo: filter.kind === undefined ? undefined : { kind: filter.kind } },
    }, 'link.list', (r) => (r.type === RTM.NEWLINK ? decodeLink(r) : undefined), LINK_VIEW);
    // The kernel ignores a kind filter for a kind it has no driver for: check again here.
    return links
      .filter((l) => (filter.kind === undefined || l.kind === filter.kind)
        && (master === undefined || l.master === master)
        && (filter.group === undefined || l.group === filter.group)
        && (filter.up === undefined || l.up === filter.up));
  }

  /** Deletes a link (a veth's peer goes with it). */
  async delete(ref: LinkRef, options: DeleteOptions = {}): Promise<void> {
    checkLinkRef('ref', ref);
    const untilUnlisted = checkDeleteOptions(options);
    const d = await this.deletion(ref, untilUnlisted);
    await (untilUnlisted ? d.unlisted : d.answered);
  }

  /** Deletes every link of a group in one request (one RCU wait for all, not one each). */
  async deleteGroup(group: number, options: DeleteOptions = {}): Promise<void> {
    checkInteger('group', group, 1, 0xffffffff);
    const untilUnlisted = checkDeleteOptions(options);
    const d = await this.deletion({ group }, untilUnlisted);
    await (untilUnlisted ? d.unlisted : d.answered);
  }

  /**
   * @internal A deletion (of a checked ref or group) whose two moments the caller sees apart:
   * the links announced gone (when `watch`) and the kernel's answer after its teardown.
   */
  async deletion(target: LinkRef | { group: number }, watch = true): Promise<Deletion> {
    if (typeof target === 'object') {
      const { group } = target;
      const message = { type: RTM.DELLINK, flags: NLM_F.REQUEST, header: {}, attrs: { group } };
      return deleteLinks(this.#t, message, 'link.deleteGroup', watch, (m) => m.attrs?.group === group, (err) => {
        if (err instanceof NetlinkError && err.code === 'ENODEV' && !err.kernelMessage) {
          throw new NetlinkError('link.deleteGroup', err.errno, { netns: netnsLabel(this.#t), detail: `no link has group ${group}` });
        }
        throw err;
      });
    }
    const { index, ifname } = selector(target);
    const message = { type: RTM.DELLINK, flags: NLM_F.REQUEST, header: { index }, attrs: { ifname } };
    const isIt = (m: WireMessage) => (typeof target === 'string' ? m.attrs?.ifname === target : m.header?.index === target);
    return deleteLinks(this.#t, message, 'link.delete', watch, isIt, noSuchLink('link.delete', target, this.#t));
  }

  /** @internal The ifindex of ref (a name is looked up); ENODEV names the field. */
  async index(ref: LinkRef, operation: string, field: string): Promise<number> {
    if (typeof ref === 'number') return ref;
    try {
      return (await this.get(ref)).index;
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENODEV') {
        throw new NetlinkError(operation, err.errno, { link: ref, netns: netnsLabel(this.#t), detail: `${field}: no such link` });
      }
      throw err;
    }
  }

  #request(message: WireMessage, operation: string, ref: LinkRef): Promise<WireMessage[]> {
    return this.#t.request(NETLINK_ROUTE, message, operation).catch(noSuchLink(operation, ref, this.#t));
  }
}

/** The kernel's bare ENODEV, saying which link was not found, and where. */
const noSuchLink = (operation: string, ref: LinkRef, ns: Transport) => (err: unknown): never => {
  if (err instanceof NetlinkError && err.code === 'ENODEV' && !err.kernelMessage) {
    throw new NetlinkError(operation, err.errno, { link: ref, netns: netnsLabel(ns), detail: 'no such link' });
  }
  throw err;
};

/**
 * The kernel's EEXIST does not say whose name is taken: the new link's in its namespace, or a veth
 * peer's in the peer's. Ask, and name that link and namespace.
 */
async function whichNameIsTaken(err: NetlinkError, where: Transport, spec: LinkSpec, peerNs: Transport | 'created' | undefined): Promise<NetlinkError> {
  const exists = (ns: Transport, name: string) => new Links(ns).get(name).then(() => true, () => false);
  let link = spec.name;
  let ns = where;
  if (spec.kind === 'veth' && peerNs instanceof Transport && !(await exists(where, spec.name)) && (await exists(peerNs, spec.peer.name))) {
    link = spec.peer.name;
    ns = peerNs;
  }
  return new NetlinkError(err.operation, err.errno, { kernelMessage: err.kernelMessage, link, netns: netnsLabel(ns), detail: 'a link of that name exists' });
}

/**
 * A kernel without the kind's driver answers EOPNOTSUPP "Unknown device type": say which kind. The
 * same errno without those words, for a creation that carried a master, is the master refusing it.
 */
function explainAddFailure(err: NetlinkError, spec: LinkSpec, where: Transport, masterInCreation: boolean): NetlinkError {
  if (err.code !== 'EOPNOTSUPP') return err;
  const master = masterInCreation && spec.master !== undefined;
  const noKind = err.kernelMessage === undefined ? !master : /Unknown device type/.test(err.kernelMessage);
  if (!noKind) return master ? masterRefused(err, spec, where) : err;
  return new NetlinkError('link.add', err.errno, {
    kernelMessage: err.kernelMessage,
    detail: `this kernel has no "${spec.kind}" link kind (driver not built or module not loaded; see docs/troubleshooting.md)`,
  });
}

/** The kernel names no master when it refuses one: the error does, and says why for the errnos that mean it is not one. */
function masterRefused(err: NetlinkError, spec: LinkSpec, where: Transport): NetlinkError {
  const why = err.code === 'EINVAL' || err.code === 'EOPNOTSUPP' ? ' (no such link, or one that takes no ports)' : '';
  return new NetlinkError(err.operation, err.errno, {
    kernelMessage: err.kernelMessage, link: spec.name, netns: netnsLabel(where),
    detail: `master ${JSON.stringify(spec.master)}: refused as this link's master${why}`,
  });
}
