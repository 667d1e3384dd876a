// Containers die without detach; many leave at once; networks are listed and pruned from kernel
// state alone (also through `nln network ls|prune`).
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BridgeNetwork, Netns } from '../../src/index';
import { deleteLeftNamespaces, exchange, ipJson, sh, uniqueName, wireClient, withCleanup, withNamespaces } from '../helpers';

const nln = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');
const cli = (...args: string[]) => promisify(execFile)(process.execPath, [nln, ...args]).then((r) => r.stdout);

/** Waits until the host end of an endpoint whose namespace died is gone (the kernel tears it down afterwards). */
async function linkGone(host: Netns, name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (!(await host.links.list()).some((l) => l.name === name)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${name} still there`);
}

/** A named container namespace the test deletes itself (`ip netns del`, as a user would). */
async function container(made: string[]): Promise<Netns> {
  const ns = await Netns.create(uniqueName('c'));
  made.push(ns.name!);
  return ns;
}

describe('BridgeNetwork: dead containers, many at once, listing', () => {
  it('a container deleted without detach: its mapping keeps its address from reuse until detach or prune, then a newcomer gets none of its traffic', async () => {
    const made: string[] = [];
    await withNamespaces(2, async (host, client) => {
      await withCleanup(async () => {
        const net = await BridgeNetwork.create({ netns: host, bridge: 'br0', subnet: '198.18.0.0/24' });
        await wireClient(client, host);
        // c1 dies with its veth (namespace deleted, no handle left).
        const c1 = await container(made);
        const e1 = await net.attach(c1);
        await net.publish({ endpoint: e1, hostPort: 1234, port: 8080 });
        await sh('ip', ['netns', 'del', c1.name!]);
        await c1.close();
        await linkGone(host, e1.hostIfname);
        assert.deepEqual((await net.ports()).map((m) => [m.address, m.netns]), [[e1.address, c1.name]]);
        // Its address is not handed out while the mapping points at it.
        const c2 = await container(made);
        assert.equal((await net.attach(c2)).address, '198.18.0.3');
        // detach by name works without the namespace, and takes the mapping.
        await net.detach(c1.name!);
        assert.deepEqual(await net.ports(), []);

        // c3 is deleted by name while a handle keeps it (and its veth) alive: prune finds it.
        const c3 = await container(made);
        const e3 = await net.attach(c3);
        assert.equal(e3.address, '198.18.0.2');
        await net.publish({ endpoint: e3, hostPort: 1234, port: 8080 });
        await sh('ip', ['netns', 'del', c3.name!]);
        assert.ok((await host.links.list()).some((l) => l.name === e3.hostIfname));
        const pruned = await net.prune();
        assert.deepEqual(pruned.map((e) => [e.netns, e.address]), [[c3.name, '198.18.0.2']]);
        assert.deepEqual(await net.ports(), []);
        assert.ok(!(await host.links.list()).some((l) => l.name === e3.hostIfname));
        await c3.close();

        // c4 gets the address later: the old port does not reach it; republishing does.
        const c4 = await container(made);
        const e4 = await net.attach(c4);
        assert.equal(e4.address, '198.18.0.2');
        const server = await c4.listen({ port: 8080 }, (s) => s.on('data', (d) => s.end(`c4:${d}`)));
        try {
          await assert.rejects(exchange(client, '10.0.0.1', 1234), /ECONNREFUSED|ETIMEDOUT/);
          await net.publish({ endpoint: e4, hostPort: 1234, port: 8080 });
          assert.equal(await exchange(client, '10.0.0.1', 1234), 'c4:ping');
        } finally {
          server.close();
        }
        // prune also removes mappings pointing at an address nobody holds.
        const c5 = await container(made);
        const e5 = await net.attach(c5);
        await net.publish({ endpoint: e5, hostPort: 5555, port: 80 });
        await sh('ip', ['netns', 'del', c5.name!]);
        await c5.close();
        await linkGone(host, e5.hostIfname);
        assert.deepEqual(await net.prune(), []);
        assert.deepEqual((await net.ports()).map((m) => m.hostPort), [1234]);
        await net.delete();
      }, () => deleteLeftNamespaces(made));
    });
  });

  it('a mapping another object (or process) made keeps its address from this object\'s next attach', async () => {
    const made: string[] = [];
    await withNamespaces(1, async (host) => {
      await withCleanup(async () => {
        const mine = await BridgeNetwork.create({ netns: host, bridge: 'br0', subnet: '198.18.0.0/24' });
        const other = await BridgeNetwork.open('br0', { netns: host });
        // This object has read the mappings (none) at the ruleset's current generation.
        assert.equal((await mine.attach(await container(made))).address, '198.18.0.2');
        // Another object attaches and publishes; its container then dies without detach.
        const c = await container(made);
        const e = await other.attach(c);
        assert.equal(e.address, '198.18.0.3');
        await other.publish({ endpoint: e, hostPort: 1234, port: 80 });
        await sh('ip', ['netns', 'del', c.name!]);
        await c.close();
        await linkGone(host, e.hostIfname);
        // The generation moved under this object: it reads the mappings again and skips .3.
        assert.equal((await mine.attach(await container(made))).address, '198.18.0.4');
      }, () => deleteLeftNamespaces(made));
    });
  });

  it('detach of 50 endpoints and detachAll: one group request, their mappings gone', async () => {
    await withNamespaces(1, async (host) => {
      const net = await BridgeNetwork.create({ netns: host, bridge: 'br0', subnet: '198.18.0.0/24' });
      const containers = await Promise.all(Array.from({ length: 70 }, () => Netns.create()));
      await withCleanup(async () => {
        const endpoints = await Promise.all(containers.map((c) => net.attach(c)));
        for (const [i, e] of endpoints.entries()) await net.publish({ endpoint: e, hostPort: 20000 + i, port: 80 });
        const fifty = endpoints.slice(0, 50);
        // One request for all of them (their time is bench/'s to show: one by one, each veth costs
        // an RCU wait of 16–20 ms).
        await net.detach(fifty);
        const left = (await ipJson(host.name, ['link', 'show'])).map((l) => l.ifname as string);
        for (const e of fifty) assert.ok(!left.includes(e.hostIfname), e.hostIfname);
        assert.equal(left.length, 2 + 20);
        assert.deepEqual((await net.ports()).map((m) => m.address).sort(), endpoints.slice(50).map((e) => e.address).sort());
        assert.equal((await host.nft.listChains({ family: 'ip', table: 'nln-br0' })).filter((c) => c.name.startsWith('p-')).length, 20);
        await net.detachAll();
        assert.deepEqual((await ipJson(host.name, ['link', 'show'])).map((l) => l.ifname).sort(), ['br0', 'lo']);
        assert.deepEqual(await net.ports(), []);
        assert.deepEqual(await net.endpoints(), []);
        await net.delete();
      }, () => Promise.all(containers.map((c) => c.close())));
    });
  });

  it('BridgeNetwork.list and `nln network ls|prune` find the networks from the kernel', async () => {
    const made: string[] = [];
    await withNamespaces(1, async (host) => {
      await withCleanup(async () => {
        await BridgeNetwork.create({ netns: host, bridge: 'brA', subnet: '198.18.1.0/24' });
        await BridgeNetwork.create({ netns: host, bridge: 'brB', subnet: '198.18.2.0/24', firewall: 'iptables' });
        await sh('ip', ['-n', host.name!, 'link', 'add', 'plain', 'type', 'bridge']);
        const nets = await BridgeNetwork.list({ netns: host });
        assert.deepEqual(nets.map((n) => [n.bridge, n.subnet, n.firewall.kind]).sort(), [['brA', '198.18.1.0/24', 'nftables'], ['brB', '198.18.2.0/24', 'iptables']]);
        const c1 = await container(made);
        await nets.find((n) => n.bridge === 'brB')!.attach(c1);
        const ls = JSON.parse(await cli('-n', host.name!, '-j', 'network', 'ls'));
        assert.deepEqual(ls.map((n: { bridge: string; endpoints: number }) => [n.bridge, n.endpoints]).sort(), [['brA', 0], ['brB', 1]]);
        assert.match(await cli('-n', host.name!, 'network', 'ls'), /^NAME SUBNET GATEWAY FIREWALL ENDPOINTS\nbrA 198\.18\.1\.0\/24 198\.18\.1\.1 nftables 0\nbrB/);
        await sh('ip', ['netns', 'del', c1.name!]); // our handle keeps it (and its veth) alive
        const pruned = JSON.parse(await cli('-n', host.name!, '-j', 'network', 'prune'));
        assert.deepEqual(pruned.map((e: { bridge: string; netns: string }) => [e.bridge, e.netns]), [['brB', c1.name]]);
        await c1.close();
        for (const n of nets) await n.delete();
        assert.deepEqual(await BridgeNetwork.list({ netns: host }), []);
      }, () => deleteLeftNamespaces(made));
    });
  });
});
