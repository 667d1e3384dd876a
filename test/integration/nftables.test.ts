import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NetlinkError, type NftRuleSpec } from '../../src/index';
import { natTopology, sh, withNamespaces } from '../helpers';
import { nftChainRules, nftRuleset, SCAFFOLD } from '../nft-oracle';

/** Every construct of the supported language, as nft lists it: [chain, rule]. */
const LANGUAGE: Array<[string, string]> = [
  ['input', 'ip saddr 10.0.0.0/16 accept'],
  ['input', 'ip saddr 10.0.0.1 drop'],
  ['input', 'ip daddr 198.18.0.0/15 accept'],
  ['input', 'ip saddr 10.0.0.1-10.0.0.9 accept'],
  ['input', 'ip saddr { 10.0.0.1, 10.0.1.0/24 } accept'],
  ['input', 'ip saddr != 10.0.0.0/16 drop'],
  ['input', 'ip saddr @blocked drop'],
  ['input', 'meta l4proto udp accept'],
  ['input', 'tcp dport 22 accept'],
  ['input', 'tcp dport 8000-8080 accept'],
  ['input', 'udp dport { 53, 5353 } accept'],
  ['input', 'tcp sport != 80 accept'],
  ['input', 'tcp dport @ports accept'],
  ['input', 'iifname "veth*" accept'],
  ['input', 'oifname "eth0" accept'],
  ['input', 'ct state established,related accept'],
  ['input', 'ct state invalid drop'],
  ['input', 'ct status dnat accept'],
  ['input', 'ct status snat,dnat accept'],
  ['input', 'ct mark 0x00000007 accept'],
  ['input', 'meta mark 0x00000007 accept'],
  ['input', 'fib daddr type local accept'],
  ['input', 'counter packets 0 bytes 0'],
  ['input', 'log prefix "in: " drop'],
  ['input', 'meta mark set 0x00000007'],
  ['input', 'ct mark set 0x00000001'],
  ['input', 'tcp dport 23 reject'],
  ['input', 'ip saddr 10.0.0.5 jump other'],
  ['input', 'ip saddr 10.0.0.6 goto other'],
  ['other', 'return'],
  ['input', 'tcp dport 443 counter packets 0 bytes 0 accept comment "https"'],
  ['input', 'limit rate 10/second accept'],
  ['input', 'iif "lo" oif "lo" accept'],
  ['input', 'ip daddr . tcp dport @svc accept'],
  ['input', 'ip daddr . tcp dport { 10.0.0.2 . 22 } accept'],
  ['input', 'limit rate 100/minute burst 20 packets accept'],
  ['input', 'tcp dport vmap { 22 : accept, 80 : drop, 81 : jump other }'],
  ['input', 'udp dport vmap @vm'],
  ['prenat', 'dnat to tcp dport map @pm'],
  ['prenat', 'dnat to tcp dport map { 8081 : 10.0.0.3, 8082 : 10.0.0.4 }'],
  ['prenat', 'tcp dport 99 dnat to 10.0.0.1-10.0.0.5'],
  ['prenat', 'tcp dport 98 dnat to 10.0.0.1:1000-2000'],
  ['pre', 'udp dport 4789 notrack'],
  ['prenat', 'ip saddr 10.0.0.0/16 tcp dport 1234 dnat to 198.18.0.9:80'],
  ['prenat', 'ip daddr 198.18.0.1 dnat to 198.18.0.9'],
  ['prenat', 'tcp dport 80 redirect to :8080'],
  ['postnat', 'ip daddr 10.0.0.2 snat to 198.18.0.1'],
  ['postnat', 'oifname "eth0" masquerade'],
  ['postnat', 'ip saddr 198.18.0.0/24 ip daddr 198.18.0.0/24 oifname "br0" ct status dnat masquerade'],
  ['postnat', 'ip saddr 10.0.0.0/16 meta l4proto tcp masquerade to :1024-65535'],
];

describe('nftables: the library writes what nft lists, and reads what nft wrote', () => {
  it('every construct of the supported language, written as text, is listed by nft the same', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.nft.apply(SCAFFOLD);
      await ns.nft.transaction((tx) => {
        for (const [chain, rule] of LANGUAGE) tx.addRule({ family: 'ip', table: 't', chain, rule });
      });
      for (const chain of ['input', 'other', 'pre', 'prenat', 'postnat']) {
        const expected = LANGUAGE.filter(([c]) => c === chain).map(([, r]) => r);
        assert.deepEqual(await nftChainRules(ns, 'ip', 't', chain), expected, `chain ${chain} as nft lists it`);
        assert.deepEqual((await ns.nft.listRules({ family: 'ip', table: 't', chain })).map((r) => r.text), expected, `chain ${chain} as we list it`);
      }
      // nft -j parses our rules as ordinary ones (no raw expressions).
      const json = JSON.parse(await sh('ip', ['netns', 'exec', ns.name!, 'nft', '-j', 'list', 'ruleset'])).nftables;
      assert.equal(json.filter((o: any) => o.rule).length, LANGUAGE.length);
    });
  });

  it('rules written by `nft -f` are listed by the library as the same text, with handles that delete them', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.nft.apply(SCAFFOLD);
      const script = LANGUAGE.map(([chain, rule]) => `add rule ip t ${chain} ${rule}`).join('\n');
      await sh('sh', ['-c', `printf '%s\\n' "$1" | ip netns exec ${ns.name} nft -f -`, 'sh', script]);
      const ours = await ns.nft.listRules({ family: 'ip', table: 't' });
      for (const chain of ['input', 'other', 'pre', 'prenat', 'postnat']) {
        assert.deepEqual(ours.filter((r) => r.chain === chain).map((r) => r.text), LANGUAGE.filter(([c]) => c === chain).map(([, r]) => r), chain);
      }
      const https = ours.find((r) => r.comment === 'https')!;
      assert.deepEqual(https.match, { protocol: 'tcp', dport: 443 });
      await ns.nft.transaction((tx) => { tx.deleteRule({ family: 'ip', table: 't', chain: 'input', handle: https.handle }); });
      assert.ok(!(await nftChainRules(ns, 'ip', 't', 'input')).some((l) => l.includes('https')));
      // Replace by handle, and insert before / add after a handle, as `nft replace|insert|add rule … handle N` do.
      const first = ours.find((r) => r.chain === 'input')!;
      await ns.nft.transaction((tx) => {
        tx.replaceRule({ family: 'ip', table: 't', chain: 'input', handle: first.handle, rule: 'tcp dport 2222 accept' });
        tx.insertRule({ family: 'ip', table: 't', chain: 'input', handle: first.handle, rule: 'tcp dport 1111 accept' });
        tx.addRule({ family: 'ip', table: 't', chain: 'input', handle: first.handle, rule: 'tcp dport 3333 accept' });
      });
      assert.deepEqual((await nftChainRules(ns, 'ip', 't', 'input')).slice(0, 4), ['tcp dport 1111 accept', 'tcp dport 2222 accept', 'tcp dport 3333 accept', LANGUAGE[1][1]]);
    });
  });

  it('the typed form and the text form are the same rule', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.nft.apply(SCAFFOLD);
      const typed: NftRuleSpec[] = [
        { family: 'ip', table: 't', chain: 'prenat', match: { saddr: '10.0.0.0/16', protocol: 'tcp', dport: 1234 }, dnat: { address: '111.222.33.4', port: 1234 } },
        { family: 'ip', table: 't', chain: 'input', match: { iifname: 'veth*', protocol: 'udp', dport: [53, 5353] }, counter: true, verdict: 'accept', comment: 'dns' },
        { family: 'ip', table: 't', chain: 'input', match: { ctState: ['established', 'related'] }, verdict: 'accept' },
        { family: 'ip', table: 't', chain: 'input', not: { saddr: '10.0.0.0/16' }, verdict: 'drop' },
        { family: 'ip', table: 't', chain: 'postnat', match: { oifname: 'eth0' }, masquerade: true },
      ];
      await ns.nft.transaction((tx) => { for (const r of typed) tx.addRule(r); });
      assert.deepEqual(await nftChainRules(ns, 'ip', 't', 'prenat'), ['ip saddr 10.0.0.0/16 tcp dport 1234 dnat to 111.222.33.4:1234']);
      assert.deepEqual(await nftChainRules(ns, 'ip', 't', 'input'), [
        'iifname "veth*" udp dport { 53, 5353 } counter packets 0 bytes 0 accept comment "dns"',
        'ct state established,related accept',
        'ip saddr != 10.0.0.0/16 drop',
      ]);
      const listed = await ns.nft.listRules({ family: 'ip', table: 't', chain: 'prenat' });
      assert.deepEqual({ match: listed[0].match, dnat: listed[0].dnat }, { match: typed[0].match, dnat: typed[0].dnat });
    });
  });

  it('tables, chains, sets and maps read back as nft shows them', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.nft.apply(`${SCAFFOLD}
        table inet fw {
          map vm { type inet_service : verdict; elements = { 22 : accept, 23 : drop, 80 : jump web } }
          map dm { type inet_service : ipv4_addr; elements = { 8080 : 10.0.0.2 } }
          chain web { }
          chain fwd { type filter hook forward priority -5; policy drop; }
        }`);
      const tables = (await ns.nft.listTables()).map((t) => `${t.family} ${t.name}`).sort();
      assert.deepEqual(tables, ['inet fw', 'ip t']);
      const fwd = (await ns.nft.listChains({ family: 'inet', table: 'fw' })).find((c) => c.name === 'fwd')!;
      assert.deepEqual([fwd.type, fwd.hook, fwd.priority, fwd.policy], ['filter', 'forward', -5, 'drop']);
      const json = JSON.parse(await sh('ip', ['netns', 'exec', ns.name!, 'nft', '-j', 'list', 'chains'])).nftables.filter((o: any) => o.chain);
      assert.equal(json.length, (await ns.nft.listChains()).length);
      assert.deepEqual(await ns.nft.listElements({ family: 'inet', table: 'fw', name: 'vm' }), [[22, 'accept'], [23, 'drop'], [80, 'jump web']]);
      assert.deepEqual(await ns.nft.listElements({ family: 'inet', table: 'fw', name: 'dm' }), [[8080, '10.0.0.2']]);
      assert.deepEqual(await ns.nft.listElements({ family: 'ip', table: 't', name: 'blocked' }), ['10.9.0.0/16']);
      await ns.nft.transaction((tx) => { tx.addElements({ family: 'ip', table: 't', name: 'svc', type: 'ipv4_addr . inet_service' }, ['10.0.0.9 . 8080', ['10.0.0.8', 443]]); });
      assert.deepEqual((await ns.nft.listElements({ family: 'ip', table: 't', name: 'svc' })).sort(), ['10.0.0.1 . 80', '10.0.0.8 . 443', '10.0.0.9 . 8080']);
      assert.match(await sh('ip', ['netns', 'exec', ns.name!, 'nft', 'list', 'set', 'ip', 't', 'svc']), /type ipv4_addr \. inet_service/);
      await ns.nft.transaction((tx) => {
        tx.addSet({ family: 'ip', table: 't', name: 'macs', type: 'ether_addr' });
        tx.addElements({ family: 'ip', table: 't', name: 'macs' }, ['02:00:00:00:00:01']);
      });
      assert.deepEqual(await ns.nft.listElements({ family: 'ip', table: 't', name: 'macs' }), ['02:00:00:00:00:01']);
      assert.match(await sh('ip', ['netns', 'exec', ns.name!, 'nft', 'list', 'set', 'ip', 't', 'macs']), /type ether_addr[\s\S]*elements = \{ 02:00:00:00:00:01 \}/);
      const sets = await ns.nft.listSets({ family: 'inet' });
      assert.deepEqual(sets.map((s) => [s.name, s.type, s.map]), [['vm', 'inet_service', 'verdict'], ['dm', 'inet_service', 'ipv4_addr']]);
      assert.deepEqual((await ns.nft.listSets({ family: 'ip', table: 't' })).find((s) => s.name === 'svc')!.type, 'ipv4_addr . inet_service');
      const nftSet = await sh('ip', ['netns', 'exec', ns.name!, 'nft', 'list', 'map', 'inet', 'fw', 'vm']);
      assert.match(nftSet, /elements = \{ 22 : accept, 23 : drop, 80 : jump web \}/);
    });
  });
});

describe('nftables transactions', () => {
  it('a bad operation in the middle changes nothing, and the error names it', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.nft.apply(SCAFFOLD);
      const before = await nftRuleset(ns);
      await assert.rejects(ns.nft.transaction((tx) => {
        tx.addTable({ family: 'ip', name: 'newtable' });
        tx.addRule({ family: 'ip', table: 't', chain: 'input', rule: 'tcp dport 1 accept' });
        tx.addRule({ family: 'ip', table: 't', chain: 'input', rule: 'jump missing' });
        tx.addRule({ family: 'ip', table: 't', chain: 'input', rule: 'tcp dport 2 accept' });
      }), (e: unknown) => e instanceof NetlinkError && e.operation === 'nft.transaction' && e.code === 'ENOENT'
        && e.message.includes('add rule ip t input jump missing'));
      assert.equal(await nftRuleset(ns), before);
    });
  });

  it('createChain is `nft create chain` (EEXIST when it exists), addChain is `nft add chain` (no error)', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.nft.apply(SCAFFOLD);
      await ns.nft.transaction((tx) => { tx.createChain({ family: 'ip', table: 't', name: 'fresh' }); });
      await ns.nft.transaction((tx) => { tx.addChain({ family: 'ip', table: 't', name: 'fresh' }); });
      const before = await nftRuleset(ns);
      await assert.rejects(ns.nft.transaction((tx) => { tx.createChain({ family: 'ip', table: 't', name: 'fresh' }); }),
        (e: unknown) => e instanceof NetlinkError && e.code === 'EEXIST' && e.message.includes('create chain ip t fresh'));
      // nft itself agrees: its own `create chain` on the same chain is refused too.
      await assert.rejects(sh('ip', ['netns', 'exec', ns.name!, 'nft', 'create', 'chain', 'ip', 't', 'fresh']));
      assert.equal(await nftRuleset(ns), before);
    });
  });

  it('optimistic concurrency: a transaction tied to an old generation is refused', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.nft.apply(SCAFFOLD);
      const generation = await ns.nft.generation();
      await ns.nft.transaction((tx) => { tx.addRule({ family: 'ip', table: 't', chain: 'input', rule: 'accept' }); }, { generation });
      await assert.rejects(ns.nft.transaction((tx) => { tx.addRule({ family: 'ip', table: 't', chain: 'input', rule: 'drop' }); }, { generation }),
        (e: unknown) => e instanceof NetlinkError && e.code === 'ERESTART');
      assert.deepEqual(await nftChainRules(ns, 'ip', 't', 'input'), ['accept']);
    });
  });

  it('bad input is refused before anything is sent, naming what is wrong', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.nft.apply(SCAFFOLD);
      const before = await nftRuleset(ns);
      const bad: Array<[Parameters<typeof ns.nft.transaction>[0] | string, RegExp]> = [
        [(tx) => { tx.addTable({ family: 'ipx' as never, name: 'x' }); }, /^family: "ipx" is not one of/],
        [(tx) => { tx.addChain({ family: 'netdev', table: 't', name: 'c', type: 'filter', hook: 'prerouting', priority: 0, device: 'lo' }); }, /^hook: "prerouting" is not one of "ingress", "egress"/],
        [(tx) => { tx.addRule({ family: 'ip', table: 't', chain: 'input', rule: 'tcp dport 70000 accept' }); }, /tcp dport: port 70000 is out of range/],
        [(tx) => { tx.addRule({ family: 'ip', table: 't', chain: 'input', rule: 'ip saddr 10.0.0.0/33 accept' }); }, /prefix length 33, over 32/],
        [(tx) => { tx.addRule({ family: 'ip', table: 't', chain: 'input', rule: 'ip protocol tcp accept' }); }, /unsupported token "ip"/],
        [(tx) => { tx.addRule({ family: 'ip', table: 't', chain: 'input', rule: 'tcp dport 22 frobnicate' }); }, /unsupported token "frobnicate"/],
        [(tx) => { tx.addRule({ family: 'ip', table: 't', chain: 'input', match: { dport: 22 } }); }, /^match\.protocol: undefined must be "tcp" or "udp"/],
        ['table ip t { chain c { type filter hook input priority filter; policy maybe; } }', /^policy: "maybe" is not one of "accept", "drop"/],
        ['add rule ip t input tcp dport 22 accept\nfrobnicate table', /line 2: unsupported token "frobnicate"/],
        [(tx) => { tx.addRule({ family: 'ip', table: 't', chain: 'postnat', rule: 'ip saddr 10.0.0.0/16 masquerade to :1024-65535' }); }, /^masquerade: a port mapping needs a transport protocol match/],
      ];
      for (const [build, message] of bad) {
        const call = typeof build === 'string' ? ns.nft.apply(build) : ns.nft.transaction(build);
        await assert.rejects(call, (e: unknown) => (e instanceof RangeError || e instanceof TypeError) && message.test((e as Error).message), message.source);
      }
      assert.equal(await nftRuleset(ns), before);
    });
  });
});

describe('nftables carries real traffic', () => {
  it('DNAT from the client range and masquerade on the way out, until the rules are deleted', async () => {
    await withNamespaces(3, async (client, host, server) => {
      // The server has no route back to 10.0.0.0/16: only masquerade makes replies find their way.
      const { exchange, close } = await natTopology(client, host, server, { serverRouteBack: false });
      try {
        await assert.rejects(exchange('198.18.1.2', 8080), /ETIMEDOUT/);
        await host.nft.apply(`table ip nat {
          chain PREROUTING { type nat hook prerouting priority dstnat; policy accept; }
          chain POSTROUTING { type nat hook postrouting priority srcnat; policy accept;
            oifname "to-server" ip saddr 10.0.0.0/16 masquerade
          }
        }`);
        assert.equal(await exchange('198.18.1.2', 8080), 'pong:ping');
        await host.nft.transaction((tx) => {
          tx.addRule({ family: 'ip', table: 'nat', chain: 'PREROUTING', match: { saddr: '10.0.0.0/16', protocol: 'tcp', dport: 1234 }, dnat: { address: '198.18.1.2', port: 8080 } });
        });
        assert.equal(await exchange('10.0.0.1', 1234), 'pong:ping');
        const [dnat] = await host.nft.listRules({ family: 'ip', table: 'nat', chain: 'PREROUTING' });
        assert.equal(dnat.text, 'ip saddr 10.0.0.0/16 tcp dport 1234 dnat to 198.18.1.2:8080');
        await host.nft.transaction((tx) => { tx.deleteRule({ family: 'ip', table: 'nat', chain: 'PREROUTING', handle: dnat.handle }); });
        await assert.rejects(exchange('10.0.0.1', 1234), /ECONNREFUSED/);
        const [masq] = await host.nft.listRules({ family: 'ip', table: 'nat', chain: 'POSTROUTING' });
        await host.nft.transaction((tx) => { tx.deleteRule({ family: 'ip', table: 'nat', chain: 'POSTROUTING', handle: masq.handle }); });
        await assert.rejects(exchange('198.18.1.2', 8080), /ETIMEDOUT/);
      } finally {
        close();
      }
    });
  });
});

describe('nftables at scale', () => {
  it('one transaction of 10,000 rules, a map of 10,000 elements, and rule 10,001 appended', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.nft.apply('table ip t { chain c { } }');
      await ns.nft.transaction((tx) => {
        for (let i = 0; i < 10000; i++) tx.addRule({ family: 'ip', table: 't', chain: 'c', rule: `ip saddr 10.${i >> 8}.${i & 255}.1 tcp dport ${1 + (i % 60000)} accept` });
        tx.addMap({ family: 'ip', table: 't', name: 'ports', type: 'inet_service', map: 'ipv4_addr' });
        tx.addElements({ family: 'ip', table: 't', name: 'ports' }, Array.from({ length: 10000 }, (_, i) => [20000 + i, `10.0.${i >> 8}.${i & 255}`] as [number, string]));
      });
      await ns.nft.transaction((tx) => { tx.addRule({ family: 'ip', table: 't', chain: 'c', rule: 'drop' }); });
      const rules = (await sh('ip', ['netns', 'exec', ns.name!, 'nft', 'list', 'chain', 'ip', 't', 'c'])).split('\n').filter((l) => l.includes('accept') || l.includes('drop'));
      assert.equal(rules.length, 10001);
      assert.equal(rules[10000].trim(), 'drop');
      assert.equal((await ns.nft.listElements({ family: 'ip', table: 't', name: 'ports' })).length, 10000);
      assert.equal((await ns.nft.listRules({ family: 'ip', table: 't', chain: 'c' })).length, 10001);
    });
  });
});

describe('nftables families', () => {
  it('tables and base chains in every family, with flags, as nft -j lists them', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.nft.transaction((tx) => {
        for (const family of ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'] as const) tx.addTable({ family, name: `t_${family}` });
        tx.addChain({ family: 'ip6', table: 't_ip6', name: 'out', type: 'filter', hook: 'output', priority: 'mangle', policy: 'accept' });
        tx.addChain({ family: 'arp', table: 't_arp', name: 'in', type: 'filter', hook: 'input', priority: 0, policy: 'drop' });
        tx.addChain({ family: 'bridge', table: 't_bridge', name: 'pre', type: 'filter', hook: 'prerouting', priority: 'dstnat' });
        tx.addChain({ family: 'netdev', table: 't_netdev', name: 'ingress', type: 'filter', hook: 'ingress', priority: 0, device: 'lo' });
        tx.addChain({ family: 'ip', table: 't_ip', name: 'rt', type: 'route', hook: 'output', priority: -150 });
      });
      const raw = await sh('ip', ['netns', 'exec', ns.name!, 'nft', '-j', 'list', 'ruleset']);
      const json = JSON.parse(raw).nftables;
      const nftTables = json.filter((o: any) => o.table).map((o: any) => `${o.table.family} ${o.table.name}`).sort();
      assert.deepEqual((await ns.nft.listTables()).map((t) => `${t.family} ${t.name}`).sort(), nftTables);
      const nftChains = json.filter((o: any) => o.chain).map((o: any) => o.chain);
      const chains = await ns.nft.listChains();
      assert.equal(chains.length, nftChains.length);
      for (const c of nftChains) {
        const o = chains.find((x) => x.family === c.family && x.table === c.table && x.name === c.name)!;
        assert.deepEqual([o.type, o.hook, o.priority, o.policy], [c.type, c.hook, c.prio, c.policy], `${c.family} ${c.table} ${c.name}`);
      }
      // nft 1.0.6's JSON leaves a netdev chain's device out; its text listing has it.
      assert.equal(chains.find((c) => c.family === 'netdev')!.device, 'lo');
      assert.match(await sh('ip', ['netns', 'exec', ns.name!, 'nft', 'list', 'table', 'netdev', 't_netdev']), /hook ingress device "lo"/);
      // Table flags (nft 1.0.6's JSON output breaks on them, so the text listing is the oracle).
      await ns.nft.transaction((tx) => { tx.addTable({ family: 'inet', name: 'sleeping', flags: ['dormant'] }); });
      assert.match(await sh('ip', ['netns', 'exec', ns.name!, 'nft', 'list', 'table', 'inet', 'sleeping']), /flags dormant/);
      assert.deepEqual((await ns.nft.listTables()).find((t) => t.name === 'sleeping')!.flags, ['dormant']);
      await assert.rejects(ns.nft.transaction((tx) => { tx.addChain({ family: 'netdev', table: 't_netdev', name: 'x', type: 'filter', hook: 'ingress', priority: 0 }); }), /^TypeError: device: expected a device/);
      await assert.rejects(ns.nft.transaction((tx) => { tx.addChain({ family: 'arp', table: 't_arp', name: 'x', type: 'filter', hook: 'prerouting' }); }), /^RangeError: hook: "prerouting" is not one of "input", "output", "forward"/);
    });
  });
});
