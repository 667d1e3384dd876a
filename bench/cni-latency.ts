// The CNI call's fixed cost, VERSION through the installed shim: forwarded to a resident daemon
// vs run in a node the shim starts (no daemon), in interleaved rounds; medians and p90.
// `exec /bin/true` is the floor any exec'd plugin pays. ADD+DEL through libcni is measured apart.
//   node dist/bench/cni-latency.js [--rounds=N]
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { installCniShim } from '../src/cni/install';
import { median } from './harness';

const rounds = Number(/^--rounds=(\d+)$/.exec(process.argv.find((a) => a.startsWith('--rounds=')) ?? '')?.[1] ?? 30);

function timed(file: string, env: Record<string, string>): number {
  const started = performance.now();
  const r = spawnSync(file, [], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, input: '' });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${file} exited ${r.status}: ${r.stdout}${r.stderr}`);
  return ms;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlnb-cni-'));
  const socket = path.join(dir, 'run', 'cni.sock');
  const { plugin } = installCniShim({ binDir: path.join(dir, 'bin') });
  const cli = path.join(__dirname, '..', 'src', 'cli', 'main.js');
  const daemon = spawn(process.execPath, [cli, 'cni', 'daemon', '--socket', socket], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      daemon.stderr!.on('data', (d: Buffer) => d.toString().includes('listening on') && resolve());
      daemon.once('exit', (code) => reject(new Error(`the daemon exited ${code}`)));
    });
    const peers: Record<string, () => number> = {
      'exec /bin/true (floor)': () => timed('/bin/true', {}),
      'shim -> daemon': () => timed(plugin, { CNI_COMMAND: 'VERSION', NLN_CNI_SOCKET: socket }),
      'shim -> node (no daemon)': () => timed(plugin, { CNI_COMMAND: 'VERSION', NLN_CNI_SOCKET: path.join(dir, 'absent.sock') }),
    };
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(peers).map((k) => [k, []]));
    for (const run of Object.values(peers)) run(); // warm the page cache
    for (let i = 0; i < rounds; i++) for (const [name, run] of Object.entries(peers)) samples[name].push(run());
    const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
    console.log(`CNI VERSION round trip, ${rounds} rounds (ms)`);
    console.log(`${'peer'.padEnd(28)}${'median'.padStart(9)}${'p90'.padStart(9)}`);
    for (const [name, xs] of Object.entries(samples)) console.log(`${name.padEnd(28)}${median(xs).toFixed(2).padStart(9)}${p90(xs).toFixed(2).padStart(9)}`);
    const ratio = median(samples['shim -> node (no daemon)']) / median(samples['shim -> daemon']);
    console.log(`the daemon saves ${(median(samples['shim -> node (no daemon)']) - median(samples['shim -> daemon'])).toFixed(1)} ms per call (${ratio.toFixed(1)}x faster)`);
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((resolve) => (daemon.exitCode !== null ? resolve(null) : daemon.once('exit', resolve)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
