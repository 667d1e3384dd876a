// host-local's on-disk store, byte for byte: <dataDir>/<network>/<ip> holds "<containerID>\r\n<ifname>",
// last_reserved_ip.<rangeSet> holds the last address handed out of that range set, and `lock` is the
// file both plugins flock around every change. Callers hold the lock (withStoreLock).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { withFileLock } from './file-lock';

const LAST_RESERVED = 'last_reserved_ip.';
const LOCK = 'lock';
/** host-local's separator between the container ID and the interface name. */
const LINE_BREAK = '\r\n';

export interface StoredAllocation {
  ip: string;
  containerId: string;
  /** Empty for a record written by host-local before it stored interface names. */
  ifname: string;
}

export class HostLocalStore {
  readonly dir: string;

  constructor(dataDir: string, network: string) {
    this.dir = path.join(dataDir, network);
  }

  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o755 });
    return withFileLock(path.join(this.dir, LOCK), fn);
  }

  /** Claims `ip` for the attachment: false when some other file already holds it (O_EXCL, as host-local). */
  async reserve(ip: string, containerId: string, ifname: string, rangeSet: number): Promise<boolean> {
    try {
      await fs.writeFile(path.join(this.dir, ip), `${containerId}${LINE_BREAK}${ifname}`, { flag: 'wx', mode: 0o644 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    await fs.writeFile(path.join(this.dir, `${LAST_RESERVED}${rangeSet}`), ip, { mode: 0o644 });
    return true;
  }

  async lastReserved(rangeSet: number): Promise<string | undefined> {
    try {
      return (await fs.readFile(path.join(this.dir, `${LAST_RESERVED}${rangeSet}`), 'utf8')).trim();
    } catch {
      return undefined;
    }
  }

  /** Every address file (not the lock, not last_reserved_ip.*), read. */
  async all(): Promise<StoredAllocation[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: StoredAllocation[] = [];
    for (const name of names) {
      if (name === LOCK || name.startsWith(LAST_RESERVED)) continue;
      let text: string;
      try {
        text = await fs.readFile(path.join(this.dir, name), 'utf8');
      } catch {
        continue; // released meanwhile, or not a file
      }
      const [containerId, ifname = ''] = text.trim().split(LINE_BREAK);
      out.push({ ip: name, containerId: containerId.trim(), ifname: ifname.trim() });
    }
    return out;
  }

  /** The attachment's records; a record without an interface name (older host-local) is matched by ID alone. */
  async of(containerId: string, ifname: string): Promise<StoredAllocation[]> {
    return (await this.all()).filter((a) => a.containerId === containerId && (a.ifname === ifname || a.ifname === ''));
  }

  async release(ip: string): Promise<void> {
    await fs.rm(path.join(this.dir, ip), { force: true });
  }
}
