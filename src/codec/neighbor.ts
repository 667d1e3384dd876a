// rtnetlink neighbours and FDB entries (RTM_NEWNEIGH/DELNEIGH/GETNEIGH): ndmsg + NDA_*
// (linux/neighbour.h).
import { Kind, type MessageSpec, attrSet, struct } from './schema';

export const ndmsg = struct('ndmsg', 12, [
  ['family', 0, 1],
  ['ifindex', 4, 4, 'signed'],
  ['state', 8, 2],
  ['flags', 10, 1],
  ['type', 11, 1],
]);

export const ndaCacheinfo = struct('nda_cacheinfo', 16, [
  ['confirmed', 0, 4],
  ['used', 4, 4],
  ['updated', 8, 4],
  ['refcnt', 12, 4],
]);

export const neighAttrs = attrSet('neighbour', [
  [1, 'dst', Kind.IP], // NDA_DST
  [2, 'lladdr', Kind.Mac], // NDA_LLADDR
  [3, 'cacheinfo', Kind.Struct, ndaCacheinfo], // NDA_CACHEINFO
  [4, 'probes', Kind.U32], // NDA_PROBES
  [5, 'vlan', Kind.U16], // NDA_VLAN
  [6, 'port', Kind.U16BE], // NDA_PORT
  [7, 'vni', Kind.U32], // NDA_VNI
  [8, 'ifindex', Kind.U32], // NDA_IFINDEX
  [9, 'master', Kind.U32], // NDA_MASTER
  [10, 'link_netnsid', Kind.S32], // NDA_LINK_NETNSID
  [11, 'src_vni', Kind.U32], // NDA_SRC_VNI
  [12, 'protocol', Kind.U8], // NDA_PROTOCOL
  [13, 'nh_id', Kind.U32], // NDA_NH_ID
  [15, 'flags_ext', Kind.U32], // NDA_FLAGS_EXT
]);

export const neighMessage: MessageSpec = { header: ndmsg, attrs: neighAttrs, nestedFlag: false };
