// A small benchmark harness: workloads, each measured for several peers (this library, the ip
// CLI, …) in interleaved rounds, so every ratio comes from the same run on the same machine.
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Busy fraction of all CPUs over `ms`, from /proc/stat. */
async function busy(ms: number): Promise<number> {
  const read = () => fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  const d = b.map((v, i) => v - a[i]);
  const total = d.reduce((x, y) => x + y, 0);
  const idle = d[3] + d[4]; // idle + iowait
  return total > 0 ? 1 - idle / total : 0;
}

/**
 * Waits until the machine is quiet: the kernel finishes a namespace's teardown on its own workers
 * after the call that deleted it returned, and that work must not land in the next peer's time.
 */
export async function settle(limitMs = 15000): Promise<void> {
  const end = performance.now() + limitMs;
  while (performance.now() < end && (await busy(100)) > 0.08);
}

export interface Peer {
  name: string;
  /** Untimed preparation for one round (e.g. fresh namespaces). */
  setup?(round: number): Promise<void>;
  /**
   * The timed work of one round: `ops` operations. A peer that runs in a process of its own returns
   * the milliseconds it measured itself, so its start-up (interpreter, imports) is not counted.
   */
  run(ops: number, round: number): Promise<void | number>;
  /** Untimed cleanup after one round. */
  teardown?(round: number): Promise<void>;
}

export interface Workload {
  name: string;
  /** Operations per round; the result is per operation. */
  ops: number;
  rounds: number;
  peers: Peer[];
}

export interface Result {
  workload: string;
  peer: string;
  /** Median over rounds of (round time / ops), in milliseconds. */
  medianMsPerOp: number;
  rounds: number[];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function measure(w: Workload): Promise<Result[]> {
  const samples = new Map<string, number[]>(w.peers.map((p) => [p.name, []]));
  for (let round = 0; round < w.rounds; round++) {
    // Peers take turns within each round, so drift in machine load hits them alike.
    for (const peer of w.peers) {
      await peer.setup?.(round);
      try {
        const t0 = performance.now();
        const own = await peer.run(w.ops, round);
        samples.get(peer.name)!.push((typeof own === 'number' ? own : performance.now() - t0) / w.ops);
      } finally {
        await peer.teardown?.(round);
        await settle();
      }
    }
  }
  return w.peers.map((p) => ({ workload: w.name, peer: p.name, medianMsPerOp: median(samples.get(p.name)!), rounds: samples.get(p.name)! }));
}

/** A table: each peer's median per operation and how many times slower it is than the first peer. */
export function formatTable(results: Result[]): string {
  const lines = [`${'workload'.padEnd(34)} ${'peer'.padEnd(30)} ${'median/op'.padStart(12)} ${'vs first'.padStart(9)}`];
  let base = 0;
  let current = '';
  for (const r of results) {
    if (r.workload !== current) {
      current = r.workload;
      base = r.medianMsPerOp;
    }
    const per = r.medianMsPerOp >= 1 ? `${r.medianMsPerOp.toFixed(2)} ms` : `${(r.medianMsPerOp * 1000).toFixed(1)} µs`;
    lines.push(`${r.workload.padEnd(34)} ${r.peer.padEnd(30)} ${per.padStart(12)} ${`${(r.medianMsPerOp / base).toFixed(1)}×`.padStart(9)}`);
  }
  return lines.join('\n');
}
