#!/usr/bin/env node
// nln: the command line. Each subcommand lives in its own file; this one only dispatches.
import { NetlinkError } from '../errors';
import { CliError } from './cli-error';
import { HELP, parseGlobal, runCommand } from './commands';
import { runDemo } from './demo';

const USAGE = `usage: nln [-n NS] [-j] [-4|-6] <command> [args]

commands:
  netns       list | add NAME | del NAME | exec NAME PROGRAM [ARGS…]
  link        show [[dev] NAME] [up] [master DEV] [type KIND] | add NAME … type KIND … (ip syntax) | set NAME … | del NAME | del group N
  addr        show [[dev] NAME] | add|del ADDRESS/PREFIX dev NAME
  route       show [table all|T] [dev NAME] [PREFIX] | add|del DEST [via GW] [dev NAME] [table T] [metric N]
  nft         list | -f FILE | apply TEXT
  iptables    IPTABLES-ARGUMENTS…  (as iptables-nft, e.g. -t nat -S)
  iptables-restore [--noflush] [-c] [-T TABLE] [FILE]  one transaction from iptables-restore input (ip6tables-restore too)
  iptables-save    [-t TABLE] [-c]  as iptables-nft-save prints (ip6tables-save too)
  sysctl      [--values] KEY… | -w KEY=VALUE…  (the namespace's net.* sysctls, printed as sysctl prints them)
  monitor     [all|link|address|route|neigh|rule|nft]…  (as ip monitor / nft monitor; -j: one JSON event per line)
  conntrack   -L|-D|-F|-C [-p PROTO] [-s|-d|-r|-q ADDR] [--sport|--dport P] [-m MARK[/MASK]] [-w ZONE] [-u STATUS] [-f ipv4|ipv6]  (as conntrack(8))
  cni         daemon [--socket PATH] [--group NAME] | install [--bin-dir DIR]  (the CNI plugin nln-bridge: its resident daemon, its shim)
  network     create|attach|publish|unpublish|detach|prune|show|ls|rm … (a Docker-style bridge network)
  bench       [--quick]  the benchmark against the C floor, Go, pyroute2, CNI and the ip/nft commands
  demo        build a container network in throwaway namespaces, prove it with TCP, time it next to ip/nft, remove it
  help        this text

-n NS works inside the named namespace (like ip -n); -j prints JSON (like ip -j); -4/-6 pick the
address family of addr and route show (route show is IPv4 unless -6, as ip). Every command takes
--help.

Without -n, a command works in the namespace nln runs in. Errors go to stderr with the kernel's
message, and the exit code is non-zero.`;

async function main(argv: string[]): Promise<number> {
  const { global, rest: args } = parseGlobal(argv);
  const [command, ...rest] = args;
  if (command !== undefined && command in HELP) return runCommand(command, rest, global);
  switch (command) {
    case 'demo':
      return runDemo(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`nln: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

// A closed pipe (`nln demo | head`) must not kill the process before it has cleaned up.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) {
      console.error(err.message);
      process.exitCode = err.exitCode;
      return;
    }
    // Kernel refusals and bad arguments are the user's to read: their message, not a stack.
    if (err instanceof NetlinkError || err instanceof RangeError || err instanceof TypeError) console.error(`nln: ${err.message}`);
    else console.error(err instanceof Error ? `nln: ${err.stack}` : `nln: ${String(err)}`);
    process.exitCode = 1;
  },
);
