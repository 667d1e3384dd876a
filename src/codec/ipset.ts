// nfnetlink ip_set messages (linux/netfilter/ipset/ip_set.h), only the two that map a set's name
// to its kernel index and back (IPSET_CMD_GET_BYNAME, IPSET_CMD_GET_BYINDEX): nfgenmsg + IPSET_ATTR_*.
import { nfgenmsg } from './nftables';
import { attrSet, Kind, type MessageSpec } from './schema';

const ipsetAttrs = attrSet('ipset', [
  [1, 'protocol', Kind.U8], // IPSET_ATTR_PROTOCOL
  [2, 'setname', Kind.String], // IPSET_ATTR_SETNAME
  [5, 'family', Kind.U8], // IPSET_ATTR_FAMILY
  [11, 'index', Kind.U16BE], // IPSET_ATTR_INDEX
]);

export const ipsetMessage: MessageSpec = { header: nfgenmsg, attrs: ipsetAttrs, nestedFlag: true };
