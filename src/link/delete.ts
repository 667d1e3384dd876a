// Deleting links. The kernel answers a deletion only after its teardown's RCU wait (15-20 ms for a
// veth), and a socket waits with it: the deletion goes on a socket of its own (a chain step takes
// a lane), so the namespace's other requests are not held up behind it. The kernel announces the
// links gone before that wait (~0.5 ms in): once announced, no tool lists them and their names are
// free, so a caller may go on from there (`untilUnlisted`).
import { RTM } from '../constants';
import { answer, NETLINK_ROUTE, Transport, type WireMessage } from '../kernel/transport';

const RTNLGRP_LINK = 1;

/**
 * An announced RTM_DELLINK that means the link is gone: the bridge also announces one (family
 * AF_BRIDGE) for a port leaving it, and a link moved to another namespace is announced removed
 * here (with its new namespace's id) while it lives on there.
 */
export const unregistered = (m: WireMessage): boolean => (m.header?.family ?? 0) === 0 && m.attrs?.new_netnsid === undefined;

export interface DeleteOptions {
  /**
   * Settle once the kernel announces the link removed, not when it answers after its teardown.
   * A refusal still rejects (the kernel refuses before it announces anything).
   */
  untilUnlisted?: boolean;
}

/** A deletion's two moments. Both reject with the kernel's refusal; neither is left unhandled. */
export interface Deletion {
  /** The kernel announced the links gone (or answered first). */
  unlisted: Promise<void>;
  /** The kernel answered: its teardown is over. */
  answered: Promise<void>;
}

/**
 * Sends one RTM_DELLINK on a lane. With `watch`, `unlisted` settles at the first announced
 * RTM_DELLINK that `isIt` recognises (the kernel unlists every link of one deletion before it
 * announces any); without, it is the answer. `refused` may say more of a refusal.
 */
export async function deleteLinks(t: Transport, message: WireMessage, operation: string, watch: boolean,
  isIt: (announced: WireMessage) => boolean, refused: (err: unknown) => never = (err) => { throw err; }): Promise<Deletion> {
  // Subscribed before the request goes: its announcement cannot be missed.
  const sub = watch ? await t.subscribe(NETLINK_ROUTE, [RTNLGRP_LINK], operation) : undefined;
  const answered = Transport.chain([{ netns: t, protocol: NETLINK_ROUTE, items: [{ message, operation }] }])
    .then(([[a]]) => void answer(a)).catch(refused);
  let unlisted = answered;
  if (sub) {
    const announced = (async () => {
      for (;;) {
        const said = await sub.read();
        if (said === null) return answered; // closed with the handle: the answer tells
        if (said.some((m) => m.type === RTM.DELLINK && unregistered(m) && isIt(m))) return;
      }
    })().catch(() => answered); // announcements lost (ENOBUFS): the answer tells
    unlisted = Promise.race([answered, announced]).finally(() => sub.close());
  }
  answered.catch(() => {});
  unlisted.catch(() => {});
  return { unlisted, answered };
}
