import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { exchange, ipJson, quietIpv6, runNetnsNames, sh, uniqueName, withCleanup, withNamespaces } from '../helpers';
import { captureNetlink, isNewlinkCreate } from '../link-oracle';

const run = promisify(execFile);
const nln = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');
const cli = (...args: string[]) => run(process.execPath, [nln, ...args]).then((r) => r.stdout);
const fails = (...args: string[]) => run(process.execPath, [nln, ...args]).then(
  () => { throw new Error(`nln ${args.join(' ')} succeeded`); },
  (e: { code: number; stderr: string }) => e);

describe('nln, the command line', () => {
  it('netns add/list/del, link/addr show with -n and -j, nft and iptables, errors on stderr with a non-zero exit', async () => {
    const name = uniqueName('cli');
    await cli('netns', 'add', name);
    await withCleanup(async () => {
      assert.ok((await cli('netns', 'list')).split('\n').includes(name));
      assert.ok(runNetnsNames().includes(name));
      await sh('ip', ['-n', name, 'link', 'add', 'br0', 'type', 'bridge']);
      const links = JSON.parse(await cli('-n', name, '-j', 'link', 'show'));
      assert.deepEqual(links.map((l: { name: string }) => l.name), (await ipJson(name, ['link', 'show'])).map((l) => l.ifname));
      await cli('-n', name, 'nft', 'apply', 'table ip t { chain c { tcp dport 22 accept; } }');
      assert.match(await cli('-n', name, 'nft', 'list'), /tcp dport 22 accept/);
      await cli('-n', name, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', '10.0.0.0/16', '-j', 'MASQUERADE');
      assert.ok((await sh('ip', ['netns', 'exec', name, 'iptables-nft', '-t', 'nat', '-S'])).includes('-A POSTROUTING -s 10.0.0.0/16 -j MASQUERADE'));
      assert.equal((await cli('netns', 'exec', name, 'ip', '-br', 'link')).split('\n').filter(Boolean).length, 2);
      const e1 = await fails('-n', name, 'link', 'show', 'nope');
      assert.equal(e1.code, 1);
      assert.match(e1.stderr, /^nln: link\.get: ENODEV/);
      const e2 = await fails('-n', name, 'iptables', '-A', 'INPUT', '--bogus', '1');
      assert.match(e2.stderr, /--bogus: unsupported option/);
      const e3 = await fails('bogus');
      assert.equal(e3.code, 2);
    }, () => cli('netns', 'del', name));
    assert.ok(!runNetnsNames().includes(name));
  });

  it('link add in ip syntax sends the bytes `ip link add` sends; link set/del, addr and route add/del match ip', async () => {
    await withNamespaces(2, async (ns, other) => {
      await sh('ip', ['-n', ns.name!, 'link', 'add', 'br9', 'type', 'bridge']);
      const forms = [
        ['v0', 'type', 'veth', 'peer', 'name', 'v1'],
        ['v2', 'mtu', '1400', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', other.name!],
        ['br8', 'type', 'bridge', 'forward_delay', '400', 'stp_state', '1'], // ip writes attributes in argument order; ours in the kernel's
        ['vx0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'local', '198.18.0.1'],
        ['mv0', 'link', 'br9', 'type', 'macvlan', 'mode', 'bridge'],
        ['vl0', 'link', 'br9', 'type', 'vlan', 'id', '5'], // kinds this kernel lacks: the request still counts
        ['d0', 'type', 'dummy'],
      ];
      // IFLA_NET_NS_FD (an 8-byte attribute of type 28) carries a process's own fd number: zeroed.
      const creates = ({ messages }: { messages: Buffer[] }) => messages.filter(isNewlinkCreate)
        .map((m) => m.toString('hex').replace(/08001c00[0-9a-f]{8}/g, '08001c0000000000'));
      for (const form of forms) {
        const ours = creates(await captureNetlink([process.execPath, nln, '-n', ns.name!, 'link', 'add', ...form]));
        // Made when this kernel has the kind: removed before ip makes it again.
        if ((await ipJson(ns.name, ['link', 'show'])).some((l) => l.ifname === form[0])) await sh('ip', ['-n', ns.name!, 'link', 'del', form[0]]);
        const ip = creates(await captureNetlink(['ip', '-n', ns.name!, 'link', 'add', ...form]));
        assert.equal(ours.length, 1, form.join(' '));
        assert.equal(ours[0], ip[0], `nln link add ${form.join(' ')}`);
      }
      await cli('-n', ns.name!, 'link', 'set', 'v0', 'up', 'master', 'br9', 'mtu', '1300', 'alias', 'hello');
      const v0 = (await ipJson(ns.name, ['-d', 'link', 'show', 'v0']))[0];
      assert.deepEqual([v0.master, v0.mtu, v0.ifalias, v0.flags.includes('UP')], ['br9', 1300, 'hello', true]);
      await cli('-n', ns.name!, 'link', 'set', 'dev', 'v0', 'nomaster', 'down');
      assert.equal((await ipJson(ns.name, ['link', 'show', 'v0']))[0].master, undefined);
      await cli('-n', ns.name!, 'link', 'set', 'br9', 'up');
      await cli('-n', ns.name!, 'addr', 'add', '198.18.5.1/24', 'dev', 'br9');
      assert.deepEqual((await ipJson(ns.name, ['-4', 'addr', 'show', 'br9']))[0].addr_info.map((a: any) => `${a.local}/${a.prefixlen}`), ['198.18.5.1/24']);
      await cli('-n', ns.name!, 'route', 'add', '198.18.9.0/24', 'via', '198.18.5.2', 'metric', '7');
      assert.deepEqual((await ipJson(ns.name, ['route', 'show', '198.18.9.0/24'])).map((r: any) => [r.gateway, r.dev, r.metric]), [['198.18.5.2', 'br9', 7]]);
      await cli('-n', ns.name!, 'route', 'del', '198.18.9.0/24', 'via', '198.18.5.2', 'metric', '7');
      await cli('-n', ns.name!, 'addr', 'del', '198.18.5.1/24', 'dev', 'br9');
      assert.deepEqual(await ipJson(ns.name, ['route', 'show']), []);
      await cli('-n', ns.name!, 'link', 'del', 'v0');
      assert.ok(!(await ipJson(ns.name, ['link', 'show'])).some((l: any) => l.ifname === 'v0'));
      const bad = await fails('-n', ns.name!, 'link', 'add', 'x0', 'type', 'veth', 'peer', 'name', 'x1', 'bogus');
      assert.match(bad.stderr, /link add: "bogus" is not understood here/);
      assert.match((await fails('-n', ns.name!, 'link', 'add', 'x0')).stderr, /"type KIND" is required/);
      assert.match((await fails('-n', ns.name!, 'link', 'add', 'd1', 'type', 'dummy')).stderr, /EOPNOTSUPP/);
    });
  });

  it('network create/attach/publish/show/unpublish/detach/rm, carrying TCP through the published port', async () => {
    await withNamespaces(2, async (host, c1) => {
      const h = ['-n', host.name!];
      assert.match(await cli(...h, 'network', 'create', 'docker1', '198.18.0.0/24'), /docker1 198\.18\.0\.0\/24 gateway 198\.18\.0\.1 \(nftables\)/);
      const e = JSON.parse(await cli(...h, '-j', 'network', 'attach', 'docker1', c1.name!));
      assert.equal(e.address, '198.18.0.2');
      await cli(...h, 'network', 'publish', 'docker1', '8080', '198.18.0.2:80');
      const shown = JSON.parse(await cli(...h, '-j', 'network', 'show', 'docker1'));
      assert.deepEqual(shown.endpoints.map((x: any) => [x.netns, x.address]), [[c1.name, '198.18.0.2']]);
      assert.deepEqual(shown.ports, [{ address: '198.18.0.2', hostPort: 8080, port: 80, protocol: 'tcp', netns: c1.name }]);
      const server = await c1.listen({ port: 80 }, (s) => s.end('hello'));
      await withCleanup(async () => assert.equal(await exchange(host, '198.18.0.1', 8080), 'hello'), () => server.close());
      assert.equal((await fails(...h, 'network', 'publish', 'docker1', '8080', '198.18.0.2:80')).code, 1);
      await cli(...h, 'network', 'unpublish', 'docker1', '8080', '198.18.0.2:80');
      await cli(...h, 'network', 'detach', 'docker1', c1.name!);
      assert.deepEqual(JSON.parse(await cli(...h, '-j', 'network', 'show', 'docker1')).endpoints, []);
      await cli(...h, 'network', 'rm', 'docker1');
      assert.deepEqual((await ipJson(host.name, ['link', 'show'])).map((l: any) => l.ifname), ['lo']);
      assert.match(await cli('network', '--help'), /create BRIDGE SUBNET/);
    });
  });

  it('demo (npm run demo) runs on a machine without ip, nft or sysctl, marking the comparison as needing their packages; with them it compares', async () => {
    // The machine's own namespace, before and after: the demo must touch only namespaces it makes
    // (and leave none of its own: other tests' namespaces may come and go meanwhile).
    const outside = async () => [(await ipJson(undefined, ['link', 'show'])).map((l) => `${l.ifname} ${l.operstate}`), await sh('nft', ['list', 'ruleset']),
      runNetnsNames().filter((n) => n.startsWith('nln-demo-'))];
    const before = await outside();
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'nln-bare-path-'));
    try {
      // PATH holds node and nothing else: no ip, nft, iptables, sysctl, not even sh.
      fs.symlinkSync(process.execPath, path.join(bare, 'node'));
      const { stdout } = await run(path.join(bare, 'node'), [nln, 'demo'], { env: { ...process.env, PATH: bare } });
      const table = stdout.split('\n');
      assert.equal(table.filter((l) => l.includes('c1 got "hello"')).length, 2, stdout);
      assert.equal(table.filter((l) => / ms +not run\* *$/.test(l)).length, 6, stdout);
      assert.match(stdout, /\* not run: the ip\/nft column needs ip \(package iproute2\), nft \(package nftables\), sysctl \(package procps\),\n  not found on PATH; to see the comparison: apt-get install iproute2 nftables procps/);
      assert.match(stdout, /removed everything: [\d.]+ ms\n$/);
      const prefix = /namespaces (nln-demo-\d+)-\*/.exec(stdout)![1];
      assert.deepEqual(runNetnsNames().filter((n) => n.startsWith(prefix)), []);
    } finally {
      fs.rmSync(bare, { recursive: true, force: true });
    }
    const { stdout } = await run(process.execPath, [nln, 'demo']);
    assert.equal(stdout.split('\n').filter((l) => / ms +[\d.]+ ms +[\d.]+× *$/.test(l)).length, 6, stdout);
    assert.doesNotMatch(stdout, /not run/);
    assert.match(stdout, /removed everything: [\d.]+ ms \(ip netns del ×4: [\d.]+ ms\)/);
    assert.deepEqual(await outside(), before);
  });

  it('route show prints the lines ip route show prints (dev NAME, tables, metrics, multipath); link show names the master; trailing words are refused as ip refuses them', async () => {
    await withNamespaces(1, async (ns) => {
      await quietIpv6(ns);
      const n = ns.name!;
      for (const cmd of [
        'link add br9 type bridge', 'link add v0 type veth peer name v1', 'link set v0 master br9', 'link set br9 up', 'link set v0 up', 'link set v1 up',
        'addr add 198.18.5.1/24 dev br9', 'addr add 198.18.6.1/24 dev v1', 'route add default via 198.18.5.2',
        'route add 198.18.9.0/24 via 198.18.5.3 metric 7 mtu 1400', 'route add blackhole 198.18.10.0/24',
        'route add 198.18.11.0/24 dev v1 onlink via 198.18.99.1', 'route add 198.18.12.0/24 table 100 dev v1 proto static scope link',
        'route add 198.18.13.0/24 nexthop via 198.18.5.2 weight 2 nexthop via 198.18.6.2', 'route add 198.18.14.1 dev v1 src 198.18.6.1',
        'link add br8 type bridge', 'addr add 198.18.7.1/24 dev br8', 'link set br8 up', // no ports: its route is linkdown
        'addr add 2001:db8::1/64 dev v1 nodad', 'route add 2001:db8:1::/48 via 2001:db8::2 dev v1 metric 5',
      ]) await sh('ip', ['-n', n, ...cmd.split(' ')]);
      const lines = (text: string) => text.split('\n').map((l) => l.trimEnd()).filter(Boolean);
      for (const args of [[], ['table', 'all'], ['table', '100'], ['dev', 'v1'], ['198.18.9.0/24'], ['-6']]) {
        const global = args[0] === '-6' ? ['-6'] : [];
        const selectors = args.filter((a) => a !== '-6');
        const ip = lines(await sh('ip', [...global, '-n', n, 'route', 'show', ...selectors]));
        assert.ok(ip.length > 0);
        assert.deepEqual(lines(await cli(...global, '-n', n, 'route', 'show', ...selectors)), ip, `route show ${args.join(' ')}`);
      }
      assert.match(await cli('-n', n, 'route', 'show'), /^198\.18\.5\.0\/24 dev br9 proto kernel scope link src 198\.18\.5\.1$/m);
      const masters = (await ipJson(n, ['link', 'show'])).map((l) => `${l.ifname}${l.master ? ` master ${l.master}` : ''}`);
      assert.deepEqual(lines(await cli('-n', n, 'link', 'show')).map((l) => /^\d+: (\S+):.*?( master \S+)? state/.exec(l)!.slice(1).join('')), masters);
      assert.ok(masters.includes('v0 master br9'));
      assert.match(await cli('-n', n, 'link', 'show', 'master', 'br9'), /^\d+: v0: .* master br9 state/);
      // Words ip does not take: the same message and exit code as ip's.
      for (const args of [['link', 'show', 'lo', 'foo'], ['link', 'show', 'dev', 'lo', '-s'], ['addr', 'show', 'lo', 'bar'], ['route', 'show', 'foo'], ['route', 'show', 'table', 'main', 'x']]) {
        const ip = await run('ip', ['-n', n, ...args]).then(() => { throw new Error(`ip ${args.join(' ')} succeeded`); }, (e: { code: number; stderr: string }) => e);
        const ours = await fails('-n', n, ...args);
        assert.deepEqual([ours.code, ours.stderr], [ip.code, ip.stderr], args.join(' '));
      }
      const e = await fails('-n', n, 'link', 'show', '-s');
      assert.deepEqual([e.code, /ENODEV/.test(e.stderr)], [1, true]);
    });
  });

  it('sysctl reads and writes a namespace\'s sysctls as `ip netns exec NS sysctl` does', async () => {
    await withNamespaces(1, async (ns) => {
      const n = ns.name!;
      const keys = ['net.ipv4.ip_forward', 'net.ipv4.ip_local_port_range', 'net.ipv4.conf.lo.rp_filter'];
      assert.equal(await cli('-n', n, 'sysctl', ...keys), await sh('ip', ['netns', 'exec', n, 'sysctl', ...keys]));
      assert.equal(await cli('sysctl', '-n', n, '--values', ...keys), await sh('ip', ['netns', 'exec', n, 'sysctl', '-n', ...keys]));
      assert.equal(await cli('sysctl', '-n', n, '-w', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.lo.rp_filter=2'), 'net.ipv4.ip_forward = 1\nnet.ipv4.conf.lo.rp_filter = 2\n');
      assert.equal(await sh('ip', ['netns', 'exec', n, 'sysctl', 'net.ipv4.ip_forward', 'net.ipv4.conf.lo.rp_filter']), 'net.ipv4.ip_forward = 1\nnet.ipv4.conf.lo.rp_filter = 2\n');
      assert.equal(await cli('-n', n, 'sysctl', '-q', 'net.ipv4.ip_forward=0'), '');
      assert.deepEqual(JSON.parse(await cli('-n', n, '-j', 'sysctl', 'net.ipv4.ip_forward')), [{ key: 'net.ipv4.ip_forward', value: '0' }]);
      assert.equal((await sh('ip', ['netns', 'exec', n, 'sysctl', '-n', 'net.ipv4.ip_forward'])).trim(), '0');
      const unknown = await fails('-n', n, 'sysctl', 'net.ipv4.nope');
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /ENOENT.*no sysctl net\.ipv4\.nope/);
      assert.equal((await fails('sysctl', '-n', n, '-w', 'net.ipv4.ip_forward')).code, 1);
      assert.match((await fails('sysctl', '-n', 'net.ipv4.ip_forward')).stderr, /was taken as the namespace/);
    });
  });
});
