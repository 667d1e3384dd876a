// iproute2's number <-> name tables: route tables (with /etc/iproute2/rt_tables), protocols, types.
import { promises as fsp } from 'node:fs';

export const ROUTE_PROTOCOLS: Record<string, number> = {
  redirect: 1, kernel: 2, boot: 3, static: 4, gated: 8, ra: 9, mrt: 10, zebra: 11, bird: 12, dnrouted: 13,
  xorp: 14, ntk: 15, dhcp: 16, keepalived: 18, babel: 42, openr: 99, bgp: 186, isis: 187, ospf: 188, rip: 189, eigrp: 192,
};

export const ROUTE_TYPES: Record<string, number> = {
  unspec: 0, unicast: 1, local: 2, broadcast: 3, anycast: 4, multicast: 5, blackhole: 6, unreachable: 7,
  prohibit: 8, throw: 9, nat: 10,
};

const BUILTIN_TABLES: Record<string, number> = { unspec: 0, default: 253, main: 254, local: 255 };
let tables: Promise<Record<string, number>> | undefined;

/** Table names: the built-in ones, and /etc/iproute2/rt_tables (plus rt_tables.d) when present. */
export function tableNames(): Promise<Record<string, number>> {
  tables ??= (async () => {
    const out = { ...BUILTIN_TABLES };
    const files = ['/etc/iproute2/rt_tables'];
    try {
      for (const f of await fsp.readdir('/etc/iproute2/rt_tables.d')) if (f.endsWith('.conf')) files.push(`/etc/iproute2/rt_tables.d/${f}`);
    } catch { /* no such directory */ }
    for (const file of files) {
      let text = '';
      try {
        text = await fsp.readFile(file, 'utf8');
      } catch { continue; }
      for (const line of text.split('\n')) {
        const m = /^\s*(\d+)\s+(\S+)/.exec(line);
        if (m) out[m[2]] = Number(m[1]);
      }
    }
    return out;
  })();
  return tables;
}

export const nameOf = (table: Record<string, number>, n: number): string =>
  Object.keys(table).find((k) => table[k] === n) ?? String(n);
