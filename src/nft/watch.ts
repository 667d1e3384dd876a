// ns.watch({ nft: true }): what nf_tables announces when a transaction commits, one event per
// generation. The kernel multicasts each committed transaction's changes (NEWTABLE … DELSETELEM)
// followed by NEWGEN (the new generation id, the pid and name of the process that committed):
// the changes are gathered until that NEWGEN and delivered as one event, decoded into the shapes
// ns.nft's listings return.
//
// No gap, no duplicate: the subscription is made before the snapshot is dumped; the snapshot is
// taken between two reads of the generation that agree (else taken again), so it is exactly that
// generation; announced generations up to it are dropped, later ones delivered.
import { NLM_F } from '../constants';
import { NetlinkError } from '../errors';
import { NETLINK_NETFILTER, type Subscription, type Transport, type WireMessage } from '../kernel/transport';
import { NFNL_SUBSYS_NFTABLES, NFT_MSG, type NftFamily } from './constants';
import { decodeChain, decodeRawElements, decodeRawRule, decodeSet, decodeTable, type RawElement, type RawRule, timedElements } from './decode';
import type { Nftables } from './nftables';
import { familyName } from './transaction';
import type { Stop } from '../cancellable';
import type { NftChain, NftElement, NftRule, NftSet, NftTable } from './types';

/** The nf_tables multicast group (NFNLGRP_NFTABLES). */
const NFNLGRP_NFTABLES = 7;

type Op = 'add' | 'delete';
/** One change of a committed transaction, with the value as ns.nft's listings give it. */
export type NftChange =
  | { op: Op; kind: 'table'; value: NftTable }
  | { op: Op; kind: 'chain'; value: NftChain }
  | { op: Op; kind: 'set'; value: NftSet }
  /**
   * position: the handle of the rule an added rule was placed after, when the kernel says (not for
   * the first or last rule of its chain); inserted: placed before a rule (insertRule, nft insert) rather than appended.
   */
  | { op: Op; kind: 'rule'; value: NftRule; position?: number; inserted?: true }
  /** timeout: the element's own timeout in seconds when the kernel reports one (nft shows it when it is not the set's default); expires: seconds it had left. */
  | { op: Op; kind: 'element'; value: { family: NftFamily; table: string; set: string; element: NftElement; timeout?: number; expires?: number } };

/** A committed transaction: its generation, who committed it (absent in a snapshot) and what it changed, in the kernel's order. */
export interface NftEvent { type: 'nft'; generation: number; pid?: number; process?: string; changes: NftChange[] }

export type NftStreamEvent = { type: 'snapshot-start' | 'snapshot-end' | 'resync' } | NftEvent;

export interface NftStreamOptions {
  snapshot: boolean;
  signal?: AbortSignal;
  /** Report anonymous sets (a rule's inline `{ … }`) as set changes, as nft monitor prints their deletion. */
  anonymousSets?: boolean;
}

const isAnonymous = (name: string) => name.startsWith('__set') || name.startsWith('__map');
const setKey = (family: string, table: string, name: string) => `${family} ${table} ${name}`;
const ADDS = new Set<number>([NFT_MSG.NEWTABLE, NFT_MSG.NEWCHAIN, NFT_MSG.NEWRULE, NFT_MSG.NEWSET, NFT_MSG.NEWSETELEM]);
const msgOf = (m: WireMessage) => m.type & 0xff;

/** The stream, started by the caller's iterator; stop.now() ends a read that waits. */
export async function* nftStream(t: Transport, nft: Nftables, o: NftStreamOptions, stop: Stop): AsyncGenerator<NftStreamEvent> {
  o.signal?.throwIfAborted();
  const sub: Subscription = await t.subscribe(NETLINK_NETFILTER, [NFNLGRP_NFTABLES], 'watch');
  if (stop.stopped) return sub.close();
  const end = () => sub.close();
  stop.now = end;
  o.signal?.addEventListener('abort', end, { once: true });
  const known = new Known(nft);
  // Generations up to this one are in the snapshot: dropped when announced.
  let floor = -1;
  let pending: WireMessage[] = [];
  try {
    let resync = o.snapshot;
    for (;;) {
      try {
        if (resync) {
          resync = false;
          pending = [];
          yield { type: 'snapshot-start' };
          const s = await known.snapshot();
          floor = s.generation;
          yield s;
          yield { type: 'snapshot-end' };
        }
        const batch = await sub.read();
        if (batch === null) return; // closed: by the consumer, the signal or the namespace handle
        for (const m of batch) {
          if ((m.type >> 8) !== NFNL_SUBSYS_NFTABLES) continue;
          if (msgOf(m) !== NFT_MSG.NEWGEN) {
            pending.push(m);
            continue;
          }
          const a = m.attrs as { id: number; pid?: number; proc?: string };
          const messages = pending;
          pending = [];
          if (a.id <= floor) continue;
          const changes = await known.changes(messages, o.anonymousSets ?? false);
          yield { type: 'nft', generation: a.id, ...(a.pid !== undefined ? { pid: a.pid } : {}), ...(a.proc !== undefined ? { process: a.proc } : {}), changes };
        }
      } catch (err) {
        if (!(err instanceof NetlinkError && err.code === 'ENOBUFS')) throw err;
        yield { type: 'resync' };
        resync = true;
      }
    }
  } finally {
    o.signal?.removeEventListener('abort', end);
    sub.close();
  }
}

/** What the stream knows of sets: their types decode elements; anonymous sets' elements decode rules. */
class Known {
  readonly #nft: Nftables;
  readonly #sets = new Map<string, NftSet>();
  readonly #anonymous = new Map<string, RawElement[]>();

  constructor(nft: Nftables) {
    this.#nft = nft;
  }

  /** The ruleset as one generation's additions: tables, then per table its chains, sets, elements and rules. */
  async snapshot(): Promise<NftEvent> {
    for (let attempt = 1; ; attempt++) {
      try {
        const generation = await this.#nft.generation();
        const changes = await this.#dump();
        if ((await this.#nft.generation()) === generation) return { type: 'nft', generation, changes };
      } catch (err) {
        // A table or set deleted between two dumps of this snapshot: take it again.
        if (!(err instanceof NetlinkError && err.errno === 2) || attempt >= 20) throw err;
      }
    }
  }

  async #dump(): Promise<NftChange[]> {
    this.#sets.clear();
    this.#anonymous.clear();
    const changes: NftChange[] = [];
    const tables = await this.#nft.listTables();
    const chains = await this.#nft.listChains();
    const sets = await this.#nft.allSets({}, 'watch');
    for (const table of tables) {
      changes.push({ op: 'add', kind: 'table', value: table });
      const mine = <T extends { family: string; table: string }>(x: T) => x.family === table.family && x.table === table.name;
      for (const c of chains.filter(mine)) changes.push({ op: 'add', kind: 'chain', value: c });
      for (const s of sets.filter(mine)) {
        const raw = await this.#nft.rawElements(s.family, s.table, s.name);
        if (isAnonymous(s.name)) {
          this.#anonymous.set(setKey(s.family, s.table, s.name), raw);
          continue;
        }
        this.#sets.set(setKey(s.family, s.table, s.name), s);
        changes.push({ op: 'add', kind: 'set', value: s });
        for (const e of timedElements(s, raw)) changes.push({ op: 'add', kind: 'element', value: { family: s.family, table: s.table, set: s.name, ...e } });
      }
      const rules = await this.#nft.rulesOf(await this.#nft.rawRules(table.family, table.name, undefined, 'watch'), (r, set) => this.#anonymous.get(setKey(r.family, r.table, set)));
      for (const r of rules) changes.push({ op: 'add', kind: 'rule', value: r });
    }
    return changes;
  }

  /** One generation's announcements as changes, in the kernel's order. */
  async changes(messages: WireMessage[], anonymousSets: boolean): Promise<NftChange[]> {
    const at = (m: WireMessage) => {
      const a = m.attrs as { table: string; set: string };
      return setKey(familyName(m.header!.family as number), a.table, a.set);
    };
    // Anonymous sets' elements first: a rule added in the same generation refers to them.
    const inline = new Map<string, WireMessage[]>();
    for (const m of messages) {
      if (msgOf(m) === NFT_MSG.NEWSETELEM && isAnonymous((m.attrs as { set: string }).set)) inline.set(at(m), [...(inline.get(at(m)) ?? []), m]);
    }
    for (const [key, ms] of inline) this.#anonymous.set(key, decodeRawElements(ms));
    const out: Array<NftChange | undefined> = [];
    const rules: Array<{ index: number; op: Op; raw: RawRule; position?: number; inserted?: true }> = [];
    const gone: Array<() => void> = [];
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      const type = msgOf(m);
      const op: Op = ADDS.has(type) ? 'add' : 'delete';
      switch (type) {
        case NFT_MSG.NEWTABLE: case NFT_MSG.DELTABLE: {
          const value = decodeTable(m);
          out.push({ op, kind: 'table', value });
          if (op === 'delete') gone.push(() => this.#forgetTable(value.family, value.name));
          break;
        }
        case NFT_MSG.NEWCHAIN: case NFT_MSG.DELCHAIN:
          out.push({ op, kind: 'chain', value: decodeChain(m) });
          break;
        case NFT_MSG.NEWSET: case NFT_MSG.DELSET: {
          const value = decodeSet(m);
          const key = setKey(value.family, value.table, value.name);
          if (op === 'add') this.#sets.set(key, value);
          else gone.push(() => (this.#sets.delete(key), this.#anonymous.delete(key)));
          if (!isAnonymous(value.name) || anonymousSets) out.push({ op, kind: 'set', value });
          break;
        }
        case NFT_MSG.NEWRULE: case NFT_MSG.DELRULE: {
          const position = (m.attrs as { position?: bigint }).position;
          // NLM_F_APPEND on an added rule's announcement: appended (nft add), else inserted (nft insert).
          const placed = op === 'add' ? { ...(position !== undefined ? { position: Number(position) } : {}), ...(((m.flags ?? 0) & NLM_F.APPEND) === 0 ? { inserted: true as const } : {}) } : {};
          rules.push({ index: out.length, op, raw: decodeRawRule(m), ...placed });
          out.push(undefined);
          break;
        }
        case NFT_MSG.NEWSETELEM: case NFT_MSG.DELSETELEM: {
          // An interval's start and end come as two announcements: read together.
          let j = i + 1;
          while (j < messages.length && msgOf(messages[j]) === type && at(messages[j]) === at(m)) j++;
          const group = messages.slice(i, j);
          i = j - 1;
          const a = m.attrs as { table: string; set: string };
          if (isAnonymous(a.set)) break;
          const info = await this.#set(at(m));
          if (!info) break;
          for (const e of timedElements(info, decodeRawElements(group))) out.push({ op, kind: 'element', value: { family: info.family, table: a.table, set: a.set, ...e } });
          break;
        }
        default: // objects, flowtables: not reported
      }
    }
    const decoded = await this.#nft.rulesOf(rules.map((r) => r.raw), (r, set) => this.#anonymous.get(setKey(r.family, r.table, set)));
    rules.forEach(({ index, raw: _, ...r }, k) => (out[index] = { ...r, kind: 'rule', value: decoded[k] }));
    for (const forget of gone) forget();
    return out as NftChange[];
  }

  /** A set's types: known, or read (a set made before a stream without snapshot began). */
  async #set(key: string): Promise<NftSet | undefined> {
    if (!this.#sets.has(key)) {
      const [family, table] = key.split(' ') as [NftFamily, string];
      const sets = await this.#nft.allSets({ family, table }, 'watch').catch((err) => {
        if (err instanceof NetlinkError && err.errno === 2) return [];
        throw err;
      });
      for (const s of sets) this.#sets.set(setKey(s.family, s.table, s.name), s);
    }
    return this.#sets.get(key);
  }

  #forgetTable(family: string, table: string): void {
    const prefix = `${family} ${table} `;
    for (const map of [this.#sets, this.#anonymous]) for (const k of map.keys()) if (k.startsWith(prefix)) map.delete(k);
  }
}
