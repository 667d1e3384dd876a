// Run by scripts/test-package.sh under qemu-aarch64 with an arm64 Node: the installed package loads
// its linux-arm64 glibc prebuild and a call goes through the addon's threads and back (opening a
// namespace that does not exist: refused ENOENT by the addon; nothing is created, no netlink).
'use strict';
const assert = require('node:assert');
const { Netns, NetlinkError } = require('netlink-native');

(async () => {
  assert.strictEqual(process.arch, 'arm64');
  await assert.rejects(Netns.open(`nlnt-pre-missing-${process.pid}`), (err) => err instanceof NetlinkError && err.code === 'ENOENT');
  console.log('arm64: loaded; Netns.open of a missing namespace refused ENOENT by the addon');
})().catch((err) => { console.error(err); process.exit(1); });
