#!/usr/bin/env python3
"""Probe whether an extra term in the equivalent-circuit model would explain a physics cell's
unseen-cycle voltage residual (issue 15, Ecker2015 at 0 °C). A developer's experiment, not
part of `bmsim fit`: numpy least squares on one cell at one temperature.

    python3 Scripts/ecm-structure-probe.py DATA/<cell> --temperature 0 --ocv OCV_TABLE.csv \
        [--fit hppc-hi] [--term none|surface-soc|filtered-asinh|second-rc] [--tau1 S,…] [--i-ref A,…] [--all]

DATA is Scripts/make-physics-data.py's output; OCV_TABLE the `soc,ocv_v,temperature_c` table
that Scripts/physics-eval.py writes (WORK/ocv-table/<cell>/ocv-table.csv, the mean of the C/20
branches). The base model is `bmsim fit`'s 1RC structure at one temperature:

    V = OCV(s + δ) + R0(s)·I + R1(s)·f_τ1(I) + a·asinh(I / I_ref)  [+ b·asinh(f_τe(I) / I_e)]
                                                                    [+ R2(s)·f_τ2(I)]

with R0, R1 piecewise linear over SOC (10 nodes), f_τ a first-order low-pass of the current,
δ = 0 except for `surface-soc`: δ = κ·f_τd(I), a surface-minus-mean SOC offset of a solid
diffusion element (κ ≥ 0, SOC per ampere); `second-rc` is `bmsim fit`'s 2RC structure (its
R2 over SOC like R1). τ1, I_ref, τd, κ, τe, I_e, τ2 are searched on a grid
(best fit residual); the linear coefficients by least squares. Prints the fit residual and the
residual on every drive cycle in the folder that was not fitted (mV RMS, samples above 2.8 V).
"""

import argparse
import csv
import glob
import itertools
import os

import numpy as np

NODES = np.linspace(0.1, 1.0, 10)


def load(path):
    rows = list(csv.DictReader(line for line in open(path) if not line.startswith("#")))
    return {k: np.array([float(r[k]) for r in rows]) for k in ("time_s", "voltage_v", "current_a", "soc")}


def hat(s):
    s = np.clip(s, NODES[0], NODES[-1])
    k = np.clip(np.searchsorted(NODES, s) - 1, 0, len(NODES) - 2)
    f = (s - NODES[k]) / (NODES[k + 1] - NODES[k])
    w = np.zeros((len(s), len(NODES)))
    w[np.arange(len(s)), k] = 1 - f
    w[np.arange(len(s)), k + 1] = f
    return w


def lowpass(t, current, tau):
    mean = np.concatenate([[current[0]], 0.5 * (current[1:] + current[:-1])])
    out, x = np.zeros_like(current), 0.0
    for k in range(1, len(current)):
        a = np.exp(-(t[k] - t[k - 1]) / tau)
        x = a * x + (1 - a) * mean[k]
        out[k] = x
    return out


def design(d, ocv, p):
    t, current, soc = d["time_s"], d["current_a"], d["soc"]
    delta = p["kappa"] * lowpass(t, current, p["tau_d"]) if p.get("kappa") else 0 * current
    w = hat(soc)
    columns = [w * current[:, None], w * lowpass(t, current, p["tau1"])[:, None],
               np.arcsinh(current / p["i_ref"])[:, None]]
    if p.get("tau_e"):
        columns.append(np.arcsinh(lowpass(t, current, p["tau_e"]) / p["i_e"])[:, None])
    if p.get("tau2"):
        columns.append(w * lowpass(t, current, p["tau2"])[:, None])
    return np.hstack(columns), d["voltage_v"] - ocv(soc + delta), d["voltage_v"] > 2.8


def fit(fitted, ocv, p):
    parts = [design(d, ocv, p) for d in fitted]
    a = np.vstack([x[m] for x, _, m in parts])
    y = np.concatenate([v[m] for _, v, m in parts])
    coef = np.linalg.lstsq(a, y, rcond=None)[0]
    return coef, 1000 * np.sqrt(np.mean((a @ coef - y) ** 2))


def score(d, ocv, p, coef):
    a, y, m = design(d, ocv, p)
    return 1000 * np.sqrt(np.mean((a[m] @ coef - y[m]) ** 2))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cell_dir")
    parser.add_argument("--temperature", type=int, default=0)
    parser.add_argument("--ocv", required=True)
    parser.add_argument("--fit", default="hppc-hi", help="comma-separated recording names fitted")
    parser.add_argument("--term", choices=["none", "surface-soc", "filtered-asinh", "second-rc"], default="none")
    parser.add_argument("--tau1", help="comma-separated τ1 values, s, in place of the grid's")
    parser.add_argument("--i-ref", help="comma-separated I_ref values, A, in place of the grid's")
    parser.add_argument("--all", action="store_true",
                        help="print every grid point's fit and unseen residuals, not only the best")
    args = parser.parse_args()
    folder = os.path.join(args.cell_dir, f"{args.temperature}C")
    table = [r for r in csv.DictReader(line for line in open(args.ocv) if not line.startswith("#"))
             if float(r["temperature_c"]) == args.temperature]
    if not table:
        raise SystemExit(f"{args.ocv}: no rows at {args.temperature} °C")
    xs = np.array([float(r["soc"]) for r in table])
    vs = np.array([float(r["ocv_v"]) for r in table])
    ocv = lambda s: np.interp(s, xs, vs)  # noqa: E731
    names = args.fit.split(",")
    fitted = [load(os.path.join(folder, f"{n}.csv")) for n in names]
    unseen = {os.path.basename(p)[:-4]: load(p) for p in sorted(glob.glob(os.path.join(folder, "*.csv")))
              if os.path.basename(p)[:-4] not in names and not os.path.basename(p).startswith(("ocv", "hppc"))}
    grid = {"tau1": [30, 60, 135, 300], "i_ref": [0.02, 0.05, 0.1, 0.3]}
    if args.term == "surface-soc":
        grid.update(tau_d=[300, 1000, 3000, 10000], kappa=[0.05, 0.1, 0.2, 0.4, 0.8, 1.6])
    if args.term == "filtered-asinh":
        grid.update(tau_e=[30, 100, 300, 1000], i_e=[0.01, 0.03, 0.1, 0.3])
    if args.term == "second-rc":
        grid.update(tau1=[10, 20, 40, 80], tau2=[150, 300, 600, 1200, 2400])
    if args.tau1:
        grid["tau1"] = [float(x) for x in args.tau1.split(",")]
    if args.i_ref:
        grid["i_ref"] = [float(x) for x in args.i_ref.split(",")]
    best = None
    for values in itertools.product(*grid.values()):
        p = dict(zip(grid, values))
        coef, residual = fit(fitted, ocv, p)
        if args.all:
            print(f"  {p}: fit {residual:.1f} mV, unseen "
                  + ", ".join(f"{name} {score(d, ocv, p, coef):.1f}" for name, d in unseen.items()))
        if best is None or residual < best[0]:
            best = (residual, p, coef)
    residual, p, coef = best
    print(f"term {args.term}, fitted on {', '.join(names)} at {args.temperature} °C: "
          f"fit residual {residual:.1f} mV, parameters {p}")
    for name, d in unseen.items():
        print(f"  unseen {name}: {score(d, ocv, p, coef):.1f} mV")


if __name__ == "__main__":
    main()
