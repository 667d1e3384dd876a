// Shared by the CNI tests: namespaces named nlnt-cni-*, a plugin directory holding our `nln-bridge`
// (node running dist/src/cni/plugin-main.js) beside the reference plugins, the libcni driver
// (test/fixtures/cni-libcni, built once per source hash), and the plugin exec'd as a runtime does.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Netns } from '../src/index';
import { deleteLeftNamespaces, SANITIZER_ENV, withCleanup } from './helpers';

const root = path.join(__dirname, '..', '..');
const pluginMain = path.join(root, 'dist', 'src', 'cni', 'plugin-main.js');
const driverSource = path.join(root, 'test', 'fixtures', 'cni-libcni', 'main.go');
export const REFERENCE_DIR = '/usr/lib/cni';

let counter = 0;

/** Named namespaces nlnt-cni-<pid>-<n>, always deleted afterwards (whatever CNI left in them goes too). */
export async function withCniNamespaces<T>(count: number, fn: (...ns: Netns[]) => Promise<T>): Promise<T> {
  const made: Netns[] = [];
  return withCleanup(async () => {
    for (let i = 0; i < count; i++) made.push(await Netns.create(`nlnt-cni-${process.pid}-${counter++}`));
    return fn(...made);
  }, async () => {
    for (const ns of made) await ns.delete().catch(() => undefined);
    await deleteLeftNamespaces(made.map((ns) => ns.name!));
  });
}

/** A temp directory removed after fn. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nln-cni-test-'));
  return withCleanup(() => fn(dir), () => fs.rmSync(dir, { recursive: true, force: true }));
}

/** A plugin dir holding `nln-bridge`: the in-process plugin, as a runtime finds it by type. */
export function makePluginDir(dir: string): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  // The sanitizer run's preload goes in the script: a runtime's cleanup (podman's, via conmon) calls
  // it with an environment of its own.
  const sanitizer = Object.entries(SANITIZER_ENV).map(([k, v]) => `export ${k}=${JSON.stringify(v)}\n`).join('');
  fs.writeFileSync(path.join(bin, 'nln-bridge'), `#!/bin/sh\n${sanitizer}exec ${JSON.stringify(process.execPath)} ${JSON.stringify(pluginMain)}\n`, { mode: 0o755 });
  return bin;
}

/** The libcni driver, built with Debian's GOPATH tree into a temp dir named by its source's hash. */
export function libcniDriver(): string {
  const hash = createHash('sha256').update(fs.readFileSync(driverSource)).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `nln-cni-libcni-${hash}`);
  const bin = path.join(dir, 'cni-libcni');
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(dir, { recursive: true });
    const env = { ...process.env, GOPATH: '/usr/share/gocode', GO111MODULE: 'off', GOFLAGS: '', GOCACHE: path.join(os.tmpdir(), 'nln-cni-gocache') };
    execFileSync('go', ['build', '-o', `${bin}.tmp`, '.'], { cwd: path.dirname(driverSource), env, stdio: 'inherit' });
    fs.renameSync(`${bin}.tmp`, bin);
  }
  return bin;
}

export interface LibcniAnswer {
  result?: any;
  error?: { code: number; msg: string; details?: string };
}

/** One libcni operation, run inside `node` (the plugin it execs runs there too, with `env` added to this process's). */
export async function libcni(node: Netns, op: string, request: Record<string, unknown>, env: Record<string, string> = {}): Promise<LibcniAnswer> {
  const r = await node.exec(libcniDriver(), [op], { input: JSON.stringify(request), timeout: 60_000, env: { ...process.env, ...env } });
  if (r.code !== 0) throw new Error(`cni-libcni ${op} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as LibcniAnswer;
}

/** Our plugin exec'd inside `node` with the CNI environment, as a runtime execs it. */
export async function execPlugin(node: Netns, env: Record<string, string>, stdin: string): Promise<{ code: number | null; stdout: string; stderr: string; json?: any }> {
  const r = await node.exec(process.execPath, [pluginMain], { input: stdin, env: { PATH: process.env.PATH, ...SANITIZER_ENV, ...env }, timeout: 60_000 });
  let json: any;
  try {
    json = r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
  } catch {
    json = undefined;
  }
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, json };
}

/**
 * A TCP server in `ns` (both families: bound to ::) answering every connection with `reply` and
 * the peer's address (an IPv4 peer as IPv4, not ::ffff:…), then closing.
 */
export async function answerer(ns: Netns, port: number, reply: string, host = '::'): Promise<net.Server> {
  return ns.listen({ port, host }, (s) => { s.end(`${reply} ${s.remoteAddress?.replace(/^::ffff:/, '')}`); s.on('error', () => undefined); });
}

/** Connects from `ns` and reads what the server says (until it closes). */
export async function ask(ns: Netns, host: string, port: number): Promise<string> {
  const s = await ns.connect({ host, port });
  return new Promise((resolve, reject) => {
    let data = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no answer from ${host}:${port}`)); }, 5000);
    s.on('data', (b) => { data += b.toString(); });
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.on('close', () => { clearTimeout(timer); resolve(data); });
  });
}

export const closeServer = (s: net.Server): Promise<void> => new Promise((r) => s.close(() => r()));
