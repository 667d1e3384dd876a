// The statements that are one expression each, both ways: counter, verdict (an immediate into the
// verdict register), log, limit, reject and notrack.
import { REG, VERDICT } from '../constants';
import { LIMIT_UNITS } from '../text';
import { shared, sharedBy } from './shared';
import type { ItemCodec } from './types';

/** A counter from zero: the same expression in every rule that has one. */
export const COUNTER = shared({ name: 'counter', data: { bytes: 0n, packets: 0n } });
/** A verdict without a chain (accept, drop, …): the same immediate in every rule. */
const plainVerdict = sharedBy((v: keyof typeof VERDICT) => ({ name: 'immediate', data: { dreg: REG.verdict, data: { verdict: { code: VERDICT[v] >>> 0 } } } }));

export const counter: ItemCodec<'counter'> = {
  encode: (_it, rule) => { rule.out.push(COUNTER); },
  decode: {
    counter: (d, rule) => { rule.items.push({ t: 'counter', packets: d.packets ?? 0n, bytes: d.bytes ?? 0n }); return true; },
  },
};

export const verdict: ItemCodec<'verdict'> = {
  encode: (it, rule) => {
    rule.out.push(it.chain === undefined ? plainVerdict(it.verdict) : { name: 'immediate', data: { dreg: REG.verdict, data: { verdict: { code: VERDICT[it.verdict] >>> 0, chain: it.chain } } } });
  },
  decode: {
    // An immediate into any other register is data for the statement after it (operands.ts).
    immediate: (d, rule) => {
      if (d.dreg !== REG.verdict) return undefined;
      const code = (d.data?.verdict?.code ?? 0) | 0;
      const name = (Object.keys(VERDICT) as Array<keyof typeof VERDICT>).find((k) => VERDICT[k] === code);
      if (!name) return false;
      rule.items.push(d.data.verdict.chain ? { t: 'verdict', verdict: name, chain: d.data.verdict.chain } : { t: 'verdict', verdict: name });
      return true;
    },
  },
};

export const log: ItemCodec<'log'> = {
  encode: (it, rule) => { rule.out.push({ name: 'log', data: it.prefix !== undefined ? { prefix: it.prefix } : {} }); },
  decode: {
    log: (d, rule) => { rule.items.push(d.prefix !== undefined ? { t: 'log', prefix: d.prefix } : { t: 'log' }); return true; },
  },
};

export const limit: ItemCodec<'limit'> = {
  // type 0: packets; nft's default burst is 5.
  encode: (it, rule) => { rule.out.push({ name: 'limit', data: { rate: BigInt(it.rate), unit: BigInt(LIMIT_UNITS[it.per]), burst: it.burst ?? 5, type: 0, flags: 0 } }); },
  decode: {
    limit: (d, rule) => {
      const per = (Object.keys(LIMIT_UNITS) as Array<keyof typeof LIMIT_UNITS>).find((k) => BigInt(LIMIT_UNITS[k]) === d.unit);
      if (!per || d.type !== 0) return false;
      rule.items.push({ t: 'limit', rate: Number(d.rate), per, burst: d.burst });
      return true;
    },
  },
};

export const reject: ItemCodec<'reject'> = {
  // ip/ip6: ICMP(v6) port unreachable; inet and bridge: ICMPX port unreachable (nft's defaults).
  encode: (_it, rule) => {
    const { family } = rule;
    rule.out.push({ name: 'reject', data: family === 'ip' || family === 'ip6' ? { type: 0, icmp_code: family === 'ip' ? 3 : 4 } : { type: 2, icmp_code: 1 } });
  },
  decode: {
    reject: (_d, rule) => { rule.items.push({ t: 'reject' }); return true; },
  },
};

export const notrack: ItemCodec<'notrack'> = {
  encode: (_it, rule) => { rule.out.push({ name: 'notrack' }); },
  decode: {
    notrack: (_d, rule) => { rule.items.push({ t: 'notrack' }); return true; },
  },
};
