// ns.conntrack: the namespace's connection tracking table, like conntrack(8) -L / -C / -D / -F.
// The kernel filters what it can (a filtered dump or flush: tuple fields, mark, status); the
// rest of the filter is applied here. Deletions go out many to one sendmsg.
import { NLM_F } from '../constants';
import { afOf, type Family } from '../ip';
import { NetlinkError } from '../errors';
import { NETLINK_NETFILTER, type Transport, type WireMessage } from '../kernel/transport';
import { decodeEntry } from './decode';
import { type CheckedFilter, checkFilter, familiesToAsk, hasTuple, kernelCanFlush, kernelFilterAttrs, matches } from './filter';
import type { ConntrackEntry, ConntrackFilter } from './types';

export type { ConntrackCounters, ConntrackEntry, ConntrackFilter, ConntrackStatus, ConntrackTuple } from './types';

const NFNL_SUBSYS_CTNETLINK = 1 << 8;
const CT_NEW = NFNL_SUBSYS_CTNETLINK | 0; // IPCTNL_MSG_CT_NEW: what a dump answers with
const CT_GET = NFNL_SUBSYS_CTNETLINK | 1; // IPCTNL_MSG_CT_GET
const CT_DELETE = NFNL_SUBSYS_CTNETLINK | 2; // IPCTNL_MSG_CT_DELETE
const CT_GET_STATS = NFNL_SUBSYS_CTNETLINK | 5; // IPCTNL_MSG_CT_GET_STATS

/** Deletions in flight at once: each round goes out in one sendmsg, its ACKs bounded. */
const DELETE_ROUND = 1024;

/** nfgenmsg. A flush reads the family only when the version is 1 (a version 0 flush is every family). */
const header = (family: 0 | Family, version = 0) => ({ family: family === 0 ? 0 : afOf(family), version, res_id: 0 });

interface Found {
  entry: ConntrackEntry;
  /** The entry's original tuple as the kernel sent it: what a deletion names it by. */
  tuple: unknown;
}

export class Conntrack {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** The entries matching the filter (every entry without one), like `conntrack -L`. */
  async list(filter: ConntrackFilter = {}): Promise<ConntrackEntry[]> {
    return (await this.#find(checkFilter('filter', filter), 'conntrack.list')).map((f) => f.entry);
  }

  /** How many entries match; without a filter, the table's size as `conntrack -C` reads it. */
  async count(filter?: ConntrackFilter): Promise<number> {
    if (filter === undefined) {
      const replies = await this.#t.request(NETLINK_NETFILTER, { type: CT_GET_STATS, flags: NLM_F.REQUEST, header: header(0) }, 'conntrack.count');
      const stats = replies.find((m) => m.type === CT_GET_STATS);
      return Number((stats?.attrs as { entries?: number } | undefined)?.entries ?? 0);
    }
    return (await this.#find(checkFilter('filter', filter), 'conntrack.count')).length;
  }

  /**
   * Removes the entries matching the filter, like `conntrack -D`, and resolves with how many it
   * removed (an entry gone meanwhile is not counted). Each is named by its original tuple and id,
   * so a new flow that reuses the tuple is left alone.
   */
  async delete(filter: ConntrackFilter | readonly ConntrackFilter[]): Promise<number> {
    if (!Array.isArray(filter)) return this.#deleteFound(await this.#find(checkFilter('filter', filter), 'conntrack.delete'));
    // Several filters, one walk of the table: an entry goes when it matches any of them.
    const any = (filter as readonly ConntrackFilter[]).map((x, i) => checkFilter(`filter[${i}]`, x));
    return any.length === 0 ? 0 : this.#deleteFound(await this.#find(any, 'conntrack.delete'));
  }

  /**
   * Removes every entry (like `conntrack -F`), or those matching the filter: in one request
   * (per address family) where the kernel's flush can apply the filter, else as delete() does.
   */
  async flush(filter?: ConntrackFilter): Promise<void> {
    const f = checkFilter('filter', filter ?? {});
    if (kernelCanFlush(f)) {
      try {
        await Promise.all(familiesToAsk(f).map((family) => this.#t.request(NETLINK_NETFILTER, {
          type: CT_DELETE, flags: NLM_F.REQUEST | NLM_F.ACK, header: header(family, family === 0 ? 0 : 1), attrs: kernelFilterAttrs(f, family),
        }, 'conntrack.flush')));
        return;
      } catch (err) {
        // A kernel whose flush takes no CTA_FILTER refuses it: dump and delete instead.
        if (!(err instanceof NetlinkError && (err.code === 'EOPNOTSUPP' || err.code === 'EINVAL') && hasTuple(f))) throw err;
      }
    }
    await this.#deleteFound(await this.#find(f, 'conntrack.flush'));
  }

  /** The entries matching `f`, or any of several filters (then the kernel filters nothing). */
  async #find(f: CheckedFilter | CheckedFilter[], operation: string): Promise<Found[]> {
    const one = Array.isArray(f) ? (f.length === 1 ? f[0] : undefined) : f;
    const all = Array.isArray(f) ? f : [f];
    // Each entry is checked as it is decoded: of a table the kernel could not filter, only the
    // matches are kept.
    const pick = (m: WireMessage): Found | undefined => {
      if (m.type !== CT_NEW) return undefined;
      const entry = decodeEntry(m);
      return all.some((x) => matches(x, entry)) ? { entry, tuple: (m.attrs as Record<string, unknown>).tuple_orig } : undefined;
    };
    const families = one ? familiesToAsk(one) : [...new Set(all.flatMap(familiesToAsk))];
    const dumps = await Promise.all((families.includes(0) ? [0 as const] : families).map((family) => this.#t.requestMapped(NETLINK_NETFILTER, {
      type: CT_GET, flags: NLM_F.REQUEST | NLM_F.DUMP, header: header(family), attrs: one ? kernelFilterAttrs(one, family) : {},
    }, operation, pick)));
    return dumps.flat();
  }

  async #deleteFound(found: Found[]): Promise<number> {
    let removed = 0;
    for (let i = 0; i < found.length; i += DELETE_ROUND) {
      const round = found.slice(i, i + DELETE_ROUND).map(({ entry, tuple }) => this.#t.request(NETLINK_NETFILTER, deleteMessage(entry, tuple), 'conntrack.delete').then(
        () => 1,
        (err: unknown) => {
          if (err instanceof NetlinkError && err.code === 'ENOENT') return 0; // expired or removed meanwhile
          throw err;
        },
      ));
      for (const n of await Promise.all(round)) removed += n;
    }
    return removed;
  }
}

function deleteMessage(e: ConntrackEntry, tuple: unknown): WireMessage {
  return {
    type: CT_DELETE, flags: NLM_F.REQUEST | NLM_F.ACK, header: header(e.family),
    attrs: { tuple_orig: tuple, id: e.id, zone: e.zone === 0 ? undefined : e.zone },
  };
}
