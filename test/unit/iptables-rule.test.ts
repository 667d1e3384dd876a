// iptables arguments -> IptRule -> the line iptables-nft -S prints, without a kernel: iptables'
// rules of order and rounding, and refusals naming the option (the round trip against iptables-nft
// itself is test/integration/iptables-matches.test.ts).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitArgs } from '../../src/iptables/argv';
import { encodeRule } from '../../src/iptables/encode';
import { formatRule, parseRuleArgs } from '../../src/iptables/rule';

const line = (args: string) => formatRule(parseRuleArgs(splitArgs(args)));

describe('iptables rule arguments', () => {
  it('prints matches in the order given, the protocol match where its first option (or -m) was', () => {
    assert.equal(line('-m comment --comment x -m tcp -p tcp -d 1.2.3.4 --dport 80 -j KUBE-SVC-X'), '-d 1.2.3.4/32 -p tcp -m comment --comment x -m tcp --dport 80 -j KUBE-SVC-X');
    assert.equal(line('-p tcp -m comment --comment x --dport 80 --sport 1'), '-p tcp -m comment --comment x -m tcp --sport 1 --dport 80');
    assert.equal(line('-p tcp --dport 80 -m comment --comment x'), '-p tcp -m tcp --dport 80 -m comment --comment x');
    assert.equal(line('-m comment --comment "no target"'), '-m comment --comment "no target"');
    // An IptRule object's sport/dport shorthand is the first match.
    assert.equal(formatRule({ protocol: 'udp', dport: '53', matches: [{ name: 'comment', comment: 'dns' }], target: { name: 'ACCEPT' } }), '-p udp -m udp --dport 53 -m comment --comment dns -j ACCEPT');
  });

  it('rounds and normalizes as iptables does: %.11f probabilities (half to even), limits in the unit iptables-nft picks', () => {
    assert.equal(line('-m statistic --mode random --probability 0.5000000000'), '-m statistic --mode random --probability 0.50000000000');
    assert.equal(line('-m statistic --mode random --probability 0.000244140625'), '-m statistic --mode random --probability 0.00024414062');
    assert.equal(line('-m statistic --mode random --probability 1'), '-m statistic --mode random --probability 1.00000000000');
    assert.equal(line('-m limit --limit 60/minute'), '-m limit --limit 1/sec');
    assert.equal(line('-m limit --limit 7/s --limit-burst 5'), '-m limit --limit 7/sec');
    assert.equal(line('-p tcp --dport 80:80'), '-p tcp -m tcp --dport 80');
    assert.equal(line('-j MARK --and-mark 0x4000'), '-j MARK --set-xmark 0x0/0xffffbfff');
    assert.equal(line('-j CONNMARK --restore-mark --mask 0xff'), '-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff');
  });

  it('refuses what iptables refuses or this library does not support, naming the option', () => {
    const bad: Array<[string, RegExp]> = [
      ['-m hashlimit --hashlimit-upto 1/sec', /-m: unsupported match "hashlimit"/],
      ['-m statistic --mode random', /-m statistic: needs --mode random --probability P/],
      ['-m statistic --mode nth --every 3', /-m statistic: needs .*--packet P/],
      ['-m statistic --mode random --probability 1.5', /--probability: "1.5" is not a probability/],
      ['-m statistic --mode nth --every 3 --packet 3', /--packet: 3 is not below --every 3/],
      ['-m conntrack --ctstate BOGUS', /--ctstate: "BOGUS" is not one of INVALID, NEW, RELATED, ESTABLISHED, UNTRACKED, SNAT, DNAT/],
      ['-m conntrack --ctstatus SEEN', /--ctstatus: "SEEN" is not one of EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED, NONE/],
      ['-m conntrack', /-m conntrack: needs --ctstate or --ctstatus/],
      ['-m state --state DNAT', /--state: SNAT and DNAT are --ctstate states/],
      ['-m tcp --dport 80', /-m tcp: needs -p tcp/],
      ['-p udp -m tcp --dport 80', /-m tcp: needs -p tcp/],
      ['--sport 1', /--sport: needs -p tcp or -p udp/],
      ['-m multiport --dports 80', /-m multiport: needs -p tcp or -p udp/],
      ['-p tcp --tcp-flags SYN,BOGUS SYN', /--tcp-flags: "BOGUS" is not one of FIN, SYN, RST, PSH, ACK, URG/],
      ['-m limit --limit 20000/sec', /--limit: rate too fast "20000\/sec"/],
      ['-m limit --limit 5/fortnight', /--limit: "5\/fortnight" is not a rate/],
      ['-m physdev', /-m physdev: needs an option/],
      ['-m addrtype --limit-iface-in', /-m addrtype: needs --src-type or --dst-type/],
      ['-m set --match-set foo sideways', /--match-set: "sideways" is not src\|dst/],
      ['-m mark --mark 1/2/3', /--mark: "1\/2\/3" is not VALUE\[\/MASK\]/],
      ['-j MARK --or-mark 1 --xor-mark 2', /-j MARK: needs one of --set-xmark, --set-mark, --or-mark, --xor-mark, --and-mark/],
      ['-j MASQUERADE --persistent', /--persistent: is not an option of MASQUERADE/],
      ['-j DNAT --to-destination 198.18.0.2 --random-fully', /--random-fully: is not an option of DNAT/],
      ['-j CT --helper ftp', /--helper: is not an option of CT/],
      ['-j CONNMARK --set-mark 1 --mask 0xff', /--mask: is for --save-mark and --restore-mark/],
      ['-j TCPMSS --set-mss 70000', /--set-mss: "70000" is not a number from 0 to 65534/],
      ['-j KUBE-SVC-X --random', /--random: unexpected after -j KUBE-SVC-X/],
      ['-m recent --name KUBE-SEP-A', /-m recent: needs one of --set, --rcheck, --update, --remove/],
      ['-m recent --set --rcheck', /--rcheck: -m recent takes one of --set, --rcheck, --update, --remove \(it has --set\)/],
      ['! -j ACCEPT', /-j: can't be negated/],
      ['-p tcp !', /!: negates nothing/],
    ];
    for (const [args, message] of bad) assert.throws(() => parseRuleArgs(splitArgs(args)), (e: unknown) => e instanceof RangeError && message.test(e.message), args);
    // Checked when encoding, before anything is sent.
    assert.throws(() => encodeRule(parseRuleArgs(splitArgs('-j TCPMSS --set-mss 1400'))), /-j TCPMSS: needs -p tcp/);
    assert.throws(() => encodeRule(parseRuleArgs(splitArgs('-m set --match-set foo src'))), /--match-set: "foo": no such ipset/);
  });
});
