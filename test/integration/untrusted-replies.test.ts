// What reaches the addon's sockets is not trusted: only the kernel answers requests (any process with
// CAP_NET_ADMIN in a namespace can send datagrams to our port), and what we send is never cut to fit.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { NetlinkError } from '../../src/index';
import { sh, withNamespaces } from '../helpers';

/** Port ids of this process's rtnetlink sockets in namespace `name` (/proc/net/netlink read there). */
async function ourRtnetlinkPorts(name: string): Promise<number[]> {
  const inodes = new Set(fs.readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd}`));
      return m ? [m[1]] : [];
    } catch {
      return []; // closed meanwhile
    }
  }));
  const table = await sh('ip', ['netns', 'exec', name, 'cat', '/proc/net/netlink']);
  // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
  return table.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1] === '0' && inodes.has(f[9])).map((f) => Number(f[2]));
}

/**
 * From a socket of another process in the namespace: NLMSG_ERROR answers claiming to come from the
 * kernel (nlmsg_pid = the port), EPERM for every sequence number from 1 to 4000.
 */
async function forgeRefusals(name: string, port: number): Promise<void> {
  const py = `
import socket, struct
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.bind((0, 0))
port = ${port}
for start in range(1, 4001, 500):
    data = b''.join(struct.pack('=IHHII', 36, 2, 0x100, seq, port) + struct.pack('=i', -1) + struct.pack('=IHHII', 16, 16, 5, seq, port)
                    for seq in range(start, start + 500))
    s.sendto(data, (port, 0))
`;
  await sh('ip', ['netns', 'exec', name, 'python3', '-c', py]);
}

describe('untrusted replies and oversize requests', () => {
  it('answers forged by another socket to our port are ignored: requests still get the kernel\'s', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.links.list(); // the namespace's rtnetlink socket exists now
      const ports = await ourRtnetlinkPorts(ns.name!);
      assert.ok(ports.length >= 1, 'found the addon\'s rtnetlink socket in the namespace');
      for (const port of ports) await forgeRefusals(ns.name!, port);
      for (let i = 0; i < 20; i++) await ns.links.add({ kind: 'bridge', name: `b${i}` });
      assert.equal((await ns.links.list()).filter((l) => l.kind === 'bridge').length, 20);
    });
  });

  it('an attribute longer than netlink can say is refused before sending (RangeError), never cut', async () => {
    await withNamespaces(1, async (ns) => {
      await assert.rejects(ns.links.set('lo', { alias: 'a'.repeat(70_000) }), (e: unknown) => e instanceof RangeError && /alias|65,535/.test((e as Error).message));
      await assert.rejects(ns.links.add({ kind: 'bridge', name: 'b0', broadcast: 'f'.repeat(65_540) }), (e: unknown) => e instanceof RangeError || e instanceof TypeError);
      // Nothing was sent: the link does not exist, and lo kept no alias.
      await assert.rejects(ns.links.get('b0'), (e: unknown) => e instanceof NetlinkError && e.code === 'ENODEV');
      assert.equal((await ns.links.get('lo')).alias, undefined);
    });
  });
});
