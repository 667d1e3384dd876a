// The shapes every expression file shares: an nf_tables expression as the WireMessage carries it,
// the anonymous sets a rule brings along, and the two walks over a rule (typed items -> expressions
// when adding it, expressions -> typed items when listing it) that each item kind's entry plugs into.
import type { NftFamily, SET_TYPES } from '../constants';
import type { Field, Item, MapValue } from '../items';

/** One nf_tables expression: its name and its NFTA_*_ attributes (the WireMessage's `data`). */
export interface Expr {
  name: string;
  data?: Record<string, unknown>;
}

export interface AnonymousSet {
  id: number;
  keyType: keyof typeof SET_TYPES;
  /** A concatenation's combined type and length (instead of keyType's). */
  concat?: { id: number; len: number };
  /** For an anonymous map: what the elements map to. */
  dataType?: 'verdict' | 'ipv4_addr' | 'ipv6_addr';
  flags: number;
  /** NFTA_SET_USERDATA as nft writes it for this set (userdata.ts). */
  userdata: Buffer;
  elements: Array<{ key: Buffer; keyEnd?: Buffer; data?: unknown }>;
}

export interface Encoded {
  expressions: Expr[];
  sets: AnonymousSet[];
}

/** Gives the (4-byte, host order) ifindex of an interface name; filled in before sending. */
export type IfindexOf = (name: string) => Buffer;

/** Looks up the elements of an anonymous set a rule refers to. */
export type SetResolver = (name: string) => Array<{ key: Buffer; keyEnd?: Buffer; intervalEnd?: boolean; data?: unknown }> | undefined;

/** One rule being encoded: what each item appends to, and what the items before it already checked. */
export interface EncodingRule {
  family: NftFamily;
  out: Expr[];
  sets: AnonymousSet[];
  nextSetId: () => number;
  ifindex: IfindexOf;
  /** The transport protocol already matched (nft's prerequisite for a port match). */
  l4?: string | number;
  /** The layer-3 protocol already checked (inet, bridge, netdev tables). */
  l3?: string;
}

/** What register 1 holds while a rule is decoded: the field loaded into it, and any mask applied. */
export interface Loaded { field: Field; mask?: Buffer }

/** One rule being decoded: the expressions, the cursor, and what the expressions before left behind. */
export interface DecodingRule {
  exprs: Expr[];
  /** The index of the expression being decoded; a step that consumes the next ones advances it. */
  i: number;
  items: Item[];
  family: NftFamily;
  resolveSet: SetResolver;
  ifname: (index: number) => string | undefined;
  reg?: Loaded;
  /** Fields loaded into consecutive registers for one lookup (a concatenation). */
  concat: Field[];
  /** Data immediates by register, for the nat, masq, redir and set statements that read them. */
  imm: Record<number, Buffer>;
  /** The transport protocol matched so far (`meta l4proto tcp`). */
  l4?: string;
  /** A map lookup into register 1, for the nat statement right after it. */
  natMap?: { field: Field; value: MapValue };
}

/** An expression's attributes as decoded (loosely typed: the kernel's reply is not trusted to be complete). */
export type Attrs = Record<string, any>;

/**
 * One step of decoding an expression: true when it was decoded, false when the rule is outside the
 * supported language, undefined when the expression is not this entry's (the next entry is asked).
 */
export type DecodeStep = (d: Attrs, rule: DecodingRule, e: Expr) => boolean | undefined;

export type ItemOf<K extends Item['t']> = Extract<Item, { t: K }>;

/**
 * One item kind, both ways: how the typed item becomes expressions, and the expressions that end it
 * in a listed rule, by expression name, back into the item.
 */
export interface ItemCodec<K extends Item['t']> {
  encode(item: ItemOf<K>, rule: EncodingRule): void;
  decode: Partial<Record<string, DecodeStep>>;
}
