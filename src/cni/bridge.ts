// The node side the bridge plugin prepares before any container: the bridge (made when absent),
// its gateway addresses (isGateway) and forwarding. Concurrent ADDs race here, so each step takes
// "already exists" as done; the daemon's concurrent ADDs of one network share a check (shared-run.ts).
import type { Link } from '../link/types';
import type { Netns } from '../netns';
import { parseCidr, networkOf } from '../ip';
import type { Allocation } from './host-local-allocator';
import type { NetConf } from './config';
import { badConfig } from './errors';
import { isCode, unless } from './netlink-errors';
import { addressOptions } from './attach';
import { SharedRuns } from './shared-run';

async function ensureBridgeLink(node: Netns, conf: NetConf): Promise<Link> {
  let link = await unless(['ENODEV'], () => node.links.get(conf.bridge));
  if (!link) {
    await unless(['EEXIST'], () => node.links.add({ kind: 'bridge', name: conf.bridge, up: true, ...(conf.mtu ? { mtu: conf.mtu } : {}), ...(conf.promiscMode ? { promisc: true } : {}) }));
    link = await node.links.get(conf.bridge);
  }
  if (link.kind !== 'bridge') throw badConfig(`${conf.bridge} already exists but is not a bridge (kind ${link.kind ?? 'none'})`);
  const promisc = link.flags.includes('PROMISC');
  if (!link.up || (conf.promiscMode && !promisc)) await node.links.set(conf.bridge, { up: true, ...(conf.promiscMode ? { promisc: true } : {}) });
  return link;
}

/** The gateway address on the bridge; a different address of that subnet is replaced only with forceAddress, as the bridge plugin does. */
async function ensureGateway(node: Netns, conf: NetConf, link: Link, a: Allocation): Promise<void> {
  const want = parseCidr('gateway', `${a.gateway}/${a.prefixLength}`);
  const subnet = networkOf(want.bytes, a.prefixLength);
  for (const have of await node.addresses.list({ link: link.index, family: a.family })) {
    if (have.address === want.address && have.prefixLength === a.prefixLength) return;
    const h = parseCidr('address', have.address);
    if (have.scope === 'link' || !networkOf(h.bytes, a.prefixLength).equals(subnet)) continue;
    if (!conf.forceAddress) throw badConfig(`${conf.bridge} already has an IP address different from ${a.gateway}/${a.prefixLength}: ${have.address}/${have.prefixLength} (forceAddress replaces it)`);
    await unless(['EADDRNOTAVAIL'], () => node.addresses.delete(link.index, `${have.address}/${have.prefixLength}`));
  }
  try {
    const { cidr, ...options } = addressOptions(a, a.gateway);
    await node.addresses.add(link.index, cidr, options);
  } catch (err) {
    if (!isCode(err, 'EEXIST')) throw err;
  }
}

async function ensureForwarding(node: Netns, allocations: Allocation[]): Promise<void> {
  const keys = new Set(allocations.map((a) => (a.family === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding')));
  for (const key of keys) if ((await node.sysctl.get(key)).trim() !== '1') await node.sysctl.set(key, 1);
}

const checks = new SharedRuns<number>();

/** The bridge ready for ports (made if absent, its gateway addresses, forwarding): its index. */
export function ensureBridge(node: Netns, conf: NetConf, allocations: Allocation[]): Promise<number> {
  // Everything the check reads of the call: calls that agree on it share a run.
  const key = JSON.stringify([node.inode, conf.bridge, conf.mtu, conf.promiscMode, conf.isGateway, conf.forceAddress, allocations.map((a) => [a.family, a.gateway, a.prefixLength])]);
  return checks.run(key, () => ensureBridgeNow(node, conf, allocations));
}

async function ensureBridgeNow(node: Netns, conf: NetConf, allocations: Allocation[]): Promise<number> {
  // Forwarding is independent of the bridge: checked meanwhile.
  const [bridge, forwarding] = await Promise.allSettled([
    (async () => {
      const link = await ensureBridgeLink(node, conf);
      if (conf.isGateway) for (const a of allocations) await ensureGateway(node, conf, link, a);
      return link.index;
    })(),
    ensureForwarding(node, allocations),
  ]);
  if (bridge.status === 'rejected') throw bridge.reason;
  if (forwarding.status === 'rejected') throw forwarding.reason;
  return bridge.value;
}

const readings = new SharedRuns<Link>();

/**
 * The bridge as it is once the caller's port joined it, for the result: a bridge whose address was
 * never set takes its ports' lowest MAC (the reference plugin reads it again for that). Concurrent
 * callers share a reading that starts after they ask.
 */
export function bridgeNow(node: Netns, index: number): Promise<Link> {
  return readings.run(`${node.inode} ${index}`, () => node.links.get(index));
}
