#!/usr/bin/env bash
# Checks what scripts/prebuild-all.sh made, file by file, with readelf (binutils):
#   addon .node: the right machine; stripped; exports only Node-API's two entry points;
#     glibc: no GLIBC_ symbol version newer than the floor (2.17), no GLIBCXX_/CXXABI_ (no libstdc++),
#            NEEDED only glibc's own libraries;  musl: NEEDED only libc.so (musl's loader is all of it)
#   helpers: the right machine; static (no NEEDED, no program interpreter); stripped.
# Exits non-zero on the first file that fails, naming it and why.
set -euo pipefail
cd "$(dirname "$0")/.."
FLOOR=2.17
GLIBC_LIBS='^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1)$'
count=0
fail() { echo "check-prebuilds: $1: $2" >&2; exit 1; }

machine_of() { # linux-x64 | linux-arm64 -> readelf's Machine
  case $1 in linux-x64) echo 'Advanced Micro Devices X86-64' ;; linux-arm64) echo 'AArch64' ;; *) fail "$1" 'unknown platform folder' ;; esac
}
check_common() { # file platform
  local m
  m=$(readelf -h "$1" | sed -n 's/^ *Machine: *//p')
  [ "$m" = "$(machine_of "$2")" ] || fail "$1" "machine is $m, not $(machine_of "$2")"
  ! readelf -S "$1" | grep -q '\.symtab' || fail "$1" 'not stripped (.symtab present)'
}
newer_than_floor() { # versions on stdin -> those above FLOOR
  while read -r v; do
    [ "$(printf '%s\n%s\n' "$FLOOR" "$v" | sort -V | tail -1)" = "$FLOOR" ] || echo "$v"
  done
}

for dir in prebuilds/linux-*; do
  platform=$(basename "$dir")
  for libc in glibc musl; do
    f="$dir/netlink-native.$libc.node"
    [ -f "$f" ] || fail "$f" 'missing'
    check_common "$f" "$platform"
    exports=$(readelf --dyn-syms -W "$f" | awk '$5=="GLOBAL" && $7!="UND" {print $8}' | sed 's/@.*//' | sort | tr '\n' ' ')
    [ "$exports" = 'napi_register_module_v1 node_api_module_get_api_version_v1 ' ] || fail "$f" "exports more than Node-API's entry points: $exports"
    needed=$(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    if [ "$libc" = glibc ]; then
      too_new=$(readelf --dyn-syms -W "$f" | grep -oE '@GLIBC_[0-9.]+' | sed 's/@GLIBC_//' | sort -uV | newer_than_floor)
      [ -z "$too_new" ] || fail "$f" "needs glibc symbol versions newer than $FLOOR: $too_new"
      ! readelf --dyn-syms -W "$f" | grep -qE '@(GLIBCXX|CXXABI)_' || fail "$f" 'needs libstdc++ (GLIBCXX_/CXXABI_ symbols)'
      bad=$(echo "$needed" | grep -vE "$GLIBC_LIBS" || true)
      newest=$(readelf --dyn-syms -W "$f" | grep -oE '@GLIBC_[0-9.]+' | sed 's/@GLIBC_//' | sort -uV | tail -1)
      [ -z "$bad" ] || fail "$f" "unexpected NEEDED: $bad"
      echo "ok $f: newest glibc symbol $newest (floor $FLOOR); NEEDED $(echo $needed)"
    else
      [ "$(echo $needed)" = 'libc.so' ] || fail "$f" "NEEDED is not musl's libc.so alone: $(echo $needed)"
      echo "ok $f: NEEDED libc.so only"
    fi
    count=$((count + 1))
  done
  for name in $(node -e 'for (const t of JSON.parse(require("fs").readFileSync("binding.gyp","utf8")).targets) if (t.type === "executable") console.log(t.target_name)'); do
    f="$dir/$name"
    [ -f "$f" ] || fail "$f" 'missing'
    check_common "$f" "$platform"
    ! readelf -d "$f" 2>/dev/null | grep -q NEEDED || fail "$f" 'not static (has NEEDED)'
    ! readelf -l "$f" | grep -q 'INTERP' || fail "$f" 'not static (has a program interpreter)'
    echo "ok $f: static, no libc needed"
    count=$((count + 1))
  done
done
[ "$count" -gt 0 ] || fail prebuilds 'nothing to check: run npm run prebuild:all'
echo "check-prebuilds: $count files ok"
