// BridgeNetwork: a container network in one call, like `docker network create -d bridge` plus
// `docker run -p`. Everything it needs to carry on after a restart lives in the kernel: the host end
// of each endpoint's veth carries the endpoint in its alias and is named after its address (so the
// kernel's unique link names make address claims atomic across processes), each port mapping is a
// rule whose comment names it, so open() rebuilds the object from kernel state.
import type { ConntrackFilter } from '../conntrack/conntrack';
import { NetlinkError, netnsLabel } from '../errors';
import { type Cidr, type Family, parseAddress, parseCidr, parsePrefix } from '../ip';
import type { Link } from '../link/types';
import { isPeerRouteTaken } from '../link/links';
import { checkNetnsRef } from '../kernel/netns-ref';
import { Netns, type NetnsRef } from '../netns';
import type { NftTransaction } from '../nft/nftables';
import { checkBoolean, checkIfname, checkInteger, checkKeys, checkObject, checkOneOf, rangeError } from '../validate';
import { hostAddress, hostIfnameOf, hostIndex, inSubnet, macOf, overlaps, subnetSize } from './addressing';
import { aliasOf, type EndpointRecord, namespaceGone, parseAlias } from './endpoint-record';
import type { Firewall, PortMapping } from './firewall';
import { familyOfMapping, StackFirewall } from './stack-firewall';

export type { PortMapping };

export interface BridgeNetworkOptions {
  /** The "host" namespace the bridge lives in (default: this process's namespace). */
  netns?: NetnsRef;
  bridge: string;
  /**
   * The network, e.g. "198.18.0.0/24"; for dual stack an IPv4 and an IPv6 subnet, e.g.
   * ["198.18.10.0/24", "fd00:198:18:10::/64"] (like `docker network create --ipv6` with two
   * `--subnet`s); or an IPv6 subnet alone.
   */
  subnet: string | string[];
  /** The bridge's address in each subnet (default: the subnet's first host); one per family at most. */
  gateway?: string | string[];
  /** Masquerade traffic leaving the network through other links (default true). */
  masquerade?: boolean;
  mtu?: number;
  /** Where the NAT lives: an nftables table of the network's own (default), or iptables-nft rules. */
  firewall?: 'nftables' | 'iptables';
  /** Drop traffic between this network and other isolated networks of the same host (default true). */
  isolated?: boolean;
}

export interface Endpoint {
  netns: Netns;
  ifname: string;
  hostIfname: string;
  /** Its address: IPv4 on a network with an IPv4 subnet, else IPv6. */
  address: string;
  /** On a dual-stack network, its IPv6 address (same host number as `address` in the IPv6 subnet). */
  address6?: string;
  mac?: string;
}

/** An endpoint as read back from the kernel: its namespace by name (or inode, for an anonymous one). */
export interface EndpointInfo {
  netns: string;
  ifname: string;
  hostIfname: string;
  address: string;
  address6?: string;
}

/** What detach() takes: a namespace (handle, name, { name }, { path }, { pid }, { fd }) or an endpoint ({ address } suffices). */
export type DetachRef = NetnsRef | Endpoint | EndpointInfo | { address: string };

/** The nft family of a network's isolation rules for each of its address families. */
const nftFamilyOf = (family: Family) => (family === 6 ? 'ip6' : 'ip');
/** Shared by the isolated networks of a namespace: their bridges, and the pairs allowed to talk (a bridge with itself). */
const ISOLATION = 'nln-isolation';
/** A network's bridge and endpoint links share a group in 0x4e4c0001–0x4e4cffff ("NL"), so delete() is one request. */
const GROUP_BASE = 0x4e4c0000;
/** Temporary groups for removing many endpoints in one request. */
const DETACH_GROUP_BASE = 0x4e4d0000;
const preferredGroup = (bridge: string) => GROUP_BASE + ([...bridge].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % 0xffff);
const isNetworkGroup = (group: number) => group > GROUP_BASE && group <= GROUP_BASE + 0xffff;
const ENODEV = 19;

type Record_ = EndpointRecord & { hostIfname: string };
const info = (r: Record_): EndpointInfo => ({ netns: r.ns, ifname: r.ifname, hostIfname: r.hostIfname, address: r.address, ...(r.address6 ? { address6: r.address6 } : {}) });
const isCode = (err: unknown, code: string) => err instanceof NetlinkError && err.code === code;

/** One address family of a network: its subnet and the bridge's address in it. */
interface Stack {
  family: Family;
  /** "198.18.10.0/24" as parsed (canonical text). */
  subnet: string;
  bytes: Buffer;
  prefix: number;
  gateway: string;
}

export class BridgeNetwork {
  readonly host: Netns;
  readonly bridge: string;
  /** The network's subnet: its IPv4 one when it has one, else its IPv6 one. */
  readonly subnet: string;
  /** The bridge's address in `subnet`. */
  readonly gateway: string;
  /** On a dual-stack network, its IPv6 subnet. */
  readonly subnet6?: string;
  /** On a dual-stack network, the bridge's address in `subnet6`. */
  readonly gateway6?: string;
  readonly firewall: Firewall;
  /** IPv4 first: the first decides endpoints' addresses and host-end names, a second follows by host number. */
  readonly #stacks: Stack[];
  /** The link group of the bridge and the endpoints' host ends. */
  readonly #group: number;
  /** Serializes this object's choices of address: its concurrent attach() calls try distinct ones. */
  #allocating: Promise<unknown> = Promise.resolve();
  /**
   * Addresses known to be held: a hint that spares this object failed claims. The claim itself is
   * the host end's name (hostIfnameOf), refused by the kernel when another attacher holds it.
   */
  readonly #taken = new Set<string>();
  #bridgeIfindex: number | undefined;

  private constructor(host: Netns, bridge: string, stacks: Stack[], firewall: 'nftables' | 'iptables', group: number) {
    this.host = host;
    this.bridge = bridge;
    this.#stacks = stacks;
    this.subnet = stacks[0].subnet;
    this.gateway = stacks[0].gateway;
    if (stacks[1]) {
      this.subnet6 = stacks[1].subnet;
      this.gateway6 = stacks[1].gateway;
    }
    this.firewall = new StackFirewall(host, bridge, firewall, stacks);
    this.#group = group;
    for (const a of this.#reserved()) this.#taken.add(a);
  }

  /**
   * Creates the bridge, its gateway addresses, forwarding, and the network's NAT tables. All or
   * nothing, and only what this call made is undone: an existing bridge or table is EEXIST, untouched.
   */
  static async create(o: BridgeNetworkOptions): Promise<BridgeNetwork> {
    checkKeys('options', checkObject('options', o), ['netns', 'bridge', 'subnet', 'gateway', 'masquerade', 'mtu', 'firewall', 'isolated']);
    if (o.isolated !== undefined) checkBoolean('isolated', o.isolated);
    const bridge = checkIfname('bridge', o.bridge);
    const stacks = checkStacks(o.subnet, o.gateway);
    if (o.masquerade !== undefined) checkBoolean('masquerade', o.masquerade);
    if (o.mtu !== undefined) checkInteger('mtu', o.mtu, 68, 65535);
    const firewall = checkOneOf('firewall', o.firewall ?? 'nftables', ['nftables', 'iptables']);
    const host = o.netns === undefined ? Netns.current() : await Netns.open(o.netns);
    const links = await host.links.list();
    for (const s of stacks) await refuseOverlap(host, links, s);
    const net = new BridgeNetwork(host, bridge, stacks, firewall, freeGroup(preferredGroup(bridge), links));
    // Each step done pushes its undoing; a failure runs them in reverse.
    const undo: Array<() => Promise<unknown>> = [];
    try {
      await host.links.add({ kind: 'bridge', name: bridge, up: true, mtu: o.mtu, group: net.#group }); // EEXIST names the bridge
      undo.push(() => host.links.delete(bridge)); // its addresses go with it
      for (const s of stacks) {
        // Without DAD an IPv6 gateway answers at once, not after a second of "tentative".
        await host.addresses.add(bridge, `${s.gateway}/${s.prefix}`, s.family === 6 ? { noDad: true } : {});
        // The kernel solicits a neighbour for a forwarded packet (a published port's, from outside)
        // from the bridge's link-local address, and sends nothing while that is tentative: the
        // kernel's own is, for a second or two after the first port comes up. fe80::1 without DAD
        // (as Docker's bridges have) is usable at once.
        if (s.family === 6) await host.addresses.add(bridge, 'fe80::1/64', { noDad: true });
        const key = s.family === 6 ? 'net.ipv6.conf.all.forwarding' : 'net.ipv4.ip_forward';
        const forwarding = (await host.sysctl.get(key)).trim();
        if (forwarding !== '1') {
          await host.sysctl.set(key, 1);
          undo.push(() => host.sysctl.set(key, forwarding));
        }
      }
      await net.firewall.setup(o.masquerade ?? true); // exclusive: a table or chain left by anyone is EEXIST
      undo.push(() => net.firewall.teardown());
      if (o.isolated ?? true) {
        for (const s of stacks) {
          await net.#joinIsolation(s.family);
          undo.push(() => net.#leaveIsolation(s.family));
        }
      }
      return net;
    } catch (err) {
      for (const step of undo.reverse()) await step().catch(() => {});
      throw err;
    }
  }

  /** Rebuilds the object from kernel state (endpoints, allocations, mappings). */
  static async open(bridge: string, o: { netns?: NetnsRef } = {}): Promise<BridgeNetwork> {
    checkIfname('bridge', bridge);
    checkKeys('options', checkObject('options', o), ['netns']);
    const host = o.netns === undefined ? Netns.current() : await Netns.open(o.netns);
    const link = await host.links.get(bridge).catch((err: unknown) => {
      throw isCode(err, 'ENODEV') ? new NetlinkError('network.open', ENODEV, { link: bridge, netns: netnsLabel(host), detail: 'no such network' }) : err;
    });
    return BridgeNetwork.#openOn(host, link);
  }

  static async #openOn(host: Netns, link: Link): Promise<BridgeNetwork> {
    // The gateways: the bridge's first IPv4 address and first global IPv6 one (link-local ones are the kernel's).
    const addresses = link.kind === 'bridge' ? await host.addresses.list({ link: link.index }) : [];
    const stacks: Stack[] = [];
    for (const family of [4, 6] as const) {
      const addr = addresses.find((a) => a.family === family && a.scope === 'global');
      if (!addr) continue;
      const bytes = parseAddress('a', addr.address).bytes;
      const subnet = parsePrefix('subnet', `${hostAddress(bytes, 0, addr.prefixLength)}/${addr.prefixLength}`);
      stacks.push({ family, subnet: `${subnet.address}/${subnet.prefixLength}`, bytes: subnet.bytes, prefix: subnet.prefixLength, gateway: addr.address });
    }
    if (stacks.length === 0) {
      throw new NetlinkError('network.open', 2, { link: link.name, netns: netnsLabel(host), detail: 'not a BridgeNetwork (a bridge with an IPv4 or IPv6 address)' });
    }
    const firewall = await StackFirewall.kindOf(host, link.name, stacks.map((s) => s.family));
    const net = new BridgeNetwork(host, link.name, stacks, firewall, link.group);
    net.#bridgeIfindex = link.index;
    for (const e of await net.#records()) net.#taken.add(e.address);
    return net;
  }
  /** The networks of a namespace, found from its kernel state (bridges in a network link group), like `docker network ls`. */
  static async list(o: { netns?: NetnsRef } = {}): Promise<BridgeNetwork[]> {
    checkKeys('options', checkObject('options', o), ['netns']);
    const host = o.netns === undefined ? Netns.current() : await Netns.open(o.netns);
    const out: BridgeNetwork[] = [];
    for (const link of await host.links.list({ kind: 'bridge' })) {
      if (!isNetworkGroup(link.group)) continue;
      try {
        out.push(await BridgeNetwork.#openOn(host, link));
      } catch (err) {
        if (!(err instanceof NetlinkError)) throw err; // gone meanwhile, or not one of ours
      }
    }
    return out;
  }

  /**
   * Isolation, as Docker's DOCKER-ISOLATION chains do it: forwarded traffic from one isolated
   * bridge to another is dropped; a bridge with itself is the one pair allowed.
   */
  async #joinIsolation(family: Family): Promise<void> {
    const nftFamily = nftFamilyOf(family);
    const first = !(await this.host.nft.listTables()).some((t) => t.family === nftFamily && t.name === ISOLATION);
    await this.host.nft.transaction((tx) => this.#isolate(tx, nftFamily, first));
  }

  /** One table per family (ip, ip6): a dual-stack network is in both. */
  #isolate(tx: NftTransaction, family: 'ip' | 'ip6', firstNetwork: boolean): void {
    const ref = { family, table: ISOLATION } as const;
    if (firstNetwork) {
      tx.addTable({ family, name: ISOLATION });
      tx.addSet({ ...ref, name: 'bridges', type: 'ifname' });
      tx.addSet({ ...ref, name: 'same', type: 'ifname . ifname' });
      tx.addChain({ ...ref, name: 'forward', type: 'filter', hook: 'forward', priority: -1, policy: 'accept' });
      tx.addRule({ ...ref, chain: 'forward', match: { iifname: '@bridges', oifname: '@bridges' }, concat: { key: ['iifname', 'oifname'], set: '@same', negate: true }, verdict: 'drop' });
    }
    tx.addElements({ ...ref, name: 'bridges', type: 'ifname' }, [this.bridge]);
    tx.addElements({ ...ref, name: 'same', type: 'ifname . ifname' }, [`${this.bridge} . ${this.bridge}`]);
  }

  /**
   * Leaves the isolation table; the last network removes it. Done at a known ruleset generation so
   * that a network joining meanwhile (another process) is never dropped with the table: retried.
   */
  async #leaveIsolation(family: Family): Promise<void> {
    const ref = { family: nftFamilyOf(family), table: ISOLATION } as const;
    for (let attempt = 0; ; attempt++) {
      const generation = await this.host.nft.generation();
      const bridges = await this.host.nft.listElements({ ...ref, name: 'bridges' }).catch((err: unknown) => {
        if (isCode(err, 'ENOENT')) return [];
        throw err;
      });
      const names = bridges.map((e) => String(e).trim());
      if (!names.includes(this.bridge)) return; // made with isolated: false
      try {
        await this.host.nft.transaction((tx) => {
          if (names.length === 1) {
            tx.deleteTable({ family: ref.family, name: ISOLATION });
          } else {
            tx.deleteElements({ ...ref, name: 'bridges', type: 'ifname' }, [this.bridge]);
            tx.deleteElements({ ...ref, name: 'same', type: 'ifname . ifname' }, [`${this.bridge} . ${this.bridge}`]);
          }
        }, { generation });
        return;
      } catch (err) {
        if (!isCode(err, 'ERESTART') || attempt >= 20) throw err;
      }
    }
  }

  /**
   * Connects a namespace: a veth whose peer is born inside it (eth0 unless told), the host end
   * mastered and up, the container end up with an address (given, or the next free one) and a
   * default route via the gateway, and the container's `lo` up. All or nothing. On a dual-stack
   * network the endpoint also gets the IPv6 address of the same host number, and an IPv6 default
   * route. IPv6 addresses are added without DAD (IFA_F_NODAD): usable the moment attach resolves.
   */
  async attach(ref: NetnsRef, o: { ifname?: string; address?: string; mac?: string } = {}): Promise<Endpoint> {
    checkKeys('options', checkObject('options', o), ['ifname', 'address', 'mac']);
    const ifname = checkIfname('ifname', o.ifname ?? 'eth0');
    const requested = o.address === undefined ? undefined : this.#checkInSubnet('address', o.address);
    const ns = ref instanceof Netns ? ref : await Netns.open(ref);
    return this.#guard('network.attach', async () => {
      const master = await this.#bridgeIndex();
      // Addresses a mapping still points at are not handed out (their traffic would reach the newcomer).
      const mapped = this.#mappedAddresses();
      // As Docker does, a namespace keeps the default route it has (from the network it joined
      // first): learnt from the kernel's refusal, so the usual attach pays no extra lookup.
      let defaultRoute = true;
      for (;;) {
        const address = await this.#allocate(requested, mapped);
        const bytes = parseAddress('address', address).bytes;
        const address6 = this.#secondAddress(bytes);
        const hostIfname = hostIfnameOf(bytes);
        const record: EndpointRecord = { ns: ns.name ?? String(ns.inode), ino: ns.inode, named: ns.name !== undefined, ifname, address, ...(address6 ? { address6 } : {}) };
        // As Docker does, the container's MAC comes from its address unless one is given: known
        // without reading it back, and unique on the bridge as the addresses are.
        const mac = o.mac ?? macOf(bytes);
        try {
          // One call, one chain of exchanges: in the host namespace the veth (host end mastered, up,
          // in the network's group), its alias and its read-back; then in the container, addressed by
          // the peer's ifindex from that read-back: up, address, default route via the gateway.
          await this.host.links.add({
            kind: 'veth', name: hostIfname, master, up: true, group: this.#group, alias: aliasOf(record),
            peer: {
              name: ifname, netns: ns, mac, up: true, loopbackUp: true,
              addresses: this.#stacks.map((s, i) => ({ cidr: `${i === 0 ? address : address6}/${s.prefix}`, noDad: true })),
              routes: defaultRoute ? this.#stacks.map((s) => ({ dst: 'default', gateway: s.gateway })) : [],
            },
          });
        } catch (err) {
          if (defaultRoute && isPeerRouteTaken(err, ifname, 'default')) {
            this.#taken.delete(address);
            // Docker attaches a container to a network once; to another one, without its gateway.
            const mine = (await this.#records()).find((r) => r.ns === record.ns);
            if (mine) throw new NetlinkError('network.attach', 17, { link: mine.ifname, netns: netnsLabel(ns), detail: `already attached to ${this.bridge} (address ${mine.address})` });
            defaultRoute = false;
            continue;
          }
          // links.add undoes its own work and names the taken link: the host end's name taken
          // means another attacher holds the address (it stays in #taken); anything else is ours to report.
          const claimedElsewhere = err instanceof NetlinkError && err.code === 'EEXIST' && err.link === hostIfname;
          if (claimedElsewhere && requested === undefined) continue;
          this.#taken.delete(address);
          if (claimedElsewhere) {
            throw new NetlinkError('network.attach', 17, { link: hostIfname, netns: netnsLabel(this.host), detail: `address ${address} is in use on ${this.bridge}` });
          }
          if (err instanceof NetlinkError && err.code === 'EEXIST' && err.link === ifname) {
            const mine = (await this.#records().catch(() => [])).find((r) => r.ns === record.ns && r.ifname === ifname);
            if (mine) throw new NetlinkError('network.attach', 17, { link: ifname, netns: netnsLabel(ns), detail: `already attached to ${this.bridge} (address ${mine.address})` });
          }
          throw err;
        }
        return { netns: ns, ifname, hostIfname, address, ...(address6 ? { address6 } : {}), mac };
      }
    });
  }

  /**
   * Disconnects endpoints with their port mappings: one namespace or endpoint, or many at once (one
   * kernel request for all their links). Works from kernel state alone: a namespace given by name is
   * not opened, so a container whose namespace is gone is detached too (its mappings go).
   */
  async detach(refs: DetachRef | DetachRef[]): Promise<void> {
    const targets = await Promise.all((Array.isArray(refs) ? refs : [refs]).map((r) => detachTarget(r)));
    await this.#guard('network.detach', async () => {
      const mappings = await this.ports();
      const records = await this.#records();
      const chosen = records.filter((r) => targets.some((t) => t.matches(r)));
      const live = new Set(records.filter((r) => !chosen.includes(r)).map((r) => r.address));
      const names = new Set(targets.flatMap((t) => (t.name === undefined ? [] : [t.name])));
      const going = new Set(chosen.map((r) => r.address));
      await this.#remove(chosen, mappings.filter((m) => going.has(m.address) || (m.netns !== undefined && names.has(m.netns) && !live.has(m.address))));
    });
  }

  /** Disconnects every endpoint, with their port mappings, in one kernel request for all their links. */
  async detachAll(): Promise<void> {
    await this.#guard('network.detach', async () => {
      const mappings = await this.ports();
      const records = await this.#records();
      const going = new Set(records.map((r) => r.address));
      await this.#remove(records, mappings.filter((m) => going.has(m.address)));
    });
  }

  /**
   * Removes the endpoints whose namespace is gone (its name no longer under /run/netns, or naming
   * another namespace) and every mapping pointing at an address no endpoint holds. Resolves with
   * the endpoints removed.
   */
  async prune(): Promise<EndpointInfo[]> {
    return this.#guard('network.prune', async () => {
      // Mappings first: one published after this read is to an endpoint the next read sees.
      const mappings = await this.ports();
      const records = await this.#records();
      const dead = records.filter(namespaceGone);
      const live = new Set(records.filter((r) => !dead.includes(r)).map((r) => r.address));
      await this.#remove(dead, mappings.filter((m) => !live.has(m.address)));
      return dead.map(info);
    });
  }

  /** Mappings first (an address is never free while one points at it), then the links in one request. */
  async #remove(records: Record_[], mappings: PortMapping[]): Promise<void> {
    await this.firewall.unpublishMany(mappings);
    await this.#deleteLinks(records.map((r) => r.hostIfname));
    await this.#forgetFlows(records.flatMap((r) => (r.address6 ? [r.address, r.address6] : [r.address])), mappings);
    // Also the addresses of mappings whose endpoint the kernel removed with its namespace.
    for (const a of [...records, ...mappings].map((x) => x.address)) this.#taken.delete(a);
  }

  /**
   * Deleting a veth costs an RCU wait each (~20 ms); RTM_DELLINK by group costs one for all. Many
   * links move to a group of their own (unused by any link) and go in one request.
   */
  async #deleteLinks(names: string[]): Promise<void> {
    const ignoreGone = (err: unknown) => {
      if (!isCode(err, 'ENODEV')) throw err;
    };
    if (names.length === 0) return;
    if (names.length === 1) return this.host.links.delete(names[0]).catch(ignoreGone);
    const group = freeGroup(DETACH_GROUP_BASE + Math.floor(Math.random() * 0xffff), await this.host.links.list(), DETACH_GROUP_BASE);
    await Promise.all(names.map((name) => this.host.links.set(name, { group }).catch(ignoreGone)));
    await this.host.links.deleteGroup(group).catch(ignoreGone);
  }

  /** DNAT hostPort -> endpoint:port (optionally only from a CIDR), with hairpin masquerade. */
  async publish(p: { endpoint: Endpoint | EndpointInfo | { address: string }; hostPort: number; port: number; protocol?: 'tcp' | 'udp'; from?: string; hostAddress?: string }): Promise<PortMapping> {
    checkKeys('mapping', checkObject('mapping', p), ['endpoint', 'hostPort', 'port', 'protocol', 'from', 'hostAddress']);
    const address = this.#checkInSubnet('endpoint.address', p.endpoint?.address);
    const address6 = this.#secondAddress(parseAddress('endpoint.address', address).bytes);
    const m: PortMapping = {
      address,
      ...(address6 ? { address6 } : {}),
      hostPort: checkInteger('hostPort', p.hostPort, 1, 65535),
      port: checkInteger('port', p.port, 1, 65535),
      protocol: checkOneOf('protocol', p.protocol ?? 'tcp', ['tcp', 'udp']),
    };
    if (p.from !== undefined) { const f = parsePrefix('from', p.from); m.from = `${f.address}/${f.prefixLength}`; }
    if (p.hostAddress !== undefined) m.hostAddress = parseAddress('hostAddress', p.hostAddress).address;
    // Without hostAddress or from, every family of the network is published (0.0.0.0 and [::]).
    const family = familyOfMapping(m);
    if (m.hostAddress !== undefined && m.from !== undefined && familyOfMapping({ from: m.from }) !== family) {
      throw rangeError('from', m.from, `is not of the family of hostAddress ${m.hostAddress}`);
    }
    if (family !== undefined && !this.#stacks.some((s) => s.family === family)) {
      const field = m.hostAddress !== undefined ? 'hostAddress' : 'from';
      throw rangeError(field, m[field], `is IPv${family}, and the network has no IPv${family} subnet`);
    }
    return this.#guard('network.publish', async () => {
      const netns = await this.#namespaceOf(p.endpoint, m.address);
      const mapping = netns === undefined ? m : { ...m, netns };
      await this.firewall.publish(mapping);
      return mapping;
    });
  }

  /** The name of the namespace holding `address` (for the mapping's record), when it has one. */
  async #namespaceOf(endpoint: unknown, address: string): Promise<string | undefined> {
    const given = (endpoint as Partial<Endpoint>).netns;
    if (given instanceof Netns) return given.name;
    if (typeof given === 'string' && !/^\d+$/.test(given)) return given;
    const link = await this.host.links.get(hostIfnameOf(parseAddress('address', address).bytes)).catch(() => undefined);
    const r = parseAlias(link?.alias);
    return r && (r.named ?? !/^\d+$/.test(r.ns)) ? r.ns : undefined;
  }

  async unpublish(m: PortMapping): Promise<void> {
    await this.#guard('network.unpublish', async () => {
      await this.firewall.unpublish(m);
      await this.#forgetFlows([], [m]);
    });
  }

  /**
   * Deletes the host's conntrack flows of removed mappings and endpoints, once their rules and
   * links are gone (so no packet makes them again). A flow keeps the NAT it was given when it
   * began: without this, a UDP client keeps reaching the endpoint a mapping pointed at before,
   * and a reused address receives its predecessor's replies. As Docker and the CNI portmap
   * plugin do: a mapping's DNAT flows; every flow from or to an endpoint's address.
   */
  async #forgetFlows(addresses: string[], mappings: PortMapping[]): Promise<void> {
    const going = new Set(addresses);
    const filters: ConntrackFilter[] = [
      // An endpoint's own filters below take its mappings' flows too.
      ...mappings.filter((m) => !going.has(m.address)).flatMap((m): ConntrackFilter[] => {
        // One filter per family the mapping forwards (a flow's reply comes from that family's address).
        const family = familyOfMapping(m);
        const targets = [m.address, m.address6].filter((a): a is string => a !== undefined && (family === undefined || a.includes(':') === (family === 6)));
        return targets.map((target) => ({
          protocol: m.protocol, dport: m.hostPort, replySrc: target, replySport: m.port, status: 'dnat',
          ...(m.hostAddress !== undefined ? { dst: m.hostAddress } : {}),
        }));
      }),
      ...addresses.flatMap((a): ConntrackFilter[] => [{ src: a }, { replySrc: a }]),
    ];
    await Promise.all(filters.map((f) => this.host.conntrack.flush(f)));
  }

  async endpoints(): Promise<EndpointInfo[]> {
    return this.#guard('network.endpoints', async () => (await this.#records()).map(info));
  }

  async ports(): Promise<PortMapping[]> {
    return this.#guard('network.ports', () => this.firewall.ports());
  }

  /**
   * Removes the network: every endpoint link and the bridge in one request (their group), the NAT
   * table, and the isolation table when this was the last isolated network: nothing is left.
   */
  async delete(): Promise<void> {
    await this.host.links.deleteGroup(this.#group).catch((err: unknown) => {
      if (!isCode(err, 'ENODEV')) throw err;
    });
    await this.firewall.teardown().catch(() => {});
    for (const s of this.#stacks) await this.#leaveIsolation(s.family);
    this.#taken.clear();
  }

  /** The bridge's ifindex, looked up once: attach() masters every host end to it. */
  async #bridgeIndex(): Promise<number> {
    this.#bridgeIfindex ??= (await this.host.links.get(this.bridge)).index;
    return this.#bridgeIfindex;
  }

  /**
   * Runs fn; a kernel failure on a network that is no longer there (its bridge deleted or replaced,
   * or its NAT removed) becomes ENODEV saying so, not what the kernel said about a stale reference.
   */
  async #guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof NetlinkError)) throw err;
      const bridge = await this.host.links.get(this.bridge).catch(() => undefined);
      const replaced = bridge !== undefined && this.#bridgeIfindex !== undefined && bridge.index !== this.#bridgeIfindex;
      const why = bridge === undefined || bridge.kind !== 'bridge' ? 'its bridge was deleted'
        : replaced ? 'its bridge was deleted and another made with its name'
        : !(await this.firewall.exists().catch(() => true)) ? 'its NAT was removed' : undefined;
      if (why === undefined) throw err;
      throw new NetlinkError(operation, ENODEV, { link: this.bridge, netns: netnsLabel(this.host), detail: `the network is gone (${why})` });
    }
  }

  /** An endpoint's address: in the network's first subnet (on a dual-stack network, the IPv6 one follows from it). */
  #checkInSubnet(field: string, value: unknown): string {
    const a = parseAddress(field, value);
    const [first, second] = this.#stacks;
    if (inSubnet(a.bytes, first.bytes, first.prefix)) return a.address;
    if (second && inSubnet(a.bytes, second.bytes, second.prefix)) {
      throw rangeError(field, value, `is in the network's IPv6 subnet: give the IPv4 address (in ${this.subnet}); the IPv6 one follows from it`);
    }
    throw rangeError(field, value, `is not in the network's subnet ${this.subnet}`);
  }

  /** On a dual-stack network, the IPv6 address of the host number `first` has in the IPv4 subnet. */
  #secondAddress(first: Buffer): string | undefined {
    const [s1, s2] = this.#stacks;
    return s2 && hostAddress(s2.bytes, hostIndex(first, s1.bytes, s1.prefix));
  }

  /** The addresses of the first subnet never handed out: the gateway, and the host number of the second gateway. */
  #reserved(): string[] {
    const [s1, s2] = this.#stacks;
    return s2 ? [s1.gateway, hostAddress(s1.bytes, hostIndex(parseAddress('gateway', s2.gateway).bytes, s2.bytes, s2.prefix))] : [s1.gateway];
  }

  async #records(): Promise<Record_[]> {
    const ports = await this.host.links.list({ master: this.bridge });
    return ports.flatMap((l) => { const r = parseAlias(l.alias); return r ? [{ ...r, hostIfname: l.name }] : []; });
  }

  /** The addresses port mappings point at; concurrent attach() calls share one read. */
  #mappedRead: Promise<Set<string>> | undefined;
  #mappedAddresses(): Promise<Set<string>> {
    this.#mappedRead ??= this.firewall.mappedAddresses().finally(() => { this.#mappedRead = undefined; });
    return this.#mappedRead;
  }

  /** The address to claim next: the one asked for, else the lowest not known taken or mapped. */
  async #allocate(requested: string | undefined, mappedRead: Promise<Set<string>>): Promise<string> {
    const run = this.#allocating.then(async () => {
      const mapped = await mappedRead;
      if (requested !== undefined) {
        if (this.#taken.has(requested) || mapped.has(requested)) {
          throw new NetlinkError('network.attach', 17, { link: hostIfnameOf(parseAddress('address', requested).bytes), netns: netnsLabel(this.host), detail: `address ${requested} is in use on ${this.bridge}${mapped.has(requested) ? ' (a port mapping points at it)' : ''}` });
        }
        this.#taken.add(requested);
        return requested;
      }
      const { family, bytes, prefix } = this.#stacks[0];
      // IPv4's last address is the broadcast; IPv6 has none.
      const last = subnetSize(family, prefix) - (family === 4 ? 2 : 1);
      for (let pass = 0; pass < 2; pass++) {
        for (let i = 1; i <= last; i++) {
          const a = hostAddress(bytes, i);
          if (!this.#taken.has(a) && !mapped.has(a)) {
            this.#taken.add(a);
            return a;
          }
        }
        // The hint may hold addresses released by others since: read the kernel's truth once more.
        this.#taken.clear();
        for (const a of this.#reserved()) this.#taken.add(a);
        for (const r of await this.#records()) this.#taken.add(r.address);
      }
      throw new NetlinkError('network.attach', 28 /* ENOSPC */, { link: this.bridge, netns: netnsLabel(this.host), detail: `no free address left in ${this.subnet}` });
    });
    this.#allocating = run.catch(() => {});
    return run;
  }
}

/** How detach() recognises a target's endpoints, and the namespace name its dead mappings carry. */
async function detachTarget(ref: DetachRef): Promise<{ name?: string; matches(r: EndpointRecord): boolean }> {
  if (typeof ref === 'object' && ref !== null && !(ref instanceof Netns) && 'address' in ref) {
    const address = parseAddress('endpoint.address', ref.address).address;
    return { matches: (r) => r.address === address };
  }
  checkNetnsRef('ns', ref);
  const byName = typeof ref === 'string' ? ref : typeof ref === 'object' && 'name' in ref && !(ref instanceof Netns) ? ref.name : undefined;
  if (byName !== undefined) return { name: byName, matches: (r) => r.ns === byName };
  // A handle, path, pid or fd: the namespace itself, by its inode (its name too when it has one).
  const ns = ref instanceof Netns ? ref : await Netns.open(ref);
  const key = ns.name ?? String(ns.inode);
  if (!(ref instanceof Netns)) await ns.close();
  return { name: ns.name, matches: (r) => r.ns === key && (r.ino === undefined || r.ino === ns.inode) };
}

/** A link group no link uses, from `start` on (within the 0xffff groups after `base`). */
function freeGroup(start: number, links: Link[], base = GROUP_BASE): number {
  const used = new Set(links.map((l) => l.group));
  for (let i = 0; i < 0xffff; i++) {
    const g = base + 1 + ((start - base - 1 + i) % 0xffff);
    if (!used.has(g)) return g;
  }
  throw new NetlinkError('network.create', 28 /* ENOSPC */, { detail: 'no free link group' });
}

/**
 * The subnets and gateways given to create(): one subnet per family (IPv4 first, as the network's
 * first subnet decides endpoints' addresses), each gateway in its family's subnet. On a dual-stack
 * network an endpoint's IPv6 address has its IPv4 host number, so the IPv6 subnet must hold as many.
 */
function checkStacks(subnetOption: unknown, gatewayOption: unknown): Stack[] {
  const many = Array.isArray(subnetOption);
  const subnets = many ? subnetOption : [subnetOption];
  if (subnets.length < 1 || subnets.length > 2) throw rangeError('subnet', subnetOption, 'is not one subnet or two (an IPv4 and an IPv6 one)');
  const stacks: Stack[] = subnets.map((value, i) => {
    const field = many ? `subnet[${i}]` : 'subnet';
    const c: Cidr = parsePrefix(field, value);
    if (c.prefixLength > (c.family === 4 ? 30 : 126)) throw rangeError(field, value, `has no room for endpoints (at most /${c.family === 4 ? 30 : 126})`);
    return { family: c.family, subnet: `${c.address}/${c.prefixLength}`, bytes: c.bytes, prefix: c.prefixLength, gateway: hostAddress(c.bytes, 1) };
  }).sort((a, b) => a.family - b.family);
  if (stacks.length === 2 && stacks[0].family === stacks[1].family) throw rangeError('subnet', subnetOption, `has two IPv${stacks[0].family} subnets: give one IPv4 and one IPv6`);
  if (stacks.length === 2 && 128 - stacks[1].prefix < 32 - stacks[0].prefix) {
    throw rangeError('subnet', subnetOption, `has an IPv6 subnet smaller than the IPv4 one (each endpoint's IPv6 address has its IPv4 host number): at most /${96 + stacks[0].prefix}`);
  }
  if (gatewayOption === undefined) return stacks;
  const gateways = Array.isArray(gatewayOption) ? gatewayOption : [gatewayOption];
  const set = new Set<Family>();
  gateways.forEach((value, i) => {
    const field = Array.isArray(gatewayOption) ? `gateway[${i}]` : 'gateway';
    const g = parseAddress(field, value);
    const stack = stacks.find((s) => s.family === g.family);
    if (!stack) throw rangeError(field, value, `is IPv${g.family}, and no subnet is`);
    if (set.has(g.family)) throw rangeError(field, value, `is a second IPv${g.family} gateway`);
    if (!inSubnet(g.bytes, stack.bytes, stack.prefix)) throw rangeError(field, value, `is not in ${stack.subnet}`);
    set.add(g.family);
    stack.gateway = g.address;
  });
  return stacks;
}

/**
 * As Docker refuses a pool that overlaps another on the address space: a subnet overlapping any
 * route or address of its family in the host namespace (another network's among them) is refused
 * before anything is made.
 */
async function refuseOverlap(host: Netns, links: Link[], stack: Stack): Promise<void> {
  const nameOf = (index: number | undefined) => links.find((l) => l.index === index)?.name ?? `ifindex ${index}`;
  const [routes, addresses] = await Promise.all([host.routes.list({ family: stack.family }), host.addresses.list({ family: stack.family })]);
  const prefixes = [
    ...routes.filter((r) => r.dst !== 'default').map((r) => ({ cidr: r.dst, what: `a route through ${nameOf(r.dev)}` })),
    ...addresses.filter((a) => a.scope !== 'host').map((a) => ({ cidr: `${a.address}/${a.prefixLength}`, what: `an address of ${nameOf(a.link)}` })),
  ];
  for (const p of prefixes) {
    const c = parseCidr('route', p.cidr);
    if (overlaps(c.bytes, c.prefixLength, stack.bytes, stack.prefix)) {
      throw rangeError('subnet', stack.subnet, `overlaps ${p.cidr} (${p.what}): pool overlaps with other one on this address space`);
    }
  }
}
