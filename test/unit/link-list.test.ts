// links.list() decodes each RTM_NEWLINK of its dump by the picked table (LINK_VIEW: only what
// decodeLink reads) and makes its Link at once. Here: that gives the very Links the full table
// gives, for the kernel's captured replies and for random ones carrying every attribute; that it
// skips the rest; and the text and counters it keeps are the same values in cheaper forms.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { decode, decodeMapped, encode } from '../../src/codec/codec';
import { NETLINK_ROUTE } from '../../src/codec/families';
import { linkMessage } from '../../src/codec/link';
import { formatMac } from '../../src/codec/text';
import { RTM } from '../../src/constants';
import { decodeLink, LINK_VIEW } from '../../src/link/decode';
import type { Link } from '../../src/link/types';
import { Random, randomMessage } from '../codec-random';

const REPLIES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'replies', 'route');
const captured = () => fs.readdirSync(REPLIES).filter((f) => f.startsWith('cap-link')).map((f) => fs.readFileSync(path.join(REPLIES, f)));
const asList = (m: { type: number }) => (m.type === RTM.NEWLINK ? decodeLink(m) : undefined);

/** What links.list() made of these replies before it picked: every attribute decoded, then decodeLink. */
const fullTable = (bytes: Buffer): Link[] => decode(NETLINK_ROUTE, bytes).filter((m) => m.type === RTM.NEWLINK).map(decodeLink);
const picked = (bytes: Buffer): Link[] => decodeMapped(NETLINK_ROUTE, bytes, asList, LINK_VIEW);

describe('link.list: each reply decoded by the picked table, straight into its Link', () => {
  it("the kernel's captured link replies give the same Links as by the full table", () => {
    const files = captured();
    assert.ok(files.length >= 5);
    const dump = Buffer.concat(files);
    const links = picked(dump);
    assert.equal(links.length, files.length);
    assert.deepEqual(links, fullTable(dump));
    assert.ok(links.some((l) => l.stats !== undefined && l.mac !== undefined));
  });

  it('random replies carrying every link attribute (any kind, edge values) give the same Links', () => {
    const r = new Random(15);
    const msgs = Array.from({ length: 400 }, (_, i) => encode(NETLINK_ROUTE, randomMessage(r, RTM.NEWLINK, linkMessage, i % 2 === 0)));
    // Another message type in the dump is left out, as before.
    msgs.push(encode(NETLINK_ROUTE, { type: RTM.NEWADDR, flags: 0, header: { family: 2, prefixlen: 24, index: 1 }, attrs: { label: 'x' } }));
    const dump = Buffer.concat(msgs);
    const links = picked(dump);
    assert.equal(links.length, 400);
    assert.deepEqual(links, fullTable(dump));
  });

  it('skips what a Link never shows: only the picked attributes, twelve of the 25 counters', () => {
    const [m] = decodeMapped(NETLINK_ROUTE, Buffer.concat(captured()), (x) => x, LINK_VIEW);
    const [full] = decode(NETLINK_ROUTE, Buffer.concat(captured()));
    assert.ok('promiscuity' in full.attrs! && !('promiscuity' in m.attrs!));
    assert.ok(Object.keys(m.attrs!).every((k) => LINK_VIEW.spec.attrs.byName.has(k)));
    assert.equal(Object.keys(full.attrs!.stats64 as object).length, 25);
    assert.equal(Object.keys(m.attrs!.stats64 as object).length, 12);
  });

  it('counters: exact at every width, zero shared; MACs: the same text, flat', () => {
    const stats = Buffer.alloc(200);
    const values = [0n, 1n, 0xffffffffn, 1n << 32n, (1n << 53n) + 1n, 0xffffffffffffffffn, 0x0123456789abcdefn, 0n, 0n, 0n, 0n, 0n];
    // rx_packets, tx_packets, rx_bytes, tx_bytes, rx_errors, tx_errors, … (rtnl_link_stats64 order)
    values.forEach((v, i) => stats.writeBigUInt64LE(v, 8 * i));
    const msg = encode(NETLINK_ROUTE, { type: RTM.NEWLINK, flags: 0, header: { index: 3 }, attrs: { ifname: 'x', mtu: 1500, stats64: Object.fromEntries(linkMessage.attrs.byName.get('stats64')!.struct!.fields.map((f) => [f.name, stats.readBigUInt64LE(f.offset)])) } });
    const [link] = picked(msg);
    assert.deepEqual(
      [link.stats!.rxPackets, link.stats!.txPackets, link.stats!.rxBytes, link.stats!.txBytes, link.stats!.rxErrors, link.stats!.txErrors],
      values.slice(0, 6),
    );
    const r = new Random(6);
    for (let i = 0; i < 500; i++) {
      const b = r.bytes(6);
      if (i === 0) b.fill(0xff);
      let expected = b[0].toString(16).padStart(2, '0');
      for (let k = 1; k < 6; k++) expected += `:${b[k].toString(16).padStart(2, '0')}`;
      assert.equal(formatMac(b, 0, 6), expected);
    }
    assert.equal(formatMac(Buffer.from([1, 0xab, 2]), 0, 3), '01:ab:02');
    assert.equal(formatMac(Buffer.alloc(0), 0, 0), '');
  });
});
