// Records what the library hands the addon while it configures the namespaces named on the command
// line (capture-seeds.sh made them): every message as src/pack.ts packs it (the unpack target's
// seeds), and every chain patch with the message it applies to (the chain_patch target's). Prints
// one JSON line per record: { packed: hex } or { patch: {…}, packed: hex, protocol }.
'use strict';
const path = require('node:path');
const dist = path.join(__dirname, '..', '..', 'dist', 'src');
const packModule = require(path.join(dist, 'pack.js'));
const { native } = require(path.join(dist, 'native.js'));
const { Netns } = require(path.join(dist, 'index.js'));

const pack = packModule.pack;
const valuesOf = new WeakMap();  // a packed buffer -> the values in it
packModule.pack = (values, field) => {
  for (const v of values) console.log(JSON.stringify({ packed: pack([v]).toString('hex') }));
  const out = pack(values, field);
  valuesOf.set(out, values);
  return out;
};
const chain = native.chain.bind(native);
native.chain = (steps) => {
  for (const step of steps) {
    for (const p of step.patches ?? []) {
      const message = valuesOf.get(step.messages)?.[p.message];
      if (message) console.log(JSON.stringify({ patch: p, protocol: step.protocol, packed: pack([message]).toString('hex') }));
    }
  }
  return chain(steps);
};

async function main([name, other]) {
  const ns = await Netns.open(name);
  const peerNs = await Netns.open(other);
  try {
    await ns.links.add({ kind: 'veth', name: 'r0', mtu: 1400, peer: { name: 'r1', netns: peerNs, up: true, addresses: ['198.18.3.2/24'] } });
    await ns.links.add({ kind: 'bridge', name: 'rb0', stp: false });
    await ns.links.set('r0', { master: 'rb0', up: true, alias: 'recorded' });
    await ns.links.set('rb0', { up: true });
    await ns.addresses.add('rb0', '198.18.3.1/24');
    await ns.addresses.add('rb0', '2001:db8:3::1/64', { noDad: true });
    await ns.routes.add({ dst: '198.18.7.0/24', nexthops: [{ gateway: '198.18.3.2', weight: 3 }, { gateway: '198.18.3.3' }] });
    await ns.routes.add({ dst: '198.18.8.0/24', gateway: '198.18.3.2', metric: 7, mtu: 1300 });
    await ns.neighbors.add({ link: 'rb0', address: '198.18.3.9', lladdr: '02:00:00:00:03:09', state: 'permanent' });
    await ns.nft.apply('table inet rec { set s { type ipv4_addr; elements = { 198.18.3.7 } }\n' +
      'chain c { type filter hook input priority 0; policy accept; ip saddr @s tcp dport 22 counter accept } }');
    await ns.links.list();
    await ns.routes.list();
    await ns.nft.listRules({ family: 'inet', table: 'rec' });
    await ns.links.delete('r0');
  } finally {
    await ns.close();
    await peerNs.close();
  }
}
main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exit(1);
});
