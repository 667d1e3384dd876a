// Writes the seed corpus (test/fuzz/corpus/<target>/) and the reply fixtures (test/fixtures/replies/):
// `cap-*` from the captures capture-seeds.sh made in the directory given (hex datagrams per
// command), `edge-*` by hand: the
// malformed shapes each target must survive. `regress-*` seeds (inputs that once found a bug) are
// kept. Without a directory, only the edge seeds are rewritten.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const corpus = path.join(__dirname, 'corpus');
// Kernel replies, whole and malformed, are the TS codec's test fixtures (test/unit/codec-tables.test.ts).
const fixtures = path.join(__dirname, '..', 'fixtures', 'replies');
const REPLY_FIXTURES = { decode_route: path.join(fixtures, 'route'), decode_netfilter: path.join(fixtures, 'netfilter') };
const FAKE_PORT = 0x4e4c4e; // fake_socket.h kFakePortId
const NLMSG_ERROR = 2, NLMSG_DONE = 3;
const NLM_F_MULTI = 2, NLM_F_DUMP_INTR = 0x10, NLM_F_CAPPED = 0x100, NLM_F_ACK_TLVS = 0x200;
const NLMSGERR_ATTR_MSG = 1;

const pad = (b) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
const u16 = (v) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
const i32 = (v) => { const b = Buffer.alloc(4); b.writeInt32LE(v); return b; };
const str = (s) => Buffer.from(`${s}\0`);
// An attribute: its length field can be forced (len) to lie about the payload.
const attr = (type, payload, len) => pad(Buffer.concat([u16(len ?? 4 + payload.length), u16(type), payload]));
const header = (len, type, flags, seq, pid) => Buffer.concat([u32(len), u16(type), u16(flags), u32(seq), u32(pid)]);
const msg = (type, flags, seq, body, pid = FAKE_PORT) => pad(Buffer.concat([header(16 + body.length, type, flags, seq, pid), body]));
const errorMsg = (seq, errno, { text, echo, flags = 0 } = {}) => {
  const body = [i32(-errno), echo ?? header(16, 16, 5, seq, 0)];
  if (text) body.push(attr(NLMSGERR_ATTR_MSG, str(text)));
  return msg(NLMSG_ERROR, (echo ? 0 : NLM_F_CAPPED) | (text ? NLM_F_ACK_TLVS : 0) | flags, seq, Buffer.concat(body));
};
const ack = (seq) => errorMsg(seq, 0);
const done = (seq, flags = 0) => msg(NLMSG_DONE, NLM_F_MULTI | flags, seq, i32(0));
// An exchange target input: the choice byte, then [u16 length][u8 sender][bytes] per datagram.
const exchangeInput = (choice, datagrams) =>
  Buffer.concat([Buffer.from([choice]), ...datagrams.map((d) => {
    const [bytes, sender] = Buffer.isBuffer(d) ? [d, 0] : [d.bytes, d.sender];
    return Buffer.concat([u16(bytes.length), Buffer.from([sender]), bytes]);
  })]);
// A chain_patch target input (chain_patch.cc).
const chainInput = ({ answer, message, fromStep = 0, fromMessage = 0, attr: type, headerSize = 16, offset }) =>
  Buffer.concat([u16(answer.length), answer, u16(message.length), message,
    Buffer.from([fromStep, fromMessage]), u16(type), Buffer.from([headerSize]), u16(offset)]);

// The messages of a datagram, walked with their lengths checked.
function messagesOf(d) {
  const out = [];
  for (let off = 0; d.length - off >= 16;) {
    const len = d.readUInt32LE(off);
    if (len < 16 || len > d.length - off) break;
    out.push(d.subarray(off, off + len));
    off += (len + 3) & ~3;
  }
  return out;
}
// The datagram with each message's seq and port rewritten (as the exchange target expects them).
function restamp(d, seq, pid = FAKE_PORT) {
  const out = Buffer.from(d);
  let off = 0;
  for (const m of messagesOf(d)) {
    out.writeUInt32LE(seq, off + 8);
    out.writeUInt32LE(pid, off + 12);
    off += (m.length + 3) & ~3;
  }
  return out;
}

const written = new Map();
function write(target, name, bytes) {
  const hash = crypto.createHash('sha1').update(bytes).digest('hex');
  const key = `${target}:${hash}`;
  if (written.has(key)) return;  // the same bytes under two names: one seed
  written.set(key, name);
  fs.writeFileSync(path.join(REPLY_FIXTURES[target] ?? path.join(corpus, target), name), bytes);
}

function clear(prefixes) {
  const dirs = [...fs.readdirSync(corpus).map((t) => path.join(corpus, t)), ...Object.values(REPLY_FIXTURES)];
  for (const dir of dirs) {
    for (const f of fs.readdirSync(dir)) {
      if (prefixes.some((p) => f.startsWith(p))) fs.unlinkSync(path.join(dir, f));
    }
  }
}

function captured(dir) {
  const datagrams = (file) => fs.readFileSync(path.join(dir, file), 'utf8').split('\n').filter(Boolean).map((h) => Buffer.from(h, 'hex'));
  const captures = fs.readdirSync(dir).filter((f) => /\.(route|netfilter)$/.test(f));
  let linkV0;
  for (const file of captures) {
    const [name, proto] = file.split('.');
    const all = datagrams(file);
    all.slice(0, 4).forEach((d, i) => write('framing', `cap-${name}-${i}`, d));
    const decodeTarget = proto === 'route' ? 'decode_route' : 'decode_netfilter';
    all.flatMap(messagesOf).filter((m) => m.readUInt16LE(4) >= 16).slice(0, 16)
      .forEach((m, i) => write(decodeTarget, `cap-${name}-${i}`, m));
    // The exchange target: the first dump in the capture (up to its DONE) answering request 1, or
    // the last error/ACK answering it.
    const start = all.findIndex((d) => messagesOf(d)[0]?.readUInt16LE(4) >= 16);
    const end = all.findIndex((d, i) => i >= start && messagesOf(d).some((m) => m.readUInt16LE(4) === NLMSG_DONE));
    if (start >= 0 && end >= start) {
      write('exchange', `cap-dump-${name}`, exchangeInput(0x20, all.slice(start, end + 1).map((d) => restamp(d, 1))));
    }
    const errors = all.filter((d) => messagesOf(d)[0]?.readUInt16LE(4) === NLMSG_ERROR);
    if (errors.length) write('exchange', `cap-error-${name}`, exchangeInput(0x00, [restamp(errors.at(-1), 1)]));
    if (name === 'nftenoent' && errors.length) {
      // nft's refused rule was its batch's second message (BEGIN, rule, END): seq 2 of a batch of 3;
      // the sentinel (seq 4) is then answered.
      write('exchange', 'cap-batch-refused', exchangeInput(0x04 | (2 << 3), [restamp(errors.at(-1), 2), ack(4)]));
    }
    if (name === 'linkv0') linkV0 = all.flatMap(messagesOf).find((m) => m.readUInt16LE(4) === 16);
  }
  if (linkV0) {
    // The captured read-back lends its IFLA_LINK to a link message's ifinfomsg index (offset 20).
    const setUp = msg(16, 5, 0, Buffer.concat([Buffer.from([0, 0]), u16(0), i32(1), u32(1), u32(1)]));
    write('chain_patch', 'cap-patch-index', chainInput({ answer: linkV0, message: setUp, attr: 5, offset: 20 }));
  }
}

function edges() {
  const linkMsg = (body, seq = 1) => msg(16 /* RTM_NEWLINK */, NLM_F_MULTI, seq, body);
  const ifinfo = (index) => Buffer.concat([Buffer.from([0, 0]), u16(1), i32(index), u32(0x1043), u32(0)]);
  // veth peers nested depth times: IFLA_LINKINFO { KIND "veth", DATA { VETH_INFO_PEER { ifinfomsg, IFLA_* … } } }
  const vethNest = (depth) => {
    let inner = attr(3, str(`p${depth}`));
    for (let i = 0; i < depth; i++) {
      inner = attr(18, Buffer.concat([attr(1, Buffer.from('veth')), attr(2, attr(1, Buffer.concat([ifinfo(i + 2), inner])))]));
    }
    return inner;
  };
  const framing = {
    'edge-odd-length-last': Buffer.concat([ack(1), header(17, NLMSG_DONE, 0, 2, 0), Buffer.from([0])]),
    'edge-len-past-end': Buffer.concat([header(4096, 16, 0, 1, 0), Buffer.alloc(24)]),
    'edge-len-huge': Buffer.concat([ack(1), header(0xffffffff, 16, 0, 2, 0)]),
    'edge-len-short': Buffer.concat([header(8, 16, 0, 1, 0), ack(2)]),
    'edge-error-no-errno': header(16, NLMSG_ERROR, 0, 1, 0),
    'edge-error-part-errno': Buffer.concat([header(19, NLMSG_ERROR, 0, 1, 0), Buffer.from([0xea, 0xff, 0xff, 0])]),
    'edge-error-echo-cut': Buffer.concat([header(24, NLMSG_ERROR, 0, 1, 0), i32(-22), u32(0xfffffffd)]),
    'edge-error-echo-huge': errorMsg(1, 22, { text: 'bad', echo: header(0xfffffffd, 16, 5, 1, 0) }),
    'edge-error-tlv-overrun': msg(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 1,
      Buffer.concat([i32(-22), header(16, 16, 5, 1, 0), attr(NLMSGERR_ATTR_MSG, str('x'), 200)])),
    'edge-error-tlv-unterminated': msg(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 1,
      Buffer.concat([i32(-1), header(16, 16, 5, 1, 0), attr(NLMSGERR_ATTR_MSG, Buffer.from('abcd'))])),
    'edge-error-errno-positive': errorMsg(1, -5),
    'edge-error-errno-huge': errorMsg(1, 5000),
    'edge-done-error': msg(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS | NLM_F_DUMP_INTR, 1,
      Buffer.concat([i32(-4), attr(NLMSGERR_ATTR_MSG, str('dump interrupted'))])),
    'edge-trailing-bytes': Buffer.concat([ack(1), Buffer.from([1, 2, 3])]),
  };
  for (const [name, bytes] of Object.entries(framing)) write('framing', name, bytes);

  const route = {
    'edge-veth-peer-nested': linkMsg(Buffer.concat([ifinfo(1), attr(3, str('v0')), vethNest(6)])),
    'edge-multipath-nested': msg(24 /* RTM_NEWROUTE */, 0, 1, Buffer.concat([
      Buffer.from([2, 24, 0, 0, 254, 3, 0, 1]), u32(0), attr(1, Buffer.from([198, 18, 6, 0])),
      attr(9, Buffer.concat([u16(8 + 8 + 8 + 24), Buffer.from([0, 0]), i32(2), attr(5, Buffer.from([198, 18, 0, 2])),
        attr(9, Buffer.concat([u16(16), Buffer.from([0, 0]), i32(3), attr(5, Buffer.from([198, 18, 1, 2]))]))])),
    ])),
    'edge-nexthop-len-past': msg(24, 0, 1, Buffer.concat([Buffer.alloc(12), attr(9, Buffer.concat([u16(200), Buffer.from([0, 0]), i32(2)]))])),
    'edge-attr-len-past-end': linkMsg(Buffer.concat([ifinfo(1), attr(3, str('v0'), 300)])),
    'edge-attr-len-short': linkMsg(Buffer.concat([ifinfo(1), Buffer.concat([u16(2), u16(3)]), attr(4, u32(1500))])),
    'edge-attr-int-short': linkMsg(Buffer.concat([ifinfo(1), attr(4, Buffer.from([0xdc, 5]))])),
    'edge-attr-empty': linkMsg(Buffer.concat([ifinfo(1), attr(3, Buffer.alloc(0)), attr(1, Buffer.alloc(0)), attr(18, Buffer.alloc(0))])),
    'edge-addr-odd-length': msg(20 /* RTM_NEWADDR */, 0, 1, Buffer.concat([Buffer.from([2, 24, 0, 0]), i32(1), attr(1, Buffer.from([1, 2, 3, 4, 5]))])),
    'edge-header-short': msg(16, 0, 1, Buffer.from([0, 0, 1, 0])),
    'edge-repeated-attr': linkMsg(Buffer.concat([ifinfo(1), ...Array.from({ length: 64 }, (_, i) => attr(3, str(`n${i}`)))])),
    'edge-kind-unknown': linkMsg(Buffer.concat([ifinfo(1), attr(18, Buffer.concat([attr(2, attr(1, u32(7))), attr(1, Buffer.from('nosuchkind'))]))])),
  };
  for (const [name, bytes] of Object.entries(route)) write('decode_route', name, bytes);

  const nfgen = Buffer.from([2, 0, 0, 0]);
  const expr = (name, data) => attr(1 | 0x8000, Buffer.concat([attr(1, str(name)), ...(data ? [attr(2 | 0x8000, data)] : [])]));
  const netfilter = {
    'edge-rule-exprs': msg(0x0a06, NLM_F_MULTI, 1, Buffer.concat([nfgen, attr(1, str('t')), attr(2, str('c')),
      attr(4 | 0x8000, Buffer.concat([
        expr('nosuchexpr', attr(1, u32(1))),
        expr('cmp', Buffer.concat([attr(1, u32(1)), attr(3 | 0x8000, attr(2 | 0x8000, Buffer.concat([attr(1, i32(-3)), attr(2, str('chain'))])))])),
        expr('counter'),
        attr(1 | 0x8000, Buffer.concat([attr(2 | 0x8000, attr(1, u32(0))), attr(1, str('meta'))])),
      ]))])),
    'edge-nfgenmsg-short': msg(0x0a00, 0, 1, Buffer.from([2, 0])),
    'edge-setelem-nested': msg(0x0a0d, NLM_F_MULTI, 1, Buffer.concat([nfgen, attr(1, str('t')), attr(2, str('s')),
      attr(3 | 0x8000, attr(1 | 0x8000, Buffer.concat([attr(1 | 0x8000, attr(1, Buffer.from([198, 18, 0, 1]))), attr(3, u32(1))])))])),
    'edge-batch-begin': msg(0x10, 1, 1, Buffer.from([0, 0, 0, 10])),
  };
  for (const [name, bytes] of Object.entries(netfilter)) write('decode_netfilter', name, bytes);

  const dumpBody = linkMsg(Buffer.concat([ifinfo(1), attr(3, str('lo'))]));
  const exchange = {
    'edge-three-acks-out-of-order': exchangeInput(0x02, [Buffer.concat([ack(3), errorMsg(1, 1, { text: 'not permitted' }), ack(2)])]),
    'edge-dump-interrupted': exchangeInput(0x20, [Buffer.concat([restamp(dumpBody, 1), done(1, NLM_F_DUMP_INTR)]),
      Buffer.concat([restamp(dumpBody, 2), done(2)])]),
    'edge-forged-first': exchangeInput(0x00, [{ bytes: errorMsg(1, 1), sender: 7 }, ack(1)]),
    'edge-truncated-datagram': exchangeInput(0x00, [header(100, NLMSG_ERROR, 0, 1, FAKE_PORT)]),
    'edge-dump-then-enobufs': exchangeInput(0x80 | 0x20, [restamp(dumpBody, 1)]),
    'edge-send-fails': exchangeInput(0x40, []),
    'edge-error-too-short': exchangeInput(0x00, [Buffer.concat([header(18, NLMSG_ERROR, 0, 1, FAKE_PORT), Buffer.alloc(4)]), ack(1)]),
    'edge-batch-all-acked': exchangeInput(0x04 | (2 << 3) | 1, [Buffer.concat([ack(1), ack(2), ack(3)]), ack(5), ack(4)]),
    'edge-other-port': exchangeInput(0x00, [restamp(ack(1), 1, 99), ack(1)]),
    // A batch of two: its first message refused, its second answered with data and a DONE (which
    // the kernel does not send) before the sentinel (seq 3) is.
    'edge-batch-done-before-sentinel': exchangeInput(0x04 | (1 << 3), [Buffer.concat([errorMsg(1, 1),
      restamp(dumpBody, 2), done(2)]), ack(3)]),
  };
  for (const [name, bytes] of Object.entries(exchange)) write('exchange', name, bytes);

  // A link message to patch: RTM_NEWLINK, ifinfomsg, IFLA_IFNAME, IFLA_NET_NS_FD (payload at 40).
  const link = msg(16, 0x405, 0, Buffer.concat([ifinfo(0), attr(3, str('v0')), attr(28, u32(0))]));
  const answer = linkMsg(Buffer.concat([ifinfo(7), attr(3, str('v0')), attr(5, u32(9))]));
  const chain = {
    'edge-header-index': chainInput({ answer, message: link, attr: 5, offset: 20 }),
    'edge-attr-payload': chainInput({ answer, message: link, attr: 5, offset: 40 }),
    'edge-missing-attr': chainInput({ answer, message: link, attr: 10, offset: 20 }),
    'edge-step-out-of-range': chainInput({ answer, message: link, fromStep: 3, attr: 5, offset: 20 }),
    'edge-offset-at-end': chainInput({ answer, message: link, attr: 5, offset: link.length - 2 }),
    'edge-offset-past-end': chainInput({ answer, message: link, attr: 5, offset: 0xffff }),
    'edge-header-past-reply': chainInput({ answer, message: link, attr: 5, headerSize: 200, offset: 20 }),
    'edge-short-attr': chainInput({ answer: linkMsg(Buffer.concat([ifinfo(7), attr(5, Buffer.from([9, 0]))])), message: link, attr: 5, offset: 20 }),
  };
  for (const [name, bytes] of Object.entries(chain)) write('chain_patch', name, bytes);
}

for (const t of ['framing', 'exchange', 'chain_patch']) fs.mkdirSync(path.join(corpus, t), { recursive: true });
for (const d of Object.values(REPLY_FIXTURES)) fs.mkdirSync(d, { recursive: true });
const dir = process.argv[2];
clear(dir ? ['cap-', 'edge-'] : ['edge-']);
edges();
if (dir) captured(dir);
console.log(`make-seeds: ${written.size} seeds written`);
