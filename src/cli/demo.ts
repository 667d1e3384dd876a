// `nln demo` (npm run demo): the classic custom-container-network recipe, done from Node with no
// ip process, in namespaces the demo creates and always removes (also on Ctrl-C).
import { performance } from 'node:perf_hooks';
import { Netns } from '../netns';

interface Step {
  ip: string;
  run: () => Promise<unknown>;
}

export async function runDemo(args: string[]): Promise<number> {
  if (args.includes('--help')) {
    console.log('usage: nln demo\n\nRuns the recipe below in throwaway namespaces nln-demo-<pid>-*, prints each step\nwith the ip command it replaces and how long it took, then removes everything.');
    return 0;
  }
  const prefix = `nln-demo-${process.pid}`;
  const made: Netns[] = [];
  const cleanup = async () => {
    for (const ns of made.splice(0)) await ns.delete().catch(() => {});
  };
  const onSignal = () => {
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // The "host" is a namespace too: the demo never touches this machine's own network.
    const host = await Netns.create(`${prefix}-host`);
    made.push(host);
    // Stands in for the host's NIC eth1 of the recipe.
    await host.links.add({ kind: 'veth', name: 'eth1', peer: { name: 'eth1-wire' } });
    let myNetns: Netns | undefined;

    const steps: Step[] = [
      { ip: `ip netns add ${prefix}-my_netns`, run: async () => { myNetns = await Netns.create(`${prefix}-my_netns`); made.push(myNetns); } },
      { ip: `ip link set eth1 netns ${prefix}-my_netns`, run: () => host.links.set('eth1', { netns: myNetns! }) },
      { ip: `ip netns exec ${prefix}-my_netns ip link list`, run: async () => (await myNetns!.links.list()).map((l) => l.name).join(', ') },
      // `ip link set eth1 netns 1` moves eth1 back to pid 1's namespace, the machine's own. The demo's
      // host is a namespace, so it is named by handle (a { pid } of a process in it works too).
      { ip: 'ip link set eth1 netns 1', run: () => myNetns!.links.set('eth1', { netns: host }) },
      { ip: 'ip link add docker1 type bridge', run: () => host.links.add({ kind: 'bridge', name: 'docker1' }) },
      { ip: 'ip link add veth_br type veth peer name veth_my_netns', run: () => host.links.add({ kind: 'veth', name: 'veth_br', peer: { name: 'veth_my_netns' } }) },
      { ip: 'ip link set veth_br master docker1', run: () => host.links.set('veth_br', { master: 'docker1' }) },
      { ip: `ip link set veth_my_netns netns ${prefix}-my_netns`, run: () => host.links.set('veth_my_netns', { netns: myNetns! }) },
      { ip: 'ip link set veth_br up', run: () => host.links.set('veth_br', { up: true }) },
      {
        ip: '(shortcut) veth with its peer born in my_netns, host end mastered and up, peer up',
        run: () => host.links.add({ kind: 'veth', name: 'veth_br2', master: 'docker1', up: true, peer: { name: 'eth0', netns: myNetns!, up: true } }),
      },
    ];

    console.log(`netlink-native demo: the custom container network recipe, in namespaces ${prefix}-*\n`);
    console.log(`${'step (the ip command it replaces)'.padEnd(72)} time`);
    for (const step of steps) {
      const t0 = performance.now();
      const result = await step.run();
      const ms = performance.now() - t0;
      const note = typeof result === 'string' ? `  → ${result}` : '';
      console.log(`${step.ip.padEnd(72)} ${ms.toFixed(2).padStart(6)} ms${note}`);
    }

    console.log('\nwhat was built:');
    for (const ns of [host, myNetns!]) {
      for (const l of await ns.links.list()) {
        const master = l.master === undefined ? '' : ` master ${(await ns.links.get(l.master)).name}`;
        console.log(`  ${ns.name!.padEnd(28)} ${l.name.padEnd(14)} ${(l.kind ?? '-').padEnd(7)} ${l.operState.padEnd(15)}${master}`);
      }
    }
    return 0;
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    console.log('\nremoved the demo namespaces.');
  }
}
