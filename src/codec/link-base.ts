// The two pieces of the link table that a kind's table refers back to (a veth's peer is an
// ifinfomsg with link attributes): declared here so link.ts and link-kinds/veth.ts import them
// without a circle. link.ts fills in linkAttrs' rows.
import { declareSet, struct } from './schema';

export const linkAttrs = declareSet('link');

export const ifinfomsg = struct('ifinfomsg', 16, [
  ['family', 0, 1],
  ['type', 2, 2],
  ['index', 4, 4, 'signed'],
  ['flags', 8, 4],
  ['change', 12, 4],
]);
