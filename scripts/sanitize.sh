#!/usr/bin/env bash
# The whole test suite against the addon built with AddressSanitizer and UndefinedBehaviorSanitizer
# (gcc's): any invalid memory access or undefined behaviour in native/ stops the test process with
# a report. Built and run in a copy of the tree (build/ there), so the normal build is untouched.
# Node itself is not instrumented: libasan is preloaded, and leak checking is off (Node keeps
# memory until exit by design).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/nln-sanitize.XXXXXX)
trap 'rm -rf "$work"' EXIT
tar --exclude=./build --exclude=./node_modules --exclude=./dist --exclude=./.git -cf - . | tar -xf - -C "$work"
ln -s "$PWD/node_modules" "$work/node_modules"
cd "$work"
flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -g -O1"
CFLAGS="$flags" CXXFLAGS="$flags" LDFLAGS="-fsanitize=address,undefined" npx node-gyp rebuild -j 2 >build.log 2>&1 || { cat build.log; exit 1; }
npx tsc -p .
# The oracle tools the tests run inherit the environment: they get it without the preload (ASan
# in them reports their own faults, not ours: `ip route show` trips strncpy-param-overlap).
mkdir -p "$work/bin"
for tool in ip bridge nft iptables iptables-nft iptables-nft-save iptables-nft-restore ip6tables ip6tables-nft \
            iptables-save iptables-restore conntrack python3 sysctl; do
  real=$(command -v "$tool") || continue
  printf '#!/bin/sh\nunset LD_PRELOAD\nexec %s "$@"\n' "$real" >"$work/bin/$tool"
  chmod +x "$work/bin/$tool"
done
export PATH="$work/bin:$PATH"
export LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allow_user_segv_handler=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
node scripts/write-esm-entry.js  # loads the addon: after the preload
echo "sanitize: running the test suite under ASan/UBSan"
node --test --test-concurrency=1 --test-reporter=spec "$@" dist/test/unit dist/test/integration
