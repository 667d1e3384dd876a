// What an agent feels besides speed: how late the JS event loop runs while containers are being
// provisioned, and whether memory and fds stay flat over many operations.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Netns } from '../src/index';
import { median } from './harness';
import { Round, provision } from './containers';

export interface LoopDelay { p50Ms: number; p99Ms: number; maxMs: number }
export interface EventLoopResult extends LoopDelay {
  containers: number;
  /** The same measure in another Node process that does nothing, over the same provisioning. */
  idleProcess: LoopDelay;
  /** The main thread's, while a worker thread provisions the same number of containers. */
  provisionedInWorker: LoopDelay;
}

// A Node process that only runs the same 1 ms monitor, until its stdin closes: how late the machine
// itself, busy with the kernel's work for the containers, lets an event loop run.
const IDLE_MONITOR = `
const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 1 });
h.enable();
process.stdin.resume().on('end', () => {
  h.disable();
  const ms = (ns) => ns / 1e6;
  process.stdout.write(JSON.stringify({ p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) }));
});
process.stdout.write('ready\\n');`;

function idleMonitor(): { ready: Promise<void>; stop(): Promise<LoopDelay> } {
  const child = spawn(process.execPath, ['-e', IDLE_MONITOR], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const ready = new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) resolve();
  }));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    ready,
    async stop() {
      child.stdin.end();
      await exited;
      return JSON.parse(out.slice('ready\n'.length)) as LoopDelay;
    },
  };
}

const delayOf = (h: ReturnType<typeof monitorEventLoopDelay>): LoopDelay => ({ p50Ms: h.percentile(50) / 1e6, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 });

// The worker's side of provisionedInWorker(): this module, loaded in a worker thread.
if (!isMainThread && (workerData as { role?: string } | null)?.role === 'provision') {
  const { n, prefix } = workerData as { n: number; prefix: string };
  void (async () => {
    const r = new Round(prefix);
    try {
      await r.setup();
      parentPort!.postMessage('start');
      await provision(r, n, 64);
      parentPort!.postMessage('done');
      await r.check(n);
    } finally {
      await r.teardown();
    }
  })();
}

/** The main thread's event-loop delay while a worker thread provisions n containers, 64 in flight. */
async function provisionedInWorker(n: number, prefix: string): Promise<LoopDelay> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  const worker = new Worker(__filename, { workerData: { role: 'provision', n, prefix } });
  worker.on('message', (m) => (m === 'start' ? h.enable() : h.disable()));
  await new Promise<void>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the provisioning worker exited with code ${code}`))));
  });
  return delayOf(h);
}

/**
 * Event-loop delay (1 ms resolution histogram) while n containers are provisioned, 64 in flight;
 * beside it, the same measure in an idle Node process over the same time, and the main thread's
 * when a worker thread does the provisioning.
 */
export async function eventLoopDelay(n: number, prefix: string): Promise<EventLoopResult> {
  const r = new Round(prefix);
  await r.setup();
  const h = monitorEventLoopDelay({ resolution: 1 });
  const idle = idleMonitor();
  let idleProcess: LoopDelay | undefined;
  try {
    await idle.ready;
    h.enable();
    await provision(r, n, 64);
    h.disable();
    idleProcess = await idle.stop();
    await r.check(n);
  } finally {
    if (!idleProcess) await idle.stop().catch(() => undefined);
    await r.teardown();
  }
  return { containers: n, ...delayOf(h), idleProcess: idleProcess!, provisionedInWorker: await provisionedInWorker(n, `${prefix}w`) };
}

/** How the JS thread fared while the kernel deleted veth pairs (each waits for RCU in the kernel). */
export interface DeleteLoopResult {
  pairs: number;
  /** Wall time of all the deletes: half one after another, half all in flight. */
  elapsedMs: number;
  /** The worst lateness of a 1 ms interval timer over that time. */
  worstTimerLatenessMs: number;
  loop: LoopDelay;
}

/**
 * Deletes `pairs` veth pairs in a fresh namespace, half one at a time, half all at once, with a
 * 1 ms timer running: the figure behind the test that timers keep running meanwhile
 * (test/integration/hygiene.test.ts checks the behaviour; this measures how late they are).
 */
export async function eventLoopWhileDeleting(pairs: number, prefix: string): Promise<DeleteLoopResult> {
  const ns = await Netns.create(`${prefix}-del`);
  try {
    for (let i = 0; i < pairs; i++) await ns.links.add({ kind: 'veth', name: `v${i}`, peer: { name: `p${i}` } });
    const h = monitorEventLoopDelay({ resolution: 1 });
    let worst = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last - 1);
      last = now;
    }, 1);
    h.enable();
    const started = performance.now();
    const half = pairs >> 1;
    try {
      for (let i = 0; i < half; i++) await ns.links.delete(`v${i}`);
      await Promise.all(Array.from({ length: pairs - half }, (_, i) => ns.links.delete(`v${half + i}`)));
    } finally {
      h.disable();
      clearInterval(timer);
    }
    return { pairs, elapsedMs: performance.now() - started, worstTimerLatenessMs: worst, loop: delayOf(h) };
  } finally {
    await ns.delete();
  }
}

export interface MemoryResult { operations: number; samples: Array<{ ops: number; rssMiB: number; fds: number }>; rssGrowthAfterWarmupMiB: number; fdGrowthAfterWarmup: number }

const fdCount = () => fs.readdirSync('/proc/self/fd').length;

/** A full garbage collection before each sample, so RSS shows what is kept, not what awaits collection. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/**
 * `total` operations in passes of `links` requests in flight (link set up / down alternately, a
 * list every pass, a namespace opened and closed every pass), sampling RSS and fds every tenth.
 */
export async function memoryFlatness(total: number, links: number, prefix: string): Promise<MemoryResult> {
  const host = await Netns.create(`${prefix}-mem`);
  const samples: MemoryResult['samples'] = [];
  try {
    await Promise.all(Array.from({ length: links / 2 }, (_, i) => host.links.add({ kind: 'veth', name: `v${i}`, peer: { name: `p${i}` } })));
    const names = (await host.links.list({ kind: 'veth' })).map((l) => l.name);
    let ops = 0;
    let pass = 0;
    const every = total / 10;
    const gc = collector();
    while (ops < total) {
      const up = pass++ % 2 === 0;
      await Promise.all(names.map((name) => host.links.set(name, { up })));
      await host.links.list();
      await (await Netns.open(host.name!)).close();
      ops += names.length + 2;
      if (ops >= (samples.length + 1) * every) {
        gc();
        samples.push({ ops, rssMiB: process.memoryUsage().rss / 2 ** 20, fds: fdCount() });
      }
    }
  } finally {
    await host.delete();
  }
  const warm = samples.slice(1); // the first tenth is warm-up
  const rss = warm.map((s) => s.rssMiB);
  return {
    operations: total, samples,
    rssGrowthAfterWarmupMiB: median(rss.slice(-3)) - median(rss.slice(0, 3)),
    fdGrowthAfterWarmup: warm[warm.length - 1].fds - warm[0].fds,
  };
}
