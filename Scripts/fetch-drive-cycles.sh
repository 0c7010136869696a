#!/usr/bin/env bash
# Remakes Fixtures/drive_cycles/{udds,us06,hwfet,wltc}.csv from the speed traces that FASTSim
# (NREL, Apache-2.0) ships in its wheel: time_s,speed_mps at 1 Hz (grade and road type,
# all zero in these cycles, dropped). WLTC is class 3b. Needs pip and network access.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pip download fastsim==2.1.5 --no-deps --only-binary=:all: --python-version 3.11 -d "$tmp" >/dev/null
(cd "$tmp" && python3 -m zipfile -e fastsim-2.1.5-*.whl x >/dev/null)
python3 - "$tmp/x/fastsim/resources/cycles" <<'PY'
import csv, sys
root = sys.argv[1]
for name, f in {"udds": "udds.csv", "us06": "us06.csv", "hwfet": "hwfet.csv", "wltc": "wltc_3b.csv"}.items():
    rows = list(csv.DictReader(open(f"{root}/{f}", encoding="utf-8-sig")))
    zero = {r["cycGrade"] for r in rows} == {"0"}
    with open(f"Fixtures/drive_cycles/{name}.csv", "w") as o:
        o.write(f"# {name.upper()} speed trace from FASTSim 2.1.5 (NREL, Apache-2.0), fastsim/resources/cycles/{f}\n")
        o.write("# made by Scripts/fetch-drive-cycles.sh; grade and road type dropped (all zero: %s)\n" % ("yes" if zero else "NO"))
        o.write("time_s,speed_mps\n")
        for r in rows:
            o.write(f"{float(r['cycSecs']):g},{float(r['cycMps']):.4f}\n")
    print(f"Fixtures/drive_cycles/{name}.csv: {len(rows)} rows")
PY
