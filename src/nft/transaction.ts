// NftTransaction: the builder of one atomic nf_tables batch, and the checks and element encoding it
// needs. Recording only: ns.nft sends what it built.
import { NLM_F } from '../constants';
import { NetlinkError } from '../errors';
import type { WireMessage } from '../kernel/transport';
import { checkInteger, checkKeys, checkObject, checkOneOf, checkString, checkU64, rangeError, typeError } from '../validate';
import {
  CHAIN_TYPES, FAMILIES, HOOKS, type NftFamily, NFT_MSG, priorityNames, SET_FLAGS, SET_TYPES, VERDICT, VERDICT_DATATYPE,
} from './constants';
import { type AnonymousSet, concatKeyOf, fieldBytes, concatType, encodeItems, verdictData } from './expressions';
import type { Field, ParsedRule } from './items';
import { expressionObjects } from './expressions/shared';
import { expressions, nftMessage } from './messages';
import { declaredSetUserdata, ruleUserdata } from './userdata';
import { formatRule, parseRuleText, parseScalar } from './text';
import { STATEMENT_KEYS, typedToRule } from './typed';
import type {
  NftChainRef, NftChainSpec, NftElement, NftElementsTarget, NftMapSpec, NftRuleSpec, NftSetInfo, NftSetKeyType, NftSetSpec, NftTableRef, NftTableSpec,
} from './types';

export const familyName = (n: number): NftFamily => (Object.keys(FAMILIES) as NftFamily[]).find((f) => FAMILIES[f] === n)!;
const singleTypeName = (id: number): string => Object.keys(SET_TYPES).find((k) => SET_TYPES[k].id === id) ?? (id === VERDICT_DATATYPE ? 'verdict' : String(id));
/** nft's type names; a concatenated type packs 6 bits per component. */
export function typeName(id: number): string {
  if (id === VERDICT_DATATYPE || id < 64) return singleTypeName(id);
  const parts: string[] = [];
  for (let x = id; x > 0; x = Math.floor(x / 64)) parts.unshift(singleTypeName(x % 64));
  return parts.join(' . ');
}

/** The fields whose values a key type holds ('ipv4_addr . inet_service' -> two). */
export function typeFields(type: string): Field[] {
  return type.split(' . ').map((t) => fieldForType(checkOneOf('type', t, Object.keys(SET_TYPES).filter((k) => k !== 'iface_index' && k !== 'fib_addrtype')) as NftSetKeyType));
}
export const NFT_SET_ELEM_INTERVAL_END = 1;
const ELEMENTS_PER_MESSAGE = 500;

export function checkFamily(field: string, f: unknown): NftFamily {
  return checkOneOf(field, f, Object.keys(FAMILIES) as NftFamily[]);
}

function checkName(field: string, s: unknown): string {
  const name = checkString(field, s);
  if (name === '' || Buffer.byteLength(name) > 255 || /[\0\s"{};]/.test(name)) throw rangeError(field, name, 'is not a valid nftables name');
  return name;
}

const RULE_PLACE_KEYS = ['family', 'table', 'chain', 'rule', 'handle'];
const RULE_KEYS = [...RULE_PLACE_KEYS, 'match', 'not', 'concat', 'comment', ...STATEMENT_KEYS];
const PLACE_KEY_SET: ReadonlySet<string> = new Set(RULE_PLACE_KEYS);
const RULE_KEY_SET: ReadonlySet<string> = new Set(RULE_KEYS);

/** A rule's place (family, table, chain), checked; `last` is the place checked before, the same again is not re-checked. */
function checkPlace(r: NftRuleSpec, last: { family?: string; table?: string; chain?: string }): void {
  if (r.family === last.family && r.table === last.table && r.chain === last.chain) return;
  checkFamily('family', r.family);
  checkName('table', r.table);
  checkName('chain', r.chain);
  last.family = r.family;
  last.table = r.table;
  last.chain = r.chain;
}

function ruleOf(r: NftRuleSpec, lastPlace: { family?: string; table?: string; chain?: string }): ParsedRule {
  const o = checkObject('rule', r);
  // One pass over the keys, each looked up in a Set: the check every rule of a big transaction pays.
  let typed = false;
  for (const k in o) {
    if (!Object.hasOwn(o, k)) continue;
    if (!RULE_KEY_SET.has(k)) checkKeys('rule', o, RULE_KEYS); // throws, naming the known keys
    if (!PLACE_KEY_SET.has(k)) typed = true;
  }
  checkPlace(r, lastPlace);
  if (r.rule !== undefined) {
    if (typed) {
      const typedKeys = Object.keys(o).filter((x) => !PLACE_KEY_SET.has(x));
      throw new TypeError(`rule: give nft text or typed keys, not both (got ${typedKeys.join(', ')})`);
    }
    return parseRuleText(r.rule);
  }
  return typedToRule(r.family, r);
}

/**
 * What a rule message does, formatted only if the kernel refuses it. Made here, not in #rule, so
 * the closure holds only these values: text rules keep their text (parsed again if the label is
 * asked for), not their parsed items, alive until the batch is sent.
 */
function ruleLabel(verb: string, r: NftRuleSpec, rule: string | ParsedRule): () => string {
  const { family, table, chain } = r;
  return () => `${verb} rule ${family} ${table} ${chain} ${formatRule(typeof rule === 'string' ? parseRuleText(rule) : rule)}`;
}

/** Builds one atomic batch. Methods only record; nothing is sent until the transaction ends. */
export class NftTransaction {
  /** @internal */ readonly messages: WireMessage[] = [];
  /** @internal iif/oif names whose ifindex the transaction fills in (in its namespace) before sending */
  readonly ifindexes: Array<{ name: string; slot: Buffer }> = [];
  /**
   * @internal What each message does, for error messages; a rule's is formatted only when asked
   * (label()): a big transaction that succeeds never needs them. A function is given the message's
   * index: one function can then label many messages.
   */
  readonly labels: Array<string | ((index: number) => string)> = [];
  /** @internal element changes that wait for their set's types (resolveSets) */
  readonly lookups: Array<{ at: number; set: NftChainRef; encode: (info: NftSetInfo) => Array<[string, WireMessage]> }> = [];
  #setId = 0;
  /** The place of the rule added last, checked: the next rules of a big transaction usually share it. */
  readonly #place: { family?: string; table?: string; chain?: string } = {};

  /** @internal A prepared message (used by ns.iptables for its compat rules). */
  raw(label: string | ((index: number) => string), m: WireMessage): this {
    return this.#push(label, m);
  }

  /** @internal What message `index` does. */
  label(index: number): string {
    const l = this.labels[index];
    return typeof l === 'string' ? l : l(index);
  }

  #push(label: string | ((index: number) => string), m: WireMessage): this {
    this.messages.push(m);
    this.labels.push(label);
    return this;
  }

  addTable(t: NftTableSpec): this {
    return this.#table(t, 'add', NLM_F.CREATE);
  }

  /** Like `nft create table`: refused (EEXIST) when the table exists. */
  createTable(t: NftTableSpec): this {
    return this.#table(t, 'create', NLM_F.CREATE | NLM_F.EXCL);
  }

  #table(t: NftTableSpec, verb: string, create: number): this {
    checkKeys('table', checkObject('table', t), ['family', 'name', 'flags']);
    const flags = (t.flags ?? []).reduce((f, x) => f | (checkOneOf('flags', x, ['dormant', 'owner']) === 'dormant' ? 1 : 2), 0);
    return this.#push(`${verb} table ${t.family} ${t.name}`, nftMessage(NFT_MSG.NEWTABLE, checkFamily('family', t.family), { name: checkName('name', t.name), flags: flags || undefined }, create));
  }

  deleteTable(t: NftTableRef): this {
    return this.#push(`delete table ${t.family} ${t.name}`, nftMessage(NFT_MSG.DELTABLE, checkFamily('family', t.family), { name: checkName('name', t.name) }));
  }

  /** Removes every rule of every chain in the table (chains and sets stay). */
  flushTable(t: NftTableRef): this {
    return this.#push(`flush table ${t.family} ${t.name}`, nftMessage(NFT_MSG.DELRULE, checkFamily('family', t.family), { table: checkName('name', t.name) }));
  }

  addChain(c: NftChainSpec): this {
    return this.#chain(c, 'add', NLM_F.CREATE);
  }

  /** Like `nft create chain`: refused (EEXIST) when the chain exists. */
  createChain(c: NftChainSpec): this {
    return this.#chain(c, 'create', NLM_F.CREATE | NLM_F.EXCL);
  }

  #chain(c: NftChainSpec, verb: string, flags: number): this {
    checkKeys('chain', checkObject('chain', c), ['family', 'table', 'name', 'type', 'hook', 'priority', 'policy', 'device', 'counters']);
    const family = checkFamily('family', c.family);
    const attrs: Record<string, unknown> = { table: checkName('table', c.table), name: checkName('name', c.name) };
    const base = c.hook !== undefined || c.type !== undefined || c.priority !== undefined || c.policy !== undefined || c.counters !== undefined;
    if (base) {
      if (c.hook === undefined) throw typeError('hook', c.hook, `a hook for a base chain (${Object.keys(HOOKS[family]).join(', ')})`);
      const hooknum = HOOKS[family][checkOneOf('hook', c.hook, Object.keys(HOOKS[family]))];
      const names = priorityNames(family);
      const priority = typeof c.priority === 'string' ? names[checkOneOf('priority', c.priority, Object.keys(names))] : checkInteger('priority', c.priority ?? 0, -0x80000000, 0x7fffffff);
      if (family === 'netdev' && c.device === undefined) throw typeError('device', c.device, 'a device for a netdev base chain');
      attrs.hook = { hooknum, priority: priority >>> 0, dev: c.device };
      if (c.policy !== undefined) attrs.policy = checkOneOf('policy', c.policy, ['accept', 'drop']) === 'accept' ? 1 : 0;
      attrs.type = checkOneOf('type', c.type ?? 'filter', CHAIN_TYPES);
      if (c.counters !== undefined) {
        const counters = checkObject('counters', c.counters);
        checkKeys('counters', counters, ['packets', 'bytes']);
        attrs.counters = { packets: checkU64('counters.packets', counters.packets), bytes: checkU64('counters.bytes', counters.bytes) };
      }
    }
    return this.#push(`${verb} chain ${family} ${c.table} ${c.name}`, nftMessage(NFT_MSG.NEWCHAIN, family, attrs, flags));
  }

  deleteChain(c: NftChainRef): this {
    return this.#push(`delete chain ${c.family} ${c.table} ${c.name}`, nftMessage(NFT_MSG.DELCHAIN, checkFamily('family', c.family), { table: checkName('table', c.table), name: checkName('name', c.name) }));
  }

  flushChain(c: NftChainRef): this {
    return this.#push(`flush chain ${c.family} ${c.table} ${c.name}`, nftMessage(NFT_MSG.DELRULE, checkFamily('family', c.family), { table: checkName('table', c.table), chain: checkName('name', c.name) }));
  }

  /** Appends a rule (after rule `handle` when given). */
  addRule(r: NftRuleSpec): this {
    return this.#rule('add', r, NLM_F.CREATE | NLM_F.APPEND);
  }

  /** Inserts a rule at the top of the chain (before rule `handle` when given). */
  insertRule(r: NftRuleSpec): this {
    return this.#rule('insert', r, NLM_F.CREATE);
  }

  replaceRule(r: NftRuleSpec & { handle: number }): this {
    checkInteger('handle', r.handle, 1, Number.MAX_SAFE_INTEGER);
    return this.#rule('replace', r, NLM_F.REPLACE);
  }

  deleteRule(r: { family: NftFamily; table: string; chain: string; handle: number }): this {
    return this.#push(`delete rule ${r.family} ${r.table} ${r.chain} handle ${r.handle}`, nftMessage(NFT_MSG.DELRULE, checkFamily('family', r.family), {
      table: checkName('table', r.table), chain: checkName('chain', r.chain), handle: BigInt(checkInteger('handle', r.handle, 1, Number.MAX_SAFE_INTEGER)),
    }));
  }

  /** Numbers the anonymous sets of the transaction. */
  readonly #nextSetId = () => ++this.#setId;
  /** A slot for the ifindex of an iif/oif name, filled in just before sending. */
  readonly #ifindex = (name: string) => {
    const slot = Buffer.alloc(4);
    this.ifindexes.push({ name, slot });
    return slot;
  };

  #rule(verb: string, r: NftRuleSpec, flags: number): this {
    const parsed = ruleOf(r, this.#place);
    const family = r.family;
    const slots = this.ifindexes.length;
    const { expressions: exprs, sets } = encodeItems(parsed.items, family, this.#nextSetId, this.#ifindex);
    // An iif/oif index is written into its slot just before sending: such a rule is encoded then.
    const late = this.ifindexes.length !== slots;
    for (let i = 0; i < sets.length; i++) this.#anonymousSet(family, r.table, sets[i]);
    if (r.handle !== undefined && verb !== 'replace') checkInteger('handle', r.handle, 1, Number.MAX_SAFE_INTEGER);
    // Only the attributes the rule has: the encoder walks every key of this object.
    const attrs: Record<string, unknown> = { table: r.table, chain: r.chain };
    if (r.handle !== undefined) attrs[verb === 'replace' ? 'handle' : 'position'] = BigInt(r.handle);
    attrs.expressions = late ? expressionObjects(exprs) : expressions(exprs);
    if (parsed.comment !== undefined) attrs.userdata = ruleUserdata(parsed.comment);
    return this.#push(ruleLabel(verb, r, r.rule ?? parsed), nftMessage(NFT_MSG.NEWRULE, family, attrs, flags));
  }

  #anonymousSet(family: NftFamily, table: string, s: AnonymousSet): void {
    const t = s.concat ?? SET_TYPES[s.keyType];
    const name = s.dataType ? '__map%d' : '__set%d';
    const data = s.dataType === undefined ? {} : s.dataType === 'verdict' ? { data_type: VERDICT_DATATYPE, data_len: 0 } : { data_type: SET_TYPES[s.dataType].id, data_len: SET_TYPES[s.dataType].len };
    this.#push(`add anonymous ${s.dataType ? 'map' : 'set'} ${s.id}`, nftMessage(NFT_MSG.NEWSET, family, {
      table, name, flags: s.flags, key_type: t.id, key_len: t.len, ...data, id: s.id, desc: { size: s.elements.length }, userdata: s.userdata,
    }, NLM_F.CREATE));
    for (let start = 0; start < s.elements.length; start += ELEMENTS_PER_MESSAGE) {
      this.#push(`add elements to anonymous ${s.dataType ? 'map' : 'set'} ${s.id}`, nftMessage(NFT_MSG.NEWSETELEM, family, {
        table, set: name, set_id: s.id, elements: { elem: elementsWire(s.elements.slice(start, start + ELEMENTS_PER_MESSAGE), (s.flags & SET_FLAGS.interval) !== 0) },
      }, NLM_F.CREATE));
    }
  }

  addSet(s: NftSetSpec): this {
    return this.#set(s, undefined);
  }

  addMap(m: NftMapSpec): this {
    return this.#set(m, checkOneOf('map', m.map, ['verdict', ...Object.keys(SET_TYPES)]));
  }

  #set(s: NftSetSpec, map: string | undefined): this {
    checkKeys('set', checkObject('set', s), ['family', 'table', 'name', 'type', 'flags', 'timeout', ...(map ? ['map'] : [])]);
    const family = checkFamily('family', s.family);
    const fields = s.type === 'ether_addr' ? [] : typeFields(checkString('type', s.type));
    const type = fields.length > 1 ? concatType(fields) : SET_TYPES[s.type];
    let flags = map ? SET_FLAGS.map : 0;
    for (const f of s.flags ?? []) flags |= SET_FLAGS[checkOneOf('flags', f, ['interval', 'timeout', 'constant'])];
    if (s.timeout !== undefined) {
      checkInteger('timeout', s.timeout, 1, 0x7fffffff);
      flags |= SET_FLAGS.timeout;
    }
    const data = map === undefined ? {} : map === 'verdict' ? { data_type: VERDICT_DATATYPE, data_len: 0 } : { data_type: SET_TYPES[map].id, data_len: SET_TYPES[map].len };
    return this.#push(`add ${map ? 'map' : 'set'} ${family} ${s.table} ${s.name}`, nftMessage(NFT_MSG.NEWSET, family, {
      table: checkName('table', s.table), name: checkName('name', s.name), flags, key_type: type.id, key_len: type.len, ...data,
      id: ++this.#setId, timeout: s.timeout === undefined ? undefined : BigInt(s.timeout * 1000),
      userdata: declaredSetUserdata(s.type, map),
    }, NLM_F.CREATE));
  }

  deleteSet(s: NftChainRef): this {
    return this.#push(`delete set ${s.family} ${s.table} ${s.name}`, nftMessage(NFT_MSG.DELSET, checkFamily('family', s.family), { table: checkName('table', s.table), name: checkName('name', s.name) }));
  }

  /**
   * Adds elements to a named set or map. Its key type, data type and interval flag come from
   * `set` when given, else from the set added earlier in this transaction, else (as `nft add
   * element` does) from the kernel when the transaction is sent.
   */
  addElements(set: NftElementsTarget, elements: NftElement[]): this {
    return this.#elements(NFT_MSG.NEWSETELEM, 'add', set, elements);
  }

  deleteElements(set: NftElementsTarget, elements: NftElement[]): this {
    return this.#elements(NFT_MSG.DELSETELEM, 'delete', set, elements);
  }

  #elements(msg: number, verb: string, set: NftElementsTarget, elements: NftElement[]): this {
    const ref = { family: checkFamily('family', set.family), table: checkName('table', set.table), name: checkName('name', set.name) };
    if (!Array.isArray(elements) || elements.length === 0) throw typeError('elements', elements, 'a non-empty array');
    const declared = this.#declared(ref);
    const known = (info: NftSetInfo): NftSetInfo => ({ type: set.type ?? info.type, map: set.map ?? info.map, interval: set.interval ?? info.interval });
    if (set.type !== undefined || declared) {
      for (const [label, m] of elementMessages(msg, verb, ref, elements, known(declared ?? { type: set.type!, interval: false }))) this.#push(label, m);
      return this;
    }
    this.lookups.push({ at: this.messages.length, set: ref, encode: (info) => elementMessages(msg, verb, ref, elements, known(info)) });
    return this;
  }

  /**
   * @internal Encodes the element changes whose sets were looked up (`lookup`: the set's types as
   * the kernel holds them), in their places among the other messages.
   */
  async resolveSets(lookup: (set: NftChainRef) => Promise<NftSetInfo | undefined>): Promise<void> {
    for (const p of [...this.lookups].reverse()) {
      const info = await lookup(p.set);
      if (!info) throw new NetlinkError('nft.transaction', 2, { detail: `no set ${p.set.family} ${p.set.table} ${p.set.name} to change elements of` });
      const encoded = p.encode(info);
      this.messages.splice(p.at, 0, ...encoded.map(([, m]) => m));
      this.labels.splice(p.at, 0, ...encoded.map(([label]) => label));
    }
    this.lookups.length = 0;
  }

  /** @internal Whether this transaction adds that set or map. */
  declares(family: NftFamily, table: string, name: string): boolean {
    return this.#declared({ family, table, name }) !== undefined;
  }

  /** A set or map added earlier in this transaction: its key type, data type and flags. */
  #declared(set: NftChainRef): NftSetInfo | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const m = this.messages[i];
      const a = m.attrs as Record<string, any>;
      if ((m.type & 0xff) === NFT_MSG.NEWSET && a.name === set.name && a.table === set.table) {
        return {
          type: typeName(a.key_type) as NftSetKeyType,
          map: a.data_type === undefined ? undefined : typeName(a.data_type),
          interval: (a.flags & SET_FLAGS.interval) !== 0,
        };
      }
    }
    return undefined;
  }
}

/** The messages that add (or delete) elements of a set of the given types. */
function elementMessages(msg: number, verb: string, set: NftChainRef, elements: NftElement[], info: NftSetInfo): Array<[string, WireMessage]> {
  const { type: keyType, map: mapType, interval } = info;
  const messages = (wire: Array<{ key: Buffer; keyEnd?: Buffer; data?: unknown }>, isInterval: boolean): Array<[string, WireMessage]> => {
    // An attribute holds at most 64 KiB: large element lists go in several messages (as nft does).
    const out: Array<[string, WireMessage]> = [];
    for (let start = 0; start < wire.length; start += ELEMENTS_PER_MESSAGE) {
      out.push([`${verb} element ${set.family} ${set.table} ${set.name}`, nftMessage(msg, set.family, {
        table: set.table, set: set.name, elements: { elem: elementsWire(wire.slice(start, start + ELEMENTS_PER_MESSAGE), isInterval) },
      }, msg === NFT_MSG.NEWSETELEM ? NLM_F.CREATE : 0)]);
    }
    return out;
  };
  // Each element is checked against the set's types; a bad one is named by its place.
  const each = <T>(f: (e: NftElement) => T) => elements.map((e, i) => {
    try {
      return f(e);
    } catch (err) {
      if (err instanceof RangeError || err instanceof TypeError) throw rangeError(`elements[${i}]`, e, `does not fit set ${set.family} ${set.table} ${set.name} (${keyType}${mapType ? ` : ${mapType}` : ''}): ${err.message}`);
      throw err;
    }
  });
  const pair = (e: NftElement): [string | number | Array<string | number>, string | number | undefined] => {
    if (mapType && Array.isArray(e) && e.length === 2) return [e[0], e[1]];
    // Deleting from a map needs only the key.
    if (mapType && msg === NFT_MSG.NEWSETELEM) throw new TypeError('a map element is a [key, value] pair');
    return [e as string | number, undefined];
  };
  if (keyType === 'ether_addr') {
    // MAC sets (e.g. for bridge filtering): 6-byte keys.
    return messages(each((e) => {
      if (typeof e !== 'string' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(e)) throw new RangeError('not a MAC address');
      return { key: Buffer.from(e.split(':').map((h) => parseInt(h, 16))) };
    }), false);
  }
  const fields = typeFields(keyType);
  const data = (v: string | number | undefined) => (mapType === undefined || v === undefined ? undefined : mapData(mapType, v));
  if (fields.length > 1) {
    // A concatenation: each key is 'a . b' (or, in a set, [a, b]); exact matches only.
    return messages(each((e) => {
      const [k, v] = mapType ? pair(e) : [e, undefined];
      const parts = Array.isArray(k) ? k : String(k).split(' . ');
      if (parts.length !== fields.length) throw new RangeError(`not a tuple of ${fields.length} values`);
      const key = concatKeyOf(fields, parts.map((p, j) => {
        const sc = parseScalar(fields[j], String(p));
        if (sc.kind !== 'single') throw new RangeError('a range or prefix in a concatenation');
        return sc.value;
      }));
      return { key, data: data(v) };
    }), false);
  }
  const field = fields[0];
  return messages(each((e) => {
    const [k, v] = pair(e);
    const key = parseScalar(field, String(k));
    const bytes = (x: string | number) => fieldBytes(field, x);
    const el: { key: Buffer; keyEnd?: Buffer; data?: unknown } = key.kind === 'single' ? { key: bytes(key.value) }
      : key.kind === 'range' ? { key: bytes(key.from), keyEnd: bytes(key.to) } : prefixBounds(bytes(key.address), key.length);
    if (el.keyEnd && !interval) throw new RangeError('a range or prefix, but the set has no "interval" flag');
    el.data = data(v);
    return el;
  }), interval);
}

export function fieldForType(type: NftSetKeyType): Field {
  return ({ ipv4_addr: 'ip daddr', ipv6_addr: 'ip6 daddr', inet_service: 'tcp dport', inet_proto: 'meta l4proto', mark: 'meta mark', ifname: 'iifname' } as Record<string, Field>)[type];
}


function prefixBounds(addr: Buffer, len: number): { key: Buffer; keyEnd: Buffer } {
  const key = Buffer.from(addr);
  const keyEnd = Buffer.from(addr);
  for (let i = 0; i < addr.length; i++) {
    const keep = Math.max(0, Math.min(8, len - i * 8));
    const mask = keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
    key[i] &= mask;
    keyEnd[i] = key[i] | (~mask & 0xff);
  }
  return { key, keyEnd };
}

function mapData(type: string, v: string | number): unknown {
  if (type === 'verdict') {
    const [verdict, chain] = String(v).split(/\s+/);
    if (!(verdict in VERDICT)) throw new RangeError(`${JSON.stringify(v)} is not a verdict (accept, drop, return, jump CHAIN, goto CHAIN)`);
    if ((verdict === 'jump' || verdict === 'goto') && !chain) throw new RangeError(`${JSON.stringify(v)} names no chain`);
    return verdictData(String(v));
  }
  return { value: fieldBytes(fieldForType(type as NftSetKeyType), v) };
}

/** Interval sets hold each range as a start element and an end element (end + 1, flagged). */
function elementsWire(els: Array<{ key: Buffer; keyEnd?: Buffer; data?: unknown }>, interval: boolean): unknown[] {
  const out: unknown[] = [];
  for (const e of els) {
    out.push({ key: { value: e.key }, data: e.data });
    if (!interval) continue;
    const end = Buffer.from(e.keyEnd ?? e.key);
    let carry = 1;
    for (let i = end.length - 1; i >= 0 && carry; i--) {
      const x = end[i] + carry;
      end[i] = x & 0xff;
      carry = x >> 8;
    }
    if (!carry) out.push({ key: { value: end }, flags: NFT_SET_ELEM_INTERVAL_END });
  }
  return out;
}
