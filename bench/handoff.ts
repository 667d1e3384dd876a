// What handing a call to another thread and being woken for its answer costs on this machine,
// one call at a time: the price every call pays for keeping the kernel's work off the event loop
// (a C or Go program making the same system call on its own thread pays none of it).
//
//   node dist/bench/handoff.js [--calls=5000] [--rounds=6]
//
// Rows, each the median over rounds of wall and CPU time (user + system, every thread) per call:
//   - fs.accessSync('/'): the system call on the JS thread (what no hand-off costs);
//   - fs.promises.access('/'): the same through libuv's thread pool (Node's own hand-off);
//   - links.get(1) (lo) in a namespace made for the run: one netlink request through the addon's
//     threads, its message built and its answer decoded in JS.
// Rows take turns, in the reverse order every other round. The namespace (NLN_BENCH_PREFIX, nlnb by
// default, then hand-PID) is deleted at the end, also on failure.
import * as fs from 'node:fs';
import { Netns } from '../src/index';
import { median } from './harness';

function arg(name: string, fallback: number): number {
  const v = Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`--${name}: not a positive integer`);
  return v;
}

async function perCall(calls: number, one: () => unknown): Promise<{ us: number; cpuUs: number }> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await one();
  const us = Number(process.hrtime.bigint() - t0) / 1e3 / calls;
  const c = process.cpuUsage(c0);
  return { us, cpuUs: (c.user + c.system) / calls };
}

async function main(): Promise<void> {
  const calls = arg('calls', 5000);
  const rounds = arg('rounds', 6);
  const name = `${process.env.NLN_BENCH_PREFIX ?? 'nlnb'}hand-${process.pid}`;
  const ns = await Netns.create(name);
  try {
    const rows: Array<[string, () => unknown]> = [
      ["fs.accessSync('/'), on the JS thread", () => fs.accessSync('/')],
      ["fs.promises.access('/'), libuv's thread pool", () => fs.promises.access('/')],
      ['links.get(1), the addon\'s threads', () => ns.links.get(1)],
    ];
    const samples = rows.map(() => [] as Array<{ us: number; cpuUs: number }>);
    for (let r = 0; r <= rounds; r++) {
      for (let j = 0; j < rows.length; j++) {
        const k = r % 2 ? rows.length - 1 - j : j;
        const s = await perCall(calls, rows[k][1]);
        if (r > 0) samples[k].push(s); // round 0 warms the code up
      }
    }
    console.log(`one call at a time, ${calls} calls per round, medians of ${rounds} rounds`);
    rows.forEach(([what], k) => {
      const us = median(samples[k].map((s) => s.us)).toFixed(1);
      const cpu = median(samples[k].map((s) => s.cpuUs)).toFixed(1);
      console.log(`  ${what.padEnd(46)} ${us.padStart(6)} µs per call, CPU ${cpu.padStart(6)} µs`);
    });
  } finally {
    await ns.close().catch(() => {});
    await Netns.delete(name);
  }
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
