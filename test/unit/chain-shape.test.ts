// Transport.chain refuses a malformed chain before the addon sees it: the addon would refuse it
// only at the bad step, after the earlier steps had gone out to the kernel.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NLM_F, RTM } from '../../src/constants';
import { type ChainStep, NETLINK_ROUTE, Transport } from '../../src/kernel/transport';
import { native } from '../../src/native';

const getLo = { message: { type: RTM.GETLINK, flags: NLM_F.REQUEST, header: { index: 0 }, attrs: { ifname: 'lo' } }, operation: 'link.get' };
const fromAttr = { type: 4, headerSize: 16 };

describe('Transport.chain: a chain\'s shape is checked before anything is sent', () => {
  const bad: Array<[string, ChainStep[], RegExp]> = [
    ['a second create', [{ create: 'nlnt-shape-a', operation: 'netns.create' }, { create: 'nlnt-shape-b', operation: 'netns.create' }], /step 1: only the first step may create/],
    ['"created" without a create', [{ netns: 'created', protocol: NETLINK_ROUTE, items: [getLo] }], /step 0: names the created namespace/],
    ['a patch on a message the step lacks', [{ create: 'nlnt-shape-c', operation: 'netns.create' }, { netns: 'created', protocol: NETLINK_ROUTE, items: [getLo], patches: [{ message: 1, to: ['header', 'index'], createdFd: true }] }], /step 1: a patch names message 1 of 1/],
    ['a patch from its own step', [{ create: 'nlnt-shape-d', operation: 'netns.create' }, { netns: 'created', protocol: NETLINK_ROUTE, items: [getLo], patches: [{ message: 0, to: ['header', 'index'], fromStep: 1, fromMessage: 0, fromAttr }] }], /step 1: a patch takes from step 1/],
    ['a patch from the create step', [{ create: 'nlnt-shape-e', operation: 'netns.create' }, { netns: 'created', protocol: NETLINK_ROUTE, items: [getLo], patches: [{ message: 0, to: ['header', 'index'], fromStep: 0, fromMessage: 0, fromAttr }] }], /step 1: a patch takes from step 0/],
    ['a created fd without a create', [{ netns: 'created', protocol: NETLINK_ROUTE, items: [getLo], patches: [{ message: 0, to: ['header', 'index'], createdFd: true }] }], /step 0: names the created namespace/],
  ];
  for (const [what, steps, message] of bad) {
    it(`${what}: a RangeError, and the addon is not called`, async () => {
      const chain = native.chain;
      let called = false;
      native.chain = () => { called = true; return new Promise(() => {}); };
      try {
        await assert.rejects(Transport.chain(steps), (e: unknown) => e instanceof RangeError && message.test(e.message));
        assert.equal(called, false);
      } finally {
        native.chain = chain;
      }
    });
  }
});
