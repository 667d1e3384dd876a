// tun and tap: made through /dev/net/tun (persistent, as `ip tuntap add` makes them); the kernel
// reports their settings as IFLA_INFO_DATA.
import { checkInteger } from '../../validate';
import { attrSet, Kind } from '../schema';
import { booleans, flags, optional } from './helpers';
import type { LinkKind } from './kind';

export const tun: LinkKind = {
  table: attrSet('tun', [
    [1, 'user', Kind.U32], // IFLA_TUN_OWNER
    [2, 'group', Kind.U32], // IFLA_TUN_GROUP
    [3, 'type', Kind.U8], // IFLA_TUN_TYPE
    [4, 'pi', Kind.U8], // IFLA_TUN_PI
    [5, 'vnet_hdr', Kind.U8], // IFLA_TUN_VNET_HDR
    [6, 'persist', Kind.U8], // IFLA_TUN_PERSIST
    [7, 'multi_queue', Kind.U8], // IFLA_TUN_MULTI_QUEUE
    [8, 'numqueues', Kind.U32], // IFLA_TUN_NUM_QUEUES
    [9, 'numdisabled', Kind.U32], // IFLA_TUN_NUM_DISABLED_QUEUES
  ]),
  keys: ['owner', 'group', 'multiQueue', 'vnetHdr', 'pi'],
  check(spec) {
    optional(spec, 'owner', (f, v) => checkInteger(f, v, 0, 0xfffffffe));
    optional(spec, 'group', (f, v) => checkInteger(f, v, 0, 0xfffffffe));
    flags(spec, ['multiQueue', 'vnetHdr', 'pi']);
  },
  viaTun: true,
  decode(raw) {
    const out = booleans({ ...raw }, ['pi', 'vnet_hdr', 'persist', 'multi_queue']);
    out.type = raw.type === 1 ? 'tun' : raw.type === 2 ? 'tap' : raw.type; // IFF_TUN, IFF_TAP
    return out;
  },
};
