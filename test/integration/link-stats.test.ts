// Link counters and carrier as `ip -s -j link` prints them: after real traffic, read while the
// links are quiet, every counter ip prints equal; carrier follows the veth peer's state.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Link, Netns } from '../../src/index';
import { exchange, ipJson, quietIpv6, withCleanup, withNamespaces } from '../helpers';

/** ip's stats64 in LinkStats' names (ip -s prints these twelve counters). */
function ipStats(l: any): Record<string, bigint> {
  const { rx, tx } = l.stats64;
  return {
    rxBytes: BigInt(rx.bytes), rxPackets: BigInt(rx.packets), rxErrors: BigInt(rx.errors), rxDropped: BigInt(rx.dropped),
    rxOverErrors: BigInt(rx.over_errors), multicast: BigInt(rx.multicast),
    txBytes: BigInt(tx.bytes), txPackets: BigInt(tx.packets), txErrors: BigInt(tx.errors), txDropped: BigInt(tx.dropped),
    txCarrierErrors: BigInt(tx.carrier_errors), collisions: BigInt(tx.collisions),
  };
}

/**
 * Our links and `ip -s -j link show`'s, read while nothing moves: ip before and after ours must
 * agree (else the read is repeated), so a stray packet between the reads cannot make a difference.
 */
async function quietRead(ns: Netns): Promise<{ ours: Link[]; ip: any[] }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const before = JSON.stringify(await ipJson(ns.name, ['-s', 'link', 'show']));
    const ours = await ns.links.list();
    const ip = await ipJson(ns.name, ['-s', 'link', 'show']);
    if (JSON.stringify(ip) === before) return { ours, ip };
  }
  throw new Error(`the links of ${ns.name} never stood still for two reads`);
}

describe('link statistics and carrier, as ip -s -j link shows them', () => {
  it('after TCP traffic, every counter ip prints is the same, non-zero where traffic went', async () => {
    await withNamespaces(2, async (a, b) => {
      await quietIpv6(a);
      await quietIpv6(b);
      await a.links.add({ kind: 'veth', name: 'e0', up: true, peer: { name: 'e1', netns: b, up: true } });
      await a.addresses.add('e0', '198.18.0.1/24', { noDad: true });
      await b.addresses.add('e1', '198.18.0.2/24', { noDad: true });
      const server = await b.listen({ port: 7000, host: '198.18.0.2' }, (s) => s.on('data', (d) => s.end(`pong:${d}`)));
      await withCleanup(async () => {
        for (let i = 0; i < 5; i++) assert.equal(await exchange(a, '198.18.0.2', 7000), 'pong:ping');
      }, () => server.close());
      for (const ns of [a, b]) {
        const { ours, ip } = await quietRead(ns);
        assert.deepEqual(ours.map((l) => l.name), ip.map((l) => l.ifname));
        for (const l of ip) {
          const mine = ours.find((o) => o.name === l.ifname)!;
          assert.deepEqual(mine.stats, ipStats(l), `${ns.name} ${l.ifname}`);
        }
        const veth = ours.find((l) => l.name !== 'lo')!.stats!;
        // 5 connections each way: handshakes, data, FINs (and ARP), so well over 5 packets each way.
        assert.ok(veth.rxPackets > 5n && veth.txPackets > 5n && veth.rxBytes > 0n && veth.txBytes > 0n, `${ns.name}: ${JSON.stringify(veth, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
      }
    });
  });

  it('carrier: a veth end is up without carrier while its peer is down, with carrier once the peer is up; as ip flags show it', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.links.add({ kind: 'veth', name: 'e0', up: true, peer: { name: 'e1' } });
      const check = async (expected: boolean) => {
        const { ours, ip } = await quietRead(ns);
        for (const l of ip) {
          const mine = ours.find((o) => o.name === l.ifname)!;
          // ip's M-DOWN is derived from the peer's state, not a flag of the link (test/link-oracle.ts).
          assert.deepEqual(mine.flags, l.flags.filter((f: string) => f !== 'M-DOWN'), l.ifname);
          assert.equal(mine.operState, l.operstate, l.ifname);
          // For a link that is up, carrier is what ip shows as LOWER_UP (without it, NO-CARRIER);
          // the kernel reports LOWER_UP only for running links.
          if (l.flags.includes('UP')) assert.equal(mine.carrier, l.flags.includes('LOWER_UP'), l.ifname);
        }
        assert.equal(ours.find((l) => l.name === 'e0')!.carrier, expected);
      };
      await check(false);
      assert.ok((await ipJson(ns.name, ['link', 'show', 'e0']))[0].flags.includes('NO-CARRIER'));
      await ns.links.set('e1', { up: true });
      await check(true);
      await ns.links.set('e1', { up: false });
      await check(false);
    });
  });
});
