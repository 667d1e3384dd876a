// nfnetlink nf_tables messages (linux/netfilter/nf_tables.h): nfgenmsg + NFTA_* attributes, all
// nests flagged NLA_F_NESTED as libnftnl sends them. Expressions are a sub-message chosen by their
// NFTA_EXPR_NAME; xtables compat (match/target) carries iptables' binary structs as bytes.
import { Kind, type MessageSpec, attrSet, noAttrs, struct, subMessage } from './schema';

// nfgenmsg; res_id is big-endian (for batches it names the subsystem: NFNL_SUBSYS_NFTABLES).
export const nfgenmsg = struct('nfgenmsg', 4, [['family', 0, 1], ['version', 1, 1], ['res_id', 2, 2, 'be']]);

export const nftVerdict = attrSet('verdict', [
  [1, 'code', Kind.U32BE], // NFTA_VERDICT_CODE
  [2, 'chain', Kind.String], // NFTA_VERDICT_CHAIN
]);

export const nftData = attrSet('data', [
  [1, 'value', Kind.Binary], // NFTA_DATA_VALUE
  [2, 'verdict', Kind.Nested, nftVerdict], // NFTA_DATA_VERDICT
]);

export const nftPayload = attrSet('payload', [
  [1, 'dreg', Kind.U32BE], // NFTA_PAYLOAD_DREG
  [2, 'base', Kind.U32BE], // NFTA_PAYLOAD_BASE
  [3, 'offset', Kind.U32BE], // NFTA_PAYLOAD_OFFSET
  [4, 'len', Kind.U32BE], // NFTA_PAYLOAD_LEN
  [5, 'sreg', Kind.U32BE], // NFTA_PAYLOAD_SREG
  [6, 'csum_type', Kind.U32BE], // NFTA_PAYLOAD_CSUM_TYPE
  [7, 'csum_offset', Kind.U32BE], // NFTA_PAYLOAD_CSUM_OFFSET
  [8, 'csum_flags', Kind.U32BE], // NFTA_PAYLOAD_CSUM_FLAGS
]);

export const nftMeta = attrSet('meta', [
  [1, 'dreg', Kind.U32BE], // NFTA_META_DREG
  [2, 'key', Kind.U32BE], // NFTA_META_KEY
  [3, 'sreg', Kind.U32BE], // NFTA_META_SREG
]);

export const nftCmp = attrSet('cmp', [
  [1, 'sreg', Kind.U32BE], // NFTA_CMP_SREG
  [2, 'op', Kind.U32BE], // NFTA_CMP_OP
  [3, 'data', Kind.Nested, nftData], // NFTA_CMP_DATA
]);

export const nftBitwise = attrSet('bitwise', [
  [1, 'sreg', Kind.U32BE], // NFTA_BITWISE_SREG
  [2, 'dreg', Kind.U32BE], // NFTA_BITWISE_DREG
  [3, 'len', Kind.U32BE], // NFTA_BITWISE_LEN
  [4, 'mask', Kind.Nested, nftData], // NFTA_BITWISE_MASK
  [5, 'xor', Kind.Nested, nftData], // NFTA_BITWISE_XOR
  [6, 'op', Kind.U32BE], // NFTA_BITWISE_OP
  [7, 'data', Kind.Nested, nftData], // NFTA_BITWISE_DATA
]);

export const nftImmediate = attrSet('immediate', [
  [1, 'dreg', Kind.U32BE], // NFTA_IMMEDIATE_DREG
  [2, 'data', Kind.Nested, nftData], // NFTA_IMMEDIATE_DATA
]);

export const nftCounter = attrSet('counter', [
  [1, 'bytes', Kind.U64BE], // NFTA_COUNTER_BYTES
  [2, 'packets', Kind.U64BE], // NFTA_COUNTER_PACKETS
]);

export const nftCt = attrSet('ct', [
  [1, 'dreg', Kind.U32BE], // NFTA_CT_DREG
  [2, 'key', Kind.U32BE], // NFTA_CT_KEY
  [3, 'direction', Kind.U8], // NFTA_CT_DIRECTION
  [4, 'sreg', Kind.U32BE], // NFTA_CT_SREG
]);

export const nftNat = attrSet('nat', [
  [1, 'type', Kind.U32BE], // NFTA_NAT_TYPE
  [2, 'family', Kind.U32BE], // NFTA_NAT_FAMILY
  [3, 'reg_addr_min', Kind.U32BE], // NFTA_NAT_REG_ADDR_MIN
  [4, 'reg_addr_max', Kind.U32BE], // NFTA_NAT_REG_ADDR_MAX
  [5, 'reg_proto_min', Kind.U32BE], // NFTA_NAT_REG_PROTO_MIN
  [6, 'reg_proto_max', Kind.U32BE], // NFTA_NAT_REG_PROTO_MAX
  [7, 'flags', Kind.U32BE], // NFTA_NAT_FLAGS
]);

export const nftMasq = attrSet('masq', [
  [1, 'flags', Kind.U32BE], // NFTA_MASQ_FLAGS
  [2, 'reg_proto_min', Kind.U32BE], // NFTA_MASQ_REG_PROTO_MIN
  [3, 'reg_proto_max', Kind.U32BE], // NFTA_MASQ_REG_PROTO_MAX
]);

export const nftRedir = attrSet('redir', [
  [1, 'reg_proto_min', Kind.U32BE], // NFTA_REDIR_REG_PROTO_MIN
  [2, 'reg_proto_max', Kind.U32BE], // NFTA_REDIR_REG_PROTO_MAX
  [3, 'flags', Kind.U32BE], // NFTA_REDIR_FLAGS
]);

export const nftLookup = attrSet('lookup', [
  [1, 'set', Kind.String], // NFTA_LOOKUP_SET
  [2, 'sreg', Kind.U32BE], // NFTA_LOOKUP_SREG
  [3, 'dreg', Kind.U32BE], // NFTA_LOOKUP_DREG
  [4, 'set_id', Kind.U32BE], // NFTA_LOOKUP_SET_ID
  [5, 'flags', Kind.U32BE], // NFTA_LOOKUP_FLAGS
]);

export const nftRange = attrSet('range', [
  [1, 'sreg', Kind.U32BE], // NFTA_RANGE_SREG
  [2, 'op', Kind.U32BE], // NFTA_RANGE_OP
  [3, 'from', Kind.Nested, nftData], // NFTA_RANGE_FROM_DATA
  [4, 'to', Kind.Nested, nftData], // NFTA_RANGE_TO_DATA
]);

export const nftLog = attrSet('log', [
  [1, 'group', Kind.U16BE], // NFTA_LOG_GROUP
  [2, 'prefix', Kind.String], // NFTA_LOG_PREFIX
  [3, 'snaplen', Kind.U32BE], // NFTA_LOG_SNAPLEN
  [4, 'qthreshold', Kind.U16BE], // NFTA_LOG_QTHRESHOLD
  [5, 'level', Kind.U32BE], // NFTA_LOG_LEVEL
  [6, 'flags', Kind.U32BE], // NFTA_LOG_FLAGS
]);

export const nftLimit = attrSet('limit', [
  [1, 'rate', Kind.U64BE], // NFTA_LIMIT_RATE
  [2, 'unit', Kind.U64BE], // NFTA_LIMIT_UNIT
  [3, 'burst', Kind.U32BE], // NFTA_LIMIT_BURST
  [4, 'type', Kind.U32BE], // NFTA_LIMIT_TYPE
  [5, 'flags', Kind.U32BE], // NFTA_LIMIT_FLAGS
]);

export const nftReject = attrSet('reject', [
  [1, 'type', Kind.U32BE], // NFTA_REJECT_TYPE
  [2, 'icmp_code', Kind.U8], // NFTA_REJECT_ICMP_CODE
]);

export const nftFib = attrSet('fib', [
  [1, 'dreg', Kind.U32BE], // NFTA_FIB_DREG
  [2, 'result', Kind.U32BE], // NFTA_FIB_RESULT
  [3, 'flags', Kind.U32BE], // NFTA_FIB_FLAGS
]);

export const nftCompat = attrSet('compat', [
  [1, 'name', Kind.String], // NFTA_MATCH_NAME
  [2, 'rev', Kind.U32BE], // NFTA_MATCH_REV
  [3, 'info', Kind.Binary], // NFTA_MATCH_INFO
]);

export const nftExprData = subMessage('name', [
  ['payload', nftPayload],
  ['meta', nftMeta],
  ['cmp', nftCmp],
  ['bitwise', nftBitwise],
  ['immediate', nftImmediate],
  ['counter', nftCounter],
  ['ct', nftCt],
  ['nat', nftNat],
  ['masq', nftMasq],
  ['redir', nftRedir],
  ['lookup', nftLookup],
  ['range', nftRange],
  ['log', nftLog],
  ['limit', nftLimit],
  ['reject', nftReject],
  ['fib', nftFib],
  ['notrack', noAttrs],
  ['match', nftCompat],
  ['target', nftCompat],
]);

export const nftExpr = attrSet('expr', [
  [1, 'name', Kind.String], // NFTA_EXPR_NAME
  [2, 'data', Kind.SubMessage, nftExprData], // NFTA_EXPR_DATA
]);

export const nftExprList = attrSet('expressions', [
  [1, 'elem', Kind.Nested, nftExpr, 'multi'], // NFTA_LIST_ELEM
]);

export const nftTable = attrSet('table', [
  [1, 'name', Kind.String], // NFTA_TABLE_NAME
  [2, 'flags', Kind.U32BE], // NFTA_TABLE_FLAGS
  [3, 'use', Kind.U32BE], // NFTA_TABLE_USE
  [4, 'handle', Kind.U64BE], // NFTA_TABLE_HANDLE
  [6, 'userdata', Kind.Binary], // NFTA_TABLE_USERDATA
  [7, 'owner', Kind.U32BE], // NFTA_TABLE_OWNER
]);

export const nftHook = attrSet('hook', [
  [1, 'hooknum', Kind.U32BE], // NFTA_HOOK_HOOKNUM
  [2, 'priority', Kind.U32BE], // NFTA_HOOK_PRIORITY
  [3, 'dev', Kind.String], // NFTA_HOOK_DEV
]);

export const nftChain = attrSet('chain', [
  [1, 'table', Kind.String], // NFTA_CHAIN_TABLE
  [2, 'handle', Kind.U64BE], // NFTA_CHAIN_HANDLE
  [3, 'name', Kind.String], // NFTA_CHAIN_NAME
  [4, 'hook', Kind.Nested, nftHook], // NFTA_CHAIN_HOOK
  [5, 'policy', Kind.U32BE], // NFTA_CHAIN_POLICY
  [6, 'use', Kind.U32BE], // NFTA_CHAIN_USE
  [7, 'type', Kind.String], // NFTA_CHAIN_TYPE
  [8, 'counters', Kind.Nested, nftCounter], // NFTA_CHAIN_COUNTERS: a base chain's own (iptables' policy counters)
  [10, 'flags', Kind.U32BE], // NFTA_CHAIN_FLAGS
  [11, 'id', Kind.U32BE], // NFTA_CHAIN_ID
  [12, 'userdata', Kind.Binary], // NFTA_CHAIN_USERDATA
]);

export const nftRuleCompat = attrSet('rule_compat', [
  [1, 'proto', Kind.U32BE], // NFTA_RULE_COMPAT_PROTO
  [2, 'flags', Kind.U32BE], // NFTA_RULE_COMPAT_FLAGS
]);

export const nftRule = attrSet('rule', [
  [1, 'table', Kind.String], // NFTA_RULE_TABLE
  [2, 'chain', Kind.String], // NFTA_RULE_CHAIN
  [3, 'handle', Kind.U64BE], // NFTA_RULE_HANDLE
  [4, 'expressions', Kind.Nested, nftExprList], // NFTA_RULE_EXPRESSIONS
  [5, 'compat', Kind.Nested, nftRuleCompat], // NFTA_RULE_COMPAT
  [6, 'position', Kind.U64BE], // NFTA_RULE_POSITION
  [7, 'userdata', Kind.Binary], // NFTA_RULE_USERDATA
  [9, 'id', Kind.U32BE], // NFTA_RULE_ID
  [10, 'position_id', Kind.U32BE], // NFTA_RULE_POSITION_ID
  [11, 'chain_id', Kind.U32BE], // NFTA_RULE_CHAIN_ID
]);

export const nftSetDesc = attrSet('set_desc', [
  [1, 'size', Kind.U32BE], // NFTA_SET_DESC_SIZE
]);

export const nftSet = attrSet('set', [
  [1, 'table', Kind.String], // NFTA_SET_TABLE
  [2, 'name', Kind.String], // NFTA_SET_NAME
  [3, 'flags', Kind.U32BE], // NFTA_SET_FLAGS
  [4, 'key_type', Kind.U32BE], // NFTA_SET_KEY_TYPE
  [5, 'key_len', Kind.U32BE], // NFTA_SET_KEY_LEN
  [6, 'data_type', Kind.U32BE], // NFTA_SET_DATA_TYPE
  [7, 'data_len', Kind.U32BE], // NFTA_SET_DATA_LEN
  [8, 'policy', Kind.U32BE], // NFTA_SET_POLICY
  [9, 'desc', Kind.Nested, nftSetDesc], // NFTA_SET_DESC
  [10, 'id', Kind.U32BE], // NFTA_SET_ID
  [11, 'timeout', Kind.U64BE], // NFTA_SET_TIMEOUT
  [12, 'gc_interval', Kind.U32BE], // NFTA_SET_GC_INTERVAL
  [13, 'userdata', Kind.Binary], // NFTA_SET_USERDATA
  [16, 'handle', Kind.U64BE], // NFTA_SET_HANDLE
]);

export const nftSetElem = attrSet('set_elem', [
  [1, 'key', Kind.Nested, nftData], // NFTA_SET_ELEM_KEY
  [2, 'data', Kind.Nested, nftData], // NFTA_SET_ELEM_DATA
  [3, 'flags', Kind.U32BE], // NFTA_SET_ELEM_FLAGS
  [4, 'timeout', Kind.U64BE], // NFTA_SET_ELEM_TIMEOUT
  [5, 'expiration', Kind.U64BE], // NFTA_SET_ELEM_EXPIRATION
  [6, 'userdata', Kind.Binary], // NFTA_SET_ELEM_USERDATA
  [10, 'key_end', Kind.Nested, nftData], // NFTA_SET_ELEM_KEY_END
]);

export const nftSetElemItems = attrSet('set_elem_items', [
  [1, 'elem', Kind.Nested, nftSetElem, 'multi'], // NFTA_LIST_ELEM
]);

export const nftSetElemList = attrSet('set_elem_list', [
  [1, 'table', Kind.String], // NFTA_SET_ELEM_LIST_TABLE
  [2, 'set', Kind.String], // NFTA_SET_ELEM_LIST_SET
  [3, 'elements', Kind.Nested, nftSetElemItems], // NFTA_SET_ELEM_LIST_ELEMENTS
  [4, 'set_id', Kind.U32BE], // NFTA_SET_ELEM_LIST_SET_ID
]);

export const nftGen = attrSet('gen', [
  [1, 'id', Kind.U32BE], // NFTA_GEN_ID
  [2, 'pid', Kind.U32BE], // NFTA_GEN_PROC_PID
  [3, 'proc', Kind.String], // NFTA_GEN_PROC_NAME
]);

export const nfnlBatch = attrSet('batch', [
  [1, 'genid', Kind.U32BE], // NFNL_BATCH_GENID
]);

export const nftTableMessage: MessageSpec = { header: nfgenmsg, attrs: nftTable, nestedFlag: true };

export const nftChainMessage: MessageSpec = { header: nfgenmsg, attrs: nftChain, nestedFlag: true };

export const nftRuleMessage: MessageSpec = { header: nfgenmsg, attrs: nftRule, nestedFlag: true };

export const nftSetMessage: MessageSpec = { header: nfgenmsg, attrs: nftSet, nestedFlag: true };

export const nftSetElemMessage: MessageSpec = { header: nfgenmsg, attrs: nftSetElemList, nestedFlag: true };

export const nftGenMessage: MessageSpec = { header: nfgenmsg, attrs: nftGen, nestedFlag: true };

export const nfnlBatchMessage: MessageSpec = { header: nfgenmsg, attrs: nfnlBatch, nestedFlag: true };
