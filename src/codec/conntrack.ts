// nfnetlink connection tracking (NFNL_SUBSYS_CTNETLINK, linux/netfilter/nfnetlink_conntrack.h):
// nfgenmsg + CTA_* attributes, nests flagged NLA_F_NESTED as libnetfilter_conntrack sends them.
// Integers are big-endian except the CTA_FILTER flags, which the kernel reads in host order.
import { nfgenmsg } from './nftables';
import { Kind, type MessageSpec, attrSet } from './schema';

export const ctIp = attrSet('ct_ip', [
  [1, 'v4_src', Kind.IP], // CTA_IP_V4_SRC
  [2, 'v4_dst', Kind.IP], // CTA_IP_V4_DST
  [3, 'v6_src', Kind.IP], // CTA_IP_V6_SRC
  [4, 'v6_dst', Kind.IP], // CTA_IP_V6_DST
]);

export const ctProto = attrSet('ct_proto', [
  [1, 'num', Kind.U8], // CTA_PROTO_NUM
  [2, 'src_port', Kind.U16BE], // CTA_PROTO_SRC_PORT
  [3, 'dst_port', Kind.U16BE], // CTA_PROTO_DST_PORT
  [4, 'icmp_id', Kind.U16BE], // CTA_PROTO_ICMP_ID
  [5, 'icmp_type', Kind.U8], // CTA_PROTO_ICMP_TYPE
  [6, 'icmp_code', Kind.U8], // CTA_PROTO_ICMP_CODE
  [7, 'icmpv6_id', Kind.U16BE], // CTA_PROTO_ICMPV6_ID
  [8, 'icmpv6_type', Kind.U8], // CTA_PROTO_ICMPV6_TYPE
  [9, 'icmpv6_code', Kind.U8], // CTA_PROTO_ICMPV6_CODE
]);

export const ctTuple = attrSet('ct_tuple', [
  [1, 'ip', Kind.Nested, ctIp], // CTA_TUPLE_IP
  [2, 'proto', Kind.Nested, ctProto], // CTA_TUPLE_PROTO
  [3, 'zone', Kind.U16BE], // CTA_TUPLE_ZONE
]);

export const ctProtoinfoTcp = attrSet('ct_protoinfo_tcp', [
  [1, 'state', Kind.U8], // CTA_PROTOINFO_TCP_STATE
  [2, 'wscale_original', Kind.U8], // CTA_PROTOINFO_TCP_WSCALE_ORIGINAL
  [3, 'wscale_reply', Kind.U8], // CTA_PROTOINFO_TCP_WSCALE_REPLY
  [4, 'flags_original', Kind.Binary], // CTA_PROTOINFO_TCP_FLAGS_ORIGINAL: struct nf_ct_tcp_flags
  [5, 'flags_reply', Kind.Binary], // CTA_PROTOINFO_TCP_FLAGS_REPLY
]);

export const ctProtoinfoDccp = attrSet('ct_protoinfo_dccp', [
  [1, 'state', Kind.U8], // CTA_PROTOINFO_DCCP_STATE
  [2, 'role', Kind.U8], // CTA_PROTOINFO_DCCP_ROLE
  [3, 'handshake_seq', Kind.U64BE], // CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ
]);

export const ctProtoinfoSctp = attrSet('ct_protoinfo_sctp', [
  [1, 'state', Kind.U8], // CTA_PROTOINFO_SCTP_STATE
  [2, 'vtag_original', Kind.U32BE], // CTA_PROTOINFO_SCTP_VTAG_ORIGINAL
  [3, 'vtag_reply', Kind.U32BE], // CTA_PROTOINFO_SCTP_VTAG_REPLY
]);

export const ctProtoinfo = attrSet('ct_protoinfo', [
  [1, 'tcp', Kind.Nested, ctProtoinfoTcp], // CTA_PROTOINFO_TCP
  [2, 'dccp', Kind.Nested, ctProtoinfoDccp], // CTA_PROTOINFO_DCCP
  [3, 'sctp', Kind.Nested, ctProtoinfoSctp], // CTA_PROTOINFO_SCTP
]);

export const ctCounters = attrSet('ct_counters', [
  [1, 'packets', Kind.U64BE], // CTA_COUNTERS_PACKETS
  [2, 'bytes', Kind.U64BE], // CTA_COUNTERS_BYTES
]);

export const ctHelp = attrSet('ct_help', [
  [1, 'name', Kind.String], // CTA_HELP_NAME
]);

export const ctSecctx = attrSet('ct_secctx', [
  [1, 'name', Kind.String], // CTA_SECCTX_NAME
]);

export const ctTimestamp = attrSet('ct_timestamp', [
  [1, 'start', Kind.U64BE], // CTA_TIMESTAMP_START
  [2, 'stop', Kind.U64BE], // CTA_TIMESTAMP_STOP
]);

/** CTA_FILTER: which fields of CTA_TUPLE_ORIG / CTA_TUPLE_REPLY a dump (or flush) matches on. */
export const ctFilter = attrSet('ct_filter', [
  [1, 'orig_flags', Kind.U32], // CTA_FILTER_ORIG_FLAGS (host order: nla_get_u32)
  [2, 'reply_flags', Kind.U32], // CTA_FILTER_REPLY_FLAGS
]);

export const ctAttrs = attrSet('conntrack', [
  [1, 'tuple_orig', Kind.Nested, ctTuple], // CTA_TUPLE_ORIG
  [2, 'tuple_reply', Kind.Nested, ctTuple], // CTA_TUPLE_REPLY
  [3, 'status', Kind.U32BE], // CTA_STATUS
  [4, 'protoinfo', Kind.Nested, ctProtoinfo], // CTA_PROTOINFO
  [5, 'help', Kind.Nested, ctHelp], // CTA_HELP
  [7, 'timeout', Kind.U32BE], // CTA_TIMEOUT (seconds left)
  [8, 'mark', Kind.U32BE], // CTA_MARK
  [9, 'counters_orig', Kind.Nested, ctCounters], // CTA_COUNTERS_ORIG
  [10, 'counters_reply', Kind.Nested, ctCounters], // CTA_COUNTERS_REPLY
  [11, 'use', Kind.U32BE], // CTA_USE
  [12, 'id', Kind.U32BE], // CTA_ID
  [14, 'tuple_master', Kind.Nested, ctTuple], // CTA_TUPLE_MASTER
  [18, 'zone', Kind.U16BE], // CTA_ZONE
  [19, 'secctx', Kind.Nested, ctSecctx], // CTA_SECCTX
  [20, 'timestamp', Kind.Nested, ctTimestamp], // CTA_TIMESTAMP
  [21, 'mark_mask', Kind.U32BE], // CTA_MARK_MASK
  [22, 'labels', Kind.Binary], // CTA_LABELS
  [23, 'labels_mask', Kind.Binary], // CTA_LABELS_MASK
  [25, 'filter', Kind.Nested, ctFilter], // CTA_FILTER
  [26, 'status_mask', Kind.U32BE], // CTA_STATUS_MASK
]);

/** IPCTNL_MSG_CT_GET_STATS' answer: the namespace's table as a whole. */
export const ctStatsGlobal = attrSet('ct_stats_global', [
  [1, 'entries', Kind.U32BE], // CTA_STATS_GLOBAL_ENTRIES
  [2, 'max_entries', Kind.U32BE], // CTA_STATS_GLOBAL_MAX_ENTRIES
]);

export const ctMessage: MessageSpec = { header: nfgenmsg, attrs: ctAttrs, nestedFlag: true };

export const ctStatsMessage: MessageSpec = { header: nfgenmsg, attrs: ctStatsGlobal, nestedFlag: true };
