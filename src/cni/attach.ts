// The container's veth: made in one request with its peer created inside the container's namespace
// (no move), the host end on the bridge and up, the peer up with its addresses (IPv6 with NODAD:
// usable at once) and routes.
import type { Link } from '../link/types';
import type { Netns } from '../netns';
import type { NetConf } from './config';
import type { Allocation } from './host-local-allocator';
import { type ContainerRoute, routeGateway } from './routes';

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
      addresses: o.allocations.map((a) => ({ cidr: `${a.address}/${a.prefixLength}`, ...(a.family === 6 ? { noDad: true } : {}) })),
      routes: o.routes.map((r) => { const gateway = routeGateway(r, o.allocations); return { dst: r.dst, ...(gateway ? { gateway } : {}) }; }),
    },
  });
  return { host, container: await container.links.get(o.ifname) };
}
