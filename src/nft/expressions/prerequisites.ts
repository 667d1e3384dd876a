// The protocol checks nft puts before a match, and how listing takes them out again: before an ip/ip6
// field in an inet, bridge or netdev table, the layer-3 protocol; before a port, the transport protocol.
import { CMP, L4PROTOS, META, PAYLOAD_BASE, REG } from '../constants';
import { type Field, type Item, portProto } from '../items';
import { cmp, u16be } from './bytes';
import { FIELD_ROWS } from './fields';
import { sharedBy } from './shared';
import type { DecodeStep, EncodingRule } from './types';

/** The layer-3 check's comparison, by table family kind and protocol. */
const layer3Cmp = sharedBy((k: 'inet ip' | 'inet ip6' | 'l2 ip' | 'l2 ip6') =>
  k.startsWith('inet') ? cmp(CMP.eq, Buffer.from([k === 'inet ip' ? 2 : 10])) : cmp(CMP.eq, u16be(k === 'l2 ip' ? 0x0800 : 0x86dd)));
const nfprotoLoad = sharedBy((key: number) => ({ name: 'meta', data: { key, dreg: REG.r1 } }));
const l4Cmp = sharedBy((proto: 'tcp' | 'udp') => cmp(CMP.eq, Buffer.from([L4PROTOS[proto]])));

/** Checks the layer-3 protocol of an ip/ip6 field first, unless the table's family or an earlier check says it. */
export function requireLayer3(field: Field, rule: EncodingRule): void {
  const ipv = field.startsWith('ip6 ') ? 'ip6' : field.startsWith('ip ') ? 'ip' : undefined;
  const { family } = rule;
  if (ipv && family !== 'ip' && family !== 'ip6' && rule.l3 !== ipv) {
    // In inet tables nft checks the layer-3 protocol first (meta nfproto); in bridge and
    // netdev tables, the ethertype (meta protocol).
    if (family === 'inet') rule.out.push(nfprotoLoad(META.nfproto), layer3Cmp(ipv === 'ip' ? 'inet ip' : 'inet ip6'));
    else rule.out.push(nfprotoLoad(META.protocol), layer3Cmp(ipv === 'ip' ? 'l2 ip' : 'l2 ip6'));
    rule.l3 = ipv;
  }
}

/** "tcp dport 80" needs the protocol checked first, as nft adds it. */
export function requireLayer4(field: Field, rule: EncodingRule): void {
  const proto = portProto(field);
  if (proto && rule.l4 !== proto) {
    rule.out.push(FIELD_ROWS['meta l4proto'].load(), l4Cmp(proto));
    rule.l4 = proto;
  }
}

/**
 * A layer-3 check (meta nfproto / meta protocol, compared) is implied by the ip/ip6 match that follows
 * it, so it is not an item of its own: its cmp is skipped, and the payload load after it decoded as usual.
 */
export const layer3Check: DecodeStep = (d, rule) => {
  if (d.sreg !== undefined || (d.key !== META.nfproto && d.key !== META.protocol)) return undefined;
  const c = rule.exprs[rule.i + 1];
  const p = rule.exprs[rule.i + 2];
  if (c?.name !== 'cmp' || p?.name !== 'payload' || (p.data as any).base !== PAYLOAD_BASE.network) return false;
  rule.i++;
  return true;
};

/**
 * Marks the last `meta l4proto PROTO` match implied: a port match of PROTO says it (nft drops it) —
 * unless an xt statement (iptables-nft's `-m comment` between -p tcp and --dport) stands between
 * them, after which nft lists the protocol match too.
 */
export function implyProtocol(items: Item[], l4: string | undefined): void {
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i];
    if (it.t === 'xt') return;
    if (it.t !== 'match' || it.field !== 'meta l4proto') continue;
    if (it.op === 'eq' && it.value.kind === 'single' && String(it.value.value) === l4) it.implied = true;
    return;
  }
}

/** nft's rule: a port mapping (nat, masquerade, redirect `to :PORT`) needs the transport protocol matched before it. */
export function requirePortProtocol(statement: string, ports: [number, number] | undefined, rule: EncodingRule): void {
  if (ports && rule.l4 !== 'tcp' && rule.l4 !== 'udp' && rule.l4 !== 'sctp') {
    throw new RangeError(`${statement}: a port mapping needs a transport protocol match before it (meta l4proto tcp/udp, or a tcp/udp port match), as nft requires`);
  }
}
