// nf_tables messages -> the public shapes of ns.nft (NftTable, NftChain, NftSet, rules' raw parts,
// set elements). One decoder per message kind, shared by the listings (dump replies) and ns.watch
// (the announcements the kernel multicasts when a transaction commits): both carry the same attributes.
import type { WireMessage } from '../kernel/transport';
import { HOOKS, SET_FLAGS } from './constants';
import { type Expr, inNftOrder, scalarFromBytes, setElements, splitConcatKey, verdictName } from './expressions';
import { familyName, fieldForType, NFT_SET_ELEM_INTERVAL_END, typeFields, typeName } from './transaction';
import type { NftChain, NftElement, NftSet, NftSetKeyType, NftTable } from './types';
import { commentOf } from './userdata';

/** A rule as the kernel holds it: its expressions still to be decoded into items and text. */
export interface RawRule { family: NftTable['family']; table: string; chain: string; handle: number; exprs: Expr[]; comment?: string }
/** A set element as the kernel holds it: key (and an interval's end key), map data; its own timeout and time left (ms), when the kernel tells them. */
export interface RawElement { key: Buffer; keyEnd?: Buffer; intervalEnd?: boolean; data?: unknown; timeout?: bigint; expiration?: bigint }
/** An element as nft prints it, with its timeout and time left in seconds when it has them. */
export interface TimedElement { element: NftElement; timeout?: number; expires?: number }

type Attrs = Record<string, any>;

export function decodeTable(m: WireMessage): NftTable {
  const a = m.attrs as Attrs;
  const flags = [...(a.flags & 1 ? ['dormant'] : []), ...(a.flags & 2 ? ['owner'] : [])];
  return { family: familyName(m.header!.family as number), name: a.name, handle: Number(a.handle), flags };
}

export function decodeChain(m: WireMessage): NftChain {
  const a = m.attrs as Attrs;
  const fam = familyName(m.header!.family as number);
  const c: NftChain = { family: fam, table: a.table, name: a.name, handle: Number(a.handle) };
  if (a.hook) {
    c.hook = Object.keys(HOOKS[fam]).find((k) => HOOKS[fam][k] === a.hook.hooknum);
    c.priority = a.hook.priority | 0;
    if (a.hook.dev !== undefined) c.device = a.hook.dev;
    c.type = a.type;
    c.policy = a.policy === 0 ? 'drop' : 'accept';
    // Only a chain made or updated with counters has them.
    if (a.counters) c.counters = { packets: a.counters.packets ?? 0n, bytes: a.counters.bytes ?? 0n };
  }
  return c;
}

/** A set (anonymous ones too: their flags say 'anonymous'). */
export function decodeSet(m: WireMessage): NftSet {
  const a = m.attrs as Attrs;
  const s: NftSet = {
    family: familyName(m.header!.family as number), table: a.table, name: a.name, handle: Number(a.handle), type: typeName(a.key_type),
    flags: (Object.keys(SET_FLAGS) as Array<keyof typeof SET_FLAGS>).filter((f) => a.flags & SET_FLAGS[f]),
  };
  if (a.data_type !== undefined) s.map = typeName(a.data_type);
  if (a.timeout !== undefined) s.timeout = Number(a.timeout) / 1000;
  return s;
}

export function decodeRawRule(m: WireMessage): RawRule {
  const a = m.attrs as Attrs;
  const exprs = ((a.expressions?.elem ?? []) as Array<{ name: string; data?: Record<string, unknown> }>).map((e) => ({ name: e.name, data: e.data }));
  return { family: familyName(m.header!.family as number), table: a.table, chain: a.chain, handle: Number(a.handle), exprs, comment: commentOf(a.userdata) };
}

/** The elements some NEWSETELEM/DELSETELEM messages carry, an interval's start and end paired. */
export function decodeRawElements(messages: WireMessage[]): RawElement[] {
  const flat = messages.flatMap((m) => ((m.attrs as any).elements?.elem ?? []) as Attrs[]).map((e): RawElement => ({
    key: e.key?.value as Buffer, intervalEnd: ((e.flags ?? 0) & NFT_SET_ELEM_INTERVAL_END) !== 0, data: e.data,
    ...(e.key_end ? { keyEnd: e.key_end.value as Buffer } : {}),
    ...(e.timeout !== undefined ? { timeout: e.timeout as bigint } : {}),
    ...(e.expiration !== undefined ? { expiration: e.expiration as bigint } : {}),
  }));
  // Interval sets: pair each start with the end element that follows it (end - 1).
  if (!flat.some((e) => e.intervalEnd)) return flat;
  const sorted = [...flat].sort((a, b) => Buffer.compare(a.key, b.key));
  const out: RawElement[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i];
    if (e.intervalEnd) continue;
    const end = sorted[i + 1]?.intervalEnd ? decrement(sorted[i + 1].key) : Buffer.alloc(e.key.length, 0xff);
    const { intervalEnd: _, ...start } = e;
    out.push(end.equals(e.key) ? start : { ...start, keyEnd: end });
  }
  return out;
}

/** Elements as nft prints them (values, "a-b", CIDRs; [key, data] for a map), sorted as nft lists them. */
export function elementValues(info: Pick<NftSet, 'type' | 'map'>, raw: RawElement[]): NftElement[] {
  return timedElements(info, raw).map((e) => e.element);
}

/** elementValues with each element's own timeout and time left, as nft monitor prints them. */
export function timedElements(info: Pick<NftSet, 'type' | 'map'>, raw: RawElement[]): TimedElement[] {
  const timed = (element: NftElement, e: RawElement): TimedElement => ({
    element,
    ...(e.timeout !== undefined ? { timeout: Number(e.timeout) / 1000 } : {}),
    ...(e.expiration !== undefined ? { expires: Number(e.expiration) / 1000 } : {}),
  });
  if (info.type === 'ether_addr') return raw.map((e) => timed([...e.key].map((b) => b.toString(16).padStart(2, '0')).join(':'), e));
  const fields = typeFields(info.type);
  const field = fields[0];
  const withData = (key: string | number, e: RawElement): TimedElement => {
    if (!info.map) return timed(key, e);
    const d = e.data as { value?: Buffer; verdict?: { code: number; chain?: string } };
    return timed([key, d?.verdict ? verdictName(d.verdict)! : scalarFromBytes(fieldForType(info.map as NftSetKeyType), d!.value!)], e);
  };
  if (fields.length > 1) return inNftOrder(fields, raw).map((e) => withData(splitConcatKey(fields, e.key).join(' . '), e));
  const out: TimedElement[] = [];
  for (const e of inNftOrder(fields, raw)) {
    if (e.intervalEnd) continue;
    const [s] = setElements(field, [e]);
    out.push(withData(s.kind === 'single' ? s.value : s.kind === 'prefix' ? `${s.address}/${s.length}` : `${s.from}-${s.to}`, e));
  }
  const keyOf = (e: TimedElement) => (Array.isArray(e.element) ? e.element[0] : e.element);
  return out.sort((a, b) => (typeof keyOf(a) === 'number' ? (keyOf(a) as number) - (keyOf(b) as number) : 0));
}

function decrement(b: Buffer): Buffer {
  const out = Buffer.from(b);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] > 0) { out[i]--; break; }
    out[i] = 0xff;
  }
  return out;
}
