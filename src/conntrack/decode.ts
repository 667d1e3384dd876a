// A ctnetlink entry (IPCTNL_MSG_CT_NEW, as the codec decodes it) as a ConntrackEntry.
import { familyOf } from '../ip';
import type { WireMessage } from '../kernel/transport';
import { type ConntrackCounters, type ConntrackEntry, type ConntrackStatus, type ConntrackTuple, PROTOCOLS, STATUS_BITS, TCP_STATES } from './types';

type Attrs = Record<string, any>;

const PROTOCOL_NAMES = new Map(Object.entries(PROTOCOLS).map(([name, n]) => [n, name]));
const STATUS_NAMES = Object.entries(STATUS_BITS) as Array<[ConntrackStatus, number]>;

function tuple(t: Attrs | undefined): ConntrackTuple {
  const ip: Attrs = t?.ip ?? {};
  const p: Attrs = t?.proto ?? {};
  const out: ConntrackTuple = { src: ip.v4_src ?? ip.v6_src ?? '', dst: ip.v4_dst ?? ip.v6_dst ?? '' };
  if (p.src_port !== undefined) out.sport = p.src_port;
  if (p.dst_port !== undefined) out.dport = p.dst_port;
  const type = p.icmp_type ?? p.icmpv6_type;
  if (type !== undefined) out.type = type;
  const code = p.icmp_code ?? p.icmpv6_code;
  if (code !== undefined) out.code = code;
  const id = p.icmp_id ?? p.icmpv6_id;
  if (id !== undefined) out.icmpId = id;
  if (t?.zone !== undefined) out.zone = t.zone;
  return out;
}

const counters = (c: Attrs | undefined): ConntrackCounters => ({ packets: c?.packets ?? 0n, bytes: c?.bytes ?? 0n });

export function decodeEntry(m: WireMessage): ConntrackEntry {
  const a = (m.attrs ?? {}) as Attrs;
  const protocolNumber: number = a.tuple_orig?.proto?.num ?? 0;
  const status: number = a.status ?? 0;
  const entry: ConntrackEntry = {
    id: a.id ?? 0,
    family: familyOf(Number(m.header?.family)),
    protocol: PROTOCOL_NAMES.get(protocolNumber) ?? protocolNumber,
    protocolNumber,
    original: tuple(a.tuple_orig),
    reply: tuple(a.tuple_reply),
    status: STATUS_NAMES.filter(([, bit]) => status & bit).map(([name]) => name),
    timeout: a.timeout ?? 0,
    mark: a.mark ?? 0,
    zone: a.zone ?? 0,
    use: a.use ?? 0,
  };
  const tcpState = a.protoinfo?.tcp?.state;
  if (tcpState !== undefined) entry.state = TCP_STATES[tcpState] ?? String(tcpState);
  if (a.counters_orig !== undefined || a.counters_reply !== undefined) {
    entry.counters = { original: counters(a.counters_orig), reply: counters(a.counters_reply) };
  }
  return entry;
}
