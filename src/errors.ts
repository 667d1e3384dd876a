// The one error type for kernel and system failures, and the conversion from native failures.
import * as util from 'node:util';
import type { NativeFailure } from './native';

const errnoNames: Map<number, [string, string]> = util.getSystemErrorMap() as Map<number, [string, string]>;

/** 'EEXIST' for 17, and the C library's description ("file already exists"). */
// On Linux ENOTSUP and EOPNOTSUPP are both 95; netlink users know it as EOPNOTSUPP.
// ERESTART (85) is how nf_tables refuses a batch whose generation is stale.
const PREFERRED: Record<number, [string, string]> = {
  95: ['EOPNOTSUPP', 'operation not supported'],
  85: ['ERESTART', 'the operation should be restarted'],
};

export function errnoName(errno: number): { code: string; text: string } {
  const entry = PREFERRED[errno] ?? errnoNames.get(-errno);
  return entry ? { code: entry[0], text: entry[1] } : { code: `E${errno}`, text: `error ${errno}` };
}

export class NetlinkError extends Error {
  /** Positive errno, e.g. 17. */
  readonly errno: number;
  /** Symbolic errno, e.g. 'EEXIST'. */
  readonly code: string;
  /** What was being done, e.g. 'link.add', 'netns.create'. */
  readonly operation: string;
  /** The kernel's extended-ACK text, when it sent one. */
  readonly kernelMessage?: string;

  constructor(operation: string, errno: number, options: { kernelMessage?: string; detail?: string } = {}) {
    const { code, text } = errnoName(errno);
    const parts = [`${operation}: ${code} (${text})`];
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
      kernelMessage: f.kernelMessage,
      detail: parts.length ? parts.join('; ') : undefined,
    });
  }
  return err instanceof Error ? err : new Error(String(err));
}
