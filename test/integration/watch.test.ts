// ns.watch against the real kernel, with changes made by `ip` (an independent tool) and the
// pictures compared with what `ip -j` shows.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { RTM } from '../../src/constants';
import { Netns, NetlinkError, type WatchEvent } from '../../src/index';
import { NETLINK_ROUTE, TRANSPORT } from '../../src/kernel/transport';
import { fdCount, ipJson, sh, waitFor, withNamespaces } from '../helpers';
import { churnLinks, next } from '../watch-helpers';

type Iter = AsyncIterator<WatchEvent>;

/** Events until one matches `until` (included). */
async function upTo(it: Iter, until: (e: WatchEvent) => boolean): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  for (;;) {
    const e = await next(it);
    assert.ok(e, `no event matching after ${JSON.stringify(out.map((x) => x.type))}`);
    out.push(e);
    if (until(e)) return out;
  }
}

const named = (e: WatchEvent) => ('object' in e ? `${e.type} ${e.object} ${(e.value as { name?: string; address?: string; dst?: string }).name ?? (e.value as { address?: string }).address ?? (e.value as { dst?: string }).dst}` : e.type);

describe('ns.watch', () => {
  it('starts with a snapshot of what exists, then reports what ip changes, with the values list() gives', async () => {
    await withNamespaces(1, async (ns) => {
      await sh('ip', ['-n', ns.name!, 'link', 'add', 'w0', 'type', 'veth', 'peer', 'name', 'w1']);
      const it = ns.watch({ links: true, addresses: true, routes: true, neighbors: true, rules: true })[Symbol.asyncIterator]();
      const snapshot = await upTo(it, (e) => e.type === 'snapshot-end');
      assert.equal(snapshot[0].type, 'snapshot-start');
      const links = snapshot.filter((e) => 'object' in e && e.object === 'link').map((e) => (e as { value: { name: string } }).value.name).sort();
      assert.deepEqual(links, (await ipJson(ns.name, ['link', 'show'])).map((l) => l.ifname).sort());
      assert.ok(snapshot.some((e) => named(e) === 'added rule all' || ('object' in e && e.object === 'rule')), 'the default rules are in the snapshot');

      await sh('ip', ['-n', ns.name!, 'addr', 'add', '198.18.7.1/24', 'dev', 'w0']);
      let seen = await upTo(it, (e) => named(e) === 'added address 198.18.7.1');
      const addr = seen.at(-1) as { value: unknown };
      assert.deepEqual(addr.value, (await ns.addresses.list({ link: 'w0' }))[0]);

      await sh('ip', ['-n', ns.name!, 'link', 'set', 'w0', 'up']);
      seen = await upTo(it, (e) => named(e) === 'changed link w0' && (e as { value: { up: boolean } }).value.up);
      await sh('ip', ['-n', ns.name!, 'route', 'add', '198.18.9.0/24', 'via', '198.18.7.2']);
      seen = await upTo(it, (e) => named(e) === 'added route 198.18.9.0/24');
      assert.deepEqual((seen.at(-1) as { value: unknown }).value, (await ns.routes.list()).find((r) => r.dst === '198.18.9.0/24'));
      await sh('ip', ['-n', ns.name!, 'neigh', 'add', '198.18.7.3', 'lladdr', '02:00:00:00:00:03', 'dev', 'w0']);
      seen = await upTo(it, (e) => named(e) === 'added neighbor 198.18.7.3');
      assert.equal((seen.at(-1) as { value: { lladdr: string } }).value.lladdr, '02:00:00:00:00:03');
      await sh('ip', ['-n', ns.name!, 'rule', 'add', 'from', '198.18.7.0/24', 'table', '100', 'priority', '100']);
      seen = await upTo(it, (e) => 'object' in e && e.object === 'rule' && e.type === 'added');
      assert.equal((seen.at(-1) as { value: { priority: number } }).value.priority, 100);

      await sh('ip', ['-n', ns.name!, 'link', 'del', 'w0']);
      seen = await upTo(it, (e) => named(e) === 'removed link w1');
      assert.ok(seen.some((e) => named(e) === 'removed link w0'), JSON.stringify(seen.map(named)));
      assert.ok(seen.some((e) => named(e) === 'removed address 198.18.7.1'));
      await it.return!();
    });
  });

  it("does not take a bridge port's own announcements for the link's (leaving a bridge is no removal)", async () => {
    await withNamespaces(1, async (ns) => {
      const it = ns.watch({ links: true })[Symbol.asyncIterator]();
      await upTo(it, (e) => e.type === 'snapshot-end');
      await sh('ip', ['-n', ns.name!, 'link', 'add', 'br9', 'type', 'bridge']);
      await sh('ip', ['-n', ns.name!, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1']);
      await sh('ip', ['-n', ns.name!, 'link', 'set', 'p0', 'master', 'br9']);
      await sh('ip', ['-n', ns.name!, 'link', 'del', 'br9']);
      const seen = await upTo(it, (e) => named(e) === 'removed link br9');
      await sh('ip', ['-n', ns.name!, 'link', 'set', 'p1', 'mtu', '1400']);
      seen.push(...await upTo(it, (e) => named(e) === 'changed link p1'));
      assert.deepEqual(seen.filter((e) => e.type === 'removed').map(named), ['removed link br9']);
      const p0 = seen.filter((e) => named(e) === 'changed link p0').at(-1) as { value: unknown } | undefined;
      assert.deepEqual(p0?.value, await ns.links.get('p0'), "p0's last event is the link as it is, out of the bridge");
      await it.return!();
    });
  });

  it('keeps a picture equal to ip -j link show through 10,000 changes made while the consumer sleeps', async () => {
    await withNamespaces(1, async (ns) => {
      const it = ns.watch({ links: true })[Symbol.asyncIterator]();
      const picture = new Map<number, string>();
      let resyncs = 0;
      const apply = (e: WatchEvent) => {
        if (e.type === 'snapshot-start') picture.clear();
        if (e.type === 'resync') resyncs++;
        if ('object' in e && e.object === 'link') {
          if (e.type === 'removed') picture.delete(e.value.index);
          else picture.set(e.value.index, `${e.value.name} ${e.value.up}`);
        }
      };
      for (let e = await next(it); e; e = e.type === 'snapshot-end' ? undefined : await next(it)) apply(e);
      // 2,500 veth pairs (5,000 links), then 5,000 set up: not read until all are made.
      await churnLinks(ns.name!);
      // Then one last change: once the picture holds it outside a snapshot, every change before it
      // has been applied or was covered by a later snapshot (no quiet period to guess at).
      await sh('ip', ['-n', ns.name!, 'link', 'add', 'last0', 'type', 'bridge']);
      let inSnapshot = false;
      const hasLast = () => [...picture.values()].some((v) => v.startsWith('last0 '));
      for (let e = await next(it, 20000); e; e = !inSnapshot && hasLast() ? undefined : await next(it, 20000)) {
        apply(e);
        if (e.type === 'snapshot-start') inSnapshot = true;
        if (e.type === 'snapshot-end') inSnapshot = false;
      }
      const shown = new Map((await ipJson(ns.name, ['link', 'show'])).map((l) => [l.ifindex as number, `${l.ifname} ${(l.flags as string[]).includes('UP')}`]));
      // Compared entry by entry: a failing deepEqual of two 5,000-entry maps takes minutes to word.
      const differ = [...new Set([...picture.keys(), ...shown.keys()])].filter((k) => picture.get(k) !== shown.get(k));
      assert.deepEqual(differ.slice(0, 10).map((k) => [k, picture.get(k), shown.get(k)]), []);
      assert.equal(picture.size, shown.size);
      // The kernel's buffer cannot hold 10,000 announcements: the stream said so and started over.
      assert.ok(resyncs >= 1, 'a resync was reported');
      await it.return!();
    });
  });

  it('ends on break, on an aborted signal and when the handle closes; no fd is left', async () => {
    await withNamespaces(1, async (ns) => {
      const before = fdCount();
      for await (const e of ns.watch({ links: true })) if (e.type === 'snapshot-end') break;
      const ac = new AbortController();
      const aborted = (async () => { for await (const _ of ns.watch({ links: true }, { signal: ac.signal, snapshot: false })) { /* none */ } })();
      setTimeout(() => ac.abort(), 50);
      await aborted;
      const other = await Netns.open(ns.name!);
      const closing = (async () => { const seen = []; for await (const e of other.watch({ links: true })) seen.push(e); return seen; })();
      setTimeout(() => void other.close(), 100);
      assert.equal((await closing).at(-1)?.type, 'snapshot-end');
      // Sockets are closed on the addon's threads (a close can wait in the kernel): soon, not at once.
      await waitFor(`fd count back to ${before}`, () => fdCount() === before, 2000);
    });
  });

  it('watches many namespaces at once, each seeing only its own, and works from a Worker (terminated mid-wait too)', async () => {
    await withNamespaces(3, async (a, b, c) => {
      const all = [a, b, c];
      const its = all.map((ns) => ns.watch({ links: true })[Symbol.asyncIterator]());
      for (const it of its) await upTo(it, (e) => e.type === 'snapshot-end');
      // A Worker watching namespace c by its name: it reports the first link added after its snapshot.
      const code = `
        const { parentPort, workerData } = require('node:worker_threads');
        const { Netns } = require(workerData.lib);
        (async () => {
          const ns = await Netns.open(workerData.name);
          let caughtUp = false;
          for await (const e of ns.watch({ links: true })) {
            if (e.type === 'snapshot-end') { caughtUp = true; parentPort.postMessage('ready'); }
            if (e.type === 'added' && caughtUp) { parentPort.postMessage(e.value.name); break; }
          }
          await ns.close();
        })().catch((e) => parentPort.postMessage('error: ' + e.stack));`;
      const lib = path.join(__dirname, '..', '..', 'src', 'index.js');
      const worker = new Worker(code, { eval: true, workerData: { lib, name: c.name } });
      // Listened for from the start: the worker may be done before the namespaces below are.
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      const messages: string[] = [];
      worker.on('message', (m: string) => messages.push(m));
      worker.on('error', (e) => messages.push(`error: ${e.stack}`));
      await waitFor('the worker to have its snapshot', () => messages.includes('ready'));
      // A second Worker, terminated while its read waits for the kernel: no crash, no hang.
      const doomed = new Worker(code, { eval: true, workerData: { lib, name: c.name } });
      await new Promise((resolve) => doomed.on('message', (m) => m === 'ready' && resolve(m)));
      await doomed.terminate();
      for (const [i, ns] of all.entries()) await sh('ip', ['-n', ns.name!, 'link', 'add', `only${i}`, 'type', 'veth', 'peer', 'name', `peer${i}`]);
      for (const [i, it] of its.entries()) {
        const seen = await upTo(it, (e) => named(e) === `added link only${i}`);
        assert.deepEqual(seen.filter((e) => e.type === 'added').map((e) => (e as { value: { name: string } }).value.name).sort(), [`only${i}`, `peer${i}`].sort());
        await it.return!();
      }
      assert.equal(await exited, 0);
      assert.ok(messages[1] === 'only2' || messages[1] === 'peer2', JSON.stringify(messages));
    });
  });

  it('a subscription read without waiting takes what has queued (a snapshot\'s catch-up), then finds nothing', async () => {
    await withNamespaces(1, async (ns) => {
      const sub = await ns[TRANSPORT].subscribe(NETLINK_ROUTE, [1 /* RTNLGRP_LINK */], 'test');
      try {
        assert.deepEqual(await sub.read(false), []);
        await sh('ip', ['-n', ns.name!, 'link', 'add', 'q0', 'type', 'veth', 'peer', 'name', 'q1']);
        const queued = (await sub.read(false)) ?? [];
        assert.deepEqual(queued.filter((m) => m.type === RTM.NEWLINK).map((m) => m.attrs?.ifname).sort(), ['q0', 'q1']);
        assert.deepEqual(await sub.read(false), []);
      } finally {
        sub.close();
      }
    });
  });

  it('a subscription closed while a pool thread reads it: the read still answers, the socket is closed after it', async () => {
    await withNamespaces(1, async (ns) => {
      const before = fdCount();
      for (let i = 0; i < 20; i++) {
        const sub = await ns[TRANSPORT].subscribe(NETLINK_ROUTE, [1 /* RTNLGRP_LINK */], 'test');
        await sh('ip', ['-n', ns.name!, 'link', 'set', 'lo', 'mtu', String(60000 + i)]);
        const reading = sub.read(false); // handed to a pool thread now
        sub.close(); // in the same turn: the read holds the socket (closed under it, it would say EBADF: null)
        const got = await reading;
        assert.ok(got && got.some((m) => m.type === RTM.NEWLINK && m.attrs?.mtu === 60000 + i), `round ${i}: ${got === null ? null : got.map((m) => `${m.type} ${String(m.attrs?.mtu)}`).join()}`);
      }
      await waitFor(`fd count back to ${before}`, () => fdCount() === before, 2000);
    });
  });

  it('refuses a bad request before subscribing, naming the field', async () => {
    const ns = Netns.current();
    assert.throws(() => ns.watch({} as never), (e: unknown) => e instanceof TypeError && /what/.test(e.message));
    assert.throws(() => ns.watch({ links: 1 } as never), (e: unknown) => e instanceof TypeError && /what\.links/.test(e.message));
    assert.throws(() => ns.watch({ links: true, tables: true } as never), (e: unknown) => e instanceof TypeError && /tables/.test(e.message));
    assert.throws(() => ns.watch({ links: true }, { signal: 5 } as never), (e: unknown) => e instanceof TypeError && /options\.signal/.test(e.message));
    assert.ok(NetlinkError);
  });
});
