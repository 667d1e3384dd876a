// Calls that used to wait forever, or hold up every other call, now answer.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NLM_F, RTM } from '../../src/constants';
import { NetlinkError, Netns } from '../../src/index';
import { NETLINK_ROUTE } from '../../src/native';
import { withNamespaces } from '../helpers';

/** Rejects if p has not settled within ms: a hang fails the test instead of stalling the run. */
function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
}

describe('no call waits forever', () => {
  it('a request ends at its NLMSG_DONE if the kernel dumps, at its ACK if not', async () => {
    await withNamespaces(1, async (ns) => {
      // A dump ends at its NLMSG_DONE (the kernel sends no ACK for a dump it started).
      const dumped = await within(5000, ns.request(NETLINK_ROUTE, { type: RTM.GETLINK, flags: NLM_F.REQUEST | NLM_F.DUMP, header: {}, attrs: {} }, 'link.list'), 'an undeclared dump');
      assert.deepEqual(dumped.map((m) => m.attrs?.ifname), ['lo']);
      // Without NLM_F_DUMP: the kernel answers the one link, then the ACK ends it.
      const one = await within(5000, ns.request(NETLINK_ROUTE, { type: RTM.GETLINK, flags: NLM_F.REQUEST, header: { index: 1 }, attrs: {} }, 'link.get'), 'a get called a dump');
      assert.deepEqual(one.map((m) => m.attrs?.ifname), ['lo']);
    });
  });

  it('a TCP connect waiting on a silent peer holds up no other call', async () => {
    await withNamespaces(2, async (client, sink) => {
      // The client reaches 198.18.9.0/24 through a veth whose far end drops everything: a SYN gets
      // no answer, so the connect waits for its timeout.
      await client.links.add({ kind: 'veth', name: 'eth0', up: true, peer: { name: 'eth0', netns: sink, up: true } });
      await client.addresses.add('eth0', '198.18.9.1/24', { noDad: true });
      await sink.addresses.add('eth0', '198.18.9.2/24', { noDad: true });
      await sink.nft.apply('add table ip t; add chain ip t in { type filter hook input priority 0; policy drop; }');
      const connecting = client.connect({ host: '198.18.9.2', port: 9, timeout: 3000 });
      const settled = connecting.then(() => 'connected', (e: unknown) => (e instanceof NetlinkError ? e.code : String(e)));
      // Meanwhile, work on the addon's task thread (namespaces, sysctls) goes on.
      const made = await within(2000, Netns.create(), 'Netns.create while a connect waits');
      await within(2000, made.sysctl.get('net.ipv4.ip_forward'), 'a sysctl while a connect waits');
      await made.close();
      assert.equal(await settled, 'ETIMEDOUT');
    });
  });
});
