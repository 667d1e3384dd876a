// Podman with its CNI backend calling nln-bridge (issue 17, "Tests, with real clients"): podman runs
// inside a "node" namespace the test made; busybox containers get their IPv4 and IPv6 addresses and
// routes, reach each other and a published port (-p, podman's portMappings capability), and the
// container's exit or `podman rm -f` (CNI DEL) leaves the address store and the node's nft table clean.
import { test } from 'node:test';
import { makePluginDir, withCniNamespaces, withTempDir } from '../cni-helpers';
import { podmanScenario } from '../cni-podman-helpers';

test('podman (CNI backend) runs busybox containers on an nln-bridge network: addresses, routes, traffic, a published port; DEL cleans up', async () => {
  await withCniNamespaces(1, async (node) => withTempDir(async (dir) => {
    await podmanScenario(node, dir, makePluginDir(dir));
  }));
});
