// Kernel refusals provoked for real, each a NetlinkError with its errno, code and operation (and
// the link and namespace when it is about one), and ip refused the same request with the same errno.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { NetlinkError, type Netns } from '../../src/index';
import { ipJson, withNamespaces } from '../helpers';

const run = promisify(execFile);

/** What ip prints for each errno: the kernel's strerror, or for a missing link its own lookup's words. */
const IP_SAYS: Record<number, RegExp> = { 3: /No such process/, 17: /File exists/, 95: /Operation not supported/, 19: /Cannot find device "nope"|Device "nope" does not exist/, 99: /Cannot assign requested address/ };

/** ip's stderr for a command it must refuse. */
async function ipRefusal(ns: Netns, args: string[]): Promise<string> {
  return run('ip', ['-n', ns.name!, ...args]).then(() => { throw new Error(`ip ${args.join(' ')} succeeded`); }, (e: { stderr: string }) => e.stderr);
}

interface Expected { code: string; errno: number; operation: string; link?: string | number; netns?: boolean; ip?: string[]; kernelMessage?: string }

async function assertRefusal(ns: Netns, call: Promise<unknown>, x: Expected): Promise<void> {
  const e = await call.then(() => undefined, (err: unknown) => err);
  const where = `${x.operation} ${x.code}`;
  assert.ok(e instanceof NetlinkError, `${where}: got ${String(e)}`);
  assert.deepEqual([e.code, e.errno, e.operation], [x.code, x.errno, x.operation], where);
  assert.equal(e.link, x.link, `${where}: link`);
  assert.equal(e.netns, x.netns ? ns.name : undefined, `${where}: netns`);
  if (x.link !== undefined) assert.ok(e.message.includes(`link ${JSON.stringify(x.link)} in namespace ${JSON.stringify(ns.name)}`), e.message);
  if (x.kernelMessage !== undefined) assert.equal(e.kernelMessage, x.kernelMessage, where);
  if (x.ip) {
    const stderr = await ipRefusal(ns, x.ip);
    assert.ok(IP_SAYS[x.errno].test(stderr) || (e.kernelMessage !== undefined && stderr.includes(e.kernelMessage)), `ip ${x.ip.join(' ')}: ${stderr}`);
  }
}

describe('errors: the kernel\'s refusals as NetlinkError', () => {
  it('EEXIST, EADDRNOTAVAIL, ESRCH and ENODEV, each provoked for real, as ip gets them', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.links.add({ kind: 'veth', name: 'e0', up: true, peer: { name: 'e1', up: true } });
      await ns.addresses.add('e0', '198.18.0.1/24');
      await ns.routes.add({ dst: '198.18.5.0/24', gateway: '198.18.0.2' });
      // EEXIST: a link, an address, a route that exist.
      await assertRefusal(ns, ns.links.add({ kind: 'bridge', name: 'e0' }), { code: 'EEXIST', errno: 17, operation: 'link.add', link: 'e0', netns: true, ip: ['link', 'add', 'e0', 'type', 'bridge'] });
      await assertRefusal(ns, ns.addresses.add('e0', '198.18.0.1/24'), { code: 'EEXIST', errno: 17, operation: 'address.add', kernelMessage: 'ipv4: Address already assigned', ip: ['addr', 'add', '198.18.0.1/24', 'dev', 'e0'] });
      await assertRefusal(ns, ns.routes.add({ dst: '198.18.5.0/24', gateway: '198.18.0.2' }), { code: 'EEXIST', errno: 17, operation: 'route.add', ip: ['route', 'add', '198.18.5.0/24', 'via', '198.18.0.2'] });
      // EADDRNOTAVAIL: deleting an address the link does not have; listening on one the namespace lacks.
      await assertRefusal(ns, ns.addresses.delete('e0', '198.18.0.9/24'), { code: 'EADDRNOTAVAIL', errno: 99, operation: 'address.delete', kernelMessage: 'ipv4: Address not found', ip: ['addr', 'del', '198.18.0.9/24', 'dev', 'e0'] });
      await assertRefusal(ns, ns.listen({ port: 80, host: '198.18.9.9' }), { code: 'EADDRNOTAVAIL', errno: 99, operation: 'netns.listen' });
      // ESRCH: deleting a route that is not there.
      await assertRefusal(ns, ns.routes.delete({ dst: '198.18.7.0/24' }), { code: 'ESRCH', errno: 3, operation: 'route.delete', ip: ['route', 'del', '198.18.7.0/24'] });
      await assertRefusal(ns, ns.routes.delete({ dst: '198.18.5.0/24', gateway: '198.18.0.3' }), { code: 'ESRCH', errno: 3, operation: 'route.delete', ip: ['route', 'del', '198.18.5.0/24', 'via', '198.18.0.3'] });
      // ENODEV: a link that is not there, by name (looked up) and by ifindex (the kernel's answer).
      await assertRefusal(ns, ns.links.get('nope'), { code: 'ENODEV', errno: 19, operation: 'link.get', link: 'nope', netns: true, ip: ['link', 'show', 'nope'] });
      await assertRefusal(ns, ns.links.set('nope', { up: true }), { code: 'ENODEV', errno: 19, operation: 'link.set', link: 'nope', netns: true, ip: ['link', 'set', 'nope', 'up'] });
      await assertRefusal(ns, ns.links.delete(9999), { code: 'ENODEV', errno: 19, operation: 'link.delete', link: 9999, netns: true, ip: ['link', 'del', 'dev', 'nope'] });
      await assertRefusal(ns, ns.addresses.add('nope', '198.18.1.1/24'), { code: 'ENODEV', errno: 19, operation: 'address.add', link: 'nope', netns: true, ip: ['addr', 'add', '198.18.1.1/24', 'dev', 'nope'] });
      await assertRefusal(ns, ns.routes.add({ dst: '198.18.8.0/24', dev: 'nope' }), { code: 'ENODEV', errno: 19, operation: 'route.add', link: 'nope', netns: true, ip: ['route', 'add', '198.18.8.0/24', 'dev', 'nope'] });
      // Nothing changed: the link, the address and the route as they were.
      assert.deepEqual((await ns.links.list()).map((l) => l.name), ['lo', 'e1', 'e0']);
      assert.deepEqual((await ns.addresses.list({ family: 4 })).map((a) => `${a.address}/${a.prefixLength}`), ['198.18.0.1/24']);
      assert.deepEqual((await ns.routes.list({ family: 4 })).map((r) => r.dst), ['198.18.0.0/24', '198.18.5.0/24']);
    });
  });
  it('a master the kernel refuses (a link that takes no ports, an ifindex that is none): named in the error, nothing left', async () => {
    await withNamespaces(1, async (ns) => {
      // A veth joins its master in a request after its creation (links.add), a bridge in the creating one.
      await assertRefusal(ns, ns.links.add({ kind: 'veth', name: 'v0', master: 'lo', peer: { name: 'v1' } }),
        { code: 'EOPNOTSUPP', errno: 95, operation: 'link.add', link: 'v0', netns: true, ip: ['link', 'add', 'v0', 'master', 'lo', 'type', 'veth', 'peer', 'name', 'v1'] });
      await assertRefusal(ns, ns.links.add({ kind: 'bridge', name: 'b0', master: 'lo' }),
        { code: 'EOPNOTSUPP', errno: 95, operation: 'link.add', link: 'b0', netns: true, ip: ['link', 'add', 'b0', 'master', 'lo', 'type', 'bridge'] });
      await assertRefusal(ns, ns.links.add({ kind: 'veth', name: 'v0', master: 9999, peer: { name: 'v1' } }), { code: 'EINVAL', errno: 22, operation: 'link.add', link: 'v0', netns: true });
      const e = await ns.links.add({ kind: 'bridge', name: 'b0', master: 'lo' }).catch((err: unknown) => err);
      assert.match(String(e), /master "lo": refused as this link's master/);
      assert.doesNotMatch(String(e), /has no "bridge" link kind/);
      assert.deepEqual((await ns.links.list()).map((l) => l.name), ['lo']);
    });
  });
  it('a creation refused EEXIST changes nothing of the link that was there (its master, its alias)', async () => {
    await withNamespaces(1, async (ns) => {
      await ns.links.add({ kind: 'bridge', name: 'br0' });
      await ns.links.add({ kind: 'veth', name: 'v0', alias: 'theirs', peer: { name: 'v1' } });
      // The join, the alias and the read-back name the link: they must not reach the one that exists.
      await assertRefusal(ns, ns.links.add({ kind: 'veth', name: 'v0', master: 'br0', alias: 'mine', peer: { name: 'v2' } }),
        { code: 'EEXIST', errno: 17, operation: 'link.add', link: 'v0', netns: true });
      await assertRefusal(ns, ns.links.add({ kind: 'bridge', name: 'v0', alias: 'mine' }), { code: 'EEXIST', errno: 17, operation: 'link.add', link: 'v0', netns: true });
      const [v0] = await ipJson(ns.name, ['-d', 'link', 'show', 'v0']);
      assert.equal(v0.master, undefined, 'the existing link joined no bridge');
      assert.equal(v0.ifalias, 'theirs', 'its alias is its own');
      assert.deepEqual((await ns.links.list()).map((l) => l.name).sort(), ['br0', 'lo', 'v0', 'v1']);
    });
  });
});
