// `nln monitor` against `ip monitor`, both listening in the same namespace while `ip` makes changes:
// the same lines.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { sh, waitFor, withNamespaces } from '../helpers';
import { capture, ended, lines } from '../watch-helpers';

const nln = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

describe('nln monitor', () => {
  it('prints the lines ip monitor prints for addresses, routes, neighbours and rules', async () => {
    await withNamespaces(1, async (ns) => {
      const n = ns.name!;
      await sh('ip', ['-n', n, 'link', 'add', 'w0', 'type', 'veth', 'peer', 'name', 'w1']);
      await sh('ip', ['-n', n, 'link', 'set', 'w0', 'up']);
      const objects = ['address', 'route', 'neigh', 'rule'];
      const ip = capture('ip', ['-n', n, 'monitor', ...objects]);
      const ours = capture(process.execPath, [nln, '-n', n, 'monitor', ...objects]);
      let from = [0, 0];
      try {
        // Both listening once each has reported a marker change (made again until both have).
        await waitFor('both monitors to listen', async () => {
          await sh('ip', ['-n', n, 'rule', 'add', 'priority', '7', 'table', '7']);
          await new Promise((r) => setTimeout(r, 100));
          await sh('ip', ['-n', n, 'rule', 'del', 'priority', '7']);
          await new Promise((r) => setTimeout(r, 100));
          return ip.out().includes('Deleted 7:') && ours.out().includes('Deleted 7:');
        }, 20000);
        from = [ip.out().length, ours.out().length];
        await sh('ip', ['-n', n, 'addr', 'add', '198.18.7.1/24', 'dev', 'w0']);
        await sh('ip', ['-n', n, 'addr', 'add', '2001:db8::1/64', 'dev', 'w0', 'nodad']);
        await sh('ip', ['-n', n, 'route', 'add', '198.18.9.0/24', 'via', '198.18.7.2', 'metric', '5']);
        await sh('ip', ['-n', n, 'neigh', 'add', '198.18.7.3', 'lladdr', '02:00:00:00:00:03', 'dev', 'w0']);
        await sh('ip', ['-n', n, 'rule', 'add', 'from', '198.18.7.0/24', 'fwmark', '0x10/0xff', 'table', '100', 'priority', '100']);
        await sh('ip', ['-n', n, 'route', 'del', '198.18.9.0/24']);
        await sh('ip', ['-n', n, 'neigh', 'del', '198.18.7.3', 'dev', 'w0']);
        await sh('ip', ['-n', n, 'rule', 'del', 'priority', '100']);
        await sh('ip', ['-n', n, 'addr', 'del', '198.18.7.1/24', 'dev', 'w0']);
        await sh('ip', ['-n', n, 'rule', 'add', 'priority', '8', 'table', '8']);
        await waitFor('both monitors to see the last change', () => ip.out().includes('from all lookup 8') && ours.out().includes('from all lookup 8'));
      } finally {
        ip.child.kill('SIGINT');
        ours.child.kill('SIGINT');
        await Promise.all([ended(ip.child), ended(ours.child)]);
      }
      assert.equal(ours.child.exitCode, 0, 'nln monitor ends cleanly on SIGINT');
      // What each printed once both listened (a marker one saw and the other missed is before that).
      const [theirs, mine] = [lines(ip.out().slice(from[0])), lines(ours.out().slice(from[1]))];
      assert.ok(theirs.length > 10, theirs.join('\n'));
      assert.deepEqual(mine, theirs);
    });
  });

  it('prints the lines ip monitor prints for links (veth, up/down, mtu, rename, master, alias, bridge, delete, another namespace), alone and with every object', async () => {
    await withNamespaces(3, async (ns, other, known) => {
      const n = ns.name!;
      const ipLink = (...args: string[]) => sh('ip', ['-n', n, 'link', ...args]);
      // A peer in a named namespace that has an id here before the monitors start: ip names it (link-netns NAME).
      await ipLink('add', 'p0', 'type', 'veth', 'peer', 'name', 'p1', 'netns', known.name!);
      const all = ['link', 'address', 'route', 'neigh', 'rule'];
      // Pairs listening at once: ip and nln for links only, and for every object nln knows.
      const pairs = [
        [capture('ip', ['-n', n, 'monitor', 'link']), capture(process.execPath, [nln, '-n', n, 'monitor', 'link'])],
        [capture('ip', ['-n', n, 'monitor', ...all]), capture(process.execPath, [nln, '-n', n, 'monitor'])],
      ];
      const outs = pairs.flat();
      let from = outs.map(() => 0);
      try {
        // A marker change (lo's mtu there and back, made again until every monitor has printed both).
        const sawMarker = (out: string) => out.includes('mtu 60000') && out.slice(out.lastIndexOf('mtu 60000')).includes('mtu 65536');
        await waitFor('the monitors to listen', async () => {
          await ipLink('set', 'lo', 'mtu', '60000');
          await new Promise((r) => setTimeout(r, 100));
          await ipLink('set', 'lo', 'mtu', '65536');
          await new Promise((r) => setTimeout(r, 100));
          return outs.every((o) => sawMarker(o.out()));
        }, 20000);
        from = outs.map((o) => o.out().length);
        await ipLink('set', 'p0', 'up');
        await ipLink('add', 'w0', 'type', 'veth', 'peer', 'name', 'w1');
        await ipLink('set', 'w0', 'up');
        await ipLink('set', 'w1', 'up');
        await ipLink('set', 'w0', 'mtu', '1400');
        await ipLink('set', 'w0', 'down');
        await ipLink('set', 'w0', 'name', 'w0x');
        await ipLink('add', 'br0', 'type', 'bridge');
        await ipLink('set', 'w0x', 'master', 'br0');
        await ipLink('set', 'w0x', 'alias', 'the port');
        await ipLink('set', 'br0', 'up');
        await ipLink('set', 'w1', 'netns', other.name!);
        await ipLink('del', 'br0');
        await ipLink('del', 'w0x');
        await ipLink('set', 'lo', 'mtu', '61000');
        await waitFor('every monitor to see the last change', () => outs.every((o) => o.out().includes('mtu 61000')));
      } finally {
        for (const o of outs) o.child.kill('SIGINT');
        await Promise.all(outs.map((o) => ended(o.child)));
      }
      for (const [, ours] of pairs) assert.equal(ours.child.exitCode, 0, 'nln monitor ends cleanly on SIGINT');
      const printed = outs.map((o, i) => lines(o.out().slice(from[i])));
      const [theirs, mine] = [printed[0], printed[1]];
      // What ip printed covers each case (so that a test of nothing cannot pass).
      for (const expected of ['@NONE:', 'M-DOWN', 'mtu 1400 qdisc noqueue', 'w0x@w1', 'master br0 state', 'Deleted', 'link-netnsid', `link-netns ${known.name}`, 'new-netnsid', 'w0x@if', 'link/ether']) {
        assert.ok(theirs.some((l) => l.includes(expected)), `ip monitor printed ${expected}:\n${theirs.join('\n')}`);
      }
      assert.deepEqual(mine, theirs);
      assert.deepEqual(printed[3], printed[2]);
    });
  });
});
