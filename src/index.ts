// netlink-native: Linux network namespaces, links and more, over netlink from a native addon.
export { NetlinkError, type ErrnoCode } from './errors';
export { Netns, type NetnsRef } from './netns';
export { Links, type LinkFilter } from './link/links';
export type { DeleteOptions } from './link/delete';
export type * from './link/types';
export { Addresses, type Address, type AddressOptions } from './addr';
export { Routes, type Route, type RouteSpec, type Nexthop, type RouteType, type TableRef } from './route';
export { Neighbors, type Neighbor, type NeighborSpec, type NeighborState, Fdb, type FdbSpec, type FdbEntry } from './neigh';
export { Rules, type Rule, type RuleSpec } from './rule';
export { Sysctl } from './sysctl';
export { type NftChange, type NftEvent, type WatchEvent, type WatchOptions, type WatchWhat } from './watch';
export type { ExecOptions, ExecResult } from './process';
export type {
  NftFamily, NftTableSpec, NftChainSpec, NftRuleSpec, NftSetSpec, NftMapSpec,
  NftElement, NftTable, NftChain, NftRule, NftSet, NftSetKeyType,
} from './nft/nftables';
export type { NftMatch, NftValue, TypedRule } from './nft/typed';
export type { ConntrackCounters, ConntrackEntry, ConntrackFilter, ConntrackStatus, ConntrackTuple } from './conntrack/conntrack';
export type { IptRule, IptMatch, IptTarget } from './iptables/rule';
export type { IptablesRestoreOptions, IptablesRestoreError } from './iptables/restore';
export type { BridgeNetworkOptions, DetachRef, Endpoint, EndpointInfo, PortMapping } from './network/bridge-network';

// The netfilter families and BridgeNetwork load on first use: a program that only opens a
// namespace and lists its links need not compile them (bench/load-time.ts measures the load).
// Each is declared here with its exact class type (value and instance type, as `export { X }`
// gives) and defined on the CommonJS exports as a getter that requires its module when first read.
import type * as nftables from './nft/nftables';
import type * as iptables from './iptables/iptables';
import type * as conntrack from './conntrack/conntrack';
import type * as bridgeNetwork from './network/bridge-network';

export declare const Nftables: typeof nftables.Nftables;
export type Nftables = nftables.Nftables;
export declare const NftTransaction: typeof nftables.NftTransaction;
export type NftTransaction = nftables.NftTransaction;
export declare const Iptables: typeof iptables.Iptables;
export type Iptables = iptables.Iptables;
export declare const Conntrack: typeof conntrack.Conntrack;
export type Conntrack = conntrack.Conntrack;
export declare const BridgeNetwork: typeof bridgeNetwork.BridgeNetwork;
export type BridgeNetwork = bridgeNetwork.BridgeNetwork;

function lazyExport(names: string[], load: () => Record<string, unknown>): void {
  for (const name of names) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });
}
lazyExport(['Nftables', 'NftTransaction'], () => require('./nft/nftables') as typeof nftables);
lazyExport(['Iptables'], () => require('./iptables/iptables') as typeof iptables);
lazyExport(['Conntrack'], () => require('./conntrack/conntrack') as typeof conntrack);
lazyExport(['BridgeNetwork'], () => require('./network/bridge-network') as typeof bridgeNetwork);
