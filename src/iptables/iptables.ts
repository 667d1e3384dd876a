// ns.iptables / ns.ip6tables: the rules iptables-nft keeps in nf_tables tables ip filter/nat/mangle/
// raw (and ip6 …), written and read exactly as iptables-nft does, over nfnetlink, with no process.
import { NetlinkError } from '../errors';
import type { NftChain, NftFamily, Nftables, NftTransaction } from '../nft/nftables';
import type { Expr } from '../nft/expressions';
import type { Transport } from '../kernel/transport';
import { checkString, rangeError } from '../validate';
import { splitArgs } from './argv';
import { decodeRule, encodeRule } from './encode';
import { setIndexes } from './decode';
import { ipsetIndexes, ipsetNames } from './ipset';
import { type IptablesRestoreOptions, restoreIptables } from './restore';
import { formatRule, type IptRule, parseRuleArgs } from './rule';
import { saveIptables } from './save';
import { BUILTIN, checkChainName, checkPolicy, checkRulePlace, compatRuleMessage } from './tables';

interface RuleEntry { chain: string; handle: number; rule: IptRule | undefined; line: string }

export class Iptables {
  readonly #nft: Nftables;
  readonly #family: NftFamily;
  /** For -m set: ipset names and indexes are asked of ip_set. */
  readonly #t: Transport | undefined;

  /** iptables-nft keeps its rules in nf_tables: this is a view over the namespace's ns.nft. */
  constructor(nft: Nftables, family: 'ip' | 'ip6', transport?: Transport) {
    this.#nft = nft;
    this.#family = family;
    this.#t = transport;
  }

  /**
   * iptables arguments, e.g. '-t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2:8080'.
   * Returns the lines iptables prints, as list() does: `-S`'s lines; none for the commands that print nothing.
   */
  async exec(command: string | string[]): Promise<string> {
    const args = typeof command === 'string' ? splitArgs(command) : [...command];
    let table = 'filter';
    const t = args.findIndex((a) => a === '-t' || a === '--table');
    if (t >= 0) { table = args[t + 1]; args.splice(t, 2); }
    const cmd = args.shift();
    const chain = args[0] !== undefined && !args[0].startsWith('-') ? args.shift() : undefined;
    const needChain = () => { if (!chain) throw rangeError('command', cmd, 'needs a chain'); return chain; };
    const numberArg = () => (args[0] !== undefined && /^\d+$/.test(args[0]) ? Number(args.shift()) : undefined);
    switch (cmd) {
      case '-A': case '--append': await this.append(table, needChain(), parseRuleArgs(args)); return '';
      case '-I': case '--insert': { const c = needChain(); const n = numberArg(); await this.insert(table, c, parseRuleArgs(args), n); return ''; }
      case '-D': case '--delete': { const c = needChain(); const n = numberArg(); await this.delete(table, c, n ?? parseRuleArgs(args)); return ''; }
      case '-C': case '--check':
        if (!(await this.check(table, needChain(), parseRuleArgs(args)))) throw new NetlinkError('iptables.check', 2, { detail: 'Bad rule (does a matching rule exist in that chain?)' });
        return '';
      case '-S': case '--list-rules': return (await this.list(table, chain)).map((l) => `${l}\n`).join('');
      case '-N': case '--new-chain': await this.newChain(table, needChain()); return '';
      case '-X': case '--delete-chain': await this.deleteChain(table, needChain()); return '';
      case '-F': case '--flush': await this.flush(table, chain); return '';
      case '-P': case '--policy': { const c = needChain(); await this.setPolicy(table, c, checkPolicy(table, c, args[0])); return ''; }
      default: throw rangeError('command', cmd, 'is not one of -A, -I, -D, -C, -S, -N, -X, -F, -P');
    }
  }

  async append(table: string, chain: string, rule: string | IptRule): Promise<void> {
    await this.#add(table, chain, rule, 'append');
  }

  /** Inserts at a 1-based position (default 1: the top). */
  async insert(table: string, chain: string, rule: string | IptRule, position = 1): Promise<void> {
    await this.#add(table, chain, rule, 'insert', position);
  }

  /** Deletes the first rule equal to the given one, or the rule at a 1-based position. */
  async delete(table: string, chain: string, rule: string | IptRule | number): Promise<void> {
    const entries = await this.#rules(table, chain);
    const target = typeof rule === 'number'
      ? entries[rule - 1]
      : entries.find((e) => e.line === formatRule(this.#rule(rule)));
    if (!target) throw new NetlinkError('iptables.delete', 2, { detail: typeof rule === 'number' ? `no rule ${rule} in ${table} ${chain}` : 'Bad rule (does a matching rule exist in that chain?)' });
    await this.#nft.transaction((tx) => { tx.deleteRule({ family: this.#family, table, chain, handle: target.handle }); });
  }

  async check(table: string, chain: string, rule: string | IptRule): Promise<boolean> {
    const line = formatRule(this.#rule(rule));
    return (await this.#rules(table, chain)).some((e) => e.line === line);
  }

  /** Lines exactly as `iptables-nft -S` prints them (for one chain when given). */
  async list(table: string, chain?: string): Promise<string[]> {
    const builtins = this.#builtins(table);
    const chains = await this.#chains(table);
    const users = chains.filter((c) => !c.hook).map((c) => c.name).sort(); // iptables lists user chains by name
    if (chain !== undefined && !builtins.some((b) => b.chain === chain) && !users.includes(chain)) {
      throw new NetlinkError('iptables.list', 2, { detail: `chain '${chain}' does not exist in table ${table}` });
    }
    const out: string[] = [];
    for (const b of builtins) {
      if (chain !== undefined && chain !== b.chain) continue;
      const c = chains.find((x) => x.name === b.chain);
      out.push(`-P ${b.chain} ${c?.policy === 'drop' ? 'DROP' : 'ACCEPT'}`);
    }
    for (const u of users) if (chain === undefined || chain === u) out.push(`-N ${u}`);
    const order = [...builtins.map((b) => b.chain), ...users].filter((c) => chain === undefined || c === chain);
    const exists = chain === undefined ? chains.length > 0 : chains.some((c) => c.name === chain);
    const rules = exists ? await this.#rules(table, chain) : [];
    for (const c of order) {
      for (const e of rules) if (e.chain === c) out.push(`-A ${c}${e.line ? ` ${e.line}` : ''}`);
    }
    return out;
  }

  async newChain(table: string, chain: string): Promise<void> {
    checkChainName(chain);
    if ((await this.#chains(table)).some((c) => c.name === chain)) throw new NetlinkError('iptables.newChain', 17, { detail: 'Chain already exists.' });
    await this.#nft.transaction((tx) => {
      tx.addTable({ family: this.#family, name: this.#checkTable(table) });
      tx.addChain({ family: this.#family, table, name: chain });
    });
  }

  async deleteChain(table: string, chain: string): Promise<void> {
    await this.#nft.transaction((tx) => { tx.deleteChain({ family: this.#family, table: this.#checkTable(table), name: chain }); });
  }

  async flush(table: string, chain?: string): Promise<void> {
    const exists = await this.#chains(table);
    if (exists.length === 0) return;
    if (chain !== undefined && !exists.some((c) => c.name === chain)) return;
    await this.#nft.transaction((tx) => {
      if (chain === undefined) tx.flushTable({ family: this.#family, name: table });
      else tx.flushChain({ family: this.#family, table, name: chain });
    });
  }

  async setPolicy(table: string, chain: string, policy: 'ACCEPT' | 'DROP'): Promise<void> {
    const b = this.#builtins(table).find((x) => x.chain === chain);
    if (!b) throw rangeError('chain', chain, `is not a built-in chain of table ${table} (only those have a policy)`);
    checkPolicy(table, chain, policy);
    await this.#nft.transaction((tx) => {
      tx.addTable({ family: this.#family, name: table });
      // iptables-nft -P zeroes the chain's own counters with it.
      tx.addChain({ family: this.#family, table, name: chain, type: b.type ?? 'filter', hook: b.hook, priority: b.priority, policy: policy === 'ACCEPT' ? 'accept' : 'drop', counters: { packets: 0n, bytes: 0n } });
    });
  }

  /**
   * Docker's advice as an API: a user chain, made if missing, consulted from `jumpFrom` (a rule
   * `-j chain` at the top or the bottom, added only when it is not there already).
   */
  async ensureChain(table: string, chain: string, options: { jumpFrom?: string; position?: 'first' | 'last' } = {}): Promise<void> {
    if (!(await this.#chains(table)).some((c) => c.name === chain)) await this.newChain(table, chain);
    if (options.jumpFrom === undefined) return;
    const jump: IptRule = { target: { name: 'jump', chain } };
    if (await this.check(table, options.jumpFrom, jump)) return;
    if ((options.position ?? 'first') === 'first') await this.insert(table, options.jumpFrom, jump, 1);
    else await this.append(table, options.jumpFrom, jump);
  }

  /**
   * iptables-restore: the input's tables applied in one nf_tables transaction (all or nothing).
   * A failure names the input's line (`line 12 failed`) and carries it as `line`.
   */
  async restore(text: string, options: IptablesRestoreOptions = {}): Promise<void> {
    await restoreIptables(this.#nft, this.#family === 'ip6' ? 'ip6' : 'ip', text, options, this.#t);
  }

  /** What iptables-nft-save prints (without its two comment lines): every iptables table there is, or the one named. */
  async save(table?: string, options: { counters?: boolean } = {}): Promise<string> {
    return saveIptables(this.#nft, this.#family === 'ip6' ? 'ip6' : 'ip', table, options, this.#t);
  }

  async #add(table: string, chain: string, input: string | IptRule, where: 'append' | 'insert', position?: number): Promise<void> {
    this.#checkTable(table);
    const rule = this.#rule(input);
    checkRulePlace(table, chain, rule);
    const sets = await ipsetIndexes(this.#t, (rule.matches ?? []).flatMap((m) => (m.name === 'set' ? [m.set] : [])));
    const encoded = encodeRule(rule, this.#family === 'ip6' ? 'ip6' : 'ip', sets);
    const chains = await this.#chains(table);
    const builtin = this.#builtins(table).find((b) => b.chain === chain);
    if (!builtin && !chains.some((c) => c.name === chain)) throw new NetlinkError('iptables.append', 2, { detail: `Chain '${chain}' does not exist` });
    const t = rule.target;
    if ((t?.name === 'jump' || t?.name === 'goto') && !chains.some((c) => c.name === t.chain && !c.hook)) {
      throw rangeError(t.name === 'jump' ? '-j' : '-g', t.chain, `is not a supported target nor a user chain of table ${table}`);
    }
    let handle: number | undefined;
    if (where === 'insert' && position !== undefined && position > 1) {
      const entries = await this.#rules(table, chain);
      if (position > entries.length + 1) throw rangeError('position', position, `is past the end of ${chain} (${entries.length} rules)`);
      handle = entries[position - 1]?.handle;
    }
    await this.#nft.transaction((tx) => {
      // iptables-nft makes the table and a built-in chain on first use.
      if (!chains.some((c) => c.name === chain)) {
        tx.addTable({ family: this.#family, name: table });
        tx.addChain({ family: this.#family, table, name: chain, type: builtin!.type ?? 'filter', hook: builtin!.hook, priority: builtin!.priority, policy: 'accept' });
      }
      addCompatRule(tx, this.#family, table, chain, encoded.expressions, encoded.compat, where, handle);
    });
  }

  /** A rule from arguments or an object, with the defaults iptables fills in by family (REJECT's answer, -m recent's mask). */
  #rule(input: string | IptRule): IptRule {
    const rule = typeof input === 'string' ? parseRuleArgs(splitArgs(input)) : { ...input }; // the caller's object stays as given
    if (rule.target?.name === 'REJECT' && !rule.target.with) {
      rule.target = { ...rule.target, with: this.#family === 'ip6' ? 'icmp6-port-unreachable' : 'icmp-port-unreachable' };
    }
    // -m recent's mask prints as the family's all-ones address when not given.
    if (this.#family === 'ip6') rule.matches = rule.matches?.map((m) => (m.name === 'recent' && m.mask === undefined ? { ...m, mask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' } : m));
    return rule;
  }

  #checkTable(table: string): string {
    checkString('table', table);
    if (!(table in BUILTIN)) throw rangeError('table', table, `is not one of ${Object.keys(BUILTIN).join(', ')}`);
    return table;
  }

  #builtins(table: string) {
    return BUILTIN[this.#checkTable(table)];
  }

  async #chains(table: string): Promise<NftChain[]> {
    return (await this.#nft.listChains({ family: this.#family, table })).filter((c) => c.table === table);
  }

  /** The rules of one chain, or of the whole table (one dump either way). */
  async #rules(table: string, chain?: string): Promise<RuleEntry[]> {
    const raw = await this.#nft.rawRules(this.#family, table, chain, 'iptables.list');
    const sets = await ipsetNames(this.#t, raw.flatMap((r) => setIndexes(r.exprs)));
    return raw.map((r) => {
      const rule = decodeRule(r.exprs, this.#family === 'ip6' ? 'ip6' : 'ip', sets);
      return { chain: r.chain, handle: r.handle, rule, line: rule ? formatRule(rule) : '(a rule iptables-nft did not write)' };
    });
  }
}

function addCompatRule(tx: NftTransaction, family: NftFamily, table: string, chain: string, exprs: Expr[], compat: { proto: number; flags: number }, where: 'append' | 'insert', handle?: number): void {
  tx.raw(`${where} rule ${family} ${table} ${chain} (iptables)`, compatRuleMessage(family, table, chain, exprs, compat, where, handle === undefined ? undefined : { handle }));
}
