// The public shapes of links: what links.add/set take and what get/list return.
import type { AddressOptions } from '../addr';
import type { NetnsRef } from '../kernel/netns-ref';
import type { RouteSpec } from '../route';
import type { LinkRef } from './ref';

export type { LinkRef };

export interface LinkCommon {
  name: string;
  mtu?: number;
  mac?: string;
  /** Link-layer broadcast address. */
  broadcast?: string;
  /** Enslave to this bridge (or other master) at creation. */
  master?: LinkRef;
  up?: boolean;
  /** Create the link directly inside that namespace. */
  netns?: NetnsRef;
  group?: number;
  alias?: string;
  txqueuelen?: number;
  promisc?: boolean;
  allmulticast?: boolean;
  /** false: IFF_NOARP, like `ip link set X arp off`. */
  arp?: boolean;
  gsoMaxSize?: number;
  gsoMaxSegs?: number;
  groMaxSize?: number;
  /** Port settings on the bridge given as `master` (applied right after creation). */
  bridgePort?: BridgePortChange;
}

export interface VethPeer {
  name: string;
  /**
   * Create the peer directly inside that namespace (in the same request: no move afterwards).
   * `{ create: NAME }`: a new named namespace, made by this call (like `ip netns add NAME`) on the
   * thread that then sends every request of it — the fastest way to a connected container
   * namespace; deleted again if any step fails. Open it afterwards with `Netns.open(NAME)`.
   * `sysctl` is written in it as soon as it exists, before the peer (so `net.*.conf.default.*`
   * apply to the peer), e.g. `{ 'net.ipv6.conf.default.disable_ipv6': 1 }`.
   */
  netns?: NetnsRef | { create: string; sysctl?: Record<string, string | number> };
  mtu?: number;
  mac?: string;
  /** Bring the peer up once created (from inside its namespace: IFF_UP at creation is refused). */
  up?: boolean;
  /**
   * Also bring up `lo` in the peer's namespace, in the same exchange (as Docker and CNI's loopback
   * plugin do for a container: services bound to 127.0.0.1 work).
   */
  loopbackUp?: boolean;
  /**
   * Addresses for the peer, added from inside its namespace right after creation, as
   * `ip address add CIDR dev PEER` would: a CIDR, or one with AddressOptions.
   */
  addresses?: Array<string | ({ cidr: string } & AddressOptions)>;
  /**
   * Routes through the peer (`ip route add … dev PEER`), added after its addresses. A route via a
   * gateway needs the peer `up` (the kernel answers ENETUNREACH for a link that is down).
   */
  routes?: Array<Omit<RouteSpec, 'dev' | 'nexthops'>>;
}

export interface VethSpec extends LinkCommon {
  kind: 'veth';
  peer: VethPeer;
}

export interface BridgeSpec extends LinkCommon {
  kind: 'bridge';
  vlanFiltering?: boolean;
  stp?: boolean;
  /** Forward delay in centiseconds, as the kernel and `ip -d` count it (1500 = 15 s). */
  forwardDelay?: number;
  /** FDB ageing time in centiseconds (30000 = 300 s). */
  ageingTime?: number;
  mcastSnooping?: boolean;
  defaultPvid?: number;
}

export type MacvlanMode = 'private' | 'vepa' | 'bridge' | 'passthru' | 'source';

export interface MacvlanSpec extends LinkCommon {
  kind: 'macvlan' | 'macvtap';
  parent: LinkRef;
  mode?: MacvlanMode;
}

/** `group` here is the multicast group; set a vxlan's link group with links.set afterwards. */
export interface VxlanSpec extends Omit<LinkCommon, 'group'> {
  kind: 'vxlan';
  /** VXLAN network identifier, 0 to 2^24-1. */
  vni: number;
  local?: string;
  /** Unicast peer VTEP (exclusive with group). */
  remote?: string;
  /** Multicast group (needs dev). */
  group?: string;
  /** UDP destination port; the kernel's default is 8472, IANA's is 4789. */
  port?: number;
  /** Underlying link for the tunnel. */
  dev?: LinkRef;
  ttl?: number;
  tos?: number;
  learning?: boolean;
  proxy?: boolean;
  l2miss?: boolean;
  l3miss?: boolean;
  /** Ageing of learned FDB entries, seconds. */
  ageing?: number;
  udpChecksum?: boolean;
  udp6ZeroChecksumTx?: boolean;
  udp6ZeroChecksumRx?: boolean;
  /** Metadata (collect_metadata) mode, for flow-based tunnels. */
  external?: boolean;
}

export interface VlanSpec extends LinkCommon {
  kind: 'vlan';
  parent: LinkRef;
  /** VLAN id, 1–4094. */
  id: number;
  protocol?: '802.1Q' | '802.1ad';
}

export interface IpvlanSpec extends LinkCommon {
  kind: 'ipvlan';
  parent: LinkRef;
  mode?: 'l2' | 'l3' | 'l3s';
}

export type BondMode = 'balance-rr' | 'active-backup' | 'balance-xor' | 'broadcast' | '802.3ad' | 'balance-tlb' | 'balance-alb';

export interface BondSpec extends LinkCommon {
  kind: 'bond';
  mode?: BondMode;
  /** MII link monitoring interval, ms. */
  miimon?: number;
}

export interface GeneveSpec extends LinkCommon {
  kind: 'geneve';
  vni: number;
  remote?: string;
  /** UDP destination port (default 6081, as ip sends it). */
  port?: number;
  ttl?: number;
  tos?: number;
}

export interface VrfSpec extends LinkCommon {
  kind: 'vrf';
  /** The routing table this VRF uses. */
  table: number;
}

export interface SimpleSpec extends LinkCommon {
  kind: 'dummy' | 'ifb' | 'wireguard';
}

/**
 * A persistent tun/tap device, made through /dev/net/tun as `ip tuntap add` does. `group` here is
 * the gid allowed to use it; set a tun's link group with links.set afterwards.
 */
export interface TunSpec extends Omit<LinkCommon, 'group'> {
  kind: 'tun' | 'tap';
  /** uid allowed to attach to the device. */
  owner?: number;
  /** gid allowed to attach to the device. */
  group?: number;
  multiQueue?: boolean;
  vnetHdr?: boolean;
  /** Keep the packet-information header (ip's `pi`); off by default, as with ip. */
  pi?: boolean;
}

export type LinkSpec =
  | VethSpec | BridgeSpec | MacvlanSpec | VxlanSpec | VlanSpec | IpvlanSpec | BondSpec | GeneveSpec | VrfSpec
  | SimpleSpec | TunSpec;

export interface BridgePortChange {
  hairpin?: boolean;
  learning?: boolean;
  flood?: boolean;
  isolated?: boolean;
  cost?: number;
  priority?: number;
  neighSuppress?: boolean;
}

export interface LinkChange {
  up?: boolean;
  allmulticast?: boolean;
  arp?: boolean;
  broadcast?: string;
  gsoMaxSize?: number;
  gsoMaxSegs?: number;
  groMaxSize?: number;
  /** A master to enslave to; null to release (`nomaster`). */
  master?: LinkRef | null;
  /** Move the link into that namespace. */
  netns?: NetnsRef;
  name?: string;
  mtu?: number;
  mac?: string;
  alias?: string;
  group?: number;
  txqueuelen?: number;
  promisc?: boolean;
  bridgePort?: BridgePortChange;
}

export interface LinkStats {
  rxPackets: bigint;
  txPackets: bigint;
  rxBytes: bigint;
  txBytes: bigint;
  rxErrors: bigint;
  txErrors: bigint;
  rxDropped: bigint;
  txDropped: bigint;
  multicast: bigint;
  collisions: bigint;
  /** rx_over_errors and tx_carrier_errors: with the ones above, every counter `ip -s link` prints. */
  rxOverErrors: bigint;
  txCarrierErrors: bigint;
}

export interface Link {
  index: number;
  name: string;
  kind?: string;
  up: boolean;
  /**
   * Interface flags as `ip link` prints them, e.g. ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'] (with
   * 'NO-CARRIER' first when up without carrier). ip's 'M-DOWN' is not a flag of the link (ip derives
   * it from the parent's state) and is not included.
   */
  flags: string[];
  /** RFC 2863 state as `ip link` prints it: 'UP', 'DOWN', 'LOWERLAYERDOWN', 'UNKNOWN', … */
  operState: string;
  mtu: number;
  /** The root queueing discipline's kind (IFLA_QDISC), as `ip link` prints it after `qdisc`: 'noqueue', 'noop', 'fq_codel', … */
  qdisc?: string;
  mac?: string;
  broadcast?: string;
  /** ifindex of the master (bridge) this link is enslaved to. */
  master?: number;
  group: number;
  alias?: string;
  txqueuelen: number;
  /** ifindex of the underlying link (IFLA_LINK), when it is not the link itself. */
  parent?: number;
  /** For a veth: the peer's ifindex (in the peer's namespace when linkNetnsId is set). */
  peerIndex?: number;
  /** The namespace id (as this namespace numbers it) where the peer/parent lives. */
  linkNetnsId?: number;
  carrier?: boolean;
  minMtu?: number;
  maxMtu?: number;
  stats?: LinkStats;
  /** Kind-specific data (IFLA_INFO_DATA), keyed as `ip -j -d` keys info_data. */
  info?: Record<string, unknown>;
  /** The port's settings on its master (IFLA_INFO_SLAVE_DATA), e.g. for a bridge port. */
  portKind?: string;
  portInfo?: Record<string, unknown>;
}
