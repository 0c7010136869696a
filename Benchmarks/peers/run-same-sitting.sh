#!/usr/bin/env bash
# Runs the shared peer implementations and BMSim's own figures in one sitting, alternating
# A B A B so that a drift of the machine's speed hits both sides alike, and prints one table.
#
#   Benchmarks/peers/run-same-sitting.sh [ROUNDS]        # default 2 rounds
#
# What is timed (each round):
#   train    PyTorch bench_torch.py --epochs 5 (2 threads)   vs  bmsim train --epochs 5 --workers 2
#            (the benchmark task's window mode, Docs/Benchmark.md, tutorial model; median train-only seconds of epochs 2..5)
#   latency  LiteRT int8 / TFLite float batch-1 window latency (bench_tflite.py --limit 2000)
#            vs  bmsim bench-lstm on the v3 golden blob (Swift engine and C runtime, per step and per window)
# The peers' scripts are copied from ../shared/bench into a scratch folder (they write models
# and results next to themselves; ../shared is read-only); their Python environment is made
# once in $PEER_VENV (default ~/.cache/bmsim-peer-venv) from ../shared/bench/requirements*.txt.
# Results: $OUT (default out/peers) — each run's JSON/CSV plus summary.md.
# PARTS="latency" (or "train") runs only that half; default both.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROUNDS="${1:-2}"
PARTS="${PARTS:-train latency}"
SHARED="${BMSIM_SHARED:-../shared}"
DATA="${BMSIM_DATA:-$SHARED/data}"
OUT="${OUT:-out/peers}"
PEER_VENV="${PEER_VENV:-$HOME/.cache/bmsim-peer-venv}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
cp "$SHARED"/bench/*.py "$SHARED"/bench/requirements*.txt "$SCRATCH"/
mkdir -p "$SCRATCH/models" "$SCRATCH/results"
cp "$SHARED"/bench/models/* "$SCRATCH/models/"        # the peers' trained models (TFLite needs them)

if [ ! -x "$PEER_VENV/bin/python" ] || ! "$PEER_VENV/bin/python" -c "import torch, ai_edge_litert, tensorflow" 2>/dev/null; then
  PY="${PYTHON:-$(command -v python3.11 || command -v python3)}"
  "$PY" -m venv "$PEER_VENV"
  "$PEER_VENV/bin/python" -m pip install -q -r "$SCRATCH/requirements.txt"
  "$PEER_VENV/bin/python" -m pip install -q --no-deps -r "$SCRATCH/requirements-nodeps.txt"
fi
export SOC_BENCH_DATA="$(cd "$DATA/nasa_pcoe_battery" && pwd)"

swift build -c release --product bmsim >/dev/null
BMSIM="$(swift build -c release --show-bin-path)/bmsim"

for round in $(seq 1 "$ROUNDS"); do
  if [[ " $PARTS " == *" train "* ]]; then
    echo "round $round: PyTorch, 5 epochs" >&2
    "$PEER_VENV/bin/python" "$SCRATCH/bench_torch.py" --epochs 5 --threads 2 --latency-n 500 \
        --models "$SCRATCH/models-torch-$round" --out "$OUT/torch-$round.json" > "$OUT/torch-$round.log" 2>&1
    echo "round $round: BMSim, 5 epochs, 2 workers" >&2
    "$BMSIM" train --data "$DATA" --mode window --arch tutorial --epochs 5 --workers 2 --threads 1 \
        --out "$OUT/bmsim-train-$round.json" > "$OUT/bmsim-train-$round.log" 2>&1
  fi
  if [[ " $PARTS " == *" latency "* ]]; then
    echo "round $round: LiteRT / TFLite latency" >&2
    "$PEER_VENV/bin/python" "$SCRATCH/bench_tflite.py" --limit 2000 --models "$SCRATCH/models" \
        --out "$OUT/tflite-$round.json" > "$OUT/tflite-$round.log" 2>&1
    echo "round $round: BMSim bench-lstm" >&2
    "$BMSIM" bench-lstm --blob Fixtures/golden-v3/golden-model.bmsq --repeats 7 > "$OUT/bmsim-lstm-$round.txt" 2>&1
  fi
done
python3 Benchmarks/peers/summarize.py "$OUT" "$ROUNDS" | tee "$OUT/summary.md"
