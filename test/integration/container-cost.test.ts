// What one container costs the JS thread: the bench's container (a veth whose peer is born in a
// namespace the call creates, with its address and route; a DNAT rule) is two addon calls, each
// answered once; a chain is handed to the addon in the caller's own turn; a namespace the chain
// made answers with no replies rather than an Error built (stack and all) for a success.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { NLM_F, RTM } from '../../src/constants';
import { NetlinkError } from '../../src/errors';
import { NETLINK_ROUTE, TRANSPORT, Transport } from '../../src/kernel/transport';
import { native } from '../../src/native';
import { deleteLeftNamespaces, ipJson, uniqueName, waitFor, withCleanup, withNamespaces } from '../helpers';

/** Counts the addon's calls made while `fn` runs (chain, and the handle's request and batch). */
async function countingAddonCalls<T>(host: { [TRANSPORT]: Transport }, fn: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
  const calls: string[] = [];
  const handle = await host[TRANSPORT].nativeHandle('test');
  const chain = native.chain;
  native.chain = (steps) => { calls.push('chain'); return chain(steps); };
  for (const m of ['request', 'batch'] as const) {
    const f = handle[m] as (...a: unknown[]) => Promise<unknown>;
    Object.defineProperty(handle, m, { configurable: true, value: (...a: unknown[]) => { calls.push(m); return f.apply(handle, a); } });
  }
  try {
    return { result: await fn(), calls };
  } finally {
    native.chain = chain;
    delete (handle as { request?: unknown }).request;
    delete (handle as { batch?: unknown }).batch;
  }
}

describe('the cost of one container', () => {
  it('a veth born into a new namespace with its address and route, and a DNAT rule: one chain and one batch', async () => {
    await withNamespaces(1, async (host) => {
      const container = uniqueName('c');
      try {
        await host.links.add({ kind: 'bridge', name: 'br0', up: true });
        const bridge = (await host.links.get('br0')).index;
        await host.nft.apply('table ip t { chain pre { type nat hook prerouting priority dstnat; policy accept; } }');
        const { result: link, calls } = await countingAddonCalls(host, () => Promise.all([
          host.links.add({
            kind: 'veth', name: 'h0', master: bridge, up: true, group: 7,
            peer: { name: 'eth0', netns: { create: container }, up: true, addresses: ['198.18.0.2/16'], routes: [{ dst: 'default', gateway: '198.18.0.1' }] },
          }),
          host.nft.transaction((tx) => {
            tx.addRule({ family: 'ip', table: 't', chain: 'pre', match: { protocol: 'tcp', dport: 10000 }, dnat: { address: '198.18.0.2', port: 80 } });
          }),
        ]).then(([l]) => l));
        assert.deepEqual(calls.sort(), ['batch', 'chain']);
        // What the one chain made, as ip sees it.
        assert.equal(link.name, 'h0');
        assert.equal(link.master, bridge);
        const [eth0] = await ipJson(container, ['-d', 'address', 'show', 'eth0']);
        assert.equal(eth0.operstate === 'UP' || eth0.flags.includes('UP'), true);
        assert.deepEqual(eth0.addr_info.filter((a: { family: string }) => a.family === 'inet').map((a: { local: string; prefixlen: number }) => `${a.local}/${a.prefixlen}`), ['198.18.0.2/16']);
        const routes = await ipJson(container, ['route', 'show', 'default']);
        assert.equal(routes[0]?.gateway, '198.18.0.1');
        assert.equal((await host.nft.listRules({ family: 'ip', table: 't', chain: 'pre' })).length, 1);
      } finally {
        await deleteLeftNamespaces([container]);
      }
    });
  });

  it('Transport.chain hands the addon its steps in the caller\'s turn when the handles are open', async () => {
    await withNamespaces(1, async (ns) => {
      const t = ns[TRANSPORT];
      await t.nativeHandle('test');
      const chain = native.chain;
      let calledInTurn = false;
      native.chain = (steps) => { calledInTurn = true; return chain(steps); };
      try {
        const answered = Transport.chain([{ netns: t, protocol: NETLINK_ROUTE, items: [{ message: { type: RTM.GETLINK, flags: NLM_F.REQUEST, header: { index: 0 }, attrs: { ifname: 'lo' } }, operation: 'link.get' }] }]);
        assert.equal(calledInTurn, true, 'the chain waited for a later turn before reaching the addon');
        const [[replies]] = await answered;
        assert.ok(Array.isArray(replies));
        assert.equal(replies[0].attrs?.ifname, 'lo');
      } finally {
        native.chain = chain;
      }
    });
  });

  it('a chain item sent only for its effect (unread) answers no replies, and its refusal is still a NetlinkError', async () => {
    await withNamespaces(1, async (ns) => {
      const t = ns[TRANSPORT];
      const get = (ifname: string, unread?: true) => ({ message: { type: RTM.GETLINK, flags: NLM_F.REQUEST, header: { index: 0 }, attrs: { ifname } }, operation: 'link.get', ...(unread ? { unread } : {}) });
      const [[unread, read]] = await Transport.chain([{ netns: t, protocol: NETLINK_ROUTE, items: [get('lo', true), get('lo')] }]);
      assert.deepEqual(unread, []);
      assert.ok(Array.isArray(read) && read[0].attrs?.ifname === 'lo', 'the same request, read, is decoded');
      const [[refused]] = await Transport.chain([{ netns: t, protocol: NETLINK_ROUTE, items: [get('nln-absent0', true)] }]);
      assert.ok(refused instanceof NetlinkError, 'a refused unread item answers its error');
      assert.equal(refused.code, 'ENODEV');
    });
  });

  it('links.add of the bench\'s veth (namespace, address, route) hands its chain to the addon before it returns', async () => {
    await withNamespaces(1, async (host) => {
      const containers = [uniqueName('c'), uniqueName('c')];
      const chain = native.chain;
      try {
        await host[TRANSPORT].nativeHandle('test');
        const add = (i: number) => host.links.add({
          kind: 'veth', name: `h${i}`, up: true,
          peer: { name: 'eth0', netns: { create: containers[i] }, up: true, addresses: ['198.18.0.2/16'], routes: [{ dst: 'default', gateway: '198.18.0.1' }] },
        });
        await add(0); // the first route of the process reads the route table names: a turn of its own
        let calledInTurn = false;
        native.chain = (steps) => { calledInTurn = true; return chain(steps); };
        const added = add(1);
        // The caller's next work (the bench builds its DNAT rule here) then overlaps the kernel's.
        assert.equal(calledInTurn, true, 'links.add waited for a later turn before its chain reached the addon');
        native.chain = chain;
        const link = await added;
        assert.equal(link.name, 'h1');
        assert.equal(link.kind, 'veth');
        assert.ok(link.stats !== undefined, 'the read-back, decoded by LINK_VIEW, still carries the stats');
        const routes = await ipJson(containers[1], ['route', 'show', 'default']);
        assert.equal(routes[0]?.gateway, '198.18.0.1');
      } finally {
        native.chain = chain;
        await deleteLeftNamespaces(containers);
      }
    });
  });

  it('a veth joining a bridge becomes a port once: not enabled, disabled and enabled again', async () => {
    // Each enabling or disabling of a port walks all the bridge's ports: three of them per veth
    // made a container's cost grow with the bridge. Seen in what ip prints of the link once it is
    // br0's: without carrier until the peer is up, then with it, never back. (It relies on a read
    // of the link settling its state, as this machine's kernel, 6.18, does.)
    await withNamespaces(1, async (host) => {
      const container = uniqueName('c');
      await host.links.add({ kind: 'bridge', name: 'br0', up: true });
      const monitor = spawn('ip', ['-n', host.name!, '-o', 'monitor', 'link']);
      let seen = '';
      monitor.stdout.on('data', (d) => { seen += d; });
      let failed: Error | undefined;
      monitor.on('error', (err) => { failed = err; });
      await withCleanup(async () => {
        let up = false;
        await waitFor('ip monitor running', async () => {
          if (failed) throw failed;
          await host.links.set('br0', { alias: `a${(up = !up) ? 1 : 0}` });
          return seen.includes('br0');
        });
        const link = await host.links.add({
          kind: 'veth', name: 'h0', master: 'br0', up: true,
          peer: { name: 'eth0', netns: { create: container }, up: true, addresses: ['198.18.0.2/16'] },
        });
        assert.equal(link.master, (await host.links.get('br0')).index, 'the read-back shows the master');
        const port = () => seen.split('\n').filter((l) => /^\d+: h0@\S+: .* master br0 /.test(l));
        await waitFor('the port announced with the peer up', () => port().some((l) => l.includes('LOWER_UP')));
        const carrier = port().map((l) => !l.includes('NO-CARRIER'));
        assert.deepEqual(carrier, [...carrier].sort(), `the port lost its carrier after having it:\n${port().join('\n')}`);
        assert.equal((await ipJson(host.name, ['-d', 'link', 'show', 'h0']))[0].linkinfo.info_slave_data.state, 'forwarding');
      }, () => monitor.kill(), () => deleteLeftNamespaces([container]));
    });
  });

  it('a namespace a chain creates answers with no replies, not an Error', async () => {
    const name = uniqueName('made');
    try {
      const answers = await Transport.chain([
        { create: name, operation: 'netns.create' },
        { netns: 'created', protocol: NETLINK_ROUTE, items: [{ message: { type: RTM.GETLINK, flags: NLM_F.REQUEST, header: { index: 0 }, attrs: { ifname: 'lo' } }, operation: 'link.get' }] },
      ]);
      assert.deepEqual(answers[0], [[]]);
      const [lo] = answers[1][0] as Array<{ attrs?: Record<string, unknown> }>;
      assert.equal(lo.attrs?.ifname, 'lo');
      assert.equal((await ipJson(name, ['link', 'show', 'lo'])).length, 1);
    } finally {
      await deleteLeftNamespaces([name]);
    }
  });
});
