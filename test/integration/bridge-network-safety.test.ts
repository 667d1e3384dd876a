// BridgeNetwork never destroys or adopts what it did not make, says which object an error is
// about, refuses what Docker refuses, and leaves nothing behind.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BridgeNetwork, NetlinkError, Netns } from '../../src/index';
import { exchange, ipJson, sh, withNamespaces } from '../helpers';

const nftText = (ns: Netns) => sh('ip', ['netns', 'exec', ns.name!, 'nft', 'list', 'ruleset']);
/**
 * What a call could have changed, without what the kernel changes on its own meanwhile (a bridge's
 * carrier and operstate follow its ports' a moment later; IPv6 link-local addresses come and go).
 */
const stable = async (ns: Netns, args: string[]) => (await ipJson(ns.name, args))
  .map(({ operstate: _o, flags, ...l }) => ({ ...l, flags: flags.filter((f: string) => f !== 'LOWER_UP' && f !== 'NO-CARRIER') }));
const linkNames = async (ns: Netns) => (await ipJson(ns.name, ['link', 'show'])).map((l) => l.ifname as string).sort();

describe('BridgeNetwork: what exists is never destroyed or shared', () => {
  it('create on an existing bridge (a plain one, or a network) is EEXIST naming it, and touches nothing', async () => {
    await withNamespaces(2, async (host, c1) => {
      await sh('ip', ['-n', host.name!, 'link', 'add', 'docker1', 'type', 'bridge']);
      const plain = (await ipJson(host.name, ['link', 'show', 'docker1']))[0];
      await assert.rejects(BridgeNetwork.create({ netns: host, bridge: 'docker1', subnet: '198.18.0.0/24' }), (e: NetlinkError) => {
        assert.equal(e.code, 'EEXIST');
        assert.equal(e.link, 'docker1');
        assert.equal(e.netns, host.name);
        assert.match(e.message, new RegExp(`link "docker1" in namespace "${host.name}"`));
        return true;
      });
      assert.deepEqual((await ipJson(host.name, ['link', 'show', 'docker1']))[0], plain);
      assert.equal(await nftText(host), '');

      const net = await BridgeNetwork.create({ netns: host, bridge: 'docker2', subnet: '198.18.0.0/24' });
      const e1 = await net.attach(c1);
      await net.publish({ endpoint: e1, hostPort: 1234, port: 80 });
      const before = { links: await stable(host, ['link', 'show']), addresses: await stable(host, ['-4', 'addr', 'show']), nft: await nftText(host) };
      await assert.rejects(BridgeNetwork.create({ netns: host, bridge: 'docker2', subnet: '198.18.7.0/24' }), { code: 'EEXIST', link: 'docker2' });
      assert.deepEqual(await stable(host, ['link', 'show']), before.links);
      assert.deepEqual(await stable(host, ['-4', 'addr', 'show']), before.addresses);
      assert.equal(await nftText(host), before.nft);
      await net.delete();
    });
  });

  it('a NAT table or chain of the network\'s name left by someone is EEXIST, not adopted; only what the call made is undone', async () => {
    await withNamespaces(1, async (host) => {
      await sh('ip', ['netns', 'exec', host.name!, 'nft', 'add table ip nln-br0; add chain ip nln-br0 mine']);
      await assert.rejects(BridgeNetwork.create({ netns: host, bridge: 'br0', subnet: '198.18.0.0/24' }), { code: 'EEXIST' });
      assert.equal(await nftText(host), 'table ip nln-br0 {\n\tchain mine {\n\t}\n}\n');
      assert.deepEqual(await linkNames(host), ['lo']); // the bridge it made is gone again
      assert.equal((await host.sysctl.get('net.ipv4.ip_forward')).trim(), '0'); // and forwarding as it was

      await sh('ip', ['netns', 'exec', host.name!, 'iptables-nft', '-t', 'nat', '-N', 'NLN-br1']);
      await assert.rejects(BridgeNetwork.create({ netns: host, bridge: 'br1', subnet: '198.18.1.0/24', firewall: 'iptables' }), { code: 'EEXIST' });
      assert.ok((await sh('ip', ['netns', 'exec', host.name!, 'iptables-nft', '-t', 'nat', '-S'])).includes('-N NLN-br1'));
      assert.deepEqual(await linkNames(host), ['lo']);
    });
  });

  it('attach rollback keeps what it did not make: a second attach, a taken host-end name', async () => {
    await withNamespaces(3, async (host, c1, c2) => {
      const net = await BridgeNetwork.create({ netns: host, bridge: 'br0', subnet: '198.18.0.0/24' });
      const e1 = await net.attach(c1);
      await assert.rejects(net.attach(c1), (e: NetlinkError) => {
        assert.equal(e.code, 'EEXIST');
        assert.equal(e.link, 'eth0');
        assert.equal(e.netns, c1.name);
        assert.match(e.message, new RegExp(`link "eth0" in namespace "${c1.name}": already attached to br0 \\(address 198\\.18\\.0\\.2\\)`));
        return true;
      });
      assert.deepEqual((await net.endpoints()).map((e) => e.hostIfname), [e1.hostIfname]);
      assert.equal((await ipJson(c1.name, ['-4', 'addr', 'show', 'eth0']))[0].addr_info[0].local, e1.address);
      // A second interface in the same container on the same network: refused, as Docker refuses
      // connecting a container to a network twice.
      await assert.rejects(net.attach(c1, { ifname: 'eth1' }), (e: NetlinkError) => {
        assert.equal(e.code, 'EEXIST');
        assert.equal(e.netns, c1.name);
        assert.match(e.message, /already attached to br0 \(address 198\.18\.0\.2\)/);
        return true;
      });
      assert.deepEqual(await linkNames(c1), ['eth0', 'lo']);
      // On a second network: attached, keeping the default route it has, as Docker does.
      const other = await BridgeNetwork.create({ netns: host, bridge: 'br1', subnet: '198.18.1.0/24' });
      const e2 = await other.attach(c1, { ifname: 'eth1' });
      assert.deepEqual(await linkNames(c1), ['eth0', 'eth1', 'lo']);
      assert.deepEqual((await ipJson(c1.name, ['-4', 'route', 'show', 'default'])).map((r) => [r.gateway, r.dev]), [['198.18.0.1', 'eth0']]);
      assert.equal((await ipJson(c1.name, ['-4', 'addr', 'show', 'eth1']))[0].addr_info[0].local, e2.address);
      await other.delete();
      // The next address's host-end name held by someone else's link: that address is skipped,
      // asked for by name it is refused, and the link stays.
      await sh('ip', ['-n', host.name!, 'link', 'add', 'nlnc6120003', 'type', 'veth', 'peer', 'name', 'other']);
      await assert.rejects(net.attach(c2, { address: '198.18.0.3' }), (e: NetlinkError) => e.code === 'EEXIST' && e.link === 'nlnc6120003' && /198\.18\.0\.3 is in use/.test(e.message));
      assert.equal((await net.attach(c2)).address, '198.18.0.4');
      assert.ok((await linkNames(host)).includes('nlnc6120003'));
      await net.delete();
      assert.deepEqual(await linkNames(host), ['lo', 'nlnc6120003', 'other']);
    });
  });

  it('links.add of a taken name (host side or peer side) names the link and namespace and removes nothing', async () => {
    await withNamespaces(2, async (a, b) => {
      await a.links.add({ kind: 'veth', name: 'v0', peer: { name: 'v0p' } });
      await b.links.add({ kind: 'veth', name: 'eth0', peer: { name: 'x0' } });
      await assert.rejects(a.links.add({ kind: 'veth', name: 'v0', peer: { name: 'eth9', netns: b } }), { code: 'EEXIST', link: 'v0', netns: a.name });
      await assert.rejects(a.links.add({ kind: 'veth', name: 'v1', peer: { name: 'eth0', netns: b } }), (e: NetlinkError) => {
        assert.equal(e.link, 'eth0');
        assert.equal(e.netns, b.name);
        assert.match(e.message, new RegExp(`^link\\.add: EEXIST \\(file already exists\\): link "eth0" in namespace "${b.name}"`));
        return true;
      });
      assert.deepEqual(await linkNames(a), ['lo', 'v0', 'v0p']);
      assert.deepEqual(await linkNames(b), ['eth0', 'lo', 'x0']);
    });
  });
});

describe('BridgeNetwork: clear errors, Docker\'s refusals, nothing left behind', () => {
  it('attach, publish, detach after delete() say the network is gone (ENODEV naming the bridge and namespace)', async () => {
    await withNamespaces(2, async (host, c1) => {
      const net = await BridgeNetwork.create({ netns: host, bridge: 'br-net3', subnet: '198.18.0.0/24' });
      const e1 = await net.attach(c1);
      await net.delete();
      const gone = (e: NetlinkError) => {
        assert.equal(e.code, 'ENODEV');
        assert.equal(e.link, 'br-net3');
        assert.equal(e.netns, host.name);
        assert.match(e.message, /the network is gone \(its bridge was deleted\)/);
        assert.doesNotMatch(e.message, /EINVAL|chain/);
        return true;
      };
      await using c2 = await Netns.create();
      await assert.rejects(net.attach(c2), gone);
      await assert.rejects(net.publish({ endpoint: e1, hostPort: 1236, port: 80 }), gone);
      await assert.rejects(net.detach(c1), gone);
      await assert.rejects(BridgeNetwork.open('br-net3', { netns: host }), { code: 'ENODEV', link: 'br-net3', message: /no such network/ });
    });
  });

  it('overlapping subnets are refused before anything is made; publish outside the subnet is a RangeError', async () => {
    await withNamespaces(2, async (host, c1) => {
      const net = await BridgeNetwork.create({ netns: host, bridge: 'br0', subnet: '198.18.0.0/24' });
      const before = { links: await linkNames(host), nft: await nftText(host) };
      await assert.rejects(BridgeNetwork.create({ netns: host, bridge: 'br1', subnet: '198.18.0.0/16' }), /^RangeError: subnet: "198\.18\.0\.0\/16" overlaps 198\.18\.0\.0\/24 \(a route through br0\)/);
      await assert.rejects(BridgeNetwork.create({ netns: host, bridge: 'br1', subnet: '198.18.0.128/25' }), /overlaps/);
      await host.links.add({ kind: 'veth', name: 'up0', peer: { name: 'up1' } });
      await host.addresses.add('up0', '198.19.5.1/24');
      await assert.rejects(BridgeNetwork.create({ netns: host, bridge: 'br1', subnet: '198.19.0.0/16' }), /overlaps 198\.19\.5\.0\/24|overlaps 198\.19\.5\.1\/24/);
      assert.deepEqual(await linkNames(host), [...before.links, 'up0', 'up1'].sort());
      assert.equal(await nftText(host), before.nft);
      const e1 = await net.attach(c1);
      await assert.rejects(net.publish({ endpoint: { address: '198.18.1.2' }, hostPort: 1, port: 1 }), /^RangeError: endpoint\.address: "198\.18\.1\.2" is not in the network's subnet 198\.18\.0\.0\/24/);
      await assert.rejects(net.attach(c1, { ifname: 'eth1', address: '10.0.0.5' }), /^RangeError: address: "10\.0\.0\.5" is not in/);
      assert.equal((await net.ports()).length, 0);
      assert.ok(e1);
      await net.delete();
    });
  });

  it('attach brings the container\'s lo up: a server on 127.0.0.1 inside it works', async () => {
    await withNamespaces(2, async (host, c1) => {
      const net = await BridgeNetwork.create({ netns: host, bridge: 'br0', subnet: '198.18.0.0/24' });
      await net.attach(c1);
      assert.ok((await ipJson(c1.name, ['link', 'show', 'lo']))[0].flags.includes('UP'));
      const server = await c1.listen({ port: 8080, host: '127.0.0.1' }, (s) => s.on('data', (d) => s.end(`lo:${d}`)));
      try {
        assert.equal(await exchange(c1, '127.0.0.1', 8080), 'lo:ping');
      } finally {
        server.close();
      }
      await net.delete();
    });
  });

  it('deleting the networks leaves nothing of the library\'s: no isolation table, no rules, no links', async () => {
    await withNamespaces(3, async (host, c1, c2) => {
      const a = await BridgeNetwork.create({ netns: host, bridge: 'brA', subnet: '198.18.1.0/24' });
      const b = await BridgeNetwork.create({ netns: host, bridge: 'brB', subnet: '198.18.2.0/24', firewall: 'iptables' });
      await b.publish({ endpoint: await b.attach(c2), hostPort: 80, port: 80 });
      await a.publish({ endpoint: await a.attach(c1), hostPort: 80, port: 80 });
      await a.delete();
      assert.match(await nftText(host), /table ip nln-isolation/); // brB still uses it
      await b.delete();
      // iptables-nft's own empty base chains may stay (as with Docker); no rule, set or table of ours.
      const left = await nftText(host);
      assert.doesNotMatch(left, /nln|NLN|198\.18|masquerade|dnat to|jump|@/);
      assert.ok(!/^\s+(?!type )\S/m.test(left.replace(/^(table|\tchain|\t\}|\})[^\n]*$/gm, '')), left);
      assert.deepEqual(await linkNames(host), ['lo']);
    });
  });
});
