// nftables beyond the ip family and the five typed rules: ip6, inet and bridge tables; every key the
// typed rule form takes; the nft.apply commands one by one, with deletes. The oracle each time: the
// same thing done by `nft -f` in a twin namespace, and nft's own listing of both (text and JSON).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NetlinkError, type Netns, type NftRuleSpec } from '../../src/index';
import { withNamespaces } from '../helpers';
import { nft, nftChainRules, nftScript, SCAFFOLD } from '../nft-oracle';

/** nft -j's listing without handles (they may differ between namespaces made by different writers). */
const json = async (ns: Netns) => JSON.stringify(JSON.parse(await nft(ns, '-j', 'list', 'ruleset')).nftables.filter((o: any) => !o.metainfo), (k, v) => (k === 'handle' ? undefined : v));
/** The same ruleset written by the library (`mine`) and by nft (`theirs`): nft lists both the same. */
async function assertSameAsNft(mine: Netns, theirs: Netns, what: string): Promise<void> {
  assert.equal(await nft(mine, 'list', 'ruleset'), await nft(theirs, 'list', 'ruleset'), `${what}: nft list ruleset`);
  assert.equal(await json(mine), await json(theirs), `${what}: nft -j list ruleset`);
}

/** Per family: its table as nft text, and the rules (chain, text as nft lists it). */
const FAMILIES: Array<{ family: 'ip6' | 'inet' | 'bridge'; chains: string; rules: Array<[string, string]> }> = [
  {
    family: 'ip6',
    chains: `set blocked { type ipv6_addr; flags interval; elements = { 2001:db8:dead::/48 } }
      chain input { type filter hook input priority filter; policy accept; }
      chain post { type nat hook postrouting priority srcnat; policy accept; }
      chain pre { type nat hook prerouting priority dstnat; policy accept; }`,
    rules: [
      ['input', 'ip6 saddr 2001:db8::/32 accept'],
      ['input', 'ip6 daddr 2001:db8::1 tcp dport 22 accept'],
      ['input', 'ip6 saddr { 2001:db8::1, 2001:db8::2 } drop'],
      ['input', 'ip6 saddr != 2001:db8:1::/48 udp dport { 53, 5353 } counter packets 0 bytes 0 accept'],
      ['input', 'ip6 saddr @blocked drop'],
      ['input', 'ct state established,related accept'],
      ['input', 'iifname "veth*" meta mark 0x00000007 accept'],
      ['input', 'meta l4proto udp accept'],
      ['post', 'oifname "eth0" masquerade'],
      ['pre', 'ip6 daddr 2001:db8::1 tcp dport 80 redirect to :8080'],
    ],
  },
  {
    family: 'inet',
    chains: `set v4 { type ipv4_addr; elements = { 10.0.0.1 } }
      set v6 { type ipv6_addr; elements = { 2001:db8::1 } }
      chain input { type filter hook input priority filter; policy drop; }
      chain forward { type filter hook forward priority filter; policy accept; }
      chain post { type nat hook postrouting priority srcnat; policy accept; }`,
    rules: [
      ['input', 'ct state established,related accept'],
      ['input', 'iif "lo" accept'],
      ['input', 'ip saddr 10.0.0.0/8 tcp dport 22 accept'],
      ['input', 'ip6 saddr 2001:db8::/32 tcp dport 22 accept'],
      ['input', 'ip saddr @v4 drop'],
      ['input', 'ip6 saddr @v6 drop'],
      ['input', 'udp dport 53 accept'],
      ['input', 'tcp dport vmap { 80 : accept, 443 : accept }'],
      ['input', 'fib daddr type local accept'],
      ['forward', 'iifname "br0" oifname "eth0" accept'],
      ['forward', 'ct mark 0x00000001 meta mark set 0x00000002'],
      ['post', 'ip saddr 10.0.0.0/16 oifname "eth0" masquerade'],
    ],
  },
  {
    family: 'bridge',
    chains: 'chain forward { type filter hook forward priority filter; policy accept; }',
    rules: [
      ['forward', 'iifname "veth0" oifname "veth1" drop'],
      ['forward', 'meta mark 0x00000007 accept'],
      ['forward', 'ip saddr 10.0.0.1 drop'],
      ['forward', 'ip6 daddr 2001:db8::1 drop'],
      ['forward', 'tcp dport 22 accept'],
      ['forward', 'udp sport { 67, 68 } counter packets 0 bytes 0 drop'],
    ],
  },
];

describe('nftables in the ip6, inet and bridge families', () => {
  for (const { family, chains, rules } of FAMILIES) {
    it(`${family}: rules written by the library list as nft lists them, and as the same rules written by nft -f`, async () => {
      await withNamespaces(2, async (mine, theirs) => {
        const table = `table ${family} t {\n${chains}\n}`;
        await mine.nft.apply(table);
        await mine.nft.transaction((tx) => { for (const [chain, rule] of rules) tx.addRule({ family, table: 't', chain, rule }); });
        await nftScript(theirs, `${table}\n${rules.map(([chain, rule]) => `add rule ${family} t ${chain} ${rule}`).join('\n')}`);
        await assertSameAsNft(mine, theirs, family);
        for (const chain of new Set(rules.map(([c]) => c))) {
          const expected = rules.filter(([c]) => c === chain).map(([, r]) => r);
          assert.deepEqual(await nftChainRules(mine, family, 't', chain), expected, `${family} ${chain} as nft lists it`);
          // What nft wrote, the library reads as the same text.
          assert.deepEqual((await theirs.nft.listRules({ family, table: 't', chain })).map((r) => r.text), expected, `${family} ${chain} as the library lists nft's`);
        }
      });
    });
  }
});

/** Typed rules: every key typed.ts takes, the text nft lists for it, and (when it differs) the typed form listed back. */
const TYPED: Array<[Omit<NftRuleSpec, 'family' | 'table'>, string, Omit<NftRuleSpec, 'family' | 'table' | 'chain'>?]> = [
  [{ chain: 'input', match: { saddr: '10.0.0.1', daddr: '198.18.0.0/15' }, verdict: 'accept' }, 'ip saddr 10.0.0.1 ip daddr 198.18.0.0/15 accept'],
  [{ chain: 'input', match: { saddr: '10.0.0.1-10.0.0.9' }, verdict: 'drop' }, 'ip saddr 10.0.0.1-10.0.0.9 drop'],
  [{ chain: 'input', match: { saddr: '@blocked' }, verdict: 'drop' }, 'ip saddr @blocked drop'],
  [{ chain: 'input', match: { protocol: 'udp' }, verdict: 'accept' }, 'meta l4proto udp accept'],
  [{ chain: 'input', match: { protocol: 'tcp', sport: 80, dport: '8000-8080' }, verdict: 'accept' }, 'tcp sport 80 tcp dport 8000-8080 accept'],
  [{ chain: 'input', match: { protocol: 'tcp', dport: '@ports' }, verdict: 'accept' }, 'tcp dport @ports accept'],
  [{ chain: 'input', match: { iifname: ['a', 'b'], oifname: 'eth*' }, verdict: 'accept' }, 'iifname { "a", "b" } oifname "eth*" accept'],
  [{ chain: 'input', match: { iif: 'lo', oif: 'lo' }, verdict: 'accept' }, 'iif "lo" oif "lo" accept'],
  [{ chain: 'input', match: { ctState: ['invalid'] }, verdict: 'drop' }, 'ct state invalid drop'],
  [{ chain: 'input', match: { ctMark: 7, mark: 0x10 }, verdict: 'accept' }, 'ct mark 0x00000007 meta mark 0x00000010 accept'],
  [{ chain: 'input', match: { fibDaddrType: 'local' }, verdict: 'accept' }, 'fib daddr type local accept'],
  [{ chain: 'input', not: { saddr: ['10.0.0.1', '10.0.0.2'], iifname: 'lo' }, verdict: 'drop' }, 'iifname != "lo" ip saddr != { 10.0.0.1, 10.0.0.2 } drop'],
  [{ chain: 'input', concat: { key: ['ip daddr', 'tcp dport'], set: '@svc' }, verdict: 'accept' }, 'ip daddr . tcp dport @svc accept'],
  [{ chain: 'input', concat: { key: ['ip daddr', 'tcp dport'], set: [['10.0.0.2', 22], ['10.0.0.3', 80]], negate: true }, verdict: 'drop' }, 'ip daddr . tcp dport != { 10.0.0.2 . 22, 10.0.0.3 . 80 } drop'],
  // nft's default burst (5) is written, and read back; nft's text leaves it out.
  [{ chain: 'input', limit: { rate: 10, per: 'second' }, verdict: 'accept' }, 'limit rate 10/second accept', { limit: { rate: 10, per: 'second', burst: 5 }, verdict: 'accept' }],
  [{ chain: 'input', limit: { rate: 100, per: 'minute', burst: 20 }, counter: true, verdict: 'accept' }, 'counter packets 0 bytes 0 limit rate 100/minute burst 20 packets accept'], // an object has no order: counter comes first
  [{ chain: 'input', log: { prefix: 'in: ' }, verdict: 'drop' }, 'log prefix "in: " drop'],
  [{ chain: 'input', log: {} }, 'log'],
  [{ chain: 'input', setMark: 7 }, 'meta mark set 0x00000007'],
  [{ chain: 'input', setCtMark: 1 }, 'ct mark set 0x00000001'],
  [{ chain: 'input', match: { protocol: 'tcp', dport: 23 }, reject: true }, 'tcp dport 23 reject'],
  [{ chain: 'input', vmap: { key: 'tcp dport', map: { 22: 'accept', 80: 'drop', 81: 'jump other' } } }, 'tcp dport vmap { 22 : accept, 80 : drop, 81 : jump other }'],
  [{ chain: 'input', vmap: { key: 'udp dport', map: '@vm' } }, 'udp dport vmap @vm'],
  [{ chain: 'input', match: { saddr: '10.0.0.5' }, jump: 'other' }, 'ip saddr 10.0.0.5 jump other'],
  [{ chain: 'input', match: { saddr: '10.0.0.6' }, goto: 'other' }, 'ip saddr 10.0.0.6 goto other'],
  [{ chain: 'input', verdict: 'continue', comment: 'last' }, 'continue comment "last"'],
  [{ chain: 'other', verdict: 'return' }, 'return'],
  [{ chain: 'pre', match: { protocol: 'udp', dport: 4789 }, notrack: true }, 'udp dport 4789 notrack'],
  [{ chain: 'prenat', match: { protocol: 'tcp', dport: 99 }, dnat: { address: '10.0.0.1-10.0.0.5' } }, 'tcp dport 99 dnat to 10.0.0.1-10.0.0.5'],
  [{ chain: 'prenat', match: { protocol: 'tcp', dport: 98 }, dnat: { address: '10.0.0.1', port: '1000-2000' } }, 'tcp dport 98 dnat to 10.0.0.1:1000-2000'],
  [{ chain: 'prenat', dnat: { map: { key: 'tcp dport', map: '@pm' } } }, 'dnat to tcp dport map @pm'],
  [{ chain: 'prenat', dnat: { map: { key: 'tcp dport', map: { 8081: '10.0.0.3' } } } }, 'dnat to tcp dport map { 8081 : 10.0.0.3 }'],
  [{ chain: 'prenat', match: { protocol: 'tcp', dport: 80 }, redirect: { port: 8080 } }, 'tcp dport 80 redirect to :8080'],
  [{ chain: 'prenat', match: { protocol: 'tcp', dport: 81 }, redirect: true }, 'tcp dport 81 redirect'],
  [{ chain: 'postnat', match: { daddr: '10.0.0.2' }, snat: { address: '198.18.0.1' } }, 'ip daddr 10.0.0.2 snat to 198.18.0.1'],
  [{ chain: 'postnat', match: { protocol: 'tcp' }, snat: { address: '198.18.0.1', port: 4000 } }, 'meta l4proto tcp snat to 198.18.0.1:4000'],
  [{ chain: 'postnat', snat: { map: { key: 'ip saddr', map: { '10.0.0.2': '198.18.0.9' } } } }, 'snat to ip saddr map { 10.0.0.2 : 198.18.0.9 }'],
  [{ chain: 'postnat', match: { protocol: 'tcp', saddr: '10.0.0.0/16' }, masquerade: { port: '1024-65535' } }, 'ip saddr 10.0.0.0/16 meta l4proto tcp masquerade to :1024-65535'],
  [{ chain: 'postnat', match: { oifname: 'eth0' }, masquerade: true }, 'oifname "eth0" masquerade'],
];

describe('the typed rule form, every key', () => {
  it('each typed rule is the rule nft lists for its text, the same as nft -f writes it, and lists back as the same typed rule', async () => {
    await withNamespaces(2, async (mine, theirs) => {
      await mine.nft.apply(SCAFFOLD);
      await mine.nft.transaction((tx) => { for (const [r] of TYPED) tx.addRule({ family: 'ip', table: 't', ...r }); });
      await nftScript(theirs, `${SCAFFOLD}\n${TYPED.map(([r, text]) => `add rule ip t ${r.chain} ${text}`).join('\n')}`);
      await assertSameAsNft(mine, theirs, 'typed rules');
      const listed = await mine.nft.listRules({ family: 'ip', table: 't' });
      for (const chain of new Set(TYPED.map(([r]) => r.chain))) {
        const expected = TYPED.filter(([r]) => r.chain === chain);
        assert.deepEqual(await nftChainRules(mine, 'ip', 't', chain), expected.map(([, text]) => text), `chain ${chain}`);
        const ours = listed.filter((r) => r.chain === chain);
        for (const [i, [typed, text, listedBack]] of expected.entries()) {
          const { family: _f, table: _t, chain: _c, handle: _h, text: ourText, expressions: _e, ...back } = ours[i];
          const { chain: _c2, ...given } = typed;
          assert.equal(ourText, text);
          assert.deepEqual(JSON.parse(JSON.stringify(back)), JSON.parse(JSON.stringify(listedBack ?? given)), `typed rule lists back: ${ours[i].text}`);
        }
      }
    });
  });
});

/** Steps of nft commands, each applied by nft.apply in one namespace and `nft -f` in its twin; H is a rule handle looked up in each. */
const COMMANDS: string[] = [
  'add table ip t\ncreate table ip u',
  'add chain ip t c\ncreate chain ip t d\nadd chain ip t base { type filter hook input priority 0; policy accept; }',
  'add set ip t s { type ipv4_addr; flags interval; }\nadd map ip t m { type inet_service : verdict; }\nadd set ip t names { type ifname; }',
  'add element ip t s { 10.0.0.0/8, 192.0.2.1 }\nadd element ip t m { 22 : accept, 80 : jump c }\nadd element ip t names { "eth0", "veth1" }',
  'add rule ip t base ip saddr @s drop\nadd rule ip t base tcp dport vmap @m\ninsert rule ip t base ct state established accept\nadd rule ip t c iifname @names accept',
  'add rule ip t base position H tcp dport 8080 accept\ninsert rule ip t base position H udp dport 53 accept',
  'delete rule ip t base handle H',
  'delete element ip t s { 192.0.2.1 }\ndelete element ip t m { 80 : jump c }',
  'flush chain ip t base',
  'delete chain ip t d\nflush table ip t',
  'delete table ip u',
  'flush ruleset',
];

/** The handle of the rule `ip saddr @s drop` (the one each step's H stands for) in ns. */
async function handleOf(ns: Netns): Promise<string> {
  const rules = JSON.parse(await nft(ns, '-a', '-j', 'list', 'chain', 'ip', 't', 'base')).nftables.filter((o: any) => o.rule);
  const rule = rules.find((o: any) => JSON.stringify(o.rule.expr).includes('"@s"'));
  assert.ok(rule, `no rule "ip saddr @s drop" in ${ns.name}`);
  return String(rule.rule.handle);
}

describe('nft.apply: the commands, one by one, as nft -f runs them', () => {
  it('add/create/insert/delete/flush of tables, chains, rules, sets, maps and elements; the reads agree with nft -j', async () => {
    await withNamespaces(2, async (mine, theirs) => {
      for (const [i, step] of COMMANDS.entries()) {
        const needsHandle = step.includes(' H');
        const ours = needsHandle ? step.replace(/ H\b/g, ` ${await handleOf(mine)}`) : step;
        const nfts = needsHandle ? step.replace(/ H\b/g, ` ${await handleOf(theirs)}`) : step;
        await mine.nft.apply(ours);
        await nftScript(theirs, nfts);
        await assertSameAsNft(mine, theirs, `step ${i + 1}: ${step.split('\n')[0]}…`);
        if (i === 5) {
          // The library's reads against nft -j, with everything in place.
          const j = JSON.parse(await nft(mine, '-j', 'list', 'ruleset')).nftables;
          assert.deepEqual((await mine.nft.listTables()).map((t) => `${t.family} ${t.name}`), j.filter((o: any) => o.table).map((o: any) => `${o.table.family} ${o.table.name}`));
          assert.deepEqual((await mine.nft.listChains()).map((c) => `${c.table} ${c.name} ${c.handle}`), j.filter((o: any) => o.chain).map((o: any) => `${o.chain.table} ${o.chain.name} ${o.chain.handle}`));
          assert.deepEqual((await mine.nft.listRules({ family: 'ip', table: 't' })).map((r) => `${r.chain} ${r.handle}`), j.filter((o: any) => o.rule).filter((o: any) => o.rule.table === 't').map((o: any) => `${o.rule.chain} ${o.rule.handle}`));
          assert.deepEqual((await mine.nft.listSets()).map((s) => `${s.table} ${s.name} ${s.type}${s.map ? ` : ${s.map}` : ''}`), j.filter((o: any) => o.set || o.map).map((o: any) => {
            const s = o.set ?? o.map;
            return `${s.table} ${s.name} ${s.type}${s.map ? ` : ${s.map}` : ''}`;
          }));
          assert.deepEqual(await mine.nft.listElements({ family: 'ip', table: 't', name: 's' }), ['10.0.0.0/8', '192.0.2.1']);
          assert.deepEqual(await mine.nft.listElements({ family: 'ip', table: 't', name: 'm' }), [[22, 'accept'], [80, 'jump c']]);
          assert.deepEqual(await mine.nft.listElements({ family: 'ip', table: 't', name: 'names' }), ['eth0', 'veth1']);
        }
      }
      assert.equal(await nft(mine, 'list', 'ruleset'), '');
    });
  });

  it('create of a table or chain that exists is EEXIST, as nft refuses it, and changes nothing', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.nft.apply('add table ip t\nadd chain ip t c');
      const before = await nft(ns, 'list', 'ruleset');
      for (const command of ['create table ip t', 'create chain ip t c']) {
        await assert.rejects(ns.nft.apply(command), (e: unknown) => e instanceof NetlinkError && e.code === 'EEXIST' && e.operation === 'nft.transaction', command);
        await assert.rejects(nftScript(ns, command), /File exists/, `nft -f: ${command}`);
        // add of the same is no error, for nft and for the library.
        await ns.nft.apply(command.replace('create', 'add'));
        await nftScript(ns, command.replace('create', 'add'));
      }
      assert.equal(await nft(ns, 'list', 'ruleset'), before);
    });
  });
});
