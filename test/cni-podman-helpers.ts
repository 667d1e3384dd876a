// Podman with its CNI backend, as the CNI tests run it: inside a "node" namespace the test made
// (entered with nsenter --net: `ip netns exec` would remount /sys and hide the cgroups podman needs),
// with everything it stores under a temp dir, containers from a busybox rootfs (--rootfs, no image),
// runc (crun refuses hybrid cgroups) and explicit rlimits (the machine lacks CAP_SYS_RESOURCE, so
// podman's defaults fail in setrlimit). The plugin dir podman searches is named in a containers.conf
// of the test's own, passed with CONTAINERS_CONF.
// podmanScenario: the checks, shared by the plugin-in-node test and the daemon end-to-end test.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Netns } from '../src/index';
import { ipJson, withCleanup } from './helpers';

const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'ip', 'wget', 'httpd', 'sleep', 'cat'];
export const PAGE = 'hello from the podman container';

export interface PodmanRun { code: number | null; stdout: string; stderr: string }

export interface Podman {
  /** The rootfs every container runs from: busybox, and /www/index.html holding PAGE. */
  rootfs: string;
  /** `podman GLOBAL-OPTIONS ARGS` inside the node; throws with podman's stderr unless it exits 0. */
  run(args: string[]): Promise<string>;
  /** `podman run --rm` of `script` (busybox sh) on the network; its stdout. */
  sh(network: string, script: string, runArgs?: string[]): Promise<string>;
  /** Removes every container podman has here (their networks get DEL): for cleanup. */
  removeAll(): Promise<void>;
}

/** A podman set up under `dir` for `node`, finding CNI configs in `netDir` and plugins in `pluginDir`. */
export function podmanIn(dir: string, node: Netns, netDir: string, pluginDir: string, env: Record<string, string> = {}): Podman {
  const rootfs = path.join(dir, 'rootfs');
  fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(rootfs, 'www'));
  fs.copyFileSync(BUSYBOX, path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const applet of APPLETS) fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
  fs.writeFileSync(path.join(rootfs, 'www', 'index.html'), `${PAGE}\n`);
  const conf = path.join(dir, 'containers.conf');
  fs.writeFileSync(conf, `[network]\ncni_plugin_dirs = [${JSON.stringify(pluginDir)}]\n`);
  const global = [
    '--runtime', 'runc', '--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'runroot'), '--tmpdir', path.join(dir, 'tmp'),
    '--network-backend', 'cni', '--network-config-dir', netDir, '--cgroup-manager', 'cgroupfs', '--events-backend', 'file',
  ];
  const run = (args: string[]): Promise<string> => new Promise((resolve, reject) => {
    execFile('nsenter', [`--net=${node.path ?? `/run/netns/${node.name}`}`, 'podman', ...global, ...args],
      { env: { ...process.env, CONTAINERS_CONF: conf, ...env }, timeout: 60_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => (error ? reject(new Error(`podman ${args.join(' ')}: ${error.message}\n${stderr}`)) : resolve(stdout)));
  });
  return {
    rootfs,
    run,
    sh: (network, script, runArgs = []) => run(['run', '--rm', ...containerOptions(network), ...runArgs, '--rootfs', rootfs, '/bin/sh', '-c', script]),
    removeAll: async () => { await run(['rm', '--all', '--force', '--time', '0']); },
  };
}

/** `podman run` options every test container needs: the network, and rlimits the machine allows. */
export function containerOptions(network: string): string[] {
  return ['--network', network, '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
}

/** A conflist of one nln-bridge plugin (bridge, gateway, masquerade, published ports) over a v4 and a v6 range, written to netDir. */
export function writeNlnBridgeNetwork(netDir: string, name: string, bridge: string, v4: string, v6: string, dataDir: string): void {
  fs.mkdirSync(netDir, { recursive: true });
  const list = {
    cniVersion: '1.0.0', name,
    plugins: [{
      type: 'nln-bridge', bridge, isGateway: true, isDefaultGateway: true, ipMasq: true, hairpinMode: true,
      capabilities: { portMappings: true },
      ipam: { type: 'host-local', ranges: [[{ subnet: v4 }], [{ subnet: v6 }]], dataDir },
    }],
  };
  fs.writeFileSync(path.join(netDir, `${name}.conflist`), JSON.stringify(list));
}

const NET = 'nlnt-pod-net';

/** What the host-local store holds besides its bookkeeping: one file per address in use. */
const allocations = (store: string) => fs.readdirSync(store).filter((f) => !/^(last_reserved_ip\.\d+|lock)$/.test(f)).sort();

/** The rules in the node's nln-cni tables (ip and ip6) that name an attachment. */
async function attachmentRules(node: Netns): Promise<string[]> {
  const rules = [...await node.nft.listRules({ family: 'ip', table: 'nln-cni' }), ...await node.nft.listRules({ family: 'ip6', table: 'nln-cni' })];
  return rules.map((r) => r.comment ?? '').filter((c) => c !== '');
}

/** busybox wget of the page from inside the node (the node's own stack, not a container's); no -T: busybox 1.35's wget crashes with it. */
async function fetchFromNode(node: Netns, url: string): Promise<string> {
  const r = await node.exec('/bin/busybox', ['wget', '-q', '-O', '-', url], { timeout: 10_000 });
  assert.equal(r.code, 0, `wget ${url} from the node: ${r.stderr}`);
  return r.stdout;
}

/**
 * The whole podman scenario against a network whose plugin is found in `pluginDir` (our plugin in
 * node, or the installed shim in front of the daemon).
 */
export async function podmanScenario(node: Netns, dir: string, pluginDir: string, env: Record<string, string> = {}): Promise<void> {
  const netDir = path.join(dir, 'net.d');
  const dataDir = path.join(dir, 'ipam');
  writeNlnBridgeNetwork(netDir, NET, 'nlnpod0', '198.18.41.0/24', 'fd00:198:18:41::/64', dataDir);
  const podman: Podman = podmanIn(dir, node, netDir, pluginDir, env);
  const store = path.join(dataDir, NET);
  await withCleanup(async () => {
    // A container's own view, printed by busybox: both addresses (none tentative), both default routes.
    const view = await podman.sh(NET, 'ip addr show eth0; echo ---; ip route; echo ---; ip -6 route');
    const [addr, v4routes, v6routes] = view.split('---\n');
    assert.match(addr, /inet 198\.18\.41\.2\/24 /);
    assert.match(addr, /inet6 fd00:198:18:41::2\/64 scope global/);
    assert.doesNotMatch(addr.split('\n').find((l) => l.includes('fd00:198:18:41::2'))!, /tentative/, 'the address is usable at once');
    assert.match(v4routes, /^default via 198\.18\.41\.1 dev eth0/m);
    assert.match(v4routes, /^198\.18\.41\.0\/24 dev eth0/m);
    assert.match(v6routes, /^default via fd00:198:18:41::1 dev eth0/m);
    // It exited, podman called DEL: its addresses are free again, its veth gone.
    assert.deepEqual(allocations(store), []);
    assert.deepEqual((await ipJson(node.name, ['link', 'show', 'type', 'veth'])).map((l: any) => l.ifname), []);

    // A server container with a published port, found by the address podman reports.
    const id = (await podman.run(['run', '-d', '--name', 'nlnt-pod-web', ...containerOptions(NET), '-p', '8080:80',
      '--rootfs', podman.rootfs, '/bin/httpd', '-f', '-p', '80', '-h', '/www'])).trim();
    const ips = (await podman.run(['inspect', '--format', `{{(index .NetworkSettings.Networks "${NET}").IPAddress}} {{(index .NetworkSettings.Networks "${NET}").GlobalIPv6Address}}`, 'nlnt-pod-web'])).trim();
    const [web4, web6] = ips.split(' ');
    assert.match(web4, /^198\.18\.41\.\d+$/);
    assert.match(web6, /^fd00:198:18:41::[0-9a-f]+$/);
    assert.deepEqual(allocations(store), [web4, web6].sort());
    assert.equal(fs.readFileSync(path.join(store, web4), 'utf8').split(/\r?\n/)[0], id, 'host-local\'s format: the container ID first');
    assert.ok((await attachmentRules(node)).some((c) => c.includes(`tcp 8080 ${web4}`)), 'the published port\'s DNAT rule');

    // From another container: directly over both families, and through the node's published port.
    const fetched = await podman.sh(NET, `wget -q -O - http://${web4}/ && wget -q -O - http://[${web6}]/ && wget -q -O - http://198.18.41.1:8080/`);
    assert.equal(fetched, `${PAGE}\n`.repeat(3));
    // From the node itself through the published port.
    assert.equal(await fetchFromNode(node, 'http://198.18.41.1:8080/'), `${PAGE}\n`);

    await podman.run(['rm', '--force', '--time', '0', 'nlnt-pod-web']);
    assert.deepEqual(allocations(store), []);
    assert.deepEqual(await attachmentRules(node), [], 'no DNAT or masquerade rule is left');
    assert.deepEqual((await ipJson(node.name, ['link', 'show', 'type', 'veth'])).map((l: any) => l.ifname), []);
    assert.deepEqual((await podman.run(['ps', '--all', '--quiet'])).trim(), '');
  }, () => podman.removeAll());
}
