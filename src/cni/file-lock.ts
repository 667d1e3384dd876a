// An exclusive flock(2) on a file, the lock host-local takes on its store (<dataDir>/<network>/lock),
// so our plugin and the reference one exclude each other. The addon's flock is non-blocking
// (LOCK_NB), so it runs on the JS thread: a lock held by another process is tried again on timers,
// growing from 1 to 20 ms, until LOCK_WAIT_SECONDS have passed, then the caller is told "try again
// later" (code 11). Callers in this process (the daemon serves many) queue per path, so only the
// one at the head polls; each opens the file, and closing it lets the lock go.
import * as fs from 'node:fs';
import { flockFile } from '../kernel/transport';
import { CNI_ERR, CniError } from './errors';

/** How long a caller waits for the store before answering "try again later" (code 11). */
export const LOCK_WAIT_SECONDS = 30;
const FIRST_RETRY_MS = 1;
const LAST_RETRY_MS = 20;

/** Per path with a holder in this process: the callers of this process waiting after it, in order. */
const waiting = new Map<string, Array<() => void>>();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits for this caller's turn among the callers of this process for `path`; code 11 (and out of the queue) at `deadline`. */
async function turn(path: string, deadline: number, waitSeconds: number): Promise<void> {
  const queue = waiting.get(path);
  if (!queue) {
    waiting.set(path, []);
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      queue.splice(queue.indexOf(go), 1);
      reject(new CniError(CNI_ERR.tryAgain, `the lock on ${path} was not had within ${waitSeconds} s`, 'callers in this process held it'));
    }, Math.max(0, deadline - Date.now()));
    const go = () => {
      clearTimeout(timer);
      resolve();
    };
    queue.push(go);
  });
}

/** Ends this caller's turn: the next one goes on. */
function endTurn(path: string): void {
  const next = waiting.get(path)!.shift();
  if (next) next();
  else waiting.delete(path);
}

/** The fd of `path` opened and flocked; code 11 when another process keeps it past `deadline`. */
async function lockFile(path: string, deadline: number, waitSeconds: number): Promise<number> {
  const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  try {
    for (let retryMs = FIRST_RETRY_MS; !flockFile(fd, true); retryMs = Math.min(retryMs * 2, LAST_RETRY_MS)) {
      if (Date.now() >= deadline) throw new CniError(CNI_ERR.tryAgain, `the lock on ${path} was not had within ${waitSeconds} s`, 'another process holds it');
      await sleep(Math.min(retryMs, Math.max(1, deadline - Date.now())));
    }
    return fd;
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/** Runs fn holding the lock on `path` (created if absent); a lock not had within the wait is code 11. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, waitSeconds = LOCK_WAIT_SECONDS): Promise<T> {
  const deadline = Date.now() + waitSeconds * 1000;
  await turn(path, deadline, waitSeconds);
  try {
    const fd = await lockFile(path, deadline, waitSeconds);
    try {
      return await fn();
    } finally {
      fs.closeSync(fd);
    }
  } finally {
    endTurn(path);
  }
}
