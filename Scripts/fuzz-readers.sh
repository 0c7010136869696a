#!/usr/bin/env bash
# Fuzzes every reader of outside bytes except the .bmsq readers (Scripts/fuzz-blob-readers.sh)
# with libFuzzer under ASan: the .mat reader + NASA recording builder, the NASA sample CSV,
# cycles_index.csv, the generic recording CSV, the cell-model JSON, the scenario JSON, the
# float-model JSON (evaluate), the same through quantize's reference-model loader, and the
# training checkpoint (harness: Tests/Fuzz/FuzzReaders.swift, one binary per target).
#
# The library modules are built once by SwiftPM with `-sanitize=fuzzer,address`
# (scratch path .build/fuzz, reused by later runs); each harness is linked against them.
# Seeds: Fixtures/ files plus small files made here in a temporary corpus (the first lines
# of NASA CSVs from $BMSIM_DATA when set, a tiny .mat made from the test writer's layout);
# nothing from the shared data is kept.
#
# Usage: Scripts/fuzz-readers.sh [seconds per target, default 60] [targets, comma-separated,
#        default mat,nasa-csv,cycles-index,generic-csv,cell-model,scenario,float-model,
#        quantize-model,checkpoint,ocv-csv] [extra libFuzzer options, e.g. "-runs=10000000 -max_len=4096"]
# FUZZ_CORPUS_DIR (optional) keeps each target's grown corpus in DIR/TARGET between runs.
# A crash leaves its input in $FUZZ_ARTIFACTS (default .build/fuzz-artifacts) and makes the
# script exit 1 after the remaining targets ran.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
targets=${2:-mat,nasa-csv,cycles-index,generic-csv,cell-model,scenario,float-model,quantize-model,checkpoint,ocv-csv}
extra=${3:-}
scratch=.build/fuzz
artifacts=${FUZZ_ARTIFACTS:-.build/fuzz-artifacts}
mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== building the library modules with -sanitize=fuzzer,address (scratch $scratch)"
# SwiftPM's `--sanitize fuzzer` does not add coverage instrumentation to library compiles,
# so -sanitize=fuzzer goes to swiftc directly. Built per target (`--target` pulls in the
# dependencies): a product build would also link ArgumentParser's plugin tools, whose `main`
# clashes with libFuzzer's.
build=(swift build -c release --sanitize address -Xswiftc -sanitize=fuzzer -Xcc -fsanitize=fuzzer-no-link
       --scratch-path "$scratch")
for t in Replay Quantizer Trainer; do
  "${build[@]}" --target "$t" 2>&1 | grep -E "error:|complete" || true
done
bin=$("${build[@]}" --show-bin-path)
for m in CellData CellModel Replay FloatModel Quantizer Trainer; do
  [ -f "$bin/Modules/$m.swiftmodule" ] || { echo "module $m was not built under $bin"; exit 1; }
done
objects=()
for t in BMSCore FixedPoint WeightBlob CellData CellModel QuantizedLSTM Estimators Firmware Replay FloatModel Quantizer Trainer \
         CFloatControl CTrainerKernels RealModule _NumericsShims; do
  [ -d "$bin/$t.build" ] && while IFS= read -r o; do objects+=("$o"); done < <(find "$bin/$t.build" -name '*.o')
done
modulemaps=()
while IFS= read -r m; do modulemaps+=(-Xcc "-fmodule-map-file=$m"); done < <(find "$bin" -maxdepth 2 -name module.modulemap)
blas_include=$(pkg-config --cflags-only-I openblas | sed 's/^-I//; s/ *$//')

# ---- seeds ----
seeds="$work/seeds"
mkdir -p "$seeds"/{mat,nasa-csv,cycles-index,generic-csv,cell-model,scenario,float-model,quantize-model,checkpoint,ocv-csv}
for f in Fixtures/recordings/*.csv; do head -c 20000 "$f" > "$seeds/generic-csv/$(basename "$f")"; done
cp Fixtures/models/cell-default.json Tests/Fuzz/seeds/cell-small.json "$seeds/cell-model/"
cp Tests/Fuzz/seeds/float-lstm2.json "$seeds/float-model/"
for f in Fixtures/models/*.json; do
  grep -q '"bmsim-float-lstm"' "$f" && cp "$f" "$seeds/float-model/"
done
# The demo float model with a dropout layer added (the fixtures have none), so that the
# fuzzer mutates dropout rates too.
python3 - "$seeds/float-model" <<'EOF'
import glob, json, sys
for path in sorted(glob.glob("Fixtures/models/*.json")):
    model = json.load(open(path))
    if model.get("format") != "bmsim-float-lstm":
        continue
    model["architecture"]["layers"].insert(1, {"dropout": {"rate": 0.2}})
    model["layers"].insert(1, {"kind": "dropout", "rate": 0.2})
    json.dump(model, open(sys.argv[1] + "/with-dropout.json", "w"))
    break
EOF
cp "$seeds"/float-model/* "$seeds/quantize-model/"
cp Tests/Fuzz/seeds/checkpoint-*.json "$seeds/checkpoint/"
# The committed, minimized corpora (replayed in CI by FuzzCorpusReplayTests) seed every run.
printf 'soc,ocv_v\n0,3.0\n0.5,3.7\n1,4.2\n' > "$seeds/ocv-csv/one-row.csv"
printf 'soc,ocv_v,temperature_c\n0,3.0,0\n1,4.1,0\n0,3.05,25\n1,4.2,25\n' > "$seeds/ocv-csv/two-rows.csv"
for t in mat nasa-csv cycles-index generic-csv cell-model scenario float-model quantize-model checkpoint ocv-csv; do
  cp Tests/Fuzz/corpus/"$t"/* "$seeds/$t/" 2>/dev/null || true
done
printf '{"name":"s","summary":"x","baseTickSeconds":1,"faults":{"dropoutRate":0.001},"seed":7}' > "$seeds/scenario/small.json"
printf '{"name":"t","summary":"y","initialSOC":0.5,"assumedCapacityAh":2}' > "$seeds/scenario/soc.json"
if [ -n "${BMSIM_DATA:-}" ] && [ -d "$BMSIM_DATA/nasa_pcoe_battery" ]; then
  nasa="$BMSIM_DATA/nasa_pcoe_battery"
  head -40 "$nasa/cycles_index.csv" > "$seeds/cycles-index/head.csv"
  for kind in charge discharge; do
    f=$(ls "$nasa/$kind"/*.csv | head -1)
    head -40 "$f" > "$seeds/nasa-csv/$kind-head.csv"
  done
  m=$(ls "$nasa/mat"/*.mat 2>/dev/null | head -1 || true)
  # A .mat is compressed as a whole; its first 4 KiB is a valid header plus a truncated element.
  [ -n "$m" ] && head -c 4096 "$m" > "$seeds/mat/head.mat"
fi
# Small NASA-like MAT v5 files (struct B9999 with a 1x3 `cycle` array: impedance, charge,
# discharge, as MATTestWriter.nasaLikeFile), uncompressed and compressed, written with
# scipy when it is installed; else a hand-made 1x1 double "x".
python3 - "$seeds/mat" <<'EOF'
import struct, sys
out = sys.argv[1]
try:
    import numpy as np, scipy.io as sio
    cycle = np.zeros((1, 3), dtype=[("type", "O"), ("ambient_temperature", "O"), ("time", "O"), ("data", "O")])
    eis = {"Re": 0.05, "Rct": 0.07}
    charge = {"Voltage_measured": np.array([[3.5, 3.9, 4.2]]), "Current_measured": np.array([[1.5, 1.5, 0.02]]),
              "Temperature_measured": np.array([[24, 25, 25.5]]), "Time": np.array([[0.0, 1800, 3600]])}
    discharge = {"Voltage_measured": np.array([[4.2, 3.7, 3.0]]), "Current_measured": np.array([[-2.0, -2, -2]]),
                 "Temperature_measured": np.array([[25.0, 30, 35]]), "Time": np.array([[0.0, 1800, 3600]]),
                 "Capacity": 2.0}
    for k, (kind, hour, data) in enumerate([("impedance", 4, eis), ("charge", 5, charge), ("discharge", 7, discharge)]):
        cycle[0, k] = (kind, np.array([[24.0]]), np.array([[2010, 1, 2, hour, 0, 0.0]]), data)
    sio.savemat(out + "/nasa-like.mat", {"B9999": {"cycle": cycle}}, do_compression=False)
    sio.savemat(out + "/nasa-like-z.mat", {"B9999": {"cycle": cycle}}, do_compression=True)
except ImportError:
    header = b"MATLAB 5.0 MAT-file, fuzz seed".ljust(116, b" ") + b"\0" * 8 + struct.pack("<H", 0x0100) + b"IM"
    def elem(t, payload):
        return struct.pack("<II", t, len(payload)) + payload + b"\0" * ((-len(payload)) % 8)
    body = elem(6, struct.pack("<II", 6, 0)) + elem(5, struct.pack("<ii", 1, 1)) + elem(1, b"x") + elem(9, struct.pack("<d", 1.5))
    open(out + "/tiny.mat", "wb").write(header + elem(14, body))
EOF

status=0
IFS=, read -ra list <<< "$targets"
for target in "${list[@]}"; do
  flag=FUZZ_$(echo "$target" | tr 'a-z-' 'A-Z_')
  exe="$work/fuzz-$target"
  echo "== $target ($flag): swiftc -sanitize=fuzzer,address, ${seconds}s"
  swiftc -sanitize=fuzzer,address -parse-as-library -O -g -D "$flag" -I "$bin/Modules" -I "$bin" \
    -I Sources/CZlib -I Sources/CLibDeflate -I Sources/COpenBLAS -I "$scratch/checkouts/swift-numerics/Sources/_NumericsShims/include" \
    -Xcc -I -Xcc "$blas_include" "${modulemaps[@]}" \
    Tests/Fuzz/FuzzReaders.swift "${objects[@]}" -lopenblas -lz -ldeflate -o "$exe" 2>&1 \
    | grep -v "Cannot export local symbol" || true
  corpus="${FUZZ_CORPUS_DIR:-$work}/corpus-$target"
  mkdir -p "$corpus"
  cp "$seeds/$target"/* "$corpus/" 2>/dev/null || true
  set +e
  # shellcheck disable=SC2086  # $extra holds several options
  "$exe" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 -print_final_stats=1 $extra \
    -artifact_prefix="$artifacts/$target-" "$corpus" > "$work/log-$target" 2>&1
  rc=$?
  set -e
  grep -E "^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::peak_rss|stat::|ERROR|SUMMARY|Fatal|artifact" \
    "$work/log-$target" | tail -8
  if [ $rc -ne 0 ]; then
    status=1
    echo "!! $target: libFuzzer exit $rc; input saved under $artifacts/$target-*"
    grep -A30 -E "ERROR|Fatal error" "$work/log-$target" | head -40
  fi
done
echo "done"
exit $status
