// nf_tables numbers (linux/netfilter/nf_tables.h, linux/netfilter.h) and nft's names for them.

export const NFNL_SUBSYS_NFTABLES = 10;
export const NFNL_MSG_BATCH_BEGIN = 0x10;
export const NFNL_MSG_BATCH_END = 0x11;

export const NFT_MSG = {
  NEWTABLE: 0, GETTABLE: 1, DELTABLE: 2, NEWCHAIN: 3, GETCHAIN: 4, DELCHAIN: 5, NEWRULE: 6, GETRULE: 7,
  DELRULE: 8, NEWSET: 9, GETSET: 10, DELSET: 11, NEWSETELEM: 12, GETSETELEM: 13, DELSETELEM: 14, NEWGEN: 15, GETGEN: 16,
} as const;

export const nftType = (msg: number): number => (NFNL_SUBSYS_NFTABLES << 8) | msg;

export type NftFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';
export const FAMILIES: Record<NftFamily, number> = { inet: 1, ip: 2, arp: 3, netdev: 5, bridge: 7, ip6: 10 };

export const HOOKS: Record<NftFamily, Record<string, number>> = {
  ip: { prerouting: 0, input: 1, forward: 2, output: 3, postrouting: 4 },
  ip6: { prerouting: 0, input: 1, forward: 2, output: 3, postrouting: 4 },
  inet: { prerouting: 0, input: 1, forward: 2, output: 3, postrouting: 4, ingress: 5 },
  bridge: { prerouting: 0, input: 1, forward: 2, output: 3, postrouting: 4 },
  arp: { input: 0, output: 1, forward: 2 },
  netdev: { ingress: 0, egress: 1 },
};

/** Standard priority names (nft's "priority dstnat" …): the bridge family has its own values. */
export function priorityNames(family: NftFamily): Record<string, number> {
  if (family === 'bridge') return { dstnat: -300, filter: -200, out: 100, srcnat: 300 };
  return { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };
}

export const CHAIN_TYPES = ['filter', 'nat', 'route'] as const;

export const VERDICT = { accept: 1, drop: 0, continue: -1, return: -5, jump: -3, goto: -4 } as const;
export const CMP = { eq: 0, neq: 1, lt: 2, lte: 3, gt: 4, gte: 5 } as const;
export const PAYLOAD_BASE = { link: 0, network: 1, transport: 2 } as const;
export const META = { len: 0, protocol: 1, mark: 3, iif: 4, oif: 5, iifname: 6, oifname: 7, nfproto: 15, l4proto: 16 } as const;
export const CT = { state: 0, direction: 1, status: 2, mark: 3 } as const;
export const CT_STATES: Record<string, number> = { invalid: 1, established: 2, related: 4, new: 8, untracked: 64 };
/** IPS_* bits of a connection's status, by nft's names. */
export const CT_STATUS: Record<string, number> = { expected: 1, 'seen-reply': 2, assured: 4, confirmed: 8, snat: 0x10, dnat: 0x20, dying: 0x200 };
/** Fields matched as a set of flag names: (value & mask) != 0. */
export const FLAG_FIELDS: Record<string, Record<string, number>> = { 'ct state': CT_STATES, 'ct status': CT_STATUS };
export const NAT_TYPE = { snat: 0, dnat: 1 } as const;
/** NF_NAT_RANGE_*: MAP_IPS 1, PROTO_SPECIFIED 2, PROTO_RANDOM 4, PERSISTENT 8, PROTO_RANDOM_FULLY 16. */
export const NAT_FLAGS = { mapIps: 1, protoSpecified: 2, random: 4, persistent: 8, fullyRandom: 16 } as const;
export const REG = { verdict: 0, r1: 1, r2: 2 } as const;

/** Set key types (nft's datatypes) and their sizes in bytes. */
export const SET_TYPES: Record<string, { id: number; len: number }> = {
  ipv4_addr: { id: 7, len: 4 }, ipv6_addr: { id: 8, len: 16 }, ether_addr: { id: 9, len: 6 },
  inet_proto: { id: 12, len: 1 }, inet_service: { id: 13, len: 2 }, mark: { id: 19, len: 4 }, iface_index: { id: 20, len: 4 },
  fib_addrtype: { id: 38, len: 4 }, ifname: { id: 41, len: 16 },
};
export const VERDICT_DATATYPE = 0xffffff00;
export const SET_FLAGS = { anonymous: 0x1, constant: 0x2, interval: 0x4, map: 0x8, timeout: 0x10 } as const;

/** IP protocol numbers nft names. */
export const L4PROTOS: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, ipv6: 41, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, icmpv6: 58, sctp: 132, udplite: 136 };
