// How replies are read: unknown attributes skipped, short structs and malformed attributes handled
// without reading past the message; how values cross into the addon. Requests are checked as they
// leave the process (test/integration/wire-requests.test.ts, traced with strace), not here.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, native, NETLINK_ROUTE } from '../../src/native';
import { pack, unpack } from '../../src/pack';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('codec: decoding by table', () => {
  const linkReply = (attrs: Buffer) => {
    const header = Buffer.alloc(16);
    header.writeInt32LE(7, 4);
    header.writeUInt32LE(0x1003, 8);
    const len = 16 + header.length + attrs.length;
    const nl = Buffer.alloc(16);
    nl.writeUInt32LE(len, 0);
    nl.writeUInt16LE(16, 4);
    return Buffer.concat([nl, header, attrs]);
  };
  const attr = (type: number, payload: Buffer) => {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(4 + payload.length, 0);
    h.writeUInt16LE(type, 2);
    const pad = Buffer.alloc((4 - (payload.length % 4)) % 4);
    return Buffer.concat([h, payload, pad]);
  };
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };

  it('skips attributes it does not know (newer kernels add them)', () => {
    const bytes = linkReply(Buffer.concat([attr(3, Buffer.from('x0\0')), attr(999, u32(1)), attr(4, u32(1500))]));
    const [m] = decode(NETLINK_ROUTE, bytes);
    assert.deepEqual(m.attrs, { ifname: 'x0', mtu: 1500 });
    assert.equal(m.header?.index, 7);
  });

  it('reads structs by their length: a shorter one gives the fields it has', () => {
    const stats = Buffer.alloc(16);
    stats.writeBigUInt64LE(11n, 0);
    stats.writeBigUInt64LE(22n, 8);
    const [m] = decode(NETLINK_ROUTE, linkReply(attr(23, stats)));
    assert.deepEqual(m.attrs, { stats64: { rx_packets: 11n, tx_packets: 22n } });
  });

  it('stops at a malformed attribute instead of reading past the message', () => {
    const bad = Buffer.from([0xff, 0x00, 0x03, 0x00, 0x61]);
    const [m] = decode(NETLINK_ROUTE, linkReply(Buffer.concat([attr(4, u32(1500)), bad])));
    assert.deepEqual(m.attrs, { mtu: 1500 });
  });
});

describe('pack: how messages cross into the addon (native/core/value_pack.h)', () => {
  it('writes each value as its tag and payload, leaving out undefined options', () => {
    const bytes = pack([{ n: 2, s: 'é', b: Buffer.from([7]), l: [true, null, 1n], u: undefined }]);
    assert.deepEqual(bytes, hex(`07 04000000
      01 6e 03 0000000000000040
      01 73 05 02000000 c3a9
      01 62 06 01000000 07
      01 6c 08 03000000 02 00 04 0100000000000000`));
  });

  it('refuses what the wire cannot carry, naming where it sits', () => {
    assert.throws(() => pack([{ attrs: { mtu: 1.5 } }]), /^TypeError: message\.attrs\.mtu: expected an integer, got 1\.5$/);
    assert.throws(() => pack([{ attrs: { list: [1, () => 0] } }], 'messages'), /^TypeError: messages\.attrs\.list\[1\]: unsupported value type/);
    assert.throws(() => pack([-1n]), /expected an unsigned 64-bit integer, got -1n/);
  });

  it('reads replies by their key table, also when one of the same length came just before', () => {
    // KeyTable [name], then an IndexedMap { key 0: number }: two tables of equal length, other bytes.
    const reply = (key: string, n: number) => Buffer.concat([hex('09 01000000 02'), Buffer.from(key), hex('0a 01000000 0000 03'), Buffer.from(new Float64Array([n]).buffer)]);
    assert.deepEqual(unpack(reply('ab', 1)), [{ ab: 1 }]);
    assert.deepEqual(unpack(reply('cd', 2)), [{ cd: 2 }]);
    assert.deepEqual(unpack(reply('ab', 3)), [{ ab: 3 }]);
  });

  it('the addon refuses a malformed buffer instead of reading past it', () => {
    const whole = pack([{ type: 16, attrs: { ifname: 'br0' } }]);
    assert.throws(() => native.encode(NETLINK_ROUTE, whole.subarray(0, whole.length - 2) as typeof whole), /packed value: truncated/);
    assert.throws(() => native.encode(NETLINK_ROUTE, Buffer.from([11]) as typeof whole), /packed value: an unknown tag/);
    assert.throws(() => native.encode(NETLINK_ROUTE, hex('03 000000000000f83f') as typeof whole), /packed value: a number that is not an integer/);
  });
});
