// Allocation is safe across objects, Workers and processes: the kernel's unique link names are the
// claim on an address, so concurrent attachers never share one.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { BridgeNetwork, Netns } from '../../src/index';
import { exchange, ipJson, withNamespaces } from '../helpers';

const actor = path.join(__dirname, '..', 'fixtures', 'attach-actor.js');
type Attached = Array<{ netns: string; address: string; mac?: string }>;

function inWorker(job: object): Promise<Attached> {
  return new Promise((resolve, reject) => {
    const w = new Worker(actor, { workerData: job });
    w.once('message', resolve);
    w.once('error', reject);
  });
}
const inProcess = (job: object): Promise<Attached> => promisify(execFile)(process.execPath, [actor, JSON.stringify(job)]).then((r) => JSON.parse(r.stdout));

describe('BridgeNetwork: allocation across objects, Workers and processes', () => {
  it('two processes and two Workers, each with its own open(), attach 50 each at once: 200 distinct addresses and MACs, each reachable', async () => {
    await withNamespaces(201, async (host, ...containers) => {
      const net = await BridgeNetwork.create({ netns: host, bridge: 'br0', subnet: '198.18.0.0/24' });
      const names = containers.map((c) => c.name!);
      const jobs = [0, 1, 2, 3].map((k) => ({ host: host.name, bridge: 'br0', namespaces: names.slice(k * 50, k * 50 + 50) }));
      const results = (await Promise.all([inProcess(jobs[0]), inProcess(jobs[1]), inWorker(jobs[2]), inWorker(jobs[3])])).flat();
      assert.equal(results.length, 200);
      assert.equal(new Set(results.map((r) => r.address)).size, 200);
      assert.equal(new Set(results.map((r) => r.mac)).size, 200);
      // The kernel agrees: each container holds the address it was given, with its MAC.
      for (const r of results.slice(0, 200).filter((_, i) => i % 10 === 0)) {
        const eth0 = (await ipJson(r.netns, ['addr', 'show', 'eth0']))[0];
        assert.equal(eth0.address, r.mac);
        assert.deepEqual(eth0.addr_info.filter((a: { family: string }) => a.family === 'inet').map((a: { local: string }) => a.local), [r.address]);
      }
      // Each is reachable over TCP from the host namespace.
      const byName = new Map(containers.map((c) => [c.name!, c]));
      const servers = await Promise.all(results.map((r) => byName.get(r.netns)!.listen({ port: 8080 }, (s) => s.on('data', (d) => s.end(`${r.netns}:${d}`)))));
      try {
        for (const r of results) assert.equal(await exchange(host, r.address, 8080), `${r.netns}:ping`);
      } finally {
        for (const s of servers) s.close();
      }
      assert.equal((await net.endpoints()).length, 200);
      await net.delete();
    });
  });

  it('two objects on one bridge, sequentially, do not hand out the same address', async () => {
    await withNamespaces(3, async (host, c1, c2) => {
      await BridgeNetwork.create({ netns: host, bridge: 'br0', subnet: '198.18.9.0/24' });
      const a = await BridgeNetwork.open('br0', { netns: host });
      const b = await BridgeNetwork.open('br0', { netns: host });
      const e1 = await a.attach(c1);
      const e2 = await b.attach(c2);
      assert.deepEqual([e1.address, e2.address], ['198.18.9.2', '198.18.9.3']);
      await using c3 = await Netns.create();
      assert.equal((await a.attach(c3)).address, '198.18.9.4');
      await a.delete();
    });
  });
});
