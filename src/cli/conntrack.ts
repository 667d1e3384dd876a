// `nln conntrack`: the namespace's connection tracking table through ns.conntrack, with
// conntrack(8)'s commands, filter options and output lines.
import type { ConntrackEntry, ConntrackFilter, ConntrackTuple } from '../conntrack/conntrack';
import type { Netns } from '../netns';
import { CliError } from './cli-error';

export const CONNTRACK_HELP = `usage: nln [-n NS] [-j] conntrack -L|-D|-F|-C [FILTER…] [-o extended,id]
  -L, --dump     list the entries (one line each, as conntrack -L prints them)
  -D, --delete   delete the entries matching the filter (a filter is required)
  -F, --flush    delete every entry, or those matching the filter
  -C, --count    how many entries (match the filter)
filters, as conntrack(8):
  -f, --family ipv4|ipv6         -p, --proto tcp|udp|icmp|…|N
  -s, --src, --orig-src ADDR     -d, --dst, --orig-dst ADDR
  -r, --reply-src ADDR           -q, --reply-dst ADDR
  --sport, --orig-port-src PORT  --dport, --orig-port-dst PORT
  --reply-port-src PORT          --reply-port-dst PORT
  -m, --mark MARK[/MASK]         -w, --zone ZONE
  -u, --status FLAG[,FLAG…]      (ASSURED, SEEN_REPLY, DNAT, SNAT, …: every one named is set)
  -g, --dst-nat                  --src-nat  (DNAT / SNAT entries; -n before "conntrack" names the namespace)`;

type Command = 'list' | 'delete' | 'flush' | 'count';

export interface ConntrackArgs {
  command: Command;
  filter: ConntrackFilter;
  extended: boolean;
  id: boolean;
}

const COMMANDS: Record<string, Command> = { '-L': 'list', '--dump': 'list', '-D': 'delete', '--delete': 'delete', '-F': 'flush', '--flush': 'flush', '-C': 'count', '--count': 'count' };

/** Options that take a value: the filter field each sets (ports and numbers parsed here, the rest checked by ns.conntrack). */
const VALUED: Record<string, keyof ConntrackFilter | 'family' | 'mark' | 'status' | 'output'> = {
  '-f': 'family', '--family': 'family', '-p': 'protocol', '--proto': 'protocol', '--protonum': 'protocol',
  '-s': 'src', '--src': 'src', '--orig-src': 'src', '-d': 'dst', '--dst': 'dst', '--orig-dst': 'dst',
  '-r': 'replySrc', '--reply-src': 'replySrc', '-q': 'replyDst', '--reply-dst': 'replyDst',
  '--sport': 'sport', '--orig-port-src': 'sport', '--dport': 'dport', '--orig-port-dst': 'dport',
  '--reply-port-src': 'replySport', '--reply-port-dst': 'replyDport',
  '-m': 'mark', '--mark': 'mark', '-w': 'zone', '--zone': 'zone', '-u': 'status', '--status': 'status', '-o': 'output', '--output': 'output',
};

const usage = (why: string) => new CliError(`nln conntrack: ${why}\n\n${CONNTRACK_HELP}`, 2);

/** A number as conntrack reads one: decimal or 0x hex. */
function number(option: string, text: string): number {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) throw usage(`${option} ${JSON.stringify(text)} is not a number`);
  return Number(text);
}

export function parseConntrackArgs(words: string[]): ConntrackArgs {
  let command: Command | undefined;
  const filter: Record<string, unknown> = {};
  const status: string[] = [];
  const out = { extended: false, id: false };
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (COMMANDS[w] !== undefined) {
      if (command !== undefined) throw usage(`one command at a time (${w} after another)`);
      command = COMMANDS[w];
      continue;
    }
    if (w === '-g' || w === '--dst-nat') { status.push('dnat'); continue; }
    if (w === '--src-nat') { status.push('snat'); continue; }
    const field = VALUED[w];
    if (field === undefined) throw usage(`unknown option ${JSON.stringify(w)}`);
    const v = words[++i];
    if (v === undefined) throw usage(`${w} needs a value`);
    switch (field) {
      case 'family':
        if (v !== 'ipv4' && v !== 'ipv6') throw usage(`${w} ${JSON.stringify(v)}: ipv4 or ipv6`);
        filter.family = v === 'ipv4' ? 4 : 6;
        break;
      case 'protocol': filter.protocol = /^\d+$/.test(v) ? Number(v) : v; break;
      case 'sport': case 'dport': case 'replySport': case 'replyDport': case 'zone': filter[field] = number(w, v); break;
      case 'mark': {
        const [mark, mask] = v.split('/');
        filter.mark = number(w, mark);
        if (mask !== undefined) filter.markMask = number(w, mask);
        break;
      }
      case 'status': status.push(...v.split(',')); break;
      case 'output':
        for (const o of v.split(',')) {
          if (o === 'extended') out.extended = true;
          else if (o === 'id') out.id = true;
          else throw usage(`-o ${JSON.stringify(o)}: extended or id`);
        }
        break;
      default: filter[field] = v;
    }
  }
  if (command === undefined) throw usage('no command (-L, -D, -F or -C)');
  if (status.length > 0) filter.status = status;
  if (command === 'delete' && Object.keys(filter).length === 0) throw usage('-D needs a filter (-F deletes everything)');
  return { command, filter: filter as ConntrackFilter, ...out };
}

function tupleText(t: ConntrackTuple): string {
  const parts = [`src=${t.src}`, `dst=${t.dst}`];
  if (t.sport !== undefined) parts.push(`sport=${t.sport}`, `dport=${t.dport}`);
  if (t.type !== undefined) parts.push(`type=${t.type}`, `code=${t.code}`, `id=${t.icmpId}`);
  return parts.join(' ');
}

/** One entry as `conntrack -L` prints it (`-o extended` adds the family, `-o id` the id). */
export function conntrackLine(e: ConntrackEntry, o: { extended?: boolean; id?: boolean } = {}): string {
  const parts: string[] = [];
  if (o.extended) parts.push(`${(e.family === 4 ? 'ipv4' : 'ipv6').padEnd(8)} ${e.family === 4 ? 2 : 10}`);
  parts.push(`${String(typeof e.protocol === 'string' ? e.protocol : 'unknown').padEnd(8)} ${e.protocolNumber}`, String(e.timeout));
  if (e.state !== undefined) parts.push(e.state);
  parts.push(tupleText(e.original));
  if (e.counters) parts.push(`packets=${e.counters.original.packets} bytes=${e.counters.original.bytes}`);
  if (!e.status.includes('seen_reply')) parts.push('[UNREPLIED]');
  parts.push(tupleText(e.reply));
  if (e.counters) parts.push(`packets=${e.counters.reply.packets} bytes=${e.counters.reply.bytes}`);
  if (e.status.includes('assured')) parts.push('[ASSURED]');
  parts.push(`mark=${e.mark}`);
  if (e.zone !== 0) parts.push(`zone=${e.zone}`);
  parts.push(`use=${e.use}`);
  if (o.id) parts.push(`id=${e.id}`);
  return parts.join(' ');
}

/** Runs the command; lines go to stdout, conntrack's summary to stderr. */
export async function runConntrack(ns: Netns, a: ConntrackArgs, json: boolean): Promise<void> {
  const lines = (entries: ConntrackEntry[]) => {
    if (json) console.log(JSON.stringify(entries, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
    else for (const e of entries) console.log(conntrackLine(e, a));
  };
  switch (a.command) {
    case 'list': {
      const entries = await ns.conntrack.list(a.filter);
      lines(entries);
      console.error(`nln conntrack: ${entries.length} flow entries have been shown.`);
      return;
    }
    case 'count':
      console.log(String(Object.keys(a.filter).length === 0 ? await ns.conntrack.count() : await ns.conntrack.count(a.filter)));
      return;
    case 'delete': {
      // As conntrack -D, the entries are printed; those gone before their deletion are not counted.
      const entries = await ns.conntrack.list(a.filter);
      const removed = await ns.conntrack.delete(a.filter);
      lines(entries);
      console.error(`nln conntrack: ${removed} flow entries have been deleted.`);
      return;
    }
    case 'flush':
      await ns.conntrack.flush(Object.keys(a.filter).length === 0 ? undefined : a.filter);
      console.error('nln conntrack: connection tracking table has been emptied.');
  }
}
