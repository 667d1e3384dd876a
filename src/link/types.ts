// The public shapes of links: what links.add/set take and what get/list return.
import type { NetnsRef } from '../netns';

/** A link by name or by ifindex. */
export type LinkRef = string | number;

export interface LinkCommon {
  name: string;
  mtu?: number;
  mac?: string;
  /** Enslave to this bridge (or other master) at creation. */
  master?: LinkRef;
  up?: boolean;
  /** Create the link directly inside that namespace. */
  netns?: NetnsRef;
  group?: number;
  alias?: string;
  txqueuelen?: number;
}

export interface VethPeer {
  name: string;
  /** Create the peer directly inside that namespace (in the same request: no move afterwards). */
  netns?: NetnsRef;
  mtu?: number;
  mac?: string;
  /** Bring the peer up once created (through a socket in its namespace). */
  up?: boolean;
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

export type LinkSpec = VethSpec | BridgeSpec;

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
