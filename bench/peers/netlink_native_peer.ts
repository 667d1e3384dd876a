// This library's rows of the per-container workload, in a process of their own (one per round), so
// that its CPU time and peak RSS are this work's alone, as for the C, Go and Python peers.
//
//   node netlink_native_peer.js MODE HOST_NETNS ROUND_PREFIX N
//     MODE: sequential | inflight:WIDTH | replayed | bridge
//
// The host namespace (bridge br0, table ip nln-bench) is the round's, made by the bench. Prints the
// loop's elapsed nanoseconds, the process's CPU time (user + system, every thread, the addon's
// included) over the loop in nanoseconds, and its peak RSS in KiB.
import { BridgeNetwork, Netns } from '../../src/index';
import { libraryContainer, provision, replayed, Round, warmUp } from '../containers';

async function main(): Promise<void> {
  const [mode, hostName, prefix, count] = process.argv.slice(2);
  const n = Number(count);
  const r = new Round(prefix);
  r.host = await Netns.open(hostName);
  let net: BridgeNetwork | undefined;
  if (mode === 'bridge') net = await BridgeNetwork.create({ netns: r.host, bridge: 'br0', subnet: '198.18.0.0/16' });
  else r.bridgeIndex = (await r.host.links.get('br0')).index;
  // Untimed, as a long-running agent would be: the host's nftables channel open (the C and Go peers
  // open their sockets before their loops too) and the library's JS for a container compiled.
  await r.host.nft.listRules({ family: 'ip', table: 'nln-bench', chain: 'prerouting' }).catch(() => {});
  if (mode !== 'bridge') await warmUp(r);
  let own: { ms: number; cpuMs: number } | undefined;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  if (mode === 'sequential') {
    for (let i = 0; i < n; i++) await libraryContainer(r, i);
  } else if (mode.startsWith('inflight:')) {
    await provision(r, n, Number(mode.slice('inflight:'.length)));
  } else if (mode === 'replayed') {
    own = await replayed(r, n); // its recording (nothing sent) is not part of the time
  } else if (mode === 'bridge') {
    // The high-level API: each container is Netns.create + attach (veth, alias, address, route) +
    // publish (chain, map entry, DNAT rule); the network itself was made above, untimed.
    for (let i = 0; i < n; i++) {
      const c = await Netns.create(r.name(i));
      r.containers.push(c);
      const e = await net!.attach(c);
      await net!.publish({ endpoint: e, hostPort: 10000 + i, port: 80 });
    }
  } else {
    throw new RangeError(`mode: ${mode}`);
  }
  const elapsedNs = own ? BigInt(Math.round(own.ms * 1e6)) : process.hrtime.bigint() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuNs = own ? Math.round(own.cpuMs * 1e6) : (cpu.user + cpu.system) * 1000;
  process.stdout.write(`${elapsedNs} ${cpuNs} ${process.resourceUsage().maxRSS}\n`);
  for (const c of r.containers) await c.close();
  await r.host.close();
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
