// Which header and attribute set a message of a protocol and type carries (as
// native/core/message_specs.cc did): rtnetlink by RTM_* type, nfnetlink by subsystem and its
// message type (NFT_MSG_*, IPCTNL_MSG_CT_*).
import { addrMessage } from './address';
import type * as ipset from './ipset';
import type * as conntrack from './conntrack';
import { linkMessage } from './link';
import { neighMessage } from './neighbor';
import { nsidMessage } from './nsid';
import type * as nftables from './nftables';
import { routeMessage } from './route';
import { ruleMessage } from './rule';
import type { MessageSpec } from './schema';

export const NETLINK_ROUTE = 0;
export const NETLINK_NETFILTER = 12;

const NFNL_MSG_BATCH_BEGIN = 16; // NLMSG_MIN_TYPE
const NFNL_MSG_BATCH_END = 17;
const NFNL_SUBSYS_CTNETLINK = 1;
const NFNL_SUBSYS_IPSET = 6;
const NFNL_SUBSYS_NFTABLES = 10;

/** Indexed by message type (RTM_NEW*, RTM_DEL*, RTM_GET*, RTM_SETLINK). */
const ROUTE: Array<MessageSpec | undefined> = [];
const route = (spec: MessageSpec, ...types: number[]) => { for (const t of types) ROUTE[t] = spec; };
route(linkMessage, 16, 17, 18, 19); // RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK
route(addrMessage, 20, 21, 22); // RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR
route(routeMessage, 24, 25, 26); // RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE
route(neighMessage, 28, 29, 30); // RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH
route(ruleMessage, 32, 33, 34); // RTM_NEWRULE, RTM_DELRULE, RTM_GETRULE
route(nsidMessage, 88, 89, 90); // RTM_NEWNSID, RTM_DELNSID, RTM_GETNSID

// The netfilter tables load with the first netfilter message: a program that only speaks
// rtnetlink need not compile them (bench/load-time.ts).
interface NetfilterTables {
  batch: MessageSpec;
  /** Indexed by NFT_MSG_* (the low byte of an nf_tables message type). */
  nftables: Array<MessageSpec | undefined>;
  /** Indexed by IPCTNL_MSG_CT_* (the low byte of a ctnetlink message type). */
  ctnetlink: Array<MessageSpec | undefined>;
  ipset: MessageSpec;
}
let netfilter: NetfilterTables | undefined;

function netfilterTables(): NetfilterTables {
  if (netfilter) return netfilter;
  const nft = require('./nftables') as typeof nftables;
  const ct = require('./conntrack') as typeof conntrack;
  netfilter = {
    batch: nft.nfnlBatchMessage,
    nftables: [
      nft.nftTableMessage, nft.nftTableMessage, nft.nftTableMessage, // NFT_MSG_NEWTABLE, GETTABLE, DELTABLE
      nft.nftChainMessage, nft.nftChainMessage, nft.nftChainMessage, // NFT_MSG_NEWCHAIN, GETCHAIN, DELCHAIN
      nft.nftRuleMessage, nft.nftRuleMessage, nft.nftRuleMessage, // NFT_MSG_NEWRULE, GETRULE, DELRULE
      nft.nftSetMessage, nft.nftSetMessage, nft.nftSetMessage, // NFT_MSG_NEWSET, GETSET, DELSET
      nft.nftSetElemMessage, nft.nftSetElemMessage, nft.nftSetElemMessage, // NFT_MSG_NEWSETELEM, GETSETELEM, DELSETELEM
      nft.nftGenMessage, nft.nftGenMessage, // NFT_MSG_NEWGEN, NFT_MSG_GETGEN
    ],
    ctnetlink: [
      ct.ctMessage, ct.ctMessage, ct.ctMessage, // IPCTNL_MSG_CT_NEW, GET, DELETE
      undefined, undefined, ct.ctStatsMessage, // GET_CTRZERO, GET_STATS_CPU (not used), IPCTNL_MSG_CT_GET_STATS
    ],
    ipset: (require('./ipset') as typeof ipset).ipsetMessage,
  };
  return netfilter;
}

/** The table for a message, or undefined for a type without one (errors, DONE, other families). */
export function messageSpec(protocol: number, type: number): MessageSpec | undefined {
  if (protocol === NETLINK_ROUTE) return ROUTE[type];
  if (protocol === NETLINK_NETFILTER) {
    const tables = netfilterTables();
    if (type === NFNL_MSG_BATCH_BEGIN || type === NFNL_MSG_BATCH_END) return tables.batch;
    const subsystem = type >> 8;
    if (subsystem === NFNL_SUBSYS_NFTABLES) return tables.nftables[type & 0xff];
    if (subsystem === NFNL_SUBSYS_IPSET) return (type & 0xff) === 14 || (type & 0xff) === 15 ? tables.ipset : undefined; // IPSET_CMD_GET_BYNAME, _BYINDEX
    return subsystem === NFNL_SUBSYS_CTNETLINK ? tables.ctnetlink[type & 0xff] : undefined;
  }
  return undefined;
}
