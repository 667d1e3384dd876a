// The table-driven codec on bytes: requests equal what iproute2 sends, replies decode by table.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode, native, NETLINK_ROUTE } from '../../src/native';
import { pack, unpack } from '../../src/pack';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const REQ_CREATE_EXCL_ACK = 0x605;

describe('codec: requests, byte for byte as iproute2 6.1 sends them', () => {
  it('ip link add br0 type bridge', () => {
    // Captured with `strace -xx -e trace=sendmsg -e write=all ip link add br0 type bridge` (seq zeroed).
    const ip = hex(`38000000 1000 0506 00000000 00000000
      00000000 00000000 00000000 00000000
      0800 0300 62723000  1000 1200 0a00 0100 627269646765 0000`);
    const ours = encode(NETLINK_ROUTE, {
      type: 16, flags: REQ_CREATE_EXCL_ACK, header: {}, attrs: { ifname: 'br0', linkinfo: { kind: 'bridge' } },
    });
    assert.deepEqual(ours, ip);
  });

  it('ip link add v0 mtu 1400 type veth peer name v1 address 02:00:00:00:00:09', () => {
    const ip = hex(`68000000 1000 0506 00000000 00000000
      00000000 00000000 00000000 00000000
      0800 0400 78050000  0700 0300 76300000
      3800 1200 0800 0100 76657468  2c00 0200 2800 0100
        00000000 00000000 00000000 00000000
        0a00 0100 020000000009 0000  0700 0300 76310000`);
    const ours = encode(NETLINK_ROUTE, {
      type: 16, flags: REQ_CREATE_EXCL_ACK, header: {},
      attrs: {
        mtu: 1400, ifname: 'v0',
        linkinfo: { kind: 'veth', data: { peer: { header: {}, attrs: { address: '02:00:00:00:00:09', ifname: 'v1' } } } },
      },
    });
    assert.deepEqual(ours, ip);
  });

  it('ip link set v0 up master br0 (ifinfomsg flags/change, IFLA_MASTER)', () => {
    const ours = encode(NETLINK_ROUTE, {
      type: 16, flags: 0x5, header: { index: 3, flags: 1, change: 1 }, attrs: { master: 2 },
    });
    assert.deepEqual(ours, hex(`28000000 1000 0500 00000000 00000000
      00000000 03000000 01000000 01000000  0800 0a00 02000000`));
  });
});

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

  it('round-trips what it encodes', () => {
    const msg = {
      type: 16, flags: 0, header: { family: 0, type: 1, index: 5, flags: 0x1003, change: 0 },
      attrs: { mtu: 9000, ifname: 'eth9', address: '02:42:ac:11:00:02', master: 4, ifalias: 'uplink',
        linkinfo: { kind: 'bridge', data: { forward_delay: 1500, stp_state: 1, vlan_protocol: 0x8100 } } },
    };
    const [back] = decode(NETLINK_ROUTE, encode(NETLINK_ROUTE, msg));
    assert.deepEqual(back.header, msg.header);
    assert.deepEqual(back.attrs, msg.attrs);
  });

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

  it('refuses to encode what the table does not describe, naming the attribute', () => {
    assert.throws(() => encode(NETLINK_ROUTE, { type: 16, attrs: { mtux: 1 } }), /mtux: not an attribute of link/);
    assert.throws(() => encode(NETLINK_ROUTE, { type: 16, attrs: { mtu: 'big' } }), /mtu: expected an integer/);
    assert.throws(() => encode(NETLINK_ROUTE, { type: 16, attrs: { address: 'nope' } }), /address: not a link-layer address/);
    assert.throws(() => encode(NETLINK_ROUTE, { type: 16, attrs: { linkinfo: { kind: 'nokind', data: {} } } }), /linkinfo.data: no attribute table/);
    assert.throws(() => encode(NETLINK_ROUTE, { type: 9999 }), /no table for this message type/);
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
