// For tests of ns.watch and `nln monitor`: reading a stream with a deadline, and capturing what a
// monitor process (ours or the oracle) prints.
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { WatchEvent } from '../src/index';
import { sh } from './helpers';

/**
 * 10,000 link changes in one `ip -batch` in namespace `name`: `pairs` veth pairs made, then every
 * end set up (more than a subscription's buffer holds when nobody reads meanwhile).
 */
export async function churnLinks(name: string, pairs = 2500): Promise<void> {
  const file = path.join(os.tmpdir(), `nln-churn-${process.pid}-${name}.batch`);
  const lines: string[] = [];
  for (let i = 0; i < pairs; i++) lines.push(`link add a${i} type veth peer name b${i}`);
  for (let i = 0; i < pairs; i++) lines.push(`link set a${i} up`, `link set b${i} up`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  try {
    await sh('ip', ['-n', name, '-batch', file]);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** The next event, or undefined when none comes within ms. */
export async function next(it: AsyncIterator<WatchEvent>, ms = 2000): Promise<WatchEvent | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([it.next(), new Promise<null>((res) => { timer = setTimeout(() => res(null), ms); })]);
  clearTimeout(timer);
  return r === null || r.done ? undefined : r.value;
}

/** A process whose stdout is collected as it comes. */
export function capture(file: string, args: string[]): { child: ChildProcess; out: () => string } {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  return { child, out: () => out };
}

export const ended = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));

/** Printed lines, trailing spaces and empty lines left out. */
export const lines = (text: string) => text.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
