// Network namespaces: the public handle. A Netns composes the families over one Transport (the
// seam to the kernel: its fd on the namespace, the addon's threads inside it), so the JS thread's
// own namespace never changes. Nothing below this file imports it.
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type * as net from 'node:net';
import { inspect } from 'node:util';
import { Addresses } from './addr';
import type { Conntrack } from './conntrack/conntrack';
import type { Iptables } from './iptables/iptables';
import { NETNS_RUN_DIR, type NetnsRef, openRef } from './kernel/netns-ref';
import { type NetnsHandle, TRANSPORT, Transport, type WireMessage } from './kernel/transport';
import { Links } from './link/links';
import { Neighbors } from './neigh';
import type { Nftables } from './nft/nftables';
import { nsidOf } from './nsid';
import type { ExecOptions, ExecResult } from './process';
import { Routes } from './route';
import { Rules } from './rule';
import { Sysctl } from './sysctl';
import { checkNetnsName } from './validate';
import type { WatchEvent, WatchOptions, WatchWhat } from './watch';

export { NETNS_RUN_DIR, type NetnsRef };

/**
 * A structured clone (postMessage, workerData, structuredClone) copies a handle's own enumerable
 * properties and nothing else: a Netns would reach a Worker as a plain object with no fd and no
 * threads behind it. The clone reads this property first, and its getter refuses, saying what to
 * send instead. (JSON.stringify goes through toJSON and util.inspect through its custom hook, so
 * neither meets it.)
 */
const CLONE_GUARD = 'notTransferable';

function refuseClone(this: Netns): never {
  const how = this.name !== undefined
    ? `send its name (${JSON.stringify(this.name)}) and call Netns.open(name) in the Worker`
    : this.path !== undefined
      ? `send its path (${JSON.stringify(this.path)}) and call Netns.open({ path }) in the Worker`
      : 'an anonymous namespace has no name another thread can open: create it with a name (Netns.create(name)), send the name, and call Netns.open(name) in the Worker';
  throw new DOMException(`a Netns handle cannot be cloned or sent to another thread (it is this thread's open namespace): ${how}`, 'DataCloneError');
}

export class Netns implements NetnsHandle {
  /** The name under /run/netns, for a named namespace. */
  readonly name?: string;
  /** The file the handle was opened from, when there is one. */
  readonly path?: string;
  /** st_ino of the namespace file: equal inodes mean the same namespace. */
  readonly inode: number;
  readonly links: Links;
  readonly addresses: Addresses;
  readonly routes: Routes;
  readonly neighbors: Neighbors;
  readonly rules: Rules;
  readonly sysctl: Sysctl;
  // The netfilter families, watch and the process helpers (exec, spawn, listen, connect) load
  // their modules on first use: most programs touch links and addresses only, and compiling
  // nftables, iptables and conntrack up front was most of the package's load time (bench/load-time.ts).
  #nft?: Nftables;
  #iptables?: Iptables;
  #ip6tables?: Iptables;
  #conntrack?: Conntrack;
  /** How options that take a namespace reach this one's kernel side (not enumerable: not cloned, not listed). */
  declare readonly [TRANSPORT]: Transport;

  static #current: Netns | undefined;

  private constructor(transport: Transport) {
    Object.defineProperty(this, CLONE_GUARD, { enumerable: true, get: refuseClone });
    Object.defineProperty(this, TRANSPORT, { value: transport });
    this.inode = transport.inode;
    if (transport.name !== undefined) this.name = transport.name;
    if (transport.path !== undefined) this.path = transport.path;
    this.links = new Links(transport);
    this.addresses = new Addresses(transport, this.links);
    this.routes = new Routes(transport, this.links);
    this.neighbors = new Neighbors(transport, this.links);
    this.rules = new Rules(transport);
    this.sysctl = new Sysctl(transport);
  }

  get nft(): Nftables {
    return this.#nft ??= new (require('./nft/nftables') as typeof import('./nft/nftables')).Nftables(this[TRANSPORT], this.links);
  }

  /** IPv4 rules as iptables-nft keeps them (ip filter/nat/mangle/raw). */
  get iptables(): Iptables {
    return this.#iptables ??= new (require('./iptables/iptables') as typeof import('./iptables/iptables')).Iptables(this.nft, 'ip', this[TRANSPORT]);
  }

  /** IPv6 rules as ip6tables-nft keeps them (ip6 …). */
  get ip6tables(): Iptables {
    return this.#ip6tables ??= new (require('./iptables/iptables') as typeof import('./iptables/iptables')).Iptables(this.nft, 'ip6', this[TRANSPORT]);
  }

  /** The connection tracking table, like conntrack(8). */
  get conntrack(): Conntrack {
    return this.#conntrack ??= new (require('./conntrack/conntrack') as typeof import('./conntrack/conntrack')).Conntrack(this[TRANSPORT]);
  }

  /** Like `ip netns add NAME`; with no name, an anonymous namespace that lives while this handle is open. */
  static async create(name?: string): Promise<Netns> {
    if (name !== undefined) checkNetnsName('name', name);
    return new Netns(await Transport.create(name, name === undefined ? undefined : `${NETNS_RUN_DIR}/${name}`));
  }

  /** Opens an existing namespace by handle, name, path, pid or fd. */
  static async open(ref: NetnsRef): Promise<Netns> {
    return new Netns(await openRef(ref));
  }

  /** The namespace this process runs in. Its native side opens on first use. */
  static current(): Netns {
    Netns.#current ??= new Netns(Transport.current());
    return Netns.#current;
  }

  /** Names under /run/netns, like `ip netns list`. */
  static async list(): Promise<string[]> {
    return Transport.list();
  }

  /** Like `ip netns delete NAME`: unmounts and removes the name; the namespace ends when nothing holds it. */
  static async delete(name: string): Promise<void> {
    checkNetnsName('name', name);
    await Transport.deleteNamed(name);
  }

  /** Removes this named namespace (like `ip netns delete`) and closes the handle. */
  async delete(): Promise<void> {
    if (this.name === undefined) {
      throw new TypeError('netns.delete: this namespace has no name (it is anonymous or opened by path, pid or fd); close() releases it');
    }
    await Netns.delete(this.name);
    await this.close();
  }

  /**
   * The id this namespace gives `other` (`ip netns list-id`; a link's linkNetnsId), or undefined
   * when it has given it none. Asking never assigns one.
   */
  async nsidOf(other: NetnsRef): Promise<number | undefined> {
    return nsidOf(this[TRANSPORT], other);
  }

  /** Answers what is queued, then releases the fd and threads held for this namespace. */
  async close(): Promise<void> {
    await this[TRANSPORT].close();
  }

  /** Runs a program inside this namespace (no shell) and collects its output. */
  /**
   * What the kernel announces about the kinds asked for (ip monitor's), as typed events: by
   * default a snapshot of what exists first, then every change after it, no gap, no duplicate.
   * Ends on `break`, the signal, or when this handle closes.
   */
  watch(what: WatchWhat, options?: WatchOptions): AsyncIterable<WatchEvent> {
    return (require('./watch') as typeof import('./watch')).watch(this[TRANSPORT], this.nft, what, options);
  }

  exec(file: string, args: string[] = [], options: ExecOptions = {}): Promise<ExecResult> {
    return (require('./process') as typeof import('./process')).execIn(this[TRANSPORT], file, args, options);
  }

  /**
   * Starts a program inside this namespace (no shell), like child_process.spawn. The handle must
   * be open already (a handle from create/open is; for Netns.current() the program simply runs here).
   */
  spawn(file: string, args: string[] = [], options: SpawnOptions = {}): ChildProcess {
    return (require('./process') as typeof import('./process')).spawnIn(this[TRANSPORT], file, args, options);
  }

  /** A TCP server listening inside this namespace, served by this process. */
  listen(options: { port: number; host?: string; backlog?: number }, onConnection?: (socket: net.Socket) => void): Promise<net.Server> {
    return (require('./process') as typeof import('./process')).listenIn(this[TRANSPORT], options, onConnection);
  }

  /** A TCP connection made from inside this namespace. */
  connect(options: { port: number; host: string; timeout?: number }): Promise<net.Socket> {
    return (require('./process') as typeof import('./process')).connectIn(this[TRANSPORT], options);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** What identifies the namespace (JSON.stringify of a handle, or of an object holding one). */
  toJSON(): { name?: string; path?: string; inode: number } {
    return { ...(this.name !== undefined ? { name: this.name } : {}), ...(this.path !== undefined ? { path: this.path } : {}), inode: this.inode };
  }

  /** console.log shows what identifies the namespace, not its sub-objects. */
  [inspect.custom](): string {
    return `Netns ${inspect(this.toJSON())}`;
  }

  /** @internal The native handle (for the bench's replay), opened now for Netns.current(). */
  nativeHandle(operation: string): ReturnType<Transport['nativeHandle']> {
    return this[TRANSPORT].nativeHandle(operation);
  }

  /** @internal One message through this namespace's transport (for tests that send raw requests). */
  request(protocol: number, message: WireMessage, operation: string): Promise<WireMessage[]> {
    return this[TRANSPORT].request(protocol, message, operation);
  }
}
