#!/usr/bin/env bash
# Builds Benchmarks/CRuntime/bms_bench.c against the C runtime (-O2, host CPU dispatch as
# shipped) and times a blob. Usage: Benchmarks/CRuntime/run.sh [blob] [extra cc flags...]
set -euo pipefail
cd "$(dirname "$0")/../.."
blob="${1:-Fixtures/golden-v3/golden-model.bmsq}"; shift || true
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
${CC:-cc} -std=c99 -O2 "$@" -ISources/CBMSRuntime/include Sources/CBMSRuntime/*.c Benchmarks/CRuntime/bms_bench.c -o "$out/bms_bench"
"$out/bms_bench" "$blob"
