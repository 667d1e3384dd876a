// How replies are read: unknown attributes skipped, short structs read for the fields they have, a
// malformed attribute refused without reading past the message. Requests are checked as they leave
// the process (test/integration/wire-requests.test.ts, traced with strace), not here.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CodecError, decode } from '../../src/codec/codec';
import { NETLINK_ROUTE } from '../../src/native';

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

  it('refuses a malformed attribute instead of reading past the message', () => {
    const bad = Buffer.from([0xff, 0x00, 0x03, 0x00, 0x61]);
    assert.throws(() => decode(NETLINK_ROUTE, linkReply(Buffer.concat([attr(4, u32(1500)), bad]))), CodecError);
  });
});
