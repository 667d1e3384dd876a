// Workers terminated while their requests are in flight: the process that embeds us must carry on
// and exit normally, with every addon thread and fd of the Workers released. Run in a child
// process, so a crash or a hang shows as its signal or its timeout, and the threads and fds
// counted are only the Workers'.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { deleteLeftNamespaces, runNetnsNames, uniqueName, withCleanup } from '../helpers';

const index = path.resolve(__dirname, '../../src/index.js');

describe('Workers terminated mid-request', () => {
  it('20 Workers creating, watching, listing and deleting namespaces, each terminated after 30–80 ms: no crash, the process exits, threads and fds released', async () => {
    const prefix = uniqueName('wterm');
    const script = `
      const { Worker } = require('node:worker_threads');
      const fs = require('node:fs');
      const count = (d) => fs.readdirSync(d).length;
      const fdTargets = () => fs.readdirSync('/proc/self/fd').map((f) => { try { return fs.readlinkSync('/proc/self/fd/' + f); } catch { return ''; } });
      const work = ${JSON.stringify(`
        const { Netns } = require(${JSON.stringify(index)});
        const { workerData } = require('node:worker_threads');
        (async () => {
          for (let i = 0; ; i++) {
            const name = workerData.prefix + '-' + i;
            const ns = await Netns.create(name);
            // A watch too: its reads (on the addon's threads) are cut off with the rest.
            const watching = (async () => { for await (const e of ns.watch({ links: true })) { /* read on */ } })();
            await ns.links.add({ kind: 'bridge', name: 'br0', up: true });
            await Promise.all([ns.links.list(), Netns.list(), ns.addresses.list(), ns.routes.list()]);
            await ns.delete();
            await watching; // ends with the handle
          }
        })();`)};
      (async () => {
        const { Netns } = require(${JSON.stringify(index)});
        await Netns.list(); // the main thread's own addon state exists before the counts
        // What the addon opens: netlink sockets and namespace files (Node itself opens /dev/null
        // once Workers have run, which is not ours to count).
        const ours = () => fdTargets().filter((t) => t.startsWith('socket:') || t.startsWith('net:') || t.startsWith('/run/netns/'));
        const threads0 = count('/proc/self/task'), ours0 = ours();
        const extra = () => ours().filter((t) => !ours0.includes(t));
        for (let round = 0; round < 2; round++) {
          await Promise.all(Array.from({ length: 20 }, (_, w) => new Promise((resolve) => {
            const worker = new Worker(work, { eval: true, workerData: { prefix: ${JSON.stringify(prefix)} + '-' + round + '-' + w } });
            worker.on('error', (e) => { console.error('worker error', e); process.exitCode = 3; });
            setTimeout(() => worker.terminate().then(resolve), 30 + Math.floor(Math.random() * 50));
          })));
        }
        // Addon threads of terminated Workers end on their own, soon after.
        for (let i = 0; i < 100 && (count('/proc/self/task') > threads0 || extra().length > 0); i++) await new Promise((r) => setTimeout(r, 50));
        console.log(JSON.stringify({ threads: count('/proc/self/task') - threads0, extra: extra() }));
      })();`;
    // A Worker terminated between creating a namespace and deleting it leaves it (its name stays
    // until someone deletes it, as with `ip netns add`): removed after.
    await withCleanup(async () => {
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.signal, null, `the process died with ${r.signal} (a timeout means it hung): ${r.stdout}${r.stderr}`);
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
      assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { threads: 0, extra: [] });
    }, () => deleteLeftNamespaces(runNetnsNames().filter((x) => x.startsWith(prefix))));
  });
});
