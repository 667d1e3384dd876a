/** A netlink message as the codec's tables see it: the fixed header's fields by name, the
 * attributes by the names `ip -j -d` / nft use; `payload` for a message type without a table. */
export interface WireMessage {
  type: number;
  flags?: number;
  seq?: number;
  header?: Record<string, number | bigint>;
  attrs?: Record<string, unknown>;
  payload?: Buffer;
}
