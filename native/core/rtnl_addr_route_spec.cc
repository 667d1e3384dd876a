// rtnetlink addresses (ifaddrmsg + IFA_*), routes (rtmsg + RTA_*), neighbours (ndmsg + NDA_*)
// and policy rules (fib_rule_hdr + FRA_*). Numbers from linux/if_addr.h, linux/rtnetlink.h,
// linux/neighbour.h and linux/fib_rules.h.
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "rtnl_specs.h"

namespace nln {

const StructSpec kIfaddrmsg{"ifaddrmsg", 8, {
    {"family", 0, 1}, {"prefixlen", 1, 1}, {"flags", 2, 1}, {"scope", 3, 1}, {"index", 4, 4}}};

const StructSpec kIfaCacheinfo{"ifa_cacheinfo", 16, {
    {"preferred", 0, 4}, {"valid", 4, 4}, {"cstamp", 8, 4}, {"tstamp", 12, 4}}};

const AttrSet kAddrAttrs{"address", {
    {IFA_ADDRESS, "address", Kind::IPAddr},
    {IFA_LOCAL, "local", Kind::IPAddr},
    {IFA_LABEL, "label", Kind::String},
    {IFA_BROADCAST, "broadcast", Kind::IPAddr},
    {IFA_ANYCAST, "anycast", Kind::IPAddr},
    {IFA_CACHEINFO, "cacheinfo", Kind::Struct, nullptr, &kIfaCacheinfo},
    {IFA_MULTICAST, "multicast", Kind::IPAddr},
    {IFA_FLAGS, "flags", Kind::U32},
    {IFA_RT_PRIORITY, "rt_priority", Kind::U32},
    {IFA_TARGET_NETNSID, "target_netnsid", Kind::S32},
    {11, "proto", Kind::U8},  // IFA_PROTO
}};

const StructSpec kRtmsg{"rtmsg", 12, {
    {"family", 0, 1}, {"dst_len", 1, 1}, {"src_len", 2, 1}, {"tos", 3, 1}, {"table", 4, 1},
    {"protocol", 5, 1}, {"scope", 6, 1}, {"type", 7, 1}, {"flags", 8, 4}}};

const AttrSet kRouteMetrics{"metrics", {
    {RTAX_LOCK, "lock", Kind::U32},
    {RTAX_MTU, "mtu", Kind::U32},
    {RTAX_WINDOW, "window", Kind::U32},
    {RTAX_RTT, "rtt", Kind::U32},
    {RTAX_RTTVAR, "rttvar", Kind::U32},
    {RTAX_SSTHRESH, "ssthresh", Kind::U32},
    {RTAX_CWND, "cwnd", Kind::U32},
    {RTAX_ADVMSS, "advmss", Kind::U32},
    {RTAX_REORDERING, "reordering", Kind::U32},
    {RTAX_HOPLIMIT, "hoplimit", Kind::U32},
    {RTAX_INITCWND, "initcwnd", Kind::U32},
    {RTAX_FEATURES, "features", Kind::U32},
    {RTAX_RTO_MIN, "rto_min", Kind::U32},
    {RTAX_INITRWND, "initrwnd", Kind::U32},
    {RTAX_QUICKACK, "quickack", Kind::U32},
    {RTAX_CC_ALGO, "congctl", Kind::String},
    {RTAX_FASTOPEN_NO_COOKIE, "fastopen_no_cookie", Kind::U32},
}};

const StructSpec kRtaCacheinfo{"rta_cacheinfo", 32, {
    {"clntref", 0, 4}, {"lastuse", 4, 4}, {"expires", 8, 4, true}, {"error", 12, 4}, {"used", 16, 4},
    {"id", 20, 4}, {"ts", 24, 4}, {"tsage", 28, 4}}};

// struct rtnexthop: the header of each RTA_MULTIPATH entry; its attributes follow within rtnh_len.
const StructSpec kRtnexthop{"rtnexthop", 8, {{"len", 0, 2}, {"flags", 2, 1}, {"hops", 3, 1}, {"ifindex", 4, 4, true}}};

extern const AttrSet kRouteAttrs;

const AttrSet kRouteAttrs{"route", {
    {RTA_DST, "dst", Kind::IPAddr},
    {RTA_SRC, "src", Kind::IPAddr},
    {RTA_IIF, "iif", Kind::U32},
    {RTA_OIF, "oif", Kind::U32},
    {RTA_GATEWAY, "gateway", Kind::IPAddr},
    {RTA_PRIORITY, "priority", Kind::U32},
    {RTA_PREFSRC, "prefsrc", Kind::IPAddr},
    {RTA_METRICS, "metrics", Kind::Nested, &kRouteMetrics},
    {RTA_MULTIPATH, "multipath", Kind::Nexthops, &kRouteAttrs, &kRtnexthop},
    {RTA_FLOW, "flow", Kind::U32},
    {RTA_CACHEINFO, "cacheinfo", Kind::Struct, nullptr, &kRtaCacheinfo},
    {RTA_TABLE, "table", Kind::U32},
    {RTA_MARK, "mark", Kind::U32},
    {RTA_PREF, "pref", Kind::U8},
    {RTA_EXPIRES, "expires", Kind::U32},
    {RTA_UID, "uid", Kind::U32},
    {RTA_TTL_PROPAGATE, "ttl_propagate", Kind::U8},
    {RTA_IP_PROTO, "ip_proto", Kind::U8},
    {RTA_SPORT, "sport", Kind::U16BE},
    {RTA_DPORT, "dport", Kind::U16BE},
    {RTA_NH_ID, "nh_id", Kind::U32},
}};

const StructSpec kNdmsg{"ndmsg", 12, {
    {"family", 0, 1}, {"ifindex", 4, 4, true}, {"state", 8, 2}, {"flags", 10, 1}, {"type", 11, 1}}};

const StructSpec kNdaCacheinfo{"nda_cacheinfo", 16, {
    {"confirmed", 0, 4}, {"used", 4, 4}, {"updated", 8, 4}, {"refcnt", 12, 4}}};

const AttrSet kNeighAttrs{"neighbour", {
    {NDA_DST, "dst", Kind::IPAddr},
    {NDA_LLADDR, "lladdr", Kind::Mac},
    {NDA_CACHEINFO, "cacheinfo", Kind::Struct, nullptr, &kNdaCacheinfo},
    {NDA_PROBES, "probes", Kind::U32},
    {NDA_VLAN, "vlan", Kind::U16},
    {NDA_PORT, "port", Kind::U16BE},
    {NDA_VNI, "vni", Kind::U32},
    {NDA_IFINDEX, "ifindex", Kind::U32},
    {NDA_MASTER, "master", Kind::U32},
    {NDA_LINK_NETNSID, "link_netnsid", Kind::S32},
    {NDA_SRC_VNI, "src_vni", Kind::U32},
    {NDA_PROTOCOL, "protocol", Kind::U8},
    {NDA_NH_ID, "nh_id", Kind::U32},
    {15, "flags_ext", Kind::U32},  // NDA_FLAGS_EXT
}};

const StructSpec kFibRuleHdr{"fib_rule_hdr", 12, {
    {"family", 0, 1}, {"dst_len", 1, 1}, {"src_len", 2, 1}, {"tos", 3, 1}, {"table", 4, 1},
    {"action", 7, 1}, {"flags", 8, 4}}};

const StructSpec kFibRulePortRange{"fib_rule_port_range", 4, {{"start", 0, 2}, {"end", 2, 2}}};
const StructSpec kFibRuleUidRange{"fib_rule_uid_range", 8, {{"start", 0, 4}, {"end", 4, 4}}};

const AttrSet kRuleAttrs{"rule", {
    {FRA_DST, "dst", Kind::IPAddr},
    {FRA_SRC, "src", Kind::IPAddr},
    {FRA_IIFNAME, "iifname", Kind::String},
    {FRA_GOTO, "goto", Kind::U32},
    {FRA_PRIORITY, "priority", Kind::U32},
    {FRA_FWMARK, "fwmark", Kind::U32},
    {FRA_FLOW, "flow", Kind::U32},
    {FRA_TUN_ID, "tun_id", Kind::U64BE},
    {FRA_SUPPRESS_IFGROUP, "suppress_ifgroup", Kind::U32},
    {FRA_SUPPRESS_PREFIXLEN, "suppress_prefixlen", Kind::U32},
    {FRA_TABLE, "table", Kind::U32},
    {FRA_FWMASK, "fwmask", Kind::U32},
    {FRA_OIFNAME, "oifname", Kind::String},
    {FRA_L3MDEV, "l3mdev", Kind::U8},
    {FRA_UID_RANGE, "uid_range", Kind::Struct, nullptr, &kFibRuleUidRange},
    {FRA_PROTOCOL, "protocol", Kind::U8},
    {FRA_IP_PROTO, "ip_proto", Kind::U8},
    {FRA_SPORT_RANGE, "sport_range", Kind::Struct, nullptr, &kFibRulePortRange},
    {FRA_DPORT_RANGE, "dport_range", Kind::Struct, nullptr, &kFibRulePortRange},
}};

const MessageSpec kAddrMessage{&kIfaddrmsg, &kAddrAttrs};
const MessageSpec kRouteMessage{&kRtmsg, &kRouteAttrs};
const MessageSpec kNeighMessage{&kNdmsg, &kNeighAttrs};
const MessageSpec kRuleMessage{&kFibRuleHdr, &kRuleAttrs};

}  // namespace nln
