// vlan: an 802.1Q/802.1ad VLAN on a parent.
import { checkInteger, checkOneOf } from '../../validate';
import { attrSet, Kind, struct } from '../schema';
import { checkParent, nameOf, numberOf, optional, required } from './helpers';
import type { LinkKind } from './kind';

export const VLAN_PROTOCOLS = { '802.1Q': 0x8100, '802.1ad': 0x88a8 } as const;

const vlanFlags = struct('ifla_vlan_flags', 8, [['flags', 0, 4], ['mask', 4, 4]]);

export const vlan: LinkKind = {
  table: attrSet('vlan', [
    [5, 'protocol', Kind.U16BE], // IFLA_VLAN_PROTOCOL
    [1, 'id', Kind.U16], // IFLA_VLAN_ID
    [2, 'flags', Kind.Struct, vlanFlags], // IFLA_VLAN_FLAGS
  ]),
  keys: ['parent', 'id', 'protocol'],
  check(spec) {
    checkParent(spec);
    required(spec, 'id');
    checkInteger('id', spec.id, 1, 4094);
    optional(spec, 'protocol', (f, v) => checkOneOf(f, v, Object.keys(VLAN_PROTOCOLS)));
  },
  encode: (spec) => ({ protocol: numberOf(VLAN_PROTOCOLS, spec.protocol), id: spec.id }),
  decode: (raw) => ({ ...raw, protocol: nameOf(VLAN_PROTOCOLS, raw.protocol) }),
};
