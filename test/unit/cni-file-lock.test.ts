// The store's lock (src/cni/file-lock.ts) against util-linux flock(1) on the same file: the one
// lock host-local takes, had by one holder at a time whichever process it is in.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { CniError } from '../../src/cni/errors';
import { withFileLock } from '../../src/cni/file-lock';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nln-file-lock-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;
const lockPath = () => path.join(dir, `lock-${files++}`);

/** flock(1) holding `file` until its stdin closes; resolves once it holds it. */
async function holdWithFlock(file: string): Promise<ChildProcess> {
  const child = spawn('flock', ['--exclusive', file, 'sh', '-c', 'echo held; cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = await once(child.stdout!, 'data');
  assert.equal(String(line).trim(), 'held');
  return child;
}

async function letGo(child: ChildProcess): Promise<void> {
  child.stdin!.end();
  if (child.exitCode === null) await once(child, 'exit');
}

/** Whether flock(1) can take the lock at once (-n): false while some holder has it. */
const freeForOthers = (file: string) => spawnSync('flock', ['--nonblock', file, 'true']).status === 0;

const openFds = () => fs.readdirSync('/proc/self/fd').length;

describe('the store lock (flock(2), shared with host-local)', () => {
  it('waits while flock(1) holds the file, and flock(1) cannot have it while we do', async () => {
    const file = lockPath();
    const holder = await holdWithFlock(file);
    let entered = 0;
    let releasedAt = 0;
    const ours = withFileLock(file, async () => {
      entered = Date.now();
      assert.equal(freeForOthers(file), false, 'flock -n fails while we hold it');
    });
    await sleep(150);
    assert.equal(entered, 0, 'not entered while flock(1) holds the lock');
    releasedAt = Date.now();
    await letGo(holder);
    await ours;
    assert.ok(entered >= releasedAt, 'entered after flock(1) let go');
    assert.ok(entered - releasedAt < 200, `taken soon after it was free (${entered - releasedAt} ms)`);
    assert.equal(freeForOthers(file), true, 'released after fn');
  });

  it('a lock not had within the wait is CNI code 11 ("try again later"), for queued callers too; fn never runs', async () => {
    const file = lockPath();
    const holder = await holdWithFlock(file);
    try {
      const started = Date.now();
      let ran = 0;
      const results = await Promise.allSettled([0, 1, 2].map(() => withFileLock(file, async () => { ran++; }, 0.2)));
      const waited = Date.now() - started;
      assert.equal(ran, 0);
      for (const r of results) {
        assert.equal(r.status, 'rejected');
        const err = (r as PromiseRejectedResult).reason;
        assert.ok(err instanceof CniError);
        assert.equal(err.code, 11);
        assert.match(err.message, /not had within 0\.2 s/);
      }
      assert.ok(waited >= 190 && waited < 1000, `gave up after the wait (${waited} ms)`);
    } finally {
      await letGo(holder);
    }
    await withFileLock(file, async () => undefined, 0.2);
  });

  it('callers waiting in this process are all served, one at a time, in the order they came', async () => {
    const file = lockPath();
    const holder = await holdWithFlock(file);
    const order: number[] = [];
    let inside = 0;
    const callers = Array.from({ length: 8 }, (_, i) => withFileLock(file, async () => {
      inside++;
      assert.equal(inside, 1, 'one holder at a time');
      assert.equal(freeForOthers(file), false);
      order.push(i);
      await sleep(5);
      inside--;
      return i;
    }));
    await sleep(100);
    assert.deepEqual(order, []);
    await letGo(holder);
    assert.deepEqual(await Promise.all(callers), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(freeForOthers(file), true);
  });

  it('leaks no fd: held, timed out, or fn throwing', async () => {
    const file = lockPath();
    const before = openFds();
    for (let i = 0; i < 20; i++) await withFileLock(file, async () => undefined);
    await assert.rejects(withFileLock(file, async () => { throw new Error('boom'); }), /boom/);
    const holder = await holdWithFlock(file);
    const during = openFds();
    await assert.rejects(withFileLock(file, async () => undefined, 0.05), (e: unknown) => e instanceof CniError && e.code === 11);
    assert.equal(openFds(), during, 'a timed-out caller closes its fd');
    await letGo(holder);
    await new Promise((r) => setImmediate(r));
    assert.equal(openFds(), before);
    assert.equal(freeForOthers(file), true);
  });
});

describe('the wait covers callers of this process too', () => {
  it('behind a holder of this process that does not finish, a caller gets code 11 at its deadline and leaves the queue', { timeout: 5000 }, async () => {
    const file = lockPath();
    let release!: () => void;
    const holding = withFileLock(file, () => new Promise<void>((r) => { release = r; }), 5);
    await sleep(20);
    const started = Date.now();
    await assert.rejects(withFileLock(file, async () => assert.fail('ran without the lock'), 0.2), (e: unknown) => e instanceof CniError && e.code === 11);
    const waited = Date.now() - started;
    assert.ok(waited >= 190 && waited < 1000, `gave up after the wait (${waited} ms)`);
    let ran = false;
    const next = withFileLock(file, async () => { ran = true; }, 5);
    release();
    await holding;
    await next;
    assert.equal(ran, true, 'the caller after the one that gave up was served');
  });
});
