// nf_tables objects -> wire messages (nfgenmsg + NFTA_* attributes), as nft builds them.
import { NLM_F } from '../constants';
import type { WireMessage } from '../kernel/transport';
import { FAMILIES, NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END, NFNL_SUBSYS_NFTABLES, NFT_MSG, type NftFamily, nftType } from './constants';
import { expressionList } from './expressions/shared';

/** nfgenmsg by family: one frozen object each, shared by every message of that family. */
const HEADERS = new Map<NftFamily | 0, Readonly<{ family: number; version: number; res_id: number }>>();
export const header = (family: NftFamily | 0) => {
  let h = HEADERS.get(family);
  if (h === undefined) HEADERS.set(family, (h = Object.freeze({ family: family === 0 ? 0 : FAMILIES[family], version: 0, res_id: 0 })));
  return h;
};

export function nftMessage(msg: number, family: NftFamily | 0, attrs: Record<string, unknown>, flags = 0): WireMessage {
  return { type: nftType(msg), flags: NLM_F.REQUEST | flags, header: header(family), attrs };
}

export function batchBegin(genid?: number): WireMessage {
  return { type: NFNL_MSG_BATCH_BEGIN, flags: NLM_F.REQUEST, header: { family: 0, version: 0, res_id: NFNL_SUBSYS_NFTABLES }, attrs: { genid } };
}

export function batchEnd(): WireMessage {
  return { type: NFNL_MSG_BATCH_END, flags: NLM_F.REQUEST, header: { family: 0, version: 0, res_id: NFNL_SUBSYS_NFTABLES } };
}

/** GETGEN: the sentinel after a batch, and the ruleset generation. */
export const getGen = (): WireMessage => nftMessage(NFT_MSG.GETGEN, 0, {});

/** NFTA_RULE_EXPRESSIONS (shared expressions as their bytes). */
export const expressions = expressionList;
