// The README's example, run as a user would run it (the package imported by name, as ESM), with
// the output its comments promise. Its namespaces are its own and gone afterwards.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as ts from 'typescript';
import { ipJson } from '../helpers';

const root = path.join(__dirname, '..', '..', '..');

describe('README', () => {
  it('the example runs and prints what its comments say', async () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)![1];
    const promised = [...code.matchAll(/console\.log\(.*\/\/ (.*)$/gm)].map((m) => m[1].trim());
    assert.equal(promised.length, 2);
    // TypeScript, as a user's build would compile it (`await using` needs the downlevel).
    const js = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', js], { cwd: root, encoding: 'utf8' });
    assert.deepEqual(out.trim().split('\n'), promised);
    const left = (await ipJson(undefined, ['netns', 'list'])).map((n) => n.name);
    assert.ok(!left.includes('demo-host') && !left.includes('demo-c1'), `left behind: ${left.join(' ')}`);
  });
});
