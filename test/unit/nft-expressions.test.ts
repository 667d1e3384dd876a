// Every item kind the expression table knows, both ways: typed items -> expressions -> a NEWRULE's
// netlink bytes (the codec, no kernel) -> expressions -> typed items, equal to what went in. An entry
// whose encode or decode side is missing or disagrees with the other fails here. The kernel's own
// listing of the same rules is compared with nft's in test/integration/nft-fidelity.test.ts.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode, encodeNest } from '../../src/codec/codec';
import { nftExprList } from '../../src/codec/nftables';
import { NETLINK_NETFILTER } from '../../src/native';
import { NFT_MSG, type NftFamily } from '../../src/nft/constants';
import { decodeExpressions, encodeItems, type Expr, ITEM_CODECS } from '../../src/nft/expressions';
import { cmp } from '../../src/nft/expressions/bytes';
import { FIELDS, type Field, type Item, type Value } from '../../src/nft/items';
import { expressions, nftMessage } from '../../src/nft/messages';
import { NftTransaction } from '../../src/nft/transaction';

const FAMILIES: NftFamily[] = ['ip', 'ip6', 'inet', 'bridge', 'netdev'];
const show = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x));

/**
 * A known limit, asserted so that a change to it is noticed: in a table of several layer-3 protocols
 * the layer-3 check is decoded only right before the ip/ip6 payload it guards, so a concatenation
 * that loads another field between them (`iifname . ip saddr`) lists as raw expressions.
 */
const listsRaw = (items: Item[], family: NftFamily) => family !== 'ip' && family !== 'ip6' &&
  items.some((it) => it.t === 'concat' && !it.fields[0].startsWith('ip') && it.fields.some((f) => f.startsWith('ip')));

// Interface indexes without a kernel: "lo" is 1, a number is itself.
const ifindex = (name: string) => { const b = Buffer.alloc(4); b.writeUInt32LE(name === 'lo' ? 1 : Number(name)); return b; };
const ifname = (index: number) => (index === 1 ? 'lo' : undefined);

/** Items through the expressions, the rule's bytes and back, with anonymous sets named and listed as the kernel does. */
function roundTrip(items: Item[], family: NftFamily): Item[] | undefined {
  let setId = 0;
  const { expressions: exprs, sets } = encodeItems(items, family, () => ++setId, ifindex);
  const listed = new Map<string, Array<{ key: Buffer; keyEnd?: Buffer; data?: unknown }>>();
  const named = exprs.map((e): Expr => {
    const d = e.data as { set?: string; set_id?: number } | undefined;
    if (e.name !== 'lookup' || d?.set_id === undefined) return e;
    const name = String(d.set).replace('%d', String(d.set_id));
    listed.set(name, sets.find((s) => s.id === d.set_id)!.elements);
    const { set_id: _, ...rest } = d;
    return { name: e.name, data: { ...rest, set: name } };
  });
  const bytes = encode(NETLINK_NETFILTER, nftMessage(NFT_MSG.NEWRULE, family, { table: 't', chain: 'c', expressions: expressions(named) }));
  const [m] = decode(NETLINK_NETFILTER, bytes);
  const back = ((m.attrs as any).expressions?.elem ?? []) as Expr[];
  const decoded = decodeExpressions(back.map((e) => ({ name: e.name, data: e.data })), (n) => listed.get(n), ifname, family);
  // The protocol checks nft adds before a port match come back marked implied: not items of their own.
  return decoded?.filter((it) => !(it.t === 'match' && it.implied));
}

const single = (value: string | number): { kind: 'single'; value: string | number } => ({ kind: 'single', value });
const SINGLE: Record<Field, string | number> = {
  'ip saddr': '198.18.0.1', 'ip daddr': '198.18.0.2', 'ip6 saddr': '2001:db8::1', 'ip6 daddr': '2001:db8::2', 'meta l4proto': 'udp',
  'tcp sport': 1024, 'tcp dport': 80, 'udp sport': 53, 'udp dport': 5353, iifname: 'veth0', oifname: 'br0', iif: 'lo', oif: 7,
  'ct state': 'new', 'ct status': 'dnat', 'ct mark': 7, 'meta mark': 0x10, 'fib daddr type': 'local',
};
/** Two values of the field, in the order nft lists a set of them. */
const PAIR: Record<Field, [string | number, string | number]> = {
  'ip saddr': ['198.18.0.1', '198.18.0.9'], 'ip daddr': ['198.18.0.1', '198.18.0.9'], 'ip6 saddr': ['2001:db8::1', '2001:db8::9'], 'ip6 daddr': ['2001:db8::1', '2001:db8::9'],
  'meta l4proto': ['tcp', 'udp'], 'tcp sport': [22, 80], 'tcp dport': [22, 80], 'udp sport': [53, 123], 'udp dport': [53, 123],
  iifname: ['a0', 'b0'], oifname: ['a0', 'b0'], iif: [2, 3], oif: [2, 3], 'ct state': ['established', 'related'], 'ct status': ['snat', 'dnat'],
  'ct mark': [1, 2], 'meta mark': [1, 2], 'fib daddr type': ['local', 'broadcast'],
};
const FLAGS = new Set<Field>(['ct state', 'ct status']);

/** Matches of every field, in each kind of value it takes. */
function matchSamples(): Item[][] {
  const out: Item[][] = [];
  const m = (field: Field, value: Value, op: 'eq' | 'neq' = 'eq', mask?: number): Item[] => [mask === undefined ? { t: 'match', field, op, value } : { t: 'match', field, op, value, mask }];
  for (const field of FIELDS) {
    if (FLAGS.has(field)) {
      out.push(m(field, { kind: 'flags', names: [PAIR[field][0] as string] }), m(field, { kind: 'flags', names: PAIR[field] as string[] }, 'neq'));
      continue;
    }
    out.push(m(field, single(SINGLE[field])), m(field, single(SINGLE[field]), 'neq'), m(field, { kind: 'named', name: 's' }), m(field, { kind: 'named', name: 's' }, 'neq'));
    out.push(m(field, { kind: 'set', elements: PAIR[field].map(single) }));
  }
  for (const field of ['tcp dport', 'udp sport', 'meta mark'] as Field[]) {
    out.push(m(field, { kind: 'range', from: 1000, to: 2000 }), m(field, { kind: 'range', from: 1000, to: 2000 }, 'neq'));
  }
  out.push(m('ip daddr', { kind: 'range', from: '198.18.0.1', to: '198.18.0.9' }));
  for (const [field, address, lengths] of [['ip saddr', '198.18.0.0', [15, 16, 24, 25]], ['ip6 daddr', '2001:db8::', [32, 61, 64, 127]]] as const) {
    for (const length of lengths) out.push(m(field, { kind: 'prefix', address, length }));
  }
  out.push(m('ip daddr', { kind: 'set', elements: [{ kind: 'single', value: '198.18.0.1' }, { kind: 'prefix', address: '198.18.1.0', length: 24 }, { kind: 'range', from: '198.18.3.1', to: '198.18.3.7' }] }));
  out.push(m('iifname', single('veth*')), m('oifname', single('br*'), 'neq'));
  out.push(m('meta mark', single(7), 'eq', 0xff), m('ct mark', single(0x10), 'neq', 0xf0));
  return out;
}

const tcp: Item = { t: 'match', field: 'meta l4proto', op: 'eq', value: single('tcp') };

/** Every item kind the table knows and writes, with what it takes. xt is read only: its own test below. */
const SAMPLES: { [K in Exclude<Item['t'], 'xt'>]: Item[][] } = {
  match: matchSamples(),
  concat: [
    [{ t: 'concat', fields: ['ip daddr', 'tcp dport'], op: 'eq', value: { kind: 'tuples', elements: [['198.18.0.1', 80], ['198.18.0.2', 443]] } }],
    [{ t: 'concat', fields: ['iifname', 'ip saddr'], op: 'neq', value: { kind: 'tuples', elements: [['a0', '198.18.0.1']] } }],
    [{ t: 'concat', fields: ['ip6 daddr', 'udp dport'], op: 'eq', value: { kind: 'named', name: 'svc' } }],
  ],
  vmap: [
    [{ t: 'vmap', field: 'tcp dport', value: { kind: 'map', entries: [[single(22), 'jump other'], [single(80), 'accept'], [single(443), 'drop']] } }],
    [{ t: 'vmap', field: 'ip daddr', value: { kind: 'map', entries: [[{ kind: 'prefix', address: '198.18.1.0', length: 24 }, 'accept']] } }],
    [{ t: 'vmap', field: 'iifname', value: { kind: 'named', name: 'vm' } }],
  ],
  nat: [
    [{ t: 'nat', type: 'dnat', address: '198.18.0.2' }],
    [{ t: 'nat', type: 'snat', addressEnd: '198.18.0.9', address: '198.18.0.1' }],
    [{ t: 'nat', type: 'dnat', address: '2001:db8::2' }],
    [tcp, { t: 'nat', type: 'dnat', address: '198.18.0.2', ports: [8080, 8080] }],
    [tcp, { t: 'nat', type: 'dnat', addressEnd: '198.18.0.9', address: '198.18.0.2', ports: [8080, 8090] }],
    [tcp, { t: 'nat', type: 'snat', ports: [1000, 2000] }],
    [{ t: 'nat', type: 'dnat', map: { field: 'tcp dport', value: { kind: 'map', entries: [[single(80), '198.18.0.2'], [single(81), '198.18.0.3']] } } }],
    [{ t: 'nat', type: 'snat', map: { field: 'ip saddr', value: { kind: 'named', name: 'm' } } }],
  ],
  masquerade: [[{ t: 'masquerade' }], [tcp, { t: 'masquerade', ports: [1000, 1000] }], [tcp, { t: 'masquerade', ports: [1000, 2000] }]],
  redirect: [[{ t: 'redirect' }], [tcp, { t: 'redirect', ports: [8080, 8080] }], [tcp, { t: 'redirect', ports: [8080, 8090] }]],
  counter: [[{ t: 'counter', packets: 0n, bytes: 0n }]],
  verdict: [
    [{ t: 'verdict', verdict: 'accept' }], [{ t: 'verdict', verdict: 'drop' }], [{ t: 'verdict', verdict: 'return' }], [{ t: 'verdict', verdict: 'continue' }],
    [{ t: 'verdict', verdict: 'jump', chain: 'other' }], [{ t: 'verdict', verdict: 'goto', chain: 'other' }],
  ],
  log: [[{ t: 'log' }], [{ t: 'log', prefix: 'dropped: ' }]],
  limit: (['second', 'minute', 'hour', 'day', 'week'] as const).map((per) => [{ t: 'limit', rate: 10, per, burst: 5 }]),
  reject: [[{ t: 'reject' }]],
  notrack: [[{ t: 'notrack' }]],
  set: [[{ t: 'set', key: 'meta mark', value: 0x7 }], [{ t: 'set', key: 'ct mark', value: 0xffffffff }]],
};

describe('nft expressions: every item kind, encoded and decoded', () => {
  it('the table has an entry, both ways, for every item kind, and every kind it writes has samples here', () => {
    for (const [kind, codec] of Object.entries(ITEM_CODECS)) {
      assert.equal(typeof codec.encode, 'function', kind);
      assert.ok(Object.keys(codec.decode).length > 0, `${kind}: no decode step`);
      if (kind !== 'xt') assert.ok(SAMPLES[kind as keyof typeof SAMPLES]?.length, `${kind}: no samples`);
    }
  });

  for (const [kind, samples] of Object.entries(SAMPLES)) {
    it(`${kind}: typed -> expressions -> bytes -> typed gives the same items, in every family`, () => {
      for (const family of FAMILIES) {
        for (const items of samples) assert.deepEqual(roundTrip(items, family), listsRaw(items, family) ? undefined : items, `${family}: ${show(items)}`);
      }
    });
  }

  it('a rule of several items comes back whole, in order', () => {
    const items: Item[] = [
      { t: 'match', field: 'iifname', op: 'eq', value: single('veth0') },
      { t: 'match', field: 'ip saddr', op: 'eq', value: { kind: 'prefix', address: '198.18.0.0', length: 15 } },
      { t: 'match', field: 'tcp dport', op: 'eq', value: { kind: 'set', elements: [single(80), single(443)] } },
      { t: 'match', field: 'ct state', op: 'eq', value: { kind: 'flags', names: ['new'] } },
      { t: 'counter', packets: 0n, bytes: 0n }, { t: 'log', prefix: 'in ' }, { t: 'set', key: 'meta mark', value: 1 },
      { t: 'nat', type: 'dnat', address: '198.18.0.2', ports: [8080, 8080] },
    ];
    for (const family of FAMILIES) assert.deepEqual(roundTrip(items, family), items, family);
  });

  it("a rule's expression list (shared expressions and comparisons written without the tables walk) is the bytes the tables give", () => {
    const walked = (exprs: Expr[]) => encodeNest(nftExprList, { elem: exprs.map((e) => ({ name: e.name, data: e.data ?? {} })) }, true);
    let rules = 0;
    for (const samples of Object.values(SAMPLES)) {
      for (const items of samples) {
        for (const family of FAMILIES) {
          const { expressions: exprs } = encodeItems(items, family, () => 1, ifindex);
          assert.deepEqual(expressions(exprs), walked(exprs), `${family}: ${show(items)}`);
          rules++;
        }
      }
    }
    assert.ok(rules > 100);
    // Comparisons of every op and of values of every length up to 16 bytes (and past it), twice: the templates are reused.
    for (let pass = 0; pass < 2; pass++) {
      for (let op = 0; op <= 5; op++) {
        for (const len of [1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 17, 64, 65]) {
          const exprs = [cmp(op, Buffer.from(Array.from({ length: len }, (_, i) => 255 - i - op)))];
          assert.deepEqual(expressions(exprs), walked(exprs), `cmp op ${op}, ${len} bytes`);
        }
      }
    }
    // Jumps and gotos to chains of every name length, xtables matches and targets of varied names,
    // revisions and struct sizes, twice (templates reused), the same bytes as the tables' walk.
    for (let pass = 0; pass < 2; pass++) {
      for (const code of [0xfffffffd, 0xfffffffc]) {
        for (let len = 1; len <= 32; len++) {
          const exprs: Expr[] = [{ name: 'immediate', data: { dreg: 0, data: { verdict: { code, chain: `C${'hainé'.repeat(8)}`.slice(0, len) } } } }];
          assert.deepEqual(expressions(exprs), walked(exprs), `verdict ${code} to a chain of ${len} characters`);
        }
      }
      for (const [kind, name, rev, size] of [['match', 'comment', 0, 256], ['match', 'statistic', 0, 24], ['target', 'DNAT', 2, 40], ['target', 'MARK', 2, 8], ['match', 'tcp', 0, 16], ['match', 'x', 7, 3]] as const) {
        const exprs: Expr[] = [{ name: kind, data: { name, rev, info: Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + pass + 1) & 255)) } }];
        assert.deepEqual(expressions(exprs), walked(exprs), `${kind} ${name} rev ${rev}, ${size} bytes`);
      }
    }
    // A shared expression is one object, frozen: a rule cannot change what every other rule sends.
    const [load] = encodeItems([{ t: 'match', field: 'tcp dport', op: 'eq', value: single(80) }], 'ip', () => 1).expressions;
    assert.ok(Object.isFrozen(load) && Object.isFrozen(load.data));
    assert.equal(encodeItems([{ t: 'counter' }], 'ip', () => 1).expressions[0], encodeItems([{ t: 'counter' }], 'ip', () => 1).expressions[0]);
  });

  it('an iif/oif index filled in after the rule was added (as ns.nft does just before sending) is in the bytes sent', () => {
    const tx = new NftTransaction();
    tx.addRule({ family: 'ip', table: 't', chain: 'c', rule: 'iif "lo" accept' });
    tx.ifindexes[0].slot.writeUInt32LE(7);
    const back = ((decode(NETLINK_NETFILTER, encode(NETLINK_NETFILTER, tx.messages[0]))[0].attrs as any).expressions.elem) as Expr[];
    assert.deepEqual(back.find((e) => e.name === 'cmp')?.data, { sreg: 1, op: 0, data: { value: Buffer.from([7, 0, 0, 0]) } });
  });

  it('xt (read only): a compat match or target lists as text, and writes nothing', () => {
    for (const name of ['match', 'target'] as const) {
      const bytes = encode(NETLINK_NETFILTER, nftMessage(NFT_MSG.NEWRULE, 'ip', { table: 't', chain: 'c', expressions: expressions([{ name, data: { name: 'nosuch', rev: 0, info: Buffer.alloc(4) } }]) }));
      const back = ((decode(NETLINK_NETFILTER, bytes)[0].attrs as any).expressions.elem) as Expr[];
      assert.deepEqual(decodeExpressions(back, () => undefined), [{ t: 'xt', text: `xt ${name} nosuch` }]);
    }
    assert.deepEqual(encodeItems([{ t: 'xt', text: 'xt match nosuch' }], 'ip', () => 1), { expressions: [], sets: [] });
  });

  it('expressions outside the language decode to undefined, not to a guess', () => {
    const outside: Expr[][] = [
      [{ name: 'quota', data: {} }],
      [{ name: 'toString', data: {} }],
      [{ name: 'payload', data: { dreg: 1, base: 0, offset: 0, len: 6 } }],
      [{ name: 'cmp', data: { sreg: 1, op: 0, data: { value: Buffer.from([1]) } } }],
      [{ name: 'immediate', data: { dreg: 0, data: { verdict: { code: 42 } } } }],
      [{ name: 'limit', data: { rate: 1n, unit: 7n, burst: 0, type: 0 } }],
      [{ name: 'meta', data: { key: 3, sreg: 1 } }],
    ];
    for (const exprs of outside) assert.equal(decodeExpressions(exprs, () => undefined), undefined, show(exprs[0]));
  });
});
