// `nln cni daemon`: the resident CNI plugin. The shim a runtime execs (native/helper/cni_shim.c)
// forwards each call here over a unix socket, so a call costs a connect, not a Node start-up.
// Who may call: the socket is root's, mode 0600 (0660 with the admin's group), in a directory only
// root writes; and each caller's credentials, as the kernel recorded them at connect()
// (SO_PEERCRED, SO_PEERGROUPS), are checked again before a byte is read, so a socket whose mode
// was loosened (or handed to someone) still serves no one else. Every request is its own
// connection, served concurrently; a GC runs alone on its network (network-lock.ts).
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { peerCredentials, type PeerCredentials } from '../kernel/transport';
import { CNI_ERROR, cniErrorResponse, decodeRequestBody, encodeAnswer, FrameError, readRequestHeader, REQUEST_HEADER_BYTES } from './frame';
import { lockMode, NetworkLock } from './network-lock';
import { closeKeptNodes } from './node-handles';
import { type CniRequest, type CniResponse, runCni } from './run';

export const DEFAULT_CNI_SOCKET = '/run/netlink-native/cni.sock';

export interface CniDaemonOptions {
  /** The socket's path (default /run/netlink-native/cni.sock); its directory is made 0755 if missing. */
  socket?: string;
  /** A group whose members are served besides root: the socket becomes 0660 root:group. */
  group?: number;
  /** What answers a request (default the plugin, runCni). */
  handler?: (request: CniRequest) => Promise<CniResponse>;
  /** A connection that has not sent its whole request by then is answered with an error and closed (default 10 s). */
  requestTimeoutMs?: number;
  /** One line per request served or refused (default: stderr). */
  log?: (line: string) => void;
}

const defaultLog = (line: string) => process.stderr.write(`nln cni daemon: ${line}\n`);

export class CniDaemon {
  readonly socket: string;
  readonly #server: net.Server;
  readonly #options: CniDaemonOptions;
  readonly #handler: (request: CniRequest) => Promise<CniResponse>;
  readonly #log: (line: string) => void;
  readonly #lock = new NetworkLock();
  readonly #connections = new Set<Promise<void>>();
  #closing: Promise<void> | undefined;

  private constructor(socket: string, server: net.Server, options: CniDaemonOptions) {
    this.socket = socket;
    this.#server = server;
    this.#options = options;
    this.#handler = options.handler ?? runCni;
    this.#log = options.log ?? defaultLog;
  }

  /** Listens on the socket; rejects when its directory is not root's alone or another daemon answers there. */
  static async listen(options: CniDaemonOptions = {}): Promise<CniDaemon> {
    const socket = path.resolve(options.socket ?? DEFAULT_CNI_SOCKET);
    if (options.group !== undefined && (!Number.isInteger(options.group) || options.group < 0)) {
      throw new RangeError(`cni daemon: group must be a gid (a non-negative integer), not ${JSON.stringify(options.group)}`);
    }
    prepareDirectory(path.dirname(socket));
    await removeStaleSocket(socket);
    let daemon: CniDaemon | undefined;
    // Half-open: a caller that ends its side early still gets the error that says why.
    const server = net.createServer({ allowHalfOpen: true }, (connection) => daemon!.#accept(connection));
    // The socket is made 0600 from the start: no moment when another user could connect.
    const umask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ path: socket, backlog: 511 }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(umask);
    }
    if (options.group !== undefined) {
      fs.chownSync(socket, process.geteuid!(), options.group);
      fs.chmodSync(socket, 0o660);
    }
    daemon = new CniDaemon(socket, server, options);
    return daemon;
  }

  /** Connections being read or served. */
  get inFlight(): number {
    return this.#connections.size;
  }

  /** Stops listening (the socket file goes at once: shims fall back to running the plugin themselves), then waits for every request in flight to be answered. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await new Promise<void>((resolve) => this.#server.close(() => resolve()));
      await Promise.all([...this.#connections]);
      closeKeptNodes();
    })();
    return this.#closing;
  }

  #accept(connection: net.Socket): void {
    connection.on('error', () => {}); // a caller that went away: nothing to answer
    const served: Promise<void> = this.#serve(connection)
      .catch((err: unknown) => this.#log(`connection failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        connection.destroy();
        this.#connections.delete(served);
      });
    this.#connections.add(served);
  }

  async #serve(connection: net.Socket): Promise<void> {
    const peer = credentialsOf(connection);
    if (!this.#allowed(peer)) {
      this.#log(`refused pid ${peer?.pid ?? '?'} uid ${peer?.uid ?? '?'} gid ${peer?.gid ?? '?'}: not root${this.#options.group !== undefined ? ` nor in group ${this.#options.group}` : ''}`);
      await send(connection, cniErrorResponse(CNI_ERROR.ioFailure, 'the CNI daemon does not serve this user',
        `only root${this.#options.group !== undefined ? ` and group ${this.#options.group}` : ''} may call it`));
      return;
    }
    // An exec'd plugin acts in its runtime's namespace: the daemon acts in its caller's, never its
    // own. Held from the moment the caller is known, so that a caller gone (and its pid reused)
    // before the call runs cannot point the plugin at another process's namespace.
    let callerNetns: number;
    try {
      callerNetns = fs.openSync(`/proc/${peer!.pid}/ns/net`, 'r');
    } catch (err) {
      this.#log(`caller pid ${peer!.pid} gone before its call: ${err instanceof Error ? err.message : String(err)}`);
      await send(connection, cniErrorResponse(CNI_ERROR.ioFailure, "the CNI daemon cannot enter its caller's network namespace", String(err)));
      return;
    }
    try {
      let request: CniRequest;
      try {
        request = await readRequest(connection, this.#options.requestTimeoutMs ?? 10_000);
      } catch (err) {
        if (!(err instanceof FrameError)) throw err;
        this.#log(`bad request from pid ${peer!.pid} uid ${peer!.uid}: ${err.message}${err.details ? ` (${err.details})` : ''}`);
        await send(connection, cniErrorResponse(err.cniCode, err.message, err.details));
        return;
      }
      request = { ...request, env: { ...request.env, NLN_CNI_NODE_NETNS: `/proc/self/fd/${callerNetns}` } };
      const started = performance.now();
      const response = await this.#dispatch(request);
      const { CNI_COMMAND: command = '?', CNI_CONTAINERID: container = '-' } = request.env;
      this.#log(`${command} ${container} uid ${peer!.uid}: exit ${response.exitCode} in ${(performance.now() - started).toFixed(1)} ms`);
      await send(connection, response);
    } finally {
      fs.closeSync(callerNetns);
    }
  }

  #allowed(peer: PeerCredentials | undefined): boolean {
    if (!peer) return false;
    if (peer.uid === 0 || peer.uid === process.geteuid!()) return true;
    const group = this.#options.group;
    return group !== undefined && (peer.gid === group || peer.groups.includes(group));
  }

  #dispatch(request: CniRequest): Promise<CniResponse> {
    const run = () => this.#handler(request).catch((err: unknown) =>
      cniErrorResponse(CNI_ERROR.internal, 'the plugin failed', err instanceof Error ? err.message : String(err)));
    const mode = lockMode(request.env.CNI_COMMAND);
    return mode ? this.#lock.run(networkName(request.stdin), mode === 'exclusive', run) : run();
  }
}

/** The caller's credentials; undefined when the kernel cannot say (then it is not served). */
function credentialsOf(connection: net.Socket): PeerCredentials | undefined {
  // Node keeps the accepted fd on the socket's handle; it has no API for SO_PEERCRED itself.
  const fd = (connection as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  try {
    return peerCredentials(fd);
  } catch {
    return undefined;
  }
}

/** One request frame, read whole within the time allowed: a FrameError for anything else. */
function readRequest(connection: net.Socket, timeoutMs: number): Promise<CniRequest> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    let frame: { envBytes: number; total: number } | undefined;
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      connection.off('data', onData);
      connection.off('end', onEnd);
      connection.pause();
      settle();
    };
    const timer = setTimeout(() => finish(() => reject(new FrameError(CNI_ERROR.decodeFailure, `no whole request within ${timeoutMs} ms`))), timeoutMs);
    const onEnd = () => finish(() => reject(new FrameError(CNI_ERROR.decodeFailure, 'the request ended before its frame did')));
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      have += chunk.length;
      try {
        if (!frame && have >= REQUEST_HEADER_BYTES) {
          const { envBytes, stdinBytes } = readRequestHeader(Buffer.concat(chunks).subarray(0, REQUEST_HEADER_BYTES));
          frame = { envBytes, total: REQUEST_HEADER_BYTES + envBytes + stdinBytes };
        }
        if (frame && have >= frame.total) {
          // One request per connection: bytes past the frame are not read.
          const request = decodeRequestBody(Buffer.concat(chunks).subarray(REQUEST_HEADER_BYTES, frame.total), frame.envBytes);
          finish(() => resolve(request));
        }
      } catch (err) {
        finish(() => reject(err));
      }
    };
    connection.on('data', onData);
    connection.on('end', onEnd);
  });
}

/** Writes the answer frame; resolves once it is handed to the kernel (or the caller is gone). */
function send(connection: net.Socket, response: CniResponse): Promise<void> {
  return new Promise((resolve) => {
    if (connection.destroyed || !connection.writable) return resolve();
    connection.once('close', () => resolve());
    connection.write(encodeAnswer(response), () => resolve());
  });
}

/** The network a request is about (its config's name): GC and ADD of one network exclude each other. */
function networkName(stdin: string): string {
  try {
    const config = JSON.parse(stdin) as { name?: unknown };
    return typeof config?.name === 'string' ? config.name : '';
  } catch {
    return '';
  }
}

/** The socket's directory: made root's and 0755 if missing; refused if anyone else could write in it (and so replace the socket). */
function prepareDirectory(dir: string): void {
  try {
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755); // past the umask
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = fs.lstatSync(dir);
  if (!st.isDirectory()) throw new RangeError(`cni daemon: ${dir} is not a directory`);
  if (st.uid !== process.geteuid!() || (st.mode & 0o022) !== 0) {
    throw new RangeError(`cni daemon: ${dir} must belong to uid ${process.geteuid!()} and be writable by no one else (it is uid ${st.uid}, mode ${(st.mode & 0o7777).toString(8)})`);
  }
}

/** A socket file nobody listens on (a daemon that died) is removed; one that answers is another daemon's. */
async function removeStaleSocket(socket: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(socket);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!st.isSocket()) throw new RangeError(`cni daemon: ${socket} exists and is not a socket`);
  const answered = await new Promise<boolean>((resolve, reject) => {
    const probe = net.connect(socket);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? resolve(false) : reject(err)));
  });
  if (answered) throw new RangeError(`cni daemon: another daemon is listening on ${socket}`);
  fs.unlinkSync(socket);
}

/**
 * The daemon until SIGTERM or SIGINT: then it stops listening, answers what is in flight and
 * resolves. It logs "listening on PATH" once the socket is ready.
 */
export async function runCniDaemon(options: CniDaemonOptions = {}): Promise<void> {
  const log = options.log ?? defaultLog;
  const daemon = await CniDaemon.listen(options);
  log(`listening on ${daemon.socket}${options.group !== undefined ? ` (group ${options.group})` : ''}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      log(`${signal}: stopping, ${daemon.inFlight} request(s) in flight`);
      daemon.close().then(resolve);
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
  log('stopped');
}
