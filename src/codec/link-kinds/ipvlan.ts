// ipvlan and ipvtap: links sharing their parent's MAC, switching by IP address.
import { checkOneOf } from '../../validate';
import { attrSet, Kind } from '../schema';
import { checkParent, nameOf, numberOf, optional } from './helpers';
import type { LinkKind } from './kind';

export const IPVLAN_MODES = { l2: 0, l3: 1, l3s: 2 } as const;

export const ipvlan: LinkKind = {
  table: attrSet('ipvlan', [
    [1, 'mode', Kind.U16], // IFLA_IPVLAN_MODE
    [2, 'flags', Kind.U16], // IFLA_IPVLAN_FLAGS
  ]),
  keys: ['parent', 'mode'],
  check(spec) {
    checkParent(spec);
    optional(spec, 'mode', (f, v) => checkOneOf(f, v, Object.keys(IPVLAN_MODES)));
  },
  // ip sends the flags (0: bridge) with every ipvlan.
  encode: (spec) => ({ mode: numberOf(IPVLAN_MODES, spec.mode), flags: 0 }),
  decode: (raw) => ({ ...raw, mode: nameOf(IPVLAN_MODES, raw.mode) }),
};
