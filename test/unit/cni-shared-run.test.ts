// SharedRuns (src/cni/shared-run.ts): concurrent callers share a run, and a caller never gets the
// result of a run that started before it called while that run was already in flight.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedRuns } from '../../src/cni/shared-run';

/** A run that ends when told: its number (in start order) is its result. */
function controlled() {
  const ends: Array<(fail?: Error) => void> = [];
  let started = 0;
  const fn = () => new Promise<number>((resolve, reject) => {
    const n = ++started;
    ends.push((fail) => (fail ? reject(fail) : resolve(n)));
  });
  return { fn, ends, started: () => started };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('SharedRuns', () => {
  it('callers during a run share the next one, which starts only after the running one ends', async () => {
    const runs = new SharedRuns<number>();
    const c = controlled();
    const first = runs.run('k', c.fn);
    const second = runs.run('k', c.fn);
    const third = runs.run('k', c.fn);
    await turn();
    assert.equal(c.started(), 1, 'the callers arriving meanwhile wait: no second run yet');
    c.ends[0]();
    assert.equal(await first, 1);
    await turn();
    assert.equal(c.started(), 2, 'one run for both waiting callers');
    const fourth = runs.run('k', c.fn); // arrives while run 2 is in flight: gets run 3
    c.ends[1]();
    assert.deepEqual([await second, await third], [2, 2]);
    await turn();
    c.ends[2]();
    assert.equal(await fourth, 3);
    assert.equal(c.started(), 3);
  });

  it('keys do not share; a failure is every sharer\'s; the next caller starts afresh', async () => {
    const runs = new SharedRuns<number>();
    const c = controlled();
    const a = runs.run('a', c.fn);
    const b = runs.run('b', c.fn);
    await turn();
    assert.equal(c.started(), 2, 'different keys run side by side');
    c.ends[0]();
    c.ends[1]();
    assert.deepEqual([await a, await b], [1, 2]);

    const failing = runs.run('a', c.fn);
    const sharer = runs.run('a', c.fn); // waits for the next run
    c.ends[2](new Error('refused'));
    await assert.rejects(failing, /refused/);
    await turn();
    c.ends[3](new Error('refused again'));
    await assert.rejects(sharer, /refused again/, 'a failed run does not fail the callers waiting for the next');
    const later = runs.run('a', c.fn);
    await turn();
    c.ends[4]();
    assert.equal(await later, 5);
    assert.equal((runs as unknown as { byKey: Map<string, unknown> }).byKey.size, 0, 'nothing kept once no run is in flight');
  });
});
