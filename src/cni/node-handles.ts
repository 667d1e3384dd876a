// The node namespace's handle, kept between calls. Opening one per call (and closing it after)
// gives each call new netlink sockets, and releasing a netfilter socket makes the kernel finish
// nf_tables' deferred cleanup first (an RCU grace period, 5-10 ms) while holding the lock the next
// nftables change needs. A daemon serving the machine's own namespace keeps its sockets anyway;
// one told a node namespace by path (NLN_CNI_NODE_NETNS) now does the same. A handle is lent only
// while the path still names the namespace it was opened on (same inode), is dropped when a call
// through it fails for want of resources (its sockets may be the ones that could not open), and
// is closed once unused for IDLE_MS, or with the daemon (closeKeptNodes).
import * as fs from 'node:fs/promises';
import { NetlinkError } from '../errors';
import { Netns } from '../netns';

const IDLE_MS = 10_000;

/** Failures after which the handle is not lent again: a socket of it may have failed to open. */
const SPENT = new Set(['EBADF', 'EAGAIN', 'EMFILE', 'ENFILE', 'ENOMEM', 'ENOBUFS']);

interface Kept {
  opening: Promise<Netns>;
  users: number;
  idle?: NodeJS.Timeout;
  dropped?: boolean;
}

const kept = new Map<string, Kept>();

export interface BorrowedNode {
  node: Netns;
  /** Gives the handle back; `failure`, if the call failed, may mean it is not to be lent again. */
  release(failure?: unknown): void;
}

/** The handle for `path`, for one call. */
export async function borrowNode(path: string): Promise<BorrowedNode> {
  for (;;) {
    const inode = await fs.stat(path).then((st) => st.ino, () => undefined);
    const k = kept.get(path);
    if (inode === undefined) { // not kept: Netns.open says what is wrong with the path
      if (k) drop(path, k);
      const ns = await Netns.open({ path });
      return { node: ns, release: () => void ns.close().catch(() => {}) };
    }
    const entry = k ?? keep(path);
    entry.users++;
    clearTimeout(entry.idle);
    let node: Netns;
    try {
      node = await entry.opening;
    } catch (err) {
      release(path, entry);
      throw err;
    }
    if (node.inode === inode) return { node, release: (failure) => release(path, entry, failure) };
    // The path names another namespace now (or did while this handle was opened): not lent.
    drop(path, entry);
    release(path, entry);
  }
}

/** Closes every kept handle not in use now, and the others once their calls end. */
export function closeKeptNodes(): void {
  for (const [path, k] of kept) drop(path, k);
}

function keep(path: string): Kept {
  const k: Kept = { opening: Netns.open({ path }), users: 0 };
  kept.set(path, k);
  k.opening.catch(() => drop(path, k));
  return k;
}

function release(path: string, k: Kept, failure?: unknown): void {
  if (failure instanceof NetlinkError && SPENT.has(failure.code)) drop(path, k);
  if (--k.users > 0) return;
  if (k.dropped) close(k);
  else k.idle = setTimeout(() => drop(path, k), IDLE_MS).unref();
}

const close = (k: Kept) => void k.opening.then((ns) => ns.close()).catch(() => {});

/** Forgets k; its handle closes once no call uses it. */
function drop(path: string, k: Kept): void {
  if (kept.get(path) === k) kept.delete(path);
  clearTimeout(k.idle);
  if (k.dropped) return;
  k.dropped = true;
  if (k.users === 0) close(k);
}
