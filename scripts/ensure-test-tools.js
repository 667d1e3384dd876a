// `npm test` step 1: the oracle tools the tests compare against (ip, bridge, nft, iptables-nft,
// ipset, strace, setpriv, flock, conntrack), and for the CNI tests Go with libcni, the reference CNI plugins,
// podman, runc and a static busybox. With
// --bench (`npm run bench`), also the benchmark's peers: pyroute2, Go with vishvananda/netlink and
// google/nftables, a C compiler. With --fuzz (.ci/run,
// before scripts/sanitize.sh and scripts/fuzz.sh), also gcc's sanitizer runtimes and clang with
// libFuzzer. Missing ones are installed from Debian when running as root (saying so); otherwise
// this stops with the apt-get line to run.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');

const fs = require('node:fs');
const bench = process.argv.includes('--bench');
const fuzz = process.argv.includes('--fuzz');
const what = bench ? 'npm run bench' : fuzz ? "CI's sanitizer and fuzzing step" : 'npm test';
// libFuzzer's runtime, where the installed clang looks for it (absent: no clang, or no libclang-rt).
function fuzzerRuntime() {
  const dir = spawnSync('clang', ['-print-resource-dir'], { encoding: 'utf8' });
  const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch] ?? process.arch;
  return dir.status === 0 ? `${dir.stdout.trim()}/lib/linux/libclang_rt.fuzzer-${arch}.a` : '/nonexistent/libclang_rt.fuzzer';
}
// [a command on PATH or an absolute path that must exist, the Debian package providing it]
const needed = [
  ['ip', 'iproute2'], ['bridge', 'iproute2'], ['nft', 'nftables'], ['iptables-nft', 'iptables'],
  ['strace', 'strace'], ['setpriv', 'util-linux'], ['flock', 'util-linux'], ['ipset', 'ipset'], ['conntrack', 'conntrack'],
  // The CNI tests: libcni (built with Go from Debian's GOPATH tree) and the reference plugins.
  ['go', 'golang-go'], ['/usr/share/gocode/src/github.com/containernetworking/cni/libcni', 'golang-github-appc-cni-dev'],
  ['/usr/lib/cni/bridge', 'containernetworking-plugins'],
  // The podman test: podman's CNI backend with runc (crun refuses hybrid cgroups), busybox as the rootfs.
  ['podman', 'podman'], ['runc', 'runc'], ['/bin/busybox', 'busybox-static'],
  ...(bench ? [
    ['cc', 'gcc'], ['/usr/lib/python3/dist-packages/pyroute2', 'python3-pyroute2'],
    ['/usr/share/gocode/src/github.com/vishvananda/netlink', 'golang-github-vishvananda-netlink-dev'],
    ['/usr/share/gocode/src/github.com/vishvananda/netns', 'golang-github-vishvananda-netns-dev'],
    ['/usr/share/gocode/src/github.com/google/nftables', 'golang-github-google-nftables-dev'],
  ] : []),
  ...(fuzz ? [
    ['g++', 'g++'],  // brings gcc's libasan/libubsan (sanitize.sh)
    ['clang++', 'clang'], [fuzzerRuntime(), 'libclang-rt-dev'],
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
