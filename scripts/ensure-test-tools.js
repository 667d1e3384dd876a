// `npm test` step 1: the oracle tools the tests compare against (ip, bridge, nft, iptables-nft,
// strace, setpriv). With --bench (`npm run bench`), also the benchmark's peers: pyroute2, Go with
// vishvananda/netlink and google/nftables, the CNI plugins, a C compiler. Missing ones are
// installed from Debian when running as root (saying so); otherwise this stops with the apt-get
// line to run.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');

const fs = require('node:fs');
const bench = process.argv.includes('--bench');
const what = bench ? 'npm run bench' : 'npm test';
// [a command on PATH or an absolute path that must exist, the Debian package providing it]
const needed = [
  ['ip', 'iproute2'], ['bridge', 'iproute2'], ['nft', 'nftables'], ['iptables-nft', 'iptables'],
  ['strace', 'strace'], ['setpriv', 'util-linux'],
  ...(bench ? [
    ['cc', 'gcc'], ['/usr/lib/python3/dist-packages/pyroute2', 'python3-pyroute2'], ['go', 'golang-go'],
    ['/usr/share/gocode/src/github.com/vishvananda/netlink', 'golang-github-vishvananda-netlink-dev'],
    ['/usr/share/gocode/src/github.com/vishvananda/netns', 'golang-github-vishvananda-netns-dev'],
    ['/usr/share/gocode/src/github.com/google/nftables', 'golang-github-google-nftables-dev'],
    ['/usr/lib/cni/bridge', 'containernetworking-plugins'],
  ] : []),
];

const has = (cmd) => (cmd.startsWith('/') ? fs.existsSync(cmd) : spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0);
const missing = [...new Set(needed.filter(([cmd]) => !has(cmd)).map(([, pkg]) => pkg))];
if (missing.length === 0) process.exit(0);

const line = `apt-get install -y ${missing.join(' ')}`;
if (process.getuid && process.getuid() !== 0) {
  console.error(`${what} needs these Debian packages: ${missing.join(', ')}.\nRun as root: apt-get update && ${line}`);
  process.exit(1);
}
console.log(`${what}: installing the Debian packages it needs: ${missing.join(', ')} (apt-get, as root)`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-q', ...missing], { stdio: 'inherit', env });
