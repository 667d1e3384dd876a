// The store is read and written synchronously on the daemon's event loop: a FIFO (or any non-file)
// planted among its records must give an answer at once, never a wait in open(2) or read(2).
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { HostLocalStore } from '../../src/cni/host-local-store';

function storeWithFifos(): { store: HostLocalStore; dir: string } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlnt-store-'));
  const store = new HostLocalStore(dataDir, 'net');
  fs.mkdirSync(store.dir);
  fs.writeFileSync(path.join(store.dir, '198.18.0.2'), 'c1\r\neth0');
  for (const name of ['198.18.0.3', 'last_reserved_ip.0']) execFileSync('mkfifo', [path.join(store.dir, name)]);
  return { store, dir: dataDir };
}

/** Runs the checks in a child with a deadline: a blocking read would hang this process's event loop for good. */
const IN_CHILD = process.env.NLN_STORE_CHILD === '1';

describe('host-local store: a planted FIFO never blocks', () => {
  it('all() and lastReserved() skip it; reserve() of its name is "taken"; a FIFO as last_reserved_ip is left as it is, never waited on', async () => {
    if (!IN_CHILD) {
      const { NODE_TEST_CONTEXT: _, ...env } = process.env; // the child runs its tests itself, not for this runner
      const child = spawnSync(process.execPath, ['--test-name-pattern=planted', __filename], { env: { ...env, NLN_STORE_CHILD: '1' }, timeout: 10_000, encoding: 'utf8' });
      assert.equal(child.signal, null, 'the store blocked on a FIFO (the child was killed at its deadline)');
      assert.equal(child.status, 0, child.stdout);
      assert.match(child.stdout, /# pass 2\b/, 'the child ran the checks');
      return;
    }
    const { store, dir } = storeWithFifos();
    try {
      const view = store.view();
      assert.deepEqual(view.all(), [{ ip: '198.18.0.2', containerId: 'c1', ifname: 'eth0' }]);
      assert.equal(view.lastReserved(0), undefined);
      assert.equal(view.reserve('198.18.0.3', 'c2', 'eth0', 0), false);
      assert.deepEqual(store.view().of('c1', 'eth0').map((a) => a.ip), ['198.18.0.2']);
      // last_reserved_ip.0 is a FIFO: the address is had, the hint stays where it was (no wait, no error).
      assert.equal(await store.locked((v) => v.reserve('198.18.0.4', 'c2', 'eth0', 0)), true);
      assert.deepEqual(store.view().of('c2', 'eth0').map((a) => a.ip), ['198.18.0.4']);
      assert.equal(store.view().lastReserved(0), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a record is written and read back as host-local writes it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlnt-store-'));
    try {
      const store = new HostLocalStore(dataDir, 'net');
      fs.mkdirSync(store.dir);
      assert.equal(await store.locked((view) => view.reserve('198.18.0.9', 'c9', 'eth1', 0)), true);
      assert.equal(fs.readFileSync(path.join(store.dir, '198.18.0.9'), 'utf8'), 'c9\r\neth1');
      assert.equal(store.view().lastReserved(0), '198.18.0.9');
      assert.equal(await store.locked((view) => view.reserve('198.18.0.9', 'c10', 'eth0', 0)), false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('host-local store: calls that arrive together share one hold of the lock', () => {
  it('reads the records once for the batch, each call seeing the changes of those before it; a call that throws fails alone', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlnt-store-'));
    // The store's module reads through a binding to node:fs itself: counted there.
    const nodeFs = require('node:fs') as { readdirSync: typeof fs.readdirSync };
    const readdir = nodeFs.readdirSync;
    let reads = 0;
    nodeFs.readdirSync = ((...args: Parameters<typeof fs.readdirSync>) => {
      reads++;
      return readdir(...args);
    }) as typeof fs.readdirSync;
    try {
      const store = new HostLocalStore(dataDir, 'net');
      // Each call takes the next free address of 198.18.0.10-41 the way the allocator does: it asks whom the store holds.
      const calls = Array.from({ length: 32 }, (_, i) => store.locked((view) => {
        if (i === 5) throw new Error('call 5 fails');
        const taken = new Set(view.all().map((a) => a.ip));
        const ip = Array.from({ length: 32 }, (_, k) => `198.18.0.${10 + k}`).find((a) => !taken.has(a))!;
        assert.equal(view.reserve(ip, `c${i}`, 'eth0', 0), true);
        return ip;
      }));
      const results = await Promise.allSettled(calls);
      assert.equal(reads, 1, 'one reading for the batch');
      assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
      assert.match(String((results[5] as PromiseRejectedResult).reason), /call 5 fails/);
      const ips = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      assert.equal(new Set(ips).size, 31, 'every call got an address of its own');
      // What the batch saw is what the files hold.
      assert.deepEqual(store.view().all().map((a) => `${a.ip} ${a.containerId}`).sort(), results.flatMap((r, i) => (r.status === 'fulfilled' ? [`${r.value} c${i}`] : [])).sort());
      // last_reserved_ip.0 names the batch's last address, written once for the hold.
      assert.equal(fs.readFileSync(path.join(store.dir, 'last_reserved_ip.0'), 'utf8'), (results[31] as PromiseFulfilledResult<string>).value);
      // A later call reads again: a change made between holds (here, as another process would) is seen.
      fs.writeFileSync(path.join(store.dir, '198.18.0.99'), 'other\r\neth0');
      assert.deepEqual(await store.locked((view) => view.of('other', 'eth0').map((a) => a.ip)), ['198.18.0.99']);
      assert.equal(reads, 3);
    } finally {
      nodeFs.readdirSync = readdir;
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
