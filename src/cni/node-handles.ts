// The node namespace's handle, kept between calls. Opening one per call (and closing it after)
// gives each call new netlink sockets, and releasing a netfilter socket makes the kernel finish
// nf_tables' deferred cleanup first (an RCU grace period, 5-10 ms) while holding the lock the next
// nftables change needs. A daemon serving the machine's own namespace keeps its sockets anyway;
// one told a node namespace by path (NLN_CNI_NODE_NETNS) now does the same. A handle is reused only
// while the path still names the namespace it was opened on (same inode), and closed once unused
// for IDLE_MS.
import * as fs from 'node:fs/promises';
import { Netns } from '../netns';

const IDLE_MS = 10_000;

interface Kept {
  opening: Promise<Netns>;
  inode?: number;
  users: number;
  idle?: NodeJS.Timeout;
  dropped?: boolean;
}

const kept = new Map<string, Kept>();

/** The handle for `path`, for one call: give it back with the function returned. */
export async function borrowNode(path: string): Promise<{ node: Netns; release(): void }> {
  const inode = await fs.stat(path).then((st) => st.ino, () => undefined);
  if (inode === undefined) { // not kept: Netns.open says what is wrong with the path
    const ns = await Netns.open({ path });
    return { node: ns, release: () => void ns.close().catch(() => {}) };
  }
  let k = kept.get(path);
  if (k && k.inode !== undefined && k.inode !== inode) {
    drop(path, k); // the path names another namespace now
    k = undefined;
  }
  if (!k) {
    const opening = Netns.open({ path });
    k = { opening, users: 0 };
    kept.set(path, k);
    const mine = k;
    opening.then((ns) => { mine.inode = ns.inode; }, () => drop(path, mine));
  }
  const entry = k;
  entry.users++;
  clearTimeout(entry.idle);
  try {
    const node = await entry.opening;
    return { node, release: () => release(path, entry) };
  } catch (err) {
    release(path, entry);
    throw err;
  }
}

function release(path: string, k: Kept): void {
  if (--k.users > 0) return;
  if (k.dropped) close(k);
  else k.idle = setTimeout(() => drop(path, k), IDLE_MS).unref();
}

const close = (k: Kept) => void k.opening.then((ns) => ns.close(), () => {});

/** Forgets k; its handle closes once no call uses it. */
function drop(path: string, k: Kept): void {
  if (kept.get(path) === k) kept.delete(path);
  clearTimeout(k.idle);
  k.dropped = true;
  if (k.users === 0) close(k);
}
