// ns.nft: nf_tables over nfnetlink. Every change is one atomic batch (a transaction, built by
// transaction.ts); reads dump the kernel's objects and decode rules into the same items as text and typed input.
import { NLM_F } from '../constants';
import { NetlinkError } from '../errors';
import { NETLINK_NETFILTER, type Transport, type WireMessage } from '../kernel/transport';
import type { LinkLookup } from '../link/ref';
import { type NftFamily, NFT_MSG } from './constants';
import { decodeChain, decodeRawElements, decodeRawRule, decodeSet, decodeTable, elementValues, type RawElement, type RawRule } from './decode';
import { decodeExpressions } from './expressions';
import type { ParsedRule } from './items';
import { batchBegin, batchEnd, getGen, nftMessage } from './messages';
import { applyScript } from './script';
import { formatRule } from './text';
import { ruleToTyped } from './typed';
import { checkFamily, NftTransaction } from './transaction';
import type { NftChain, NftElement, NftRule, NftSet, NftSetKeyType, NftTable } from './types';

export type * from './types';
export { NftTransaction };

export class Nftables {
  readonly #t: Transport;
  readonly #links: LinkLookup;

  constructor(transport: Transport, links: LinkLookup) {
    this.#t = transport;
    this.#links = links;
  }

  /**
   * One atomic batch: everything build() records applies, or nothing does. A refusal names the
   * operation the kernel refused and carries its extended-ACK text. With `generation`, the batch
   * is refused (ERESTART) if the ruleset changed since that generation was read.
   */
  async transaction(build: (tx: NftTransaction) => void | Promise<void>, options: { generation?: number } = {}): Promise<void> {
    const tx = new NftTransaction();
    const built = build(tx);
    if (built !== undefined) await built; // a synchronous build costs no turn
    if (tx.lookups.length) {
      const sets = new Map<string, Promise<NftSet[]>>();
      await tx.resolveSets(async (ref) => {
        const key = `${ref.family} ${ref.table}`;
        if (!sets.has(key)) sets.set(key, this.listSets({ family: ref.family, table: ref.table }).catch((err) => { throw operationOf(err, 'nft.transaction'); }));
        const s = (await sets.get(key)!).find((x) => x.name === ref.name);
        return s && { type: s.type as NftSetKeyType, map: s.map, interval: s.flags.includes('interval') };
      });
    }
    if (tx.messages.length === 0) return;
    // iif/oif match interface indexes: resolved here, in this namespace, as nft resolves them.
    for (const { name, slot } of tx.ifindexes) slot.writeUInt32LE(await this.#links.index(name, 'nft.transaction', 'iif/oif'));
    await this.#t.batch(NETLINK_NETFILTER, [batchBegin(options.generation), ...tx.messages, batchEnd()], getGen(), 'nft.transaction', ({ index, errno }) => {
      if (errno === 85 && options.generation !== undefined) return `the ruleset changed since generation ${options.generation}`;
      return index !== undefined && index >= 1 && index <= tx.labels.length ? `refused: ${tx.label(index - 1)}` : undefined;
    });
  }

  /** nft syntax for the supported subset, applied as one atomic batch. */
  async apply(text: string): Promise<void> {
    await this.transaction((tx) => applyScript(tx, text, { tables: () => this.listTables() }));
  }

  /** The ruleset generation (changes with every committed transaction). */
  async generation(): Promise<number> {
    const replies = await this.#request(getGen(), 'nft.generation');
    return (replies[0]?.attrs as { id: number }).id;
  }

  async listTables(): Promise<NftTable[]> {
    return (await this.#request(nftMessage(NFT_MSG.GETTABLE, 0, {}, NLM_F.DUMP), 'nft.listTables')).map(decodeTable);
  }

  async listChains(filter: { family?: NftFamily; table?: string } = {}): Promise<NftChain[]> {
    const family = filter.family === undefined ? 0 : checkFamily('filter.family', filter.family);
    const replies = await this.#request(nftMessage(NFT_MSG.GETCHAIN, family, { table: filter.table }, NLM_F.DUMP), 'nft.listChains', tableName(filter));
    return replies.map(decodeChain).filter((c) => filter.table === undefined || c.table === filter.table);
  }

  /** @internal The rules of a table (or one chain) as the kernel holds them: one dump. */
  async rawRules(family: NftFamily, table: string, chain: string | undefined, operation: string): Promise<RawRule[]> {
    const replies = await this.#request(nftMessage(NFT_MSG.GETRULE, family, { table, chain }, NLM_F.DUMP), operation, chain === undefined ? `table ${family} ${table}` : `chain ${family} ${table} ${chain}`);
    return replies.map(decodeRawRule);
  }

  async listRules(filter: { family: NftFamily; table: string; chain?: string }): Promise<NftRule[]> {
    const family = checkFamily('filter.family', filter.family);
    return this.rulesOf(await this.rawRules(family, filter.table, filter.chain, 'nft.listRules'));
  }

  /**
   * @internal Rules as listRules gives them: their anonymous sets' elements (from `known`, else
   * read from the kernel) and the interface names iif/oif match resolved.
   */
  async rulesOf(raws: RawRule[], known: (r: RawRule, set: string) => RawElement[] | undefined = () => undefined): Promise<NftRule[]> {
    const anonymous = new Map<string, RawElement[] | undefined>();
    const where = (r: RawRule, set: string) => `${r.family} ${r.table} ${set}`;
    for (const r of raws) {
      for (const e of r.exprs) {
        const set = (e.data as { set?: string })?.set;
        if (e.name !== 'lookup' || !(set?.startsWith('__set') || set?.startsWith('__map')) || anonymous.has(where(r, set))) continue;
        // A set gone already (a rule deleted with its table) leaves the rule's text undecoded.
        anonymous.set(where(r, set), known(r, set) ?? await this.#rawElements(r.family, r.table, set).catch(gone));
      }
    }
    const usesIndexes = raws.some((r) => r.exprs.some((e) => e.name === 'meta' && [4, 5].includes((e.data as { key?: number })?.key ?? -1)));
    const links = usesIndexes ? await this.#links.list() : [];
    const ifname = (index: number) => links.find((l) => l.index === index)?.name;
    return raws.map((r) => {
      const { exprs, comment } = r;
      const items = decodeExpressions(exprs, (name) => anonymous.get(where(r, name)), ifname, r.family);
      const base = { family: r.family, table: r.table, chain: r.chain, handle: r.handle };
      if (!items) return { ...base, text: '(expressions outside the supported language)', expressions: exprs, ...(comment !== undefined ? { comment } : {}) };
      const parsed: ParsedRule = { items, comment };
      // iptables-nft's compat expressions and masked marks are listed as text only (the typed form has no keys for them).
      if (items.some((it) => it.t === 'xt' || (it.t === 'match' && it.mask !== undefined))) return { ...base, text: formatRule(parsed), expressions: exprs, ...(comment !== undefined ? { comment } : {}) };
      return { ...base, ...ruleToTyped(parsed), text: formatRule(parsed) };
    });
  }

  /** @internal Every set, anonymous ones too. */
  async allSets(filter: { family?: NftFamily; table?: string }, operation: string): Promise<NftSet[]> {
    const family = filter.family === undefined ? 0 : checkFamily('filter.family', filter.family);
    const replies = await this.#request(nftMessage(NFT_MSG.GETSET, family, { table: filter.table }, NLM_F.DUMP), operation, tableName(filter));
    return replies.map(decodeSet).filter((s) => filter.table === undefined || s.table === filter.table);
  }

  async listSets(filter: { family?: NftFamily; table?: string } = {}): Promise<NftSet[]> {
    return (await this.allSets(filter, 'nft.listSets')).filter((s) => !s.flags.includes('anonymous'));
  }

  /** Elements of a named set (values as nft prints them) or map ([key, data] pairs). */
  async listElements(set: { family: NftFamily; table: string; name: string }): Promise<NftElement[]> {
    const sets = await this.listSets({ family: set.family, table: set.table }).catch((err) => { throw operationOf(err, 'nft.listElements'); });
    const info = sets.find((s) => s.name === set.name);
    if (!info) throw new NetlinkError('nft.listElements', 2, { detail: `set ${set.family} ${set.table} ${set.name} does not exist` });
    return elementValues(info, await this.#rawElements(set.family, set.table, set.name));
  }

  /** @internal A set's elements as the kernel holds them (an interval's ends paired). */
  async rawElements(family: NftFamily, table: string, set: string): Promise<RawElement[]> {
    return this.#rawElements(family, table, set);
  }

  async #rawElements(family: NftFamily, table: string, set: string): Promise<RawElement[]> {
    const replies = await this.#request(nftMessage(NFT_MSG.GETSETELEM, family, { table, set }, NLM_F.DUMP), 'nft.listElements', `set ${family} ${table} ${set}`);
    return decodeRawElements(replies);
  }

  /** One request; a failure names `what` was read (`table ip nat`, `set ip t s`). */
  async #request(message: WireMessage, operation: string, what?: string): Promise<WireMessage[]> {
    try {
      return await this.#t.request(NETLINK_NETFILTER, message, operation);
    } catch (err) {
      throw what === undefined ? err : readError(err, what);
    }
  }
}

/** A read of something deleted meanwhile: undefined; any other failure is thrown. */
function gone(err: unknown): undefined {
  if (err instanceof NetlinkError && err.errno === 2) return undefined;
  throw err;
}

/** `table ip nat` for a filter naming one; undefined when it names none. */
function tableName(filter: { family?: NftFamily; table?: string }): string | undefined {
  return filter.table === undefined ? undefined : `table ${filter.family ?? 'of any family'} ${filter.table}`;
}

/** A read's failure, naming what was read: ENOENT says it does not exist. */
function readError(err: unknown, what: string): unknown {
  if (!(err instanceof NetlinkError)) return err;
  return new NetlinkError(err.operation, err.errno, { kernelMessage: err.kernelMessage, detail: err.errno === 2 ? `${what} does not exist` : what });
}

/** The same failure, as the operation the caller asked for. */
function operationOf(err: unknown, operation: string): unknown {
  if (!(err instanceof NetlinkError)) return err;
  const e = new NetlinkError(operation, err.errno, { kernelMessage: err.kernelMessage });
  e.message = err.message.replace(err.operation, operation);
  return e;
}
