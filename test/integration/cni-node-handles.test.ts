// The daemon keeps a node namespace's handle between calls, but only while its path still names
// that namespace.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { Netns } from '../../src/index';
import { borrowNode } from '../../src/cni/node-handles';
import { withNamespaces } from '../helpers';

test('borrowNode: the same handle call after call; a new one once the path names another namespace', async () => {
  await withNamespaces(1, async (first) => {
    const name = first.name!;
    const path = `/run/netns/${name}`;
    const a = await borrowNode(path);
    const b = await borrowNode(path);
    assert.equal(a.node, b.node, 'kept while in use');
    assert.equal(a.node.inode, first.inode);
    a.release();
    b.release();
    const c = await borrowNode(path);
    assert.equal(c.node, a.node, 'kept once unused');
    c.release();
    await Netns.delete(name);
    const second = await Netns.create(name);
    try {
      const d = await borrowNode(path);
      assert.notEqual(d.node, a.node);
      assert.equal(d.node.inode, second.inode);
      assert.notEqual(second.inode, first.inode);
      d.release();
      await assert.rejects(a.node.links.list(), /EBADF/, 'the old handle is closed');
    } finally {
      await second.close();
    }
  });
});
