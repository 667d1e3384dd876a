// The reference bridge plugin's keys that shape the node side: forceAddress (a different address of
// the subnet on the bridge: refused without it, replaced with it), promiscMode, mtu, isGateway off.
// runCni in-process, acting in the test's node namespace (NLN_CNI_NODE_NETNS).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Netns } from '../../src/index';
import { runCni } from '../../src/cni/run';
import { ipJson } from '../helpers';
import { withCniNamespaces, withTempDir } from '../cni-helpers';

const conf = (dataDir: string, extra: Record<string, unknown> = {}) => JSON.stringify({
  cniVersion: '1.1.0', name: 'nlnt-cni-keys', type: 'nln-bridge', bridge: 'nlncni7', isGateway: true,
  ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.45.0/24' }]], dataDir }, ...extra,
});
const env = (node: Netns, c: Netns, id: string) => ({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: id, CNI_IFNAME: 'eth0', CNI_NETNS: `/run/netns/${c.name}`, NLN_CNI_NODE_NETNS: `/run/netns/${node.name}` });
const bridgeAddresses = async (node: Netns) => (await ipJson(node.name, ['addr', 'show', 'nlncni7']))[0].addr_info.filter((a: any) => a.family === 'inet').map((a: any) => `${a.local}/${a.prefixlen}`);

test('bridge keys: forceAddress, promiscMode, mtu; isGateway off leaves the bridge without an address', async () => {
  await withCniNamespaces(3, async (node, c1, c2) => withTempDir(async (dir) => {
    await node.links.add({ kind: 'bridge', name: 'nlncni7', up: true });
    await node.addresses.add('nlncni7', '198.18.45.99/24');
    const refused = await runCni({ env: env(node, c1, 'one'), stdin: conf(dir) });
    assert.equal(refused.exitCode, 1);
    assert.equal(JSON.parse(refused.stdout).code, 7);
    assert.match(JSON.parse(refused.stdout).msg, /already has an IP address different from 198\.18\.45\.1\/24: 198\.18\.45\.99\/24/);
    assert.deepEqual(await bridgeAddresses(node), ['198.18.45.99/24'], 'refused before touching the bridge');
    assert.equal((await ipJson(c1.name, ['link', 'show'])).length, 1, 'and before the container');

    const forced = await runCni({ env: env(node, c1, 'one'), stdin: conf(dir, { forceAddress: true, promiscMode: true, mtu: 1400 }) });
    assert.equal(forced.exitCode, 0, forced.stdout);
    assert.deepEqual(await bridgeAddresses(node), ['198.18.45.1/24']);
    const [bridge] = await ipJson(node.name, ['link', 'show', 'nlncni7']);
    assert.ok(bridge.flags.includes('PROMISC'), bridge.flags.join(','));
    assert.equal((await ipJson(c1.name, ['link', 'show', 'eth0']))[0].mtu, 1400);
    const hostEnd = JSON.parse(forced.stdout).interfaces[1].name;
    assert.equal((await ipJson(node.name, ['link', 'show', hostEnd]))[0].mtu, 1400);

    // A second network on its own bridge without isGateway: no address there, none in the result's routes.
    const plain = JSON.stringify({ ...JSON.parse(conf(dir)), name: 'nlnt-cni-keys2', bridge: 'nlncni8', isGateway: false, ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.46.0/24' }]], dataDir: dir } });
    const added = await runCni({ env: env(node, c2, 'two'), stdin: plain });
    assert.equal(added.exitCode, 0, added.stdout);
    assert.deepEqual(JSON.parse(added.stdout).routes, []);
    assert.deepEqual((await ipJson(node.name, ['addr', 'show', 'nlncni8']))[0].addr_info.filter((a: any) => a.scope !== 'link'), []);
    // GC of that network leaves the other network's veth on its bridge alone.
    const gc = await runCni({ env: { CNI_COMMAND: 'GC', NLN_CNI_NODE_NETNS: `/run/netns/${node.name}` }, stdin: JSON.stringify({ ...JSON.parse(plain), 'cni.dev/valid-attachments': [] }) });
    assert.equal(gc.exitCode, 0, gc.stdout);
    assert.deepEqual((await ipJson(node.name, ['link', 'show', 'type', 'veth'])).map((l: any) => l.ifname), [hostEnd]);
  }));
});
