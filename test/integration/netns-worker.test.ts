// A Netns handle and Worker threads: sending the handle itself fails loudly (a structured clone
// would arrive as a dead plain object), sending its name works as docs/api.md says.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Netns } from '../../src/index';
import { ipJson, withCleanup, withNamespaces } from '../helpers';

// The package's built entry point, loaded by the Worker as a user's Worker would load it.
const entry = path.join(__dirname, '..', '..', 'src', 'index.js');

function refusal(send: () => unknown): DOMException {
  try {
    send();
  } catch (err) {
    return err as DOMException;
  }
  throw new Error('the handle was cloned');
}

describe('Netns and Worker threads', () => {
  it('postMessage, workerData and structuredClone of a handle throw a DataCloneError that says to send the name; sending the name works', async () => {
    await withNamespaces(1, async (ns) => {
      const worker = new Worker(`
        const { parentPort } = require('node:worker_threads');
        const { Netns } = require(${JSON.stringify(entry)});
        parentPort.on('message', async (name) => {
          const ns = await Netns.open(name);
          try {
            const link = await ns.links.add({ kind: 'bridge', name: 'from-worker' });
            parentPort.postMessage(link.index);
          } finally {
            await ns.close();
          }
        });`, { eval: true });
      await withCleanup(async () => {
        for (const send of [() => worker.postMessage(ns), () => worker.postMessage({ endpoint: { netns: ns } }), () => structuredClone(ns)]) {
          const e = refusal(send);
          assert.ok(e instanceof DOMException, String(e));
          assert.equal(e.name, 'DataCloneError');
          assert.match(e.message, new RegExp(`send its name \\("${ns.name}"\\) and call Netns\\.open\\(name\\) in the Worker`));
        }
        assert.equal(refusal(() => new Worker('0', { eval: true, workerData: { ns } })).name, 'DataCloneError');
        // The documented way: the name goes, the Worker opens its own handle.
        const index = new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
        worker.postMessage(ns.name);
        assert.equal(await index, (await ipJson(ns.name, ['link', 'show', 'from-worker']))[0].ifindex);
      }, () => worker.terminate());
      // Reading a handle as data still works: JSON names it, console.log shows it.
      assert.deepEqual(JSON.parse(JSON.stringify({ ns })), { ns: { name: ns.name, path: `/run/netns/${ns.name}`, inode: ns.inode } });
    });
    const anonymous = await Netns.create();
    await withCleanup(async () => {
      assert.match(refusal(() => structuredClone(anonymous)).message, /anonymous namespace .* create it with a name/);
    }, () => anonymous.close());
  });
});
