// `npm run bench` (or `nln bench`): the container workload against every peer, teardown, small
// operations, event-loop delay and memory flatness, all in throwaway namespaces. Prints tables and
// the targets met or missed (every ratio measured in this same run), writes
// bench/results/latest.json and bench/results/containers.svg.
//   --quick   N=100 only, fewer rounds (a few minutes less)
//   --only=WORD  only the workloads whose name contains WORD (e.g. --only=IPv6)
//   --n=N     the per-container and teardown workloads at N containers only (e.g. --n=20 for a check)
//   --peers=WORD[,WORD]  only the per-container peers whose name contains one of the words
//   --report  print the tables and targets of the last run again (bench/results/latest.json)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Netns } from '../src/index';
import { execFileSync } from 'node:child_process';
import { barChart } from './chart';
import { cniRatios, cniWorkloads, finishCni } from './cni';
import { CONCURRENT_PEERS, CONTAINER_PEERS, containerWorkload, ipv6SettingsWorkload, TEARDOWN_PEERS, teardownWorkload } from './containers';
import { formatTable, measure, pairedRatio, perOp, type Result, type Workload } from './harness';
import { iptablesRestoreWorkloads } from './iptables-restore';
import { formatLoadTime, type LoadTime } from './load-time';
import { formatMemory, type MemoryAfter } from './memory';
import { linkList, linkUp, netnsCreate, nftBatchWorkloads, nftWorkloads, removeMade, vethCreate } from './small';
import { type DeleteLoopResult, type EventLoopResult, eventLoopDelay, eventLoopWhileDeleting, memoryFlatness } from './steady';

/** NLN_BENCH_PREFIX: what this run's namespace names start with (a helper's own prefix). */
const PREFIX = `${process.env.NLN_BENCH_PREFIX ?? 'nlnb'}${process.pid}`;
let serial = 0;
const nextPrefix = () => `${PREFIX}-${serial++}`;

interface Target { what: string; measured: number; want: string; met: boolean; unit: string }

/**
 * The issue's targets, for each N measured and for both ways of calling the library (one container
 * at a time, the strict reading; 64 in flight, how an orchestrator provisions).
 */
function targets(results: Result[], loop?: EventLoopResult, mem?: { rssGrowthAfterWarmupMiB: number; fdGrowthAfterWarmup: number }, after?: MemoryAfter): Target[] {
  const find = (workload: string, peer: string) => results.find((r) => r.workload === workload && r.peer === peer);
  // How many times b's time a's is: two peers of one workload, so the median of their ratios
  // within each round (harness.ts pairedRatio); NaN when either was not measured.
  const times = (w: string, a: string, b: string) => { const x = find(w, a); const y = find(w, b); return x && y ? pairedRatio(x, y) : NaN; };
  const t: Target[] = [];
  // A ratio with a peer that was not measured (--peers, --only) is left out.
  const ratio = (what: string, value: number, want: number, atMost = false) => Number.isNaN(value) ? undefined :
    t.push({ what, measured: value, want: `${atMost ? '≤' : '≥'} ${want}×`, met: atMost ? value <= want : value >= want, unit: '×' });
  const sizes = [...new Set(results.map((r) => /^per container \(N=(\d+)\)/.exec(r.workload)?.[1]).filter(Boolean))].map(Number);
  for (const n of sizes) {
    const w = `per container (N=${n})`;
    // Like against like: one at a time against the sequential peers, 64 in flight against the
    // concurrent ones only (the C floor's 64 threads and Go's 64 goroutines).
    const r = (a: string, b: string) => times(w, a, b);
    const one = CONTAINER_PEERS.sequential;
    const many = CONTAINER_PEERS.inFlight;
    ratio(`N=${n}, one at a time: ours / C floor sequential`, r(one, CONTAINER_PEERS.floor), 1.5, true);
    ratio(`N=${n}, one at a time: faster than Go sequential`, r(CONTAINER_PEERS.go, one), 1.2);
    ratio(`N=${n}, one at a time: faster than ip + nft commands`, r(CONTAINER_PEERS.commands, one), 20);
    ratio(`N=${n}, one at a time: faster than the CNI plugins`, r(CONTAINER_PEERS.cni, one), 25);
    ratio(`N=${n}, one at a time: faster than pyroute2`, r(CONTAINER_PEERS.pyroute2, one), 8);
    ratio(`N=${n}, 64 in flight: ours / C floor 64 threads`, r(many, CONTAINER_PEERS.floorConcurrent), 1.15, true);
    ratio(`N=${n}, 64 in flight: faster than Go 64 goroutines`, r(CONTAINER_PEERS.goConcurrent, many), 1.2);
    ratio(`N=${n}: 64 in flight vs one at a time (throughput)`, r(one, many), 1.3);
    const td = `teardown (N=${n})`;
    ratio(`N=${n}: teardown vs deleting links one by one`, times(td, TEARDOWN_PEERS.oneByOne, TEARDOWN_PEERS.library), 20);
  }
  const up = results.find((r) => r.workload.startsWith('link set up'))?.workload ?? '';
  ratio('pipelined link up: rate vs the C floor', times(up, 'C floor, pipelined', 'netlink-native, all in flight'), 0.8);
  if (loop) {
    // Beside it, what the machine allows any event loop then: an idle process's p99 over the same time.
    const idle = loop.idleProcess && loop.provisionedInWorker
      ? ` (an idle Node process meanwhile: ${loop.idleProcess.p99Ms.toFixed(1)} ms; provisioning from a worker: ${loop.provisionedInWorker.p99Ms.toFixed(1)} ms)` : '';
    t.push({ what: `event-loop delay p99 while provisioning${idle}`, measured: loop.p99Ms, want: '< 2 ms', met: loop.p99Ms < 2, unit: 'ms' });
  }
  if (mem) {
    t.push({ what: 'RSS growth after warm-up', measured: mem.rssGrowthAfterWarmupMiB, want: '< 10 MiB', met: mem.rssGrowthAfterWarmupMiB < 10, unit: 'MiB' });
    t.push({ what: 'fd growth after warm-up', measured: mem.fdGrowthAfterWarmup, want: '0', met: mem.fdGrowthAfterWarmup <= 0, unit: '' });
  }
  if (after) {
    t.push({ what: `RSS right after ${after.containers} containers, ${after.width} in flight`, measured: after.rssAfterMiB, want: '≤ 70 MiB', met: after.rssAfterMiB <= 70, unit: 'MiB' });
    // (absent from results recorded before it was measured)
    if (after.rssIdleMiB !== undefined) t.push({ what: `RSS ${after.idleSeconds} s after them, idle`, measured: after.rssIdleMiB, want: '≤ 70 MiB', met: after.rssIdleMiB <= 70, unit: 'MiB' });
  }
  for (const batch of new Set(results.filter((r) => r.workload.startsWith('nft: one batch')).map((r) => r.workload))) {
    ratio(`${batch}: ours / nft -f`, times(batch, 'netlink-native transaction', 'nft -f'), 1, true);
  }
  for (const [prefix, want] of [['iptables-restore --noflush: kube-proxy sync', 3], ['iptables-restore --noflush: one service resynced', 10]] as const) {
    for (const w of new Set(results.filter((r) => r.workload.startsWith(prefix)).map((r) => r.workload))) {
      ratio(`${w}: faster than iptables-nft-restore --noflush`, times(w, 'iptables-nft-restore --noflush', 'netlink-native restore'), want);
    }
  }
  for (const c of cniRatios(results, 64)) if (c.want !== undefined) ratio(`CNI via libcni, ${c.what}`, c.value, c.want);
  const list = results.find((r) => r.workload.startsWith('link list'))?.workload ?? '';
  ratio(`${list}: ours / ip -j link show`, times(list, 'netlink-native', 'ip -j link show (process per op)'), 1, true);
  return t;
}

interface Report {
  date: string;
  quick: boolean;
  results: Result[];
  failed: string[];
  eventLoop?: EventLoopResult;
  deleteLoop?: DeleteLoopResult;
  memory?: { operations: number; samples: Array<{ ops: number; rssMiB: number; fds: number }>; rssGrowthAfterWarmupMiB: number; fdGrowthAfterWarmup: number };
  /** bench/memory.ts in a process of its own: what it keeps after 4,000 containers. */
  memoryAfter?: MemoryAfter;
  /** bench/load-time.ts: require and the first call, in fresh processes. */
  loadTime?: LoadTime;
  targets?: Target[];
}

/**
 * Ours against the peers of its own kind, in time (median of the ratios within each round) and in
 * CPU time per container: ratios above 1 mean ours costs more.
 */
function comparisons(results: Result[]): string[] {
  const lines: string[] = [];
  const pairs = [
    ['ours 1 at a time / C floor sequential', CONTAINER_PEERS.sequential, CONTAINER_PEERS.floor],
    ['ours 1 at a time / Go sequential', CONTAINER_PEERS.sequential, CONTAINER_PEERS.go],
    ['ours 64 in flight / C floor 64 threads', CONTAINER_PEERS.inFlight, CONTAINER_PEERS.floorConcurrent],
    ['ours 64 in flight / Go 64 goroutines', CONTAINER_PEERS.inFlight, CONTAINER_PEERS.goConcurrent],
  ] as const;
  for (const w of new Set(results.filter((r) => r.workload.startsWith('per container')).map((r) => r.workload))) {
    const at = (peer: string) => results.find((r) => r.workload === w && r.peer === peer);
    for (const [what, ours, peer] of pairs) {
      const a = at(ours);
      const b = at(peer);
      if (!a || !b) continue;
      const cpu = a.cpuMsPerOp !== undefined && b.cpuMsPerOp !== undefined ? `, CPU ${(a.cpuMsPerOp / b.cpuMsPerOp).toFixed(2)}×` : '';
      const rss = a.maxRssMiB !== undefined && b.maxRssMiB !== undefined ? `, peak RSS ${a.maxRssMiB.toFixed(0)} vs ${b.maxRssMiB.toFixed(0)} MiB` : '';
      lines.push(`  ${w}: ${what.padEnd(40)} time ${pairedRatio(a, b).toFixed(2)}×${cpu}${rss}`);
    }
  }
  return lines;
}

/** The per-container results as markdown, for bench/README.md: time, CPU time and peak RSS per peer. */
function markdownTables(results: Result[]): string[] {
  const lines: string[] = [];
  for (const w of new Set(results.filter((r) => r.workload.startsWith('per container')).map((r) => r.workload))) {
    lines.push('', `${w}, medians`, '', '| peer | kind | ms per container | CPU ms per container | peak RSS |', '|---|---|---|---|---|');
    for (const r of results.filter((x) => x.workload === w)) {
      const kind = CONCURRENT_PEERS.includes(r.peer) ? 'concurrent' : 'sequential';
      lines.push(`| ${r.peer} | ${kind} | ${perOp(r.medianMsPerOp)} | ${r.cpuMsPerOp === undefined ? '–' : perOp(r.cpuMsPerOp)} | ${r.maxRssMiB === undefined ? '–' : `${r.maxRssMiB.toFixed(0)} MiB`} |`);
    }
  }
  return lines;
}

/** Tables, targets and the chart, from a run's results (also `--report`: from latest.json). */
function report(r: Report, dir: string): void {
  console.log(`\n${r.date}: median per operation over repeated rounds; "vs first" is measured in this same run\n`);
  console.log(formatTable(r.results));
  for (const f of r.failed) console.log(`FAILED ${f}`);
  const like = comparisons(r.results);
  if (like.length) console.log(['\nours against peers of its kind (same run; above 1×: ours costs more)', ...like].join('\n'));
  console.log(markdownTables(r.results).join('\n'));
  const loop = r.eventLoop;
  const mem = r.memory;
  if (loop) {
    const line = (d: { p50Ms: number; p99Ms: number; maxMs: number }) => `p50 ${d.p50Ms.toFixed(2)} ms, p99 ${d.p99Ms.toFixed(2)} ms, max ${d.maxMs.toFixed(2)} ms`;
    console.log(`\nevent loop while provisioning ${loop.containers} containers (64 in flight): ${line(loop)}`);
    if (loop.idleProcess) console.log(`  an idle Node process over the same provisioning: ${line(loop.idleProcess)}`);
    if (loop.provisionedInWorker) console.log(`  the main thread while a worker thread provisions them: ${line(loop.provisionedInWorker)}`);
  }
  const del = r.deleteLoop;
  if (del) {
    console.log(`event loop while deleting ${del.pairs} veth pairs (${del.elapsedMs.toFixed(1)} ms in the kernel, half one at a time, half in flight): `
      + `a 1 ms timer at most ${del.worstTimerLatenessMs.toFixed(2)} ms late; p99 ${del.loop.p99Ms.toFixed(2)} ms, max ${del.loop.maxMs.toFixed(2)} ms`);
  }
  if (r.memoryAfter) console.log(`memory after provisioning (a process of its own): ${formatMemory(r.memoryAfter)}`);
  if (r.loadTime) console.log(formatLoadTime(r.loadTime));
  if (mem) console.log(`memory over ${mem.operations} operations: ${mem.samples.map((s) => `${Math.round(s.rssMiB)} MiB/${s.fds} fds`).join(', ')}`);
  r.targets = targets(r.results, loop, mem, r.memoryAfter);
  console.log('\ntargets (ratios from this run)');
  for (const x of r.targets) console.log(`  ${x.met ? 'met   ' : 'MISSED'} ${x.what.padEnd(58)} ${x.measured.toFixed(2).padStart(8)}${x.unit}  (want ${x.want})`);
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(r, null, 2));
  fs.writeFileSync(path.join(dir, 'containers.svg'), barChart('One container (namespace, veth, address, route, DNAT rule): median per container, log scale',
    r.results.filter((x) => x.workload.startsWith('per container') || x.workload.startsWith('teardown'))));
  console.log('\nwritten: bench/results/latest.json, bench/results/containers.svg');
}

async function main(): Promise<void> {
  const dir = path.join(__dirname, '..', '..', 'bench', 'results');
  if (process.argv.includes('--report')) {
    report(JSON.parse(fs.readFileSync(path.join(dir, 'latest.json'), 'utf8')) as Report, dir);
    return;
  }
  const quick = process.argv.includes('--quick');
  const n = process.argv.find((a) => a.startsWith('--n='))?.slice(4);
  const sizes = n ? [Number(n)] : quick ? [100] : [100, 1000];
  const peerWords = process.argv.find((a) => a.startsWith('--peers='))?.slice(8).split(',');
  const containerPeers = peerWords && Object.values(CONTAINER_PEERS).filter((name) => peerWords.some((word) => name.includes(word)));
  const workloads: Workload[] = [
    ...sizes.map((k) => containerWorkload(k, k >= 1000 ? 4 : 6, nextPrefix, containerPeers)),
    ...sizes.map((k) => teardownWorkload(k, 4, nextPrefix)),
    ipv6SettingsWorkload(100, 6, nextPrefix),
    netnsCreate(6, 40), vethCreate(6, 40),
    linkUp(6, 1000),
    linkList(6, 5, 10000),
    ...nftBatchWorkloads(6, quick ? [1000] : [1000, 10000]),
    ...nftWorkloads(4, quick ? 1000 : 10000),
    ...iptablesRestoreWorkloads(4, quick ? 1000 : 10000),
    ...cniWorkloads(64, quick ? 2 : 4),
  ];
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  if (only) {
    const picked = workloads.filter((w) => w.name.includes(only));
    workloads.splice(0, workloads.length, ...picked);
  }
  const wanted = (name: string) => !only || name.includes(only);
  const results: Result[] = [];
  const failed: string[] = [];
  fs.mkdirSync(dir, { recursive: true });
  const save = (extra: object) => fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify({ date: new Date().toISOString(), quick, results, failed, ...extra }, null, 2));
  const stop = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  let loop;
  let deleteLoop;
  let mem;
  let memoryAfter: MemoryAfter | undefined;
  let loadTime: LoadTime | undefined;
  try {
    for (const w of workloads) {
      process.stderr.write(`measuring: ${w.name} …\n`);
      try {
        results.push(...(await measure(w)));
      } catch (err) {
        // One failing workload (a peer missing, a kernel refusal) is reported; the others still run.
        failed.push(`${w.name}: ${err instanceof Error ? err.message : String(err)}`);
        process.stderr.write(`failed: ${failed[failed.length - 1]}\n`);
        await cleanup();
      }
      if (!only) save({ partial: true }); // a partial run merges into the last full one at the end
    }
    if (wanted('event loop')) {
      process.stderr.write('measuring: event loop …\n');
      loop = await eventLoopDelay(1000, nextPrefix());
      process.stderr.write('measuring: event loop while deleting veth pairs …\n');
      deleteLoop = await eventLoopWhileDeleting(20, nextPrefix());
    }
    if (wanted('memory')) {
      process.stderr.write('measuring: memory over 100,000 operations …\n');
      mem = await memoryFlatness(quick ? 20_000 : 100_000, 1000, nextPrefix());
    }
    if (wanted('memory after')) {
      // A fresh process, so what earlier workloads left in this one is not counted.
      process.stderr.write('measuring: memory after 4,000 containers …\n');
      const out = execFileSync(process.execPath, [path.join(__dirname, 'memory.js'), '--json'], { encoding: 'utf8' });
      memoryAfter = JSON.parse(out.trim().split('\n').pop()!) as MemoryAfter;
    }
    if (wanted('load time')) {
      process.stderr.write('measuring: load time …\n');
      const out = execFileSync(process.execPath, [path.join(__dirname, 'load-time.js'), '--json', `--runs=${quick ? 5 : 15}`], { encoding: 'utf8' });
      loadTime = JSON.parse(out) as LoadTime;
    }
  } finally {
    await cleanup();
  }
  let merged: Report = { date: new Date().toISOString(), quick, results, failed, eventLoop: loop, deleteLoop, memory: mem, memoryAfter, loadTime };
  if (only && fs.existsSync(path.join(dir, 'latest.json'))) {
    // A partial run (--only) replaces its workloads in the last full run's results.
    const last = JSON.parse(fs.readFileSync(path.join(dir, 'latest.json'), 'utf8')) as Report;
    const redone = new Set(results.map((r) => r.workload));
    merged = {
      ...last, date: `${last.date}, partly redone ${merged.date} (${only})`,
      results: [...last.results.filter((r) => !redone.has(r.workload)), ...results],
      failed: [...last.failed.filter((f) => !workloads.some((w) => f.startsWith(`${w.name}:`))), ...failed],
      eventLoop: loop ?? last.eventLoop, deleteLoop: deleteLoop ?? last.deleteLoop, memory: mem ?? last.memory, memoryAfter: memoryAfter ?? last.memoryAfter, loadTime: loadTime ?? last.loadTime,
    };
  }
  report(merged, dir);
}

/** Whatever a round left behind (also after Ctrl-C): namespaces with this run's prefix. */
async function cleanup(): Promise<void> {
  await removeMade();
  await finishCni();
  const left = (await Netns.list()).filter((n) => n.startsWith(PREFIX));
  await Promise.all(left.map((n) => Netns.delete(n).catch(() => {})));
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
