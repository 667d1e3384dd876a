// An exclusive flock(2) on a file, the lock host-local takes on its store (<dataDir>/<network>/lock),
// so our plugin and the reference one exclude each other. Node has no flock, so flock(1) takes it
// on an fd it inherits: a flock belongs to the open file description, which stays open in this
// process after flock(1) exits, so the lock is held until this process closes its fd.
// Starting flock(1) costs several milliseconds, more than the work done under the lock: so callers
// in this process (the daemon serves many) queue for the lock here, and a holder hands the file
// lock on to the next one in the queue rather than releasing it and having it taken again; after
// the last one it is kept LINGER_MS for a caller that follows soon (pods come in bursts), then
// released. Other processes wait at most MAX_HANDOVERS holders plus LINGER_MS for their turn.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { CNI_ERR, CniError } from './errors';

/** How long a caller waits for the store before answering "try again later" (code 11). */
export const LOCK_WAIT_SECONDS = 30;
/** How long the file lock is kept after its last holder in this process. */
export const LINGER_MS = 100;
/** Holders in a row that share one taking of the file lock before it is let go for other processes. */
const MAX_HANDOVERS = 64;

interface PathState {
  busy: boolean;
  queue: Array<() => void>;
  handle?: fs.FileHandle;
  /** Holders since the file lock was taken. */
  handovers: number;
  linger?: NodeJS.Timeout;
}

const states = new Map<string, PathState>();

function takeLock(fd: number, waitSeconds: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['--exclusive', '--wait', String(waitSeconds), '3'], { stdio: ['ignore', 'ignore', 'ignore', fd] });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}

/** The file lock, kept from before when `path` still names the file it is on (a store removed and made again is a new file). */
async function fileLock(state: PathState, path: string, waitSeconds: number): Promise<void> {
  if (state.handle) {
    const [held, now] = await Promise.all([state.handle.stat(), fs.stat(path).catch(() => undefined)]);
    if (now && now.ino === held.ino && now.dev === held.dev) return;
    await letGo(state);
  }
  const handle = await fs.open(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  try {
    const code = await takeLock(handle.fd, waitSeconds);
    if (code !== 0) throw new CniError(CNI_ERR.tryAgain, `the lock on ${path} was not had within ${waitSeconds} s`, `flock exited with ${code}`);
  } catch (err) {
    await handle.close();
    throw err;
  }
  state.handle = handle;
  state.handovers = 0;
}

async function letGo(state: PathState): Promise<void> {
  const handle = state.handle;
  state.handle = undefined;
  await handle?.close();
}

/** Ends this holder's turn: the next caller here gets the lock as it is, or it is let go (now, or after the linger). */
async function release(path: string, state: PathState): Promise<void> {
  state.handovers++;
  if (state.handovers >= MAX_HANDOVERS) await letGo(state);
  const next = state.queue.shift();
  if (next) {
    next();
    return;
  }
  state.busy = false;
  if (!state.handle) {
    states.delete(path);
    return;
  }
  state.linger = setTimeout(() => {
    state.linger = undefined;
    if (state.busy) return;
    void letGo(state).finally(() => { if (!state.busy && !state.handle) states.delete(path); });
  }, LINGER_MS);
  state.linger.unref();
}

/** Runs fn holding the lock on `path` (created if absent); a lock not had within the wait is code 11. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, waitSeconds = LOCK_WAIT_SECONDS): Promise<T> {
  let state = states.get(path);
  if (!state) states.set(path, (state = { busy: false, queue: [], handovers: 0 }));
  const s = state;
  if (s.busy) await new Promise<void>((resolve) => s.queue.push(resolve));
  s.busy = true;
  clearTimeout(s.linger);
  s.linger = undefined;
  try {
    await fileLock(s, path, waitSeconds);
    return await fn();
  } finally {
    await release(path, s);
  }
}
