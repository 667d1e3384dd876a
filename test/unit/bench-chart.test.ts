// The bench's chart shows every row's label whole: the margin left of the bars is as wide as the
// longest peer label, and the picture as wide as the longest bar with its value label.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { barChart, textWidth } from '../../bench/chart';
import type { Result } from '../../bench/harness';

const row = (peer: string, ms: number, extra: Partial<Result> = {}): Result =>
  ({ workload: 'per container (N=20)', peer, medianMsPerOp: ms, rounds: [ms], ...extra });

describe('bench chart', () => {
  it('leaves room for the longest label on both sides of the bars', () => {
    const long = 'netlink-native, one at a time, its addon calls replayed (no JS)';
    const svg = barChart('title', [
      row('C floor, sequential (raw netlink, fewest round trips)', 0.01),
      row(long, 2.0, { cpuMsPerOp: 2.5, maxRssMiB: 57 }),
      row('ip + nft commands (process per step)', 540, { cpuMsPerOp: 300 }),
    ]);
    const width = Number(/<svg [^>]*width="(\d+)"/.exec(svg)![1]);
    const labels = [...svg.matchAll(/<text x="([\d.]+)" y="[\d.]+" text-anchor="end">([^<]+)<\/text>/g)];
    assert.equal(labels.length, 3);
    for (const [, x, text] of labels) assert.ok(Number(x) - textWidth(text) >= 0, `${text} starts left of the picture`);
    const values = [...svg.matchAll(/<text x="([\d.]+)" y="[\d.]+">([^<]+)<\/text>/g)];
    assert.equal(values.length, 3);
    for (const [, x, text] of values) assert.ok(Number(x) + textWidth(text) <= width, `${text} runs past the picture`);
    assert.match(svg, /2\.00 ms \(CPU 2\.50 ms, 57 MiB\)/);
  });

  it('estimates widths no narrower than DejaVu Sans draws them', () => {
    // Advance widths of DejaVu Sans at 13 px, from the font's own tables.
    assert.ok(textWidth('netlink-native, one at a time, its addon calls replayed (no JS)') >= 394.6);
    assert.ok(textWidth('Go vishvananda/netlink + google/nftables, sequential') >= 349.6);
    assert.ok(textWidth('netlink-native, 64 in flight') >= 167.9);
  });
});
