// host-local's on-disk store, byte for byte: <dataDir>/<network>/<ip> holds "<containerID>\r\n<ifname>",
// last_reserved_ip.<rangeSet> holds the last address handed out of that range set, and `lock` is the
// file both plugins flock around every change.
// The files under the lock are read and written synchronously: they are a few bytes each on a local
// disk, and a holder that yielded to the event loop between them would keep every other ADD and
// DEL of the daemon waiting for the lock while it waits its turn among them.
// host-local's ADD and DEL read every record (to find the container's); a daemon serving 64 calls
// at once would lock and read them all 64 times, on its event loop. So calls that arrive together
// are batched: the lock is taken once for them, the records read once, and each call's changes are
// applied to that reading (no other writer changes the store while we hold the lock).
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
// open(2) or read(2). A reading of every record takes only the names the directory lists as regular
// files; anything else, or longer than a record, is not one.
const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_TRUNC, O_NONBLOCK, O_NOFOLLOW } = fs.constants;

/** One record's bytes, read into this (the store is read synchronously, one file at a time). */
const readBuffer = Buffer.alloc(MAX_RECORD + 1);

/** A record's text; undefined when absent, unreadable or longer than a record. */
function readRecord(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const n = fs.readSync(fd, readBuffer, 0, readBuffer.length, 0);
    return n > MAX_RECORD ? undefined : readBuffer.toString('utf8', 0, n);
  } catch {
    return undefined; // a directory, a FIFO with nothing to say: not a record
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

/**
 * The store as one holder of its lock sees it: the records read once, when first asked for, and
 * the holder's own changes applied to that reading. Without the lock (CHECK, STATUS) it is what
 * the files held at one moment.
 */
export class StoreView {
  /** By address; undefined until read, and again after a write that failed part way. */
  private records: Map<string, StoredAllocation> | undefined;
  /** The last address reserved from each range set in this hold, written by finish(). */
  private readonly lastWritten = new Map<number, string>();

  constructor(readonly dir: string) {}

  /** Every address file (not the lock, not last_reserved_ip.*). */
  all(): StoredAllocation[] {
    return [...this.read().values()];
  }

  /** The attachment's records; a record without an interface name (older host-local) is matched by ID alone. */
  of(containerId: string, ifname: string): StoredAllocation[] {
    return this.all().filter((a) => a.containerId === containerId && (a.ifname === ifname || a.ifname === ''));
  }

  /** Claims `ip` for the attachment: false when some other file already holds it (O_EXCL, as host-local). */
  reserve(ip: string, containerId: string, ifname: string, rangeSet: number): boolean {
    try {
      writeRecord(path.join(this.dir, ip), `${containerId}${LINE_BREAK}${ifname}`, true);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      this.records = undefined;
      throw err;
    }
    this.records?.set(ip, { ip, containerId, ifname });
    this.lastWritten.set(rangeSet, ip);
    return true;
  }

  lastReserved(rangeSet: number): string | undefined {
    return this.lastWritten.get(rangeSet) ?? readRecord(path.join(this.dir, `${LAST_RESERVED}${rangeSet}`))?.trim();
  }

  /**
   * Writes last_reserved_ip.N of each range set reserved from, once for the whole hold (host-local
   * writes it after each address). It only says where the next search starts: one not written (a
   * write that failed, a crash before it) leaves an earlier position, from which a search skips
   * the addresses taken since, as host-local's does after a crash between its two writes.
   */
  finish(): void {
    for (const [rangeSet, ip] of this.lastWritten) {
      try {
        writeRecord(path.join(this.dir, `${LAST_RESERVED}${rangeSet}`), ip, false);
      } catch {
        // left at its earlier position (above)
      }
    }
    this.lastWritten.clear();
  }

  release(ip: string): void {
    try {
      fs.rmSync(path.join(this.dir, ip), { force: true });
    } catch (err) {
      this.records = undefined;
      throw err;
    }
    this.records?.delete(ip);
  }

  private read(): Map<string, StoredAllocation> {
    if (this.records) return this.records;
    const records = new Map<string, StoredAllocation>();
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(this.dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const entry of entries) {
      const name = entry.name;
      if (!entry.isFile() || name === LOCK || name.startsWith(LAST_RESERVED)) continue;
      const text = readRecord(path.join(this.dir, name)); // undefined: released meanwhile, or not a record
      if (text === undefined) continue;
      const [containerId, ifname = ''] = text.trim().split(LINE_BREAK);
      records.set(name, { ip: name, containerId: containerId.trim(), ifname: ifname.trim() });
    }
    this.records = records;
    return records;
  }
}

interface Job { fn: (view: StoreView) => unknown; resolve: (value: unknown) => void; reject: (err: unknown) => void }
/** By store directory: the calls waiting for the next hold of its lock. */
const waiting = new Map<string, Job[]>();

/** Takes the lock for the calls waiting on `dir` (those arriving until it is had), runs them in order, lets it go. */
async function runWaiting(dir: string): Promise<void> {
  let taken = false;
  try {
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o755 });
    await withFileLock(path.join(dir, LOCK), async () => {
      taken = true;
      const jobs = waiting.get(dir) ?? [];
      waiting.delete(dir);
      const view = new StoreView(dir);
      for (const job of jobs) {
        try {
          const out = job.fn(view);
          if (typeof (out as { then?: unknown } | undefined)?.then === 'function') throw new TypeError('HostLocalStore.locked: fn must be synchronous (the lock is held only while it runs)');
          job.resolve(out);
        } catch (err) {
          job.reject(err);
        }
      }
      view.finish(); // before any caller goes on (they resume after this turn)
    });
  } catch (err) {
    if (taken) return; // its calls were answered; those waiting now are the next hold's
    const jobs = waiting.get(dir) ?? [];
    waiting.delete(dir);
    for (const job of jobs) job.reject(err);
  }
}

export class HostLocalStore {
  readonly dir: string;

  constructor(dataDir: string, network: string) {
    this.dir = path.join(dataDir, network);
  }

  /** The store as it is now, read without its lock (CHECK, STATUS). */
  view(): StoreView {
    return new StoreView(this.dir);
  }

  /**
   * Runs fn holding the store's lock (the directory made if missing). Calls arriving before the
   * event loop's next turn, or while the lock is waited for, run one after another in one hold and
   * share one reading; fn is synchronous, so no call waits inside the hold.
   */
  locked<T>(fn: (view: StoreView) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let jobs = waiting.get(this.dir);
      if (!jobs) {
        jobs = [];
        waiting.set(this.dir, jobs);
        setImmediate(() => void runWaiting(this.dir));
      }
      jobs.push({ fn, resolve: resolve as (value: unknown) => void, reject });
    });
  }
}
