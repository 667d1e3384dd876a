// Netlink families described as data: structs (fixed headers) and attribute sets. The codec
// (reader.ts, writer.ts) walks these tables, so supporting a new attribute is one table row.
// Each set precomputes an array indexed by attribute type and a Map by name: decoding a dump of
// thousands of messages looks each attribute up in O(1), allocating nothing per lookup.

/** How an attribute's payload is laid out. */
export const enum Kind {
  U8, U16, U32, U64, S32,
  U16BE, U32BE, U64BE, // network byte order (nfnetlink)
  String, // text, sent NUL-terminated
  Chars, // text, sent without the NUL (as iproute2 sends IFLA_INFO_KIND)
  Binary, // raw bytes (a Buffer)
  Mac, // link-layer address, "aa:bb:cc:dd:ee:ff"
  IP, // 4 or 16 bytes <-> dotted quad / RFC 5952 text (as inet_ntop prints it)
  Flag, // no payload: present or not
  Nested, // another attribute set
  Struct, // a fixed C struct (e.g. rtnl_link_stats64)
  SubMessage, // attribute set chosen by a sibling's string value (IFLA_INFO_DATA by IFLA_INFO_KIND)
  HeaderNested, // a struct followed by attributes (VETH_INFO_PEER: ifinfomsg + IFLA_*)
  Nexthops, // RTA_MULTIPATH: a list of struct rtnexthop, each followed by attributes
}

export interface FieldSpec {
  readonly name: string;
  readonly offset: number;
  /** 1, 2, 4 or 8 bytes; 8 decodes to a bigint. */
  readonly size: 1 | 2 | 4 | 8;
  readonly signed: boolean;
  readonly bigEndian: boolean;
}

export interface StructSpec {
  readonly name: string;
  /** The size written; reads accept shorter (older kernels: fields left absent) and longer structs. */
  readonly size: number;
  readonly fields: readonly FieldSpec[];
  readonly byName: ReadonlyMap<string, FieldSpec>;
}

export interface SubMessageSpec {
  /** The sibling attribute whose string value picks the set. */
  readonly selector: string;
  readonly choices: ReadonlyMap<string, AttrSet>;
}

/** One attribute of a set. Every field is always present (one object shape for the hot loops). */
export interface AttrSpec {
  readonly type: number;
  readonly name: string;
  readonly kind: Kind;
  /** Nested, HeaderNested, Nexthops: the attributes inside. */
  readonly set: AttrSet | null;
  /** Struct, HeaderNested, Nexthops: the fixed part. */
  readonly struct: StructSpec | null;
  readonly sub: SubMessageSpec | null;
  /** May repeat: decoded as an array; an array encodes as repeats. */
  readonly multi: boolean;
  /** Integer kinds: width in bytes, signedness, byte order (0 for the others). */
  readonly size: number;
  readonly signed: boolean;
  readonly bigEndian: boolean;
}

export class AttrSet {
  attrs: readonly AttrSpec[] = [];
  /** Indexed by attribute type (NLA_F_* bits stripped). */
  byType: ReadonlyArray<AttrSpec | undefined> = [];
  byName: ReadonlyMap<string, AttrSpec> = new Map();
  constructor(readonly name: string) {}
}

export interface MessageSpec {
  readonly header: StructSpec;
  readonly attrs: AttrSet;
  /** Set NLA_F_NESTED on nests (nfnetlink/libmnl does; rtnetlink/iproute2 does not). */
  readonly nestedFlag: boolean;
}

/** Messages of `type` decoded by `spec` (a pickMessage of their family's table) instead. */
export interface MessageView {
  readonly type: number;
  readonly spec: MessageSpec;
}

/** A struct with a header followed by attributes (HeaderNested, Nexthops). */
export interface HeaderAndAttrs {
  readonly header: StructSpec;
  readonly attrs: AttrSet;
}

/** [name, offset, size, 'signed' | 'be'] */
export type FieldRow = readonly [name: string, offset: number, size: 1 | 2 | 4 | 8, how?: 'signed' | 'be'];

/** [type, name, kind, what it refers to (nested set, struct, sub-message, header+attrs), multi] */
export type AttrRow = readonly [type: number, name: string, kind: Kind, ref?: AttrSet | StructSpec | SubMessageSpec | HeaderAndAttrs | null, multi?: 'multi'];

export function struct(name: string, size: number, rows: readonly FieldRow[]): StructSpec {
  const fields = rows.map(([n, offset, sz, how]): FieldSpec => ({ name: n, offset, size: sz, signed: how === 'signed', bigEndian: how === 'be' }));
  for (const f of fields) if (f.offset + f.size > size) throw new Error(`codec table ${name}.${f.name}: past the struct's ${size} bytes`);
  return { name, size, fields, byName: new Map(fields.map((f) => [f.name, f])) };
}

const INT_SHAPES: Partial<Record<Kind, readonly [number, boolean, boolean]>> = {
  [Kind.U8]: [1, false, false], [Kind.U16]: [2, false, false], [Kind.U32]: [4, false, false],
  [Kind.U64]: [8, false, false], [Kind.S32]: [4, true, false], [Kind.U16BE]: [2, false, true],
  [Kind.U32BE]: [4, false, true], [Kind.U64BE]: [8, false, true],
};

export const isIntKind = (k: Kind): boolean => k <= Kind.U64BE;

/** A set declared before its rows, for tables that refer to themselves (a veth peer carries link
 * attributes; a multipath next hop carries route attributes). */
export const declareSet = (name: string): AttrSet => new AttrSet(name);

export function defineSet(set: AttrSet, rows: readonly AttrRow[]): AttrSet {
  const attrs = rows.map(([type, name, kind, ref, multi]): AttrSpec => {
    const shape = INT_SHAPES[kind];
    const r = ref ?? null;
    const both = kind === Kind.HeaderNested || kind === Kind.Nexthops ? (r as HeaderAndAttrs) : null;
    const spec: AttrSpec = {
      type, name, kind,
      set: kind === Kind.Nested ? (r as AttrSet) : both ? both.attrs : null,
      struct: kind === Kind.Struct ? (r as StructSpec) : both ? both.header : null,
      sub: kind === Kind.SubMessage ? (r as SubMessageSpec) : null,
      multi: multi === 'multi',
      size: shape ? shape[0] : 0, signed: shape ? shape[1] : false, bigEndian: shape ? shape[2] : false,
    };
    if ((kind === Kind.Nested && !(r instanceof AttrSet)) || (kind === Kind.Struct && !spec.struct) || (kind === Kind.SubMessage && !spec.sub) || (both && !(both.attrs instanceof AttrSet))) {
      throw new Error(`codec table ${set.name}.${name}: missing what this kind refers to`);
    }
    return spec;
  });
  return indexSet(set, attrs);
}

// Fills in a set's lookups by type and by name from its attributes.
function indexSet(set: AttrSet, attrs: readonly AttrSpec[]): AttrSet {
  const byType: Array<AttrSpec | undefined> = [];
  const byName = new Map<string, AttrSpec>();
  for (const a of attrs) {
    if (byType[a.type] || byName.has(a.name)) throw new Error(`codec table ${set.name}: ${a.name} (${a.type}) twice`);
    while (byType.length < a.type) byType.push(undefined); // packed, not holey-with-gaps-by-assignment
    byType[a.type] = a;
    byName.set(a.name, a);
  }
  set.attrs = attrs;
  set.byType = byType;
  set.byName = byName;
  return set;
}

export const attrSet = (name: string, rows: readonly AttrRow[]): AttrSet => defineSet(declareSet(name), rows);

export const subMessage = (selector: string, choices: ReadonlyArray<readonly [string, AttrSet]>): SubMessageSpec => ({ selector, choices: new Map(choices) });

export const headerAndAttrs = (header: StructSpec, attrs: AttrSet): HeaderAndAttrs => ({ header, attrs });

/**
 * The part of a message's table that one reader of it needs: only the attributes named in `keep`
 * (of a struct attribute, only the fields listed). Decoded by it, a message yields what the full
 * table yields for those names and nothing else, so a dump of thousands decodes and allocates
 * nothing its reader never looks at.
 */
export function pickMessage(full: MessageSpec, keep: Readonly<Record<string, true | readonly string[]>>): MessageSpec {
  const attrs = Object.entries(keep).map(([name, fields]): AttrSpec => {
    const spec = full.attrs.byName.get(name);
    if (spec === undefined) throw new Error(`codec table ${full.attrs.name}: no attribute ${name} to pick`);
    if (fields === true) return spec;
    if (spec.kind !== Kind.Struct) throw new Error(`codec table ${full.attrs.name}.${name}: fields picked from an attribute that is not a struct`);
    return { ...spec, struct: pickStruct(spec.struct!, fields) };
  }).sort((a, b) => a.type - b.type);
  return { ...full, attrs: indexSet(new AttrSet(`${full.attrs.name}_picked`), attrs) };
}

function pickStruct(full: StructSpec, names: readonly string[]): StructSpec {
  const fields = names.map((n) => {
    const f = full.byName.get(n);
    if (f === undefined) throw new Error(`codec table ${full.name}: no field ${n} to pick`);
    return f;
  });
  return { name: full.name, size: full.size, fields, byName: new Map(fields.map((f) => [f.name, f])) };
}

/** Kinds whose data carries no attributes (dummy, ifb, wireguard; nft notrack). */
export const noAttrs = attrSet('none', []);
