// nft rule text <-> items, for the supported subset of the language. Anything outside it is a
// RangeError naming the token; nothing is guessed. Formatting gives nft's canonical listing form.
import { parseAddress, parseCidr } from '../ip';
import { FLAG_FIELDS, L4PROTOS } from './constants';
import { FIELDS, type Field, type Item, type MapValue, type ParsedRule, portProto, type Scalar, type Value } from './items';

export const LIMIT_UNITS = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800 } as const;

/**
 * A token: a word, or a quoted string kept with its opening quote ('"eth0'), which no word contains.
 * Strings, not objects: a rule of a 1,000-rule transaction makes no object per token.
 */
type Tok = string;
const QUOTED = 34; // "
const isQuoted = (t: Tok) => t.charCodeAt(0) === QUOTED;
/** The token's text (a quoted string without its quote). */
const str = (t: Tok) => (t.charCodeAt(0) === QUOTED ? t.slice(1) : t);

// Character codes the tokenizer splits on (a rule of a 1,000-rule transaction is tokenized once:
// comparing codes costs far less than a regular expression per character).
const SPACE = 32;
const QUOTE = QUOTED;
const isSpace = (c: number) => c === SPACE || (c >= 9 && c <= 13);
const isPunct = (c: number) => c === 123 /* { */ || c === 125 /* } */ || c === 44 /* , */;

/** Rule text with nothing but words and single spaces between them (the usual case) splits natively. */
const NOT_PLAIN = /["{},\t\n\v\f\r]/;

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  if (!NOT_PLAIN.test(text)) {
    const words = text.split(' ');
    return words.includes('') ? words.filter((w) => w !== '') : words;
  }
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) { i++; continue; }
    if (c === QUOTE) {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new RangeError(`rule: unterminated string at ${JSON.stringify(text.slice(i))}`);
      out.push(text.slice(i, end)); // with its opening quote
      i = end + 1;
      continue;
    }
    if (isPunct(c)) { out.push(text[i]); i++; continue; }
    let j = i + 1;
    for (; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (isSpace(d) || isPunct(d) || d === QUOTE) break;
    }
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}

/** The fields by their first word, each with its words, longest first (no strings built to look one up). */
const FIELDS_BY_FIRST = new Map<string, Array<{ field: Field; words: string[] }>>();
for (const field of FIELDS) {
  const words = field.split(' ');
  const list = FIELDS_BY_FIRST.get(words[0]) ?? [];
  list.push({ field, words });
  list.sort((a, b) => b.words.length - a.words.length);
  FIELDS_BY_FIRST.set(words[0], list);
}
/** Words in each field's name. */
const FIELD_WORDS = new Map<string, number>(FIELDS.map((f) => [f, f.split(' ').length]));

/** The field of one to three words starting at toks[i], longest first. */
function fieldOf(toks: Tok[], i: number): Field | undefined {
  const candidates = FIELDS_BY_FIRST.get(str(toks[i]));
  if (candidates === undefined) return undefined;
  for (let c = 0; c < candidates.length; c++) {
    const { field, words } = candidates[c];
    if (i + words.length > toks.length) continue;
    let k = 1;
    while (k < words.length && str(toks[i + k]) === words[k]) k++;
    if (k === words.length) return field;
  }
  return undefined;
}

const unknown = (tok: string | undefined, where: string): RangeError =>
  new RangeError(tok === undefined ? `rule: ${where}: unexpected end of rule` : `rule: unsupported token ${JSON.stringify(tok)} ${where}`);

/** The number of the decimal digits s[from, to), or -1 if there are none or others. */
function digits(s: string, from: number, to: number): number {
  if (from >= to) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return to - from > 15 ? Number(s.slice(from, to)) : n; // past 2^53 as Number() rounds it
}

function parsePorts(field: string, s: string): [number, number] {
  // "P" or "P-Q", by character codes (a port of each of 1,000 rules, no regular expression each).
  const dash = s.indexOf('-');
  const a = digits(s, 0, dash < 0 ? s.length : dash);
  const b = dash < 0 ? a : digits(s, dash + 1, s.length);
  if (a < 0 || b < 0) throw new RangeError(`${field}: ${JSON.stringify(s)} is not a port or port range`);
  const out = a < 1 || a > 65535 ? a : b < 1 || b > 65535 ? b : undefined;
  if (out !== undefined) throw new RangeError(`${field}: port ${out} is out of range (1–65535)`);
  if (b < a) throw new RangeError(`${field}: range ${s} runs backwards`);
  return [a, b];
}

/** One scalar of a field's value: an address, prefix, number, range or name. */
export function parseScalar(field: Field, s: string): Scalar {
  const dash = s.indexOf('-');
  if (field.startsWith('ip')) {
    if (dash > 0) return { kind: 'range', from: parseAddress(field, s.slice(0, dash)).address, to: parseAddress(field, s.slice(dash + 1)).address };
    if (s.includes('/')) {
      const c = parseCidr(field, s);
      return { kind: 'prefix', address: c.address, length: c.prefixLength };
    }
    const a = parseAddress(field, s);
    if ((a.family === 4) !== field.startsWith('ip ')) throw new RangeError(`${field}: ${s} is an IPv${a.family} address`);
    return { kind: 'single', value: a.address };
  }
  if (portProto(field)) {
    const [a, b] = parsePorts(field, s);
    return a === b ? { kind: 'single', value: a } : { kind: 'range', from: a, to: b };
  }
  if (field === 'meta l4proto') {
    if (s in L4PROTOS) return { kind: 'single', value: s };
    if (/^\d+$/.test(s) && Number(s) < 256) return { kind: 'single', value: Number(s) };
    throw new RangeError(`meta l4proto: ${JSON.stringify(s)} is not a protocol name or number`);
  }
  if (field === 'ct mark' || field === 'meta mark') return { kind: 'single', value: parseMark(field, s) };
  if (field === 'iif' || field === 'oif') {
    if (Buffer.byteLength(s) > 15 || s === '' || /[/:\s*]/.test(s)) throw new RangeError(`${field}: ${JSON.stringify(s)} is not an interface name`);
    return { kind: 'single', value: s };
  }
  if (field === 'iifname' || field === 'oifname') {
    if (Buffer.byteLength(s) > 16 || s === '' || s === '*') throw new RangeError(`${field}: ${JSON.stringify(s)} is not an interface name (optionally ending in *)`);
    return { kind: 'single', value: s };
  }
  if (field === 'fib daddr type') {
    if (!['local', 'unicast', 'broadcast', 'multicast'].includes(s)) throw new RangeError(`fib daddr type: ${JSON.stringify(s)} is not one of local, unicast, broadcast, multicast`);
    return { kind: 'single', value: s };
  }
  throw new RangeError(`${field}: unsupported value ${JSON.stringify(s)}`);
}

export function parseMark(field: string, s: string | number): number {
  const n = typeof s === 'number' ? s : /^(0x[0-9a-f]+|\d+)$/i.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${field}: ${JSON.stringify(s)} is not a mark (0–0xffffffff)`);
  return n;
}

export function parseRuleText(text: string): ParsedRule {
  if (typeof text !== 'string') throw new TypeError(`rule: expected nft rule text, got ${String(text)}`);
  const toks = tokenize(text);
  const items: Item[] = [];
  let comment: string | undefined;
  let i = 0;
  const peek = (k = 0) => { const t = toks[i + k]; return t === undefined ? undefined : str(t); };
  const next = (where: string): Tok => {
    const t = toks[i++];
    if (t === undefined) throw unknown(undefined, where);
    return t;
  };
  const value = (field: Field): Value => {
    const t = next(`after "${field}"`);
    if (!isQuoted(t) && str(t) === '{') {
      const elements: Scalar[] = [];
      for (;;) {
        const e = next(`in the set of "${field}"`);
        if (!isQuoted(e) && str(e) === '}') break;
        if (!isQuoted(e) && str(e) === ',') continue;
        elements.push(parseScalar(field, str(e)));
      }
      if (elements.length === 0) throw new RangeError(`${field}: an empty set`);
      return { kind: 'set', elements };
    }
    if (!isQuoted(t) && str(t).startsWith('@')) return { kind: 'named', name: str(t).slice(1) };
    if (field in FLAG_FIELDS) {
      const known = FLAG_FIELDS[field];
      const names = str(t).split(',').filter(Boolean);
      while (peek() === ',') { i++; names.push(...str(next(`in ${field}`)).split(',').filter(Boolean)); }
      for (const n of names) if (!(n in known)) throw new RangeError(`${field}: ${JSON.stringify(n)} is not one of ${Object.keys(known).join(', ')}`);
      return { kind: 'flags', names };
    }
    return parseScalar(field, str(t));
  };
  /** A field named at the cursor (one to three words), consumed; or undefined. */
  const fieldAt = (): Field | undefined => {
    const f = i < toks.length ? fieldOf(toks, i) : undefined;
    if (f) i += FIELD_WORDS.get(f)!;
    return f;
  };
  /** "@name" or "{ key : data, … }" after "map"/"vmap". */
  const mapValue = (field: Field, verdicts: boolean): MapValue => {
    const t = next(`after "${verdicts ? 'vmap' : 'map'}"`);
    if (!isQuoted(t) && str(t).startsWith('@')) return { kind: 'named', name: str(t).slice(1) };
    if (isQuoted(t) || str(t) !== '{') throw unknown(str(t), 'where a map ("@name" or "{ key : value }") was expected');
    const entries: Array<[Scalar, string]> = [];
    for (;;) {
      const k = next('in a map');
      if (!isQuoted(k) && str(k) === '}') break;
      if (!isQuoted(k) && str(k) === ',') continue;
      if (str(next('in a map')) !== ':') throw unknown(str(toks[i - 1]), 'in a map (expected ":")');
      const v = str(next('in a map'));
      if (verdicts) {
        if (!['accept', 'drop', 'return', 'continue', 'jump', 'goto'].includes(v)) throw unknown(v, 'where a verdict was expected');
        entries.push([parseScalar(field, str(k)), v === 'jump' || v === 'goto' ? `${v} ${str(next(`after "${v}"`))}` : v]);
      } else {
        entries.push([parseScalar(field, str(k)), parseAddress('map value', v).address]);
      }
    }
    return { kind: 'map', entries };
  };
  const ports = (what: string): [number, number] | undefined => {
    if (peek() !== 'to') return undefined;
    i++;
    const p = str(next(`after "${what} to"`));
    if (!p.startsWith(':')) throw new RangeError(`${what}: expected "to :PORT[-PORT]", got ${JSON.stringify(p)}`);
    return parsePorts(what, p.slice(1));
  };
  while (i < toks.length) {
    const t = next('');
    if (isQuoted(t)) throw unknown(`"${str(t)}"`, 'where a match or statement was expected');
    const field = fieldOf(toks, i - 1);
    if (field !== undefined || t === 'mark') {
      const f = (field ?? 'meta mark') as Field;
      if (field) i += FIELD_WORDS.get(field)! - 1; // the field's other words
      if (f === 'meta mark' && peek() === 'set') {
        i++;
        items.push({ t: 'set', key: 'meta mark', value: parseMark('meta mark set', str(next('after "meta mark set"'))) });
        continue;
      }
      if (f === 'ct mark' && peek() === 'set') {
        i++;
        items.push({ t: 'set', key: 'ct mark', value: parseMark('ct mark set', str(next('after "ct mark set"'))) });
        continue;
      }
      if (peek() === '.') {
        // A concatenation: FIELD . FIELD … then "@set" or "{ a . b, … }".
        const fields: Field[] = [f];
        while (peek() === '.') {
          i++;
          const g = fieldAt();
          if (!g) throw unknown(peek(), 'after "." (expected a field)');
          fields.push(g);
        }
        let cop: 'eq' | 'neq' = 'eq';
        if (peek() === '!=') { i++; cop = 'neq'; }
        const t2 = next('after a concatenation');
        if (!isQuoted(t2) && str(t2).startsWith('@')) {
          items.push({ t: 'concat', fields, op: cop, value: { kind: 'named', name: str(t2).slice(1) } });
          continue;
        }
        if (isQuoted(t2) || str(t2) !== '{') throw unknown(str(t2), 'after a concatenation (expected "@set" or "{")');
        const elements: Array<Array<string | number>> = [];
        let tuple: Array<string | number> = [];
        for (;;) {
          const e = next('in a set of tuples');
          if (!isQuoted(e) && (str(e) === '}' || str(e) === ',')) {
            if (tuple.length) {
              if (tuple.length !== fields.length) throw new RangeError(`rule: tuple ${tuple.join(' . ')} has ${tuple.length} parts, the concatenation ${fields.length}`);
              elements.push(tuple);
            }
            tuple = [];
            if (str(e) === '}') break;
            continue;
          }
          if (!isQuoted(e) && str(e) === '.') continue;
          const sc = parseScalar(fields[tuple.length] ?? fields[0], str(e));
          if (sc.kind !== 'single') throw new RangeError(`rule: ${str(e)}: ranges and prefixes in concatenations are not supported`);
          tuple.push(sc.value);
        }
        items.push({ t: 'concat', fields, op: cop, value: { kind: 'tuples', elements } });
        continue;
      }
      if (peek() === 'vmap') {
        i++;
        items.push({ t: 'vmap', field: f, value: mapValue(f, true) });
        continue;
      }
      let mask: number | undefined;
      if (peek() === '&' && (f === 'meta mark' || f === 'ct mark')) {
        i++;
        mask = parseMark(`${f} &`, str(next(`after "${f} &"`)));
      }
      let op: 'eq' | 'neq' = 'eq';
      if (peek() === '!=') { i++; op = 'neq'; } else if (peek() === '==') i++;
      items.push(mask === undefined ? { t: 'match', field: f, op, value: value(f) } : { t: 'match', field: f, op, value: value(f), mask });
      continue;
    }
    switch (t) {
      case 'counter': {
        const c: Item = { t: 'counter' };
        if (peek() === 'packets') { i++; c.packets = BigInt(str(next('after "packets"'))); }
        if (peek() === 'bytes') { i++; c.bytes = BigInt(str(next('after "bytes"'))); }
        items.push(c);
        break;
      }
      case 'accept': case 'drop': case 'return': case 'continue':
        items.push({ t: 'verdict', verdict: t });
        break;
      case 'jump': case 'goto':
        items.push({ t: 'verdict', verdict: t, chain: str(next(`after "${t}"`)) });
        break;
      case 'dnat': case 'snat': {
        if (peek() === 'ip' || peek() === 'ip6') i++;
        if (str(next(`after "${t}"`)) !== 'to') throw unknown(str(toks[i - 1]), `after "${t}" (expected "to")`);
        const mapField = fieldAt();
        if (mapField) {
          if (str(next(`after "${t} to ${mapField}"`)) !== 'map') throw unknown(str(toks[i - 1]), `after "${t} to ${mapField}" (expected "map")`);
          items.push({ t: 'nat', type: t, map: { field: mapField, value: mapValue(mapField, false) } });
          break;
        }
        const target = str(next(`after "${t} to"`));
        const m = /^([^:]*?)(?::(\d+(?:-\d+)?))?$/.exec(target.startsWith('[') ? target.replace(/^\[(.*)\](.*)$/, '$1$2') : target)!;
        const nat: Item = { t: 'nat', type: t };
        const [from, to] = m[1].split('-');
        if (from) nat.address = parseAddress(`${t} to`, from).address;
        if (to) nat.addressEnd = parseAddress(`${t} to`, to).address;
        if (m[2]) nat.ports = parsePorts(`${t} to`, m[2]);
        if (!nat.address && !nat.ports) throw new RangeError(`${t}: ${JSON.stringify(target)} names no address or port`);
        items.push(nat);
        break;
      }
      case 'masquerade':
        items.push({ t: 'masquerade', ports: ports('masquerade') });
        break;
      case 'redirect': {
        const p = ports('redirect');
        items.push(p ? { t: 'redirect', ports: p } : { t: 'redirect' });
        break;
      }
      case 'log': {
        const l: Item = { t: 'log' };
        if (peek() === 'prefix') { i++; l.prefix = str(next('after "log prefix"')); }
        items.push(l);
        break;
      }
      case 'reject':
        items.push({ t: 'reject' });
        break;
      case 'limit': {
        if (str(next('after "limit"')) !== 'rate') throw unknown(str(toks[i - 1]), 'after "limit" (expected "rate")');
        const m = /^(\d+)\/(second|minute|hour|day|week)$/.exec(str(next('after "limit rate"')));
        if (!m) throw new RangeError(`limit: ${JSON.stringify(str(toks[i - 1]))} is not a rate like 10/second`);
        const lim: Item = { t: 'limit', rate: Number(m[1]), per: m[2] as keyof typeof LIMIT_UNITS };
        if (peek() === 'burst') {
          i++;
          lim.burst = Number(str(next('after "burst"')));
          if (!Number.isInteger(lim.burst) || lim.burst < 0) throw new RangeError(`limit: burst ${str(toks[i - 1])} is not a count`);
          if (peek() === 'packets') i++;
        }
        items.push(lim);
        break;
      }
      case 'notrack':
        items.push({ t: 'notrack' });
        break;
      case 'comment':
        comment = str(next('after "comment"'));
        break;
      default:
        throw unknown(t, `at position ${i} of ${JSON.stringify(text)}`);
    }
  }
  for (const it of items) if (it.t === 'masquerade' && it.ports === undefined) delete it.ports;
  return { items, comment };
}

function formatScalar(s: Scalar): string {
  if (s.kind === 'single') return String(s.value);
  if (s.kind === 'prefix') return `${s.address}/${s.length}`;
  return `${s.from}-${s.to}`;
}

const hexMark = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

function formatValue(field: Field, v: Value): string {
  if (v.kind === 'named') return `@${v.name}`;
  if (v.kind === 'flags') return [...v.names].sort((a, b) => FLAG_FIELDS[field][a] - FLAG_FIELDS[field][b]).join(',');
  // A set's elements print as the same value alone would ("a" quoted, marks in hex).
  if (v.kind === 'set') return `{ ${v.elements.map((e) => (e.kind === 'single' ? formatValue(field, e) : formatScalar(e))).join(', ')} }`;
  if ((field === 'ct mark' || field === 'meta mark') && v.kind === 'single') return hexMark(v.value as number);
  if ((field === 'iifname' || field === 'oifname' || field === 'iif' || field === 'oif') && v.kind === 'single') return `"${v.value}"`;
  return formatScalar(v);
}

function formatMap(field: Field, v: MapValue): string {
  if (v.kind === 'named') return `@${v.name}`;
  return `{ ${v.entries.map(([k, d]) => `${formatScalar(k)} : ${d}`).join(', ')} }`;
}

const ports = (p: [number, number]) => (p[0] === p[1] ? `${p[0]}` : `${p[0]}-${p[1]}`);

/** nft's canonical listing of a rule (as `nft list` prints it, without the handle). */
export function formatRule(rule: ParsedRule): string {
  const parts: string[] = [];
  for (const it of rule.items) {
    switch (it.t) {
      case 'match':
        if (it.implied) break;
        if (it.mask !== undefined) parts.push(`${it.field} & ${hexMark(it.mask)} ${it.op === 'neq' ? '!=' : '=='} ${formatValue(it.field, it.value)}`);
        else parts.push(`${it.field}${it.op === 'neq' ? ' !=' : ''} ${formatValue(it.field, it.value)}`);
        break;
      case 'xt': parts.push(it.text); break;
      case 'counter': parts.push(`counter packets ${it.packets ?? 0n} bytes ${it.bytes ?? 0n}`); break;
      case 'verdict': parts.push(it.chain ? `${it.verdict} ${it.chain}` : it.verdict); break;
      case 'nat':
        if (it.map) parts.push(`${it.type} to ${it.map.field} map ${formatMap(it.map.field, it.map.value)}`);
        else parts.push(`${it.type} to ${it.address ?? ''}${it.addressEnd ? `-${it.addressEnd}` : ''}${it.ports ? `:${ports(it.ports)}` : ''}`);
        break;
      case 'vmap': parts.push(`${it.field} vmap ${formatMap(it.field, it.value)}`); break;
      case 'concat':
        parts.push(`${it.fields.join(' . ')}${it.op === 'neq' ? ' !=' : ''} ${it.value.kind === 'named' ? `@${it.value.name}` : `{ ${it.value.elements.map((e) => e.join(' . ')).join(', ')} }`}`);
        break;
      // nft leaves out the default burst (5 packets).
      case 'limit': parts.push(`limit rate ${it.rate}/${it.per}${it.burst !== undefined && it.burst !== 5 ? ` burst ${it.burst} packets` : ''}`); break;
      case 'masquerade': parts.push(it.ports ? `masquerade to :${ports(it.ports)}` : 'masquerade'); break;
      case 'redirect': parts.push(it.ports ? `redirect to :${ports(it.ports)}` : 'redirect'); break;
      case 'log': parts.push(it.prefix !== undefined ? `log prefix "${it.prefix}"` : 'log'); break;
      case 'reject': parts.push('reject'); break;
      case 'notrack': parts.push('notrack'); break;
      case 'set': parts.push(`${it.key} set ${hexMark(it.value)}`); break;
    }
  }
  if (rule.comment !== undefined) parts.push(`comment "${rule.comment}"`);
  return parts.join(' ');
}
