// IPv4 arithmetic a BridgeNetwork needs: host addresses of a subnet, overlap, and the names and
// MACs derived from an address (so that claiming a name claims the address, in the kernel).

const maskOf = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/** The n-th address of the network `net` (masked to `prefix` when given). */
export function hostAddress(net: Buffer, n: number, prefix?: number): string {
  const base = net.readUInt32BE(0);
  const masked = prefix === undefined ? base : (base & maskOf(prefix)) >>> 0;
  const v = (masked + n) >>> 0;
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

export function inSubnet(a: Buffer, net: Buffer, prefix: number): boolean {
  return ((a.readUInt32BE(0) & maskOf(prefix)) >>> 0) === ((net.readUInt32BE(0) & maskOf(prefix)) >>> 0);
}

/** Two prefixes overlap when one contains the other. */
export function overlaps(a: Buffer, aPrefix: number, b: Buffer, bPrefix: number): boolean {
  return inSubnet(a, b, Math.min(aPrefix, bPrefix));
}

/** 02:42 then the IPv4 address's four bytes: Docker's scheme for container MACs (locally administered). */
export function macOf(address: string): string {
  return ['02', '42', ...address.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':');
}

/**
 * The host end of the endpoint holding `address`: "nln" and the address in hex (11 characters). Link
 * names are unique in a namespace and subnets of one namespace do not overlap, so the kernel's
 * refusal of a taken name is the atomic claim on the address, across objects, threads and processes.
 */
export function hostIfnameOf(address: string): string {
  return `nln${address.split('.').map((b) => Number(b).toString(16).padStart(2, '0')).join('')}`;
}
