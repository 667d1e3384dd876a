// ns.conntrack and `nln conntrack` against conntrack(8) (the Debian conntrack package) as the
// oracle: entries made with `conntrack -I` (and by real NAT'd traffic) inside throwaway
// namespaces; the same entries listed, counted, selected by the same filters, and deleted.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { conntrackLine } from '../../src/cli/conntrack';
import { sweepFlows } from '../../src/cni/flow-sweep';
import { NLM_F } from '../../src/constants';
import { TRANSPORT } from '../../src/kernel/transport';
import { BridgeNetwork, type ConntrackFilter, type Netns } from '../../src/index';
import { sh, udpEcho, udpExchange, wireClient, withCleanup, withNamespaces } from '../helpers';

/** IPCTNL_MSG_CT_NEW: what a conntrack dump answers with, an entry each. */
const CT_NEW = 1 << 8;

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

/** conntrack(8) inside the namespace: its stdout. */
const conntrack = (ns: Netns, args: string[]) => sh('ip', ['netns', 'exec', ns.name!, 'conntrack', ...args]);

/** The timeout column ticks between two reads: compared without it. */
const untimed = (line: string) => line.replace(/^((?:ipv[46]\s+\d+\s+)?\S+\s+\d+) \d+ /, '$1 T ');
const lines = (out: string) => out.split('\n').filter((l) => l !== '').map(untimed).sort();

/** The ids of the entries conntrack -L shows with these options. */
async function oracleIds(ns: Netns, args: string[]): Promise<number[]> {
  return (await conntrack(ns, ['-L', '-o', 'id', ...args])).split('\n').filter((l) => l !== '').map((l) => Number(/ id=(\d+)$/.exec(l)![1])).sort();
}

const ids = async (ns: Netns, filter?: ConntrackFilter) => (await ns.conntrack.list(filter)).map((e) => e.id).sort();

/** How many dumps (table walks) `fn` asks of `ns`'s kernel. */
async function countingDumps<T>(ns: Netns, fn: () => Promise<T>): Promise<{ result: T; dumps: number }> {
  let dumps = 0;
  const t = ns[TRANSPORT];
  const requestMapped = t.requestMapped;
  t.requestMapped = function (this: typeof t, ...a: Parameters<typeof requestMapped>) {
    if (((a[1].flags ?? 0) & NLM_F.DUMP) === NLM_F.DUMP) dumps++;
    return requestMapped.apply(this, a);
  } as typeof requestMapped;
  try {
    return { result: await fn(), dumps };
  } finally {
    t.requestMapped = requestMapped;
  }
}

/** Entries of every kind the filters below tell apart. */
const SEED: string[][] = [
  ['-p', 'udp', '-s', '198.18.0.1', '-d', '198.18.0.2', '--sport', '1000', '--dport', '53', '-u', 'SEEN_REPLY'],
  ['-p', 'udp', '-s', '198.18.0.1', '-d', '198.18.0.2', '--sport', '1001', '--dport', '53'],
  ['-p', 'udp', '-s', '198.18.0.3', '-d', '198.18.0.2', '--sport', '1000', '--dport', '54', '-m', '5'],
  ['-p', 'tcp', '-s', '198.18.0.1', '-d', '198.18.0.2', '--sport', '1000', '--dport', '80', '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY,ASSURED', '-m', '7'],
  ['-p', 'tcp', '-s', '198.18.0.3', '-d', '198.18.0.4', '--sport', '2000', '--dport', '80', '--state', 'SYN_SENT', '-m', '6'],
  ['-p', 'icmp', '-s', '198.18.0.1', '-d', '198.18.0.2', '--icmp-type', '8', '--icmp-code', '0', '--icmp-id', '77'],
  ['-p', 'udp', '-s', '2001:db8::1', '-d', '2001:db8::2', '--sport', '1000', '--dport', '53', '-u', 'SEEN_REPLY'],
  ['-p', 'udp', '-s', '198.18.0.5', '-d', '198.18.0.2', '--sport', '5', '--dport', '6', '-w', '3'],
  // A reply tuple that is not the original's mirror, as NAT makes one.
  ['-p', 'udp', '-s', '198.18.2.2', '-d', '198.18.9.1', '--sport', '4000', '--dport', '5353', '-r', '198.18.0.9', '-q', '198.18.2.2', '--reply-port-src', '53', '--reply-port-dst', '4000', '-u', 'SEEN_REPLY'],
];

async function seed(ns: Netns): Promise<void> {
  for (const args of SEED) await conntrack(ns, ['-I', ...args, '-t', '300']);
}

/** The same selection as an ns.conntrack filter and as conntrack(8) options. */
const FILTERS: Array<[ConntrackFilter, string[]]> = [
  [{ protocol: 'udp' }, ['-p', 'udp']],
  [{ protocol: 'udp', dport: 53 }, ['-p', 'udp', '--dport', '53']],
  [{ src: '198.18.0.1' }, ['-s', '198.18.0.1']],
  [{ dst: '198.18.0.4' }, ['-d', '198.18.0.4']],
  [{ protocol: 'tcp', sport: 1000 }, ['-p', 'tcp', '--sport', '1000']],
  [{ replySrc: '198.18.0.2' }, ['-r', '198.18.0.2']],
  [{ replyDst: '198.18.2.2', protocol: 'udp', replySport: 53 }, ['-q', '198.18.2.2', '-p', 'udp', '--reply-port-src', '53']],
  [{ mark: 7 }, ['-m', '7']],
  [{ mark: 4, markMask: 4 }, ['-m', '4/4']],
  [{ zone: 3 }, ['-w', '3']],
  [{ status: 'assured' }, ['-u', 'ASSURED']],
  [{ family: 6 }, ['-f', 'ipv6']],
  [{ protocol: 'icmp' }, ['-p', 'icmp']],
  [{ protocol: 'udp', dport: 53, family: 4 }, ['-p', 'udp', '--dport', '53', '-f', 'ipv4']],
];

const nln = (ns: Netns, args: string[]) => promisify(execFile)(process.execPath, [CLI, '-n', ns.name!, 'conntrack', ...args]);

describe('ns.conntrack (conntrack(8) as the oracle)', () => {
  it('list() shows every entry as conntrack -L does (same lines, ids, state, zone, marks); count() is conntrack -C', async () => {
    await withNamespaces(1, async (ns) => {
      await seed(ns);
      const entries = await ns.conntrack.list();
      assert.equal(entries.length, SEED.length);
      assert.deepEqual(entries.map((e) => untimed(conntrackLine(e, { extended: true, id: true }))).sort(), lines(await conntrack(ns, ['-L', '-o', 'extended,id'])));
      const tcp = entries.find((e) => e.state === 'ESTABLISHED')!;
      assert.deepEqual({ protocol: tcp.protocol, mark: tcp.mark, status: tcp.status, original: tcp.original }, {
        protocol: 'tcp', mark: 7, status: ['seen_reply', 'assured', 'confirmed'],
        original: { src: '198.18.0.1', dst: '198.18.0.2', sport: 1000, dport: 80 },
      });
      assert.ok(tcp.timeout > 200 && tcp.timeout <= 300, String(tcp.timeout));
      assert.equal(await ns.conntrack.count(), Number((await conntrack(ns, ['-C'])).trim()));
      assert.equal(await ns.conntrack.count(), SEED.length);
      // The CLI prints conntrack's own lines.
      assert.deepEqual(lines((await nln(ns, ['-L'])).stdout), lines(await conntrack(ns, ['-L'])));
    });
  });

  it('every filter selects the entries conntrack -L selects with the same options (and count(filter) agrees)', async () => {
    await withNamespaces(1, async (ns) => {
      await seed(ns);
      for (const [filter, args] of FILTERS) {
        const expected = await oracleIds(ns, args);
        assert.ok(expected.length > 0 && expected.length < SEED.length, `${args.join(' ')} selects some: ${expected.length}`);
        assert.deepEqual(await ids(ns, filter), expected, JSON.stringify(filter));
        assert.equal(await ns.conntrack.count(filter), expected.length, JSON.stringify(filter));
        assert.deepEqual(lines((await nln(ns, ['-L', '-o', 'id', ...args])).stdout), lines(await conntrack(ns, ['-L', '-o', 'id', ...args])), args.join(' '));
      }
    });
  });

  it('delete(filter) removes exactly what conntrack -D removes with the same options, and says how many', async () => {
    for (const [filter, args] of [FILTERS[1], FILTERS[8], FILTERS[9], FILTERS[6]]) {
      await withNamespaces(2, async (ours, theirs) => {
        await seed(ours);
        await seed(theirs);
        const chosen = await oracleIds(ours, args);
        const removed = await ours.conntrack.delete(filter);
        await conntrack(theirs, ['-D', ...args]);
        assert.equal(removed, chosen.length, JSON.stringify(filter));
        // The same entries are left on both sides (ids differ between namespaces: compared as lines).
        assert.deepEqual(lines(await conntrack(ours, ['-L'])), lines(await conntrack(theirs, ['-L'])), JSON.stringify(filter));
        assert.equal((await ours.conntrack.list()).length, SEED.length - chosen.length);
      });
    }
  });

  it('delete([filters]) removes in one walk what conntrack -D removes with each filter in turn', async () => {
    const picked = [FILTERS[1], FILTERS[8], FILTERS[6]];
    await withNamespaces(2, async (ours, theirs) => {
      await seed(ours);
      await seed(theirs);
      const { result: removed, dumps } = await countingDumps(ours, () => ours.conntrack.delete(picked.map(([filter]) => filter)));
      let chosen = 0;
      for (const [, args] of picked) {
        chosen += (await oracleIds(theirs, args)).length;
        await conntrack(theirs, ['-D', ...args]).catch(() => ''); // -D of nothing left exits 1
      }
      assert.ok(dumps <= 2, `one dump (per family at most), not one per filter: ${dumps}`);
      assert.equal(removed, chosen);
      assert.deepEqual(lines(await conntrack(ours, ['-L'])), lines(await conntrack(theirs, ['-L'])));
      assert.equal(await ours.conntrack.delete([]), 0);
      await assert.rejects(ours.conntrack.delete([{ family: 5 as 4 }]), /filter\[0\]\.family: 5 is not 4 or 6/);
    });
  });

  it('a CNI DEL sweeps its mappings\' flows by the kernel\'s filtered flush, no dump (a walk of every bucket), removing what conntrack -D removes', async () => {
    // Shaped as DEL's filters are: a host port and the container behind it (the reply's source).
    const picked: Array<[ConntrackFilter, string[]]> = [
      [{ family: 4, protocol: 'udp', dport: 5353, replySrc: '198.18.0.9' }, ['-f', 'ipv4', '-p', 'udp', '--dport', '5353', '-r', '198.18.0.9']],
      [{ family: 4, protocol: 'udp', dport: 53, replySrc: '198.18.0.2' }, ['-f', 'ipv4', '-p', 'udp', '--dport', '53', '-r', '198.18.0.2']],
      [{ family: 4, protocol: 'tcp', dport: 80, replySrc: '198.18.0.7' }, ['-f', 'ipv4', '-p', 'tcp', '--dport', '80', '-r', '198.18.0.7']],
    ];
    await withNamespaces(2, async (ours, theirs) => {
      await seed(ours);
      await seed(theirs);
      const { dumps } = await countingDumps(ours, () => sweepFlows(ours, picked.map(([filter]) => filter)));
      for (const [, args] of picked) await conntrack(theirs, ['-D', ...args]).catch(() => '');
      assert.equal(dumps, 0);
      assert.deepEqual(lines(await conntrack(ours, ['-L'])), lines(await conntrack(theirs, ['-L'])));
      assert.equal((await ours.conntrack.list()).length, SEED.length - 3);
    });
  });

  it('flush(filter) (the kernel\'s filtered flush, or dump and delete) leaves what conntrack -D leaves; flush() empties the table like conntrack -F', async () => {
    for (const [filter, args] of [FILTERS[2], FILTERS[0], FILTERS[7], FILTERS[10], FILTERS[9], FILTERS[11]]) {
      await withNamespaces(2, async (ours, theirs) => {
        await seed(ours);
        await seed(theirs);
        await ours.conntrack.flush(filter);
        await conntrack(theirs, ['-D', ...args]);
        assert.deepEqual(lines(await conntrack(ours, ['-L'])), lines(await conntrack(theirs, ['-L'])), JSON.stringify(filter));
        await ours.conntrack.flush();
        assert.equal((await conntrack(ours, ['-L'])).trim(), '');
      });
    }
  });

  it('deletes 300 matching entries among others, many to a sendmsg; the CLI -D and -C agree', async () => {
    await withNamespaces(1, async (ns) => {
      await seed(ns);
      await sh('ip', ['netns', 'exec', ns.name!, 'sh', '-c',
        'for i in $(seq 1 300); do conntrack -I -p udp -s 198.18.1.1 -d 198.18.1.2 --sport $((10000+i)) --dport 7 -t 300 2>/dev/null || exit 1; done']);
      assert.equal(await ns.conntrack.count({ protocol: 'udp', dport: 7 }), 300);
      assert.equal(await ns.conntrack.delete({ protocol: 'udp', dport: 7 }), 300);
      assert.equal(Number((await conntrack(ns, ['-C'])).trim()), SEED.length);
      const r = await nln(ns, ['-D', '-p', 'udp', '--dport', '53']);
      assert.match(r.stderr, /3 flow entries have been deleted/);
      assert.equal((await nln(ns, ['-C'])).stdout.trim(), String(SEED.length - 3));
      assert.equal(await ns.conntrack.delete({ protocol: 'udp', dport: 7 }), 0);
    });
  });

  it('the kernel filters the dump: a source address or a zone other than 0 brings back only the matching entries, not the table', async () => {
    await withNamespaces(1, async (ns) => {
      await seed(ns);
      const t = ns[TRANSPORT];
      let sent = 0;
      const requestMapped = t.requestMapped.bind(t);
      t.requestMapped = (protocol, message, operation, map, view) => requestMapped(protocol, message, operation, (m) => {
        if (m.type === CT_NEW && ((message.flags ?? 0) & NLM_F.DUMP) === NLM_F.DUMP) sent++;
        return map(m);
      }, view);
      try {
        for (const [filter, args] of [[{ src: '198.18.0.1' }, ['-s', '198.18.0.1']], [{ zone: 3 }, ['-w', '3']]] as Array<[ConntrackFilter, string[]]>) {
          sent = 0;
          const expected = await oracleIds(ns, args);
          assert.deepEqual(await ids(ns, filter), expected, JSON.stringify(filter));
          assert.equal(sent, expected.length, `${JSON.stringify(filter)}: the kernel sent ${sent} entries of ${SEED.length}`);
        }
        // Zone 0 is the kernel's "no zone filter": the table comes back and is filtered here.
        sent = 0;
        assert.deepEqual(await ids(ns, { zone: 0 }), await oracleIds(ns, ['-w', '0']));
        assert.equal(sent, SEED.length);
      } finally {
        delete (t as { requestMapped?: unknown }).requestMapped;
      }
    });
  });

  it('a bad filter is refused before anything is sent, naming the field and the value', async () => {
    await withNamespaces(1, async (ns) => {
      await seed(ns);
      const bad: Array<[unknown, RegExp, ErrorConstructor]> = [
        [{ sport: 53 }, /filter\.protocol: expected a protocol with ports/, TypeError],
        [{ protocol: 'icmp', dport: 1 }, /filter\.dport: 1 cannot match: protocol "icmp" has no ports/, RangeError],
        [{ protocol: 'bogus' }, /filter\.protocol: "bogus" is not one of/, RangeError],
        [{ src: '198.18.0.300' }, /filter\.src/, RangeError],
        [{ family: 6, src: '198.18.0.1' }, /filter\.src: "198\.18\.0\.1" is IPv4 but the filter is IPv6/, RangeError],
        [{ mark: -1 }, /filter\.mark: -1 is out of range/, RangeError],
        [{ markMask: 1 }, /filter\.mark: expected a mark to compare/, TypeError],
        [{ zone: 70000 }, /filter\.zone: 70000 is out of range/, RangeError],
        [{ status: ['dnat', 'nope'] }, /filter\.status\[1\]: "nope" is not one of/, RangeError],
        [{ sprot: 1 }, /filter: unknown option "sprot"/, TypeError],
        [null, /filter: expected an object, got null/, TypeError],
      ];
      for (const [filter, message, type] of bad) {
        await assert.rejects(ns.conntrack.delete(filter as ConntrackFilter), (err: Error) => err instanceof type && message.test(err.message), JSON.stringify(filter));
        await assert.rejects(ns.conntrack.list(filter as ConntrackFilter), message);
      }
      assert.equal(Number((await conntrack(ns, ['-C'])).trim()), SEED.length);
    });
  });
});


describe('BridgeNetwork removes the flows of what it removes', () => {
  it('a UDP mapping moved from container A to B: the client (same source port) reaches B at once, not A through the old flow', async () => {
    await withNamespaces(4, async (host, a, b, client) => {
      const net = await BridgeNetwork.create({ netns: host, bridge: 'br0', subnet: '198.18.0.0/24' });
      const [ea, eb] = [await net.attach(a), await net.attach(b)];
      await wireClient(client, host); // client 10.0.0.2, host 10.0.0.1
      const echoA = await udpEcho(a, 53, 'A ');
      const echoB = await udpEcho(b, 53, 'B ');
      await withCleanup(async () => {
        const m = await net.publish({ endpoint: ea, hostPort: 5353, port: 53, protocol: 'udp' });
        assert.equal(await udpExchange(client, '10.0.0.1', 5353, 40000), 'A echo:ping from 10.0.0.2');
        assert.deepEqual((await host.conntrack.list({ status: 'dnat' })).map((e) => e.reply.src), [ea.address]);
        await net.unpublish(m);
        await net.publish({ endpoint: eb, hostPort: 5353, port: 53, protocol: 'udp' });
        // Without the flow's removal the client keeps reaching A (its flow outlives the rule).
        assert.equal(await udpExchange(client, '10.0.0.1', 5353, 40000), 'B echo:ping from 10.0.0.2');
        // conntrack(8) sees the one flow, to B.
        assert.match(await conntrack(host, ['-L', '-p', 'udp', '--dport', '5353']), new RegExp(`src=${eb.address.replace(/\./g, '\\.')} dst=10\\.0\\.0\\.2 sport=53 dport=40000`));
      }, () => echoA.close(), () => echoB.close());
      await net.delete();
    });
  });

  it('detach removes the flows to and from the endpoint (TCP and UDP), and only those', async () => {
    await withNamespaces(4, async (host, a, b, client) => {
      const net = await BridgeNetwork.create({ netns: host, bridge: 'br0', subnet: '198.18.0.0/24' });
      const [ea, eb] = [await net.attach(a), await net.attach(b)];
      await wireClient(client, host);
      const echoA = await udpEcho(a, 53, 'A ');
      const echoB = await udpEcho(b, 53, 'B ');
      await withCleanup(async () => {
        await net.publish({ endpoint: ea, hostPort: 5353, port: 53, protocol: 'udp' });
        await net.publish({ endpoint: eb, hostPort: 5354, port: 53, protocol: 'udp' });
        assert.equal(await udpExchange(client, '10.0.0.1', 5353, 40000), 'A echo:ping from 10.0.0.2');
        assert.equal(await udpExchange(client, '10.0.0.1', 5354, 40001), 'B echo:ping from 10.0.0.2');
        // TCP flows too, made directly (an ESTABLISHED entry from A, one to it).
        await conntrack(host, ['-I', '-p', 'tcp', '-s', ea.address, '-d', '198.18.1.9', '--sport', '3000', '--dport', '80', '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY', '-t', '300']);
        await conntrack(host, ['-I', '-p', 'tcp', '-s', '10.0.0.2', '-d', ea.address, '--sport', '3001', '--dport', '22', '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY', '-t', '300']);
        const before = await conntrack(host, ['-L']);
        assert.match(before, new RegExp(`src=${ea.address.replace(/\./g, '\\.')} `));
        await net.detach(a);
        const after = await conntrack(host, ['-L']);
        assert.doesNotMatch(after, new RegExp(`=${ea.address.replace(/\./g, '\\.')} `), 'no flow names A');
        assert.match(after, new RegExp(`src=${eb.address.replace(/\./g, '\\.')} dst=10\\.0\\.0\\.2 sport=53 dport=40001`), 'B\'s flow stays');
      }, () => echoA.close(), () => echoB.close());
      await net.delete();
    });
  });
});
