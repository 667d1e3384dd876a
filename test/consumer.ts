// A user's project, for tests of the package as it is consumed: a throwaway directory whose
// node_modules/netlink-native is this package (a symlink, as `npm link` makes), and TypeScript
// compiled there the way a strict user project compiles it, against the package's shipped .d.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

/** The package's root (dist/test/… is three levels below it once compiled). */
export const packageRoot = path.join(__dirname, '..', '..');

/** Runs fn in a fresh consumer project directory, removed afterwards. */
export async function withConsumerProject<T>(fn: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nln-consumer-'));
  try {
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(packageRoot, path.join(dir, 'node_modules', 'netlink-native'), 'dir');
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Type-checks and compiles files of a consumer project (ESM, as Node runs .mts/.mjs), with the
 * library checks on: a broken or leaky .d.ts in the package is an error here. Returns the
 * diagnostics as text (empty when it compiled) and writes the .mjs next to each .mts.
 */
export function compileConsumer(dir: string, files: string[]): string[] {
  const program = ts.createProgram(files.map((f) => path.join(dir, f)), {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
    types: ['node'],
    typeRoots: [path.join(packageRoot, 'node_modules', '@types')],
    strict: true,
    skipLibCheck: false,
    outDir: dir,
    rootDir: dir,
  });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics];
  return diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? `${path.relative(dir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
    return `${where}TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}
