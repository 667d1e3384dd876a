// A concatenation (`ip daddr . tcp dport @set`), both ways: each field loaded into consecutive
// registers (register 1, then 32-bit registers 9, 10, …), then one lookup of the combined key.
import { REG, SET_FLAGS } from '../constants';
import { portProto } from '../items';
import { anonymousSetUserdata } from '../userdata';
import { concatKeyOf, concatType, inNftOrder, splitConcatKey } from './elements';
import { FIELD_ROWS } from './fields';
import { implyProtocol, requireLayer3, requireLayer4 } from './prerequisites';
import type { ItemCodec } from './types';

export const concat: ItemCodec<'concat'> = {
  encode(it, rule) {
    for (const f of it.fields) requireLayer4(f, rule);
    for (const f of it.fields) requireLayer3(f, rule);
    let word = 0;
    for (const f of it.fields) {
      rule.out.push(FIELD_ROWS[f].load(word === 0 ? REG.r1 : 8 + word));
      word += Math.ceil(FIELD_ROWS[f].len / 4);
    }
    // libnftnl's order for this lookup: sreg, flags, set, set_id.
    const lookup: Record<string, unknown> = { sreg: REG.r1 };
    if (it.op === 'neq') lookup.flags = 1;
    if (it.value.kind === 'named') lookup.set = it.value.name;
    else {
      const id = rule.nextSetId();
      rule.sets.push({
        id, keyType: FIELD_ROWS[it.fields[0]].keyType, concat: concatType(it.fields), flags: SET_FLAGS.anonymous | SET_FLAGS.constant, userdata: anonymousSetUserdata(it.fields, false),
        elements: it.value.elements.map((tuple) => ({ key: concatKeyOf(it.fields, tuple, rule.ifindex) })),
      });
      lookup.set = '__set%d';
      lookup.set_id = id;
    }
    rule.out.push({ name: 'lookup', data: lookup });
  },

  decode: {
    // A lookup in a set (no dreg) after several fields were loaded (operands.ts tracks them).
    lookup: (d, rule) => {
      if (d.dreg !== undefined || rule.concat.length <= 1) return undefined;
      if (!rule.reg?.field) return false;
      const fields = rule.concat;
      const op = d.flags & 1 ? 'neq' : 'eq';
      // As for a single port match, the protocol check nft adds is implied by "tcp dport".
      if (fields.some((f) => portProto(f) === rule.l4)) implyProtocol(rule.items, rule.l4);
      if (!String(d.set).startsWith('__set')) rule.items.push({ t: 'concat', fields, op, value: { kind: 'named', name: d.set } });
      else {
        const els = rule.resolveSet(d.set);
        if (!els) return false;
        rule.items.push({ t: 'concat', fields, op, value: { kind: 'tuples', elements: inNftOrder(fields, els).map((e) => splitConcatKey(fields, e.key, rule.ifname)) } });
      }
      rule.concat = [];
      rule.reg = undefined;
      return true;
    },
  },
};
