// `nln sysctl`: a namespace's net.* sysctls through ns.sysctl, read and written as sysctl(8) does
// (`KEY = VALUE` lines; KEY=VALUE writes, with or without -w).
import type { Netns } from '../netns';
import { CliError } from './cli-error';

export const SYSCTL_HELP = `usage: nln [-n NS] [-j] sysctl [--values] KEY…
       nln [-n NS] sysctl [-q] -w KEY=VALUE…
Keys are the namespace's own net.* sysctls (net.ipv4.ip_forward, net.ipv4.conf.eth0.rp_filter, …).
-n NS names the namespace, as for every nln command, before or after "sysctl"; sysctl's own -n
(values only) is --values here. -q prints nothing for a write.`;

export interface SysctlArgs {
  netns?: string;
  /** Print values only (sysctl's -n / --values). */
  values: boolean;
  quiet: boolean;
  items: Array<{ key: string; value?: string }>;
}

export function parseSysctlArgs(words: string[]): SysctlArgs {
  const out: SysctlArgs = { values: false, quiet: false, items: [] };
  let write = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '-n' || w === '--netns') {
      out.netns = words[++i];
      if (out.netns === undefined) throw new CliError('nln sysctl: -n needs a namespace name (for values only, use --values)', 2);
    } else if (w === '-w' || w === '--write') write = true;
    else if (w === '--values') out.values = true;
    else if (w === '-q' || w === '--quiet') out.quiet = true;
    else if (w.startsWith('-')) throw new CliError(`nln sysctl: unknown option "${w}"\n\n${SYSCTL_HELP}`, 2);
    else {
      const eq = w.indexOf('=');
      if (eq < 0 && write) throw new CliError(`nln sysctl: "${w}" must be of the form KEY=VALUE`, 1);
      out.items.push(eq < 0 ? { key: w } : { key: w.slice(0, eq), value: w.slice(eq + 1) });
    }
  }
  if (out.items.length === 0) {
    const hint = out.netns?.startsWith('net.') ? ` ("${out.netns}" was taken as the namespace: -n NS names it; values only is --values)` : '';
    throw new CliError(`nln sysctl: no KEY given${hint}\n\n${SYSCTL_HELP}`, 2);
  }
  return out;
}

/** Reads or writes each item in turn, printing `KEY = VALUE` as sysctl does (or JSON through print). */
export async function runSysctl(ns: Netns, a: SysctlArgs, json: boolean): Promise<void> {
  const done: Array<{ key: string; value: string }> = [];
  for (const { key, value } of a.items) {
    if (value !== undefined) await ns.sysctl.set(key, value);
    const shown = { key, value: value ?? await ns.sysctl.get(key) };
    done.push(shown);
    if (!json && !(a.quiet && value !== undefined)) console.log(a.values ? shown.value : `${key} = ${shown.value}`);
  }
  if (json) console.log(JSON.stringify(done));
}
