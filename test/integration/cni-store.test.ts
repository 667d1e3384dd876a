// nln-bridge's IPAM store is host-local's: the reference host-local allocates around our addresses
// (and we around its), the files read the same, both take the same lock, so concurrent ADDs from
// both plugins and a GC running among them never hand out one address twice nor drop a valid one.
// GC and STATUS (CNI 1.1) through libcni's invoke; DEL removes a published port's conntrack flows.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Netns } from '../../src/index';
import { spawnSync } from 'node:child_process';
import { withFileLock } from '../../src/cni/file-lock';
import { ipJson } from '../helpers';
import { execPlugin, libcni, makePluginDir, REFERENCE_DIR, withCniNamespaces, withTempDir } from '../cni-helpers';

const NAME = 'nlnt-cni-store';

function pluginConf(dataDir: string, range: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    cniVersion: '1.1.0', name: NAME, type: 'nln-bridge', bridge: 'nlncni1', isGateway: true,
    capabilities: { portMappings: true }, ...extra,
    ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.41.0/24', ...range }]], dataDir },
  };
}

const env = (command: string, id: string, c?: Netns) => ({
  CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_IFNAME: 'eth0', CNI_PATH: REFERENCE_DIR, ...(c ? { CNI_NETNS: `/run/netns/${c.name}` } : {}),
});

/** The reference host-local, exec'd inside `node` on the same config (it reads only ipam and name; it speaks CNI up to 1.0.0). */
async function hostLocal(node: Netns, command: string, id: string, conf: object): Promise<any> {
  const r = await node.exec(path.join(REFERENCE_DIR, 'host-local'), [], { input: JSON.stringify({ ...conf, cniVersion: '1.0.0' }), env: { ...env(command, id), CNI_NETNS: '/proc/self/ns/net' } });
  assert.equal(r.code, 0, `host-local ${command}: ${r.stdout}${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
}

test('host-local store: the reference host-local and nln-bridge allocate around each other, files byte for byte alike', async () => {
  await withCniNamespaces(3, async (node, c1, c2) => withTempDir(async (dir) => {
    const conf = pluginConf(dir);
    const a1 = await execPlugin(node, env('ADD', 'ours-1', c1), JSON.stringify(conf));
    assert.equal(a1.code, 0, a1.stdout);
    assert.equal(a1.json.ips[0].address, '198.18.41.2/24');
    const ref = await hostLocal(node, 'ADD', 'theirs-1', conf);
    assert.equal(ref.ips[0].address, '198.18.41.3/24', 'host-local continues after our last_reserved_ip.0');
    const a2 = await execPlugin(node, env('ADD', 'ours-2', c2), JSON.stringify(conf));
    assert.equal(a2.json.ips[0].address, '198.18.41.4/24', 'and we after its');
    const store = path.join(dir, NAME);
    assert.equal(fs.readFileSync(path.join(store, '198.18.41.2'), 'latin1'), 'ours-1\r\neth0');
    assert.equal(fs.readFileSync(path.join(store, '198.18.41.3'), 'latin1'), 'theirs-1\r\neth0');
    assert.equal(fs.readFileSync(path.join(store, 'last_reserved_ip.0'), 'latin1'), '198.18.41.4');
    // Each releases the other's records by container: host-local's DEL of ours, our DEL of its.
    await hostLocal(node, 'DEL', 'ours-2', conf);
    assert.ok(!fs.existsSync(path.join(store, '198.18.41.4')));
    const d = await execPlugin(node, env('DEL', 'theirs-1'), JSON.stringify(conf));
    assert.equal(d.code, 0, d.stdout);
    assert.ok(!fs.existsSync(path.join(store, '198.18.41.3')));
  }));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Whether some process holds the flock on `file` now (flock(1) -n cannot have it). */
const lockHeld = (file: string) => spawnSync('flock', ['--nonblock', file, 'true']).status !== 0;

test('the store lock excludes the reference host-local both ways: it waits while we hold it, we wait while it does', async () => {
  await withCniNamespaces(2, async (node, c1) => withTempDir(async (dir) => {
    const conf = pluginConf(dir);
    const store = path.join(dir, NAME);
    const lock = path.join(store, 'lock');
    fs.mkdirSync(store, { recursive: true });

    // We hold it (withFileLock, as our ADD/DEL/GC do): host-local's ADD does not finish until we let go.
    let theirs: Promise<any> | undefined;
    let theirsDone = 0;
    let releasedAt = 0;
    await withFileLock(lock, async () => {
      theirs = hostLocal(node, 'ADD', 'theirs-1', conf).then((r) => { theirsDone = Date.now(); return r; });
      await sleep(400);
      assert.equal(theirsDone, 0, 'host-local ADD finished while we held the store lock');
      releasedAt = Date.now();
    });
    assert.equal((await theirs).ips[0].address, '198.18.41.2/24');
    assert.ok(theirsDone >= releasedAt);

    // It holds it: host-local's DEL reads every file of the store under its lock, and a FIFO there
    // keeps it reading (lock held) until something writes to it. Our ADD waits for it.
    const fifo = path.join(store, '198.18.41.250');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const theirDel = hostLocal(node, 'DEL', 'theirs-1', conf);
    for (let i = 0; !lockHeld(lock); i++) {
      assert.ok(i < 500, 'host-local never took the lock');
      await sleep(10);
    }
    let oursDone = 0;
    const ours = execPlugin(node, env('ADD', 'ours-1', c1), JSON.stringify(conf)).then((r) => { oursDone = Date.now(); return r; });
    await sleep(1500); // our plugin's node start-up, then its wait
    assert.equal(oursDone, 0, 'our ADD finished while host-local held the store lock');
    assert.ok(lockHeld(lock));
    // Let host-local read EOF (the FIFO gone from the store before it does, so our ADD never reads it).
    const writer = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    fs.unlinkSync(fifo);
    const freedAt = Date.now();
    fs.closeSync(writer);
    await theirDel;
    const a = await ours;
    assert.equal(a.code, 0, a.stdout);
    assert.ok(oursDone >= freedAt);
    assert.equal(a.json.ips[0].address, '198.18.41.3/24', 'after host-local\'s last_reserved_ip.0');
    assert.ok(!fs.existsSync(path.join(store, '198.18.41.2')), 'host-local\'s DEL released its address');
  }));
});

/** The reference host-local's ADD with CNI_ARGS, as it answers: its exit code and stdout. */
async function hostLocalAdd(node: Netns, id: string, conf: object, cniArgs: string): Promise<{ code: number | null; out: any }> {
  const r = await node.exec(path.join(REFERENCE_DIR, 'host-local'), [], { input: JSON.stringify({ ...conf, cniVersion: '1.0.0' }), env: { ...env('ADD', id), CNI_NETNS: '/proc/self/ns/net', CNI_ARGS: cniArgs } });
  return { code: r.code, out: JSON.parse(r.stdout) };
}

test('CNI_ARGS IP= asks for an address, as host-local reads it: taken as asked, refused when taken, the gateway or outside every range set', async () => {
  await withCniNamespaces(4, async (node, c1, c2, c3) => withTempDir(async (dir) => {
    const v6 = { ...pluginConf(dir), ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.41.0/24' }], [{ subnet: 'fd00:198:18:41::/64' }]], dataDir: dir } };
    const store = path.join(dir, NAME);
    const ours = (id: string, c: Netns, cniArgs: string) => execPlugin(node, { ...env('ADD', id, c), CNI_ARGS: cniArgs }, JSON.stringify(v6));
    const addresses = (ips: Array<{ address: string }>) => ips.map((ip) => ip.address);

    // The range set holding it gets the address asked for; the other set allocates as usual.
    const a = await ours('ours-1', c1, 'IgnoreUnknown=1;IP=198.18.41.90');
    assert.equal(a.code, 0, a.stdout);
    assert.deepEqual(addresses(a.json.ips), ['198.18.41.90/24', 'fd00:198:18:41::2/64']);
    assert.equal(fs.readFileSync(path.join(store, '198.18.41.90'), 'latin1'), 'ours-1\r\neth0');
    assert.equal(fs.readFileSync(path.join(store, 'last_reserved_ip.0'), 'latin1'), '198.18.41.90');
    const theirs = await hostLocalAdd(node, 'theirs-1', v6, 'IP=fd00:198:18:41:0::91');
    assert.equal(theirs.code, 0, JSON.stringify(theirs.out));
    assert.deepEqual(addresses(theirs.out.ips), ['198.18.41.91/24', 'fd00:198:18:41::91/64'], 'host-local continues after our .90');
    // IPv6 asked for, written by its canonical text (as host-local names its files); a key given twice keeps the last.
    const b = await ours('ours-2', c2, 'IP=198.18.41.200;IP=fd00:198:18:41:0:0:0:a0');
    assert.equal(b.code, 0, b.stdout);
    assert.deepEqual(addresses(b.json.ips), ['198.18.41.92/24', 'fd00:198:18:41::a0/64']);
    assert.equal(fs.readFileSync(path.join(store, 'fd00:198:18:41::a0'), 'latin1'), 'ours-2\r\neth0');

    // Refusals, each checked against the reference's: both fail, with the same words, and nothing is left reserved.
    const files = () => fs.readdirSync(store).filter((f) => !f.startsWith('last_') && f !== 'lock').sort();
    const before = files();
    for (const [args, message] of [
      ['IP=198.18.41.91', /requested IP address 198\.18\.41\.91 is not available in range set/],
      ['IP=fd00:198:18:41::a0', /requested IP address fd00:198:18:41::a0 is not available in range set/],
      ['IP=198.18.41.1', /requested ip 198\.18\.41\.1 is subnet's gateway/],
      ['IP=198.18.99.5', /failed to allocate all requested IPs: 198\.18\.99\.5/],
    ] as const) {
      const r = await ours('ours-3', c3, args);
      assert.equal(r.code, 1, `${args}: ${r.stdout}`);
      assert.equal(r.json.code, 102, args);
      assert.match(r.json.msg, message);
      const ref = await hostLocalAdd(node, 'theirs-3', v6, args);
      assert.notEqual(ref.code, 0, `the reference refuses ${args} too`);
      assert.match(ref.out.msg, message, 'with the same words');
      assert.deepEqual(files(), before, `${args}: nothing left reserved`);
    }
    for (const args of ['IP=198.18.41.300', 'IP=198.18.41.95,fd00:198:18:41::95']) {
      const bad = await ours('ours-3', c3, args);
      assert.equal(bad.json.code, 4, args);
      assert.match(bad.json.msg, /^CNI_ARGS IP has ".*", not an IPv4 or IPv6 address$/);
      assert.match((await hostLocalAdd(node, 'theirs-3', v6, args)).out.msg, /invalid IP address/, 'the reference refuses it too');
    }
    assert.deepEqual(files(), before);
    assert.equal((await ipJson(c3.name, ['link', 'show'])).length, 1, 'a refused ADD leaves no interface');
  }));
});

test('concurrent ADDs (ours and the reference host-local, separate processes) and a GC among them: distinct addresses, valid ones kept', async () => {
  const N = 6;
  await withCniNamespaces(N + 1, async (node, ...containers) => withTempDir(async (dir) => {
    const conf = pluginConf(dir);
    const store = path.join(dir, NAME);
    fs.mkdirSync(store, { recursive: true });
    fs.writeFileSync(path.join(store, '198.18.41.200'), 'gone\r\neth0'); // an attachment the runtime no longer knows
    const valid = [...containers.map((_, i) => ({ containerID: `ours-${i}`, ifname: 'eth0' })), ...[0, 1].map((i) => ({ containerID: `theirs-${i}`, ifname: 'eth0' }))];
    const results = await Promise.all([
      ...containers.map((c, i) => execPlugin(node, env('ADD', `ours-${i}`, c), JSON.stringify(conf))),
      ...[0, 1].map(async (i) => ({ code: 0, json: await hostLocal(node, 'ADD', `theirs-${i}`, conf), stdout: '' })),
      execPlugin(node, env('GC', ''), JSON.stringify({ ...conf, 'cni.dev/valid-attachments': valid })),
    ]);
    for (const r of results) assert.equal(r.code, 0, r.stdout);
    const addresses = results.slice(0, N + 2).map((r) => r.json.ips[0].address);
    assert.equal(new Set(addresses).size, N + 2, `distinct: ${addresses.join(' ')}`);
    const files = fs.readdirSync(store).filter((f) => f.startsWith('198.'));
    assert.deepEqual(files.sort(), addresses.map((a) => a.split('/')[0]).sort(), 'every valid allocation kept, the stale one removed');
  }));
});

test('GC removes every attachment not listed (addresses, veths, DNAT rules); STATUS is 50 when the range is full; DEL drops the port\'s conntrack flows', async () => {
  await withCniNamespaces(4, async (node, c1, c2, c3) => withTempDir(async (dir) => {
    const conf = pluginConf(dir, { rangeStart: '198.18.41.10', rangeEnd: '198.18.41.12' });
    const list = { cniVersion: '1.0.0', name: NAME, plugins: [(({ cniVersion: _v, name: _n, ...p }) => p)(conf)] };
    const req = (c: Netns, id: string) => ({ pluginDirs: [makePluginDir(dir)], cacheDir: path.join(dir, 'cache'), confList: list, containerID: id, netns: `/run/netns/${c.name}`, ifname: 'eth0' });
    const pm = [{ hostPort: 5353, containerPort: 53, protocol: 'udp' }];
    assert.equal((await libcni(node, 'status', req(c1, 'x'))).error, undefined);
    for (const [c, id] of [[c1, 'keep'], [c2, 'drop-1'], [c3, 'drop-2']] as const) {
      const a = await libcni(node, 'add', { ...req(c, id), portMappings: pm });
      assert.equal(a.error, undefined, JSON.stringify(a.error));
    }
    const full = await libcni(node, 'status', req(c1, 'x'));
    assert.equal(full.error?.code, 50);
    assert.match(full.error!.msg, /no free address/);
    assert.equal((await ipJson(node.name, ['link', 'show', 'type', 'veth'])).length, 3);

    const gc = await libcni(node, 'gc', { ...req(c1, 'x'), validAttachments: [{ containerID: 'keep', ifname: 'eth0' }] });
    assert.equal(gc.error, undefined, JSON.stringify(gc.error));
    assert.deepEqual(fs.readdirSync(path.join(dir, NAME)).filter((f) => f.startsWith('198.')), ['198.18.41.10']);
    assert.equal((await ipJson(node.name, ['link', 'show', 'type', 'veth'])).length, 1);
    assert.equal((await ipJson(c2.name, ['link', 'show'])).length, 1, 'only lo is left in a collected container');
    const comments = (await node.nft.listRules({ family: 'ip', table: 'nln-cni', chain: 'hostports' })).map((r) => r.comment);
    assert.deepEqual(comments.map((c) => c?.split(' ').slice(3).join(' ')), ['udp 5353 198.18.41.10']);
    assert.equal((await libcni(node, 'status', req(c1, 'x'))).error, undefined, 'addresses free again');

    // A UDP flow through the published port, then DEL: its conntrack entry goes with the mapping.
    const send = `require('dgram').createSocket('udp4').send('x', 5353, '198.18.41.1', (e, n, s) => process.exit(0))`;
    const sent = await node.exec(process.execPath, ['-e', send]);
    assert.equal(sent.code, 0, sent.stderr);
    const flows = () => node.conntrack.list({ protocol: 'udp', dport: 5353 });
    assert.equal((await flows()).length, 1);
    assert.equal((await flows())[0].reply.src, '198.18.41.10');
    assert.equal((await libcni(node, 'del', { ...req(c1, 'keep'), portMappings: pm })).error, undefined);
    assert.equal((await flows()).length, 0);
  }));
});
