#!/usr/bin/env bash
# The test command: installs missing system libraries, then runs every test suite.
#   Scripts/test.sh            Swift tests (Swift Testing) + the C runtime under ASan/UBSan
# Real NASA data are found through BMSIM_DATA (default ../shared/data); tests that need them
# are skipped, with a message, when the folder is absent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
Scripts/install-deps.sh
export BMSIM_DATA="${BMSIM_DATA:-$PWD/../shared/data}"
echo "BMSIM_DATA=$BMSIM_DATA"
if [ -x Scripts/test-c-runtime.sh ]; then
  Scripts/test-c-runtime.sh
fi
echo "== swift test (C tests done at ${SECONDS} s)"
swift test
