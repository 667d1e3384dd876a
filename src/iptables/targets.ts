// iptables targets (-j NAME and its options): parsed as iptables parses them, printed as
// iptables-nft -S prints them. A name that is no target here is a user chain.
import { fail, hex, markMask, num, saveString } from './options';
import type { IptTarget } from './types';
import { REJECT6_WITH, REJECT_WITH } from './xt-targets';

type Arity = 0 | 1;
/** Each target's options: a flag (0) or an option with a value (1). */
const OPTIONS: Record<string, Record<string, Arity>> = {
  ACCEPT: {}, DROP: {}, RETURN: {}, NOTRACK: {},
  DNAT: { '--to-destination': 1, '--random': 0, '--persistent': 0 },
  SNAT: { '--to-source': 1, '--random': 0, '--random-fully': 0, '--persistent': 0 },
  MASQUERADE: { '--to-ports': 1, '--random': 0, '--random-fully': 0 },
  REDIRECT: { '--to-ports': 1, '--random': 0 },
  MARK: { '--set-xmark': 1, '--set-mark': 1, '--or-mark': 1, '--xor-mark': 1, '--and-mark': 1 },
  CONNMARK: { '--set-xmark': 1, '--set-mark': 1, '--or-mark': 1, '--xor-mark': 1, '--and-mark': 1, '--save-mark': 0, '--restore-mark': 0, '--nfmask': 1, '--ctmask': 1, '--mask': 1 },
  CT: { '--notrack': 0, '--zone': 1 },
  TCPMSS: { '--clamp-mss-to-pmtu': 0, '--set-mss': 1 },
  LOG: { '--log-prefix': 1, '--log-level': 1 },
  REJECT: { '--reject-with': 1 },
};

/** MARK-style value/mask options as the xor/mask pair iptables stores (libxt_MARK and libxt_CONNMARK). */
function xmark(option: string, v: string): [number, number] {
  const [value, mask] = markMask(option, v);
  switch (option) {
    case '--set-xmark': return [value, mask ?? 0xffffffff];
    case '--set-mark': return [value, ((mask ?? 0xffffffff) | value) >>> 0];
    case '--or-mark': return [value, value];
    case '--xor-mark': return [value, 0];
    default: return [0, ~value >>> 0]; // --and-mark
  }
}
const XMARK = ['--set-xmark', '--set-mark', '--or-mark', '--xor-mark', '--and-mark'];

/** -j NAME and the arguments after it (all of them: the target comes last). */
export function parseTarget(jump: string, name: string, rest: string[]): IptTarget {
  const spec = OPTIONS[name] ?? {};
  const o: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const arity = spec[rest[i]];
    if (arity === undefined) throw fail(rest[i], rest[i].startsWith('-') && !(name in OPTIONS) ? `unexpected after -j ${name}` : `is not an option of ${name}`);
    if (arity === 1 && rest[i + 1] === undefined) throw fail(rest[i], 'needs a value');
    if (rest[i] in o) throw fail(rest[i], `given twice to ${name}`);
    o[rest[i]] = arity === 1 ? rest[++i] : '';
  }
  const has = (k: string) => k in o;
  const flags = () => ({ ...(has('--random') ? { random: true } : {}), ...(has('--random-fully') ? { randomFully: true } : {}), ...(has('--persistent') ? { persistent: true } : {}) });
  const one = (keys: string[], what: string) => {
    const given = keys.filter(has);
    if (given.length !== 1) throw fail(`-j ${name}`, `needs one of ${keys.join(', ')}${what}`);
    return given[0];
  };
  if (jump === '-g' || jump === '--goto') {
    if (rest.length) throw fail(rest[0], `unexpected after -g ${name}`);
    return { name: 'goto', chain: name };
  }
  switch (name) {
    case 'ACCEPT': case 'DROP': case 'RETURN': case 'NOTRACK': return { name };
    case 'DNAT': if (!o['--to-destination']) throw fail('-j DNAT', 'needs --to-destination'); return { name, toDestination: o['--to-destination'], ...flags() };
    case 'SNAT': if (!o['--to-source']) throw fail('-j SNAT', 'needs --to-source'); return { name, toSource: o['--to-source'], ...flags() };
    case 'MASQUERADE': case 'REDIRECT': return { name, ...(o['--to-ports'] ? { toPorts: o['--to-ports'] } : {}), ...flags() };
    case 'MARK': { const k = one(XMARK, ''); return { name, setXmark: xmark(k, o[k]) }; }
    case 'CONNMARK': {
      const k = one([...XMARK, '--save-mark', '--restore-mark'], '');
      if (XMARK.includes(k)) {
        for (const m of ['--nfmask', '--ctmask', '--mask']) if (has(m)) throw fail(m, `is for --save-mark and --restore-mark, not ${k}`);
        const [ctmark, ctmask] = xmark(k, o[k]);
        return { name, mode: 'set', ctmark, ctmask, nfmask: 0xffffffff };
      }
      const mask = has('--mask') ? num('--mask', o['--mask']) : 0xffffffff;
      return { name, mode: k === '--save-mark' ? 'save' : 'restore', nfmask: has('--nfmask') ? num('--nfmask', o['--nfmask']) : mask, ctmask: has('--ctmask') ? num('--ctmask', o['--ctmask']) : mask, ctmark: 0 };
    }
    case 'CT': {
      if (!has('--notrack') && !has('--zone')) throw fail('-j CT', 'needs --notrack or --zone (the others are not supported)');
      return { name, ...(has('--notrack') ? { notrack: true } : {}), ...(has('--zone') ? { zone: num('--zone', o['--zone'], 0xffff) } : {}) };
    }
    case 'TCPMSS': {
      const k = one(['--clamp-mss-to-pmtu', '--set-mss'], '');
      return { name, mss: k === '--set-mss' ? num('--set-mss', o['--set-mss'], 0xfffe) : 'clamp' };
    }
    case 'LOG': {
      const t: IptTarget = { name };
      if (o['--log-prefix'] !== undefined) t.prefix = o['--log-prefix'];
      if (o['--log-level'] !== undefined) t.level = num('--log-level', o['--log-level'], 7);
      return t;
    }
    case 'REJECT': {
      const w = o['--reject-with'];
      if (w !== undefined && ![...REJECT_WITH, ...REJECT6_WITH].includes(w)) throw fail('--reject-with', `${JSON.stringify(w)} is not one of ${[...REJECT_WITH, ...REJECT6_WITH].join(', ')}`);
      return w ? { name, with: w } : { name };
    }
    default:
      // Any other name is a user chain (the kernel refuses a jump to one that does not exist).
      if (rest.length) throw fail(rest[0], `unexpected after -j ${name}`);
      return { name: 'jump', chain: name };
  }
}

const natFlags = (t: { random?: boolean; randomFully?: boolean; persistent?: boolean }) => `${t.random ? ' --random' : ''}${t.randomFully ? ' --random-fully' : ''}${t.persistent ? ' --persistent' : ''}`;

/** The text `iptables-nft -S` prints for a target: "-j NAME OPTIONS". */
export function formatTarget(t: IptTarget): string {
  switch (t.name) {
    case 'jump': return `-j ${t.chain}`;
    case 'goto': return `-g ${t.chain}`;
    case 'DNAT': return `-j DNAT --to-destination ${t.toDestination}${natFlags(t)}`;
    case 'SNAT': return `-j SNAT --to-source ${t.toSource}${natFlags(t)}`;
    case 'MASQUERADE': case 'REDIRECT': return `-j ${t.name}${t.toPorts ? ` --to-ports ${t.toPorts}` : ''}${natFlags(t)}`;
    case 'MARK': return `-j MARK --set-xmark ${hex(t.setXmark[0])}/${hex(t.setXmark[1])}`;
    case 'CONNMARK': return t.mode === 'set'
      ? `-j CONNMARK --set-xmark ${hex(t.ctmark)}/${hex(t.ctmask)}`
      : `-j CONNMARK --${t.mode}-mark --nfmask ${hex(t.nfmask)} --ctmask ${hex(t.ctmask)}`;
    case 'CT': return `-j CT${t.notrack ? ' --notrack' : ''}${t.zone ? ` --zone ${t.zone}` : ''}`;
    case 'TCPMSS': return `-j TCPMSS ${t.mss === 'clamp' ? '--clamp-mss-to-pmtu' : `--set-mss ${t.mss}`}`;
    case 'LOG': return `-j LOG${t.prefix !== undefined ? ` --log-prefix ${saveString(t.prefix)}` : ''}${t.level !== undefined && t.level !== 4 ? ` --log-level ${t.level}` : ''}`;
    case 'REJECT': return `-j REJECT --reject-with ${t.with ?? 'icmp-port-unreachable'}`;
    default: return `-j ${t.name}`;
  }
}
