// An iptables rule as data: what rule.ts parses and prints, encode.ts/decode.ts turn into nf_tables expressions and back.

export type IptMatch =
  | { name: 'tcp' | 'udp'; sport?: string; sportNot?: boolean; dport?: string; dportNot?: boolean; tcpFlags?: [mask: number, comp: number]; tcpFlagsNot?: boolean }
  | { name: 'conntrack'; ctstate?: string[]; not?: boolean; ctstatus?: string[]; ctstatusNot?: boolean }
  | { name: 'state'; state: string[]; not?: boolean }
  | { name: 'comment'; comment: string }
  | { name: 'multiport'; dports?: string[]; sports?: string[]; ports?: string[]; not?: boolean }
  | { name: 'addrtype'; srcType?: string; srcTypeNot?: boolean; dstType?: string; dstTypeNot?: boolean; limitIfaceIn?: boolean; limitIfaceOut?: boolean }
  | { name: 'mark' | 'connmark'; mark: number; mask?: number; not?: boolean }
  | { name: 'statistic'; mode: 'random'; probability: number; not?: boolean }
  | { name: 'statistic'; mode: 'nth'; every: number; packet: number; not?: boolean }
  | { name: 'limit'; limit?: string; burst?: number }
  | {
    name: 'physdev'; in?: string; inNot?: boolean; out?: string; outNot?: boolean;
    isIn?: boolean; isInNot?: boolean; isOut?: boolean; isOutNot?: boolean; isBridged?: boolean; isBridgedNot?: boolean;
  }
  | { name: 'set'; set: string; flags: Array<'src' | 'dst'>; not?: boolean }
  | {
    name: 'recent'; command: 'set' | 'rcheck' | 'update' | 'remove'; not?: boolean; recentName?: string;
    seconds?: number; reap?: boolean; hitcount?: number; rttl?: boolean; mask?: string; side?: 'rsource' | 'rdest';
  };

interface NatFlags { random?: boolean; randomFully?: boolean; persistent?: boolean }
export type IptTarget =
  | { name: 'ACCEPT' | 'DROP' | 'RETURN' | 'NOTRACK' }
  | { name: 'jump' | 'goto'; chain: string }
  | ({ name: 'DNAT'; toDestination: string } & NatFlags)
  | ({ name: 'SNAT'; toSource: string } & NatFlags)
  | ({ name: 'MASQUERADE' | 'REDIRECT'; toPorts?: string } & NatFlags)
  | { name: 'MARK'; setXmark: [number, number] }
  | { name: 'CONNMARK'; mode: 'set' | 'save' | 'restore'; ctmark: number; ctmask: number; nfmask: number }
  | { name: 'CT'; notrack?: boolean; zone?: number }
  | { name: 'TCPMSS'; mss: number | 'clamp' }
  | { name: 'LOG'; prefix?: string; level?: number }
  | { name: 'REJECT'; with?: string };

/**
 * A rule, in iptables' terms. Ports are "80" or "1000:2000"; interfaces may end in "+". `sport`/`dport`
 * are a shorthand for a first `{ name: protocol, sport, dport }` match (what `-p tcp --dport 80` gives).
 */
export interface IptRule {
  source?: string; sourceNot?: boolean;
  destination?: string; destinationNot?: boolean;
  inInterface?: string; inInterfaceNot?: boolean;
  outInterface?: string; outInterfaceNot?: boolean;
  protocol?: string; protocolNot?: boolean;
  sport?: string; sportNot?: boolean;
  dport?: string; dportNot?: boolean;
  matches?: IptMatch[];
  target?: IptTarget;
}
