// ns.nft: nf_tables over nfnetlink. Every change is one atomic batch (a transaction, built by
// transaction.ts); reads dump the kernel's objects and decode rules into the same items as text and typed input.
import { NLM_F } from '../constants';
import { NetlinkError } from '../errors';
import { NETLINK_NETFILTER, type Transport, type WireMessage } from '../kernel/transport';
import type { LinkLookup } from '../link/ref';
import { HOOKS, type NftFamily, NFT_MSG, SET_FLAGS } from './constants';
import { decodeExpressions, type Expr, inNftOrder, scalarFromBytes, setElements, splitConcatKey, verdictName } from './expressions';
import type { ParsedRule } from './items';
import { batchBegin, batchEnd, getGen, nftMessage } from './messages';
import { commentOf } from './userdata';
import { applyScript } from './script';
import { formatRule } from './text';
import { ruleToTyped } from './typed';
import { checkFamily, familyName, fieldForType, NFT_SET_ELEM_INTERVAL_END, NftTransaction, typeFields, typeName } from './transaction';
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
    const replies = await this.#request(nftMessage(NFT_MSG.GETTABLE, 0, {}, NLM_F.DUMP), 'nft.listTables');
    return replies.map((m) => {
      const a = m.attrs as Record<string, any>;
      const flags = [...(a.flags & 1 ? ['dormant'] : []), ...(a.flags & 2 ? ['owner'] : [])];
      return { family: familyName(m.header!.family as number), name: a.name, handle: Number(a.handle), flags };
    });
  }

  async listChains(filter: { family?: NftFamily; table?: string } = {}): Promise<NftChain[]> {
    const family = filter.family === undefined ? 0 : checkFamily('filter.family', filter.family);
    const replies = await this.#request(nftMessage(NFT_MSG.GETCHAIN, family, { table: filter.table }, NLM_F.DUMP), 'nft.listChains', tableName(filter));
    return replies.map((m) => {
      const a = m.attrs as Record<string, any>;
      const fam = familyName(m.header!.family as number);
      const c: NftChain = { family: fam, table: a.table, name: a.name, handle: Number(a.handle) };
      if (a.hook) {
        c.hook = Object.keys(HOOKS[fam]).find((k) => HOOKS[fam][k] === a.hook.hooknum);
        c.priority = a.hook.priority | 0;
        if (a.hook.dev !== undefined) c.device = a.hook.dev;
        c.type = a.type;
        c.policy = a.policy === 0 ? 'drop' : 'accept';
      }
      return c;
    }).filter((c) => filter.table === undefined || c.table === filter.table);
  }

  /** @internal The rules of a table (or one chain) as the kernel holds them: one dump. */
  async rawRules(family: NftFamily, table: string, chain: string | undefined, operation: string): Promise<Array<{ chain: string; handle: number; exprs: Expr[]; comment?: string }>> {
    const replies = await this.#request(nftMessage(NFT_MSG.GETRULE, family, { table, chain }, NLM_F.DUMP), operation, chain === undefined ? `table ${family} ${table}` : `chain ${family} ${table} ${chain}`);
    return replies.map((m) => {
      const a = m.attrs as Record<string, any>;
      return { chain: a.chain as string, handle: Number(a.handle), exprs: exprsOf(m), comment: commentOf(a.userdata) };
    });
  }

  async listRules(filter: { family: NftFamily; table: string; chain?: string }): Promise<NftRule[]> {
    const family = checkFamily('filter.family', filter.family);
    const replies = await this.rawRules(family, filter.table, filter.chain, 'nft.listRules');
    const anonymous = new Map<string, Array<{ key: Buffer; keyEnd?: Buffer; intervalEnd?: boolean }>>();
    for (const m of replies) {
      for (const e of m.exprs) {
        const set = (e.data as { set?: string })?.set;
        if (e.name === 'lookup' && (set?.startsWith('__set') || set?.startsWith('__map')) && !anonymous.has(set)) anonymous.set(set, await this.#rawElements(family, filter.table, set));
      }
    }
    const usesIndexes = replies.some((m) => m.exprs.some((e) => e.name === 'meta' && [4, 5].includes((e.data as { key?: number })?.key ?? -1)));
    const links = usesIndexes ? await this.#links.list() : [];
    const ifname = (index: number) => links.find((l) => l.index === index)?.name;
    return replies.map((m) => {
      const { exprs, comment } = m;
      const items = decodeExpressions(exprs, (name) => anonymous.get(name), ifname, family);
      const base = { family, table: filter.table, chain: m.chain, handle: m.handle };
      if (!items) return { ...base, text: '(expressions outside the supported language)', expressions: exprs, ...(comment !== undefined ? { comment } : {}) };
      const parsed: ParsedRule = { items, comment };
      // iptables-nft's compat expressions and masked marks are listed as text only (the typed form has no keys for them).
      if (items.some((it) => it.t === 'xt' || (it.t === 'match' && it.mask !== undefined))) return { ...base, text: formatRule(parsed), expressions: exprs, ...(comment !== undefined ? { comment } : {}) };
      return { ...base, ...ruleToTyped(parsed), text: formatRule(parsed) };
    });
  }

  async listSets(filter: { family?: NftFamily; table?: string } = {}): Promise<NftSet[]> {
    const family = filter.family === undefined ? 0 : checkFamily('filter.family', filter.family);
    const replies = await this.#request(nftMessage(NFT_MSG.GETSET, family, { table: filter.table }, NLM_F.DUMP), 'nft.listSets', tableName(filter));
    return replies.map((m) => {
      const a = m.attrs as Record<string, any>;
      const s: NftSet = {
        family: familyName(m.header!.family as number), table: a.table, name: a.name, handle: Number(a.handle), type: typeName(a.key_type),
        flags: (Object.keys(SET_FLAGS) as Array<keyof typeof SET_FLAGS>).filter((f) => a.flags & SET_FLAGS[f]),
      };
      if (a.data_type !== undefined) s.map = typeName(a.data_type);
      if (a.timeout !== undefined) s.timeout = Number(a.timeout) / 1000;
      return s;
    }).filter((s) => !s.flags.includes('anonymous') && (filter.table === undefined || s.table === filter.table));
  }

  /** Elements of a named set (values as nft prints them) or map ([key, data] pairs). */
  async listElements(set: { family: NftFamily; table: string; name: string }): Promise<NftElement[]> {
    const sets = await this.listSets({ family: set.family, table: set.table }).catch((err) => { throw operationOf(err, 'nft.listElements'); });
    const info = sets.find((s) => s.name === set.name);
    if (!info) throw new NetlinkError('nft.listElements', 2, { detail: `set ${set.family} ${set.table} ${set.name} does not exist` });
    const raw = await this.#rawElements(set.family, set.table, set.name);
    if (info.type === 'ether_addr') return raw.map((e) => [...e.key].map((b) => b.toString(16).padStart(2, '0')).join(':'));
    const fields = typeFields(info.type);
    const field = fields[0];
    const withData = (key: string | number, e: { data?: unknown }): NftElement => {
      if (!info.map) return key;
      const d = e.data as { value?: Buffer; verdict?: { code: number; chain?: string } };
      return [key, d?.verdict ? verdictName(d.verdict)! : scalarFromBytes(fieldForType(info.map as NftSetKeyType), d!.value!)];
    };
    if (fields.length > 1) return inNftOrder(fields, raw).map((e) => withData(splitConcatKey(fields, e.key).join(' . '), e));
    const out: NftElement[] = [];
    for (const e of inNftOrder(fields, raw)) {
      if (e.intervalEnd) continue;
      const [s] = setElements(field, [e]);
      out.push(withData(s.kind === 'single' ? s.value : s.kind === 'prefix' ? `${s.address}/${s.length}` : `${s.from}-${s.to}`, e));
    }
    // Sorted as nft lists them: by key.
    const keyOf = (e: NftElement) => (Array.isArray(e) ? e[0] : e);
    return out.sort((a, b) => (typeof keyOf(a) === 'number' ? (keyOf(a) as number) - (keyOf(b) as number) : 0));
  }

  async #rawElements(family: NftFamily, table: string, set: string): Promise<Array<{ key: Buffer; keyEnd?: Buffer; intervalEnd?: boolean; data?: unknown }>> {
    const replies = await this.#request(nftMessage(NFT_MSG.GETSETELEM, family, { table, set }, NLM_F.DUMP), 'nft.listElements', `set ${family} ${table} ${set}`);
    const flat = replies.flatMap((m) => ((m.attrs as any).elements?.elem ?? []) as Array<Record<string, any>>).map((e) => ({
      key: e.key?.value as Buffer, keyEnd: e.key_end?.value as Buffer | undefined, intervalEnd: ((e.flags ?? 0) & NFT_SET_ELEM_INTERVAL_END) !== 0, data: e.data,
    }));
    // Interval sets: pair each start with the end element that follows it (end - 1).
    if (!flat.some((e) => e.intervalEnd)) return flat;
    const sorted = [...flat].sort((a, b) => Buffer.compare(a.key, b.key));
    const out: Array<{ key: Buffer; keyEnd?: Buffer; data?: unknown }> = [];
    for (let i = 0; i < sorted.length; i++) {
      const e = sorted[i];
      if (e.intervalEnd) continue;
      const end = sorted[i + 1]?.intervalEnd ? decrement(sorted[i + 1].key) : Buffer.alloc(e.key.length, 0xff);
      out.push(end.equals(e.key) ? { key: e.key, data: e.data } : { key: e.key, keyEnd: end, data: e.data });
    }
    return out;
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

function decrement(b: Buffer): Buffer {
  const out = Buffer.from(b);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] > 0) { out[i]--; break; }
    out[i] = 0xff;
  }
  return out;
}

function exprsOf(m: WireMessage): Expr[] {
  return (((m.attrs as any)?.expressions?.elem ?? []) as Array<{ name: string; data?: Record<string, unknown> }>).map((e) => ({ name: e.name, data: e.data }));
}
