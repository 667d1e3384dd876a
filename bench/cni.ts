// A pod's network through libcni, as a runtime sets it up and tears it down: ADD then DEL per pod,
// each pod with one published port (portMappings). The libcni driver (test/fixtures/cni-libcni,
// its `bench` mode: every ADD, then every DEL, one at a time or 64 in flight from one process)
// runs inside a "node" namespace made for the round, the pods' namespaces made beside it, the
// IPAM store in a temp dir. Peers, in alternating turns within each round:
//   ours, the daemon: the shim (nln cni install) forwarding to `nln cni daemon`, which runs in this
//     machine's namespace and acts in its caller's (the node's);
//   ours, no daemon: the same shim with no daemon answering, so it runs the plugin in node;
//   the reference chain: bridge + host-local + portmap from /usr/lib/cni, the same config.
// Time and CPU time per pod, that CPU split by where it went (the driver, the processes it ran, the
// daemon; user and system); the machine's own namespace is checked untouched (links, nftables
// tables) after the run.
//   node dist/bench/cni.js [--pods=N] [--rounds=N] [--peers=daemon,node,reference]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Netns } from '../src/index';
import { type DaemonProcess, cniSandbox, startDaemon } from '../test/cni-daemon-helpers';
import { libcniDriver, REFERENCE_DIR } from '../test/cni-helpers';
import { formatTable, measure, median, pairedRatio, type Peer, type Result, type Sample, type Workload } from './harness';

export const CNI_PEERS = {
  daemon: 'ours: shim -> nln cni daemon',
  node: 'ours: shim -> node (no daemon)',
  reference: 'reference: bridge + host-local + portmap',
} as const;

const prefix = `nlnb-cni-${process.pid}`;
let serial = 0;
let ports = 0;

/** The network, in the shape both plugins read: ours is the first plugin alone; the reference adds portmap. */
function confList(type: 'nln-bridge' | 'bridge', dataDir: string): object {
  const bridge = {
    type, bridge: 'nlnb0', isGateway: true, ipMasq: true, hairpinMode: true,
    ...(type === 'nln-bridge' ? { capabilities: { portMappings: true } } : {}),
    ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.0.0/22' }]], dataDir },
  };
  const portmap = { type: 'portmap', capabilities: { portMappings: true }, snat: true };
  return { cniVersion: '1.0.0', name: 'nlnbench', plugins: type === 'bridge' ? [bridge, portmap] : [bridge] };
}

/** CPU time (user, system; ms) of a running process, from /proc/PID/stat (ticks of 10 ms). */
function processCpuMs(pid: number): { user: number; sys: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) * 10, sys: Number(fields[12]) * 10 }; // utime, stime: fields 14 and 15
}

/**
 * A round's CPU time (ms, user and system) by where it was spent: the libcni driver itself, the
 * processes it exec'd and waited for (our shim, or the node it starts; the reference plugins and
 * their iptables), and the daemon.
 */
export interface CniCpuSplit { driverUser: number; driverSys: number; pluginsUser: number; pluginsSys: number; daemonUser: number; daemonSys: number }
const CPU_PARTS = ['driverUser', 'driverSys', 'pluginsUser', 'pluginsSys', 'daemonUser', 'daemonSys'] as const;

/** Each measured round's split, by workload width and peer. */
const splits = new Map<string, CniCpuSplit[]>();
/** Each measured round's ADD and DEL phase times (ms for all pods), by workload width and peer. */
const phases = new Map<string, Array<{ add: number; del: number; addBusy: number; delBusy: number }>>();
const splitKey = (concurrency: number, peerName: string) => `${concurrency} ${peerName}`;

/** What the machine's own namespace holds that a CNI plugin could add to: link names and nftables tables. */
async function machineState(): Promise<string> {
  const here = Netns.current();
  const links = (await here.exec('ip', ['-j', 'link', 'show'])).stdout;
  const tables = (await here.exec('nft', ['-j', 'list', 'tables'])).stdout;
  const names = (JSON.parse(links) as Array<{ ifname: string }>).map((l) => l.ifname).sort();
  return JSON.stringify({ links: names, tables: JSON.parse(tables) });
}

interface Shared { daemon?: DaemonProcess; sandbox?: ReturnType<typeof cniSandbox>; before?: string }
const shared: Shared = {};

/** Untimed rounds of 64 pods in flight through the daemon before any is measured (see warmDaemon). */
const WARM_ROUNDS = 4;

async function prepare(): Promise<Required<Shared>> {
  if (!shared.sandbox) {
    shared.before = await machineState();
    shared.sandbox = cniSandbox();
    shared.daemon = await startDaemon(['--socket', shared.sandbox.socket]);
    await warmDaemon();
  }
  return shared as Required<Shared>;
}

/**
 * The daemon as it is on a node that has run pods before: a resident process whose JavaScript has
 * been compiled by then. A fresh one spends its first thousand-odd calls also compiling (V8's
 * optimizing compiler, on the other CPU: ~30% of its CPU time in a burst of 64 ADDs after 200 calls),
 * which is the daemon's start-up, not the cost of a pod. Each round: every pod added, then deleted.
 */
async function warmDaemon(): Promise<void> {
  const warm = peer(CNI_PEERS.daemon, 64, 64, false);
  for (let round = 0; round < WARM_ROUNDS; round++) {
    await warm.setup!(round);
    try {
      await warm.run(64, round);
    } finally {
      await warm.teardown!(round);
    }
  }
}

/** Stops the daemon, removes the sandbox, and fails when the machine's namespace changed. */
export async function finishCni(): Promise<void> {
  if (!shared.sandbox) return;
  await shared.daemon?.stop();
  shared.sandbox.remove();
  const after = await machineState();
  const changed = after !== shared.before;
  shared.sandbox = undefined;
  shared.daemon = undefined;
  if (changed) throw new Error(`the CNI bench changed the machine's own namespace: before ${shared.before}, after ${after}`);
}

/** One peer: a fresh node namespace, pod namespaces and store each round; the driver's `bench` mode times it. */
/** `record`: whether its rounds count (not for warmDaemon's). */
function peer(name: string, pods: number, concurrency: number, record = true): Peer {
  let node: Netns | undefined;
  let podNs: Netns[] = [];
  let warm: Netns | undefined;
  let dir = '';
  const kind = name === CNI_PEERS.reference ? 'bridge' : 'nln-bridge';
  /** The driver's `bench` mode in the node namespace: every ADD, then every DEL; its time and the CPU time of all involved. */
  const drive = async (these: Netns[], width: number): Promise<{ sample: Sample; split: CniCpuSplit; phase: { add: number; del: number; addBusy: number; delBusy: number } }> => {
    const { sandbox, daemon } = await prepare();
    const request = {
      pluginDirs: kind === 'bridge' ? [REFERENCE_DIR] : [path.dirname(sandbox.shim), REFERENCE_DIR],
      cacheDir: path.join(dir, 'cache'),
      confList: confList(kind, path.join(dir, 'ipam')),
      ifname: 'eth0',
      concurrency: width,
      pods: these.map((ns) => ({
        containerID: ns.name!, netns: `/run/netns/${ns.name!}`,
        portMappings: [{ hostPort: 20000 + (ports++ % 10000), containerPort: 80, protocol: 'tcp' }],
      })),
    };
    const socket = name === CNI_PEERS.daemon ? sandbox.socket : path.join(dir, 'no-daemon.sock');
    const daemonBefore = processCpuMs(daemon.child.pid!);
    const r = await node!.exec(libcniDriver(), ['bench'], { input: JSON.stringify(request), env: { PATH: process.env.PATH, NLN_CNI_SOCKET: socket }, timeout: 600_000 });
    const daemonAfter = processCpuMs(daemon.child.pid!);
    const served = name === CNI_PEERS.daemon;
    const daemonCpu = { user: served ? daemonAfter.user - daemonBefore.user : 0, sys: served ? daemonAfter.sys - daemonBefore.sys : 0 };
    if (r.code !== 0) throw new Error(`cni-libcni bench exited ${r.code}: ${r.stderr}`);
    type Answer = { addNs: number; delNs: number; addBusy: number; delBusy: number; selfUserNs: number; selfSysNs: number; childUserNs: number; childSysNs: number };
    const answer = JSON.parse(r.stdout) as { result?: Answer; error?: { msg: string; details?: string } };
    if (!answer.result) throw new Error(`${name}: ${answer.error?.msg} ${answer.error?.details ?? ''}`);
    const a = answer.result;
    const split: CniCpuSplit = {
      driverUser: a.selfUserNs / 1e6, driverSys: a.selfSysNs / 1e6, pluginsUser: a.childUserNs / 1e6, pluginsSys: a.childSysNs / 1e6,
      daemonUser: daemonCpu.user, daemonSys: daemonCpu.sys,
    };
    return { sample: { ms: (a.addNs + a.delNs) / 1e6, cpuMs: CPU_PARTS.reduce((sum, k) => sum + split[k], 0) }, split, phase: { add: a.addNs / 1e6, del: a.delNs / 1e6, addBusy: a.addBusy, delBusy: a.delBusy } };
  };
  return {
    name,
    async setup() {
      await prepare();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlnb-cni-'));
      node = await Netns.create(`${prefix}-${serial++}-node`);
      podNs = [];
      for (let i = 0; i < pods; i++) podNs.push(await Netns.create(`${prefix}-${serial++}`));
      warm = await Netns.create(`${prefix}-${serial++}-warm`);
      // A node that has run a pod before (untimed): its bridge and NAT tables or chains exist, as on
      // any node past its first pod (portmap's chain creation also races with itself on a fresh node).
      await drive([warm], 1);
    },
    async run(): Promise<Sample> {
      const { sample, split, phase } = await drive(podNs, concurrency);
      if (!record) return sample;
      const key = splitKey(concurrency, name);
      splits.set(key, [...(splits.get(key) ?? []), split]);
      phases.set(key, [...(phases.get(key) ?? []), phase]);
      return sample;
    },
    async teardown() {
      for (const ns of [...podNs, warm, node]) await ns?.delete().catch(() => undefined);
      node = undefined;
      warm = undefined;
      podNs = [];
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The two workloads: pods one at a time, and 64 in flight (ADDs, then DELs). */
export function cniWorkloads(pods: number, rounds: number, only: Array<keyof typeof CNI_PEERS> = ['daemon', 'node', 'reference']): Workload[] {
  const peers = (concurrency: number) => only.map((key) => peer(CNI_PEERS[key], pods, concurrency));
  return [
    { name: `CNI ADD+DEL via libcni, one at a time (N=${pods})`, ops: pods, rounds, peers: peers(1) },
    { name: `CNI ADD+DEL via libcni, 64 in flight (N=${pods})`, ops: pods, rounds, peers: peers(64) },
  ];
}

/** CPU per pod by where it was spent (medians over rounds, ms): a line per workload and peer. */
export function cniCpuTable(pods: number): string {
  const lines = [`${'in flight'.padEnd(10)} ${'peer'.padEnd(42)} ${'driver u+s'.padStart(12)} ${'plugins u+s'.padStart(12)} ${'daemon u+s'.padStart(12)} ${'total'.padStart(7)}`];
  for (const [key, rounds] of splits) {
    const [width, ...peerName] = key.split(' ');
    const m = (k: (typeof CPU_PARTS)[number]) => median(rounds.map((r) => r[k])) / pods;
    const pair = (u: number, s: number) => `${u.toFixed(1)}+${s.toFixed(1)}`;
    const total = CPU_PARTS.reduce((sum, k) => sum + m(k), 0);
    lines.push(`${width.padEnd(10)} ${peerName.join(' ').padEnd(42)} ${pair(m('driverUser'), m('driverSys')).padStart(12)} ${pair(m('pluginsUser'), m('pluginsSys')).padStart(12)} ${pair(m('daemonUser'), m('daemonSys')).padStart(12)} ${total.toFixed(1).padStart(7)}`);
  }
  return lines.join('\n');
}

/** ADD and DEL per pod by workload and peer, and how busy the machine's CPUs were in each (medians over rounds). */
export function cniPhaseTable(pods: number): string {
  const lines = [`${'in flight'.padEnd(10)} ${'peer'.padEnd(42)} ${'ADD ms'.padStart(8)} ${'CPUs busy'.padStart(10)} ${'DEL ms'.padStart(8)} ${'CPUs busy'.padStart(10)}`];
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  for (const [key, rounds] of phases) {
    const [width, ...peerName] = key.split(' ');
    const m = (k: 'add' | 'del' | 'addBusy' | 'delBusy') => median(rounds.map((r) => r[k]));
    lines.push(`${width.padEnd(10)} ${peerName.join(' ').padEnd(42)} ${(m('add') / pods).toFixed(2).padStart(8)} ${pct(m('addBusy')).padStart(10)} ${(m('del') / pods).toFixed(2).padStart(8)} ${pct(m('delBusy')).padStart(10)}`);
  }
  return lines.join('\n');
}

/** The ADD phase's median per pod (ms) of a peer at a width, from this run's rounds. */
const addPerPod = (concurrency: number, peerName: string, pods: number) => median((phases.get(splitKey(concurrency, peerName)) ?? []).map((r) => r.add)) / pods;

/** The issue's ratios, from results of the same run. */
export function cniRatios(results: Result[], pods: number): Array<{ what: string; value: number; want?: number }> {
  const find = (prefixOf: string, peerName: string) => results.find((r) => r.workload.startsWith(prefixOf) && r.peer === peerName);
  const at = (prefixOf: string, peerName: string) => find(prefixOf, peerName)?.medianMsPerOp ?? NaN;
  // Two peers of one workload: the median of the ratios within each round (harness.ts).
  const faster = (w: string, peer: string, ours: string) => { const a = find(w, peer); const b = find(w, ours); return a && b ? pairedRatio(a, b) : NaN; };
  const one = 'CNI ADD+DEL via libcni, one at a time';
  const many = 'CNI ADD+DEL via libcni, 64 in flight';
  return [
    { what: 'one at a time: ours (daemon) faster than the reference chain', value: faster(one, CNI_PEERS.reference, CNI_PEERS.daemon), want: 10 },
    { what: '64 in flight: ours (daemon) faster than the reference chain', value: faster(many, CNI_PEERS.reference, CNI_PEERS.daemon), want: 10 },
    { what: 'ours (daemon): 64 in flight faster per pod than one at a time', value: at(one, CNI_PEERS.daemon) / at(many, CNI_PEERS.daemon), want: 3 },
    { what: 'ours (daemon): 64 ADDs in flight faster per pod than one at a time', value: addPerPod(1, CNI_PEERS.daemon, pods) / addPerPod(64, CNI_PEERS.daemon, pods), want: 3 },
    { what: 'one at a time: ours (no daemon) faster than the reference chain', value: faster(one, CNI_PEERS.reference, CNI_PEERS.node) },
    { what: '64 in flight: ours (no daemon) faster than the reference chain', value: faster(many, CNI_PEERS.reference, CNI_PEERS.node) },
    { what: 'ours (no daemon): 64 in flight faster per pod than one at a time', value: at(one, CNI_PEERS.node) / at(many, CNI_PEERS.node) },
  ];
}

async function main(): Promise<void> {
  const arg = (key: string, dflt: number) => Number(process.argv.find((a) => a.startsWith(`--${key}=`))?.slice(key.length + 3) ?? dflt);
  const results: Result[] = [];
  try {
    const only = process.argv.find((a) => a.startsWith('--peers='))?.slice(8).split(',') as Array<keyof typeof CNI_PEERS> | undefined;
    const unknown = only?.filter((key) => !(key in CNI_PEERS));
    if (unknown?.length) throw new Error(`--peers: unknown ${unknown.join(', ')} (known: ${Object.keys(CNI_PEERS).join(', ')})`);
    for (const w of cniWorkloads(arg('pods', 64), arg('rounds', 4), only)) {
      process.stderr.write(`measuring: ${w.name} …\n`);
      results.push(...(await measure(w)));
    }
  } finally {
    await finishCni();
  }
  console.log(formatTable(results));
  console.log('\nCPU ms per pod: the libcni driver, the processes it ran (shim, node, reference plugins), the daemon (user+system)');
  console.log(cniCpuTable(arg('pods', 64)));
  console.log('\nADD and DEL phases, ms per pod');
  console.log(cniPhaseTable(arg('pods', 64)));
  console.log('\nratios (same run)');
  for (const r of cniRatios(results, arg('pods', 64))) {
    const verdict = r.want === undefined ? '      ' : r.value >= r.want ? 'met   ' : 'MISSED';
    console.log(`  ${verdict} ${r.what.padEnd(66)} ${r.value.toFixed(2).padStart(7)}×${r.want === undefined ? '' : `  (want ≥ ${r.want}×)`}`);
  }
  console.log("the machine's namespace: unchanged (links, nftables tables)");
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
