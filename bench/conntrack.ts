// ns.conntrack.delete against `conntrack -D`: removing one container's flows from a table of
// many. In a namespace of its own (nlnct-PID), deleted at the end, also on failure.
//
//   node dist/bench/conntrack.js [--entries=100000] [--rounds=5] [--per=1000]
//
// The table: entries/per "containers" 10.0.X.Y, each with `per` UDP flows to 198.18.0.0/15 (timeout
// 600 s), container c's flows in conntrack zone c (a zone per pod, as OVN gives one). Made with
// IPCTNL_MSG_CT_NEW messages sent from here, 1,024 in flight (conntrack -I is a process per entry).
// Each round, each peer removes one container's flows (a different container each round; container
// 0 for the zone-0 filter), timed, and the flows are put back, untimed:
//   - by source address (ns.conntrack.delete({ src }) and with family: 4, conntrack -D -s);
//   - by zone (delete({ zone }), conntrack -D -w), a zone other than 0: the kernel filters it;
//   - zone 0: the kernel's filter reads zone 0 as "no zone filter" (NF_CT_DEFAULT_ZONE_ID), so
//     the whole table comes back and is filtered here: the fallback's cost.
// Ours: wall time and this process's CPU time (process.cpuUsage) around the call, and how many
// entries the kernel's dump sent back (counted where the transport hands over the replies).
// conntrack(8): run by `ip netns exec NAME bash -c 'time conntrack …'`: bash's `time` (getrusage of
// its child, ms) measures conntrack alone, not ip netns exec's set-up.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { NLM_F } from '../src/constants';
import { type ConntrackFilter, Netns } from '../src/index';
import { NETLINK_NETFILTER, TRANSPORT, type Transport, type WireMessage } from '../src/kernel/transport';
import { median } from './harness';

const arg = (name: string, dflt: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);

const CT_NEW = 1 << 8; // NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW
const AF_INET = 2;
const IN_FLIGHT = 1024;

const containerAddress = (c: number) => `10.0.${1 + (c >> 8)}.${c & 255}`;

/** Container c's flow f, as a CT_NEW that creates it (both tuples given: the kernel wants both). */
function flowMessage(c: number, f: number): WireMessage {
  const src = containerAddress(c);
  const dst = `198.18.${f & 3}.${1 + ((f >> 2) & 127)}`;
  const sport = 10000 + f;
  return {
    type: CT_NEW, flags: NLM_F.REQUEST | NLM_F.CREATE | NLM_F.EXCL | NLM_F.ACK, header: { family: AF_INET, version: 0, res_id: 0 },
    attrs: {
      tuple_orig: { ip: { v4_src: src, v4_dst: dst }, proto: { num: 17, src_port: sport, dst_port: 53 } },
      tuple_reply: { ip: { v4_src: dst, v4_dst: src }, proto: { num: 17, src_port: 53, dst_port: sport } },
      timeout: 600,
      zone: c === 0 ? undefined : c,
    },
  };
}

async function fill(t: Transport, containers: number[], per: number): Promise<void> {
  const all: WireMessage[] = containers.flatMap((c) => Array.from({ length: per }, (_, f) => flowMessage(c, f)));
  for (let i = 0; i < all.length; i += IN_FLIGHT) {
    await Promise.all(all.slice(i, i + IN_FLIGHT).map((m) => t.request(NETLINK_NETFILTER, m, 'bench.conntrack.fill')));
  }
}

/** Counts the entries every dump on this transport returns (each reply as the transport decodes it). */
function countDumps(t: Transport): { take(): number } {
  let entries = 0;
  const requestMapped = t.requestMapped.bind(t);
  t.requestMapped = (protocol, message, operation, map, view) => requestMapped(protocol, message, operation, (m) => {
    if (m.type === CT_NEW && ((message.flags ?? 0) & NLM_F.DUMP) === NLM_F.DUMP) entries++;
    return map(m);
  }, view);
  return { take: () => { const n = entries; entries = 0; return n; } };
}

interface Sample { ms: number; cpuMs: number; removed: number; dumped?: number }

interface Case {
  name: string;
  /** The container a round removes. */
  container(round: number): number;
  run(c: number): Promise<Sample>;
}

export interface CaseResult { name: string; medianMs: number; medianCpuMs: number; removed: number; dumped?: number; rounds: number[] }

export interface ConntrackBench { entries: number; per: number; fillMs: number; results: CaseResult[] }

export async function conntrackBench(entries: number, rounds: number, per: number): Promise<ConntrackBench> {
  const containers = Math.floor(entries / per);
  if (containers < 2) throw new RangeError(`--entries=${entries} with --per=${per}: fewer than 2 containers`);
  const name = `nlnct-${process.pid}`;
  const ns = await Netns.create(name);
  try {
    const t = ns[TRANSPORT];
    const f0 = performance.now();
    await fill(t, Array.from({ length: containers }, (_, c) => c), per);
    const fillMs = performance.now() - f0;
    const total = await ns.conntrack.count();
    if (total !== containers * per) throw new Error(`the table holds ${total} entries, not ${containers * per}`);
    const dumps = countDumps(t);

    const ours = (filter: (c: number) => ConntrackFilter) => async (c: number): Promise<Sample> => {
      dumps.take();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const removed = await ns.conntrack.delete(filter(c));
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      return { ms, cpuMs: (cpu.user + cpu.system) / 1000, removed, dumped: dumps.take() };
    };
    const conntrack = (args: (c: number) => string[]) => async (c: number): Promise<Sample> => {
      const script = `TIMEFORMAT='%3R %3U %3S'; time conntrack -D ${args(c).join(' ')} >/dev/null 2>&1`;
      const before = await ns.conntrack.count();
      const r = spawnSync('ip', ['netns', 'exec', name, 'bash', '-c', script], { encoding: 'utf8' });
      const m = /(\d+\.\d+) (\d+\.\d+) (\d+\.\d+)\s*$/.exec(r.stderr);
      if (r.status !== 0 || !m) throw new Error(`conntrack -D ${args(c).join(' ')}: status ${r.status}: ${r.stderr}`);
      return { ms: Number(m[1]) * 1000, cpuMs: (Number(m[2]) + Number(m[3])) * 1000, removed: before - await ns.conntrack.count() };
    };
    const other = (round: number) => 1 + (round % (containers - 1));
    const cases: Case[] = [
      { name: 'ns.conntrack.delete({ src })', container: other, run: ours((c) => ({ src: containerAddress(c) })) },
      { name: 'ns.conntrack.delete({ src, family: 4 })', container: other, run: ours((c) => ({ src: containerAddress(c), family: 4 })) },
      { name: 'conntrack -D -s', container: other, run: conntrack((c) => ['-s', containerAddress(c)]) },
      { name: 'ns.conntrack.delete({ zone })', container: other, run: ours((c) => ({ zone: c })) },
      { name: 'conntrack -D -w', container: other, run: conntrack((c) => ['-w', String(c)]) },
      { name: 'ns.conntrack.delete({ zone: 0 }) (fallback)', container: () => 0, run: ours(() => ({ zone: 0 })) },
      { name: 'conntrack -D -w 0', container: () => 0, run: conntrack(() => ['-w', '0']) },
    ];
    const samples = new Map<string, Sample[]>(cases.map((k) => [k.name, []]));
    for (let round = 0; round < rounds; round++) {
      // Peers take turns within each round, so drift in machine load hits them alike.
      for (const k of cases) {
        const c = k.container(round);
        const s = await k.run(c);
        if (s.removed !== per) throw new Error(`${k.name} (container ${c}) removed ${s.removed} entries, not ${per}`);
        samples.get(k.name)!.push(s);
        await fill(t, [c], per);
      }
    }
    const results = cases.map((k): CaseResult => {
      const s = samples.get(k.name)!;
      const dumped = s.flatMap((x) => (x.dumped === undefined ? [] : [x.dumped]));
      return {
        name: k.name, medianMs: median(s.map((x) => x.ms)), medianCpuMs: median(s.map((x) => x.cpuMs)), removed: per,
        ...(dumped.length ? { dumped: median(dumped) } : {}), rounds: s.map((x) => Number(x.ms.toFixed(2))),
      };
    });
    return { entries: containers * per, per, fillMs, results };
  } finally {
    await ns.delete();
  }
}

export function formatConntrack(r: ConntrackBench): string {
  const w = Math.max(...r.results.map((x) => x.name.length));
  const lines = [`conntrack: ${r.entries} entries made in ${(r.fillMs / 1000).toFixed(1)} s; ${r.per} of them removed per call (medians)`];
  for (const x of r.results) {
    const dumped = x.dumped === undefined ? '' : `, the kernel's dump sent ${x.dumped} entries`;
    lines.push(`  ${x.name.padEnd(w)} ${x.medianMs.toFixed(1).padStart(7)} ms, CPU ${x.medianCpuMs.toFixed(1).padStart(6)} ms${dumped}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  conntrackBench(arg('entries', 100000), arg('rounds', 5), arg('per', 1000)).then((r) => {
    console.log(formatConntrack(r));
    console.log(JSON.stringify(r));
  }, (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
