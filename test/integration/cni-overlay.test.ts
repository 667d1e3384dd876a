// Two "nodes" (namespaces) joined by a VXLAN overlay over a veth underlay, each running nln-bridge
// (through libcni) with its own ranges, as a multi-host cluster network is built: a container on
// one node reaches a container on the other by its own address (routes via the overlay, no NAT),
// IPv4 and IPv6.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Netns } from '../../src/index';
import { ipJson } from '../helpers';
import { answerer, ask, closeServer, libcni, makePluginDir, withCniNamespaces, withTempDir } from '../cni-helpers';

interface NodeSpec { underlay: string; overlay4: string; overlay6: string; pods4: string; pods6: string }
const A: NodeSpec = { underlay: '198.19.255.1', overlay4: '198.18.254.1', overlay6: 'fd00:198:18:254::1', pods4: '198.18.50.0/24', pods6: 'fd00:198:18:50::/64' };
const B: NodeSpec = { underlay: '198.19.255.2', overlay4: '198.18.254.2', overlay6: 'fd00:198:18:254::2', pods4: '198.18.51.0/24', pods6: 'fd00:198:18:51::/64' };

/** The node's VXLAN device toward the other node, its overlay addresses and the routes to the other node's pods. */
async function overlay(node: Netns, self: NodeSpec, peer: NodeSpec): Promise<void> {
  await node.addresses.add('under0', `${self.underlay}/30`);
  await node.links.add({ kind: 'vxlan', name: 'vx0', vni: 42, local: self.underlay, remote: peer.underlay, port: 4789, dev: 'under0', mtu: 1450, up: true });
  await node.addresses.add('vx0', `${self.overlay4}/24`);
  await node.addresses.add('vx0', `${self.overlay6}/64`, { noDad: true });
  await node.routes.add({ dst: peer.pods4, gateway: peer.overlay4 });
  await node.routes.add({ dst: peer.pods6, gateway: peer.overlay6 });
}

const confList = (dataDir: string, self: NodeSpec) => ({
  cniVersion: '1.0.0', name: 'nlnt-cni-overlay',
  plugins: [{
    type: 'nln-bridge', bridge: 'nlncni5', isDefaultGateway: true, mtu: 1450,
    ipam: { type: 'host-local', ranges: [[{ subnet: self.pods4 }], [{ subnet: self.pods6 }]], dataDir },
  }],
});

test('two nodes over a VXLAN overlay: containers on different nodes reach each other by their own addresses', async () => {
  await withCniNamespaces(4, async (nodeA, nodeB, cA, cB) => withTempDir(async (dir) => {
    await nodeA.links.add({ kind: 'veth', name: 'under0', up: true, peer: { name: 'under0', netns: nodeB, up: true } });
    await overlay(nodeA, A, B);
    await overlay(nodeB, B, A);
    const add = async (node: Netns, c: Netns, self: NodeSpec, id: string) => {
      const r = await libcni(node, 'add', {
        pluginDirs: [makePluginDir(dir)], cacheDir: path.join(dir, id, 'cache'), confList: confList(path.join(dir, id), self),
        containerID: id, netns: `/run/netns/${c.name}`, ifname: 'eth0',
      });
      assert.equal(r.error, undefined, JSON.stringify(r.error));
      return r.result.ips.map((ip: any) => ip.address.split('/')[0]) as string[];
    };
    const [a4, a6] = await add(nodeA, cA, A, 'pod-a');
    const [b4, b6] = await add(nodeB, cB, B, 'pod-b');
    assert.deepEqual([a4, b4], ['198.18.50.2', '198.18.51.2']);
    const onA = await answerer(cA, 9000, 'pod-a');
    const onB = await answerer(cB, 9000, 'pod-b');
    try {
      assert.equal(await ask(cA, b4, 9000), `pod-b ${a4}`);
      assert.equal(await ask(cB, a4, 9000), `pod-a ${b4}`);
      assert.equal(await ask(cA, b6, 9000), `pod-b ${a6}`);
      assert.equal(await ask(cB, a6, 9000), `pod-a ${b6}`);
    } finally {
      await closeServer(onA);
      await closeServer(onB);
    }
    // It went through the overlay: the VXLAN device carried it, the container's MTU leaves room for its header.
    const [vx] = await ipJson(nodeA.name, ['-s', 'link', 'show', 'vx0']);
    assert.ok(vx.stats64.tx.packets > 0 && vx.stats64.rx.packets > 0, JSON.stringify(vx.stats64));
    assert.equal((await ipJson(cA.name, ['link', 'show', 'eth0']))[0].mtu, 1450);
  }));
});
