// The conntrack cleanup of removed port mappings. Each delete walks the whole conntrack table (one
// table for every namespace of the machine), and walks that run at once wait on each other in the
// kernel: 64 concurrent DELs made 64 walks, one after another. So per node namespace one walk runs
// at a time, and the mappings of the calls that arrive meanwhile go together in the next one.
import type { ConntrackFilter } from '../conntrack/conntrack';
import type { Netns } from '../netns';

interface Batch {
  /** The first caller's handle: it waits for the batch, so the handle stays open until it is done. */
  node: Netns;
  filters: ConntrackFilter[];
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Per node namespace (by inode: the daemon opens a handle per call) with a walk running: the batch that waits for it. */
const running = new Map<number, { next?: Batch }>();

function batchFor(node: Netns): Batch {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const done = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  return { node, filters: [], done, resolve, reject };
}

function runNext(key: number, slot: { next?: Batch }): void {
  const b = slot.next;
  if (!b) {
    running.delete(key);
    return;
  }
  slot.next = undefined;
  b.node.conntrack.delete(b.filters).then(() => b.resolve(), b.reject).finally(() => runNext(key, slot));
}

/** Deletes the conntrack entries matching any of `filters` in `node`, together with those of concurrent callers. */
export async function sweepFlows(node: Netns, filters: ConntrackFilter[]): Promise<void> {
  if (filters.length === 0) return;
  const slot = running.get(node.inode);
  if (slot) {
    slot.next ??= batchFor(node);
    slot.next.filters.push(...filters);
    return slot.next.done;
  }
  const mine = {};
  running.set(node.inode, mine);
  try {
    await node.conntrack.delete(filters);
  } finally {
    runNext(node.inode, mine);
  }
}
