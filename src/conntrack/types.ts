// ns.conntrack's public shapes, and the kernel's numbers behind their names
// (linux/netfilter/nf_conntrack_common.h, nf_conntrack_tcp.h).
import type { Family } from '../ip';

/** IPS_* status bits by the name conntrack(8) gives them, lowercased. */
export const STATUS_BITS = {
  expected: 1 << 0, seen_reply: 1 << 1, assured: 1 << 2, confirmed: 1 << 3, snat: 1 << 4, dnat: 1 << 5,
  seq_adjust: 1 << 6, snat_done: 1 << 7, dnat_done: 1 << 8, dying: 1 << 9, fixed_timeout: 1 << 10,
  template: 1 << 11, untracked: 1 << 12, helper: 1 << 13, offload: 1 << 14, hw_offload: 1 << 15,
} as const;
export type ConntrackStatus = keyof typeof STATUS_BITS;

/** TCP_CONNTRACK_* by index, as conntrack(8) prints them. */
export const TCP_STATES = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2'] as const;

/** Layer-4 protocols by the names conntrack(8) uses. */
export const PROTOCOLS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, dccp: 33, gre: 47, icmpv6: 58, sctp: 132, udplite: 136 };

/** One direction of a flow. Ports for TCP, UDP, SCTP, DCCP, UDP-Lite; type/code/id for ICMP and ICMPv6. */
export interface ConntrackTuple {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  type?: number;
  code?: number;
  /** The ICMP echo identifier. */
  icmpId?: number;
  /** Set only when the zone applies to this direction alone. */
  zone?: number;
}

export interface ConntrackCounters {
  packets: bigint;
  bytes: bigint;
}

export interface ConntrackEntry {
  /** The kernel's id of the entry (conntrack -o id). */
  id: number;
  family: Family;
  /** 'tcp', 'udp', 'icmp', … or the number when conntrack(8) has no name for it. */
  protocol: string | number;
  protocolNumber: number;
  original: ConntrackTuple;
  reply: ConntrackTuple;
  status: ConntrackStatus[];
  /** Seconds left. */
  timeout: number;
  mark: number;
  zone: number;
  /** Its reference count, as conntrack prints `use=`. */
  use: number;
  /** TCP: the tracker's state, e.g. 'ESTABLISHED'. */
  state?: string;
  /** Present when accounting is on (net.netfilter.nf_conntrack_acct = 1). */
  counters?: { original: ConntrackCounters; reply: ConntrackCounters };
}

/**
 * Which entries: every field given must match. Addresses and ports are the original direction's
 * (`src`, `dst`, `sport`, `dport`) or the reply's (`replySrc`, …); ports need `protocol`.
 * `mark` matches (entry.mark & markMask) === mark (markMask default 0xffffffff); `status`: every
 * flag named is set.
 */
export interface ConntrackFilter {
  family?: Family;
  protocol?: string | number;
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  replySrc?: string;
  replyDst?: string;
  replySport?: number;
  replyDport?: number;
  mark?: number;
  markMask?: number;
  zone?: number;
  status?: ConntrackStatus | ConntrackStatus[];
}
