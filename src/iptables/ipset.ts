// ipset names <-> the kernel indexes an xt_set match carries, asked of ip_set over nfnetlink
// (IPSET_CMD_GET_BYNAME / GET_BYINDEX) as iptables asks through ip_set's socket option.
import { NetlinkError } from '../errors';
import { NLM_F } from '../constants';
import { NETLINK_NETFILTER, type Transport, type WireMessage } from '../kernel/transport';

const NFNL_SUBSYS_IPSET = 6;
const IPSET_CMD_GET_BYNAME = 14;
const IPSET_CMD_GET_BYINDEX = 15;
const IPSET_PROTOCOL = 7;

async function ask(t: Transport, cmd: number, attrs: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  const message: WireMessage = { type: (NFNL_SUBSYS_IPSET << 8) | cmd, flags: NLM_F.REQUEST | NLM_F.ACK, header: { family: 0, version: 0, res_id: 0 }, attrs: { protocol: IPSET_PROTOCOL, ...attrs } };
  try {
    return (await t.request(NETLINK_NETFILTER, message, 'iptables.set')).find((r) => r.attrs)?.attrs;
  } catch (err) {
    if (err instanceof NetlinkError && err.errno === 2) return undefined;
    throw err;
  }
}

/** The kernel index of the ipset named `name` (NetlinkError ENOENT "Set NAME doesn't exist.", as iptables says). */
export async function ipsetIndex(t: Transport, name: string): Promise<number> {
  const index = (await ask(t, IPSET_CMD_GET_BYNAME, { setname: name }))?.index;
  if (typeof index !== 'number') throw new NetlinkError('iptables.set', 2, { detail: `Set ${name} doesn't exist.` });
  return index;
}

/** The name of the ipset at a kernel index (undefined when there is none). */
export async function ipsetName(t: Transport, index: number): Promise<string | undefined> {
  const name = (await ask(t, IPSET_CMD_GET_BYINDEX, { index }))?.setname;
  return typeof name === 'string' ? name : undefined;
}

/** The indexes of the ipsets named (each asked once); ENOENT for one that does not exist. */
export async function ipsetIndexes(t: Transport | undefined, names: Iterable<string>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (t) for (const name of new Set(names)) out.set(name, await ipsetIndex(t, name));
  return out;
}

/** The names of the ipsets at these indexes (each asked once); an index with no set is left out. */
export async function ipsetNames(t: Transport | undefined, indexes: Iterable<number>): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const index of new Set(indexes)) {
    const name = t && await ipsetName(t, index);
    if (name !== undefined) out.set(index, name);
  }
  return out;
}
