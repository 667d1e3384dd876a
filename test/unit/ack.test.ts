// The kernel's words in a refusal, read from the error message the addon hands on (codec/ack.ts).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ackText } from '../../src/codec/ack';

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const CAPPED = 0x100;
const ACK_TLVS = 0x200;

function attr(type: number, payload: Buffer): Buffer {
  const b = Buffer.alloc((4 + payload.length + 3) & ~3);
  b.writeUInt16LE(4 + payload.length, 0);
  b.writeUInt16LE(type, 2);
  payload.copy(b, 4);
  return b;
}

function message(type: number, flags: number, errno: number, rest: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.alloc(4), ...rest]);
  body.writeInt32LE(-errno, 0);
  const h = Buffer.alloc(16);
  h.writeUInt32LE(16 + body.length, 0);
  h.writeUInt16LE(type, 4);
  h.writeUInt16LE(flags, 6);
  return Buffer.concat([h, body]);
}

/** The request's header as the kernel echoes it (len covers a payload of `payload` bytes). */
function echoed(payload: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(16 + payload, 0);
  h.writeUInt16LE(16 /* RTM_NEWLINK */, 4);
  return h;
}

const text = (s: string) => attr(1 /* NLMSGERR_ATTR_MSG */, Buffer.from(`${s}\0`));

describe('ackText', () => {
  it('reads the text of a capped error, after the echoed header', () => {
    const m = message(NLMSG_ERROR, CAPPED | ACK_TLVS, 17, [echoed(40), attr(2, Buffer.alloc(4)), text('Link already exists')]);
    assert.equal(ackText(m), 'Link already exists');
  });

  it('skips the echoed request whole when the error is not capped', () => {
    const m = message(NLMSG_ERROR, ACK_TLVS, 22, [echoed(8), Buffer.alloc(8, 0xff), text('Invalid argument here')]);
    assert.equal(ackText(m), 'Invalid argument here');
  });

  it("reads a dump's DONE, whose attributes follow the errno", () => {
    assert.equal(ackText(message(NLMSG_DONE, ACK_TLVS, 95, [text('Dump filter not supported')])), 'Dump filter not supported');
  });

  it('gives nothing without the TLV flag, for an attribute running past the end, or a short message', () => {
    assert.equal(ackText(message(NLMSG_ERROR, CAPPED, 17, [echoed(0), text('unread')])), undefined);
    const bad = message(NLMSG_ERROR, CAPPED | ACK_TLVS, 17, [echoed(0), text('cut')]);
    bad.writeUInt16LE(200, 16 + 4 + 16);
    assert.equal(ackText(bad), undefined);
    assert.equal(ackText(Buffer.alloc(10)), undefined);
    const lying = message(NLMSG_ERROR, ACK_TLVS, 17, [echoed(1 << 20), text('x')]);
    assert.equal(ackText(lying), undefined);
  });
});
