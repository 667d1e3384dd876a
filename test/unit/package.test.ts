// The package as users load it: `require` and `import` of 'netlink-native' give the same API.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const root = path.join(__dirname, '..', '..', '..');
const names = ['NetlinkError', 'Netns'];

describe('package entry points', () => {
  it('require and import both expose the public API, the same objects', () => {
    const esm = `import * as m from 'netlink-native'; import { createRequire } from 'node:module';
      const cjs = createRequire(import.meta.url)('netlink-native');
      console.log(JSON.stringify(${JSON.stringify(names)}.map((n) => [n, typeof m[n], m[n] === cjs[n]])));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', esm], { cwd: root, encoding: 'utf8' });
    for (const [name, type, same] of JSON.parse(out)) {
      assert.equal(type, 'function', name);
      assert.equal(same, true, name);
    }
  });

  it('the nln bin prints its help', () => {
    const out = execFileSync(process.execPath, [path.join(root, 'dist', 'src', 'cli', 'main.js'), '--help'], { encoding: 'utf8' });
    assert.match(out, /^usage: nln \[-n NS\] \[-j\] <command>/);
  });
});
