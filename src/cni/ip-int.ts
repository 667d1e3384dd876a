// Addresses as integers, for walking an IPAM range (host-local's NextIP, Cmp and lastIP).
import { formatV6, type Family } from '../ip';

export const toInt = (bytes: Buffer): bigint => BigInt(`0x${bytes.toString('hex') || '0'}`);

export function fromInt(n: bigint, family: Family): Buffer {
  const len = family === 4 ? 4 : 16;
  return Buffer.from(n.toString(16).padStart(len * 2, '0'), 'hex');
}

/** The address as `ip` prints it (and as host-local names its files: Go's net.IP.String()). */
export const formatAddress = (bytes: Buffer): string => (bytes.length === 4 ? [...bytes].join('.') : formatV6(bytes));

export const intText = (n: bigint, family: Family): string => formatAddress(fromInt(n, family));

/** The subnet's last address; for IPv4 the one before the broadcast address (as host-local's default rangeEnd). */
export function lastUsable(network: bigint, prefixLength: number, family: Family): bigint {
  const bits = family === 4 ? 32 : 128;
  const last = network | ((1n << BigInt(bits - prefixLength)) - 1n);
  return family === 4 ? last - 1n : last;
}

/**
 * The IPv4 broadcast address of address/prefixLength, which the reference plugins set on every
 * IPv4 address they add (netlink's AddrAdd fills it in); none for IPv6, /31 or /32.
 */
export function broadcastOf(bytes: Buffer, prefixLength: number): string | undefined {
  if (bytes.length !== 4 || prefixLength > 30) return undefined;
  return intText(toInt(bytes) | ((1n << BigInt(32 - prefixLength)) - 1n), 4);
}
