// The whole plugin as one function of the environment and stdin: the in-process entry
// (plugin-main.ts) and the resident daemon both call it. Whatever happens, the answer is the
// spec's: a result (ADD), nothing (DEL, CHECK, STATUS, GC), the version info (VERSION), or an
// error object {cniVersion, code, msg, details} with exit code 1. It never throws.
import { NetlinkError } from '../errors';
import { Netns } from '../netns';
import { cmdAdd } from './add';
import { cmdCheck } from './check';
import { type NetConf, parseJson, parseNetConf } from './config';
import { cmdDel } from './del';
import { type CniCommand, type CniEnv, parseCommand, parseEnv } from './env';
import { CNI_ERR, CniError } from './errors';
import { cmdGc } from './gc';
import { borrowNode } from './node-handles';
import { cmdStatus } from './status';
import { LATEST, SUPPORTED_VERSIONS, versionInfo } from './version';

export interface CniRequest {
  env: Record<string, string | undefined>;
  stdin: string;
}

export interface CniResponse {
  exitCode: number;
  stdout: string;
  stderr?: string;
}

/** Any failure as the spec's error: ours as they are, the kernel's as code 100, file-system ones as 5 (I/O). */
export function toCniError(err: unknown): CniError {
  if (err instanceof CniError) return err;
  if (err instanceof NetlinkError) return new CniError(CNI_ERR.kernel, err.message, err.kernelMessage ?? err.code);
  if (err instanceof TypeError || err instanceof RangeError) return new CniError(CNI_ERR.invalidConfig, err.message);
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && typeof e.syscall === 'string') return new CniError(CNI_ERR.io, e.message, e.code);
  return new CniError(CNI_ERR.kernel, `internal error: ${e?.message ?? String(err)}`);
}

function errorResponse(cniVersion: string, err: unknown): CniResponse {
  const e = toCniError(err);
  const body = { cniVersion, code: e.code, msg: e.message, ...(e.details ? { details: e.details } : {}) };
  return { exitCode: 1, stdout: `${JSON.stringify(body)}\n`, stderr: `nln-bridge: ${e.message}${e.details ? `: ${e.details}` : ''}\n` };
}

async function dispatch(command: CniCommand, env: CniEnv, conf: NetConf): Promise<string> {
  const borrowed = env.nodeNetns ? await borrowNode(env.nodeNetns) : undefined;
  const node = borrowed?.node ?? Netns.current();
  let failure: unknown;
  try {
    switch (command) {
      case 'ADD': return `${JSON.stringify(await cmdAdd(node, env, conf))}\n`;
      case 'DEL': await cmdDel(node, env, conf); return '';
      case 'CHECK': await cmdCheck(node, env, conf); return '';
      case 'STATUS': await cmdStatus(node, conf); return '';
      case 'GC': await cmdGc(node, conf); return '';
      default: throw new CniError(CNI_ERR.invalidEnv, `CNI_COMMAND ${command} is not handled here`);
    }
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    borrowed?.release(failure);
  }
}

export async function runCni(request: CniRequest): Promise<CniResponse> {
  let cniVersion: string = LATEST;
  try {
    if (typeof request !== 'object' || request === null || typeof request.env !== 'object' || request.env === null) {
      throw new CniError(CNI_ERR.invalidEnv, 'no environment given');
    }
    if (typeof request.stdin !== 'string') throw new CniError(CNI_ERR.decoding, 'no network config given on stdin');
    const command = parseCommand(request.env);
    if (command === 'VERSION') {
      let requested: unknown;
      try {
        requested = (JSON.parse(request.stdin) as { cniVersion?: unknown })?.cniVersion;
      } catch {
        requested = undefined; // VERSION answers whatever stdin held
      }
      return { exitCode: 0, stdout: `${JSON.stringify(versionInfo(requested))}\n` };
    }
    const env = parseEnv(request.env, command);
    const raw = parseJson(request.stdin);
    if (typeof raw.cniVersion === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(raw.cniVersion)) cniVersion = raw.cniVersion;
    const conf = parseNetConf(raw);
    return { exitCode: 0, stdout: await dispatch(command, env, conf) };
  } catch (err) {
    return errorResponse(cniVersion, err);
  }
}
