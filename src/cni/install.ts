// `nln cni install`: puts the shim where runtimes look for plugins, under the plugin's type name,
// with its conf file beside it (where node and the in-process entry are, for when no daemon
// answers). Each file is written aside and renamed into place: a runtime exec'ing the plugin at
// that moment finds the old file or the new one, never half of one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CNI_SHIM } from '../kernel/transport';

export const DEFAULT_CNI_BIN_DIR = '/opt/cni/bin';
export const CNI_PLUGIN_TYPE = 'nln-bridge';

export interface CniInstallOptions {
  /** Where the runtime finds plugins (default /opt/cni/bin). */
  binDir?: string;
  /** The plugin's type name (default nln-bridge). */
  type?: string;
  /** The daemon's socket, when it is not the default. */
  socket?: string;
  /** The node that runs the plugin when no daemon answers (default this one). */
  node?: string;
}

export interface CniInstalled { plugin: string; conf: string }

function writeAtomically(file: string, write: (tmp: string) => void, mode: number): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    write(tmp);
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

export function installCniShim(options: CniInstallOptions = {}): CniInstalled {
  const binDir = path.resolve(options.binDir ?? DEFAULT_CNI_BIN_DIR);
  const type = options.type ?? CNI_PLUGIN_TYPE;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(type)) throw new RangeError(`cni install: type ${JSON.stringify(type)} is not a plugin file name`);
  if (!fs.existsSync(CNI_SHIM)) throw new RangeError(`cni install: the shim ${CNI_SHIM} is missing (build it: npm run build:native)`);
  for (const [what, value] of [['socket', options.socket], ['node', options.node]] as const) {
    if (value !== undefined && (!path.isAbsolute(value) || /[\n\r]/.test(value))) throw new RangeError(`cni install: ${what} must be an absolute path on one line, not ${JSON.stringify(value)}`);
  }
  fs.mkdirSync(binDir, { recursive: true, mode: 0o755 });
  const plugin = path.join(binDir, type);
  const conf = `${plugin}.conf`;
  const lines = [
    '# written by `nln cni install`: read by the shim beside it',
    `node=${options.node ?? process.execPath}`,
    `plugin=${path.join(__dirname, 'plugin-main.js')}`,
    ...(options.socket !== undefined ? [`socket=${options.socket}`] : []),
  ];
  // The conf first: a new shim never runs without it.
  writeAtomically(conf, (tmp) => fs.writeFileSync(tmp, `${lines.join('\n')}\n`), 0o644);
  writeAtomically(plugin, (tmp) => fs.copyFileSync(CNI_SHIM, tmp), 0o755);
  return { plugin, conf };
}
