// An exclusive flock(2) on a file, the lock host-local takes on its store (<dataDir>/<network>/lock),
// so our plugin and the reference one exclude each other. Node has no flock, so flock(1) takes it
// on an fd it inherits: a flock belongs to the open file description, which stays open in this
// process after flock(1) exits, so the lock is held until this process closes its fd.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { CNI_ERR, CniError } from './errors';

/** How long a caller waits for the store before answering "try again later" (code 11). */
export const LOCK_WAIT_SECONDS = 30;

function takeLock(fd: number, waitSeconds: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['--exclusive', '--wait', String(waitSeconds), '3'], { stdio: ['ignore', 'ignore', 'ignore', fd] });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}

/** Runs fn holding the lock on `path` (created if absent); a lock not had within the wait is code 11. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, waitSeconds = LOCK_WAIT_SECONDS): Promise<T> {
  const handle = await fs.open(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  try {
    const code = await takeLock(handle.fd, waitSeconds);
    if (code !== 0) throw new CniError(CNI_ERR.tryAgain, `the lock on ${path} was not had within ${waitSeconds} s`, `flock exited with ${code}`);
    return await fn();
  } finally {
    await handle.close();
  }
}
