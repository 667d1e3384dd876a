// Deletes host veths, coalescing concurrent deletions in one node namespace: each veth deletion
// holds rtnl through an RCU wait (16-20 ms), so concurrent ones serialize; one RTM_DELLINK by group
// deletes many links with one wait. A deletion that finds none in flight goes at once, by name, as
// it always did; those arriving meanwhile are deleted together when it ends: each gets a fresh group
// G, then one delete by G, but only if a dump right before shows that exactly this batch has G (we
// never touch a link we did not make); otherwise each is deleted by name.
import { randomInt } from 'node:crypto';
import type { Netns } from '../netns';
import { isCode, unless } from './netlink-errors';

interface Waiting {
  node: Netns; // open until its caller's deletion settles: the batch acts through the first one's
  name: string;
  resolve(): void;
  reject(err: unknown): void;
}

/** Per node namespace (by its inode): whether a deletion is in flight, and who waits for it to end. */
const queues = new Map<number, Waiting[]>();

// Groups taken from the top half of the u32 range: ip(8) and our own users name small ones.
const GROUP_MIN = 0x80000000;
const GROUP_END = 0xffffffff;

/** Deletes the link `name` in `node`; a link already gone is success (DEL is idempotent). */
export async function deleteHostVeth(node: Netns, name: string): Promise<void> {
  const waiting = queues.get(node.inode);
  if (waiting) return new Promise((resolve, reject) => waiting.push({ node, name, resolve, reject }));
  queues.set(node.inode, []);
  try {
    await deleteByName(node, name);
  } finally {
    void drain(node.inode);
  }
}

const deleteByName = (node: Netns, name: string): Promise<unknown> => unless(['ENODEV'], () => node.links.delete(name));

/** Deletes what waited meanwhile, batch after batch, until none waits; then none is in flight. */
async function drain(inode: number): Promise<void> {
  for (;;) {
    const batch = queues.get(inode)!;
    if (batch.length === 0) return void queues.delete(inode);
    queues.set(inode, []);
    await deleteBatch(batch).catch((err: unknown) => batch.forEach((w) => w.reject(err)));
  }
}

function settle(w: Waiting, deletion: Promise<unknown>): Promise<void> {
  return deletion.then(() => w.resolve(), (err) => w.reject(err));
}

/** Settles every waiting caller; never rejects. */
async function deleteBatch(batch: Waiting[]): Promise<void> {
  if (batch.length === 1) return settle(batch[0], deleteByName(batch[0].node, batch[0].name));
  const { node } = batch[0];
  const group = randomInt(GROUP_MIN, GROUP_END);
  const marked = await Promise.allSettled(batch.map((w) => node.links.set(w.name, { group })));
  const grouped: Waiting[] = [];
  const byName: Waiting[] = [];
  marked.forEach((r, i) => {
    if (r.status === 'fulfilled') grouped.push(batch[i]);
    else if (isCode(r.reason, 'ENODEV')) batch[i].resolve(); // already gone
    else byName.push(batch[i]);
  });
  if (grouped.length > 0 && await deleteGroupIfOnlyOurs(node, group, grouped.map((w) => w.name))) {
    for (const w of grouped) w.resolve();
  } else {
    byName.push(...grouped);
  }
  await Promise.all(byName.map((w) => settle(w, deleteByName(w.node, w.name))));
}

/** Deletes group G if the links having it are exactly `names`; false when it did not (or failed). */
async function deleteGroupIfOnlyOurs(node: Netns, group: number, names: string[]): Promise<boolean> {
  try {
    const having = (await node.links.list({ group })).map((l) => l.name).sort();
    const ours = [...names].sort();
    if (having.length !== ours.length || having.some((n, i) => n !== ours[i])) return false;
    // ENODEV: none has G any more, so every one of them is gone.
    await unless(['ENODEV'], () => node.links.deleteGroup(group));
    return true;
  } catch {
    return false;
  }
}
