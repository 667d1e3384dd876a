// The bench's harness measures fairly on a machine that drifts within a run: peers take turns in
// the reverse order every other round, and a ratio is the median of the ratios within each round.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measure, pairedRatio, type Result } from '../../bench/harness';

describe('bench harness', () => {
  it('reverses the order of the peers every other round', async () => {
    const order: string[] = [];
    const peer = (name: string) => ({ name, run: async () => { order.push(name); return 1; } });
    await measure({ name: 'order', ops: 1, rounds: 3, peers: [peer('a'), peer('b'), peer('c')] }, async () => {});
    assert.deepEqual(order, ['a', 'b', 'c', 'c', 'b', 'a', 'a', 'b', 'c']);
  });

  it('takes the median of the ratios within each round, not the ratio of the medians', () => {
    const r = (rounds: number[]): Result => ({ workload: 'w', peer: 'p', medianMsPerOp: NaN, rounds });
    // The machine slows down round by round; b is 10% slower than a in every round.
    const a = r([1.0, 2.0, 3.0, 4.0, 5.0]);
    const b = r([1.1, 2.2, 3.3, 4.4, 5.5]);
    assert.ok(Math.abs(pairedRatio(b, a) - 1.1) < 1e-9);
    // A round that went badly for one peer moves the median of five ratios little.
    const c = r([1.1, 2.2, 3.3, 4.4, 50]);
    assert.ok(Math.abs(pairedRatio(c, a) - 1.1) < 1e-9);
    assert.ok(Number.isNaN(pairedRatio(r([]), a)));
  });
});
