// The TypeScript codec (src/codec) against the native one (native.encode / native.decode), while
// both exist: the fuzz corpora's kernel replies decoded by both, every decoded message and every
// packed request re-encoded by both, random messages for every table encoded by both and decoded
// back by both. Prints counts and every difference; exits 1 on a difference that is not a
// malformed input the TS codec refuses with CodecError.
//   npm run compile && node scripts/codec-diff.js [recorded.jsonl ...]
// (recorded.jsonl: lines { packed: hex } as test/fuzz/record-packed.js or scripts/codec-record.js write)
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const dist = path.join(__dirname, '..', 'dist');
const ts = require(path.join(dist, 'src', 'codec', 'codec.js'));
const native = require(path.join(dist, 'src', 'native.js'));
const { unpack } = require(path.join(dist, 'src', 'pack.js'));
const { Random, everyMessageType, randomMessage } = require(path.join(dist, 'test', 'codec-random.js'));

const corpus = (name) => {
  const dir = path.join(__dirname, '..', 'test', 'fuzz', 'corpus', name);
  return fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f))]);
};

const counts = {};
let section = '';
const count = (k) => { counts[`${section}${k}`] = (counts[`${section}${k}`] ?? 0) + 1; };
const problems = [];
const problem = (what, detail) => { problems.push(`${what}: ${detail}`); count('DIFFERENCE'); };

const same = (a, b) => {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
};

function outcome(f) {
  try {
    return { ok: f() };
  } catch (e) {
    return { err: e };
  }
}

/** Both encoders on one message: the same bytes, or both refusing it (as TypeError/RangeError). */
function compareEncode(protocol, msg, where) {
  const a = outcome(() => ts.encode(protocol, msg));
  const b = outcome(() => native.encode(protocol, msg));
  if (a.ok && b.ok) {
    if (a.ok.equals(b.ok)) count('encode: same bytes');
    else problem(where, `encode differs:\n  ts     ${a.ok.toString('hex')}\n  native ${b.ok.toString('hex')}`);
    return a.ok;
  }
  if (a.err && b.err) {
    // The messages differ by design (paths start at attrs./header.); the class is what callers see.
    count(`encode: both refuse (${a.err.constructor.name} / ${b.err.constructor.name})`);
    if (!(a.err instanceof TypeError || a.err instanceof RangeError)) problem(where, `ts threw ${a.err.stack}`);
    return null;
  }
  // By design: the message type and flags are range-checked as the u16 they are; native cast them.
  if (a.err instanceof RangeError && /^(messages\[\d+\]\.)?(type|flags): .* does not fit in 16 bits/.test(a.err.message)) return count('encode: explained: only ts refuses a type/flags beyond 16 bits (native truncated it)');
  if (a.err) problem(where, `only ts refuses: ${a.err.message} ${JSON.stringify(msg, (k, v) => typeof v === 'bigint' ? `${v}n` : v)}`);
  else problem(where, `only native refuses: ${b.err.message}`);
  return null;
}

/** Both decoders on one buffer; when the TS codec refuses it, it must be a CodecError. */
function compareDecode(protocol, bytes, where, encodeBack) {
  const a = outcome(() => ts.decode(protocol, bytes));
  const b = native.decode(protocol, bytes);
  if (a.err) {
    if (!(a.err instanceof ts.CodecError)) return problem(where, `ts threw ${a.err.stack}`);
    count(`decode: malformed, ts CodecError (${a.err.message.replace(/[0-9]+/g, 'N').replace(/ in \w+/, '')})`);
    return;
  }
  if (same(a.ok, b)) count('decode: same');
  else return problem(where, `decode differs:\n  ts     ${JSON.stringify(a.ok, rep)}\n  native ${JSON.stringify(b, rep)}`);
  if (encodeBack) a.ok.forEach((m, i) => compareEncode(protocol, m, `${where} message ${i} re-encoded`));
}
const rep = (k, v) => (typeof v === 'bigint' ? `${v}n` : v && v.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v);

section = '1 corpora: ';
// 1. Kernel replies (and malformed ones) from the fuzz corpora, decoded, then re-encoded.
for (const [name, protocol] of [['decode_route', 0], ['decode_netfilter', 12]]) {
  for (const [f, bytes] of corpus(name)) compareDecode(protocol, bytes, `${name}/${f}`, true);
}

section = '2 packed requests: ';
// 2. Requests as the library packs them (the unpack corpus; recorded files), for both protocols.
const packed = corpus('unpack').map(([f, b]) => [`unpack/${f}`, b]);
for (const file of process.argv.slice(2)) {
  fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).forEach((line, i) => packed.push([`${file}:${i + 1}`, Buffer.from(JSON.parse(line).packed, 'hex')]));
}
for (const [where, bytes] of packed) {
  let values;
  try {
    values = unpack(bytes);
  } catch {
    count('packed: malformed (not a message)');
    continue;
  }
  for (const v of values) {
    for (const protocol of [0, 12]) {
      const bytesOut = compareEncode(protocol, v, `${where} protocol ${protocol}`);
      if (bytesOut) compareDecode(protocol, bytesOut, `${where} protocol ${protocol} decoded`, false);
    }
  }
}

section = '3 random messages: ';
// 3. Random messages for every table, every attribute (the seed is fixed: the same run every time).
const r = new Random(15);
for (const [protocol, type, spec] of everyMessageType()) {
  for (let i = 0; i < 40; i++) {
    const msg = randomMessage(r, type, spec, i % 4 === 0);
    const bytes = compareEncode(protocol, msg, `random ${protocol}/${type} #${i}`);
    if (bytes) compareDecode(protocol, bytes, `random ${protocol}/${type} #${i} decoded`, false);
  }
}

for (const [k, n] of Object.entries(counts).sort()) console.log(`${String(n).padStart(7)}  ${k}`);
for (const p of problems.slice(0, 40)) console.log(`\n${p}`);
process.exitCode = problems.length ? 1 : 0;
