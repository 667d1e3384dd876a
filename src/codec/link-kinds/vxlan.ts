// vxlan: an L2 tunnel over UDP.
import { checkInteger, checkIp, rangeError } from '../../validate';
import { attrSet, Kind, struct } from '../schema';
import { bool, booleans, checkLinkRef, checkPort, checkU8, checkVni, flags, optional, plain, required } from './helpers';
import type { LinkKind } from './kind';

const FLAGS = ['learning', 'proxy', 'l2miss', 'l3miss', 'udpChecksum', 'udp6ZeroChecksumTx', 'udp6ZeroChecksumRx', 'external'] as const;

const portRange = struct('ifla_vxlan_port_range', 4, [['low', 0, 2, 'be'], ['high', 2, 2, 'be']]);

function isMulticast(ip: string): boolean {
  if (ip.includes(':')) return ip.toLowerCase().startsWith('ff');
  const first = Number(ip.split('.')[0]);
  return first >= 224 && first <= 239;
}

export const vxlan: LinkKind = {
  table: attrSet('vxlan', [
    [1, 'id', Kind.U32], // IFLA_VXLAN_ID
    [2, 'group', Kind.IP], // IFLA_VXLAN_GROUP
    [3, 'link', Kind.U32], // IFLA_VXLAN_LINK
    [4, 'local', Kind.IP], // IFLA_VXLAN_LOCAL
    [5, 'ttl', Kind.U8], // IFLA_VXLAN_TTL
    [6, 'tos', Kind.U8], // IFLA_VXLAN_TOS
    [7, 'learning', Kind.U8], // IFLA_VXLAN_LEARNING
    [8, 'ageing', Kind.U32], // IFLA_VXLAN_AGEING
    [9, 'limit', Kind.U32], // IFLA_VXLAN_LIMIT
    [10, 'port_range', Kind.Struct, portRange], // IFLA_VXLAN_PORT_RANGE
    [11, 'proxy', Kind.U8], // IFLA_VXLAN_PROXY
    [12, 'rsc', Kind.U8], // IFLA_VXLAN_RSC
    [13, 'l2miss', Kind.U8], // IFLA_VXLAN_L2MISS
    [14, 'l3miss', Kind.U8], // IFLA_VXLAN_L3MISS
    [15, 'port', Kind.U16BE], // IFLA_VXLAN_PORT
    [16, 'group6', Kind.IP], // IFLA_VXLAN_GROUP6
    [17, 'local6', Kind.IP], // IFLA_VXLAN_LOCAL6
    [18, 'udp_csum', Kind.U8], // IFLA_VXLAN_UDP_CSUM
    [19, 'udp_zero_csum6_tx', Kind.U8], // IFLA_VXLAN_UDP_ZERO_CSUM6_TX
    [20, 'udp_zero_csum6_rx', Kind.U8], // IFLA_VXLAN_UDP_ZERO_CSUM6_RX
    [21, 'remcsum_tx', Kind.U8], // IFLA_VXLAN_REMCSUM_TX
    [22, 'remcsum_rx', Kind.U8], // IFLA_VXLAN_REMCSUM_RX
    [23, 'gbp', Kind.Flag], // IFLA_VXLAN_GBP
    [24, 'remcsum_nopartial', Kind.Flag], // IFLA_VXLAN_REMCSUM_NOPARTIAL
    [25, 'external', Kind.U8], // IFLA_VXLAN_COLLECT_METADATA
    [26, 'label', Kind.U32BE], // IFLA_VXLAN_LABEL
    [27, 'gpe', Kind.Flag], // IFLA_VXLAN_GPE
    [28, 'ttl_inherit', Kind.Flag], // IFLA_VXLAN_TTL_INHERIT
    [29, 'df', Kind.U8], // IFLA_VXLAN_DF
    [30, 'vnifilter', Kind.U8], // IFLA_VXLAN_VNIFILTER
    [31, 'localbypass', Kind.U8], // IFLA_VXLAN_LOCALBYPASS
  ]),
  keys: ['vni', 'local', 'remote', 'group', 'port', 'dev', 'ttl', 'tos', 'ageing', ...FLAGS],
  check(spec) {
    required(spec, 'vni');
    checkVni('vni', spec.vni);
    optional(spec, 'local', checkIp);
    optional(spec, 'remote', checkIp);
    optional(spec, 'group', checkIp);
    if (spec.remote !== undefined && spec.group !== undefined) throw rangeError('group', spec.group, 'cannot be given with remote (a VXLAN has one or the other)');
    optional(spec, 'port', checkPort);
    optional(spec, 'dev', checkLinkRef);
    optional(spec, 'ttl', checkU8);
    optional(spec, 'tos', checkU8);
    optional(spec, 'ageing', (f, v) => checkInteger(f, v, 0, 0xffffffff));
    flags(spec, FLAGS);
  },
  encode(spec, { dev }) {
    const v6 = [spec.local, spec.remote, spec.group].some((a) => typeof a === 'string' && a.includes(':'));
    const peer = spec.remote ?? spec.group;
    return {
      id: spec.vni,
      [v6 ? 'group6' : 'group']: peer,
      link: dev,
      [v6 ? 'local6' : 'local']: spec.local,
      ttl: spec.ttl, tos: spec.tos, learning: bool(spec.learning), ageing: spec.ageing, proxy: bool(spec.proxy),
      l2miss: bool(spec.l2miss), l3miss: bool(spec.l3miss), port: spec.port, udp_csum: bool(spec.udpChecksum),
      udp_zero_csum6_tx: bool(spec.udp6ZeroChecksumTx), udp_zero_csum6_rx: bool(spec.udp6ZeroChecksumRx),
      external: bool(spec.external),
    };
  },
  decode(raw) {
    const out = booleans(plain(raw), ['learning', 'proxy', 'rsc', 'l2miss', 'l3miss', 'udp_csum', 'udp_zero_csum6_tx',
      'udp_zero_csum6_rx', 'remcsum_tx', 'remcsum_rx', 'external', 'vnifilter', 'localbypass']);
    // IFLA_VXLAN_GROUP holds the unicast peer too; ip calls that one "remote".
    for (const [attr, remote] of [['group', 'remote'], ['group6', 'remote6']] as const) {
      const a = out[attr];
      if (typeof a === 'string' && !isMulticast(a)) {
        out[remote] = a;
        delete out[attr];
      }
    }
    return out;
  },
};
