// `nln monitor nft`: what nf_tables announces, printed as `nft monitor` prints it (nftables 1.0.6):
// one line per change, `# new generation N by process PID (NAME)` after each transaction; an
// added rule that is neither first nor last in its chain shows `handle P`, P being the rule it
// follows. -j: one JSON event per line.
import { TRANSPORT } from '../kernel/transport';
import { type NftFamily, priorityNames } from '../nft/constants';
import type { NftChain, NftElement, NftSet } from '../nft/types';
import { type NftChange, type NftEvent, nftStream } from '../nft/watch';
import type { Netns } from '../netns';
import { cancellable } from '../cancellable';

export async function runNftMonitor(ns: Netns, json: boolean, signal?: AbortSignal): Promise<void> {
  // nft monitor prints an anonymous set's deletion: the stream is asked for those too.
  const events = cancellable((stop) => nftStream(ns[TRANSPORT], ns.nft, { snapshot: false, anonymousSets: true, ...(signal ? { signal } : {}) }, stop));
  for await (const e of events) {
    if (e.type !== 'nft') continue;
    console.log(json ? JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)) : nftMonitorLines(e).join('\n'));
  }
}

/** What nft monitor prints for one committed transaction. */
export function nftMonitorLines(e: NftEvent): string[] {
  const lines: string[] = [];
  for (const c of e.changes) {
    // nft monitor leaves out the creation of a rule's inline set (and its elements), not its deletion.
    if (c.op === 'add' && c.kind === 'set' && c.value.flags.includes('anonymous')) continue;
    lines.push(changeText(c));
  }
  lines.push(`# new generation ${e.generation} by process ${e.pid ?? 0} (${e.process ?? ''})`);
  return lines;
}

function changeText(c: NftChange): string {
  switch (c.kind) {
    case 'table': return `${c.op} table ${c.value.family} ${c.value.name}${c.op === 'add' && c.value.flags.length ? ` { flags ${c.value.flags.join(',')}; }` : ''}`;
    case 'chain': return `${c.op} chain ${c.value.family} ${c.value.table} ${c.value.name}${c.op === 'add' && c.value.hook !== undefined ? ` ${chainHook(c.value)}` : ''}`;
    case 'set': return c.op === 'add' ? `add ${c.value.map ? 'map' : 'set'} ${c.value.family} ${c.value.table} ${c.value.name} ${setBody(c.value)} ` : `delete set ${c.value.family} ${c.value.table} ${c.value.name}`;
    case 'rule': {
      const r = c.value;
      const where = `${c.inserted ? 'insert' : c.op} rule ${r.family} ${r.table} ${r.chain}`;
      return c.op === 'delete' ? `${where} handle ${r.handle}` : `${where} ${c.position !== undefined ? `handle ${c.position} ` : ''}${r.text}`;
    }
    case 'element': return `${c.op} element ${c.value.family} ${c.value.table} ${c.value.set} { ${elementText(c.value)} }`;
  }
}

/** A base chain's hook as nft monitor prints it: without the device of a netdev chain (nft list shows it, nft monitor 1.0.6 does not). */
function chainHook(c: NftChain): string {
  return `{ type ${c.type} hook ${c.hook} priority ${priorityText(c.family, c.hook!, c.priority ?? 0)}; policy ${c.policy}; }`;
}

/** A priority as nft names it: a standard one for the family and hook, within 10 of it, else the number. */
export function priorityText(family: NftFamily, hook: string, priority: number): string {
  for (const [name, value] of Object.entries(priorityNames(family))) {
    if (!priorityFits(family, name, hook) || Math.abs(priority - value) > 10) continue;
    const offset = priority - value;
    return offset === 0 ? name : `${name} ${offset > 0 ? '+' : '-'} ${Math.abs(offset)}`;
  }
  return String(priority);
}

/** nft gives dstnat/srcnat (and the bridge's out) only to the hooks NAT uses; netdev and arp chains only filter. */
function priorityFits(family: NftFamily, name: string, hook: string): boolean {
  if (family === 'netdev' || family === 'arp') return name === 'filter';
  if (name === 'dstnat') return hook === 'prerouting' || hook === 'output';
  if (name === 'srcnat') return hook === 'postrouting' || hook === 'input';
  if (name === 'out') return hook === 'output';
  return true;
}

function setBody(s: NftSet): string {
  const parts = [`type ${s.type}${s.map ? ` : ${s.map}` : ''};`];
  // A set with a default timeout shows it, not the timeout flag it implies.
  const flags = s.flags.filter((f) => f !== 'anonymous' && f !== 'map' && !(f === 'timeout' && s.timeout !== undefined));
  if (flags.length) parts.push(`flags ${flags.join(',')};`);
  if (s.timeout !== undefined) parts.push(`timeout ${duration(s.timeout)};`);
  return `{ ${parts.join(' ')} }`;
}

/** Seconds as nft prints a time: 1d2h3m4s500ms, leaving out zero units. */
function duration(seconds: number): string {
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
  let left = Math.round(seconds * 1000);
  let out = '';
  for (const [u, n] of units) {
    if (left >= n) out += `${Math.floor(left / n)}${u}`;
    left %= n;
  }
  return out || '0s';
}

/** An element as nft prints it: its key, its own timeout and time left, then a map's data. */
function elementText(e: { element: NftElement; timeout?: number; expires?: number }): string {
  const key = Array.isArray(e.element) ? e.element[0] : e.element;
  const timing = `${e.timeout !== undefined ? ` timeout ${duration(e.timeout)}` : ''}${e.expires !== undefined ? ` expires ${duration(e.expires)}` : ''}`;
  return `${key}${timing}${Array.isArray(e.element) ? ` : ${e.element[1]}` : ''}`;
}
