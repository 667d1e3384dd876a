// iptables-restore at kube-proxy's scale: a full sync of S services × 3 endpoints (~11 rules a
// service: ~110,000 at 10,000) restored with --noflush into an empty namespace, and a resync
// of one changed service (only that service's chains in the input, as kube-proxy's partial sync
// writes them) into a namespace that holds the full sync. ns.iptables.restore against
// iptables-nft-restore --noflush, in the same rounds.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Netns } from '../src/index';
import { parseRuleArgs } from '../src/iptables/rule';
import { settle, type Workload } from './harness';

const exec = promisify(execFile);
const prefix = `nln-bench-ipt-${process.pid}`;
let serial = 0;

/** kube-proxy picks an endpoint with -m statistic; where the rule parser lacks it yet, the same jump without it. */
function statisticSupported(): boolean {
  try {
    parseRuleArgs(['-m', 'statistic', '--mode', 'random', '--probability', '0.5000000000', '-j', 'X']);
    return true;
  } catch {
    return false;
  }
}

const chainId = (kind: string, i: number) => `KUBE-${kind}-${i.toString(36).toUpperCase().padStart(16, '0')}`;
const serviceIp = (i: number) => `198.18.${(i >> 8) & 255}.${i & 255}`;
/** Endpoint e of service i; `generation` moves a changed service's endpoints elsewhere. */
const endpointIp = (i: number, e: number, generation = 0) => {
  const n = i * 3 + e + generation * 40000;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

/** One service's chains and rules (kube-proxy's large-cluster form: comments only on KUBE-SERVICES). */
function service(i: number, statistic: boolean, generation = 0): { chains: string[]; rules: string[]; entry: string } {
  const svc = chainId('SVC', i);
  const seps = [0, 1, 2].map((e) => chainId('SEP', i * 3 + e));
  const ip = serviceIp(i);
  const rules = [`-A ${svc} -d ${ip}/32 ! -s 10.0.0.0/8 -p tcp -m tcp --dport 80 -j KUBE-MARK-MASQ`];
  const probability = ['0.3333333333', '0.5000000000'];
  seps.forEach((sep, e) => rules.push(`-A ${svc}${statistic && e < 2 ? ` -m statistic --mode random --probability ${probability[e]}` : ''} -j ${sep}`));
  seps.forEach((sep, e) => {
    const ep = endpointIp(i, e, generation);
    rules.push(`-A ${sep} -s ${ep}/32 -j KUBE-MARK-MASQ`, `-A ${sep} -p tcp -j DNAT --to-destination ${ep}:8080`);
  });
  return { chains: [svc, ...seps], rules, entry: `-A KUBE-SERVICES -d ${ip}/32 -p tcp -m tcp --dport 80 -m comment --comment "ns${i}/svc${i}:p80 cluster IP" -j ${svc}` };
}

const FIXED_CHAINS = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'];
const FIXED_RULES = [
  '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
  '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
  '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
  '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
];

/** The full sync: every service's chains declared, then KUBE-SERVICES and each service's rules. */
export function fullSync(services: number, statistic = statisticSupported()): { text: string; rules: number } {
  const all = Array.from({ length: services }, (_, i) => service(i, statistic));
  const lines = ['*nat', ...FIXED_CHAINS.map((c) => `:${c} - [0:0]`), ...all.flatMap((s) => s.chains.map((c) => `:${c} - [0:0]`)), ...FIXED_RULES];
  for (const s of all) lines.push(s.entry, ...s.rules);
  lines.push('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS', 'COMMIT', '');
  return { text: lines.join('\n'), rules: lines.filter((l) => l.startsWith('-A')).length };
}

/** A partial sync after service 0's endpoints moved: only its chains, declared (hence emptied) and refilled. */
export function oneServiceResync(statistic = statisticSupported()): string {
  const s = service(0, statistic, 1);
  return ['*nat', ...s.chains.map((c) => `:${c} - [0:0]`), ...s.rules, 'COMMIT', ''].join('\n');
}

export function iptablesRestoreWorkloads(rounds: number, services: number): Workload[] {
  const full = fullSync(services);
  const partial = oneServiceResync();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nln-bench-ipt-'));
  const fullFile = path.join(dir, 'full.rules');
  const partialFile = path.join(dir, 'partial.rules');
  fs.writeFileSync(fullFile, full.text);
  fs.writeFileSync(partialFile, partial);
  let ns: Netns | undefined;
  const fresh = async () => { ns = await Netns.create(`${prefix}-${serial++}`); };
  // A resync comes long after the full sync: the kernel's freeing of that big transaction (its
  // deferred work) is over by then, and the handle has answered since.
  const synced = async () => {
    await fresh();
    await ns!.iptables.restore(full.text, { noflush: true });
    await settle();
    await ns!.nft.generation();
  };
  const done = async () => { const n = ns!; ns = undefined; await n.close(); await Netns.delete(n.name!); };
  // Timed by the shell that runs it (fork and exec included, as any caller pays them), not by this
  // process: forking a Node process with a big heap costs more than iptables-nft-restore's own work.
  const theirs = (file: string) => async () => {
    const script = 'a=$(date +%s%N); iptables-nft-restore --noflush "$1" || exit 1; b=$(date +%s%N); echo $((b - a))';
    const { stdout } = await exec('nsenter', [`--net=/run/netns/${ns!.name!}`, 'sh', '-c', script, 'sh', file], { maxBuffer: 1 << 26 });
    return Number(stdout.trim()) / 1e6;
  };
  return [
    {
      name: `iptables-restore --noflush: kube-proxy sync, ${services} services × 3 endpoints (${full.rules} rules)`, ops: 1, rounds,
      peers: [
        { name: 'netlink-native restore', setup: fresh, teardown: done, run: async () => { await ns!.iptables.restore(full.text, { noflush: true }); } },
        { name: 'iptables-nft-restore --noflush', setup: fresh, teardown: done, run: theirs(fullFile) },
      ],
    },
    {
      name: `iptables-restore --noflush: one service resynced (of ${services})`, ops: 1, rounds: rounds + 2,
      peers: [
        { name: 'netlink-native restore', setup: synced, teardown: done, run: async () => { await ns!.iptables.restore(partial, { noflush: true }); } },
        { name: 'iptables-nft-restore --noflush', setup: synced, teardown: done, run: theirs(partialFile) },
      ],
    },
  ];
}
