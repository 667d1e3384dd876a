// nft as the oracle for nftables tests: its listings of a namespace, and scripts it runs there.
import type { Netns } from '../src/index';
import { sh } from './helpers';

/** `nft ARGS` inside the namespace. */
export const nft = (ns: Netns, ...args: string[]) => sh('ip', ['netns', 'exec', ns.name!, 'nft', ...args]);

/** Runs an nft script with `nft -f -` inside the namespace; throws with nft's words when it refuses. */
export async function nftScript(ns: Netns, script: string): Promise<void> {
  const r = await ns.exec('nft', ['-f', '-'], { input: script });
  if (r.code !== 0) throw new Error(`nft -f failed: ${r.stderr}\n${script}`);
}

/** The rule lines `nft list` prints for one chain (without handles). */
export async function nftChainRules(ns: Netns, family: string, table: string, chain: string): Promise<string[]> {
  const out = await sh('ip', ['netns', 'exec', ns.name!, 'nft', 'list', 'chain', family, table, chain]);
  return out.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('table') && !l.startsWith('chain') && !l.startsWith('type') && l !== '}');
}

export const nftRuleset = (ns: Netns) => sh('ip', ['netns', 'exec', ns.name!, 'nft', 'list', 'ruleset']);

/** A table with a set, map and concatenation of each kind and a chain per hook the rule language uses. */
export const SCAFFOLD = `
table ip t {
  set blocked { type ipv4_addr; flags interval; elements = { 10.9.0.0/16 } }
  set ports { type inet_service; elements = { 22, 80 } }
  map vm { type inet_service : verdict; elements = { 22 : accept } }
  map pm { type inet_service : ipv4_addr; elements = { 8080 : 10.0.0.2 } }
  set svc { type ipv4_addr . inet_service; elements = { 10.0.0.1 . 80 } }
  chain other { }
  chain input { type filter hook input priority filter; policy accept; }
  chain pre { type filter hook prerouting priority raw; policy accept; }
  chain prenat { type nat hook prerouting priority dstnat; policy accept; }
  chain postnat { type nat hook postrouting priority srcnat; policy accept; }
}`;

