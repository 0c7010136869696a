#!/usr/bin/env python3
"""Score BMSim on the physics-model development cells (issue 15): fit, validate, replay.

    python3 Scripts/physics-eval.py [DATA] [--bmsim .build/release/bmsim] [--work DIR]

DATA is the folder written by Scripts/make-physics-data.py (default /tmp/bmsim-physics):
DATA/<cell>/<T>C/{ocv,hppc,<cycle>.csv} and DATA/<cell>/<T>C/noisy/<cycle>.csv.

Per cell, one model is fitted from that cell's characterization data only, the OCV test and
the high-rate HPPC test (hppc-hi.csv: pulses of 1C, 0.75C charge, 2C and 4C) at every
temperature:

    bmsim fit DATA/<cell>/*C/ocv.csv DATA/<cell>/*C/hppc-hi.csv --out WORK/<cell>/cell.json

and the drive cycles (never fitted) are scored twice: the model's voltage (`--validate`, per
temperature) and the SOC estimators (`bmsim replay --cell-model … --estimators
ah,ah-pure,ocv,ekf,ukf`) under four scenarios written to WORK/<cell>/:

    nominal        ideal sensors, true start (plausibility limits widened to the cell's currents)
    soc-minus-20   estimators start 20 points below the truth at the first tick under load
    current-bias   +2.5 % of C current bias and 0.5 % of C current noise (the current-bias
                   preset's 50 mA and 10 mA on a 2 Ah cell, scaled to the cell), with the
                   firmware's current auto-zero off: a bias that reaches the estimators (one
                   that drifted after the last calibration), the case the issue's goal names
    current-bias-az  the same with the auto-zero on (the firmware's default; every drive
                   recording starts with a rest, where it learns the offset at power-up)
    noisy-sensors  the nominal scenario on the noisy-sensor copy of the recording

`--hppc` names the HPPC file(s) fitted instead of hppc-hi.csv (comma-separated; e.g.
`--hppc hppc.csv` for the 1C HPPC fitted before, or `--hppc hppc.csv,hppc-hi.csv` for both).
Files named ocv.csv or hppc*.csv are characterization, never scored as drives.
The EKF and UKF columns are `ekf` and `ukf`: on the R-C pairs the fitted cell.json names
(`filterPairs`, set by `bmsim fit --filter-pairs auto`), and the unseen residual is that model's.
`--pairs 2` scores `ekf-2rc` and `ukf-2rc` whatever the model says, under the same column names.
`--filter-pairs 1|2` is `bmsim fit --filter-pairs` (default auto): the model's own choice forced.
`--fit drive-only --fit-cycles udds-100.csv` fits the named drive cycles alone (no OCV test,
table or HPPC: a user with only drive logs) and scores the other cycles.

Prints Markdown: the table (RMSE % per estimator; for soc-minus-20 also the time after
which EKF/UKF stay within ±2 %), the fit residuals, and the issue's goals against the figures.
Only the Python standard library is needed.
"""

import argparse
import csv
import glob
import json
import os
import re
import subprocess
import sys

ESTIMATORS = ["ah", "ah-pure", "ocv", "ekf", "ukf"]
SCENARIOS = ["nominal", "soc-minus-20", "current-bias", "current-bias-az", "noisy-sensors"]
DEFAULT_HPPC = ["hppc-hi.csv"]  # chosen on the development cells: Docs/Results.md, "High-rate HPPC characterization"


FIT_CYCLES = []  # drive cycles fitted too (--fit-cycles), never scored


def is_characterization(path):
    """ocv.csv, every hppc*.csv (fitted or not) and the drive cycles of --fit-cycles are
    characterization, not scored drive cycles."""
    name = os.path.basename(path)
    return name == "ocv.csv" or name.startswith("hppc") or name in FIT_CYCLES


def read_header(path):
    """(first SOC under load, capacity Ah, chemistry comment) of a generic recording."""
    comments, soc, capacity = [], None, None
    with open(path) as f:
        lines = (line for line in f)
        for line in lines:
            if not line.startswith("#"):
                columns = line.strip().split(",")
                break
            comments.append(line[1:].strip())
        reader = csv.DictReader(lines, fieldnames=columns)
        for row in reader:
            capacity = float(row["capacity_ah"])
            if abs(float(row["current_a"])) > 1e-6:
                soc = float(row["soc"])
                break
    chemistry = next((re.search(r"\((\w+)\)", c).group(1) for c in comments
                      if "parameter set" in c and re.search(r"\((\w+)\)", c)), "?")
    return soc, capacity, chemistry


def ocv_table(cell_dir, temps, path):
    """OCV table (Docs/DataFormats.md §5) from each temperature's slow test: the mean of the
    C/20 discharge and charge branches on a 0.02 SOC grid, one row per ambient temperature;
    beyond the SOC both branches cover, the rested voltage at the end of the rest after the
    discharge (low end) and after the charge (high end)."""
    lines = ["# mean of the C/20 discharge and charge branches of ocv.csv per ambient temperature",
             "soc,ocv_v,temperature_c"]
    for temp in temps:
        branches = {"discharge": [], "charge": []}
        rested, previous, last_rest = {}, None, None
        with open(os.path.join(cell_dir, temp, "ocv.csv")) as f:
            for row in csv.DictReader(line for line in f if not line.startswith("#")):
                point = (float(row["soc"]), float(row["voltage_v"]))
                if row["operation"] in branches:
                    branches[row["operation"]].append(point)
                    previous = row["operation"]
                elif row["operation"] == "rest" and previous:
                    rested[previous] = point  # the last rest sample after that branch

        def at(points, soc):
            points = sorted(points)
            for (s0, v0), (s1, v1) in zip(points, points[1:]):
                if s0 <= soc <= s1 and s1 > s0:
                    return v0 + (v1 - v0) * (soc - s0) / (s1 - s0)
            return None
        points = []
        for k in range(51):
            pair = [at(branches[b], k / 50) for b in branches]
            if None not in pair:
                points.append((k / 50, sum(pair) / 2))
        if "discharge" in rested and rested["discharge"][0] < points[0][0] - 0.002:
            points.insert(0, rested["discharge"])
        if "charge" in rested and rested["charge"][0] > points[-1][0] + 0.002:
            points.append(rested["charge"])
        last = None
        for soc, ocv in points:
            if last is None or ocv > last + 1e-4:
                lines.append(f"{soc:.4f},{ocv:.5f},{temp[:-1]}")
                last = ocv
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def scenario_files(folder, capacity_ah, start_soc_by_file):
    """Write the scenario JSONs of one cell; returns {scenario or (scenario, file): path}."""
    wide = max(20.0, 10 * capacity_ah)
    plausibility = {"voltageRangeV": [1.5, 4.6], "currentRangeA": [-wide, wide],
                    "temperatureRangeC": [-40, 100], "maxVoltageStepV": 1.0, "maxCurrentStepA": wide,
                    "maxTemperatureStepC": 10, "maxConsecutiveRejects": 3, "stuckTicks": 0,
                    "timestampTolerance": 0.5}

    def channel(low, high, sigma=0.0):
        return {"bits": 0, "rangeMin": low, "rangeMax": high, "noiseSigma": sigma, "offset": 0, "gainError": 0}

    paths = {}

    def write(name, body, key=None):
        path = os.path.join(folder, f"scenario-{name}.json")
        with open(path, "w") as f:
            json.dump(dict(name=name.split("_")[0], plausibility=plausibility, **body), f, indent=1)
        paths[key or name] = path

    write("nominal", {})
    biased = {"voltage": channel(0, 5), "current": channel(-wide, wide, 0.005 * capacity_ah),
              "temperature": channel(-40, 125), "currentBiasA": 0.025 * capacity_ah}
    write("current-bias", {"summary": "current bias +2.5 % of C, noise 0.5 % of C, auto-zero off",
                           "sensor": biased, "currentOffset": {"enabled": False}})
    write("current-bias-az", {"summary": "current bias +2.5 % of C, noise 0.5 % of C, auto-zero on",
                              "sensor": biased})
    for recording, start_soc in start_soc_by_file.items():
        write("soc-minus-20_" + recording.replace(os.sep, "-").removesuffix(".csv"), {"summary": "start 20 points low at the first tick under load",
                                            "initialSOC": round(start_soc - 0.2, 6), "startUnderLoadSeconds": 1},
              key=("soc-minus-20", recording))
    return paths


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr


def fit_cell(bmsim, cell_dir, work, variant, hysteresis="auto", charge_transfer="auto", hppc=DEFAULT_HPPC,
             fit_cycles=(), filter_pairs="auto"):
    """Fit once per cell, validate per temperature. Returns (model, residual, validation).

    variant "ocv-test": `fit ocv.csv hppc.csv` (the fit's slow-test OCV; the C/20 test enters
    the resistance fit too); "ocv-table": `fit hppc.csv --ocv TABLE` with TABLE from the slow
    tests (`ocv_table`), so only the HPPC tests enter the resistance fit; "drive-only": `fit` on
    the `fit_cycles` alone, no OCV test, table or HPPC (the OCV from the recordings' rests and
    loads, as a user with only drive logs would fit). `hysteresis` is
    `bmsim fit --hysteresis` (auto, on, off; "on" needs the slow test, i.e. ocv-test);
    `charge_transfer` is `bmsim fit --charge-transfer` (auto, on, off) and `filter_pairs`
    `bmsim fit --filter-pairs` (auto, 1, 2); `hppc` the HPPC
    file names fitted at each temperature (default hppc-hi.csv); `fit_cycles` drive-cycle file
    names fitted too at each temperature (the issue allows "one drive cycle per temperature" as
    characterization; they are then not scored).
    """
    temps = sorted((os.path.basename(d) for d in glob.glob(os.path.join(cell_dir, "*C"))), key=lambda t: int(t[:-1]))
    fitted = [*hppc, *fit_cycles] if variant != "drive-only" else list(fit_cycles)
    missing = [os.path.join(cell_dir, t, name) for t in temps for name in (["ocv.csv"] if variant != "drive-only" else []) + fitted
               if not os.path.exists(os.path.join(cell_dir, t, name))]
    if missing:
        sys.exit(f"missing characterization: {', '.join(missing)}\n(make it with Scripts/make-physics-data.py "
                 "--experiments ocv,hppc-hi, or choose the fitted HPPC with --hppc, e.g. --hppc hppc.csv)")
    if variant == "drive-only":
        inputs = [os.path.join(cell_dir, t, name) for t in temps for name in fit_cycles]
    elif variant == "ocv-test":
        inputs = [os.path.join(cell_dir, t, name) for t in temps for name in ["ocv.csv", *fitted]]
    else:
        table = os.path.join(work, "ocv-table.csv")
        ocv_table(cell_dir, temps, table)
        inputs = [os.path.join(cell_dir, t, name) for t in temps for name in fitted] + ["--ocv", table]
    model = os.path.join(work, "cell.json")
    inputs += ["--hysteresis", hysteresis, "--charge-transfer", charge_transfer, "--filter-pairs", filter_pairs]
    fit_text = run([bmsim, "fit", *inputs, "--out", model])
    residual = {float(m.group(1)): (float(m.group(2)), float(m.group(3))) for m in re.finditer(
        r"fit residual at (-?[\d.]+) °C: 1RC ([\d.]+) mV, 2RC ([\d.]+) mV", fit_text)}
    validation = {}
    for t in temps:
        drives = sorted(p for p in glob.glob(os.path.join(cell_dir, t, "*.csv")) if not is_characterization(p))
        text = run([bmsim, "fit", *inputs, "--validate", *drives, "--out", os.path.join(work, f"validate-{t}.json")])
        for m in re.finditer(r"validation (\S+) \(not fitted\): 1RC ([\d.]+) mV, 2RC ([\d.]+) mV", text):
            validation[(t, m.group(1))] = (float(m.group(2)), float(m.group(3)))
    return model, residual, validation


FILTER_NAMES = {}  # --pairs 2: the EKF/UKF columns run `ekf-2rc` and `ukf-2rc`


def replay(bmsim, recording, model, scenario, out, extra=()):
    names = [FILTER_NAMES.get(e, e) for e in ESTIMATORS]
    text = subprocess.run([bmsim, "replay", recording, "--cell-model", model, "--estimators", ",".join(names),
                           "--scenario", scenario, "--out", out, "--quiet", "--format", "csv", *extra],
                          capture_output=True, text=True, check=True).stdout
    rows = {r["estimator"]: r for r in csv.DictReader(line for line in text.splitlines() if "," in line)}
    return {e: (float(rows[n]["rmse_percent"]), float(rows[n]["convergence_s"]) if rows[n]["convergence_s"] else None)
            for e, n in zip(ESTIMATORS, names)}


def fmt(x, digits=2):
    return "—" if x is None else f"{x:.{digits}f}"


def conv(seconds):
    return "never" if seconds is None or seconds != seconds else f"{seconds:.0f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", default="/tmp/bmsim-physics")
    parser.add_argument("--bmsim", default=".build/release/bmsim")
    parser.add_argument("--work", default="/tmp/bmsim-physics-eval")
    parser.add_argument("--cells", help="comma-separated cell folders (default: all)")
    parser.add_argument("--fit", choices=["ocv-test", "ocv-table", "drive-only"], default="ocv-test",
                        help="characterization fed to bmsim fit (see fit_cell; drive-only needs --fit-cycles)")
    parser.add_argument("--hysteresis", choices=["auto", "on", "off"], default="auto",
                        help="bmsim fit --hysteresis (issue 15 part 2); results go to WORK/FIT-hysteresis-on|off unless auto")
    parser.add_argument("--charge-transfer", choices=["auto", "on", "off"], default="auto",
                        help="bmsim fit --charge-transfer; results go to WORK/FIT[-hysteresis-…]-charge-transfer-on|off unless auto")
    parser.add_argument("--hppc", default=",".join(DEFAULT_HPPC),
                        help="comma-separated HPPC file names fitted per temperature (default hppc-hi.csv; e.g. hppc.csv "
                             "or hppc.csv,hppc-hi.csv; none: no HPPC, the --fit-cycles instead); results go to "
                             "WORK/FIT[-…]-<names joined by +> unless the default")
    parser.add_argument("--replay-args", default="",
                        help="extra options for every `bmsim replay`, space-separated "
                             "(e.g. --replay-args=--ukf-weighted-innovation)")
    parser.add_argument("--pairs", type=int, choices=[1, 2], default=1,
                        help="R-C pairs of the scored EKF and UKF: 1 (`ekf`, `ukf`, the firmware's) or 2 "
                             "(`ekf-2rc`, `ukf-2rc` on the fit's 2RC model); the tables keep the names EKF/UKF")
    parser.add_argument("--filter-pairs", choices=["auto", "1", "2"], default="auto",
                        help="bmsim fit --filter-pairs: the R-C pairs the fitted model's ekf and ukf run on")
    parser.add_argument("--fit-cycles", default="",
                        help="comma-separated drive-cycle file names also fitted at each temperature and then not "
                             "scored (e.g. udds-100.csv); results go to WORK/FIT[-…]-fit-<names> when given")
    args = parser.parse_args()
    hppc = [] if args.hppc == "none" else args.hppc.split(",")
    FIT_CYCLES.extend(name for name in args.fit_cycles.split(",") if name)
    if any(is_characterization(name) and name not in FIT_CYCLES for name in FIT_CYCLES) or any(
            name == "ocv.csv" or name.startswith("hppc") for name in FIT_CYCLES):
        parser.error("--fit-cycles takes drive-cycle file names (not ocv.csv or hppc*.csv)")
    if any(not is_characterization(name) or name == "ocv.csv" for name in hppc):
        parser.error("--hppc takes file names beginning with hppc, or none")
    if not hppc and not FIT_CYCLES:
        parser.error("--hppc none fits the --fit-cycles instead of an HPPC test: give at least one (e.g. wltc-60.csv)")
    if args.fit == "drive-only" and not FIT_CYCLES:
        parser.error("--fit drive-only fits the --fit-cycles alone: give at least one (e.g. udds-100.csv)")
    cells = args.cells.split(",") if args.cells else sorted(
        os.path.basename(d) for d in glob.glob(os.path.join(args.data, "*")) if os.path.isdir(d))
    table, fits, results = [], [], []
    variant = args.fit if args.hysteresis == "auto" else f"{args.fit}-hysteresis-{args.hysteresis}"
    if args.charge_transfer != "auto":
        variant += f"-charge-transfer-{args.charge_transfer}"
    if hppc != DEFAULT_HPPC:
        variant += "-" + ("+".join(name.removesuffix(".csv") for name in hppc) or "no-hppc")
    if FIT_CYCLES:
        variant += "-fit-" + "+".join(name.removesuffix(".csv") for name in FIT_CYCLES)
    if args.pairs == 2:
        FILTER_NAMES.update(ekf="ekf-2rc", ukf="ukf-2rc")
        variant += "-2rc"
    if args.filter_pairs != "auto":
        variant += f"-filter-pairs-{args.filter_pairs}"
    for cell in cells:
        cell_dir = os.path.join(args.data, cell)
        work = os.path.join(args.work, variant, cell)
        os.makedirs(work, exist_ok=True)
        model, residual, validation = fit_cell(args.bmsim, cell_dir, work, args.fit, args.hysteresis,
                                               args.charge_transfer, hppc, FIT_CYCLES, args.filter_pairs)
        # The R-C pairs `ekf` and `ukf` run on this model (cell.json filterPairs, set by bmsim fit;
        # --pairs 2 runs ekf-2rc and ukf-2rc whatever it says): the unseen residual is that model's.
        with open(model) as f:
            pairs = 2 if args.pairs == 2 else int(json.load(f).get("filterPairs") or 1)
        drives = sorted((p for p in glob.glob(os.path.join(cell_dir, "*C", "*.csv")) if not is_characterization(p)),
                        key=lambda p: (int(p.split(os.sep)[-2][:-1]), p))
        headers = {p: read_header(p) for p in drives}
        chemistry = next(iter(headers.values()))[2]
        capacity = next(iter(headers.values()))[1]
        scenarios = scenario_files(work, capacity, {os.path.relpath(p, cell_dir): h[0] for p, h in headers.items()})
        fits.append((cell, chemistry, capacity, residual))
        for path in drives:
            rel = os.path.relpath(path, cell_dir)
            temp, cycle = rel.split(os.sep)[0], os.path.basename(rel)[:-4]
            for scenario in SCENARIOS:
                recording = path
                if scenario == "noisy-sensors":
                    recording = os.path.join(os.path.dirname(path), "noisy", os.path.basename(path))
                    file = scenarios["nominal"]
                elif scenario == "soc-minus-20":
                    file = scenarios[("soc-minus-20", rel)]
                else:
                    file = scenarios[scenario]
                out = os.path.join(work, "replay", temp, cycle, scenario)
                metrics = replay(args.bmsim, recording, model, file, out, args.replay_args.split())
                results.append(dict(cell=cell, chemistry=chemistry, temp=temp, cycle=cycle, scenario=scenario,
                                    metrics=metrics, validation=validation.get((temp, cycle)), pairs=pairs))
                print(f"{cell} {temp} {cycle} {scenario}: "
                      + " ".join(f"{e} {fmt(metrics[e][0])}" for e in ESTIMATORS), file=sys.stderr)
    with open(os.path.join(args.work, variant, "results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)

    fitted = args.fit if hppc == DEFAULT_HPPC else f"{args.fit}, HPPC {', '.join(hppc)}"
    print(f"Fit: {fitted}. Worst over the cycles of each cell and temperature (RMSE %, EKF / UKF; "
          "Ah counters: ah / ah-pure); recovery = latest time (s) after which EKF and UKF stay within ±2 %:\n")
    print("| cell (chemistry) | T | nominal EKF / UKF | noisy EKF / UKF | bias EKF / UKF | bias ah / ah-pure "
          "| bias, auto-zero on: EKF / UKF / ah | −20 pts EKF / UKF | −20 pts recovery, s | unseen V residual of the filters' model, mV |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    groups = {}
    for r in results:
        groups.setdefault((r["cell"], r["chemistry"], r["temp"]), []).append(r)
    for (cell, chemistry, temp), rows in groups.items():
        def worst(scenario, estimator, index=0):
            values = [r["metrics"][estimator][index] for r in rows if r["scenario"] == scenario]
            if index == 1:
                return "never" if any(v is None or v != v for v in values) else f"{max(values):.0f}"
            return f"{max(values):.2f}"
        residuals = [r["validation"][r.get("pairs", 1) - 1] for r in rows if r["validation"] and r["scenario"] == "nominal"]
        recovery = max((worst("soc-minus-20", e, 1) for e in ("ekf", "ukf")),
                       key=lambda v: float("inf") if v == "never" else float(v))
        print(f"| {cell} ({chemistry}) | {temp[:-1]} °C | {worst('nominal', 'ekf')} / {worst('nominal', 'ukf')} "
              f"| {worst('noisy-sensors', 'ekf')} / {worst('noisy-sensors', 'ukf')} "
              f"| {worst('current-bias', 'ekf')} / {worst('current-bias', 'ukf')} "
              f"| {worst('current-bias', 'ah')} / {worst('current-bias', 'ah-pure')} "
              f"| {worst('current-bias-az', 'ekf')} / {worst('current-bias-az', 'ukf')} / {worst('current-bias-az', 'ah')} "
              f"| {worst('soc-minus-20', 'ekf')} / {worst('soc-minus-20', 'ukf')} | {recovery} "
              f"| {max(residuals):.1f} |")
    print()
    print("| cell (chemistry) | T | cycle | scenario | " + " | ".join(ESTIMATORS)
          + " | EKF / UKF within ±2 % from, s | fit residual unseen, mV 1RC / 2RC |")
    print("|---|---|---|---|" + "---:|" * len(ESTIMATORS) + "---:|---:|")
    for r in results:
        m = r["metrics"]
        recovery = f"{conv(m['ekf'][1])} / {conv(m['ukf'][1])}" if r["scenario"] == "soc-minus-20" else ""
        residual = (f"{r['validation'][0]:.1f} / {r['validation'][1]:.1f}"
                    if r["validation"] and r["scenario"] == "nominal" else "")
        print(f"| {r['cell']} ({r['chemistry']}) | {r['temp'][:-1]} °C | {r['cycle']} | {r['scenario']} | "
              + " | ".join(fmt(m[e][0]) for e in ESTIMATORS) + f" | {recovery} | {residual} |")

    print(f"\nFit ({fitted}) residual on the fitted recordings, mV RMS 1RC / 2RC, per fitted temperature:\n")
    for cell, chemistry, capacity, residual in fits:
        print(f"- {cell} ({chemistry}, {capacity:.4f} Ah): "
              + ", ".join(f"{t:.1f} °C {a:.1f} / {b:.1f}" for t, (a, b) in sorted(residual.items())))

    print("\nGoals (issue 15) against these figures:\n")
    def pick(chemistries, scenario):
        return [r for r in results if r["chemistry"] in chemistries and r["scenario"] == scenario]
    layered = pick({"NMC", "NCA"}, "nominal")
    if layered:
        worst = max((max(r["metrics"]["ekf"][0], r["metrics"]["ukf"][0]), r) for r in layered)
        met = sum(max(r["metrics"]["ekf"][0], r["metrics"]["ukf"][0]) <= 1.0 for r in layered)
        print(f"- NMC/NCA, clean sensors, EKF and UKF RMSE ≤ 1.0 %: {met} of {len(layered)} runs; worst "
              f"{worst[0]:.2f} % ({worst[1]['cell']} {worst[1]['temp']} {worst[1]['cycle']})")
    recover = pick({"NMC", "NCA", "LFP"}, "soc-minus-20")
    if recover:
        for chem in sorted({r["chemistry"] for r in recover}):
            runs = [r for r in recover if r["chemistry"] == chem]
            ok = sum(all(r["metrics"][e][1] is not None and r["metrics"][e][1] <= 600 for e in ("ekf", "ukf"))
                     for r in runs)
            print(f"- {chem}, −20 points: EKF and UKF within ±2 % from 10 min of driving on: {ok} of {len(runs)} runs")
    lfp = pick({"LFP"}, "nominal")
    if lfp:
        worst = max(max(r["metrics"]["ekf"][0], r["metrics"]["ukf"][0]) for r in lfp)
        met = sum(max(r["metrics"]["ekf"][0], r["metrics"]["ukf"][0]) <= 2.0 for r in lfp)
        print(f"- LFP, EKF and UKF RMSE ≤ 2 %: {met} of {len(lfp)} runs; worst {worst:.2f} %")
        biased = pick({"LFP"}, "current-bias")
        better = sum(max(r["metrics"]["ekf"][0], r["metrics"]["ukf"][0])
                     < min(r["metrics"]["ah"][0], r["metrics"]["ah-pure"][0]) for r in biased)
        print(f"- LFP, current bias (auto-zero off), EKF and UKF better than both Ah counters: {better} of {len(biased)} runs")
        zeroed = pick({"LFP"}, "current-bias-az")
        worst_zeroed = max((max(r["metrics"]["ekf"][0], r["metrics"]["ukf"][0]) for r in zeroed), default=float("nan"))
        print(f"- LFP, current bias with the auto-zero on: EKF and UKF worst {worst_zeroed:.2f} %")
    nmc = [r for r in pick({"NMC"}, "nominal") if r["validation"]]
    if nmc:
        def filters(r):  # the residual of the model the filters run (1RC, or 2RC with filterPairs 2 / --pairs 2)
            return r["validation"][r.get("pairs", 1) - 1]
        met = sum(filters(r) <= 15 for r in nmc)
        worst = max(nmc, key=filters)
        which = "/".join(sorted({f"{r.get('pairs', 1)}RC" for r in nmc}))
        print(f"- NMC, voltage residual on unseen cycles of the model the filters run ({which}) ≤ 15 mV RMS: {met} of "
              f"{len(nmc)}; worst {filters(worst):.1f} mV ({worst['cell']} {worst['temp']} {worst['cycle']})")


if __name__ == "__main__":
    main()
