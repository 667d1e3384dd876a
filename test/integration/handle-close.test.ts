// A handle closed while calls that use it are still queued: each call works in that namespace or is
// refused, and settles promptly — never lands in a namespace opened after the close (which may get
// the same fd number), never hangs.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NetlinkError, Netns } from '../../src/index';
import { ipJson, sh, withNamespaces } from '../helpers';

describe('closing a handle with calls in flight', () => {
  it('sysctl, link (here and by IFLA_NET_NS_FD), tun and exec calls never reach the namespace opened after the close', async () => {
    await withNamespaces(3, async (a, b, c) => {
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i++) {
        const onA = await Netns.open(a.name!);
        const settled = Promise.allSettled([
          onA.sysctl.set('net.ipv4.ip_forward', 1),
          onA.links.add({ kind: 'bridge', name: `x${i}` }),
          c.links.add({ kind: 'bridge', name: `y${i}`, netns: onA }), // made in A through its fd
          onA.links.add({ kind: 'tap', name: `t${i}` }),
          onA.exec('true'),
        ]);
        const closed = onA.close();
        const onB = await Netns.open(b.name!); // the fd number just given back, most likely
        const started = Date.now();
        for (const r of await settled) {
          if (r.status === 'fulfilled') outcomes.push('done');
          else if (r.reason instanceof NetlinkError && r.reason.code === 'EBADF') outcomes.push('refused');
          else throw r.reason;
        }
        assert.ok(Date.now() - started < 1000, 'every call settled within a second of the close');
        await closed;
        await onB.close();
      }
      // B never saw any of it: no link but lo, forwarding as it was.
      assert.deepEqual((await ipJson(b.name, ['link', 'show'])).map((l) => l.ifname), ['lo']);
      assert.equal((await sh('ip', ['netns', 'exec', b.name!, 'sysctl', '-n', 'net.ipv4.ip_forward'])).trim(), '0');
      assert.ok(outcomes.length === 40 * 5);
    });
  });
});
