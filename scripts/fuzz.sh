#!/usr/bin/env bash
# libFuzzer targets for the native core (test/fuzz/README.md says what each covers): built with
# clang (-fsanitize=fuzzer,address,undefined) in a temporary directory, then each run for a
# bounded time from its committed seed corpus (test/fuzz/corpus/<target>/). Exits non-zero on any
# crash, leak, timeout or failed check, printing the reproducer (kept in $NLN_FUZZ_CRASHES,
# default /tmp/nln-fuzz-crashes).
# The committed corpus is only read; what a run finds is thrown away unless --merge is given.
# No target touches the kernel: no socket is opened, no namespace entered.
#
#   scripts/fuzz.sh [--merge] [seconds-per-target, default 30] [target…]
#   scripts/fuzz.sh --repro <target> <input-file>   replays one input (exits non-zero if it still fails)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
all_targets=(framing exchange chain_patch)
# The largest input each target is given: a datagram the kernel sends is at most 32 KiB (a dump's);
# a chain_patch input is two messages and a few bytes.
declare -A max_len=([framing]=32768 [exchange]=32768 [chain_patch]=16384)
crashes=${NLN_FUZZ_CRASHES:-/tmp/nln-fuzz-crashes}

merge=0 repro=() seconds=30 targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --merge) merge=1 ;;
    --repro) [ $# -ge 3 ] || { echo "usage: $0 --repro <target> <input-file>" >&2; exit 2; }
             repro=("$2" "$(realpath "$3")"); shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) seconds=$1 ;;
    *) [ -n "${max_len[$1]:-}" ] || { echo "fuzz: no target '$1' (targets: ${all_targets[*]})" >&2; exit 2; }
       targets+=("$1") ;;
  esac
  shift
done
[ ${#repro[@]} -eq 0 ] || targets=("${repro[0]}")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
command -v clang++ >/dev/null || { echo "fuzz: clang++ is missing; run: node scripts/ensure-test-tools.js --fuzz" >&2; exit 1; }

work=$(mktemp -d /tmp/nln-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The core once, instrumented for coverage but without libFuzzer's main; each target links what
# it needs from the archive (the exchange target brings its own socket: fake_socket.cc).
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cxx=(clang++ -std=c++17 -g -O1 $san -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
echo "fuzz: building the targets in $work"
mkdir -p "$work/obj"
for src in native/core/*.cc; do
  obj="$work/obj/$(basename "${src%.cc}").o"
  "${cxx[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj" &
  # Two at a time (the CI machine has two cores).
  [ "$(jobs -rp | wc -l)" -lt 2 ] || wait -n
done
wait
ar rcs "$work/libcore.a" "$work"/obj/*.o
for t in "${targets[@]}"; do
  extra=()
  [ "$t" = exchange ] && extra=(test/fuzz/fake_socket.cc)
  "${cxx[@]}" -fsanitize=fuzzer "test/fuzz/$t.cc" "${extra[@]}" "$work/libcore.a" -pthread -o "$work/$t"
done

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"

if [ ${#repro[@]} -gt 0 ]; then
  exec "$work/${repro[0]}" -max_len="${max_len[${repro[0]}]}" "${repro[1]}"
fi

failed=()
for t in "${targets[@]}"; do
  seeds="$root/test/fuzz/corpus/$t"
  found="$work/found/$t"
  mkdir -p "$found" "$work/artifacts"
  echo "fuzz: $t for ${seconds}s (max_len ${max_len[$t]}, $(ls "$seeds" | wc -l) seeds)"
  # New inputs go to $found (the first directory); the seeds are read, not written.
  if "$work/$t" -max_total_time="$seconds" -max_len="${max_len[$t]}" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" "$found" "$seeds" >"$work/$t.log" 2>&1; then
    grep -E '^(stat::number_of_executed_units|stat::new_units_added|#[0-9]+ *DONE)' "$work/$t.log" | sed 's/^/  /' || true
    if [ "$merge" = 1 ]; then
      "$work/$t" -merge=1 -max_len="${max_len[$t]}" "$seeds" "$found" >>"$work/$t.log" 2>&1
      echo "  merged: $(ls "$seeds" | wc -l) inputs in test/fuzz/corpus/$t"
    fi
  else
    failed+=("$t")
    tail -n 60 "$work/$t.log"
    mkdir -p "$crashes"
    for a in "$work"/artifacts/"$t"-*; do
      [ -e "$a" ] || continue
      cp "$a" "$crashes/"
      echo "fuzz: $t FAILED; reproducer $crashes/$(basename "$a") ($(stat -c %s "$a") bytes), base64:"
      base64 -w 76 "$a"
      echo "fuzz: reproduce with: scripts/fuzz.sh --repro $t $crashes/$(basename "$a")"
    done
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a finding"
