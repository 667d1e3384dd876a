// Shared test fixtures: unique throwaway namespaces that are always removed, the `ip` oracle,
// and the check that the JS thread never changes namespace.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
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
 * Creates `count` named namespaces, runs fn, and deletes them whatever happens (with `ip netns
 * del` as a fallback so a library bug cannot leave one behind).
 */
export async function withNamespaces<T>(count: number, fn: (...ns: Netns[]) => Promise<T>): Promise<T> {
  const made: Netns[] = [];
  const before = jsThreadNetns();
  try {
    for (let i = 0; i < count; i++) made.push(await Netns.create(uniqueName()));
    return await fn(...made);
  } finally {
    for (const ns of made) {
      await ns.delete().catch(async () => {
        await sh('ip', ['netns', 'del', ns.name!]).catch(() => {});
      });
    }
    if (jsThreadNetns() !== before) throw new Error('the JS thread changed network namespace');
  }
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
  await server.links.add({ kind: 'veth', name: 'eth0', up: true, peer: { name: 'to-server', netns: host, up: true } });
  await host.addresses.add('to-server', '198.18.1.1/24', { noDad: true });
  await server.addresses.add('eth0', '198.18.1.2/24', { noDad: true });
  if (options.serverRouteBack) await server.routes.add({ dst: 'default', gateway: '198.18.1.1' });
  await host.sysctl.set('net.ipv4.ip_forward', 1);
  const listening = await server.listen({ port: 8080, host: '198.18.1.2' }, (s) => s.on('data', (d) => s.end(`pong:${d}`)));
  return { exchange: (to: string, port: number) => exchange(client, to, port), close: () => listening.close() };
}

/** A client namespace 10.0.0.2/24 wired to a "host" namespace (10.0.0.1), its default route via the host. */
export async function wireClient(client: Netns, host: Netns): Promise<void> {
  await client.links.add({ kind: 'veth', name: 'eth0', up: true, peer: { name: 'to-client', netns: host, up: true } });
  await client.addresses.add('eth0', '10.0.0.2/24', { noDad: true });
  await client.routes.add({ dst: 'default', gateway: '10.0.0.1' });
  await host.addresses.add('to-client', '10.0.0.1/24', { noDad: true });
}

/** Sends "ping" over TCP from inside `from` and resolves with the answer (1 s to connect). */
export async function exchange(from: Netns, host: string, port: number): Promise<string> {
  const socket = await from.connect({ host, port, timeout: 1000 });
  return new Promise<string>((resolve, reject) => {
    let got = '';
    socket.on('data', (d) => (got += d));
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
    socket.write('ping');
  });
}
