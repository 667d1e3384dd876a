// The package as users load it: `require` and `import` of 'netlink-native' give the same API.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { compileConsumer, withConsumerProject } from '../consumer';

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

  it('require loads only what a first call needs: the netfilter families, BridgeNetwork, watch and node:net on first use, as the same classes', () => {
    // A fresh process: what `require` compiled, then the lazy names read (no namespace is touched).
    const script = `const before = new Set(process.moduleLoadList);
      const m = require('netlink-native');
      const loaded = () => Object.keys(require.cache).map((f) => f.split('/dist/src/')[1]).filter(Boolean);
      const early = loaded();
      const builtins = process.moduleLoadList.filter((x) => !before.has(x) && x.startsWith('NativeModule ')).map((x) => x.slice(13));
      const same = [m.Nftables === require('./dist/src/nft/nftables').Nftables, m.NftTransaction === require('./dist/src/nft/nftables').NftTransaction,
        m.Iptables === require('./dist/src/iptables/iptables').Iptables, m.Conntrack === require('./dist/src/conntrack/conntrack').Conntrack,
        m.BridgeNetwork === require('./dist/src/network/bridge-network').BridgeNetwork];
      console.log(JSON.stringify({ early, builtins, same, late: loaded().length }));`;
    const { early, builtins, same, late } = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }));
    const lazy = /^(nft|iptables|conntrack|network|cni|cli)\/|^(watch|process)\.js$|^codec\/(nftables|conntrack|ipset)\.js$/;
    assert.deepEqual(early.filter((f: string) => lazy.test(f)), []);
    assert.ok(early.length < 60, `require compiled ${early.length} modules`);
    assert.deepEqual(builtins.filter((b: string) => ['net', 'stream', 'child_process'].includes(b)), []);
    assert.deepEqual(same, [true, true, true, true, true]);
    assert.ok(late > early.length);
  });

  it('npm pack ships what runs: dist/src (no tests, no source maps), the install script, the native sources, the prebuilds; no build leftovers', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const files = new Set<string>(pack.files.map((f: { path: string }) => f.path));
    for (const needed of ['package.json', 'dist/src/index.js', 'dist/src/index.mjs', 'dist/src/index.d.ts', 'dist/src/cli/main.js',
      'scripts/install.js', 'scripts/shim-ldflags.js', 'binding.gyp', 'native/exports.map', 'native/helper/netns_exec.c', 'native/binding/addon.cc']) {
      assert.ok(files.has(needed), needed);
    }
    const leftovers = [...files].filter((f) => /^(build|dist\/test|test|node_modules)\//.test(f) || /\.(js\.map|o|a|tsbuildinfo|log)$/.test(f) ||
      (/\.node$/.test(f) && !f.startsWith('prebuilds/')));
    assert.deepEqual(leftovers, []);
    // Whatever `npm run prebuild:all` made is in the tarball, every file of it.
    const prebuilds = path.join(root, 'prebuilds');
    const made = fs.existsSync(prebuilds) ? fs.readdirSync(prebuilds, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath ?? e.path, e.name))) : [];
    assert.deepEqual(made.filter((f) => !files.has(f)), []);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.install, 'node scripts/install.js');
  });

  it('every helper executable is found: the prebuilt one for this arch first, else the source build\'s', () => {
    const { HELPERS, helperPath } = require('../../src/native') as typeof import('../../src/native');
    for (const name of HELPERS) {
      const prebuilt = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, name);
      const found = helperPath(name);
      assert.equal(found, fs.existsSync(prebuilt) ? prebuilt : path.join(root, 'build', 'Release', name), name);
      assert.ok(fs.existsSync(found), found);
    }
  });

  it('the nln bin prints its help', () => {
    const out = execFileSync(process.execPath, [path.join(root, 'dist', 'src', 'cli', 'main.js'), '--help'], { encoding: 'utf8' });
    assert.match(out, /^usage: nln \[-n NS\] \[-j\] \[-4\|-6\] <command>/);
  });

  it('the shipped .d.ts holds no @internal member, and a consumer compiling against it can use the API but not the internals', async () => {
    const shipped: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.d.ts')) shipped.push(p);
      }
    };
    walk(path.join(root, 'dist', 'src'));
    assert.ok(shipped.length > 10);
    for (const file of shipped) assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /@internal/, path.relative(root, file));
    await withConsumerProject((dir) => {
      // What a user writes: it must compile cleanly, with the package's .d.ts checked too.
      fs.writeFileSync(path.join(dir, 'uses.mts'), `import { Netns, NetlinkError, BridgeNetwork } from 'netlink-native';
        export async function f(): Promise<void> {
          await using ns = await Netns.create('x');
          await ns.links.add({ kind: 'bridge', name: 'br0', up: true });
          await ns.routes.list({ table: 'all' });
          await ns.nft.transaction((tx) => { tx.addTable({ family: 'ip', name: 't' }); });
          const net = await BridgeNetwork.open('br0', { netns: ns });
          console.log(net.subnet, new NetlinkError('x', 17).code);
        }\n`);
      assert.deepEqual(compileConsumer(dir, ['uses.mts']), []);
      // The internals, one line each: every line must be refused as "does not exist".
      const internals = [
        'ns.request(0, { type: 0 } as never, "x")', 'Netns.chain([])', 'Netns.borrow("x")', 'ns.lendFdSync()',
        'ns.nativeHandle("x")', 'ns.links.index("lo", "x", "y")', 'ns.routes.addMessage({ dst: "default" })',
        'ns.addresses.addMessage("lo", "127.0.0.2/8")',
      ];
      fs.writeFileSync(path.join(dir, 'internals.mts'), `import { Netns } from 'netlink-native';
        export async function g(ns: Netns): Promise<void> {\n${internals.map((l) => `          void ${l};`).join('\n')}\n        }\n`);
      const errors = compileConsumer(dir, ['internals.mts']);
      assert.equal(errors.length, internals.length, errors.join('\n'));
      for (const [i, line] of internals.entries()) {
        const member = /\.(\w+)\(/.exec(line.replace(/^ns\.(links|routes|addresses)/, ''))![1];
        assert.match(errors[i], new RegExp(`internals\\.mts:${i + 3}: TS2339 Property '${member}' does not exist`), line);
      }
    });
  });
});
