import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ipJson, runNetnsNames, sh, uniqueName } from '../helpers';

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
    try {
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
    } finally {
      await cli('netns', 'del', name);
    }
    assert.ok(!runNetnsNames().includes(name));
  });
});
