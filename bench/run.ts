// `npm run bench` (or `nln bench`): the container workload against every peer, teardown, small
// operations, event-loop delay and memory flatness, all in throwaway namespaces. Prints tables and
// the targets met or missed (every ratio measured in this same run), writes
// bench/results/latest.json and bench/results/containers.svg.
//   --quick   N=100 only, fewer rounds (a few minutes less)
//   --only=WORD  only the workloads whose name contains WORD (e.g. --only=IPv6)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Netns } from '../src/index';
import { barChart } from './chart';
import { CONTAINER_PEERS, containerWorkload, ipv6SettingsWorkload, TEARDOWN_PEERS, teardownWorkload } from './containers';
import { formatTable, measure, type Result, type Workload } from './harness';
import { linkList, linkUp, netnsCreate, nftWorkloads, removeMade, vethCreate } from './small';
import { eventLoopDelay, memoryFlatness } from './steady';

const PREFIX = `nlnb${process.pid}`;
let serial = 0;
const nextPrefix = () => `${PREFIX}-${serial++}`;

interface Target { what: string; measured: number; want: string; met: boolean; unit: string }

function targets(results: Result[], quick: boolean, loop: { p99Ms: number }, mem: { rssGrowthAfterWarmupMiB: number; fdGrowthAfterWarmup: number }): Target[] {
  const at = (workload: string, peer: string) => results.find((r) => r.workload === workload && r.peer === peer)?.medianMsPerOp ?? NaN;
  const n = quick ? 100 : 1000;
  const w = `per container (N=${n})`;
  const seq = at(w, CONTAINER_PEERS.sequential);
  const t: Target[] = [];
  const ratio = (what: string, value: number, want: number, atMost = false) =>
    t.push({ what, measured: value, want: `${atMost ? '≤' : '≥'} ${want}×`, met: atMost ? value <= want : value >= want, unit: '×' });
  ratio(`per container vs the C floor (N=${n}; ours / floor)`, seq / at(w, CONTAINER_PEERS.floor), 1.15, true);
  ratio('faster than ip + nft commands', at(w, CONTAINER_PEERS.commands) / seq, 20);
  ratio('faster than the CNI plugins', at(w, CONTAINER_PEERS.cni) / seq, 25);
  ratio('faster than pyroute2', at(w, CONTAINER_PEERS.pyroute2) / seq, 8);
  ratio('faster than Go vishvananda + google/nftables', at(w, CONTAINER_PEERS.go) / seq, 1.2);
  ratio('64 in flight vs one at a time (throughput)', seq / at(w, CONTAINER_PEERS.inFlight), 1.3);
  const td = `teardown (N=${n})`;
  ratio(`teardown of ${n}: vs deleting links one by one`, at(td, TEARDOWN_PEERS.oneByOne) / at(td, TEARDOWN_PEERS.library), 20);
  const up = results.find((r) => r.workload.startsWith('link set up'))?.workload ?? '';
  ratio('pipelined link up: rate vs the C floor', at(up, 'C floor, pipelined') / at(up, 'netlink-native, all in flight'), 0.8);
  t.push({ what: 'event-loop delay p99 while provisioning', measured: loop.p99Ms, want: '< 2 ms', met: loop.p99Ms < 2, unit: 'ms' });
  t.push({ what: 'RSS growth after warm-up', measured: mem.rssGrowthAfterWarmupMiB, want: '< 10 MiB', met: mem.rssGrowthAfterWarmupMiB < 10, unit: 'MiB' });
  t.push({ what: 'fd growth after warm-up', measured: mem.fdGrowthAfterWarmup, want: '0', met: mem.fdGrowthAfterWarmup <= 0, unit: '' });
  return t;
}

async function main(): Promise<void> {
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
  const results: Result[] = [];
  const failed: string[] = [];
  const dir = path.join(__dirname, '..', '..', 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const save = (extra: object) => fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify({ date: new Date().toISOString(), quick, results, failed, ...extra }, null, 2));
  const stop = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  let loop;
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
      save({ partial: true });
    }
    if (!only) {
      process.stderr.write('measuring: event-loop delay …\n');
      loop = await eventLoopDelay(1000, nextPrefix());
      process.stderr.write('measuring: memory over 100,000 operations …\n');
      mem = await memoryFlatness(quick ? 20_000 : 100_000, 1000, nextPrefix());
    }
  } finally {
    await cleanup();
  }
  console.log('\nmedian per operation over repeated rounds; "vs first" is measured in this same run\n');
  console.log(formatTable(results));
  for (const f of failed) console.log(`FAILED ${f}`);
  if (!loop || !mem) return;
  console.log(`\nevent loop while provisioning ${loop.containers} containers (64 in flight): p50 ${loop.p50Ms.toFixed(2)} ms, p99 ${loop.p99Ms.toFixed(2)} ms, max ${loop.maxMs.toFixed(2)} ms`);
  console.log(`memory over ${mem.operations} operations: ${mem.samples.map((s) => `${Math.round(s.rssMiB)} MiB/${s.fds} fds`).join(', ')}`);
  const t = targets(results, quick, loop, mem);
  console.log('\ntargets (ratios from this run)');
  for (const x of t) console.log(`  ${x.met ? 'met   ' : 'MISSED'} ${x.what.padEnd(58)} ${x.measured.toFixed(2).padStart(8)}${x.unit}  (want ${x.want})`);
  save({ eventLoop: loop, memory: mem, targets: t });
  fs.writeFileSync(path.join(dir, 'containers.svg'), barChart('One container (namespace, veth, address, route, DNAT rule): median per container, log scale',
    results.filter((r) => r.workload.startsWith('per container') || r.workload.startsWith('teardown'))));
  console.log('\nwritten: bench/results/latest.json, bench/results/containers.svg');
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
