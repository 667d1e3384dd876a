// ADD: an address from each range set, the bridge, the veth into the container, the NAT rules.
// A step that fails undoes the steps before it (and only those), newest first.
import type { Netns } from '../netns';
import { openContainer } from './container-netns';
import type { NetConf } from './config';
import type { CniEnv } from './env';
import { CNI_ERR } from './errors';
import { allocate, requestedIps } from './host-local-allocator';
import { HostLocalStore } from './host-local-store';
import { attachVeth } from './attach';
import { bridgeNow, ensureBridge } from './bridge';
import { addNat, listNat, removeNat } from './nat';
import { unless } from './netlink-errors';
import { buildResult, type CniResult } from './result';
import { containerRoutes } from './routes';
import { attachmentTag, hostVethName, marker } from './tags';

export async function cmdAdd(node: Netns, env: CniEnv, conf: NetConf): Promise<CniResult> {
  const { containerId, ifname } = env;
  const requested = requestedIps(env.args);
  const container = await openContainer(env.netns!, CNI_ERR.invalidEnv);
  const store = new HostLocalStore(conf.ipam.dataDir, conf.name);
  const undo: Array<() => Promise<unknown>> = [];
  try {
    const allocations = await store.locked((view) => allocate(view, conf.ipam.rangeSets, containerId, ifname, requested));
    undo.push(() => store.locked((view) => { for (const a of allocations) view.release(a.address); }));
    const bridgeIndex = await ensureBridge(node, conf, allocations);
    const routes = containerRoutes(conf, allocations);
    const hostName = hostVethName(conf.name, containerId, ifname);
    const mark = marker(conf.name, containerId, ifname);
    const attached = await attachVeth(node, container, conf, { hostName, ifname, alias: mark, allocations, routes });
    undo.push(() => unless(['ENODEV'], () => node.links.delete(hostName)));
    const tag = attachmentTag(conf.name, containerId, ifname);
    undo.push(async () => removeNat(node, (await listNat(node)).filter((r) => r.attachment === tag)));
    const [read, nat] = await Promise.allSettled([
      bridgeNow(node, bridgeIndex),
      addNat(node, mark, allocations.map((a) => ({ family: a.family, address: a.address, subnet: a.subnet })), conf.portMappings, conf.ipMasq),
    ]);
    if (nat.status === 'rejected') throw nat.reason;
    if (read.status === 'rejected') throw read.reason;
    const bridge = read.value;
    return buildResult(conf, {
      bridge: { name: bridge.name, ...(bridge.mac ? { mac: bridge.mac } : {}) },
      host: { name: attached.host.name, ...(attached.host.mac ? { mac: attached.host.mac } : {}) },
      container: { name: ifname, ...(attached.container.mac ? { mac: attached.container.mac } : {}), sandbox: env.netns! },
      allocations, routes,
    });
  } catch (err) {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch {
        // The failure the caller sees is the ADD's; an undo step that fails too leaves what DEL removes.
      }
    }
    throw err;
  } finally {
    await container.close();
  }
}
