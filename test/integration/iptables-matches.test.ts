// Every supported iptables match and target, both ways against iptables-nft 1.8.9: each rule line
// written by the library is printed by `iptables-nft -S` as the expected line; written by iptables-nft
// it is listed by ns.iptables.list as the same line; and the two rules' expressions in the kernel are
// the same (the library encodes exactly as iptables-nft does). Kubernetes proxier-shaped lines first.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NetlinkError, type Netns } from '../../src/index';
import { sh, withNamespaces } from '../helpers';
import { captureLibraryNetlink, captureNetlink } from '../link-oracle';

/** [table, chain, the arguments as given, the line `iptables-nft -S` prints (when it differs)]. */
type Case = [table: string, chain: string, given: string, printed?: string];

const IPV4: Case[] = [
  // kube-proxy (iptables mode), as its proxier tests write the rules: matches before -p, no-target rules.
  ['nat', 'PREROUTING', '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES'],
  ['nat', 'POSTROUTING', '-m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING'],
  ['nat', 'KUBE-SERVICES', '-m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-X',
    '-d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-SVC-X'],
  ['nat', 'KUBE-SERVICES', '-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS'],
  ['nat', 'KUBE-SVC-X', '-m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
    '! -s 10.0.0.0/8 -d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ'],
  ['nat', 'KUBE-SVC-X', '-m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-A',
    '-m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-A'],
  ['nat', 'KUBE-SVC-X', '-m comment --comment "ns1/svc1:p80 -> 10.180.0.3:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-A',
    '-m comment --comment "ns1/svc1:p80 -> 10.180.0.3:80" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-A'],
  ['nat', 'KUBE-SVC-X', '-m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -j KUBE-SEP-A'],
  ['nat', 'KUBE-SVC-X', '-m comment --comment "ns1/svc1:p80 has no endpoints"'],
  ['nat', 'KUBE-SVC-X', '-m statistic --mode nth --every 3 --packet 1 -j KUBE-SEP-A'],
  ['nat', 'KUBE-SEP-A', '-m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ', '-s 10.180.0.1/32 -m comment --comment "ns1/svc1:p80" -j KUBE-MARK-MASQ'],
  ['nat', 'KUBE-SEP-A', '-m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80', '-p tcp -m comment --comment "ns1/svc1:p80" -m tcp -j DNAT --to-destination 10.180.0.1:80'],
  // Session affinity (ClientIP): -m recent.
  ['nat', 'KUBE-SEP-A', '-m comment --comment ns1/svc1:p80 -m recent --name KUBE-SEP-A --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80',
    '-p tcp -m comment --comment "ns1/svc1:p80" -m recent --set --name KUBE-SEP-A --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.180.0.1:80'],
  ['nat', 'KUBE-SVC-X', '-m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m recent --name KUBE-SEP-A --rcheck --seconds 10800 --reap -j KUBE-SEP-A',
    '-m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-A --mask 255.255.255.255 --rsource -j KUBE-SEP-A'],
  ['nat', 'KUBE-NODEPORTS', '-m comment --comment ns2/svc2:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-X', '-p tcp -m comment --comment "ns2/svc2:p80" -m tcp --dport 3001 -j KUBE-EXT-X'],
  ['nat', 'KUBE-EXT-X', '-m comment --comment "masquerade traffic for ns2/svc2:p80 external destinations" -j KUBE-MARK-MASQ'],
  ['nat', 'KUBE-EXT-X', '-m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-X'],
  ['nat', 'KUBE-EXT-X', '-p tcp -m comment --comment late --dport 80 -j KUBE-SVC-X', '-p tcp -m comment --comment late -m tcp --dport 80 -j KUBE-SVC-X'],
  ['nat', 'KUBE-MARK-MASQ', '-j MARK --or-mark 0x4000', '-j MARK --set-xmark 0x4000/0x4000'],
  ['nat', 'KUBE-POSTROUTING', '-m mark ! --mark 0x4000/0x4000 -j RETURN'],
  ['nat', 'KUBE-POSTROUTING', '-j MARK --xor-mark 0x4000', '-j MARK --set-xmark 0x4000/0x0'],
  ['nat', 'KUBE-POSTROUTING', '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully'],
  ['filter', 'KUBE-FIREWALL', '-m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    '! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP'],
  ['filter', 'KUBE-FORWARD', '-m conntrack --ctstate INVALID -j DROP'],
  ['filter', 'KUBE-FORWARD', '-m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT'],
  ['filter', 'KUBE-FORWARD', '-m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'],
  ['filter', 'KUBE-SERVICES', '-m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT',
    '-d 172.30.0.46/32 -p tcp -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable'],
  ['filter', 'KUBE-SERVICES', '-m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP',
    '-p tcp -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 3001 -j DROP'],
  // conntrack states and statuses
  ['filter', 'INPUT', '-m conntrack --ctstatus EXPECTED,SEEN_REPLY,ASSURED,CONFIRMED -j ACCEPT'],
  ['filter', 'INPUT', '-m conntrack --ctstatus ASSURED --ctstate SNAT -j ACCEPT', '-m conntrack --ctstate SNAT --ctstatus ASSURED -j ACCEPT'],
  ['filter', 'INPUT', '-m conntrack ! --ctstatus CONFIRMED -j ACCEPT'],
  ['filter', 'INPUT', '-m conntrack --ctstatus NONE'],
  ['filter', 'INPUT', '-m conntrack --ctstate DNAT,UNTRACKED,SNAT,NEW', '-m conntrack --ctstate NEW,UNTRACKED,SNAT,DNAT'],
  ['filter', 'INPUT', '-m state --state UNTRACKED'],
  // tcp/udp ports and flags, as iptables-nft folds them
  ['filter', 'INPUT', '-p tcp --sport 1 --dport 2 -j ACCEPT', '-p tcp -m tcp --sport 1 --dport 2 -j ACCEPT'],
  ['filter', 'INPUT', '-p udp -m udp ! --sport 1 ! --dport 2', '-p udp -m udp ! --sport 1 ! --dport 2'],
  ['filter', 'INPUT', '-p udp --sport 0 --dport 2', '-p udp -m udp --sport 0 --dport 2'],
  ['filter', 'INPUT', '-p tcp --sport 0:80', '-p tcp -m tcp --sport 0:80'],
  ['filter', 'INPUT', '-p tcp --dport 1000:65535', '-p tcp -m tcp --dport 1000:65535'],
  ['filter', 'INPUT', '-p tcp --dport 80:80', '-p tcp -m tcp --dport 80'],
  ['filter', 'INPUT', '-p udp -m udp'],
  ['filter', 'INPUT', '-p tcp --dport 80 --tcp-flags SYN SYN --sport 1', '-p tcp -m tcp --sport 1 --dport 80 --tcp-flags SYN SYN'],
  ['filter', 'INPUT', '-p tcp ! --syn', '-p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN'],
  ['filter', 'INPUT', '-p tcp --tcp-flags ALL NONE', '-p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE'],
  // mark, statistic, addrtype, multiport, limit, comment
  ['filter', 'INPUT', '-m mark --mark 0x4000'],
  ['filter', 'INPUT', '-m mark ! --mark 0x4000/0xffffffff', '-m mark ! --mark 0x4000'],
  ['filter', 'INPUT', '-m statistic --mode random ! --probability 0.25', '-m statistic --mode random ! --probability 0.25000000000'],
  ['filter', 'INPUT', '-m statistic --mode random --probability 0.000244140625', '-m statistic --mode random --probability 0.00024414062'],
  ['filter', 'INPUT', '-m statistic --mode nth ! --every 2 --packet 0'],
  ['filter', 'INPUT', '-m addrtype --src-type LOCAL --limit-iface-in'],
  ['filter', 'OUTPUT', '-m addrtype --dst-type LOCAL --limit-iface-out'],
  ['filter', 'INPUT', '-m addrtype ! --src-type LOCAL ! --dst-type UNICAST'],
  ['filter', 'INPUT', '-m addrtype --src-type LOCAL --dst-type BROADCAST'],
  ['filter', 'INPUT', '-p tcp -m multiport ! --dports 80,443'],
  ['filter', 'INPUT', '-p tcp -m multiport --ports 80,1000:2000'],
  ['filter', 'INPUT', '-m limit --limit 5/sec --limit-burst 10'],
  ['filter', 'INPUT', '-m limit --limit 3/min'],
  ['filter', 'INPUT', '-m limit --limit 100/hour --limit-burst 1'],
  ['filter', 'INPUT', '-m limit --limit 2/day'],
  ['filter', 'INPUT', '-m limit', '-m limit --limit 3/hour'],
  ['filter', 'INPUT', '-m limit --limit 60/minute', '-m limit --limit 1/sec'],
  ['filter', 'INPUT', '-m comment --comment a -m comment --comment b'],
  ['filter', 'INPUT', '-m recent ! --update --hitcount 3 --rttl --rdest --mask 255.255.0.0', '-m recent ! --update --hitcount 3 --rttl --name DEFAULT --mask 255.255.0.0 --rdest'],
  ['filter', 'INPUT', `-m comment --comment 'has "quotes" and \\back'`, '-m comment --comment "has \\"quotes\\" and \\\\back"'],
  // physdev, REJECT
  ['filter', 'FORWARD', '-m physdev --physdev-in veth1 --physdev-out eth+ -j ACCEPT'],
  ['filter', 'FORWARD', '-m physdev --physdev-is-bridged -j ACCEPT'],
  ['filter', 'FORWARD', '-m physdev ! --physdev-is-out ! --physdev-is-in -j ACCEPT', '-m physdev ! --physdev-is-in ! --physdev-is-out -j ACCEPT'],
  ['filter', 'FORWARD', '-m physdev ! --physdev-in veth1 -j ACCEPT'],
  ['filter', 'INPUT', '-j REJECT --reject-with icmp-host-prohibited'],
  ['filter', 'INPUT', '-p tcp -j REJECT --reject-with tcp-reset'],
  ['filter', 'INPUT', '-j REJECT --reject-with icmp-net-unreachable'],
  ['filter', 'INPUT', '-j REJECT --reject-with icmp-host-unreachable'],
  ['filter', 'INPUT', '-j REJECT --reject-with icmp-proto-unreachable'],
  ['filter', 'INPUT', '-j REJECT --reject-with icmp-net-prohibited'],
  ['filter', 'INPUT', '-j REJECT --reject-with icmp-admin-prohibited'],
  // NAT flags
  ['nat', 'POSTROUTING', '-j MASQUERADE --random'],
  ['nat', 'POSTROUTING', '-p tcp -j MASQUERADE --random-fully --to-ports 1000-2000', '-p tcp -j MASQUERADE --to-ports 1000-2000 --random-fully'],
  ['nat', 'POSTROUTING', '-j SNAT --to-source 198.18.0.1 --random-fully'],
  ['nat', 'POSTROUTING', '-j SNAT --to-source 198.18.0.1-198.18.0.9 --persistent --random --random-fully', '-j SNAT --to-source 198.18.0.1-198.18.0.9 --random --random-fully --persistent'],
  ['nat', 'PREROUTING', '-j DNAT --to-destination 198.18.0.2 --random'],
  ['nat', 'PREROUTING', '-p tcp -j DNAT --to-destination 198.18.0.2:80 --persistent'],
  ['nat', 'PREROUTING', '-p tcp -j REDIRECT --to-ports 80 --random'],
  // mangle: MARK, CONNMARK, connmark, TCPMSS
  ['mangle', 'PREROUTING', '-j MARK --and-mark 0x4000', '-j MARK --set-xmark 0x0/0xffffbfff'],
  ['mangle', 'PREROUTING', '-j MARK --set-mark 0x4000/0x4000', '-j MARK --set-xmark 0x4000/0x4000'],
  ['mangle', 'PREROUTING', '-j MARK --set-mark 0x4000', '-j MARK --set-xmark 0x4000/0xffffffff'],
  ['mangle', 'PREROUTING', '-j CONNMARK --set-xmark 0x1/0xff'],
  ['mangle', 'PREROUTING', '-j CONNMARK --set-mark 0x1', '-j CONNMARK --set-xmark 0x1/0xffffffff'],
  ['mangle', 'PREROUTING', '-j CONNMARK --or-mark 0x4', '-j CONNMARK --set-xmark 0x4/0x4'],
  ['mangle', 'PREROUTING', '-j CONNMARK --save-mark', '-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff'],
  ['mangle', 'PREROUTING', '-j CONNMARK --restore-mark', '-j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff'],
  ['mangle', 'PREROUTING', '-j CONNMARK --save-mark --nfmask 0xff --ctmask 0xf0'],
  ['mangle', 'PREROUTING', '-j CONNMARK --restore-mark --mask 0xff', '-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff'],
  ['mangle', 'PREROUTING', '-m connmark --mark 0x1/0xff'],
  ['mangle', 'PREROUTING', '-m connmark ! --mark 0x1'],
  ['mangle', 'FORWARD', '-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu'],
  ['mangle', 'FORWARD', '-p tcp -j TCPMSS --set-mss 1400'],
  // raw: CT, NOTRACK
  ['raw', 'PREROUTING', '-j CT --notrack'],
  ['raw', 'PREROUTING', '-j NOTRACK'],
  ['raw', 'PREROUTING', '-j CT --zone 5'],
  ['raw', 'OUTPUT', '-p udp --dport 53 -j CT --notrack', '-p udp -m udp --dport 53 -j CT --notrack'],
];

const IPV6: Case[] = [
  ['filter', 'KUBE-SERVICES', '-m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d fd00::1 --dport 80 -j ACCEPT',
    '-d fd00::1/128 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j ACCEPT'],
  ['filter', 'KUBE-SERVICES', '-m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d fd00::6 --dport 80 -j REJECT',
    '-d fd00::6/128 -p tcp -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp6-port-unreachable'],
  ['filter', 'INPUT', '-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP'],
  ['filter', 'INPUT', '-j REJECT --reject-with icmp6-adm-prohibited'],
  ['filter', 'INPUT', '-j REJECT --reject-with icmp6-no-route'],
  ['filter', 'INPUT', '-j REJECT --reject-with icmp6-addr-unreachable'],
  ['filter', 'INPUT', '-p tcp -j REJECT --reject-with tcp-reset'],
  ['filter', 'INPUT', '-m addrtype --dst-type LOCAL --limit-iface-in'],
  ['nat', 'KUBE-SVC-X', '-m comment --comment "ns1/svc1:p80 -> [fd00::10]:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-A',
    '-m comment --comment "ns1/svc1:p80 -> [fd00::10]:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-A'],
  ['nat', 'KUBE-SEP-A', '-m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination [fd00::10]:80', '-p tcp -m comment --comment "ns1/svc1:p80" -m tcp -j DNAT --to-destination [fd00::10]:80'],
  ['nat', 'KUBE-SEP-A', '-j MARK --or-mark 0x4000', '-j MARK --set-xmark 0x4000/0x4000'],
  ['nat', 'KUBE-SVC-X', '-m recent --name KUBE-SEP-A --rcheck --seconds 10800 --reap -j KUBE-SEP-A',
    '-m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-A --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource -j KUBE-SEP-A'],
  ['nat', 'POSTROUTING', '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully'],
  ['nat', 'POSTROUTING', '-p tcp -j MASQUERADE --to-ports 1000-2000 --random'],
  ['nat', 'POSTROUTING', '-j SNAT --to-source 2001:db8::1 --random --persistent'],
  ['nat', 'PREROUTING', '-j DNAT --to-destination 2001:db8::2 --random'],
  ['mangle', 'PREROUTING', '-m mark ! --mark 0x4000/0x4000 -j RETURN'],
  ['raw', 'PREROUTING', '-j CT --notrack'],
];

/** -m set needs the sets: made with ipset in each namespace first. */
const SETS: Case[] = [
  ['filter', 'INPUT', '-m set --match-set foo src -j DROP'],
  ['filter', 'INPUT', '-m set ! --match-set bar dst,src -j ACCEPT'],
  ['filter', 'KUBE-SERVICES', '-m comment --comment "set and port" -m set --match-set bar src,dst -m tcp -p tcp --dport 80',
    '-p tcp -m comment --comment "set and port" -m set --match-set bar src,dst -m tcp --dport 80'],
];
const makeSets = async (ns: Netns) => {
  await sh('ip', ['netns', 'exec', ns.name!, 'ipset', 'create', 'foo', 'hash:ip']);
  await sh('ip', ['netns', 'exec', ns.name!, 'ipset', 'create', 'bar', 'hash:ip,port']);
};

const TABLES = ['filter', 'nat', 'mangle', 'raw'];
const BUILTIN = ['INPUT', 'FORWARD', 'OUTPUT', 'PREROUTING', 'POSTROUTING'];
const printed = ([, , given, line]: Case) => line ?? given;
const userChains = (cases: Case[], table: string) => [...new Set(cases.filter(([t, c]) => t === table && !BUILTIN.includes(c)).map(([, c]) => c))]
  .concat(cases.filter(([t]) => t === table).flatMap(([, , given]) => /-j (KUBE-[A-Z-]+)/.exec(given)?.[1] ?? []))
  .filter((c, i, all) => all.indexOf(c) === i);

/** The expressions of each rule, in -S order, without counter values. */
async function expressions(ns: Netns, family: 'ip' | 'ip6', table: string): Promise<string[]> {
  const rules = await ns.nft.rawRules(family, table, undefined, 'test');
  return rules.map((r) => `${r.chain}: ${JSON.stringify(r.exprs.map((e) => (e.name === 'counter' ? { name: 'counter' } : e)), (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`).sort();
}

async function roundTrip(family: 'ip' | 'ip6', cases: Case[], prepare?: (ns: Netns) => Promise<void>): Promise<void> {
  const tool = family === 'ip' ? 'iptables-nft' : 'ip6tables-nft';
  await withNamespaces(2, async (ours, theirs) => {
    for (const ns of [ours, theirs]) await prepare?.(ns);
    const ipt = family === 'ip' ? ours.iptables : ours.ip6tables;
    const S = async (ns: Netns, table: string) => (await sh('ip', ['netns', 'exec', ns.name!, tool, '-t', table, '-S'])).trim().split('\n');
    // Written by the library…
    for (const table of TABLES) for (const c of userChains(cases, table)) await ipt.newChain(table, c);
    for (const [table, chain, given] of cases) await ipt.exec(`-t ${table} -A ${chain} ${given}`);
    // …and by iptables-nft, through a shell as a user types the same lines.
    const script = ['set -e', ...TABLES.flatMap((t) => userChains(cases, t).map((c) => `${tool} -t ${t} -N ${c}`)),
      ...cases.map(([table, chain, given]) => `${tool} -t ${table} -A ${chain} ${given}`)].join('\n');
    await sh('ip', ['netns', 'exec', theirs.name!, 'sh', '-c', script]);
    const list = (ns: Netns) => (family === 'ip' ? ns.iptables : ns.ip6tables);
    for (const table of TABLES) {
      const expected = cases.filter(([t]) => t === table).map((c) => `-A ${c[1]} ${printed(c)}`).sort();
      for (const ns of [ours, theirs]) {
        const s = await S(ns, table);
        const who = ns === ours ? 'written by the library' : 'written by iptables-nft';
        assert.deepEqual(s.filter((l) => l.startsWith('-A')).sort(), expected, `${tool} -t ${table} -S, ${who}`);
        assert.deepEqual(await list(ns).list(table), s, `ns.${family === 'ip' ? 'iptables' : 'ip6tables'}.list('${table}'), ${who}`);
      }
      assert.deepEqual(await expressions(ours, family, table), await expressions(theirs, family, table), `${family} ${table}: the same expressions as iptables-nft's`);
      // ns.nft lists these rules as nft does (its text for each xt match/target is libxtables' translation);
      // a 4-byte port compare (-p tcp --sport 1 --dport 2) is outside ns.nft's rule language.
      const differ: string[] = [];
      for (const c of (await theirs.nft.listChains({ family, table })).filter((x) => x.table === table)) {
        const text = await sh('ip', ['netns', 'exec', theirs.name!, 'nft', 'list', 'chain', family, table, c.name]);
        const nftLines = text.split('\n').filter((l) => l.startsWith('\t\t') && !/^\t\ttype \S+ hook /.test(l)).map((l) => l.slice(2));
        const mine = (await theirs.nft.listRules({ family, table, chain: c.name })).map((r) => r.text);
        for (const [i, l] of nftLines.entries()) if (mine[i] !== l && mine[i] !== '(expressions outside the supported language)') differ.push(`${c.name}: ${JSON.stringify(mine[i])} for nft's ${JSON.stringify(l)}`);
      }
      assert.deepEqual(differ, [], `ns.nft.listRules of ${family} ${table} as nft lists it`);
    }
  });
}

/** NEWRULE requests, byte for byte: the library's appends and iptables-nft's for the same lines, both traced. */
async function sameRequests(family: 'ip' | 'ip6', cases: Case[], prepare?: (ns: Netns) => Promise<void>): Promise<void> {
  const NEWRULE = 0x0a06;
  const rules = (messages: Buffer[]) => messages.filter((m) => m.readUInt16LE(4) === NEWRULE).map((m) => m.toString('hex'));
  const ordered = TABLES.flatMap((t) => cases.filter(([table]) => table === t));
  await withNamespaces(1, async (ns) => {
    await prepare?.(ns);
    const ipt = family === 'ip' ? ns.iptables : ns.ip6tables;
    for (const table of TABLES) for (const c of userChains(cases, table)) await ipt.newChain(table, c);
    const { messages, result } = await captureLibraryNetlink(`
      const ns = await lib.Netns.open(${JSON.stringify(ns.name)});
      for (const [table, chain, given] of ${JSON.stringify(ordered)}) await ns.${family === 'ip' ? 'iptables' : 'ip6tables'}.exec(\`-t \${table} -A \${chain} \${given}\`);
      await ns.close();`);
    assert.equal(result, null, JSON.stringify(result));
    // One traced shell running iptables-nft once per line, as a user types them.
    const tool = family === 'ip' ? 'iptables-nft' : 'ip6tables-nft';
    const script = ['set -e', ...ordered.map(([table, chain, given]) => `${tool} -t ${table} -A ${chain} ${given}`)].join('\n');
    const traced = await captureNetlink(['ip', 'netns', 'exec', ns.name!, 'sh', '-c', script]);
    assert.equal(traced.status, 0, `${tool} took every line`);
    const ours = rules(messages);
    const theirs = rules(traced.messages);
    assert.equal(ours.length, ordered.length);
    assert.equal(theirs.length, ordered.length);
    for (const [i, c] of ordered.entries()) assert.equal(ours[i], theirs[i], `-t ${c[0]} -A ${c[1]} ${c[2]}`);
  });
}

describe('iptables matches and targets, both ways against iptables-nft', () => {
  it('IPv4: every supported option written and read as iptables-nft -S prints it, encoded as iptables-nft encodes it', async () => {
    await roundTrip('ip', IPV4);
  });

  it('IPv6: the options whose encoding differs (addresses, NAT structs, REJECT answers)', async () => {
    await roundTrip('ip6', IPV6);
  });

  it('the requests are byte for byte what iptables-nft sends (both traced with strace)', async () => {
    await sameRequests('ip', IPV4);
    await sameRequests('ip6', IPV6);
  });

  it('-m set: written once the ipset exists, printed with its name; refused naming the set when it does not', async () => {
    await roundTrip('ip', SETS, makeSets);
    await sameRequests('ip', SETS, makeSets);
    await withNamespaces(1, async (ns) => {
      await assert.rejects(ns.iptables.exec('-A INPUT -m set --match-set nope src -j DROP'), (e: unknown) => e instanceof NetlinkError && e.errno === 2 && /Set nope doesn't exist/.test(e.message));
      assert.equal((await sh('ip', ['netns', 'exec', ns.name!, 'nft', 'list', 'ruleset'])).trim(), '');
    });
  });
});
