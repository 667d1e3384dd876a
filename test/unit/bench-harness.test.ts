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
    // The machine became ten times slower in round 3, between a's turn and b's; b is 10% slower
    // than a in every round. The ratio of the medians would say 11 / 5.5 = 2.
    const a = r([1, 1, 1, 10, 10, 10]);
    const b = r([1.1, 1.1, 11, 11, 11, 11]);
    assert.ok(Math.abs(pairedRatio(b, a) - 1.1) < 1e-9, String(pairedRatio(b, a)));
    // Rounds that do not pair up, or a round without a time, give no ratio.
    assert.ok(Number.isNaN(pairedRatio(r([1, 2, 3]), r([1, 2]))));
    assert.ok(Number.isNaN(pairedRatio(r([1, 2]), r([1, 0]))));
    assert.ok(Number.isNaN(pairedRatio(r([]), r([]))));
  });
});
