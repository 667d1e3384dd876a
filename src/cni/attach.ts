// The container's veth: made in one request with its peer created inside the container's namespace
// (no move), the host end on the bridge and up, the peer up with its addresses (IPv6 with NODAD:
// usable at once) and routes.
import { parseAddress } from '../ip';
import type { Link } from '../link/types';
import { broadcastOf } from './ip-int';
import type { Netns } from '../netns';
import type { NetConf } from './config';
import type { Allocation } from './host-local-allocator';
import { type ContainerRoute, routeGateway } from './routes';

/** IPv4 with its broadcast address, IPv6 with NODAD (usable at once, not after duplicate address detection). */
export function addressOptions(a: Allocation, address = a.address): { cidr: string; noDad?: boolean; broadcast?: string } {
  const cidr = `${address}/${a.prefixLength}`;
  if (a.family === 6) return { cidr, noDad: true };
  const broadcast = broadcastOf(parseAddress('address', address).bytes, a.prefixLength);
  return { cidr, ...(broadcast ? { broadcast } : {}) };
}

export interface Attached {
  host: Link;
  container: Link;
}

export async function attachVeth(node: Netns, container: Netns, conf: NetConf, o: { hostName: string; ifname: string; alias: string; allocations: Allocation[]; routes: ContainerRoute[] }): Promise<Attached> {
  const mtu = conf.mtu ? { mtu: conf.mtu } : {};
  const host = await node.links.add({
    kind: 'veth', name: o.hostName, master: conf.bridge, up: true, alias: o.alias, ...mtu,
    ...(conf.hairpinMode ? { bridgePort: { hairpin: true } } : {}),
    peer: {
      name: o.ifname, netns: container, up: true, ...mtu,
      addresses: o.allocations.map((a) => addressOptions(a)),
      routes: o.routes.map((r) => { const gateway = routeGateway(r, o.allocations); return { dst: r.dst, ...(gateway ? { gateway } : {}) }; }),
    },
  });
  return { host, container: await container.links.get(o.ifname) };
}
