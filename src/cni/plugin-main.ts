#!/usr/bin/env node
// The plugin executable (type "nln-bridge"), in-process: reads the CNI_* environment and the
// network config on stdin, runs runCni, writes its answer and exits with its code.
import { MAX_STDIN } from './config';
import { runCni } from './run';

/** A runtime writes the config and closes stdin at once; a caller that never closes it is not waited on longer. */
const STDIN_WAIT_MS = 30_000;

/** stdin up to MAX_STDIN + 1 bytes: more than that is refused by runCni without reading the rest. */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  const timer = setTimeout(() => process.stdin.destroy(new Error('stdin was not closed')), STDIN_WAIT_MS);
  try {
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size > MAX_STDIN) break;
    }
  } catch {
    return ''; // not closed in time: answered as a config that cannot be decoded
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const response = await runCni({ env: process.env, stdin: await readStdin() });
  if (response.stderr) process.stderr.write(response.stderr);
  process.stdout.write(response.stdout, () => process.exit(response.exitCode));
}

void main();
