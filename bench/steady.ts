// What an agent feels besides speed: how late the JS event loop runs while containers are being
// provisioned, and whether memory and fds stay flat over many operations.
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Netns } from '../src/index';
import { median } from './harness';
import { Round, provision } from './containers';

export interface EventLoopResult { containers: number; p50Ms: number; p99Ms: number; maxMs: number }

/** Event-loop delay (1 ms resolution histogram) while n containers are provisioned, 64 in flight. */
export async function eventLoopDelay(n: number, prefix: string): Promise<EventLoopResult> {
  const r = new Round(prefix);
  await r.setup();
  const h = monitorEventLoopDelay({ resolution: 1 });
  try {
    h.enable();
    await provision(r, n, 64);
    h.disable();
    await r.check(n);
  } finally {
    await r.teardown();
  }
  const ms = (ns: number) => ns / 1e6;
  return { containers: n, p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) };
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
