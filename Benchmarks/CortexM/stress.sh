#!/bin/sh
# Bit-exactness of the Cortex-M4 build beyond the golden sets, under QEMU (run.sh per case):
#   1. random models of odd shapes (widths 1..33, one to three LSTM layers, so every input
#      width mod 4 — 1 too —, every hidden width mod 4 and every group count mod 4 occur), written by
#      `bmsim golden --layout v3` with the Swift engine's outputs;
#   2. the fixture blobs and one random model under inputs far outside a discharge (make-stress.c:
#      ADC faults over the full int32 range, jumps), expected SOC from the host C runtime's
#      portable kernel, once as they are and once with some LSTM shifts lowered below 33 (the
#      Cortex-M build's C fallback for such layers).
# Usage (from the package root): Benchmarks/CortexM/stress.sh [steps]   (default 1500)
# Needs what run.sh needs, plus a host C compiler.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
steps=${1:-1500}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bmsim="$root/.build/debug/bmsim"
[ -x "$bmsim" ] || bmsim="$root/.build/release/bmsim"
src="$root/Sources/CBMSRuntime"
${CC:-cc} -std=c99 -O2 -DBMS_PORTABLE_KERNELS -I"$src/include" "$here/make-stress.c" "$src"/*.c -o "$out/make-stress"
failed=0
check() {  # name, golden folder
  result=$(GOLDEN_DIR="$2" "$here/run.sh" "$steps" | grep -A1 '^steps ' | tr '\n' ' ')
  echo "$1: $result"
  case "$result" in *" mismatches 0 "*) ;; *) failed=1 ;; esac
}
n=0
for shape in "1 1" "3 1" "5 1" "7,3 1" "9,6 3,1" "12,1 1" "6,5,4 2,2,1" "17,16 5,1" "33,2 1" "4,1,3 1"; do
  n=$((n + 1))
  set -- $shape
  "$bmsim" golden --out "$out/random$n" --lstm "$1" --dense "$2" --layout v3 --seed $((100 + n)) --steps "$steps" >/dev/null
  check "random LSTM($1) dense($2), Swift's outputs" "$out/random$n"
done
for blob in "$root/Fixtures/golden-v3" "$root/Fixtures/golden" "$root/Fixtures/golden-charge" "$out/random8"; do
  for low in 0 1; do
    n=$((n + 1))
    mkdir "$out/stress$n"
    "$out/make-stress" "$blob/golden-model.bmsq" "$out/stress$n" "$steps" "$n" "$low"
    check "extreme inputs, $(basename "$blob"), lowered shifts $low" "$out/stress$n"
  done
done
[ "$failed" = 0 ] && echo "stress: all bit-exact" || { echo "stress: MISMATCHES"; exit 1; }
