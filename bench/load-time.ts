// How long the package takes to load: in fresh processes, `require('netlink-native')` (the JS and
// the addon, from build/Release or the prebuild node-gyp-build picks) and then until its first call
// has answered (a namespace nlnload-PID created and its links listed: the addon's threads started,
// a netlink socket opened). The namespace is deleted after the clock stops.
//
//   node dist/bench/load-time.js [--runs=15] [--json]
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface LoadTime {
  runs: number;
  /** require('../src/index'): the JS modules and the addon. */
  requireMsP50: number;
  requireMsMax: number;
  /** From before the require to the first call's answer. */
  firstCallMsP50: number;
  firstCallMsMax: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One fresh process's measure: [require ms, require-to-first-answer ms]. */
async function once(): Promise<[number, number]> {
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Netns } = require('../src/index') as typeof import('../src/index');
  const t1 = performance.now();
  const name = `nlnload-${process.pid}`;
  const ns = await Netns.create(name);
  try {
    await ns.links.list();
    return [t1 - t0, performance.now() - t0];
  } finally {
    await ns.close();
    await Netns.delete(name);
  }
}

export function loadTime(runs: number): LoadTime {
  const req: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, [__filename, '--once'], { encoding: 'utf8' });
    const [r, f] = JSON.parse(out) as [number, number];
    req.push(r);
    first.push(f);
  }
  return { runs, requireMsP50: median(req), requireMsMax: Math.max(...req), firstCallMsP50: median(first), firstCallMsMax: Math.max(...first) };
}

export const formatLoadTime = (l: LoadTime) =>
  `load time (${l.runs} fresh processes): require ${l.requireMsP50.toFixed(1)} ms median (max ${l.requireMsMax.toFixed(1)}), ` +
  `require to first answer ${l.firstCallMsP50.toFixed(1)} ms median (max ${l.firstCallMsMax.toFixed(1)})`;

if (require.main === module) {
  if (process.argv.includes('--once')) {
    void once().then((r) => console.log(JSON.stringify(r)));
  } else {
    const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 15);
    const l = loadTime(runs);
    console.log(process.argv.includes('--json') ? JSON.stringify(l) : formatLoadTime(l));
  }
}
