// The README's examples, run as a user runs them: the JavaScript one saved as a .mjs file in a
// project whose node_modules holds this package and started with `node` (no compiler: it must be
// plain JavaScript for the engines field's Node), the TypeScript one compiled by tsc against the
// package's shipped types and then run. Each must print what its comments promise.
//
// The examples name their namespaces demo-host and demo-c1, as a user's script would. The test
// replaces those two names, everywhere in the code, with names unique to this run: the code is
// otherwise run exactly as it appears, and it can neither fail because the machine already has a
// `demo-host` (a user's, or a crashed run's) nor delete one that is not its own.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { compileConsumer, packageRoot, withConsumerProject } from '../consumer';
import { runNetnsNames, uniqueName } from '../helpers';

const run = promisify(execFile);
const readme = fs.readFileSync(path.join(packageRoot, 'README.md'), 'utf8');
const example = readme.slice(readme.indexOf('\n## Example\n'));

function block(lang: string): string {
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(example);
  assert.ok(m, `README's Example section has a ${lang} block`);
  return m[1];
}

/** The code with its namespace names made unique, and those names. */
function personalized(code: string): { code: string; names: string[] } {
  const names = { 'demo-host': uniqueName('readme-host'), 'demo-c1': uniqueName('readme-c1') };
  for (const [from, to] of Object.entries(names)) code = code.split(from).join(to);
  assert.doesNotMatch(code, /demo-/, 'every namespace name of the example was replaced');
  return { code, names: Object.values(names) };
}

/** What the example's comments say its console.log lines print. */
const promised = (code: string) => [...code.matchAll(/console\.log\(.*\/\/ (.*)$/gm)].map((m) => m[1].trim());

describe('README', () => {
  it('the JavaScript example runs as pasted into example.mjs (no await using) and prints what its comments say', async () => {
    const js = block('js');
    assert.doesNotMatch(js, /await using/);
    assert.equal(promised(js).length, 2);
    const { code, names } = personalized(js);
    await withConsumerProject(async (dir) => {
      fs.writeFileSync(path.join(dir, 'example.mjs'), code);
      const { stdout } = await run(process.execPath, ['example.mjs'], { cwd: dir });
      assert.deepEqual(stdout.trim().split('\n'), promised(js));
    });
    assert.deepEqual(runNetnsNames().filter((n) => names.includes(n)), [], 'the example removes its namespaces');
  });

  it('the TypeScript example (await using) compiles with tsc against the package types and runs', async () => {
    const tsCode = block('ts');
    assert.match(tsCode, /await using/);
    const { code, names } = personalized(tsCode);
    await withConsumerProject(async (dir) => {
      fs.writeFileSync(path.join(dir, 'example.mts'), code);
      assert.deepEqual(compileConsumer(dir, ['example.mts']), []);
      const { stdout } = await run(process.execPath, ['example.mjs'], { cwd: dir });
      assert.deepEqual(stdout.trim().split('\n'), promised(tsCode));
    });
    assert.deepEqual(runNetnsNames().filter((n) => names.includes(n)), [], 'the example removes its namespaces');
  });
});
