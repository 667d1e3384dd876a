// A small benchmark harness: workloads, each measured for several peers (this library, the ip
// CLI, …) in interleaved rounds, so every ratio comes from the same run on the same machine.
import { performance } from 'node:perf_hooks';

export interface Peer {
  name: string;
  /** Untimed preparation for one round (e.g. fresh namespaces). */
  setup?(round: number): Promise<void>;
  /** The timed work of one round: `ops` operations. */
  run(ops: number, round: number): Promise<void>;
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
        await peer.run(w.ops, round);
        samples.get(peer.name)!.push((performance.now() - t0) / w.ops);
      } finally {
        await peer.teardown?.(round);
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
