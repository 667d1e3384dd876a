// Pure builders of rtnetlink link requests: no I/O, so tests can compare their bytes with what
// `ip link` sends. links.ts resolves names and namespaces, then calls these.
import { IFF_ALLMULTI, IFF_NOARP, IFF_PROMISC, IFF_UP, NLM_F, RTM } from '../constants';
import type { LinkKind } from '../codec/link-kinds/index';
import type { WireMessage } from '../kernel/transport';
import type { LinkRef, LinkSpec } from './types';

/** What links.ts resolved before building: ifindexes and namespace fds. */
export interface Resolved {
  master?: number;
  parent?: number;
  dev?: number;
  netnsFd?: number;
  peerNetnsFd?: number;
}

/** ifinfomsg flags/change for the boolean switches of a spec or change. */
export function flagChange(o: { up?: boolean; promisc?: boolean; allmulticast?: boolean; arp?: boolean }): { flags: number; change: number } {
  let flags = 0;
  let change = 0;
  const apply = (value: boolean | undefined, bit: number) => {
    if (value === undefined) return;
    change |= bit;
    if (value) flags |= bit;
  };
  apply(o.up, IFF_UP);
  apply(o.promisc, IFF_PROMISC);
  apply(o.allmulticast, IFF_ALLMULTI);
  apply(o.arp === undefined ? undefined : !o.arp, IFF_NOARP);
  return { flags, change };
}

/**
 * The attributes both add and set take, in the order iproute2 sends them, then `rest`. Only those
 * given: a link-up request carries none, and building and packing a dozen empty keys per request
 * showed in the pipelined link-up rate.
 */
export function linkAttrs(o: {
  mtu?: number; mac?: string; broadcast?: string; txqueuelen?: number; group?: number; alias?: string;
  gsoMaxSize?: number; gsoMaxSegs?: number; groMaxSize?: number;
}, r: Resolved, rest: Record<string, unknown>): Record<string, unknown> {
  const a: Record<string, unknown> = {};
  const put = (key: string, value: unknown) => { if (value !== undefined) a[key] = value; };
  put('link', r.parent);
  put('mtu', o.mtu);
  put('address', o.mac);
  put('broadcast', o.broadcast);
  put('txqlen', o.txqueuelen);
  put('group', o.group);
  put('master', r.master);
  put('ifalias', o.alias);
  put('gso_max_size', o.gsoMaxSize);
  put('gso_max_segs', o.gsoMaxSegs);
  put('gro_max_size', o.groMaxSize);
  put('net_ns_fd', r.netnsFd);
  for (const key in rest) put(key, rest[key]);
  return a;
}

/** RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL, as `ip link add` sends it. */
export function addMessage(spec: LinkSpec, kind: LinkKind, r: Resolved): WireMessage {
  let data = kind.encode?.(spec as unknown as Record<string, unknown>, r);
  if (data && Object.values(data).every((v) => v === undefined)) data = undefined;
  // For vxlan (multicast group) and tun (gid), `group` is the kind's own option, not the link group.
  const common = kind.keys.includes('group') ? { ...spec, group: undefined } : spec;
  return {
    type: RTM.NEWLINK,
    flags: NLM_F.REQUEST | NLM_F.CREATE | NLM_F.EXCL,
    header: flagChange(spec),
    attrs: linkAttrs(common as { group?: number }, r, { ifname: spec.name, linkinfo: { kind: spec.kind, data } }),
  };
}

/** ifinfomsg index + IFLA_IFNAME that select a link by name or index. */
export function selector(ref: LinkRef): { index: number; ifname?: string } {
  return typeof ref === 'number' ? { index: ref } : { index: 0, ifname: ref };
}

export function getMessage(ref: LinkRef): WireMessage {
  const { index, ifname } = selector(ref);
  return { type: RTM.GETLINK, flags: NLM_F.REQUEST, header: { index }, attrs: { ifname } };
}
