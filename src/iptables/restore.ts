// ns.iptables.restore: iptables-restore's input (`*table`, `:CHAIN POLICY [p:b]`, -A/-I/-D/-F/-N/-X/-P
// lines, COMMIT, comments) applied as ONE nf_tables transaction, every table of the input in it:
// all or nothing, a refusal naming its line as iptables-restore does ("line 12 failed").
//
// Nothing is read to apply what needs no reading: a declared chain is "add chain" (made if
// missing) then "flush chain", a built-in chain "add chain" with its hook, a rule one NEWRULE;
// the kernel refuses what does not exist, and its refusal is mapped back to the line. Only a
// chain that -D or -I N address by position is read (that chain alone, once).
import { NetlinkError } from '../errors';
import type { Nftables, NftTransaction } from '../nft/nftables';
import { checkBoolean, checkKeys, checkObject, checkString, rangeError } from '../validate';
import { splitArgs } from './argv';
import { decodeRule, encodeRule } from './encode';
import { BUILTIN, checkChainName, compatRuleMessage, NO_IN, NO_OUT } from './iptables';
import { formatRule, type IptRule, parseRuleArgs } from './rule';

export interface IptablesRestoreOptions {
  /** Keep what the input does not name (iptables-restore --noflush): declared chains are made or emptied, nothing else is touched. */
  noflush?: boolean;
  /** Apply only this table's part of the input (iptables-restore -T). */
  table?: string;
  /** Set rule counters from `[packets:bytes]` prefixes (iptables-restore -c). */
  counters?: boolean;
}

/** A restore's failure: a NetlinkError (the kernel refused, or a -D found no such rule) or a RangeError (the input), with the line it names. */
export type IptablesRestoreError = (NetlinkError | RangeError) & { line: number };

/** One line's messages; `cancelled` drops a rule a later -D of the same input removed. */
interface Step { line: number; text: string; emit: (tx: NftTransaction) => void; cancelled?: boolean }

/** A rule of a chain addressed by position: in the kernel (its handle) or added by this input (its step). */
type Entry = { handle: number; line: string } | { step: Step; line: string };

interface Line {
  line: number;
  text: string;
  /** A `:CHAIN POLICY` declaration, or a command's arguments. */
  decl?: { chain: string; policy: string };
  args: string[];
  counters?: [bigint, bigint];
}

interface TablePart { table: string; line: number; text: string; lines: Line[] }

/** iptables' tables (read when called: this module and iptables.ts import each other). */
const tables = () => Object.keys(BUILTIN);

function lineError(line: number, text: string, err: unknown): IptablesRestoreError {
  if (err instanceof NetlinkError) {
    // The kernel's refusal (or ours, as iptables words it): errno and text kept, the line named.
    const why = err.message.slice(err.message.indexOf(': ') + 2);
    return Object.assign(new NetlinkError('iptables.restore', err.errno, { kernelMessage: err.kernelMessage, detail: `line ${line} failed: ${text} (${why})` }), { line });
  }
  const why = err instanceof Error ? err.message.replace(/^iptables: /, '') : String(err);
  return Object.assign(new RangeError(`iptables.restore: line ${line} failed: ${text ? `${text}: ` : ''}${why}`), { line });
}

/** The input split into its tables, checked for iptables-restore's framing; only `only`'s when given. */
function parse(text: string, only: string | undefined): TablePart[] {
  const parts: TablePart[] = [];
  let current: TablePart | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = lines[i].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const fail = (why: string) => lineError(n, raw, new RangeError(why));
    if (raw.startsWith('*')) {
      if (current) throw fail(`COMMIT expected before table ${raw}`);
      const table = raw.slice(1).trim();
      if (!tables().includes(table)) throw fail(`table name ${JSON.stringify(table)} is not one of ${tables().join(', ')}`);
      current = { table, line: n, text: raw, lines: [] };
    } else if (!current) {
      throw fail('expected a *table line first');
    } else if (raw === 'COMMIT') {
      if (only === undefined || current.table === only) parts.push(current);
      current = undefined;
    } else if (raw.startsWith(':')) {
      const m = /^:(\S+)\s+(\S+)(?:\s+\[\d+:\d+\])?$/.exec(raw);
      if (!m) throw fail('a chain line is ":NAME POLICY [packets:bytes]"');
      current.lines.push({ line: n, text: raw, decl: { chain: m[1], policy: m[2] }, args: [] });
    } else {
      const c = /^\[(\d+):(\d+)\]\s+/.exec(raw);
      let args: string[];
      try { args = splitArgs(c ? raw.slice(c[0].length) : raw); } catch (err) { throw lineError(n, raw, err); }
      current.lines.push({ line: n, text: raw, args, counters: c ? [BigInt(c[1]), BigInt(c[2])] : undefined });
    }
  }
  if (current) throw lineError(lines.length, '', new RangeError(`COMMIT expected: table ${current.table} (line ${current.line}) is not committed`));
  return parts;
}

const isDelete = (cmd: string | undefined) => cmd === '-D' || cmd === '--delete';
const isInsert = (cmd: string | undefined) => cmd === '-I' || cmd === '--insert';

/** The chains whose rules -D or -I N (N > 1) address by position. */
function addressedChains(parts: TablePart[]): Array<{ table: string; chain: string }> {
  const out = new Map<string, { table: string; chain: string }>();
  for (const p of parts) {
    for (const { args: [cmd, chain, num] } of p.lines) {
      if (chain === undefined || chain.startsWith('-')) continue;
      if (isDelete(cmd) || (isInsert(cmd) && /^\d+$/.test(num ?? '') && Number(num) > 1)) out.set(`${p.table} ${chain}`, { table: p.table, chain });
    }
  }
  return [...out.values()];
}

export async function restoreIptables(nft: Nftables, family: 'ip' | 'ip6', text: string, options: IptablesRestoreOptions = {}): Promise<void> {
  checkString('text', text);
  checkKeys('options', checkObject('options', options), ['noflush', 'table', 'counters']);
  const noflush = options.noflush === undefined ? false : checkBoolean('noflush', options.noflush);
  const counters = options.counters === undefined ? false : checkBoolean('counters', options.counters);
  if (options.table !== undefined && !tables().includes(checkString('table', options.table))) throw rangeError('table', options.table, `is not one of ${tables().join(', ')}`);
  const parts = parse(text, options.table);

  // Chains addressed by position start as the kernel has them (read now, each once), or empty in
  // a table this input replaces; a chain that does not exist reads as empty.
  const known = new Map<string, Entry[]>();
  await Promise.all(addressedChains(parts).map(async ({ table, chain }) => {
    const raws = noflush ? await nft.rawRules(family, table, chain, 'iptables.restore').catch((err) => {
      if (err instanceof NetlinkError && err.errno === 2) return [];
      throw err;
    }) : [];
    known.set(`${table} ${chain}`, raws.map((r) => {
      const rule = decodeRule(r.exprs, family);
      return { handle: r.handle, line: rule ? formatRule(rule) : '' };
    }));
  }));

  const steps: Step[] = [];
  for (const part of parts) planTable(steps, family, part, noflush, counters, known);
  let failed: Step | undefined;
  try {
    await nft.transaction((tx) => {
      for (const step of steps) {
        if (step.cancelled) continue;
        const from = tx.messages.length;
        step.emit(tx);
        // A refusal asks for the refused message's label: that names the step, hence its line.
        for (let i = from; i < tx.messages.length; i++) {
          const own = tx.labels[i];
          tx.labels[i] = () => { failed = step; return `line ${step.line}: ${typeof own === 'string' ? own : own()}`; };
        }
      }
    });
  } catch (err) {
    if (failed && err instanceof NetlinkError) throw lineError(failed.line, failed.text, err);
    throw err;
  }
}

/** The steps of one table's part of the input, in its order. */
function planTable(steps: Step[], family: 'ip' | 'ip6', part: TablePart, noflush: boolean, counters: boolean, known: Map<string, Entry[]>): void {
  const { table } = part;
  const builtins = BUILTIN[table];
  const builtin = (chain: string) => builtins.find((b) => b.chain === chain);
  const ensured = new Set<string>(); // built-in chains this input has made sure of
  const baseChain = (tx: NftTransaction, chain: string, policy?: 'accept' | 'drop') => {
    const b = builtin(chain)!;
    // "add" leaves an existing chain (its rules; its policy unless one is given) as it is.
    tx.addChain({ family, table, name: chain, type: b.type ?? 'filter', hook: b.hook, priority: b.priority, ...(policy ? { policy } : {}) });
  };
  const model = (chain: string) => known.get(`${table} ${chain}`);
  const empty = (chain: string) => { if (known.has(`${table} ${chain}`)) known.set(`${table} ${chain}`, []); };
  const push = (l: Line, emit: Step['emit']) => { const s: Step = { line: l.line, text: l.text, emit }; steps.push(s); return s; };

  push({ line: part.line, text: part.text, args: [] }, (tx) => {
    tx.addTable({ family, name: table });
    // Without --noflush the table is replaced: deleted (rules, chains and all) and made again.
    if (!noflush) tx.deleteTable({ family, name: table }).addTable({ family, name: table });
  });

  const addRule = (l: Line, chain: string, rule: IptRule, where: 'append' | 'insert', handle?: number): Step => {
    if (rule.inInterface && NO_IN.includes(chain)) throw rangeError('-i', rule.inInterface, `can't be used with ${chain}`);
    if (rule.outInterface && NO_OUT.includes(chain)) throw rangeError('-o', rule.outInterface, `can't be used with ${chain}`);
    const encoded = encodeRule(rule, family);
    if (counters && l.counters) {
      const counter = encoded.expressions.find((e) => e.name === 'counter');
      if (counter) counter.data = { packets: l.counters[0], bytes: l.counters[1] };
    }
    const message = compatRuleMessage(family, table, chain, encoded.expressions, encoded.compat, where, handle);
    // iptables-nft makes a built-in chain on first use.
    const first = builtin(chain) !== undefined && !ensured.has(chain);
    if (first) ensured.add(chain);
    return push(l, (tx) => {
      if (first) baseChain(tx, chain);
      tx.raw(`${where} rule ${family} ${table} ${chain}`, message);
    });
  };

  for (const l of part.lines) {
    try {
      if (l.decl) {
        const { chain, policy } = l.decl;
        if (builtin(chain)) {
          if (policy !== 'ACCEPT' && policy !== 'DROP') throw new RangeError(`policy ${JSON.stringify(policy)} of built-in chain ${chain} is not ACCEPT or DROP`);
          ensured.add(chain);
          push(l, (tx) => baseChain(tx, chain, policy === 'ACCEPT' ? 'accept' : 'drop'));
        } else {
          if (policy !== '-') throw new RangeError(`user chain ${chain}'s policy is "-", not ${JSON.stringify(policy)}`);
          checkChainName(chain);
          empty(chain);
          // Made if missing, emptied if not (a replaced table has nothing to empty).
          push(l, (tx) => { tx.addChain({ family, table, name: chain }); if (noflush) tx.flushChain({ family, table, name: chain }); });
        }
        continue;
      }
      const [cmd, ...rest] = l.args;
      const chain = rest[0] !== undefined && !rest[0].startsWith('-') ? rest.shift()! : undefined;
      if (chain === undefined && cmd !== '-F' && cmd !== '--flush') throw new RangeError(`${cmd} needs a chain`);
      const ch = chain!;
      switch (cmd) {
        case '-A': case '--append': {
          const rule = parseRuleArgs(rest);
          const step = addRule(l, ch, rule, 'append');
          model(ch)?.push({ step, line: formatRule(rule) });
          break;
        }
        case '-I': case '--insert': {
          const n = rest[0] !== undefined && /^\d+$/.test(rest[0]) ? Number(rest.shift()) : 1;
          if (n < 1) throw new RangeError(`-I ${ch} ${n}: rule numbers start at 1`);
          const rule = parseRuleArgs(rest);
          const m = model(ch);
          if (n === 1 || !m) {
            const step = addRule(l, ch, rule, 'insert');
            m?.unshift({ step, line: formatRule(rule) });
            break;
          }
          if (n > m.length + 1) throw new NetlinkError('iptables.restore', 7, { detail: `Index of insertion too big (${ch} has ${m.length} rules)` });
          const before = m[n - 1];
          if (before && !('handle' in before)) throw new RangeError(`-I ${ch} ${n}: inserting before a rule this same input added is not supported`);
          const step = before ? addRule(l, ch, rule, 'insert', before.handle) : addRule(l, ch, rule, 'append');
          m.splice(n - 1, 0, { step, line: formatRule(rule) });
          break;
        }
        case '-D': case '--delete': {
          const m = model(ch)!;
          let at: number;
          if (rest.length === 1 && /^\d+$/.test(rest[0])) {
            at = Number(rest[0]) - 1;
            if (at < 0 || at >= m.length) throw new NetlinkError('iptables.restore', 2, { detail: `Index of deletion too big (${ch} has ${m.length} rules)` });
          } else {
            const line = formatRule(parseRuleArgs(rest));
            at = m.findIndex((e) => e.line === line);
            if (at < 0) throw new NetlinkError('iptables.restore', 2, { detail: 'Bad rule (does a matching rule exist in that chain?)' });
          }
          const [gone] = m.splice(at, 1);
          if ('step' in gone) gone.step.cancelled = true; // added by this input: never sent
          else push(l, (tx) => { tx.deleteRule({ family, table, chain: ch, handle: gone.handle }); });
          break;
        }
        case '-F': case '--flush':
          if (chain === undefined) {
            for (const key of known.keys()) if (key.startsWith(`${table} `)) known.set(key, []);
            push(l, (tx) => { tx.flushTable({ family, name: table }); });
          } else {
            empty(ch);
            push(l, (tx) => { tx.flushChain({ family, table, name: ch }); });
          }
          break;
        case '-N': case '--new-chain':
          checkChainName(ch);
          empty(ch);
          push(l, (tx) => { tx.createChain({ family, table, name: ch }); });
          break;
        case '-X': case '--delete-chain':
          if (builtin(ch)) throw new RangeError(`-X ${ch}: a built-in chain cannot be deleted`);
          push(l, (tx) => { tx.deleteChain({ family, table, name: ch }); });
          break;
        case '-P': case '--policy': {
          if (!builtin(ch)) throw new RangeError(`-P ${ch}: only built-in chains have a policy`);
          if (rest[0] !== 'ACCEPT' && rest[0] !== 'DROP') throw new RangeError(`-P ${ch}: policy ${JSON.stringify(rest[0])} is not ACCEPT or DROP`);
          const policy = rest[0] === 'ACCEPT' ? 'accept' : 'drop';
          ensured.add(ch);
          push(l, (tx) => baseChain(tx, ch, policy));
          break;
        }
        default:
          throw new RangeError(`${JSON.stringify(cmd)} is not one of -A, -I, -D, -F, -N, -X, -P`);
      }
    } catch (err) {
      throw lineError(l.line, l.text, err);
    }
  }
}
