import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { type LinkSpec, NetlinkError, Netns } from '../../src/index';
import { ipJson, processInside, sh, withCleanup, withNamespaces } from '../helpers';
import { assertNamespaceMatchesIp, assertSameAsIp, captureIpNewlink, captureLibraryNetlink, isNewlinkCreate } from '../link-oracle';

// uid/gid with no passwd entry, so ip prints them as numbers.
const OWNER = 4242;

/** Kinds this kernel has: each made by the library, then by ip, and compared both ways. */
const AVAILABLE: Array<{ spec: LinkSpec; ip: string[] }> = [
  { spec: { kind: 'bridge', name: 'br1', stp: true, forwardDelay: 400, ageingTime: 12000, mcastSnooping: false },
    ip: ['link', 'add', 'br1', 'type', 'bridge', 'stp_state', '1', 'forward_delay', '400', 'ageing_time', '12000', 'mcast_snooping', '0'] },
  { spec: { kind: 'macvlan', name: 'mv1', parent: 'up0', mode: 'private', mtu: 1400 },
    ip: ['link', 'add', 'link', 'up0', 'name', 'mv1', 'mtu', '1400', 'type', 'macvlan', 'mode', 'private'] },
  { spec: { kind: 'macvtap', name: 'mt1', parent: 'up0', mode: 'vepa' },
    ip: ['link', 'add', 'link', 'up0', 'name', 'mt1', 'type', 'macvtap', 'mode', 'vepa'] },
  { spec: { kind: 'vxlan', name: 'vx1', vni: 42, local: '198.18.0.1', remote: '198.18.0.2', port: 4789, dev: 'up0', ttl: 64, tos: 16, learning: false, proxy: true, l2miss: true, l3miss: true, ageing: 120 },
    ip: ['link', 'add', 'vx1', 'type', 'vxlan', 'id', '42', 'local', '198.18.0.1', 'remote', '198.18.0.2', 'dstport', '4789', 'dev', 'up0', 'ttl', '64', 'tos', '0x10', 'nolearning', 'proxy', 'l2miss', 'l3miss', 'ageing', '120'] },
  { spec: { kind: 'vxlan', name: 'vx2', vni: 7, group: '239.1.1.1', dev: 'up0', port: 4789, udpChecksum: false },
    ip: ['link', 'add', 'vx2', 'type', 'vxlan', 'id', '7', 'group', '239.1.1.1', 'dev', 'up0', 'dstport', '4789', 'noudpcsum'] },
  { spec: { kind: 'tap', name: 'tap1', owner: OWNER, group: OWNER, multiQueue: true },
    ip: ['tuntap', 'add', 'tap1', 'mode', 'tap', 'user', String(OWNER), 'group', String(OWNER), 'multi_queue'] },
  { spec: { kind: 'tun', name: 'tun1', vnetHdr: true }, ip: ['tuntap', 'add', 'tun1', 'mode', 'tun', 'vnet_hdr'] },
  { spec: { kind: 'ifb', name: 'ifb1', txqueuelen: 64 }, ip: ['link', 'add', 'ifb1', 'txqueuelen', '64', 'type', 'ifb'] },
  { spec: { kind: 'veth', name: 'vp1', mtu: 9000, peer: { name: 'vp1p', mtu: 9000 } },
    ip: ['link', 'add', 'vp1', 'mtu', '9000', 'type', 'veth', 'peer', 'name', 'vp1p', 'mtu', '9000'] },
];

/**
 * Kinds distribution kernels have as modules and a small kernel may lack (this VM's has none of
 * them): probed first. Where the kernel has the kind, the library makes it and ip reads it back;
 * where it does not, the request must be byte for byte what ip sends, and the refusal clear.
 */
const PROBED: Array<{ spec: LinkSpec; ip: string[] }> = [
  { spec: { kind: 'dummy', name: 'd0' }, ip: ['link', 'add', 'd0', 'type', 'dummy'] },
  { spec: { kind: 'dummy', name: 'd1', mtu: 1400, mac: '02:00:00:00:00:01', txqueuelen: 10, group: 5 },
    ip: ['link', 'add', 'd1', 'mtu', '1400', 'address', '02:00:00:00:00:01', 'txqueuelen', '10', 'group', '5', 'type', 'dummy'] },
  { spec: { kind: 'vlan', name: 'v10', parent: 'up0', id: 10 }, ip: ['link', 'add', 'link', 'up0', 'name', 'v10', 'type', 'vlan', 'id', '10'] },
  { spec: { kind: 'vlan', name: 'v11', parent: 'up0', id: 11, protocol: '802.1ad' },
    ip: ['link', 'add', 'link', 'up0', 'name', 'v11', 'type', 'vlan', 'protocol', '802.1ad', 'id', '11'] },
  { spec: { kind: 'ipvlan', name: 'iv0', parent: 'up0', mode: 'l3s' }, ip: ['link', 'add', 'link', 'up0', 'name', 'iv0', 'type', 'ipvlan', 'mode', 'l3s'] },
  { spec: { kind: 'bond', name: 'bond0', mode: '802.3ad', miimon: 100 }, ip: ['link', 'add', 'bond0', 'type', 'bond', 'mode', '802.3ad', 'miimon', '100'] },
  { spec: { kind: 'wireguard', name: 'wg0' }, ip: ['link', 'add', 'wg0', 'type', 'wireguard'] },
  { spec: { kind: 'geneve', name: 'gn0', vni: 5, remote: '198.18.0.9', port: 6081 },
    ip: ['link', 'add', 'gn0', 'type', 'geneve', 'id', '5', 'remote', '198.18.0.9', 'dstport', '6081'] },
  { spec: { kind: 'vrf', name: 'vrf0', table: 10 }, ip: ['link', 'add', 'vrf0', 'type', 'vrf', 'table', '10'] },
];

async function withUplink(ns: Netns): Promise<void> {
  await ns.links.add({ kind: 'veth', name: 'up0', peer: { name: 'up0p' } });
}

describe('link kinds this kernel has: the library and ip agree both ways', () => {
  it('made by the library: ip -j -d shows every field the same', async () => {
    await withNamespaces(1, async (ns) => {
      await withUplink(ns);
      for (const { spec } of AVAILABLE) {
        const made = await ns.links.add(spec);
        const ip = (await ipJson(ns.name, ['-d', 'link', 'show', spec.name]))[0];
        assertSameAsIp(made, ip, await ns.links.list());
        assert.equal(made.kind, spec.kind === 'tap' ? 'tun' : spec.kind);
      }
      await assertNamespaceMatchesIp(ns);
    });
  });

  it('made by ip: links.get and links.list read every field as ip shows it', async () => {
    await withNamespaces(1, async (ns) => {
      await withUplink(ns);
      for (const { ip } of AVAILABLE) await sh('ip', ['-n', ns.name!, ...ip]);
      const links = await assertNamespaceMatchesIp(ns);
      const vx1 = links.find((l) => l.name === 'vx1')!;
      assert.equal(vx1.info?.remote, '198.18.0.2');
      assert.equal(vx1.info?.learning, false);
      assert.equal(vx1.info?.port, 4789);
      assert.equal((await ns.links.get('mv1')).info?.mode, 'private');
      assert.equal((await ns.links.get('tap1')).info?.type, 'tap');
      assert.equal((await ns.links.get('tap1')).info?.user, OWNER);
      assert.equal((await ns.links.get('br1')).info?.stp_state, 1);
      assert.equal((await ns.links.get('mv1')).parent, (await ns.links.get('up0')).index);
    });
  });

  it('kind filters run in the kernel and agree with ip -d link show type KIND', async () => {
    await withNamespaces(1, async (ns) => {
      await withUplink(ns);
      for (const { spec } of AVAILABLE) await ns.links.add(spec);
      for (const kind of ['bridge', 'macvlan', 'macvtap', 'vxlan', 'tun', 'ifb', 'veth']) {
        const ours = (await ns.links.list({ kind })).map((l) => l.name).sort();
        const ip = (await ipJson(ns.name, ['link', 'show', 'type', kind])).map((l) => l.ifname).sort();
        assert.deepEqual(ours, ip, kind);
      }
    });
  });

  it('common attributes at creation and in set: broadcast, promisc, allmulticast, arp, gso/gro limits', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.links.add({ kind: 'veth', name: 'a0', peer: { name: 'a1' }, broadcast: 'ff:ff:ff:ff:ff:fe', arp: false,
        allmulticast: true, gsoMaxSize: 32768, gsoMaxSegs: 100, groMaxSize: 32768 });
      let ip = (await ipJson(ns.name, ['-d', 'link', 'show', 'a0']))[0];
      assert.equal(ip.broadcast, 'ff:ff:ff:ff:ff:fe');
      assert.ok(ip.flags.includes('NOARP') && ip.flags.includes('ALLMULTI'));
      assert.equal(ip.gso_max_size, 32768);
      assert.equal(ip.gso_max_segs, 100);
      assert.equal(ip.gro_max_size, 32768);
      await ns.links.set('a0', { arp: true, allmulticast: false, promisc: true, gsoMaxSize: 65536 });
      ip = (await ipJson(ns.name, ['-d', 'link', 'show', 'a0']))[0];
      assert.ok(!ip.flags.includes('NOARP') && !ip.flags.includes('ALLMULTI') && ip.flags.includes('PROMISC'));
      assert.equal(ip.gso_max_size, 65536);
      // Bridge-port settings at creation.
      await ns.links.add({ kind: 'bridge', name: 'br0' });
      await ns.links.add({ kind: 'veth', name: 'b0', master: 'br0', bridgePort: { hairpin: true, isolated: true, cost: 7, neighSuppress: true }, peer: { name: 'b1' } });
      const port = (await ipJson(ns.name, ['-d', 'link', 'show', 'b0']))[0].linkinfo.info_slave_data;
      assert.deepEqual([port.hairpin, port.isolated, port.cost, port.neigh_suppress], [true, true, 7, true]);
      await assert.rejects(ns.links.add({ kind: 'veth', name: 'b2', bridgePort: { hairpin: true }, peer: { name: 'b3' } }), /^TypeError: bridgePort: needs master/);
      await assertNamespaceMatchesIp(ns);
    });
  });
});

/**
 * Which PROBED entries this kernel can make: each tried with `ip link add` in a throwaway namespace
 * (a refusal other than "Unknown device type" is a broken probe, not a missing kind).
 */
let probing: Promise<{ present: typeof PROBED; missing: typeof PROBED }> | undefined;
const probed = () => (probing ??= (async () => {
  const has: boolean[] = [];
  await withNamespaces(1, async (ns) => {
    await withUplink(ns);
    for (const { ip } of PROBED) {
      try {
        await sh('ip', ['-n', ns.name!, ...ip]);
        has.push(true);
      } catch (err) {
        if (!/Unknown device type/.test((err as Error).message)) throw err;
        has.push(false);
      }
    }
  });
  return { present: PROBED.filter((_, i) => has[i]), missing: PROBED.filter((_, i) => !has[i]) };
})());
after(() => probing?.then(({ present, missing }) => console.log(`# link kinds probed: present ${present.map((p) => p.spec.name).join(' ') || '(none)'}; missing ${missing.map((p) => p.spec.name).join(' ') || '(none)'}`)));

describe('link kinds a kernel may lack (probed)', () => {
  it('where the kernel has the kind: made by the library, ip -j -d shows every field the same', async (t) => {
    const { present } = await probed();
    if (present.length === 0) return t.skip(`this kernel has none of ${[...new Set(PROBED.map((p) => p.spec.kind))].join(', ')}`);
    await withNamespaces(1, async (ns) => {
      await withUplink(ns);
      for (const { spec } of present) {
        const made = await ns.links.add(spec);
        const ip = (await ipJson(ns.name, ['-d', 'link', 'show', spec.name]))[0];
        assertSameAsIp(made, ip, await ns.links.list());
        assert.equal(made.kind, spec.kind);
      }
      await assertNamespaceMatchesIp(ns);
    });
  });

  it('where it lacks the kind: the request the library\'s process sends is byte for byte what `ip link add` sends (both traced with strace)', async (t) => {
    const { missing } = await probed();
    if (missing.length === 0) return t.skip('this kernel has every probed kind');
    await withNamespaces(1, async (ns) => {
      await withUplink(ns);
      // The library's requests, all from one traced process; each refused by this kernel.
      const { messages, result } = await captureLibraryNetlink(`
        const ns = await lib.Netns.open(${JSON.stringify(ns.name)});
        const codes = [];
        for (const spec of ${JSON.stringify(missing.map((m) => m.spec))}) codes.push(await ns.links.add(spec).then(() => 'made', (e) => e.code));
        await ns.close();
        return codes;`);
      assert.deepEqual(result, missing.map(() => 'EOPNOTSUPP'));
      const ours = messages.filter(isNewlinkCreate);
      assert.equal(ours.length, missing.length);
      for (const [i, { ip }] of missing.entries()) {
        const theirs = await captureIpNewlink(['-n', ns.name!, ...ip]);
        assert.equal(ours[i].toString('hex'), theirs.toString('hex'), `ip ${ip.join(' ')}`);
      }
    });
  });

  it('where it lacks the kind: the refusal is a NetlinkError EOPNOTSUPP naming the kind, and nothing is left behind', async (t) => {
    const { missing } = await probed();
    if (missing.length === 0) return t.skip('this kernel has every probed kind');
    await withNamespaces(1, async (ns) => {
      await withUplink(ns);
      for (const { spec } of missing) {
        await assert.rejects(ns.links.add(spec), (e: unknown) => e instanceof NetlinkError && e.code === 'EOPNOTSUPP'
          && e.errno === 95 && e.operation === 'link.add' && e.message.includes(`"${spec.kind}"`)
          && e.kernelMessage === 'Unknown device type', spec.kind);
      }
      assert.deepEqual((await ipJson(ns.name, ['link', 'show'])).map((l) => l.ifname).sort(), ['lo', 'up0', 'up0p']);
    });
  });
});

describe('moving links between namespaces', () => {
  it('there and back: by handle, by name, by fd and by pid (as `ip link set X netns PID`)', async () => {
    await withNamespaces(2, async (a, b) => {
      await a.links.add({ kind: 'macvlan', name: 'm0', parent: (await a.links.add({ kind: 'veth', name: 'u0', peer: { name: 'u1' } })).index, mode: 'bridge' });
      await a.links.set('m0', { netns: b });
      assert.ok((await ipJson(b.name, ['link', 'show', 'm0']))[0]);
      await b.links.set('m0', { netns: a.name! });
      assert.ok((await ipJson(a.name, ['link', 'show', 'm0']))[0]);
      const fd = fs.openSync(b.path!, 'r');
      try {
        await a.links.set('m0', { netns: { fd } });
      } finally {
        fs.closeSync(fd);
      }
      assert.ok((await ipJson(b.name, ['link', 'show', 'm0']))[0]);
      const inA = await processInside(a);
      await withCleanup(() => b.links.set('m0', { netns: { pid: inA.pid } }), () => inA.kill());
      assert.ok((await ipJson(a.name, ['link', 'show', 'm0']))[0]);
      assert.deepEqual((await ipJson(b.name, ['link', 'show'])).map((l) => l.ifname), ['lo']);
    });
  });
});

describe('scale', () => {
  it('10,000 links: list returns all of them, and list({ master }) only the bridge members', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.links.add({ kind: 'bridge', name: 'br0' });
      // 5,000 veth pairs, all in flight at once: the channel pipelines them.
      await Promise.all(Array.from({ length: 5000 }, (_, i) =>
        ns.links.add({ kind: 'veth', name: `v${i}`, peer: { name: `p${i}` }, ...(i % 50 === 0 ? { master: 'br0' } : {}) })));
      const all = await ns.links.list();
      assert.equal(all.length, 10002); // lo + br0 + 10,000 veth ends
      assert.equal(new Set(all.map((l) => l.index)).size, all.length);
      const members = await ns.links.list({ master: 'br0' });
      assert.deepEqual(members.map((l) => l.name).sort(), Array.from({ length: 100 }, (_, i) => `v${i * 50}`).sort());
      const ipCount = (await sh('ip', ['-n', ns.name!, '-o', 'link', 'show'])).trim().split('\n').length;
      assert.equal(ipCount, all.length);
    });
  });
});

describe('validation of kind options', () => {
  it('names the field and value, sends nothing', async () => {
    await withNamespaces(1, async (ns) => {
      await withUplink(ns);
      const cases: Array<[LinkSpec, new (...a: any[]) => Error, RegExp]> = [
        [{ kind: 'vlan', name: 'v0', parent: 'up0', id: 0 }, RangeError, /^id: 0 is out of range \(1–4094\)/],
        [{ kind: 'vlan', name: 'v0', parent: 'up0', id: 4095 }, RangeError, /^id: 4095 is out of range/],
        [{ kind: 'vlan', name: 'v0', id: 5 } as never, TypeError, /^parent: required for kind "vlan"/],
        [{ kind: 'vlan', name: 'v0', parent: 'up0', id: 5, protocol: '802.1x' } as never, RangeError, /^protocol: "802.1x" is not one of "802.1Q", "802.1ad"/],
        [{ kind: 'vxlan', name: 'x0', vni: 2 ** 24 }, RangeError, /^vni: 16777216 is out of range \(0–16777215\)/],
        [{ kind: 'vxlan', name: 'x0', vni: 1, port: 0 }, RangeError, /^port: 0 is out of range \(1–65535\)/],
        [{ kind: 'vxlan', name: 'x0', vni: 1, port: 65536 }, RangeError, /^port: 65536 is out of range/],
        [{ kind: 'vxlan', name: 'x0', vni: 1, remote: '198.18.0.256' }, RangeError, /^remote: "198.18.0.256" is not an IPv4 or IPv6 address/],
        [{ kind: 'vxlan', name: 'x0', vni: 1, remote: '198.18.0.2', group: '239.0.0.1' }, RangeError, /^group: "239.0.0.1" cannot be given with remote/],
        [{ kind: 'macvlan', name: 'm0', parent: 'up0', mode: 'bridged' } as never, RangeError, /^mode: "bridged" is not one of "private", "vepa", "bridge", "passthru", "source"/],
        [{ kind: 'ipvlan', name: 'i0', parent: 'up0', mode: 'l4' } as never, RangeError, /^mode: "l4" is not one of "l2", "l3", "l3s"/],
        [{ kind: 'bond', name: 'b0', mode: 'lacp' } as never, RangeError, /^mode: "lacp" is not one of/],
        [{ kind: 'geneve', name: 'g0', vni: -1 }, RangeError, /^vni: -1 is out of range/],
        [{ kind: 'vrf', name: 'r0', table: 0 }, RangeError, /^table: 0 is out of range/],
        [{ kind: 'bridge', name: 'b0', mac: 'ff:ff:ff:ff:ff:ff' }, RangeError, /^mac: "ff:ff:ff:ff:ff:ff" is a multicast/],
        [{ kind: 'bridge', name: 'b0', forwardDelay: 100 }, RangeError, /^forwardDelay: 100 is out of range \(200–3000\)/],
        [{ kind: 'tap', name: 't0', owner: -5 }, RangeError, /^owner: -5 is out of range/],
        [{ kind: 'veth', name: 'e0', peer: { name: 'e1', mac: '01:02:03:04:05:06' } }, RangeError, /^peer\.mac: "01:02:03:04:05:06" is a multicast/],
      ];
      for (const [spec, type, message] of cases) {
        await assert.rejects(ns.links.add(spec), (e: unknown) => e instanceof type && message.test((e as Error).message), message.source);
      }
      assert.deepEqual((await ipJson(ns.name, ['link', 'show'])).map((l) => l.ifname).sort(), ['lo', 'up0', 'up0p']);
    });
  });
});
