// ns.watch: how soon an announcement reaches the consumer, and how many per second it takes with
// the event loop still responsive. In a namespace of its own (nlnwatch-PID), deleted at the end.
//
//   node dist/bench/watch.js [--changes=2000] [--burst=20000]
//
// Latency: one link's MTU changed one at a time (ns.links.set); for each change, the time from
// just before the request is handed to the addon to the event's arrival in the consumer, beside
// the request's own round trip (its ACK) measured the same way: the announcement is made by the
// kernel while it makes the change, so the two are the same kernel work seen from two sockets.
// Throughput: 100 links, their MTUs changed 64 requests in flight until `burst` changes are made,
// while the consumer counts; events per second over the burst, the event loop's delay meanwhile
// (p99, perf_hooks.monitorEventLoopDelay) and whether the kernel dropped any (a resync).
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Netns } from '../src/index';

const arg = (name: string, dflt: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

export interface WatchBench {
  changes: number;
  eventMsP50: number;
  eventMsP99: number;
  ackMsP50: number;
  ackMsP99: number;
  /** The event's arrival less the ACK's: what the announcement adds to the change itself. */
  afterAckMsP50: number;
  afterAckMsP99: number;
  burst: number;
  eventsPerSecond: number;
  loopDelayP99Ms: number;
  resyncs: number;
}

export async function watchBench(changes: number, burst: number): Promise<WatchBench> {
  const ns = await Netns.create(`nlnwatch-${process.pid}`);
  try {
    await ns.links.add({ kind: 'veth', name: 'w0', peer: { name: 'w1' } });
    const it = ns.watch({ links: true })[Symbol.asyncIterator]();
    for (let r = await it.next(); !r.done && r.value.type !== 'snapshot-end'; r = await it.next()) { /* the snapshot */ }
    const event: number[] = [];
    const ack: number[] = [];
    for (let i = 0; i < changes; i++) {
      const mtu = 1280 + (i % 2);
      const t0 = performance.now();
      const seen = (async () => {
        for (;;) {
          const r = await it.next();
          if (!r.done && r.value.type === 'changed' && r.value.object === 'link' && r.value.value.name === 'w0' && r.value.value.mtu === mtu) return performance.now();
        }
      })();
      await ns.links.set('w0', { mtu });
      ack.push(performance.now() - t0);
      event.push((await seen) - t0);
    }
    await it.return!();

    await Promise.all(Array.from({ length: 50 }, (_, i) => ns.links.add({ kind: 'veth', name: `b${i}`, peer: { name: `c${i}` } })));
    const names = [...Array.from({ length: 50 }, (_, i) => `b${i}`), ...Array.from({ length: 50 }, (_, i) => `c${i}`)];
    const stream = ns.watch({ links: true })[Symbol.asyncIterator]();
    for (let r = await stream.next(); !r.done && r.value.type !== 'snapshot-end'; r = await stream.next()) { /* the snapshot */ }
    let events = 0;
    let resyncs = 0;
    let done = false;
    const counting = (async () => {
      for (let r = await stream.next(); !r.done; r = await stream.next()) {
        if (r.value.type === 'resync') resyncs++;
        else if (r.value.type === 'changed') events++;
        if (done && events >= burst) break;
      }
    })();
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const start = performance.now();
    let made = 0;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (made < burst) {
        const k = made++;
        await ns.links.set(names[k % names.length], { mtu: 1280 + (Math.floor(k / names.length) % 2) });
      }
    }));
    done = true;
    // Every change was announced (an MTU change is one announcement); the count ends with the last,
    // or after a resync the snapshot stands in for the dropped ones.
    await Promise.race([counting, new Promise((r) => setTimeout(r, 5000))]);
    const seconds = (performance.now() - start) / 1000;
    loop.disable();
    await stream.return!();
    return {
      changes, eventMsP50: quantile(event, 0.5), eventMsP99: quantile(event, 0.99), ackMsP50: quantile(ack, 0.5), ackMsP99: quantile(ack, 0.99),
      afterAckMsP50: quantile(event.map((e, i) => e - ack[i]), 0.5), afterAckMsP99: quantile(event.map((e, i) => e - ack[i]), 0.99),
      burst, eventsPerSecond: Math.round(events / seconds), loopDelayP99Ms: loop.percentile(99) / 1e6, resyncs,
    };
  } finally {
    await ns.delete();
  }
}

export function formatWatch(w: WatchBench): string {
  const ms = (x: number) => x.toFixed(3);
  return `watch: ${w.changes} changes one at a time: event after ${ms(w.eventMsP50)} ms (p99 ${ms(w.eventMsP99)}), the request's ACK after ${ms(w.ackMsP50)} ms (p99 ${ms(w.ackMsP99)}); the event after the ACK ${ms(w.afterAckMsP50)} ms (p99 ${ms(w.afterAckMsP99)}); `
    + `${w.burst} changes 64 in flight: ${w.eventsPerSecond} events/s reached the consumer, event-loop delay p99 ${w.loopDelayP99Ms.toFixed(1)} ms, ${w.resyncs} resync(s)`;
}

if (require.main === module) {
  watchBench(arg('changes', 2000), arg('burst', 20000)).then((w) => {
    console.log(formatWatch(w));
    console.log(JSON.stringify(w));
  }, (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
