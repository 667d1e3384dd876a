// The CNI daemon and its shim (issue 17, "Latency" and "The daemon lets no one in"): the shim's
// call answered by the daemon, or by node when no daemon answers; the socket closed to other
// users, and the caller's credentials checked even when it is not; hostile frames answered with
// the spec's error and the daemon serving on; calls served side by side; SIGTERM drains.
// No network state is touched: the plugin here answers VERSION, and the sockets live in temp dirs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CniDaemon } from '../../src/cni/daemon';
import { decodeAnswer, encodeRequest, FRAME_MAGIC, MAX_STDIN_BYTES } from '../../src/cni/frame';
import { asNobody, cniSandbox, runShim, SLOW_DAEMON, startDaemon } from '../cni-daemon-helpers';
import { waitFor, withCleanup } from '../helpers';

const VERSION_ANSWER = { cniVersion: '1.1.0', supportedVersions: ['0.4.0', '1.0.0', '1.1.0'] };
const served = (log: string) => log.split('\n').filter((l) => / uid \d+: exit /.test(l));
/** The daemon's log lines for calls served, once there are `count` (its stderr may reach us after the shim's exit). */
async function servedLines(daemon: { log(): string }, count: number): Promise<string[]> {
  await waitFor(`${count} calls served in the daemon's log`, () => served(daemon.log()).length >= count);
  return served(daemon.log());
}

/** Writes raw bytes to the daemon's socket and reads all it answers until it closes. */
function rawExchange(socket: string, bytes: Buffer, options: { end?: boolean } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const c = net.connect(socket);
    c.on('data', (d) => chunks.push(d));
    c.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    c.on('close', () => resolve(Buffer.concat(chunks)));
    c.on('connect', () => (options.end ? c.end(bytes) : c.write(bytes)));
  });
}

function errorCode(answer: Buffer): number {
  const r = decodeAnswer(answer);
  assert.ok(r, `an answer frame, not ${answer.length} bytes`);
  assert.equal(r.exitCode, 1);
  return (JSON.parse(r.stdout) as { code: number }).code;
}

describe('nln cni daemon and its shim', () => {
  it('the shim forwards VERSION to the daemon and prints its answer; a refusal keeps its exit code', async () => {
    const box = cniSandbox();
    const daemon = await startDaemon(['--socket', box.socket]);
    await withCleanup(async () => {
      const r = await runShim(box.shim, { CNI_COMMAND: 'VERSION', NLN_CNI_SOCKET: box.socket });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), VERSION_ANSWER);
      const add = await runShim(box.shim, { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', NLN_CNI_SOCKET: box.socket }, '{"cniVersion":"1.1.0","name":"n"}');
      assert.equal(add.code, 1);
      assert.equal(JSON.parse(add.stdout).code, 4);
      // Both went through the daemon (not node started by the shim): it logged them.
      assert.deepEqual((await servedLines(daemon, 2)).map((l) => l.split(' uid')[0]), ['nln cni daemon: VERSION -', 'nln cni daemon: ADD c1']);
    }, () => daemon.stop(), box.remove);
  });

  it('with no daemon (no socket, or a socket nobody listens on) the shim runs the plugin in node: the same answer', async () => {
    const box = cniSandbox();
    await withCleanup(async () => {
      const absent = await runShim(box.shim, { CNI_COMMAND: 'VERSION', NLN_CNI_SOCKET: box.socket });
      assert.equal(absent.code, 0, absent.stdout + absent.stderr);
      assert.deepEqual(JSON.parse(absent.stdout), VERSION_ANSWER);
      // A daemon killed outright leaves its socket file: connect says ECONNREFUSED.
      fs.mkdirSync(path.dirname(box.socket));
      const dead = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(box.socket)}, () => console.log('up'))`]);
      await new Promise((resolve) => dead.stdout.once('data', resolve));
      dead.kill('SIGKILL');
      await new Promise((resolve) => dead.once('exit', resolve));
      assert.ok(fs.lstatSync(box.socket).isSocket());
      const stale = await runShim(box.shim, { CNI_COMMAND: 'VERSION', NLN_CNI_SOCKET: box.socket }, '');
      assert.equal(stale.code, 0, stale.stdout + stale.stderr);
      assert.deepEqual(JSON.parse(stale.stdout), VERSION_ANSWER);
      // And a daemon starting there takes the stale socket over.
      const daemon = await startDaemon(['--socket', box.socket]);
      await daemon.stop();
    }, box.remove);
  });

  it('the socket is root\'s and 0600 in a 0755 directory: nobody cannot connect (EACCES) and the daemon does nothing for it', async () => {
    const box = cniSandbox();
    const daemon = await startDaemon(['--socket', box.socket]);
    await withCleanup(async () => {
      const st = fs.statSync(box.socket);
      assert.equal(st.mode & 0o777, 0o600);
      assert.equal(st.uid, 0);
      const dir = fs.statSync(path.dirname(box.socket));
      assert.equal(dir.mode & 0o777, 0o755);
      assert.equal(dir.uid, 0);
      const r = await runShim(box.shim, { CNI_COMMAND: 'VERSION', NLN_CNI_SOCKET: box.socket }, '', asNobody());
      assert.equal(r.code, 1);
      const err = JSON.parse(r.stdout);
      assert.equal(err.code, 5);
      assert.match(err.details, /Permission denied/);
      // Node as nobody: connect itself is refused.
      const probe = spawn('setpriv', [...asNobody(), process.execPath, '-e',
        `require('net').connect(${JSON.stringify(box.socket)}).on('error', (e) => console.log(e.code)).on('connect', () => console.log('connected'))`]);
      let said = '';
      probe.stdout.on('data', (d) => (said += d));
      await new Promise((resolve) => probe.once('close', resolve));
      assert.equal(said.trim(), 'EACCES');
      assert.deepEqual(served(daemon.log()), []);
      assert.doesNotMatch(daemon.log(), /refused|bad request/); // it never even saw a connection
    }, () => daemon.stop(), box.remove);
  });

  it('a socket whose mode was loosened still serves only root: SO_PEERCRED refuses nobody before reading its request', async () => {
    const box = cniSandbox();
    const daemon = await startDaemon(['--socket', box.socket]);
    await withCleanup(async () => {
      fs.chmodSync(box.socket, 0o666); // an admin's mistake
      const r = await runShim(box.shim, { CNI_COMMAND: 'VERSION', NLN_CNI_SOCKET: box.socket }, '', asNobody());
      assert.equal(r.code, 1);
      assert.equal(JSON.parse(r.stdout).code, 5);
      assert.match(JSON.parse(r.stdout).msg, /does not serve this user/);
      assert.match(daemon.log(), /refused pid \d+ uid 65534 gid 65534/);
      assert.deepEqual(served(daemon.log()), []);
      // Root still is.
      assert.equal((await runShim(box.shim, { CNI_COMMAND: 'VERSION', NLN_CNI_SOCKET: box.socket })).code, 0);
      assert.deepEqual((await servedLines(daemon, 1)).map((l) => /uid (\d+)/.exec(l)![1]), ['0']);
    }, () => daemon.stop(), box.remove);
  });

  it('--group: the socket is 0660 root:GROUP; a member (supplementary or primary) is served, nobody else', async () => {
    const box = cniSandbox();
    const gid = 4242;
    const daemon = await startDaemon(['--socket', box.socket, '--group', String(gid)]);
    await withCleanup(async () => {
      const st = fs.statSync(box.socket);
      assert.equal(st.mode & 0o777, 0o660);
      assert.equal(st.gid, gid);
      const env = { CNI_COMMAND: 'VERSION', NLN_CNI_SOCKET: box.socket };
      const member = await runShim(box.shim, env, '', asNobody([gid]));
      assert.equal(member.code, 0, member.stdout);
      assert.deepEqual(JSON.parse(member.stdout), VERSION_ANSWER);
      const primary = await runShim(box.shim, env, '', ['--reuid=65534', `--regid=${gid}`, '--clear-groups']);
      assert.equal(primary.code, 0, primary.stdout);
      const outsider = await runShim(box.shim, env, '', asNobody());
      assert.equal(outsider.code, 1);
      assert.match(JSON.parse(outsider.stdout).details, /Permission denied/);
      assert.equal((await servedLines(daemon, 2)).filter((l) => l.includes('uid 65534')).length, 2);
    }, () => daemon.stop(), box.remove);
  });

  it('malformed, oversized, hostile and silent requests get the spec\'s error; the daemon serves the next call', async () => {
    const box = cniSandbox();
    const daemon = await startDaemon(['--socket', box.socket, '--request-timeout', '300']);
    await withCleanup(async () => {
      const header = (env: number, stdin: number) => {
        const h = Buffer.alloc(12);
        h.write(FRAME_MAGIC, 0, 'latin1');
        h.writeUInt32BE(env, 4);
        h.writeUInt32BE(stdin, 8);
        return h;
      };
      assert.equal(errorCode(await rawExchange(box.socket, Buffer.from('GET / HTTP/1.1\r\n\r\n'))), 6);
      // Oversized: refused from the header alone, the connection closed without reading the rest.
      assert.equal(errorCode(await rawExchange(box.socket, header(0, MAX_STDIN_BYTES + 1))), 6);
      assert.equal(errorCode(await rawExchange(box.socket, header(64 * 1024 + 1, 0))), 4);
      assert.equal(errorCode(await rawExchange(box.socket, encodeRequest({ env: { LD_PRELOAD: '/tmp/x.so' }, stdin: '' }))), 4);
      assert.equal(errorCode(await rawExchange(box.socket, encodeRequest({ env: { CNI_COMMAND: 'VERSION=' }, stdin: '' }).subarray(0, -1))), 6); // cut short, then silent
      const twice = Buffer.concat([header(32, 0), Buffer.from('CNI_COMMAND=ADD\0CNI_COMMAND=DEL\0')]);
      assert.equal(errorCode(await rawExchange(box.socket, twice)), 4);
      const notUtf8 = Buffer.concat([header(0, 2), Buffer.from([0xff, 0xfe])]);
      assert.equal(errorCode(await rawExchange(box.socket, notUtf8)), 6);
      assert.equal(errorCode(await rawExchange(box.socket, header(0, 100), { end: true })), 6); // ended early
      // Silent: answered once the request timeout passes.
      const started = performance.now();
      assert.equal(errorCode(await rawExchange(box.socket, Buffer.alloc(0))), 6);
      assert.ok(performance.now() - started < 3000);
      // Through the shim, a stdin over 1 MiB is refused before anything is sent.
      const big = await runShim(box.shim, { CNI_COMMAND: 'ADD', NLN_CNI_SOCKET: box.socket }, Buffer.alloc(MAX_STDIN_BYTES + 10, 0x20));
      assert.equal(big.code, 1);
      assert.equal(JSON.parse(big.stdout).code, 6);
      // And a CNI_* variable too large for the frame.
      const wide = await runShim(box.shim, { CNI_COMMAND: 'ADD', CNI_ARGS: 'K='.padEnd(70_000, 'v'), NLN_CNI_SOCKET: box.socket });
      assert.equal(wide.code, 1);
      assert.equal(JSON.parse(wide.stdout).code, 4);
      assert.deepEqual(served(daemon.log()), []);
      assert.equal(daemon.child.exitCode, null);
      const r = await runShim(box.shim, { CNI_COMMAND: 'VERSION', NLN_CNI_SOCKET: box.socket });
      assert.deepEqual(JSON.parse(r.stdout), VERSION_ANSWER);
      assert.equal((await servedLines(daemon, 1)).length, 1);
    }, () => daemon.stop(), box.remove);
  });

  it('a daemon that accepts and never answers: the shim gives up after NLN_CNI_TIMEOUT_MS with code 11 (try again later)', async () => {
    const box = cniSandbox();
    fs.mkdirSync(path.dirname(box.socket));
    const held: net.Socket[] = [];
    const stuck = net.createServer((c) => held.push(c));
    await new Promise<void>((resolve) => stuck.listen(box.socket, resolve));
    await withCleanup(async () => {
      const r = await runShim(box.shim, { CNI_COMMAND: 'VERSION', NLN_CNI_SOCKET: box.socket, NLN_CNI_TIMEOUT_MS: '300' });
      assert.equal(r.code, 1);
      assert.equal(JSON.parse(r.stdout).code, 11);
      assert.match(JSON.parse(r.stdout).msg, /did not answer in time/);
      assert.ok(r.ms < 3000, `${r.ms} ms`);
      assert.equal(held.length, 1);
    }, () => {
      for (const c of held) c.destroy();
      return new Promise((resolve) => stuck.close(resolve));
    }, box.remove);
  });

  it('32 calls at once are served side by side: the time of one slow call, not 32', async () => {
    const box = cniSandbox();
    const delay = 500;
    const daemon = await startDaemon([box.socket, String(delay)], SLOW_DAEMON);
    await withCleanup(async () => {
      const started = performance.now();
      const runs = await Promise.all(Array.from({ length: 32 }, () => runShim(box.shim, { CNI_COMMAND: 'VERSION', NLN_CNI_SOCKET: box.socket })));
      const elapsed = performance.now() - started;
      for (const r of runs) assert.deepEqual(JSON.parse(r.stdout), VERSION_ANSWER);
      assert.equal((await servedLines(daemon, 32)).length, 32);
      // One after another: 32 delays; allowed 8 (a loaded 2-core machine spawns 32 shims slowly).
      assert.ok(elapsed < delay * 8, `32 calls of ${delay} ms took ${elapsed.toFixed(0)} ms (one after another: ${32 * delay} ms)`);
    }, () => daemon.stop(), box.remove);
  });

  it('a GC of a network runs alone: an ADD to it waits for the GC, an ADD to another network does not', async () => {
    const box = cniSandbox();
    const daemon = await startDaemon([box.socket, '800'], SLOW_DAEMON);
    await withCleanup(async () => {
      const call = (command: string, container: string, network: string) =>
        runShim(box.shim, { CNI_COMMAND: command, CNI_CONTAINERID: container, NLN_CNI_SOCKET: box.socket }, JSON.stringify({ cniVersion: '1.1.0', name: network }));
      const gc = call('GC', 'gc', 'n1');
      await waitFor('the GC in the plugin', () => daemon.log().includes('handling GC gc'));
      await Promise.all([gc, call('ADD', 'same', 'n1'), call('ADD', 'other', 'n2')]);
      const lines = daemon.log().split('\n');
      const at = (text: string) => lines.findIndex((l) => l.includes(text));
      assert.ok(at('handling ADD other') < at('done GC gc'), daemon.log());
      assert.ok(at('handling ADD same') > at('done GC gc'), daemon.log());
    }, () => daemon.stop(), box.remove);
  });

  it('SIGTERM: the socket goes at once (new calls fall back to node), the calls in flight are answered, then it exits 0', async () => {
    const box = cniSandbox();
    const daemon = await startDaemon([box.socket, '800'], SLOW_DAEMON);
    await withCleanup(async () => {
      const env = { CNI_COMMAND: 'VERSION', NLN_CNI_SOCKET: box.socket };
      const inFlight = Array.from({ length: 4 }, () => runShim(box.shim, env));
      await waitFor('4 calls in the plugin', () => (daemon.log().match(/handling/g) ?? []).length === 4);
      const exited = daemon.stop();
      await waitFor('the daemon to stop listening', () => daemon.log().includes('stopping'));
      assert.match(daemon.log(), /SIGTERM: stopping, 4 request\(s\) in flight/);
      assert.equal(fs.existsSync(box.socket), false);
      const during = await runShim(box.shim, env);
      assert.deepEqual(JSON.parse(during.stdout), VERSION_ANSWER);
      for (const r of await Promise.all(inFlight)) {
        assert.equal(r.code, 0, r.stdout);
        assert.deepEqual(JSON.parse(r.stdout), VERSION_ANSWER);
      }
      assert.equal(await exited, 0);
      assert.equal(served(daemon.log()).length, 4);
      assert.match(daemon.log(), /stopped/);
    }, () => daemon.stop(), box.remove);
  });

  it('refuses a directory others may write in, a path that is not a socket, and a socket another daemon serves', async () => {
    const box = cniSandbox();
    await withCleanup(async () => {
      const open = path.join(box.dir, 'open');
      fs.mkdirSync(open);
      fs.chmodSync(open, 0o777);
      await assert.rejects(CniDaemon.listen({ socket: path.join(open, 'cni.sock') }), /writable by no one else/);
      fs.writeFileSync(path.join(box.dir, 'file.sock'), '');
      await assert.rejects(CniDaemon.listen({ socket: path.join(box.dir, 'file.sock') }), /not a socket/);
      const first = await CniDaemon.listen({ socket: box.socket, log: () => {} });
      try {
        await assert.rejects(CniDaemon.listen({ socket: box.socket }), /another daemon is listening/);
      } finally {
        await first.close();
      }
      assert.equal(fs.existsSync(box.socket), false);
    }, box.remove);
  });

  it('nln cni install writes the shim and its conf by rename, replacing what was there', async () => {
    const box = cniSandbox();
    await withCleanup(async () => {
      const bin = path.dirname(box.shim);
      fs.writeFileSync(box.shim, 'old');
      const out = await new Promise<number | null>((resolve) => spawn(process.execPath, [path.join(__dirname, '..', '..', 'src', 'cli', 'main.js'), 'cni', 'install',
        '--bin-dir', bin, '--socket', '/run/other/cni.sock'], { stdio: 'ignore' }).once('exit', resolve));
      assert.equal(out, 0);
      assert.deepEqual(fs.readdirSync(bin).sort(), ['nln-bridge', 'nln-bridge.conf']);
      assert.equal(fs.statSync(box.shim).mode & 0o777, 0o755);
      assert.ok(fs.readFileSync(box.shim).subarray(0, 4).equals(Buffer.from('\x7fELF')));
      const conf = fs.readFileSync(`${box.shim}.conf`, 'utf8');
      assert.match(conf, new RegExp(`^node=${process.execPath}$`, 'm'));
      assert.match(conf, /^plugin=.*\/cni\/plugin-main\.js$/m);
      assert.match(conf, /^socket=\/run\/other\/cni\.sock$/m);
    }, box.remove);
  });
});
