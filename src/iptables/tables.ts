// What iptables-nft's tables are made of, shared by ns.iptables and its restore/save: the built-in
// chains of each table, the rules about them, and the NEWRULE message iptables-nft sends.
import { NLM_F } from '../constants';
import type { WireMessage } from '../kernel/transport';
import { NFT_MSG, type NftFamily } from '../nft/constants';
import type { Expr } from '../nft/expressions';
import { expressions, nftMessage } from '../nft/messages';
import { checkOneOf, checkString, rangeError } from '../validate';
import type { IptRule } from './types';

/** iptables' built-in chains: hook, priority and (for mangle OUTPUT) chain type, in -S order. */
export const BUILTIN: Record<string, Array<{ chain: string; hook: string; priority: number; type?: 'route' | 'nat' }>> = {
  filter: [{ chain: 'INPUT', hook: 'input', priority: 0 }, { chain: 'FORWARD', hook: 'forward', priority: 0 }, { chain: 'OUTPUT', hook: 'output', priority: 0 }],
  nat: [
    { chain: 'PREROUTING', hook: 'prerouting', priority: -100, type: 'nat' }, { chain: 'INPUT', hook: 'input', priority: 100, type: 'nat' },
    { chain: 'OUTPUT', hook: 'output', priority: -100, type: 'nat' }, { chain: 'POSTROUTING', hook: 'postrouting', priority: 100, type: 'nat' },
  ],
  mangle: [
    { chain: 'PREROUTING', hook: 'prerouting', priority: -150 }, { chain: 'INPUT', hook: 'input', priority: -150 },
    { chain: 'FORWARD', hook: 'forward', priority: -150 }, { chain: 'OUTPUT', hook: 'output', priority: -150, type: 'route' },
    { chain: 'POSTROUTING', hook: 'postrouting', priority: -150 },
  ],
  raw: [{ chain: 'PREROUTING', hook: 'prerouting', priority: -300 }, { chain: 'OUTPUT', hook: 'output', priority: -300 }],
  // SELinux/SMACK secmark rules, after filter (NF_IP_PRI_SECURITY).
  security: [{ chain: 'INPUT', hook: 'input', priority: 150 }, { chain: 'FORWARD', hook: 'forward', priority: 150 }, { chain: 'OUTPUT', hook: 'output', priority: 150 }],
};

/** Where -i / -o make sense (iptables refuses the others). */
const NO_IN = ['OUTPUT', 'POSTROUTING'];
const NO_OUT = ['INPUT', 'PREROUTING'];

const NAT_DROP = 'the nat table is not for filtering: iptables refuses DROP there';

/** What iptables refuses before sending a rule: -i/-o where the hook has no such interface, DROP in nat. */
export function checkRulePlace(table: string, chain: string, rule: IptRule): void {
  if (rule.inInterface && NO_IN.includes(chain)) throw rangeError('-i', rule.inInterface, `can't be used with ${chain}`);
  if (rule.outInterface && NO_OUT.includes(chain)) throw rangeError('-o', rule.outInterface, `can't be used with ${chain}`);
  if (table === 'nat' && rule.target?.name === 'DROP') throw rangeError('-j', 'DROP', `is refused in ${chain}: ${NAT_DROP}`);
}

/** A -P policy iptables accepts: ACCEPT or DROP, and in nat only ACCEPT (the `:CHAIN DROP` of a restore header is not checked, as in iptables-nft-restore). */
export function checkPolicy(table: string, chain: string, policy: unknown): 'ACCEPT' | 'DROP' {
  const p = checkOneOf('policy', policy, ['ACCEPT', 'DROP'] as const);
  if (table === 'nat' && p === 'DROP') throw rangeError('policy', p, `is refused for ${chain}: ${NAT_DROP}`);
  return p;
}

export function checkChainName(chain: string): void {
  checkString('chain', chain);
  if (chain === '' || Buffer.byteLength(chain) > 28 || /[\s!]/.test(chain) || chain.startsWith('-')) throw rangeError('chain', chain, 'is not a valid iptables chain name (1–28 bytes, no whitespace)');
}

/**
 * Where a rule goes relative to another: a rule the kernel holds (its handle), or one added earlier
 * in the same batch (the NFTA_RULE_ID given to its NEWRULE: the kernel finds it among the batch's).
 */
export type RulePosition = { handle: number } | { id: number };

/** The NEWRULE message iptables-nft sends for a rule, with its NFTA_RULE_COMPAT attribute. */
export function compatRuleMessage(family: NftFamily, table: string, chain: string, exprs: Expr[], compat: { proto: number; flags: number }, where: 'append' | 'insert', at?: RulePosition): WireMessage {
  const attrs: Record<string, unknown> = { table, chain, expressions: expressions(exprs), compat };
  if (at !== undefined) {
    if ('handle' in at) attrs.position = BigInt(at.handle);
    else attrs.position_id = at.id;
  }
  return nftMessage(NFT_MSG.NEWRULE, family, attrs, where === 'append' ? NLM_F.CREATE | NLM_F.APPEND : NLM_F.CREATE);
}
