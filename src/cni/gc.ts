// GC (CNI 1.1): removes every attachment of this network that cni.dev/valid-attachments does not
// name: its addresses in the store (under the store's lock, so a concurrent ADD's allocation is
// never half-seen), its NAT rules and conntrack entries, and its host veth (found by the alias
// ADD gave it, so veths of other networks on the same bridge are left alone).
import type { Netns } from '../netns';
import type { NetConf } from './config';
import { badConfig } from './errors';
import { HostLocalStore } from './host-local-store';
import { removeNatWhere, storeExists } from './del';
import { unless } from './netlink-errors';
import { attachmentTag, networkTag, parseMarker } from './tags';

export async function cmdGc(node: Netns, conf: NetConf): Promise<void> {
  if (!conf.validAttachments) throw badConfig('GC needs cni.dev/valid-attachments');
  const valid = new Set(conf.validAttachments.map((a) => attachmentTag(conf.name, a.containerId, a.ifname)));
  const validIds = new Set(conf.validAttachments.map((a) => a.containerId));
  const net = networkTag(conf.name);
  const store = new HostLocalStore(conf.ipam.dataDir, conf.name);
  if (await storeExists(store)) {
    await store.locked((view) => {
      for (const a of view.all()) {
        // A record from an older host-local names no interface: kept while its container is valid.
        const keep = a.ifname === '' ? validIds.has(a.containerId) : valid.has(attachmentTag(conf.name, a.containerId, a.ifname));
        if (!keep) view.release(a.ip);
      }
    });
  }
  await removeNatWhere(node, (r) => r.network === net && !valid.has(r.attachment));
  for (const link of await node.links.list({ kind: 'veth' })) {
    const tag = parseMarker(link.alias);
    if (tag && tag.network === net && !valid.has(tag.attachment)) await unless(['ENODEV'], () => node.links.delete(link.index));
  }
}
