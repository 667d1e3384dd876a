// nfnetlink nf_tables messages (linux/netfilter/nf_tables.h): nfgenmsg + NFTA_* attributes, all
// nests flagged NLA_F_NESTED as libnftnl sends them. Expressions are a sub-message chosen by
// their NFTA_EXPR_NAME; xtables compat (match/target) carries iptables' binary structs as bytes.
#include <linux/netlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft_specs.h"

namespace nln {

// nfgenmsg; res_id is big-endian (for batches it names the subsystem: NFNL_SUBSYS_NFTABLES).
const StructSpec kNfgenmsg{"nfgenmsg", 4, {{"family", 0, 1}, {"version", 1, 1}, {"res_id", 2, 2, false, true}}};

const AttrSet kNftVerdict{"verdict", {
    {NFTA_VERDICT_CODE, "code", Kind::U32BE},
    {NFTA_VERDICT_CHAIN, "chain", Kind::String},
}};

const AttrSet kNftData{"data", {
    {NFTA_DATA_VALUE, "value", Kind::Binary},
    {NFTA_DATA_VERDICT, "verdict", Kind::Nested, &kNftVerdict},
}};

const AttrSet kNftPayload{"payload", {
    {NFTA_PAYLOAD_DREG, "dreg", Kind::U32BE}, {NFTA_PAYLOAD_BASE, "base", Kind::U32BE},
    {NFTA_PAYLOAD_OFFSET, "offset", Kind::U32BE}, {NFTA_PAYLOAD_LEN, "len", Kind::U32BE},
    {NFTA_PAYLOAD_SREG, "sreg", Kind::U32BE}, {NFTA_PAYLOAD_CSUM_TYPE, "csum_type", Kind::U32BE},
    {NFTA_PAYLOAD_CSUM_OFFSET, "csum_offset", Kind::U32BE}, {NFTA_PAYLOAD_CSUM_FLAGS, "csum_flags", Kind::U32BE},
}};

const AttrSet kNftMeta{"meta", {
    {NFTA_META_DREG, "dreg", Kind::U32BE}, {NFTA_META_KEY, "key", Kind::U32BE}, {NFTA_META_SREG, "sreg", Kind::U32BE},
}};

const AttrSet kNftCmp{"cmp", {
    {NFTA_CMP_SREG, "sreg", Kind::U32BE}, {NFTA_CMP_OP, "op", Kind::U32BE}, {NFTA_CMP_DATA, "data", Kind::Nested, &kNftData},
}};

const AttrSet kNftBitwise{"bitwise", {
    {NFTA_BITWISE_SREG, "sreg", Kind::U32BE}, {NFTA_BITWISE_DREG, "dreg", Kind::U32BE}, {NFTA_BITWISE_LEN, "len", Kind::U32BE},
    {NFTA_BITWISE_MASK, "mask", Kind::Nested, &kNftData}, {NFTA_BITWISE_XOR, "xor", Kind::Nested, &kNftData},
    {NFTA_BITWISE_OP, "op", Kind::U32BE}, {NFTA_BITWISE_DATA, "data", Kind::Nested, &kNftData},
}};

const AttrSet kNftImmediate{"immediate", {
    {NFTA_IMMEDIATE_DREG, "dreg", Kind::U32BE}, {NFTA_IMMEDIATE_DATA, "data", Kind::Nested, &kNftData},
}};

const AttrSet kNftCounter{"counter", {
    {NFTA_COUNTER_BYTES, "bytes", Kind::U64BE}, {NFTA_COUNTER_PACKETS, "packets", Kind::U64BE},
}};

const AttrSet kNftCt{"ct", {
    {NFTA_CT_DREG, "dreg", Kind::U32BE}, {NFTA_CT_KEY, "key", Kind::U32BE},
    {NFTA_CT_DIRECTION, "direction", Kind::U8}, {NFTA_CT_SREG, "sreg", Kind::U32BE},
}};

const AttrSet kNftNat{"nat", {
    {NFTA_NAT_TYPE, "type", Kind::U32BE}, {NFTA_NAT_FAMILY, "family", Kind::U32BE},
    {NFTA_NAT_REG_ADDR_MIN, "reg_addr_min", Kind::U32BE}, {NFTA_NAT_REG_ADDR_MAX, "reg_addr_max", Kind::U32BE},
    {NFTA_NAT_REG_PROTO_MIN, "reg_proto_min", Kind::U32BE}, {NFTA_NAT_REG_PROTO_MAX, "reg_proto_max", Kind::U32BE},
    {NFTA_NAT_FLAGS, "flags", Kind::U32BE},
}};

const AttrSet kNftMasq{"masq", {
    {NFTA_MASQ_FLAGS, "flags", Kind::U32BE}, {NFTA_MASQ_REG_PROTO_MIN, "reg_proto_min", Kind::U32BE},
    {NFTA_MASQ_REG_PROTO_MAX, "reg_proto_max", Kind::U32BE},
}};

const AttrSet kNftRedir{"redir", {
    {NFTA_REDIR_REG_PROTO_MIN, "reg_proto_min", Kind::U32BE}, {NFTA_REDIR_REG_PROTO_MAX, "reg_proto_max", Kind::U32BE},
    {NFTA_REDIR_FLAGS, "flags", Kind::U32BE},
}};

const AttrSet kNftLookup{"lookup", {
    {NFTA_LOOKUP_SET, "set", Kind::String}, {NFTA_LOOKUP_SREG, "sreg", Kind::U32BE}, {NFTA_LOOKUP_DREG, "dreg", Kind::U32BE},
    {NFTA_LOOKUP_SET_ID, "set_id", Kind::U32BE}, {NFTA_LOOKUP_FLAGS, "flags", Kind::U32BE},
}};

const AttrSet kNftRange{"range", {
    {NFTA_RANGE_SREG, "sreg", Kind::U32BE}, {NFTA_RANGE_OP, "op", Kind::U32BE},
    {NFTA_RANGE_FROM_DATA, "from", Kind::Nested, &kNftData}, {NFTA_RANGE_TO_DATA, "to", Kind::Nested, &kNftData},
}};

const AttrSet kNftLog{"log", {
    {NFTA_LOG_GROUP, "group", Kind::U16BE}, {NFTA_LOG_PREFIX, "prefix", Kind::String},
    {NFTA_LOG_SNAPLEN, "snaplen", Kind::U32BE}, {NFTA_LOG_QTHRESHOLD, "qthreshold", Kind::U16BE},
    {NFTA_LOG_LEVEL, "level", Kind::U32BE}, {NFTA_LOG_FLAGS, "flags", Kind::U32BE},
}};

const AttrSet kNftLimit{"limit", {
    {NFTA_LIMIT_RATE, "rate", Kind::U64BE}, {NFTA_LIMIT_UNIT, "unit", Kind::U64BE},
    {NFTA_LIMIT_BURST, "burst", Kind::U32BE}, {NFTA_LIMIT_TYPE, "type", Kind::U32BE}, {NFTA_LIMIT_FLAGS, "flags", Kind::U32BE},
}};

const AttrSet kNftReject{"reject", {
    {NFTA_REJECT_TYPE, "type", Kind::U32BE}, {NFTA_REJECT_ICMP_CODE, "icmp_code", Kind::U8},
}};

const AttrSet kNftFib{"fib", {
    {NFTA_FIB_DREG, "dreg", Kind::U32BE}, {NFTA_FIB_RESULT, "result", Kind::U32BE}, {NFTA_FIB_FLAGS, "flags", Kind::U32BE},
}};

const AttrSet kNftCompat{"compat", {
    {NFTA_MATCH_NAME, "name", Kind::String}, {NFTA_MATCH_REV, "rev", Kind::U32BE}, {NFTA_MATCH_INFO, "info", Kind::Binary},
}};

const SubMessageSpec kNftExprData{"name", {
    {"payload", &kNftPayload}, {"meta", &kNftMeta}, {"cmp", &kNftCmp}, {"bitwise", &kNftBitwise},
    {"immediate", &kNftImmediate}, {"counter", &kNftCounter}, {"ct", &kNftCt}, {"nat", &kNftNat},
    {"masq", &kNftMasq}, {"redir", &kNftRedir}, {"lookup", &kNftLookup}, {"range", &kNftRange},
    {"log", &kNftLog}, {"limit", &kNftLimit}, {"reject", &kNftReject}, {"fib", &kNftFib},
    {"notrack", &kNoAttrs}, {"match", &kNftCompat}, {"target", &kNftCompat},
}};

const AttrSet kNftExpr{"expr", {
    {NFTA_EXPR_NAME, "name", Kind::String},
    {NFTA_EXPR_DATA, "data", Kind::SubMessage, nullptr, nullptr, &kNftExprData},
}};

const AttrSet kNftExprList{"expressions", {
    {NFTA_LIST_ELEM, "elem", Kind::Nested, &kNftExpr, nullptr, nullptr, true},
}};

const AttrSet kNftTable{"table", {
    {NFTA_TABLE_NAME, "name", Kind::String}, {NFTA_TABLE_FLAGS, "flags", Kind::U32BE}, {NFTA_TABLE_USE, "use", Kind::U32BE},
    {NFTA_TABLE_HANDLE, "handle", Kind::U64BE}, {NFTA_TABLE_USERDATA, "userdata", Kind::Binary}, {7, "owner", Kind::U32BE},
}};

const AttrSet kNftHook{"hook", {
    {NFTA_HOOK_HOOKNUM, "hooknum", Kind::U32BE}, {NFTA_HOOK_PRIORITY, "priority", Kind::U32BE}, {NFTA_HOOK_DEV, "dev", Kind::String},
}};

const AttrSet kNftChain{"chain", {
    {NFTA_CHAIN_TABLE, "table", Kind::String}, {NFTA_CHAIN_HANDLE, "handle", Kind::U64BE}, {NFTA_CHAIN_NAME, "name", Kind::String},
    {NFTA_CHAIN_HOOK, "hook", Kind::Nested, &kNftHook}, {NFTA_CHAIN_POLICY, "policy", Kind::U32BE},
    {NFTA_CHAIN_USE, "use", Kind::U32BE}, {NFTA_CHAIN_TYPE, "type", Kind::String}, {NFTA_CHAIN_FLAGS, "flags", Kind::U32BE},
    {NFTA_CHAIN_ID, "id", Kind::U32BE}, {NFTA_CHAIN_USERDATA, "userdata", Kind::Binary},
}};

const AttrSet kNftRuleCompat{"rule_compat", {
    {NFTA_RULE_COMPAT_PROTO, "proto", Kind::U32BE}, {NFTA_RULE_COMPAT_FLAGS, "flags", Kind::U32BE},
}};

const AttrSet kNftRule{"rule", {
    {NFTA_RULE_TABLE, "table", Kind::String}, {NFTA_RULE_CHAIN, "chain", Kind::String}, {NFTA_RULE_HANDLE, "handle", Kind::U64BE},
    {NFTA_RULE_EXPRESSIONS, "expressions", Kind::Nested, &kNftExprList}, {NFTA_RULE_COMPAT, "compat", Kind::Nested, &kNftRuleCompat},
    {NFTA_RULE_POSITION, "position", Kind::U64BE}, {NFTA_RULE_USERDATA, "userdata", Kind::Binary}, {NFTA_RULE_ID, "id", Kind::U32BE},
    {NFTA_RULE_POSITION_ID, "position_id", Kind::U32BE}, {NFTA_RULE_CHAIN_ID, "chain_id", Kind::U32BE},
}};

const AttrSet kNftSetDesc{"set_desc", {{NFTA_SET_DESC_SIZE, "size", Kind::U32BE}}};

const AttrSet kNftSet{"set", {
    {NFTA_SET_TABLE, "table", Kind::String}, {NFTA_SET_NAME, "name", Kind::String}, {NFTA_SET_FLAGS, "flags", Kind::U32BE},
    {NFTA_SET_KEY_TYPE, "key_type", Kind::U32BE}, {NFTA_SET_KEY_LEN, "key_len", Kind::U32BE},
    {NFTA_SET_DATA_TYPE, "data_type", Kind::U32BE}, {NFTA_SET_DATA_LEN, "data_len", Kind::U32BE},
    {NFTA_SET_POLICY, "policy", Kind::U32BE}, {NFTA_SET_DESC, "desc", Kind::Nested, &kNftSetDesc},
    {NFTA_SET_ID, "id", Kind::U32BE}, {NFTA_SET_TIMEOUT, "timeout", Kind::U64BE}, {NFTA_SET_GC_INTERVAL, "gc_interval", Kind::U32BE},
    {NFTA_SET_USERDATA, "userdata", Kind::Binary}, {NFTA_SET_HANDLE, "handle", Kind::U64BE},
}};

const AttrSet kNftSetElem{"set_elem", {
    {NFTA_SET_ELEM_KEY, "key", Kind::Nested, &kNftData}, {NFTA_SET_ELEM_DATA, "data", Kind::Nested, &kNftData},
    {NFTA_SET_ELEM_FLAGS, "flags", Kind::U32BE}, {NFTA_SET_ELEM_TIMEOUT, "timeout", Kind::U64BE},
    {NFTA_SET_ELEM_EXPIRATION, "expiration", Kind::U64BE}, {NFTA_SET_ELEM_USERDATA, "userdata", Kind::Binary},
    {NFTA_SET_ELEM_KEY_END, "key_end", Kind::Nested, &kNftData},
}};

const AttrSet kNftSetElemItems{"set_elem_items", {
    {NFTA_LIST_ELEM, "elem", Kind::Nested, &kNftSetElem, nullptr, nullptr, true},
}};

const AttrSet kNftSetElemList{"set_elem_list", {
    {NFTA_SET_ELEM_LIST_TABLE, "table", Kind::String}, {NFTA_SET_ELEM_LIST_SET, "set", Kind::String},
    {NFTA_SET_ELEM_LIST_ELEMENTS, "elements", Kind::Nested, &kNftSetElemItems}, {NFTA_SET_ELEM_LIST_SET_ID, "set_id", Kind::U32BE},
}};

const AttrSet kNftGen{"gen", {{NFTA_GEN_ID, "id", Kind::U32BE}, {NFTA_GEN_PROC_PID, "pid", Kind::U32BE}, {NFTA_GEN_PROC_NAME, "proc", Kind::String}}};

const AttrSet kNfnlBatch{"batch", {{NFNL_BATCH_GENID, "genid", Kind::U32BE}}};

const MessageSpec kNftTableMessage{&kNfgenmsg, &kNftTable, true};
const MessageSpec kNftChainMessage{&kNfgenmsg, &kNftChain, true};
const MessageSpec kNftRuleMessage{&kNfgenmsg, &kNftRule, true};
const MessageSpec kNftSetMessage{&kNfgenmsg, &kNftSet, true};
const MessageSpec kNftSetElemMessage{&kNfgenmsg, &kNftSetElemList, true};
const MessageSpec kNftGenMessage{&kNfgenmsg, &kNftGen, true};
const MessageSpec kNfnlBatchMessage{&kNfgenmsg, &kNfnlBatch, true};

const MessageSpec* find_nft_message_spec(uint16_t type) {
  if (type == NFNL_MSG_BATCH_BEGIN || type == NFNL_MSG_BATCH_END) return &kNfnlBatchMessage;
  if ((type >> 8) != NFNL_SUBSYS_NFTABLES) return nullptr;
  switch (type & 0xff) {
    case NFT_MSG_NEWTABLE: case NFT_MSG_GETTABLE: case NFT_MSG_DELTABLE: return &kNftTableMessage;
    case NFT_MSG_NEWCHAIN: case NFT_MSG_GETCHAIN: case NFT_MSG_DELCHAIN: return &kNftChainMessage;
    case NFT_MSG_NEWRULE: case NFT_MSG_GETRULE: case NFT_MSG_DELRULE: return &kNftRuleMessage;
    case NFT_MSG_NEWSET: case NFT_MSG_GETSET: case NFT_MSG_DELSET: return &kNftSetMessage;
    case NFT_MSG_NEWSETELEM: case NFT_MSG_GETSETELEM: case NFT_MSG_DELSETELEM: return &kNftSetElemMessage;
    case NFT_MSG_NEWGEN: case NFT_MSG_GETGEN: return &kNftGenMessage;
    default: return nullptr;
  }
}

}  // namespace nln
