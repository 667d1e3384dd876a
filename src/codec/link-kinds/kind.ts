// What one link kind is: the attribute table of its IFLA_INFO_DATA, the options links.add takes for
// it and their checks, the IFLA_INFO_DATA a spec becomes, and the kernel's IFLA_INFO_DATA read back
// into Link.info. One file per kind (this directory) holds all four side by side; index.ts lists them.
import type { AttrSet } from '../schema';

export type Spec = Record<string, unknown>;
export type Attrs = Record<string, unknown>;

/** What links.add resolved before building: a vxlan's `dev` ifindex, a veth peer's namespace fd. */
export interface Resolved {
  dev?: number;
  peerNetnsFd?: number;
}

interface KindBase {
  /** IFLA_INFO_DATA's attributes: the codec reads and writes this kind's data with it. */
  readonly table: AttrSet;
  /** Options beyond the common ones (links.add's COMMON_KEYS). */
  readonly keys: readonly string[];
  /** Throws TypeError/RangeError naming the field; runs before anything is sent. */
  check(spec: Spec): void;
  /** The kernel's IFLA_INFO_DATA -> Link.info, keyed and valued like `ip -j -d`'s info_data. */
  decode(data: Attrs): Attrs;
}

export type LinkKind = KindBase & (
  /** Made by RTM_NEWLINK: the spec's IFLA_INFO_DATA (undefined: none), in the order iproute2 sends it. */
  | { encode(spec: Spec, resolved: Resolved): Attrs | undefined; viaTun?: undefined }
  /** Made through /dev/net/tun rather than RTM_NEWLINK: the kernel only reports its data. */
  | { viaTun: true; encode?: undefined }
);

/** A master's view of one of its ports (IFLA_INFO_SLAVE_DATA): set through an option of links.add/set. */
export interface PortKind {
  readonly table: AttrSet;
  /** Throws TypeError/RangeError naming the field; runs before anything is sent. */
  check(value: unknown): void;
  encode(value: Spec): Attrs;
  decode(data: Attrs): Attrs;
}
