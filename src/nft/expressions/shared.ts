// Expressions that are the same in every rule that has them (a field's load into register 1, the
// protocol check before a port, a verdict, a counter): one object each, encoded once. A rule's
// expression list carries their bytes, so a batch of 1,000 rules copies them instead of walking
// the codec's tables for each rule (and allocates no objects for them).
import { encodeNest } from '../../codec/codec';
import { nftExpr } from '../../codec/nftables';
import { REG } from '../constants';
import type { Expr } from './types';

const BYTES = new WeakMap<Expr, Buffer>();

/** `e`, frozen, its bytes (an NFTA_LIST_ELEM payload: name and data) encoded now. */
export function shared<E extends Expr>(e: E): E {
  BYTES.set(e, encodeNest(nftExpr, { name: e.name, data: e.data ?? {} }, true));
  if (e.data) Object.freeze(e.data);
  return Object.freeze(e);
}

/** `make(key)`, made shared the first time a key is asked for. */
export function sharedBy<K, E extends Expr>(make: (key: K) => E): (key: K) => E {
  const made = new Map<K, E>();
  return (key) => {
    let e = made.get(key);
    if (e === undefined) made.set(key, (e = shared(make(key))));
    return e;
  };
}

const LIST_ELEM = 1 | 0x8000; // NFTA_LIST_ELEM, NLA_F_NESTED
const align4 = (n: number) => (n + 3) & ~3;

/** cmp of register 1 with a value of `len` bytes, by op and len: encoded once, with a zero value. */
const CMP_TEMPLATES = new Map<number, Buffer>();
function cmpTemplate(op: number, len: number): Buffer {
  const key = op * 256 + len;
  let t = CMP_TEMPLATES.get(key);
  if (t === undefined) CMP_TEMPLATES.set(key, (t = encodeNest(nftExpr, { name: 'cmp', data: { sreg: REG.r1, op, data: { value: Buffer.alloc(len) } } }, true)));
  return t;
}

/**
 * A comparison's bytes without the tables walk: its value (NFTA_DATA_VALUE) is the last attribute
 * inside it, so it sits at the end of the template of its op and length, before the padding. Only
 * the shape cmp() in bytes.ts builds; anything else is undefined (the tables encode it).
 */
function cmpLength(d: Record<string, any> | undefined): number {
  if (d === undefined || d.sreg !== REG.r1 || !(d.op >= 0 && d.op <= 5 && Number.isInteger(d.op))) return -1;
  const v = d.data;
  if (v === undefined || v === null || v.verdict !== undefined || !(v.value instanceof Uint8Array)) return -1;
  return v.value.length >= 1 && v.value.length <= 64 ? v.value.length : -1;
}

/**
 * Two more shapes every iptables rule has, each with one varying value as its last attribute:
 * an xtables match or target ({ name, rev, info }: the info struct last) and a jump or goto to a
 * chain (its name last). Encoded once per everything but that value (a bounded set: names,
 * revisions, struct and name lengths), the value written over the template's placeholder.
 */
const TAIL_TEMPLATES = new Map<string, Buffer>();
function template(key: string, make: () => Buffer): Buffer {
  let t = TAIL_TEMPLATES.get(key);
  if (t === undefined) TAIL_TEMPLATES.set(key, (t = make()));
  return t;
}

/** The last of an object's own keys, in the order the tables encode them. */
function lastKey(o: object): string | undefined {
  let last: string | undefined;
  for (const k in o) last = k;
  return last;
}

function compatTemplate(e: Expr): Buffer | undefined {
  if (e.name !== 'match' && e.name !== 'target') return undefined;
  const d = e.data as { name?: unknown; rev?: unknown; info?: unknown } | undefined;
  if (d === undefined || typeof d.name !== 'string' || !Number.isInteger(d.rev) || !(d.info instanceof Uint8Array) || lastKey(d) !== 'info') return undefined;
  const { name, rev, info } = d as { name: string; rev: number; info: Uint8Array };
  if (rev < 0 || rev > 0xffffffff || info.length > 0xff00) return undefined; // the tables word the refusal
  return template(`${e.name}\0${name}\0${rev}\0${info.length}`, () => encodeNest(nftExpr, { name: e.name, data: { name, rev, info: new Uint8Array(info.length) } }, true));
}

function jumpTemplate(e: Expr): Buffer | undefined {
  if (e.name !== 'immediate') return undefined;
  const d = e.data as { dreg?: unknown; data?: { verdict?: { code?: unknown; chain?: unknown } } } | undefined;
  const v = d?.data?.verdict;
  if (d?.dreg !== REG.verdict || lastKey(d) !== 'data' || lastKey(d.data!) !== 'verdict' || v === undefined) return undefined;
  const { code, chain } = v;
  if (typeof chain !== 'string' || !Number.isInteger(code) || (code as number) < 0 || (code as number) > 0xffffffff || lastKey(v) !== 'chain') return undefined;
  const size = Buffer.byteLength(chain);
  if (size === 0 || size > 255 || chain.includes('\0')) return undefined;
  return template(`jump\0${code}\0${size}`, () => encodeNest(nftExpr, { name: 'immediate', data: { dreg: REG.verdict, data: { verdict: { code, chain: 'x'.repeat(size) } } } }, true));
}

/** The value compatTemplate's or jumpTemplate's template leaves to fill. */
function tailOf(e: Expr): Uint8Array | string {
  const d = e.data as { info?: Uint8Array; data?: { verdict: { chain: string } } };
  return e.name === 'immediate' ? d.data!.verdict.chain : d.info!;
}

/**
 * A rule's NFTA_RULE_EXPRESSIONS payload, written straight into one Buffer: shared expressions
 * copied as their bytes, comparisons from their templates, any other expression by the codec's
 * tables. The rule's message then holds that one Buffer, and the expression objects of a rule in a
 * big transaction die young instead of living (and being copied by the GC) until the batch is sent.
 */
export function expressionList(exprs: Expr[]): Buffer {
  const pieces: Buffer[] = new Array(exprs.length);
  /** An expression's varying last value, written over its template's placeholder. */
  const values: Array<Uint8Array | string | undefined> = new Array(exprs.length);
  let total = 0;
  for (let i = 0; i < exprs.length; i++) {
    const e = exprs[i];
    let b = BYTES.get(e);
    if (b === undefined) {
      const len = e.name === 'cmp' ? cmpLength(e.data) : -1;
      if (len > 0) {
        b = cmpTemplate((e.data as { op: number }).op, len);
        values[i] = (e.data as { data: { value: Uint8Array } }).data.value;
      } else if ((b = compatTemplate(e) ?? jumpTemplate(e)) !== undefined) {
        values[i] = tailOf(e);
      } else {
        b = encodeNest(nftExpr, { name: e.name, data: e.data ?? {} }, true);
      }
    }
    pieces[i] = b;
    total += 4 + b.length; // each piece's length is a multiple of 4 (every attribute is padded)
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < pieces.length; i++) {
    const b = pieces[i];
    const len = 4 + b.length;
    if (len > 0xffff) throw new RangeError(`expressions[${i}]: an expression of ${len} bytes is longer than netlink allows (65,535 with its header)`);
    out[at] = len;
    out[at + 1] = len >> 8;
    out[at + 2] = LIST_ELEM;
    out[at + 3] = LIST_ELEM >> 8;
    out.set(b, at + 4);
    const value = values[i];
    if (typeof value === 'string') out.write(value, at + len - align4(Buffer.byteLength(value) + 1)); // its NUL is the template's
    else if (value !== undefined) out.set(value, at + len - align4(value.length));
    at += len;
  }
  return out;
}

/**
 * The same list as objects the tables encode when the message is: for a rule whose values are
 * filled in after it is added (the ifindex of an iif/oif match, resolved just before sending).
 */
export const expressionObjects = (exprs: Expr[]) => ({ elem: exprs.map((e) => ({ name: e.name, data: e.data ?? {} })) });
