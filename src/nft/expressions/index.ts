// Items <-> nf_tables expressions, encoded the way nft 1.0.6 encodes them (see `nft --debug=netlink`):
// payload/meta/ct/fib loads into register 1, cmp/lookup/bitwise/range on it, immediates for NAT
// addresses and verdicts. Anonymous sets ({ 53, 5353 }) become sets created in the same transaction.
//
// Each item kind has one entry (ITEM_CODECS) holding both directions side by side: its encode, and
// the decode steps of the expressions that end it in a listed rule. Fields are rows in fields.ts.
import type { NftFamily } from '../constants';
import type { Item } from '../items';
import { concat } from './concat';
import { noIfindex } from './fields';
import { vmap } from './maps';
import { match } from './match';
import { masquerade, nat, redirect } from './nat';
import { OPERANDS } from './operands';
import { setMark } from './set-mark';
import { counter, limit, log, notrack, reject, verdict } from './statements';
import type { Attrs, DecodeStep, DecodingRule, Encoded, EncodingRule, Expr, IfindexOf, ItemCodec, SetResolver } from './types';
import { xt } from './xt';

export { concatKeyOf, concatType, inNftOrder, setElements, splitConcatKey, verdictData, verdictName } from './elements';
export { fieldBytes, scalarFromBytes } from './fields';
export { shared, sharedBy } from './shared';
export { COUNTER } from './statements';
export type { AnonymousSet, Encoded, Expr, IfindexOf, SetResolver } from './types';

/** Every item kind, both ways. */
export const ITEM_CODECS: { [K in Item['t']]: ItemCodec<K> } = {
  match, concat, vmap, nat, masquerade, redirect, counter, verdict, log, limit, reject, notrack, set: setMark, xt,
};

/**
 * The decode steps by expression name: every item's first, then the operands'. An expression several
 * items end (lookup, immediate, meta, ct) is claimed by at most one of them (their conditions exclude
 * each other), so the order among items does not matter; operands are what no item claims.
 */
const DECODE_STEPS = new Map<string, DecodeStep[]>();
for (const codec of [...Object.values(ITEM_CODECS), { decode: OPERANDS }]) {
  for (const [name, step] of Object.entries(codec.decode)) DECODE_STEPS.set(name, [...(DECODE_STEPS.get(name) ?? []), step!]);
}

/** Items -> expressions. nextSetId numbers the anonymous sets of a transaction. */
export function encodeItems(items: Item[], family: NftFamily, nextSetId: () => number, ifindex: IfindexOf = noIfindex): Encoded {
  const rule: EncodingRule = { family, out: [], sets: [], nextSetId, ifindex };
  for (let i = 0; i < items.length; i++) (ITEM_CODECS[items[i].t].encode as (item: Item, rule: EncodingRule) => void)(items[i], rule); // indexed: see typed.ts
  return { expressions: rule.out, sets: rule.sets };
}

/**
 * Expressions -> items. Returns undefined for any expression sequence outside the supported
 * language (the caller then lists the rule with its raw expressions).
 */
export function decodeExpressions(exprs: Expr[], resolveSet: SetResolver, ifname: (index: number) => string | undefined = () => undefined, family: NftFamily = 'ip'): Item[] | undefined {
  const rule: DecodingRule = { exprs, i: 0, items: [], family, resolveSet, ifname, concat: [], imm: {} };
  for (; rule.i < exprs.length; rule.i++) {
    const e = exprs[rule.i];
    const d = (e.data ?? {}) as Attrs;
    let decoded: boolean | undefined;
    for (const step of DECODE_STEPS.get(e.name) ?? []) {
      decoded = step(d, rule, e);
      if (decoded !== undefined) break;
    }
    if (!decoded) return undefined;
  }
  return rule.items;
}
