import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Netns } from '../../src/index';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { promisify } from 'node:util';
import { deleteLeftNamespaces, fdCount, ipJson, runNetnsNames, threadCount, uniqueName, withCleanup, withNamespaces } from '../helpers';

const run = promisify(execFile);

/**
 * Waits (briefly) for a count to come back to its start: a pool thread started for a busy spell
 * ends after 20 ms idle, and an ended thread leaves /proc a moment later.
 */
async function settlesTo(read: () => number, expected: number, what: string): Promise<void> {
  for (let i = 0; i < 200 && read() !== expected; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(read(), expected, what);
}

/** A count once it has stopped moving (the same over half a second; at most 10 s): a baseline not caught mid-teardown. */
async function steady(read: () => number): Promise<number> {
  let last = read();
  for (let same = 0, i = 0; same < 5 && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

describe('hygiene: handles free their fds and threads', () => {
  it('1,000 open/use/close cycles leave the fd and thread counts where they started', async () => {
    await withNamespaces(1, async (ns) => {
      const cycle = async () => {
        const h = await Netns.open(ns.name!);
        assert.equal((await h.links.list()).length, 1);
        await h.close();
      };
      for (let i = 0; i < 5; i++) await cycle(); // warm-up: the addon's pool threads start once
      // Taken once still: sockets are closed on the pool threads, and a helper thread ends when idle.
      const fds = await steady(fdCount);
      const threads = await steady(threadCount);
      for (let i = 0; i < 1000; i++) await cycle();
      await settlesTo(fdCount, fds, 'fd count');
      await settlesTo(threadCount, threads, 'thread count');
    });
  });

  it('1,000 create/delete cycles leave the fd and thread counts where they started, and no namespace', async () => {
    const cycle = async () => {
      const ns = await Netns.create(uniqueName('cycle'));
      assert.equal((await ns.links.list()).length, 1); // starts (and must stop) a channel thread
      await ns.delete();
    };
    for (let i = 0; i < 5; i++) await cycle();
    const fds = await steady(fdCount);
    const threads = await steady(threadCount);
    for (let i = 0; i < 1000; i++) await cycle();
    await settlesTo(fdCount, fds, 'fd count');
    await settlesTo(threadCount, threads, 'thread count');
    assert.deepEqual(runNetnsNames().filter((n) => n.startsWith(`nlnt-${process.pid}-cycle-`)), []);
  });
});

/** Idle sockets a handle keeps per protocol for chains (native/core/namespace.cc kIdleLanes). */
const IDLE_LANES = 8;

describe('hygiene: chains that create namespaces', () => {
  it('300 connected namespaces made and deleted, some refused half-way, leave fds, threads and /run/netns as they were', async () => {
    await withNamespaces(1, async (host) => {
      await host.links.add({ kind: 'bridge', name: 'br0', up: true });
      const made: string[] = [];
      const cycle = async (i: number) => {
        const name = uniqueName('chain');
        // Every third one is refused after the namespace and the veth exist (a duplicate address).
        const addresses = i % 3 === 2 ? ['198.18.0.2/16', '198.18.0.2/16'] : ['198.18.0.2/16'];
        const added = host.links.add({ kind: 'veth', name: `h${i}`, master: 'br0', peer: { name: 'eth0', netns: { create: name }, addresses } });
        if (i % 3 === 2) return assert.rejects(added, /EEXIST/);
        await added;
        made.push(name);
      };
      const ours = () => runNetnsNames().filter((n) => n.startsWith(`nlnt-${process.pid}-chain-`));
      await withCleanup(async () => {
        const fds = fdCount();
        for (let i = 0; i < 6; i++) await cycle(i); // warm-up
        const threads = await steady(threadCount); // not a helper still waiting for more work
        for (let i = 6; i < 300; i += 10) await Promise.all(Array.from({ length: 10 }, (_, j) => cycle(i + j)));
        // Chains in flight each take a socket of their own in the host namespace; the handle keeps up
        // to 8 idle ones for the next chains (closed with it): at most that many more fds, however
        // many chains ran.
        for (let i = 0; i < 100 && fdCount() > fds + IDLE_LANES; i++) await new Promise((r) => setTimeout(r, 10));
        assert.ok(fdCount() <= fds + IDLE_LANES, `fd count ${fdCount()}, at most ${fds + IDLE_LANES}`);
        await settlesTo(threadCount, threads, 'thread count');
        assert.deepEqual(ours(), [...made].sort(), 'exactly the namespaces of the calls that succeeded');
        assert.equal((await host.links.list({ master: 'br0' })).length, made.length);
      }, () => deleteLeftNamespaces(ours()));
    });
  });
});

describe('pipelining', () => {
  it('concurrent requests to one namespace each keep their own result', async () => {
    await withNamespaces(1, async (ns) => {
      const names = Array.from({ length: 200 }, (_, i) => `v${i % 150}`); // 50 duplicates
      const results = await Promise.allSettled(names.map((name) => ns.links.add({ kind: 'veth', name, peer: { name: `p${name}` } })));
      const made = results.flatMap((r, i) => (r.status === 'fulfilled' ? [[names[i], r.value.name] as const] : []));
      assert.equal(made.length, 150);
      for (const [asked, got] of made) assert.equal(got, asked);
      const refused = results.filter((r) => r.status === 'rejected');
      assert.equal(refused.length, 50);
      for (const r of refused) assert.equal((r as PromiseRejectedResult).reason.code, 'EEXIST');
      assert.equal((await ipJson(ns.name, ['link', 'show'])).length, 301);
    });
  });

  it('200 concurrent requests take far fewer than 200 sendmsg calls', async () => {
    const script = `
      const { Netns } = require(${JSON.stringify(require.resolve('../../src/index'))});
      (async () => {
        const ns = await Netns.create();
        await ns.links.list();
        await Promise.all(Array.from({ length: 200 }, (_, i) => ns.links.get('lo')));
        await ns.close();
      })();`;
    const { stderr } = await run('strace', ['-f', '-qq', '-e', 'trace=sendmsg', process.execPath, '-e', script]);
    const sends = stderr.split('\n').filter((l) => l.includes('sendmsg(') && l.includes('AF_NETLINK')).length;
    // The two setup requests, then the burst: 200 GETLINKs in a handful of sendmsg calls.
    assert.ok(sends < 40, `200 concurrent requests took ${sends} sendmsg calls`);
  });
});

describe('the event loop never waits on the kernel', () => {
  it('timers run while veth pairs are deleted (the kernel waits for RCU on each; the JS thread does not)', async () => {
    // How late the timers run is measured in bench/ (bench/small.ts, "event loop while deleting
    // veth pairs"); here only the behaviour: the JS thread keeps running during every delete.
    await withNamespaces(1, async (ns) => {
      for (let i = 0; i < 20; i++) await ns.links.add({ kind: 'veth', name: `v${i}`, peer: { name: `p${i}` } });
      let ticks = 0;
      const timer = setInterval(() => { ticks++; }, 1);
      const ticksDuring = async (work: Promise<unknown>) => {
        const at = ticks;
        await work;
        return ticks - at;
      };
      const during: number[] = [];
      await withCleanup(async () => {
        // One after another: if a delete held the JS thread, no timer would run before it resolved.
        for (let i = 0; i < 10; i++) during.push(await ticksDuring(ns.links.delete(`v${i}`)));
        // And all at once: pipelined, the kernel works through them in one go.
        during.push(await ticksDuring(Promise.all(Array.from({ length: 10 }, (_, i) => ns.links.delete(`v${i + 10}`)))));
      }, () => clearInterval(timer));
      assert.deepEqual((await ipJson(ns.name, ['link', 'show'])).map((l) => l.ifname), ['lo']);
      assert.ok(during.every((n) => n > 0), `timer ticks during each delete: ${during.join(', ')}`);
    });
  });
});

describe('worker threads', () => {
  it('a Worker makes a container with the library; when it ends, its fds and threads go with it', async () => {
    const host = uniqueName('wk');
    const container = uniqueName('wkc');
    // Plain JS run in the worker, loading the package as built (dist/src/index.js).
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { Netns } = require(workerData.lib);
      (async () => {
        const host = await Netns.create(workerData.host);
        const link = await host.links.add({ kind: 'veth', name: 'h0', up: true,
          peer: { name: 'eth0', netns: { create: workerData.container }, up: true, addresses: ['198.18.0.2/16'] } });
        await host.close();
        parentPort.postMessage(link.index);
      })();`;
    const lib = path.join(__dirname, '..', '..', 'src', 'index.js');
    // Warm-up, a whole run: the worker machinery's own fds, and what the addon opens once per
    // process (its fd on the namespace it started in, kept for the threads that return there).
    const warm = { host: uniqueName('wkw'), container: uniqueName('wkwc') };
    await withCleanup(async () => {
      const w = new Worker(code, { eval: true, workerData: { lib, ...warm } });
      await new Promise((resolve, reject) => { w.once('exit', resolve); w.once('error', reject); });
    }, () => deleteLeftNamespaces([warm.container, warm.host]));
    // Taken once the warm-up worker's threads have gone.
    const fds = await steady(fdCount);
    const threads = await steady(threadCount);
    await withCleanup(async () => {
      const worker = new Worker(code, { eval: true, workerData: { lib, host, container } });
      const index = await new Promise<number>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
      assert.equal(await new Promise((resolve) => worker.once('exit', resolve)), 0);
      assert.equal((await ipJson(host, ['link', 'show', 'h0']))[0].ifindex, index);
      assert.deepEqual((await ipJson(container, ['addr', 'show', 'eth0']))[0].addr_info.filter((a: { family: string }) => a.family === 'inet').map((a: { local: string }) => a.local), ['198.18.0.2']);
      await settlesTo(fdCount, fds, 'fd count');
      await settlesTo(threadCount, threads, 'thread count');
    }, () => deleteLeftNamespaces([container, host]));
  });
});
