// Run by scripts/test-package.sh with the installed tarball (no compiler on PATH): the package
// loads from its prebuild and works: a namespace, a veth pair in it, the links listed, a program
// run inside it through the prebuilt helper (nsenter is not on PATH), then deleted.
'use strict';
const assert = require('node:assert');
const fs = require('node:fs');
const { Netns } = require('netlink-native');

(async () => {
  const name = `nlnt-pre-${process.pid}`;
  const ns = await Netns.create(name);
  try {
    await ns.links.add({ kind: 'veth', name: 'pre0', peer: { name: 'pre1' } });
    const names = (await ns.links.list()).map((l) => l.name).sort();
    assert.deepStrictEqual(names, ['lo', 'pre0', 'pre1']);
    const inside = await ns.exec(process.execPath, ['-e', "process.stdout.write(require('fs').readlinkSync('/proc/self/ns/net'))"]);
    assert.strictEqual(inside.stdout, `net:[${ns.inode}]`);
    assert.notStrictEqual(inside.stdout, fs.readlinkSync('/proc/self/ns/net'));
    console.log(`x64: links ${names.join(',')}; exec inside ${inside.stdout}`);
  } finally {
    await ns.close();
    await Netns.delete(name);
  }
  assert.ok(!(await Netns.list()).includes(name));
})().catch((err) => { console.error(err); process.exit(1); });
