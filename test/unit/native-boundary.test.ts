// What crosses into the addon is checked at its edge. The codec refuses an integer wider than its
// field, or a number no 64-bit integer can hold, before any byte is written; the addon refuses
// bytes that are not whole netlink messages before anything is sent, and a chain patch outside
// its message (or naming a value there is none of) is its step's refusal, with nothing sent.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encode } from '../../src/codec/codec';
import { native, NETLINK_ROUTE, PATCH_FROM_FD } from '../../src/native';

const getLink = () => encode(NETLINK_ROUTE, { type: 18, flags: 1, header: { index: 1 } });

describe("the addon's edge", () => {
  it('an integer wider than its attribute or header field is a RangeError naming it', () => {
    assert.throws(() => encode(NETLINK_ROUTE, { type: 16, attrs: { mtu: 2 ** 32 } }), (e: unknown) => e instanceof RangeError && /mtu: 4294967296 does not fit in 32 bits/.test((e as Error).message));
    assert.throws(() => encode(NETLINK_ROUTE, { type: 16, attrs: { mtu: -(2 ** 31) - 1 } }), (e: unknown) => e instanceof RangeError && /mtu: -2147483649 does not fit/.test((e as Error).message));
    assert.throws(() => encode(NETLINK_ROUTE, { type: 16, header: { index: 2 ** 40 } }), RangeError);
  });

  it('a number outside the 64-bit range is refused, not converted', () => {
    assert.throws(() => encode(NETLINK_ROUTE, { type: 16, attrs: { mtu: 2 ** 64 } }), /a number outside the 64-bit range/);
    assert.throws(() => encode(NETLINK_ROUTE, { type: 16, attrs: { mtu: -(2 ** 64) } }), /a number outside the 64-bit range/);
  });

  it('bytes that are not whole netlink messages are a TypeError, and nothing is sent', async () => {
    // This process's own namespace: the requests below are refused before they reach a socket.
    const ns = await native.netnsOpen('/proc/self/ns/net');
    try {
      const whole = getLink();
      assert.throws(() => ns.request(NETLINK_ROUTE, whole.subarray(0, 10)), TypeError);
      assert.throws(() => ns.request(NETLINK_ROUTE, Buffer.concat([whole, Buffer.from([1, 2, 3, 4, 5])])), TypeError);
      const longer = Buffer.from(whole);
      longer.writeUInt32LE(whole.length + 4, 0);
      assert.throws(() => ns.request(NETLINK_ROUTE, longer), TypeError);
      assert.throws(() => ns.request(NETLINK_ROUTE, Buffer.concat([whole, whole])), /one netlink message/);
      assert.throws(() => ns.batch(NETLINK_ROUTE, Buffer.alloc(0), whole), TypeError);
    } finally {
      await ns.close();
    }
  });

  it('a chain patch outside its message, or with no value to write, is refused and nothing is sent', async () => {
    const ns = await native.netnsOpen('/proc/self/ns/net');
    try {
      const whole = getLink();
      const refused = async (record: number[], errno: number) => {
        const [answers] = await native.chain([{ ns, protocol: NETLINK_ROUTE, messages: whole, patches: Uint32Array.from(record), fds: [ns, null] }]);
        assert.equal(answers?.length, 1);
        assert.ok(answers[0] instanceof Error, 'refused before it was sent');
        assert.equal((answers[0] as { errno?: number }).errno, errno);
      };
      await refused([0, whole.length - 2, PATCH_FROM_FD, 0, 0, 0], 22); // EINVAL: past the message's end
      await refused([0, 20, PATCH_FROM_FD, 1, 0, 0], 71); // EPROTO: the chain created no namespace
      // A message the step lacks: the call's shape is wrong, a TypeError before anything is sent.
      assert.throws(() => native.chain([{ ns, protocol: NETLINK_ROUTE, messages: whole, patches: Uint32Array.from([1, 0, PATCH_FROM_FD, 0, 0, 0]), fds: [ns] }]), /names a message its step lacks/);
      await refused([0, 20, 5, 0, 3, 16], 71); // a step that has not run
    } finally {
      await ns.close();
    }
  });
});
