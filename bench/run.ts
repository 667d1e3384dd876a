// `npm run bench` (or `nln bench`): the container workload against every peer, teardown, small
// operations, event-loop delay and memory flatness, all in throwaway namespaces. Prints tables and
// the targets met or missed (every ratio measured in this same run), writes
// bench/results/latest.json and bench/results/containers.svg.
//   --quick   N=100 only, fewer rounds (a few minutes less)
//   --only=WORD  only the workloads whose name contains WORD (e.g. --only=IPv6)
//   --report  print the tables and targets of the last run again (bench/results/latest.json)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Netns } from '../src/index';
import { barChart } from './chart';
import { CONTAINER_PEERS, containerWorkload, ipv6SettingsWorkload, TEARDOWN_PEERS, teardownWorkload } from './containers';
import { formatTable, measure, type Result, type Workload } from './harness';
import { linkList, linkUp, netnsCreate, nftWorkloads, removeMade, vethCreate } from './small';
import { type DeleteLoopResult, type EventLoopResult, eventLoopDelay, eventLoopWhileDeleting, memoryFlatness } from './steady';

const PREFIX = `nlnb${process.pid}`;
let serial = 0;
const nextPrefix = () => `${PREFIX}-${serial++}`;

interface Target { what: string; measured: number; want: string; met: boolean; unit: string }

/**
 * The issue's targets, for each N measured and for both ways of calling the library (one container
 * at a time, the strict reading; 64 in flight, how an orchestrator provisions).
 */
function targets(results: Result[], loop?: EventLoopResult, mem?: { rssGrowthAfterWarmupMiB: number; fdGrowthAfterWarmup: number }): Target[] {
  const at = (workload: string, peer: string) => results.find((r) => r.workload === workload && r.peer === peer)?.medianMsPerOp ?? NaN;
  const t: Target[] = [];
  const ratio = (what: string, value: number, want: number, atMost = false) =>
    t.push({ what, measured: value, want: `${atMost ? '≤' : '≥'} ${want}×`, met: atMost ? value <= want : value >= want, unit: '×' });
  const sizes = [...new Set(results.map((r) => /^per container \(N=(\d+)\)/.exec(r.workload)?.[1]).filter(Boolean))].map(Number);
  for (const n of sizes) {
    const w = `per container (N=${n})`;
    for (const [mode, peer] of [['one at a time', CONTAINER_PEERS.sequential], ['64 in flight', CONTAINER_PEERS.inFlight]] as const) {
      const ours = at(w, peer);
      ratio(`N=${n}, ${mode}: ours / C floor`, ours / at(w, CONTAINER_PEERS.floor), 1.15, true);
      ratio(`N=${n}, ${mode}: faster than ip + nft commands`, at(w, CONTAINER_PEERS.commands) / ours, 20);
      ratio(`N=${n}, ${mode}: faster than the CNI plugins`, at(w, CONTAINER_PEERS.cni) / ours, 25);
      ratio(`N=${n}, ${mode}: faster than pyroute2`, at(w, CONTAINER_PEERS.pyroute2) / ours, 8);
      ratio(`N=${n}, ${mode}: faster than Go netlink + nftables`, at(w, CONTAINER_PEERS.go) / ours, 1.2);
    }
    ratio(`N=${n}: 64 in flight vs one at a time (throughput)`, at(w, CONTAINER_PEERS.sequential) / at(w, CONTAINER_PEERS.inFlight), 1.3);
    const td = `teardown (N=${n})`;
    ratio(`N=${n}: teardown vs deleting links one by one`, at(td, TEARDOWN_PEERS.oneByOne) / at(td, TEARDOWN_PEERS.library), 20);
  }
  const up = results.find((r) => r.workload.startsWith('link set up'))?.workload ?? '';
  ratio('pipelined link up: rate vs the C floor', at(up, 'C floor, pipelined') / at(up, 'netlink-native, all in flight'), 0.8);
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
  targets?: Target[];
}

/** Tables, targets and the chart, from a run's results (also `--report`: from latest.json). */
function report(r: Report, dir: string): void {
  console.log(`\n${r.date}: median per operation over repeated rounds; "vs first" is measured in this same run\n`);
  console.log(formatTable(r.results));
  for (const f of r.failed) console.log(`FAILED ${f}`);
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
  if (mem) console.log(`memory over ${mem.operations} operations: ${mem.samples.map((s) => `${Math.round(s.rssMiB)} MiB/${s.fds} fds`).join(', ')}`);
  r.targets = targets(r.results, loop, mem);
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
  const sizes = quick ? [100] : [100, 1000];
  const workloads: Workload[] = [
    ...sizes.map((n) => containerWorkload(n, n >= 1000 ? 3 : 5, nextPrefix)),
    ...sizes.map((n) => teardownWorkload(n, 3, nextPrefix)),
    ipv6SettingsWorkload(100, 5, nextPrefix),
    netnsCreate(5, 40), vethCreate(5, 40),
    linkUp(5, 1000),
    linkList(3, 5, 10000),
    ...nftWorkloads(3, quick ? 1000 : 10000),
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
  } finally {
    await cleanup();
  }
  let merged: Report = { date: new Date().toISOString(), quick, results, failed, eventLoop: loop, deleteLoop, memory: mem };
  if (only && fs.existsSync(path.join(dir, 'latest.json'))) {
    // A partial run (--only) replaces its workloads in the last full run's results.
    const last = JSON.parse(fs.readFileSync(path.join(dir, 'latest.json'), 'utf8')) as Report;
    const redone = new Set(results.map((r) => r.workload));
    merged = {
      ...last, date: `${last.date}, partly redone ${merged.date} (${only})`,
      results: [...last.results.filter((r) => !redone.has(r.workload)), ...results],
      failed: [...last.failed.filter((f) => !workloads.some((w) => f.startsWith(`${w.name}:`))), ...failed],
      eventLoop: loop ?? last.eventLoop, deleteLoop: deleteLoop ?? last.deleteLoop, memory: mem ?? last.memory,
    };
  }
  report(merged, dir);
}

/** Whatever a round left behind (also after Ctrl-C): namespaces with this run's prefix. */
async function cleanup(): Promise<void> {
  await removeMade();
  const left = (await Netns.list()).filter((n) => n.startsWith(PREFIX));
  await Promise.all(left.map((n) => Netns.delete(n).catch(() => {})));
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
