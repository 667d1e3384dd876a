import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NetlinkError, type Netns } from '../../src/index';
import { natTopology, sh, withNamespaces } from '../helpers';
import { captureLibraryNetlink, captureNetlink } from '../link-oracle';

const ipt = (ns: Netns, ...args: string[]) => sh('ip', ['netns', 'exec', ns.name!, 'iptables-nft', ...args]);
const S = async (ns: Netns, table: string) => (await ipt(ns, '-t', table, '-S')).trim().split('\n');

/** [table, chain, arguments as given, the line `iptables-nft -S` prints]. */
const FORMS: Array<[string, string, string, string]> = [
  ['nat', 'PREROUTING', '-p tcp -s 10.0.0.0/16 --dport 1234 -j DNAT --to-destination 111.222.33.4:1234', '-s 10.0.0.0/16 -p tcp -m tcp --dport 1234 -j DNAT --to-destination 111.222.33.4:1234'],
  ['nat', 'PREROUTING', '-m addrtype --dst-type LOCAL -j RETURN', '-m addrtype --dst-type LOCAL -j RETURN'],
  ['nat', 'OUTPUT', '-p tcp --dport 80 -j REDIRECT --to-ports 8080', '-p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8080'],
  ['nat', 'POSTROUTING', '-s 10.0.0.0/16 ! -o docker0 -j MASQUERADE', '-s 10.0.0.0/16 ! -o docker0 -j MASQUERADE'],
  ['nat', 'POSTROUTING', '-p tcp -j MASQUERADE --to-ports 1024-2000', '-p tcp -j MASQUERADE --to-ports 1024-2000'],
  ['nat', 'POSTROUTING', '-d 10.0.0.2 -j SNAT --to-source 198.18.0.1', '-d 10.0.0.2/32 -j SNAT --to-source 198.18.0.1'],
  ['filter', 'INPUT', '-s 10.1.2.0/23 ! -d 10.9.9.9 -p udp --sport 53 -j DROP', '-s 10.1.2.0/23 ! -d 10.9.9.9/32 -p udp -m udp --sport 53 -j DROP'],
  ['filter', 'INPUT', '-p tcp -m multiport --dports 80,443 -j ACCEPT', '-p tcp -m multiport --dports 80,443 -j ACCEPT'],
  ['filter', 'INPUT', '-p udp -m multiport --sports 53,1000:2000 -j ACCEPT', '-p udp -m multiport --sports 53,1000:2000 -j ACCEPT'],
  ['filter', 'INPUT', '-m mark --mark 0x7/0xff -j ACCEPT', '-m mark --mark 0x7/0xff -j ACCEPT'],
  ['filter', 'INPUT', '-j LOG --log-prefix in:', '-j LOG --log-prefix "in:"'],
  ['filter', 'INPUT', '-m comment --comment plain -j ACCEPT', '-m comment --comment plain -j ACCEPT'],
  ['filter', 'INPUT', '-p tcp -j REJECT', '-p tcp -j REJECT --reject-with icmp-port-unreachable'],
  ['filter', 'INPUT', '-p tcp -m tcp --dport 1000:2000 -j ACCEPT', '-p tcp -m tcp --dport 1000:2000 -j ACCEPT'],
  ['filter', 'INPUT', '! -p udp -j ACCEPT', '! -p udp -j ACCEPT'],
  ['filter', 'INPUT', '-p icmp -j ACCEPT', '-p icmp -j ACCEPT'],
  ['filter', 'FORWARD', '-i veth+ -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment "hi there" -j ACCEPT', '-i veth+ -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "hi there" -j ACCEPT'],
  ['filter', 'FORWARD', '-o eth0 -m conntrack ! --ctstate INVALID -j ACCEPT', '-o eth0 -m conntrack ! --ctstate INVALID -j ACCEPT'],
  ['filter', 'FORWARD', '-m state --state NEW -j ACCEPT', '-m state --state NEW -j ACCEPT'],
  ['filter', 'FORWARD', '-j USERCHAIN', '-j USERCHAIN'],
  ['filter', 'FORWARD', '-g USERCHAIN', '-g USERCHAIN'],
  ['filter', 'USERCHAIN', '-j RETURN', '-j RETURN'],
  ['mangle', 'PREROUTING', '-j MARK --set-mark 0x7', '-j MARK --set-xmark 0x7/0xffffffff'],
];

describe('iptables: rules iptables-nft reads as its own', () => {
  it('every supported form, written by the library, is printed by iptables-nft -S as the canonical line', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.iptables.newChain('filter', 'USERCHAIN');
      for (const [table, chain, args] of FORMS) await ns.iptables.exec(`-t ${table} -A ${chain} ${args}`);
      for (const table of ['filter', 'nat', 'mangle']) {
        const theirs = await S(ns, table);
        const expected = FORMS.filter(([t]) => t === table).map(([, chain, , line]) => `-A ${chain} ${line}`);
        assert.deepEqual(theirs.filter((l) => l.startsWith('-A')).sort(), expected.sort(), `table ${table} as iptables-nft -S prints it`);
        assert.deepEqual(await ns.iptables.list(table), theirs, `table ${table} as we list it`);
      }
      // iptables-nft-save reads it all, without calling any table incompatible.
      const save = await sh('ip', ['netns', 'exec', ns.name!, 'iptables-nft-save']);
      assert.ok(!/incompatible/i.test(save));
      assert.equal(save.split('\n').filter((l) => l.startsWith('-A')).length, FORMS.length);
    });
  });

  it('rules written by iptables-nft are listed as iptables-nft -S prints them, and deleted by spec and by number', async () => {
    await withNamespaces(1, async (ns) => {
      await ipt(ns, '-N', 'USERCHAIN');
      for (const [table, chain, args] of FORMS) await sh('sh', ['-c', `ip netns exec ${ns.name} iptables-nft -t ${table} -A ${chain} ${args}`]);
      for (const table of ['filter', 'nat', 'mangle']) assert.deepEqual(await ns.iptables.list(table), await S(ns, table), table);
      assert.equal(await ns.iptables.check('nat', 'PREROUTING', FORMS[0][2]), true);
      await ns.iptables.delete('nat', 'PREROUTING', FORMS[0][2]);
      assert.equal(await ns.iptables.check('nat', 'PREROUTING', FORMS[0][2]), false);
      await ns.iptables.delete('filter', 'INPUT', 1);
      const input = (await S(ns, 'filter')).filter((l) => l.startsWith('-A INPUT'));
      assert.equal(input[0], `-A INPUT ${FORMS[7][3]}`);
      await ns.iptables.exec('-F INPUT');
      assert.equal((await S(ns, 'filter')).filter((l) => l.startsWith('-A INPUT')).length, 0);
    });
  });

  it('a restored ruleset (Docker-like) stays intact and readable while the library appends, inserts and deletes', async () => {
    await withNamespaces(1, async (ns) => {
      const ruleset = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-USER - [0:0]
:DOCKER-FORWARD - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-FORWARD
-A DOCKER-FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A DOCKER-FORWARD -o docker0 -j DOCKER
-A DOCKER-FORWARD -i docker0 -j ACCEPT
-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER-USER -j RETURN
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
COMMIT
`;
      await sh('sh', ['-c', `printf '%s' "$1" | ip netns exec ${ns.name} iptables-nft-restore`, 'sh', ruleset]);
      const before = await S(ns, 'filter');
      await ns.iptables.insert('filter', 'DOCKER-USER', '-s 10.9.0.0/16 -j DROP');
      await ns.iptables.append('filter', 'DOCKER', '-d 172.17.0.3/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 443 -j ACCEPT');
      await ns.iptables.append('nat', 'DOCKER', '! -i docker0 -p tcp -m tcp --dport 8443 -j DNAT --to-destination 172.17.0.3:443');
      assert.equal(await ns.iptables.list('filter').then((l) => l.join('\n')), (await S(ns, 'filter')).join('\n'));
      assert.deepEqual((await S(ns, 'filter')).filter((l) => l.startsWith('-A DOCKER-USER')), ['-A DOCKER-USER -s 10.9.0.0/16 -j DROP', '-A DOCKER-USER -j RETURN']);
      assert.equal((await S(ns, 'filter')).find((l) => l.startsWith('-P FORWARD')), '-P FORWARD DROP');
      await ns.iptables.delete('filter', 'DOCKER-USER', '-s 10.9.0.0/16 -j DROP');
      await ns.iptables.delete('filter', 'DOCKER', '-d 172.17.0.3/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 443 -j ACCEPT');
      assert.deepEqual(await S(ns, 'filter'), before);
      const save = await sh('ip', ['netns', 'exec', ns.name!, 'iptables-nft-save']);
      assert.ok(save.includes('-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8443 -j DNAT --to-destination 172.17.0.3:443'));
      assert.ok(save.includes('-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT'));
    });
  });

  it('requests are byte for byte what iptables-nft sends (both processes traced with strace)', async () => {
    await withNamespaces(1, async (ns) => {
      const NEWRULE = 0x0a06; // NFT_MSG_NEWRULE
      const rules = (messages: Buffer[]) => messages.filter((m) => m.readUInt16LE(4) === NEWRULE).map((m) => m.toString('hex'));
      await ipt(ns, '-N', 'USERCHAIN');
      // The library's appends, all from one traced process.
      const { messages, result } = await captureLibraryNetlink(`
        const ns = await lib.Netns.open(${JSON.stringify(ns.name)});
        for (const [table, chain, args] of ${JSON.stringify(FORMS)}) await ns.iptables.append(table, chain, args);
        await ns.close();`);
      assert.equal(result, null, JSON.stringify(result));
      const ours = rules(messages);
      assert.equal(ours.length, FORMS.length);
      for (const [i, [table, chain, args]] of FORMS.entries()) {
        // iptables-nft splits its arguments itself: through sh, as a user types them.
        const theirs = rules((await captureNetlink(['ip', 'netns', 'exec', ns.name!, 'sh', '-c', `iptables-nft -t ${table} -A ${chain} ${args}`])).messages);
        assert.equal(theirs.length, 1, `iptables-nft sent one rule for ${args}`);
        assert.equal(ours[i], theirs[0], `-t ${table} -A ${chain} ${args}`);
      }
      // Both wrote every rule: each line is in iptables-nft -S twice.
      for (const [table, chain, , line] of FORMS) assert.equal((await S(ns, table)).filter((l) => l === `-A ${chain} ${line}`).length, 2, line);
    });
  });

  it('ip6tables: filter rules as ip6tables-nft prints them', async () => {
    await withNamespaces(1, async (ns) => {
      const forms: Array<[string, string]> = [
        ['-s 2001:db8::/32 -p tcp --dport 22 -j ACCEPT', '-A INPUT -s 2001:db8::/32 -p tcp -m tcp --dport 22 -j ACCEPT'],
        ['! -d 2001:db8::1 -i eth0 -m conntrack --ctstate NEW -j DROP', '-A INPUT ! -d 2001:db8::1/128 -i eth0 -m conntrack --ctstate NEW -j DROP'],
        ['-s 2001:db8:8000::/33 -j RETURN', '-A INPUT -s 2001:db8:8000::/33 -j RETURN'],
        ['-p tcp -j REJECT', '-A INPUT -p tcp -j REJECT --reject-with icmp6-port-unreachable'],
      ];
      for (const [args] of forms) await ns.ip6tables.append('filter', 'INPUT', args);
      const theirs = (await sh('ip', ['netns', 'exec', ns.name!, 'ip6tables-nft', '-S'])).trim().split('\n');
      assert.deepEqual(theirs.filter((l) => l.startsWith('-A')), forms.map(([, line]) => line));
      assert.deepEqual(await ns.ip6tables.list('filter'), theirs);
      await assert.rejects(ns.ip6tables.append('filter', 'INPUT', '-s 10.0.0.0/8 -j ACCEPT'), /IPv4 address, this is IPv6/);
      const nat: Array<[string, string, string]> = [
        ['PREROUTING', '-p tcp --dport 80 -j DNAT --to-destination [2001:db8::2]:8080', '-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination [2001:db8::2]:8080'],
        ['OUTPUT', '-p tcp -j REDIRECT --to-ports 8080', '-A OUTPUT -p tcp -j REDIRECT --to-ports 8080'],
        ['POSTROUTING', '-j MASQUERADE', '-A POSTROUTING -j MASQUERADE'],
        ['POSTROUTING', '-j SNAT --to-source 2001:db8::1', '-A POSTROUTING -j SNAT --to-source 2001:db8::1'],
      ];
      for (const [chain, args] of nat) await ns.ip6tables.append('nat', chain, args);
      const natS = (await sh('ip', ['netns', 'exec', ns.name!, 'ip6tables-nft', '-t', 'nat', '-S'])).trim().split('\n');
      assert.deepEqual(natS.filter((l) => l.startsWith('-A')).sort(), nat.map(([, , line]) => line).sort());
      assert.deepEqual(await ns.ip6tables.list('nat'), natS);
      await ns.ip6tables.delete('filter', 'INPUT', '-p tcp -j REJECT');
    });
  });

  it('exec prints what iptables-nft prints: -S as list() lines, nothing for a change', async () => {
    await withNamespaces(1, async (ns) => {
      assert.equal(await ns.iptables.exec('-t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 198.18.0.2:8080'), '');
      // Without a port the address alone needs no protocol, as iptables allows.
      assert.equal(await ns.iptables.exec('-t nat -A PREROUTING -d 198.18.0.9/32 -j DNAT --to-destination 198.18.0.2'), '');
      assert.equal(await ns.iptables.exec('-t nat -S'), await ipt(ns, '-t', 'nat', '-S'));
      assert.equal(await ns.iptables.exec(['-t', 'nat', '-S', 'PREROUTING']), (await ns.iptables.list('nat', 'PREROUTING')).map((l) => `${l}\n`).join(''));
      assert.deepEqual(await ns.iptables.list('nat', 'PREROUTING'), (await ipt(ns, '-t', 'nat', '-S', 'PREROUTING')).trim().split('\n'));
    });
  });

  it('ensureChain: a user chain consulted first from FORWARD, made once', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.iptables.append('filter', 'FORWARD', '-j ACCEPT');
      for (let i = 0; i < 2; i++) await ns.iptables.ensureChain('filter', 'DOCKER-USER', { jumpFrom: 'FORWARD', position: 'first' });
      assert.deepEqual((await S(ns, 'filter')).filter((l) => !l.startsWith('-P')), ['-N DOCKER-USER', '-A FORWARD -j DOCKER-USER', '-A FORWARD -j ACCEPT']);
      await ns.iptables.setPolicy('filter', 'FORWARD', 'DROP');
      assert.ok((await S(ns, 'filter')).includes('-P FORWARD DROP'));
    });
  });

  it('bad input is refused naming the option, and nothing changes', async () => {
    await withNamespaces(1, async (ns) => {
      const bad: Array<[string, RegExp]> = [
        ['-A INPUT -p tcp --dport 70000 -j ACCEPT', /--dport: port 70000 is out of range/],
        ['-A INPUT -s 10.0.0.0/33 -j ACCEPT', /prefix length 33/],
        ['-A INPUT --frobnicate 1 -j ACCEPT', /--frobnicate: unsupported option/],
        ['-A INPUT -m hashlimit --hashlimit-upto 1/sec -j ACCEPT', /-m: unsupported match "hashlimit"/],
        ['-A INPUT -j TPROXY --on-port 1', /TPROXY|--on-port/],
        ['-A INPUT -o eth0 -j ACCEPT', /-o: "eth0" can't be used with INPUT/],
        ['-A INPUT --dport 80 -j ACCEPT', /--dport: needs -p tcp or -p udp/],
        ['-t nosuchtable -A INPUT -j ACCEPT', /table: "nosuchtable" is not one of/],
        ['-Z INPUT', /command: "-Z" is not one of/],
        // As iptables: "Need TCP, UDP, SCTP or DCCP with port specification".
        ['-t nat -A PREROUTING -j DNAT --to-destination 198.18.0.2:80', /--to-destination: "198\.18\.0\.2:80" has a port, which needs -p tcp or -p udp/],
        ['-t nat -A POSTROUTING -p all -j SNAT --to-source 198.18.0.1:1000-2000', /--to-source: "198\.18\.0\.1:1000-2000" has a port, which needs -p tcp/],
        ['-t nat -A POSTROUTING -j MASQUERADE --to-ports 1024-2000', /--to-ports: "1024-2000" has a port, which needs -p tcp/],
        ['-t nat -A PREROUTING -j REDIRECT --to-ports 8080', /--to-ports: "8080" has a port, which needs -p tcp/],
      ];
      for (const [command, message] of bad) {
        await assert.rejects(ns.iptables.exec(command), (e: unknown) => (e instanceof RangeError || e instanceof TypeError) && message.test((e as Error).message), command);
      }
      await assert.rejects(ns.iptables.exec('-D INPUT -j ACCEPT'), (e: unknown) => e instanceof NetlinkError && /Bad rule/.test(e.message));
      assert.equal((await sh('ip', ['netns', 'exec', ns.name!, 'nft', 'list', 'ruleset'])).trim(), '');
    });
  });


  it('DROP in the nat table is refused as iptables-nft refuses it (-P, -j, in exec and restore); a restore header\'s :CHAIN DROP is taken as it takes it', async () => {
    await withNamespaces(2, async (ours, theirs) => {
      const refused = ['-t nat -P PREROUTING DROP', '-t nat -P POSTROUTING DROP', '-t nat -A PREROUTING -j DROP', '-t nat -I OUTPUT -p tcp -j DROP'];
      for (const command of refused) {
        await assert.rejects(ipt(theirs, ...command.split(' ')), /nat" table is not intended for filtering/, `iptables-nft ${command}`);
        await assert.rejects(ours.iptables.exec(command), (e: unknown) => e instanceof RangeError && /nat table is not for filtering/.test(e.message), command);
        const [, , ...line] = command.split(' ');
        await assert.rejects(ours.iptables.restore(`*nat\n${line.join(' ')}\nCOMMIT\n`), /line 2.*nat table is not for filtering/s, `restore ${command}`);
      }
      assert.equal((await sh('ip', ['netns', 'exec', ours.name!, 'nft', 'list', 'ruleset'])).trim(), '');
      // Other tables take DROP as policy; iptables-nft-restore takes a nat header's DROP unchecked, and so do we.
      const input = '*nat\n:PREROUTING DROP [0:0]\nCOMMIT\n*mangle\n-P PREROUTING DROP\nCOMMIT\n';
      await ours.iptables.restore(input);
      await sh('sh', ['-c', `printf '${input.replace(/\n/g, '\\n')}' | ip netns exec ${theirs.name} iptables-nft-restore`]);
      for (const table of ['nat', 'mangle']) assert.deepEqual(await S(ours, table), await S(theirs, table), table);
      assert.ok((await S(ours, 'nat')).includes('-P PREROUTING DROP'));
    });
  });
  it('the DNAT rule carries real traffic, and stops once deleted', async () => {
    await withNamespaces(3, async (client, host, server) => {
      const { exchange, close } = await natTopology(client, host, server, { serverRouteBack: true });
      try {
        const rule = '-p tcp -s 10.0.0.0/16 --dport 1234 -j DNAT --to-destination 198.18.1.2:8080';
        await host.iptables.exec(`-t nat -A PREROUTING ${rule}`);
        assert.equal(await exchange('10.0.0.1', 1234), 'pong:ping');
        await host.iptables.exec(`-t nat -D PREROUTING ${rule}`);
        await assert.rejects(exchange('10.0.0.1', 1234), /ECONNREFUSED/);
      } finally {
        close();
      }
    });
  });
});
