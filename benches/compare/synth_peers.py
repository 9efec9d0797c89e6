"""The Python side of benches/compare/synth.sh: the same synthetic-control estimates as phare's
`synth` bench, with their placebo inference, by

- `sdid`: synthdid 0.10.1 (a Python port of the R synthdid package): `Synthdid(...).fit()` (the
  SDID point estimate) plus `synthdid.vcov.placebo_se(data_ref, n_reps)`, the placebo standard
  error. (`Synthdid.vcov(method="placebo", n_reps=...)` ignores n_reps and always runs 50, so
  `placebo_se` is called directly.)
- `sc`: pysyncon 1.7.0: `Synth().fit(dataprep, custom_V=equal)` with every pre-period outcome as
  its own predictor (the same problem as phare's default `SyntheticControl`), `att` over the
  post periods, then `PlaceboTest().fit(...)` over every donor (a process pool with one worker per
  CPU, pysyncon's default) and `PlaceboTest.pvalue`.

    python synth_peers.py sdid|sc DATA [REPEAT] [--reps R] [--target-reps 200] [--placebos K]

DATA is datasets/prop99.csv (California from 1989) or the parquet panel written by
`cargo bench --bench synth -- --write` (columns unit, time, y, d). Prints
`tool,dataset,method,fit_s,first_s,peak_rss_mib,att,se_or_p,note`; fit_s is the median over
REPEAT runs, first_s the first run.

Extrapolation (for runs that would take too long): `--reps R` with R < `--target-reps` runs R
placebo replications and scales the placebo step linearly, fit_s = point + placebo_R × target/R;
`--placebos K` runs the placebo-in-space test for the first K donors only (each still synthesised
from all other donors) and scales it, fit_s = point + (placebo_K − point) × N0/K + point (the test
refits the treated unit once more at its end, which does not scale). The note column says when a
time is extrapolated, and se_or_p then comes from the measured subset.

Each pysyncon "pre-period outcome" predictor is a column holding that unit's outcome in that
period (built with one pivot; `predictors_op="mean"`): the natural alternative,
`special_predictors=[(y, [t], "mean") for t in pre]`, builds the predictor matrix with one
boolean mask over the whole frame per (unit, period), far slower at 1,000 donors; the pivot is
the peer's fastest route and is timed as part of the run.

Peak RSS is the process's maximum resident set size (resource.getrusage; the pool's worker
processes are not included), including the interpreter and imports.
"""
import argparse
import resource
import time
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

ap = argparse.ArgumentParser()
ap.add_argument("method", choices=["sdid", "sc"])
ap.add_argument("data")
ap.add_argument("repeat", nargs="?", type=int, default=1)
ap.add_argument("--reps", type=int, default=200)
ap.add_argument("--target-reps", type=int, default=200)
ap.add_argument("--placebos", type=int, default=0, help="0 = every donor")
args = ap.parse_args()

if args.data.endswith(".csv"):
    df = pd.read_csv(args.data)
    unit, tcol, y, d = "state", "year", "cigsale", "treated"
    dataset = "prop99"
else:
    df = pd.read_parquet(args.data)
    unit, tcol, y, d = "unit", "time", "y", "d"
    dataset = None
treated = df.loc[df[d] == 1, unit].iloc[0]
start = int(df.loc[df[d] == 1, tcol].min())
periods = sorted(df[tcol].unique())
pre = [t for t in periods if t < start]
post = [t for t in periods if t >= start]
donors = sorted(u for u in df[unit].unique() if u != treated)
if dataset is None:
    dataset = f"sim{len(donors)}x{len(periods)}"


def run_sdid():
    from synthdid.synthdid import Synthdid
    from synthdid.vcov import placebo_se

    np.random.seed(1)
    t0 = time.perf_counter()
    model = Synthdid(df, unit=unit, time=tcol, treatment=d, outcome=y).fit()
    t1 = time.perf_counter()
    se = placebo_se(model.data_ref, n_reps=args.reps)
    t2 = time.perf_counter()
    point, placebo = t1 - t0, t2 - t1
    if args.reps < args.target_reps:
        total = point + placebo * args.target_reps / args.reps
        note = (f"EXTRAPOLATED: point {point:.2f}s + placebo {placebo:.2f}s for {args.reps} reps "
                f"x {args.target_reps}/{args.reps}; se from {args.reps} reps")
    else:
        total = point + placebo
        note = f"placebo se: {args.reps} replications"
    return total, model.att, se, note


def run_sc():
    from pysyncon import Dataprep, Synth
    from pysyncon.utils import PlaceboTest

    k = args.placebos if 0 < args.placebos < len(donors) else len(donors)

    class SubsetPlaceboTest(PlaceboTest):
        # The first k donors as placebo treated units, each against all other donors.
        def placebo_iter(self, controls):
            for c in list(controls)[:k]:
                yield (c, [x for x in controls if x != c])

    t0 = time.perf_counter()
    wide = df[df[tcol].isin(pre)].pivot(index=unit, columns=tcol, values=y)
    names = [f"{y}_{t}" for t in wide.columns]
    wide.columns = names
    foo = df[[unit, tcol, y]].merge(wide, left_on=unit, right_index=True)
    dp = Dataprep(
        foo=foo,
        predictors=names,
        predictors_op="mean",
        dependent=y,
        unit_variable=unit,
        time_variable=tcol,
        treatment_identifier=treated,
        controls_identifier=donors,
        time_predictors_prior=pre,
        time_optimize_ssr=pre,
    )
    v = np.full(len(names), 1.0 / len(names))
    synth = Synth()
    synth.fit(dataprep=dp, custom_V=v)
    att = synth.att(time_period=post)["att"]
    t1 = time.perf_counter()
    test = SubsetPlaceboTest() if k < len(donors) else PlaceboTest()
    test.fit(dataprep=dp, scm=synth, scm_options={"custom_V": v}, verbose=False)
    # pvalue(t) puts period t in both the pre and the post window (label slicing); the last
    # pre period keeps the pre window exact.
    p = test.pvalue(treatment_time=pre[-1])
    t2 = time.perf_counter()
    point, placebo = t1 - t0, t2 - t1
    if k < len(donors):
        total = point + (placebo - point) * len(donors) / k + point
        note = (f"EXTRAPOLATED: point {point:.2f}s + placebo test {placebo:.2f}s for {k} of {len(donors)} donors "
                f"scaled as (placebo - point) x {len(donors)}/{k} + point; p from {k} placebos")
    else:
        total = point + placebo
        note = f"placebo-in-space p: all {len(donors)} donors"
    return total, att, p, note


times = []
for _ in range(max(1, args.repeat)):
    secs, att, se_or_p, note = run_sdid() if args.method == "sdid" else run_sc()
    times.append(secs)
first = times[0]
secs = sorted(times)[len(times) // 2]
tool = "synthdid" if args.method == "sdid" else "pysyncon"
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(f"{tool},{dataset},{args.method},{secs:.3f},{first:.3f},{peak:.0f},{float(att):.6f},{float(se_or_p):.6f},{note}")
