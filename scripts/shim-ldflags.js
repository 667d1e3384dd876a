// The CNI shim's link flags, for binding.gyp: static when it can be. A runtime execs the shim for
// every CNI call, and the dynamic loader was a quarter of each exec's cost (bench/README.md). Not
// under the sanitizers (scripts/sanitize.sh: they cannot link statically), and not where the C
// library has no static archive (Fedora without glibc-static): there it links as before.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');

function staticLibc() {
  try {
    const cc = process.env.CC || 'cc';
    const archive = execFileSync(cc, ['-print-file-name=libc.a'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return archive.startsWith('/') && fs.existsSync(archive);
  } catch {
    return false;
  }
}

const sanitized = /sanitize/.test(process.env.LDFLAGS || '');
process.stdout.write(!sanitized && staticLibc() ? '-static' : '');
