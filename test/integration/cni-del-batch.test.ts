// Concurrent DELs in one node namespace (issue 17): runCni in-process, as the daemon serves them
// side by side. Their host veths go together, by one delete of a fresh link group (seen in
// `ip monitor`: links deleted while carrying a group of the high range, which ip prints signed), every pod's veth goes, and
// links the plugin did not make (one in another group, one in group 0) stay as they were.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import type { Netns } from '../../src/index';
import { runCni } from '../../src/cni/run';
import { ipJson, waitFor, withCleanup } from '../helpers';
import { withCniNamespaces, withTempDir } from '../cni-helpers';

const PODS = 16;
const conf = (dataDir: string) => JSON.stringify({
  cniVersion: '1.1.0', name: 'nlnt-cni-delbatch', type: 'nln-bridge', bridge: 'nlncni9', isGateway: true, ipMasq: true,
  ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.47.0/24' }]], dataDir },
});
const env = (command: string, node: Netns, c: Netns, id: string) => ({
  CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_IFNAME: 'eth0', CNI_NETNS: `/run/netns/${c.name}`, NLN_CNI_NODE_NETNS: `/run/netns/${node.name}`,
});
const veths = async (node: Netns) => (await ipJson(node.name, ['link', 'show', 'type', 'veth'])).map((l: any) => l.ifname as string);

test('concurrent DELs delete every pod\'s veth by one group delete, leave foreign links alone, and repeat fine', async () => {
  await withCniNamespaces(PODS + 1, async (node, ...pods) => withTempDir(async (dir) => {
    for (const [i, c] of pods.entries()) {
      const r = await runCni({ env: env('ADD', node, c, `pod${i}`), stdin: conf(dir) });
      assert.equal(r.exitCode, 0, r.stdout);
    }
    assert.equal((await veths(node)).length, PODS);
    await node.links.add({ kind: 'bridge', name: 'nlntgrp77', group: 77 });
    await node.links.add({ kind: 'bridge', name: 'nlntgrp0' });

    const monitor = spawn('ip', ['-n', node.name!, '-o', 'monitor', 'link']);
    let seen = '';
    monitor.stdout.on('data', (d) => { seen += d; });
    await withCleanup(async () => {
      // The monitor is listening once it reports a change made after it started.
      let up = false;
      await waitFor('ip monitor running', async () => {
        await node.links.set('nlntgrp0', { up: (up = !up) });
        return seen.includes('nlntgrp0');
      });

      // The requests the plugin sends, counted on the Links prototype (runCni runs in this process).
      const links = Object.getPrototypeOf(node.links) as { deletion(target: unknown, watch?: boolean): Promise<unknown> };
      const { deletion } = links;
      const sent = { byName: 0, byGroup: 0 };
      links.deletion = function (this: unknown, target, watch) {
        if (typeof target === 'object') sent.byGroup++;
        else sent.byName++;
        return deletion.call(this, target, watch);
      };
      const dels = await Promise.all(pods.map((c, i) => runCni({ env: env('DEL', node, c, `pod${i}`), stdin: conf(dir) })))
        .finally(() => Object.assign(links, { deletion }));
      for (const r of dels) assert.equal(r.exitCode, 0, r.stdout);
      assert.ok(sent.byGroup >= 1 && sent.byName + 2 <= PODS, `some veths deleted by group, not by name: ${JSON.stringify(sent)}`);
      assert.deepEqual(await veths(node), [], 'every pod\'s veth is gone');
      const groupDeleted = () => seen.split('\n').filter((l) => /^Deleted /.test(l) && (Number(/ group (-?\d+)/.exec(l)?.[1] ?? 0) >>> 0) >= 0x80000000);
      await waitFor('deletions seen by ip monitor', () => seen.split('\n').filter((l) => /^Deleted /.test(l)).length >= PODS);
      assert.ok(groupDeleted().length >= 2, `veths deleted together by group:\n${seen}`);
      assert.ok(!/^Deleted .*nlntgrp/m.test(seen), 'no foreign link deleted');
    }, () => monitor.kill());

    assert.equal((await node.links.get('nlntgrp77')).group, 77);
    assert.equal((await node.links.get('nlntgrp0')).group, 0);
    const again = await Promise.all(pods.map((c, i) => runCni({ env: env('DEL', node, c, `pod${i}`), stdin: conf(dir) })));
    for (const r of again) assert.equal(r.exitCode, 0, r.stdout);
    assert.equal((await node.links.get('nlntgrp77')).group, 77);
    assert.equal((await node.links.get('nlntgrp0')).group, 0);
  }));
});
