// ns.sysctl: the namespace's own net.* sysctls (/proc/sys/net as seen from inside it).
import { NetlinkError } from './errors';
import type { Transport } from './kernel/transport';
import { checkObject, rangeError, typeError } from './validate';

/** Dotted keys under net. only: no '/', no '..', nothing outside /proc/sys/net. */
export function sysctlPath(key: unknown): string {
  if (typeof key !== 'string') throw typeError('key', key, 'a sysctl key like "net.ipv4.ip_forward"');
  if (key.includes('/')) throw rangeError('key', key, 'contains "/": keys are dotted, like net.ipv4.conf.eth0.forwarding');
  if (key.includes('..')) throw rangeError('key', key, 'contains ".."');
  if (!key.startsWith('net.')) throw rangeError('key', key, 'is not under "net." (only the namespace\'s own net.* sysctls are reachable)');
  if (!/^net(\.[A-Za-z0-9_-]+)+$/.test(key)) throw rangeError('key', key, 'is not a dotted sysctl key (letters, digits, "_" and "-" between dots)');
  return `/proc/sys/${key.replace(/\./g, '/')}`;
}

/** A { key: value } object as [/proc/sys path, value] pairs, checked (for settings given with a call). */
export function sysctlPairs(field: string, settings: unknown): Array<[string, string]> {
  return Object.entries(checkObject(field, settings)).map(([key, value]) => {
    let path: string;
    try {
      path = sysctlPath(key);
    } catch (err) {
      throw Object.assign(err as Error, { message: `${field}: ${(err as Error).message}` });
    }
    if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'string') throw typeError(`${field}.${key}`, value, 'a string or a number');
    return [path, String(value)];
  });
}

export class Sysctl {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** The value as `sysctl -n` prints it (fields separated by tabs), without the trailing newline. */
  async get(key: string): Promise<string> {
    const path = sysctlPath(key);
    return (await this.#t.sysctlGet(path, 'sysctl.get').catch(explain(key))).replace(/\n$/, '');
  }

  async set(key: string, value: string | number): Promise<void> {
    const path = sysctlPath(key);
    if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'string') throw typeError('value', value, 'a string or a number');
    await this.#t.sysctlSet(path, String(value), 'sysctl.set').catch(explain(key));
  }
}

/** ENOENT from /proc/sys: the key does not exist in this namespace (or this kernel). */
const explain = (key: string) => (err: unknown): never => {
  if (err instanceof NetlinkError && err.errno === 2) throw new NetlinkError('sysctl', 2, { detail: `no sysctl ${key} in this namespace` });
  throw err;
};
