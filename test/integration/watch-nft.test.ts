// ns.watch({ nft: true }) and `nln monitor nft` against the real kernel: changes made by nft and
// iptables-nft (independent tools) in a namespace, checked against what nft lists, what ns.nft lists
// and what `nft monitor` prints while listening at the same time.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { NftChange, NftEvent, Netns, WatchEvent } from '../../src/index';
import { sh, waitFor, withNamespaces } from '../helpers';
import { nft, nftScript } from '../nft-oracle';
import { capture, churnLinks, ended, lines, next } from '../watch-helpers';

const nln = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

type Iter = AsyncIterator<WatchEvent>;

async function nextNft(it: Iter): Promise<NftEvent> {
  const e = await next(it, 3000);
  assert.ok(e && e.type === 'nft', `an nft event, got ${JSON.stringify(e)}`);
  return e;
}

/** A change as one short line: `add rule ip t c 3`, `add element ip t s 1.2.3.4`. */
const said = (c: NftChange) => {
  const v = c.value as { family: string; table?: string; name?: string; chain?: string; handle?: number; set?: string; element?: unknown };
  if (c.kind === 'table') return `${c.op} table ${v.family} ${v.name}`;
  if (c.kind === 'element') return `${c.op} element ${v.family} ${v.table} ${v.set} ${JSON.stringify(v.element)}`;
  if (c.kind === 'rule') return `${c.op} rule ${v.family} ${v.table} ${v.chain} ${v.handle}`;
  return `${c.op} ${c.kind} ${v.family} ${v.table} ${v.name}`;
};

/** nft's own listing as the same short lines (tables, chains, named sets, rules by handle). */
async function nftListed(ns: Netns): Promise<string[]> {
  const all = JSON.parse(await nft(ns, '-j', 'list', 'ruleset')).nftables as Array<Record<string, any>>;
  return all.flatMap((o) => {
    if (o.table) return [`add table ${o.table.family} ${o.table.name}`];
    if (o.chain) return [`add chain ${o.chain.family} ${o.chain.table} ${o.chain.name}`];
    if (o.set) return [`add set ${o.set.family} ${o.set.table} ${o.set.name}`];
    if (o.map) return [`add set ${o.map.family} ${o.map.table} ${o.map.name}`];
    if (o.rule) return [`add rule ${o.rule.family} ${o.rule.table} ${o.rule.chain} ${o.rule.handle}`];
    return [];
  }).sort();
}

const SCRIPT = `
table ip t {
  set s { type ipv4_addr; flags interval; }
  map m { type ipv4_addr : verdict; }
  chain c { type filter hook input priority 0; policy accept; }
  chain d { }
}
add rule ip t c tcp dport 22 accept
add rule ip t c ip saddr { 10.0.0.1, 10.0.0.2 } counter drop
add rule ip t c iifname "lo" accept
add element ip t s { 10.9.0.1, 10.1.0.0/16 }
add element ip t m { 10.9.0.9 : jump d }
add rule ip t c ip saddr @s drop
`;

describe('ns.watch({ nft: true })', () => {
  it('starts with the ruleset at a generation, then one event per transaction nft or iptables-nft commits, with the values ns.nft lists', async () => {
    await withNamespaces(1, async (ns) => {
      await nftScript(ns, 'table ip pre {\n set p { type inet_service; elements = { 22, 80 } }\n chain c { type filter hook input priority 0; }\n}\nadd rule ip pre c ip saddr { 10.0.0.7, 10.0.0.8 } tcp dport @p accept');
      const before = await ns.nft.generation();
      const it = ns.watch({ nft: true })[Symbol.asyncIterator]();
      try {
        assert.equal((await next(it))?.type, 'snapshot-start');
        const snap = await nextNft(it);
        assert.equal((await next(it))?.type, 'snapshot-end');
        assert.equal(snap.generation, before);
        assert.equal(snap.pid, undefined);
        // The snapshot holds what nft lists, and each value is what ns.nft lists.
        assert.deepEqual(snap.changes.filter((c) => c.kind !== 'element').map(said).sort(), await nftListed(ns));
        assert.deepEqual(snap.changes.filter((c) => c.kind === 'rule').map((c) => c.value), await ns.nft.listRules({ family: 'ip', table: 'pre' }));
        assert.deepEqual(snap.changes.filter((c) => c.kind === 'set').map((c) => c.value), await ns.nft.listSets());
        assert.deepEqual(snap.changes.filter((c) => c.kind === 'element').map((c) => (c.value as { element: unknown }).element), await ns.nft.listElements({ family: 'ip', table: 'pre', name: 'p' }));

        // One nft -f: one event, after it the generation nft reports, in the order nft made them.
        await nftScript(ns, SCRIPT);
        const made = await nextNft(it);
        assert.equal(made.generation, await ns.nft.generation());
        assert.equal(made.generation, before + 1);
        assert.equal(made.process, 'nft');
        assert.ok(made.pid! > 0);
        const rulesNow = await ns.nft.listRules({ family: 'ip', table: 't' });
        // (In the order nft sent them, which nln monitor's test checks against nft monitor.)
        assert.deepEqual(made.changes.map(said).sort(), [
          'add table ip t', 'add chain ip t c', 'add chain ip t d', 'add set ip t s', 'add element ip t s "10.9.0.1"', 'add element ip t s "10.1.0.0/16"',
          'add set ip t m', 'add element ip t m ["10.9.0.9","jump d"]', ...rulesNow.map((r) => `add rule ip t c ${r.handle}`),
        ].sort());
        assert.equal(said(made.changes[0]), 'add table ip t');
        assert.deepEqual(made.changes.filter((c) => c.kind === 'rule').map((c) => c.value), rulesNow, 'rules as listRules gives them, the inline set resolved');
        assert.deepEqual(made.changes.filter((c) => c.kind === 'chain').map((c) => c.value), await ns.nft.listChains({ family: 'ip', table: 't' }));

        // iptables-nft: its table, chain and rule in one generation, said to be iptables-nft's.
        await sh('ip', ['netns', 'exec', ns.name!, 'iptables-nft', '-A', 'INPUT', '-p', 'tcp', '--dport', '80', '-j', 'ACCEPT']);
        const ipt = await nextNft(it);
        assert.equal(ipt.generation, before + 2);
        assert.equal(ipt.process, 'iptables-nft');
        const input = await ns.nft.listRules({ family: 'ip', table: 'filter', chain: 'INPUT' });
        assert.deepEqual(ipt.changes.map(said), ['add table ip filter', 'add chain ip filter INPUT', `add rule ip filter INPUT ${input[0].handle}`]);
        assert.equal((ipt.changes[2].value as { text: string }).text, 'tcp dport 80 counter packets 0 bytes 0 accept');

        // Deletions: the rule (with its text), an element, then a whole table in one generation.
        const second = rulesNow[1];
        await nft(ns, 'delete', 'rule', 'ip', 't', 'c', 'handle', String(second.handle));
        assert.deepEqual((await nextNft(it)).changes, [{ op: 'delete', kind: 'rule', value: second }]);
        await nft(ns, 'delete', 'element', 'ip', 't', 's', '{ 10.9.0.1 }');
        assert.deepEqual((await nextNft(it)).changes.map(said), ['delete element ip t s "10.9.0.1"']);
        await nft(ns, 'delete', 'table', 'ip', 't');
        const gone = await nextNft(it);
        assert.equal(gone.generation, await ns.nft.generation());
        assert.deepEqual(gone.changes.map(said).filter((s) => !s.startsWith('delete rule')), ['delete set ip t s', 'delete set ip t m', 'delete chain ip t c', 'delete chain ip t d', 'delete table ip t']);
        assert.equal(gone.changes.filter((c) => c.kind === 'rule').length, rulesNow.length - 1);

        // return() while a read waits for the kernel ends the stream.
        const waiting = it.next();
        await it.return!();
        assert.equal((await waiting).done, true);
      } finally {
        await it.return!();
      }
    });
  });

  it('a snapshot taken while nft commits: every later generation once, none it already holds, the picture nft ends with', async () => {
    await withNamespaces(1, async (ns) => {
      await nftScript(ns, 'table ip t {\n set s { type ipv4_addr; }\n}');
      // 60 transactions, one element each, running while the watch starts.
      const adds = Array.from({ length: 60 }, (_, i) => `nft add element ip t s '{ 10.0.${i >> 8}.${i & 255} }'`).join('; ');
      const running = sh('ip', ['netns', 'exec', ns.name!, 'sh', '-c', adds]);
      await waitFor('nft to be committing', async () => (await ns.nft.listElements({ family: 'ip', table: 't', name: 's' })).length >= 5);
      const it = ns.watch({ nft: true })[Symbol.asyncIterator]();
      try {
        assert.equal((await next(it))?.type, 'snapshot-start');
        const snap = await nextNft(it);
        assert.equal((await next(it))?.type, 'snapshot-end');
        await running;
        assert.ok(snap.changes.length > 5 && snap.changes.length < 62, `the snapshot fell among the commits (${snap.changes.length} changes)`);
        const last = await ns.nft.generation();
        const elements = new Set(snap.changes.filter((c) => c.kind === 'element').map((c) => (c.value as { element: string }).element));
        let generation = snap.generation;
        while (generation < last) {
          const e = await nextNft(it);
          assert.equal(e.generation, generation + 1, 'the next generation, none dropped, none repeated');
          generation = e.generation;
          for (const c of e.changes) {
            const v = (c.value as { element: string }).element;
            assert.ok(!elements.has(v), `${v} announced again after the snapshot held it`);
            elements.add(v);
          }
        }
        assert.deepEqual([...elements].sort(), (await ns.nft.listElements({ family: 'ip', table: 't', name: 's' })).map(String).sort());
        assert.equal(elements.size, 60);
        assert.equal(await next(it, 300), undefined, 'nothing after the last generation');
      } finally {
        await it.return!(); // also when an assertion failed: the subscription ends before the namespace goes
      }
    });
  });

  it('refuses nft set to anything but true, before subscribing', async () => {
    await withNamespaces(1, async (ns) => {
      assert.throws(() => ns.watch({ nft: false as unknown as true }), (e: Error) => e instanceof TypeError && /what\.nft/.test(e.message));
    });
  });

  it('watches nft and links in one stream: one snapshot of both, then the events of each as they come', async () => {
    await withNamespaces(1, async (ns) => {
      await sh('ip', ['-n', ns.name!, 'link', 'add', 'm0', 'type', 'veth', 'peer', 'name', 'm1']);
      await sh('ip', ['netns', 'exec', ns.name!, 'nft', 'add table ip before']);
      const it = ns.watch({ links: true, nft: true })[Symbol.asyncIterator]();
      const snapshot: WatchEvent[] = [];
      for (let r = await it.next(); !r.done; r = await it.next()) {
        snapshot.push(r.value);
        if (r.value.type === 'snapshot-end') break;
      }
      assert.equal(snapshot[0].type, 'snapshot-start');
      assert.equal(snapshot.filter((e) => e.type === 'snapshot-start' || e.type === 'snapshot-end').length, 2, 'one snapshot for both');
      assert.deepEqual(snapshot.filter((e) => e.type === 'added').map((e) => (e as { value: { name: string } }).value.name).sort(), ['lo', 'm0', 'm1']);
      const tables = snapshot.filter((e) => e.type === 'nft').flatMap((e) => (e as { changes: Array<{ kind: string; value: { name: string } }> }).changes.filter((c) => c.kind === 'table').map((c) => c.value.name));
      assert.deepEqual(tables, ['before']);
      await sh('ip', ['netns', 'exec', ns.name!, 'nft', 'add table ip after']);
      await sh('ip', ['-n', ns.name!, 'link', 'set', 'm0', 'mtu', '1400']);
      const seen: WatchEvent[] = [];
      while (!(seen.some((e) => e.type === 'nft') && seen.some((e) => e.type === 'changed'))) {
        const r = await it.next();
        assert.ok(!r.done);
        seen.push(r.value);
      }
      assert.deepEqual((seen.find((e) => e.type === 'nft') as { changes: Array<{ op: string; kind: string; value: { name: string } }> }).changes.map((c) => `${c.op} ${c.kind} ${c.value.name}`), ['add table after']);
      assert.equal((seen.find((e) => e.type === 'changed') as { value: { name: string; mtu: number } }).value.mtu, 1400);
      await it.return!();
    });
  });

  it('in one stream with links, an overflow of either part starts both over: resync, then one snapshot of both', async () => {
    await withNamespaces(1, async (ns) => {
      await sh('ip', ['netns', 'exec', ns.name!, 'nft', 'add table ip kept']);
      const it = ns.watch({ links: true, nft: true })[Symbol.asyncIterator]();
      for (let r = await it.next(); !r.done && r.value.type !== 'snapshot-end'; r = await it.next()) { /* the first snapshot */ }
      // 2,500 veth pairs made and set up while nothing reads: the links part overflows.
      await churnLinks(ns.name!);
      const after: WatchEvent[] = [];
      for (let r = await it.next(); !r.done; r = await it.next()) {
        after.push(r.value);
        if (r.value.type === 'snapshot-end') break;
      }
      const at = after.findIndex((e) => e.type === 'resync');
      assert.ok(at >= 0, 'the overflow was said');
      assert.equal(after[at + 1]?.type, 'snapshot-start');
      const again = after.slice(at + 1);
      assert.equal(again.filter((e) => e.type === 'added').length, 5001, 'every link in the new snapshot');
      const tables = again.filter((e) => e.type === 'nft').flatMap((e) => (e as { changes: Array<{ kind: string; value: { name: string } }> }).changes.filter((c) => c.kind === 'table').map((c) => c.value.name));
      assert.deepEqual(tables, ['kept'], "the nft part's picture is given again too");
      await it.return!();
    });
  });
});

/** The generation of the last complete transaction printed, or -1. */
const lastGeneration = (text: string) => Number(/# new generation (\d+) by process \d+ \([^)]*\)\n$/.exec(text)?.[1] ?? -1);

describe('nln monitor nft', () => {
  it('prints the lines nft monitor prints, and -j one JSON event per generation', async () => {
    await withNamespaces(1, async (ns) => {
      const n = ns.name!;
      const theirs = capture('ip', ['netns', 'exec', n, 'nft', 'monitor']);
      const ours = capture(process.execPath, [nln, '-n', n, 'monitor', 'nft']);
      const json = capture(process.execPath, [nln, '-n', n, '-j', 'monitor', 'nft']);
      const all = [theirs, ours, json];
      let from = [0, 0, 0];
      try {
        // All listening once each has printed the same marker transaction (made again until they have).
        await waitFor('the monitors to listen', async () => {
          await nft(ns, 'add table ip marker; delete table ip marker');
          const g = await ns.nft.generation();
          await new Promise((r) => setTimeout(r, 100));
          return lastGeneration(theirs.out()) === g && lastGeneration(ours.out()) === g && json.out().includes(`"generation":${g},`);
        }, 20000);
        from = all.map((c) => c.out().length);
        await nftScript(ns, SCRIPT);
        await nft(ns, 'delete', 'rule', 'ip', 't', 'c', 'handle', String((await ns.nft.listRules({ family: 'ip', table: 't', chain: 'c' }))[1].handle));
        await nft(ns, 'delete', 'element', 'ip', 't', 's', '{ 10.9.0.1 }');
        await sh('ip', ['netns', 'exec', n, 'iptables-nft', '-A', 'INPUT', '-p', 'tcp', '--dport', '80', '-j', 'ACCEPT']);
        await nftScript(ns, [
          'add chain ip t n { type nat hook prerouting priority -90; }', 'add chain ip t o { type nat hook postrouting priority 100; }',
          'add set ip t tm { type ipv4_addr . inet_service; flags timeout; timeout 90s; }', 'insert rule ip t c meta mark 0x10 counter comment "hi"',
          'add rule ip t n tcp dport 80 dnat to 10.0.0.2:8080', 'add rule ip t o oifname "lo" masquerade', 'add rule ip t c index 0 udp dport 53 accept',
        ].join('\n'));
        // Elements' own timeouts and time left (ms too), in a set with and without a default, a map, a deletion.
        await nftScript(ns, [
          'add set ip t u { type ipv4_addr; flags timeout; }', 'add map ip t tmap { type ipv4_addr : inet_service; timeout 1h; }',
          'add element ip t tm { 1.2.3.4 . 80, 5.6.7.8 . 443 timeout 1m expires 20s }', 'add element ip t u { 1.2.3.5 timeout 2h3m4s500ms, 1.2.3.6 }',
          'add element ip t tmap { 1.2.3.7 timeout 10s : 80, 1.2.3.8 : 443 }',
        ].join('\n'));
        await nft(ns, 'delete', 'element', 'ip', 't', 'tm', '{ 1.2.3.4 . 80 }');
        await nft(ns, 'delete', 'table', 'ip', 't');
        await sh('ip', ['netns', 'exec', n, 'iptables-nft', '-F']);
        await sh('ip', ['netns', 'exec', n, 'iptables-nft', '-t', 'nat', '-A', 'PREROUTING', '-p', 'tcp', '--dport', '8080', '-m', 'comment', '--comment', 'web', '-j', 'DNAT', '--to-destination', '10.0.0.2:80']);
        await nftScript(ns, [
          'add table inet x', 'add chain inet x c { type filter hook forward priority filter - 5; policy drop; }', 'add rule inet x c ct state established,related accept',
          'add table netdev n', 'add chain netdev n i { type filter hook ingress device "lo" priority 0; }', 'delete table inet x',
        ].join('\n'));
        const g = await ns.nft.generation();
        await waitFor('the monitors to print the last change', () => lastGeneration(theirs.out()) === g && lastGeneration(ours.out()) === g && json.out().includes(`"generation":${g},`));
      } finally {
        for (const c of all) c.child.kill('SIGINT');
        await Promise.all(all.map((c) => ended(c.child)));
      }
      assert.equal(ours.child.exitCode, 0, 'nln monitor nft ends cleanly on SIGINT');
      const [mine, nfts] = [lines(ours.out().slice(from[1])), lines(theirs.out().slice(from[0]))];
      assert.ok(nfts.length > 30, nfts.join('\n'));
      assert.deepEqual(mine, nfts);
      // -j: one event per generation nft monitor printed, with as many changes as it printed lines (an inline set's creation aside).
      const events = lines(json.out().slice(from[2])).map((l) => JSON.parse(l) as NftEvent);
      const generations = nfts.filter((l) => l.startsWith('# new generation')).map((l) => Number(l.split(' ')[3]));
      assert.deepEqual(events.map((e) => e.generation), generations);
      assert.ok(events.every((e) => e.type === 'nft' && e.changes.length > 0));
    });
  });
});
