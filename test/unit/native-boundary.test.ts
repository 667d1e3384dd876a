// What the addon is handed is checked at its edge: an integer wider than its field, or a number no
// 64-bit integer can hold, is refused before any byte is written — never cut or converted with
// undefined behaviour.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encode, NETLINK_ROUTE } from '../../src/native';

describe('the addon\'s edge', () => {
  it('an integer wider than its attribute or header field is a RangeError naming it', () => {
    assert.throws(() => encode(NETLINK_ROUTE, { type: 16, attrs: { mtu: 2 ** 32 } }), (e: unknown) => e instanceof RangeError && /mtu: 4294967296 does not fit in 32 bits/.test((e as Error).message));
    assert.throws(() => encode(NETLINK_ROUTE, { type: 16, attrs: { mtu: -(2 ** 31) - 1 } }), (e: unknown) => e instanceof RangeError && /mtu: -2147483649 does not fit/.test((e as Error).message));
    assert.throws(() => encode(NETLINK_ROUTE, { type: 16, header: { index: 2 ** 40 } }), RangeError);
  });

  it('a number outside the 64-bit range is refused, not converted', () => {
    assert.throws(() => encode(NETLINK_ROUTE, { type: 16, attrs: { mtu: 2 ** 64 } }), /a number outside the 64-bit range/);
    assert.throws(() => encode(NETLINK_ROUTE, { type: 16, attrs: { mtu: -(2 ** 64) } }), /a number outside the 64-bit range/);
  });
});
