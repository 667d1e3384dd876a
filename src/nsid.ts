// Namespace ids: the number a namespace gives another (what `ip netns list-id` shows, and what a
// link's linkNetnsId and IFLA_LINK_NETNSID mean). Asked with the other namespace's fd, which the
// addon writes into the request: JS never holds it.
import { NLM_F, RTM } from './constants';
import { borrow, checkNetnsRef, type NetnsRef } from './kernel/netns-ref';
import { answer, NETLINK_ROUTE, Transport } from './kernel/transport';

/** The id `t`'s namespace knows `other` by, or undefined when it has given it none. */
export async function nsidOf(t: Transport, other: NetnsRef): Promise<number | undefined> {
  checkNetnsRef('other', other);
  const target = await borrow(other);
  try {
    const [[answered]] = await Transport.chain([{
      netns: t, protocol: NETLINK_ROUTE,
      items: [{ message: { type: RTM.GETNSID, flags: NLM_F.REQUEST, header: { family: 0 }, attrs: { fd: 0 } }, operation: 'netns.nsid' }],
      patches: [{ message: 0, to: ['attrs', 'fd'], fdOf: target.transport }],
    }]);
    const id = answer(answered)[0]?.attrs?.nsid as number | undefined;
    return id === undefined || id < 0 ? undefined : id;
  } finally {
    await target.release();
  }
}
