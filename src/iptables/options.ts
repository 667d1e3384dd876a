// Values in iptables arguments: checked as iptables checks them, printed as iptables-nft -S prints them.

export const fail = (option: string, why: string) => new RangeError(`iptables: ${option}: ${why}`);

export function checkPorts(option: string, v: string): [number, number] {
  const m = /^(\d+)(?::(\d+))?$/.exec(v);
  if (!m) throw fail(option, `${JSON.stringify(v)} is not a port or range (80, 1000:2000)`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  for (const p of [lo, hi]) if (p > 65535) throw fail(option, `port ${p} is out of range (0–65535)`);
  if (lo > hi) throw fail(option, `range ${JSON.stringify(v)} ends before it starts`);
  return [lo, hi];
}

/** A port or range as iptables prints it: "80:80" is "80". */
export function portText(option: string, v: string): string {
  const [lo, hi] = checkPorts(option, v);
  return lo === hi ? String(lo) : `${lo}:${hi}`;
}

export function checkIface(option: string, v: string): string {
  if (v === '' || Buffer.byteLength(v) > 15 || /[\s/:]/.test(v)) throw fail(option, `${JSON.stringify(v)} is not an interface name (a trailing + matches a prefix)`);
  return v;
}

/** A 32-bit number, decimal or 0x hex. */
export function num(option: string, s: string, max = 0xffffffff): number {
  const n = /^(0x[0-9a-f]+|\d+)$/i.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > max) throw fail(option, `${JSON.stringify(s)} is not a number from 0 to ${max}`);
  return n;
}

/** VALUE[/MASK], the mask all ones when absent. */
export function markMask(option: string, v: string): [number, number | undefined] {
  const [mk, mask, extra] = v.split('/');
  if (extra !== undefined) throw fail(option, `${JSON.stringify(v)} is not VALUE[/MASK]`);
  return [num(option, mk), mask === undefined ? undefined : num(option, mask)];
}

/** Comma-separated names from a table, upper-cased, each checked. */
export function namesIn(option: string, v: string, table: Record<string, number>, extra: string[] = []): string[] {
  const names = v.split(',').map((s) => s.toUpperCase());
  for (const s of names) if (!(s in table) && !extra.includes(s)) throw fail(option, `${JSON.stringify(s)} is not one of ${[...Object.keys(table), ...extra].join(', ')}`);
  return names;
}

export const bang = (n: boolean | undefined) => (n ? '! ' : '');
/** libxtables' xtables_save_string: bare when only [A-Za-z0-9_-], else double-quoted with escapes. */
export const saveString = (v: string) => (/^[A-Za-z0-9_-]+$/.test(v) ? v : `"${v.replace(/(["\\'])/g, '\\$1')}"`);
export const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;
