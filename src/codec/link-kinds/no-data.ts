// Kinds with no options of their own and no IFLA_INFO_DATA: dummy, ifb, wireguard (whose keys and
// peers are set over generic netlink, not here).
import { noAttrs } from '../schema';
import { plain } from './helpers';
import type { LinkKind } from './kind';

export const noData: LinkKind = {
  table: noAttrs,
  keys: [],
  check: () => {},
  encode: () => undefined,
  decode: plain,
};
