// `npm run bench`: per-operation costs of this library next to the ip CLI (one process per
// operation, as scripts do), all in throwaway namespaces. Writes bench/results/latest.json.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Netns } from '../src/index';
import { formatTable, measure, type Result, type Workload } from './harness';

const exec = promisify(execFile);
const ip = (...args: string[]) => exec('ip', args);
const prefix = `nln-bench-${process.pid}`;
let serial = 0;
const fresh = () => `${prefix}-${serial++}`;

/** Named namespaces a round made; removed after it (untimed). */
const made: string[] = [];
async function removeMade(): Promise<void> {
  for (const name of made.splice(0)) await Netns.delete(name).catch(() => {});
}

function netnsCreate(rounds: number, ops: number): Workload {
  return {
    name: 'netns create', ops, rounds,
    peers: [
      { name: 'netlink-native', run: async (n) => { for (let i = 0; i < n; i++) { const name = fresh(); made.push(name); await (await Netns.create(name)).close(); } }, teardown: removeMade },
      { name: 'ip netns add (process per op)', run: async (n) => { for (let i = 0; i < n; i++) { const name = fresh(); made.push(name); await ip('netns', 'add', name); } }, teardown: removeMade },
    ],
  };
}

/** Peers that work in a fresh host namespace and container namespace each round. */
function inHostAndContainer(make: (host: () => Netns, container: () => Netns) => Workload['peers']): Workload['peers'] {
  let host: Netns;
  let container: Netns;
  const setup = async () => {
    host = await Netns.create(fresh());
    container = await Netns.create(fresh());
    made.push(host.name!, container.name!);
  };
  const teardown = async () => {
    await host.close();
    await container.close();
    await removeMade();
  };
  return make(() => host, () => container).map((p) => ({ setup, teardown, ...p }));
}

function vethCreate(rounds: number, ops: number): Workload {
  return {
    name: 'veth create, peer in namespace', ops, rounds,
    peers: inHostAndContainer((host, c) => [
      { name: 'netlink-native', run: async (n) => { for (let i = 0; i < n; i++) await host().links.add({ kind: 'veth', name: `v${i}`, peer: { name: `p${i}`, netns: c() } }); } },
      { name: 'ip link add (process per op)', run: async (n) => { for (let i = 0; i < n; i++) await ip('-n', host().name!, 'link', 'add', `v${i}`, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', c().name!); } },
    ]),
  };
}

function linkUp(rounds: number, ops: number): Workload {
  const withLinks = (peer: Workload['peers'][number]): Workload['peers'][number] => ({
    ...peer,
    setup: async (round) => {
      await peer.setup!(round);
      await sharedHost!().links.add({ kind: 'bridge', name: 'br0' });
      for (let i = 0; i < ops; i++) await sharedHost!().links.add({ kind: 'veth', name: `v${i}`, peer: { name: `p${i}` } });
    },
  });
  let sharedHost: (() => Netns) | undefined;
  const peers = inHostAndContainer((host) => {
    sharedHost = host;
    return [
      { name: 'netlink-native, one at a time', run: async (n) => { for (let i = 0; i < n; i++) await host().links.set(`v${i}`, { up: true }); } },
      { name: 'netlink-native, all in flight', run: async (n) => { await Promise.all(Array.from({ length: n }, (_, i) => host().links.set(`v${i}`, { up: true }))); } },
      { name: 'ip link set up (process per op)', run: async (n) => { for (let i = 0; i < n; i++) await ip('-n', host().name!, 'link', 'set', `v${i}`, 'up'); } },
    ];
  });
  return { name: 'link set up', ops, rounds, peers: peers.map(withLinks) };
}

function linkList(rounds: number, ops: number, links: number): Workload {
  let sharedHost: (() => Netns) | undefined;
  const peers = inHostAndContainer((host) => {
    sharedHost = host;
    return [
      { name: 'netlink-native', run: async (n) => { for (let i = 0; i < n; i++) await host().links.list(); } },
      { name: 'ip -j link show (process per op)', run: async (n) => { for (let i = 0; i < n; i++) await ip('-j', '-n', host().name!, 'link', 'show'); } },
    ];
  });
  return {
    name: `link list (${links} links)`, ops, rounds,
    peers: peers.map((p) => ({
      ...p,
      setup: async (round) => {
        await p.setup!(round);
        await Promise.all(Array.from({ length: links / 2 }, (_, i) => sharedHost!().links.add({ kind: 'veth', name: `v${i}`, peer: { name: `p${i}` } })));
      },
    })),
  };
}

/**
 * Tearing down veth pairs whose peers sit in container namespaces: by link group (one request), one
 * at a time, all in flight, and by deleting the container namespaces (timed until the host ends
 * are gone, since the kernel finishes that teardown after the call returns).
 */
function teardown(rounds: number, pairs: number): Workload {
  let host: Netns;
  let containers: Netns[] = [];
  const setup = async () => {
    host = await Netns.create(fresh());
    made.push(host.name!);
    containers = [];
    for (let i = 0; i < pairs; i++) {
      const c = await Netns.create(fresh());
      made.push(c.name!);
      containers.push(c);
      await host.links.add({ kind: 'veth', name: `v${i}`, group: 7, peer: { name: 'eth0', netns: c } });
    }
  };
  const finish = async () => {
    for (const c of containers) await c.close();
    await host.close();
    await removeMade();
  };
  const vethsLeft = async () => (await host.links.list({ kind: 'veth' })).length;
  return {
    name: `teardown of ${pairs} veth pairs`, ops: pairs, rounds,
    peers: [
      { name: 'links.deleteGroup (one request)', setup, teardown: finish, run: async () => { await host.links.deleteGroup(7); } },
      { name: 'links.delete, one at a time', setup, teardown: finish, run: async (n) => { for (let i = 0; i < n; i++) await host.links.delete(`v${i}`); } },
      { name: 'links.delete, all in flight', setup, teardown: finish, run: async (n) => { await Promise.all(Array.from({ length: n }, (_, i) => host.links.delete(`v${i}`))); } },
      {
        name: 'delete the container namespaces', setup, teardown: finish,
        run: async () => {
          for (const c of containers) await c.delete();
          containers = [];
          while ((await vethsLeft()) > 0) await new Promise((r) => setTimeout(r, 2));
        },
      },
    ],
  };
}

const ruleText = (i: number) => `ip saddr 10.${(i >> 8) & 255}.${i & 255}.1 tcp dport ${1 + (i % 60000)} accept`;

/** nftables: a 10,000-rule transaction, rule 10,001 appended, a 10,000-element map; next to nft. */
function nftWorkloads(rounds: number, rules: number): Workload[] {
  let ns: Netns;
  const fresh1 = async () => {
    ns = await Netns.create(fresh());
    made.push(ns.name!);
    await ns.nft.apply('table ip t { chain c { } }');
  };
  const done = async () => {
    await ns.close();
    await removeMade();
  };
  const script = (lines: string[]) => {
    const file = path.join(require('node:os').tmpdir(), `nln-bench-${process.pid}.nft`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };
  const nftF = (lines: string[]) => exec('ip', ['netns', 'exec', ns.name!, 'nft', '-f', script(lines)], { maxBuffer: 1 << 26 });
  const manyRules = Array.from({ length: rules }, (_, i) => `add rule ip t c ${ruleText(i)}`);
  const elements = Array.from({ length: rules }, (_, i) => `${20000 + (i % 40000)} : 10.0.${(i >> 8) & 255}.${i & 255}`).slice(0, Math.min(rules, 40000));
  const fill = async () => {
    await fresh1();
    await ns.nft.transaction((tx) => { for (let i = 0; i < rules; i++) tx.addRule({ family: 'ip', table: 't', chain: 'c', rule: ruleText(i) }); });
  };
  return [
    {
      name: `nft: one batch of ${rules} rules (per rule)`, ops: rules, rounds,
      peers: [
        { name: 'netlink-native transaction', setup: fresh1, teardown: done, run: async (n) => { await ns.nft.transaction((tx) => { for (let i = 0; i < n; i++) tx.addRule({ family: 'ip', table: 't', chain: 'c', rule: ruleText(i) }); }); } },
        { name: 'nft -f', setup: fresh1, teardown: done, run: async () => { await nftF(manyRules); } },
      ],
    },
    {
      name: `nft: append a rule to a chain of ${rules}`, ops: 20, rounds,
      peers: [
        { name: 'netlink-native transaction', setup: fill, teardown: done, run: async (n) => { for (let i = 0; i < n; i++) await ns.nft.transaction((tx) => { tx.addRule({ family: 'ip', table: 't', chain: 'c', rule: 'tcp dport 9 drop' }); }); } },
        // The same append to an empty chain: what the kernel's own commit costs as a chain grows.
        { name: 'netlink-native, empty chain', setup: fresh1, teardown: done, run: async (n) => { for (let i = 0; i < n; i++) await ns.nft.transaction((tx) => { tx.addRule({ family: 'ip', table: 't', chain: 'c', rule: 'tcp dport 9 drop' }); }); } },
        { name: 'nft add rule (process per op)', setup: fill, teardown: done, run: async (n) => { for (let i = 0; i < n; i++) await exec('ip', ['netns', 'exec', ns.name!, 'nft', 'add', 'rule', 'ip', 't', 'c', 'tcp', 'dport', '9', 'drop']); } },
      ],
    },
    {
      name: `nft: map of ${elements.length} elements (per element)`, ops: elements.length, rounds,
      peers: [
        {
          name: 'netlink-native transaction', setup: fresh1, teardown: done,
          run: async () => {
            await ns.nft.transaction((tx) => {
              tx.addMap({ family: 'ip', table: 't', name: 'm', type: 'inet_service', map: 'ipv4_addr' });
              tx.addElements({ family: 'ip', table: 't', name: 'm' }, elements.map((e) => e.split(' : ') as [string, string]));
            });
          },
        },
        { name: 'nft -f', setup: fresh1, teardown: done, run: async () => { await nftF([`add map ip t m { type inet_service : ipv4_addr; }`, `add element ip t m { ${elements.join(', ')} }`]); } },
      ],
    },
  ];
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const rounds = quick ? 3 : 7;
  const ops = quick ? 10 : 40;
  const workloads = [
    netnsCreate(rounds, ops), vethCreate(rounds, ops), linkUp(rounds, ops), linkList(rounds, ops, 100),
    teardown(quick ? 1 : 3, quick ? 50 : 200),
    ...nftWorkloads(quick ? 1 : 3, quick ? 1000 : 10000),
  ];
  const results: Result[] = [];
  const stop = () => void removeMade().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  try {
    for (const w of workloads) {
      process.stderr.write(`measuring: ${w.name} …\n`);
      results.push(...(await measure(w)));
    }
  } finally {
    await removeMade();
  }
  console.log(`\nmedian of ${rounds} rounds × ${ops} operations each; "vs first" is measured in this same run\n`);
  console.log(formatTable(results));
  const dir = path.join(__dirname, '..', '..', 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify({ date: new Date().toISOString(), rounds, ops, results }, null, 2));
  console.log(`\nwritten: bench/results/latest.json`);
}

void main();
