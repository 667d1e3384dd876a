// Network namespaces. A Netns handle owns an fd on the namespace; the native side runs one thread
// per netlink protocol inside it, so the JS thread's own namespace never changes.
import * as fs from 'node:fs';
import { inspect } from 'node:util';
import { nativeCall, NetlinkError, toNetlinkError } from './errors';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type * as net from 'node:net';
import { Addresses } from './addr';
import { Links } from './link/links';
import { Iptables } from './iptables/iptables';
import { Neighbors } from './neigh';
import { Nftables } from './nft/nftables';
import { connectIn, execIn, type ExecOptions, type ExecResult, listenIn, spawnIn } from './process';
import { Routes } from './route';
import { Rules } from './rule';
import { Sysctl } from './sysctl';
import { decode, encode, encodeAll, locate, native, type NativeNamespace, type NativePatch, type WireMessage } from './native';
import { checkInteger, checkNetnsName, checkObject, typeError } from './validate';

export type NetnsRef = Netns | string | { name: string } | { path: string } | { pid: number } | { fd: number };

export const NETNS_RUN_DIR = '/run/netns';

/**
 * @internal One step of Netns.chain: messages for one namespace, sent together; or, first, the
 * creation of a named namespace (like `ip netns add`), which the later steps name as 'created'
 * and which stays, by its name (the chain's handle on it is released).
 */
export type ChainStep = { create: string; sysctl?: Array<[path: string, value: string]>; operation: string } | {
  netns: Netns | 'created';
  protocol: number;
  items: Array<{ message: WireMessage; operation: string }>;
  patches?: ChainPatch[];
};

/**
 * @internal Before its step is sent, message[to] = the attribute fromAttr of an earlier answer
 * ('fd' from the creating step: the new namespace's fd), or the fd of namespace `fdOf` (for
 * IFLA_NET_NS_FD: the addon holds that namespace for the chain; JS never sees its fd).
 */
export type ChainPatch = { message: number; to: string[] } & (
  { fromStep: number; fromMessage: number; fromAttr: { type: number; headerSize: number } } | { fdOf: Netns } | { createdFd: true });

/** @internal A chain step that sends messages. */
export type MessageStep = Exclude<ChainStep, { create: string }>;

/** @internal An item's replies, or why it has none. */
export type ChainResult = WireMessage[] | NetlinkError;

/** @internal The replies of a chain item; its error is thrown. */
export function answer(r: ChainResult): WireMessage[] {
  if (r instanceof NetlinkError) throw r;
  return r;
}
const SELF_PATH = '/proc/self/ns/net';

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

interface NetnsInit {
  native: NativeNamespace | null;
  inode: number;
  name?: string;
  path?: string;
}

export class Netns {
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
  readonly nft: Nftables;
  /** IPv4 rules as iptables-nft keeps them (ip filter/nat/mangle/raw). */
  readonly iptables: Iptables;
  /** IPv6 rules as ip6tables-nft keeps them (ip6 …). */
  readonly ip6tables: Iptables;

  #native: NativeNamespace | null;
  #opening: Promise<NativeNamespace> | null = null;
  #closed = false;
  static #current: Netns | undefined;

  private constructor(init: NetnsInit) {
    Object.defineProperty(this, CLONE_GUARD, { enumerable: true, get: refuseClone });
    this.#native = init.native;
    this.inode = init.inode;
    if (init.name !== undefined) this.name = init.name;
    if (init.path !== undefined) this.path = init.path;
    this.links = new Links(this);
    this.addresses = new Addresses(this);
    this.routes = new Routes(this);
    this.neighbors = new Neighbors(this);
    this.rules = new Rules(this);
    this.sysctl = new Sysctl(this);
    this.nft = new Nftables(this);
    this.iptables = new Iptables(this, 'ip');
    this.ip6tables = new Iptables(this, 'ip6');
  }

  /** Like `ip netns add NAME`; with no name, an anonymous namespace that lives while this handle is open. */
  static async create(name?: string): Promise<Netns> {
    if (name !== undefined) checkNetnsName('name', name);
    const n = await nativeCall('netns.create', native.netnsCreate(name));
    return new Netns({ native: n, inode: n.inode, name, path: name === undefined ? undefined : `${NETNS_RUN_DIR}/${name}` });
  }

  /** Opens an existing namespace by handle, name, path, pid or fd. */
  static async open(ref: NetnsRef): Promise<Netns> {
    if (ref instanceof Netns) {
      // Through the handle itself, not its path: a /proc/PID path dies with the process, the
      // namespace may not.
      const n = await nativeCall('netns.open', native.netnsDup(await ref.nativeHandle('netns.open')));
      return new Netns({ native: n, inode: n.inode, name: ref.name, path: ref.path });
    }
    const where = describeRef(ref);
    if (where.fd !== undefined) return Netns.#openFd(where.fd);
    return Netns.#openPath(where.path, where.name);
  }

  static async #openPath(path: string, name?: string): Promise<Netns> {
    const detail = name !== undefined ? `network namespace "${name}" does not exist (no ${path})` : undefined;
    const n = await nativeCall('netns.open', native.netnsOpen(path), detail);
    return new Netns({ native: n, inode: n.inode, name, path });
  }

  static async #openFd(fd: number): Promise<Netns> {
    const n = await nativeCall('netns.open', native.netnsOpenFd(fd));
    return new Netns({ native: n, inode: n.inode });
  }

  /** The namespace this process runs in. Its native side opens on first use. */
  static current(): Netns {
    if (!Netns.#current) {
      Netns.#current = new Netns({ native: null, inode: fs.statSync(SELF_PATH).ino, path: SELF_PATH });
    }
    return Netns.#current;
  }

  /** Names under /run/netns, like `ip netns list`. */
  static async list(): Promise<string[]> {
    return nativeCall('netns.list', native.netnsList());
  }

  /** Like `ip netns delete NAME`: unmounts and removes the name; the namespace ends when nothing holds it. */
  static async delete(name: string): Promise<void> {
    checkNetnsName('name', name);
    await nativeCall('netns.delete', native.netnsDelete(name));
  }

  /** Removes this named namespace (like `ip netns delete`) and closes the handle. */
  async delete(): Promise<void> {
    if (this.name === undefined) {
      throw new TypeError('netns.delete: this namespace has no name (it is anonymous or opened by path, pid or fd); close() releases it');
    }
    await Netns.delete(this.name);
    await this.close();
  }

  /** Answers what is queued, then releases the fd and threads held for this namespace. */
  async close(): Promise<void> {
    const isCurrent = this === Netns.#current;
    if (!isCurrent) this.#closed = true;
    const n = this.#native ?? (this.#opening ? await this.#opening.catch(() => null) : null);
    this.#native = null;
    this.#opening = null;
    if (n) await n.close();
  }

  /** Runs a program inside this namespace (no shell) and collects its output. */
  exec(file: string, args: string[] = [], options: ExecOptions = {}): Promise<ExecResult> {
    return execIn(this, file, args, options);
  }

  /**
   * Starts a program inside this namespace (no shell), like child_process.spawn. The handle must
   * be open already (a handle from create/open is; for Netns.current() the program simply runs here).
   */
  spawn(file: string, args: string[] = [], options: SpawnOptions = {}): ChildProcess {
    return spawnIn(this, file, args, options);
  }

  /** A TCP server listening inside this namespace, served by this process. */
  listen(options: { port: number; host?: string; backlog?: number }, onConnection?: (socket: net.Socket) => void): Promise<net.Server> {
    return listenIn(this, options, onConnection);
  }

  /** A TCP connection made from inside this namespace. */
  connect(options: { port: number; host: string; timeout?: number }): Promise<net.Socket> {
    return connectIn(this, options);
  }

  /**
   * @internal A new fd on this namespace for a child process to inherit (undefined for this
   * process's own namespace); the caller closes it once the child is spawned.
   */
  lendFdSync(): number | undefined {
    if (this === Netns.#current) return undefined;
    if (!this.#native) throw new NetlinkError('netns.spawn', 9 /* EBADF */, { detail: 'the namespace handle is closed' });
    try {
      return this.#native.lendFd();
    } catch (err) {
      throw toNetlinkError('netns.spawn', err);
    }
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

  /** @internal The native handle, opened now for Netns.current(). */
  async nativeHandle(operation: string): Promise<NativeNamespace> {
    if (this.#native) return this.#native;
    if (this.#closed) throw new NetlinkError(operation, 9 /* EBADF */, { detail: 'the namespace handle is closed' });
    if (!this.#opening) {
      this.#opening = nativeCall('netns.open', native.netnsOpen(SELF_PATH)).then((n) => {
        this.#native = n;
        return n;
      });
    }
    return this.#opening;
  }

  /**
   * @internal Sends one rtnetlink/nfnetlink message in this namespace; failures become NetlinkError.
   * Whether it is a dump is what its NLM_F_DUMP says (the addon reads it there).
   */
  request(protocol: number, message: WireMessage, operation: string): Promise<WireMessage[]> {
    // Submitted in the caller's own turn when the handle is open: many requests made together
    // (Promise.all) reach the channel while the caller is still making the rest, not after.
    const send = (n: NativeNamespace) => n.request(protocol, encode(protocol, message)).then(
      (replies) => (replies === null ? [] : decode(protocol, replies)),
      (err: unknown) => { throw toNetlinkError(operation, err); },
    );
    try {
      return this.#native ? send(this.#native) : this.nativeHandle(operation).then(send);
    } catch (err) {
      return Promise.reject(err); // a message the codec refuses: rejected like everything else
    }
  }

  /**
   * @internal Exchanges in one or more namespaces, run one after another on the addon's threads:
   * the JS thread hears once, at the end, not between steps. A step's items go out together (one
   * sendmsg, in order), each with its own answer; a refusal stops the steps after it (their items
   * answer ECANCELED). A patch copies an integer attribute of an earlier answer (a veth peer's
   * ifindex) into a message just before it is sent.
   */
  static async chain(steps: ChainStep[]): Promise<ChainResult[][]> {
    const operations = steps.map((s) => ('create' in s ? [s.operation, ...(s.sysctl ?? []).map(() => s.operation)] : s.items.map((i) => i.operation)));
    const operation = operations[0]?.[0] ?? 'netns.request';
    const handles = await Promise.all(steps.map((s) => ('create' in s || s.netns === 'created' ? null : s.netns.nativeHandle(operation))));
    const patches = await Promise.all(steps.map((s) => Promise.all(('patches' in s ? s.patches ?? [] : []).map(async (p): Promise<NativePatch> => {
      const at = { message: p.message, offset: locate((s as MessageStep).protocol, (s as MessageStep).items[p.message].message, p.to) };
      if ('fdOf' in p) return { ...at, fdOf: await p.fdOf.nativeHandle(operation) };
      if ('createdFd' in p) return { ...at, createdFd: true };
      return { ...at, fromStep: p.fromStep, fromMessage: p.fromMessage, attr: p.fromAttr.type, headerSize: p.fromAttr.headerSize };
    }))));
    let sent;
    try {
      sent = native.chain(steps.map((s, k) => ('create' in s ? { create: s.create, sysctls: s.sysctl ?? [] } : {
        ns: handles[k], protocol: s.protocol, messages: encodeAll(s.protocol, s.items.map((i) => i.message)), patches: patches[k],
      })));
    } catch (err) {
      throw toNetlinkError(operation, err); // a handle closed meanwhile (EBADF); a message the codec refuses
    }
    const answers = await nativeCall(operation, sent);
    return answers.map((step, k) => step.map((a, i) => {
      const op = operations[k][i];
      const step = steps[k];
      if (Buffer.isBuffer(a) && 'protocol' in step) return decode(step.protocol, a);
      if (a === null) return new NetlinkError(op, 125 /* ECANCELED */, { detail: 'not sent: an earlier request was refused' });
      return toNetlinkError(op, a) as NetlinkError;
    }));
  }

  /** @internal A handle for ref: this one when ref is a Netns, else a new one the caller must close. */
  static async borrow(ref: NetnsRef): Promise<{ netns: Netns; release(): Promise<void> }> {
    if (ref instanceof Netns) return { netns: ref, release: async () => {} };
    const netns = await Netns.open(ref);
    return { netns, release: () => netns.close() };
  }
}

/** Checks a NetnsRef's shape (synchronously, before anything is opened). */
export function checkNetnsRef(field: string, ref: unknown): NetnsRef {
  if (ref instanceof Netns) return ref;
  describeRef(ref as NetnsRef, field);
  return ref as NetnsRef;
}

function describeRef(ref: NetnsRef, field = 'netns'): { path: string; name?: string; fd?: undefined } | { fd: number; path?: undefined; name?: undefined } {
  if (typeof ref === 'string') return { path: `${NETNS_RUN_DIR}/${checkNetnsName(field, ref)}`, name: ref };
  const o = checkObject(field, ref);
  const keys = Object.keys(o);
  if (keys.length !== 1) throw typeError(field, ref, 'a Netns, a name, or one of { name }, { path }, { pid }, { fd }');
  if ('name' in o) return { path: `${NETNS_RUN_DIR}/${checkNetnsName(`${field}.name`, o.name)}`, name: o.name as string };
  if ('path' in o) {
    if (typeof o.path !== 'string' || o.path === '' || o.path.includes('\0')) throw typeError(`${field}.path`, o.path, 'a file path');
    return { path: o.path };
  }
  if ('pid' in o) return { path: `/proc/${checkInteger(`${field}.pid`, o.pid, 1, 0x3fffffff)}/ns/net` };
  if ('fd' in o) return { fd: checkInteger(`${field}.fd`, o.fd, 0, 0x7fffffff) };
  throw typeError(field, ref, 'a Netns, a name, or one of { name }, { path }, { pid }, { fd }');
}
