// Builds the compiled peers (the C floor, the Go program) into build/bench/, once per source change.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..', '..');
const out = path.join(root, 'build', 'bench');
const src = (...p: string[]) => path.join(root, 'bench', 'peers', ...p);

function stale(target: string, sources: string[]): boolean {
  if (!fs.existsSync(target)) return true;
  const built = fs.statSync(target).mtimeMs;
  return sources.some((s) => fs.statSync(s).mtimeMs > built);
}

/** Paths of the built programs. */
export function buildPeers(): { floor: string; go: string } {
  fs.mkdirSync(out, { recursive: true });
  const floor = path.join(out, 'floor');
  if (stale(floor, [src('floor.c')])) execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-pthread', '-o', floor, src('floor.c')], { stdio: 'inherit' });
  const go = path.join(out, 'go-peer');
  if (stale(go, [src('go', 'main.go')])) {
    // Debian's golang-*-dev packages are a GOPATH tree, not modules.
    const env = { ...process.env, GOPATH: '/usr/share/gocode', GO111MODULE: 'off', GOFLAGS: '', GOCACHE: path.join(out, 'go-cache') };
    execFileSync('go', ['build', '-o', go, '.'], { cwd: src('go'), env, stdio: 'inherit' });
  }
  return { floor, go };
}

export const pyroute2Peer = src('pyroute2_peer.py');
/** This library's per-container rows, compiled beside this file. */
export const libraryPeer = path.join(__dirname, 'netlink_native_peer.js');
