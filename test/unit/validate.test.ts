import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCidr } from '../../src/ip';
import { checkIfname, checkMac, checkMtu, checkNetnsName } from '../../src/validate';

describe('validation', () => {
  it('interface names: 1–15 bytes, no / : or whitespace, not . or ..', () => {
    for (const ok of ['eth0', 'veth_br', 'a', 'x'.repeat(15), 'docker-1', 'br.10']) assert.equal(checkIfname('name', ok), ok);
    for (const bad of ['', 'x'.repeat(16), 'a/b', 'a:b', 'a b', 'a\tb', '.', '..', 'é'.repeat(8)]) {
      assert.throws(() => checkIfname('name', bad), RangeError, bad);
    }
    assert.throws(() => checkIfname('peer.name', 7), /^TypeError: peer\.name: expected a string, got 7$/);
  });

  it('namespace names: 1–255 bytes, no / or NUL, not . or ..', () => {
    assert.equal(checkNetnsName('name', 'my_netns'), 'my_netns');
    for (const bad of ['', '.', '..', 'a/b', 'a\0b', 'n'.repeat(256)]) assert.throws(() => checkNetnsName('name', bad), RangeError);
  });

  it('MAC addresses: six hex pairs, unicast, not zero', () => {
    assert.equal(checkMac('mac', '02:42:AC:11:00:02'), '02:42:ac:11:00:02');
    for (const bad of ['02:42:ac:11:00', '02-42-ac-11-00-02', '01:00:5e:00:00:01', '00:00:00:00:00:00', 'gg:00:00:00:00:00']) {
      assert.throws(() => checkMac('mac', bad), RangeError, bad);
    }
  });

  it('MTU: an integer from 68 to 65535', () => {
    assert.equal(checkMtu('mtu', 1500), 1500);
    assert.throws(() => checkMtu('mtu', 67), /mtu: 67 is out of range \(68–65535\)/);
    assert.throws(() => checkMtu('mtu', 1500.5), TypeError);
  });
});

describe('IPv4 addresses', () => {
  it('parses dotted quads to bytes, and names the bad part of a bad one', () => {
    assert.deepEqual([...parseCidr('cidr', '198.18.0.255/16').bytes], [198, 18, 0, 255]);
    assert.deepEqual([...parseCidr('cidr', '0.0.0.0/0').bytes], [0, 0, 0, 0]);
    const bad: Array<[string, RegExp]> = [
      ['1.2.3', /\(3 parts, not 4\)$/],
      ['1.2.3.4.5', /\(5 parts, not 4\)$/],
      ['1..3.4', /has octet "", which is not a number 0–255$/],
      ['1.2.3.', /has octet "", which is not a number 0–255$/],
      ['1.2.x.4', /has octet "x", which is not a number 0–255$/],
      ['1.2.3.1234', /has octet "1234", which is not a number 0–255$/],
      ['1.2.3.+4', /has octet "\+4", which is not a number 0–255$/],
      ['1.2.3.256', /has octet 256, which is over 255$/],
      ['1.02.3.4', /has octet 02 with a leading zero/],
    ];
    for (const [value, why] of bad) assert.throws(() => parseCidr('cidr', value), (e: Error) => e instanceof RangeError && e.message.startsWith(`cidr: "${value}" `) && why.test(e.message), value);
  });
});
