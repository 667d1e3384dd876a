// nft scripts (the subset `nft -f` users write for container networking) -> transaction calls.
import type { NftTransaction } from './nftables';

export function applyScript(_tx: NftTransaction, _text: string): void {
  throw new RangeError('nft.apply: not supported yet');
}
