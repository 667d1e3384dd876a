// Maps, both ways: a field loaded into register 1 and looked up in a map whose data lands in a
// register: the verdict register (`FIELD vmap { … }`, the vmap item here), or register 1 for the nat
// statement right after it (`dnat to FIELD map { … }`, nat.ts). Anonymous maps are created in the
// same transaction.
import { parseAddress } from '../../ip';
import { REG, SET_FLAGS } from '../constants';
import { type Field, type MapValue, portProto, type Scalar } from '../items';
import { anonymousMapUserdata } from '../userdata';
import { data } from './bytes';
import { element, setElements, verdictData, verdictName } from './elements';
import { FIELD_ROWS, scalarFromBytes } from './fields';
import { implyProtocol, requireLayer4 } from './prerequisites';
import type { Attrs, DecodingRule, EncodingRule, ItemCodec } from './types';

/** The load and lookup of a map of `field` into register `dreg`. */
export function encodeMapLookup(field: Field, value: MapValue, dreg: number, rule: EncodingRule): void {
  requireLayer4(field, rule);
  const lookup: Record<string, unknown> = { sreg: REG.r1, dreg };
  if (value.kind === 'named') lookup.set = value.name;
  else {
    const id = rule.nextSetId();
    const dataType = dreg === REG.verdict ? 'verdict' : value.entries[0]?.[1].includes(':') ? 'ipv6_addr' : 'ipv4_addr';
    rule.sets.push({
      id, keyType: FIELD_ROWS[field].keyType, dataType, flags: SET_FLAGS.anonymous | SET_FLAGS.constant | SET_FLAGS.map, userdata: anonymousMapUserdata(field, dataType),
      // Keys without the rule's ifindex: an iif/oif key by name is refused here (noIfindex).
      elements: value.entries.map(([k, d]) => ({ ...element(field, k), data: dataType === 'verdict' ? verdictData(d) : data(parseAddress('map value', d).bytes) })),
    });
    lookup.set = '__map%d';
    lookup.set_id = id;
  }
  rule.out.push(FIELD_ROWS[field].load(), { name: 'lookup', data: lookup });
}

/**
 * A listed map lookup of the field in register 1: its map (named, or an anonymous map's entries, key ->
 * verdict or address text), or undefined when outside the language. A port's protocol check is implied.
 */
export function decodeMapLookup(field: Field, d: Attrs, rule: DecodingRule): MapValue | undefined {
  let value: MapValue;
  if (!String(d.set).startsWith('__map')) value = { kind: 'named', name: d.set };
  else {
    const els = rule.resolveSet(d.set);
    if (!els) return undefined;
    const entries: Array<[Scalar, string]> = [];
    for (const e of els) {
      const dd = e.data as { value?: Buffer; verdict?: { code: number; chain?: string } } | undefined;
      const text = dd?.verdict ? verdictName(dd.verdict) : dd?.value ? String(scalarFromBytes(dd.value.length === 16 ? 'ip6 daddr' : 'ip daddr', dd.value)) : undefined;
      if (text === undefined) return undefined;
      entries.push([setElements(field, [e])[0], text]);
    }
    entries.sort((a, b) => Number((a[0] as { value?: number }).value ?? 0) - Number((b[0] as { value?: number }).value ?? 0));
    value = { kind: 'map', entries };
  }
  if (portProto(field)) implyProtocol(rule.items, rule.l4);
  return value;
}

export const vmap: ItemCodec<'vmap'> = {
  encode: (it, rule) => encodeMapLookup(it.field, it.value, REG.verdict, rule),
  decode: {
    lookup: (d, rule) => {
      if (d.dreg !== REG.verdict) return undefined;
      const field = rule.reg?.field;
      if (!field) return false;
      const value = decodeMapLookup(field, d, rule);
      if (!value) return false;
      rule.items.push({ t: 'vmap', field, value });
      rule.reg = undefined;
      return true;
    },
  },
};
