// Requests as they leave the process: the library's process and iproute2's, both traced with
// strace, compared byte for byte. Nothing here reaches into the codec, so these hold whatever
// makes the bytes (the native codec today, its replacement tomorrow).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipJson, withNamespaces } from '../helpers';
import { captureLibraryNetlink, captureNetlink } from '../link-oracle';

const RTM_NEWLINK = 16;
/** The RTM_NEWLINK messages among a process's requests (creations and changes), as hex. */
const newlinks = (messages: Buffer[]) => messages.filter((m) => m.readUInt16LE(4) === RTM_NEWLINK).map((m) => m.toString('hex'));

/** [what the library is asked, the same as an ip command]. */
const REQUESTS: Array<[string, string[]]> = [
  ["ns.links.add({ kind: 'bridge', name: 'br0' })", ['link', 'add', 'br0', 'type', 'bridge']],
  ["ns.links.add({ kind: 'veth', name: 'v0', mtu: 1400, peer: { name: 'v1', mac: '02:00:00:00:00:09' } })",
    ['link', 'add', 'v0', 'mtu', '1400', 'type', 'veth', 'peer', 'name', 'v1', 'address', '02:00:00:00:00:09']],
  // ifinfomsg flags/change and IFLA_MASTER. ip finds the link's ifindex first and addresses it by
  // that: so does the library when given the ifindex (given a name, it sends IFLA_IFNAME instead).
  ["ns.links.set(v0, { up: true, master: 'br0' })", ['link', 'set', 'v0', 'up', 'master', 'br0']],
  // ip writes attributes in argument order: these are in the library's order. (An alias differs on
  // the wire: ip leaves out the string's NUL, the library sends it; the kernel takes both.)
  ["ns.links.set(v0, { up: false, master: null, mtu: 1300, txqueuelen: 7 })",
    ['link', 'set', 'v0', 'down', 'mtu', '1300', 'txqueuelen', '7', 'nomaster']],
];

describe('requests on the wire, byte for byte as iproute2 6.1 sends them (both processes traced)', () => {
  it('link add (bridge; veth with mtu and the peer\'s mac) and link set (up/down, master/nomaster, mtu, txqueuelen)', async () => {
    await withNamespaces(2, async (mine, theirs) => {
      // The library's requests, one traced process making them in order in `mine`.
      const { messages, result } = await captureLibraryNetlink(`
        const ns = await lib.Netns.open(${JSON.stringify(mine.name)});
        let v0;
        ${REQUESTS.map(([call]) => `await ${call};`).join('\n').replace("await ns.links.set(v0", "v0 = (await ns.links.get('v0')).index;\nawait ns.links.set(v0")}
        await ns.close();`);
      assert.equal(result, null, JSON.stringify(result));
      const ours = newlinks(messages);
      // ip, one command each in `theirs`: the same state at each step, so the same ifindexes.
      const ip: string[] = [];
      for (const [, args] of REQUESTS) ip.push(...newlinks((await captureNetlink(['ip', '-n', theirs.name!, ...args])).messages));
      assert.equal(ours.length, REQUESTS.length, 'one RTM_NEWLINK per call');
      assert.equal(ip.length, REQUESTS.length, 'one RTM_NEWLINK per ip command');
      for (const [i, [call]] of REQUESTS.entries()) assert.equal(ours[i], ip[i], call);
      // Both namespaces ended the same.
      const state = async (ns: string) => (await ipJson(ns, ['link', 'show'])).map((l) => [l.ifindex, l.ifname, l.mtu, l.master, l.ifalias, l.txqlen, l.flags]);
      assert.deepEqual(await state(mine.name!), await state(theirs.name!));
    });
  });
});

describe('a namespace id asked for (ns.nsidOf), as `ip netns list` asks for each name', () => {
  it('RTM_GETNSID with NETNSA_FD: the same bytes but the fd and NLM_F_ACK; the same answer ip prints', async () => {
    await withNamespaces(2, async (mine, theirs) => {
      await mine.links.add({ kind: 'veth', name: 'v0', peer: { name: 'v1', netns: theirs } });
      const { messages, result } = await captureLibraryNetlink(`
        const ns = await lib.Netns.open(${JSON.stringify(mine.name)});
        const id = await ns.nsidOf(${JSON.stringify(theirs.name)});
        await ns.close();
        return id;`);
      const RTM_GETNSID = 90;
      // NETNSA_FD's value, the last 4 bytes, is each process's own fd number; and the library asks
      // every request for an ACK (the end of its answer), ip not this one.
      const withoutFd = (ms: Buffer[]) => ms.filter((m) => m.readUInt16LE(4) === RTM_GETNSID).map((m) => {
        const b = Buffer.from(m.subarray(0, m.length - 4));
        b.writeUInt16LE(b.readUInt16LE(6) & ~0x4, 6);
        return b.toString('hex');
      });
      const ip = await captureNetlink(['ip', '-n', mine.name!, 'netns', 'list']);
      assert.equal(withoutFd(messages).length, 1);
      assert.ok(withoutFd(ip.messages).length >= 2, 'ip asks once per name');
      assert.equal(withoutFd(messages)[0], withoutFd(ip.messages)[0]);
      const listed = ip.stdout.split('\n').find((l) => l.startsWith(`${theirs.name} `));
      assert.equal(listed, `${theirs.name} (id: ${result})`);
      assert.equal(await theirs.nsidOf(mine), undefined, 'asking assigns no id');
    });
  });
});
