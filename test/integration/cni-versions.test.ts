// cniVersion negotiation and chaining, through libcni: a 0.4.0 config gets a 0.4.0 result (ips with
// "version"), and nln-bridge chained after another plugin (the reference loopback) returns the
// chain's result with its own interfaces appended and CHECKs against the chain's final result.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Netns } from '../../src/index';
import { libcni, makePluginDir, REFERENCE_DIR, withCniNamespaces, withTempDir } from '../cni-helpers';

const plugin = (dataDir: string) => ({
  type: 'nln-bridge', bridge: 'nlncni6', isGateway: true,
  ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.44.0/24' }], [{ subnet: 'fd00:198:18:44::/64' }]], dataDir },
});

const request = (dir: string, c: Netns, confList: object) => ({
  pluginDirs: [makePluginDir(dir), REFERENCE_DIR], cacheDir: path.join(dir, 'cache'), confList, containerID: 'versions', netns: `/run/netns/${c.name}`, ifname: 'eth0',
});

test('cniVersion 0.4.0: the result in 0.4.0 form, CHECK and DEL', async () => {
  await withCniNamespaces(2, async (node, c) => withTempDir(async (dir) => {
    const req = request(dir, c, { cniVersion: '0.4.0', name: 'nlnt-cni-v040', plugins: [plugin(dir)] });
    const added = await libcni(node, 'add', req);
    assert.equal(added.error, undefined, JSON.stringify(added.error));
    assert.equal(added.result.cniVersion, '0.4.0');
    assert.deepEqual(added.result.ips, [
      { version: '4', interface: 2, address: '198.18.44.2/24', gateway: '198.18.44.1' },
      { version: '6', interface: 2, address: 'fd00:198:18:44::2/64', gateway: 'fd00:198:18:44::1' },
    ]);
    assert.equal((await libcni(node, 'check', req)).error, undefined);
    assert.equal((await libcni(node, 'del', req)).error, undefined);
  }));
});

test('chained after loopback: prevResult kept first, our interface indexes shifted, CHECK finds eth0 in the final result', async () => {
  await withCniNamespaces(2, async (node, c) => withTempDir(async (dir) => {
    const req = request(dir, c, { cniVersion: '1.0.0', name: 'nlnt-cni-chain', plugins: [{ type: 'loopback' }, plugin(dir)] });
    const added = await libcni(node, 'add', req);
    assert.equal(added.error, undefined, JSON.stringify(added.error));
    const r = added.result;
    assert.deepEqual(r.interfaces.map((i: any) => i.name), ['lo', 'nlncni6', r.interfaces[2].name, 'eth0']);
    assert.deepEqual(r.ips.map((ip: any) => [ip.address, ip.interface]), [
      ['127.0.0.1/8', 0], ['::1/128', 0], ['198.18.44.2/24', 3], ['fd00:198:18:44::2/64', 3],
    ]);
    assert.equal((await libcni(node, 'check', req)).error, undefined);
    assert.equal((await libcni(node, 'del', req)).error, undefined);
  }));
});
