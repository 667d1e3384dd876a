// The frame between the shim (native/helper/cni_shim.c) and the daemon (daemon.ts), both sides
// of docs/cni.md "The daemon's frame". Integers are big-endian; one request per connection:
//   request  "NLC1" | u32 env length | u32 stdin length | env | stdin
//            env: NAME=VALUE entries each ending in a NUL byte, CNI_* variables only
//   answer   "NLC1" | i32 exit code | u32 stdout length | u32 stderr length | stdout | stderr
// The bounds are the shim's too: it never sends more than these, so more is a hostile client.
import type { CniRequest, CniResponse } from './run';

export const FRAME_MAGIC = 'NLC1';
export const REQUEST_HEADER_BYTES = 12;
export const ANSWER_HEADER_BYTES = 16;
export const MAX_ENV_BYTES = 64 * 1024;
export const MAX_STDIN_BYTES = 1024 * 1024;

/** The variables a CNI runtime sets for a plugin (the spec's parameters): all the shim forwards. */
export const CNI_VARIABLES = ['CNI_COMMAND', 'CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_ARGS', 'CNI_PATH'] as const;

/** The spec's error codes this layer answers with (the plugin has its own besides). */
export const CNI_ERROR = { invalidEnvironment: 4, ioFailure: 5, decodeFailure: 6, tryAgainLater: 11, internal: 999 } as const;

/** A request the daemon refuses: the spec's error code and the reason, answered as the spec's error object. */
export class FrameError extends Error {
  constructor(readonly cniCode: number, message: string, readonly details?: string) {
    super(message);
    this.name = 'FrameError';
  }
}

/** The spec's error object as the plugin's output (exit code 1). */
export function cniErrorResponse(code: number, msg: string, details?: string): CniResponse {
  return { exitCode: 1, stdout: JSON.stringify({ cniVersion: '1.1.0', code, msg, ...(details !== undefined ? { details } : {}) }) };
}

/** The lengths a request header announces; a FrameError for a header no shim sends. */
export function readRequestHeader(header: Buffer): { envBytes: number; stdinBytes: number } {
  if (header.subarray(0, 4).toString('latin1') !== FRAME_MAGIC) {
    throw new FrameError(CNI_ERROR.decodeFailure, 'not a request frame of the nln CNI shim', `magic ${JSON.stringify(header.subarray(0, 4).toString('latin1'))}`);
  }
  const envBytes = header.readUInt32BE(4);
  const stdinBytes = header.readUInt32BE(8);
  if (envBytes > MAX_ENV_BYTES) throw new FrameError(CNI_ERROR.invalidEnvironment, 'the CNI_* environment is too large', `${envBytes} bytes, at most ${MAX_ENV_BYTES}`);
  if (stdinBytes > MAX_STDIN_BYTES) throw new FrameError(CNI_ERROR.decodeFailure, 'the network configuration on stdin is too large', `${stdinBytes} bytes, at most ${MAX_STDIN_BYTES}`);
  return { envBytes, stdinBytes };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(bytes: Buffer, code: number, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new FrameError(code, `${what} is not UTF-8`);
  }
}

/** The request's body (the bytes after the header): the CNI_* variables and stdin, checked. */
export function decodeRequestBody(body: Buffer, envBytes: number): CniRequest {
  const env: Record<string, string> = {};
  const block = body.subarray(0, envBytes);
  if (block.length > 0 && block[block.length - 1] !== 0) throw new FrameError(CNI_ERROR.invalidEnvironment, 'the environment block does not end in a NUL byte');
  for (const entry of block.length ? text(block.subarray(0, -1), CNI_ERROR.invalidEnvironment, 'the environment').split('\0') : []) {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (eq < 0 || !(CNI_VARIABLES as readonly string[]).includes(name)) {
      throw new FrameError(CNI_ERROR.invalidEnvironment, 'the environment holds a variable the shim never sends', JSON.stringify(name.slice(0, 64)));
    }
    if (name in env) throw new FrameError(CNI_ERROR.invalidEnvironment, `${name} is given twice`);
    env[name] = entry.slice(eq + 1);
  }
  return { env, stdin: text(body.subarray(envBytes), CNI_ERROR.decodeFailure, 'the network configuration on stdin') };
}

/** A request frame, as the shim writes it (for tests and the bench's own client). */
export function encodeRequest(request: { env: Record<string, string>; stdin: string }): Buffer {
  const env = Buffer.from(Object.entries(request.env).map(([k, v]) => `${k}=${v}\0`).join(''));
  const stdin = Buffer.from(request.stdin);
  const header = Buffer.alloc(REQUEST_HEADER_BYTES);
  header.write(FRAME_MAGIC, 0, 'latin1');
  header.writeUInt32BE(env.length, 4);
  header.writeUInt32BE(stdin.length, 8);
  return Buffer.concat([header, env, stdin]);
}

export function encodeAnswer(response: CniResponse): Buffer {
  const stdout = Buffer.from(response.stdout);
  const stderr = Buffer.from(response.stderr ?? '');
  const header = Buffer.alloc(ANSWER_HEADER_BYTES);
  header.write(FRAME_MAGIC, 0, 'latin1');
  header.writeInt32BE(response.exitCode, 4);
  header.writeUInt32BE(stdout.length, 8);
  header.writeUInt32BE(stderr.length, 12);
  return Buffer.concat([header, stdout, stderr]);
}

/** An answer frame read whole (tests and the bench); undefined while incomplete. */
export function decodeAnswer(bytes: Buffer): CniResponse | undefined {
  if (bytes.length < ANSWER_HEADER_BYTES) return undefined;
  if (bytes.subarray(0, 4).toString('latin1') !== FRAME_MAGIC) throw new FrameError(CNI_ERROR.ioFailure, 'not an answer frame');
  const [out, err] = [bytes.readUInt32BE(8), bytes.readUInt32BE(12)];
  if (bytes.length < ANSWER_HEADER_BYTES + out + err) return undefined;
  const stdout = bytes.subarray(ANSWER_HEADER_BYTES, ANSWER_HEADER_BYTES + out).toString('utf8');
  const stderr = bytes.subarray(ANSWER_HEADER_BYTES + out, ANSWER_HEADER_BYTES + out + err).toString('utf8');
  return { exitCode: bytes.readInt32BE(4), stdout, ...(err ? { stderr } : {}) };
}
