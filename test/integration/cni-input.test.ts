// Bad input gets the spec's error object and exit code 1, never a throw or a hang, and nothing is
// touched; an ADD that fails part way undoes what it did (and only that). runCni is called
// in-process with NLN_CNI_NODE_NETNS naming the test's node namespace, never the machine's own.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCni } from '../../src/cni/run';
import { ipJson } from '../helpers';
import { execPlugin, withCniNamespaces, withTempDir } from '../cni-helpers';

const conf = (dataDir: string, extra: Record<string, unknown> = {}) => ({
  cniVersion: '1.0.0', name: 'nlnt-cni-input', type: 'nln-bridge', bridge: 'nlncni2', isGateway: true,
  ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.42.0/24' }]], dataDir }, ...extra,
});

test('bad input: the spec error object and code for each, with nothing touched', async () => {
  await withCniNamespaces(2, async (node, c) => withTempDir(async (dir) => {
    const env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'ctr', CNI_IFNAME: 'eth0', CNI_NETNS: `/run/netns/${c.name}`, CNI_PATH: '/nonexistent', NLN_CNI_NODE_NETNS: `/run/netns/${node.name}` };
    const good = JSON.stringify(conf(dir));
    const cases: Array<[string, Record<string, string | undefined>, string, number, RegExp]> = [
      ['malformed JSON', env, '{"cniVersion": "1.0.0", ', 6, /decode/],
      ['not an object', env, '[1,2]', 6, /not a JSON object/],
      ['oversized stdin', env, `{"x":"${'a'.repeat(2 << 20)}"}`, 6, /over the 1048576/],
      ['no CNI_COMMAND', { ...env, CNI_COMMAND: undefined }, good, 4, /CNI_COMMAND is not set/],
      ['unknown CNI_COMMAND', { ...env, CNI_COMMAND: 'EXPLODE' }, good, 4, /not one of/],
      ['no CNI_CONTAINERID', { ...env, CNI_CONTAINERID: undefined }, good, 4, /CNI_CONTAINERID/],
      ['hostile CNI_CONTAINERID', { ...env, CNI_CONTAINERID: '../../etc/passwd' }, good, 4, /CNI_CONTAINERID/],
      ['bad CNI_IFNAME', { ...env, CNI_IFNAME: 'a/b' }, good, 4, /CNI_IFNAME/],
      ['too long CNI_IFNAME', { ...env, CNI_IFNAME: 'x'.repeat(16) }, good, 4, /CNI_IFNAME/],
      ['no CNI_NETNS on ADD', { ...env, CNI_NETNS: undefined }, good, 4, /CNI_NETNS/],
      ['relative CNI_NETNS', { ...env, CNI_NETNS: 'run/netns/x' }, good, 4, /absolute/],
      ['CNI_NETNS that does not exist', { ...env, CNI_NETNS: '/run/netns/nlnt-cni-absent' }, good, 4, /cannot open/],
      ['CNI_NETNS a file that is no namespace', { ...env, CNI_NETNS: '/etc/hostname' }, good, 4, /cannot open/],
      ['CNI_NETNS with a NUL', { ...env, CNI_NETNS: '/run/netns/x\u0000y' }, good, 4, /NUL/],
      ['empty stdin', env, '', 6, /decode/],
      ['unsupported cniVersion', env, JSON.stringify({ ...conf(dir), cniVersion: '0.2.0' }), 1, /incompatible CNI versions/],
      ['cniVersion not a string', env, JSON.stringify({ ...conf(dir), cniVersion: 1 }), 7, /cniVersion/],
      ['network name with a slash', env, JSON.stringify({ ...conf(dir), name: '../x' }), 7, /name must be/],
      ['bridge name too long', env, JSON.stringify({ ...conf(dir), bridge: 'b'.repeat(20) }), 7, /bridge/],
      ['mtu out of range', env, JSON.stringify({ ...conf(dir), mtu: 10 }), 7, /mtu/],
      ['isGateway not a boolean', env, JSON.stringify({ ...conf(dir), isGateway: 'yes' }), 7, /isGateway/],
      ['ipam missing', env, JSON.stringify({ ...conf(dir), ipam: undefined }), 7, /ipam is missing/],
      ['ipam type dhcp', env, JSON.stringify({ ...conf(dir), ipam: { type: 'dhcp' } }), 2, /not supported/],
      ['vlan', env, JSON.stringify({ ...conf(dir), vlan: 100 }), 2, /vlan is not supported/],
      ['subnet with host bits', env, JSON.stringify(conf(dir, { ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.42.1/24' }]], dataDir: dir } })), 7, /host bits/],
      ['rangeStart outside the subnet', env, JSON.stringify(conf(dir, { ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.42.0/24', rangeStart: '198.18.43.1' }]], dataDir: dir } })), 7, /not in/],
      ['dataDir relative', env, JSON.stringify(conf(dir, { ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.42.0/24' }]], dataDir: 'x' } })), 7, /dataDir/],
      ['hostPort 0', env, JSON.stringify(conf(dir, { runtimeConfig: { portMappings: [{ hostPort: 0, containerPort: 80 }] } })), 7, /hostPort/],
      ['protocol sctp', env, JSON.stringify(conf(dir, { runtimeConfig: { portMappings: [{ hostPort: 80, containerPort: 80, protocol: 'sctp' }] } })), 2, /protocol/],
      ['GC without valid-attachments', { ...env, CNI_COMMAND: 'GC' }, good, 7, /valid-attachments/],
      ['CHECK without prevResult', { ...env, CNI_COMMAND: 'CHECK' }, good, 7, /prevResult/],
    ];
    for (const [what, e, stdin, code, msg] of cases) {
      const r = await runCni({ env: e, stdin });
      assert.equal(r.exitCode, 1, what);
      const body = JSON.parse(r.stdout);
      assert.equal(body.code, code, `${what}: ${r.stdout}`);
      assert.match(body.msg, msg, what);
      assert.equal(typeof body.cniVersion, 'string', what);
    }
    // Not even a request object: still an answer.
    assert.equal((await runCni(undefined as never)).exitCode, 1);
    assert.equal((await runCni({ env: env, stdin: 42 as never })).exitCode, 1);
    // VERSION answers whatever stdin holds.
    const v = await runCni({ env: { CNI_COMMAND: 'VERSION' }, stdin: 'garbage' });
    assert.deepEqual(JSON.parse(v.stdout), { cniVersion: '1.1.0', supportedVersions: ['0.4.0', '1.0.0', '1.1.0'] });
    // Nothing was made: no bridge, no store.
    assert.deepEqual((await ipJson(node.name, ['link', 'show'])).map((l: any) => l.ifname), ['lo']);
    assert.deepEqual(fs.readdirSync(dir), []);
    // The executable itself: binary garbage and no environment, the spec's answer and exit code 1.
    const p = await execPlugin(node, { CNI_COMMAND: 'ADD' }, '\u0000\u0001not json');
    assert.equal(p.code, 1);
    assert.equal(p.json.code, 4);
  }));
});

test('an ADD that fails part way undoes itself: the address is released and the veth removed; only its own', async () => {
  await withCniNamespaces(3, async (node, c1, c2) => withTempDir(async (dir) => {
    const base = { CNI_COMMAND: 'ADD', CNI_IFNAME: 'eth0', CNI_PATH: '/nonexistent', NLN_CNI_NODE_NETNS: `/run/netns/${node.name}` };
    const first = await runCni({ env: { ...base, CNI_CONTAINERID: 'one', CNI_NETNS: `/run/netns/${c1.name}` }, stdin: JSON.stringify(conf(dir)) });
    assert.equal(first.exitCode, 0, first.stdout);
    // The container already has an eth0: the veth's creation is refused after the address was reserved.
    await c2.links.add({ kind: 'veth', name: 'eth0', peer: { name: 'other0' } });
    const failed = await runCni({ env: { ...base, CNI_CONTAINERID: 'two', CNI_NETNS: `/run/netns/${c2.name}` }, stdin: JSON.stringify(conf(dir, { ipMasq: true })) });
    assert.equal(failed.exitCode, 1);
    assert.equal(JSON.parse(failed.stdout).code, 100, failed.stdout);
    const files = fs.readdirSync(path.join(dir, 'nlnt-cni-input')).filter((f) => f.startsWith('198.'));
    assert.deepEqual(files, ['198.18.42.2'], 'the failed ADD released its address; the first one keeps its own');
    assert.equal((await ipJson(node.name, ['link', 'show', 'type', 'veth'])).length, 1);
    assert.deepEqual((await ipJson(c2.name, ['link', 'show', 'type', 'veth'])).map((l: any) => l.ifname).sort(), ['eth0', 'other0'], "the container's own links untouched");
    // The NAT step fails last (someone else's `ip nln-cni` table without our chains): veth and address are undone too.
    await node.nft.transaction((tx) => { tx.addTable({ family: 'ip', name: 'nln-cni' }); });
    const third = await runCni({ env: { ...base, CNI_CONTAINERID: 'three', CNI_NETNS: `/run/netns/${c1.name}`, CNI_IFNAME: 'eth1' }, stdin: JSON.stringify(conf(dir, { ipMasq: true })) });
    assert.equal(third.exitCode, 1, third.stdout);
    assert.equal(JSON.parse(third.stdout).code, 100, third.stdout);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'nlnt-cni-input')).filter((f) => f.startsWith('198.')), ['198.18.42.2']);
    assert.deepEqual((await ipJson(c1.name, ['link', 'show', 'type', 'veth'])).map((l: any) => l.ifname), ['eth0'], 'eth1 removed, eth0 kept');
    assert.equal((await ipJson(node.name, ['link', 'show', 'type', 'veth'])).length, 1);
    assert.deepEqual((await node.nft.listTables()).map((t) => `${t.family} ${t.name}`), ['ip nln-cni'], 'the table it did not make is left alone');
  }));
});
