import * as assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { NetlinkError, Netns } from '../../src/index';
import { RTM } from '../../src/constants';
import { NETLINK_ROUTE, TRANSPORT, type WireMessage } from '../../src/kernel/transport';
import { unregistered } from '../../src/link/delete';
import { ipJson, jsThreadNetns, processInside, sh, waitFor, withCleanup, deleteLeftNamespaces, withNamespaces } from '../helpers';
import { assertNamespaceMatchesIp } from '../link-oracle';

const startNetns = jsThreadNetns();
after(() => assert.equal(jsThreadNetns(), startNetns, 'the JS thread must never change namespace'));

describe('links: the classic recipe, step by step, no ip process', () => {
  it('does every step and ip agrees after each', async () => {
    await withNamespaces(2, async (host, myNetns) => {
      // The recipe's eth1 is a NIC of the host; here the "host" is a namespace, so eth1 is a veth end.
      await host.links.add({ kind: 'veth', name: 'eth1', peer: { name: 'eth1-wire' } });

      // ip link set eth1 netns my_netns
      await host.links.set('eth1', { netns: myNetns });
      assert.deepEqual((await myNetns.links.list()).map((l) => l.name), ['lo', 'eth1']);
      assert.ok((await ipJson(myNetns.name, ['link', 'show', 'eth1']))[0]);
      // ip netns exec my_netns ip link list
      await using opened = await Netns.open(myNetns.name!);
      await assertNamespaceMatchesIp(opened);

      // ip link set eth1 netns 1 — "1" is the host's init process; here the host is a namespace,
      // so a process living in it stands in for pid 1.
      const hostProcess = await processInside(host);
      await withCleanup(() => myNetns.links.set('eth1', { netns: { pid: hostProcess.pid } }), () => hostProcess.kill());
      assert.ok((await host.links.list()).some((l) => l.name === 'eth1'));

      // ip link add docker1 type bridge
      const docker1 = await host.links.add({ kind: 'bridge', name: 'docker1' });
      // ip link add veth_br type veth peer name veth_my_netns
      const vethBr = await host.links.add({ kind: 'veth', name: 'veth_br', peer: { name: 'veth_my_netns' } });
      // ip link set veth_br master docker1
      await host.links.set('veth_br', { master: 'docker1' });
      // ip link set veth_my_netns netns my_netns
      await host.links.set('veth_my_netns', { netns: myNetns });
      // ip link set veth_br up
      await host.links.set('veth_br', { up: true });

      const ip = (await ipJson(host.name, ['-d', 'link', 'show', 'veth_br']))[0];
      assert.equal(ip.master, 'docker1');
      assert.ok(ip.flags.includes('UP'));
      assert.equal(ip.linkinfo.info_kind, 'veth');
      assert.equal(ip.ifindex, vethBr.index);
      assert.equal((await ipJson(host.name, ['link', 'show', 'docker1']))[0].ifindex, docker1.index);
      assert.equal((await ipJson(myNetns.name, ['-d', 'link', 'show', 'veth_my_netns']))[0].linkinfo.info_kind, 'veth');
      await assertNamespaceMatchesIp(host);
      await assertNamespaceMatchesIp(myNetns);
    });
  });

  it('the shortcut: one add makes the veth with its peer born in the namespace, host end mastered and up', async () => {
    await withNamespaces(2, async (host, container) => {
      await host.links.add({ kind: 'bridge', name: 'docker1', up: true, mtu: 1450, alias: 'the bridge' });
      assert.equal((await ipJson(host.name, ['link', 'show', 'docker1']))[0].ifalias, 'the bridge');
      const link = await host.links.add({
        kind: 'veth', name: 'veth_br', master: 'docker1', up: true, mtu: 1450, mac: '02:00:00:00:00:01',
        peer: { name: 'eth0', netns: container, mtu: 1450, mac: '02:00:00:00:00:02', up: true },
      });
      const bridge = await host.links.get('docker1');
      assert.equal(link.master, bridge.index);
      assert.equal(link.up, true);
      assert.equal(link.mac, '02:00:00:00:00:01');
      const hostIp = (await ipJson(host.name, ['-d', 'link', 'show', 'veth_br']))[0];
      assert.equal(hostIp.master, 'docker1');
      assert.equal(hostIp.mtu, 1450);
      assert.equal(hostIp.address, '02:00:00:00:00:01');
      assert.equal(hostIp.ifindex, link.index);
      assert.equal(hostIp.link_index, link.peerIndex);
      const peerIp = (await ipJson(container.name, ['-d', 'link', 'show', 'eth0']))[0];
      assert.deepEqual(peerIp.flags, ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']);
      assert.equal(peerIp.mtu, 1450);
      assert.equal(peerIp.address, '02:00:00:00:00:02');
      assert.equal(peerIp.ifindex, link.peerIndex);
      // The peer's namespace, as ip identifies it: link-netnsid maps to the host namespace.
      const ids = await ipJson(container.name, ['netns', 'list-id']);
      assert.ok(ids.some((i) => i.nsid === peerIp.link_netnsid));
      await assertNamespaceMatchesIp(host);
      await assertNamespaceMatchesIp(container);
    });
  });

  it('a veth peer gets its addresses and routes in the same call, as ip addr/route add would make them', async () => {
    await withNamespaces(2, async (host, container) => {
      await host.links.add({ kind: 'bridge', name: 'br0', up: true });
      await host.addresses.add('br0', '198.18.0.1/16');
      const link = await host.links.add({
        kind: 'veth', name: 'h0', master: 'br0', up: true,
        peer: {
          name: 'eth0', netns: container, up: true,
          addresses: ['198.18.0.2/16', { cidr: '2001:db8::2/64', noDad: true }],
          routes: [{ dst: 'default', gateway: '198.18.0.1' }, { dst: '198.19.0.0/24', gateway: '198.18.0.1', metric: 50 }],
        },
      });
      // The oracle: the same objects made by ip in a second namespace, compared field by field.
      const twin = `${container.name}-twin`;
      const ip = (...args: string[]) => sh('ip', args);
      await ip('netns', 'add', twin);
      await withCleanup(async () => {
        await ip('-n', host.name!, 'link', 'add', 'h1', 'master', 'br0', 'up', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', twin);
        await ip('-n', twin, 'link', 'set', 'eth0', 'up');
        await ip('-n', twin, 'addr', 'add', '198.18.0.3/16', 'dev', 'eth0');
        await ip('-n', twin, 'addr', 'add', '2001:db8::3/64', 'dev', 'eth0', 'nodad');
        await ip('-n', twin, 'route', 'add', 'default', 'via', '198.18.0.1', 'dev', 'eth0');
        await ip('-n', twin, 'route', 'add', '198.19.0.0/24', 'via', '198.18.0.1', 'dev', 'eth0', 'metric', '50');
        const strip = (a: Array<Record<string, any>>) => a.map((x) => ({ ...x, addr_info: x.addr_info?.filter((i: any) => i.scope !== 'link').map((i: any) => ({ ...i, local: undefined })), address: undefined, ifindex: undefined, link_index: undefined, operstate: undefined }));
        assert.deepEqual(strip(await ipJson(container.name, ['-d', 'addr', 'show', 'eth0'])), strip(await ipJson(twin, ['-d', 'addr', 'show', 'eth0'])));
        const routes = async (ns: string) => (await ipJson(ns, ['-d', 'route', 'show'])).map((r) => ({ ...r, prefsrc: undefined }));
        assert.deepEqual(await routes(container.name!), await routes(twin));
        const peer = (await ipJson(container.name, ['-d', 'addr', 'show', 'eth0']))[0];
        assert.equal(peer.ifindex, link.peerIndex);
        assert.deepEqual(peer.addr_info.filter((i: any) => i.scope === 'global').map((i: any) => `${i.local}/${i.prefixlen}`), ['198.18.0.2/16', '2001:db8::2/64']);
      }, () => ip('netns', 'del', twin));
    });
  });

  it('a peer setting the kernel refuses undoes the whole add: no host end, no peer, the kernel words kept', async () => {
    await withNamespaces(2, async (host, container) => {
      // A gateway on no connected subnet: the route is refused (ENETUNREACH) after the veth, the
      // peer's up and its address were done.
      await assert.rejects(host.links.add({
        kind: 'veth', name: 'h0', up: true,
        peer: { name: 'eth0', netns: container, up: true, addresses: ['198.18.0.2/24'], routes: [{ dst: 'default', gateway: '198.19.9.9' }] },
      }), (e: unknown) => e instanceof NetlinkError && e.code === 'ENETUNREACH' && e.operation === 'link.add');
      assert.deepEqual((await ipJson(host.name, ['link', 'show'])).map((l) => l.ifname), ['lo']);
      assert.deepEqual((await ipJson(container.name, ['link', 'show'])).map((l) => l.ifname), ['lo']);
      // A peer address that is taken is refused the same way (EEXIST), in the same order ip would meet it.
      await assert.rejects(host.links.add({
        kind: 'veth', name: 'h1', peer: { name: 'eth0', netns: container, addresses: ['198.18.0.2/24', '198.18.0.2/24'] },
      }), (e: unknown) => e instanceof NetlinkError && e.code === 'EEXIST');
      assert.deepEqual((await ipJson(host.name, ['link', 'show'])).map((l) => l.ifname), ['lo']);
      assert.deepEqual((await ipJson(container.name, ['link', 'show'])).map((l) => l.ifname), ['lo']);
    });
  });

  it('peer.netns { create } makes the namespace as ip netns add does, with its sysctls, in the same call', async () => {
    await withNamespaces(1, async (host) => {
      const name = `${host.name}-made`;
      await withCleanup(async () => {
        await host.links.add({ kind: 'bridge', name: 'br0', up: true });
        await host.addresses.add('br0', '198.18.0.1/16');
        const link = await host.links.add({
          kind: 'veth', name: 'h0', master: 'br0', up: true,
          peer: {
            name: 'eth0', netns: { create: name, sysctl: { 'net.ipv6.conf.default.disable_ipv6': 1, 'net.ipv4.ip_forward': '1' } }, up: true,
            addresses: ['198.18.0.2/16'], routes: [{ dst: 'default', gateway: '198.18.0.1' }],
          },
        });
        // ip sees it as one of its own: listed, enterable, the peer inside with its settings.
        assert.ok((await sh('ip', ['netns', 'list'])).split('\n').some((l) => l.split(' ')[0] === name));
        const peer = (await ipJson(name, ['-d', 'addr', 'show', 'eth0']))[0];
        assert.equal(peer.ifindex, link.peerIndex);
        assert.deepEqual(peer.flags, ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']);
        // disable_ipv6 was set before the peer existed, so eth0 has no IPv6 address at all.
        assert.deepEqual(peer.addr_info.map((i: any) => `${i.local}/${i.prefixlen}`), ['198.18.0.2/16']);
        assert.equal((await sh('ip', ['netns', 'exec', name, 'cat', '/proc/sys/net/ipv4/ip_forward'])).trim(), '1');
        assert.deepEqual((await ipJson(name, ['route', 'show'])).map((r) => `${r.dst} ${r.gateway ?? ''}`), ['default 198.18.0.1', '198.18.0.0/16 ']);
        await using opened = await Netns.open(name);
        assert.equal((await opened.links.get('eth0')).index, link.peerIndex);
        // The name is taken now: refused as ip netns add refuses it, and nothing else is made.
        await assert.rejects(host.links.add({ kind: 'veth', name: 'h1', peer: { name: 'eth0', netns: { create: name } } }),
          (e: unknown) => e instanceof NetlinkError && e.code === 'EEXIST' && /already exists/.test(e.message));
        assert.deepEqual((await ipJson(host.name, ['link', 'show'])).map((l) => l.ifname), ['lo', 'br0', 'h0']);
      }, () => deleteLeftNamespaces([name]));
    });
  });

  it('peer.netns { create }: any refusal undoes all of it, the namespace too', async () => {
    await withNamespaces(1, async (host) => {
      const name = `${host.name}-undone`;
      const refusals: Array<[Record<string, unknown>, string]> = [
        [{ routes: [{ dst: 'default', gateway: '198.19.9.9' }], up: true, addresses: ['198.18.0.2/24'] }, 'ENETUNREACH'],
        [{ netns: { create: name, sysctl: { 'net.ipv4.no_such_setting': 1 } } }, 'ENOENT'],
      ];
      for (const [peer, code] of refusals) {
        await assert.rejects(host.links.add({ kind: 'veth', name: 'h0', peer: { name: 'eth0', netns: { create: name }, ...peer } }),
          (e: unknown) => e instanceof NetlinkError && e.code === code, code);
        assert.deepEqual((await ipJson(host.name, ['link', 'show'])).map((l) => l.ifname), ['lo']);
        assert.ok(!(await sh('ip', ['netns', 'list'])).split('\n').some((l) => l.split(' ')[0] === name), `${name} left behind after ${code}`);
      }
    });
  });

  it('reads back links made by ip exactly as ip shows them', async () => {
    await withNamespaces(2, async (a, b) => {
      const n = a.name!;
      await sh('ip', ['-n', n, 'link', 'add', 'br7', 'mtu', '1400', 'type', 'bridge']);
      await sh('ip', ['-n', n, 'link', 'add', 'v1', 'address', '02:11:22:33:44:55', 'mtu', '1400', 'type', 'veth', 'peer', 'name', 'v1p', 'netns', b.name!]);
      await sh('ip', ['-n', n, 'link', 'add', 'v2', 'type', 'veth', 'peer', 'name', 'v2p']);
      await sh('ip', ['-n', n, 'link', 'set', 'v1', 'master', 'br7', 'up', 'alias', 'uplink', 'group', '7', 'txqueuelen', '500']);
      await sh('ip', ['-n', n, 'link', 'set', 'br7', 'up']);
      await sh('ip', ['-n', b.name!, 'link', 'set', 'v1p', 'up']);
      const links = await assertNamespaceMatchesIp(a);
      await assertNamespaceMatchesIp(b);
      const v1 = links.find((l) => l.name === 'v1')!;
      assert.equal(v1.alias, 'uplink');
      assert.equal(v1.group, 7);
      assert.equal(v1.txqueuelen, 500);
      assert.equal(v1.portKind, 'bridge');
      assert.equal((await a.links.get('br7')).info?.forward_delay, 1500);
      assert.deepEqual((await a.links.list({ master: 'br7' })).map((l) => l.name), ['v1']);
      assert.deepEqual((await a.links.list({ kind: 'bridge' })).map((l) => l.name), ['br7']);
      assert.deepEqual((await a.links.list({ kind: 'veth' })).map((l) => l.name).sort(), ['v1', 'v2', 'v2p']);
      assert.deepEqual((await a.links.list({ group: 7 })).map((l) => l.name), ['v1']);
      assert.deepEqual((await a.links.list({ up: true })).map((l) => l.name), ['br7', 'v1']);
      assert.equal((await a.links.get(v1.index)).name, 'v1');
    });
  });

  it('set changes what ip shows: up/down, master/nomaster, name, mtu, mac, alias, group, txqueuelen, promisc', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.links.add({ kind: 'bridge', name: 'br0' });
      await ns.links.add({ kind: 'veth', name: 'a0', peer: { name: 'a1' } });
      await ns.links.set('a0', { up: true, master: 'br0', mtu: 1300, mac: '02:aa:bb:cc:dd:ee', alias: 'x', group: 3, txqueuelen: 77, promisc: true });
      let ip = (await ipJson(ns.name, ['-d', 'link', 'show', 'a0']))[0];
      assert.ok(ip.flags.includes('UP') && ip.flags.includes('PROMISC'));
      assert.equal(ip.master, 'br0');
      assert.equal(ip.mtu, 1300);
      assert.equal(ip.address, '02:aa:bb:cc:dd:ee');
      assert.equal(ip.ifalias, 'x');
      assert.equal(ip.group, '3');
      assert.equal(ip.txqlen, 77);
      await ns.links.set('a0', { bridgePort: { hairpin: true, learning: false, cost: 42 } });
      ip = (await ipJson(ns.name, ['-d', 'link', 'show', 'a0']))[0];
      assert.equal(ip.linkinfo.info_slave_data.hairpin, true);
      assert.equal(ip.linkinfo.info_slave_data.learning, false);
      assert.equal(ip.linkinfo.info_slave_data.cost, 42);
      const port = await ns.links.get('a0');
      assert.equal(port.portInfo?.hairpin, 1);
      assert.equal(port.portInfo?.cost, 42);
      await ns.links.set('a0', { master: null, up: false, promisc: false });
      await ns.links.set('a0', { name: 'renamed' });
      ip = (await ipJson(ns.name, ['-d', 'link', 'show', 'renamed']))[0];
      assert.equal(ip.master, undefined);
      assert.ok(!ip.flags.includes('UP') && !ip.flags.includes('PROMISC'));
      const byIndex = await ns.links.get('renamed');
      await ns.links.set(byIndex.index, { name: 'again' });
      assert.equal((await ns.links.get(byIndex.index)).name, 'again');
    });
  });

  it('get/delete/deleteGroup, and kernel refusals keep the kernel words', async () => {
    await withNamespaces(1, async (ns) => {
      await assert.rejects(ns.links.get('nope'), (e: unknown) => e instanceof NetlinkError && e.code === 'ENODEV' && e.operation === 'link.get');
      await assert.rejects(ns.links.delete('nope'), (e: unknown) => e instanceof NetlinkError && e.code === 'ENODEV' && e.operation === 'link.delete');
      await ns.links.add({ kind: 'bridge', name: 'br0' });
      await assert.rejects(ns.links.add({ kind: 'bridge', name: 'br0' }), (e: unknown) => e instanceof NetlinkError && e.code === 'EEXIST' && e.operation === 'link.add');
      // A bridge cannot be its own port: the kernel explains why in its extended ACK.
      await assert.rejects(ns.links.set('br0', { master: 'br0' }), (e: unknown) => e instanceof NetlinkError
        && e.operation === 'link.set' && typeof e.kernelMessage === 'string' && e.message.includes(e.kernelMessage));
      for (let i = 0; i < 5; i++) await ns.links.add({ kind: 'veth', name: `g${i}`, group: 9, peer: { name: `g${i}p`, } });
      await ns.links.add({ kind: 'veth', name: 'keep', group: 8, peer: { name: 'keepp' } });
      await ns.links.deleteGroup(9);
      assert.deepEqual((await ipJson(ns.name, ['link', 'show'])).map((l) => l.ifname).sort(), ['br0', 'keep', 'keepp', 'lo']);
      await ns.links.delete('keep');
      assert.deepEqual((await ipJson(ns.name, ['link', 'show'])).map((l) => l.ifname).sort(), ['br0', 'lo']);
    });
  });

  it('delete/deleteGroup { untilUnlisted }: settled at the kernel\'s announcement, before its answer; then gone for ip and the name free; refusals still reject', async () => {
    await withNamespaces(2, async (ns, other) => {
      await ns.links.add({ kind: 'veth', name: 'v0', peer: { name: 'v0p', netns: other } });
      // The answer comes after the teardown's RCU wait: watched beside, it is still pending when
      // the announcement settles the deletion.
      const d = await ns.links.deletion('v0');
      let answered = false;
      void d.answered.then(() => { answered = true; });
      await d.unlisted;
      assert.equal(answered, false, 'settled by the announcement, not the answer');
      assert.deepEqual((await ipJson(ns.name, ['link', 'show'])).map((l) => l.ifname), ['lo']);
      assert.deepEqual((await ipJson(other.name, ['link', 'show'])).map((l) => l.ifname), ['lo']);
      await ns.links.add({ kind: 'veth', name: 'v0', peer: { name: 'v0p', netns: other } }); // both names free
      await d.answered;
      await ns.links.delete('v0', { untilUnlisted: true });
      assert.deepEqual((await ipJson(ns.name, ['link', 'show'])).map((l) => l.ifname), ['lo']);
      for (let i = 0; i < 3; i++) await ns.links.add({ kind: 'veth', name: `g${i}`, group: 5, peer: { name: `g${i}p` } });
      await ns.links.add({ kind: 'veth', name: 'keep', group: 6, peer: { name: 'keepp' } });
      await ns.links.deleteGroup(5, { untilUnlisted: true });
      assert.deepEqual((await ipJson(ns.name, ['link', 'show'])).map((l) => l.ifname).sort(), ['keep', 'keepp', 'lo']);
      await assert.rejects(ns.links.delete('nope', { untilUnlisted: true }), (e: unknown) => e instanceof NetlinkError && e.code === 'ENODEV'
        && e.operation === 'link.delete' && /link "nope" in namespace/.test(e.message));
      await assert.rejects(ns.links.delete('lo', { untilUnlisted: true }), (e: unknown) => e instanceof NetlinkError && e.code === 'EOPNOTSUPP');
      await assert.rejects(ns.links.deleteGroup(77, { untilUnlisted: true }), (e: unknown) => e instanceof NetlinkError && e.operation === 'link.deleteGroup'
        && e.code === 'ENODEV' && /namespace ".*": no link has group 77/.test(e.message));
      await assert.rejects(ns.links.delete('keep', { untilUnlisted: 1 as unknown as boolean }), (e: unknown) => e instanceof TypeError && /options\.untilUnlisted/.test(e.message));
      await assert.rejects(ns.links.delete('keep', { soon: true } as never), /options/);
      assert.equal((await ns.links.get('keep')).group, 6);
    });
  });

  it('what settles untilUnlisted: only the announcement of a link gone, not a bridge port leaving its bridge nor a link moving away', async () => {
    await withNamespaces(2, async (ns, other) => {
      await ns.links.add({ kind: 'bridge', name: 'br0' });
      await ns.links.add({ kind: 'veth', name: 'p0', master: 'br0', peer: { name: 'p0p' } });
      await ns.links.add({ kind: 'veth', name: 'm0', peer: { name: 'm0p' } });
      const sub = await ns[TRANSPORT].subscribe(NETLINK_ROUTE, [1], 'test');
      try {
        await ns.links.set('p0', { master: null });  // AF_BRIDGE RTM_DELLINK; p0 stays
        await ns.links.set('m0p', { netns: other }); // RTM_DELLINK here; m0p lives on there
        await ns.links.delete('p0');                 // gone
        const said: WireMessage[] = [];
        await waitFor('the announcements', async () => {
          said.push(...((await sub.read(false)) ?? []));
          return said.some((m) => m.type === RTM.DELLINK && m.attrs?.ifname === 'p0' && unregistered(m));
        });
        const gone = said.filter((m) => m.type === RTM.DELLINK && unregistered(m)).map((m) => m.attrs?.ifname);
        const notGone = said.filter((m) => m.type === RTM.DELLINK && !unregistered(m)).map((m) => m.attrs?.ifname);
        assert.deepEqual(gone.sort(), ['p0', 'p0p']);
        assert.deepEqual([...new Set(notGone)].sort(), ['m0p', 'p0']);
        assert.ok((await ipJson(other.name, ['link', 'show', 'm0p']))[0]);
      } finally {
        sub.close();
      }
    });
  });

  it('a failed add leaves nothing behind (peer name taken in the target namespace)', async () => {
    await withNamespaces(2, async (host, container) => {
      await container.links.add({ kind: 'bridge', name: 'eth0' });
      await assert.rejects(host.links.add({ kind: 'veth', name: 'vx', peer: { name: 'eth0', netns: container, up: true } }),
        (e: unknown) => e instanceof NetlinkError && e.code === 'EEXIST');
      assert.deepEqual((await ipJson(host.name, ['link', 'show'])).map((l) => l.ifname), ['lo']);
      assert.deepEqual((await ipJson(container.name, ['link', 'show'])).map((l) => l.ifname), ['lo', 'eth0']);
    });
  });

  it('bad input is refused before anything is sent, naming the field and value', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.links.add({ kind: 'bridge', name: 'br0' });
      const cases: Array<[() => Promise<unknown>, new (...a: any[]) => Error, RegExp]> = [
        [() => ns.links.add({ kind: 'bridge', name: '' }), RangeError, /^name: "" is empty/],
        [() => ns.links.add({ kind: 'bridge', name: 'sixteen-chars-xx' }), RangeError, /^name: "sixteen-chars-xx" is 16 bytes/],
        [() => ns.links.add({ kind: 'bridge', name: 'a/b' }), RangeError, /^name: "a\/b" contains "\/"/],
        [() => ns.links.add({ kind: 'bridge', name: 'a b' }), RangeError, /^name: "a b" contains " "/],
        [() => ns.links.add({ kind: 'bridge', name: 'a:b' }), RangeError, /^name: "a:b" contains ":"/],
        [() => ns.links.add({ kind: 'bridge', name: '.' }), RangeError, /^name: "\." is not allowed/],
        [() => ns.links.add({ kind: 'bridge', name: '..' }), RangeError, /^name: "\.\." is not allowed/],
        [() => ns.links.add({ kind: 'bridge', name: 'ok', mtu: 70000 }), RangeError, /^mtu: 70000 is out of range/],
        [() => ns.links.add({ kind: 'bridge', name: 'ok', mac: '01:00:5e:00:00:01' }), RangeError, /^mac: "01:00:5e:00:00:01" is a multicast/],
        [() => ns.links.add({ kind: 'bridge', name: 'ok', mac: 'zz' }), RangeError, /^mac: "zz" is not a MAC/],
        [() => ns.links.add({ kind: 'veth', name: 'ok', peer: { name: 'x'.repeat(16) } }), RangeError, /^peer\.name: /],
        [() => ns.links.add({ kind: 'veth', name: 'ok' } as never), TypeError, /^peer: expected an object/],
        [() => ns.links.add({ kind: 'veth', name: 'ok', peer: { name: 'p', addresses: ['198.18.0.300/24'] } }), RangeError, /^peer\.addresses\[0\]: "198\.18\.0\.300\/24"/],
        [() => ns.links.add({ kind: 'veth', name: 'ok', peer: { name: 'p', addresses: '198.18.0.1/24' } as never }), TypeError, /^peer\.addresses: expected an array/],
        [() => ns.links.add({ kind: 'veth', name: 'ok', peer: { name: 'p', routes: [{ dst: 'default', dev: 'eth9' }] } as never }), TypeError, /^peer\.routes\[0\]\.dev: a peer's route goes through the peer/],
        [() => ns.links.add({ kind: 'veth', name: 'ok', peer: { name: 'p', routes: [{ dst: 'nowhere' }] } }), RangeError, /^dst: "nowhere"/],
        [() => ns.links.add({ kind: 'veth', name: 'ok', peer: { name: 'p', netns: { create: 'a/b' } } }), RangeError, /^peer\.netns\.create: "a\/b" contains "\/"/],
        [() => ns.links.add({ kind: 'veth', name: 'ok', peer: { name: 'p', netns: { create: 'x', sysctl: { 'kernel.panic': 1 } } } }), RangeError, /^peer\.netns\.sysctl: key: "kernel\.panic" is not under "net\."/],
        [() => ns.links.add({ kind: 'veth', name: 'ok', peer: { name: 'p', netns: { create: 'x', sysctl: { 'net.ipv4.ip_forward': true } } } } as never), TypeError, /^peer\.netns\.sysctl\.net\.ipv4\.ip_forward: expected a string or a number/],
        [() => ns.links.add({ kind: 'veth', name: 'ok', peer: { name: 'p', netns: { create: 'x', mtu: 1 } } } as never), TypeError, /unknown option "mtu"/],
        [() => ns.links.add({ kind: 'nonsense', name: 'ok' } as never), RangeError, /^kind: "nonsense" is not a supported/],
        [() => ns.links.add({ kind: 'bridge', name: 'ok', mut: 1500 } as never), TypeError, /unknown option "mut"/],
        [() => ns.links.add({ kind: 'bridge', name: 'ok', netns: '../etc' }), RangeError, /^netns: "\.\.\/etc" contains "\/"/],
        [() => ns.links.set('br0', { mtu: 10 }), RangeError, /^mtu: 10 is out of range/],
        [() => ns.links.set('br0', { name: 'bad name' }), RangeError, /^name: "bad name"/],
        [() => ns.links.set('br0', { up: 'yes' } as never), TypeError, /^up: expected a boolean, got "yes"/],
        [() => ns.links.get(''), RangeError, /^ref: "" is empty/],
        [() => ns.links.get(-3), RangeError, /^ref: -3 is out of range/],
        [() => ns.links.deleteGroup(0), RangeError, /^group: 0 is out of range/],
      ];
      for (const [call, type, message] of cases) {
        await assert.rejects(call, (e: unknown) => e instanceof type && message.test((e as Error).message), message.source);
      }
      assert.deepEqual((await ipJson(ns.name, ['link', 'show'])).map((l) => l.ifname), ['lo', 'br0']);
    });
  });
});
