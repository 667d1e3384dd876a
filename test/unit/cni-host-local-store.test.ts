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
  it('all() and lastReserved() skip it; reserve() of its name is "taken"; a FIFO as last_reserved_ip is an error, not a wait', async () => {
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
      assert.deepEqual(await store.all(), [{ ip: '198.18.0.2', containerId: 'c1', ifname: 'eth0' }]);
      assert.equal(await store.lastReserved(0), undefined);
      assert.equal(await store.reserve('198.18.0.3', 'c2', 'eth0', 0), false);
      await assert.rejects(store.reserve('198.18.0.4', 'c2', 'eth0', 0), (e: NodeJS.ErrnoException) => e.code === 'ENXIO');
      assert.deepEqual((await store.of('c1', 'eth0')).map((a) => a.ip), ['198.18.0.2']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a record is written and read back as host-local writes it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlnt-store-'));
    try {
      const store = new HostLocalStore(dataDir, 'net');
      fs.mkdirSync(store.dir);
      assert.equal(await store.reserve('198.18.0.9', 'c9', 'eth1', 0), true);
      assert.equal(fs.readFileSync(path.join(store.dir, '198.18.0.9'), 'utf8'), 'c9\r\neth1');
      assert.equal(await store.lastReserved(0), '198.18.0.9');
      assert.equal(await store.reserve('198.18.0.9', 'c10', 'eth0', 0), false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
