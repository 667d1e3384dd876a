// The container's routes: ipam.routes (a route without gw goes via the gateway of its family, as
// host-local's result and the bridge plugin's ConfigureIface have it) and, with isDefaultGateway,
// a default route per family via the network's gateway.
import type { NetConf } from './config';
import type { Allocation } from './host-local-allocator';

export interface ContainerRoute {
  dst: string;
  gw?: string;
}

const DEFAULT = { 4: '0.0.0.0/0', 6: '::/0' } as const;

export function containerRoutes(conf: NetConf, allocations: Allocation[]): ContainerRoute[] {
  const routes: ContainerRoute[] = conf.ipam.routes.map((r) => ({ dst: r.dst, ...(r.gw ? { gw: r.gw } : {}) }));
  if (conf.isDefaultGateway) {
    for (const a of allocations) {
      if (!routes.some((r) => r.dst === DEFAULT[a.family])) routes.push({ dst: DEFAULT[a.family], gw: a.gateway });
    }
  }
  return routes;
}

/** The gateway a result route without gw uses in the container: the first address's of its family. */
export function routeGateway(route: ContainerRoute, allocations: Allocation[]): string | undefined {
  if (route.gw) return route.gw;
  const v6 = route.dst.includes(':');
  return allocations.find((a) => (a.family === 6) === v6)?.gateway;
}
