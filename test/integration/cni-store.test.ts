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
