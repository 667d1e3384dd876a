// The rule language's middle form: an ordered list of items (matches and statements). nft text,
// the typed object form and nf_tables expressions all convert to and from it (text.ts, typed.ts,
// expressions/), so the three spellings cannot drift apart.

export type Field =
  | 'ip saddr' | 'ip daddr' | 'ip6 saddr' | 'ip6 daddr' | 'meta l4proto'
  | 'tcp sport' | 'tcp dport' | 'udp sport' | 'udp dport'
  | 'iifname' | 'oifname' | 'iif' | 'oif' | 'ct state' | 'ct status' | 'ct mark' | 'meta mark' | 'fib daddr type';

export const FIELDS: readonly Field[] = [
  'ip saddr', 'ip daddr', 'ip6 saddr', 'ip6 daddr', 'meta l4proto', 'tcp sport', 'tcp dport', 'udp sport', 'udp dport',
  'iifname', 'oifname', 'iif', 'oif', 'ct state', 'ct status', 'ct mark', 'meta mark', 'fib daddr type',
];

/** One element of a value: an address or number, a prefix, or a range. */
export type Scalar =
  | { kind: 'single'; value: string | number }
  | { kind: 'prefix'; address: string; length: number }
  | { kind: 'range'; from: string | number; to: string | number };

export type Value =
  | Scalar
  | { kind: 'set'; elements: Scalar[] }
  | { kind: 'named'; name: string }
  | { kind: 'flags'; names: string[] };

/** A map's content: named (@name) or anonymous entries of key -> data (a verdict or an address). */
export type MapValue = { kind: 'named'; name: string } | { kind: 'map'; entries: Array<[Scalar, string]> };

export type Item =
  /** `mask`: compares (field & mask), as `meta mark & 0x000000ff == 0x00000007` (marks only). */
  | { t: 'match'; field: Field; op: 'eq' | 'neq'; value: Value; implied?: boolean; mask?: number }
  | { t: 'counter'; packets?: bigint; bytes?: bigint }
  | { t: 'verdict'; verdict: 'accept' | 'drop' | 'return' | 'continue' | 'jump' | 'goto'; chain?: string }
  | { t: 'nat'; type: 'dnat' | 'snat'; address?: string; addressEnd?: string; ports?: [number, number]; map?: { field: Field; value: MapValue } }
  | { t: 'vmap'; field: Field; value: MapValue }
  /** A concatenation (`ip daddr . tcp dport @set`): a lookup of several fields at once. */
  | { t: 'concat'; fields: Field[]; op: 'eq' | 'neq'; value: { kind: 'named'; name: string } | { kind: 'tuples'; elements: Array<Array<string | number>> } }
  | { t: 'limit'; rate: number; per: 'second' | 'minute' | 'hour' | 'day' | 'week'; burst?: number }
  | { t: 'masquerade'; ports?: [number, number] }
  | { t: 'redirect'; ports?: [number, number] }
  | { t: 'log'; prefix?: string }
  | { t: 'reject' }
  | { t: 'notrack' }
  | { t: 'set'; key: 'meta mark' | 'ct mark'; value: number }
  /** An xtables compat match or target (iptables-nft's), listed as nft lists it; read only. */
  | { t: 'xt'; text: string };

export interface ParsedRule {
  items: Item[];
  comment?: string;
}

/** The protocol a port field belongs to. */
export const portProto = (f: Field): 'tcp' | 'udp' | undefined =>
  f.startsWith('tcp ') ? 'tcp' : f.startsWith('udp ') ? 'udp' : undefined;
