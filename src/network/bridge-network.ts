// BridgeNetwork: a container network in one call, like `docker network create -d bridge` plus
// `docker run -p`. Everything it needs to carry on after a restart lives in the kernel: the host end
// of each endpoint's veth carries the endpoint in its alias, each port mapping is a rule whose
// comment names it, so open() rebuilds the object from kernel state.
import { parseAddress, parsePrefix } from '../ip';
import { Netns, type NetnsRef } from '../netns';
import { NetlinkError } from '../errors';
import { checkBoolean, checkIfname, checkInteger, checkKeys, checkObject, checkOneOf, rangeError } from '../validate';
import type { NftTransaction } from '../nft/nftables';
import { type Firewall, IptablesFirewall, NftFirewall, type PortMapping } from './firewall';

export type { PortMapping };

export interface BridgeNetworkOptions {
  /** The "host" namespace the bridge lives in (default: this process's namespace). */
  netns?: NetnsRef;
  bridge: string;
  /** The network, e.g. "198.18.0.0/24". */
  subnet: string;
  /** The bridge's address (default: the subnet's first host). */
  gateway?: string;
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
  address: string;
  mac?: string;
}


const FAMILY = 'ip';
/** Shared by the isolated networks of a namespace: their bridges, and the pairs allowed to talk (a bridge with itself). */
const ISOLATION = 'nln-isolation';
/** Links of a network share a group so that delete() removes them in one request. */
const groupOf = (bridge: string) => 0x4e4c0000 + ([...bridge].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % 0xffff);

interface Stored { ns: string; ifname: string; address: string }

export class BridgeNetwork {
  readonly host: Netns;
  readonly bridge: string;
  readonly subnet: string;
  readonly gateway: string;
  readonly firewall: Firewall;
  readonly #prefix: number;
  readonly #subnetBytes: Buffer;
  /** Serializes address allocation: concurrent attach() calls get distinct addresses. */
  #allocating: Promise<unknown> = Promise.resolve();
  readonly #taken = new Set<string>();
  #bridgeIfindex: number | undefined;

  private constructor(host: Netns, bridge: string, subnet: string, gateway: string, firewall: 'nftables' | 'iptables') {
    this.host = host;
    this.bridge = bridge;
    this.subnet = subnet;
    this.gateway = gateway;
    this.firewall = firewall === 'iptables' ? new IptablesFirewall(host, bridge, subnet) : new NftFirewall(host, bridge, subnet);
    const p = parsePrefix('subnet', subnet);
    this.#prefix = p.prefixLength;
    this.#subnetBytes = p.bytes;
    this.#taken.add(gateway);
  }

  /** Creates the bridge, its gateway address, forwarding, and the network's NAT table. All or nothing. */
  static async create(o: BridgeNetworkOptions): Promise<BridgeNetwork> {
    checkKeys('options', checkObject('options', o), ['netns', 'bridge', 'subnet', 'gateway', 'masquerade', 'mtu', 'firewall', 'isolated']);
    if (o.isolated !== undefined) checkBoolean('isolated', o.isolated);
    const bridge = checkIfname('bridge', o.bridge);
    const subnet = parsePrefix('subnet', o.subnet);
    if (subnet.family !== 4) throw rangeError('subnet', o.subnet, 'is not IPv4 (IPv6 networks are not supported yet)');
    if (subnet.prefixLength > 30) throw rangeError('subnet', o.subnet, 'has no room for endpoints (at most /30)');
    const gateway = o.gateway === undefined ? hostAddress(subnet.bytes, 1) : parseAddress('gateway', o.gateway).address;
    if (!inSubnet(parseAddress('gateway', gateway).bytes, subnet.bytes, subnet.prefixLength)) throw rangeError('gateway', gateway, `is not in ${o.subnet}`);
    if (o.masquerade !== undefined) checkBoolean('masquerade', o.masquerade);
    if (o.mtu !== undefined) checkInteger('mtu', o.mtu, 68, 65535);
    const firewall = checkOneOf('firewall', o.firewall ?? 'nftables', ['nftables', 'iptables']);
    const host = o.netns === undefined ? Netns.current() : await Netns.open(o.netns);
    const net = new BridgeNetwork(host, bridge, `${subnet.address}/${subnet.prefixLength}`, gateway, firewall);
    let firewallMade = false;
    try {
      await host.links.add({ kind: 'bridge', name: bridge, up: true, mtu: o.mtu, group: groupOf(bridge) });
      await host.addresses.add(bridge, `${gateway}/${subnet.prefixLength}`);
      await host.sysctl.set('net.ipv4.ip_forward', 1);
      firewallMade = true;
      await net.firewall.setup(o.masquerade ?? true);
      if (o.isolated ?? true) {
        const first = !(await host.nft.listTables()).some((t) => t.family === FAMILY && t.name === ISOLATION);
        await host.nft.transaction((tx) => net.#isolate(tx, first));
      }
      return net;
    } catch (err) {
      // All or nothing: what was made goes before the error is thrown.
      await host.links.delete(bridge).catch(() => {});
      if (firewallMade) await net.firewall.teardown().catch(() => {});
      throw err;
    }
  }

  /** Rebuilds the object from kernel state (endpoints, allocations, mappings). */
  static async open(bridge: string, o: { netns?: NetnsRef } = {}): Promise<BridgeNetwork> {
    checkIfname('bridge', bridge);
    const host = o.netns === undefined ? Netns.current() : await Netns.open(o.netns);
    const link = await host.links.get(bridge);
    const addr = (await host.addresses.list({ link: link.index, family: 4 }))[0];
    if (!addr) throw new NetlinkError('network.open', 2, { detail: `bridge ${bridge} has no IPv4 address: not a BridgeNetwork` });
    const subnet = parsePrefix('subnet', `${hostAddress(parseAddress('a', addr.address).bytes, 0, addr.prefixLength)}/${addr.prefixLength}`);
    const firewall = (await IptablesFirewall.exists(host, bridge)) ? 'iptables' : 'nftables';
    const net = new BridgeNetwork(host, bridge, `${subnet.address}/${subnet.prefixLength}`, addr.address, firewall);
    for (const e of await net.#stored()) net.#taken.add(e.address);
    return net;
  }

  /**
   * Isolation, as Docker's DOCKER-ISOLATION chains do it: forwarded traffic from one isolated
   * bridge to another is dropped; a bridge with itself is the one pair allowed.
   */
  #isolate(tx: NftTransaction, firstNetwork: boolean): void {
    const ref = { family: FAMILY, table: ISOLATION } as const;
    if (firstNetwork) {
      tx.addTable({ family: FAMILY, name: ISOLATION });
      tx.addSet({ ...ref, name: 'bridges', type: 'ifname' });
      tx.addSet({ ...ref, name: 'same', type: 'ifname . ifname' });
      tx.addChain({ ...ref, name: 'forward', type: 'filter', hook: 'forward', priority: -1, policy: 'accept' });
      tx.addRule({ ...ref, chain: 'forward', match: { iifname: '@bridges', oifname: '@bridges' }, concat: { key: ['iifname', 'oifname'], set: '@same', negate: true }, verdict: 'drop' });
    }
    tx.addElements({ ...ref, name: 'bridges', type: 'ifname' }, [this.bridge]);
    tx.addElements({ ...ref, name: 'same', type: 'ifname . ifname' }, [`${this.bridge} . ${this.bridge}`]);
  }

  /**
   * Connects a namespace: a veth whose peer is born inside it (eth0 unless told), the host end
   * mastered and up, the container end up with an address (given, or the next free one) and a
   * default route via the gateway. All or nothing.
   */
  async attach(ref: NetnsRef, o: { ifname?: string; address?: string; mac?: string } = {}): Promise<Endpoint> {
    checkKeys('options', checkObject('options', o), ['ifname', 'address', 'mac']);
    const ifname = checkIfname('ifname', o.ifname ?? 'eth0');
    const ns = ref instanceof Netns ? ref : await Netns.open(ref);
    const address = await this.#allocate(o.address);
    const hostIfname = `nln${(Date.now() % 1e6).toString(36)}${Math.random().toString(36).slice(2, 6)}`.slice(0, 15);
    try {
      const stored: Stored = { ns: ns.name ?? String(ns.inode), ifname, address };
      // As Docker does, the container's MAC comes from its address unless one is given: known
      // without reading it back, and unique on the bridge as the addresses are.
      const mac = o.mac ?? macOf(address);
      // One call, one chain of exchanges: in the host namespace the veth (host end mastered, up,
      // in the network's group), its alias and its read-back; then in the container, addressed by
      // the peer's ifindex from that read-back: up, address, default route via the gateway.
      await this.host.links.add({
        kind: 'veth', name: hostIfname, master: await this.#bridgeIndex(), up: true, group: groupOf(this.bridge), alias: `nln:${JSON.stringify(stored)}`,
        peer: {
          name: ifname, netns: ns, mac, up: true,
          addresses: [{ cidr: `${address}/${this.#prefix}`, noDad: true }],
          routes: [{ dst: 'default', gateway: this.gateway }],
        },
      });
      return { netns: ns, ifname, hostIfname, address, mac };
    } catch (err) {
      await this.host.links.delete(hostIfname).catch(() => {});
      this.#taken.delete(address);
      throw err;
    }
  }

  /** Disconnects a namespace (its veth goes, with its port mappings). */
  async detach(ref: NetnsRef): Promise<void> {
    const ns = ref instanceof Netns ? ref : await Netns.open(ref);
    const key = ns.name ?? String(ns.inode);
    for (const e of await this.#stored()) {
      if (e.ns !== key) continue;
      for (const m of (await this.ports()).filter((p) => p.address === e.address)) await this.unpublish(m);
      await this.host.links.delete(e.hostIfname);
      this.#taken.delete(e.address);
    }
  }

  /** DNAT hostPort -> endpoint:port (optionally only from a CIDR), with hairpin masquerade. */
  async publish(p: { endpoint: Endpoint | { address: string }; hostPort: number; port: number; protocol?: 'tcp' | 'udp'; from?: string; hostAddress?: string }): Promise<PortMapping> {
    checkKeys('mapping', checkObject('mapping', p), ['endpoint', 'hostPort', 'port', 'protocol', 'from', 'hostAddress']);
    const m: PortMapping = {
      address: parseAddress('endpoint.address', p.endpoint?.address).address,
      hostPort: checkInteger('hostPort', p.hostPort, 1, 65535),
      port: checkInteger('port', p.port, 1, 65535),
      protocol: checkOneOf('protocol', p.protocol ?? 'tcp', ['tcp', 'udp']),
    };
    if (p.from !== undefined) { const f = parsePrefix('from', p.from); m.from = `${f.address}/${f.prefixLength}`; }
    if (p.hostAddress !== undefined) m.hostAddress = parseAddress('hostAddress', p.hostAddress).address;
    await this.firewall.publish(m);
    return m;
  }

  async unpublish(m: PortMapping): Promise<void> {
    await this.firewall.unpublish(m);
  }

  async endpoints(): Promise<Array<Omit<Endpoint, 'netns'> & { netns: string }>> {
    return (await this.#stored()).map((e) => ({ netns: e.ns, ifname: e.ifname, hostIfname: e.hostIfname, address: e.address }));
  }

  async ports(): Promise<PortMapping[]> {
    return this.firewall.ports();
  }

  /** Removes the network: every endpoint link in one request (their group), the bridge, the NAT table. */
  async delete(): Promise<void> {
    await this.host.links.deleteGroup(groupOf(this.bridge)).catch((err) => {
      if (!(err instanceof NetlinkError && err.code === 'ENODEV')) throw err;
    });
    await this.firewall.teardown().catch(() => {});
    await this.host.nft.transaction((tx) => {
      tx.deleteElements({ family: FAMILY, table: ISOLATION, name: 'bridges', type: 'ifname' }, [this.bridge]);
      tx.deleteElements({ family: FAMILY, table: ISOLATION, name: 'same', type: 'ifname . ifname' }, [`${this.bridge} . ${this.bridge}`]);
    }).catch(() => {}); // a network made with isolated: false is not in the sets
    this.#taken.clear();
  }

  /** The bridge's ifindex, looked up once: attach() masters every host end to it. */
  async #bridgeIndex(): Promise<number> {
    this.#bridgeIfindex ??= (await this.host.links.get(this.bridge)).index;
    return this.#bridgeIfindex;
  }

  async #stored(): Promise<Array<Stored & { hostIfname: string }>> {
    const ports = await this.host.links.list({ master: this.bridge });
    return ports.filter((l) => l.alias?.startsWith('nln:')).map((l) => ({ ...(JSON.parse(l.alias!.slice(4)) as Stored), hostIfname: l.name }));
  }

  async #allocate(requested: string | undefined): Promise<string> {
    const run = this.#allocating.then(async () => {
      if (requested !== undefined) {
        const a = parseAddress('address', requested);
        if (!inSubnet(a.bytes, this.#subnetBytes, this.#prefix)) throw rangeError('address', requested, `is not in ${this.subnet}`);
        if (this.#taken.has(a.address)) throw new NetlinkError('network.attach', 17, { detail: `address ${a.address} is taken` });
        this.#taken.add(a.address);
        return a.address;
      }
      const size = 2 ** (32 - this.#prefix);
      for (let i = 1; i < size - 1; i++) {
        const a = hostAddress(this.#subnetBytes, i);
        if (!this.#taken.has(a)) {
          this.#taken.add(a);
          return a;
        }
      }
      throw new NetlinkError('network.attach', 28 /* ENOSPC */, { detail: `no free address left in ${this.subnet}` });
    });
    this.#allocating = run.catch(() => {});
    return run;
  }
}

/** 02:42 then the IPv4 address's four bytes: Docker's scheme for container MACs (locally administered). */
function macOf(address: string): string {
  return ['02', '42', ...address.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':');
}

function hostAddress(net: Buffer, n: number, prefix?: number): string {
  const base = net.readUInt32BE(0);
  const masked = prefix === undefined ? base : (base & (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0)) >>> 0;
  const v = (masked + n) >>> 0;
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

function inSubnet(a: Buffer, net: Buffer, prefix: number): boolean {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return ((a.readUInt32BE(0) & mask) >>> 0) === ((net.readUInt32BE(0) & mask) >>> 0);
}
