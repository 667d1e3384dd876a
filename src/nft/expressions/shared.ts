// Expressions that are the same in every rule that has them (a field's load into register 1, the
// protocol check before a port, a verdict, a counter): one object each, encoded once. A rule's
// expression list carries their bytes, so a batch of 1,000 rules copies them instead of walking
// the codec's tables for each rule (and allocates no objects for them).
import { encodeNest } from '../../codec/codec';
import { nftExpr, nftExprList } from '../../codec/nftables';
import type { Expr } from './types';

const BYTES = new WeakMap<Expr, Buffer>();

/** `e`, frozen, its bytes (an NFTA_LIST_ELEM payload: name and data) encoded now. */
export function shared<E extends Expr>(e: E): E {
  BYTES.set(e, encodeNest(nftExpr, { name: e.name, data: e.data ?? {} }, true));
  if (e.data) Object.freeze(e.data);
  return Object.freeze(e);
}

/** `make(key)`, made shared the first time a key is asked for. */
export function sharedBy<K, E extends Expr>(make: (key: K) => E): (key: K) => E {
  const made = new Map<K, E>();
  return (key) => {
    let e = made.get(key);
    if (e === undefined) made.set(key, (e = shared(make(key))));
    return e;
  };
}

/**
 * A rule's NFTA_RULE_EXPRESSIONS payload, encoded now: shared expressions copied as their bytes. The
 * rule's message then holds one Buffer, and the expression objects of a rule in a big transaction
 * die young instead of living (and being copied by the GC) until the batch is sent.
 */
export function expressionList(exprs: Expr[]): Buffer {
  const elem: Array<Buffer | { name: string; data: Record<string, unknown> }> = new Array(exprs.length);
  for (let i = 0; i < exprs.length; i++) {
    const e = exprs[i];
    elem[i] = BYTES.get(e) ?? { name: e.name, data: e.data ?? {} };
  }
  return encodeNest(nftExprList, { elem }, true);
}
