// The plugin's NAT in the node namespace, in nftables tables of its own (`ip nln-cni`, `ip6 nln-cni`):
// published ports (portmap's DNAT, from other hosts and from the node itself, with hairpin) and
// ipMasq's masquerade. Every rule's comment carries the attachment's marker (tags.ts), so DEL and
// GC find an attachment's rules from the kernel alone; a DNAT rule's comment also names its flow
// (protocol, host port, container address), so its conntrack entries can be removed with it.
// nftables rather than iptables: one atomic transaction per attachment, and tables of our own that
// no other tool rewrites (portmap's iptables chains are shared with every other user of iptables).
import type { ConntrackFilter } from '../conntrack/conntrack';
import { NetlinkError } from '../errors';
import type { Family } from '../ip';
import type { Netns } from '../netns';
import type { NftTransaction } from '../nft/transaction';
import type { PortMappingConf } from './config';
import { isCode } from './netlink-errors';
import { sweepFlows } from './flow-sweep';
import { SharedRuns } from './shared-run';
import { parseMarker } from './tags';

export const NAT_TABLE = 'nln-cni';
const FAMILIES = [['ip', 4], ['ip6', 6]] as const;
type NftFam = 'ip' | 'ip6';
const fam = (f: Family): NftFam => (f === 4 ? 'ip' : 'ip6');
const MULTICAST: Record<Family, string> = { 4: '224.0.0.0/4', 6: 'ff00::/8' };

export interface NatAddress {
  family: Family;
  address: string;
  /** The network's subnet for this address ("198.18.0.0/24"): traffic to it is not masqueraded. */
  subnet: string;
}

/** One rule of ours as found in the kernel. */
export interface NatRule {
  family: NftFam;
  chain: string;
  handle: number;
  network: string;
  attachment: string;
  /** For a DNAT rule: the flow it maps, for the conntrack cleanup. */
  flow?: { protocol: 'tcp' | 'udp'; hostPort: number; address: string };
}

/** Makes the family's table with its hooks, once: `create table` fails (EEXIST) when another call already made it whole. */
async function ensureTable(node: Netns, family: NftFam): Promise<void> {
  const t = { family, table: NAT_TABLE };
  try {
    await node.nft.transaction((tx) => {
      tx.createTable({ family, name: NAT_TABLE });
      tx.addChain({ ...t, name: 'hostports' });
      tx.addChain({ ...t, name: 'masq' });
      tx.addChain({ ...t, name: 'prerouting', type: 'nat', hook: 'prerouting', priority: 'dstnat', policy: 'accept' });
      tx.addChain({ ...t, name: 'output', type: 'nat', hook: 'output', priority: -100, policy: 'accept' });
      tx.addChain({ ...t, name: 'postrouting', type: 'nat', hook: 'postrouting', priority: 'srcnat', policy: 'accept' });
      // Published ports answer on the node's own addresses, from outside and from the node itself.
      tx.addRule({ ...t, chain: 'prerouting', match: { fibDaddrType: 'local' }, jump: 'hostports' });
      tx.addRule({ ...t, chain: 'output', match: { fibDaddrType: 'local' }, jump: 'hostports' });
      tx.addRule({ ...t, chain: 'postrouting', jump: 'masq' });
    });
  } catch (err) {
    if (!(err instanceof NetlinkError && err.code === 'EEXIST')) throw err;
  }
}

function addRules(tx: NftTransaction, marker: string, a: NatAddress, mappings: PortMappingConf[], ipMasq: boolean): void {
  const t = { family: fam(a.family), table: NAT_TABLE };
  const mine = mappings.filter((m) => (m.hostIP === undefined ? true : m.hostIP.includes(':') === (a.family === 6)));
  for (const m of mine) {
    tx.addRule({
      ...t, chain: 'hostports', comment: `${marker} ${m.protocol} ${m.hostPort} ${a.address}`,
      match: { ...(m.hostIP ? { daddr: m.hostIP } : {}), protocol: m.protocol, dport: m.hostPort },
      dnat: { address: a.address, port: m.containerPort },
    });
  }
  // Hairpin: the container reaching itself through its own published port answers itself.
  if (mine.length) tx.addRule({ ...t, chain: 'masq', comment: marker, match: { saddr: a.address, daddr: a.address }, masquerade: true });
  if (ipMasq) tx.addRule({ ...t, chain: 'masq', comment: marker, match: { saddr: a.address }, not: { daddr: [a.subnet, MULTICAST[a.family]] }, masquerade: true });
}

/** The attachment's DNAT and masquerade rules, in one transaction per family. */
export async function addNat(node: Netns, marker: string, addresses: NatAddress[], mappings: PortMappingConf[], ipMasq: boolean): Promise<void> {
  for (const [family, f] of FAMILIES) {
    const mine = addresses.filter((a) => a.family === f);
    if (mine.length === 0 || (mappings.length === 0 && !ipMasq)) continue;
    // The table is there on every ADD but a node's first: the rules go first, and the table is made
    // only when they find none (ENOENT). A refused transaction is dear: the kernel's abort waits a
    // grace period (synchronize_rcu), which "create the table, EEXIST" paid on every ADD.
    const add = () => node.nft.transaction((tx) => { for (const a of mine) addRules(tx, marker, a, mappings, ipMasq); });
    try {
      await add();
    } catch (err) {
      if (!isCode(err, 'ENOENT')) throw err;
      await ensureTable(node, family);
      await add();
    }
  }
}

const listings = new SharedRuns<NatRule[]>();

/**
 * Our rules in both tables (none when a table is absent). Callers in one namespace at the same time
 * (the daemon's concurrent DELs) share a listing (shared-run.ts).
 */
export function listNat(node: Netns): Promise<NatRule[]> {
  return listings.run(String(node.inode), () => readNat(node));
}

/** The chains whose rules carry an attachment's marker. */
const MARKED_CHAINS = new Set(['hostports', 'masq']);

/**
 * One dump of each family's table (a table not there: no rules), read as far as the marker needs:
 * the raw rules' comments and handles, not the rules decoded into the typed form and text (a
 * node's listing holds every pod's rules; DEL wants one pod's).
 */
async function readNat(node: Netns): Promise<NatRule[]> {
  const tables = await Promise.all(FAMILIES.map(([family]) => node.nft.rawRules(family, NAT_TABLE, undefined, 'cni.listNat')
    .catch((err: unknown) => { if (isCode(err, 'ENOENT')) return []; throw err; })));
  const out: NatRule[] = [];
  for (const r of tables.flat()) {
    if (!MARKED_CHAINS.has(r.chain) || r.comment === undefined) continue;
    const [a, b, c, proto, port, address] = r.comment.split(' ');
    const tag = parseMarker(`${a} ${b} ${c}`);
    if (!tag) continue;
    const flow = (proto === 'tcp' || proto === 'udp') && /^\d+$/.test(port ?? '') && address ? { protocol: proto as 'tcp' | 'udp', hostPort: Number(port), address } : undefined;
    out.push({ family: r.family as NftFam, chain: r.chain, handle: r.handle, network: tag.network, attachment: tag.attachment, ...(flow ? { flow } : {}) });
  }
  return out;
}

/**
 * Deletes these rules (one transaction per family) and then the conntrack entries of their port
 * mappings, so a client's existing UDP "connection" stops reaching the removed container.
 */
export async function removeNat(node: Netns, rules: NatRule[]): Promise<void> {
  const flows: ConntrackFilter[] = [];
  for (const [family, f] of FAMILIES) {
    const mine = rules.filter((r) => r.family === family);
    if (mine.length === 0) continue;
    await node.nft.transaction((tx) => { for (const r of mine) tx.deleteRule({ family, table: NAT_TABLE, chain: r.chain, handle: r.handle }); });
    for (const r of mine) if (r.flow) flows.push({ family: f, protocol: r.flow.protocol, dport: r.flow.hostPort, replySrc: r.flow.address });
  }
  await sweepFlows(node, flows);
}
