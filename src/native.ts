// The typed face of the native addon (native/binding). Everything the addon exports is declared
// here; only src/kernel/transport.ts uses it (tests and the bench may reach in directly).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NativeFailure } from './errors';

export type { NativeFailure };

export interface NativeNamespace {
  /** Queues one netlink message on this namespace's channel for `protocol`; resolves with the replies' bytes (null: an ACK alone). */
  request(protocol: number, message: Buffer): Promise<Buffer | null>;
  /** An nfnetlink batch (messages back to back) in one sendmsg, then the sentinel; a refusal's error has the message's index. */
  batch(protocol: number, messages: Buffer, sentinel: Buffer): Promise<Buffer | null>;
  /** Closes the handle: what was queued is still answered, then it resolves; later calls are refused (EBADF). */
  close(): Promise<void>;
  /** A new close-on-exec fd on the namespace, the caller's to close (for a child process to inherit). */
  lendFd(): number;
  readonly inode: number;
}

/** What the kernel announced, as it queued: read one at a time; closed, a read is refused EBADF. */
export interface NativeSubscription {
  /** The announcements queued (netlink bytes), once the socket is readable unless `wait` is false; null: none (a wake for a forged datagram, too). ENOBUFS: some were dropped. */
  read(wait?: boolean): Promise<Buffer | null>;
  close(): void;
}

/**
 * A chain step's patches, for the addon to read as they are: records of PATCH_WORDS u32s
 * [message, offset, from, fromMessage, attr, headerSize], each writing 32 bits at `offset` of
 * message `message` of its step: top-level attribute `attr` of the answer to message
 * `fromMessage` of earlier step `from` (past its family header of `headerSize` bytes); or, with
 * `from` PATCH_FROM_FD, the fd of namespace `fds[fromMessage]` (null: the one the chain created).
 */
export const PATCH_WORDS = 6;
export const PATCH_FROM_FD = 0xfffffffe;

export interface NativeAddon {
  netnsCreate(name?: string): Promise<NativeNamespace>;
  netnsOpen(path: string): Promise<NativeNamespace>;
  netnsDelete(name: string): Promise<void>;
  /** A persistent tun/tap device: TUNSETIFF with `flags` (IFF_*), then TUNSETOWNER/TUNSETGROUP unless -1. */
  tunCreate(ns: NativeNamespace, name: string, flags: number, owner: number, group: number): Promise<void>;
  /** A /proc/sys file opened inside the namespace (close-on-exec), the caller's to read or write and close. */
  openIn(ns: NativeNamespace, path: string, write: boolean): Promise<number>;
  /** A non-blocking TCP socket made inside the namespace: bound and listening when backlog > 0, else for the caller to connect. */
  tcpSocket(ns: NativeNamespace, sockaddr: Buffer, backlog: number): Promise<number>;
  /** A socket in the namespace joined to the kernel's multicast groups for `protocol`. */
  subscribe(ns: NativeNamespace, protocol: number, groups: number[]): Promise<NativeSubscription>;
  /** Netns.chain's engine: per step, per message, its replies' bytes, its refusal, or null (not sent). */
  chain(steps: Array<{ create: string; sysctls: Array<[string, string]> } | { ns: NativeNamespace | null; protocol: number; messages: Buffer; patches: Uint32Array; fds: Array<NativeNamespace | null> }>)
    : Promise<Array<Array<Buffer | NativeFailure | null>>>;
  /** Who is at the other end of a connected unix socket (SO_PEERCRED, SO_PEERGROUPS): synchronous; throws with `errno`. */
  peerCredentials(fd: number): PeerCredentials;
  /** One flock(2) with LOCK_NB on an fd: true when had, false when held elsewhere (EWOULDBLOCK); throws with `errno`. */
  flock(fd: number, exclusive: boolean): boolean;
}

/** The peer of a unix socket as the kernel recorded it at connect(). */
export interface PeerCredentials { pid: number; uid: number; gid: number; groups: number[] }

/** The package's folder (this file is dist/src/native.js). */
const PACKAGE_ROOT = path.join(__dirname, '..', '..');

function load(): NativeAddon {
  const root = PACKAGE_ROOT;
  try {
    // node-gyp-build takes build/Release when a source build made one, else the file in
    // prebuilds/<platform>-<arch>/ tagged with this libc (glibc or musl).
    return require('node-gyp-build')(root) as NativeAddon;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      `netlink-native: could not load the native addon from ${root}: ${why}\n` +
        'No prebuilt binary fits this platform (prebuilds cover linux x64/arm64, glibc >= 2.17 and musl)\n' +
        'and none was built from source. Possible fixes: `npm rebuild netlink-native` (builds it with\n' +
        'node-gyp: needs python3, make, g++), or `npm run build:native` in a checkout; the addon is Linux-only.',
    );
  }
}

export const native: NativeAddon = load();

/** The package's small executables (binding.gyp's executable targets): one entry each. */
export const HELPERS = ['nln-netns-exec', 'nln-cni-shim'] as const;

/**
 * Where a helper executable is: the prebuilt one for this architecture (static, any libc), else
 * the one a source build made beside the addon. The build/Release path when neither exists, so
 * a caller's existsSync check (and its message) names where a source build would put it.
 */
export function helperPath(name: (typeof HELPERS)[number]): string {
  const candidates = [
    path.join(PACKAGE_ROOT, 'prebuilds', `${process.platform}-${process.arch}`, name),
    path.join(PACKAGE_ROOT, 'build', 'Release', name),
  ];
  return candidates.find((file) => fs.existsSync(file)) ?? candidates[candidates.length - 1]!;
}

/** The helper that enters a namespace (fd 3) and execs a program. */
export const NETNS_EXEC_HELPER = helperPath('nln-netns-exec');

/** The CNI plugin executable that forwards to `nln cni daemon` (native/helper/cni_shim.c). */
export const CNI_SHIM = helperPath('nln-cni-shim');

export const NETLINK_ROUTE = 0;
export const NETLINK_NETFILTER = 12;
