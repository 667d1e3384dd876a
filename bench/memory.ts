// What a process keeps after provisioning many containers: 4,000 of them (libraryContainer's:
// namespace, veth with its peer inside, master, up, address, default route, one DNAT rule), 200
// in flight, in a host namespace made for it; then RSS, the JS heap, external and ArrayBuffer
// memory, threads, fds and anonymous memory. Every namespace it makes
// is named `nlnmem-…` and deleted at the end, also on failure.
//   node dist/bench/memory.js [--n=4000] [--width=200]
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Netns } from '../src/index';
import { inFlight, libraryContainer, Round } from './containers';

export interface MemoryAfter {
  containers: number;
  width: number;
  /** RSS of the process before anything was made, and after (after a full GC). */
  rssBeforeMiB: number;
  rssAfterMiB: number;
  heapUsedMiB: number;
  /** What V8 has reserved for its heap (used or not). */
  heapTotalMiB: number;
  externalMiB: number;
  arrayBuffersMiB: number;
  threads: number;
  fds: number;
  /** Anonymous memory the process maps (heap, malloc arenas, thread stacks, V8), from smaps_rollup. */
  anonMiB: number;
  provisionMs: number;
  /**
   * RSS once the process has been idle `idleSeconds` (nothing forced): V8 shrinks its young
   * generation, grown to its maximum by the burst, only when it sees the process idle.
   */
  rssIdleMiB?: number;
  idleSeconds?: number;
}

export const MEMORY_PREFIX = 'nlnmem-';
/** A bridge takes at most 1,024 ports (BR_MAX_PORTS; the next enslave is EXFULL). */
const PORTS_PER_BRIDGE = 1000;

const MiB = (bytes: number) => bytes / 2 ** 20;
const status = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);
const anonKiB = () => Number(/^Anonymous:\s+(\d+)/m.exec(fs.readFileSync('/proc/self/smaps_rollup', 'utf8'))?.[1] ?? NaN);

function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/** Provisions n containers, width in flight, in a fresh host namespace; measures; deletes all it made. */
export async function memoryAfterContainers(n = 4000, width = 200, idleMs = 100): Promise<MemoryAfter> {
  const gc = collector();
  gc();
  const rssBefore = process.memoryUsage().rss;
  const round = new Round(`${MEMORY_PREFIX}${process.pid}`);
  try {
    await round.setup();
    // Container i goes on bridge i / 1000 (br0 is the round's; the others are made alike): the
    // same calls as libraryContainer makes for the bench, through a view of the round per bridge.
    const views = [round];
    for (let b = 1; b * PORTS_PER_BRIDGE < n; b++) {
      await round.host.links.add({ kind: 'bridge', name: `br${b}`, up: true });
      views.push(Object.assign(Object.create(round) as Round, { bridgeIndex: (await round.host.links.get(`br${b}`)).index }));
    }
    const t0 = performance.now();
    await inFlight(n, width, (i) => libraryContainer(views[Math.floor(i / PORTS_PER_BRIDGE)], i));
    const provisionMs = performance.now() - t0;
    const rules = (await round.host.nft.listRules({ family: 'ip', table: 'nln-bench', chain: 'prerouting' })).length;
    const ends = (await round.host.links.list({ kind: 'veth' })).length;
    if (rules !== n || ends !== n) throw new Error(`expected ${n} containers, found ${rules} DNAT rules and ${ends} host ends`);
    // Let the last replies' Buffers and promises go, then collect twice (weak callbacks run between).
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    gc();
    gc();
    const m = process.memoryUsage();
    const anonMiB = anonKiB() / 1024;
    const idleSeconds = 15;
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    return {
      containers: n, width,
      rssBeforeMiB: MiB(rssBefore), rssAfterMiB: MiB(m.rss), heapUsedMiB: MiB(m.heapUsed), heapTotalMiB: MiB(m.heapTotal),
      externalMiB: MiB(m.external), arrayBuffersMiB: MiB(m.arrayBuffers),
      threads: status('Threads'), fds: fs.readdirSync('/proc/self/fd').length, anonMiB, provisionMs,
      rssIdleMiB: MiB(process.memoryUsage().rss), idleSeconds,
    };
  } finally {
    await round.teardown().catch(() => {});
    await removeLeftovers();
  }
}

/** Every `nlnmem-` namespace (this run's or an earlier, interrupted one's). */
export async function removeLeftovers(): Promise<void> {
  const left = (await Netns.list()).filter((name) => name.startsWith(MEMORY_PREFIX));
  await Promise.all(left.map((name) => Netns.delete(name).catch(() => {})));
}

/** The largest anonymous mappings by resident size (where native memory sits: arenas, stacks, V8). */
export function largestAnonymous(count: number): string {
  const regions: Array<{ range: string; name: string; rssKiB: number; sizeKiB: number }> = [];
  let current: { range: string; name: string; rssKiB: number; sizeKiB: number } | undefined;
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+-[0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) regions.push(current = { range: head[1], name: head[2], rssKiB: 0, sizeKiB: 0 });
    else if (current && line.startsWith('Rss:')) current.rssKiB = Number(line.split(/\s+/)[1]);
    else if (current && line.startsWith('Size:')) current.sizeKiB = Number(line.split(/\s+/)[1]);
  }
  return regions.filter((r) => !r.name.startsWith('/')).sort((a, b) => b.rssKiB - a.rssKiB).slice(0, count)
    .map((r) => `${r.range} ${String(r.rssKiB).padStart(7)} KiB resident of ${String(r.sizeKiB).padStart(7)} KiB ${r.name}`).join('\n');
}

export function formatMemory(m: MemoryAfter): string {
  const f = (x: number) => x.toFixed(1);
  return `${m.containers} containers, ${m.width} in flight (${(m.provisionMs / 1000).toFixed(1)} s): RSS ${f(m.rssBeforeMiB)} → ${f(m.rssAfterMiB)} MiB `
    + `(anonymous ${f(m.anonMiB)} MiB), JS heap ${f(m.heapUsedMiB)} MiB (of ${f(m.heapTotalMiB)}), external ${f(m.externalMiB)} MiB, `
    + `ArrayBuffers ${f(m.arrayBuffersMiB)} MiB, ${m.threads} threads, ${m.fds} fds`
    + (m.rssIdleMiB === undefined ? '' : `; RSS ${f(m.rssIdleMiB)} MiB after ${m.idleSeconds} s idle`);
}

if (require.main === module) {
  const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
  const stop = () => void removeLeftovers().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  void memoryAfterContainers(arg('n', 4000), arg('width', 200), arg('idle', 100)).then((m) => {
    console.log(formatMemory(m));
    if (process.argv.includes('--json')) console.log(JSON.stringify(m));
    if (process.argv.includes('--smaps')) {
      console.log(largestAnonymous(12));
      for (const sp of v8.getHeapSpaceStatistics()) console.log(`${sp.space_name.padEnd(24)} size ${MiB(sp.space_size).toFixed(1)} MiB, used ${MiB(sp.space_used_size).toFixed(1)} MiB, committed ${MiB(sp.physical_space_size).toFixed(1)} MiB`);
    }
  }, (err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
