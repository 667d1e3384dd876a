// rtnetlink policy rules (RTM_NEWRULE/DELRULE/GETRULE): fib_rule_hdr + FRA_* (linux/fib_rules.h).
import { Kind, type MessageSpec, attrSet, struct } from './schema';

export const fibRuleHdr = struct('fib_rule_hdr', 12, [
  ['family', 0, 1],
  ['dst_len', 1, 1],
  ['src_len', 2, 1],
  ['tos', 3, 1],
  ['table', 4, 1],
  ['action', 7, 1],
  ['flags', 8, 4],
]);

export const fibRulePortRange = struct('fib_rule_port_range', 4, [['start', 0, 2], ['end', 2, 2]]);

export const fibRuleUidRange = struct('fib_rule_uid_range', 8, [['start', 0, 4], ['end', 4, 4]]);

export const ruleAttrs = attrSet('rule', [
  [1, 'dst', Kind.IP], // FRA_DST
  [2, 'src', Kind.IP], // FRA_SRC
  [3, 'iifname', Kind.String], // FRA_IIFNAME
  [4, 'goto', Kind.U32], // FRA_GOTO
  [6, 'priority', Kind.U32], // FRA_PRIORITY
  [10, 'fwmark', Kind.U32], // FRA_FWMARK
  [11, 'flow', Kind.U32], // FRA_FLOW
  [12, 'tun_id', Kind.U64BE], // FRA_TUN_ID
  [13, 'suppress_ifgroup', Kind.U32], // FRA_SUPPRESS_IFGROUP
  [14, 'suppress_prefixlen', Kind.U32], // FRA_SUPPRESS_PREFIXLEN
  [15, 'table', Kind.U32], // FRA_TABLE
  [16, 'fwmask', Kind.U32], // FRA_FWMASK
  [17, 'oifname', Kind.String], // FRA_OIFNAME
  [19, 'l3mdev', Kind.U8], // FRA_L3MDEV
  [20, 'uid_range', Kind.Struct, fibRuleUidRange], // FRA_UID_RANGE
  [21, 'protocol', Kind.U8], // FRA_PROTOCOL
  [22, 'ip_proto', Kind.U8], // FRA_IP_PROTO
  [23, 'sport_range', Kind.Struct, fibRulePortRange], // FRA_SPORT_RANGE
  [24, 'dport_range', Kind.Struct, fibRulePortRange], // FRA_DPORT_RANGE
]);

export const ruleMessage: MessageSpec = { header: fibRuleHdr, attrs: ruleAttrs, nestedFlag: false };
