// CHECK: the container's network is still as prevResult (the chain's result) says: our interface
// up in the container with its addresses and routes, its host end on the bridge, the addresses
// held in the store, and a DNAT rule for each port mapping. Any difference is code 101, saying what.
import type { Netns } from '../netns';
import { parseCidr } from '../ip';
import type { NetConf } from './config';
import type { CniEnv } from './env';
import { CNI_ERR, CniError, badConfig } from './errors';
import { HostLocalStore } from './host-local-store';
import type { Allocation } from './host-local-allocator';
import { listNat } from './nat';
import { unless } from './netlink-errors';
import { openContainer } from './container-netns';
import type { CniInterface, CniIp } from './result';
import { containerRoutes, routeGateway } from './routes';
import { attachmentTag, hostVethName } from './tags';

const failed = (msg: string) => new CniError(CNI_ERR.checkFailed, msg);

/** Our addresses in prevResult: those on the interface named CNI_IFNAME in the container. */
function ourIps(conf: NetConf, env: CniEnv): Allocation[] {
  const prev = conf.prevResult!;
  const interfaces = Array.isArray(prev.interfaces) ? (prev.interfaces as CniInterface[]) : [];
  const index = interfaces.findIndex((i) => i?.name === env.ifname && (i.sandbox === undefined || i.sandbox === env.netns));
  if (index < 0) throw failed(`prevResult has no interface ${env.ifname} in ${env.netns}`);
  const ips = Array.isArray(prev.ips) ? (prev.ips as CniIp[]) : [];
  return ips.filter((ip) => ip?.interface === index).map((ip) => {
    let c;
    try {
      c = parseCidr('prevResult.ips[].address', ip.address);
    } catch (err) {
      throw badConfig((err as Error).message);
    }
    return { family: c.family, address: c.address, prefixLength: c.prefixLength, subnet: '', gateway: ip.gateway ?? '', rangeSet: 0 };
  });
}

async function checkContainer(container: Netns, env: CniEnv, conf: NetConf, ips: Allocation[]): Promise<void> {
  const link = await unless(['ENODEV'], () => container.links.get(env.ifname));
  if (!link) throw failed(`interface ${env.ifname} is not in the container's namespace`);
  if (!link.up) throw failed(`interface ${env.ifname} is down`);
  const have = await container.addresses.list({ link: link.index });
  for (const ip of ips) {
    if (!have.some((a) => a.address === ip.address && a.prefixLength === ip.prefixLength)) throw failed(`${env.ifname} lacks address ${ip.address}/${ip.prefixLength}`);
  }
  const routes = await container.routes.list();
  for (const r of containerRoutes(conf, ips)) {
    const gw = routeGateway(r, ips);
    const dst = r.dst.endsWith('/0') ? 'default' : r.dst;
    if (!routes.some((x) => (x.dst === dst || x.dst === r.dst) && (gw === undefined || x.gateway === gw))) throw failed(`the container has no route to ${r.dst}${gw ? ` via ${gw}` : ''}`);
  }
}

export async function cmdCheck(node: Netns, env: CniEnv, conf: NetConf): Promise<void> {
  if (!conf.prevResult) throw badConfig('CHECK needs prevResult (the result of the ADD being checked)');
  const ips = ourIps(conf, env);
  const container = await openContainer(env.netns!, CNI_ERR.unknownContainer);
  try {
    await checkContainer(container, env, conf, ips);
  } finally {
    await container.close();
  }
  const hostName = hostVethName(conf.name, env.containerId, env.ifname);
  const host = await unless(['ENODEV'], () => node.links.get(hostName));
  const bridge = await unless(['ENODEV'], () => node.links.get(conf.bridge));
  if (!bridge) throw failed(`bridge ${conf.bridge} is gone`);
  if (!host || host.master !== bridge.index) throw failed(`the host end ${hostName} is not on bridge ${conf.bridge}`);
  const store = new HostLocalStore(conf.ipam.dataDir, conf.name);
  const held = new Set(store.view().of(env.containerId, env.ifname).map((a) => a.ip));
  for (const ip of ips) if (!held.has(ip.address)) throw failed(`the IPAM store does not hold ${ip.address} for this container`);
  if (conf.portMappings.length) {
    const tag = attachmentTag(conf.name, env.containerId, env.ifname);
    const flows = (await listNat(node)).filter((r) => r.attachment === tag && r.flow);
    for (const m of conf.portMappings) {
      if (!flows.some((r) => r.flow!.protocol === m.protocol && r.flow!.hostPort === m.hostPort)) throw failed(`no DNAT rule for ${m.protocol} port ${m.hostPort}`);
    }
  }
}
