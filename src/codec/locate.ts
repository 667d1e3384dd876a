// Where in an encoded message an integer field sits, by its path in the WireMessage
// (['attrs', 'linkinfo', 'data', 'peer', 'attrs', 'net_ns_fd']): a value known only later (an fd,
// an ifindex from an earlier reply) can then be written at that byte offset without re-encoding.
import { CodecError } from './errors';
import { messageSpec } from './families';
import { type AttrSet, isIntKind, Kind, type StructSpec } from './schema';

const align = (n: number) => (n + 3) & ~3;

function fail(path: readonly string[], what: string): never {
  throw new CodecError(`${path.join('.')}: ${what}`, -1);
}

function field(st: StructSpec, path: readonly string[], i: number, start: number, end: number): number {
  const f = i === path.length - 1 ? st.byName.get(path[i]) : undefined;
  if (f === undefined) fail(path, `not an integer field of ${st.name}`);
  if (start + f.offset + f.size > end) fail(path, 'not in the message (its struct is shorter)');
  return start + f.offset;
}

/** The n-th attribute of `type` in b[start, end): [payload start, payload end], or null. */
function find(b: Buffer, start: number, end: number, type: number, n: number): [number, number] | null {
  for (let at = start; end - at >= 4;) {
    const len = b.readUInt16LE(at);
    if (len < 4 || len > end - at) throw new CodecError(`malformed attribute at byte ${at}`, at);
    if ((b.readUInt16LE(at + 2) & 0x3fff) === type && n-- === 0) return [at + 4, at + len];
    at += align(len);
  }
  return null;
}

function inAttrs(set: AttrSet, b: Buffer, start: number, end: number, path: readonly string[], i: number): number {
  const spec = set.byName.get(path[i]);
  if (spec === undefined) fail(path, `${path[i]} is not an attribute of ${set.name}`);
  // A repeated attribute (or a next hop) is picked by an index after its name: ['elem', '2', ...].
  const indexed = (spec.multi || spec.kind === Kind.Nexthops) && /^\d+$/.test(path[i + 1] ?? '');
  const found = find(b, start, end, spec.type, spec.multi && indexed ? Number(path[i + 1]) : 0);
  if (found === null) fail(path, `${spec.name} is not in the message`);
  const [p, pend] = found;
  const next = spec.multi && indexed ? i + 2 : i + 1;
  if (isIntKind(spec.kind)) {
    if (next !== path.length) fail(path, `${spec.name} is an integer: the path goes on past it`);
    if (pend - p < spec.size) fail(path, `${spec.name} is shorter than its type`);
    return p;
  }
  switch (spec.kind) {
    case Kind.Struct: return field(spec.struct!, path, next, p, pend);
    case Kind.Nested: return inAttrs(spec.set!, b, p, pend, path, next);
    case Kind.SubMessage: {
      const selector = set.byName.get(spec.sub!.selector)!;
      const key = find(b, start, end, selector.type, 0);
      const text = key === null ? undefined : b.toString('utf8', key[0], key[1]).replace(/\0.*$/s, '');
      const sub = text === undefined ? undefined : spec.sub!.choices.get(text);
      if (sub === undefined) fail(path, `no attribute table for ${spec.sub!.selector} ${JSON.stringify(text)}`);
      return inAttrs(sub, b, p, pend, path, next);
    }
    case Kind.HeaderNested: return inHeaderAndAttrs(spec.struct!, spec.set!, b, p, pend, path, next);
    case Kind.Nexthops: {
      if (!indexed) fail(path, `${spec.name} is a list: the path needs an index`);
      let at = p;
      for (let n = Number(path[i + 1]); ; n--) {
        if (at + spec.struct!.size > pend) fail(path, `${spec.name} has no entry ${path[i + 1]}`);
        const hopLen = b.readUInt16LE(at);
        if (hopLen < spec.struct!.size || hopLen > pend - at) throw new CodecError(`malformed next hop at byte ${at}`, at);
        if (n === 0) return inHeaderAndAttrs(spec.struct!, spec.set!, b, at, at + hopLen, path, i + 2);
        at += align(hopLen);
      }
    }
    default: return fail(path, `${spec.name} is not an integer`);
  }
}

function inHeaderAndAttrs(st: StructSpec, set: AttrSet, b: Buffer, start: number, end: number, path: readonly string[], i: number): number {
  if (path[i] === 'header') return field(st, path, i + 1, start, end);
  if (path[i] === 'attrs') return inAttrs(set, b, start + align(st.size), end, path, i + 1);
  return fail(path, 'expected "header" or "attrs" next');
}

/** The byte offset within `bytes` (one encoded message) of the integer field at `path`, e.g.
 * ['header', 'index'] or ['attrs', 'oif']. A CodecError when the message has no such field. */
export function locate(protocol: number, bytes: Buffer, path: readonly string[]): number {
  if (bytes.length < 16) throw new CodecError('truncated netlink header', 0);
  const len = bytes.readUInt32LE(0);
  if (len < 16 || len > bytes.length) throw new CodecError(`malformed netlink message: length ${len}`, 0);
  const spec = messageSpec(protocol, bytes.readUInt16LE(4));
  if (spec === undefined) fail(path, `no table for message type ${bytes.readUInt16LE(4)}`);
  return inHeaderAndAttrs(spec.header, spec.attrs, bytes, 16, len, path, 0);
}
