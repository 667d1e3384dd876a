// rtnetlink routes (RTM_NEWROUTE/DELROUTE/GETROUTE): rtmsg + RTA_* (linux/rtnetlink.h);
// RTA_MULTIPATH is a list of rtnexthop, each followed by route attributes (gateway, ...).
import { Kind, type MessageSpec, attrSet, declareSet, defineSet, headerAndAttrs, struct } from './schema';

export const routeAttrs = declareSet('route');

export const rtmsg = struct('rtmsg', 12, [
  ['family', 0, 1],
  ['dst_len', 1, 1],
  ['src_len', 2, 1],
  ['tos', 3, 1],
  ['table', 4, 1],
  ['protocol', 5, 1],
  ['scope', 6, 1],
  ['type', 7, 1],
  ['flags', 8, 4],
]);

export const routeMetrics = attrSet('metrics', [
  [1, 'lock', Kind.U32], // RTAX_LOCK
  [2, 'mtu', Kind.U32], // RTAX_MTU
  [3, 'window', Kind.U32], // RTAX_WINDOW
  [4, 'rtt', Kind.U32], // RTAX_RTT
  [5, 'rttvar', Kind.U32], // RTAX_RTTVAR
  [6, 'ssthresh', Kind.U32], // RTAX_SSTHRESH
  [7, 'cwnd', Kind.U32], // RTAX_CWND
  [8, 'advmss', Kind.U32], // RTAX_ADVMSS
  [9, 'reordering', Kind.U32], // RTAX_REORDERING
  [10, 'hoplimit', Kind.U32], // RTAX_HOPLIMIT
  [11, 'initcwnd', Kind.U32], // RTAX_INITCWND
  [12, 'features', Kind.U32], // RTAX_FEATURES
  [13, 'rto_min', Kind.U32], // RTAX_RTO_MIN
  [14, 'initrwnd', Kind.U32], // RTAX_INITRWND
  [15, 'quickack', Kind.U32], // RTAX_QUICKACK
  [16, 'congctl', Kind.String], // RTAX_CC_ALGO
  [17, 'fastopen_no_cookie', Kind.U32], // RTAX_FASTOPEN_NO_COOKIE
]);

export const rtaCacheinfo = struct('rta_cacheinfo', 32, [
  ['clntref', 0, 4],
  ['lastuse', 4, 4],
  ['expires', 8, 4, 'signed'],
  ['error', 12, 4],
  ['used', 16, 4],
  ['id', 20, 4],
  ['ts', 24, 4],
  ['tsage', 28, 4],
]);

// struct rtnexthop: the header of each RTA_MULTIPATH entry; its attributes follow within rtnh_len.
export const rtnexthop = struct('rtnexthop', 8, [
  ['len', 0, 2],
  ['flags', 2, 1],
  ['hops', 3, 1],
  ['ifindex', 4, 4, 'signed'],
]);

defineSet(routeAttrs, [
  [1, 'dst', Kind.IP], // RTA_DST
  [2, 'src', Kind.IP], // RTA_SRC
  [3, 'iif', Kind.U32], // RTA_IIF
  [4, 'oif', Kind.U32], // RTA_OIF
  [5, 'gateway', Kind.IP], // RTA_GATEWAY
  [6, 'priority', Kind.U32], // RTA_PRIORITY
  [7, 'prefsrc', Kind.IP], // RTA_PREFSRC
  [8, 'metrics', Kind.Nested, routeMetrics], // RTA_METRICS
  [9, 'multipath', Kind.Nexthops, headerAndAttrs(rtnexthop, routeAttrs)], // RTA_MULTIPATH
  [11, 'flow', Kind.U32], // RTA_FLOW
  [12, 'cacheinfo', Kind.Struct, rtaCacheinfo], // RTA_CACHEINFO
  [15, 'table', Kind.U32], // RTA_TABLE
  [16, 'mark', Kind.U32], // RTA_MARK
  [20, 'pref', Kind.U8], // RTA_PREF
  [23, 'expires', Kind.U32], // RTA_EXPIRES
  [25, 'uid', Kind.U32], // RTA_UID
  [26, 'ttl_propagate', Kind.U8], // RTA_TTL_PROPAGATE
  [27, 'ip_proto', Kind.U8], // RTA_IP_PROTO
  [28, 'sport', Kind.U16BE], // RTA_SPORT
  [29, 'dport', Kind.U16BE], // RTA_DPORT
  [30, 'nh_id', Kind.U32], // RTA_NH_ID
]);

export const routeMessage: MessageSpec = { header: rtmsg, attrs: routeAttrs, nestedFlag: false };
