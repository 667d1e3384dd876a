// Each link kind is one file (src/codec/link-kinds/): its table, its option checks, spec ->
// IFLA_INFO_DATA and IFLA_INFO_DATA -> Link.info. Here every kind has all four, the codec reads
// and writes its data with its table, and a spec goes options -> attributes -> bytes -> attributes
// -> Link.info with no kernel: kinds this machine's kernel lacks are covered as well.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode, type WireMessage } from '../../src/codec/codec';
import { NETLINK_ROUTE } from '../../src/codec/families';
import { linkInfoData, linkInfoSlaveData } from '../../src/codec/link';
import { LINK_KINDS, type LinkKind, PORT_KINDS, READ_ONLY_KINDS, type Resolved } from '../../src/codec/link-kinds/index';
import { AttrSet } from '../../src/codec/schema';
import { RTM } from '../../src/constants';
import { decodeLink } from '../../src/link/decode';
import { checkLinkSpec } from '../../src/link/links';
import { addMessage } from '../../src/link/message';
import type { Link, LinkSpec } from '../../src/link/types';

interface Sample {
  spec: Record<string, unknown>;
  resolved?: Resolved;
  /** What the kernel adds in its answer beyond what was sent (ids, timers, bit sets). */
  kernelAdds?: Record<string, unknown>;
  /** Link.info as `ip -j -d` keys and values it. */
  info: Record<string, unknown> | undefined;
}

const OTHER = { mtu: 1400 }; // a common option: never part of IFLA_INFO_DATA

/** At least one per kind; a kind added without one fails the first test. */
const SAMPLES: Record<string, Sample[]> = {
  veth: [{
    spec: { peer: { name: 'v0p', mtu: 9000, mac: '02:00:00:00:00:02' } },
    resolved: { peerNetnsFd: 7 },
    info: { peer: { header: { family: 0, type: 0, index: 0, flags: 0, change: 0 }, attrs: { mtu: 9000, address: '02:00:00:00:00:02', net_ns_fd: 7, ifname: 'v0p' } } },
  }],
  bridge: [{
    spec: { stp: true, forwardDelay: 400, ageingTime: 12000, mcastSnooping: false, vlanFiltering: true, defaultPvid: 10 },
    kernelAdds: {
      bridge_id: { prio: 0x8000, addr_hi: 0x0200, addr_lo: 0x1 }, root_id: { prio: 0x7000, addr_hi: 0xaabb, addr_lo: 0xccddeeff },
      vlan_protocol: 0x88a8, hello_timer: 5n, multi_boolopt: { optval: 0b010, optmask: 0b011 },
    },
    info: {
      forward_delay: 400, ageing_time: 12000, stp_state: 1, vlan_filtering: 1, vlan_default_pvid: 10, mcast_snooping: 0,
      bridge_id: '8000.2:0:0:0:0:1', root_id: '7000.aa:bb:cc:dd:ee:ff', vlan_protocol: '802.1ad', hello_timer: 5,
      multi_boolopt: { optval: 2, optmask: 3 }, no_linklocal_learn: 0, mcast_vlan_snooping: 1,
    },
  }],
  macvlan: [{ spec: { parent: 'up0', mode: 'private' }, info: { mode: 'private' } }],
  macvtap: [{ spec: { parent: 3, mode: 'source' }, kernelAdds: { flags: 0 }, info: { mode: 'source', flags: 0 } }],
  vxlan: [
    {
      spec: { vni: 42, local: '198.18.0.1', remote: '198.18.0.2', port: 4789, dev: 'up0', ttl: 64, tos: 16, learning: false, proxy: true, l2miss: true, ageing: 120, udpChecksum: false },
      resolved: { dev: 3 },
      kernelAdds: { rsc: 0, label: 0 },
      info: { id: 42, remote: '198.18.0.2', link: 3, local: '198.18.0.1', ttl: 64, tos: 16, learning: false, ageing: 120, proxy: true, l2miss: true, port: 4789, udp_csum: false, rsc: false, label: 0 },
    },
    { spec: { vni: 7, group: 'ff05::1', local: '2001:db8::1' }, info: { id: 7, group6: 'ff05::1', local6: '2001:db8::1' } },
  ],
  vlan: [{ spec: { parent: 'up0', id: 10, protocol: '802.1ad' }, kernelAdds: { flags: { flags: 1, mask: 0xffffffff } }, info: { protocol: '802.1ad', id: 10, flags: { flags: 1, mask: 0xffffffff } } }],
  ipvlan: [{ spec: { parent: 'up0', mode: 'l3s' }, info: { mode: 'l3s', flags: 0 } }],
  ipvtap: [{ spec: { parent: 'up0' }, kernelAdds: { mode: 0 }, info: { mode: 'l2', flags: 0 } }],
  bond: [{ spec: { mode: '802.3ad', miimon: 100 }, kernelAdds: { ad_actor_system: '00:00:00:00:00:00' }, info: { mode: '802.3ad', miimon: 100, ad_actor_system: '00:00:00:00:00:00' } }],
  geneve: [
    { spec: { vni: 5, remote: '2001:db8::1' }, kernelAdds: { udp_csum: 1, udp_zero_csum6_tx: 0 }, info: { id: 5, remote6: '2001:db8::1', label: 0, ttl: 0, tos: 0, port: 6081, udp_csum: true, udp_zero_csum6_tx: false } },
    { spec: { vni: 6, remote: '198.18.0.9', port: 7000, ttl: 9, tos: 4 }, info: { id: 6, remote: '198.18.0.9', label: 0, ttl: 9, tos: 4, port: 7000 } },
  ],
  vrf: [{ spec: { table: 100 }, info: { table: 100 } }],
  dummy: [{ spec: {}, info: undefined }],
  ifb: [{ spec: {}, info: undefined }],
  wireguard: [{ spec: {}, info: undefined }],
  // Made through /dev/net/tun: only the kernel's side is bytes.
  tun: [{ spec: { owner: 4242, vnetHdr: true }, kernelAdds: { user: 4242, type: 1, pi: 0, vnet_hdr: 1, persist: 1, multi_queue: 0, numqueues: 0 }, info: { user: 4242, type: 'tun', pi: false, vnet_hdr: true, persist: true, multi_queue: false, numqueues: 0 } }],
  tap: [{ spec: { group: 4242, multiQueue: true }, kernelAdds: { group: 4242, type: 2, multi_queue: 1 }, info: { group: 4242, type: 'tap', multi_queue: true } }],
};

const ALL_KINDS: Record<string, LinkKind> = { ...LINK_KINDS, ...READ_ONLY_KINDS };

/** What the kernel would answer to the request: the message's attributes, plus what it adds, back as a reply. */
function throughBytes(msg: WireMessage, kernelAdds: Record<string, unknown> | undefined): Link {
  const attrs = msg.attrs as { linkinfo: { kind: string; data?: Record<string, unknown> } };
  if (kernelAdds) attrs.linkinfo.data = { ...attrs.linkinfo.data, ...kernelAdds };
  const [reply, ...more] = decode(NETLINK_ROUTE, encode(NETLINK_ROUTE, { ...msg, header: { ...msg.header as object, index: 9 } }));
  assert.equal(more.length, 0);
  return decodeLink(reply);
}

describe('link kinds: each described once, in one file', () => {
  it('every kind has its table, check, encode (unless made through /dev/net/tun) and decode, and a sample here', () => {
    for (const [name, kind] of Object.entries(ALL_KINDS)) {
      assert.ok(kind.table instanceof AttrSet, `${name}: table`);
      assert.ok(Array.isArray(kind.keys), `${name}: keys`);
      assert.equal(typeof kind.check, 'function', `${name}: check`);
      assert.equal(typeof kind.decode, 'function', `${name}: decode`);
      if (kind.viaTun) assert.equal(kind.encode, undefined, `${name}: made through /dev/net/tun, so nothing to encode`);
      else assert.equal(typeof kind.encode, 'function', `${name}: encode`);
      assert.ok(SAMPLES[name]?.length, `${name}: no sample in this test`);
    }
    for (const [name, port] of Object.entries(PORT_KINDS)) {
      assert.ok(port.table instanceof AttrSet, `${name} port: table`);
      for (const part of ['check', 'encode', 'decode'] as const) assert.equal(typeof port[part], 'function', `${name} port: ${part}`);
    }
    assert.deepEqual(Object.keys(SAMPLES).sort(), Object.keys(ALL_KINDS).sort(), 'a sample for a kind that is not registered');
  });

  it("the codec's link table reads and writes each kind's data with that kind's own table, and knows no other", () => {
    assert.deepEqual([...linkInfoData.choices.keys()].sort(), Object.keys(ALL_KINDS).sort());
    for (const [name, set] of linkInfoData.choices) assert.equal(set, ALL_KINDS[name].table, name);
    assert.deepEqual([...linkInfoSlaveData.choices.keys()], Object.keys(PORT_KINDS));
    for (const [name, set] of linkInfoSlaveData.choices) assert.equal(set, PORT_KINDS[name].table, name);
  });

  for (const [name, samples] of Object.entries(SAMPLES)) {
    it(`${name}: options -> IFLA_INFO_DATA -> bytes -> IFLA_INFO_DATA -> Link.info`, () => {
      for (const s of samples) {
        const spec = { kind: name, name: `${name.slice(0, 8)}0`, ...OTHER, ...s.spec };
        const kind = name in READ_ONLY_KINDS ? READ_ONLY_KINDS[name] : checkLinkSpec(spec);
        kind.check(spec);
        const msg: WireMessage = kind.viaTun
          ? { type: RTM.NEWLINK, flags: 0, header: {}, attrs: { ifname: spec.name, mtu: 1400, linkinfo: { kind: name } } }
          : addMessage(spec as unknown as LinkSpec, kind, s.resolved ?? {});
        const link = throughBytes(msg, s.kernelAdds);
        assert.equal(link.kind, name);
        assert.equal(link.mtu, 1400);
        assert.deepEqual(link.info, s.info, JSON.stringify(s.spec));
      }
    });
  }

  it('bridge port: bridgePort -> IFLA_INFO_SLAVE_DATA -> bytes -> Link.portInfo', () => {
    const port = PORT_KINDS.bridge;
    const bridgePort = { hairpin: true, learning: false, cost: 10, priority: 3, neighSuppress: true };
    port.check(bridgePort);
    const slaveData = { ...port.encode(bridgePort), state: 3, forward_delay_timer: 0n, root_id: { prio: 1, addr_hi: 2, addr_lo: 3 } };
    const msg: WireMessage = { type: RTM.NEWLINK, flags: 0, header: { index: 4 }, attrs: { ifname: 'p0', linkinfo: { slave_kind: 'bridge', slave_data: slaveData } } };
    const link = decodeLink(decode(NETLINK_ROUTE, encode(NETLINK_ROUTE, msg))[0]);
    assert.equal(link.portKind, 'bridge');
    assert.deepEqual(link.portInfo, { hairpin: 1, learning: 0, cost: 10, priority: 3, neigh_suppress: 1, state: 3, forward_delay_timer: 0, root_id: { prio: 1, addr_hi: 2, addr_lo: 3 } });
    assert.throws(() => port.check({ cost: 0 }), /bridgePort\.cost: 0 is out of range/);
    assert.throws(() => port.check({ hairpn: true }), /bridgePort: unknown option "hairpn"/);
  });

  it("a kind's checks run before anything is built, naming the field", () => {
    const add = (spec: Record<string, unknown>) => () => checkLinkSpec({ name: 'x0', ...spec });
    assert.throws(add({ kind: 'vxlan' }), /^TypeError: vni: required for kind "vxlan"/);
    assert.throws(add({ kind: 'vxlan', vni: 1, remote: '198.18.0.1', group: '239.1.1.1' }), /^RangeError: group: "239.1.1.1" cannot be given with remote/);
    assert.throws(add({ kind: 'vlan', parent: 'up0', id: 4095 }), /^RangeError: id: 4095 is out of range/);
    assert.throws(add({ kind: 'macvlan', mode: 'vepa' }), /^TypeError: parent: required for kind "macvlan"/);
    assert.throws(add({ kind: 'bond', mode: 'fast' }), /^RangeError: mode:/);
    assert.throws(add({ kind: 'veth', peer: { name: 'y0', netns: { create: 'a/b' } } }), /peer\.netns\.create/);
    assert.throws(add({ kind: 'veth', peer: { name: 'y0', routes: [{ dst: 'default', dev: 'z' }] } }), /peer\.routes\[0\]\.dev/);
    assert.throws(add({ kind: 'dummy', mode: 'x' }), /^TypeError: spec: unknown option "mode"/);
    assert.throws(add({ kind: 'ipvtap', parent: 'up0' }), /^RangeError: kind: "ipvtap" is not a supported link kind/);
  });
});
