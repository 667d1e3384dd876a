import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { NetlinkError, Netns } from '../../src/index';
import { ipJson, jsThreadNetns, processInside, runNetnsNames, sh, uniqueName, withCleanup, withNamespaces } from '../helpers';

const startNetns = jsThreadNetns();
after(() => assert.equal(jsThreadNetns(), startNetns, 'the JS thread must never change namespace'));

describe('Netns.create / list / delete, seen by ip netns', () => {
  it('a named namespace is listed and usable by `ip netns`', async () => {
    const name = uniqueName();
    const ns = await Netns.create(name);
    await withCleanup(async () => {
      assert.equal(ns.name, name);
      assert.equal(ns.path, `/run/netns/${name}`);
      assert.equal(ns.inode, fs.statSync(`/run/netns/${name}`).ino);
      assert.ok((await sh('ip', ['netns', 'list'])).split('\n').some((l) => l.split(' ')[0] === name));
      const links = await ipJson(undefined, ['-n', name, 'link', 'show']);
      assert.deepEqual(links.map((l) => l.ifname), ['lo']);
      const viaExec = JSON.parse(await sh('ip', ['netns', 'exec', name, 'ip', '-j', 'link', 'show']));
      assert.deepEqual(viaExec.map((l: any) => l.ifname), ['lo']);
      assert.ok((await Netns.list()).includes(name));
    }, () => ns.delete());
    assert.ok(!runNetnsNames().includes(name));
    assert.ok(!(await Netns.list()).includes(name));
  });

  it('a namespace made by `ip netns add` is listed, opened and read', async () => {
    const name = uniqueName();
    await sh('ip', ['netns', 'add', name]);
    await withCleanup(async () => {
      assert.ok((await Netns.list()).includes(name));
      await using ns = await Netns.open(name);
      assert.equal(ns.inode, fs.statSync(`/run/netns/${name}`).ino);
      const links = await ns.links.list();
      assert.deepEqual(links.map((l) => l.name), ['lo']);
    }, () => Netns.delete(name));
    assert.equal((await sh('ip', ['netns', 'list'])).split('\n').filter((l) => l.startsWith(`${name} `) || l === name).length, 0);
  });

  it('creating an existing name fails with EEXIST and leaves the first intact', async () => {
    await withNamespaces(1, async (ns) => {
      await assert.rejects(Netns.create(ns.name!), (e: unknown) => e instanceof NetlinkError && e.code === 'EEXIST'
        && e.errno === 17 && e.operation === 'netns.create' && e.message.includes(ns.name!));
      assert.deepEqual((await ns.links.list()).map((l) => l.name), ['lo']);
    });
  });

  it('deleting or opening a missing namespace is ENOENT', async () => {
    const name = uniqueName();
    await assert.rejects(Netns.delete(name), (e: unknown) => e instanceof NetlinkError && e.code === 'ENOENT' && e.operation === 'netns.delete');
    await assert.rejects(Netns.open(name), (e: unknown) => e instanceof NetlinkError && e.code === 'ENOENT'
      && e.operation === 'netns.open' && e.message.includes('does not exist'));
  });

  it('an anonymous namespace works while its handle is open and is not listed', async () => {
    const ns = await Netns.create();
    assert.equal(ns.name, undefined);
    // Not listed: no name under /run/netns is this namespace (other tests' names may come and go).
    const listedInodes = (await Netns.list()).map((n) => { try { return fs.statSync(`/run/netns/${n}`).ino; } catch { return undefined; } });
    assert.ok(!listedInodes.includes(ns.inode));
    const br = await ns.links.add({ kind: 'bridge', name: 'br0' });
    assert.equal((await ns.links.get('br0')).index, br.index);
    await assert.rejects(ns.delete(), TypeError);
    await ns.close();
    await assert.rejects(ns.links.list(), (e: unknown) => e instanceof NetlinkError && e.code === 'EBADF');
    await ns.close(); // twice is fine
  });

  it('opens by name, { name }, { path }, { pid }, { fd } and by handle: all the same namespace', async () => {
    await withNamespaces(1, async (ns) => {
      const sleeper = await processInside(ns);
      const fd = fs.openSync(ns.path!, 'r');
      await withCleanup(async () => {
        const refs = [ns.name!, { name: ns.name! }, { path: ns.path! }, { pid: sleeper.pid }, { fd }, ns];
        for (const ref of refs) {
          await using h = await Netns.open(ref);
          assert.equal(h.inode, ns.inode, `ref ${JSON.stringify(ref instanceof Netns ? 'handle' : ref)}`);
          assert.deepEqual((await h.links.list()).map((l) => l.name), ['lo']);
        }
      }, () => sleeper.kill(), () => fs.closeSync(fd));
    });
  });

  it('a path that is not a network namespace is refused at once: FIFO, regular file, another kind of namespace', async () => {
    const dir = fs.mkdtempSync('/tmp/nlnt-notns-');
    try {
      const fifo = `${dir}/fifo`;
      await sh('mkfifo', [fifo]);
      fs.writeFileSync(`${dir}/file`, 'x');
      // A FIFO opened for reading waits for a writer unless opened non-blocking: it must not hang.
      const refusals: Array<[string, RegExp]> = [[fifo, /not a namespace file/], [`${dir}/file`, /not a namespace file/], ['/proc/self/ns/mnt', /not a network namespace/]];
      for (const [path, why] of refusals) {
        const t0 = Date.now();
        await assert.rejects(Netns.open({ path }), (e: unknown) => e instanceof NetlinkError && e.code === 'EINVAL' && why.test(e.message), path);
        assert.ok(Date.now() - t0 < 5000, `${path} answered at once`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('Netns.current() is the namespace this process runs in', async () => {
    const cur = Netns.current();
    assert.equal(cur, Netns.current());
    assert.equal(cur.inode, fs.statSync('/proc/self/ns/net').ino);
    const ours = (await cur.links.list()).map((l) => l.name).sort();
    const ip = (await ipJson(undefined, ['link', 'show'])).map((l) => l.ifname).sort();
    assert.deepEqual(ours, ip);
    await cur.close(); // releases its threads; it reopens on next use
    assert.ok((await cur.links.list()).length > 0);
    await cur.close();
  });

  it('rejects bad names before touching the filesystem', async () => {
    const bad: Array<[unknown, RegExp]> = [
      ['', /empty/], ['.', /not allowed/], ['..', /not allowed/], ['a/b', /"\/"/], ['a\0b', /NUL/],
      ['x'.repeat(256), /256 bytes/], [42, /expected a string/],
    ];
    for (const [name, why] of bad) {
      await assert.rejects(Netns.create(name as string), (e: unknown) => (e instanceof RangeError || e instanceof TypeError)
        && e.message.startsWith('name:') && why.test(e.message), `create(${JSON.stringify(name)})`);
      await assert.rejects(Netns.delete(name as string), (e: unknown) => e instanceof RangeError || e instanceof TypeError);
    }
    await assert.rejects(Netns.open({ pid: -1 }), RangeError);
    await assert.rejects(Netns.open({ nope: 1 } as never), TypeError);
    // Nothing made under any name these could have turned into (other tests' names are not looked at).
    const couldBe = ['', '.', '..', 'a', 'b', 'a/b', 'ab', 'a\0b', 'x'.repeat(255), 'x'.repeat(256), '42'];
    assert.deepEqual(runNetnsNames().filter((n) => couldBe.includes(n)), []);
  });

  it('without CAP_NET_ADMIN/CAP_SYS_ADMIN: EPERM that says what is needed', async () => {
    const script = `
      const { Netns } = require(${JSON.stringify(require.resolve('../../src/index'))});
      Netns.create('nlnt-eperm-${process.pid}').then(() => console.log('created'),
        (e) => console.log(JSON.stringify({ code: e.code, op: e.operation, msg: e.message })));`;
    const out = await sh('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all',
      process.execPath, '-e', script]);
    const r = JSON.parse(out);
    assert.ok(r.code === 'EPERM' || r.code === 'EACCES', out);
    assert.equal(r.op, 'netns.create');
    assert.match(r.msg, /root or CAP_NET_ADMIN/);
    assert.ok(!runNetnsNames().includes(`nlnt-eperm-${process.pid}`));
  });
});
