// The nln-bridge CNI plugin driven through libcni (what containerd and podman call plugins with),
// inside a "node" namespace the test makes: results checked against the CNI spec, and traffic end
// to end (container -> gateway, container -> container, a published port from the node), IPv4 and
// IPv6 at once. GC and STATUS go through libcni's invoke (Debian's libcni predates them).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Netns } from '../../src/index';
import { ipJson } from '../helpers';
import { answerer, ask, closeServer, libcni, makePluginDir, withCniNamespaces, withTempDir } from '../cni-helpers';

const V4 = '198.18.40.0/24';
const V6 = 'fd00:198:18:40::/64';

function confList(dataDir: string, extra: Record<string, unknown> = {}, ipam: Record<string, unknown> = {}) {
  return {
    cniVersion: '1.0.0', name: 'nlnt-cni-net',
    plugins: [{
      type: 'nln-bridge', bridge: 'nlncni0', isGateway: true, isDefaultGateway: true, ipMasq: true, hairpinMode: true,
      capabilities: { portMappings: true }, dns: { nameservers: ['198.18.40.1'] }, ...extra,
      ipam: { type: 'host-local', ranges: [[{ subnet: V4 }], [{ subnet: V6 }]], dataDir, ...ipam },
    }],
  };
}

function base(dir: string, node: Netns, c: Netns, id: string) {
  return { pluginDirs: [makePluginDir(dir)], cacheDir: path.join(dir, 'cache'), containerID: id, netns: c.path ?? `/run/netns/${c.name}`, ifname: 'eth0' };
}

test('libcni: VERSION lists 0.4.0, 1.0.0, 1.1.0 and the config list validates', async () => {
  await withCniNamespaces(1, async (node) => withTempDir(async (dir) => {
    const version = await libcni(node, 'version', { pluginDirs: [makePluginDir(dir)], pluginType: 'nln-bridge' });
    assert.deepEqual(version.result.supportedVersions, ['0.4.0', '1.0.0', '1.1.0']);
    const valid = await libcni(node, 'validate', { pluginDirs: [makePluginDir(dir)], confList: confList(dir) });
    assert.equal(valid.error, undefined, JSON.stringify(valid.error));
    assert.deepEqual(valid.result, ['portMappings']);
  }));
});

test('libcni: ADD gives the spec result, traffic flows (gateway, container to container, published port, IPv6 at once), CHECK, DEL idempotent', async () => {
  await withCniNamespaces(3, async (node, c1, c2) => withTempDir(async (dir) => {
    const conf = confList(dir);
    const add1 = await libcni(node, 'add', { ...base(dir, node, c1, 'ctr-one'), confList: conf, portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] });
    assert.equal(add1.error, undefined, JSON.stringify(add1.error));
    const r = add1.result;
    assert.equal(r.cniVersion, '1.0.0');
    assert.deepEqual(r.interfaces.map((i: any) => i.name), ['nlncni0', r.interfaces[1].name, 'eth0']);
    assert.match(r.interfaces[1].name, /^veth[0-9a-f]{11}$/);
    assert.equal(r.interfaces[2].sandbox, `/run/netns/${c1.name}`);
    for (const i of r.interfaces) assert.match(i.mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    assert.deepEqual(r.ips, [
      { interface: 2, address: '198.18.40.2/24', gateway: '198.18.40.1' },
      { interface: 2, address: 'fd00:198:18:40::2/64', gateway: 'fd00:198:18:40::1' },
    ]);
    assert.deepEqual(r.routes, [{ dst: '0.0.0.0/0', gw: '198.18.40.1' }, { dst: '::/0', gw: 'fd00:198:18:40::1' }]);
    assert.deepEqual(r.dns, { nameservers: ['198.18.40.1'] });
    // The container as `ip` sees it: the result's MAC and addresses, no tentative IPv6 address.
    const [eth0] = await ipJson(c1.name, ['addr', 'show', 'eth0']);
    assert.equal(eth0.address, r.interfaces[2].mac);
    const global = eth0.addr_info.filter((a: any) => a.scope === 'global');
    assert.deepEqual(global.map((a: any) => `${a.local}/${a.prefixlen}`), ['198.18.40.2/24', 'fd00:198:18:40::2/64']);
    assert.ok(!global.some((a: any) => a.tentative), 'no address waits for DAD');
    const [hostEnd] = await ipJson(node.name, ['-d', 'link', 'show', r.interfaces[1].name]);
    assert.equal(hostEnd.linkinfo.info_slave_data.hairpin, true, 'hairpinMode');
    assert.equal(hostEnd.master, 'nlncni0');
    // The bridge made for this first pod took its port's MAC when the port joined: the result has that one.
    const [bridgeNow] = await ipJson(node.name, ['link', 'show', 'nlncni0']);
    assert.equal(r.interfaces[0].mac, bridgeNow.address);
    assert.equal(bridgeNow.address, hostEnd.address);
    const add2 = await libcni(node, 'add', { ...base(dir, node, c2, 'ctr-two'), confList: conf });
    assert.equal(add2.error, undefined, JSON.stringify(add2.error));
    assert.equal(add2.result.ips[0].address, '198.18.40.3/24');

    // Traffic, right after ADD: gateway, the other container (both families), the published port.
    const onNode = await answerer(node, 7000, 'node');
    const onC1 = await answerer(c1, 80, 'c1');
    const onC2 = await answerer(c2, 7001, 'c2');
    try {
      assert.equal(await ask(c1, '198.18.40.1', 7000), 'node 198.18.40.2');
      assert.equal(await ask(c1, 'fd00:198:18:40::1', 7000), 'node fd00:198:18:40::2');
      assert.equal(await ask(c1, '198.18.40.3', 7001), 'c2 198.18.40.2');
      assert.equal(await ask(c1, 'fd00:198:18:40::3', 7001), 'c2 fd00:198:18:40::2');
      assert.equal(await ask(node, '198.18.40.1', 8080), 'c1 198.18.40.1');
      assert.equal(await ask(node, 'fd00:198:18:40::1', 8080), 'c1 fd00:198:18:40::1');
      // From the other container through the node's port (DNAT on the bridge, answered back through it).
      assert.match(await ask(c2, '198.18.40.1', 8080), /^c1 /);
      // Hairpin: the container through its own published port reaches itself.
      assert.match(await ask(c1, '198.18.40.1', 8080), /^c1 /);
    } finally {
      for (const s of [onNode, onC1, onC2]) await closeServer(s);
    }

    const check = await libcni(node, 'check', { ...base(dir, node, c1, 'ctr-one'), confList: conf, portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] });
    assert.equal(check.error, undefined, JSON.stringify(check.error));
    // CHECK sees what changed behind the runtime's back.
    await c1.addresses.delete('eth0', '198.18.40.2/24');
    const broken = await libcni(node, 'check', { ...base(dir, node, c1, 'ctr-one'), confList: conf, portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] });
    assert.equal(broken.error?.code, 101);
    assert.match(broken.error!.msg, /lacks address 198\.18\.40\.2\/24/);

    const store = path.join(dir, 'nlnt-cni-net');
    assert.deepEqual(fs.readdirSync(store).sort(), ['198.18.40.2', '198.18.40.3', 'fd00:198:18:40::2', 'fd00:198:18:40::3', 'last_reserved_ip.0', 'last_reserved_ip.1', 'lock']);
    const del = await libcni(node, 'del', { ...base(dir, node, c1, 'ctr-one'), confList: conf, portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] });
    assert.equal(del.error, undefined, JSON.stringify(del.error));
    assert.deepEqual(fs.readdirSync(store).sort(), ['198.18.40.3', 'fd00:198:18:40::3', 'last_reserved_ip.0', 'last_reserved_ip.1', 'lock']);
    assert.equal((await ipJson(c1.name, ['link', 'show'])).filter((l: any) => l.ifname === 'eth0').length, 0);
    assert.equal((await ipJson(node.name, ['link', 'show', 'type', 'veth'])).length, 1);
    const rules = (await node.nft.listRules({ family: 'ip', table: 'nln-cni' })).map((x) => x.comment ?? '');
    assert.equal(rules.filter((c) => c.includes('198.18.40.2')).length, 0, 'the DNAT rule is gone');
    // Again, and after the namespace itself is gone: still success.
    assert.equal((await libcni(node, 'del', { ...base(dir, node, c1, 'ctr-one'), confList: conf })).error, undefined);
    await c2.delete();
    assert.equal((await libcni(node, 'del', { ...base(dir, node, c2, 'ctr-two'), confList: conf })).error, undefined);
    assert.deepEqual(fs.readdirSync(store).sort(), ['last_reserved_ip.0', 'last_reserved_ip.1', 'lock']);
    assert.equal((await ipJson(node.name, ['link', 'show', 'type', 'veth'])).length, 0);
  }));
});

test('libcni: ipMasq masquerades what leaves the network (IPv4 and IPv6) and nothing within it', async () => {
  await withCniNamespaces(3, async (node, c1, outside) => withTempDir(async (dir) => {
    // "Outside": a namespace on a link of the node's own, not the container network.
    await node.links.add({ kind: 'veth', name: 'up0', up: true, peer: { name: 'up0', netns: outside, up: true } });
    await node.addresses.add('up0', '198.19.40.1/30');
    await node.addresses.add('up0', 'fd00:198:19:40::1/64', { noDad: true });
    await outside.addresses.add('up0', '198.19.40.2/30');
    await outside.addresses.add('up0', 'fd00:198:19:40::2/64', { noDad: true });
    const added = await libcni(node, 'add', { ...base(dir, node, c1, 'masq'), confList: confList(dir) });
    assert.equal(added.error, undefined, JSON.stringify(added.error));
    const far = await answerer(outside, 7002, 'outside');
    const near = await answerer(node, 7003, 'node');
    try {
      assert.equal(await ask(c1, '198.19.40.2', 7002), 'outside 198.19.40.1');
      assert.equal(await ask(c1, 'fd00:198:19:40::2', 7002), 'outside fd00:198:19:40::1');
      assert.equal(await ask(c1, '198.18.40.1', 7003), 'node 198.18.40.2', 'not masqueraded inside the subnet');
    } finally {
      await closeServer(far);
      await closeServer(near);
    }
  }));
});
