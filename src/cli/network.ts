// `nln network …`: BridgeNetwork from the command line, Docker's bridge driver in a few words.
// Everything is read back from the kernel (BridgeNetwork.open), so separate invocations compose.
import { BridgeNetwork, type EndpointInfo } from '../network/bridge-network';

export const NETWORK_HELP = `usage: nln [-n HOST_NS] [-j] network COMMAND
  create BRIDGE SUBNET [gateway A] [mtu N] [iptables] [nomasquerade] [shared]
  attach BRIDGE NETNS [ip A] [ifname NAME]
  publish BRIDGE HOSTPORT ADDRESS:PORT [udp] [from CIDR] [hostaddr A]
  unpublish BRIDGE HOSTPORT ADDRESS:PORT [udp] [from CIDR] [hostaddr A]
  detach BRIDGE NETNS...
  prune [BRIDGE]          (endpoints whose namespace is gone, mappings to addresses nobody holds)
  show BRIDGE
  ls
  rm BRIDGE
("shared": not isolated from the host's other networks; "iptables": rules in iptables-nft form)`;

/** key value / flag words after the positional arguments. */
function options(words: string[], valued: string[], flags: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (flags.includes(w)) out[w] = true;
    else if (valued.includes(w)) {
      if (words[i + 1] === undefined) throw new RangeError(`network: "${w}" needs a value`);
      out[w] = words[++i];
    } else throw new RangeError(`network: ${JSON.stringify(w)} is not understood here`);
  }
  return out;
}

function mapping(args: string[]) {
  const [hostPort, target, ...rest] = args;
  const m = /^(.+):(\d+)$/.exec(target ?? '');
  if (!m) throw new RangeError(`network publish: ${JSON.stringify(target)} is not ADDRESS:PORT`);
  const o = options(rest, ['from', 'hostaddr'], ['udp', 'tcp']);
  return {
    endpoint: { address: m[1] }, hostPort: Number(hostPort), port: Number(m[2]), protocol: (o.udp ? 'udp' : 'tcp') as 'tcp' | 'udp',
    ...(o.from ? { from: o.from as string } : {}), ...(o.hostaddr ? { hostAddress: o.hostaddr as string } : {}),
  };
}

const describe = (net: BridgeNetwork) => ({ bridge: net.bridge, subnet: net.subnet, gateway: net.gateway, firewall: net.firewall.kind });
const endpointLine = (e: EndpointInfo) => `${e.netns} ${e.ifname} ${e.address} (host end ${e.hostIfname})`;

export async function runNetwork(args: string[], hostNs: string | undefined, print: (value: unknown, text: () => string) => void): Promise<number> {
  const [verb, bridge, ...rest] = args;
  const netns = hostNs === undefined ? {} : { netns: hostNs };
  // The verbs that work on every network of the namespace (`docker network ls`).
  if ((verb === 'ls' || verb === 'list') && bridge === undefined) {
    const nets = await Promise.all((await BridgeNetwork.list(netns)).map(async (n) => ({ ...describe(n), endpoints: (await n.endpoints()).length })));
    print(nets, () => ['NAME SUBNET GATEWAY FIREWALL ENDPOINTS', ...nets.map((n) => `${n.bridge} ${n.subnet} ${n.gateway} ${n.firewall} ${n.endpoints}`)].join('\n'));
    return 0;
  }
  if (verb === 'prune' && rest.length === 0) {
    const nets = bridge === undefined ? await BridgeNetwork.list(netns) : [await BridgeNetwork.open(bridge, netns)];
    const removed = (await Promise.all(nets.map(async (n) => (await n.prune()).map((e) => ({ bridge: n.bridge, ...e }))))).flat();
    print(removed, () => removed.map((e) => `removed ${e.bridge} ${endpointLine(e)}`).join('\n'));
    return 0;
  }
  if (verb === undefined || bridge === undefined) {
    console.error(NETWORK_HELP);
    return 2;
  }
  if (verb === 'create') {
    const [subnet, ...more] = rest;
    const o = options(more, ['gateway', 'mtu'], ['iptables', 'nomasquerade', 'shared']);
    const net = await BridgeNetwork.create({
      ...netns, bridge, subnet, ...(o.gateway ? { gateway: o.gateway as string } : {}), ...(o.mtu ? { mtu: Number(o.mtu) } : {}),
      firewall: o.iptables ? 'iptables' : 'nftables', masquerade: !o.nomasquerade, isolated: !o.shared,
    });
    print(describe(net), () => `${net.bridge} ${net.subnet} gateway ${net.gateway} (${net.firewall.kind})`);
    return 0;
  }
  const net = await BridgeNetwork.open(bridge, netns);
  switch (verb) {
    case 'attach': {
      const [ns, ...more] = rest;
      const o = options(more, ['ip', 'ifname'], []);
      const e = await net.attach(ns, { ...(o.ip ? { address: o.ip as string } : {}), ...(o.ifname ? { ifname: o.ifname as string } : {}) });
      await e.netns.close();
      const out = { netns: ns, ifname: e.ifname, hostIfname: e.hostIfname, address: e.address, mac: e.mac };
      print(out, () => `${ns} ${e.ifname} ${e.address} (host end ${e.hostIfname})`);
      return 0;
    }
    case 'detach':
      if (rest.length === 0) throw new RangeError('network detach: needs NETNS (one or more)');
      await net.detach(rest);
      return 0;
    case 'publish': {
      const m = await net.publish(mapping(rest));
      print(m, () => `${m.protocol} ${m.hostAddress ?? '*'}:${m.hostPort} -> ${m.address}:${m.port}${m.from ? ` from ${m.from}` : ''}`);
      return 0;
    }
    case 'unpublish': {
      const { endpoint, ...m } = mapping(rest);
      await net.unpublish({ ...m, address: endpoint.address });
      return 0;
    }
    case 'show': {
      const value = { ...describe(net), endpoints: await net.endpoints(), ports: await net.ports() };
      print(value, () => [
        `${net.bridge} ${net.subnet} gateway ${net.gateway} (${net.firewall.kind})`,
        ...value.endpoints.map((e) => `  endpoint ${endpointLine(e)}`),
        ...value.ports.map((m) => `  port ${m.protocol} ${m.hostAddress ?? '*'}:${m.hostPort} -> ${m.address}:${m.port}${m.from ? ` from ${m.from}` : ''}`),
      ].join('\n'));
      return 0;
    }
    case 'rm': case 'delete': await net.delete(); return 0;
  }
  console.error(NETWORK_HELP);
  return 2;
}
