// The runtime's CNI_* environment, checked before anything is touched (code 4 names the variable).
import { checkIfname } from '../validate';
import { CNI_ERR, CniError } from './errors';

export const COMMANDS = ['ADD', 'DEL', 'CHECK', 'STATUS', 'GC', 'VERSION'] as const;
export type CniCommand = (typeof COMMANDS)[number];

export interface CniEnv {
  command: CniCommand;
  containerId: string;
  ifname: string;
  /** Path of the container's network namespace; absent on DEL after the namespace is gone. */
  netns?: string;
  /** CNI_ARGS as key=value pairs. */
  args: Map<string, string>;
  /** The namespace the plugin acts in ("the host"): by default the process's own. */
  nodeNetns?: string;
}

/** Longest value accepted for any CNI_* variable (a path, an id): anything longer is hostile or broken. */
const MAX_VALUE = 4096;
/** The spec's container ID: letters, digits, and . _ - (its regex: ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$). */
const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

const invalid = (name: string, why: string) => new CniError(CNI_ERR.invalidEnv, `${name} ${why}`);

function value(env: Record<string, string | undefined>, name: string): string | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (v.length > MAX_VALUE) throw invalid(name, `is ${v.length} characters long (at most ${MAX_VALUE})`);
  if (v.includes('\0')) throw invalid(name, 'contains a NUL character');
  return v;
}

export function parseCommand(env: Record<string, string | undefined>): CniCommand {
  const command = value(env, 'CNI_COMMAND');
  if (command === undefined) throw invalid('CNI_COMMAND', 'is not set');
  if (!(COMMANDS as readonly string[]).includes(command)) throw invalid('CNI_COMMAND', `${JSON.stringify(command)} is not one of ${COMMANDS.join(', ')}`);
  return command as CniCommand;
}

function parseArgs(raw: string | undefined): Map<string, string> {
  const args = new Map<string, string>();
  if (!raw) return args;
  for (const pair of raw.split(';')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw invalid('CNI_ARGS', `has ${JSON.stringify(pair)}, not KEY=VALUE`);
    args.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return args;
}

/** What ADD, DEL and CHECK need: the container's ID, interface name and (except DEL) namespace. */
export function parseEnv(env: Record<string, string | undefined>, command: CniCommand): CniEnv {
  const perContainer = command === 'ADD' || command === 'DEL' || command === 'CHECK';
  const containerId = value(env, 'CNI_CONTAINERID') ?? '';
  const ifname = value(env, 'CNI_IFNAME') ?? '';
  const netns = value(env, 'CNI_NETNS');
  if (perContainer) {
    if (!containerId) throw invalid('CNI_CONTAINERID', 'is not set');
    if (!CONTAINER_ID.test(containerId)) throw invalid('CNI_CONTAINERID', `${JSON.stringify(containerId)} is not letters, digits, '.', '_' and '-'`);
    if (!ifname) throw invalid('CNI_IFNAME', 'is not set');
    try {
      checkIfname('CNI_IFNAME', ifname);
    } catch (err) {
      throw new CniError(CNI_ERR.invalidEnv, (err as Error).message);
    }
    if (command !== 'DEL' && netns === undefined) throw invalid('CNI_NETNS', 'is not set');
  }
  if (netns !== undefined && !netns.startsWith('/')) throw invalid('CNI_NETNS', `${JSON.stringify(netns)} is not an absolute path`);
  const nodeNetns = value(env, 'NLN_CNI_NODE_NETNS');
  if (nodeNetns !== undefined && !nodeNetns.startsWith('/')) throw invalid('NLN_CNI_NODE_NETNS', `${JSON.stringify(nodeNetns)} is not an absolute path`);
  return { command, containerId, ifname, ...(netns ? { netns } : {}), args: parseArgs(value(env, 'CNI_ARGS')), ...(nodeNetns ? { nodeNetns } : {}) };
}
