// `nln demo` (npm run demo): the classic custom container network — a "host" namespace with bridge
// docker1, two containers on it, a client namespace in 10.0.0.0/16, a DNAT from the client range on
// port 1234 to a container — built with the library, proven with real TCP exchanges, timed next to
// the ip/nft commands that build the same thing, and removed (also on Ctrl-C). Only namespaces the
// demo creates are touched. The library part needs no program at all; the comparison runs only
// when ip, nft and sysctl are installed, and otherwise the table says which packages it needs.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { BridgeNetwork } from '../network/bridge-network';
import { Netns } from '../netns';

const run = promisify(execFile);

interface Row { step: string; ours: number; theirs?: number; note?: string }

/** The programs the comparison runs, and the Debian/Ubuntu package of each. */
const TWIN_TOOLS: Array<[program: string, pkg: string]> = [['ip', 'iproute2'], ['nft', 'nftables'], ['sysctl', 'procps']];

/** Whether an executable of that name is on PATH (looked up as execFile would, without a shell). */
function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(':').filter(Boolean).some((dir) => {
    try {
      fs.accessSync(path.join(dir, program), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
}

/** Runs commands one process each (as a script would), returning the total time. */
async function commands(list: string[][]): Promise<number> {
  const t0 = performance.now();
  for (const [file, ...args] of list) await run(file, args);
  return performance.now() - t0;
}

async function talk(from: Netns, host: string, port: number): Promise<string> {
  const socket = await from.connect({ host, port, timeout: 2000 });
  return new Promise((resolve, reject) => {
    let got = '';
    socket.on('data', (d) => (got += d));
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
    socket.write('hello');
  });
}

export async function runDemo(args: string[]): Promise<number> {
  if (args.includes('--help')) {
    console.log('usage: nln demo\n\nBuilds a container network in throwaway namespaces nln-demo-<pid>-*, proves it with TCP\nexchanges, prints each step with its time next to the ip/nft commands for the same step\n(when ip, nft and sysctl are installed), then removes everything.');
    return 0;
  }
  const p = `nln-demo-${process.pid}`;
  const missingTools = TWIN_TOOLS.filter(([program]) => !onPath(program));
  // The comparison's time for a step; undefined, with nothing run, when its programs are missing.
  const twinSteps = async (list: string[][]) => (missingTools.length > 0 ? undefined : commands(list));
  const ours: Netns[] = [];
  const theirs: string[] = []; // the ip/nft twin, built with one process per step
  const cleanup = async () => {
    for (const ns of ours.splice(0)) await ns.delete().catch(() => {});
    for (const name of theirs.splice(0)) await run('ip', ['netns', 'del', name]).catch(() => {});
  };
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const rows: Row[] = [];
  try {
    const names = ['host', 'c1', 'c2', 'client'];
    const [[host, c1, c2, client], tNs] = await timed(async () => {
      const made: Netns[] = [];
      for (const n of names) { const ns = await Netns.create(`${p}-${n}`); ours.push(ns); made.push(ns); }
      return made;
    });
    const twin = (n: string) => `${p}-ip-${n}`;
    if (missingTools.length === 0) theirs.push(...names.map(twin));
    rows.push({ step: '4 namespaces (host, 2 containers, client)', ours: tNs, theirs: await twinSteps(names.map((n) => ['ip', 'netns', 'add', twin(n)])) });

    const [net, tNet] = await timed(() => BridgeNetwork.create({ netns: host, bridge: 'docker1', subnet: '198.18.0.0/24' }));
    const H = twin('host');
    const nftNet = 'add table ip nat; add chain ip nat PREROUTING { type nat hook prerouting priority dstnat; }; add chain ip nat POSTROUTING { type nat hook postrouting priority srcnat; }; add rule ip nat POSTROUTING ip saddr 198.18.0.0/24 oifname != "docker1" masquerade';
    rows.push({
      step: 'bridge docker1 198.18.0.1/24, forwarding, NAT table', ours: tNet,
      theirs: await twinSteps([
        ['ip', '-n', H, 'link', 'add', 'docker1', 'type', 'bridge'], ['ip', '-n', H, 'addr', 'add', '198.18.0.1/24', 'dev', 'docker1'],
        ['ip', '-n', H, 'link', 'set', 'docker1', 'up'], ['ip', 'netns', 'exec', H, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'],
        ['ip', 'netns', 'exec', H, 'nft', nftNet],
      ]),
    });

    for (const [i, c] of [c1, c2].entries()) {
      const [e, t] = await timed(() => net.attach(c));
      const C = twin(`c${i + 1}`);
      rows.push({
        step: `attach c${i + 1}: veth, eth0 in the container, ${e.address}, default route`, ours: t,
        theirs: await twinSteps([
          ['ip', '-n', H, 'link', 'add', `veth${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', C],
          ['ip', '-n', H, 'link', 'set', `veth${i}`, 'master', 'docker1', 'up'], ['ip', '-n', C, 'link', 'set', 'eth0', 'up'],
          ['ip', '-n', C, 'addr', 'add', `198.18.0.${i + 2}/24`, 'dev', 'eth0'], ['ip', '-n', C, 'route', 'add', 'default', 'via', '198.18.0.1'],
        ]),
      });
    }

    const [, tClient] = await timed(async () => {
      await client.links.add({ kind: 'veth', name: 'eth0', up: true, peer: { name: 'to-client', netns: host, up: true } });
      await Promise.all([client.addresses.add('eth0', '10.0.0.2/24', { noDad: true }), host.addresses.add('to-client', '10.0.0.1/24', { noDad: true })]);
      await client.routes.add({ dst: 'default', gateway: '10.0.0.1' });
    });
    const CL = twin('client');
    rows.push({
      step: 'client 10.0.0.2/24, wired to the host', ours: tClient,
      theirs: await twinSteps([
        ['ip', '-n', CL, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'to-client', 'netns', H], ['ip', '-n', CL, 'link', 'set', 'eth0', 'up'],
        ['ip', '-n', H, 'link', 'set', 'to-client', 'up'], ['ip', '-n', CL, 'addr', 'add', '10.0.0.2/24', 'dev', 'eth0'],
        ['ip', '-n', H, 'addr', 'add', '10.0.0.1/24', 'dev', 'to-client'], ['ip', '-n', CL, 'route', 'add', 'default', 'via', '10.0.0.1'],
      ]),
    });

    const [endpoint] = await net.endpoints();
    const [, tPub] = await timed(() => net.publish({ endpoint, hostPort: 1234, port: 8080, from: '10.0.0.0/16' }));
    rows.push({
      step: 'publish 10.0.0.0/16 → host:1234 → c1:8080', ours: tPub,
      theirs: await twinSteps([
        ['ip', 'netns', 'exec', H, 'nft', 'add rule ip nat PREROUTING ip saddr 10.0.0.0/16 tcp dport 1234 dnat to 198.18.0.2:8080'],
        ['ip', 'netns', 'exec', H, 'nft', 'add rule ip nat POSTROUTING ip saddr 198.18.0.0/24 ip daddr 198.18.0.2 tcp dport 8080 masquerade'],
      ]),
    });

    const server = await c1.listen({ port: 8080 }, (s) => s.on('data', (d) => s.end(`c1 got "${d}"`)));
    try {
      const [viaDnat, t1] = await timed(() => talk(client, '10.0.0.1', 1234));
      rows.push({ step: 'TCP client → 10.0.0.1:1234 (DNAT) → c1', ours: t1, note: viaDnat });
      const [direct, t2] = await timed(() => talk(c2, endpoint.address, 8080));
      rows.push({ step: `TCP c2 → c1 (${endpoint.address}:8080) on the bridge`, ours: t2, note: direct });
    } finally {
      server.close();
    }

    console.log(`netlink-native demo — a container network in namespaces ${p}-*, next to the same built by ip/nft\n`);
    const w = Math.max(...rows.map((r) => r.step.length)) + 1;
    console.log(`${'step'.padEnd(w)} ${'netlink-native'.padStart(14)} ${'ip/nft commands'.padStart(16)} ${'faster'.padStart(7)}`);
    for (const r of rows) {
      const t = r.theirs === undefined ? (r.note === undefined && missingTools.length > 0 ? 'not run*' : '') : `${r.theirs.toFixed(1)} ms`;
      const x = r.theirs === undefined ? '' : `${(r.theirs / r.ours).toFixed(1)}×`;
      console.log(`${r.step.padEnd(w)} ${`${r.ours.toFixed(1)} ms`.padStart(14)} ${t.padStart(16)} ${x.padStart(7)}${r.note ? `   ${r.note}` : ''}`);
    }
    if (missingTools.length > 0) {
      const needs = missingTools.map(([program, pkg]) => `${program} (package ${pkg})`).join(', ');
      const packages = [...new Set(missingTools.map(([, pkg]) => pkg))].join(' ');
      console.log(`\n* not run: the ip/nft column needs ${needs},\n  not found on PATH; to see the comparison: apt-get install ${packages}`);
    }
    console.log('\nwhat was built (host namespace):');
    for (const l of await host.links.list()) {
      const master = l.master === undefined ? '' : ` master ${(await host.links.get(l.master)).name}`;
      const addrs = (await host.addresses.list({ link: l.index, family: 4 })).map((a) => `${a.address}/${a.prefixLength}`).join(' ');
      console.log(`  ${l.name.padEnd(16)} ${(l.kind ?? '-').padEnd(7)} ${l.operState.padEnd(15)} ${addrs}${master}`);
    }
    for (const r of await host.nft.listRules({ family: 'ip', table: 'nln-docker1' })) console.log(`  nft ${r.chain.padEnd(12)} ${r.text}`);
    const [, tDel] = await timed(async () => {
      await net.delete();
      for (const ns of ours.splice(0)) await ns.delete();
    });
    const tDelIp = await twinSteps(theirs.splice(0).map((n) => ['ip', 'netns', 'del', n]));
    console.log(`\nremoved everything: ${tDel.toFixed(1)} ms${tDelIp === undefined ? '' : ` (ip netns del ×4: ${tDelIp.toFixed(1)} ms)`}`);
    return 0;
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
