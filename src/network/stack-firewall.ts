// A network's NAT over its address families: the IPv4 rules (ip) and the IPv6 rules (ip6) of one
// backend, kept as one Firewall. A mapping goes to the families it concerns: the family of its
// hostAddress or `from` when it names one, else every family of the network (as Docker publishes
// `-p 8080:80` on 0.0.0.0 and [::]).
import { type Firewall, IptablesFirewall, type NftFamily, NftFirewall, notPublished, type PortMapping, unique } from './firewall';
import type { Netns } from '../netns';

export interface FamilySubnet {
  family: 4 | 6;
  /** "198.18.10.0/24", "fd00:198:18:10::/64". */
  subnet: string;
}

const nftFamily = (family: 4 | 6): NftFamily => (family === 6 ? 'ip6' : 'ip');

/** The one family a mapping is limited to (by its hostAddress or `from`), if any. */
export function familyOfMapping(m: Pick<PortMapping, 'hostAddress' | 'from'>): 4 | 6 | undefined {
  const named = m.hostAddress ?? m.from;
  return named === undefined ? undefined : named.includes(':') ? 6 : 4;
}

export class StackFirewall implements Firewall {
  readonly kind: 'nftables' | 'iptables';
  readonly #parts: Array<{ family: 4 | 6; firewall: Firewall }>;

  constructor(host: Netns, bridge: string, kind: 'nftables' | 'iptables', subnets: FamilySubnet[]) {
    this.kind = kind;
    const Backend = kind === 'iptables' ? IptablesFirewall : NftFirewall;
    this.#parts = subnets.map((s) => ({ family: s.family, firewall: new Backend(host, bridge, s.subnet, nftFamily(s.family)) }));
  }

  /** Which backend a network's NAT is in: iptables when its chain is there (in either family), else nftables. */
  static async kindOf(host: Netns, bridge: string, families: Array<4 | 6>): Promise<'nftables' | 'iptables'> {
    for (const f of families) if (await IptablesFirewall.exists(host, bridge, nftFamily(f))) return 'iptables';
    return 'nftables';
  }

  #for(m: PortMapping): Firewall[] {
    const only = familyOfMapping(m);
    return this.#parts.filter((p) => only === undefined || p.family === only).map((p) => p.firewall);
  }

  /** Runs each step; when one fails, undoes the steps done (in reverse) and rethrows. */
  static async #allOrNothing(steps: Array<{ run(): Promise<void>; undo(): Promise<void> }>): Promise<void> {
    const done: Array<() => Promise<void>> = [];
    try {
      for (const s of steps) {
        await s.run();
        done.push(() => s.undo());
      }
    } catch (err) {
      for (const undo of done.reverse()) await undo().catch(() => {});
      throw err;
    }
  }

  setup(masquerade: boolean): Promise<void> {
    return StackFirewall.#allOrNothing(this.#parts.map(({ firewall: f }) => ({ run: () => f.setup(masquerade), undo: () => f.teardown() })));
  }

  async publish(m: PortMapping): Promise<void> {
    const targets = this.#for(m);
    if (targets.length === 0) throw notPublished(m);
    await StackFirewall.#allOrNothing(targets.map((f) => ({ run: () => f.publish(m), undo: () => f.unpublish(m) })));
  }

  async unpublish(m: PortMapping): Promise<void> {
    for (const f of this.#for(m)) await f.unpublish(m);
  }

  async unpublishMany(ms: PortMapping[]): Promise<void> {
    for (const { family, firewall } of this.#parts) {
      await firewall.unpublishMany(ms.filter((m) => { const only = familyOfMapping(m); return only === undefined || only === family; }));
    }
  }

  async exists(): Promise<boolean> {
    return (await Promise.all(this.#parts.map((p) => p.firewall.exists()))).every(Boolean);
  }

  async ports(): Promise<PortMapping[]> {
    return unique((await Promise.all(this.#parts.map((p) => p.firewall.ports()))).flat());
  }

  async mappedAddresses(): Promise<Set<string>> {
    const sets = await Promise.all(this.#parts.map((p) => p.firewall.mappedAddresses()));
    return new Set(sets.flatMap((s) => [...s]));
  }

  /** Every family's NAT goes, even when one fails; the first failure is then reported. */
  async teardown(): Promise<void> {
    const results = await Promise.allSettled(this.#parts.map((p) => p.firewall.teardown()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
