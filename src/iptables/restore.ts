// ns.iptables.restore: iptables-restore's input (`*table`, `:CHAIN POLICY [p:b]`, -A/-I/-D/-F/-N/-X/-P
// lines, COMMIT, comments) applied as ONE nf_tables transaction, every table of the input in it:
// all or nothing, a refusal naming its line as iptables-restore does ("line 12 failed").
//
// Nothing is read to apply what needs no reading: a declared chain is "add chain" (made if
// missing) then "flush chain", a built-in chain "add chain" with its hook, a rule one NEWRULE;
// the kernel refuses what does not exist, and its refusal is mapped back to the line. Only a
// chain that -D or -I N address by position is read (that chain alone, once).
//
// Sized for kube-proxy (100,000 rules in one input): a line stays the input's string until it is
// planned, and a rule is kept only as its message; nothing per line outlives the plan but that.
import { errnoName, NetlinkError } from '../errors';
import type { Transport, WireMessage } from '../kernel/transport';
import type { Nftables, NftTransaction } from '../nft/nftables';
import type { NftChainCounters } from '../nft/types';
import { checkBoolean, checkKeys, checkObject, checkString, checkU64, rangeError } from '../validate';
import { splitArgs } from './argv';
import { setIndexes } from './decode';
import { decodeRule, encodeRule } from './encode';
import { ipsetIndexes, ipsetNames } from './ipset';
import { NFT_MSG } from '../nft/constants';
import { nftMessage } from '../nft/messages';
import { BUILTIN, checkChainName, checkPolicy, checkRulePlace, compatRuleMessage, type RulePosition } from './tables';
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

/** A table's part of the input: its `*table` line and the lines up to its COMMIT (indexes into the input's lines). */
interface TablePart { table: string; at: number; end: number }

/** What the plan sends, in order: a rule's message, or a step that records its own (null: a rule a later -D removed). */
type Op = WireMessage | ((tx: NftTransaction) => void) | null;

/** A rule of a chain addressed by position: in the kernel (its handle) or added by this input (its op's index). */
type Entry = { handle: number; line: string } | { op: number; line: string };

/** iptables' tables. */
const tables = () => Object.keys(BUILTIN);

function lineError(line: number, text: string, err: unknown): IptablesRestoreError {
  if (err instanceof NetlinkError) {
    // The kernel's refusal (or ours, as iptables words it): errno and the kernel's text kept, the
    // line named; what else the message said, without what the new one says anyway (the errno,
    // the kernel's text, the transaction's label of the refused message: the line again).
    const code = `${err.operation}: ${err.code} (${errnoName(err.errno).text})`;
    let why = err.message.startsWith(code) ? err.message.slice(code.length) : `: ${err.message}`;
    if (err.kernelMessage) why = why.replace(`: kernel: ${err.kernelMessage}`, '');
    why = why.replace(/: refused: line \d+: .*$/, '').replace(/^: /, '');
    return Object.assign(new NetlinkError('iptables.restore', err.errno, { kernelMessage: err.kernelMessage, detail: `line ${line} failed: ${text}${why ? ` (${why})` : ''}` }), { line });
  }
  const why = err instanceof Error ? err.message.replace(/^iptables: /, '') : String(err);
  return Object.assign(new RangeError(`iptables.restore: line ${line} failed: ${text ? `${text}: ` : ''}${why}`), { line });
}

/** A `[packets:bytes]` count: 64 bits at most, as the kernel keeps it. */
const u64 = (field: string, digits: string) => checkU64(field, BigInt(digits));

const skip = (l: string) => l === '' || l.startsWith('#');

/** The input's tables, checked for iptables-restore's framing (`*table` … COMMIT); only `only`'s when given. */
function frame(lines: string[], only: string | undefined): TablePart[] {
  const parts: TablePart[] = [];
  let current: TablePart | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (skip(l)) continue;
    const fail = (why: string) => lineError(i + 1, l, new RangeError(why));
    if (l.startsWith('*')) {
      if (current) throw fail(`COMMIT expected before table ${l}`);
      const table = l.slice(1).trim();
      if (!tables().includes(table)) throw fail(`table name ${JSON.stringify(table)} is not one of ${tables().join(', ')}`);
      current = { table, at: i, end: i };
    } else if (!current) {
      throw fail('expected a *table line first');
    } else if (l === 'COMMIT') {
      current.end = i;
      if (only === undefined || current.table === only) parts.push(current);
      current = undefined;
    }
  }
  if (current) throw lineError(lines.length, '', new RangeError(`COMMIT expected: table ${current.table} (line ${current.at + 1}) is not committed`));
  return parts;
}

/** The chains whose rules -D or -I N (N > 1) address by position. */
function addressedChains(lines: string[], parts: TablePart[]): Array<{ table: string; chain: string }> {
  const out = new Map<string, { table: string; chain: string }>();
  for (const p of parts) {
    for (let i = p.at + 1; i < p.end; i++) {
      const m = /^(?:\[\d+:\d+\]\s+)?(-D|--delete|-I|--insert)\s+([^\s-]\S*)(?:\s+(\d+))?/.exec(lines[i]);
      if (m && (m[1].endsWith('D') || m[1] === '--delete' || Number(m[3] ?? 1) > 1)) out.set(`${p.table} ${m[2]}`, { table: p.table, chain: m[2] });
    }
  }
  return [...out.values()];
}

export async function restoreIptables(nft: Nftables, family: 'ip' | 'ip6', text: string, options: IptablesRestoreOptions = {}, t?: Transport): Promise<void> {
  checkString('text', text);
  checkKeys('options', checkObject('options', options), ['noflush', 'table', 'counters']);
  const noflush = options.noflush === undefined ? false : checkBoolean('noflush', options.noflush);
  const counters = options.counters === undefined ? false : checkBoolean('counters', options.counters);
  if (options.table !== undefined && !tables().includes(checkString('table', options.table))) throw rangeError('table', options.table, `is not one of ${tables().join(', ')}`);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) lines[i] = lines[i].trim();
  const parts = frame(lines, options.table);

  // Chains addressed by position start as the kernel has them (read now, each once), or empty in
  // a table this input replaces; a chain that does not exist reads as empty.
  // -m set names the kernel's ipsets by index: each set the input names is looked up once.
  const sets = await ipsetIndexes(t, lines.flatMap((l) => [...l.matchAll(/--match-set\s+"?([^\s"]+)/g)].map((m) => m[1])));
  const known = new Map<string, Entry[]>();
  await Promise.all(addressedChains(lines, parts).map(async ({ table, chain }) => {
    const raws = noflush ? await nft.rawRules(family, table, chain, 'iptables.restore').catch((err) => {
      if (err instanceof NetlinkError && err.errno === 2) return [];
      throw err;
    }) : [];
    const names = await ipsetNames(t, raws.flatMap((r) => setIndexes(r.exprs)));
    known.set(`${table} ${chain}`, raws.map((r) => {
      const rule = decodeRule(r.exprs, family, names);
      return { handle: r.handle, line: rule ? formatRule(rule) : '' };
    }));
  }));

  const plan = new Plan(family, lines, noflush, counters, known, sets);
  for (const part of parts) plan.table(part);
  const { ops, lineOf } = plan;
  // Each message's op, for the line a refusal names: one label function for every message.
  const opOf: number[] = [];
  let failed: number | undefined;
  const label = (index: number) => {
    failed = lineOf[opOf[index]];
    return `line ${failed}: ${lines[failed - 1]}`;
  };
  try {
    await nft.transaction((tx) => {
      for (let k = 0; k < ops.length; k++) {
        const op = ops[k];
        if (op === null) continue;
        if (typeof op !== 'function') {
          tx.raw(label, op);
          opOf.push(k);
          continue;
        }
        const from = tx.messages.length;
        op(tx);
        for (let i = from; i < tx.messages.length; i++) { tx.labels[i] = label; opOf.push(k); }
      }
    });
  } catch (err) {
    if (failed !== undefined && err instanceof NetlinkError) throw lineError(failed, lines[failed - 1], err);
    throw err;
  }
}

/** The ops of the input's tables, in its order, and the line of each. */
class Plan {
  readonly ops: Op[] = [];
  readonly lineOf: number[] = [];
  /** The last NFTA_RULE_ID given: a rule another rule of the input is placed before gets one. */
  #ruleId = 0;

  constructor(
    readonly family: 'ip' | 'ip6',
    readonly lines: string[],
    readonly noflush: boolean,
    readonly counters: boolean,
    readonly known: Map<string, Entry[]>,
    readonly sets: ReadonlyMap<string, number>,
  ) {}

  #push(line: number, op: Op): number {
    this.ops.push(op);
    this.lineOf.push(line);
    return this.ops.length - 1;
  }

  /** The batch id of the rule op `op` adds (given it now if it has none), for a rule placed before it or its -D. */
  #idOf(op: number): number {
    const attrs = (this.ops[op] as WireMessage).attrs!;
    attrs.id ??= ++this.#ruleId;
    return attrs.id as number;
  }

  table(part: TablePart): void {
    const { family, noflush } = this;
    const table = part.table;
    const builtins = BUILTIN[table];
    const builtin = (chain: string) => builtins.find((b) => b.chain === chain);
    const ensured = new Set<string>(); // built-in chains this input has made sure of
    // "add" leaves an existing chain (its rules; its policy and counters unless given) as it is.
    // A policy is set with the chain's counters, as iptables-nft sets them: `:CHAIN POLICY [p:b]`'s
    // with counters, else zero (and -P zeroes them too).
    const baseChain = (chain: string, set?: { policy: 'accept' | 'drop'; counters: NftChainCounters }) => (tx: NftTransaction) => {
      const b = builtin(chain)!;
      tx.addChain({ family, table, name: chain, type: b.type ?? 'filter', hook: b.hook, priority: b.priority, ...set });
    };
    const zero: NftChainCounters = { packets: 0n, bytes: 0n };
    const model = (chain: string) => this.known.get(`${table} ${chain}`);
    const empty = (chain: string) => { if (this.known.has(`${table} ${chain}`)) this.known.set(`${table} ${chain}`, []); };

    this.#push(part.at + 1, (tx) => {
      tx.addTable({ family, name: table });
      // Without --noflush the table is replaced: deleted (rules, chains and all) and made again.
      if (!noflush) tx.deleteTable({ family, name: table }).addTable({ family, name: table });
    });

    const addRule = (n: number, chain: string, rule: IptRule, ruleCounters: [bigint, bigint] | undefined, where: 'append' | 'insert', at?: RulePosition): number => {
      checkRulePlace(table, chain, rule);
      const encoded = encodeRule(rule, family, this.sets);
      if (ruleCounters) {
        // The shared zero counter replaced by this rule's own.
        const at = encoded.expressions.findIndex((e) => e.name === 'counter');
        if (at >= 0) encoded.expressions[at] = { name: 'counter', data: { packets: ruleCounters[0], bytes: ruleCounters[1] } };
      }
      // iptables-nft makes a built-in chain on first use.
      if (builtin(chain) !== undefined && !ensured.has(chain)) {
        ensured.add(chain);
        this.#push(n, baseChain(chain));
      }
      return this.#push(n, compatRuleMessage(family, table, chain, encoded.expressions, encoded.compat, where, at));
    };

    for (let i = part.at + 1; i < part.end; i++) {
      const text = this.lines[i];
      if (skip(text)) continue;
      const n = i + 1;
      try {
        if (text.startsWith(':')) {
          const m = /^:(\S+)\s+(\S+)(?:\s+\[(\d+):(\d+)\])?$/.exec(text);
          if (!m) throw new RangeError('a chain line is ":NAME POLICY [packets:bytes]"');
          const [, chain, policy, packets, bytes] = m;
          if (builtin(chain)) {
            if (policy !== 'ACCEPT' && policy !== 'DROP') throw new RangeError(`policy ${JSON.stringify(policy)} of built-in chain ${chain} is not ACCEPT or DROP`);
            ensured.add(chain);
            const counters = this.counters && packets !== undefined ? { packets: u64('packets', packets), bytes: u64('bytes', bytes) } : zero;
            this.#push(n, baseChain(chain, { policy: policy === 'ACCEPT' ? 'accept' : 'drop', counters }));
          } else {
            if (policy !== '-') throw new RangeError(`user chain ${chain}'s policy is "-", not ${JSON.stringify(policy)}`);
            checkChainName(chain);
            empty(chain);
            // Made if missing, emptied if not (a replaced table has nothing to empty).
            this.#push(n, (tx) => { tx.addChain({ family, table, name: chain }); if (noflush) tx.flushChain({ family, table, name: chain }); });
          }
          continue;
        }
        const c = /^\[(\d+):(\d+)\]\s+/.exec(text);
        const ruleCounters: [bigint, bigint] | undefined = c && this.counters ? [u64('packets', c[1]), u64('bytes', c[2])] : undefined;
        const [cmd, ...rest] = splitArgs(c ? text.slice(c[0].length) : text);
        const chain = rest[0] !== undefined && !rest[0].startsWith('-') ? rest.shift()! : undefined;
        if (chain === undefined && cmd !== '-F' && cmd !== '--flush') throw new RangeError(`${cmd} needs a chain`);
        const ch = chain!;
        switch (cmd) {
          case '-A': case '--append': {
            const rule = parseRuleArgs(rest);
            const op = addRule(n, ch, rule, ruleCounters, 'append');
            model(ch)?.push({ op, line: formatRule(rule) });
            break;
          }
          case '-I': case '--insert': {
            const at = rest[0] !== undefined && /^\d+$/.test(rest[0]) ? Number(rest.shift()) : 1;
            if (at < 1) throw new RangeError(`-I ${ch} ${at}: rule numbers start at 1`);
            const rule = parseRuleArgs(rest);
            const m = model(ch);
            if (at === 1 || !m) {
              const op = addRule(n, ch, rule, ruleCounters, 'insert');
              m?.unshift({ op, line: formatRule(rule) });
              break;
            }
            if (at > m.length + 1) throw new NetlinkError('iptables.restore', 7, { detail: `Index of insertion too big (${ch} has ${m.length} rules)` });
            // Before a rule the kernel holds (its handle) or one this input added (its batch id).
            const before = m[at - 1];
            const position = before === undefined ? undefined : 'handle' in before ? { handle: before.handle } : { id: this.#idOf(before.op) };
            const op = position ? addRule(n, ch, rule, ruleCounters, 'insert', position) : addRule(n, ch, rule, ruleCounters, 'append');
            m.splice(at - 1, 0, { op, line: formatRule(rule) });
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
            if ('handle' in gone) this.#push(n, (tx) => { tx.deleteRule({ family, table, chain: ch, handle: gone.handle }); });
            // Added by this input: never sent, unless a rule was placed before it; then deleted by its batch id.
            else if ((this.ops[gone.op] as WireMessage).attrs!.id === undefined) this.ops[gone.op] = null;
            else this.#push(n, nftMessage(NFT_MSG.DELRULE, family, { table, chain: ch, id: this.#idOf(gone.op) }));
            break;
          }
          case '-F': case '--flush':
            if (chain === undefined) {
              for (const key of this.known.keys()) if (key.startsWith(`${table} `)) this.known.set(key, []);
              this.#push(n, (tx) => { tx.flushTable({ family, name: table }); });
            } else {
              empty(ch);
              this.#push(n, (tx) => { tx.flushChain({ family, table, name: ch }); });
            }
            break;
          case '-N': case '--new-chain':
            checkChainName(ch);
            empty(ch);
            this.#push(n, (tx) => { tx.createChain({ family, table, name: ch }); });
            break;
          case '-X': case '--delete-chain':
            if (builtin(ch)) throw new RangeError(`-X ${ch}: a built-in chain cannot be deleted`);
            this.#push(n, (tx) => { tx.deleteChain({ family, table, name: ch }); });
            break;
          case '-P': case '--policy': {
            if (!builtin(ch)) throw new RangeError(`-P ${ch}: only built-in chains have a policy`);
            const policy = checkPolicy(table, ch, rest[0]);
            ensured.add(ch);
            this.#push(n, baseChain(ch, { policy: policy === 'ACCEPT' ? 'accept' : 'drop', counters: zero }));
            break;
          }
          default:
            throw new RangeError(`${JSON.stringify(cmd)} is not one of -A, -I, -D, -F, -N, -X, -P`);
        }
      } catch (err) {
        throw lineError(n, text, err);
      }
    }
  }
}
