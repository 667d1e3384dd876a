// `nln cni daemon|install`: the resident CNI plugin and the shim runtimes exec.
import * as fs from 'node:fs';
import { DEFAULT_CNI_SOCKET, runCniDaemon } from '../cni/daemon';
import { CNI_PLUGIN_TYPE, DEFAULT_CNI_BIN_DIR, installCniShim } from '../cni/install';

export const CNI_HELP = `usage: nln cni daemon [--socket PATH] [--group NAME|GID] [--request-timeout MS]
       nln cni install [--bin-dir DIR] [--type NAME] [--socket PATH]
  daemon    serves CNI calls on a unix socket (default ${DEFAULT_CNI_SOCKET}; root only, or also --group)
            until SIGTERM, which lets the calls in flight finish
  install   copies the shim into DIR (default ${DEFAULT_CNI_BIN_DIR}) as NAME (default ${CNI_PLUGIN_TYPE}),
            with NAME.conf beside it (node and the plugin, for when no daemon answers)`;

function options(args: string[], valued: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    if (!valued.includes(args[i])) throw new RangeError(`cni: ${JSON.stringify(args[i])} is not understood here`);
    if (args[i + 1] === undefined) throw new RangeError(`cni: ${args[i]} needs a value`);
    out[args[i]] = args[++i];
  }
  return out;
}

/** A group name (from /etc/group) or a gid. */
export function groupId(name: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  for (const line of fs.readFileSync('/etc/group', 'utf8').split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && /^\d+$/.test(gid ?? '')) return Number(gid);
  }
  throw new RangeError(`cni: no group named ${JSON.stringify(name)} in /etc/group`);
}

export async function runCniCommand(args: string[]): Promise<number> {
  const [verb, ...rest] = args;
  if (verb === 'daemon') {
    const o = options(rest, ['--socket', '--group', '--request-timeout']);
    const timeout = o['--request-timeout'] !== undefined ? Number(o['--request-timeout']) : undefined;
    if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0)) throw new RangeError(`cni daemon: --request-timeout must be a positive number of ms, not ${JSON.stringify(o['--request-timeout'])}`);
    await runCniDaemon({
      ...(o['--socket'] !== undefined ? { socket: o['--socket'] } : {}),
      ...(o['--group'] !== undefined ? { group: groupId(o['--group']) } : {}),
      ...(timeout !== undefined ? { requestTimeoutMs: timeout } : {}),
    });
    return 0;
  }
  if (verb === 'install') {
    const o = options(rest, ['--bin-dir', '--type', '--socket']);
    const done = installCniShim({
      ...(o['--bin-dir'] !== undefined ? { binDir: o['--bin-dir'] } : {}),
      ...(o['--type'] !== undefined ? { type: o['--type'] } : {}),
      ...(o['--socket'] !== undefined ? { socket: o['--socket'] } : {}),
    });
    console.log(`installed ${done.plugin} (and ${done.conf})`);
    return 0;
  }
  console.error(CNI_HELP);
  return 2;
}
