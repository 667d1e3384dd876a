// The JS cost of one bench container (bench/containers.ts libraryContainer), measured alone, for
// profiling the library's hot path. Its own host namespace (nlnperf-PID-host) and containers.
//
//   node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64 dist/bench/perf-container.js [N] [MODE]
//     MODE: sequential (default): N containers one at a time, against the kernel
//           replayed: the addon calls of N containers, recorded then replayed (no library JS)
//           js: container 0 made for real, its addon answers recorded; then N containers whose
//               addon calls are answered at once with those answers (the library's JS alone,
//               without the kernel or the addon's threads: steady figures on a busy machine)
//   NLN_BENCH_PREFIX: what its namespace names start with (nlnperf- by default);
//   NLN_PERF_PROFILE=FILE: a CPU profile (.cpuprofile) of the timed loop alone;
//   NLN_PERF_HEAP=FILE: a sampling heap profile (.heapprofile) of what the loop allocates.
//
// Prints per container: wall ms; CPU ms of the whole process (every thread) and of the JS thread
// alone (/proc/self/task/PID/schedstat); KB of JS heap allocated (the growth of V8's used heap
// over the loop, from a full GC before it; the young generation is made large enough that no GC
// runs during it, and a GC seen anyway is reported: the figure is then too low); the addon calls
// made (each answer wakes the JS thread once), counted by bench/addon-hook.ts, which the warm-up and
// the loop both go through.
import * as fs from 'node:fs';
import { Session } from 'node:inspector';
import { PerformanceObserver } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import { hook } from './addon-hook';
import { libraryContainer, replayed, Round, WARM_UP, warmUp } from './containers';

const gc = (globalThis as { gc?: () => void }).gc;

const jsThreadCpuNs = () => Number(fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);

/** CPU ns of every thread of this process, by thread id (NLN_PERF_THREADS=1 prints them). */
function threadCpuNs(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      out.set(tid === String(process.pid) ? 'js' : tid, Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
    } catch { /* ended meanwhile */ }
  }
  return out;
}

type Post = (method: string, params?: object) => Promise<any>;

async function profiler(): Promise<{ start(): Promise<void>; stop(): Promise<void> }> {
  const cpu = process.env.NLN_PERF_PROFILE;
  const heap = process.env.NLN_PERF_HEAP;
  if (!cpu && !heap) return { start: async () => {}, stop: async () => {} };
  const session = new Session();
  session.connect();
  const post: Post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  if (cpu) {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 50 });
    return {
      start: () => post('Profiler.start'),
      stop: async () => fs.writeFileSync(cpu, JSON.stringify((await post('Profiler.stop')).profile)),
    };
  }
  await post('HeapProfiler.enable');
  return {
    start: () => post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }),
    stop: async () => fs.writeFileSync(heap!, JSON.stringify((await post('HeapProfiler.stopSampling')).profile)),
  };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 20);
  const mode = process.argv[3] ?? 'sequential';
  if (!gc) throw new Error('run with --expose-gc');
  const r = new Round(`${process.env.NLN_BENCH_PREFIX ?? 'nlnperf-'}${process.pid}`);
  try {
    await r.setup();
    await r.host.nft.listRules({ family: 'ip', table: 'nln-bench', chain: 'prerouting' });
    await warmUp(r, Number(process.env.NLN_PERF_WARM ?? WARM_UP)); // compiles the JS, as the bench's peer does
    let first = 0;
    if (mode === 'js') {
      hook.keep = true;
      await libraryContainer(r, 0);
      hook.keep = false;
      hook.answer = hook.kept;
      hook.fakeBatch = true;
      first = 1;
    }
    const prof = await profiler();
    let gcs = 0;
    const obs = new PerformanceObserver((list) => { gcs += list.getEntries().length; });
    obs.observe({ entryTypes: ['gc'] });
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    gcs = 0;
    await prof.start();
    if (process.env.NLN_PERF_MARK) process.stdout.write('--- timed loop starts\n'); // for --trace-opt/--trace-deopt output
    const calls0 = hook.calls;
    const heap0 = v8.getHeapStatistics();
    const threads0 = threadCpuNs();
    const js0 = jsThreadCpuNs();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let ms: number;
    let cpuMs: number;
    if (mode === 'replayed') {
      ({ ms, cpuMs } = await replayed(r, n)); // its recording, untimed, is inside the heap figure
    } else {
      for (let i = first; i < first + n; i++) await libraryContainer(r, i);
      ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      cpuMs = (cpu.user + cpu.system) / 1000;
    }
    if (process.env.NLN_PERF_MARK) process.stdout.write('--- timed loop ends\n');
    const jsMs = (jsThreadCpuNs() - js0) / 1e6;
    const threads1 = threadCpuNs();
    const heap1 = v8.getHeapStatistics();
    await prof.stop();
    await new Promise((resolve) => setImmediate(resolve));
    obs.disconnect();
    const calls = hook.calls - calls0;
    hook.answer = undefined;
    hook.fakeBatch = false;
    if (mode === 'sequential') await r.check(n);
    const per = (x: number) => +(x / n).toFixed(3);
    process.stdout.write(`${JSON.stringify({
      mode, n, ms: per(ms), cpuMs: per(cpuMs), jsThreadCpuMs: per(jsMs),
      heapKB: +((heap1.used_heap_size - heap0.used_heap_size) / 1024 / n).toFixed(1),
      addonCalls: mode === 'replayed' ? undefined : calls / n, gcDuringLoop: gcs,
      ...(process.env.NLN_PERF_THREADS ? { threadsCpuMs: Object.fromEntries([...threads1].map(([k, v]) => [k, per((v - (threads0.get(k) ?? 0)) / 1e6)]).filter(([, v]) => (v as number) > 0.005)) } : {}),
    })}\n`);
  } finally {
    await r.teardown();
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
