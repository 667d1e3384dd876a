// `ip link add` / `ip link set` argument syntax → the library's LinkSpec / LinkChange, for the kinds
// the library supports. Unknown words are errors naming the word (ip's "Error: either … is duplicate,
// or … is a garbage."), never ignored.
import type { LinkChange, LinkSpec } from '../link/types';

type Spec = Record<string, unknown>;

class Words {
  i = 0;
  constructor(readonly w: string[], readonly what: string) {}
  more(): boolean { return this.i < this.w.length; }
  next(): string { return this.w[this.i++]; }
  value(key: string): string {
    const v = this.w[this.i++];
    if (v === undefined) throw new RangeError(`${this.what}: "${key}" needs a value`);
    return v;
  }
  number(key: string): number {
    const v = this.value(key);
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(v)) throw new RangeError(`${this.what}: ${key} ${JSON.stringify(v)} is not a number`);
    return Number(v);
  }
  garbage(word: string): never { throw new RangeError(`${this.what}: ${JSON.stringify(word)} is not understood here`); }
}

/** Words common to every kind, before or after `type`: name, mtu, address, master, netns, … */
function common(w: Words, word: string, s: Spec): boolean {
  switch (word) {
    case 'name': s.name = w.value(word); return true;
    case 'mtu': s.mtu = w.number(word); return true;
    case 'address': s.mac = w.value(word); return true;
    case 'broadcast': case 'brd': s.broadcast = w.value(word); return true;
    case 'master': s.master = w.value(word); return true;
    case 'netns': s.netns = w.value(word); return true;
    case 'group': s.group = w.number(word); return true;
    case 'alias': s.alias = w.value(word); return true;
    case 'txqueuelen': case 'txqlen': s.txqueuelen = w.number(word); return true;
    case 'up': s.up = true; return true;
    case 'down': s.up = false; return true;
    case 'promisc': s.promisc = w.value(word) === 'on'; return true;
    case 'allmulticast': s.allmulticast = w.value(word) === 'on'; return true;
    case 'arp': s.arp = w.value(word) === 'on'; return true;
    default: return false;
  }
}

const onOff = (w: Words, key: string): boolean => {
  const v = w.value(key);
  if (v !== 'on' && v !== 'off' && v !== '0' && v !== '1') throw new RangeError(`${w.what}: ${key} ${JSON.stringify(v)} is not on/off`);
  return v === 'on' || v === '1';
};

/** The kind's own words after `type KIND`. */
function kindWords(w: Words, kind: string, s: Spec): void {
  while (w.more()) {
    const word = w.next();
    if (common(w, word, s)) continue;
    switch (`${kind} ${word}`) {
      case 'veth peer': {
        const peer: Spec = {};
        if (w.w[w.i] === 'name') w.i++;
        peer.name = w.value('peer');
        while (w.more()) {
          const p = w.next();
          if (p === 'netns') peer.netns = w.value(p);
          else if (p === 'mtu') peer.mtu = w.number(p);
          else if (p === 'address') peer.mac = w.value(p);
          else w.garbage(p);
        }
        s.peer = peer;
        break;
      }
      case 'bridge stp_state': s.stp = w.number(word) !== 0; break;
      case 'bridge forward_delay': s.forwardDelay = w.number(word); break;
      case 'bridge ageing_time': s.ageingTime = w.number(word); break;
      case 'bridge mcast_snooping': s.mcastSnooping = w.number(word) !== 0; break;
      case 'bridge vlan_filtering': s.vlanFiltering = w.number(word) !== 0; break;
      case 'bridge vlan_default_pvid': s.defaultPvid = w.number(word); break;
      case 'macvlan mode': case 'macvtap mode': case 'ipvlan mode': case 'bond mode': s.mode = w.value(word); break;
      case 'bond miimon': s.miimon = w.number(word); break;
      case 'vlan id': s.id = w.number(word); break;
      case 'vlan protocol': s.protocol = w.value(word); break;
      case 'vxlan id': case 'geneve id': s.vni = w.number(word); break;
      case 'vxlan local': s.local = w.value(word); break;
      case 'vxlan remote': case 'geneve remote': s.remote = w.value(word); break;
      case 'vxlan group': s.group = w.value(word); break;
      case 'vxlan dstport': case 'geneve dstport': s.port = w.number(word); break;
      case 'vxlan dev': s.dev = w.value(word); break;
      case 'vxlan ttl': case 'geneve ttl': s.ttl = w.number(word); break;
      case 'vxlan tos': case 'geneve tos': s.tos = w.number(word); break;
      case 'vxlan ageing': s.ageing = w.number(word); break;
      case 'vxlan learning': s.learning = true; break;
      case 'vxlan nolearning': s.learning = false; break;
      case 'vxlan proxy': s.proxy = true; break;
      case 'vxlan l2miss': s.l2miss = true; break;
      case 'vxlan l3miss': s.l3miss = true; break;
      case 'vxlan external': s.external = true; break;
      case 'vxlan udpcsum': s.udpChecksum = true; break;
      case 'vxlan noudpcsum': s.udpChecksum = false; break;
      case 'vrf table': s.table = w.number(word); break;
      default: w.garbage(word);
    }
  }
}

/**
 * `ip link add` syntax: `[link PARENT] NAME|name NAME [common…] type KIND [kind args…]`, e.g.
 * `v0 type veth peer name v1 netns c1`, `mv0 link eth0 type macvlan mode bridge`,
 * `vx0 type vxlan id 42 dstport 4789 local 198.18.0.1 dev eth0`.
 */
export function parseLinkAdd(args: string[]): LinkSpec {
  const w = new Words(args, 'link add');
  const s: Spec = {};
  let kind: string | undefined;
  while (w.more()) {
    const word = w.next();
    if (word === 'type') {
      kind = w.value(word);
      kindWords(w, kind, s);
    } else if (word === 'link') s.parent = w.value(word);
    else if (word === 'dev') s.name = w.value(word);
    else if (!common(w, word, s)) {
      if (s.name === undefined) s.name = word;
      else w.garbage(word);
    }
  }
  if (s.name === undefined) throw new RangeError('link add: no link name');
  if (kind === undefined) throw new RangeError('link add: "type KIND" is required');
  // ip's own default, sent explicitly: a vxlan learns unless told `nolearning`.
  if (kind === 'vxlan' && s.learning === undefined) s.learning = true;
  if (kind === 'vlan' || kind === 'macvlan' || kind === 'macvtap' || kind === 'ipvlan') {
    if (s.parent === undefined) throw new RangeError(`link add: ${kind} needs "link PARENT"`);
  } else if (s.parent !== undefined) {
    if (kind === 'vxlan' && s.dev === undefined) s.dev = s.parent;
    else throw new RangeError(`link add: "link" does not apply to ${kind}`);
    delete s.parent;
  }
  return { ...s, kind } as unknown as LinkSpec;
}

/**
 * `ip link set` syntax after the device: `up`, `mtu 1400`, `master br0`, `nomaster`, `netns c1`,
 * `name x`, `type bridge_slave learning off`, …
 */
export function parseLinkSet(args: string[]): LinkChange {
  const w = new Words(args, 'link set');
  const s: Spec = {};
  while (w.more()) {
    const word = w.next();
    if (word === 'nomaster') s.master = null;
    else if (word === 'type' && w.w[w.i] === 'bridge_slave') w.i++; // ip's prefix for bridge-port settings
    else if (word === 'learning' || word === 'hairpin' || word === 'flood' || word === 'isolated') {
      s.bridgePort = { ...(s.bridgePort as object), [word]: onOff(w, word) };
    } else if (!common(w, word, s)) w.garbage(word);
  }
  if (Object.keys(s).length === 0) throw new RangeError('link set: nothing to change');
  return s as LinkChange;
}
