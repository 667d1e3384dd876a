// `nln` subcommands in ip's style: `-n NS` to work inside a named namespace, `-j` for JSON.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Netns } from '../netns';
import { CNI_HELP, runCniCommand } from './cni';
import { CONNTRACK_HELP, parseConntrackArgs, runConntrack } from './conntrack';
import { parseLinkAdd, parseLinkSet } from './ip-link-args';
import { IPTABLES_RESTORE_HELP, IPTABLES_SAVE_HELP, parseRestoreArgs, parseSaveArgs, runIptablesRestore, runIptablesSave } from './iptables-restore';
import { linkNames, linkText, parseAddrShow, parseLinkShow, parseRouteShow, routeText, selectRoutes, tableName } from './ip-show';
import { MONITOR_HELP, parseMonitorArgs, runMonitor } from './monitor';
import { NETWORK_HELP, runNetwork } from './network';
import { parseSysctlArgs, runSysctl, SYSCTL_HELP } from './sysctl';

export interface Global { netns?: string; json: boolean; family?: 4 | 6 }

/** Reads `-n NS` / `-j` / `-4` / `-6` before the command word; what follows it is the command's own. */
export function parseGlobal(argv: string[]): { global: Global; rest: string[] } {
  const global: Global = { json: false };
  let i = 0;
  for (; i < argv.length; i++) {
    if (argv[i] === '-n' || argv[i] === '--netns') {
      global.netns = argv[++i];
      if (!global.netns) throw new RangeError('-n: needs a namespace name');
    } else if (argv[i] === '-j' || argv[i] === '--json') global.json = true;
    else if (argv[i] === '-4' || argv[i] === '-6') global.family = argv[i] === '-4' ? 4 : 6;
    else break;
  }
  return { global, rest: argv.slice(i) };
}

async function withNs<T>(g: Global, fn: (ns: Netns) => Promise<T>): Promise<T> {
  const ns = g.netns === undefined ? Netns.current() : await Netns.open(g.netns);
  try {
    return await fn(ns);
  } finally {
    if (g.netns !== undefined) await ns.close();
  }
}

/** JSON with -j, else the text (nothing at all for an empty list, as ip prints). */
const print = (g: Global, value: unknown, text: () => string) => {
  const out = g.json ? JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)) : text();
  if (out !== '') console.log(out);
};

export const HELP: Record<string, string> = {
  netns: 'usage: nln netns list | add NAME | del NAME | exec NAME PROGRAM [ARGS…]',
  link: `usage: nln [-n NS] [-j] link show [[dev] NAME] [up] [master DEV] [type KIND]
       nln [-n NS] link add NAME [mtu N] [address MAC] [master DEV] [up] type KIND [KIND ARGS…]   (ip link add syntax:
           veth peer name P [netns NS] | bridge [stp_state 0|1 …] | macvlan|macvtap|ipvlan link DEV mode M |
           vxlan id N [dstport P] [local A] [remote A] [dev DEV] | vlan link DEV id N | ifb | dummy | bond | vrf table N | geneve id N remote A)
       nln [-n NS] link set NAME [up|down] [mtu N] [master DEV|nomaster] [name N] [netns NS] [address MAC] [alias TEXT] …
       nln [-n NS] link del NAME | group N`,
  addr: `usage: nln [-n NS] [-j] [-4|-6] addr show [[dev] NAME]
       nln [-n NS] addr add|del ADDRESS/PREFIX dev NAME`,
  route: `usage: nln [-n NS] [-j] [-4|-6] route show [table all|T] [dev NAME] [PREFIX]
       nln [-n NS] route add|del DEST|default [via GATEWAY] [dev NAME] [table T] [metric N]`,
  network: NETWORK_HELP,
  bench: 'usage: nln bench [--quick]   (the benchmark of `npm run bench`; needs the package\'s bench/ and the Debian peers)',
  nft: 'usage: nln [-n NS] nft list | -f FILE | apply TEXT',
  iptables: 'usage: nln [-n NS] iptables IPTABLES-ARGUMENTS…',
  'iptables-restore': IPTABLES_RESTORE_HELP,
  'ip6tables-restore': IPTABLES_RESTORE_HELP,
  'iptables-save': IPTABLES_SAVE_HELP,
  'ip6tables-save': IPTABLES_SAVE_HELP,
  sysctl: SYSCTL_HELP,
  conntrack: CONNTRACK_HELP,
  monitor: MONITOR_HELP,
  cni: CNI_HELP,
};

export async function runCommand(command: string, args: string[], g: Global): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP[command]);
    return 0;
  }
  switch (command) {
    case 'netns': {
      const [verb, name, ...rest] = args;
      if (verb === 'list' || verb === undefined) {
        const names = await Netns.list();
        print(g, names.map((n) => ({ name: n })), () => names.join('\n'));
        return 0;
      }
      if (verb === 'add') { await (await Netns.create(name)).close(); return 0; }
      if (verb === 'del' || verb === 'delete') { await Netns.delete(name); return 0; }
      if (verb === 'exec') {
        const [file, ...fargs] = rest;
        const ns = await Netns.open(name);
        try {
          const r = await ns.exec(file, fargs);
          process.stdout.write(r.stdout);
          process.stderr.write(r.stderr);
          return r.code ?? 1;
        } finally {
          await ns.close();
        }
      }
      break;
    }
    case 'monitor': {
      const what = parseMonitorArgs(args);
      // Until interrupted: Ctrl-C ends the stream, and the namespace is closed before exit.
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      return withNs(g, async (ns) => { await runMonitor(ns, what, g.json, stop.signal); return 0; });
    }
    case 'link':
      if (args[0] === 'add') return withNs(g, async (ns) => { await ns.links.add(parseLinkAdd(args.slice(1))); return 0; });
      if (args[0] === 'set' && args[1]) {
        const name = args[1] === 'dev' ? args[2] : args[1];
        const rest = args.slice(args[1] === 'dev' ? 3 : 2);
        return withNs(g, async (ns) => { await ns.links.set(name, parseLinkSet(rest)); return 0; });
      }
      if ((args[0] === 'del' || args[0] === 'delete') && args[1]) {
        return withNs(g, async (ns) => {
          if (args[1] === 'group') await ns.links.deleteGroup(Number(args[2]));
          else await ns.links.delete(args[1] === 'dev' ? args[2] : args[1]);
          return 0;
        });
      }
      if (args[0] === 'show' || args[0] === undefined) {
        const sel = parseLinkShow(args.slice(1));
        return withNs(g, async (ns) => {
          const links = sel.dev !== undefined ? [await ns.links.get(sel.dev)] : await ns.links.list(sel.filter);
          const name = await linkNames(ns);
          print(g, links, () => links.map((l) => linkText(l, name)).join('\n'));
          return 0;
        });
      }
      break;
    case 'addr':
      if ((args[0] === 'add' || args[0] === 'del') && args[2] === 'dev' && args[3] && args.length === 4) {
        return withNs(g, async (ns) => {
          if (args[0] === 'add') await ns.addresses.add(args[3], args[1]);
          else await ns.addresses.delete(args[3], args[1]);
          return 0;
        });
      }
      if (args[0] === 'show' || args[0] === undefined) {
        const { dev } = parseAddrShow(args.slice(1));
        return withNs(g, async (ns) => {
          const addrs = await ns.addresses.list({ ...(dev !== undefined ? { link: dev } : {}), ...(g.family ? { family: g.family } : {}) });
          const name = await linkNames(ns);
          print(g, addrs, () => addrs.map((a) => `${name(a.link)}: ${a.family === 4 ? 'inet' : 'inet6'} ${a.address}/${a.prefixLength} scope ${a.scope}${a.label ? ` ${a.label}` : ''}`).join('\n'));
          return 0;
        });
      }
      break;
    case 'route':
      if ((args[0] === 'add' || args[0] === 'del') && args[1]) {
        const route: Record<string, unknown> = { dst: args[1] };
        const keys: Record<string, string> = { via: 'gateway', dev: 'dev', table: 'table', metric: 'metric' };
        for (let i = 2; i < args.length; i += 2) {
          const key = keys[args[i]];
          if (!key || args[i + 1] === undefined) throw new RangeError(`route ${args[0]}: ${JSON.stringify(args[i])} is not understood here`);
          route[key] = key === 'metric' || (key === 'table' && /^\d+$/.test(args[i + 1])) ? Number(args[i + 1]) : args[i + 1];
        }
        return withNs(g, async (ns) => {
          if (args[0] === 'add') await ns.routes.add(route as never);
          else await ns.routes.delete(route as never);
          return 0;
        });
      }
      if (args[0] === 'show' || args[0] === undefined) {
        const sel = parseRouteShow(args.slice(1), g.family);
        // Like ip: one table is IPv4 unless -6 says otherwise; `table all` is both families.
        const family = g.family ?? (sel.table === 'all' ? undefined : 4);
        return withNs(g, async (ns) => {
          const table = sel.table === undefined ? {} : { table: /^\d+$/.test(sel.table) ? Number(sel.table) : sel.table };
          const [name, tableOf] = [await linkNames(ns), await tableName()];
          const routes = selectRoutes(await ns.routes.list({ ...table, ...(family ? { family } : {}), ...(sel.dev !== undefined ? { dev: sel.dev } : {}) }), sel, name);
          print(g, routes, () => routes.map((r) => routeText(r, sel, name, tableOf)).join('\n'));
          return 0;
        });
      }
      break;
    case 'nft':
      return withNs(g, async (ns) => {
        if (args[0] === '-f') { await ns.nft.apply(fs.readFileSync(args[1], 'utf8')); return 0; }
        if (args[0] === 'apply') { await ns.nft.apply(args.slice(1).join(' ')); return 0; }
        if (args[0] === 'list' || args[0] === undefined) {
          const out: Array<{ table: string; chain: string; rules: string[] }> = [];
          for (const t of await ns.nft.listTables()) {
            for (const c of await ns.nft.listChains({ family: t.family, table: t.name })) {
              out.push({ table: `${t.family} ${t.name}`, chain: c.name, rules: (await ns.nft.listRules({ family: t.family, table: t.name, chain: c.name })).map((r) => r.text) });
            }
          }
          print(g, out, () => out.map((c) => [`table ${c.table} chain ${c.chain}`, ...c.rules.map((r) => `  ${r}`)].join('\n')).join('\n'));
          return 0;
        }
        console.error(HELP.nft);
        return 2;
      });
    case 'sysctl': {
      const a = parseSysctlArgs(args);
      return withNs({ ...g, netns: a.netns ?? g.netns }, async (ns) => { await runSysctl(ns, a, g.json); return 0; });
    }
    case 'conntrack': {
      const a = parseConntrackArgs(args);
      return withNs(g, async (ns) => { await runConntrack(ns, a, g.json); return 0; });
    }
    case 'cni':
      return runCniCommand(args);
    case 'network':
      return runNetwork(args, g.netns, (value, text) => print(g, value, text));
    case 'bench': {
      // The benchmark ships compiled next to the CLI (dist/bench); it runs in this process.
      const run = path.join(__dirname, '..', '..', 'bench', 'run.js');
      if (!fs.existsSync(run)) throw new RangeError(`nln bench: ${run} is missing (run it from a checkout: npm run bench)`);
      process.argv = [process.argv[0], run, ...args];
      require(run);
      return 0;
    }
    case 'iptables-restore': case 'ip6tables-restore': {
      const a = parseRestoreArgs(command, args);
      return withNs(g, async (ns) => { await runIptablesRestore(ns, command, a); return 0; });
    }
    case 'iptables-save': case 'ip6tables-save': {
      const a = parseSaveArgs(command, args);
      return withNs(g, async (ns) => { await runIptablesSave(ns, command, a); return 0; });
    }
    case 'iptables':
      return withNs(g, async (ns) => {
        process.stdout.write(await ns.iptables.exec(args));
        return 0;
      });
  }
  console.error(HELP[command]);
  return 2;
}
