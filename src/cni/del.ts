// DEL: removes what ADD made for the attachment, whatever of it is left: the NAT rules (and their
// conntrack entries), the veth (its peer goes with it; concurrent DELs' veths go together, veth-reaper.ts), the addresses in the store. Everything
// already gone is success, so repeated DELs and DELs after the namespace is gone succeed.
import * as fs from 'node:fs/promises';
import type { Netns } from '../netns';
import type { NetConf } from './config';
import type { CniEnv } from './env';
import { HostLocalStore } from './host-local-store';
import { listNat, removeNat } from './nat';
import { isCode } from './netlink-errors';
import { attachmentTag, hostVethName } from './tags';
import { deleteHostVeth } from './veth-reaper';

/** Removes our rules matching `which`; a concurrent DEL or GC that removed some first makes this read again, once. */
export async function removeNatWhere(node: Netns, which: (r: { network: string; attachment: string }) => boolean): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await removeNat(node, (await listNat(node)).filter(which));
      return;
    } catch (err) {
      if (attempt > 0 || !isCode(err, 'ENOENT')) throw err;
    }
  }
}

export async function storeExists(store: HostLocalStore): Promise<boolean> {
  return fs.stat(store.dir).then(() => true, () => false);
}

export async function cmdDel(node: Netns, env: CniEnv, conf: NetConf): Promise<void> {
  const { containerId, ifname } = env;
  const tag = attachmentTag(conf.name, containerId, ifname);
  // The rules and the veth go side by side: independent of each other, and the veth's deletion is
  // mostly the kernel waiting (RCU grace periods) while nf_tables has a lock of its own. The
  // addresses are released only after both, so no new pod gets one while its old rules remain.
  const removed = await Promise.allSettled([
    removeNatWhere(node, (r) => r.attachment === tag),
    deleteHostVeth(node, hostVethName(conf.name, containerId, ifname)),
  ]);
  const failed = removed.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const store = new HostLocalStore(conf.ipam.dataDir, conf.name);
  if (!(await storeExists(store))) return;
  await store.locked((view) => {
    for (const a of view.of(containerId, ifname)) view.release(a.ip);
  });
}
