// RTM_NEWLINK replies -> Link objects.
import { IFF, IFF_RUNNING, IFF_UP, OPER_STATES, RTM } from '../constants';
import { linkMessage } from '../codec/link';
import { decodeInfo, decodePortInfo } from '../codec/link-kinds/index';
import { type MessageView, pickMessage } from '../codec/schema';
import type { WireMessage } from '../kernel/transport';
import type { Link, LinkStats } from './types';

type Attrs = Record<string, unknown>;

/** Flag names in `ip link`'s order, with NO-CARRIER first when up without a carrier. */
export function flagNames(flags: number): string[] {
  const noCarrier = (flags & IFF_UP) !== 0 && (flags & IFF_RUNNING) === 0;
  // Made at its final size: an array grown by push from empty holds room for 17 (a list of
  // 10,000 links keeps every one). Indexed: a read-back is often decoded before the JIT has
  // optimized this, and for-of then allocates an iterator result per flag.
  let n = noCarrier ? 1 : 0;
  for (let i = 0; i < IFF.length; i++) if (flags & IFF[i][1]) n++;
  const names = new Array<string>(n);
  n = 0;
  if (noCarrier) names[n++] = 'NO-CARRIER';
  for (let i = 0; i < IFF.length; i++) if (flags & IFF[i][1]) names[n++] = IFF[i][0];
  return names;
}

// The rtnl_link_stats64 fields LinkStats carries.
const STATS_FIELDS = [
  'rx_packets', 'tx_packets', 'rx_bytes', 'tx_bytes', 'rx_errors', 'tx_errors', 'rx_dropped', 'tx_dropped',
  'multicast', 'collisions', 'rx_over_errors', 'tx_carrier_errors',
] as const;

/**
 * RTM_NEWLINK decoded as far as decodeLink reads it (its attributes; of the stats, LinkStats's):
 * a dump of 10,000 links skips the rest (stats64 alone is 25 bigints, 13 of them unused).
 * Whatever decodeLink starts reading is added here too (a unit test compares the two tables).
 */
export const LINK_VIEW: MessageView = {
  type: RTM.NEWLINK,
  spec: pickMessage(linkMessage, {
    ifname: true, operstate: true, mtu: true, qdisc: true, group: true, txqlen: true, address: true, broadcast: true,
    master: true, ifalias: true, link: true, link_netnsid: true, carrier: true, min_mtu: true, max_mtu: true,
    stats64: STATS_FIELDS, linkinfo: true,
  }),
};

function decodeStats(s: Record<string, bigint>): LinkStats {
  return {
    rxPackets: s.rx_packets, txPackets: s.tx_packets, rxBytes: s.rx_bytes, txBytes: s.tx_bytes,
    rxErrors: s.rx_errors, txErrors: s.tx_errors, rxDropped: s.rx_dropped, txDropped: s.tx_dropped,
    multicast: s.multicast, collisions: s.collisions, rxOverErrors: s.rx_over_errors, txCarrierErrors: s.tx_carrier_errors,
  };
}

export function decodeLink(m: WireMessage): Link {
  const h = m.header as Record<string, number>;
  const a = (m.attrs ?? {}) as Attrs;
  const info = a.linkinfo as Attrs | undefined;
  const link: Link = {
    index: h.index,
    name: a.ifname as string,
    up: (h.flags & IFF_UP) !== 0,
    flags: flagNames(h.flags),
    operState: OPER_STATES[(a.operstate as number) ?? 0] ?? 'UNKNOWN',
    mtu: a.mtu as number,
    group: (a.group as number) ?? 0,
    txqueuelen: (a.txqlen as number) ?? 0,
  };
  if (info?.kind !== undefined) link.kind = info.kind as string;
  if (a.address !== undefined) link.mac = a.address as string;
  if (a.broadcast !== undefined) link.broadcast = a.broadcast as string;
  if (a.qdisc !== undefined) link.qdisc = a.qdisc as string;
  if (a.master !== undefined) link.master = a.master as number;
  if (a.ifalias !== undefined) link.alias = a.ifalias as string;
  if (a.link !== undefined && a.link !== h.index) {
    if (link.kind === 'veth') link.peerIndex = a.link as number;
    else link.parent = a.link as number;
  }
  if (a.link_netnsid !== undefined) link.linkNetnsId = a.link_netnsid as number;
  if (a.carrier !== undefined) link.carrier = a.carrier === 1;
  if (a.min_mtu !== undefined) link.minMtu = a.min_mtu as number;
  if (a.max_mtu !== undefined) link.maxMtu = a.max_mtu as number;
  if (a.stats64 !== undefined) link.stats = decodeStats(a.stats64 as Record<string, bigint>);
  if (info?.data !== undefined && !Buffer.isBuffer(info.data)) link.info = decodeInfo(link.kind!, info.data as Attrs);
  if (info?.slave_kind !== undefined) link.portKind = info.slave_kind as string;
  if (info?.slave_data !== undefined && !Buffer.isBuffer(info.slave_data)) {
    link.portInfo = decodePortInfo(link.portKind!, info.slave_data as Attrs);
  }
  return link;
}
