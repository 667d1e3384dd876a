// host-local's allocation order: per range set, round-robin from the address after the last one
// handed out (last_reserved_ip.N), across the set's ranges, skipping each range's gateway. Addresses
// the runtime asks for (CNI_ARGS IP=, as host-local reads it) are taken as they are instead, each by
// the first range set holding it; one no range set holds, or already taken, fails the ADD.
import type { Family } from '../ip';
import type { IpRange } from './config';
import { CNI_ERR, CniError } from './errors';
import type { StoreView } from './host-local-store';
import { formatAddress, fromInt, intText, toInt } from './ip-int';
import { parseAddress } from '../ip';

export interface Allocation {
  family: Family;
  address: string;
  prefixLength: number;
  /** The range's subnet, "198.18.0.0/24". */
  subnet: string;
  gateway: string;
  /** The range set (index into ipam.ranges) it came from. */
  rangeSet: number;
}

const contains = (r: IpRange, n: bigint): boolean => n >= r.start && n <= r.end;
const rangeSetText = (set: IpRange[]): string => set.map((r) => `${intText(r.start, r.family)}-${intText(r.end, r.family)}`).join(',');

function toIntOf(text: string, family: Family): bigint | undefined {
  try {
    const a = parseAddress('address', text);
    return a.family === family ? toInt(a.bytes) : undefined;
  } catch {
    return undefined;
  }
}

/** Candidates in host-local's order: after the last reserved address, wrapping once round the set. */
function* candidates(ranges: IpRange[], last: bigint | undefined): Generator<[IpRange, bigint]> {
  let ri = 0;
  let cur: bigint | undefined;
  if (last !== undefined) {
    const found = ranges.findIndex((r) => contains(r, last));
    if (found >= 0) { ri = found; cur = last; }
  }
  // Where the walk began (range and address): reaching it again means every address was tried.
  let beginRange = ri;
  let begin: bigint | undefined = cur === undefined ? ranges[ri].start : undefined;
  let first = true;
  for (;;) {
    const r = ranges[ri];
    if (cur === undefined) {
      cur = r.start;
    } else if (cur === r.end) {
      ri = (ri + 1) % ranges.length;
      cur = ranges[ri].start;
    } else {
      cur += 1n;
    }
    if (begin === undefined) { begin = cur; beginRange = ri; }
    else if (!first && ri === beginRange && cur === begin) return;
    first = false;
    if (cur !== ranges[ri].gateway) yield [ranges[ri], cur];
  }
}

/** An address the runtime asked for (CNI_ARGS IP=). */
export interface RequestedIp { family: Family; n: bigint; text: string }

/**
 * CNI_ARGS IP=: one IPv4 or IPv6 address, as host-local reads it (types.LoadArgs: a key given twice
 * keeps its last value); none when absent.
 */
export function requestedIps(args: Map<string, string>): RequestedIp[] {
  const text = args.get('IP');
  if (text === undefined) return [];
  let a: ReturnType<typeof parseAddress>;
  try {
    a = parseAddress('address', text);
  } catch {
    throw new CniError(CNI_ERR.invalidEnv, `CNI_ARGS IP has ${JSON.stringify(text)}, not an IPv4 or IPv6 address`);
  }
  const n = toInt(a.bytes);
  return [{ family: a.family, n, text: intText(n, a.family) }];
}

/** The requested address for this range set (taken from `left`), else undefined. */
function requestedIn(set: IpRange[], left: RequestedIp[]): [IpRange, RequestedIp] | undefined {
  for (let k = 0; k < left.length; k++) {
    const r = set.find((range) => range.family === left[k].family && contains(range, left[k].n));
    if (r) return [r, ...left.splice(k, 1)] as [IpRange, RequestedIp];
  }
  return undefined;
}

/**
 * One address from each range set for the attachment: a requested one where a set holds it, else
 * the next free one; what was reserved is released again if a later set fails.
 */
export function allocate(store: StoreView, rangeSets: IpRange[][], containerId: string, ifname: string, requested: RequestedIp[] = []): Allocation[] {
  const existing = store.of(containerId, ifname);
  const left = [...requested];
  const done: Allocation[] = [];
  const allocation = (r: IpRange, ip: string, i: number): Allocation =>
    ({ family: r.family, address: ip, prefixLength: r.prefixLength, subnet: r.subnet, gateway: formatAddress(fromInt(r.gateway, r.family)), rangeSet: i });
  try {
    for (let i = 0; i < rangeSets.length; i++) {
      const set = rangeSets[i];
      const family = set[0].family;
      const asked = requestedIn(set, left);
      if (asked) {
        const [r, ip] = asked;
        if (ip.n === r.gateway) throw new CniError(CNI_ERR.noAddress, `requested ip ${ip.text} is subnet's gateway`);
        if (!store.reserve(ip.text, containerId, ifname, i)) throw new CniError(CNI_ERR.noAddress, `requested IP address ${ip.text} is not available in range set ${rangeSetText(set)}`);
        done.push(allocation(r, ip.text, i));
        continue;
      }
      const dup = existing.find((a) => { const n = toIntOf(a.ip, family); return n !== undefined && set.some((r) => contains(r, n)); });
      if (dup) throw new CniError(CNI_ERR.noAddress, `${dup.ip} has been allocated to ${containerId}, duplicate allocation is not allowed`);
      const lastText = store.lastReserved(i);
      const last = lastText === undefined ? undefined : toIntOf(lastText, family);
      let got: Allocation | undefined;
      for (const [r, n] of candidates(set, last)) {
        const ip = intText(n, family);
        if (store.reserve(ip, containerId, ifname, i)) {
          got = allocation(r, ip, i);
          break;
        }
      }
      if (!got) throw new CniError(CNI_ERR.noAddress, `no IP addresses available in range set ${rangeSetText(set)}`);
      done.push(got);
    }
    if (left.length) throw new CniError(CNI_ERR.noAddress, `failed to allocate all requested IPs: ${left.map((ip) => ip.text).join(' ')}`, 'no range set holds them');
  } catch (err) {
    for (const a of done) store.release(a.address);
    throw err;
  }
  return done;
}
