// The netlink codec: WireMessages to bytes and back, by the tables in this directory.
import { decodeAll } from './reader';
import type { AttrSet, MessageView } from './schema';
import { encodeAttrs, encodeMessage, Writer } from './writer';
import type { WireMessage } from './wire-message';

export { CodecError } from './errors';
export { locate } from './locate';
export type { MessageView } from './schema';
export type { WireMessage } from './wire-message';

// One writer reused across calls (its buffer grows to the largest message seen); a call made while
// another is encoding (a getter that encodes) gets a writer of its own.
let spare: Writer | null = new Writer();

function withWriter(f: (w: Writer) => void): Buffer {
  const w = spare ?? new Writer();
  spare = null;
  try {
    w.reset();
    f(w);
    return Buffer.from(w.buf.subarray(0, w.at));
  } finally {
    spare = w;
  }
}

/** One message's bytes: nlmsg_len set, seq and port 0 (the sender fills them in). TypeError or
 * RangeError naming the field for what the wire cannot carry. */
export function encode(protocol: number, msg: WireMessage): Buffer {
  return withWriter((w) => encodeMessage(w, protocol, msg));
}

/**
 * A nest's payload: `attrs` by the table `set`. A nested attribute given these bytes (a Buffer where
 * the table has a nest) is written as they are: a piece that is the same in many messages (an
 * nf_tables expression every rule of a batch has) is then encoded once, not once per message.
 */
export function encodeNest(set: AttrSet, attrs: unknown, nestedFlag: boolean): Buffer {
  return withWriter((w) => encodeAttrs(w, set, attrs, nestedFlag));
}

/**
 * The messages back to back in one Buffer (a batch, a chain step); errors name `messages[i]`.
 * With `starts`, each message's offset is pushed there, then the end (message i is
 * [starts[i], starts[i + 1])).
 */
export function encodeAll(protocol: number, msgs: readonly WireMessage[], starts?: number[]): Buffer {
  return withWriter((w) => {
    w.path.push('messages');
    for (let i = 0; i < msgs.length; i++) {
      starts?.push(w.at);
      w.path.push(i);
      encodeMessage(w, protocol, msgs[i]);
      w.path.pop();
    }
    starts?.push(w.at);
  });
}

/** Every message in bytes. A malformed buffer (a truncated header, a length past its container)
 * is a CodecError; unknown attributes are skipped, unknown message types give { payload }. */
export function decode(protocol: number, bytes: Buffer): WireMessage[] {
  return decodeAll(protocol, bytes, same);
}

const same = (m: WireMessage): WireMessage => m;

/**
 * What `map` makes of each message in bytes (undefined: left out), mapped as each is decoded;
 * messages of `view`'s type decoded by its table. Errors as decode's.
 */
export function decodeMapped<T>(protocol: number, bytes: Buffer, map: (m: WireMessage) => T | undefined, view?: MessageView): T[] {
  return decodeAll(protocol, bytes, map, view);
}
