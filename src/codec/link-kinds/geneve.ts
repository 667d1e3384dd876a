// geneve: an L2 tunnel over UDP with options.
import { checkIp } from '../../validate';
import { attrSet, Kind } from '../schema';
import { booleans, checkPort, checkU8, checkVni, optional, required } from './helpers';
import type { LinkKind } from './kind';

export const geneve: LinkKind = {
  table: attrSet('geneve', [
    [1, 'id', Kind.U32], // IFLA_GENEVE_ID
    [2, 'remote', Kind.IP], // IFLA_GENEVE_REMOTE
    [7, 'remote6', Kind.IP], // IFLA_GENEVE_REMOTE6
    [11, 'label', Kind.U32BE], // IFLA_GENEVE_LABEL
    [3, 'ttl', Kind.U8], // IFLA_GENEVE_TTL
    [4, 'tos', Kind.U8], // IFLA_GENEVE_TOS
    [5, 'port', Kind.U16BE], // IFLA_GENEVE_PORT
    [6, 'external', Kind.Flag], // IFLA_GENEVE_COLLECT_METADATA
    [8, 'udp_csum', Kind.U8], // IFLA_GENEVE_UDP_CSUM
    [9, 'udp_zero_csum6_tx', Kind.U8], // IFLA_GENEVE_UDP_ZERO_CSUM6_TX
    [10, 'udp_zero_csum6_rx', Kind.U8], // IFLA_GENEVE_UDP_ZERO_CSUM6_RX
    [12, 'ttl_inherit', Kind.U8], // IFLA_GENEVE_TTL_INHERIT
    [13, 'df', Kind.U8], // IFLA_GENEVE_DF
    [14, 'inner_proto_inherit', Kind.Flag], // IFLA_GENEVE_INNER_PROTO_INHERIT
  ]),
  keys: ['vni', 'remote', 'port', 'ttl', 'tos'],
  check(spec) {
    required(spec, 'vni');
    checkVni('vni', spec.vni);
    optional(spec, 'remote', checkIp);
    optional(spec, 'port', checkPort);
    optional(spec, 'ttl', checkU8);
    optional(spec, 'tos', checkU8);
  },
  // As iproute2 sends it: label, ttl and tos always, the port defaulting to 6081.
  encode(spec) {
    const v6 = typeof spec.remote === 'string' && spec.remote.includes(':');
    return { id: spec.vni, [v6 ? 'remote6' : 'remote']: spec.remote, label: 0, ttl: spec.ttl ?? 0, tos: spec.tos ?? 0, port: spec.port ?? 6081 };
  },
  decode: (raw) => booleans({ ...raw }, ['udp_csum', 'udp_zero_csum6_tx', 'udp_zero_csum6_rx', 'ttl_inherit']),
};
