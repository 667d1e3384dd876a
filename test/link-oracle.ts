// Comparing links with what `ip -j -d link show` says, and capturing the requests `ip` sends.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Link, Netns } from '../src/index';
import { ipJson } from './helpers';

/** Asserts that our Link says what `ip -j -d link show` says about the same link. */
export function assertSameAsIp(ours: Link, ip: any, all: Link[]): void {
  const where = `link ${ip.ifname}`;
  assert.equal(ours.index, ip.ifindex, where);
  assert.equal(ours.name, ip.ifname, where);
  assert.equal(ours.mtu, ip.mtu, where);
  assert.equal(ours.qdisc, ip.qdisc, where);
  assert.equal(ours.mac, ip.address, where);
  assert.equal(ours.broadcast, ip.broadcast, where);
  // ip adds "M-DOWN" when a link's parent in the same namespace is down: derived by ip from the
  // parent's flags, not a flag of this link, so it is not part of Link.flags.
  assert.deepEqual(ours.flags, ip.flags.filter((f: string) => f !== 'M-DOWN'), where);
  assert.equal(ours.operState, ip.operstate, where);
  assert.equal(ours.group, ip.group === 'default' ? 0 : Number(ip.group), where);
  assert.equal(ours.txqueuelen, ip.txqlen, where);
  assert.equal(ours.kind, ip.linkinfo?.info_kind, where);
  assert.equal(ours.alias, ip.ifalias, where);
  assert.equal(ours.minMtu, ip.min_mtu, where);
  assert.equal(ours.maxMtu, ip.max_mtu, where);
  assert.equal(ours.linkNetnsId, ip.link_netnsid, where);
  assert.equal(ours.portKind, ip.linkinfo?.info_slave_kind, where);
  const nameOf = (index: number | undefined) => (index === undefined ? undefined : all.find((l) => l.index === index)?.name);
  assert.equal(nameOf(ours.master), ip.master, where);
  // The peer or parent: ip names it when it is in the same namespace, else gives its index.
  if (ip.link_index !== undefined) assert.equal(ours.peerIndex ?? ours.parent, ip.link_index, where);
  if (typeof ip.link === 'string') assert.equal(nameOf(ours.peerIndex ?? ours.parent), ip.link, where);
  if (ip.linkinfo?.info_data) assertInfoSameAsIp(ours, ip.linkinfo.info_data, nameOf, where);
}

/** Kind data: ip prints some values its own way (names for indexes, "0x10" for a tos, …). */
function assertInfoSameAsIp(ours: Link, ipData: Record<string, unknown>, nameOf: (i: number | undefined) => string | undefined, where: string): void {
  const info = ours.info ?? {};
  for (const [key, ipValue] of Object.entries(ipData)) {
    let mine: unknown = info[key];
    let theirs: unknown = ipValue;
    if (key === 'link') mine = nameOf(mine as number);
    if (key === 'tos' && theirs === 'inherit') theirs = 1;
    if (key === 'df') theirs = ({ unset: 0, set: 1, inherit: 2 } as Record<string, number>)[theirs as string];
    if (key === 'ttl' && theirs === 'auto') theirs = 0;
    if (ours.kind === 'bridge' && /_timer$/.test(key)) continue; // ticking clocks: they differ by the time between reads
    if (typeof theirs === 'boolean' && typeof mine === 'number') mine = mine !== 0;
    // ip prints some numbers as hex strings ("0x10", "0x0") or, for tun owners, as strings.
    if (typeof theirs === 'string' && typeof mine === 'number' && /^(0x[0-9a-f]+|\d+)$/i.test(theirs)) theirs = Number(theirs);
    assert.deepEqual(mine, theirs, `${where}: info.${key}`);
  }
}

export async function assertNamespaceMatchesIp(ns: Netns): Promise<Link[]> {
  // Link state settles asynchronously (the kernel's linkwatch work sets operstate and carrier a
  // moment after a change): compare only a state that ip saw the same before and after our read.
  let ours: Link[] = [];
  let ip: any[] = [];
  const state = (links: any[]) => JSON.stringify(links, (k, v) => (k.endsWith('_timer') ? undefined : v)); // bridge timers tick
  for (let attempt = 0; attempt < 20; attempt++) {
    const before = state(await ipJson(ns.name, ['-d', 'link', 'show']));
    ours = await ns.links.list();
    ip = await ipJson(ns.name, ['-d', 'link', 'show']);
    if (state(ip) === before) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(ours.map((l) => l.name), ip.map((l) => l.ifname));
  for (const l of ip) assertSameAsIp(ours.find((o) => o.name === l.ifname)!, l, ours);
  return ours;
}

/** Whether a message is an RTM_NEWLINK that creates (NLM_F_CREATE): what `ip link add` sends. */
export const isNewlinkCreate = (m: Buffer) => m.length >= 16 && m.readUInt16LE(4) === 16 && (m.readUInt16LE(6) & 0x400) !== 0;

/**
 * The RTM_NEWLINK request `ip ARGS` sends, as strace shows it (`-e write=all` dumps each sendmsg's
 * bytes). The command may fail (a kernel without the kind): only the request matters.
 */
export async function captureIpNewlink(args: string[]): Promise<Buffer> {
  const { messages } = await captureNetlink(['ip', ...args]);
  const request = messages.find(isNewlinkCreate);
  assert.ok(request, `no RTM_NEWLINK create request in: ip ${args.join(' ')}`);
  return request;
}

const libraryIndex = path.resolve(__dirname, '../src/index.js');

/**
 * Runs `body` (an async function's text that sees the package's exports as `lib`) in a fresh Node
 * process under strace: every netlink message the process sent, and what the body returned (or the
 * error it threw, as { error: { name, code, errno, operation, message } }), as JSON.
 */
export async function captureLibraryNetlink(body: string): Promise<{ messages: Buffer[]; result: any }> {
  const script = `const lib = require(${JSON.stringify(libraryIndex)});
    (async () => { ${body} })().then((r) => r, (e) => ({ error: { name: e.name, code: e.code, errno: e.errno, operation: e.operation, message: e.message } }))
      .then((r) => { process.stdout.write(JSON.stringify(r ?? null)); process.exit(0); });`;
  const { messages, stdout, status } = await captureNetlink([process.execPath, '-e', script]);
  assert.equal(status, 0, `the traced node process failed: ${stdout}`);
  return { messages, result: JSON.parse(stdout) };
}

/**
 * Every netlink message a command sends, split out of its sendmsg buffers as strace dumps them,
 * with sequence numbers zeroed (they differ from run to run); and the command's exit status and
 * stdout. The command may fail (its request is what counts); strace itself must work.
 */
export async function captureNetlink(command: string[]): Promise<{ messages: Buffer[]; status: number; stdout: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlnt-strace-'));
  const traceFile = path.join(dir, 'trace');
  let status: number;
  let stdout: string;
  let trace: string;
  try {
    const r = spawnSync('strace', ['-f', '-qq', '-o', traceFile, '-xx', '-e', 'trace=sendmsg', '-e', 'write=all', ...command], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.error) throw r.error;
    assert.ok(fs.existsSync(traceFile), `strace did not run ${command.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /^strace: /m, `strace failed on ${command.join(' ')}`);
    status = r.status ?? -1;
    stdout = r.stdout;
    trace = fs.readFileSync(traceFile, 'utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { messages: netlinkMessages(trace), status, stdout };
}

/** The netlink messages in strace's `-e write=all` hex dumps. */
function netlinkMessages(trace: string): Buffer[] {
  const dumps: Buffer[] = [];
  let current: number[] | undefined;
  for (const line of trace.split('\n')) {
    // With -o and -f, every line starts with the thread id.
    const body = line.replace(/^\d+ /, '');
    if (/^ \* \d+ bytes in buffer/.test(body)) {
      current = [];
      dumps.push(Buffer.alloc(0));
      continue;
    }
    // " | 00000  38 00 00 00 10 00 05 06  13 cf 09 6b 00 00 00 00  8..........k.... |": 49 columns of hex.
    const m = /^ \| [0-9a-f]{5}  (.{1,49})/.exec(body);
    if (m && current) {
      current.push(...(m[1].match(/[0-9a-f]{2}/g) ?? []).map((h) => parseInt(h, 16)));
      dumps[dumps.length - 1] = Buffer.from(current);
    }
  }
  const messages: Buffer[] = [];
  for (const d of dumps) {
    for (let off = 0; off + 16 <= d.length;) {
      const len = d.readUInt32LE(off);
      if (len < 16 || off + len > d.length) break;
      const m = Buffer.from(d.subarray(off, off + len));
      m.writeUInt32LE(0, 8);
      messages.push(m);
      off += (len + 3) & ~3;
    }
  }
  return messages;
}
