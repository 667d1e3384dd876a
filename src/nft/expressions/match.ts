// A match (`FIELD [!=] VALUE`), both ways. The field is loaded into register 1 (fields.ts), then,
// by the value's kind: cmp (a value, an interface-name wildcard, a prefix on a byte boundary),
// bitwise + cmp (other prefixes, flags, a masked mark), cmp >= and <= or range != (a range), or
// lookup (a named set, or an anonymous one created in the same transaction).
import { CMP, FLAG_FIELDS, REG, SET_FLAGS } from '../constants';
import { type Value } from '../items';
import { anonymousSetUserdata } from '../userdata';
import { bytesOf, cmp, data, networkMask, pad, prefixLength, u32 } from './bytes';
import { element, setElements } from './elements';
import { FIELD_ROWS } from './fields';
import { layer3Check, requireLayer3, requireLayer4 } from './prerequisites';
import type { ItemCodec } from './types';

const bitwise = (len: number, mask: Buffer, xor: Buffer) => ({ name: 'bitwise', data: { sreg: REG.r1, dreg: REG.r1, len, mask: data(mask), xor: data(xor) } });

export const match: ItemCodec<'match'> = {
  encode(it, rule) {
    const { field, op } = it;
    const f = FIELD_ROWS[field];
    const ifindex = rule.ifindex;
    const out = rule.out;
    requireLayer3(field, rule);
    requireLayer4(field, rule);
    if (field === 'meta l4proto' && it.value.kind === 'single') rule.l4 = it.value.value;
    const cmpOp = op === 'eq' ? CMP.eq : CMP.neq;
    let v: Value = it.value;
    if (it.mask !== undefined && v.kind === 'single') {
      out.push(f.load(), bitwise(4, u32(it.mask), u32(0)), cmp(cmpOp, f.bytes(v.value, ifindex)));
      return;
    }
    if (v.kind === 'flags') {
      // ct state a,b: (state & mask) != 0 (ct status alike)
      const mask = v.names.reduce((m, n) => m | FLAG_FIELDS[field][n], 0);
      out.push(f.load(), bitwise(4, u32(mask), u32(0)), cmp(op === 'eq' ? CMP.neq : CMP.eq, u32(0)));
      return;
    }
    // A one-element set is the element itself: nft compares it directly, and lists it so.
    if (v.kind === 'set' && v.elements.length === 1) v = v.elements[0];
    if (v.kind === 'named' || v.kind === 'set') {
      // libnftnl's order: sreg, (dreg), set, set_id, flags.
      const lookup: Record<string, unknown> = { sreg: REG.r1 };
      if (v.kind === 'named') lookup.set = v.name;
      else {
        const interval = v.elements.some((e) => e.kind !== 'single');
        const id = rule.nextSetId();
        rule.sets.push({
          id, keyType: f.keyType, flags: SET_FLAGS.anonymous | SET_FLAGS.constant | (interval ? SET_FLAGS.interval : 0),
          userdata: anonymousSetUserdata(field, interval), elements: v.elements.map((e) => element(field, e, rule.ifindex)),
        });
        lookup.set = '__set%d';
        lookup.set_id = id;
      }
      if (op === 'neq') lookup.flags = 1;
      out.push(f.load(), { name: 'lookup', data: lookup });
      return;
    }
    if (v.kind === 'prefix') {
      const full = f.len * 8;
      if (v.length % 8 === 0 && v.length < full) {
        // On a byte boundary nft loads just the prefix's bytes: no bitwise.
        const n = v.length / 8;
        const load = f.load();
        out.push({ ...load, data: { ...load.data, len: n } }, cmp(cmpOp, f.bytes(v.address, ifindex).subarray(0, n)));
      } else if (v.length === full) {
        out.push(f.load(), cmp(cmpOp, f.bytes(v.address, ifindex)));
      } else {
        const mask = networkMask(v.length, f.len);
        const net = Buffer.from(f.bytes(v.address, ifindex).map((b, i) => b & mask[i]));
        out.push(f.load(), bitwise(f.len, mask, Buffer.alloc(f.len)), cmp(cmpOp, net));
      }
      return;
    }
    if (v.kind === 'range') {
      if (op === 'eq') out.push(f.load(), cmp(CMP.gte, f.bytes(v.from, ifindex)), cmp(CMP.lte, f.bytes(v.to, ifindex)));
      else out.push(f.load(), { name: 'range', data: { sreg: REG.r1, op: CMP.neq, from: data(f.bytes(v.from, ifindex)), to: data(f.bytes(v.to, ifindex)) } });
      return;
    }
    if ((field === 'iifname' || field === 'oifname') && String(v.value).endsWith('*')) {
      // A wildcard compares only the bytes before the '*'.
      out.push(f.load(), cmp(cmpOp, Buffer.from(String(v.value).slice(0, -1))));
      return;
    }
    out.push(f.load(), cmp(cmpOp, f.bytes(v.value, ifindex)));
  },

  decode: {
    meta: layer3Check,
    bitwise: (d, rule) => {
      if (!rule.reg) return false;
      rule.reg.mask = bytesOf(d.mask);
      return true;
    },
    cmp: (d, rule) => {
      const reg = rule.reg;
      if (!reg?.field) return false;
      const { field } = reg;
      const { items } = rule;
      const value = bytesOf(d.data);
      const next = rule.exprs[rule.i + 1];
      rule.reg = undefined; // the comparison uses up the load
      if (field in FLAG_FIELDS) {
        if (!reg.mask || value.readUInt32LE(0) !== 0) return false;
        const mask = reg.mask.readUInt32LE(0);
        const names = FLAG_FIELDS[field];
        items.push({ t: 'match', field, op: d.op === CMP.neq ? 'eq' : 'neq', value: { kind: 'flags', names: Object.keys(names).filter((n) => mask & names[n]) } });
        return true;
      }
      if (d.op === CMP.gte && next?.name === 'cmp' && (next.data as any).op === CMP.lte) {
        const f = FIELD_ROWS[field];
        items.push({ t: 'match', field, op: 'eq', value: { kind: 'range', from: f.scalar(value), to: f.scalar(bytesOf((next.data as any).data)) } });
        rule.i++;
        return true;
      }
      if (d.op !== CMP.eq && d.op !== CMP.neq) return false;
      const op = d.op === CMP.eq ? 'eq' : 'neq';
      const scalar = FIELD_ROWS[field].scalar;
      let v: Value;
      const fullLen = field.startsWith('ip6') ? 16 : field.startsWith('ip ') ? 4 : undefined;
      // A mask on a mark: "meta mark & MASK == VALUE" (a full mask is no mask).
      const markMask = !fullLen && reg.mask?.length === 4 ? reg.mask.readUInt32LE(0) : undefined;
      if (markMask !== undefined && markMask !== 0xffffffff) {
        items.push({ t: 'match', field, op, value: { kind: 'single', value: scalar(value) }, mask: markMask });
        return true;
      }
      if (fullLen && reg.mask) v = { kind: 'prefix', address: String(scalar(pad(value, fullLen))), length: prefixLength(reg.mask) };
      else if (fullLen && value.length < fullLen) v = { kind: 'prefix', address: String(scalar(pad(value, fullLen))), length: value.length * 8 };
      else if (field === 'iif' || field === 'oif') v = { kind: 'single', value: rule.ifname(value.readUInt32LE(0)) ?? value.readUInt32LE(0) };
      else v = { kind: 'single', value: scalar(value) };
      // Shorter than IFNAMSIZ: with its NUL an exact name (as iptables writes it), without one a prefix.
      if ((field === 'iifname' || field === 'oifname') && value.length < 16) v = { kind: 'single', value: value[value.length - 1] === 0 ? value.subarray(0, -1).toString() : `${value.toString()}*` };
      items.push({ t: 'match', field, op, value: v });
      if (field === 'meta l4proto' && v.kind === 'single') rule.l4 = String(v.value);
      return true;
    },
    range: (d, rule) => {
      const field = rule.reg?.field;
      if (!field) return false;
      const { scalar } = FIELD_ROWS[field];
      rule.items.push({ t: 'match', field, op: d.op === CMP.eq ? 'eq' : 'neq', value: { kind: 'range', from: scalar(bytesOf(d.from)), to: scalar(bytesOf(d.to)) } });
      rule.reg = undefined;
      return true;
    },
    // A lookup in a set (no dreg), of one field (several are a concatenation: concat.ts).
    lookup: (d, rule) => {
      if (d.dreg !== undefined || rule.concat.length > 1) return undefined;
      const field = rule.reg?.field;
      if (!field) return false;
      const op = d.flags & 1 ? 'neq' : 'eq';
      if (!String(d.set).startsWith('__set')) {
        rule.items.push({ t: 'match', field, op, value: { kind: 'named', name: d.set } });
      } else {
        const elements = rule.resolveSet(d.set);
        if (!elements) return false;
        rule.items.push({ t: 'match', field, op, value: { kind: 'set', elements: setElements(field, elements) } });
      }
      rule.reg = undefined;
      return true;
    },
  },
};

