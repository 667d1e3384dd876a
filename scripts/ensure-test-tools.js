// `npm test` step 1: the oracle tools the tests compare against (ip, bridge, nft, iptables-nft,
// strace, setpriv). Missing ones are installed from Debian when running as root (saying so);
// otherwise this stops with the apt-get line to run.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');

const needed = {
  ip: 'iproute2',
  bridge: 'iproute2',
  nft: 'nftables',
  'iptables-nft': 'iptables',
  strace: 'strace',
  setpriv: 'util-linux',
};

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const missing = [...new Set(Object.entries(needed).filter(([cmd]) => !has(cmd)).map(([, pkg]) => pkg))];
if (missing.length === 0) process.exit(0);

const line = `apt-get install -y ${missing.join(' ')}`;
if (process.getuid && process.getuid() !== 0) {
  console.error(`npm test needs these Debian packages for its oracle tests: ${missing.join(', ')}.\nRun as root: apt-get update && ${line}`);
  process.exit(1);
}
console.log(`npm test: installing the Debian packages its oracle tests need: ${missing.join(', ')} (apt-get, as root)`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-q', ...missing], { stdio: 'inherit', env });
