// Speed of the TypeScript codec against the native one (pack + native.encode, native.decode +
// unpack), while both exist: a 10,000-link dump decoded (real veth/bridge/vxlan replies captured
// from the kernel, repeated, in 32 KiB datagrams as a dump arrives), and typical requests encoded.
//   npm run compile && node scripts/codec-bench.js
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const dist = path.join(__dirname, '..', 'dist', 'src');
const ts = require(path.join(dist, 'codec', 'codec.js'));
const { encode: nativeEncode, decode: nativeDecode } = require(path.join(dist, 'native.js'));
const corpus = path.join(__dirname, '..', 'test', 'fuzz', 'corpus', 'decode_route');

// 10,000 link messages from the captured replies (lo, veth, bridge, vxlan, macvlan, tun), in datagrams.
const links = [0, 1, 2, 3, 4, 5, 6].map((i) => fs.readFileSync(path.join(corpus, `cap-link-${i}`)));
const datagrams = [];
let pending = [];
let size = 0;
for (let i = 0; i < 10000; i++) {
  const m = links[i % links.length];
  if (size + m.length > 32768) { datagrams.push(Buffer.concat(pending)); pending = []; size = 0; }
  pending.push(m);
  size += m.length;
}
datagrams.push(Buffer.concat(pending));

function time(label, rounds, f) {
  for (let i = 0; i < 3; i++) f(); // warm up
  const ms = [];
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    f();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)];
}

let n = 0;
const tsMs = time('ts', 15, () => { n = 0; for (const d of datagrams) n += ts.decode(0, d).length; });
const nativeMs = time('native', 15, () => { for (const d of datagrams) nativeDecode(0, d); });
console.log(`decode ${n} links: ts ${tsMs.toFixed(1)} ms (${(tsMs * 1000 / n).toFixed(2)} µs/link), native+unpack ${nativeMs.toFixed(1)} ms (${(nativeMs * 1000 / n).toFixed(2)} µs/link)`);

const veth = { type: 16, flags: 0x605, header: { family: 0, index: 0, flags: 1, change: 1 }, attrs: { ifname: 'veth-host-0001', mtu: 1500, linkinfo: { kind: 'veth', data: { peer: { header: { index: 0 }, attrs: { ifname: 'eth0', net_ns_fd: 33, address: '02:42:ac:11:00:02' } } } } } };
const rule = { type: (10 << 8) | 6, flags: 0x405, header: { family: 2, version: 0, res_id: 0 }, attrs: { table: 'nat', chain: 'prerouting', expressions: { elem: [
  { name: 'meta', data: { key: 4, dreg: 1 } }, { name: 'cmp', data: { sreg: 1, op: 0, data: { value: Buffer.from([6]) } } },
  { name: 'payload', data: { dreg: 1, base: 2, offset: 2, len: 2 } }, { name: 'cmp', data: { sreg: 1, op: 0, data: { value: Buffer.from([0x1f, 0x90]) } } },
  { name: 'immediate', data: { dreg: 1, data: { value: Buffer.from([10, 0, 0, 2]) } } }, { name: 'nat', data: { type: 1, family: 2, reg_addr_min: 1 } },
] } } };
for (const [label, protocol, msg] of [['veth add', 0, veth], ['nft DNAT rule', 12, rule]]) {
  const N = 20000;
  const a = time('ts', 9, () => { for (let i = 0; i < N; i++) ts.encode(protocol, msg); });
  const b = time('native', 9, () => { for (let i = 0; i < N; i++) nativeEncode(protocol, msg); });
  console.log(`encode ${label}: ts ${(a * 1000 / N).toFixed(2)} µs, pack+native ${(b * 1000 / N).toFixed(2)} µs`);
}
const batch = Array.from({ length: 1000 }, () => rule);
const a = time('ts', 9, () => ts.encodeAll(12, batch));
console.log(`encodeAll 1,000 rules: ts ${a.toFixed(2)} ms`);
