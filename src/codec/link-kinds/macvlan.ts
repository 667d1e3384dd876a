// macvlan and macvtap: links with their own MAC on a parent.
import { checkOneOf } from '../../validate';
import { attrSet, Kind } from '../schema';
import { checkParent, nameOf, numberOf, optional } from './helpers';
import type { LinkKind } from './kind';

export const MACVLAN_MODES = { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 } as const;

export const macvlan: LinkKind = {
  table: attrSet('macvlan', [
    [1, 'mode', Kind.U32], // IFLA_MACVLAN_MODE
    [2, 'flags', Kind.U16], // IFLA_MACVLAN_FLAGS
    [3, 'macaddr_mode', Kind.U32], // IFLA_MACVLAN_MACADDR_MODE
    [4, 'macaddr', Kind.Mac], // IFLA_MACVLAN_MACADDR
    [6, 'macaddr_count', Kind.U32], // IFLA_MACVLAN_MACADDR_COUNT
    [7, 'bcqueuelen', Kind.U32], // IFLA_MACVLAN_BC_QUEUE_LEN
    [8, 'usedbcqueuelen', Kind.U32], // IFLA_MACVLAN_BC_QUEUE_LEN_USED
    [10, 'bclim', Kind.S32], // IFLA_MACVLAN_BC_CUTOFF
  ]),
  keys: ['parent', 'mode'],
  check(spec) {
    checkParent(spec);
    optional(spec, 'mode', (f, v) => checkOneOf(f, v, Object.keys(MACVLAN_MODES)));
  },
  encode: (spec) => ({ mode: numberOf(MACVLAN_MODES, spec.mode) }),
  decode: (raw) => ({ ...raw, mode: nameOf(MACVLAN_MODES, raw.mode) }),
};
