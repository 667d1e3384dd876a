// rtnetlink addresses (RTM_NEWADDR/DELADDR/GETADDR): ifaddrmsg + IFA_* (linux/if_addr.h).
import { Kind, type MessageSpec, attrSet, struct } from './schema';

export const ifaddrmsg = struct('ifaddrmsg', 8, [
  ['family', 0, 1],
  ['prefixlen', 1, 1],
  ['flags', 2, 1],
  ['scope', 3, 1],
  ['index', 4, 4],
]);

export const ifaCacheinfo = struct('ifa_cacheinfo', 16, [
  ['preferred', 0, 4],
  ['valid', 4, 4],
  ['cstamp', 8, 4],
  ['tstamp', 12, 4],
]);

export const addrAttrs = attrSet('address', [
  [1, 'address', Kind.IP], // IFA_ADDRESS
  [2, 'local', Kind.IP], // IFA_LOCAL
  [3, 'label', Kind.String], // IFA_LABEL
  [4, 'broadcast', Kind.IP], // IFA_BROADCAST
  [5, 'anycast', Kind.IP], // IFA_ANYCAST
  [6, 'cacheinfo', Kind.Struct, ifaCacheinfo], // IFA_CACHEINFO
  [7, 'multicast', Kind.IP], // IFA_MULTICAST
  [8, 'flags', Kind.U32], // IFA_FLAGS
  [9, 'rt_priority', Kind.U32], // IFA_RT_PRIORITY
  [10, 'target_netnsid', Kind.S32], // IFA_TARGET_NETNSID
  [11, 'proto', Kind.U8], // IFA_PROTO
]);

export const addrMessage: MessageSpec = { header: ifaddrmsg, attrs: addrAttrs, nestedFlag: false };
