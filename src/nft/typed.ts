// The typed object spelling of a rule <-> items. Each key maps to one construct of the text form.
import { parseAddress } from '../ip';
import { checkInteger, checkKeys, checkObject, rangeError, typeError } from '../validate';
import { CT_STATES, L4PROTOS, type NftFamily } from './constants';
import { FIELDS, type Field, type Item, type MapValue, type ParsedRule, type Value } from './items';
import { parseMark, parseScalar } from './text';

/** A value: a single address/port/name, "a-b", a CIDR, an array (anonymous set), or "@set". */
export type NftValue = string | number | Array<string | number>;

export interface NftMatch {
  saddr?: NftValue;
  daddr?: NftValue;
  /** meta l4proto */
  protocol?: string | number;
  sport?: NftValue;
  dport?: NftValue;
  /** Interface name; a trailing '*' matches a prefix. */
  iifname?: string | string[];
  oifname?: string | string[];
  /** Interface by index (resolved from the name in the rule's namespace when the rule is added). */
  iif?: string;
  oif?: string;
  ctState?: string[];
  ctMark?: number;
  mark?: number;
  fibDaddrType?: 'local' | 'unicast' | 'broadcast' | 'multicast';
}

/** A map for vmap or dnat/snat: "@name", or entries key -> data ({ 22: 'accept' } / { 8080: '10.0.0.2' }). */
export interface NftMapRef {
  /** The map's key, as nft writes it: 'tcp dport', 'ip saddr', … */
  key: Field;
  map: string | Record<string, string>;
}

export interface NftStatements {
  counter?: boolean;
  limit?: { rate: number; per: 'second' | 'minute' | 'hour' | 'day' | 'week'; burst?: number };
  /** Verdict map: `tcp dport vmap { 22 : accept }`. */
  vmap?: NftMapRef;
  log?: { prefix?: string };
  /** meta mark set */
  setMark?: number;
  /** ct mark set */
  setCtMark?: number;
  notrack?: boolean;
  /** address may be a range "a-b"; map: the address looked up in a map. */
  dnat?: { address?: string; port?: number | string; map?: NftMapRef };
  snat?: { address?: string; port?: number | string; map?: NftMapRef };
  masquerade?: boolean | { port: number | string };
  redirect?: boolean | { port: number | string };
  reject?: boolean;
  verdict?: 'accept' | 'drop' | 'return' | 'continue';
  jump?: string;
  goto?: string;
}

export interface TypedRule extends NftStatements {
  match?: NftMatch;
  /** A concatenation lookup: `ip daddr . tcp dport @set` is { key: ['ip daddr', 'tcp dport'], set: '@set' }. */
  concat?: { key: Field[]; set: string | Array<Array<string | number>>; negate?: boolean };
  /** Negated matches (`!=`). */
  not?: NftMatch;
  comment?: string;
}

const MATCH_KEYS = ['saddr', 'daddr', 'protocol', 'sport', 'dport', 'iifname', 'oifname', 'iif', 'oif', 'ctState', 'ctMark', 'mark', 'fibDaddrType'] as const;
export const STATEMENT_KEYS = ['counter', 'limit', 'vmap', 'log', 'setMark', 'setCtMark', 'notrack', 'dnat', 'snat', 'masquerade', 'redirect', 'reject', 'verdict', 'jump', 'goto'] as const;

function addressField(family: NftFamily, key: 'saddr' | 'daddr', v: NftValue): Field {
  const sample = String(Array.isArray(v) ? v[0] : v);
  const v6 = family === 'ip6' || (family !== 'ip' && sample.includes(':'));
  return `${v6 ? 'ip6' : 'ip'} ${key}` as Field;
}

function toValue(field: Field, v: NftValue, name: string): Value {
  if (Array.isArray(v)) {
    if (v.length === 0) throw rangeError(name, v, 'is an empty set');
    return { kind: 'set', elements: v.map((e) => parseScalar(field, String(e))) };
  }
  if (typeof v === 'string' && v.startsWith('@')) return { kind: 'named', name: v.slice(1) };
  if (typeof v !== 'string' && typeof v !== 'number') throw typeError(name, v, 'a value, an array or "@set"');
  return parseScalar(field, String(v));
}

const INTERFACE_KEYS = ['iif', 'oif', 'iifname', 'oifname'] as const;
const ADDRESS_KEYS = ['saddr', 'daddr'] as const;
const PORT_KEYS = ['sport', 'dport'] as const;

function matchItems(family: NftFamily, m: NftMatch, op: 'eq' | 'neq', where: string): Item[] {
  checkKeys(where, checkObject(where, m), MATCH_KEYS);
  const items: Item[] = [];
  const push = (field: Field, value: Value) => items.push({ t: 'match', field, op, value });
  // Canonical order: interfaces, addresses, protocol and ports, then conntrack, marks and fib.
  // Indexed loops over constant lists: a rule is often built before the JIT optimizes this, and
  // for-of then allocates an iterator result per key.
  for (let i = 0; i < INTERFACE_KEYS.length; i++) {
    const k = INTERFACE_KEYS[i];
    if (m[k] !== undefined) push(k, toValue(k, m[k]!, `${where}.${k}`));
  }
  for (let i = 0; i < ADDRESS_KEYS.length; i++) {
    const k = ADDRESS_KEYS[i];
    const v = m[k];
    if (v === undefined) continue;
    const field = addressField(family, k, v);
    push(field, toValue(field, v, `${where}.${k}`));
  }
  const proto = m.protocol;
  if ((m.sport !== undefined || m.dport !== undefined) && proto !== 'tcp' && proto !== 'udp') {
    throw rangeError(`${where}.protocol`, proto, 'must be "tcp" or "udp" to match ports');
  }
  if (proto !== undefined) {
    if (typeof proto === 'string' && !(proto in L4PROTOS)) throw rangeError(`${where}.protocol`, proto, 'is not a protocol name nft knows');
    if (m.sport === undefined && m.dport === undefined) push('meta l4proto', { kind: 'single', value: typeof proto === 'number' ? checkInteger(`${where}.protocol`, proto, 0, 255) : proto });
  }
  for (let i = 0; i < PORT_KEYS.length; i++) {
    const k = PORT_KEYS[i];
    if (m[k] !== undefined) push(`${proto} ${k}` as Field, toValue(`${proto} ${k}` as Field, m[k]!, `${where}.${k}`));
  }
  if (m.ctState !== undefined) {
    if (!Array.isArray(m.ctState) || m.ctState.length === 0) throw typeError(`${where}.ctState`, m.ctState, 'a non-empty array of states');
    for (const s of m.ctState) if (!(s in CT_STATES)) throw rangeError(`${where}.ctState`, s, `is not one of ${Object.keys(CT_STATES).join(', ')}`);
    push('ct state', { kind: 'flags', names: m.ctState });
  }
  if (m.ctMark !== undefined) push('ct mark', { kind: 'single', value: parseMark(`${where}.ctMark`, m.ctMark) });
  if (m.mark !== undefined) push('meta mark', { kind: 'single', value: parseMark(`${where}.mark`, m.mark) });
  if (m.fibDaddrType !== undefined) push('fib daddr type', parseScalar('fib daddr type', m.fibDaddrType));
  return items;
}

function ports(name: string, p: number | string): [number, number] {
  const s = String(p);
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw rangeError(name, p, 'is not a port or port range');
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  for (const x of [a, b]) if (x < 1 || x > 65535) throw rangeError(name, p, 'is out of range (1–65535)');
  return [a, b];
}

function mapRef(name: string, m: NftMapRef, verdicts: boolean): MapValue {
  checkKeys(name, checkObject(name, m), ['key', 'map']);
  if (!(FIELDS as readonly string[]).includes(m.key)) throw rangeError(`${name}.key`, m.key, 'is not a field nft can map on (like "tcp dport")');
  if (typeof m.map === 'string') {
    if (!m.map.startsWith('@')) throw rangeError(`${name}.map`, m.map, 'is not "@name" or an object of entries');
    return { kind: 'named', name: m.map.slice(1) };
  }
  const entries = Object.entries(checkObject(`${name}.map`, m.map)).map(([k, v]): [ReturnType<typeof parseScalar>, string] => {
    if (verdicts) {
      const [verdict, chain] = String(v).split(/\s+/);
      if (!['accept', 'drop', 'return', 'continue', 'jump', 'goto'].includes(verdict) || ((verdict === 'jump' || verdict === 'goto') && !chain)) throw rangeError(`${name}.map[${k}]`, v, 'is not a verdict');
      return [parseScalar(m.key, k), String(v)];
    }
    return [parseScalar(m.key, k), parseAddress(`${name}.map[${k}]`, String(v)).address];
  });
  if (entries.length === 0) throw rangeError(`${name}.map`, m.map, 'has no entries');
  return { kind: 'map', entries };
}

export function typedToRule(family: NftFamily, r: TypedRule): ParsedRule {
  const items: Item[] = [];
  if (r.match !== undefined) items.push(...matchItems(family, r.match, 'eq', 'match'));
  if (r.not !== undefined) items.push(...matchItems(family, r.not, 'neq', 'not'));
  if (r.concat !== undefined) {
    checkKeys('concat', checkObject('concat', r.concat), ['key', 'set', 'negate']);
    if (!Array.isArray(r.concat.key) || r.concat.key.length < 2) throw typeError('concat.key', r.concat.key, 'two or more fields, like ["ip daddr", "tcp dport"]');
    for (const f of r.concat.key) if (!(FIELDS as readonly string[]).includes(f)) throw rangeError('concat.key', f, 'is not a field');
    const set = r.concat.set;
    const value = typeof set === 'string'
      ? (set.startsWith('@') ? { kind: 'named' as const, name: set.slice(1) } : (() => { throw rangeError('concat.set', set, 'is not "@name" or an array of tuples'); })())
      : { kind: 'tuples' as const, elements: set.map((t, i) => t.map((x, j) => { const sc = parseScalar(r.concat!.key[j], String(x)); if (sc.kind !== 'single') throw rangeError(`concat.set[${i}]`, t, 'has a range or prefix'); return sc.value; })) };
    items.push({ t: 'concat', fields: r.concat.key, op: r.concat.negate ? 'neq' : 'eq', value });
  }
  if (r.counter) items.push({ t: 'counter' });
  if (r.limit !== undefined) {
    checkKeys('limit', checkObject('limit', r.limit), ['rate', 'per', 'burst']);
    checkInteger('limit.rate', r.limit.rate, 1, 0xffffffff);
    if (!['second', 'minute', 'hour', 'day', 'week'].includes(r.limit.per)) throw rangeError('limit.per', r.limit.per, 'is not one of "second", "minute", "hour", "day", "week"');
    if (r.limit.burst !== undefined) checkInteger('limit.burst', r.limit.burst, 0, 0xffffffff);
    items.push({ t: 'limit', rate: r.limit.rate, per: r.limit.per, burst: r.limit.burst });
  }
  if (r.log) items.push(r.log.prefix !== undefined ? { t: 'log', prefix: r.log.prefix } : { t: 'log' });
  if (r.setMark !== undefined) items.push({ t: 'set', key: 'meta mark', value: parseMark('setMark', r.setMark) });
  if (r.setCtMark !== undefined) items.push({ t: 'set', key: 'ct mark', value: parseMark('setCtMark', r.setCtMark) });
  if (r.notrack) items.push({ t: 'notrack' });
  for (const type of ['dnat', 'snat'] as const) {
    const n = r[type];
    if (n === undefined) continue;
    checkKeys(type, checkObject(type, n), ['address', 'port', 'map']);
    const item: Item = { t: 'nat', type };
    if (n.map !== undefined) {
      items.push({ t: 'nat', type, map: { field: n.map.key, value: mapRef(`${type}.map`, n.map, false) } });
      continue;
    }
    if (n.address !== undefined) {
      const [from, to] = n.address.split('-');
      item.address = parseAddress(`${type}.address`, from).address;
      if (to !== undefined) item.addressEnd = parseAddress(`${type}.address`, to).address;
    }
    if (n.port !== undefined) item.ports = ports(`${type}.port`, n.port);
    if (!item.address && !item.ports) throw typeError(type, n, 'an address and/or a port');
    items.push(item);
  }
  if (r.vmap !== undefined) items.push({ t: 'vmap', field: r.vmap.key, value: mapRef('vmap', r.vmap, true) });
  if (r.masquerade) items.push(typeof r.masquerade === 'object' ? { t: 'masquerade', ports: ports('masquerade.port', r.masquerade.port) } : { t: 'masquerade' });
  if (r.redirect) items.push(typeof r.redirect === 'object' ? { t: 'redirect', ports: ports('redirect.port', r.redirect.port) } : { t: 'redirect' });
  if (r.reject) items.push({ t: 'reject' });
  const verdicts = [r.verdict, r.jump, r.goto].filter((v) => v !== undefined);
  if (verdicts.length > 1) throw new TypeError('verdict/jump/goto: give at most one');
  if (r.verdict !== undefined) {
    if (!['accept', 'drop', 'return', 'continue'].includes(r.verdict)) throw rangeError('verdict', r.verdict, 'is not one of "accept", "drop", "return", "continue"');
    items.push({ t: 'verdict', verdict: r.verdict });
  }
  if (r.jump !== undefined) items.push({ t: 'verdict', verdict: 'jump', chain: r.jump });
  if (r.goto !== undefined) items.push({ t: 'verdict', verdict: 'goto', chain: r.goto });
  return { items, comment: r.comment };
}

function mapOut(v: MapValue): string | Record<string, string> {
  if (v.kind === 'named') return `@${v.name}`;
  return Object.fromEntries(v.entries.map(([k, d]) => [k.kind === 'single' ? String(k.value) : k.kind === 'prefix' ? `${k.address}/${k.length}` : `${k.from}-${k.to}`, d]));
}

/** Items -> the typed object (the inverse of typedToRule, for listings). */
export function ruleToTyped(rule: ParsedRule): TypedRule {
  const out: TypedRule = {};
  const scalar = (v: Value): NftValue => {
    if (v.kind === 'named') return `@${v.name}`;
    if (v.kind === 'set') return v.elements.map((e) => (e.kind === 'single' ? e.value : e.kind === 'prefix' ? `${e.address}/${e.length}` : `${e.from}-${e.to}`));
    if (v.kind === 'single') return v.value;
    if (v.kind === 'prefix') return `${v.address}/${v.length}`;
    if (v.kind === 'range') return `${v.from}-${v.to}`;
    return v.names;
  };
  for (const it of rule.items) {
    switch (it.t) {
      case 'match': {
        // A check nft adds and leaves out of its listing (the protocol of a port in a concatenation)
        // is not part of the rule as written, as in the text form.
        if (it.implied) break;
        const target = (it.op === 'eq' ? (out.match ??= {}) : (out.not ??= {})) as Record<string, unknown>;
        const [a, b] = it.field.split(' ');
        // 'fib daddr type' before the addresses: its second word is daddr too.
        if (it.field === 'fib daddr type') target.fibDaddrType = scalar(it.value);
        else if (b === 'saddr' || b === 'daddr') target[b] = scalar(it.value);
        else if (b === 'sport' || b === 'dport') { target.protocol = a; target[b] = scalar(it.value); }
        else if (it.field === 'meta l4proto') target.protocol = scalar(it.value);
        else if (it.field === 'ct state') target.ctState = (it.value as { names: string[] }).names;
        else if (it.field === 'ct mark') target.ctMark = scalar(it.value);
        else if (it.field === 'meta mark') target.mark = scalar(it.value);
        else target[it.field] = scalar(it.value);
        break;
      }
      case 'counter': out.counter = true; break;
      case 'log': out.log = it.prefix !== undefined ? { prefix: it.prefix } : {}; break;
      case 'set': if (it.key === 'meta mark') out.setMark = it.value; else out.setCtMark = it.value; break;
      case 'notrack': out.notrack = true; break;
      case 'nat':
        if (it.map) { out[it.type] = { map: { key: it.map.field, map: mapOut(it.map.value) } }; break; }
        out[it.type] = {
          ...(it.address ? { address: it.addressEnd ? `${it.address}-${it.addressEnd}` : it.address } : {}),
          ...(it.ports ? { port: it.ports[0] === it.ports[1] ? it.ports[0] : `${it.ports[0]}-${it.ports[1]}` } : {}),
        };
        break;
      case 'vmap': out.vmap = { key: it.field, map: mapOut(it.value) }; break;
      case 'concat': out.concat = { key: it.fields, set: it.value.kind === 'named' ? `@${it.value.name}` : it.value.elements, ...(it.op === 'neq' ? { negate: true } : {}) }; break;
      case 'limit': out.limit = { rate: it.rate, per: it.per, ...(it.burst !== undefined ? { burst: it.burst } : {}) }; break;
      case 'masquerade': case 'redirect': out[it.t] = it.ports ? { port: it.ports[0] === it.ports[1] ? it.ports[0] : `${it.ports[0]}-${it.ports[1]}` } : true; break;
      case 'reject': out.reject = true; break;
      case 'verdict':
        if (it.verdict === 'jump') out.jump = it.chain;
        else if (it.verdict === 'goto') out.goto = it.chain;
        else out.verdict = it.verdict;
        break;
    }
  }
  if (rule.comment !== undefined) out.comment = rule.comment;
  return out;
}
