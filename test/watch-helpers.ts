// For tests of ns.watch and `nln monitor`: reading a stream with a deadline, and capturing what a
// monitor process (ours or the oracle) prints.
import { type ChildProcess, spawn } from 'node:child_process';
import type { WatchEvent } from '../src/index';

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
