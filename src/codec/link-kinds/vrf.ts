// vrf: an L3 domain bound to a routing table.
import { checkInteger } from '../../validate';
import { attrSet, Kind } from '../schema';
import { plain, required } from './helpers';
import type { LinkKind } from './kind';

export const vrf: LinkKind = {
  table: attrSet('vrf', [
    [1, 'table', Kind.U32], // IFLA_VRF_TABLE
  ]),
  keys: ['table'],
  check(spec) {
    required(spec, 'table');
    checkInteger('table', spec.table, 1, 0xffffffff);
  },
  encode: (spec) => ({ table: spec.table }),
  decode: plain,
};
