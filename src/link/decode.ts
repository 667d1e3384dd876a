// RTM_NEWLINK replies -> Link objects.
import { IFF, IFF_RUNNING, IFF_UP, OPER_STATES } from '../constants';
import { decodeInfo, decodePortInfo } from '../codec/link-kinds/index';
import type { WireMessage } from '../kernel/transport';
import type { Link, LinkStats } from './types';

type Attrs = Record<string, unknown>;

/** Flag names in `ip link`'s order, with NO-CARRIER first when up without a carrier. */
export function flagNames(flags: number): string[] {
  const names: string[] = [];
  if (flags & IFF_UP && !(flags & IFF_RUNNING)) names.push('NO-CARRIER');
  // Indexed: a read-back is often decoded before the JIT has optimized this, and for-of then
  // allocates an iterator result per flag.
  for (let i = 0; i < IFF.length; i++) if (flags & IFF[i][1]) names.push(IFF[i][0]);
  return names;
}

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
