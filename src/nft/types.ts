// The public shapes of ns.nft: what its calls take and what its listings return.
import type { NftFamily } from './constants';
import type { Expr } from './expressions';
import type { TypedRule } from './typed';

export type { NftFamily };

export interface NftTableRef { family: NftFamily; name: string }
export interface NftTableSpec extends NftTableRef { flags?: Array<'dormant' | 'owner'> }
export interface NftChainRef { family: NftFamily; table: string; name: string }
export interface NftChainSpec extends NftChainRef {
  type?: 'filter' | 'nat' | 'route';
  hook?: string;
  priority?: number | 'raw' | 'mangle' | 'dstnat' | 'filter' | 'security' | 'srcnat' | 'out';
  policy?: 'accept' | 'drop';
  device?: string;
  /** A base chain's own counters (what iptables prints as a built-in chain's `[packets:bytes]`): set to these. */
  counters?: NftChainCounters;
}
/** A base chain's packet and byte counts (NFTA_CHAIN_COUNTERS). */
export interface NftChainCounters { packets: bigint; bytes: bigint }
export interface NftRuleSpec extends TypedRule {
  family: NftFamily;
  table: string;
  chain: string;
  /** The rule as nft text; or give the typed keys (match, not, counter, dnat, verdict, …). */
  rule?: string;
  /** insertRule/addRule: place relative to this rule handle; replaceRule: the rule to replace. */
  handle?: number;
}
/** A key type, or a concatenation of them: 'ipv4_addr . inet_service'. */
export type NftSetKeyType = 'ipv4_addr' | 'ipv6_addr' | 'inet_service' | 'inet_proto' | 'mark' | 'ifname' | 'ether_addr' | (string & {});
export interface NftSetSpec extends NftChainRef {
  type: NftSetKeyType;
  flags?: Array<'interval' | 'timeout' | 'constant'>;
  /** Default element timeout, seconds (needs flag timeout). */
  timeout?: number;
}
export interface NftMapSpec extends NftSetSpec {
  /** The data type: 'verdict' for a verdict map, or an address/port/mark type. */
  map: 'verdict' | NftSetKeyType;
}
/** What encoding a set's elements needs: its key type, data type (maps) and interval flag. */
export interface NftSetInfo { type: NftSetKeyType; map?: string; interval: boolean }
/** The set addElements/deleteElements change; its types are looked up when not given. */
export type NftElementsTarget = NftChainRef & { type?: NftSetKeyType; map?: string; interval?: boolean };
/** A set element (a value, "a-b", a CIDR), or [key, data] for a map (data: "accept", "jump x", an address, a port). */
export type NftElement = string | number | [string | number, string | number];

export interface NftTable { family: NftFamily; name: string; handle: number; flags: string[] }
export interface NftChain { family: NftFamily; table: string; name: string; handle: number; type?: string; hook?: string; priority?: number; policy?: 'accept' | 'drop'; device?: string; counters?: NftChainCounters }
export interface NftRule extends TypedRule { family: NftFamily; table: string; chain: string; handle: number; text: string; expressions?: Expr[] }
export interface NftSet { family: NftFamily; table: string; name: string; handle: number; type: string; map?: string; flags: string[]; timeout?: number }
