// The expressions that fill registers for the item after them rather than being items themselves:
// loads of a field (payload, meta, ct, fib) into register 1, or into the later registers of a
// concatenation, and data immediates. Asked after every item's own decode steps (index.ts).
import { REG } from '../constants';
import { type Field, portProto } from '../items';
import { bytesOf } from './bytes';
import { fieldLoadedBy } from './fields';
import { implyProtocol } from './prerequisites';
import type { DecodeStep, DecodingRule } from './types';

/**
 * Tracks a concatenation's loads: register 1 starts one; the later parts go to 32-bit registers
 * (9…), or to 16-byte ones (2–4) as the kernel reports an aligned one. Any other register is outside.
 */
function concatPart(rule: DecodingRule, field: Field, dreg: number): boolean {
  if (dreg === REG.r1) rule.concat = [field];
  else if ((dreg >= 9 || (dreg >= 2 && dreg <= 4)) && rule.concat.length) rule.concat.push(field);
  else return false;
  return true;
}

/**
 * A field load. Payload and meta loads may be parts of a concatenation. ct and fib loads are taken
 * as loads into register 1 whatever their dreg: they are not tracked as concatenation parts, so a
 * concatenation with a ct field in a later part does not list as one (a known limit).
 */
const load = (concatenates: boolean): DecodeStep => (d, rule, e) => {
  const field = fieldLoadedBy(e.name, d, rule.l4);
  if (!field) return false;
  if (concatenates) {
    if (!concatPart(rule, field, d.dreg)) return false;
    if (d.dreg !== REG.r1) return true;
  }
  rule.reg = { field };
  // A port match after "meta l4proto tcp" is listed as "tcp dport …" alone.
  if (portProto(field)) implyProtocol(rule.items, rule.l4);
  return true;
};

export const OPERANDS: Record<string, DecodeStep> = {
  payload: load(true),
  meta: load(true),
  ct: load(false),
  fib: load(false),
  immediate: (d, rule) => { rule.imm[d.dreg] = bytesOf(d.data); return true; },
};
