// Splits an iptables command line into arguments, as a shell would for quotes and backslashes,
// without running one.
export function splitArgs(line: string): string[] {
  // Most lines quote nothing: split on whitespace (a restore of 100,000 rules splits them all).
  if (!/["'\\]/.test(line)) return line.split(/\s+/).filter((a) => a !== '');
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") { quote = c; has = true; continue; }
    if (c === '\\' && i + 1 < line.length) { cur += line[++i]; has = true; continue; }
    if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
      continue;
    }
    cur += c;
    has = true;
  }
  if (quote) throw new RangeError(`iptables: unterminated ${quote} quote in ${JSON.stringify(line)}`);
  if (has) out.push(cur);
  return out;
}
