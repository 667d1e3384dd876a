import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Address, NetlinkError, type Netns, type Route } from '../../src/index';
import { ipJson, quietIpv6, sh, withNamespaces } from '../helpers';

const IP_ADDR_FLAGS = ['dynamic', 'secondary', 'nodad', 'optimistic', 'dadfailed', 'home', 'deprecated', 'tentative', 'mngtmpaddr', 'noprefixroute', 'autojoin', 'stable-privacy'];

/** Every address of the namespace, ours against `ip -j address show`. */
async function assertAddressesMatchIp(ns: Netns): Promise<Address[]> {
  const ours = await ns.addresses.list();
  const theirs = (await ipJson(ns.name, ['address', 'show'])).flatMap((l) => l.addr_info.map((a: any) => ({ ...a, ifindex: l.ifindex })));
  assert.equal(ours.length, theirs.length, 'address count');
  for (const t of theirs) {
    const o = ours.find((a) => a.link === t.ifindex && a.address === t.local && a.prefixLength === t.prefixlen);
    assert.ok(o, `address ${t.local}/${t.prefixlen} on ${t.ifindex}`);
    const where = `${t.local}/${t.prefixlen}`;
    assert.equal(o.family, t.family === 'inet' ? 4 : 6, where);
    assert.equal(o.scope, t.scope, where);
    assert.equal(o.broadcast, t.broadcast, where);
    assert.equal(o.label, t.label, where);
    assert.equal(o.peer, t.address, where);
    assert.deepEqual([...o.flags].sort(), IP_ADDR_FLAGS.filter((f) => t[f] === true).sort(), where);
    // Lifetimes count down between the two reads.
    assert.ok(Math.abs(o.validLifetime - t.valid_life_time) <= 2, `${where} valid lifetime`);
    assert.ok(Math.abs(o.preferredLifetime - t.preferred_life_time) <= 2, `${where} preferred lifetime`);
  }
  return ours;
}

/** Our Route in `ip -j route` terms (ip leaves out what is default: table main, proto boot, scope global, type unicast). */
function asIp(r: Route, linkName: (i: number | undefined) => string | undefined, tableName: (t: number) => string): Record<string, unknown> {
  const o: Record<string, unknown> = { dst: r.dst };
  if (r.type !== 'unicast') o.type = r.type;
  if (r.gateway) o.gateway = r.gateway;
  if (r.dev !== undefined) o.dev = linkName(r.dev);
  if (r.table !== 254) o.table = tableName(r.table);
  if (r.protocol !== 'boot') o.protocol = r.protocol;
  if (r.scope !== 'global') o.scope = r.scope;
  if (r.src) o.prefsrc = r.src;
  if (r.metric !== undefined) o.metric = r.metric;
  if (r.nexthops) o.nexthops = r.nexthops.map((n) => ({ gateway: n.gateway, dev: linkName(n.dev), weight: n.weight }));
  if (r.metrics) o.metrics = [r.metrics]; // ip -j prints all metrics in one object inside an array
  return o;
}

async function assertRoutesMatchIp(ns: Netns, family: 4 | 6): Promise<Route[]> {
  const links = await ns.links.list();
  const linkName = (i: number | undefined) => links.find((l) => l.index === i)?.name;
  const tableName = (t: number) => ({ 255: 'local', 253: 'default' } as Record<number, string>)[t] ?? String(t);
  const ours = await ns.routes.list({ table: 'all', family });
  const theirs = await ipJson(ns.name, [`-${family}`, 'route', 'show', 'table', 'all']);
  assert.equal(ours.length, theirs.length, `IPv${family} route count`);
  for (const [i, t] of theirs.entries()) {
    const mine = asIp(ours[i], linkName, tableName);
    const keys = Object.keys(mine).filter((k) => k !== 'nexthops');
    const picked = Object.fromEntries(keys.map((k) => [k, t[k]]));
    assert.deepEqual(mine.nexthops ? { ...picked, nexthops: t.nexthops.map((n: any) => ({ gateway: n.gateway, dev: n.dev, weight: n.weight })) } : picked,
      mine, `route ${t.dst}`);
    for (const k of ['gateway', 'dev', 'prefsrc', 'metric', 'type', 'table']) assert.equal(k in mine, k in t && !(k === 'metric' && t[k] === 0 && family === 6 && !('metric' in mine)), `route ${t.dst}: ${k} present in one only`);
  }
  return ours;
}

describe('addresses', () => {
  it('what the library adds, ip shows the same; flush and delete too', async () => {
    await withNamespaces(1, async (ns) => {
      await quietIpv6(ns);
      await ns.links.add({ kind: 'veth', name: 'e0', up: true, peer: { name: 'e1', up: true } });
      await ns.addresses.add('e0', '198.18.0.1/24');
      await ns.addresses.add('e0', '198.18.0.2/24'); // a secondary
      await ns.addresses.add('e0', '2001:db8::1/64', { noDad: true });
      await ns.addresses.add('e1', '198.18.5.1/24', { label: 'e1:x', broadcast: '198.18.5.255', noPrefixRoute: true, validLifetime: 1000, preferredLifetime: 500 });
      await ns.addresses.add('e1', '198.18.6.1', { peer: '198.18.6.2/32', scope: 'link' });
      await ns.addresses.add('e1', '2001:db8:1::1/64', { noDad: true, home: true, noPrefixRoute: true });
      const ours = await assertAddressesMatchIp(ns);
      assert.ok(ours.find((a) => a.address === '198.18.0.2')!.flags.includes('secondary'));
      await ns.addresses.replace('e1', '198.18.5.1/24', { label: 'e1:y', validLifetime: 2000, preferredLifetime: 2000, noPrefixRoute: true, broadcast: '198.18.5.255' });
      // The kernel's replace updates lifetimes and flags (not the label), as with `ip address replace`.
      assert.ok((await ns.addresses.list({ link: 'e1', family: 4 })).find((a) => a.address === '198.18.5.1')!.validLifetime > 1000);
      await assertAddressesMatchIp(ns);
      await ns.addresses.delete('e0', '198.18.0.2/24');
      await ns.addresses.flush('e1', { family: 4 });
      const left = (await ipJson(ns.name, ['-4', 'address', 'show'])).flatMap((l) => l.addr_info.map((a: any) => a.local));
      assert.deepEqual(left, ['198.18.0.1']);
      assert.deepEqual((await ns.addresses.list({ family: 6, link: 'e1' })).map((a) => a.address).sort(),
        (await ipJson(ns.name, ['-6', 'address', 'show', 'dev', 'e1'])).flatMap((l) => l.addr_info.map((a: any) => a.local)).sort());
    });
  });

  it('what ip adds, the library reads back the same', async () => {
    await withNamespaces(1, async (ns) => {
      const n = ns.name!;
      await quietIpv6(ns);
      await ns.links.add({ kind: 'veth', name: 'e0', peer: { name: 'e1' } });
      await sh('ip', ['-n', n, 'address', 'add', '198.18.1.1/16', 'brd', '+', 'dev', 'e0', 'label', 'e0:web']);
      await sh('ip', ['-n', n, 'address', 'add', '198.18.2.1/24', 'dev', 'e0', 'valid_lft', '600', 'preferred_lft', '300']);
      await sh('ip', ['-n', n, 'address', 'add', '2001:db8:5::5/80', 'dev', 'e1', 'nodad', 'noprefixroute']);
      await sh('ip', ['-n', n, 'address', 'add', '198.18.3.1', 'peer', '198.18.3.2/32', 'dev', 'e1', 'scope', 'host']);
      await assertAddressesMatchIp(ns);
    });
  });

  it('parses strictly and changes nothing on bad input', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.links.add({ kind: 'veth', name: 'e0', peer: { name: 'e1' } });
      const bad: Array<[() => Promise<unknown>, RegExp]> = [
        [() => ns.addresses.add('e0', '123.456.0.0/16'), /^cidr: "123\.456\.0\.0\/16" has octet 456, which is over 255/],
        [() => ns.addresses.add('e0', '198.18.0.1/33'), /prefix length 33, over 32/],
        [() => ns.addresses.add('e0', '198.18.0.1/'), /prefix length ""/],
        [() => ns.addresses.add('e0', '2001:db8::1/129'), /prefix length 129, over 128/],
        [() => ns.addresses.add('e0', 'fe80::1%e0/64'), /zone id/],
        [() => ns.addresses.add('e0', '::ffff:198.18.0.1/128'), /IPv4-mapped .* give the IPv4 address 198\.18\.0\.1/],
        [() => ns.addresses.add('e0', '198.18.0.01/24'), /leading zero/],
        [() => ns.addresses.add('e0', '198.18.0.1/24', { peer: '2001:db8::2' }), /^options\.peer: .* is IPv6, the address is IPv4/],
        [() => ns.addresses.add('e0', '198.18.0.1/24', { scope: 'galaxy' as never }), /^options\.scope: "galaxy" is not one of/],
        [() => ns.addresses.add('e0', '198.18.0.1/24', { validLifetime: 10, preferredLifetime: 20 }), /preferredLifetime: 20 is longer than validLifetime 10/],
        [() => ns.addresses.add('e0', '198.18.0.1/24', { nodad: true } as never), /unknown option "nodad"/],
      ];
      for (const [call, message] of bad) await assert.rejects(call, (e: unknown) => (e instanceof RangeError || e instanceof TypeError) && message.test((e as Error).message), message.source);
      assert.deepEqual((await ipJson(ns.name, ['-4', 'address', 'show'])).flatMap((l) => l.addr_info), []);
    });
  });
});

describe('routes', () => {
  it('what the library adds, ip shows the same (IPv4 and IPv6, tables, types, multipath, metrics)', async () => {
    await withNamespaces(1, async (ns) => {
      await quietIpv6(ns);
      await ns.links.add({ kind: 'veth', name: 'e0', up: true, peer: { name: 'e1', up: true } });
      await ns.addresses.add('e0', '198.18.0.1/24');
      await ns.addresses.add('e0', '2001:db8::1/64', { noDad: true });
      await ns.routes.add({ dst: 'default', gateway: '198.18.0.254' });
      await ns.routes.add({ dst: '198.18.9.0/24', dev: 'e1', metric: 7, mtu: 1300, table: 100 });
      await ns.routes.add({ dst: '198.18.10.0/24', nexthops: [{ gateway: '198.18.0.2', weight: 3 }, { gateway: '198.18.0.3', dev: 'e0' }] });
      await ns.routes.add({ dst: '198.18.11.0/24', type: 'blackhole' });
      await ns.routes.add({ dst: '198.18.12.0/24', type: 'unreachable', metric: 5 });
      await ns.routes.add({ dst: '198.18.13.0/24', type: 'prohibit', protocol: 'static' });
      await ns.routes.add({ dst: '198.18.14.1', gateway: '198.18.0.9', src: '198.18.0.1', metrics: { advmss: 1400, initcwnd: 10 } });
      await ns.routes.add({ dst: '198.19.0.0/16', gateway: '198.19.0.1', dev: 'e0', onlink: true });
      await ns.routes.add({ dst: '2001:db8:9::/48', gateway: '2001:db8::fe', metric: 100 });
      await ns.routes.add({ dst: 'default', gateway: '2001:db8::ff' });
      await ns.routes.add({ dst: '198.18.15.0/24', dev: 'e0', table: 'local', type: 'local' });
      await ns.routes.replace({ dst: '198.18.11.0/24', type: 'unreachable' });
      const routes = await assertRoutesMatchIp(ns, 4);
      assert.deepEqual(routes.find((r) => r.dst === '198.18.10.0/24')!.nexthops!.map((n) => n.weight), [3, 1]);
      assert.equal(routes.find((r) => r.dst === '198.18.9.0/24')!.mtu, 1300);
      assert.equal(routes.find((r) => r.dst === '198.19.0.0/16')!.onlink, true);
      await assertRoutesMatchIp(ns, 6);
      await ns.routes.delete({ dst: '198.18.12.0/24' });
      await ns.routes.delete({ dst: '198.18.9.0/24', table: 100 });
      assert.equal((await ns.routes.list({ table: 100 })).length, 0);
      assert.equal((await ns.routes.list()).some((r) => r.dst === '198.18.12.0/24'), false);
      await assertRoutesMatchIp(ns, 4);
    });
  });

  it('what ip adds, the library reads back the same', async () => {
    await withNamespaces(1, async (ns) => {
      const n = ns.name!;
      await quietIpv6(ns);
      await ns.links.add({ kind: 'veth', name: 'e0', up: true, peer: { name: 'e1', up: true } });
      await ns.addresses.add('e0', '198.18.0.1/24');
      for (const args of [
        ['route', 'add', 'default', 'via', '198.18.0.254', 'metric', '20'],
        ['route', 'add', '198.18.20.0/24', 'via', '198.18.0.5', 'proto', 'static', 'mtu', '1400'],
        ['route', 'add', '198.18.21.0/24', 'dev', 'e1', 'table', '200', 'scope', 'link'],
        ['route', 'add', 'blackhole', '198.18.22.0/24'],
        ['route', 'add', '198.18.23.0/24', 'nexthop', 'via', '198.18.0.6', 'weight', '2', 'nexthop', 'via', '198.18.0.7', 'weight', '5'],
      ]) await sh('ip', ['-n', n, ...args]);
      const routes = await assertRoutesMatchIp(ns, 4);
      assert.equal(routes.find((r) => r.dst === '198.18.21.0/24')!.table, 200);
      assert.equal(routes.find((r) => r.dst === '198.18.20.0/24')!.protocol, 'static');
    });
  });

  it('get() is the kernel lookup, as `ip route get` answers', async () => {
    await withNamespaces(1, async (ns) => {
      await quietIpv6(ns);
      await ns.links.add({ kind: 'veth', name: 'e0', up: true, peer: { name: 'e1', up: true } });
      await ns.addresses.add('e0', '198.18.0.1/24');
      await ns.routes.add({ dst: '198.18.40.0/24', gateway: '198.18.0.40' });
      for (const dst of ['198.18.40.7', '198.18.0.9']) {
        const ours = await ns.routes.get(dst);
        const ip = (await ipJson(ns.name, ['route', 'get', dst]))[0];
        assert.equal(ours.dst, ip.dst);
        assert.equal(ours.gateway, ip.gateway);
        assert.equal((await ns.links.get(ours.dev!)).name, ip.dev);
        assert.equal(ours.src, ip.prefsrc);
      }
      await assert.rejects(ns.routes.get('203.0.113.1'), (e: any) => e.code === 'ENETUNREACH' && e.operation === 'route.get');
    });
  });

  it('append adds another route to the same prefix (IPv4 with a metric, IPv6 ECMP), as `ip route append` does', async () => {
    await withNamespaces(2, async (ns, twin) => {
      // The oracle: the same routes made by ip in a twin namespace, and ip's listing of both.
      for (const n of [ns, twin]) {
        await quietIpv6(n);
        await n.links.add({ kind: 'veth', name: 'e0', up: true, peer: { name: 'e1', up: true } });
        await n.addresses.add('e0', '198.18.0.1/24');
        await n.addresses.add('e0', '2001:db8::1/64', { noDad: true });
        await n.addresses.add('e1', '2001:db8:1::1/64', { noDad: true });
      }
      await ns.routes.add({ dst: '198.18.30.0/24', gateway: '198.18.0.2' });
      await ns.routes.append({ dst: '198.18.30.0/24', gateway: '198.18.0.3', metric: 10 });
      await ns.routes.add({ dst: '2001:db8:30::/48', gateway: '2001:db8::2' });
      // IPv6 routes to one prefix with the same metric, appended, become one multipath route.
      await ns.routes.append({ dst: '2001:db8:30::/48', gateway: '2001:db8:1::2', dev: 'e1' });
      // append of a route that exists exactly is refused, as ip refuses it.
      await assert.rejects(ns.routes.append({ dst: '198.18.30.0/24', gateway: '198.18.0.3', metric: 10 }),
        (e: unknown) => e instanceof NetlinkError && e.code === 'EEXIST' && e.operation === 'route.append');
      for (const args of [['route', 'add', '198.18.30.0/24', 'via', '198.18.0.2'], ['route', 'append', '198.18.30.0/24', 'via', '198.18.0.3', 'metric', '10'],
        ['-6', 'route', 'add', '2001:db8:30::/48', 'via', '2001:db8::2'], ['-6', 'route', 'append', '2001:db8:30::/48', 'via', '2001:db8:1::2', 'dev', 'e1']]) {
        await sh('ip', ['-n', twin.name!, ...args]);
      }
      for (const family of [4, 6] as const) {
        const ours = await assertRoutesMatchIp(ns, family);
        assert.deepEqual(await ipJson(ns.name, [`-${family}`, 'route', 'show']), await ipJson(twin.name, [`-${family}`, 'route', 'show']), `IPv${family}`);
        if (family === 4) assert.deepEqual(ours.filter((r) => r.dst === '198.18.30.0/24').map((r) => [r.gateway, r.metric]), [['198.18.0.2', undefined], ['198.18.0.3', 10]]);
        else assert.deepEqual(ours.find((r) => r.dst === '2001:db8:30::/48')!.nexthops!.map((n) => n.gateway), ['2001:db8::2', '2001:db8:1::2']);
      }
    });
  });

  it('IPv6 and IPv4 multipath given as nexthops: ip -j route lists what the library lists, and ip made the same route', async () => {
    await withNamespaces(2, async (ns, twin) => {
      for (const n of [ns, twin]) {
        await quietIpv6(n);
        await n.links.add({ kind: 'veth', name: 'e0', up: true, peer: { name: 'e1', up: true } });
        await n.addresses.add('e0', '198.18.0.1/24');
        await n.addresses.add('e1', '198.18.1.1/24');
        await n.addresses.add('e0', '2001:db8::1/64', { noDad: true });
        await n.addresses.add('e1', '2001:db8:1::1/64', { noDad: true });
      }
      await ns.routes.add({ dst: '198.18.40.0/24', nexthops: [{ gateway: '198.18.0.2', dev: 'e0', weight: 2 }, { gateway: '198.18.1.2', dev: 'e1', weight: 5 }] });
      await ns.routes.add({ dst: '2001:db8:40::/48', metric: 1024, nexthops: [{ gateway: '2001:db8::2', dev: 'e0' }, { gateway: '2001:db8:1::2', dev: 'e1', weight: 3 }] });
      await sh('ip', ['-n', twin.name!, 'route', 'add', '198.18.40.0/24', 'nexthop', 'via', '198.18.0.2', 'dev', 'e0', 'weight', '2', 'nexthop', 'via', '198.18.1.2', 'dev', 'e1', 'weight', '5']);
      await sh('ip', ['-n', twin.name!, '-6', 'route', 'add', '2001:db8:40::/48', 'metric', '1024', 'nexthop', 'via', '2001:db8::2', 'dev', 'e0', 'nexthop', 'via', '2001:db8:1::2', 'dev', 'e1', 'weight', '3']);
      for (const family of [4, 6] as const) {
        const ours = await assertRoutesMatchIp(ns, family);
        assert.deepEqual(await ipJson(ns.name, [`-${family}`, 'route', 'show']), await ipJson(twin.name, [`-${family}`, 'route', 'show']), `IPv${family}`);
        const multipath = ours.find((r) => r.nexthops)!;
        assert.deepEqual(multipath.nexthops!.map((n) => n.weight), family === 4 ? [2, 5] : [1, 3]);
      }
      // Read back what ip made the same way.
      assert.deepEqual((await twin.routes.list({ family: 6 })).find((r) => r.dst === '2001:db8:40::/48')!.nexthops!.map((n) => [n.gateway, n.weight]),
        [['2001:db8::2', 1], ['2001:db8:1::2', 3]]);
      await ns.routes.delete({ dst: '2001:db8:40::/48' });
      await ns.routes.delete({ dst: '198.18.40.0/24' });
      assert.equal((await ipJson(ns.name, ['-6', 'route', 'show', '2001:db8:40::/48'])).length, 0);
      assert.equal((await ipJson(ns.name, ['route', 'show', '198.18.40.0/24'])).length, 0);
    });
  });

  it('IPv6 get() is the kernel lookup, as `ip -6 route get` answers (via a gateway, on-link, local, unreachable)', async () => {
    await withNamespaces(1, async (ns) => {
      await quietIpv6(ns);
      await ns.links.add({ kind: 'veth', name: 'e0', up: true, peer: { name: 'e1', up: true } });
      await ns.addresses.add('e0', '2001:db8::1/64', { noDad: true });
      await ns.routes.add({ dst: '2001:db8:50::/48', gateway: '2001:db8::50', metric: 7 });
      const links = await ns.links.list();
      for (const dst of ['2001:db8:50::9', '2001:db8::9', '2001:db8::1']) {
        const ours = await ns.routes.get(dst);
        const ip = (await ipJson(ns.name, ['-6', 'route', 'get', dst]))[0];
        assert.equal(ours.family, 6, dst);
        assert.equal(ours.dst, ip.dst, dst);
        assert.equal(ours.gateway, ip.gateway, dst);
        assert.equal(links.find((l) => l.index === ours.dev)?.name, ip.dev, dst);
        assert.equal(ours.src, ip.prefsrc, dst);
        assert.equal(ours.metric, ip.metric, dst);
        assert.equal(ours.type, ip.type ?? 'unicast', dst);
      }
      await assert.rejects(ns.routes.get('2001:db8:ffff::1'), (e: unknown) => e instanceof NetlinkError && e.code === 'ENETUNREACH' && e.operation === 'route.get');
      await assert.rejects(sh('ip', ['-n', ns.name!, '-6', 'route', 'get', '2001:db8:ffff::1']), /Network is unreachable/);
    });
  });

  it('bad routes are refused before anything is sent', async () => {
    await withNamespaces(1, async (ns) => {
      const bad: Array<[() => Promise<unknown>, RegExp]> = [
        [() => ns.routes.add({ dst: '198.18.1.1/24', dev: 'lo' }), /^dst: "198\.18\.1\.1\/24" has host bits set: did you mean 198\.18\.1\.0\/24\?/],
        [() => ns.routes.add({ dst: '198.18.1.0/24', gateway: '2001:db8::1' }), /^gateway: .* is IPv6 but the route is IPv4/],
        [() => ns.routes.add({ dst: '198.18.1.0/24', type: 'magic' as never }), /^type: "magic" is not one of/],
        [() => ns.routes.add({ dst: '198.18.1.0/24', table: 'nosuchtable' }), /^table: "nosuchtable" is not a table number or a name/],
        [() => ns.routes.add({ dst: '198.18.1.0/24', nexthops: [{ gateway: '198.18.0.1', weight: 0 }] }), /^nexthops\[0\]\.weight: 0 is out of range \(1–256\)/],
        [() => ns.routes.add({ dst: '198.18.1.0/24', metrics: { speed: 1 } as never }), /unknown option "speed"/],
      ];
      for (const [call, message] of bad) await assert.rejects(call, (e: unknown) => (e instanceof RangeError || e instanceof TypeError) && message.test((e as Error).message), message.source);
      assert.deepEqual(await ipJson(ns.name, ['route', 'show', 'table', 'all']), []);
    });
  });
});
