#!/usr/bin/env bash
# The main job on a fresh Debian machine: install the system libraries, build BMSim in
# release mode, and replay the bundled fixture recording through the firmware loop with
# every SOC estimator, printing the comparison table (plots and telemetry in out/demo/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
Scripts/install-deps.sh
swift build -c release --product bmsim
.build/release/bmsim replay --out out/demo "$@"
