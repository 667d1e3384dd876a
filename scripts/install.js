#!/usr/bin/env node
// npm's install step for the package. When a prebuilt addon fits this machine (prebuilds/<platform>-<arch>/,
// tagged glibc or musl: node-gyp-build's choice, the one src/native.ts loads) and loads, there is
// nothing to build. Otherwise it says why, then builds the addon and its helpers from source with
// node-gyp (node-gyp-build's installer), which needs python3, make and a C++ compiler.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const fromSource = process.env.npm_config_build_from_source === 'true';
const here = `${process.platform}-${process.arch}` + (process.platform === 'linux' ? ` (${libc()})` : '');

function libc() {
  // The same test node-gyp-build makes to pick a prebuild's libc tag.
  return require('node:fs').existsSync('/etc/alpine-release') ? 'musl' : 'glibc';
}

let why = 'a build from source was asked for (--build-from-source)';
if (!fromSource) {
  try {
    const file = require('node-gyp-build').path(root);
    require(file);
    process.exit(0);
  } catch (err) {
    why = String(err instanceof Error ? err.message : err).split('\n')[0];
  }
}
console.error(`netlink-native: no prebuilt binary fits ${here}: ${why}`);
console.error('netlink-native: building it from source with node-gyp (needs python3, make and g++)...');
const run = spawnSync(process.execPath, [require.resolve('node-gyp-build/bin.js')], { cwd: root, stdio: 'inherit' });
if (run.status !== 0) {
  console.error('netlink-native: the build from source failed (see above); prebuilt binaries cover linux x64 and arm64, glibc >= 2.17 and musl.');
}
process.exit(run.status ?? 1);
