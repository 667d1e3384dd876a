// ns.links: create, change, read and delete links in one namespace over rtnetlink.
import { IFF_PROMISC, IFF_UP, NLM_F, RTM } from '../constants';
import { NetlinkError } from '../errors';
import { NETLINK_ROUTE, type WireMessage } from '../native';
import { checkNetnsRef, Netns, type NetnsRef } from '../netns';
import {
  checkBoolean, checkIfname, checkInteger, checkKeys, checkMac, checkMtu, checkObject, checkString, checkU32,
  typeError,
} from '../validate';
import { decodeLink } from './decode';
import { COMMON_KEYS, kindEntry } from './kinds';
import type { BridgePortChange, Link, LinkChange, LinkRef, LinkSpec } from './types';

const CHANGE_KEYS = ['up', 'master', 'netns', 'name', 'mtu', 'mac', 'alias', 'group', 'txqueuelen', 'promisc', 'bridgePort'] as const;
const BRIDGE_PORT_KEYS = ['hairpin', 'learning', 'flood', 'isolated', 'cost', 'priority', 'neighSuppress'] as const;

export interface LinkFilter {
  kind?: string;
  master?: LinkRef;
  group?: number;
  up?: boolean;
}

function checkRef(field: string, ref: unknown): LinkRef {
  if (typeof ref === 'number') return checkInteger(field, ref, 1, 0x7fffffff);
  if (typeof ref === 'string') return checkIfname(field, ref);
  throw typeError(field, ref, 'an interface name or ifindex');
}

/** The ifinfomsg index and IFLA_IFNAME that select a link by name or index. */
function selector(ref: LinkRef): { index: number; ifname?: string } {
  return typeof ref === 'number' ? { index: ref } : { index: 0, ifname: ref };
}

function checkCommon(spec: Record<string, unknown>): void {
  checkIfname('name', spec.name);
  if (spec.mtu !== undefined) checkMtu('mtu', spec.mtu);
  if (spec.mac !== undefined) checkMac('mac', spec.mac);
  if (spec.master !== undefined) checkRef('master', spec.master);
  if (spec.up !== undefined) checkBoolean('up', spec.up);
  if (spec.netns !== undefined) checkNetnsRef('netns', spec.netns);
  if (spec.group !== undefined) checkU32('group', spec.group);
  if (spec.alias !== undefined) checkString('alias', spec.alias);
  if (spec.txqueuelen !== undefined) checkU32('txqueuelen', spec.txqueuelen);
}

function checkChange(change: Record<string, unknown>): void {
  checkKeys('change', change, CHANGE_KEYS);
  if (change.up !== undefined) checkBoolean('up', change.up);
  if (change.master !== undefined && change.master !== null) checkRef('master', change.master);
  if (change.netns !== undefined) checkNetnsRef('netns', change.netns);
  if (change.name !== undefined) checkIfname('name', change.name);
  if (change.mtu !== undefined) checkMtu('mtu', change.mtu);
  if (change.mac !== undefined) checkMac('mac', change.mac);
  if (change.alias !== undefined) checkString('alias', change.alias);
  if (change.group !== undefined) checkU32('group', change.group);
  if (change.txqueuelen !== undefined) checkU32('txqueuelen', change.txqueuelen);
  if (change.promisc !== undefined) checkBoolean('promisc', change.promisc);
  if (change.bridgePort !== undefined) {
    const bp = checkObject('bridgePort', change.bridgePort);
    checkKeys('bridgePort', bp, BRIDGE_PORT_KEYS);
    for (const k of ['hairpin', 'learning', 'flood', 'isolated', 'neighSuppress'] as const) {
      if (bp[k] !== undefined) checkBoolean(`bridgePort.${k}`, bp[k]);
    }
    if (bp.cost !== undefined) checkInteger('bridgePort.cost', bp.cost, 1, 0xffffffff);
    if (bp.priority !== undefined) checkInteger('bridgePort.priority', bp.priority, 0, 63);
  }
}

function getMessage(ref: LinkRef): WireMessage {
  const { index, ifname } = selector(ref);
  return { type: RTM.GETLINK, flags: NLM_F.REQUEST, header: { index }, attrs: { ifname } };
}

function linkFrom(replies: WireMessage[], ref: LinkRef): Link {
  const reply = replies.find((r) => r.type === RTM.NEWLINK);
  if (!reply) throw new NetlinkError('link.get', 19 /* ENODEV */, { detail: `no link ${JSON.stringify(ref)}` });
  return decodeLink(reply);
}

const flag = (b: boolean | undefined): number | undefined => (b === undefined ? undefined : b ? 1 : 0);

function bridgePortData(bp: BridgePortChange): Record<string, unknown> {
  return {
    hairpin: flag(bp.hairpin), learning: flag(bp.learning), flood: flag(bp.flood), isolated: flag(bp.isolated),
    cost: bp.cost, priority: bp.priority, neigh_suppress: flag(bp.neighSuppress),
  };
}

export class Links {
  readonly #ns: Netns;

  constructor(ns: Netns) {
    this.#ns = ns;
  }

  /** Creates a link; resolves with the link as the kernel made it (real ifindex). */
  async add(spec: LinkSpec): Promise<Link> {
    const s = checkObject('spec', spec);
    const kind = kindEntry(s.kind);
    checkKeys('spec', s, [...COMMON_KEYS, ...kind.keys]);
    checkCommon(s);
    kind.check(s);

    const held: Array<{ release(): Promise<void> }> = [];
    try {
      const target = spec.netns === undefined ? undefined : await Netns.borrow(spec.netns);
      if (target) held.push(target);
      const where = target?.netns ?? this.#ns; // the namespace the new link lands in
      let data = kind.data(spec);
      let peer: { ns: Netns; name: string; up?: boolean } | undefined;
      if (spec.kind === 'veth') {
        const p = spec.peer;
        const peerTarget = p.netns === undefined ? undefined : await Netns.borrow(p.netns);
        if (peerTarget) held.push(peerTarget);
        const peerNs = peerTarget?.netns ?? where;
        peer = { ns: peerNs, name: p.name, up: p.up };
        // VETH_INFO_PEER carries its own ifinfomsg. IFF_UP there makes the kernel refuse the whole
        // creation, so the peer is brought up afterwards, from inside its namespace.
        data = {
          peer: {
            header: {},
            attrs: {
              mtu: p.mtu, address: p.mac,
              net_ns_fd: peerTarget ? await peerTarget.netns.nativeFd('link.add') : undefined,
              ifname: p.name,
            },
          },
        };
      }
      const master = spec.master === undefined ? undefined : await where.links.#index(spec.master, 'link.add', 'master');
      const message: WireMessage = {
        type: RTM.NEWLINK,
        flags: NLM_F.REQUEST | NLM_F.CREATE | NLM_F.EXCL,
        header: { flags: spec.up ? IFF_UP : 0, change: spec.up ? IFF_UP : 0 },
        // Attribute order as iproute2 sends them (options, then IFLA_IFNAME, then IFLA_LINKINFO),
        // so requests compare byte for byte with `ip link add`.
        attrs: {
          mtu: spec.mtu, address: spec.mac, master, txqlen: spec.txqueuelen, ifalias: spec.alias, group: spec.group,
          net_ns_fd: target ? await target.netns.nativeFd('link.add') : undefined,
          ifname: spec.name,
          linkinfo: { kind: spec.kind, data },
        },
      };
      // The read-back rides in the same sendmsg as the creation when nothing has to happen in
      // between; the kernel handles them in order, so it sees the link with its master and flags.
      const readBackNow = where === this.#ns && !peer?.up;
      const [created, readBack] = await this.#ns.pipeline(NETLINK_ROUTE, [
        { message, operation: 'link.add' },
        ...(readBackNow ? [{ message: getMessage(spec.name), operation: 'link.add' }] : []),
      ]);
      readBack?.catch(() => {}); // its outcome only matters if the creation succeeded
      await created;
      try {
        if (peer?.up) await peer.ns.links.set(peer.name, { up: true });
        if (readBack) return linkFrom(await readBack, spec.name);
        return await where.links.get(spec.name);
      } catch (err) {
        // All or nothing: the link (and a veth's peer with it) goes away before the error is thrown.
        await where.links.delete(spec.name).catch(() => {});
        throw err;
      }
    } finally {
      for (const h of held) await h.release();
    }
  }

  /** Changes a link, like `ip link set`: one request for everything asked. */
  async set(ref: LinkRef, change: LinkChange): Promise<void> {
    checkRef('ref', ref);
    checkChange(checkObject('change', change));
    let target: { netns: Netns; release(): Promise<void> } | undefined;
    try {
      // Renaming a link named by its old name needs its index: IFLA_IFNAME then carries the new one.
      const sel = change.name !== undefined && typeof ref === 'string'
        ? { index: await this.#index(ref, 'link.set', 'ref'), ifname: undefined }
        : selector(ref);
      const master = change.master === null ? 0 : change.master === undefined ? undefined : await this.#index(change.master, 'link.set', 'master');
      if (change.netns !== undefined) target = await Netns.borrow(change.netns);
      let flags = 0;
      let mask = 0;
      if (change.up !== undefined) {
        mask |= IFF_UP;
        if (change.up) flags |= IFF_UP;
      }
      if (change.promisc !== undefined) {
        mask |= IFF_PROMISC;
        if (change.promisc) flags |= IFF_PROMISC;
      }
      const message: WireMessage = {
        type: RTM.NEWLINK,
        flags: NLM_F.REQUEST,
        header: { index: sel.index, flags, change: mask },
        attrs: {
          ifname: change.name ?? sel.ifname, mtu: change.mtu, address: change.mac, master,
          txqlen: change.txqueuelen, ifalias: change.alias, group: change.group,
          net_ns_fd: target ? await target.netns.nativeFd('link.set') : undefined,
          linkinfo: change.bridgePort ? { slave_kind: 'bridge', slave_data: bridgePortData(change.bridgePort) } : undefined,
        },
      };
      await this.#request(message, 'link.set', ref);
    } finally {
      await target?.release();
    }
  }

  /** One link by name or ifindex; NetlinkError ENODEV when there is none. */
  async get(ref: LinkRef): Promise<Link> {
    checkRef('ref', ref);
    return linkFrom(await this.#request(getMessage(ref), 'link.get', ref), ref);
  }

  /** Every link, or those matching the filter (kind and master are filtered by the kernel). */
  async list(filter: LinkFilter = {}): Promise<Link[]> {
    checkKeys('filter', checkObject('filter', filter), ['kind', 'master', 'group', 'up']);
    if (filter.kind !== undefined) checkString('filter.kind', filter.kind);
    if (filter.master !== undefined) checkRef('filter.master', filter.master);
    if (filter.group !== undefined) checkU32('filter.group', filter.group);
    if (filter.up !== undefined) checkBoolean('filter.up', filter.up);
    const master = filter.master === undefined ? undefined : await this.#index(filter.master, 'link.list', 'filter.master');
    const replies = await this.#ns.request(NETLINK_ROUTE, {
      type: RTM.GETLINK,
      flags: NLM_F.REQUEST | NLM_F.DUMP,
      header: {},
      attrs: { master, linkinfo: filter.kind === undefined ? undefined : { kind: filter.kind } },
    }, true, 'link.list');
    // The kernel ignores a kind filter for a kind it has no driver for: check again here.
    return replies
      .filter((r) => r.type === RTM.NEWLINK)
      .map(decodeLink)
      .filter((l) => (filter.kind === undefined || l.kind === filter.kind)
        && (master === undefined || l.master === master)
        && (filter.group === undefined || l.group === filter.group)
        && (filter.up === undefined || l.up === filter.up));
  }

  /** Deletes a link (a veth's peer goes with it). */
  async delete(ref: LinkRef): Promise<void> {
    checkRef('ref', ref);
    const { index, ifname } = selector(ref);
    await this.#request({ type: RTM.DELLINK, flags: NLM_F.REQUEST, header: { index }, attrs: { ifname } }, 'link.delete', ref);
  }

  /** Deletes every link of a group in one request (one RCU wait for all, not one each). */
  async deleteGroup(group: number): Promise<void> {
    checkInteger('group', group, 1, 0xffffffff);
    await this.#ns.request(NETLINK_ROUTE, { type: RTM.DELLINK, flags: NLM_F.REQUEST, header: {}, attrs: { group } }, false, 'link.deleteGroup');
  }

  async #index(ref: LinkRef, operation: string, field: string): Promise<number> {
    if (typeof ref === 'number') return ref;
    try {
      return (await this.get(ref)).index;
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENODEV') {
        throw new NetlinkError(operation, err.errno, { detail: `${field}: no link ${JSON.stringify(ref)}` });
      }
      throw err;
    }
  }

  async #request(message: WireMessage, operation: string, ref: LinkRef): Promise<WireMessage[]> {
    try {
      return await this.#ns.request(NETLINK_ROUTE, message, false, operation);
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENODEV' && !err.kernelMessage) {
        throw new NetlinkError(operation, err.errno, { detail: `no link ${JSON.stringify(ref)}` });
      }
      throw err;
    }
  }
}

export type { NetnsRef };
