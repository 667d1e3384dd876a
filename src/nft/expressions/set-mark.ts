// `meta mark set N` / `ct mark set N`, both ways: the value as a data immediate into register 1, then
// meta or ct writing that register (sreg) to the mark.
import { CT, META, REG } from '../constants';
import { data, u32 } from './bytes';
import type { DecodeStep, ItemCodec } from './types';

/** A meta/ct expression writing a register to the mark, read from the immediate that filled it. */
const markFrom = (key: 'meta mark' | 'ct mark', markKey: number): DecodeStep => (d, rule) => {
  if (d.sreg === undefined) return undefined; // a load (operands.ts)
  if (d.key !== markKey || !rule.imm[d.sreg]) return false;
  rule.items.push({ t: 'set', key, value: rule.imm[d.sreg].readUInt32LE(0) });
  return true;
};

export const setMark: ItemCodec<'set'> = {
  encode(it, rule) {
    rule.out.push({ name: 'immediate', data: { dreg: REG.r1, data: data(u32(it.value)) } });
    rule.out.push(it.key === 'meta mark' ? { name: 'meta', data: { key: META.mark, sreg: REG.r1 } } : { name: 'ct', data: { key: CT.mark, sreg: REG.r1 } });
  },
  decode: {
    meta: markFrom('meta mark', META.mark),
    ct: markFrom('ct mark', CT.mark),
  },
};
