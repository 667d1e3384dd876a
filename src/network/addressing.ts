// Address arithmetic a BridgeNetwork needs, for IPv4 and IPv6 alike: host addresses of a subnet by
// index, overlap, and the names and MACs derived from an address (so that claiming a name claims
// the address, in the kernel).
import { formatV6, networkOf } from '../ip';

const text = (b: Buffer): string => (b.length === 4 ? `${b[0]}.${b[1]}.${b[2]}.${b[3]}` : formatV6(b));

/** The n-th address of the network `net` (masked to `prefix` when given); 4 or 16 bytes alike. */
export function hostAddress(net: Buffer, n: number, prefix?: number): string {
  const b = prefix === undefined ? Buffer.from(net) : networkOf(net, prefix);
  // Big-endian addition with carry: n is at most 2^53, far below any carry past the subnet.
  let carry = n;
  for (let i = b.length - 1; i >= 0 && carry > 0; i--) {
    const sum = b[i] + (carry % 256);
    b[i] = sum % 256;
    carry = Math.floor(carry / 256) + Math.floor(sum / 256);
  }
  return text(b);
}

/** Which host of `net` the address `a` is (its offset from the network address; low 48 bits at most). */
export function hostIndex(a: Buffer, net: Buffer, prefix: number): number {
  const base = networkOf(net, prefix);
  let n = 0;
  // Byte by byte without borrow: `a` lies in the subnet, so each byte is its network's plus host bits.
  for (let i = Math.max(0, a.length - 6); i < a.length; i++) n = n * 256 + (a[i] - base[i]);
  return n;
}

/** How many addresses the prefix holds, capped at 2^48 (an IPv6 /64 is never walked through). */
export function subnetSize(family: 4 | 6, prefix: number): number {
  return 2 ** Math.min(48, (family === 4 ? 32 : 128) - prefix);
}

export function inSubnet(a: Buffer, net: Buffer, prefix: number): boolean {
  return a.length === net.length && networkOf(a, prefix).equals(networkOf(net, prefix));
}

/** Two prefixes overlap when one contains the other. */
export function overlaps(a: Buffer, aPrefix: number, b: Buffer, bPrefix: number): boolean {
  return inSubnet(a, b, Math.min(aPrefix, bPrefix));
}

/**
 * 02:42 then the address's last four bytes (of an IPv4 address: all of it): Docker's scheme for
 * container MACs (locally administered).
 */
export function macOf(address: Buffer): string {
  return ['02', '42', ...[...address.subarray(address.length - 4)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/**
 * The host end of the endpoint holding `address`: for IPv4 "nln" and the address in hex (11
 * characters); for IPv6 "nln6" and the address's last 44 bits in hex (15, the most a name holds).
 * Link names are unique in a namespace and subnets of one namespace do not overlap, so the kernel's
 * refusal of a taken name is the atomic claim on the address, across objects, threads and
 * processes. (Two IPv6 addresses equal in their last 44 bits share a name: the second is refused
 * as taken, never given out twice.)
 */
export function hostIfnameOf(address: Buffer): string {
  const hex = address.toString('hex');
  return address.length === 4 ? `nln${hex}` : `nln6${hex.slice(-11)}`;
}
