// Every link kind, by the name IFLA_INFO_KIND carries. Adding a kind: its file here, and a line below.
import { bond } from './bond';
import { bridge } from './bridge';
import { bridgePort } from './bridge-port';
import { geneve } from './geneve';
import { plain } from './helpers';
import { ipvlan } from './ipvlan';
import type { Attrs, LinkKind, PortKind } from './kind';
import { macvlan } from './macvlan';
import { noData } from './no-data';
import { tun } from './tun';
import { veth } from './veth';
import { vlan } from './vlan';
import { vrf } from './vrf';
import { vxlan } from './vxlan';

export type { Attrs, LinkKind, PortKind, Resolved, Spec } from './kind';
export { checkLinkRef } from './helpers';

/** The kinds links.add makes. */
export const LINK_KINDS: Readonly<Record<string, LinkKind>> = {
  veth,
  bridge,
  macvlan,
  macvtap: macvlan,
  vxlan,
  vlan,
  ipvlan,
  bond,
  geneve,
  vrf,
  dummy: noData,
  ifb: noData,
  wireguard: noData,
  tun,
  tap: tun,
};

/** Kinds the kernel may report that links.add does not make: their data is read all the same. */
export const READ_ONLY_KINDS: Readonly<Record<string, LinkKind>> = {
  ipvtap: ipvlan,
};

/** IFLA_INFO_SLAVE_DATA by IFLA_INFO_SLAVE_KIND (the master's kind). */
export const PORT_KINDS: Readonly<Record<string, PortKind>> = {
  bridge: bridgePort,
};

const KNOWN: Readonly<Record<string, LinkKind>> = { ...LINK_KINDS, ...READ_ONLY_KINDS };

export const SUPPORTED_KINDS = Object.keys(LINK_KINDS);

/** The kind links.add makes for spec.kind; TypeError/RangeError for anything else. */
export function kindEntry(kind: unknown): LinkKind {
  if (typeof kind !== 'string') throw new TypeError(`kind: expected a string such as "veth" or "bridge", got ${String(kind)}`);
  const entry = Object.hasOwn(LINK_KINDS, kind) ? LINK_KINDS[kind] : undefined;
  if (!entry) throw new RangeError(`kind: "${kind}" is not a supported link kind (supported: ${SUPPORTED_KINDS.join(', ')})`);
  return entry;
}

/** Every kind's IFLA_INFO_DATA table, for the codec's link table. */
export const dataTables = () => Object.entries(KNOWN).map(([name, k]) => [name, k.table] as const);
export const portTables = () => Object.entries(PORT_KINDS).map(([name, k]) => [name, k.table] as const);

/** The kernel's IFLA_INFO_DATA of a link of `kind` -> Link.info. */
export const decodeInfo = (kind: string, data: Attrs): Attrs => (Object.hasOwn(KNOWN, kind) ? KNOWN[kind].decode : plain)(data);

/** The kernel's IFLA_INFO_SLAVE_DATA of a port of a `portKind` master -> Link.portInfo. */
export const decodePortInfo = (portKind: string, data: Attrs): Attrs => (Object.hasOwn(PORT_KINDS, portKind) ? PORT_KINDS[portKind].decode : plain)(data);
