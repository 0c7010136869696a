#!/usr/bin/env bash
# Trainer throughput per LSTM step kernel and worker count (Docs/Performance.md, "Training:
# fused LSTM step kernels"). For each kernel × workers: one 4-epoch window run (Docs/Benchmark.md) of the
# tutorial model; prints the median over epochs 2–4 of the training pass's wall and CPU
# seconds (from the run's history.csv) and the 1-minute load at each epoch's end.
#
#   Benchmarks/train_kernels.sh [KERNELS] [WORKERS]     # default "blas portable avx2 avx512" "1 2"
#   RT=1 Benchmarks/train_kernels.sh ...                # run under SCHED_FIFO (chrt -f 10, root):
#                                                       # the runs then get their cores on a busy
#                                                       # machine; say so next to the figures
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
KERNELS="${1:-blas portable avx2 avx512}"
WORKERS="${2:-1 2}"
DATA="${BMSIM_DATA:-../shared/data}"
swift build -c release --product bmsim >/dev/null
BMSIM="$(swift build -c release --show-bin-path)/bmsim"
PREFIX=()
[ "${RT:-0}" = 1 ] && PREFIX=(chrt -f 10)
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}  RT=${RT:-0}  $(date -u +%FT%TZ)"
for k in $KERNELS; do
  for w in $WORKERS; do
    "${PREFIX[@]}" "$BMSIM" train --data "$DATA" --mode window --arch tutorial --epochs 4 \
        --workers "$w" --threads 1 --kernel "$k" --out "$SCRATCH/m.json" >/dev/null 2>&1
    python3 - "$k" "$w" "$SCRATCH/m.history.csv" <<'PY'
import csv, statistics, sys
kernel, workers, path = sys.argv[1:]
rows = list(csv.DictReader(open(path)))[1:]          # epochs 2..4
wall = statistics.median(float(r["train_s"]) for r in rows)
cpu = statistics.median(float(r["train_cpu_s"]) for r in rows)
loads = ",".join(f'{float(r["loadavg_1m"]):.1f}' for r in rows)
print(f"kernel {kernel:8s} workers {workers}  wall {wall:.2f} s  CPU {cpu:.2f} s  "
      f"windows/s {14564 / wall:,.0f}  windows/CPU-s {14564 / cpu:,.0f}  load {loads}")
PY
  done
done
