// ns.rules: policy routing rules, like `ip rule`.
import { NLM_F, RTM } from './constants';
import { afOf, familyOf, type Family, parseCidr } from './ip';
import { nameOf, tableNames } from './names';
import { NETLINK_ROUTE, type Transport, type WireMessage } from './kernel/transport';
import { checkIfname, checkInteger, checkKeys, checkObject, checkOneOf, rangeError, typeError } from './validate';

/** FR_ACT_* (linux/fib_rules.h) as ip names them. */
const ACTIONS: Record<string, number> = { lookup: 1, goto: 2, nop: 3, blackhole: 6, unreachable: 7, prohibit: 8 };

export interface RuleSpec {
  priority?: number;
  /** Source prefix (`from`). */
  from?: string;
  /** Destination prefix (`to`). */
  to?: string;
  iif?: string;
  oif?: string;
  fwmark?: number;
  fwmask?: number;
  /** The table to look up (action 'lookup'): a number or a name. */
  table?: number | string;
  action?: 'lookup' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit';
  /** With action 'goto': the priority of the rule to continue at. */
  goto?: number;
  /** Needed only when neither from nor to says it (default 4). */
  family?: Family;
}

export interface Rule {
  family: Family;
  priority: number;
  /** 'all' or a prefix, as ip prints it. */
  from: string;
  to?: string;
  iif?: string;
  oif?: string;
  fwmark?: number;
  fwmask?: number;
  table?: number;
  action: string;
}

const KEYS = ['priority', 'from', 'to', 'iif', 'oif', 'fwmark', 'fwmask', 'table', 'action', 'goto', 'family'] as const;

export class Rules {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Like `ip rule add`. */
  async add(r: RuleSpec): Promise<void> {
    await this.#t.request(NETLINK_ROUTE, await message(r, RTM.NEWRULE, NLM_F.CREATE | NLM_F.EXCL), 'rule.add');
  }

  /** Like `ip rule del`: the given selectors must match. */
  async delete(r: RuleSpec): Promise<void> {
    await this.#t.request(NETLINK_ROUTE, await message(r, RTM.DELRULE, 0), 'rule.delete');
  }

  /** Rules of one family (default: both). */
  async list(filter: { family?: Family } = {}): Promise<Rule[]> {
    checkKeys('filter', checkObject('filter', filter), ['family']);
    if (filter.family !== undefined && filter.family !== 4 && filter.family !== 6) throw rangeError('filter.family', filter.family, 'is not 4 or 6');
    const replies = await this.#t.request(NETLINK_ROUTE, {
      type: RTM.GETRULE, flags: NLM_F.REQUEST | NLM_F.DUMP, header: { family: filter.family === undefined ? 0 : afOf(filter.family) },
    }, 'rule.list');
    return replies.filter((m) => m.type === RTM.NEWRULE).map(decodeRule);
  }
}

async function message(r: RuleSpec, type: number, create: number): Promise<WireMessage> {
  const o = checkObject('rule', r);
  checkKeys('rule', o, KEYS);
  const from = r.from === undefined || r.from === 'all' ? undefined : parseCidr('from', r.from);
  const to = r.to === undefined || r.to === 'all' ? undefined : parseCidr('to', r.to);
  if (from && to && from.family !== to.family) throw rangeError('to', r.to, `is IPv${to.family} but from is IPv${from.family}`);
  if (r.family !== undefined && r.family !== 4 && r.family !== 6) throw rangeError('family', r.family, 'is not 4 or 6');
  const family: Family = from?.family ?? to?.family ?? r.family ?? 4;
  if (r.priority !== undefined) checkInteger('priority', r.priority, 0, 0xffffffff);
  if (r.iif !== undefined) checkIfname('iif', r.iif);
  if (r.oif !== undefined) checkIfname('oif', r.oif);
  if (r.fwmark !== undefined) checkInteger('fwmark', r.fwmark, 0, 0xffffffff);
  if (r.fwmask !== undefined) checkInteger('fwmask', r.fwmask, 0, 0xffffffff);
  if (r.goto !== undefined) checkInteger('goto', r.goto, 0, 0xffffffff);
  let table = 0;
  if (r.table !== undefined) {
    if (typeof r.table === 'number') table = checkInteger('table', r.table, 1, 0xffffffff);
    else if (typeof r.table === 'string') {
      const n = (await tableNames())[r.table];
      if (n === undefined) throw rangeError('table', r.table, 'is not a table number or a name in /etc/iproute2/rt_tables');
      table = n;
    } else throw typeError('table', r.table, 'a table number or name');
  }
  const action = r.action === undefined ? (type === RTM.DELRULE && table === 0 ? 0 : ACTIONS.lookup)
    : ACTIONS[checkOneOf('action', r.action, Object.keys(ACTIONS))];
  if (type === RTM.NEWRULE && action === ACTIONS.lookup && table === 0) throw typeError('table', r.table, 'a table for action "lookup"');
  if (action === ACTIONS.goto && r.goto === undefined) throw typeError('goto', r.goto, 'the priority to go to, for action "goto"');
  return {
    type, flags: NLM_F.REQUEST | create,
    header: { family: afOf(family), dst_len: to?.prefixLength ?? 0, src_len: from?.prefixLength ?? 0, table: table < 256 ? table : 0, action },
    attrs: {
      priority: r.priority, src: from?.address, dst: to?.address, iifname: r.iif, oifname: r.oif,
      fwmark: r.fwmark, fwmask: r.fwmask, goto: r.goto, table: table >= 256 ? table : undefined,
    },
  };
}

export function decodeRule(m: WireMessage): Rule {
  const h = m.header as Record<string, number>;
  const a = (m.attrs ?? {}) as Record<string, any>;
  const rule: Rule = {
    family: familyOf(h.family),
    priority: a.priority ?? 0,
    from: a.src === undefined ? 'all' : h.src_len === (h.family === 2 ? 32 : 128) ? a.src : `${a.src}/${h.src_len}`,
    action: nameOf(ACTIONS, h.action),
  };
  if (a.dst !== undefined) rule.to = h.dst_len === (h.family === 2 ? 32 : 128) ? a.dst : `${a.dst}/${h.dst_len}`;
  if (a.iifname !== undefined) rule.iif = a.iifname;
  if (a.oifname !== undefined) rule.oif = a.oifname;
  if (a.fwmark !== undefined) rule.fwmark = a.fwmark;
  if (a.fwmask !== undefined) rule.fwmask = a.fwmask;
  const table = a.table ?? h.table;
  if (table) rule.table = table;
  return rule;
}
