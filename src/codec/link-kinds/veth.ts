// veth: a pair; IFLA_INFO_DATA carries the peer as its own ifinfomsg and link attributes.
import { parseCidr } from '../../ip';
import { checkArray, checkBoolean, checkIfname, checkKeys, checkMac, checkMtu, checkObject } from '../../validate';
import { ifinfomsg, linkAttrs } from '../link-base';
import { attrSet, headerAndAttrs, Kind } from '../schema';
import { plain } from './helpers';
import type { LinkKind } from './kind';

export const veth: LinkKind = {
  table: attrSet('veth', [
    [1, 'peer', Kind.HeaderNested, headerAndAttrs(ifinfomsg, linkAttrs)], // VETH_INFO_PEER
  ]),
  keys: ['peer'],
  // peer.netns is links.ts's to check, with the link's own `netns`: a namespace reference is
  // checked against the transport, which the codec sits below.
  check(spec) {
    const peer = checkObject('peer', spec.peer);
    checkKeys('peer', peer, ['name', 'netns', 'mtu', 'mac', 'up', 'loopbackUp', 'addresses', 'routes']);
    checkIfname('peer.name', peer.name);
    if (peer.mtu !== undefined) checkMtu('peer.mtu', peer.mtu);
    if (peer.mac !== undefined) checkMac('peer.mac', peer.mac);
    if (peer.up !== undefined) checkBoolean('peer.up', peer.up);
    if (peer.loopbackUp !== undefined) checkBoolean('peer.loopbackUp', peer.loopbackUp);
    if (peer.addresses !== undefined) {
      checkArray('peer.addresses', peer.addresses).forEach((a, i) => {
        const field = `peer.addresses[${i}]`;
        parseCidr(field, typeof a === 'string' ? a : checkObject(field, a).cidr);
      });
    }
    if (peer.routes !== undefined) {
      checkArray('peer.routes', peer.routes).forEach((r, i) => {
        const route = checkObject(`peer.routes[${i}]`, r);
        for (const k of ['dev', 'nexthops']) {
          if (route[k] !== undefined) throw new TypeError(`peer.routes[${i}].${k}: a peer's route goes through the peer; got ${JSON.stringify(route[k])}`);
        }
      });
    }
  },
  // IFF_UP in the peer's ifinfomsg makes the kernel refuse the whole creation, so the peer is
  // brought up afterwards, from inside its namespace (links.ts); its addresses and routes too.
  encode(spec, { peerNetnsFd }) {
    const p = spec.peer as Record<string, unknown>;
    return { peer: { header: {}, attrs: { mtu: p.mtu, address: p.mac, net_ns_fd: peerNetnsFd, ifname: p.name } } };
  },
  decode: plain,
};
