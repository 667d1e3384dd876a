// STATUS (CNI 1.1): ready when the node's netlink answers, the IPAM store is writable and every
// range set has a free address; otherwise code 50, saying which.
import * as fs from 'node:fs/promises';
import type { Netns } from '../netns';
import { parseAddress } from '../ip';
import type { NetConf } from './config';
import { CNI_ERR, CniError } from './errors';
import { HostLocalStore } from './host-local-store';
import { toInt } from './ip-int';

const notAvailable = (msg: string, details = '') => new CniError(CNI_ERR.notAvailable, msg, details);

export async function cmdStatus(node: Netns, conf: NetConf): Promise<void> {
  try {
    await node.links.get('lo');
  } catch (err) {
    throw notAvailable('the node namespace does not answer', (err as Error).message);
  }
  const store = new HostLocalStore(conf.ipam.dataDir, conf.name);
  try {
    await fs.mkdir(store.dir, { recursive: true, mode: 0o755 });
    await fs.access(store.dir, fs.constants.W_OK);
  } catch (err) {
    throw notAvailable(`the IPAM store ${store.dir} is not writable`, (err as Error).message);
  }
  const held = store.view().all().flatMap((a) => { try { return [parseAddress('ip', a.ip)]; } catch { return []; } });
  conf.ipam.rangeSets.forEach((set, i) => {
    let size = 0n;
    let used = 0n;
    for (const r of set) {
      size += r.end - r.start + 1n - (r.gateway >= r.start && r.gateway <= r.end ? 1n : 0n);
      used += BigInt(held.filter((h) => h.family === r.family && toInt(h.bytes) >= r.start && toInt(h.bytes) <= r.end).length);
    }
    if (used >= size) throw notAvailable(`no free address in range set ${i} (${used} of ${size} allocated)`);
  });
}
