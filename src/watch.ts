// ns.watch: what the kernel announces about links, addresses, routes, neighbours and rules (ip
// monitor's groups), as typed events, after a snapshot of what exists.
//
// No gap, no duplicate: the subscription is made before the snapshot is dumped, so every change
// after the dump is announced. Announcements queued before the dump ended may be older or newer
// than what the dump saw of their object; the kernel queues an announcement when it makes the
// change, so by the time the dump has ended they are all in the socket. They are read at once
// without waiting, only the last one per object counts, and it is reported only when it differs
// from what the snapshot showed. From then on each announcement is compared with the picture kept
// here (added / changed / removed; one that changes nothing is not reported).
// nftables (what.nft) is its own stream: one event per committed generation (src/nft/watch.ts).
import { isDeepStrictEqual } from 'node:util';
import { decodeAddress, type Address } from './addr';
import { RTM } from './constants';
import { NetlinkError } from './errors';
import { NETLINK_ROUTE, type Transport, type WireMessage } from './kernel/transport';
import { decodeLink } from './link/decode';
import type { Link } from './link/types';
import { decodeNeighbor, type Neighbor } from './neigh';
import type { Nftables } from './nft/nftables';
import { type NftEvent, nftStream } from './nft/watch';
import { decodeRoute, type Route } from './route';
import { decodeRule, type Rule } from './rule';
import { cancellable, type Stop } from './cancellable';
import { checkKeys, checkObject, typeError } from './validate';

/** What to watch: each kind set true. */
export interface WatchWhat {
  links?: true;
  addresses?: true;
  routes?: true;
  neighbors?: true;
  rules?: true;
  /** nf_tables: one `nft` event per committed transaction. Not combined with the kinds above in one stream. */
  nft?: true;
}

export type { NftChange, NftEvent } from './nft/watch';

export interface WatchOptions {
  /** Ends the stream when aborted. */
  signal?: AbortSignal;
  /** Start with what exists (snapshot-start, an `added` per object, snapshot-end). Default true. */
  snapshot?: boolean;
}

type Change<O extends string, V> = { type: 'added' | 'changed' | 'removed'; object: O; value: V };

export type WatchEvent =
  | { type: 'snapshot-start' | 'snapshot-end' }
  /** The kernel dropped announcements (the consumer lagged): a fresh snapshot follows; forget the old picture. */
  | { type: 'resync' }
  | Change<'link', Link>
  | Change<'address', Address>
  | Change<'route', Route>
  | Change<'neighbor', Neighbor>
  | Change<'rule', Rule>
  | NftEvent;

interface Kind {
  object: WatchEvent extends infer E ? E extends { object: infer O } ? O : never : never;
  /** rtnetlink multicast groups (RTNLGRP_*). */
  groups: number[];
  added: number;
  removed: number;
  dump: WireMessage;
  decode: (m: WireMessage) => unknown;
  /** What identifies the object: two announcements with the same key are about the same one. */
  key: (v: never) => string;
  /** Announcements of this type the kind leaves out (a bridge's FDB entries are not neighbours). */
  keep?: (m: WireMessage) => boolean;
}

const dump = (type: number): WireMessage => ({ type, flags: 0x1 | 0x300 /* REQUEST | DUMP */, header: {} });

const KINDS: Record<Exclude<keyof WatchWhat, 'nft'>, Kind> = {
  links: {
    object: 'link', groups: [1], added: RTM.NEWLINK, removed: RTM.DELLINK, dump: dump(RTM.GETLINK), decode: decodeLink,
    key: (l: Link) => String(l.index),
    // A bridge port's own announcements (family AF_BRIDGE) are about its port settings, not the
    // link: the one said when it leaves the bridge is a DELLINK, while the link stays.
    keep: (m) => m.header?.family !== 7,
  },
  addresses: {
    object: 'address', groups: [5, 9], added: RTM.NEWADDR, removed: RTM.DELADDR, dump: dump(RTM.GETADDR), decode: decodeAddress,
    key: (a: Address) => `${a.link} ${a.address}/${a.prefixLength}`,
  },
  routes: {
    object: 'route', groups: [7, 11], added: RTM.NEWROUTE, removed: RTM.DELROUTE, dump: dump(RTM.GETROUTE), decode: decodeRoute,
    key: (r: Route) => `${r.family} ${r.table} ${r.type} ${r.dst} ${r.metric ?? 0}`,
  },
  neighbors: {
    object: 'neighbor', groups: [3], added: RTM.NEWNEIGH, removed: RTM.DELNEIGH, dump: dump(RTM.GETNEIGH), decode: decodeNeighbor,
    key: (n: Neighbor) => `${n.link} ${n.address}`,
    keep: (m) => m.header?.family === 2 || m.header?.family === 10,
  },
  rules: {
    object: 'rule', groups: [8, 19], added: RTM.NEWRULE, removed: RTM.DELRULE, dump: dump(RTM.GETRULE), decode: decodeRule,
    // A rule has no identity but all of itself: a changed rule is one removed and one added.
    key: (r: Rule) => JSON.stringify(r),
  },
};

const KIND_NAMES = Object.keys(KINDS) as Array<keyof typeof KINDS>;

/** What one announcement says, or undefined for one no watched kind covers. */
type Said = { kind: Kind; key: string; value: unknown; removed: boolean };

export function watch(t: Transport, nft: Nftables, what: WatchWhat, options: WatchOptions = {}): AsyncIterable<WatchEvent> {
  checkKeys('what', checkObject('what', what), [...KIND_NAMES, 'nft']);
  const kinds = KIND_NAMES.filter((k) => {
    if (what[k] !== undefined && what[k] !== true) throw typeError(`what.${k}`, what[k], 'true (or left out)');
    return what[k] === true;
  }).map((k) => KINDS[k]);
  if (what.nft !== undefined && what.nft !== true) throw typeError('what.nft', what.nft, 'true (or left out)');
  if (kinds.length === 0 && !what.nft) throw typeError('what', what, `at least one of ${KIND_NAMES.join(', ')}, nft set true`);
  checkKeys('options', checkObject('options', options), ['signal', 'snapshot']);
  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw typeError('options.signal', signal, 'an AbortSignal');
  if (options.snapshot !== undefined && typeof options.snapshot !== 'boolean') throw typeError('options.snapshot', options.snapshot, 'a boolean');
  const snapshot = options.snapshot ?? true;
  const nftPart = (stop: Stop, withSnapshot: boolean) => nftStream(t, nft, { snapshot: withSnapshot, ...(signal ? { signal } : {}) }, stop);
  if (what.nft && kinds.length === 0) return cancellable((stop) => nftPart(stop, snapshot));
  const byType = new Map<number, Kind>();
  for (const k of kinds) byType.set(k.added, k).set(k.removed, k);
  const said = (m: WireMessage): Said | undefined => {
    const kind = byType.get(m.type);
    if (!kind || (kind.keep && !kind.keep(m))) return undefined;
    const value = kind.decode(m);
    return { kind, key: `${kind.object} ${kind.key(value as never)}`, value, removed: m.type === kind.removed };
  };
  const rtnlPart = (stop: Stop, withSnapshot: boolean) => stream(t, kinds, said, withSnapshot, stop, signal);
  if (!what.nft) return cancellable((stop) => rtnlPart(stop, snapshot));
  return cancellable((stop) => merged([rtnlPart, nftPart], snapshot, stop));
}

type Part = (stop: Stop, snapshot: boolean) => AsyncGenerator<WatchEvent>;

/**
 * rtnetlink kinds and nft in one stream: two subscriptions (two protocols), their events as they
 * come. One snapshot covers both (each part's in turn, inside one snapshot-start … snapshot-end).
 * When either part's kernel buffer overflows, both start over: `resync`, then a snapshot of both,
 * so that a consumer forgetting its picture at snapshot-start loses nothing it is not told again.
 */
async function* merged(parts: Part[], snapshot: boolean, stop: Stop): AsyncGenerator<WatchEvent> {
  for (let withSnapshot = snapshot; ; withSnapshot = true) {
    const stops: Stop[] = parts.map(() => ({ stopped: false, now: () => {} }));
    stop.now = () => stops.forEach((s) => { s.stopped = true; s.now(); });
    if (stop.stopped) return;
    const gens = parts.map((part, i) => part(stops[i], withSnapshot));
    try {
      if (withSnapshot) {
        yield { type: 'snapshot-start' };
        let overrun = false;
        for (const g of gens) {
          for (;;) {
            const r = await g.next();
            if (r.done) return; // closed
            if (r.value.type === 'snapshot-end') break;
            if (r.value.type === 'resync') {
              overrun = true;
              break;
            }
            if (r.value.type !== 'snapshot-start') yield r.value;
          }
          if (overrun) break;
        }
        if (overrun) {
          yield { type: 'resync' };
          continue; // (the finally below stops both parts first)
        }
        yield { type: 'snapshot-end' };
      }
      const next = (i: number) => gens[i].next().then((r) => ({ i, r }));
      const pending = gens.map((_, i) => next(i));
      for (;;) {
        const { i, r } = await Promise.race(pending);
        if (r.done) return; // closed: by the consumer, the signal or the namespace handle
        if (r.value.type === 'resync') {
          yield r.value;
          break;
        }
        yield r.value;
        pending[i] = next(i);
      }
    } finally {
      // Stopped first: a part waiting on the kernel then ends, and its return() can complete.
      stops.forEach((s) => { s.stopped = true; s.now(); });
      await Promise.all(gens.map((g) => g.return(undefined).catch(() => undefined)));
    }
  }
}

async function* stream(t: Transport, kinds: Kind[], said: (m: WireMessage) => Said | undefined, snapshot: boolean, stop: Stop, signal?: AbortSignal): AsyncGenerator<WatchEvent> {
  signal?.throwIfAborted();
  const sub = await t.subscribe(NETLINK_ROUTE, kinds.flatMap((k) => k.groups), 'watch');
  if (stop.stopped) return sub.close();
  const end = () => sub.close();
  stop.now = end;
  signal?.addEventListener('abort', end, { once: true });
  // What the consumer has been told exists, by key.
  let picture = new Map<string, Said>();
  const change = (s: Said): WatchEvent | undefined => {
    const known = picture.get(s.key);
    if (s.removed) {
      // Without a snapshot, an object never seen may still go: said with what the kernel said of it.
      if (!known && snapshot) return undefined;
      picture.delete(s.key);
      return { type: 'removed', object: s.kind.object, value: (known ?? s).value } as WatchEvent;
    }
    picture.set(s.key, s);
    if (known && isDeepStrictEqual(known.value, s.value)) return undefined;
    return { type: known ? 'changed' : 'added', object: s.kind.object, value: s.value } as WatchEvent;
  };
  /** A snapshot, then what was announced while it was taken (the last word per object, if new). */
  async function* fresh(): AsyncGenerator<WatchEvent> {
    const dumped: Said[] = [];
    for (const kind of kinds) {
      for (const m of await t.request(NETLINK_ROUTE, kind.dump, 'watch')) {
        const s = said(m);
        if (s && !s.removed) dumped.push(s);
      }
    }
    // Read at once, before the consumer is given anything (and so can fall behind): what queued
    // while the dumps ran. Later announcements are told one by one.
    const last = new Map<string, Said>();
    for (let batch = await sub.read(false); batch && batch.length > 0; batch = await sub.read(false)) {
      for (const m of batch) {
        const s = said(m);
        if (s) last.delete(s.key), last.set(s.key, s);
      }
    }
    picture = new Map();
    yield { type: 'snapshot-start' };
    for (const s of dumped) {
      const e = change(s);
      if (e) yield e;
    }
    yield { type: 'snapshot-end' };
    for (const s of last.values()) {
      const e = change(s);
      if (e) yield e;
    }
  }
  try {
    let resync = snapshot;
    for (;;) {
      try {
        if (resync) {
          resync = false;
          yield* fresh();
        }
        const batch = await sub.read();
        if (batch === null) return; // closed: by the consumer, the signal or the namespace handle
        for (const m of batch) {
          const s = said(m);
          const e = s && change(s);
          if (e) yield e;
        }
      } catch (err) {
        if (!(err instanceof NetlinkError && err.code === 'ENOBUFS')) throw err;
        yield { type: 'resync' };
        resync = true;
      }
    }
  } finally {
    signal?.removeEventListener('abort', end);
    sub.close();
  }
}
