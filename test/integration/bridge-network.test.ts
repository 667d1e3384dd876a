import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BridgeNetwork, Netns } from '../../src/index';
import { exchange, ipJson, sh, wireClient, withCleanup, withNamespaces } from '../helpers';

describe('BridgeNetwork', () => {
  it('create, attach, publish from a client range, container to container, hairpin, open, detach, delete', async () => {
    await withNamespaces(4, async (host, c1, c2, client) => {
      const net = await BridgeNetwork.create({ netns: host, bridge: 'docker1', subnet: '198.18.0.0/24' });
      const ip = (await ipJson(host.name, ['-d', 'link', 'show', 'docker1']))[0];
      assert.equal(ip.linkinfo.info_kind, 'bridge');
      assert.ok(ip.flags.includes('UP'));
      assert.deepEqual((await ipJson(host.name, ['-4', 'addr', 'show', 'docker1']))[0].addr_info.map((a: any) => `${a.local}/${a.prefixlen}`), ['198.18.0.1/24']);
      const e1 = await net.attach(c1);
      const e2 = await net.attach(c2);
      assert.deepEqual([e1.address, e2.address], ['198.18.0.2', '198.18.0.3']);
      // The container's MAC as Docker makes it (02:42 + the address), and as ip shows it.
      assert.deepEqual([e1.mac, e2.mac], ['02:42:c6:12:00:02', '02:42:c6:12:00:03']);
      assert.equal((await ipJson(c1.name, ['link', 'show', 'eth0']))[0].address, e1.mac);
      assert.equal((await ipJson(c1.name, ['route', 'show', 'default']))[0].gateway, '198.18.0.1');
      assert.equal((await ipJson(host.name, ['link', 'show', e1.hostIfname]))[0].master, 'docker1');
      await wireClient(client, host); // a client namespace in 10.0.0.0/16
      const s1 = await c1.listen({ port: 8080 }, (s) => s.on('data', (d) => s.end(`c1:${d}`)));
      try {
        const mapping = await net.publish({ endpoint: e1, hostPort: 1234, port: 8080, from: '10.0.0.0/16' });
        assert.deepEqual(mapping, { address: '198.18.0.2', hostPort: 1234, port: 8080, protocol: 'tcp', from: '10.0.0.0/16', netns: c1.name });
        assert.equal(await exchange(client, '10.0.0.1', 1234), 'c1:ping');
        assert.equal(await exchange(c2, '198.18.0.2', 8080), 'c1:ping');
        const hairpin = await net.publish({ endpoint: e1, hostPort: 2345, port: 8080 });
        assert.equal(await exchange(c2, '198.18.0.1', 2345), 'c1:ping');
        // An agent that restarts carries on: the same network read back from the kernel.
        const again = await BridgeNetwork.open('docker1', { netns: host });
        assert.equal(again.subnet, '198.18.0.0/24');
        assert.deepEqual((await again.endpoints()).map((e) => [e.ifname, e.address]).sort(), [['eth0', '198.18.0.2'], ['eth0', '198.18.0.3']]);
        assert.deepEqual((await again.ports()).map((m) => m.hostPort).sort(), [1234, 2345]);
        await using c3 = await Netns.create();
        assert.equal((await again.attach(c3)).address, '198.18.0.4');
        await again.unpublish(mapping);
        await assert.rejects(exchange(client, '10.0.0.1', 1234), /ECONNREFUSED|ETIMEDOUT/);
        await net.unpublish(hairpin);
        await net.detach(c2);
        assert.equal((await ipJson(c2.name, ['link', 'show'])).length, 1);
        await net.delete();
        // The bridge and every endpoint link went in one request (their link group).
        assert.deepEqual((await ipJson(host.name, ['link', 'show'])).map((l) => l.ifname), ['lo', 'to-client']);
        assert.ok(!(await sh('ip', ['netns', 'exec', host.name!, 'nft', 'list', 'tables'])).includes('nln-docker1'));
      } finally {
        s1.close();
      }
    });
  });

  it('published ports are found through a map (one lookup however many), as nft lists them; duplicates refused', async () => {
    await withNamespaces(2, async (host, c1) => {
      const net = await BridgeNetwork.create({ netns: host, bridge: 'br0', subnet: '198.18.0.0/24' });
      const e1 = await net.attach(c1);
      for (let i = 0; i < 300; i++) await net.publish({ endpoint: e1, hostPort: 20000 + i, port: 80 });
      const limited = await net.publish({ endpoint: e1, hostPort: 20000, port: 81, from: '10.0.0.0/16' });
      const nft = JSON.parse(await sh('ip', ['netns', 'exec', host.name!, 'nft', '-j', 'list', 'table', 'ip', 'nln-br0'])).nftables;
      const rules = nft.filter((o: any) => o.rule);
      // The publish chain stays two rules (tcp and udp vmaps); each port has a chain of its own.
      assert.equal(rules.filter((o: any) => o.rule.chain === 'publish').length, 2);
      const tcpMap = nft.find((o: any) => o.map?.name === 'publish-tcp').map;
      assert.equal(tcpMap.elem.length, 300);
      assert.deepEqual(tcpMap.elem[0][1], { jump: { target: `p-tcp-${tcpMap.elem[0][0]}` } });
      assert.equal(rules.filter((o: any) => o.rule.chain === 'p-tcp-20000').length, 2);
      const text = await sh('ip', ['netns', 'exec', host.name!, 'nft', 'list', 'chain', 'ip', 'nln-br0', 'publish']);
      assert.match(text, /tcp dport vmap @publish-tcp/);
      await assert.rejects(net.publish({ endpoint: e1, hostPort: 20001, port: 8080 }), { code: 'EEXIST' });
      assert.equal((await net.ports()).length, 301);
      // Unpublishing one of a port's two mappings keeps the port's chain; the last removes it.
      await net.unpublish(limited);
      await net.unpublish({ address: e1.address, hostPort: 20000, port: 80, protocol: 'tcp' });
      assert.ok(!(await host.nft.listChains({ family: 'ip', table: 'nln-br0' })).some((c) => c.name === 'p-tcp-20000'));
      await assert.rejects(net.unpublish({ address: e1.address, hostPort: 20000, port: 80, protocol: 'tcp' }), { code: 'ENOENT' });
      assert.equal((await net.ports()).length, 299);
      await net.delete();
    });
  });

  it('1,000 concurrent attach calls on one network all succeed with distinct addresses', async () => {
    await withNamespaces(1, async (host) => {
      const net = await BridgeNetwork.create({ netns: host, bridge: 'br0', subnet: '198.18.0.0/22' });
      const containers = await Promise.all(Array.from({ length: 1000 }, () => Netns.create()));
      await withCleanup(async () => {
        const endpoints = await Promise.all(containers.map((c) => net.attach(c)));
        assert.equal(new Set(endpoints.map((e) => e.address)).size, 1000);
        assert.equal((await host.links.list({ master: 'br0' })).length, 1000);
        await net.delete();
        assert.deepEqual((await host.links.list()).map((l) => l.name), ['lo']);
      }, () => Promise.all(containers.map((c) => c.close())));
    });
  });

  it('iptables firewall: the same network in iptables-nft form, readable by iptables-nft -S', async () => {
    await withNamespaces(3, async (host, c1, client) => {
      const net = await BridgeNetwork.create({ netns: host, bridge: 'docker1', subnet: '198.18.0.0/24', firewall: 'iptables' });
      const e1 = await net.attach(c1);
      await wireClient(client, host);
      const s1 = await c1.listen({ port: 8080 }, (s) => s.on('data', (d) => s.end(`c1:${d}`)));
      try {
        const mapping = await net.publish({ endpoint: e1, hostPort: 1234, port: 8080, from: '10.0.0.0/16' });
        assert.equal(await exchange(client, '10.0.0.1', 1234), 'c1:ping');
        const nat = (await sh('ip', ['netns', 'exec', host.name!, 'iptables-nft', '-t', 'nat', '-S'])).trim().split('\n');
        assert.ok(nat.includes('-A PREROUTING -m addrtype --dst-type LOCAL -j NLN-docker1'));
        assert.ok(nat.includes('-A POSTROUTING -s 198.18.0.0/24 ! -o docker1 -j MASQUERADE'));
        assert.ok(nat.some((l) => l.startsWith('-A NLN-docker1 -s 10.0.0.0/16 -p tcp -m tcp --dport 1234 -m comment --comment "nln address=198.18.0.2') && l.endsWith('-j DNAT --to-destination 198.18.0.2:8080')));
        const again = await BridgeNetwork.open('docker1', { netns: host });
        assert.equal(again.firewall.kind, 'iptables');
        assert.deepEqual(await again.ports(), [mapping]);
        await again.unpublish(mapping);
        await assert.rejects(exchange(client, '10.0.0.1', 1234), /ECONNREFUSED|ETIMEDOUT/);
        await net.delete();
        const after = (await sh('ip', ['netns', 'exec', host.name!, 'iptables-nft', '-t', 'nat', '-S'])).trim().split('\n');
        assert.deepEqual(after.filter((l) => !l.startsWith('-P')), []);
      } finally {
        s1.close();
      }
    });
  });

  it('networks are isolated from each other unless told otherwise', async () => {
    await withNamespaces(5, async (host, a, b, c, d) => {
      const netA = await BridgeNetwork.create({ netns: host, bridge: 'brA', subnet: '198.18.1.0/24' });
      const netB = await BridgeNetwork.create({ netns: host, bridge: 'brB', subnet: '198.18.2.0/24' });
      const netC = await BridgeNetwork.create({ netns: host, bridge: 'brC', subnet: '198.18.3.0/24', isolated: false });
      await netA.attach(a);
      const eb = await netB.attach(b);
      await netC.attach(c);
      const ea2 = await netA.attach(d);
      const servers = await Promise.all([b.listen({ port: 8080 }, (s) => s.on('data', (x) => s.end(`b:${x}`))), d.listen({ port: 8080 }, (s) => s.on('data', (x) => s.end(`d:${x}`)))]);
      try {
        await assert.rejects(exchange(a, eb.address, 8080), /ETIMEDOUT/);   // A -> B: isolated
        assert.equal(await exchange(a, ea2.address, 8080), 'd:ping');     // inside A: fine
        assert.equal(await exchange(c, eb.address, 8080), 'b:ping');      // C was made with isolated: false
        const rules = await host.nft.listRules({ family: 'ip', table: 'nln-isolation' });
        assert.deepEqual(rules.map((r) => r.text), ['iifname @bridges oifname @bridges iifname . oifname != @same drop']);
        await netB.delete();
        assert.deepEqual((await host.nft.listElements({ family: 'ip', table: 'nln-isolation', name: 'bridges' })).map((e) => String(e).trim()), ['brA']);
      } finally {
        for (const s of servers) s.close();
      }
    });
  });

  it('bad input is refused before anything is made', async () => {
    await withNamespaces(1, async (host) => {
      await assert.rejects(BridgeNetwork.create({ netns: host, bridge: 'br0', subnet: '198.18.0.1/24' }), /^RangeError: subnet: .* has host bits set/);
      await assert.rejects(BridgeNetwork.create({ netns: host, bridge: 'br0', subnet: '198.18.0.0/24', gateway: '198.19.0.1' }), /gateway: "198\.19\.0\.1" is not in/);
      await assert.rejects(BridgeNetwork.create({ netns: host, bridge: 'this-name-is-too-long', subnet: '198.18.0.0/24' }), /^RangeError: bridge:/);
      assert.deepEqual((await ipJson(host.name, ['link', 'show'])).map((l) => l.ifname), ['lo']);
    });
  });
});
