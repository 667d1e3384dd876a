// Small operations, next to the ip/nft CLI (one process per operation, as scripts do) and the C
// floor: namespace and veth creation, link up on many links (one at a time and pipelined), listing
// many links, and nftables at scale. All in throwaway namespaces.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Netns } from '../src/index';
import type { Workload } from './harness';
import { buildPeers } from './peers/build';

const exec = promisify(execFile);
const ip = (...args: string[]) => exec('ip', args, { maxBuffer: 1 << 28 }); // ip -j of 10,000 links is ~10 MB
const prefix = `nln-bench-${process.pid}`;
let serial = 0;
const fresh = () => `${prefix}-${serial++}`;

/** Named namespaces a round made; removed after it (untimed). */
const made: string[] = [];
export async function removeMade(): Promise<void> {
  for (const name of made.splice(0)) await Netns.delete(name).catch(() => {});
}

export function netnsCreate(rounds: number, ops: number): Workload {
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

export function vethCreate(rounds: number, ops: number): Workload {
  return {
    name: 'veth create, peer in namespace', ops, rounds,
    peers: inHostAndContainer((host, c) => [
      { name: 'netlink-native', run: async (n) => { for (let i = 0; i < n; i++) await host().links.add({ kind: 'veth', name: `v${i}`, peer: { name: `p${i}`, netns: c() } }); } },
      { name: 'ip link add (process per op)', run: async (n) => { for (let i = 0; i < n; i++) await ip('-n', host().name!, 'link', 'add', `v${i}`, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', c().name!); } },
    ]),
  };
}

export function linkUp(rounds: number, ops: number): Workload {
  const { floor } = buildPeers();
  const withLinks = (peer: Workload['peers'][number]): Workload['peers'][number] => ({
    ...peer,
    setup: async (round) => {
      await peer.setup!(round);
      await sharedHost!().links.add({ kind: 'bridge', name: 'br0' });
      await Promise.all(Array.from({ length: ops }, (_, i) => sharedHost!().links.add({ kind: 'veth', name: `v${i}`, peer: { name: `p${i}` } })));
    },
  });
  let sharedHost: (() => Netns) | undefined;
  const peers = inHostAndContainer((host) => {
    sharedHost = host;
    return [
      { name: 'netlink-native, one at a time', run: async (n) => { for (let i = 0; i < n; i++) await host().links.set(`v${i}`, { up: true }); } },
      { name: 'netlink-native, all in flight', run: async (n) => { await Promise.all(Array.from({ length: n }, (_, i) => host().links.set(`v${i}`, { up: true }))); } },
      { name: 'C floor, pipelined', run: async (n) => Number((await exec(floor, [host().name!, 'linkup', String(n)])).stdout) / 1e6 },
      { name: 'ip link set up (process per op)', run: async (n) => { for (let i = 0; i < n; i++) await ip('-n', host().name!, 'link', 'set', `v${i}`, 'up'); } },
    ];
  });
  return { name: `link set up (${ops} links)`, ops, rounds, peers: peers.map(withLinks) };
}

export function linkList(rounds: number, ops: number, links: number): Workload {
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

const ruleText = (i: number) => `ip saddr 10.${(i >> 8) & 255}.${i & 255}.1 tcp dport ${1 + (i % 60000)} accept`;

/** Per round: a fresh namespace holding `table ip t { chain c }` (handed to `use`), removed after. */
function nftRounds(use: (ns: Netns) => void): { fresh1(): Promise<void>; done(): Promise<void> } {
  let ns: Netns;
  return {
    fresh1: async () => {
      ns = await Netns.create(fresh());
      made.push(ns.name!);
      await ns.nft.apply('table ip t { chain c { } }');
      use(ns);
    },
    done: async () => {
      await ns.close();
      await removeMade();
    },
  };
}

/** Untimed transactions before each timed one of the library (V8 optimizes its code by the third). */
const WARM_BATCHES = 3;

/** nftables: transactions of `sizes` rules each (per rule), next to `nft -f` of the same rules. */
export function nftBatchWorkloads(rounds: number, sizes: number[]): Workload[] {
  let ns!: Netns;
  const { fresh1, done } = nftRounds((made1) => { ns = made1; });
  const batch = (n: number) => ns.nft.transaction((tx) => { for (let i = 0; i < n; i++) tx.addRule({ family: 'ip', table: 't', chain: 'c', rule: ruleText(i) }); });
  return sizes.map((rules) => {
    const file = nftScript(Array.from({ length: rules }, (_, i) => `add rule ip t c ${ruleText(i)}`), `batch-${rules}`);
    // Warmed as a long-running agent's code is (the per-container row's WARM_UP): a few untimed
    // transactions of the same rules, then the chain emptied. Each `nft -f` is a new process.
    const warm1 = async () => {
      await fresh1();
      for (let k = 0; k < WARM_BATCHES; k++) await batch(rules);
      await ns.nft.apply('flush chain ip t c');
    };
    return {
      // "rules (per rule)" after the number: --only='one batch of 1000 ' picks 1,000 and not 10,000
      name: `nft: one batch of ${rules} rules (per rule)`, ops: rules, rounds,
      peers: [
        { name: 'netlink-native transaction', setup: warm1, teardown: done, run: async (n) => { await batch(n); } },
        { name: 'nft -f', setup: fresh1, teardown: done, run: async () => { await exec('ip', ['netns', 'exec', ns.name!, 'nft', '-f', file], { maxBuffer: 1 << 26 }); } },
      ],
    };
  });
}

/** An nft script in a file of its own (written once, before anything is timed). */
function nftScript(lines: string[], what: string): string {
  const file = path.join(os.tmpdir(), `nln-bench-${process.pid}-${what}.nft`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** nftables: rule 10,001 appended to a chain of 10,000, a 10,000-element map; next to nft. */
export function nftWorkloads(rounds: number, rules: number): Workload[] {
  let ns!: Netns;
  const { fresh1, done } = nftRounds((made1) => { ns = made1; });
  const nftF = (lines: string[]) => exec('ip', ['netns', 'exec', ns.name!, 'nft', '-f', nftScript(lines, 'map')], { maxBuffer: 1 << 26 });
  const elements = Array.from({ length: rules }, (_, i) => `${20000 + (i % 40000)} : 10.0.${(i >> 8) & 255}.${i & 255}`).slice(0, Math.min(rules, 40000));
  const fill = async () => {
    await fresh1();
    await ns.nft.transaction((tx) => { for (let i = 0; i < rules; i++) tx.addRule({ family: 'ip', table: 't', chain: 'c', rule: ruleText(i) }); });
  };
  return [
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

