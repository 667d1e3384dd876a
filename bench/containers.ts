// The per-container workload of every peer, and teardown. A "container" is: a named namespace; a
// veth whose peer is born in it as eth0, the host end mastered to br0 and up; eth0 up with an
// address and a default route via the bridge; one DNAT rule `tcp dport P dnat to ADDRESS:80` in
// the host's table ip nln-bench. Each round starts from a fresh host namespace (untimed) and all
// peers make exactly the same kernel objects, which a check after each round confirms.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Netns } from '../src/index';
import { hook, hookHandle, realChain } from './addon-hook';
import { childrenCpuMs, parseSample, type Peer, type Sample, type Workload } from './harness';
import { buildPeers, libraryPeer, pyroute2Peer } from './peers/build';

const exec = promisify(execFile);
const SUBNET_BASE = '198.18.0.0';
const GATEWAY = '198.18.0.1';
const HOST_GROUP = 7;
const address = (i: number) => { const v = 2 + i; return `198.18.${v >> 8}.${v & 255}`; };
const ruleText = (i: number) => `tcp dport ${10000 + i} dnat to ${address(i)}:80`;

/** One round's host namespace and what the peers made in it. */
export class Round {
  host!: Netns;
  bridgeIndex = 0;
  containers: Netns[] = [];
  names: string[] = [];
  constructor(readonly prefix: string) {}

  /** The host namespace; with `plain`, nothing in it (a BridgeNetwork makes its own). */
  async setup(plain = false): Promise<void> {
    this.host = await Netns.create(`${this.prefix}-host`);
    if (plain) return;
    await this.host.links.add({ kind: 'bridge', name: 'br0', up: true });
    this.bridgeIndex = (await this.host.links.get('br0')).index;
    await this.host.addresses.add('br0', `${GATEWAY}/16`);
    await this.host.nft.apply('table ip nln-bench { chain prerouting { type nat hook prerouting priority dstnat; policy accept; } }');
  }

  name(i: number): string { return `${this.prefix}-c${i}`; }

  /** Fails the run if a peer did not build all n containers (rules and host ends counted). */
  async check(n: number): Promise<void> {
    const rules = (await this.host.nft.listRules({ family: 'ip', table: 'nln-bench', chain: 'prerouting' })).length;
    const ends = (await this.host.links.list({ master: 'br0' })).length;
    if (rules !== n || ends !== n) throw new Error(`${this.prefix}: expected ${n} containers, found ${rules} DNAT rules and ${ends} bridge ports`);
  }

  async teardown(): Promise<void> {
    for (const c of this.containers.splice(0)) await c.close();
    const mine = (await Netns.list()).filter((n) => n.startsWith(`${this.prefix}-`));
    await Promise.all(mine.map((n) => Netns.delete(n).catch(() => {})));
    await this.host?.close();
  }
}

/** Sysctls written in each container namespace before its link exists (so eth0 inherits them). */
type ContainerSysctls = Record<string, number>;

/** netlink-native: the library's calls for one container. */
export async function libraryContainer(r: Round, i: number, sysctl: ContainerSysctls = {}): Promise<void> {
  // One call makes the namespace, the veth and everything on its container side, all on the
  // thread that creates the namespace; the DNAT rule is built meanwhile and goes through the
  // host's nftables channel (another thread, another CPU).
  const added = r.host.links.add({
    kind: 'veth', name: `h${i}`, master: r.bridgeIndex, up: true, group: HOST_GROUP,
    peer: {
      name: 'eth0', netns: { create: r.name(i), sysctl }, up: true,
      addresses: [`${address(i)}/16`], routes: [{ dst: 'default', gateway: GATEWAY }],
    },
  });
  // ruleText(i) in the typed form: the same request bytes, without parsing nft text each time.
  const rule = r.host.nft.transaction((tx) => {
    tx.addRule({ family: 'ip', table: 'nln-bench', chain: 'prerouting', match: { protocol: 'tcp', dport: 10000 + i }, dnat: { address: address(i), port: 80 } });
  });
  const [a, b] = await Promise.allSettled([added, rule]);
  for (const x of [a, b]) if (x.status === 'rejected') throw x.reason;
}

/**
 * The addon calls libraryContainer makes for containers 0..n-1, recorded (nothing sent): the
 * library's JS for them runs, the kernel sees nothing.
 */
export async function recordCalls(r: Round, n: number) {
  const host = await r.host.nativeHandle('bench');
  const { batch } = hookHandle(host);
  const record = { chains: [] as Array<Parameters<typeof realChain>[0]>, batches: [] as Array<Parameters<typeof batch>> };
  hook.record = record;
  try {
    for (let i = 0; i < n; i++) void libraryContainer(r, i).catch(() => {});
    while (record.batches.length < n || record.chains.length < n) await new Promise((resolve) => setImmediate(resolve));
  } finally {
    hook.record = undefined;
  }
  return { host, chain: realChain, batch, chains: record.chains, batches: record.batches };
}

/**
 * Containers whose JS runs (nothing sent, answers given) before a timed loop: a long-running agent's
 * JS is compiled and optimized; at 200, V8 was still optimizing the hot path inside the timed loop.
 */
export const WARM_UP = 2000;
/** Containers of the warm-up made for real, each followed by its share of the answered ones. */
const WARM_REAL = 4;

/**
 * Compiles the library's JS for a container as a long-running agent has it: `count` containers
 * whose addon calls are answered at once (nothing sent) with copies of a real container's answer,
 * in WARM_REAL runs each after one container made for real (indices beyond the round's), so the
 * code is optimized for the kernel's answers and the fake ones alike; then the real ones are
 * removed (their rules, host ends and namespaces). Untimed. The calls go through
 * bench/addon-hook.ts, which the timed loop goes through too, unchanged.
 */
export async function warmUp(r: Round, count = WARM_UP): Promise<void> {
  const WARM = 50000; // address 198.18.195.82, port 60000: beyond any round's containers
  hookHandle(await r.host.nativeHandle('bench'));
  let next = WARM + WARM_REAL;
  try {
    for (let k = 0; k < WARM_REAL; k++) {
      hook.answer = undefined;
      hook.fakeBatch = false;
      hook.keep = true;
      await libraryContainer(r, WARM + k);
      hook.keep = false;
      hook.answer = hook.kept;
      hook.fakeBatch = true;
      const end = Math.round((count * (k + 1)) / WARM_REAL);
      for (; next < WARM + WARM_REAL + end; next++) await libraryContainer(r, next);
    }
  } finally {
    hook.keep = false;
    hook.answer = undefined;
    hook.fakeBatch = false;
  }
  // Removed with ip and nft, not the library: its listing and deleting would run the codec's shared
  // functions with other types, and the warmed code would be deoptimized before the timed loop.
  const inHost = ['nsenter', `--net=/run/netns/${r.host.name}`];
  const listed = (await exec(inHost[0], [...inHost.slice(1), 'nft', '-a', 'list', 'chain', 'ip', 'nln-bench', 'prerouting'])).stdout;
  for (let k = 0; k < WARM_REAL; k++) {
    const handle = new RegExp(`dport ${10000 + WARM + k} .*# handle (\\d+)`).exec(listed)?.[1];
    if (handle) await exec(inHost[0], [...inHost.slice(1), 'nft', 'delete', 'rule', 'ip', 'nln-bench', 'prerouting', 'handle', handle]);
    await exec('ip', ['-n', r.host.name!, 'link', 'del', `h${WARM + k}`]);
    await exec('ip', ['netns', 'del', r.name(WARM + k)]);
  }
}

/**
 * What one at a time costs without the library's JS (checking, building and packing the
 * messages, decoding the answers): the addon calls libraryContainer makes, recorded first
 * (untimed, nothing sent), then replayed one container at a time. Its gap to the C floor is the
 * addon's threads and hand-offs; the gap from it to "one at a time" is the JS. Returns the replay's
 * own time and the process's CPU time over it.
 */
export async function replayed(r: Round, n: number): Promise<{ ms: number; cpuMs: number }> {
  const { host, chain, batch, chains, batches } = await recordCalls(r, n);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await Promise.all([chain(chains[i]), batch.apply(host, batches[i])]);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** n containers with the library, `width` in flight. */
export const provision = (r: Round, n: number, width: number) => inFlight(n, width, (i) => libraryContainer(r, i));

/** one(0..n-1), `width` at a time. */
export async function inFlight(n: number, width: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, n) }, async () => {
    while (next < n) await one(next++);
  }));
}

const run = (file: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}) => {
  const child = exec(file, args, { env: opts.env, maxBuffer: 1 << 26 });
  if (opts.input !== undefined) child.child.stdin!.end(opts.input);
  return child;
};
const ip = (...args: string[]) => run('ip', args);
/** A program that reports its own elapsed nanoseconds on stdout (and its CPU time and peak RSS). */
const selfTimed = async (file: string, args: string[]): Promise<Sample> => parseSample((await run(file, args)).stdout);
/**
 * A peer that runs a process per step: its time, and the CPU time of those processes (the
 * children this process waited for; their peak RSS is not available this way).
 */
const processPerStep = (body: (k: number) => Promise<void>) => async (k: number): Promise<Sample> => {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  await body(k);
  return { ms: performance.now() - t0, cpuMs: childrenCpuMs() - cpu0 };
};

function tmpFile(name: string, text: string): string {
  const file = path.join(os.tmpdir(), `nln-bench-${process.pid}-${name}`);
  fs.writeFileSync(file, text);
  return file;
}

/** CNI: the reference bridge plugin (host-local IPAM) then portmap, as a runtime chains them. */
async function cniContainer(r: Round, i: number, dataDir: string): Promise<void> {
  const c = await Netns.create(r.name(i));
  r.containers.push(c);
  const env = {
    PATH: process.env.PATH, CNI_COMMAND: 'ADD', CNI_CONTAINERID: `bench${i}`, CNI_NETNS: `/run/netns/${r.name(i)}`,
    CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni',
  };
  const bridgeConf = {
    cniVersion: '0.4.0', name: 'nln-bench', type: 'bridge', bridge: 'br0', isGateway: true, ipMasq: false,
    ipam: { type: 'host-local', subnet: '198.18.0.0/16', gateway: GATEWAY, dataDir, routes: [{ dst: '0.0.0.0/0' }] },
  };
  const added = await r.host.exec('/usr/lib/cni/bridge', [], { env, input: JSON.stringify(bridgeConf) });
  if (added.code !== 0) throw new Error(`CNI bridge: ${added.stdout}${added.stderr}`);
  const portmapConf = {
    cniVersion: '0.4.0', name: 'nln-bench', type: 'portmap', snat: false, capabilities: { portMappings: true },
    runtimeConfig: { portMappings: [{ hostPort: 10000 + i, containerPort: 80, protocol: 'tcp' }] }, prevResult: JSON.parse(added.stdout),
  };
  const mapped = await r.host.exec('/usr/lib/cni/portmap', [], { env, input: JSON.stringify(portmapConf) });
  if (mapped.code !== 0) throw new Error(`CNI portmap: ${mapped.stdout}${mapped.stderr}`);
}

/** How many containers the concurrent rows provision at once. */
export const IN_FLIGHT = 64;

export const CONTAINER_PEERS = {
  floor: 'C floor, sequential (raw netlink, fewest round trips)',
  floorConcurrent: `C floor, ${IN_FLIGHT} threads (each its own sockets)`,
  sequential: 'netlink-native, one at a time',
  replayed: 'netlink-native, one at a time, its addon calls replayed (no JS)',
  inFlight: `netlink-native, ${IN_FLIGHT} in flight`,
  go: 'Go vishvananda/netlink + google/nftables, sequential',
  goConcurrent: `Go, ${IN_FLIGHT} goroutines (each on its own OS thread, own handles)`,
  pyroute2: 'pyroute2',
  batch: 'ip -batch + nft -f',
  commands: 'ip + nft commands (process per step)',
  cni: 'CNI bridge + portmap plugins',
  bridgeNetwork: 'netlink-native BridgeNetwork.attach + publish',
} as const;

/**
 * The concurrent rows (each quoted only against the others) and the sequential ones: the
 * printed comparisons pair ours with peers of its own kind.
 */
export const CONCURRENT_PEERS: readonly string[] = [CONTAINER_PEERS.floorConcurrent, CONTAINER_PEERS.goConcurrent, CONTAINER_PEERS.inFlight];

/** Per container, for n containers per round. */
export function containerWorkload(n: number, rounds: number, prefix: () => string, only?: string[]): Workload {
  const { floor, go } = buildPeers();
  let r: Round;
  const cniData = fs.mkdtempSync(path.join(os.tmpdir(), 'nln-bench-cni-'));
  let finished = false;
  const peer = (name: string, body: (n: number) => Promise<void | number | Sample>, check = true): Peer => ({
    name,
    setup: async () => { r = new Round(prefix()); await r.setup(); finished = false; },
    run: async (k) => { const own = await body(k); finished = true; return own; },
    // The check runs after the clock stopped (and not after a failed run: its error is the one to see).
    teardown: async () => {
      try { if (check && finished) await r.check(n); } finally { await r.teardown(); }
      fs.rmSync(cniData, { recursive: true, force: true });
      fs.mkdirSync(cniData, { recursive: true });
    },
  });
  const floorArgs = () => [r.host.name!, 'containers', `${r.prefix}-c`, String(n), 'br0', SUBNET_BASE];
  const goArgs = () => [r.host.name!, `${r.prefix}-c`, String(n), 'br0', SUBNET_BASE];
  // Ours runs in a fresh process each round, like the other peers, so its CPU time and RSS are its own.
  const ours = (mode: string) => () => selfTimed(process.execPath, [libraryPeer, mode, r.host.name!, r.prefix, String(n)]);
  const peers: Peer[] = [
    peer(CONTAINER_PEERS.floor, () => selfTimed(floor, floorArgs())),
    peer(CONTAINER_PEERS.floorConcurrent, () => selfTimed(floor, [...floorArgs(), String(IN_FLIGHT)])),
    peer(CONTAINER_PEERS.sequential, ours('sequential')),
    peer(CONTAINER_PEERS.replayed, ours('replayed')),
    peer(CONTAINER_PEERS.inFlight, ours(`inflight:${IN_FLIGHT}`)),
    peer(CONTAINER_PEERS.go, () => selfTimed(go, goArgs())),
    peer(CONTAINER_PEERS.goConcurrent, () => selfTimed(go, [...goArgs(), String(IN_FLIGHT)])),
    peer(CONTAINER_PEERS.pyroute2, () => selfTimed('/usr/bin/python3', [pyroute2Peer, r.host.name!, `${r.prefix}-c`, String(n), 'br0', SUBNET_BASE])),
    peer(CONTAINER_PEERS.batch, processPerStep(async (k) => {
      const names = Array.from({ length: k }, (_, i) => r.name(i));
      await ip('-batch', tmpFile('netns', names.map((c) => `netns add ${c}\n`).join('')));
      await ip('-n', r.host.name!, '-batch', tmpFile('links', names.map((c, i) => `link add h${i} master br0 up type veth peer name eth0 netns ${c}\n`).join('')));
      for (let i = 0; i < k; i++) {
        await ip('-n', names[i], '-batch', tmpFile('inner', `link set eth0 up\naddr add ${address(i)}/16 dev eth0\nroute add default via ${GATEWAY}\n`));
      }
      await ip('netns', 'exec', r.host.name!, 'nft', '-f', tmpFile('rules', names.map((_, i) => `add rule ip nln-bench prerouting ${ruleText(i)}\n`).join('')));
    })),
    peer(CONTAINER_PEERS.commands, processPerStep(async (k) => {
      const h = r.host.name!;
      for (let i = 0; i < k; i++) {
        const c = r.name(i);
        await ip('netns', 'add', c);
        await ip('-n', h, 'link', 'add', `h${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', c);
        await ip('-n', h, 'link', 'set', `h${i}`, 'master', 'br0', 'up');
        await ip('-n', c, 'link', 'set', 'eth0', 'up');
        await ip('-n', c, 'addr', 'add', `${address(i)}/16`, 'dev', 'eth0');
        await ip('-n', c, 'route', 'add', 'default', 'via', GATEWAY);
        await ip('netns', 'exec', h, 'nft', 'add', 'rule', 'ip', 'nln-bench', 'prerouting', ...ruleText(i).split(' '));
      }
    })),
    // portmap keeps its rules in iptables-nft chains of its own, not in nln-bench: not checked by rule count.
    peer(CONTAINER_PEERS.cni, processPerStep(async (k) => { for (let i = 0; i < k; i++) await cniContainer(r, i, cniData); }), false),
    // The high-level API: its network (bridge, NAT table, isolation) is made untimed in the peer's
    // process; each container is Netns.create + attach (veth, alias, address, route) + publish.
    {
      name: CONTAINER_PEERS.bridgeNetwork,
      setup: async () => { r = new Round(prefix()); await r.setup(true); },
      run: ours('bridge'),
      teardown: async () => {
        try {
          const ends = (await r.host.links.list({ master: 'br0' })).length;
          if (ends !== n) throw new Error(`BridgeNetwork: expected ${n} endpoints, found ${ends}`);
        } finally { await r.teardown(); }
      },
    },
  ];
  return { name: `per container (N=${n})`, ops: n, rounds, peers: only ? peers.filter((p) => only.includes(p.name)) : peers };
}

export const TEARDOWN_PEERS = {
  library: 'netlink-native: link group + namespaces',
  oneByOne: 'netlink-native: links one at a time',
  commands: 'ip link del + ip netns del (process per step)',
} as const;

/**
 * Teardown of n containers the library built (untimed): timed until every host end is gone, since
 * the kernel finishes a namespace's teardown after the call that deleted it returns.
 */
export function teardownWorkload(n: number, rounds: number, prefix: () => string): Workload {
  let r: Round;
  const setup = async () => {
    r = new Round(prefix());
    await r.setup();
    await provision(r, n, 64);
  };
  const hostEndsGone = async () => {
    while ((await r.host.links.list({ master: 'br0' })).length > 0) await new Promise((res) => setTimeout(res, 1));
  };
  const dropRules = () => r.host.nft.transaction((tx) => { tx.flushChain({ family: 'ip', table: 'nln-bench', name: 'prerouting' }); });
  const deleteNamespaces = () => Promise.all(Array.from({ length: n }, (_, i) => Netns.delete(r.name(i))));
  const peer = (name: string, body: () => Promise<void>): Peer => ({ name, setup, run: body, teardown: () => r.teardown() });
  return {
    name: `teardown (N=${n})`, ops: n, rounds,
    peers: [
      // Independent of each other, so issued together: the group delete holds the kernel's rtnl
      // lock; unmounting the namespaces and the rules' transaction do not need it.
      peer(TEARDOWN_PEERS.library, async () => {
        await Promise.all([r.host.links.deleteGroup(HOST_GROUP), dropRules(), deleteNamespaces()]);
        await hostEndsGone();
      }),
      peer(TEARDOWN_PEERS.oneByOne, async () => {
        for (let i = 0; i < n; i++) await r.host.links.delete(`h${i}`);
        await Promise.all([dropRules(), deleteNamespaces()]);
      }),
      peer(TEARDOWN_PEERS.commands, async () => {
        for (let i = 0; i < n; i++) {
          await ip('-n', r.host.name!, 'link', 'del', `h${i}`);
          await ip('netns', 'del', r.name(i));
        }
        await ip('netns', 'exec', r.host.name!, 'nft', 'flush', 'chain', 'ip', 'nln-bench', 'prerouting');
      }),
    ],
  };
}

/**
 * The per-namespace settings orchestrators use to make setup cheaper, measured: IPv6 on a veth end
 * means a link-local address, duplicate-address detection and router solicitations when it comes
 * up. Host-side settings are written once in the host namespace; container-side ones are written by
 * the thread that creates each container namespace, before its veth exists (netns: { create, sysctl }).
 */
export function ipv6SettingsWorkload(n: number, rounds: number, prefix: () => string): Workload {
  let r: Round;
  const variant = (name: string, host: ContainerSysctls, container: ContainerSysctls): Peer => ({
    name,
    setup: async () => {
      r = new Round(prefix());
      await r.setup();
      for (const [key, value] of Object.entries(host)) await r.host.sysctl.set(key, value);
    },
    run: async (k) => { for (let i = 0; i < k; i++) await libraryContainer(r, i, container); },
    teardown: async () => { try { await r.check(n); } finally { await r.teardown(); } },
  });
  const noDad: ContainerSysctls = { 'net.ipv6.conf.default.accept_dad': 0, 'net.ipv6.conf.default.router_solicitations': 0 };
  const off: ContainerSysctls = { 'net.ipv6.conf.default.disable_ipv6': 1 };
  return {
    name: `IPv6 settings, per container (N=${n})`, ops: n, rounds,
    peers: [
      variant('defaults (IPv6 on both ends)', {}, {}),
      variant('host: no DAD, no router solicitation', noDad, {}),
      variant('host: IPv6 off', off, {}),
      variant('host + container: IPv6 off', off, off),
      variant('host + container: no DAD/RS', noDad, noDad),
    ],
  };
}

