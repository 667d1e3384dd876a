// The one error type for kernel and system failures, and the conversion from native failures.
import * as util from 'node:util';
import { ackText } from './codec/ack';
import { type ErrnoCode, errnoCode } from './errno';

export type { ErrnoCode };

/** What a rejected native promise carries; toNetlinkError turns it into a NetlinkError. */
export interface NativeFailure extends Error {
  errno: number;
  /** Our own words: which step failed. */
  detail?: string;
  /** A refusal by the kernel: its error message, whose extended ACK says why. */
  answer?: Buffer;
}

const errnoNames: Map<number, [string, string]> = util.getSystemErrorMap() as Map<number, [string, string]>;

// ERESTART (85) is how nf_tables refuses a batch whose generation is stale.
// libuv calls 95 ENOTSUP "operation not supported on socket"; netlink users know it as EOPNOTSUPP.
const TEXTS: Record<number, string> = { 85: 'the operation should be restarted', 95: 'operation not supported' };

/** 'EEXIST' for 17, and the C library's description ("file already exists"). */
export function errnoName(errno: number): { code: ErrnoCode; text: string } {
  return { code: errnoCode(errno), text: TEXTS[errno] ?? errnoNames.get(-errno)?.[1] ?? `error ${errno}` };
}

/** The object an error is about: named in the message and kept as fields. */
export interface ErrorSubject {
  /** The link's name (or ifindex) the operation was about. */
  link?: string | number;
  /** The namespace it happened in: its name, else its path, else "inode N". */
  netns?: string;
}

/** How an error names a namespace: its name, else its path, else its inode. */
export function netnsLabel(ns: { name?: string; path?: string; inode: number }): string {
  return ns.name ?? (ns.path === '/proc/self/ns/net' ? `this process's namespace (inode ${ns.inode})` : ns.path) ?? `inode ${ns.inode}`;
}

export class NetlinkError extends Error {
  /** Positive errno, e.g. 17. */
  readonly errno: number;
  /** Symbolic errno, e.g. 'EEXIST'. */
  readonly code: ErrnoCode;
  /** What was being done, e.g. 'link.add', 'netns.create'. */
  readonly operation: string;
  /** The kernel's extended-ACK text, when it sent one. */
  readonly kernelMessage?: string;
  /** The link the operation was about, when there is one (e.g. the name `links.add` found taken). */
  declare readonly link?: string | number; // declared: absent, not undefined, when there is none
  /** The namespace the operation happened in, when the error names one. */
  declare readonly netns?: string;

  constructor(operation: string, errno: number, options: { kernelMessage?: string; detail?: string } & ErrorSubject = {}) {
    const { code, text } = errnoName(errno);
    const parts = [`${operation}: ${code} (${text})`];
    const subject = [
      ...(options.link === undefined ? [] : [`link ${JSON.stringify(options.link)}`]),
      ...(options.netns === undefined ? [] : [`in namespace ${JSON.stringify(options.netns)}`]),
    ];
    if (subject.length) parts.push(subject.join(' '));
    if (options.kernelMessage) parts.push(`kernel: ${options.kernelMessage}`);
    if (options.detail) parts.push(options.detail);
    if (errno === 1 || errno === 13) {
      parts.push('this needs root or CAP_NET_ADMIN (and CAP_SYS_ADMIN for namespaces); see docs/troubleshooting.md');
    }
    super(parts.join(': '));
    this.name = 'NetlinkError';
    this.errno = errno;
    this.code = code;
    this.operation = operation;
    if (options.kernelMessage) this.kernelMessage = options.kernelMessage;
    if (options.link !== undefined) this.link = options.link;
    if (options.netns !== undefined) this.netns = options.netns;
  }
}

/** Runs a native call; its failure becomes a NetlinkError naming `operation`. */
export async function nativeCall<T>(operation: string, call: Promise<T>, detail?: string): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw toNetlinkError(operation, err, detail);
  }
}

export function toNetlinkError(operation: string, err: unknown, detail?: string): Error {
  if (err instanceof NetlinkError) return err;
  const f = err as Partial<NativeFailure>;
  if (err instanceof Error && typeof f.errno === 'number') {
    const parts = [f.detail, detail].filter((p): p is string => Boolean(p));
    return new NetlinkError(operation, f.errno, {
      kernelMessage: f.answer ? ackText(f.answer) : undefined,
      detail: parts.length ? parts.join('; ') : undefined,
    });
  }
  return err instanceof Error ? err : new Error(String(err));
}
