#!/usr/bin/env node
// nln: the command line. Each subcommand lives in its own file; this one only dispatches.
import { NetlinkError } from '../errors';
import { runDemo } from './demo';

const USAGE = `usage: nln <command> [args]

commands:
  demo        build a container network in throwaway namespaces, prove it with TCP, time it next to ip/nft, remove it
  help        this text

Every command works only in namespaces it names or creates; errors go to stderr with the
kernel's message, and the exit code is non-zero.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
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
    if (err instanceof NetlinkError) console.error(`nln: ${err.message}`);
    else console.error(err instanceof Error ? `nln: ${err.stack}` : `nln: ${String(err)}`);
    process.exitCode = 1;
  },
);
