// host-local's on-disk store, byte for byte: <dataDir>/<network>/<ip> holds "<containerID>\r\n<ifname>",
// last_reserved_ip.<rangeSet> holds the last address handed out of that range set, and `lock` is the
// file both plugins flock around every change. Callers hold the lock (withStoreLock).
// The files under the lock are read and written synchronously: they are a few bytes each on a local
// disk, and a holder that yielded to the event loop between them would keep every other ADD and
// DEL of the daemon waiting for the lock while it waits its turn among them.
import * as fs from 'node:fs';
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
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o755 });
    return withFileLock(path.join(this.dir, LOCK), fn);
  }

  /** Claims `ip` for the attachment: false when some other file already holds it (O_EXCL, as host-local). */
  async reserve(ip: string, containerId: string, ifname: string, rangeSet: number): Promise<boolean> {
    try {
      fs.writeFileSync(path.join(this.dir, ip), `${containerId}${LINE_BREAK}${ifname}`, { flag: 'wx', mode: 0o644 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    fs.writeFileSync(path.join(this.dir, `${LAST_RESERVED}${rangeSet}`), ip, { mode: 0o644 });
    return true;
  }

  async lastReserved(rangeSet: number): Promise<string | undefined> {
    try {
      return fs.readFileSync(path.join(this.dir, `${LAST_RESERVED}${rangeSet}`), 'utf8').trim();
    } catch {
      return undefined;
    }
  }

  /** Every address file (not the lock, not last_reserved_ip.*), read. */
  async all(): Promise<StoredAllocation[]> {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const read = names.filter((name) => name !== LOCK && !name.startsWith(LAST_RESERVED)).map((name) => {
      try {
        return { name, text: fs.readFileSync(path.join(this.dir, name), 'utf8') };
      } catch {
        return undefined; // released meanwhile, or not a file
      }
    });
    return read.flatMap((r) => {
      if (!r) return [];
      const [containerId, ifname = ''] = r.text.trim().split(LINE_BREAK);
      return [{ ip: r.name, containerId: containerId.trim(), ifname: ifname.trim() }];
    });
  }

  /** The attachment's records; a record without an interface name (older host-local) is matched by ID alone. */
  async of(containerId: string, ifname: string): Promise<StoredAllocation[]> {
    return (await this.all()).filter((a) => a.containerId === containerId && (a.ifname === ifname || a.ifname === ''));
  }

  async release(ip: string): Promise<void> {
    fs.rmSync(path.join(this.dir, ip), { force: true });
  }
}
