// The one seam between the families and the kernel. A Transport holds one namespace's native
// handle and is the only module that talks to the addon (native.ts) or packs messages for it:
// families build WireMessages and hand them here; how they cross into the addon is this file's
// business alone.
import * as fs from 'node:fs';
import * as util from 'node:util';
import { nativeCall, NetlinkError, toNetlinkError } from '../errors';
import { AF_INET, AF_INET6, parseAddress } from '../ip';
import { CodecError, decodeMapped, encode, encodeAll, locate, type MessageView, type WireMessage } from '../codec/codec';
import { CNI_SHIM, native, type NativeFailure, type NativeNamespace, type NativeSubscription, NETLINK_NETFILTER, NETLINK_ROUTE, NETNS_EXEC_HELPER, PATCH_FROM_FD, PATCH_WORDS, type PeerCredentials } from '../native';

export { CNI_SHIM, NETLINK_NETFILTER, NETLINK_ROUTE, NETNS_EXEC_HELPER, type PeerCredentials, type WireMessage };

export const SELF_PATH = '/proc/self/ns/net';

/** Who connected to a unix socket (its fd), as the kernel recorded at connect(); a NetlinkError (e.g. ENOTCONN) otherwise. */
export function peerCredentials(fd: number): PeerCredentials {
  try {
    return native.peerCredentials(fd);
  } catch (err) {
    throw toNetlinkError('socket.peerCredentials', err);
  }
}

/** A non-blocking flock(2) on an open file: true when had, false when another holder has it; a NetlinkError otherwise. */
export function flockFile(fd: number, exclusive: boolean): boolean {
  try {
    return native.flock(fd, exclusive);
  } catch (err) {
    throw toNetlinkError('file.flock', err);
  }
}

/**
 * The property a namespace handle (a Netns) keeps its transport under. Options that take a
 * namespace recognise a handle by it, so nothing below netns.ts needs the Netns class.
 */
/** Where named namespaces are mounted, as iproute2 keeps them. */
export const NETNS_RUN_DIR = '/run/netns';

export const TRANSPORT: unique symbol = Symbol('netlink-native.transport');

/** A namespace handle, as options that accept a Netns see it. */
export interface NetnsHandle {
  readonly [TRANSPORT]: Transport;
  readonly inode: number;
  readonly name?: string;
  readonly path?: string;
}

export function isNetnsHandle(value: unknown): value is NetnsHandle {
  return typeof value === 'object' && value !== null && TRANSPORT in value;
}

/**
 * One step of Transport.chain: messages for one namespace, sent together; or, first, the creation
 * of a named namespace (like `ip netns add`), which the later steps name as 'created' and which
 * stays, by its name (the chain's handle on it is released).
 */
export type ChainStep = { create: string; sysctl?: Array<[path: string, value: string]>; operation: string } | {
  netns: Transport | 'created';
  protocol: number;
  /**
   * `view`: the item's replies of the view's type are decoded by its smaller table (requestMapped's).
   * `unread`: a request sent only for its effect: its replies are received but not decoded
   * (answered []); a refusal is still its NetlinkError.
   */
  items: Array<{ message: WireMessage; operation: string; view?: MessageView; unread?: true }>;
  patches?: ChainPatch[];
};

/**
 * Before its step is sent, the 32-bit integer at message[to] becomes: the top-level attribute
 * fromAttr of an earlier answer (its type, past a family header of headerSize bytes); the fd of
 * the namespace the chain created; or the fd of namespace `fdOf` (for IFLA_NET_NS_FD: the addon
 * holds that namespace for the chain; JS never sees its fd). The addon writes it at the byte
 * offset the codec finds for `to`.
 */
export type ChainPatch = { message: number; to: string[] } & (
  { fromStep: number; fromMessage: number; fromAttr: { type: number; headerSize: number } } | { fdOf: Transport } | { createdFd: true });

/** A chain step that sends messages. */
export type MessageStep = Exclude<ChainStep, { create: string }>;

/**
 * A chain's shape, checked before anything is sent (the addon would refuse a bad one only when
 * the step is reached, after the earlier steps went out): only step 0 creates; `created` and a
 * created fd need it; a patch names a message of its step and takes from an earlier step's.
 */
function checkChain(steps: ChainStep[]): void {
  const creates = steps.length > 0 && 'create' in steps[0];
  const bad = (k: number, why: string) => new RangeError(`chain step ${k}: ${why}`);
  for (const [k, s] of steps.entries()) {
    if ('create' in s) {
      if (k !== 0) throw bad(k, 'only the first step may create a namespace');
      continue;
    }
    if (s.netns === 'created' && !creates) throw bad(k, 'names the created namespace, but the first step creates none');
    for (const p of s.patches ?? []) {
      if (!Number.isInteger(p.message) || p.message < 0 || p.message >= s.items.length) throw bad(k, `a patch names message ${p.message} of ${s.items.length}`);
      if ('createdFd' in p && !creates) throw bad(k, 'a patch takes the created namespace\'s fd, but the first step creates none');
      if ('fromStep' in p) {
        const from = steps[p.fromStep];
        if (!Number.isInteger(p.fromStep) || p.fromStep < 0 || p.fromStep >= k || 'create' in from) throw bad(k, `a patch takes from step ${p.fromStep}, not an earlier step that sends messages`);
        if (!Number.isInteger(p.fromMessage) || p.fromMessage < 0 || p.fromMessage >= from.items.length) throw bad(k, `a patch takes from message ${p.fromMessage} of step ${p.fromStep}`);
      }
    }
  }
}

/** An item's replies, or why it has none. */
export type ChainResult = WireMessage[] | NetlinkError;

/**
 * The kernel's replies, decoded by the codec's tables. Bytes the codec cannot walk (a length past
 * its container) did not come from a kernel we understand: EBADMSG, never a half-read answer.
 */
export function decodeReplies(protocol: number, replies: Buffer, operation: string): WireMessage[] {
  return mappedReplies(protocol, replies, operation, same);
}

/** One item's answer from the addon: its replies decoded, or its error. */
function chainResult(s: ChainStep, i: number, a: unknown): ChainResult {
  if (a === null) return new NetlinkError(operationOf(s, i)!, 125 /* ECANCELED */, { detail: 'not sent: an earlier request was refused' });
  if (!Buffer.isBuffer(a)) return toNetlinkError(operationOf(s, i)!, a, 'create' in s && i === 0 ? namedNetnsDetail(s.create, a, true) : undefined) as NetlinkError;
  // A namespace made, a sysctl written, a request only ACKed or sent for its effect: nothing to decode.
  if ('create' in s || a.length === 0) return [];
  const item = s.items[i];
  if (item.unread) return [];
  return mappedReplies(s.protocol, a, item.operation, same, item.view);
}

const same = (m: WireMessage): WireMessage => m;

/** decodeReplies, each reply mapped as it is decoded (codec's decodeMapped). */
function mappedReplies<T>(protocol: number, replies: Buffer, operation: string, map: (m: WireMessage) => T | undefined, view?: MessageView): T[] {
  try {
    return decodeMapped(protocol, replies, map, view);
  } catch (err) {
    if (!(err instanceof CodecError)) throw err;
    throw new NetlinkError(operation, 74 /* EBADMSG */, { detail: `a malformed reply from the kernel: ${err.message}` });
  }
}

/** The replies of a chain item; its error is thrown. */
export function answer(r: ChainResult): WireMessage[] {
  if (r instanceof NetlinkError) throw r;
  return r;
}

/** A transport's subscription: the announcements decoded; null once it is closed. */
export interface Subscription {
  read(wait?: boolean): Promise<WireMessage[] | null>;
  close(): void;
}

/** What a namespace is known by: errors name it (netnsLabel), a Netns shows it. */
interface Identity {
  inode: number;
  name?: string;
  path?: string;
}

/** How an nfnetlink batch's refusal is explained: the refused message's index (0: the batch begin), the errno. */
export type BatchExplain = (failure: { index?: number; errno?: number }) => string | undefined;

/** The operation item i of a chain step reports failures as. */
const operationOf = (s: ChainStep | undefined, i: number): string | undefined => (s === undefined ? undefined : 'create' in s ? s.operation : s.items[i]?.operation);

const fsRead = util.promisify(fs.read);
const fsWrite = util.promisify(fs.write);

/** A failed read or write of an fd the addon opened: a NetlinkError with the errno node:fs gives. */
function fsError(operation: string, err: unknown, detail: string): NetlinkError {
  return new NetlinkError(operation, -((err as NodeJS.ErrnoException).errno ?? -5), { detail });
}

/** What a refusal to create or delete a named namespace means, as `ip netns` says it. */
function namedNetnsDetail(name: string | undefined, err: unknown, creating: boolean): string | undefined {
  const errno = (err as Partial<NativeFailure>).errno;
  if (creating) return errno === 17 ? `network namespace "${name}" already exists` : undefined;
  return errno === 2 ? `network namespace "${name}" does not exist` : undefined;
}

const NLM_F_DUMP = 0x300;
const EINTR = 4;
const DUMP_RETRIES = 8;

const closedError = (operation: string) => new NetlinkError(operation, 9 /* EBADF */, { detail: 'the namespace handle is closed' });

export class Transport {
  /** st_ino of the namespace file. */
  readonly inode: number;
  readonly name?: string;
  readonly path?: string;
  #native: NativeNamespace | null;
  #opening: Promise<NativeNamespace> | null = null;
  #closed = false;
  /** Closed with the transport: a watch ends when its namespace handle does. */
  readonly #subscriptions = new Set<NativeSubscription>();
  /** This process's own namespace: opened on first use, again after close(), never lent. */
  readonly #own: boolean;
  static #current: Transport | undefined;

  private constructor(handle: NativeNamespace | null, identity: Identity, own = false) {
    this.#native = handle;
    this.#own = own;
    this.inode = identity.inode;
    if (identity.name !== undefined) this.name = identity.name;
    if (identity.path !== undefined) this.path = identity.path;
  }

  /** Like `ip netns add NAME`; with no name, an anonymous namespace alive while the transport is open. */
  static async create(name: string | undefined, path: string | undefined): Promise<Transport> {
    const n = await native.netnsCreate(name).catch((err: unknown) => {
      throw toNetlinkError('netns.create', err, namedNetnsDetail(name, err, true));
    });
    return new Transport(n, { inode: n.inode, name, path });
  }

  /** The namespace at path (a name under /run/netns when `name` is given: a missing one says so). */
  static async open(path: string, name?: string): Promise<Transport> {
    const detail = name !== undefined ? `network namespace "${name}" does not exist (no ${path})` : undefined;
    const n = await nativeCall('netns.open', native.netnsOpen(path), detail);
    return new Transport(n, { inode: n.inode, name, path });
  }

  /** The namespace a caller's fd refers to: opened anew through /proc/self/fd (the fd stays the caller's). */
  static async openFd(fd: number): Promise<Transport> {
    const n = await nativeCall('netns.open', native.netnsOpen(`/proc/self/fd/${fd}`));
    return new Transport(n, { inode: n.inode });
  }

  /**
   * A new transport on the same namespace, closed independently. Through the handle itself, not
   * its path: a /proc/PID path dies with the process, the namespace may not.
   */
  async dup(): Promise<Transport> {
    const own = await this.nativeHandle('netns.open');
    let lent: number;
    try {
      lent = own.lendFd();
    } catch (err) {
      throw toNetlinkError('netns.open', err);
    }
    try {
      const n = await nativeCall('netns.open', native.netnsOpen(`/proc/self/fd/${lent}`)); // its own fd, opened anew
      return new Transport(n, { inode: n.inode, name: this.name, path: this.path });
    } finally {
      fs.closeSync(lent);
    }
  }

  /** The namespace this process runs in. Its native side opens on first use. */
  static current(): Transport {
    Transport.#current ??= new Transport(null, { inode: fs.statSync(SELF_PATH).ino, path: SELF_PATH }, true);
    return Transport.#current;
  }

  /** Names under /run/netns, like `ip netns list`. */
  static async list(): Promise<string[]> {
    try {
      return (await fs.promises.readdir(NETNS_RUN_DIR)).filter((n) => !n.startsWith('.')).sort();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') return []; // no namespace was ever named on this machine
      throw new NetlinkError('netns.list', -(e.errno ?? -5), { detail: `${NETNS_RUN_DIR}: ${e.message}` });
    }
  }

  /** Like `ip netns delete NAME` (the name is checked by the caller). */
  static async deleteNamed(name: string): Promise<void> {
    await native.netnsDelete(name).catch((err: unknown) => {
      throw toNetlinkError('netns.delete', err, namedNetnsDetail(name, err, false));
    });
  }

  /** Answers what is queued, then releases the namespace's fd and sockets. */
  async close(): Promise<void> {
    if (!this.#own) this.#closed = true;
    for (const s of this.#subscriptions) s.close();
    this.#subscriptions.clear();
    const n = this.#native ?? (this.#opening ? await this.#opening.catch(() => null) : null);
    this.#native = null;
    this.#opening = null;
    if (n) await n.close();
  }

  /** The native handle, opened now for the process's own namespace. */
  async nativeHandle(operation: string): Promise<NativeNamespace> {
    if (this.#native) return this.#native;
    if (this.#closed) throw closedError(operation);
    if (!this.#opening) {
      this.#opening = nativeCall('netns.open', native.netnsOpen(SELF_PATH)).then((n) => {
        this.#native = n;
        return n;
      });
    }
    return this.#opening;
  }

  /** Opens the native side now (for the process's own namespace), before something synchronous needs it. */
  async ready(operation: string): Promise<void> {
    await this.nativeHandle(operation);
  }

  /**
   * Sends one rtnetlink/nfnetlink message; failures become NetlinkError. Whether it is a dump is
   * what its NLM_F_DUMP says (the addon reads it there).
   */
  request(protocol: number, message: WireMessage, operation: string): Promise<WireMessage[]> {
    return this.requestMapped(protocol, message, operation, same);
  }

  /**
   * request, with what `map` makes of each reply (undefined: left out), mapped as each is decoded
   * and messages of `view`'s type decoded by its smaller table: a dump of thousands keeps only
   * what map returns and decodes only what it reads.
   */
  requestMapped<T>(protocol: number, message: WireMessage, operation: string, map: (m: WireMessage) => T | undefined, view?: MessageView): Promise<T[]> {
    // Submitted in the caller's own turn when the handle is open: many requests made together
    // (Promise.all) reach the channel while the caller is still making the rest, not after.
    let bytes: Buffer;
    try {
      bytes = encode(protocol, message);
    } catch (err) {
      return Promise.reject(err); // a message the codec refuses: rejected like everything else
    }
    const isDump = ((message.flags ?? 0) & NLM_F_DUMP) === NLM_F_DUMP;
    const send = (n: NativeNamespace, retries = 0): Promise<T[]> => n.request(protocol, bytes).then(
      (replies) => (replies === null ? [] : mappedReplies(protocol, replies, operation, map, view)),
      (err: unknown) => {
        // A dump that raced with a change (NLM_F_DUMP_INTR) is refused whole by the addon: asked
        // again, a few times, rather than returned partial.
        if (!isDump || (err as NativeFailure).errno !== EINTR || (err as NativeFailure).answer) throw toNetlinkError(operation, err);
        if (retries < DUMP_RETRIES) return send(n, retries + 1);
        throw new NetlinkError(operation, EINTR, { detail: `the dump kept changing under concurrent updates (${DUMP_RETRIES + 1} tries); refusing to return a partial result` });
      },
    );
    return this.#native ? send(this.#native) : this.nativeHandle(operation).then((n) => send(n));
  }

  /**
   * An nfnetlink batch in one sendmsg (messages framed by the caller's begin and end), then
   * `sentinel`; a refusal becomes a NetlinkError whose detail `explain` gives.
   */
  async batch(protocol: number, messages: WireMessage[], sentinel: WireMessage, operation: string, explain: BatchExplain = () => undefined): Promise<void> {
    const n = this.#native ?? await this.nativeHandle(operation); // no await when open: sent in the caller's turn
    try {
      await n.batch(protocol, encodeAll(protocol, messages), encode(protocol, sentinel));
    } catch (err) {
      const f = err as { index?: number; errno?: number };
      throw toNetlinkError(operation, err, explain({ index: f.index, errno: f.errno }));
    }
  }

  /**
   * Exchanges in one or more namespaces, run one after another on the addon's threads: the JS
   * thread hears once, at the end, not between steps. A step's items go out together (one
   * sendmsg, in order), each with its own answer; a refusal stops the steps after it (their items
   * answer ECANCELED). A patch copies an integer attribute of an earlier answer (a veth peer's
   * ifindex) into a message just before it is sent.
   */
  static async chain(steps: ChainStep[]): Promise<ChainResult[][]> {
    const operation = operationOf(steps[0], 0) ?? 'netns.request';
    checkChain(steps);
    let sent;
    try {
      // Built in the caller's turn when every handle is open (the usual case): no await, and
      // nothing made that the addon does not take. Encoded before anything is sent: a message the
      // codec refuses fails the whole chain here.
      const out: Parameters<typeof native.chain>[0] = [];
      for (const s of steps) {
        if ('create' in s) {
          out.push({ create: s.create, sysctls: s.sysctl ?? [] });
          continue;
        }
        const starts: number[] = [];
        const messages = encodeAll(s.protocol, s.items.map((i) => i.message), starts);
        const list = s.patches ?? [];
        const patches = new Uint32Array(list.length * PATCH_WORDS);
        const fds: Array<NativeNamespace | null> = [];
        for (const [j, p] of list.entries()) {
          const offset = locate(s.protocol, messages.subarray(starts[p.message], starts[p.message + 1]), p.to);
          let record;
          if ('fromStep' in p) record = [p.fromStep, p.fromMessage, p.fromAttr.type, p.fromAttr.headerSize];
          else record = [PATCH_FROM_FD, fds.push('fdOf' in p ? p.fdOf.#native ?? await p.fdOf.nativeHandle(operation) : null) - 1, 0, 0];
          patches.set([p.message, offset, ...record], j * PATCH_WORDS);
        }
        const ns = s.netns === 'created' ? null : s.netns.#native ?? await s.netns.nativeHandle(operation);
        out.push({ ns, protocol: s.protocol, messages, patches, fds });
      }
      sent = native.chain(out);
    } catch (err) {
      throw toNetlinkError(operation, err); // a handle closed (EBADF); a message the codec refuses
    }
    let answers;
    try {
      answers = await sent;
    } catch (err) {
      throw toNetlinkError(operation, err);
    }
    // Arrays made here, not by map() on the addon's: their shape is then always the same, and the
    // callers' optimized code is not thrown away when the addon's arrays differ from those seen before.
    const results: ChainResult[][] = [];
    for (let k = 0; k < answers.length; k++) {
      const s = steps[k];
      const step: ChainResult[] = [];
      for (let i = 0; i < answers[k].length; i++) step.push(chainResult(s, i, answers[k][i]));
      results.push(step);
    }
    return results;
  }

  /**
   * The kernel's announcements to `groups` of `protocol` in this namespace, decoded; ends (null)
   * once closed, by the caller or with the transport. A read failing ENOBUFS means some were
   * dropped: what the caller knows must be read again.
   */
  async subscribe(protocol: number, groups: number[], operation: string): Promise<Subscription> {
    const n = await this.nativeHandle(operation);
    const s = await nativeCall(operation, native.subscribe(n, protocol, groups));
    if (this.#closed) s.close();
    else this.#subscriptions.add(s);
    let closed = this.#closed;
    return {
      read: async (wait = true) => {
        if (closed) return null;
        try {
          let bytes = await s.read(wait);
          while (wait && bytes === null) bytes = await s.read(wait); // woken for nothing kept: wait on
          return bytes ? decodeReplies(protocol, bytes, operation) : [];
        } catch (err) {
          if (closed || !this.#subscriptions.has(s)) return null; // closed while it waited
          throw toNetlinkError(operation, err);
        }
      },
      close: () => {
        closed = true;
        this.#subscriptions.delete(s);
        s.close();
      },
    };
  }

  /** A /proc/sys file as seen from inside the namespace: opened there by the addon, read here. */
  async sysctlGet(path: string, operation: string): Promise<string> {
    const fd = await nativeCall(operation, native.openIn(await this.nativeHandle(operation), path, false));
    const chunks: Buffer[] = [];
    try {
      for (let n = -1; n !== 0;) {
        const chunk = Buffer.allocUnsafe(4096);
        n = (await fsRead(fd, chunk, 0, chunk.length, null)).bytesRead;
        chunks.push(chunk.subarray(0, n));
      }
    } catch (err) {
      throw fsError(operation, err, `read ${path}`);
    } finally {
      fs.close(fd, () => {});
    }
    return Buffer.concat(chunks).toString();
  }

  async sysctlSet(path: string, value: string, operation: string): Promise<void> {
    const fd = await nativeCall(operation, native.openIn(await this.nativeHandle(operation), path, true));
    try {
      await fsWrite(fd, Buffer.from(value));
    } catch (err) {
      throw fsError(operation, err, `write ${path}`);
    } finally {
      fs.close(fd, () => {});
    }
  }

  /** A tun/tap device made through /dev/net/tun inside the namespace, as `ip tuntap add` does. */
  async tunCreate(name: string, options: { tap: boolean; multiQueue?: boolean; vnetHdr?: boolean; pi?: boolean; owner?: number; group?: number }, operation: string): Promise<void> {
    // linux/if_tun.h: IFF_TUN, IFF_TAP, IFF_MULTI_QUEUE, IFF_NO_PI (ip's default), IFF_VNET_HDR.
    const flags = (options.tap ? 0x2 : 0x1) | (options.multiQueue ? 0x100 : 0) | (options.pi ? 0 : 0x1000) | (options.vnetHdr ? 0x4000 : 0);
    await nativeCall(operation, native.tunCreate(await this.nativeHandle(operation), name, flags, options.owner ?? -1, options.group ?? -1));
  }

  /** A TCP socket made inside the namespace (listening when backlog > 0, else to be connected): its fd, the caller's. */
  async tcpSocket(host: string, port: number, backlog: number, operation: string): Promise<number> {
    const { family, bytes } = parseAddress('host', host);
    // struct sockaddr_in / sockaddr_in6: the family in host order, the port in network order.
    const sockaddr = Buffer.alloc(family === 4 ? 16 : 28);
    sockaddr.writeUInt16LE(family === 4 ? AF_INET : AF_INET6, 0);
    sockaddr.writeUInt16BE(port, 2);
    bytes.copy(sockaddr, family === 4 ? 4 : 8);
    return nativeCall(operation, native.tcpSocket(await this.nativeHandle(operation), sockaddr, backlog), `${host}:${port}`);
  }

  /**
   * A new fd on the namespace for a child process to inherit (undefined for this process's own
   * namespace); the caller closes it once the child is spawned. Synchronous: spawn is.
   */
  lendFd(operation: string): number | undefined {
    if (this.#own) return undefined;
    if (!this.#native) throw closedError(operation);
    try {
      return this.#native.lendFd();
    } catch (err) {
      throw toNetlinkError(operation, err);
    }
  }
}
