// links.list() of thousands of links (issue 15: 10,000 listed no slower than `ip -j link show`).
// Time on a shared machine is no test; what the list keeps is: each Link alone, in compact forms
// (the replies' decoded attributes die as each Link is made). Before, a listed veth kept ~1 KB of
// JS heap; `ip -j link show` is the oracle for what is listed.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { ipJson, withNamespaces } from '../helpers';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const PAIRS = 2000;

describe('links.list at scale', () => {
  it(`${2 * PAIRS} veths: listed as ip -j lists them, under 640 bytes of JS heap kept per link`, async () => {
    await withNamespaces(1, async (ns) => {
      for (let k = 0; k < PAIRS; k += 250) {
        await Promise.all(Array.from({ length: 250 }, (_, j) => ns.links.add({ kind: 'veth', name: `v${k + j}`, peer: { name: `p${k + j}` } })));
      }
      // The readers made and compiled before the heap is measured; in a frame of its own, so no
      // register of this one still holds that first list when it is.
      await (async () => void await ns.links.list())();
      gc();
      const before = process.memoryUsage().heapUsed;
      const links = await ns.links.list();
      gc();
      const perLink = (process.memoryUsage().heapUsed - before) / links.length;

      const ip = await ipJson(ns.name, ['link', 'show']);
      const names = new Map(links.map((l) => [l.index, l.name]));
      assert.deepEqual(
        links.map((l) => [l.index, l.name, l.mac, l.mtu, l.peerIndex === undefined ? undefined : names.get(l.peerIndex)]),
        ip.map((l) => [l.ifindex, l.ifname, l.address, l.mtu, l.link]), // ip names a veth's peer in the same namespace
      );
      assert.equal(links.length, 2 * PAIRS + 1);
      assert.ok(perLink < 640, `${perLink.toFixed(0)} bytes of JS heap kept per listed link`);
    });
  });
});
