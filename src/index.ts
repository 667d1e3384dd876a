// netlink-native: Linux network namespaces, links and more, over netlink from a native addon.
export { NetlinkError, type ErrnoCode } from './errors';
export { Netns, type NetnsRef } from './netns';
export { Links, type LinkFilter } from './link/links';
export type * from './link/types';
export { Addresses, type Address, type AddressOptions } from './addr';
export { Routes, type Route, type RouteSpec, type Nexthop, type RouteType, type TableRef } from './route';
export { Neighbors, type Neighbor, type NeighborSpec, type NeighborState, Fdb, type FdbSpec, type FdbEntry } from './neigh';
export { Rules, type Rule, type RuleSpec } from './rule';
export { Sysctl } from './sysctl';
export { type NftChange, type NftEvent, type WatchEvent, type WatchOptions, type WatchWhat } from './watch';
export type { ExecOptions, ExecResult } from './process';
export {
  Nftables, NftTransaction, type NftFamily, type NftTableSpec, type NftChainSpec, type NftRuleSpec, type NftSetSpec, type NftMapSpec,
  type NftElement, type NftTable, type NftChain, type NftRule, type NftSet, type NftSetKeyType,
} from './nft/nftables';
export type { NftMatch, NftValue, TypedRule } from './nft/typed';
export { Iptables } from './iptables/iptables';
export { Conntrack, type ConntrackCounters, type ConntrackEntry, type ConntrackFilter, type ConntrackStatus, type ConntrackTuple } from './conntrack/conntrack';
export type { IptRule, IptMatch, IptTarget } from './iptables/rule';
export type { IptablesRestoreOptions, IptablesRestoreError } from './iptables/restore';
export { BridgeNetwork, type BridgeNetworkOptions, type DetachRef, type Endpoint, type EndpointInfo, type PortMapping } from './network/bridge-network';
