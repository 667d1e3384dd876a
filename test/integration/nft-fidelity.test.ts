// What the library writes, nft reads as it meant it: sets and maps carry the userdata nft itself
// writes (key byte order, what the key is), so `nft list ruleset` prints them right and what it
// prints restores with `nft -f`; what nft writes, the library reads right.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BridgeNetwork, NetlinkError, type Netns, type NftElement } from '../../src/index';
import { NETLINK_NETFILTER } from '../../src/native';
import { NFT_MSG } from '../../src/nft/constants';
import { nftMessage } from '../../src/nft/messages';
import { NLM_F } from '../../src/constants';
import { sh, withNamespaces } from '../helpers';

const nft = (ns: Netns, ...args: string[]) => sh('ip', ['netns', 'exec', ns.name!, 'nft', ...args]);
const nftInput = async (ns: Netns, script: string) => {
  const r = await ns.exec('nft', ['-f', '-'], { input: script });
  if (r.code !== 0) throw new Error(`nft -f failed: ${r.stderr}`);
};

/** Every set's NFTA_SET_USERDATA as the kernel keeps it, by table and name (anonymous ones in creation order). */
async function setUserdata(ns: Netns): Promise<string[]> {
  const replies = await ns.request(NETLINK_NETFILTER, nftMessage(NFT_MSG.GETSET, 0, {}, NLM_F.DUMP), 'test');
  return replies.map((m) => {
    const a = m.attrs as { table: string; name: string; userdata?: Buffer; flags: number; key_type: number };
    return `${m.header!.family} ${a.table} ${a.name.startsWith('__') ? '(anonymous)' : a.name} flags=${a.flags} key=${a.key_type} ${a.userdata?.toString('hex') ?? '(none)'}`;
  });
}

/** Declarations of every set and map type the library makes (BridgeNetwork's, the firewall's, typed.ts's). */
const DECLARATIONS = `
table ip t {
  set ifnames { type ifname; }
  set pairs { type ifname . ifname; }
  set marks { type mark; }
  set addrs { type ipv4_addr; }
  set nets { type ipv4_addr; flags interval; }
  set services { type inet_service; }
  set protos { type inet_proto; }
  set svc { type ipv4_addr . inet_service; }
  set triples { type ipv4_addr . inet_service . ifname; }
  set macs { type ether_addr; }
  set v6 { type ipv6_addr; }
  set expiring { type ipv4_addr; flags timeout; timeout 30s; }
  map ports { type inet_service : verdict; }
  map names { type ifname : verdict; }
  map targets { type inet_service : ipv4_addr; }
  map marking { type inet_service : mark; }
  map svcv { type ipv4_addr . inet_service : verdict; }
  chain c { }
  chain n { type nat hook prerouting priority dstnat; policy accept; }
}
`;

/** Rules whose anonymous sets and maps cover every key the rule language has. */
const ANONYMOUS: Array<[string, string]> = [
  ['c', 'ip saddr { 10.0.0.1, 10.0.0.2 } accept'],
  ['c', 'ip daddr { 10.0.0.0/8, 198.18.0.1 } accept'],
  ['c', 'tcp sport { 1, 2 } accept'],
  ['c', 'tcp dport { 22, 80 } accept'],
  ['c', 'udp sport { 53, 5353 } accept'],
  ['c', 'udp dport { 1000-2000, 3000 } accept'],
  ['c', 'meta l4proto { tcp, udp } accept'],
  ['c', 'iifname { "a", "b" } accept'],
  ['c', 'oifname { "a", "b" } accept'],
  ['c', 'meta mark { 0x00000001, 0x00000002 } accept'],
  ['c', 'ct mark { 0x00000001, 0x00000002 } accept'],
  ['c', 'iif { "lo", "lo" } accept'],
  ['c', 'fib daddr type { local, unicast } accept'],
  ['c', 'ip daddr . tcp dport { 10.0.0.2 . 22 } accept'],
  ['c', 'iifname . oifname { "a" . "b" } drop'],
  ['c', 'tcp dport vmap { 22 : accept, 23 : drop }'],
  ['c', 'iifname vmap { "a" : accept }'],
  ['c', 'meta mark vmap { 0x00000001 : accept }'],
  ['n', 'dnat to tcp dport map { 80 : 10.0.0.2 }'],
];

describe('nftables sets carry the userdata nft writes', () => {
  it('every set and map type, and every anonymous set a rule makes, has nft\'s own userdata', async () => {
    await withNamespaces(2, async (mine, theirs) => {
      await mine.nft.apply(DECLARATIONS);
      await mine.nft.transaction((tx) => { for (const [chain, rule] of ANONYMOUS) tx.addRule({ family: 'ip', table: 't', chain, rule }); });
      await nftInput(theirs, DECLARATIONS);
      await nftInput(theirs, ANONYMOUS.map(([chain, rule]) => `add rule ip t ${chain} ${rule}`).join('\n'));
      const expected = await setUserdata(theirs);
      assert.equal(expected.length, 17 + ANONYMOUS.length);
      assert.deepEqual(await setUserdata(mine), expected);
      // The same rules, as nft lists them.
      assert.equal(await nft(mine, 'list', 'ruleset'), await nft(theirs, 'list', 'ruleset'));
    });
  });

  it('a one-element anonymous set is a plain comparison, as nft makes it', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.nft.apply('table ip t { chain c { } }');
      await ns.nft.transaction((tx) => {
        tx.addRule({ family: 'ip', table: 't', chain: 'c', rule: 'tcp dport { 22 } accept' });
        tx.addRule({ family: 'ip', table: 't', chain: 'c', match: { saddr: ['10.0.0.0/8'] }, verdict: 'accept' });
      });
      assert.match(await nft(ns, 'list', 'chain', 'ip', 't', 'c'), /\ttcp dport 22 accept\n\t\tip saddr 10\.0\.0\.0\/8 accept\n/);
      assert.deepEqual(await setUserdata(ns), []);
    });
  });
});

/** The elements of each named set in `nft -j list ruleset`, as strings nft would print. */
function jsonElements(ruleset: string): Map<string, string[]> {
  const text = (v: unknown): string => {
    if (typeof v !== 'object' || v === null) return String(v);
    const o = v as Record<string, any>;
    if (o.prefix) return `${o.prefix.addr}/${o.prefix.len}`;
    if (o.range) return `${o.range[0]}-${o.range[1]}`;
    if (o.concat) return o.concat.map(text).join(' . ');
    if (o.elem) return text(o.elem.val);
    if (o.jump) return `jump ${o.jump.target}`;
    if ('accept' in o) return 'accept';
    if ('drop' in o) return 'drop';
    return JSON.stringify(o);
  };
  const out = new Map<string, string[]>();
  for (const o of JSON.parse(ruleset).nftables) {
    const s = o.set ?? o.map;
    if (!s || s.name.startsWith('__')) continue;
    out.set(`${s.family} ${s.table} ${s.name}`, (s.elem ?? []).map((e: unknown) => (Array.isArray(e) ? `${text(e[0])} : ${text(e[1])}` : text(e))).sort());
  }
  return out;
}

const libraryText = (e: NftElement) => (Array.isArray(e) ? `${e[0]} : ${e[1]}` : String(e));

/** The library's elements of every named set, in jsonElements' form. */
async function libraryElements(ns: Netns): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const s of await ns.nft.listSets()) {
    const els = await ns.nft.listElements(s);
    // nft prints marks in hex (0x00000007) in text and as numbers in JSON.
    out.set(`${s.family} ${s.table} ${s.name}`, els.map(libraryText).sort());
  }
  return out;
}

describe('nft list ruleset > f; nft -f f gives the same ruleset', () => {
  it('for a BridgeNetwork (isolation sets, port maps, chains, rules) and every set form the library makes', async () => {
    await withNamespaces(4, async (host, c1, c2, fresh) => {
      const net = await BridgeNetwork.create({ netns: host, bridge: 'docker1', subnet: '198.18.0.0/24' });
      const other = await BridgeNetwork.create({ netns: host, bridge: 'docker2', subnet: '198.18.1.0/24' });
      const e1 = await net.attach(c1);
      await other.attach(c2);
      await net.publish({ endpoint: e1, hostPort: 1234, port: 8080, from: '10.0.0.0/16' });
      await net.publish({ endpoint: e1, hostPort: 5353, port: 53, protocol: 'udp' });
      await host.nft.apply(DECLARATIONS);
      await host.nft.transaction((tx) => {
        const t = { family: 'ip', table: 't' } as const;
        // (iif needs the link to exist where it is restored; and nft itself lists { "lo", "lo" } as { "lo" }.)
        for (const [chain, rule] of ANONYMOUS.filter(([, r]) => !r.startsWith('iif '))) tx.addRule({ ...t, chain, rule });
        tx.addElements({ ...t, name: 'ifnames' }, ['docker1', 'veth0']);
        tx.addElements({ ...t, name: 'pairs' }, ['docker1 . docker2']);
        tx.addElements({ ...t, name: 'marks' }, [7, 0x100]);
        tx.addElements({ ...t, name: 'addrs' }, ['198.18.0.2']);
        tx.addElements({ ...t, name: 'nets' }, ['10.0.0.0/8', '198.18.0.5-198.18.0.9']);
        tx.addElements({ ...t, name: 'services' }, [22, 443]);
        tx.addElements({ ...t, name: 'protos' }, ['tcp', 'udp']);
        tx.addElements({ ...t, name: 'svc' }, ['10.0.0.1 . 80']);
        tx.addElements({ ...t, name: 'triples' }, ['10.0.0.1 . 80 . eth0']);
        tx.addElements({ ...t, name: 'macs' }, ['02:00:00:00:00:01']);
        tx.addElements({ ...t, name: 'v6' }, ['fd00::1']);
        tx.addElements({ ...t, name: 'ports' }, [[8080, 'jump c'], [22, 'accept']]);
        tx.addElements({ ...t, name: 'names' }, [['docker1', 'drop']]);
        tx.addElements({ ...t, name: 'targets' }, [[80, '10.0.0.2']]);
        tx.addElements({ ...t, name: 'marking' }, [[80, '7']]);
        tx.addElements({ ...t, name: 'svcv' }, [['10.0.0.1 . 80', 'accept']]);
        tx.addRule({ ...t, chain: 'c', rule: 'iifname @ifnames meta mark @marks ip saddr @nets tcp dport vmap @ports comment "the library\'s"' });
        tx.addChain({ ...t, name: 'c2' });
        tx.addRule({ ...t, chain: 'c', match: { mark: 7, iifname: 'docker1' }, jump: 'c2' });
      });
      const saved = await nft(host, 'list', 'ruleset');
      // What nft printed is what was meant (these were "" and 0x07000000).
      assert.match(saved, /set bridges \{\n\t\ttype ifname\n\t\telements = \{ "docker1",\s+"docker2" \}/);
      assert.match(saved, /elements = \{ 0x00000007, 0x00000100 \}/);
      assert.match(saved, /iifname \{ "a", "b" \} accept/);
      await nftInput(fresh, saved);
      assert.equal(await nft(fresh, 'list', 'ruleset'), saved);
      // nft -j lists the same elements the library lists (marks: numbers in both).
      const json = jsonElements(await nft(host, '-j', 'list', 'ruleset'));
      const mine = await libraryElements(host);
      assert.deepEqual([...mine.keys()].sort(), [...json.keys()].sort());
      for (const [name, els] of json) assert.deepEqual(mine.get(name), els, name);
    });
  });
});

describe('the library reads what nft writes', () => {
  it('elements nft adds to the library\'s sets, and to sets nft declared, list as nft lists them', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.nft.transaction((tx) => {
        const t = { family: 'ip', table: 't' } as const;
        tx.addTable({ family: 'ip', name: 't' });
        tx.addSet({ ...t, name: 'ifnames', type: 'ifname' });
        tx.addSet({ ...t, name: 'pairs', type: 'ifname . ifname' });
        tx.addSet({ ...t, name: 'marks', type: 'mark' });
        tx.addMap({ ...t, name: 'marking', type: 'inet_service', map: 'mark' });
        tx.addSet({ ...t, name: 'nets', type: 'ipv4_addr', flags: ['interval'] });
      });
      await nftInput(ns, [
        'add set ip t typed { typeof meta mark; }',
        'add element ip t ifnames { "eth9", "docker1" }',
        'add element ip t pairs { "a" . "b" }',
        'add element ip t marks { 9, 0x10 }',
        'add element ip t marking { 80 : 0x7 }',
        'add element ip t nets { 10.1.0.0/16, 10.3.0.1-10.3.0.9 }',
        'add element ip t typed { 5 }',
      ].join('\n'));
      const t = { family: 'ip', table: 't' } as const;
      const sorted = async (name: string) => (await ns.nft.listElements({ ...t, name })).map(libraryText).sort();
      assert.deepEqual(await sorted('ifnames'), ['docker1', 'eth9']);
      assert.deepEqual(await sorted('pairs'), ['a . b']);
      assert.deepEqual(await sorted('marks'), ['16', '9']);
      assert.deepEqual(await sorted('marking'), ['80 : 7']);
      assert.deepEqual(await sorted('nets'), ['10.1.0.0/16', '10.3.0.1-10.3.0.9']);
      assert.deepEqual(await sorted('typed'), ['5']);
      assert.deepEqual(jsonElements(await nft(ns, '-j', 'list', 'ruleset')), await libraryElements(ns));
    });
  });
});

describe('addElements and deleteElements look the set up, as `nft add element` does', () => {
  it('sets made by nft or by an earlier transaction need no type; a missing set is named', async () => {
    await withNamespaces(1, async (ns) => {
      await nftInput(ns, 'table ip t { set nets { type ipv4_addr; flags interval; }; map ports { type inet_service : verdict; }; set svc { type ipv4_addr . inet_service; }; set typed { typeof meta mark; }; chain c { }; }');
      await ns.nft.transaction((tx) => { tx.addSet({ family: 'ip', table: 't', name: 'marks', type: 'mark' }); });
      const t = { family: 'ip', table: 't' } as const;
      await ns.nft.transaction((tx) => {
        tx.addElements({ ...t, name: 'nets' }, ['10.0.0.0/8', '198.18.0.1']);
        tx.addElements({ ...t, name: 'ports' }, [[80, 'jump c']]);
        tx.addElements({ ...t, name: 'svc' }, ['10.0.0.1 . 80']);
        tx.addElements({ ...t, name: 'typed' }, [7]);
        tx.addElements({ ...t, name: 'marks' }, [8]);
      });
      const listed = await nft(ns, 'list', 'ruleset');
      for (const line of ['elements = { 10.0.0.0/8, 198.18.0.1 }', 'elements = { 80 : jump c }', 'elements = { 10.0.0.1 . 80 }', 'elements = { 0x00000007 }', 'elements = { 0x00000008 }']) {
        assert.ok(listed.includes(line), `${line} in\n${listed}`);
      }
      await ns.nft.transaction((tx) => {
        tx.deleteElements({ ...t, name: 'nets' }, ['10.0.0.0/8']);
        tx.deleteElements({ ...t, name: 'ports' }, [[80, 'jump c']]);
      });
      assert.deepEqual(await ns.nft.listElements({ ...t, name: 'nets' }), ['198.18.0.1']);
      assert.deepEqual(await ns.nft.listElements({ ...t, name: 'ports' }), []);
      // The element's value is checked against the set's type, before anything is sent.
      const before = await nft(ns, 'list', 'ruleset');
      await assert.rejects(ns.nft.transaction((tx) => {
        tx.addElements({ ...t, name: 'marks' }, [9]);
        tx.addElements({ ...t, name: 'nets' }, ['not-an-address']);
      }), /^RangeError: elements\[0\]: "not-an-address" does not fit set ip t nets \(ipv4_addr\)/);
      await assert.rejects(ns.nft.transaction((tx) => {
        tx.addElements({ ...t, name: 'marks' }, [9]);
        tx.addElements({ ...t, name: 'nope' }, ['10.0.0.1']);
      }), (e: unknown) => e instanceof NetlinkError && e.code === 'ENOENT' && /set ip t nope/.test(e.message));
      await assert.rejects(ns.nft.transaction((tx) => { tx.addElements({ family: 'ip', table: 'nope', name: 'nope' }, ['10.0.0.1']); }),
        (e: unknown) => e instanceof NetlinkError && e.code === 'ENOENT' && /table ip nope does not exist/.test(e.message));
      assert.equal(await nft(ns, 'list', 'ruleset'), before);
    });
  });
});

describe('nft reads name what does not exist', () => {
  it('listElements and listSets of a missing table or set say which', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.nft.apply('table ip t { set s { type ipv4_addr; } }');
      const enoent = (what: RegExp, operation: string) => (e: unknown) => e instanceof NetlinkError && e.code === 'ENOENT' && e.operation === operation && what.test(e.message);
      await assert.rejects(ns.nft.listElements({ family: 'ip', table: 'nope', name: 's' }), enoent(/table ip nope does not exist/, 'nft.listElements'));
      await assert.rejects(ns.nft.listElements({ family: 'ip', table: 't', name: 'nope' }), enoent(/set ip t nope does not exist/, 'nft.listElements'));
      await assert.rejects(ns.nft.listSets({ family: 'ip', table: 'nope' }), enoent(/table ip nope does not exist/, 'nft.listSets'));
    });
  });
});

/** iptables-nft commands whose rules cover every match and target the library reads and writes. */
const IPTABLES: string[] = [
  '-t nat -N DOCK',
  '-t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCK',
  '-t nat -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCK',
  '-t nat -A DOCK -s 10.0.0.0/16 -p tcp -m tcp --dport 1234 -m comment --comment "nln a=b" -j DNAT --to-destination 198.18.0.2:8080',
  '-t nat -A DOCK -i docker1 -j RETURN',
  '-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4-1.2.3.9:80-90',
  '-t nat -A PREROUTING -j DNAT --to-destination 1.2.3.4',
  '-t nat -A PREROUTING -p tcp -j REDIRECT',
  '-t nat -A PREROUTING -p udp -j REDIRECT --to-ports 1000-2000',
  '-t nat -A POSTROUTING -s 198.18.0.0/24 ! -o docker1 -j MASQUERADE',
  '-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1024-2000',
  '-t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:1000-2000',
  '-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4',
  '-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  '-A FORWARD -m conntrack ! --ctstate INVALID -j ACCEPT',
  '-A FORWARD -m state --state NEW -j ACCEPT',
  '-A FORWARD -m comment --comment plain -j DROP',
  '-A INPUT -p tcp -m multiport --dports 22,80:90 -j ACCEPT',
  '-A INPUT -p udp -m multiport --sports 53 -j ACCEPT',
  '-A INPUT -p tcp -m multiport --ports 22,80:90 -j ACCEPT',
  '-A INPUT -m addrtype --src-type LOCAL --dst-type UNICAST -j ACCEPT',
  '-A INPUT -m mark --mark 0x7 -j DROP',
  '-A INPUT -m mark ! --mark 0x7/0xff -j DROP',
  '-A INPUT -j LOG --log-prefix "in: " --log-level 6',
  '-A INPUT -j LOG',
  '-A INPUT -p tcp -j REJECT --reject-with tcp-reset',
  '-A INPUT -j REJECT',
  '-A INPUT -j REJECT --reject-with icmp-host-prohibited',
  '-A INPUT -i veth+ -d 1.2.3.4/32 -p udp --sport 53 -j RETURN',
  '-A INPUT ! -s 10.0.0.0/8 -p tcp ! --dport 22:80 -j DROP',
  '-t mangle -A PREROUTING -j MARK --set-mark 7',
  '-t mangle -A PREROUTING -j MARK --set-xmark 0x7/0xff',
  '-t mangle -A PREROUTING -j MARK --set-xmark 0x0/0xff',
];

/** Each chain's rules as `nft list chain` prints them (the text after the two tabs). */
async function nftRuleTexts(ns: Netns): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const c of await ns.nft.listChains()) {
    const text = await nft(ns, 'list', 'chain', c.family, c.table, c.name);
    const rules = text.split('\n').filter((l) => l.startsWith('\t\t') && !/^\t\ttype \S+ hook /.test(l)).map((l) => l.slice(2));
    out.set(`${c.family} ${c.table} ${c.name}`, rules);
  }
  return out;
}

async function libraryRuleTexts(ns: Netns): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const c of await ns.nft.listChains()) {
    out.set(`${c.family} ${c.table} ${c.name}`, (await ns.nft.listRules({ family: c.family, table: c.table, chain: c.name })).map((r) => r.text));
  }
  return out;
}

/** Rule texts with their counters' values left out. */
const uncounted = (m: Map<string, string[]>) => new Map([...m].map(([k, rules]) => [k, rules.map((r) => r.replace(/counter packets \d+ bytes \d+/g, 'counter packets N bytes N'))]));

describe('rules iptables-nft and ns.iptables write are listed as nft lists them', () => {
  it('DNAT, MASQUERADE, SNAT, REDIRECT, MARK, LOG, REJECT, comment, addrtype, conntrack, state, multiport, mark', async () => {
    await withNamespaces(2, async (theirs, mine) => {
      for (const cmd of IPTABLES) await sh('ip', ['netns', 'exec', theirs.name!, 'iptables-nft', ...cmd.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ''))]);
      await sh('ip', ['netns', 'exec', theirs.name!, 'ip6tables-nft', '-t', 'nat', '-A', 'PREROUTING', '-p', 'tcp', '-j', 'DNAT', '--to-destination', '[fd00::1]:80']);
      await sh('ip', ['netns', 'exec', theirs.name!, 'ip6tables-nft', '-A', 'INPUT', '-p', 'tcp', '-j', 'REJECT', '--reject-with', 'icmp6-adm-prohibited']);
      const expected = await nftRuleTexts(theirs);
      const listed = await libraryRuleTexts(theirs);
      assert.deepEqual(listed, expected);
      for (const rules of listed.values()) for (const r of rules) assert.doesNotMatch(r, /outside the supported language|^xt /);

      // The library's own iptables rules (ns.iptables and a BridgeNetwork with firewall 'iptables').
      for (const cmd of IPTABLES) await mine.iptables.exec(cmd);
      const net = await BridgeNetwork.create({ netns: mine, bridge: 'docker7', subnet: '198.18.7.0/24', firewall: 'iptables' });
      await withNamespaces(1, async (c) => {
        const e = await net.attach(c);
        await net.publish({ endpoint: e, hostPort: 1234, port: 8080 });
        // Counted apart: the container attached meanwhile sends packets (its SNAT counter moves
        // between the two reads); the text of each rule is what is compared here.
        assert.deepEqual(uncounted(await libraryRuleTexts(mine)), uncounted(await nftRuleTexts(mine)));
        const dnat = (await mine.nft.listRules({ family: 'ip', table: 'nat', chain: 'NLN-docker7' })).map((r) => r.text);
        assert.deepEqual(dnat, ['tcp dport 1234  counter packets 0 bytes 0 dnat to 198.18.7.2:8080']);
        await net.delete();
      });
    });
  });

  it('a masked mark match round-trips through the rule language', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.nft.apply('table ip t { chain c { } }');
      await ns.nft.transaction((tx) => { tx.addRule({ family: 'ip', table: 't', chain: 'c', rule: 'meta mark & 0x000000ff == 0x00000007 ct mark & 0x0000ff00 != 0x00000100 accept' }); });
      const [rule] = await ns.nft.listRules({ family: 'ip', table: 't', chain: 'c' });
      assert.equal(rule.text, 'meta mark & 0x000000ff == 0x00000007 ct mark & 0x0000ff00 != 0x00000100 accept');
      assert.deepEqual((await nftRuleTexts(ns)).get('ip t c'), [rule.text]);
    });
  });
});
