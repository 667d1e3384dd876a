import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { NetlinkError, Netns } from '../../src/index';
import { ipJson, quietIpv6, sh, waitFor, withCleanup, withNamespaces } from '../helpers';

describe('neighbours', () => {
  it('ARP/NDP entries: the library and `ip neigh show nud all` agree both ways', async () => {
    await withNamespaces(1, async (ns) => {
      await quietIpv6(ns);
      await ns.links.add({ kind: 'veth', name: 'e0', up: true, peer: { name: 'e1', up: true } });
      await ns.neighbors.add({ link: 'e0', address: '198.18.0.9', lladdr: '02:00:00:00:00:09' });
      await ns.neighbors.add({ link: 'e0', address: '198.18.0.10', lladdr: '02:00:00:00:00:0a', state: 'reachable' });
      await ns.neighbors.add({ link: 'e0', address: '2001:db8::9', lladdr: '02:00:00:00:00:19', router: true });
      await sh('ip', ['-n', ns.name!, 'neigh', 'add', '198.18.0.11', 'lladdr', '02:00:00:00:00:0b', 'dev', 'e1', 'nud', 'stale']);
      await ns.neighbors.replace({ link: 'e0', address: '198.18.0.9', lladdr: '02:00:00:00:00:99' });
      // The kernel adds NOARP entries for IPv6 multicast groups on its own while links come up:
      // those come and go between two reads, so both sides are compared without them.
      const settled = (states: string[]) => !states.includes('NOARP');
      const ours = (await ns.neighbors.list()).filter((n) => settled(n.state));
      const ip = (await ipJson(ns.name, ['neigh', 'show', 'nud', 'all'])).filter((n) => settled(n.state));
      const links = await ns.links.list();
      assert.equal(ours.length, ip.length);
      for (const t of ip) {
        const o = ours.find((n) => n.address === t.dst && links.find((l) => l.index === n.link)?.name === t.dev)!;
        assert.ok(o, `neighbour ${t.dst}`);
        assert.equal(o.lladdr, t.lladdr, t.dst);
        assert.deepEqual(o.state, t.state, t.dst);
        assert.equal(o.router, 'router' in t, t.dst); // ip -j prints "router": null for a router
      }
      assert.equal(ours.find((n) => n.address === '198.18.0.9')!.lladdr, '02:00:00:00:00:99');
      await ns.neighbors.delete({ link: 'e0', address: '198.18.0.9' });
      assert.equal((await ipJson(ns.name, ['neigh', 'show', '198.18.0.9'])).length, 0);
      assert.deepEqual((await ns.neighbors.list({ link: 'e1', family: 4 })).map((n) => n.address), ['198.18.0.11']);
      await assert.rejects(ns.neighbors.add({ link: 'e0', address: '198.18.0.300', lladdr: '02:00:00:00:00:01' }), /^RangeError: address: "198\.18\.0\.300" has octet 300/);
      await assert.rejects(ns.neighbors.add({ link: 'e0', address: '198.18.0.3', lladdr: '02:00:00:00:00:01', state: 'fresh' as never }), /^RangeError: state: "fresh" is not one of/);
    });
  });

  it('bridge FDB: a VXLAN flood list, as `bridge fdb show` lists it, and entries bridge made read back', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.links.add({ kind: 'veth', name: 'u0', up: true, peer: { name: 'u1', up: true } });
      await ns.addresses.add('u0', '198.18.0.1/24');
      await ns.links.add({ kind: 'bridge', name: 'br0', up: true });
      await ns.links.add({ kind: 'vxlan', name: 'vx0', vni: 42, local: '198.18.0.1', dev: 'u0', port: 4789, learning: false, master: 'br0', up: true });
      for (const dst of ['198.18.0.2', '198.18.0.3']) await ns.neighbors.fdb.append({ link: 'vx0', lladdr: '00:00:00:00:00:00', dst });
      await ns.neighbors.fdb.add({ link: 'vx0', lladdr: '02:00:00:00:00:05', dst: '198.18.0.5', vni: 42 });
      await ns.neighbors.fdb.add({ link: 'vx0', lladdr: '02:00:00:00:00:06', master: true, permanent: false });
      await sh('bridge', ['-n', ns.name!, 'fdb', 'add', '02:00:00:00:00:07', 'dev', 'vx0', 'dst', '198.18.0.7', 'self', 'permanent']);
      const ours = await ns.neighbors.fdb.list({ link: 'vx0' });
      const theirs = await ipJson(undefined, ['-n', ns.name!, 'link', 'show', 'vx0']).then(() => sh('bridge', ['-n', ns.name!, '-j', 'fdb', 'show', 'dev', 'vx0'])).then((s) => JSON.parse(s));
      assert.equal(ours.length, theirs.length);
      for (const t of theirs) {
        const o = ours.find((e) => e.lladdr === t.mac && e.dst === t.dst && e.flags.join() === t.flags.join());
        assert.ok(o, `fdb ${t.mac} ${t.dst ?? ''} ${t.flags}`);
        assert.equal(o.state, t.state ?? '', t.mac);
        assert.equal(o.vni, t.vni, t.mac);
      }
      await ns.neighbors.fdb.delete({ link: 'vx0', lladdr: '00:00:00:00:00:00', dst: '198.18.0.3' });
      const flood = JSON.parse(await sh('bridge', ['-n', ns.name!, '-j', 'fdb', 'show', 'dev', 'vx0'])).filter((e: any) => e.mac === '00:00:00:00:00:00');
      assert.deepEqual(flood.map((e: any) => e.dst), ['198.18.0.2']);
    });
  });
});

describe('policy rules', () => {
  it('the library and `ip rule` agree both ways, IPv4 and IPv6', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.rules.add({ priority: 100, from: '10.0.0.0/16', table: 100 });
      await ns.rules.add({ priority: 101, fwmark: 7, fwmask: 255, table: 'main', iif: 'lo' });
      await ns.rules.add({ priority: 102, to: '198.18.7.0/24', oif: 'lo', action: 'blackhole' });
      await ns.rules.add({ priority: 103, from: '2001:db8::/32', table: 300 });
      await sh('ip', ['-n', ns.name!, 'rule', 'add', 'from', '198.18.9.9', 'lookup', '250', 'priority', '104']);
      for (const family of [4, 6] as const) {
        const ours = await ns.rules.list({ family });
        const ip = await ipJson(ns.name, [`-${family}`, 'rule', 'show']);
        assert.equal(ours.length, ip.length);
        const tableName = (t?: number) => (t === undefined ? undefined : ({ 255: 'local', 254: 'main', 253: 'default' } as Record<number, string>)[t] ?? String(t));
        for (const [i, t] of ip.entries()) {
          const o = ours[i];
          assert.equal(o.priority, t.priority);
          assert.equal(o.from, t.srclen === undefined ? t.src : `${t.src}/${t.srclen}`, `rule ${t.priority}`);
          assert.equal(o.to, t.dst === undefined ? undefined : t.dstlen === undefined ? t.dst : `${t.dst}/${t.dstlen}`, `rule ${t.priority}`);
          assert.equal(tableName(o.table), t.table, `rule ${t.priority}`);
          assert.equal(o.iif, t.iif);
          assert.equal(o.oif, t.oif);
          assert.equal(o.fwmark === undefined ? undefined : `0x${o.fwmark.toString(16)}`, t.fwmark);
          assert.equal(o.action === 'lookup' ? undefined : o.action, t.action);
        }
      }
      await ns.rules.delete({ priority: 100, from: '10.0.0.0/16', table: 100 });
      assert.equal((await ipJson(ns.name, ['rule', 'show'])).some((r) => r.priority === 100), false);
      await assert.rejects(ns.rules.add({ priority: 5 }), /^TypeError: table: expected a table for action "lookup"/);
    });
  });
});

describe('sysctls', () => {
  it('get/set inside the namespace only, as `sysctl` inside it sees them', async () => {
    await withNamespaces(1, async (ns) => {
      const hostForward = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
      assert.equal(await ns.sysctl.get('net.ipv4.ip_forward'), '0');
      await ns.sysctl.set('net.ipv4.ip_forward', 1);
      await ns.links.add({ kind: 'veth', name: 'eth0', peer: { name: 'p0' } });
      await ns.sysctl.set('net.ipv4.conf.eth0.route_localnet', '1');
      await ns.sysctl.set('net.ipv6.conf.all.disable_ipv6', 1);
      const inside = (key: string) => sh('ip', ['netns', 'exec', ns.name!, 'sysctl', '-n', key]).then((s) => s.trim());
      assert.equal(await inside('net.ipv4.ip_forward'), '1');
      assert.equal(await inside('net.ipv4.conf.eth0.route_localnet'), '1');
      assert.equal(await inside('net.ipv6.conf.all.disable_ipv6'), '1');
      assert.equal(await ns.sysctl.get('net.ipv4.ip_local_port_range'), (await inside('net.ipv4.ip_local_port_range')));
      assert.equal(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8'), hostForward, 'the machine\'s own value is untouched');
      await assert.rejects(ns.sysctl.get('net.ipv4.no_such_thing'), (e: unknown) => e instanceof NetlinkError && e.code === 'ENOENT' && e.message.includes('net.ipv4.no_such_thing'));
      for (const [key, why] of [['kernel.hostname', /not under "net\."/], ['net..ipv4', /contains "\.\."/], ['net/ipv4/ip_forward', /contains "\/"/],
        ['net.ipv4.conf.eth0.fwd ing', /not a dotted sysctl key/], ['net.ipv4.../../kernel', /contains "\.\."|"\/"/]] as const) {
        await assert.rejects(ns.sysctl.set(key, 1), (e: unknown) => e instanceof RangeError && why.test((e as Error).message), key);
      }
    });
  });
});

describe('programs and sockets inside a namespace', () => {
  it('exec and spawn run inside it, without a shell', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.links.add({ kind: 'bridge', name: 'inside0' });
      const r = await ns.exec('ip', ['-j', 'link', 'show']);
      assert.equal(r.code, 0);
      assert.deepEqual(JSON.parse(r.stdout).map((l: any) => l.ifname), ['lo', 'inside0']);
      assert.deepEqual(await ns.exec('cat', [], { input: 'piped' }), { code: 0, signal: null, stdout: 'piped', stderr: '' });
      // No shell: metacharacters are plain arguments.
      assert.equal((await ns.exec('echo', ['$HOME', ';', 'ls'])).stdout, '$HOME ; ls\n');
      const missing = await ns.exec('no-such-program-here');
      assert.equal(missing.code, 127);
      const inode = (await ns.exec('stat', ['-L', '-c', '%i', '/proc/self/ns/net'])).stdout.trim();
      assert.equal(Number(inode), ns.inode);
      const child = ns.spawn('sleep', ['5']);
      // spawn returns at once; the child is in the namespace once it runs sleep (never before exec).
      // Looked at before the child is killed (afterwards its /proc entry is gone).
      await withCleanup(async () => {
        await waitFor(`the spawned sleep to run in ${ns.name}`, () => {
          try {
            return fs.readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim() === 'sleep';
          } catch {
            return false;
          }
        });
        assert.equal(fs.statSync(`/proc/${child.pid}/ns/net`).ino, ns.inode);
      }, () => child.kill());
      assert.equal((await ns.exec('sleep', ['5'], { timeout: 100 })).signal, 'SIGTERM');
    });
  });

  it('a two-host VXLAN overlay built only with the library carries TCP between containers (listen/connect)', async () => {
    await withNamespaces(4, async (hostA, hostB, c1, c2) => {
      // Underlay: a veth between the two hosts.
      await hostA.links.add({ kind: 'veth', name: 'wire', up: true, peer: { name: 'wire', netns: hostB, up: true } });
      await hostA.addresses.add('wire', '198.18.0.1/24');
      await hostB.addresses.add('wire', '198.18.0.2/24');
      const sides: Array<[Netns, Netns, string, string, string]> = [
        [hostA, c1, '198.18.0.1', '198.18.0.2', '10.0.0.1/24'],
        [hostB, c2, '198.18.0.2', '198.18.0.1', '10.0.0.2/24'],
      ];
      for (const [host, container, local, remote, address] of sides) {
        await host.links.add({ kind: 'bridge', name: 'br0', up: true });
        await host.links.add({ kind: 'vxlan', name: 'vx0', vni: 42, local, dev: 'wire', port: 4789, learning: true, master: 'br0', up: true });
        await host.neighbors.fdb.append({ link: 'vx0', lladdr: '00:00:00:00:00:00', dst: remote });
        await host.links.add({ kind: 'veth', name: 'veth-c', master: 'br0', up: true, mtu: 1450, peer: { name: 'eth0', netns: container, up: true, mtu: 1450 } });
        await container.addresses.add('eth0', address, { noDad: true });
        await container.links.set('lo', { up: true });
      }
      const server = await c2.listen({ port: 1234, host: '10.0.0.2' }, (s) => s.on('data', (d) => s.end(`echo:${d}`)));
      try {
        const socket = await c1.connect({ host: '10.0.0.2', port: 1234 });
        const reply = await new Promise<string>((resolve, reject) => {
          let got = '';
          socket.on('data', (d) => (got += d));
          socket.on('end', () => resolve(got));
          socket.on('error', reject);
          socket.write('hello over vxlan');
        });
        assert.equal(reply, 'echo:hello over vxlan');
      } finally {
        server.close();
      }
      // The learned FDB on host A now holds c2's MAC behind 198.18.0.2, as bridge shows it.
      const c2mac = (await c2.links.get('eth0')).mac;
      const learned = (await hostA.neighbors.fdb.list({ link: 'vx0' })).find((e) => e.lladdr === c2mac && e.dst === '198.18.0.2');
      assert.ok(learned, 'host A learned c2 behind host B');
    });
  });
});
