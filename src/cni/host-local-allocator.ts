// host-local's allocation order: per range set, round-robin from the address after the last one
// handed out (last_reserved_ip.N), across the set's ranges, skipping each range's gateway.
import type { Family } from '../ip';
import type { IpRange } from './config';
import { CNI_ERR, CniError } from './errors';
import type { HostLocalStore } from './host-local-store';
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

/** One address from each range set for the attachment; what was reserved is released again if a later set fails. */
export async function allocate(store: HostLocalStore, rangeSets: IpRange[][], containerId: string, ifname: string): Promise<Allocation[]> {
  const existing = await store.of(containerId, ifname);
  const done: Allocation[] = [];
  try {
    for (let i = 0; i < rangeSets.length; i++) {
      const set = rangeSets[i];
      const family = set[0].family;
      const dup = existing.find((a) => { const n = toIntOf(a.ip, family); return n !== undefined && set.some((r) => contains(r, n)); });
      if (dup) throw new CniError(CNI_ERR.noAddress, `${dup.ip} has been allocated to ${containerId}, duplicate allocation is not allowed`);
      const lastText = await store.lastReserved(i);
      const last = lastText === undefined ? undefined : toIntOf(lastText, family);
      let got: Allocation | undefined;
      for (const [r, n] of candidates(set, last)) {
        const ip = intText(n, family);
        if (await store.reserve(ip, containerId, ifname, i)) {
          got = { family, address: ip, prefixLength: r.prefixLength, subnet: r.subnet, gateway: formatAddress(fromInt(r.gateway, family)), rangeSet: i };
          break;
        }
      }
      if (!got) throw new CniError(CNI_ERR.noAddress, `no IP addresses available in range set ${set.map((r) => `${intText(r.start, family)}-${intText(r.end, family)}`).join(',')}`);
      done.push(got);
    }
  } catch (err) {
    for (const a of done) await store.release(a.address);
    throw err;
  }
  return done;
}
