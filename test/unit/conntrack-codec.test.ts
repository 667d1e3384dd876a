// The ctnetlink requests ns.conntrack sends, on bytes: the dump, flush and delete-by-tuple that
// conntrack(8) 1.4.7 sent under `strace -xx -e trace=sendto -e write=all` (seq zeroed), and the
// kernel's filtered dump (CTA_FILTER, whose flags are host-order u32) written out by hand.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode } from '../../src/codec/codec';
import { NETLINK_NETFILTER } from '../../src/codec/families';
import { checkFilter, kernelFilterAttrs } from '../../src/conntrack/filter';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const GET = 0x101;
const DELETE = 0x102;
const DUMP = 0x301;

describe('ctnetlink requests on bytes', () => {
  it('a dump of one family and a flush of everything: the bytes conntrack -L -f ipv6 / -F send', () => {
    assert.deepEqual(encode(NETLINK_NETFILTER, { type: GET, flags: DUMP, header: { family: 10, version: 0, res_id: 0 }, attrs: kernelFilterAttrs(checkFilter('f', {}), 0) }),
      hex('14000000 0101 0103 00000000 00000000 0a000000'));
    assert.deepEqual(encode(NETLINK_NETFILTER, { type: DELETE, flags: 0x5, header: { family: 0, version: 0, res_id: 0 } }),
      hex('14000000 0201 0500 00000000 00000000 00000000'));
  });

  it('a deletion names the entry by its original tuple: the CTA_TUPLE_ORIG bytes conntrack -D sends', () => {
    const tuple = { ip: { v4_src: '198.18.0.1', v4_dst: '198.18.0.2' }, proto: { num: 17, src_port: 1000, dst_port: 53 } };
    const bytes = encode(NETLINK_NETFILTER, { type: DELETE, flags: 0x5, header: { family: 2, version: 0, res_id: 0 }, attrs: { tuple_orig: tuple, id: 7 } });
    assert.deepEqual(bytes.subarray(16, 20 + 0x34), hex(`02000000 34000180 14000180 08000100 c6120001 08000200 c6120002
      1c000280 05000100 11000000 06000200 03e80000 06000300 00350000`));
    assert.deepEqual(bytes.subarray(20 + 0x34), hex('08000c00 00000007')); // CTA_ID, big-endian
    assert.deepEqual(decode(NETLINK_NETFILTER, bytes)[0].attrs, { tuple_orig: tuple, id: 7 });
  });

  it('a filtered dump: the tuple fields in CTA_TUPLE_ORIG/REPLY, CTA_FILTER flags in host order, mark and status with their masks', () => {
    const f = checkFilter('f', { protocol: 'udp', dport: 53, replySrc: '198.18.0.9', mark: 4, markMask: 4, status: 'dnat' });
    const bytes = encode(NETLINK_NETFILTER, { type: GET, flags: DUMP, header: { family: 2, version: 0, res_id: 0 }, attrs: kernelFilterAttrs(f, 4) });
    const body = hex(`02000000
      08000800 00000004   08001500 00000004
      08000300 00000020   08001a00 00000020
      18000180 14000280 05000100 11000000 06000300 00350000
      1c000280 0c000180 08000100 c6120009 0c000280 05000100 11000000
      14001980 08000100 28000000 08000200 01000000`);
    assert.deepEqual(bytes.subarray(16), body);
  });

  it('no family, a tuple filter: one request per family (CTA_FILTER needs one)', () => {
    const f = checkFilter('f', { protocol: 'tcp', sport: 80 });
    const v6 = kernelFilterAttrs(f, 6);
    assert.deepEqual(v6, { tuple_orig: { proto: { num: 6, src_port: 80 } }, filter: { orig_flags: 0x18, reply_flags: 0 } });
    assert.deepEqual(kernelFilterAttrs(f, 0), {});
  });
});
