// Shared test fixtures: unique throwaway namespaces that are always removed, the `ip` oracle,
// and the check that the JS thread never changes namespace.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import { promisify } from 'node:util';
import { Netns } from '../src/index';

const run = promisify(execFile);
let counter = 0;

/** A name no other test (or earlier run) uses: nlnt-<pid>-<n>. */
export function uniqueName(tag = 'ns'): string {
  return `nlnt-${process.pid}-${tag}-${counter++}`;
}

/** Runs a command (no shell) and returns its stdout; rejects with its stderr on failure. */
export async function sh(file: string, args: string[]): Promise<string> {
  try {
    return (await run(file, args, { maxBuffer: 64 << 20 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

/** `ip -j [-d] -n NS ...` parsed. */
export async function ipJson(ns: string | undefined, args: string[]): Promise<any[]> {
  const out = await sh('ip', ['-j', ...(ns ? ['-n', ns] : []), ...args]);
  return out.trim() ? JSON.parse(out) : [];
}

/** The inode of the calling thread's network namespace (here: the JS thread's). */
export function jsThreadNetns(): number {
  return fs.statSync('/proc/thread-self/ns/net').ino;
}

/**
 * Runs `fn`, then every cleanup in order, whatever happened. A cleanup's failure never hides the
 * test's own: the test's error is thrown when it failed (the cleanups' errors attached as its
 * `cleanupErrors`), else the first cleanup's error.
 */
export async function withCleanup<T>(fn: () => Promise<T>, ...cleanups: Array<() => unknown>): Promise<T> {
  let result: T | undefined;
  let failure: { error: unknown } | undefined;
  try {
    result = await fn();
  } catch (error) {
    failure = { error };
  }
  const cleanupErrors: unknown[] = [];
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (error) {
      cleanupErrors.push(error);
    }
  }
  if (failure) {
    if (cleanupErrors.length && failure.error instanceof Error) Object.assign(failure.error, { cleanupErrors });
    throw failure.error;
  }
  if (cleanupErrors.length) throw cleanupErrors[0];
  return result as T;
}

/** Deletes (with `ip netns del`) those of `names` that still exist; the others are already gone. */
export async function deleteLeftNamespaces(names: string[]): Promise<void> {
  const errors: unknown[] = [];
  for (const name of runNetnsNames().filter((n) => names.includes(n))) {
    try {
      await sh('ip', ['netns', 'del', name]);
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length) throw errors[0];
}

/**
 * Creates `count` named namespaces, runs fn, and deletes them whatever happens. A namespace the
 * library fails to delete is still removed (with `ip netns del`), and the failure is reported.
 */
export async function withNamespaces<T>(count: number, fn: (...ns: Netns[]) => Promise<T>): Promise<T> {
  const made: Netns[] = [];
  const before = jsThreadNetns();
  const deleteAll = async () => {
    let first: unknown;
    for (const ns of made) {
      try {
        await ns.delete();
      } catch (error) {
        first ??= error;
      }
    }
    await deleteLeftNamespaces(made.map((ns) => ns.name!));
    if (first !== undefined) throw first;
  };
  const sameThreadNetns = () => {
    if (jsThreadNetns() !== before) throw new Error('the JS thread changed network namespace');
  };
  return withCleanup(async () => {
    for (let i = 0; i < count; i++) made.push(await Netns.create(uniqueName()));
    return fn(...made);
  }, deleteAll, sameThreadNetns);
}

/** Waits (at most `ms`) until `condition` holds; throws naming `what` when it never does. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The inode of a process's network namespace, or undefined once the process is gone. */
function processNetns(pid: number): number | undefined {
  try {
    return fs.statSync(`/proc/${pid}/ns/net`).ino;
  } catch {
    return undefined;
  }
}

/**
 * A long-running process (`sleep`) started inside `ns` by `ip netns exec`, returned only once it
 * runs in that namespace (checked by the inode of /proc/PID/ns/net). Throws, and kills it, when it
 * does not get there: a test must never act on a pid that is still in the machine's namespace.
 */
export async function processInside(ns: Netns): Promise<ChildProcess & { pid: number }> {
  const child = spawn('ip', ['netns', 'exec', ns.name!, 'sleep', '60'], { stdio: 'ignore' });
  try {
    if (child.pid === undefined) throw new Error('ip netns exec did not start');
    const pid = child.pid;
    await waitFor(`process ${pid} to enter namespace ${ns.name}`, () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`ip netns exec ${ns.name} sleep exited (${child.exitCode ?? child.signalCode})`);
      return processNetns(pid) === ns.inode;
    });
  } catch (error) {
    child.kill();
    throw error;
  }
  return child as ChildProcess & { pid: number };
}

/** Names under /run/netns (what `ip netns list` reads), independent of the library. */
export function runNetnsNames(): string[] {
  try {
    return fs.readdirSync('/run/netns').sort();
  } catch {
    return [];
  }
}

export function fdCount(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

export function threadCount(): number {
  return fs.readdirSync('/proc/self/task').length;
}

/**
 * Makes IPv6 in a test namespace deterministic: new links get no automatic link-local address and
 * no duplicate-address detection, so nothing changes behind a test's back between two reads
 * (the kernel adds those from a workqueue, some time after a link comes up).
 */
export async function quietIpv6(ns: Netns): Promise<void> {
  await ns.sysctl.set('net.ipv6.conf.default.addr_gen_mode', 1);
  await ns.sysctl.set('net.ipv6.conf.default.accept_dad', 0);
}

/**
 * Three namespaces wired for NAT tests: client 10.0.0.2 (default route via the host), host 10.0.0.1 /
 * 198.18.1.1 with forwarding on, server 198.18.1.2 answering "pong:<data>" on port 8080. The server
 * gets a route back only when asked (without one, only masquerade brings replies home).
 * `exchange(host, port)` sends "ping" from the client and resolves with the answer.
 */
export async function natTopology(client: Netns, host: Netns, server: Netns, options: { serverRouteBack: boolean }) {
  await wireClient(client, host);
  const { close } = await wireServer(host, server, options);
  await host.sysctl.set('net.ipv4.ip_forward', 1);
  return { exchange: (to: string, port: number) => exchange(client, to, port), close };
}

/**
 * A server namespace 198.18.1.2/24 behind a "host" namespace (198.18.1.1, link to-server), answering
 * "pong:<data>" on TCP port 8080; `peers` collects the source address of every connection it got.
 * It gets a default route back via the host only when asked.
 */
export async function wireServer(host: Netns, server: Netns, options: { serverRouteBack: boolean }) {
  await server.links.add({ kind: 'veth', name: 'eth0', up: true, peer: { name: 'to-server', netns: host, up: true } });
  await host.addresses.add('to-server', '198.18.1.1/24', { noDad: true });
  await server.addresses.add('eth0', '198.18.1.2/24', { noDad: true });
  if (options.serverRouteBack) await server.routes.add({ dst: 'default', gateway: '198.18.1.1' });
  const peers: string[] = [];
  const accepted = new Set<net.Socket>();
  const listening = await server.listen({ port: 8080, host: '198.18.1.2' }, (s) => {
    peers.push(s.remoteAddress!.replace(/^::ffff:/, ''));
    accepted.add(s);
    s.on('close', () => accepted.delete(s));
    s.on('data', (d) => s.end(`pong:${d}`));
  });
  // Its connections go too: a client's FIN may be lost once the network it came through is gone,
  // and a half-closed connection left open would keep the test process alive.
  return { peers, close: () => { listening.close(); for (const s of accepted) s.destroy(); } };
}

/** A client namespace 10.0.0.2/24 wired to a "host" namespace (10.0.0.1), its default route via the host. */
export async function wireClient(client: Netns, host: Netns): Promise<void> {
  await client.links.add({ kind: 'veth', name: 'eth0', up: true, peer: { name: 'to-client', netns: host, up: true } });
  await client.addresses.add('eth0', '10.0.0.2/24', { noDad: true });
  await client.routes.add({ dst: 'default', gateway: '10.0.0.1' });
  await host.addresses.add('to-client', '10.0.0.1/24', { noDad: true });
}

/** Sends "ping" over TCP from inside `from` and resolves with the answer (1 s to connect, unless told). */
export async function exchange(from: Netns, host: string, port: number, connectTimeoutMs = 1000): Promise<string> {
  const socket = await from.connect({ host, port, timeout: connectTimeoutMs });
  return new Promise<string>((resolve, reject) => {
    let got = '';
    socket.on('data', (d) => (got += d));
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
    socket.write('ping');
  });
}

/** A UDP echo inside `ns` on `port` ("<tag>echo:<data> from <sender>"), once it is bound. */
export async function udpEcho(ns: Netns, port: number, tag = '') {
  const child = ns.spawn(process.execPath, ['-e', `
    const s = require('node:dgram').createSocket('udp4');
    s.on('message', (m, r) => s.send(${JSON.stringify(tag)} + 'echo:' + m + ' from ' + r.address, r.port, r.address));
    s.bind(${port}, () => process.stdout.write('ready\\n'));`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  await withCleanup(() => waitFor(`the UDP echo in ${ns.name} to bind port ${port}`, () => out === 'ready\n'), () => undefined).catch((err) => {
    child.kill();
    throw err;
  });
  return { close: () => child.kill() };
}

/**
 * Sends one UDP datagram "ping" from inside `ns` (from `sourcePort` when given: the same flow each
 * time, as a long-lived client keeps) and resolves with the answer, or 'no answer' after 1 s.
 */
export async function udpExchange(ns: Netns, host: string, port: number, sourcePort?: number): Promise<string> {
  const r = await ns.exec(process.execPath, ['-e', `
    const s = require('node:dgram').createSocket('udp4');
    const t = setTimeout(() => { process.stdout.write('no answer'); s.close(); }, 1000);
    s.on('message', (m) => { clearTimeout(t); process.stdout.write(String(m)); s.close(); });
    const send = () => s.send('ping', ${port}, ${JSON.stringify(host)});
    ${sourcePort === undefined ? 'send();' : `s.bind(${sourcePort}, send);`}`]);
  if (r.code !== 0) throw new Error(`the UDP client in ${ns.name} failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * The sanitizer run's preload and options (scripts/sanitize.sh), for a child given an environment
 * of its own: node loading the ASan-built addon needs the runtime preloaded. Empty otherwise.
 */
export const SANITIZER_ENV: Record<string, string> = Object.fromEntries(
  ['LD_PRELOAD', 'ASAN_OPTIONS', 'UBSAN_OPTIONS'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])),
);
