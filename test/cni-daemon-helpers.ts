// The CNI daemon and shim as a runtime meets them: a daemon process on a socket in a temp dir, the
// shim installed in a temp bin dir, run with the CNI_* variables (as another user when asked).
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installCniShim } from '../src/cni/install';
import { SANITIZER_ENV, waitFor } from './helpers';

const CLI = path.join(__dirname, '..', 'src', 'cli', 'main.js');
export const SLOW_DAEMON = path.join(__dirname, 'fixtures', 'cni-slow-daemon.js');

/** A temp dir others may traverse (0755), with the shim installed in bin/; removed by `remove`. */
export function cniSandbox(): { dir: string; socket: string; shim: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlnt-cnid-'));
  fs.chmodSync(dir, 0o755);
  const { plugin } = installCniShim({ binDir: path.join(dir, 'bin') });
  return { dir, socket: path.join(dir, 'run', 'cni.sock'), shim: plugin, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface DaemonProcess {
  child: ChildProcess;
  /** Its stderr so far (one line per call served or refused). */
  log(): string;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

/** `nln cni daemon ARGS` (or another script), returned once it says it is listening. */
export async function startDaemon(args: string[], script = CLI): Promise<DaemonProcess> {
  const child = spawn(process.execPath, script === CLI ? [CLI, 'cni', 'daemon', ...args] : [script, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitFor('the daemon to listen', () => log.includes('listening on') || child.exitCode !== null);
    if (!log.includes('listening on')) throw new Error(`the daemon did not start: ${log}`);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    child,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface ShimRun { code: number | null; stdout: string; stderr: string; ms: number }

/** Runs the shim with these variables (and nothing else from this process's environment), optionally through setpriv. */
export function runShim(shim: string, env: Record<string, string>, stdin: string | Buffer = '', asUser: string[] = []): Promise<ShimRun> {
  const started = performance.now();
  const [file, args] = asUser.length ? ['setpriv', [...asUser, shim]] : [shim, []];
  const child = spawn(file, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...SANITIZER_ENV, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.on('error', () => {}); // the shim stops reading an oversized stdin
  child.stdin.end(stdin);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** setpriv's arguments for nobody (65534) with no other groups, or with the given supplementary ones. */
export function asNobody(groups: number[] = []): string[] {
  return ['--reuid=65534', '--regid=65534', groups.length ? `--groups=${groups.join(',')}` : '--clear-groups'];
}
