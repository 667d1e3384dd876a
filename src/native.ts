// The typed face of the native addon (native/binding). Everything the addon exports is declared
// here; only src/kernel/transport.ts uses it (tests and the bench may reach in directly).
import * as path from 'node:path';
import type { NativeFailure } from './errors';
import { type Packed, pack, unpack } from './pack';

export type { NativeFailure, Packed };

/** A decoded netlink message: the table-driven codec's view (native/core/*_spec.cc). */
export interface WireMessage {
  type: number;
  flags?: number;
  seq?: number;
  header?: Record<string, number | bigint>;
  attrs?: Record<string, unknown>;
  payload?: Buffer;
}

export interface NativeNamespace {
  /** Queues one message on this namespace's channel for `protocol`; resolves with the packed replies (null: an ACK alone). */
  request(protocol: number, message: Packed): Promise<Buffer | null>;
  /** An nfnetlink batch in one sendmsg, then the sentinel; a refusal's error has the message's index. */
  batch(protocol: number, messages: Packed, sentinel: Packed): Promise<Buffer | null>;
  /** Answers what is queued and stops the namespace's threads; calls still holding it are refused. */
  close(): Promise<void>;
  /** A new close-on-exec fd on the namespace, the caller's to close (for a child process to inherit). */
  lendFd(): number;
  readonly inode: number;
}

/** A chain patch: a value from an earlier answer, or the fd of a namespace the addon holds. */
export type NativePatch = { message: number; to: string[] } & ({ fromStep: number; fromMessage: number; fromAttr: string } | { fdOf: NativeNamespace });

export interface NativeAddon {
  netnsCreate(name?: string): Promise<NativeNamespace>;
  netnsOpen(path: string): Promise<NativeNamespace>;
  netnsOpenFd(fd: number): Promise<NativeNamespace>;
  /** A new handle on the same namespace, closed independently. */
  netnsDup(ns: NativeNamespace): Promise<NativeNamespace>;
  netnsDelete(name: string): Promise<void>;
  netnsList(): Promise<string[]>;
  tunCreate(ns: NativeNamespace, name: string, options: { tap: boolean; multiQueue?: boolean; vnetHdr?: boolean; pi?: boolean; owner?: number; group?: number }): Promise<void>;
  sysctlGet(ns: NativeNamespace, path: string): Promise<string>;
  sysctlSet(ns: NativeNamespace, path: string, value: string): Promise<void>;
  tcpListen(ns: NativeNamespace, host: string, port: number, backlog: number): Promise<number>;
  tcpConnect(ns: NativeNamespace, host: string, port: number, timeoutMs: number): Promise<number>;
  /** Netns.chain's engine: per step, per message, its packed replies, its refusal, or null (not sent). */
  chain(steps: Array<{ create: string; sysctls: Array<[string, string]> } | { ns: NativeNamespace | null; protocol: number; messages: Packed; patches: NativePatch[] }>)
    : Promise<Array<Array<Buffer | NativeFailure | null>>>;
  encode(protocol: number, message: Packed): Buffer;
  decode(protocol: number, bytes: Buffer): Buffer;
}

function load(): NativeAddon {
  const root = path.join(__dirname, '..', '..');
  try {
    // node-gyp-build picks prebuilds/<platform>-<arch>/ when one matches, else build/Release.
    return require('node-gyp-build')(root) as NativeAddon;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      `netlink-native: could not load the native addon from ${root}: ${why}\n` +
        'Possible fixes: run `npm install` (it builds the addon with node-gyp: needs python3, make, g++),\n' +
        'or `npm run build:native`; the addon is Linux-only.',
    );
  }
}

export const native: NativeAddon = load();

/** A message's bytes as the codec builds them (what a request sends, before its seq and ACK flag). */
export function encode(protocol: number, message: WireMessage): Buffer {
  return native.encode(protocol, pack([message]));
}

/** Netlink messages decoded by the codec's tables. */
export function decode(protocol: number, bytes: Buffer): WireMessage[] {
  return unpack(native.decode(protocol, bytes)) as WireMessage[];
}

/** The helper that enters a namespace (fd 3) and execs a program, built beside the addon. */
export const NETNS_EXEC_HELPER = path.join(__dirname, '..', '..', 'build', 'Release', 'nln-netns-exec');

export const NETLINK_ROUTE = 0;
export const NETLINK_NETFILTER = 12;
