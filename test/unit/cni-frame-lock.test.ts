// The daemon's frame (both its sides agree) and its per-network lock (GC alone, ADDs side by side).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CNI_VARIABLES, decodeAnswer, decodeRequestBody, encodeAnswer, encodeRequest, FRAME_MAGIC, MAX_ENV_BYTES, MAX_STDIN_BYTES, readRequestHeader, REQUEST_HEADER_BYTES } from '../../src/cni/frame';
import { NetworkLock } from '../../src/cni/network-lock';
import { NetlinkError } from '../../src/errors';
import { peerCredentials } from '../../src/kernel/transport';
import * as net from 'node:net';
import * as os from 'node:os';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the CNI daemon frame', () => {
  it('the shim (C) and the daemon (TS) share magic, bounds and variables', () => {
    const c = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'native', 'helper', 'cni_shim.c'), 'utf8');
    const define = (name: string) => /#define \w+ (.*)/.exec(c.split('\n').find((l) => l.startsWith(`#define ${name} `)) ?? '')?.[1];
    assert.equal(define('FRAME_MAGIC'), JSON.stringify(FRAME_MAGIC));
    assert.equal(Number(define('FRAME_HEADER')), REQUEST_HEADER_BYTES);
    const product = (text = '') => text.replace(/[()]/g, '').split('*').reduce((p, n) => p * Number(n), 1);
    assert.equal(product(define('MAX_ENV')), MAX_ENV_BYTES);
    assert.equal(product(define('MAX_STDIN')), MAX_STDIN_BYTES);
    assert.deepEqual([...c.matchAll(/"(CNI_[A-Z]+)"/g)].map((m) => m[1]), [...CNI_VARIABLES]);
  });

  it('a request and an answer round-trip', () => {
    const bytes = encodeRequest({ env: { CNI_COMMAND: 'ADD', CNI_ARGS: 'A=b;C=d=e' }, stdin: '{"name":"n","x":"é"}' });
    const { envBytes, stdinBytes } = readRequestHeader(bytes.subarray(0, REQUEST_HEADER_BYTES));
    assert.equal(REQUEST_HEADER_BYTES + envBytes + stdinBytes, bytes.length);
    assert.deepEqual(decodeRequestBody(bytes.subarray(REQUEST_HEADER_BYTES), envBytes), { env: { CNI_COMMAND: 'ADD', CNI_ARGS: 'A=b;C=d=e' }, stdin: '{"name":"n","x":"é"}' });
    const answer = encodeAnswer({ exitCode: 7, stdout: '{"a":1}', stderr: 'warn' });
    assert.deepEqual(decodeAnswer(answer), { exitCode: 7, stdout: '{"a":1}', stderr: 'warn' });
    assert.equal(decodeAnswer(answer.subarray(0, -1)), undefined);
  });

  it('refuses an env block without its final NUL or with an entry without "="', () => {
    assert.throws(() => decodeRequestBody(Buffer.from('CNI_COMMAND=ADD'), 15), (e: { cniCode: number }) => e.cniCode === 4);
    assert.throws(() => decodeRequestBody(Buffer.from('CNI_COMMAND\0'), 12), (e: { cniCode: number }) => e.cniCode === 4);
  });
});

describe('NetworkLock', () => {
  it('ADDs of a network overlap; its GC waits for them and they for it; another network is not held up', async () => {
    const lock = new NetworkLock();
    const events: string[] = [];
    const job = (name: string, ms: number) => async () => {
      events.push(`${name}+`);
      await sleep(ms);
      events.push(`${name}-`);
    };
    const all = [
      lock.run('n', false, job('add1', 30)),
      lock.run('n', false, job('add2', 30)),
      lock.run('n', true, job('gc', 30)),
      lock.run('n', false, job('add3', 10)), // after the waiting GC
      lock.run('other', false, job('other', 5)),
    ];
    await Promise.all(all);
    assert.deepEqual(events.slice(0, 3), ['add1+', 'add2+', 'other+']);
    const at = (e: string) => events.indexOf(e);
    assert.ok(at('gc+') > at('add1-') && at('gc+') > at('add2-'), events.join(' '));
    assert.ok(at('add3+') > at('gc-'), events.join(' '));
    assert.ok(at('other-') < at('gc+'), events.join(' '));
  });

  it('a failing holder releases the network', async () => {
    const lock = new NetworkLock();
    await assert.rejects(lock.run('n', true, async () => { throw new Error('boom'); }), /boom/);
    assert.equal(await lock.run('n', true, async () => 'free'), 'free');
  });
});

describe('peerCredentials (SO_PEERCRED, SO_PEERGROUPS)', () => {
  it('names the process at the other end of a unix socket; a file is ENOTSOCK', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlnt-cnid-'));
    const socket = path.join(dir, 's');
    try {
      const server = net.createServer();
      const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
      await new Promise<void>((resolve) => server.listen(socket, resolve));
      const client = net.connect(socket);
      const peer = await accepted;
      const fd = (peer as unknown as { _handle: { fd: number } })._handle.fd;
      const cred = peerCredentials(fd);
      assert.deepEqual({ pid: cred.pid, uid: cred.uid, gid: cred.gid }, { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
      // Node's getgroups() adds the egid; the kernel's list is /proc's.
      const groups = /^Groups:(.*)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1].trim().split(/\s+/).filter(Boolean).map(Number);
      assert.deepEqual(cred.groups, groups);
      client.destroy();
      peer.destroy();
      await new Promise((resolve) => server.close(resolve));
      const file = fs.openSync(path.join(dir, 'f'), 'w');
      try {
        assert.throws(() => peerCredentials(file), (e: unknown) => e instanceof NetlinkError && e.code === 'ENOTSOCK' && e.operation === 'socket.peerCredentials');
      } finally {
        fs.closeSync(file);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
