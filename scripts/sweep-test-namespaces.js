#!/usr/bin/env node
// Deletes the namespaces a killed test run left behind. Tests name theirs nlnt-<pid>-… or
// nlnt-cni-<pid>-… and delete them in their own cleanup; a run killed mid-test (a timeout, a
// session cut off) cannot, so npm test starts by removing those whose process is gone.
// Only names of that form, and only when that pid no longer exists: a run in progress keeps its own.
'use strict';
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

const dir = '/run/netns';
const names = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
for (const name of names) {
  const m = /^nlnt-(?:cni-)?(\d+)-/.exec(name);
  if (!m || fs.existsSync(`/proc/${m[1]}`)) continue;
  try {
    execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
    console.log(`removed ${name}, left by test process ${m[1]} (no longer running)`);
  } catch {
    console.warn(`could not remove ${name}`);
  }
}
