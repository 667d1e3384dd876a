// Where a BridgeNetwork keeps its NAT: an nftables table of its own, or iptables-nft rules (readable
// by `iptables-nft -S`, as Docker's are). Each mapping is named in its rules' comments, so the
// kernel alone says which mappings exist.
import { NetlinkError } from '../errors';
import type { Iptables } from '../iptables/iptables';
import type { Netns } from '../netns';
import { NFT_MSG } from '../nft/constants';
import { nftMessage } from '../nft/messages';
import { NLM_F } from '../constants';

export interface PortMapping {
  /** The endpoint's address the mapping forwards to (its IPv4 one on a dual-stack network). */
  address: string;
  /** On a dual-stack network, the endpoint's IPv6 address: IPv6 connections to the host port go there. */
  address6?: string;
  hostPort: number;
  port: number;
  protocol: 'tcp' | 'udp';
  from?: string;
  hostAddress?: string;
  /** The namespace of the endpoint it was published for, when known: detach(name) finds it after the namespace is gone. */
  netns?: string;
}

export interface Firewall {
  readonly kind: 'nftables' | 'iptables';
  setup(masquerade: boolean): Promise<void>;
  /** EEXIST when the same host port (protocol, hostAddress, from) is published already. */
  publish(m: PortMapping): Promise<void>;
  unpublish(m: PortMapping): Promise<void>;
  /** Removes these mappings (each present), in one transaction where the form allows. */
  unpublishMany(ms: PortMapping[]): Promise<void>;
  /** Whether the network's NAT (table or chain) is there. */
  exists(): Promise<boolean>;
  ports(): Promise<PortMapping[]>;
  /** The addresses some mapping points at (attach hands none of them out). */
  mappedAddresses(): Promise<Set<string>>;
  teardown(): Promise<void>;
}

/** nft refuses to read back a rule comment longer than this (NFTNL_UDATA_COMMENT_MAXLEN). */
const COMMENT_MAX = 128;

/** What identifies a mapping: all but the namespace it was made for. */
export function mappingKey(m: PortMapping): string {
  return ['nln', `address=${m.address}`, `hostPort=${m.hostPort}`, `port=${m.port}`, `protocol=${m.protocol}`,
    ...(m.from ? [`from=${m.from}`] : []), ...(m.hostAddress ? [`hostAddress=${m.hostAddress}`] : [])].join(' ');
}

/**
 * "nln address=… hostPort=… port=… protocol=… [from=…] [hostAddress=…] [address6=…] [netns=…]": no
 * quotes (nft and iptables print comments quoted). The namespace is left out when it would not fit
 * or parse back. (address6 follows from address, so it is no part of the key.)
 */
export function mappingComment(m: PortMapping): string {
  const key = m.address6 === undefined ? mappingKey(m) : `${mappingKey(m)} address6=${m.address6}`;
  const withNs = m.netns !== undefined && /^[^\s"=]+$/.test(m.netns) ? `${key} netns=${m.netns}` : key;
  return withNs.length <= COMMENT_MAX ? withNs : key;
}

export function parseMappingComment(comment: string | undefined): PortMapping | undefined {
  if (!comment?.startsWith('nln ')) return undefined;
  const f = Object.fromEntries(comment.split(' ').slice(1).map((kv) => kv.split('=')));
  return {
    address: f.address, hostPort: Number(f.hostPort), port: Number(f.port), protocol: f.protocol as 'tcp' | 'udp',
    ...(f.from ? { from: f.from } : {}), ...(f.hostAddress ? { hostAddress: f.hostAddress } : {}),
    ...(f.address6 ? { address6: f.address6 } : {}), ...(f.netns ? { netns: f.netns } : {}),
  };
}

export const notPublished = (m: PortMapping) => new NetlinkError('network.unpublish', 2, { detail: `${m.protocol} port ${m.hostPort} -> ${m.address}:${m.port} is not published` });

/** The address a family's rules forward a mapping to: the IPv6 one of a dual-stack endpoint for IPv6. */
const targetOf = (m: PortMapping, family: NftFamily): string => (family === 'ip6' ? m.address6 ?? m.address : m.address);

/** The nft family of a network's IPv4 (ip) or IPv6 (ip6) rules. */
export type NftFamily = 'ip' | 'ip6';

export const unique = (ms: Array<PortMapping | undefined>): PortMapping[] => {
  const seen = new Map<string, PortMapping>();
  for (const m of ms) if (m) seen.set(mappingKey(m), m);
  return [...seen.values()];
};

/**
 * A table `ip nln-BRIDGE` of the network's own (`ip6 nln-BRIDGE` for its IPv6 subnet). Published ports are found in O(1) however many
 * there are: `tcp dport vmap @publish-tcp` (and udp) jumps to the chain of that one port
 * (`p-tcp-8080`), which holds its mapping's DNAT rule (several when they differ by `from` or
 * `hostAddress`). One hairpin rule masquerades any DNATed connection between the network's own
 * addresses, so containers reach each other through published ports.
 */
export class NftFirewall implements Firewall {
  readonly kind = 'nftables';
  readonly #table: string;
  /**
   * The mapped addresses as of a ruleset generation. Reading every mapping grows with their number,
   * and attach needs them each time: while the generation is unchanged (or moved only by this
   * object's own publish) the set is still true, and one GETGEN replaces the dump.
   */
  #mapped: { generation: number; addresses: Set<string> } | undefined;

  constructor(private readonly host: Netns, private readonly bridge: string, private readonly subnet: string, private readonly family: NftFamily = 'ip') {
    this.#table = `nln-${bridge}`;
  }

  static async exists(host: Netns, bridge: string, family: NftFamily = 'ip'): Promise<boolean> {
    return (await host.nft.listTables()).some((t) => t.family === family && t.name === `nln-${bridge}`);
  }

  #ref = () => ({ family: this.family, table: this.#table });
  #portMap = (protocol: string) => ({ ...this.#ref(), name: `publish-${protocol}`, type: 'inet_service' as const, map: 'verdict' });
  #portChain = (m: PortMapping) => `p-${m.protocol}-${m.hostPort}`;

  async setup(masquerade: boolean): Promise<void> {
    const t = this.#ref();
    await this.host.nft.transaction((tx) => {
      // Like `nft create table`: a table of this name made by anyone else is refused (EEXIST), not adopted.
      tx.raw(`create table ${this.family} ${this.#table}`, nftMessage(NFT_MSG.NEWTABLE, this.family, { name: this.#table }, NLM_F.CREATE | NLM_F.EXCL));
      for (const protocol of ['tcp', 'udp']) tx.addMap({ ...this.#portMap(protocol) });
      tx.addChain({ ...t, name: 'publish' });
      for (const protocol of ['tcp', 'udp']) tx.addRule({ ...t, chain: 'publish', rule: `${protocol} dport vmap @publish-${protocol}` });
      tx.addChain({ ...t, name: 'prerouting', type: 'nat', hook: 'prerouting', priority: 'dstnat', policy: 'accept' });
      tx.addChain({ ...t, name: 'output', type: 'nat', hook: 'output', priority: -100, policy: 'accept' });
      tx.addChain({ ...t, name: 'postrouting', type: 'nat', hook: 'postrouting', priority: 'srcnat', policy: 'accept' });
      // Published ports answer on the host's own addresses, from outside and from the host itself.
      tx.addRule({ ...t, chain: 'prerouting', match: { fibDaddrType: 'local' }, jump: 'publish' });
      tx.addRule({ ...t, chain: 'output', match: { fibDaddrType: 'local' }, jump: 'publish' });
      tx.addRule({ ...t, chain: 'postrouting', rule: `${this.family} saddr ${this.subnet} ${this.family} daddr ${this.subnet} oifname "${this.bridge}" ct status dnat masquerade` });
      if (masquerade) tx.addRule({ ...t, chain: 'postrouting', match: { saddr: this.subnet }, not: { oifname: this.bridge }, masquerade: true });
    });
  }

  /** The mappings of one host port (its chain's rules), with their handles; none when the chain is absent. */
  async #onPort(m: PortMapping): Promise<Array<{ mapping: PortMapping; handle: number }>> {
    // The kernel filters the dump by chain name: an absent chain simply has no rules. Only the
    // comments are read (rawRules): printing every rule as nft text cost ~50 µs a rule.
    const rules = await this.host.nft.rawRules(this.family, this.#table, this.#portChain(m), 'network.publish');
    return rules.flatMap((r) => { const mapping = parseMappingComment(r.comment); return mapping ? [{ mapping, handle: r.handle }] : []; });
  }

  async mappedAddresses(): Promise<Set<string>> {
    const generation = await this.host.nft.generation();
    if (this.#mapped?.generation !== generation) {
      // Read after the generation: a commit in between leaves the set newer than its stamp, which
      // the next call's generation then fails to match (read again), never the reverse.
      this.#mapped = { generation, addresses: new Set((await this.ports()).map((m) => m.address)) };
    }
    return new Set(this.#mapped.addresses);
  }

  /** After this object's own commit: the set stays true only if that commit was the only one since. */
  async #committed(address: string | undefined): Promise<void> {
    const known = this.#mapped;
    this.#mapped = undefined;
    if (!known || address === undefined) return;
    const generation = await this.host.nft.generation();
    if (generation === known.generation + 1) this.#mapped = { generation, addresses: known.addresses.add(address) };
  }

  async publish(m: PortMapping): Promise<void> {
    await this.#publish(m);
    await this.#committed(m.address);
  }

  async #publish(m: PortMapping): Promise<void> {
    const t = this.#ref();
    const chain = this.#portChain(m);
    const rule = { ...t, chain, comment: mappingComment(m), match: { saddr: m.from, daddr: m.hostAddress, protocol: m.protocol }, dnat: { address: targetOf(m, this.family), port: m.port } };
    try {
      // Usually the port is new: one transaction makes its chain (NLM_F_EXCL: refused when the
      // port has one already), its map entry and its rule.
      await this.host.nft.transaction((tx) => {
        tx.createChain({ ...t, name: chain });
        tx.addElements(this.#portMap(m.protocol), [[m.hostPort, `jump ${chain}`]]);
        tx.addRule(rule);
      });
      return;
    } catch (err) {
      if (!(err instanceof NetlinkError && err.code === 'EEXIST')) throw err;
    }
    // The port has mappings: a duplicate is refused, one differing by from/hostAddress joins them.
    if ((await this.#onPort(m)).some((x) => x.mapping.hostAddress === m.hostAddress && x.mapping.from === m.from)) {
      throw new NetlinkError('network.publish', 17, { detail: `${m.protocol} port ${m.hostPort} is already published` });
    }
    await this.host.nft.transaction((tx) => { tx.addRule(rule); });
  }

  async unpublish(m: PortMapping): Promise<void> {
    this.#mapped = undefined; // the address may have other mappings: read again when next asked
    const onPort = await this.#onPort(m);
    const mine = onPort.filter((x) => mappingKey(x.mapping) === mappingKey(m));
    if (mine.length === 0) throw notPublished(m);
    const t = this.#ref();
    const chain = this.#portChain(m);
    await this.host.nft.transaction((tx) => {
      if (mine.length === onPort.length) {
        // The port's last mapping: the map entry goes first (a chain in use cannot be deleted).
        tx.deleteElements(this.#portMap(m.protocol), [[m.hostPort, `jump ${chain}`]]);
        tx.deleteChain({ ...t, name: chain });
      } else {
        for (const x of mine) tx.deleteRule({ ...t, chain, handle: x.handle });
      }
    });
  }

  async unpublishMany(ms: PortMapping[]): Promise<void> {
    if (ms.length === 0) return;
    this.#mapped = undefined;
    const going = new Set(ms.map(mappingKey));
    const t = this.#ref();
    const byChain = new Map<string, Array<{ handle: number; going: boolean; mapping: PortMapping }>>();
    for (const r of await this.host.nft.rawRules(this.family, this.#table, undefined, 'network.detach')) {
      const mapping = parseMappingComment(r.comment);
      if (!r.chain.startsWith('p-') || !mapping) continue;
      byChain.set(r.chain, [...(byChain.get(r.chain) ?? []), { handle: r.handle, going: going.has(mappingKey(mapping)), mapping }]);
    }
    await this.host.nft.transaction((tx) => {
      for (const [chain, rules] of byChain) {
        if (!rules.some((r) => r.going)) continue;
        if (rules.every((r) => r.going)) {
          // The port's last mappings: the map entry goes first (a chain in use cannot be deleted).
          const { protocol, hostPort } = rules[0].mapping;
          tx.deleteElements(this.#portMap(protocol), [[hostPort, `jump ${chain}`]]);
          tx.deleteChain({ ...t, name: chain });
        } else {
          for (const r of rules) if (r.going) tx.deleteRule({ ...t, chain, handle: r.handle });
        }
      }
    });
  }

  exists(): Promise<boolean> {
    return NftFirewall.exists(this.host, this.bridge, this.family);
  }

  async ports(): Promise<PortMapping[]> {
    const rules = await this.host.nft.rawRules(this.family, this.#table, undefined, 'network.ports');
    return unique(rules.filter((r) => r.chain.startsWith('p-')).map((r) => parseMappingComment(r.comment)));
  }

  async teardown(): Promise<void> {
    await this.host.nft.transaction((tx) => { tx.deleteTable({ family: this.family, name: this.#table }); });
  }
}

/**
 * iptables-nft rules, as Docker keeps its own: a chain NLN-BRIDGE in nat, jumped to for local
 * addresses (with ip6tables for the network's IPv6 subnet).
 */
export class IptablesFirewall implements Firewall {
  readonly kind = 'iptables';
  readonly #chain: string;
  readonly #ipt: Iptables;

  constructor(private readonly host: Netns, private readonly bridge: string, private readonly subnet: string, private readonly family: NftFamily = 'ip') {
    this.#chain = `NLN-${bridge}`;
    this.#ipt = family === 'ip6' ? host.ip6tables : host.iptables;
  }

  static async exists(host: Netns, bridge: string, family: NftFamily = 'ip'): Promise<boolean> {
    return (await (family === 'ip6' ? host.ip6tables : host.iptables).list('nat')).includes(`-N NLN-${bridge}`);
  }

  #jump = () => `-m addrtype --dst-type LOCAL -j ${this.#chain}`;
  #masquerade = () => `-s ${this.subnet} ! -o ${this.bridge} -j MASQUERADE`;

  async setup(masquerade: boolean): Promise<void> {
    const ipt = this.#ipt;
    await ipt.newChain('nat', this.#chain); // EEXIST when the chain is someone's already
    // All or nothing: each step done is undone, in reverse, if a later one fails.
    const undo: Array<() => Promise<void>> = [() => ipt.deleteChain('nat', this.#chain)];
    try {
      for (const [chain, rule] of [['PREROUTING', this.#jump()], ['OUTPUT', this.#jump()], ...(masquerade ? [['POSTROUTING', this.#masquerade()]] : [])]) {
        await ipt.append('nat', chain, rule);
        undo.push(() => ipt.delete('nat', chain, rule));
      }
    } catch (err) {
      for (const step of undo.reverse()) await step().catch(() => {});
      throw err;
    }
  }

  #rules(m: PortMapping): [string, string] {
    const comment = `-m comment --comment "${mappingComment(m)}"`;
    const target = targetOf(m, this.family);
    const [to, host] = this.family === 'ip6' ? [`[${target}]:${m.port}`, `${target}/128`] : [`${target}:${m.port}`, `${target}/32`];
    return [
      `${m.from ? `-s ${m.from} ` : ''}${m.hostAddress ? `-d ${m.hostAddress} ` : ''}-p ${m.protocol} -m ${m.protocol} --dport ${m.hostPort} ${comment} -j DNAT --to-destination ${to}`,
      `-s ${this.subnet} -d ${host} -p ${m.protocol} -m ${m.protocol} --dport ${m.port} ${comment} -j MASQUERADE`,
    ];
  }

  async publish(m: PortMapping): Promise<void> {
    if ((await this.ports()).some((x) => x.hostPort === m.hostPort && x.protocol === m.protocol && x.hostAddress === m.hostAddress && x.from === m.from)) {
      throw new NetlinkError('network.publish', 17, { detail: `${m.protocol} port ${m.hostPort} is already published` });
    }
    const [dnat, hairpin] = this.#rules(m);
    await this.#ipt.append('nat', this.#chain, dnat);
    try {
      await this.#ipt.append('nat', 'POSTROUTING', hairpin);
    } catch (err) {
      await this.#ipt.delete('nat', this.#chain, dnat).catch(() => {});
      throw err;
    }
  }

  async unpublish(m: PortMapping): Promise<void> {
    // The rules are deleted by their text, comment included: use the stored one (it may name a namespace).
    const stored = (await this.ports()).find((x) => mappingKey(x) === mappingKey(m));
    if (!stored) throw notPublished(m);
    const [dnat, hairpin] = this.#rules(stored);
    await this.#ipt.delete('nat', this.#chain, dnat);
    await this.#ipt.delete('nat', 'POSTROUTING', hairpin);
  }

  async unpublishMany(ms: PortMapping[]): Promise<void> {
    for (const m of ms) await this.unpublish(m);
  }

  exists(): Promise<boolean> {
    return IptablesFirewall.exists(this.host, this.bridge, this.family);
  }

  async mappedAddresses(): Promise<Set<string>> {
    return new Set((await this.ports()).map((m) => m.address));
  }

  async ports(): Promise<PortMapping[]> {
    const lines = await this.#ipt.list('nat', this.#chain);
    return unique(lines.map((l) => parseMappingComment(/--comment "([^"]*)"/.exec(l)?.[1])));
  }

  async teardown(): Promise<void> {
    const ipt = this.#ipt;
    for (const m of await this.ports()) await this.unpublish(m);
    await ipt.delete('nat', 'PREROUTING', this.#jump()).catch(() => {});
    await ipt.delete('nat', 'OUTPUT', this.#jump()).catch(() => {});
    await ipt.delete('nat', 'POSTROUTING', this.#masquerade()).catch(() => {});
    await ipt.flush('nat', this.#chain);
    await ipt.deleteChain('nat', this.#chain);
  }
}
