// The import structure of src/: no circles, one module that talks to the addon, and a Netns that
// only what sits above it (the entry point, BridgeNetwork, the CLI) imports. Every import counts,
// `import type` and `export … from` included: a type import is a circle in the design all the same.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as ts from 'typescript';

const root = path.join(__dirname, '..', '..', '..');
const src = path.join(root, 'src');

type Graph = Map<string, string[]>;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** file (relative to src/, without .ts) -> the src/ files it imports. */
function importGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of sourceFiles(src)) {
    const from = path.relative(src, file).replace(/\.ts$/, '');
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.')).map((s) => {
      const abs = path.resolve(path.dirname(file), s);
      const target = fs.existsSync(`${abs}.ts`) ? `${abs}.ts` : path.join(abs, 'index.ts');
      assert.ok(fs.existsSync(target), `${from} imports ${s}: no such file`);
      return path.relative(src, target).replace(/\.ts$/, '');
    });
    graph.set(from, [...new Set(targets)]);
  }
  return graph;
}

/** Every strongly connected group of more than one file (or a file importing itself), as a path. */
function circles(graph: Graph): string[][] {
  // Tarjan's algorithm.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || graph.get(v)?.includes(v)) out.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

const importersOf = (graph: Graph, target: string) => [...graph].filter(([, to]) => to.includes(target)).map(([from]) => from).sort();

describe('import structure of src/', () => {
  const graph = importGraph();

  it('the circle check finds circles (type imports included) when there are some', () => {
    const g: Graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['d']], ['e', ['a']]]);
    assert.deepEqual(circles(g), [['a', 'b', 'c'], ['d']]);
    const { importedFiles } = ts.preProcessFile("import type { X } from './x';\nexport { Y } from './y';\nimport {\n  Z,\n} from './z';", true, true);
    assert.deepEqual(importedFiles.map((f) => f.fileName), ['./x', './y', './z']);
  });

  it('has no import circles', () => {
    assert.ok(graph.size > 40, `only ${graph.size} files found under ${src}`);
    assert.deepEqual(circles(graph), []);
  });

  it('only the transport imports the addon; the codec imports nothing above it', () => {
    assert.deepEqual(importersOf(graph, 'native'), ['kernel/transport']);
    // A link kind's file (codec/link-kinds/) checks its options beside its table, so the codec may
    // import the argument checks: leaves that import nothing in src/ but each other and the codec's
    // address text (codec/text, itself importing nothing).
    const leaves = ['validate', 'ip'];
    assert.deepEqual(graph.get('codec/text'), []);
    for (const leaf of leaves) assert.deepEqual(graph.get(leaf)!.filter((m) => !leaves.includes(m) && m !== 'codec/text'), [], `${leaf} is no leaf`);
    for (const [from, to] of graph) {
      if (from.startsWith('codec/')) assert.deepEqual(to.filter((m) => !m.startsWith('codec/') && !leaves.includes(m)), [], `${from} imports ${to}`);
    }
  });

  it('nothing below Netns imports it: only the entry point, BridgeNetwork, the CNI plugin and the CLI', () => {
    const above = (f: string) => f === 'index' || f.startsWith('network/') || f.startsWith('cni/') || f.startsWith('cli/');
    assert.deepEqual(importersOf(graph, 'netns').filter((f) => !above(f)), []);
  });
});
