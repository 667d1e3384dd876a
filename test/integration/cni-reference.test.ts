// The same network config through the reference chain (bridge + host-local, then portmap, from
// /usr/lib/cni) and through nln-bridge, each in a node namespace of its own, driven by libcni:
// the container sees the same thing (`ip -j addr` / `ip -j route`, with what differs by nature —
// MACs, link-local addresses, ifindexes, address flags — left out) and the same things are reachable.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Netns } from '../../src/index';
import { ipJson } from '../helpers';
import { answerer, ask, closeServer, libcni, makePluginDir, REFERENCE_DIR, withCniNamespaces, withTempDir } from '../cni-helpers';

const bridgeKeys = { bridge: 'nlncni3', isGateway: true, isDefaultGateway: true, ipMasq: true, hairpinMode: true, mtu: 1400 };
const ipam = (dataDir: string) => ({ type: 'host-local', ranges: [[{ subnet: '198.18.43.0/24', rangeStart: '198.18.43.20' }], [{ subnet: 'fd00:198:18:43::/64' }]], routes: [{ dst: '198.19.0.0/16' }], dataDir });

const referenceList = (dataDir: string) => ({
  cniVersion: '1.0.0', name: 'nlnt-cni-ref',
  plugins: [{ type: 'bridge', ...bridgeKeys, ipam: ipam(dataDir) }, { type: 'portmap', capabilities: { portMappings: true }, snat: true }],
});
const oursList = (dataDir: string) => ({
  cniVersion: '1.0.0', name: 'nlnt-cni-ref',
  plugins: [{ type: 'nln-bridge', ...bridgeKeys, capabilities: { portMappings: true }, ipam: ipam(dataDir) }],
});

/** What a container's user sees, without what differs by nature between two runs. */
async function containerView(c: Netns): Promise<unknown> {
  const links = (await ipJson(c.name, ['addr'])).map((l: any) => ({
    ifname: l.ifname, mtu: l.mtu, operstate: l.operstate, flags: l.flags,
    addresses: l.addr_info.filter((a: any) => a.scope !== 'link').map((a: any) => ({ family: a.family, local: a.local, prefixlen: a.prefixlen, scope: a.scope, broadcast: a.broadcast })),
  }));
  const routes = async (family: string) => (await ipJson(c.name, [family, 'route'])).map((r: any) => ({ dst: r.dst, gateway: r.gateway, dev: r.dev, protocol: r.protocol, scope: r.scope, prefsrc: r.prefsrc, metric: r.metric, flags: r.flags }));
  return { links, routes4: await routes('-4'), routes6: (await routes('-6')).filter((r: any) => !r.dst.startsWith('fe80')) };
}

async function reachability(node: Netns, c: Netns): Promise<string[]> {
  const onNode = await answerer(node, 7000, 'node');
  const onC = await answerer(c, 80, 'c');
  try {
    return [
      await ask(c, '198.18.43.1', 7000), await ask(c, 'fd00:198:18:43::1', 7000),
      await ask(node, '198.18.43.1', 8080), await ask(node, 'fd00:198:18:43::1', 8080),
    ];
  } finally {
    await closeServer(onNode);
    await closeServer(onC);
  }
}

test('the reference bridge+host-local+portmap chain and nln-bridge: the same container view and reachability', async () => {
  await withCniNamespaces(4, async (refNode, refC, ourNode, ourC) => withTempDir(async (dir) => {
    const pm = [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }];
    const run = async (node: Netns, c: Netns, list: object, sub: string) => {
      const req = { pluginDirs: [makePluginDir(dir), REFERENCE_DIR], cacheDir: path.join(dir, sub, 'cache'), confList: list, containerID: 'same', netns: `/run/netns/${c.name}`, ifname: 'eth0', portMappings: pm };
      const added = await libcni(node, 'add', req);
      assert.equal(added.error, undefined, `${sub}: ${JSON.stringify(added.error)}`);
      return { req, result: added.result };
    };
    const ref = await run(refNode, refC, referenceList(path.join(dir, 'ref')), 'ref');
    const ours = await run(ourNode, ourC, oursList(path.join(dir, 'ours')), 'ours');
    // The results agree on what the runtime uses: addresses, gateways, routes, the container interface.
    const shape = (r: any) => ({ ips: r.ips, routes: r.routes, container: { ...r.interfaces[r.ips[0].interface], mac: undefined, sandbox: r.interfaces[r.ips[0].interface].sandbox.startsWith('/run/netns/nlnt-cni-') } });
    assert.deepEqual(shape(ours.result), shape(ref.result));
    assert.deepEqual(await containerView(ourC), await containerView(refC));
    const seen = await reachability(ourNode, ourC);
    assert.deepEqual(seen, await reachability(refNode, refC));
    assert.deepEqual(seen, ['node 198.18.43.20', 'node fd00:198:18:43::2', 'c 198.18.43.1', 'c fd00:198:18:43::1']);
    // (The reference bridge's own CHECK fails on an ipam route without gw: it looks for the route with no gateway.)
    assert.equal((await libcni(ourNode, 'check', ours.req)).error, undefined);
    for (const [node, r] of [[refNode, ref], [ourNode, ours]] as const) assert.equal((await libcni(node, 'del', r.req)).error, undefined);
    assert.deepEqual(await ipJson(ourC.name, ['-4', 'route']), await ipJson(refC.name, ['-4', 'route']));
  }));
});
