// BridgeNetwork with an IPv6 subnet, alone or beside an IPv4 one (as `docker network create --ipv6`):
// the bridge's IPv6 gateway, each endpoint's IPv6 address and default route, ip6 NAT for published
// ports and masquerade, ip6 isolation, IPv6 forwarding in the host namespace; with either firewall.
// Every connection is made the moment attach (or publish) resolves, no sleep: the addresses are added
// without DAD, so they are never "tentative" (the IPv6-only test's first connection to a published
// port is forwarded to a container that has sent nothing yet: the case that needs the bridge's fe80::1). `ip -j`, `nft list ruleset` and `ip6tables-nft -S` are the oracle.
import * as assert from 'node:assert/strict';
import type * as net from 'node:net';
import { describe, it } from 'node:test';
import { BridgeNetwork, Netns } from '../../src/index';
import { deleteLeftNamespaces, exchange, ipJson, sh, withCleanup } from '../helpers';

const FIREWALLS = ['nftables', 'iptables'] as const;
const DUAL = ['198.18.10.0/24', 'fd00:198:18:10::/64'];
const V6_ONLY = 'fd00:198:18:20::/64';

let counter = 0;
/** `count` namespaces named nlnt-dual-…, deleted whatever happens. */
async function withNamespaces<T>(count: number, fn: (...ns: Netns[]) => Promise<T>): Promise<T> {
  const made: Netns[] = [];
  return withCleanup(async () => {
    for (let i = 0; i < count; i++) made.push(await Netns.create(`nlnt-dual-${process.pid}-${counter++}`));
    return fn(...made);
  }, async () => {
    for (const ns of made) await ns.delete().catch(() => {});
    await deleteLeftNamespaces(made.map((ns) => ns.name!));
  });
}

/** A client namespace wired to the host: 10.0.0.2 / fd00:10::2, default routes via 10.0.0.1 / fd00:10::1. */
async function wireDualClient(client: Netns, host: Netns): Promise<void> {
  await client.links.add({ kind: 'veth', name: 'eth0', up: true, peer: { name: 'to-client', netns: host, up: true } });
  await client.addresses.add('eth0', '10.0.0.2/24', { noDad: true });
  await client.addresses.add('eth0', 'fd00:10::2/64', { noDad: true });
  await host.addresses.add('to-client', '10.0.0.1/24', { noDad: true });
  await host.addresses.add('to-client', 'fd00:10::1/64', { noDad: true });
  await client.routes.add({ dst: 'default', gateway: '10.0.0.1' });
  await client.routes.add({ dst: 'default', gateway: 'fd00:10::1' });
}

/** A TCP server on [::]:port answering "<tag>:<data>"; `peers` are the source addresses it saw. */
async function serve(ns: Netns, port: number, tag: string) {
  const peers: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = await ns.listen({ port, host: '::' }, (s) => {
    peers.push(s.remoteAddress!.replace(/^::ffff:/, ''));
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('data', (d) => s.end(`${tag}:${d}`));
  });
  return { peers, close: () => { server.close(); for (const s of sockets) s.destroy(); } };
}

/** One ICMPv6 (or ICMP) echo with busybox ping, 1 s to answer: true when it was answered. */
async function ping(ns: Netns, address: string): Promise<boolean> {
  const r = await ns.exec('busybox', ['ping', address.includes(':') ? '-6' : '-4', '-c', '1', '-W', '1', address]);
  return r.code === 0;
}

const v6Addresses = async (ns: Netns, dev: string) => (await ipJson(ns.name, ['-6', 'addr', 'show', 'dev', dev]))[0]?.addr_info ?? [];
const nftRuleset = (ns: Netns) => sh('ip', ['netns', 'exec', ns.name!, 'nft', 'list', 'ruleset']);
const ip6tablesNat = (ns: Netns) => sh('ip', ['netns', 'exec', ns.name!, 'ip6tables-nft', '-t', 'nat', '-S']);

describe('BridgeNetwork IPv6 and dual stack', () => {
  for (const firewall of FIREWALLS) {
    it(`dual stack (${firewall}): IPv4 and IPv6 addresses, routes, NAT and published ports work at once; remove leaves nothing`, async () => {
      await withNamespaces(4, async (host, c1, c2, client) => {
        await wireDualClient(client, host);
        const net = await BridgeNetwork.create({ netns: host, bridge: 'br6', subnet: DUAL, firewall });
        assert.deepEqual([net.subnet, net.gateway, net.subnet6, net.gateway6], ['198.18.10.0/24', '198.18.10.1', 'fd00:198:18:10::/64', 'fd00:198:18:10::1']);
        const e1 = await net.attach(c1);
        const e2 = await net.attach(c2);
        assert.deepEqual([e1.address, e1.address6, e2.address, e2.address6], ['198.18.10.2', 'fd00:198:18:10::2', '198.18.10.3', 'fd00:198:18:10::3']);
        const s2 = await serve(c2, 80, 'c2');
        const far = await serve(client, 9000, 'far');
        await withCleanup(async () => {
          // At once, no sleep: container to container over IPv6 and IPv4, and to the gateway.
          assert.equal(await exchange(c1, e2.address6!, 80), 'c2:ping');
          assert.equal(await exchange(c1, e2.address, 80), 'c2:ping');
          assert.equal(await ping(c1, e2.address6!), true);
          assert.equal(await ping(c2, net.gateway6!), true);

          // The oracle: the container's IPv6 address (not tentative), its default routes, the host's forwarding.
          const a1 = (await v6Addresses(c1, 'eth0')).filter((a: { scope: string }) => a.scope === 'global');
          assert.deepEqual(a1.map((a: { local: string; prefixlen: number }) => `${a.local}/${a.prefixlen}`), ['fd00:198:18:10::2/64']);
          assert.equal(a1[0].tentative, undefined);
          assert.equal(a1[0].nodad, true);
          const r1 = await ipJson(c1.name, ['-6', 'route', 'show', 'default']);
          assert.deepEqual(r1.map((r: { gateway: string; dev: string }) => [r.gateway, r.dev]), [['fd00:198:18:10::1', 'eth0']]);
          assert.deepEqual((await ipJson(c1.name, ['-4', 'route', 'show', 'default'])).map((r: { gateway: string }) => r.gateway), ['198.18.10.1']);
          const gw = (await v6Addresses(host, 'br6')).filter((a: { scope: string }) => a.scope === 'global');
          assert.deepEqual(gw.map((a: { local: string; prefixlen: number }) => `${a.local}/${a.prefixlen}`), ['fd00:198:18:10::1/64']);
          // And a link-local address usable at once: the kernel solicits neighbours for forwarded packets from it.
          assert.ok((await v6Addresses(host, 'br6')).some((a: { local: string; nodad?: boolean; tentative?: boolean }) => a.local === 'fe80::1' && a.nodad && !a.tentative));
          assert.equal((await sh('ip', ['netns', 'exec', host.name!, 'sysctl', '-n', 'net.ipv6.conf.all.forwarding'])).trim(), '1');

          // Outbound: masqueraded to the host's address on both families.
          assert.equal(await exchange(c1, 'fd00:10::2', 9000), 'far:ping');
          assert.equal(await exchange(c1, '10.0.0.2', 9000), 'far:ping');
          assert.deepEqual(far.peers, ['fd00:10::1', '10.0.0.1']);

          // A published port answers on the host's IPv6 and IPv4 addresses (from outside, and from the
          // host itself); one published on an IPv6 host address only on that one.
          const both = await net.publish({ endpoint: e2, hostPort: 8080, port: 80 });
          assert.deepEqual([both.address, both.address6], ['198.18.10.3', 'fd00:198:18:10::3']);
          assert.equal(await exchange(client, 'fd00:10::1', 8080), 'c2:ping');
          assert.equal(await exchange(client, '10.0.0.1', 8080), 'c2:ping');
          assert.equal(await exchange(host, 'fd00:10::1', 8080), 'c2:ping');
          // Hairpin: a container reaches another through the published port.
          assert.equal(await exchange(c1, 'fd00:10::1', 8080), 'c2:ping');
          const only6 = await net.publish({ endpoint: e2, hostPort: 8081, port: 80, hostAddress: 'fd00:10::1' });
          assert.equal(await exchange(client, 'fd00:10::1', 8081), 'c2:ping');
          await assert.rejects(exchange(client, '10.0.0.1', 8081), /ECONNREFUSED|ETIMEDOUT/);
          await assert.rejects(net.publish({ endpoint: e2, hostPort: 8082, port: 80, hostAddress: 'fd00:10::1', from: '10.0.0.0/24' }), { name: 'RangeError', message: /from/ });

          if (firewall === 'nftables') {
            const rules = await nftRuleset(host);
            assert.match(rules, /table ip6 nln-br6 \{/);
            assert.match(rules, /table ip nln-br6 \{/);
            assert.match(rules, /dnat (ip6 )?to \[fd00:198:18:10::3\]:80/);
            assert.match(rules, /ip6 saddr fd00:198:18:10::\/64 oifname != "br6" masquerade/);
            assert.match(rules, /table ip6 nln-isolation \{/);
          } else {
            const nat6 = await ip6tablesNat(host);
            assert.match(nat6, /^-N NLN-br6$/m);
            assert.match(nat6, /-j DNAT --to-destination \[fd00:198:18:10::3\]:80/);
            assert.match(nat6, /^-A POSTROUTING -s fd00:198:18:10::\/64 ! -o br6 -j MASQUERADE$/m);
            assert.match(nat6, /^-A PREROUTING -m addrtype --dst-type LOCAL -j NLN-br6$/m);
          }

          // Rebuilt from the kernel: both subnets, the endpoints' and mappings' IPv6 addresses.
          const again = await BridgeNetwork.open('br6', { netns: host });
          assert.deepEqual([again.subnet, again.subnet6, again.gateway6, again.firewall.kind], ['198.18.10.0/24', 'fd00:198:18:10::/64', 'fd00:198:18:10::1', firewall]);
          assert.deepEqual((await again.endpoints()).map((e) => [e.address, e.address6]).sort(), [['198.18.10.2', 'fd00:198:18:10::2'], ['198.18.10.3', 'fd00:198:18:10::3']]);
          assert.deepEqual((await again.ports()).map((m) => [m.hostPort, m.address6, m.hostAddress]).sort(), [[8080, 'fd00:198:18:10::3', undefined], [8081, 'fd00:198:18:10::3', 'fd00:10::1']]);

          // Unpublish and detach remove their ip6 state.
          await net.unpublish(only6);
          await assert.rejects(exchange(client, 'fd00:10::1', 8081), /ECONNREFUSED|ETIMEDOUT/);
          await net.detach(c2);
          assert.deepEqual(await net.ports(), []);
          assert.deepEqual(await ipJson(c2.name, ['link', 'show', 'eth0']).catch(() => []), []);
          if (firewall === 'nftables') assert.doesNotMatch(await nftRuleset(host), /fd00:198:18:10::3/);
          else assert.doesNotMatch(await ip6tablesNat(host), /fd00:198:18:10::3/);
        }, () => s2.close(), () => far.close());

        await net.delete();
        const rules = await nftRuleset(host);
        assert.doesNotMatch(rules, /nln|NLN/);
        assert.deepEqual((await ipJson(host.name, ['link'])).map((l: { ifname: string }) => l.ifname).filter((n: string) => n !== 'lo' && n !== 'to-client'), []);
        assert.deepEqual(await ipJson(host.name, ['-6', 'route', 'show', 'fd00:198:18:10::/64']), []);
      });
    });

    it(`IPv6 only (${firewall}): endpoints get IPv6 addresses only, and work at once`, async () => {
      await withNamespaces(4, async (host, c1, c2, client) => {
        await wireDualClient(client, host);
        const net = await BridgeNetwork.create({ netns: host, bridge: 'br6', subnet: V6_ONLY, firewall });
        assert.deepEqual([net.subnet, net.gateway, net.subnet6], ['fd00:198:18:20::/64', 'fd00:198:18:20::1', undefined]);
        const e1 = await net.attach(c1);
        const e2 = await net.attach(c2);
        assert.deepEqual([e1.address, e1.address6, e1.hostIfname, e2.address], ['fd00:198:18:20::2', undefined, 'nln600000000002', 'fd00:198:18:20::3']);
        const s2 = await serve(c2, 80, 'c2');
        await withCleanup(async () => {
          assert.equal(await exchange(c1, e2.address, 80), 'c2:ping');
          assert.equal(await ping(c1, net.gateway), true);
          assert.deepEqual(await ipJson(c1.name, ['-4', 'addr', 'show', 'dev', 'eth0']).then((l) => l[0]?.addr_info ?? []), []);
          await net.publish({ endpoint: e2, hostPort: 8080, port: 80 });
          assert.equal(await exchange(client, 'fd00:10::1', 8080), 'c2:ping');
          await assert.rejects(exchange(client, '10.0.0.1', 8080), /ECONNREFUSED|ETIMEDOUT/);
          await assert.rejects(net.publish({ endpoint: e2, hostPort: 8081, port: 80, hostAddress: '10.0.0.1' }), { name: 'RangeError', message: /hostAddress.*no IPv4 subnet/ });
          if (firewall === 'nftables') assert.doesNotMatch(await nftRuleset(host), /table ip nln-/);
          else assert.doesNotMatch(await sh('ip', ['netns', 'exec', host.name!, 'iptables-nft', '-t', 'nat', '-S']), /NLN/);
          const again = await BridgeNetwork.open('br6', { netns: host });
          assert.deepEqual([again.subnet, again.subnet6, (await again.endpoints()).length], ['fd00:198:18:20::/64', undefined, 2]);
        }, () => s2.close());
        await net.delete();
        assert.doesNotMatch(await nftRuleset(host), /nln|NLN/);
        assert.deepEqual(await ipJson(host.name, ['link', 'show', 'br6']).catch(() => []), []);
      });
    });
  }

  it('a dual-stack attach that fails part way (the container refuses IPv6) undoes only what it did', async () => {
    await withNamespaces(3, async (host, c1, c2) => {
      const net = await BridgeNetwork.create({ netns: host, bridge: 'br6', subnet: DUAL });
      const e1 = await net.attach(c1);
      await c2.sysctl.set('net.ipv6.conf.all.disable_ipv6', 1);
      await c2.sysctl.set('net.ipv6.conf.default.disable_ipv6', 1);
      await assert.rejects(net.attach(c2), (err: Error & { code?: string }) => typeof err.code === 'string');
      assert.deepEqual((await ipJson(c2.name, ['link'])).map((l: { ifname: string }) => l.ifname), ['lo']);
      assert.deepEqual((await ipJson(host.name, ['link'])).map((l: { ifname: string }) => l.ifname).sort(), ['br6', e1.hostIfname, 'lo'].sort());
      assert.deepEqual((await net.endpoints()).map((e) => e.address6), [e1.address6]);
      await net.delete();
    });
  });

  it('refuses subnets and gateways that do not make one IPv4 and one IPv6 stack, before touching the kernel', async () => {
    await withNamespaces(1, async (host) => {
    const create = (o: object) => BridgeNetwork.create({ netns: host, bridge: 'br6', ...o } as never);
    await assert.rejects(create({ subnet: ['198.18.10.0/24', '198.18.11.0/24'] }), { name: 'RangeError', message: /two IPv4 subnets/ });
    await assert.rejects(create({ subnet: ['198.18.10.0/24', 'fd00:198:18:10::/124'] }), { name: 'RangeError', message: /at most \/120/ });
    await assert.rejects(create({ subnet: ['fd00:198:18:10::/127'] }), { name: 'RangeError', message: /subnet\[0\].*at most \/126/ });
    await assert.rejects(create({ subnet: '198.18.10.0/24', gateway: 'fd00::1' }), { name: 'RangeError', message: /gateway.*no subnet is/ });
    await assert.rejects(create({ subnet: DUAL, gateway: ['198.18.10.1', 'fd00:198:18:11::1'] }), { name: 'RangeError', message: /gateway\[1\].*not in fd00:198:18:10::\/64/ });
    await assert.rejects(create({ subnet: [] }), { name: 'RangeError', message: /subnet/ });
    assert.deepEqual((await ipJson(host.name, ['link'])).map((l: { ifname: string }) => l.ifname), ['lo']);
    });
  });
});
