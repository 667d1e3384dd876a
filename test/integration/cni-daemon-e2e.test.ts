// The daemon end to end (issue 17, "Latency"): the installed shim, exec'd by libcni and by podman
// inside a "node" namespace, forwards real ADD/CHECK/DEL calls to `nln cni daemon` running in the
// machine's own namespace; the daemon acts in its caller's namespace (the node), so containers get
// their network and traffic flows there, while the machine's own links, addresses and nftables
// ruleset stay exactly as they were (read before and after, never written).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Netns } from '../../src/index';
import { ipJson, sh, waitFor, withCleanup } from '../helpers';
import { answerer, ask, closeServer, libcni, withCniNamespaces, withTempDir } from '../cni-helpers';
import { installCniShim } from '../../src/cni/install';
import { cniSandbox, startDaemon } from '../cni-daemon-helpers';
import { podmanScenario } from '../cni-podman-helpers';

const V4 = '198.18.42.0/24';
const V6 = 'fd00:198:18:42::/64';
const PORTS = [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }];

/** The machine's own namespace as `ip` and `nft` see it (read only). */
async function machineState(): Promise<{ links: unknown; addresses: unknown; ruleset: string }> {
  return { links: await ipJson(undefined, ['link', 'show']), addresses: await ipJson(undefined, ['addr', 'show']), ruleset: await sh('nft', ['list', 'ruleset']) };
}

/**
 * A daemon in this (the machine's) namespace on a socket in a temp dir, and the shim installed twice:
 * in `envBin`, told the socket by $NLN_CNI_SOCKET (given to fn as `env`), and in `confBin` with the
 * socket in its conf (`nln cni install --socket`). The machine is compared before and after.
 */
async function withDaemon(fn: (bins: { envBin: string; confBin: string }, env: Record<string, string>, served: () => string[]) => Promise<void>): Promise<void> {
  const before = await machineState();
  const box = cniSandbox();
  const confBin = path.dirname(installCniShim({ binDir: path.join(box.dir, 'conf-bin'), socket: box.socket }).plugin);
  const daemon = await startDaemon(['--socket', box.socket]);
  const served = () => daemon.log().split('\n').filter((l) => / uid 0: exit /.test(l)).map((l) => l.replace(/^nln cni daemon: /, '').replace(/ in [\d.]+ ms$/, ''));
  await withCleanup(() => fn({ envBin: path.dirname(box.shim), confBin }, { NLN_CNI_SOCKET: box.socket }, served), () => daemon.stop(), box.remove);
  assert.deepEqual(await machineState(), before, 'the machine\'s own links, addresses and nftables ruleset are untouched');
}

function request(dir: string, pluginDir: string, c: Netns, id: string) {
  return {
    pluginDirs: [pluginDir], cacheDir: path.join(dir, 'cache'), containerID: id, netns: `/run/netns/${c.name}`, ifname: 'eth0',
    confList: {
      cniVersion: '1.0.0', name: 'nlnt-pod-daemon',
      plugins: [{
        type: 'nln-bridge', bridge: 'nlnd0', isGateway: true, isDefaultGateway: true, ipMasq: true, hairpinMode: true, capabilities: { portMappings: true },
        ipam: { type: 'host-local', ranges: [[{ subnet: V4 }], [{ subnet: V6 }]], dataDir: dir },
      }],
    },
  };
}

test('libcni calls the installed shim in a node namespace; the daemon in the machine\'s namespace serves ADD, CHECK, DEL there, traffic flows, the machine is untouched', async () => {
  await withDaemon(({ envBin: pluginDir }, env, served) => withCniNamespaces(3, async (node, c1, c2) => withTempDir(async (dir) => {
    const add1 = await libcni(node, 'add', { ...request(dir, pluginDir, c1, 'e2e-one'), portMappings: PORTS }, env);
    assert.equal(add1.error, undefined, JSON.stringify(add1.error));
    assert.deepEqual(add1.result.ips.map((ip: any) => ip.address), ['198.18.42.2/24', 'fd00:198:18:42::2/64']);
    const add2 = await libcni(node, 'add', request(dir, pluginDir, c2, 'e2e-two'), env);
    assert.equal(add2.error, undefined, JSON.stringify(add2.error));
    // The attachment is in the node: its bridge and veths there, the container's eth0 as the result says.
    assert.deepEqual((await ipJson(node.name, ['link', 'show', 'type', 'veth'])).length, 2);
    assert.equal((await ipJson(node.name, ['link', 'show', 'nlnd0'])).length, 1);
    const [eth0] = await ipJson(c1.name, ['addr', 'show', 'eth0']);
    assert.deepEqual(eth0.addr_info.filter((a: any) => a.scope === 'global').map((a: any) => `${a.local}/${a.prefixlen}`), ['198.18.42.2/24', 'fd00:198:18:42::2/64']);

    const onC1 = await answerer(c1, 80, 'c1');
    try {
      assert.equal(await ask(c2, '198.18.42.2', 80), 'c1 198.18.42.3');
      assert.equal(await ask(c2, 'fd00:198:18:42::2', 80), 'c1 fd00:198:18:42::3');
      assert.equal(await ask(node, '198.18.42.1', 8080), 'c1 198.18.42.1', 'the published port, from the node');
      assert.match(await ask(c2, '198.18.42.1', 8080), /^c1 /, 'the published port, from the other container');
    } finally {
      await closeServer(onC1);
    }

    const check = await libcni(node, 'check', { ...request(dir, pluginDir, c1, 'e2e-one'), portMappings: PORTS }, env);
    assert.equal(check.error, undefined, JSON.stringify(check.error));
    for (const [c, id, ports] of [[c1, 'e2e-one', PORTS], [c2, 'e2e-two', []], [c1, 'e2e-one', PORTS]] as const) {
      const del = await libcni(node, 'del', { ...request(dir, pluginDir, c, id), portMappings: ports }, env);
      assert.equal(del.error, undefined, JSON.stringify(del.error));
    }
    assert.deepEqual(fs.readdirSync(path.join(dir, 'nlnt-pod-daemon')).sort(), ['last_reserved_ip.0', 'last_reserved_ip.1', 'lock']);
    assert.equal((await ipJson(node.name, ['link', 'show', 'type', 'veth'])).length, 0);
    const rules = [...await node.nft.listRules({ family: 'ip', table: 'nln-cni' }), ...await node.nft.listRules({ family: 'ip6', table: 'nln-cni' })];
    assert.deepEqual(rules.filter((r) => r.comment), [], 'no attachment\'s rule is left in the node');
    // Every call went through the daemon (the shim did not fall back to running node itself); its
    // log line may reach us just after the shim's exit.
    await waitFor('six calls in the daemon\'s log', () => served().length >= 6);
    assert.deepEqual(served(), ['ADD e2e-one uid 0: exit 0', 'ADD e2e-two uid 0: exit 0', 'CHECK e2e-one uid 0: exit 0',
      'DEL e2e-one uid 0: exit 0', 'DEL e2e-two uid 0: exit 0', 'DEL e2e-one uid 0: exit 0']);
  })));
});

test('podman (CNI backend) in a node namespace through the installed shim and the daemon in the machine\'s namespace', async () => {
  // The socket comes from the shim's conf: podman's cleanup after a container exits (run by conmon)
  // does not have podman's environment, so $NLN_CNI_SOCKET would reach its ADDs but not its DELs.
  await withDaemon(({ confBin }, _env, served) => withCniNamespaces(1, async (node) => withTempDir(async (dir) => {
    await podmanScenario(node, dir, confBin);
    const count = (command: string) => served().filter((l) => l.startsWith(`${command} `)).length;
    await waitFor('three DELs in the daemon\'s log', () => count('DEL') >= 3).catch(() => undefined);
    const commands = served().map((l) => l.split(' ')[0]);
    assert.ok(commands.filter((c) => c === 'ADD').length >= 3, `podman's ADDs went through the daemon: ${served().join('; ')}`);
    assert.ok(commands.filter((c) => c === 'DEL').length >= 3, `podman's DELs went through the daemon: ${served().join('; ')}`);
    assert.ok(served().every((l) => l.endsWith('exit 0')), served().join('; '));
  })));
});
