// A link announcement as `ip monitor` prints it (iproute2's print_linkinfo, without -d), read from
// the message itself rather than a Link: ip prints each part only when the announcement carries its
// attribute (a bridge port's AF_BRIDGE announcement has no qdisc, group or broadcast), and a
// deletion as the kernel worded it (its new namespace id and index when the link moved).
import { IFF_UP, OPER_STATES } from '../constants';
import { formatIp } from '../codec/text';
import type { WireMessage } from '../kernel/transport';
import { flagNames } from '../link/decode';

const IFF_POINTOPOINT = 0x10;

/** ARPHRD_* names as ip prints them after "link/" (others as [N], as ip does). */
const LINK_TYPES: Record<number, string> = {
  1: 'ether', 512: 'ppp', 768: 'ipip', 769: 'tunnel6', 772: 'loopback', 776: 'sit', 778: 'gre', 801: 'ieee802.11', 823: 'gre6', 65534: 'none', 65535: 'void',
};

/** IFLA_EVENT values ip names (IFLA_EVENT_NONE prints nothing). */
const LINK_EVENTS = ['NONE', 'REBOOT', 'FEATURE CHANGE', 'BONDING FAILOVER', 'NOTIFY PEERS', 'RESEND IGMP', 'BONDING OPTION'];

/**
 * What ip's monitor remembers of each link (its ll_map cache): the name it first learned (ip
 * 6.1 keeps it across a rename: a renamed link's peer is still printed `@oldname`) and the flags
 * of the last announcement, forgotten at any RTM_DELLINK about it. M-DOWN and the names of a peer
 * or master come from here.
 */
export class KnownLinks {
  private readonly links = new Map<number, { name: string; flags: number }>();
  /** The names under /run/netns of the namespaces that had an id here when ip started (it prints `link-netns NAME` for those). */
  readonly netnsNames = new Map<number, string>();
  /** Indexes asked for and not known: the caller looks them up (as ip asks the kernel) and prints again. */
  readonly missed = new Set<number>();

  set(index: number, name: string, flags: number): void {
    this.links.set(index, { name, flags });
  }

  has(index: number): boolean {
    return this.links.has(index);
  }

  /** Takes in an RTM_NEWLINK / RTM_DELLINK (of any family) before it is printed, as ip does. */
  remember(m: WireMessage, deleted: boolean): void {
    const index = (m.header as Record<string, number>).index;
    if (deleted) this.links.delete(index);
    else if (typeof m.attrs?.ifname === 'string') {
      const flags = (m.header as Record<string, number>).flags;
      const known = this.links.get(index);
      if (known) known.flags = flags;
      else this.set(index, m.attrs.ifname, flags);
    }
  }

  name(index: number): string {
    const known = this.links.get(index);
    if (known) return known.name;
    this.missed.add(index);
    return `if${index}`;
  }

  /** Whether a known link is not up (one not known is not said to be down, as ip does not). */
  down(index: number): boolean {
    const known = this.links.get(index);
    return known !== undefined && (known.flags & IFF_UP) === 0;
  }
}

/** A link-layer address as ip prints it: a tunnel's IPv4/IPv6 endpoint as an address, else hex with colons. */
function lladdr(mac: string, type: number): string {
  const bytes = Buffer.from(mac.replace(/:/g, ''), 'hex');
  if ((bytes.length === 4 && (type === 768 || type === 776 || type === 778)) || (bytes.length === 16 && (type === 769 || type === 823))) {
    return formatIp(bytes, 0, bytes.length);
  }
  return mac;
}

/** The two lines ip monitor prints for an RTM_NEWLINK / RTM_DELLINK (trailing spaces as ip leaves them). */
export function linkAnnouncementText(m: WireMessage, deleted: boolean, known: KnownLinks): string {
  const h = m.header as Record<string, number>;
  const a = (m.attrs ?? {}) as Record<string, unknown>;
  let s = `${deleted ? 'Deleted ' : ''}${h.index}: ${a.ifname ?? '<nil>'}`;
  let mDown = false;
  if (a.link === undefined) s += ': ';
  else if (a.link === 0) s += '@NONE: ';
  else if (a.link_netnsid !== undefined) s += `@if${a.link}: `;
  else {
    s += `@${known.name(a.link as number)}: `;
    mDown = known.down(a.link as number);
  }
  s += `<${[...flagNames(h.flags), ...(mDown ? ['M-DOWN'] : [])].join(',')}> `;
  if (a.mtu !== undefined) s += `mtu ${a.mtu} `;
  if (a.qdisc !== undefined) s += `qdisc ${a.qdisc} `;
  if (a.master !== undefined) s += `master ${known.name(a.master as number)} `;
  if (a.operstate !== undefined) s += `state ${OPER_STATES[a.operstate as number] ?? `0x${(a.operstate as number).toString(16)}`} `;
  if (a.group !== undefined) s += `group ${a.group === 0 ? 'default' : a.group} `;
  if (a.event !== undefined && a.event !== 0) s += `event ${LINK_EVENTS[a.event as number] ?? a.event} `;
  s += `\n    link/${LINK_TYPES[h.type] ?? `[${h.type}]`} `;
  if (a.address !== undefined) s += lladdr(a.address as string, h.type);
  if (a.broadcast !== undefined) s += `${h.flags & IFF_POINTOPOINT ? ' peer ' : ' brd '}${lladdr(a.broadcast as string, h.type)}`;
  if (a.link_netnsid !== undefined) s += linkNetns(a.link_netnsid as number, known);
  if (a.new_netnsid !== undefined) s += ` new-netnsid ${a.new_netnsid}`;
  if (a.new_ifindex !== undefined) s += ` new-ifindex ${a.new_ifindex}`;
  if (a.proto_down) s += ' protodown on ';
  return s;
}

/** The namespace of a link's peer: its name when ip knew the id at start, else the id. */
function linkNetns(id: number, known: KnownLinks): string {
  if (id < 0) return ' link-netnsid unknown';
  const name = known.netnsNames.get(id);
  return name !== undefined ? ` link-netns ${name}` : ` link-netnsid ${id}`;
}
