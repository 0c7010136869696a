#!/usr/bin/env bash
# Fuzzes both .bmsq readers with libFuzzer: the C loader under ASan+UBSan (clang
# -fsanitize=fuzzer,address,undefined) and the Swift reader under ASan (swiftc
# -sanitize=fuzzer,address). Seeds: the golden blob and a tiny LSTM(4) blob
# (Tests/Fuzz/seeds), each in both modes (as is / CRC recomputed).
# Usage: Scripts/fuzz-blob-readers.sh [seconds per harness, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/seeds"
for blob in Fixtures/golden/golden-model.bmsq Tests/Fuzz/seeds/*.bmsq; do
  name=$(basename "$blob" .bmsq)
  { printf '\x01'; cat "$blob"; } > "$work/seeds/$name-as-is"
  { printf '\x00'; cat "$blob"; } > "$work/seeds/$name-fixed-crc"
done
src=Sources/CBMSRuntime

echo "== C loader: clang -fsanitize=fuzzer,address,undefined, ${seconds}s"
clang -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I"$src/include" \
  "$src"/bms_loader.c "$src"/bms_step.c "$src"/bms_fixed.c "$src"/bms_tables.c Tests/Fuzz/fuzz_c_blob_loader.c \
  -o "$work/fuzz_c" 2>&1 | grep -v "Cannot export local symbol" || true
mkdir -p "$work/corpus_c" && cp "$work"/seeds/* "$work/corpus_c/"
"$work/fuzz_c" -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 "$work/corpus_c" 2>&1 \
  | grep -E "^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY" | tail -6

echo "== Swift reader: swiftc -sanitize=fuzzer,address, ${seconds}s"
echo "" > "$work/empty.swift"
swiftc -emit-module -module-name BMSCore -parse-as-library "$work/empty.swift" -emit-module-path "$work/BMSCore.swiftmodule"
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -I "$work" -module-name WeightBlobFuzz \
  $(ls Sources/WeightBlob/*.swift | grep -v 'Random') Sources/BMSCore/InputLocation.swift \
  Tests/Fuzz/FuzzSwiftBlobReader.swift -o "$work/fuzz_swift" 2>&1 | grep -v "Cannot export local symbol" || true
mkdir -p "$work/corpus_swift" && cp "$work"/seeds/* "$work/corpus_swift/"
"$work/fuzz_swift" -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 "$work/corpus_swift" 2>&1 \
  | grep -E "^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|Fatal" | tail -6
echo "done"
