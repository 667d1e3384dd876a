// iptables-nft's xtables compat expressions (match, target), listed as nft lists them. Read only:
// the rule language has no way to write one, so an xt item (only ever from a listing) adds nothing.
import { xtText } from '../../iptables/xlate';
import type { DecodeStep, ItemCodec } from './types';

const compat: DecodeStep = (d, rule, e) => {
  rule.items.push({ t: 'xt', text: xtText(e.name as 'match' | 'target', d.name, d.rev, d.info, { family: rule.family, l4: rule.l4 }) });
  return true;
};

export const xt: ItemCodec<'xt'> = {
  encode: () => {},
  decode: { match: compat, target: compat },
};
