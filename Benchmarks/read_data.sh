#!/usr/bin/env bash
# Reading-speed comparison for Docs/Performance.md "## Reading data": BMSim's readers
# (release build) beside pandas.read_csv and scipy.io.loadmat on the same files, one run.
# Usage: [PYTHON=/path/to/python] Benchmarks/read_data.sh [nasa_pcoe_battery folder] [repeats]
# PYTHON (default python3) must have numpy, scipy and pandas.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DATA="${1:-../shared/data/nasa_pcoe_battery}"
REPEATS="${2:-5}"
swift build -c release --product bmsim >/dev/null
echo "== bmsim (release) =="
.build/release/bmsim data timing "$DATA" --repeats "$REPEATS"
echo "== pandas / scipy =="
"${PYTHON:-python3}" Benchmarks/read_data_peers.py "$DATA" --repeats "$REPEATS"
