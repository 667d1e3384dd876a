// Where a BridgeNetwork keeps its NAT: an nftables table of its own, or iptables-nft rules (readable
// by `iptables-nft -S`, as Docker's are). Each mapping is named in its rules' comments, so the
// kernel alone says which mappings exist.
import type { Netns } from '../netns';

export interface PortMapping {
  /** The endpoint's address the mapping forwards to. */
  address: string;
  hostPort: number;
  port: number;
  protocol: 'tcp' | 'udp';
  from?: string;
  hostAddress?: string;
}

export interface Firewall {
  readonly kind: 'nftables' | 'iptables';
  setup(masquerade: boolean): Promise<void>;
  publish(m: PortMapping): Promise<void>;
  unpublish(m: PortMapping): Promise<void>;
  ports(): Promise<PortMapping[]>;
  teardown(): Promise<void>;
}

/** "nln address=… hostPort=… port=… protocol=… [from=…] [hostAddress=…]": no quotes (nft and iptables print comments quoted). */
export function mappingComment(m: PortMapping): string {
  return ['nln', `address=${m.address}`, `hostPort=${m.hostPort}`, `port=${m.port}`, `protocol=${m.protocol}`,
    ...(m.from ? [`from=${m.from}`] : []), ...(m.hostAddress ? [`hostAddress=${m.hostAddress}`] : [])].join(' ');
}

export function parseMappingComment(comment: string | undefined): PortMapping | undefined {
  if (!comment?.startsWith('nln ')) return undefined;
  const f = Object.fromEntries(comment.split(' ').slice(1).map((kv) => kv.split('=')));
  return {
    address: f.address, hostPort: Number(f.hostPort), port: Number(f.port), protocol: f.protocol as 'tcp' | 'udp',
    ...(f.from ? { from: f.from } : {}), ...(f.hostAddress ? { hostAddress: f.hostAddress } : {}),
  };
}

const unique = (ms: Array<PortMapping | undefined>): PortMapping[] => {
  const seen = new Map<string, PortMapping>();
  for (const m of ms) if (m) seen.set(mappingComment(m), m);
  return [...seen.values()];
};

/** A table `ip nln-BRIDGE` of the network's own. */
export class NftFirewall implements Firewall {
  readonly kind = 'nftables';
  readonly #table: string;

  constructor(private readonly host: Netns, private readonly bridge: string, private readonly subnet: string) {
    this.#table = `nln-${bridge}`;
  }

  static async exists(host: Netns, bridge: string): Promise<boolean> {
    return (await host.nft.listTables()).some((t) => t.family === 'ip' && t.name === `nln-${bridge}`);
  }

  async setup(masquerade: boolean): Promise<void> {
    const t = { family: 'ip' as const, table: this.#table };
    await this.host.nft.transaction((tx) => {
      tx.addTable({ family: 'ip', name: this.#table });
      tx.addChain({ ...t, name: 'publish' });
      tx.addChain({ ...t, name: 'prerouting', type: 'nat', hook: 'prerouting', priority: 'dstnat', policy: 'accept' });
      tx.addChain({ ...t, name: 'output', type: 'nat', hook: 'output', priority: -100, policy: 'accept' });
      tx.addChain({ ...t, name: 'postrouting', type: 'nat', hook: 'postrouting', priority: 'srcnat', policy: 'accept' });
      // Published ports answer on the host's own addresses, from outside and from the host itself.
      tx.addRule({ ...t, chain: 'prerouting', match: { fibDaddrType: 'local' }, jump: 'publish' });
      tx.addRule({ ...t, chain: 'output', match: { fibDaddrType: 'local' }, jump: 'publish' });
      if (masquerade) tx.addRule({ ...t, chain: 'postrouting', match: { saddr: this.subnet }, not: { oifname: this.bridge }, masquerade: true });
    });
  }

  async publish(m: PortMapping): Promise<void> {
    const t = { family: 'ip' as const, table: this.#table };
    const comment = mappingComment(m);
    await this.host.nft.transaction((tx) => {
      tx.addRule({ ...t, chain: 'publish', comment, match: { saddr: m.from, daddr: m.hostAddress, protocol: m.protocol, dport: m.hostPort }, dnat: { address: m.address, port: m.port } });
      // Hairpin: a container reaching a published port of its own network gets replies back through the host.
      tx.addRule({ ...t, chain: 'postrouting', comment, match: { saddr: this.subnet, daddr: m.address, protocol: m.protocol, dport: m.port }, masquerade: true });
    });
  }

  async unpublish(m: PortMapping): Promise<void> {
    const comment = mappingComment(m);
    const rules = (await this.host.nft.listRules({ family: 'ip', table: this.#table })).filter((r) => r.comment === comment);
    await this.host.nft.transaction((tx) => {
      for (const r of rules) tx.deleteRule({ family: 'ip', table: this.#table, chain: r.chain, handle: r.handle });
    });
  }

  async ports(): Promise<PortMapping[]> {
    return unique((await this.host.nft.listRules({ family: 'ip', table: this.#table, chain: 'publish' })).map((r) => parseMappingComment(r.comment)));
  }

  async teardown(): Promise<void> {
    await this.host.nft.transaction((tx) => { tx.deleteTable({ family: 'ip', name: this.#table }); });
  }
}

/** iptables-nft rules, as Docker keeps its own: a chain NLN-BRIDGE in nat, jumped to for local addresses. */
export class IptablesFirewall implements Firewall {
  readonly kind = 'iptables';
  readonly #chain: string;

  constructor(private readonly host: Netns, private readonly bridge: string, private readonly subnet: string) {
    this.#chain = `NLN-${bridge}`;
  }

  static async exists(host: Netns, bridge: string): Promise<boolean> {
    return (await host.iptables.list('nat')).includes(`-N NLN-${bridge}`);
  }

  #jump = () => `-m addrtype --dst-type LOCAL -j ${this.#chain}`;
  #masquerade = () => `-s ${this.subnet} ! -o ${this.bridge} -j MASQUERADE`;

  async setup(masquerade: boolean): Promise<void> {
    const ipt = this.host.iptables;
    await ipt.newChain('nat', this.#chain);
    await ipt.append('nat', 'PREROUTING', this.#jump());
    await ipt.append('nat', 'OUTPUT', this.#jump());
    if (masquerade) await ipt.append('nat', 'POSTROUTING', this.#masquerade());
  }

  #rules(m: PortMapping): [string, string] {
    const comment = `-m comment --comment "${mappingComment(m)}"`;
    return [
      `${m.from ? `-s ${m.from} ` : ''}${m.hostAddress ? `-d ${m.hostAddress} ` : ''}-p ${m.protocol} -m ${m.protocol} --dport ${m.hostPort} ${comment} -j DNAT --to-destination ${m.address}:${m.port}`,
      `-s ${this.subnet} -d ${m.address}/32 -p ${m.protocol} -m ${m.protocol} --dport ${m.port} ${comment} -j MASQUERADE`,
    ];
  }

  async publish(m: PortMapping): Promise<void> {
    const [dnat, hairpin] = this.#rules(m);
    await this.host.iptables.append('nat', this.#chain, dnat);
    try {
      await this.host.iptables.append('nat', 'POSTROUTING', hairpin);
    } catch (err) {
      await this.host.iptables.delete('nat', this.#chain, dnat).catch(() => {});
      throw err;
    }
  }

  async unpublish(m: PortMapping): Promise<void> {
    const [dnat, hairpin] = this.#rules(m);
    await this.host.iptables.delete('nat', this.#chain, dnat);
    await this.host.iptables.delete('nat', 'POSTROUTING', hairpin);
  }

  async ports(): Promise<PortMapping[]> {
    const lines = await this.host.iptables.list('nat', this.#chain);
    return unique(lines.map((l) => parseMappingComment(/--comment "([^"]*)"/.exec(l)?.[1])));
  }

  async teardown(): Promise<void> {
    const ipt = this.host.iptables;
    for (const m of await this.ports()) await this.unpublish(m);
    await ipt.delete('nat', 'PREROUTING', this.#jump()).catch(() => {});
    await ipt.delete('nat', 'OUTPUT', this.#jump()).catch(() => {});
    await ipt.delete('nat', 'POSTROUTING', this.#masquerade()).catch(() => {});
    await ipt.flush('nat', this.#chain);
    await ipt.deleteChain('nat', this.#chain);
  }
}
