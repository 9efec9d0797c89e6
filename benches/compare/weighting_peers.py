"""The Python side of benches/compare/weighting.sh: statsmodels' TreatmentEffect (BSD-3-Clause;
statsmodels 0.15) on the same CSV as phare's `weighting` bench.

    python weighting_peers.py write N PATH
    python weighting_peers.py run PATH --case C --estimator ipw|ra|aipw [--estimand ate|att]
                                       [--repeat-full R] [--repeat-points R] [--no-full]
    python weighting_peers.py table OUT.csv

`write` draws `simulate(N, seed = 20261129 + N)` from
crates/phare-causal/tests/reference/weighting_timing.py (THE generator of the weighting design,
imported, not copied: x1, x2, x3 ~ N(0, 1), x4 ~ Bernoulli(0.4), x5 ~ U(0, 2), logistic
propensity, linear outcome with the heterogeneous effect 2 + x1 + 0.5 x4, population ATE 2.2) and
writes columns y, treat, x1..x5 with 17 significant digits (every double reads back exactly).
Not timed.

`run` reads the CSV (pandas, float_precision="round_trip"; not timed) and times, from the frame
as read, with time.perf_counter:

- variant `full`: X = [1, x1..x5] from the frame, sm.Logit(treat, X).fit(disp=0) (Newton),
  TreatmentEffect(sm.OLS(y, X), treat, results_select=logit) (the constructor fits the two
  per-arm OLS outcome models, for every method), then te.ipw() / te.ra() / te.aipw(): the
  closed-form estimate plus the joint GMM (Nelder-Mead from the closed-form start, one GMM step,
  numerically differentiated moments) that gives the standard errors. What a user runs to get an
  estimate AND a standard error: the like-for-like comparison with phare's fit.
- variant `points`: the same with te.<m>(return_results=False): the closed-form estimate only, no
  standard error. Less work than phare's fit (which always computes the standard error).

ATT (`--estimand att`) is effect_group=1 for ipw and ra; statsmodels' aipw has no ATT (the line
says so). Prints `tool,case,n,estimator,estimand,variant,best_s,median_s,first_s,runs,
peak_rss_mib,estimate,se,fp` like the Rust bench (`se` empty for `points`); `fp` is the
fingerprint of the seven columns as read, Σⱼ bits(vⱼ)·(2j + 1) mod 2⁶⁴ with j running over
y, treat, x1..x5 stacked in that order, each as float64 — equal to phare's when both read the
same doubles. Peak RSS is the process's ru_maxrss (interpreter, imports and the frame included).

`table` reads the CSV lines of both tools and prints the markdown table of weighting.sh.
"""
import argparse
import os
import resource
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..", "..", "crates", "phare-causal", "tests", "reference")
COLUMNS = ["y", "treat", "x1", "x2", "x3", "x4", "x5"]
COVARIATES = ["x1", "x2", "x3", "x4", "x5"]
HEADER = ("tool,case,n,estimator,estimand,variant,best_s,median_s,first_s,runs,peak_rss_mib,"
          "estimate,se,fp")


def fingerprint(df):
    n = len(df)
    acc = np.uint64(0)
    with np.errstate(over="ignore"):
        for c, name in enumerate(COLUMNS):
            bits = np.ascontiguousarray(df[name].to_numpy(dtype=np.float64)).view(np.uint64)
            mult = np.uint64(2) * (np.arange(n, dtype=np.uint64) + np.uint64(c * n)) + np.uint64(1)
            acc = acc + (bits * mult).sum(dtype=np.uint64)
    return int(acc)


def write(n, path):
    sys.path.insert(0, REF)
    from weighting_timing import SEED_BASE, simulate

    s = simulate(n, SEED_BASE + n)
    cols = [s["y"], s["d"].astype(np.float64), s["x1"], s["x2"], s["x3"], s["x4"], s["x5"]]
    # treat and x4 are 0/1: written as integers; the others with 17 significant digits.
    fmt = ["%.17g", "%d", "%.17g", "%.17g", "%.17g", "%d", "%.17g"]
    np.savetxt(path, np.column_stack(cols), fmt=fmt, delimiter=",", header=",".join(COLUMNS),
               comments="")


def run(args):
    import pandas as pd
    import statsmodels.api as sm
    from statsmodels.treatment.treatment_effects import TreatmentEffect

    warnings.simplefilter("ignore")
    df = pd.read_csv(args.path, float_precision="round_trip")
    fp = fingerprint(df)
    n = len(df)
    m, estimand = args.estimator, args.estimand
    if estimand == "att" and m == "aipw":
        print(f"# statsmodels TreatmentEffect.aipw has no ATT (effect_group): {args.case} skipped")
        return
    kwargs = {} if estimand == "ate" else {"effect_group": 1}

    def once(full):
        X = np.column_stack([np.ones(n)] + [df[c].to_numpy(dtype=np.float64) for c in COVARIATES])
        y = df["y"].to_numpy(dtype=np.float64)
        d = df["treat"].to_numpy()
        res_logit = sm.Logit(d, X).fit(disp=0)
        te = TreatmentEffect(sm.OLS(y, X), d, results_select=res_logit)
        out = getattr(te, m)(return_results=full, **kwargs)
        if full:
            return float(out.effect[0]), float(out.sd[0])
        return float(np.ravel(out)[0]), None

    variants = [("points", args.repeat_points)]
    if not args.no_full:
        variants.append(("full", args.repeat_full))
    for variant, reps in variants:
        times, est = [], None
        for _ in range(max(1, reps)):
            t0 = time.perf_counter()
            est = once(variant == "full")
            times.append(time.perf_counter() - t0)
        first = times[0]
        times.sort()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        se = "" if est[1] is None else repr(est[1])
        print(f"statsmodels,{args.case},{n},{m},{estimand},{variant},{times[0]:.6f},"
              f"{times[len(times) // 2]:.6f},{first:.6f},{len(times)},{peak:.0f},{est[0]!r},{se},{fp}",
              flush=True)


def table(path):
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith(("phare,", "statsmodels,")):
                rows.append(dict(zip(HEADER.split(","), line.rstrip("\n").split(","))))
    key = lambda r: (r["case"], r["estimator"], r["estimand"])
    ph = {key(r): r for r in rows if r["tool"] == "phare"}
    full = {key(r): r for r in rows if r["tool"] == "statsmodels" and r["variant"] == "full"}
    pts = {key(r): r for r in rows if r["tool"] == "statsmodels" and r["variant"] == "points"}
    print("| estimator | n | phare s | statsmodels s, with GMM SEs | ratio | statsmodels s, closed "
          "form (no SE) | ratio | \\|Δ estimate\\|/se | SE rel. diff | same data |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    order = {"ipw": 0, "ra": 1, "aipw": 2}
    for k in sorted(ph, key=lambda k: (k[2], order.get(k[1], 9), int(ph[k]["n"]))):
        p = ph[k]
        tp = float(p["median_s"])
        cells = [f"{k[1]} {k[2].upper()}", f"{int(p['n']):,}", f"{tp:.4f}"]
        f, q = full.get(k), pts.get(k)
        if f:
            tf = float(f["median_s"])
            cells += [f"{tf:.3f}" + ("" if f["runs"] != "1" else " (1 run)"), f"{tf / tp:.1f}×"]
        else:
            cells += ["—", "—"]
        if q:
            tq = float(q["median_s"])
            cells += [f"{tq:.4f}", f"{tq / tp:.2f}×"]
        else:
            cells += ["—", "—"]
        ref = f or q
        if ref:
            se_p = float(p["se"])
            cells.append(f"{abs(float(p['estimate']) - float(ref['estimate'])) / se_p:.1e}")
            cells.append(f"{abs(se_p - float(f['se'])) / float(f['se']):.1e}" if f else "—")
            cells.append("yes" if p["fp"] == ref["fp"] and p["n"] == ref["n"] else "NO")
        else:
            cells += ["—", "—", "—"]
        print("| " + " | ".join(cells) + " |")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("n", type=int)
    w.add_argument("path")
    r = sub.add_parser("run")
    r.add_argument("path")
    r.add_argument("--case", default="csv")
    r.add_argument("--estimator", choices=["ipw", "ra", "aipw"], required=True)
    r.add_argument("--estimand", choices=["ate", "att"], default="ate")
    r.add_argument("--repeat-full", type=int, default=1)
    r.add_argument("--repeat-points", type=int, default=3)
    r.add_argument("--no-full", action="store_true")
    t = sub.add_parser("table")
    t.add_argument("path")
    args = ap.parse_args()
    if args.cmd == "write":
        write(args.n, args.path)
    elif args.cmd == "run":
        run(args)
    else:
        table(args.path)


if __name__ == "__main__":
    main()
