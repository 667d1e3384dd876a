// A veth whose peer is born in a namespace the same call creates, refused by the kernel (the host
// end's name is taken): the refusal must come back as an error, undo the namespace, and never take
// the process down. Run in a child process so a crash shows as its signal, not as a lost test run.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runNetnsNames, sh, uniqueName } from '../helpers';

const index = path.resolve(__dirname, '../../src/index.js');

/** Runs `body` (an async function's text, given Netns and the prefix) in a fresh Node process. */
function runChild(prefix: string, body: string): { status: number | null; signal: string | null; out: string } {
  const script = `const { Netns, NetlinkError } = require(${JSON.stringify(index)});
    const prefix = ${JSON.stringify(prefix)};
    (async () => { ${body} })().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, signal: r.signal, out: `${r.stdout}${r.stderr}` };
}

async function removeLeftovers(prefix: string): Promise<string[]> {
  const left = runNetnsNames().filter((n) => n.startsWith(prefix));
  for (const n of left) await sh('ip', ['netns', 'del', n]);
  return left;
}

describe('a refused veth creation into a namespace the call creates', () => {
  it('one at a time: EEXIST, the namespace undone, the existing link untouched, no crash', async () => {
    const prefix = uniqueName('refused');
    try {
      const r = runChild(prefix, `
        const host = await Netns.create(prefix + '-host');
        try {
          await host.links.add({ kind: 'bridge', name: 'v0' });
          for (let i = 0; i < 3; i++) {
            const err = await host.links.add({ kind: 'veth', name: 'v0', peer: { name: 'eth0', netns: { create: prefix + '-c' + i } } }).then(() => undefined, (e) => e);
            if (!(err instanceof NetlinkError) || err.code !== 'EEXIST') throw new Error('expected EEXIST, got ' + err);
          }
          if ((await host.links.get('v0')).kind !== 'bridge') throw new Error('the existing v0 was touched');
          const left = (await Netns.list()).filter((n) => n.startsWith(prefix + '-c'));
          if (left.length) throw new Error('left behind: ' + left);
        } finally { await host.delete(); }`);
      assert.equal(r.signal, null, `the process died with ${r.signal}: ${r.out}`);
      assert.equal(r.status, 0, r.out);
    } finally {
      assert.deepEqual(await removeLeftovers(prefix), []);
    }
  });

  it('an orchestrator reusing host-end names while the kernel tears down the last round: no crash, every refusal EEXIST and undone', async () => {
    const prefix = uniqueName('reuse');
    try {
      const r = runChild(prefix, `
        const host = await Netns.create(prefix + '-host');
        const N = 40;
        const round = () => Promise.allSettled(Array.from({ length: N }, (_, i) => host.links.add({
          kind: 'veth', name: 'h' + i, up: true,
          peer: { name: 'eth0', netns: { create: prefix + '-c' + i }, up: true, addresses: ['198.18.0.' + (i + 2) + '/24'] } })));
        try {
          for (let k = 0; k < 3; k++) {
            const results = await round();
            const bad = results.filter((x) => x.status === 'rejected' && !(x.reason instanceof NetlinkError && x.reason.code === 'EEXIST'));
            if (bad.length) throw bad[0].reason;
            // Deleting a namespace returns before the kernel has torn its veth down: the next round
            // finds some host ends still there.
            await Promise.all(results.map((x, i) => x.status === 'fulfilled' ? Netns.delete(prefix + '-c' + i) : undefined));
            const left = (await Netns.list()).filter((n) => n.startsWith(prefix + '-c'));
            if (left.length) throw new Error('left behind after round ' + k + ': ' + left);
          }
        } finally { await host.delete(); }`);
      assert.equal(r.signal, null, `the process died with ${r.signal}: ${r.out}`);
      assert.equal(r.status, 0, r.out);
    } finally {
      assert.deepEqual(await removeLeftovers(prefix), []);
    }
  });
});
