// nft scripts (the subset `nft -f` users write for container networking) -> transaction calls:
//   table [FAMILY] NAME { chain NAME { type T hook H priority P; policy X; RULE… } set NAME { … } map NAME { … } }
//   add|create table|chain|rule|set|map|element …, insert rule …, delete table|chain|rule|element …,
//   flush table|chain …, flush ruleset
// Statements end at a newline or ';'. Anything else is a RangeError naming the token.
import { FAMILIES, type NftFamily } from './constants';
import type { NftTransaction } from './transaction';
import type { NftElement, NftSetKeyType } from './types';

type Tok = { s: string; quoted: boolean; line: number };

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let line = 1;
  for (let i = 0; i < text.length;) {
    const c = text[i];
    if (c === '\n') { out.push({ s: '\n', quoted: false, line }); line++; i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#') { while (i < text.length && text[i] !== '\n') i++; continue; }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new RangeError(`nft.apply: line ${line}: unterminated string`);
      out.push({ s: text.slice(i + 1, end), quoted: true, line });
      i = end + 1;
      continue;
    }
    if ('{};,'.includes(c)) { out.push({ s: c, quoted: false, line }); i++; continue; }
    let j = i;
    while (j < text.length && !/[\s{};,"#]/.test(text[j])) j++;
    out.push({ s: text.slice(i, j), quoted: false, line });
    i = j;
  }
  return out;
}

export interface ScriptContext {
  /** For "flush ruleset": the tables that exist now. */
  tables(): Promise<Array<{ family: NftFamily; name: string }>>;
}

export async function applyScript(tx: NftTransaction, text: string, ctx: ScriptContext): Promise<void> {
  if (typeof text !== 'string') throw new TypeError(`text: expected an nft script, got ${String(text)}`);
  const toks = tokenize(text);
  let i = 0;
  const peek = () => toks[i];
  const fail = (t: Tok | undefined, what: string): never => {
    throw new RangeError(t ? `nft.apply: line ${t.line}: unsupported token ${JSON.stringify(t.s)} (${what})` : `nft.apply: unexpected end of script (${what})`);
  };
  const word = (what: string): string => {
    const t = toks[i++];
    if (!t || (!t.quoted && '{};,=\n'.includes(t.s))) fail(t, `expected ${what}`);
    return t!.s;
  };
  const expect = (s: string) => {
    const t = toks[i++];
    if (!t || t.quoted || t.s !== s) fail(t, `expected "${s}"`);
  };
  const skipBreaks = () => { while (peek() && !peek().quoted && (peek().s === '\n' || peek().s === ';')) i++; };
  const family = (): NftFamily => {
    const t = peek();
    if (t && !t.quoted && t.s in FAMILIES) { i++; return t.s as NftFamily; }
    return 'ip'; // nft's default family
  };
  /** Tokens up to the end of the statement (newline, ';' or a closing brace at depth 0), as text. */
  const rest = (): string => {
    const parts: string[] = [];
    let depth = 0;
    while (peek()) {
      const t = peek();
      if (!t.quoted && depth === 0 && (t.s === '\n' || t.s === ';' || t.s === '}')) break;
      if (!t.quoted && t.s === '{') depth++;
      if (!t.quoted && t.s === '}') depth--;
      parts.push(t.quoted ? `"${t.s}"` : t.s);
      i++;
    }
    return parts.join(' ');
  };
  const elements = (): NftElement[] => {
    expect('{');
    const out: NftElement[] = [];
    for (;;) {
      skipBreaks();
      const t = toks[i++];
      if (!t) fail(t, 'in elements');
      if (!t!.quoted && t!.s === '}') break;
      if (!t!.quoted && t!.s === ',') continue;
      if (peek() && !peek().quoted && peek().s === ':') {
        i++;
        const v = [word('a map value')];
        if (v[0] === 'jump' || v[0] === 'goto') v.push(word('a chain'));
        out.push([t!.s, v.join(' ')]);
      } else {
        // A concatenation's element: "a . b".
        let el = t!.s;
        while (peek() && !peek().quoted && peek().s === '.') { i++; el += ` . ${word('a value')}`; }
        out.push(el);
      }
    }
    return out;
  };
  /** Parses a set/map body; returns what adds it (run after the table's chains exist). */
  const setBody = (fam: NftFamily, table: string, name: string, isMap: boolean): (() => void) => {
    expect('{');
    let type: string | undefined;
    let map: string | undefined;
    const flags: string[] = [];
    let timeout: number | undefined;
    let elems: NftElement[] | undefined;
    for (;;) {
      skipBreaks();
      const t = toks[i++];
      if (!t) fail(t, 'in a set');
      if (t!.s === '}') break;
      if (t!.s === 'type') {
        type = word('a key type');
        while (peek()?.s === '.') { i++; type += ` . ${word('a key type')}`; }
        if (isMap) { expect(':'); map = word('a data type'); }
      } else if (t!.s === 'flags') {
        flags.push(word('a flag'));
        while (peek()?.s === ',') { i++; flags.push(word('a flag')); }
      } else if (t!.s === 'timeout') {
        const m = /^(\d+)s$/.exec(word('a timeout like 30s'));
        if (!m) fail(toks[i - 1], 'timeout must be like 30s');
        timeout = Number(m![1]);
      } else if (t!.s === 'elements') {
        expect('=');
        elems = elements();
      } else fail(t, 'in a set (type, flags, timeout, elements)');
    }
    if (!type) throw new RangeError(`nft.apply: set ${name} has no type`);
    const spec = { family: fam, table, name, type: type as NftSetKeyType, flags: flags as Array<'interval'>, timeout };
    return () => {
      if (isMap) tx.addMap({ ...spec, map: map as 'verdict' }); else tx.addSet(spec);
      if (elems?.length) tx.addElements({ family: fam, table, name }, elems);
    };
  };
  /** Parses a chain body; returns what adds the chain, and what adds its rules. */
  const chainBody = (fam: NftFamily, table: string, name: string, add = (spec: Parameters<NftTransaction['addChain']>[0]) => tx.addChain(spec)): { chain: () => void; rules: () => void } => {
    expect('{');
    let spec: Parameters<NftTransaction['addChain']>[0] = { family: fam, table, name };
    const rules: string[] = [];
    for (;;) {
      skipBreaks();
      const t = peek();
      if (!t) fail(t, 'in a chain');
      if (!t.quoted && t.s === '}') { i++; break; }
      if (!t.quoted && t.s === 'type') {
        i++;
        const type = word('a chain type');
        expect('hook');
        const hook = word('a hook');
        let device: string | undefined;
        if (peek()?.s === 'device') { i++; device = word('a device'); }
        expect('priority');
        const p = word('a priority');
        const priority = /^-?\d+$/.test(p) ? Number(p) : p;
        spec = { ...spec, type: type as 'nat', hook, priority: priority as number, device };
      } else if (!t.quoted && t.s === 'policy') {
        i++;
        spec = { ...spec, policy: word('a policy') as 'accept' };
      } else {
        rules.push(rest());
      }
    }
    const chain = spec;
    return {
      chain: () => add(chain),
      rules: () => { for (const rule of rules) tx.addRule({ family: fam, table, chain: name, rule }); },
    };
  };
  /** As nft does: chains first, then sets and maps (which may jump to chains), then rules (which may use sets). */
  const tableBody = (fam: NftFamily, table: string) => {
    expect('{');
    const chains: Array<{ chain: () => void; rules: () => void }> = [];
    const sets: Array<() => void> = [];
    for (;;) {
      skipBreaks();
      const t = toks[i++];
      if (!t) fail(t, 'in a table');
      if (t!.s === '}') break;
      if (t!.s === 'chain') { const n = word('a chain name'); chains.push(chainBody(fam, table, n)); }
      else if (t!.s === 'set' || t!.s === 'map') { const n = word('a set name'); sets.push(setBody(fam, table, n, t!.s === 'map')); }
      else if (t!.s === 'flags') { word('a table flag'); }
      else fail(t, 'in a table (chain, set, map)');
    }
    for (const c of chains) c.chain();
    for (const add of sets) add();
    for (const c of chains) c.rules();
  };

  for (;;) {
    skipBreaks();
    const t = toks[i++];
    if (!t) break;
    const verb = t.s;
    if (verb === 'table') {
      const fam = family();
      const name = word('a table name');
      tx.addTable({ family: fam, name });
      tableBody(fam, name);
      continue;
    }
    const object = word('an object (table, chain, rule, set, map, element, ruleset)');
    if (verb === 'flush' && object === 'ruleset') {
      for (const tb of await ctx.tables()) tx.deleteTable(tb);
      continue;
    }
    const fam = family();
    switch (`${verb} ${object}`) {
      case 'add table': case 'create table': {
        const name = word('a table name');
        // As nft: create is refused (EEXIST) when the table exists, add is not.
        if (verb === 'create') tx.createTable({ family: fam, name }); else tx.addTable({ family: fam, name });
        if (peek()?.s === '{') tableBody(fam, name);
        break;
      }
      case 'delete table': tx.deleteTable({ family: fam, name: word('a table name') }); break;
      case 'flush table': tx.flushTable({ family: fam, name: word('a table name') }); break;
      case 'add chain': case 'create chain': {
        const table = word('a table name');
        const name = word('a chain name');
        const add = (spec: Parameters<NftTransaction['addChain']>[0]) => (verb === 'create' ? tx.createChain(spec) : tx.addChain(spec));
        if (peek()?.s === '{') {
          const c = chainBody(fam, table, name, add);
          c.chain();
          c.rules();
        } else add({ family: fam, table, name });
        break;
      }
      case 'delete chain': tx.deleteChain({ family: fam, table: word('a table name'), name: word('a chain name') }); break;
      case 'flush chain': tx.flushChain({ family: fam, table: word('a table name'), name: word('a chain name') }); break;
      case 'add rule': case 'insert rule': {
        const table = word('a table name');
        const chain = word('a chain name');
        let handle: number | undefined;
        if (peek()?.s === 'position' || peek()?.s === 'handle') { i++; handle = Number(word('a rule handle')); }
        const rule = rest();
        if (verb === 'add') tx.addRule({ family: fam, table, chain, rule, handle }); else tx.insertRule({ family: fam, table, chain, rule, handle });
        break;
      }
      case 'delete rule': {
        const table = word('a table name');
        const chain = word('a chain name');
        expect('handle');
        tx.deleteRule({ family: fam, table, chain, handle: Number(word('a rule handle')) });
        break;
      }
      case 'add set': case 'add map': {
        const table = word('a table name');
        setBody(fam, table, word('a set name'), object === 'map')();
        break;
      }
      case 'add element': case 'delete element': {
        const table = word('a table name');
        const name = word('a set name');
        const els = elements();
        // The set's types: from this script, else the kernel's (looked up when the batch is sent).
        const ref = { family: fam, table, name };
        if (verb === 'add') tx.addElements(ref, els); else tx.deleteElements(ref, els);
        break;
      }
      default:
        fail(t, `"${verb} ${object}" is not supported`);
    }
  }
}
