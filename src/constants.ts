// Numbers from the kernel's UAPI headers (linux/netlink.h, linux/rtnetlink.h, linux/if.h).

export const NLM_F = {
  REQUEST: 0x1,
  ACK: 0x4,
  ECHO: 0x8,
  ROOT: 0x100,
  MATCH: 0x200,
  DUMP: 0x300,
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
  APPEND: 0x800,
} as const;

export const RTM = {
  NEWLINK: 16,
  DELLINK: 17,
  GETLINK: 18,
  SETLINK: 19,
  NEWADDR: 20,
  DELADDR: 21,
  GETADDR: 22,
  NEWROUTE: 24,
  DELROUTE: 25,
  GETROUTE: 26,
  NEWNEIGH: 28,
  DELNEIGH: 29,
  GETNEIGH: 30,
  NEWRULE: 32,
  DELRULE: 33,
  GETRULE: 34,
  NEWNSID: 88,
  GETNSID: 90,
} as const;

/** rtm_scope / ifa_scope names, as ip prints them. */
export const SCOPES: Record<string, number> = { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };

/** Interface flags (linux/if.h), in the order `ip link` prints them. */
export const IFF: ReadonlyArray<readonly [string, number]> = [
  ['LOOPBACK', 0x8],
  ['BROADCAST', 0x2],
  ['POINTOPOINT', 0x10],
  ['MULTICAST', 0x1000],
  ['NOARP', 0x80],
  ['ALLMULTI', 0x200],
  ['PROMISC', 0x100],
  ['NOTRAILERS', 0x20],
  ['DEBUG', 0x4],
  ['DYNAMIC', 0x8000],
  ['AUTOMEDIA', 0x4000],
  ['PORTSEL', 0x2000],
  ['MASTER', 0x400],
  ['SLAVE', 0x800],
  ['UP', 0x1],
  ['LOWER_UP', 0x10000],
  ['DORMANT', 0x20000],
  ['ECHO', 0x40000],
];
export const IFF_UP = 0x1;
export const IFF_RUNNING = 0x40;
export const IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200;
export const IFF_NOARP = 0x80;

/** RFC 2863 operational states (IF_OPER_*), named as `ip link` prints them. */
export const OPER_STATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'] as const;

/** IFLA_EXT_MASK bits (RTEXT_FILTER_*). */
export const RTEXT_FILTER = { VF: 1 << 0, SKIP_STATS: 1 << 3 } as const;
