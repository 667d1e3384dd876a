// What the codec throws for bytes it cannot read (a malformed reply). Encoding problems are the
// caller's: they are TypeError / RangeError naming the field, as validate.ts's are.

/** Netlink bytes that are not well formed: a truncated header, a length past its container. */
export class CodecError extends Error {
  override name = 'CodecError';
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}
