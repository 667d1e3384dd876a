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

/** What a peer that measures itself reports for one round. */
export interface Sample {
  ms: number;
  /** CPU time (user + system) of the peer's own process(es) over the timed work. */
  cpuMs?: number;
  /** Peak resident set of the peer's process, KiB (ru_maxrss). */
  maxRssKiB?: number;
}

/** The line a self-timed peer prints: elapsed ns, then optionally CPU ns and peak RSS KiB. */
export function parseSample(line: string): Sample {
  const [ns, cpuNs, rss] = line.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(ns)) throw new Error(`a peer printed ${JSON.stringify(line)}, not its elapsed nanoseconds`);
  return { ms: ns / 1e6, cpuMs: cpuNs === undefined ? undefined : cpuNs / 1e6, maxRssKiB: rss };
}

/**
 * CPU time (user + system, ms) of this process's children that have been waited for
 * (/proc/self/stat cutime + cstime, in clock ticks of 10 ms): for peers that run a process per step.
 */
export function childrenCpuMs(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
  return (Number(fields[13]) + Number(fields[14])) * 10; // cutime, cstime: fields 16 and 17; USER_HZ is 100
}

export interface Peer {
  name: string;
  /** Untimed preparation for one round (e.g. fresh namespaces). */
  setup?(round: number): Promise<void>;
  /**
   * The timed work of one round: `ops` operations. A peer that runs in a process of its own returns
   * the milliseconds it measured itself (and its CPU time and peak RSS), so its start-up
   * (interpreter, imports) is not counted.
   */
  run(ops: number, round: number): Promise<void | number | Sample>;
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
  /** Each round's time / ops, in round order (so two peers' rounds pair up: `pairedRatio`). */
  rounds: number[];
  /** Median over rounds of (the peer's CPU time / ops), in milliseconds, where the peer reports it. */
  cpuMsPerOp?: number;
  /** Median over rounds of the peer process's peak RSS, MiB, where it reports it. */
  maxRssMiB?: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** `quiet`: what runs after each peer's round (waiting for the machine to be idle). */
export async function measure(w: Workload, quiet: () => Promise<void> = settle): Promise<Result[]> {
  const samples = new Map<string, Sample[]>(w.peers.map((p) => [p.name, []]));
  for (let round = 0; round < w.rounds; round++) {
    // Peers take turns within each round, in the reverse order every other round: the machine's
    // state drifts within a run (ext4 allocating /run/netns inodes past the ones deleted minutes
    // before costs more as a run goes on), and a fixed order would hand the later peers more of it.
    for (const peer of round % 2 ? [...w.peers].reverse() : w.peers) {
      await peer.setup?.(round);
      try {
        const t0 = performance.now();
        const own = await peer.run(w.ops, round);
        const ms = performance.now() - t0;
        samples.get(peer.name)!.push(typeof own === 'number' ? { ms: own } : own ?? { ms });
      } finally {
        await peer.teardown?.(round);
        await quiet();
      }
    }
  }
  return w.peers.map((p) => {
    const s = samples.get(p.name)!;
    const rounds = s.map((x) => x.ms / w.ops);
    const cpu = s.flatMap((x) => (x.cpuMs === undefined ? [] : [x.cpuMs / w.ops]));
    const rss = s.flatMap((x) => (x.maxRssKiB === undefined ? [] : [x.maxRssKiB / 1024]));
    return {
      workload: w.name, peer: p.name, medianMsPerOp: median(rounds), rounds,
      ...(cpu.length ? { cpuMsPerOp: median(cpu) } : {}), ...(rss.length ? { maxRssMiB: median(rss) } : {}),
    };
  });
}

/**
 * How many times b's time a's is, as the median over rounds of the ratio within each round: the two
 * ran minutes apart at most, so a drift of the machine between rounds cancels out.
 */
export function pairedRatio(a: Result, b: Result): number {
  // Rounds that do not pair up (not from one measure() call), or a round without a time: no ratio.
  if (a.rounds.length === 0 || a.rounds.length !== b.rounds.length) return NaN;
  const ratios = a.rounds.map((x, i) => x / b.rounds[i]);
  return ratios.every(Number.isFinite) ? median(ratios) : NaN;
}

/** A duration per operation: ms from 1 ms, µs below. */
export const perOp = (ms: number) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);

/**
 * A table: each peer's median per operation, how many times slower it is than the first peer
 * (pairedRatio), and where the peer reports them its CPU time per operation and peak RSS.
 */
export function formatTable(results: Result[]): string {
  const w = Math.max(30, ...results.map((r) => r.peer.length));
  const lines = [`${'workload'.padEnd(34)} ${'peer'.padEnd(w)} ${'median/op'.padStart(12)} ${'vs first'.padStart(9)} ${'CPU/op'.padStart(10)} ${'max RSS'.padStart(9)}`];
  let base = results[0];
  for (const r of results) {
    if (r.workload !== base.workload) base = r;
    const cpu = r.cpuMsPerOp === undefined ? '' : perOp(r.cpuMsPerOp);
    const rss = r.maxRssMiB === undefined ? '' : `${r.maxRssMiB.toFixed(0)} MiB`;
    lines.push(`${r.workload.padEnd(34)} ${r.peer.padEnd(w)} ${perOp(r.medianMsPerOp).padStart(12)} ${`${pairedRatio(r, base).toFixed(1)}×`.padStart(9)} ${cpu.padStart(10)} ${rss.padStart(9)}`);
  }
  return lines.join('\n');
}
