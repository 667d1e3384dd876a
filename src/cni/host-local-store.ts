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
/** A record is an address or a container ID and a name: anything longer is not one of ours. */
const MAX_RECORD = 4096;

// O_NONBLOCK: a FIFO or device planted in the store must not stop the daemon's event loop in
// open(2) or read(2); anything but a regular file of record size is refused.
const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_TRUNC, O_NONBLOCK, O_NOFOLLOW } = fs.constants;

/** A record's text; undefined when absent or not a regular file of record size. */
function readRecord(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > MAX_RECORD) return undefined;
    const buf = Buffer.alloc(st.size);
    return buf.subarray(0, fs.readSync(fd, buf, 0, st.size, 0)).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes a record; `exclusive`: only if the name is free (EEXIST otherwise). A non-file in the way is an error, never a wait. */
function writeRecord(file: string, text: string, exclusive: boolean): void {
  const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_NONBLOCK | O_NOFOLLOW | (exclusive ? O_EXCL : O_TRUNC), 0o644);
  try {
    if (!fs.fstatSync(fd).isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EINVAL' });
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}

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
      writeRecord(path.join(this.dir, ip), `${containerId}${LINE_BREAK}${ifname}`, true);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    writeRecord(path.join(this.dir, `${LAST_RESERVED}${rangeSet}`), ip, false);
    return true;
  }

  async lastReserved(rangeSet: number): Promise<string | undefined> {
    return readRecord(path.join(this.dir, `${LAST_RESERVED}${rangeSet}`))?.trim();
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
    return names.filter((name) => name !== LOCK && !name.startsWith(LAST_RESERVED)).flatMap((name) => {
      const text = readRecord(path.join(this.dir, name)); // undefined: released meanwhile, or not a record
      if (text === undefined) return [];
      const [containerId, ifname = ''] = text.trim().split(LINE_BREAK);
      return [{ ip: name, containerId: containerId.trim(), ifname: ifname.trim() }];
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
