// Programs and sockets inside a namespace, in this same Node process: exec/spawn through a tiny
// helper that enters the namespace and execs (no shell, no `ip netns exec`), listen/connect with
// sockets created inside the namespace by an addon thread and handed to node:net as fds.
import { type ChildProcess, spawn as spawnChild, type SpawnOptions, type StdioOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { NetlinkError } from './errors';
import { parseAddress } from './ip';
import { NETNS_EXEC_HELPER, type Transport } from './kernel/transport';
import { checkInteger, checkString, typeError } from './validate';

export interface ExecOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Milliseconds; the program is killed (SIGTERM) when it runs longer. */
  timeout?: number;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function checkArgs(file: unknown, args: unknown): string[] {
  checkString('file', file);
  if (file === '') throw typeError('file', file, 'a program name or path');
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw typeError('args', args, 'an array of strings');
  return args;
}

/** The command that runs file inside ns: the helper with the namespace on fd 3 (or nsenter). */
function wrap(t: Transport, file: string, args: string[], stdio: StdioOptions | undefined): { command: string; argv: string[]; stdio: StdioOptions; lent?: number } {
  const fd = t.lendFd('netns.spawn');
  if (fd === undefined) return { command: file, argv: args, stdio: stdio ?? 'pipe' }; // this process's own namespace
  const base: Array<unknown> = Array.isArray(stdio) ? [...stdio] : [stdio ?? 'pipe', stdio ?? 'pipe', stdio ?? 'pipe'];
  while (base.length < 3) base.push('pipe');
  base[3] = fd;
  if (fs.existsSync(NETNS_EXEC_HELPER)) return { command: NETNS_EXEC_HELPER, argv: [file, ...args], stdio: base as StdioOptions, lent: fd };
  // No helper (neither prebuilt nor built here): util-linux's nsenter does the same with fd 3.
  return { command: 'nsenter', argv: ['--net=/proc/self/fd/3', '--', file, ...args], stdio: base as StdioOptions, lent: fd };
}

export function spawnIn(t: Transport, file: string, args: string[] = [], options: SpawnOptions = {}): ChildProcess {
  checkArgs(file, args);
  const w = wrap(t, file, args, options.stdio);
  try {
    return spawnChild(w.command, w.argv, { ...options, stdio: w.stdio, shell: false });
  } finally {
    if (w.lent !== undefined) fs.closeSync(w.lent); // the child has its own copy as fd 3
  }
}

export async function execIn(t: Transport, file: string, args: string[] = [], options: ExecOptions = {}): Promise<ExecResult> {
  checkArgs(file, args);
  if (options.timeout !== undefined) checkInteger('options.timeout', options.timeout, 1, 0x7fffffff);
  await t.ready('netns.exec'); // opened before the synchronous spawn needs it
  const child = spawnIn(t, file, args, { env: options.env, cwd: options.cwd, timeout: options.timeout, stdio: 'pipe' });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  child.stdin!.on('error', () => {}); // a program that exits without reading its input
  child.stdin!.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

export async function listenIn(t: Transport, options: { port: number; host?: string; backlog?: number }, onConnection?: (socket: net.Socket) => void): Promise<net.Server> {
  const port = checkInteger('port', options?.port, 0, 65535);
  const host = parseAddress('host', options.host ?? '0.0.0.0').address;
  const backlog = options.backlog === undefined ? 511 : checkInteger('backlog', options.backlog, 1, 65535);
  const fd = await t.tcpSocket(host, port, backlog, 'netns.listen');
  const server = net.createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ fd }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

export async function connectIn(t: Transport, options: { port: number; host: string; timeout?: number }): Promise<net.Socket> {
  const port = checkInteger('port', options?.port, 1, 65535);
  const host = parseAddress('host', options.host).address;
  const timeout = options.timeout === undefined ? 10000 : checkInteger('timeout', options.timeout, 1, 0x7fffffff);
  // Made inside the namespace by the addon, connected here: the wait is this event loop's, not a thread's.
  const socket = new net.Socket({ fd: await t.tcpSocket(host, port, 0, 'netns.connect'), readable: true, writable: true });
  return new Promise((resolve, reject) => {
    const fail = (errno: number) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new NetlinkError('netns.connect', errno, { detail: `connect ${host}:${port}` }));
    };
    const onError = (err: NodeJS.ErrnoException) => fail(-(err.errno ?? -5));
    const timer = setTimeout(() => fail(110 /* ETIMEDOUT */), timeout);
    socket.once('error', onError);
    socket.connect({ port, host }, () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
