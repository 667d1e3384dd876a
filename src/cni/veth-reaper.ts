// Deletes host veths, coalescing concurrent deletions in one node namespace. Each kernel deletion
// ends with a teardown (an RCU wait of 15-20 ms, with expedited grace periods before it) whose CPU
// concurrent deletions would each pay; one RTM_DELLINK by group pays it once for many links. So at
// most IN_KERNEL deletions are in the kernel per node namespace: one that finds a free place goes at
// once, by name; those arriving while none is free are deleted together when one ends: each gets a
// fresh group G, then one delete by G, but only if a dump right before shows that exactly this batch
// has G (we never touch a link we did not make); otherwise each is deleted by name.
//
// A caller is answered once the kernel announces its veth gone (its name free, no tool lists it),
// not after the teardown: the runtime's next call need not wait for the kernel's cleanup.
import { randomInt } from 'node:crypto';
import type { Deletion } from '../link/delete';
import type { Netns } from '../netns';
import { isCode, unless } from './netlink-errors';

interface Waiting {
  node: Netns; // open until its caller's deletion settles: the batch acts through the first one's
  name: string;
  resolve(): void;
  reject(err: unknown): void;
}

/** Per node namespace (by its inode): deletions in the kernel, and who waits for one to end. */
const nodes = new Map<number, { inKernel: number; waiting: Waiting[] }>();

// Not one: a runtime's calls one after another (each answered at its announcement, ~3 ms apart)
// would wait for the teardowns before them; concurrent ones still go out in a few groups.
const IN_KERNEL = 8;

// Groups taken from the top half of the u32 range: ip(8) and our own users name small ones.
const GROUP_MIN = 0x80000000;
const GROUP_END = 0xffffffff;

/** Deletes the link `name` in `node`; a link already gone is success (DEL is idempotent). */
export function deleteHostVeth(node: Netns, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const n = nodes.get(node.inode) ?? { inKernel: 0, waiting: [] };
    nodes.set(node.inode, n);
    n.waiting.push({ node, name, resolve, reject });
    pump(node.inode);
  });
}

/** Sends what waits, as one batch, while fewer than IN_KERNEL deletions are in the kernel. */
function pump(inode: number): void {
  const n = nodes.get(inode)!;
  if (n.inKernel >= IN_KERNEL || n.waiting.length === 0) {
    if (n.inKernel === 0) nodes.delete(inode);
    return;
  }
  const batch = n.waiting;
  n.waiting = [];
  n.inKernel++;
  void deleteBatch(batch).finally(() => {
    n.inKernel--;
    pump(inode);
  });
}

/** Answers w at the deletion's announcement; resolves when the kernel is done with it. Never rejects. */
async function settle(w: Waiting, deletion: Promise<Deletion>): Promise<void> {
  try {
    const d = await deletion;
    await unless(['ENODEV'], () => d.unlisted).then(() => w.resolve(), (err) => w.reject(err));
    await d.answered.catch(() => {});
  } catch (err) {
    if (isCode(err, 'ENODEV')) w.resolve();
    else w.reject(err);
  }
}

const byName = (w: Waiting): Promise<void> => settle(w, w.node.links.deletion(w.name));

/** Settles every waiting caller; resolves once the kernel is done with their links; never rejects. */
async function deleteBatch(batch: Waiting[]): Promise<void> {
  try {
    if (batch.length === 1) return await byName(batch[0]);
    const { node } = batch[0];
    const group = randomInt(GROUP_MIN, GROUP_END);
    const marked = await Promise.allSettled(batch.map((w) => node.links.set(w.name, { group })));
    const grouped: Waiting[] = [];
    const alone: Waiting[] = [];
    marked.forEach((r, i) => {
      if (r.status === 'fulfilled') grouped.push(batch[i]);
      else if (isCode(r.reason, 'ENODEV')) batch[i].resolve(); // already gone
      else alone.push(batch[i]);
    });
    const deleted = grouped.length > 0 ? await deleteGroupIfOnlyOurs(node, group, grouped.map((w) => w.name)) : undefined;
    if (deleted) {
      grouped.forEach((w) => w.resolve());
      await deleted.teardown;
    } else {
      alone.push(...grouped);
    }
    await Promise.all(alone.map(byName));
  } catch (err) {
    batch.forEach((w) => w.reject(err)); // once settled, a caller ignores this
  }
}

/**
 * Deletes group G if the links having it are exactly `names`: once they are announced gone, the
 * kernel's teardown still to end (it never rejects). Undefined when it did not delete them.
 */
async function deleteGroupIfOnlyOurs(node: Netns, group: number, names: string[]): Promise<{ teardown: Promise<void> } | undefined> {
  try {
    const having = (await node.links.list({ group })).map((l) => l.name).sort();
    const ours = [...names].sort();
    if (having.length !== ours.length || having.some((n, i) => n !== ours[i])) return undefined;
    const d = await node.links.deletion({ group });
    // ENODEV: none has G any more, so every one of them is gone.
    await unless(['ENODEV'], () => d.unlisted);
    return { teardown: d.answered.catch(() => {}) };
  } catch {
    return undefined;
  }
}
