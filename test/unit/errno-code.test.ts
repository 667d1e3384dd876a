// NetlinkError.code is a union of errno names: a misspelt comparison is a compile error, checked
// here by compiling snippets against the sources with the TypeScript compiler.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as ts from 'typescript';
import { NetlinkError } from '../../src/index';

const root = path.join(__dirname, '..', '..', '..');

/** Each snippet's diagnostics, all compiled in one program with the project's strictness against src/errors.ts. */
function compile(snippets: string[]): string[][] {
  const files = snippets.map((_, i) => path.join(root, 'test', 'unit', `__errno_snippet_${i}.ts`));
  const sources = new Map(files.map((f, i) => [f, `import { NetlinkError, type ErrnoCode } from '../../src/errors';\n${snippets[i]}\n`]));
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, types: ['node'], skipLibCheck: true };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile;
  host.getSourceFile = (name, version, ...rest) => {
    const text = sources.get(path.resolve(name));
    return text === undefined ? read(name, version, ...rest) : ts.createSourceFile(name, text, version);
  };
  const diagnostics = ts.getPreEmitDiagnostics(ts.createProgram(files, options, host));
  return files.map((f) => diagnostics.filter((d) => d.file && path.resolve(d.file.fileName) === f).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')));
}

describe('NetlinkError.code', () => {
  it("is a union of errno names: `e.code === 'ENODEVV'` does not compile, `'ENODEV'` does", () => {
    const [good, bad] = compile([
      `export const ok = (e: NetlinkError) => e.code === 'ENODEV' || e.code === 'EOPNOTSUPP' || e.code === 'ENOTSUPP';\nexport const c: ErrnoCode = 'EEXIST';`,
      `export const bad = (e: NetlinkError) => e.code === 'ENODEVV';`,
    ]);
    assert.deepEqual(good, []);
    assert.equal(bad.length, 1);
    assert.match(bad[0], /This comparison appears to be unintentional because the types '.*' and '"ENODEVV"' have no overlap/);
  });

  it('names every errno the kernel uses, and the link and namespace an error is about', () => {
    assert.equal(new NetlinkError('x', 17).code, 'EEXIST');
    assert.equal(new NetlinkError('x', 95).code, 'EOPNOTSUPP');
    assert.equal(new NetlinkError('x', 76).code, 'ENOTUNIQ'); // not in libuv's table
    assert.equal(new NetlinkError('x', 524).code, 'ENOTSUPP');
    assert.equal(new NetlinkError('x', 999).code, 'E999');
    const e = new NetlinkError('link.add', 17, { link: 'v0', netns: 'c0' });
    assert.equal(e.message, 'link.add: EEXIST (file already exists): link "v0" in namespace "c0"');
    assert.deepEqual([e.link, e.netns], ['v0', 'c0']);
    assert.ok(!('link' in new NetlinkError('x', 1)));
  });
});
