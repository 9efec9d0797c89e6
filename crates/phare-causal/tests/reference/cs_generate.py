"""Reference values for phare's Callaway & Sant'Anna (2021) staggered DiD estimator.

Peer: csdid (PyPI; the Python port of R `did` maintained with Callaway/Sant'Anna's group) 0.4.3,
with drdid 1.1.7; second opinion: diff-diff 3.13.0 (`CallawaySantAnna`). Both are used as black boxes.
Other versions at generation time: numpy 2.4.6, pandas 3.1.1, scipy 1.17.1, python 3.11.7.
(Exact versions of the run are also written into the JSON under "packages".)

Data: datasets/mpdta.csv (500 counties, 2003-2007); outcome lemp, unit countyreal, time year,
group first_treat (0 = never treated).

For each case (see CASES below; every setting is spelled out in the JSON) it stores:
  * every ATT(g,t): group, time, att, analytic standard error (bootstrap OFF: se = sqrt(mean(IF^2)/n),
    i.e. the influence-function variance with the 1/n population scaling, one IF row per unit),
  * aggte aggregations with analytic SEs: simple, dynamic (per event time e + overall),
    group (per group + overall), calendar (per period + overall),
  * the parallel-trends Wald pre-test (W, p-value) csdid reports,
  * diff-diff's values for the same case (ATT(g,t), simple, event-study per e, group per g) and the
    largest absolute difference to csdid.
Extra blocks:
  * "bootstrap_case1": case 1 with csdid's multiplier bootstrap (Rademacher weights, B draws, seed
    set with np.random.seed before each call): bootstrap SEs (IQR-based, as R `did`) for ATT(g,t),
    the sup-t uniform critical value over all ATT(g,t), the simple aggregation, and the dynamic
    aggregation (per-e SEs and its own sup-t critical value).
  * "unbalanced": case 1 on mpdta with rows dropped where (countyreal*7 + year) % 11 == 0, estimated
    with allow_unbalanced_panel=True.

Run from the repository root:
    /root/venv-ref/bin/python crates/phare-causal/tests/reference/cs_generate.py
Writes crates/phare-causal/tests/reference/cs_reference.json (takes about 5-10 seconds; output is deterministic).
Install: /root/venv-ref/bin/pip install csdid==0.4.3 drdid==1.1.7 diff-diff==3.13.0
"""
import contextlib
import io
import json
import math
import sys
import time
import warnings
from importlib.metadata import version

import numpy as np
import pandas as pd
import scipy

from csdid.att_gt import ATTgt

try:
    from diff_diff import CallawaySantAnna
    HAVE_DD = True
except Exception:  # pragma: no cover
    HAVE_DD = False

DATA = "datasets/mpdta.csv"
OUT = "crates/phare-causal/tests/reference/cs_reference.json"
BOOT_DRAWS = 20000
BOOT_SEED = 20210101
DROP_RULE = "(countyreal*7 + year) % 11 == 0"

CASES = [
    # id, control_group, est_method, covariates, base_period, anticipation
    ("c1_never_dr_nocov_varying", "never", "dr", [], "varying", 0),
    ("c2_notyet_dr_nocov_varying", "notyet", "dr", [], "varying", 0),
    ("c3_never_dr_lpop_varying", "never", "dr", ["lpop"], "varying", 0),
    ("c4_never_ipw_lpop_varying", "never", "ipw", ["lpop"], "varying", 0),
    ("c5_never_reg_lpop_varying", "never", "reg", ["lpop"], "varying", 0),
    ("c6_notyet_dr_lpop_varying", "notyet", "dr", ["lpop"], "varying", 0),
    ("c7_never_dr_nocov_universal", "never", "dr", [], "universal", 0),
    ("c8_never_dr_nocov_varying_antic1", "never", "dr", [], "varying", 1),
]

CONVENTIONS = {
    "analytic_se": "se = sqrt(mean_i(IF_i^2) / n), n = number of units (500); IF has one row per unit, "
                   "so this is the SE clustered by unit; no small-sample (n-1 or G/(G-1)) correction.",
    "bootstrap_se": "multiplier bootstrap with Rademacher (+1/-1) weights on the per-unit IF; "
                    "bres = sqrt(n) * mean_i(v_i * IF_i); se = (q75(bres) - q25(bres)) / (qnorm(.75) - qnorm(.25)) / sqrt(n) "
                    "(IQR-based, not the bootstrap standard deviation); quantiles use numpy method='inverted_cdf'.",
    "uniform_crit_val": "sup-t: the (1 - alp) quantile ('inverted_cdf') over draws of max_k |bres_k / bSigma_k|, "
                        "bSigma_k = IQR-based scale above, k over all reported (non-degenerate) parameters (for att_gt: all "
                        "ATT(g,t) incl. pre-periods). aggte floors it at qnorm(1-alp/2).",
    "base_period_varying": "pre-periods (t < g - anticipation): ATT(g,t) compares t with t-1 (short differences); "
                           "post (t >= g - anticipation): compares t with g-1-anticipation (long difference).",
    "base_period_universal": "every ATT(g,t) compares t with g-1-anticipation; the base cell t = g-1-anticipation "
                             "is reported with att = 0 and se = null (NA).",
    "anticipation": "csdid docstring: with anticipation=a, periods g-a <= t < g use the last observed period before "
                    "g-a as reference under either base-period option; these anticipation effects appear in the dynamic "
                    "aggregation and are excluded from the parallel-trends Wald test. Other aggregations average t >= g. "
                    "Cells are estimated only where the comparison group is valid (with notyet, controls must have "
                    "first_treat > max(t, base) + anticipation).",
    "simple": "weighted average of post-treatment ATT(g,t) (t >= g) with weights proportional to group size "
              "(share of units in g); SE from the aggregated IF including the estimated-weights term.",
    "dynamic": "ATT(e) = group-size-weighted average of ATT(g, g+e) over groups observed at e; "
               "overall = plain mean of ATT(e) over e >= 0 only (pre-period e < 0 excluded).",
    "group": "ATT(g) = plain mean of ATT(g,t) over t >= g (t <= g + max_e); overall = group-size-weighted mean of ATT(g).",
    "calendar": "ATT(t) = group-size-weighted mean of ATT(g,t) over groups with g <= t; overall = plain mean of ATT(t) "
                "over calendar periods (first post-treatment period onward).",
    "aggregated_se": "analytic: sqrt(mean(IF_agg^2)/n) where IF_agg = sum_k w_k IF_k + (IF of the estimated weights), "
                     "as in R did::aggte; no bootstrap unless stated.",
    "group_size": "group size = number of units in each first_treat cohort (balanced panel), i.e. pg = n_g / n.",
    "unbalanced": "allow_unbalanced_panel=True: observations are treated as repeated cross-sections (RC estimators on "
                  "pooled observations); IFs are summed per unit before computing the SE (n = number of distinct units).",
    "first_period_treated": "units with first_treat <= first period + anticipation are dropped before estimation "
                            "(with anticipation=1 on mpdta that is the whole 2004 cohort, 20 units, so n = 480 and "
                            "the group-size weights use the remaining 480 units).",
    "wald_pretest": "W = chi-square statistic on the pre-treatment ATT(g,t) (t < g - anticipation); pval as csdid "
                    "reports it (rounded to 5 decimals; df = number of pre-treatment cells).",
    "null": "NaN/NA values are stored as JSON null.",
}

DIFF_DIFF_NOTES = [
    "diff-diff 3.13.0 has no calendar aggregation and reports no dynamic/group overall; only ATT(g,t), simple, "
    "event-study per e and group per g are compared.",
    "with anticipation>0 diff-diff's simple and group aggregations also include the anticipation cells "
    "(t >= g - anticipation) whereas csdid (and R did since PR #276) use t >= g only; the ATT(g,t) and event-study "
    "values agree. diff-diff also lists the dropped 2004 cohort's cells as NaN.",
    "allow_unbalanced_panel: diff-diff's SEs carry the CR1 factor sqrt(G/(G-1)) = sqrt(500/499); csdid's do not.",
    "dr with covariates: diff-diff's ATT(g,t) differ from csdid by up to ~7e-6 (SE ~1e-6); csdid matches an "
    "independent numpy/statsmodels implementation of Sant'Anna-Zhao's traditional DR (drdid_panel) to ~1e-12, "
    "and ipw/reg with covariates agree between the two packages to ~1e-14.",
]

PUBLISHED_CASE1 = {  # Callaway & Sant'Anna (2021) / R did vignette, 4 decimals
    "attgt": {(2004, 2004): (-0.0105, 0.0233), (2004, 2005): (-0.0704, 0.0310),
              (2004, 2006): (-0.1373, 0.0364), (2004, 2007): (-0.1008, 0.0344)},
    "simple": (-0.0400, 0.0120),
    "dynamic_overall_att": -0.0772,
}


def f(x):
    """JSON-safe full-precision float (None for NaN/NA)."""
    if x is None:
        return None
    a = np.asarray(x, dtype=float)
    if a.size != 1:
        raise ValueError(f"expected a scalar, got shape {a.shape}")
    x = float(a.reshape(-1)[0])
    return None if not math.isfinite(x) else x


def quiet(fn, *a, **k):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


def csdid_fit(df, control, est, covs, base, antic, bstrap=False, biters=1000, cband=False,
              unbalanced=False):
    xf = "lemp ~ " + (" + ".join(covs) if covs else "1")
    m = quiet(ATTgt, yname="lemp", tname="year", idname="countyreal", gname="first_treat", data=df,
              control_group="nevertreated" if control == "never" else "notyettreated",
              xformla=xf, anticipation=antic, allow_unbalanced_panel=unbalanced,
              biters=biters, cband=cband)
    quiet(m.fit, est_method=est, base_period=base, bstrap=bstrap)
    return m, xf


def csdid_aggs(m, bstrap=False, biters=None, cband=False):
    out = {}
    for t in ["simple", "dynamic", "group", "calendar"]:
        quiet(m.aggte, typec=t, bstrap=bstrap, biters=biters, cband=cband)
        a = m.atte
        d = {"overall_att": f(a["overall_att"]), "overall_se": f(a["overall_se"])}
        if t != "simple":
            key = {"dynamic": "e", "group": "group", "calendar": "time"}[t]
            d["effects"] = [{key: int(e), "att": f(v), "se": f(s)}
                            for e, v, s in zip(a["egt"], a["att_egt"], np.asarray(a["se_egt"]).reshape(-1))]
            d["crit_val"] = f(a["crit_val_egt"])
        out[t] = d
    return out


def csdid_attgt(m):
    r = m.results
    return [{"group": int(g), "time": int(t), "att": f(a), "se": f(s), "post": bool(int(p))}
            for g, t, a, s, p in zip(r["group"], r["year"], r["att"], r["se"], r["post"])]


def dd_run(df, control, est, covs, base, antic, unbalanced=False):
    cs = CallawaySantAnna(control_group="never_treated" if control == "never" else "not_yet_treated",
                          estimation_method=est, base_period=base, anticipation=antic, n_bootstrap=0,
                          allow_unbalanced_panel=unbalanced)
    r = quiet(cs.fit, df, outcome="lemp", unit="countyreal", time="year", first_treat="first_treat",
              covariates=covs or None)
    attgt = [{"group": int(g), "time": int(t), "att": f(v["effect"]), "se": f(v["se"])}
             for (g, t), v in sorted(r.group_time_effects.items())]
    simple = quiet(r.aggregate, "simple").to_dataframe()
    es = quiet(r.aggregate, "event_study").to_dataframe()
    gr = quiet(r.aggregate, "group").to_dataframe()
    return {
        "attgt": attgt,
        "simple": {"att": f(simple["att"].iloc[0]), "se": f(simple["se"].iloc[0])},
        "event_study": [{"e": int(e), "att": f(a), "se": f(s)} for e, a, s in zip(es["event_time"], es["att"], es["se"])],
        "group": [{"group": int(g), "att": f(a), "se": f(s)} for g, a, s in zip(gr["label"], gr["att"], gr["se"])],
    }


def compare(cs_case, dd):
    """Max absolute difference csdid vs diff-diff, on the quantities both report."""
    diffs = {"att": 0.0, "se": 0.0}
    cs_map = {(r["group"], r["time"]): r for r in cs_case["attgt"]}

    def upd(a1, s1, a2, s2):
        if a1 is not None and a2 is not None:
            diffs["att"] = max(diffs["att"], abs(a1 - a2))
        if s1 is not None and s2 is not None:
            diffs["se"] = max(diffs["se"], abs(s1 - s2))

    n_cells = 0
    for r in dd["attgt"]:
        c = cs_map.get((r["group"], r["time"]))
        if c is not None:
            n_cells += 1
            upd(c["att"], c["se"], r["att"], r["se"])
    out = {"attgt_cells_compared": n_cells, "attgt_cells_csdid": len(cs_case["attgt"]),
           "attgt_cells_diff_diff": len(dd["attgt"]),
           "attgt_max_abs_diff_att": diffs["att"], "attgt_max_abs_diff_se": diffs["se"]}
    agg = cs_case["aggregations"]
    diffs = {"att": 0.0, "se": 0.0}
    upd(agg["simple"]["overall_att"], agg["simple"]["overall_se"], dd["simple"]["att"], dd["simple"]["se"])
    dyn = {r["e"]: r for r in agg["dynamic"]["effects"]}
    for r in dd["event_study"]:
        if r["e"] in dyn:
            upd(dyn[r["e"]]["att"], dyn[r["e"]]["se"], r["att"], r["se"])
    grp = {r["group"]: r for r in agg["group"]["effects"]}
    for r in dd["group"]:
        if r["group"] in grp:
            upd(grp[r["group"]]["att"], grp[r["group"]]["se"], r["att"], r["se"])
    out["aggregations_max_abs_diff_att"] = diffs["att"]
    out["aggregations_max_abs_diff_se"] = diffs["se"]
    return out


def settings(control, est, covs, base, antic, xf, unbalanced=False):
    return {"outcome": "lemp", "unit": "countyreal", "time": "year", "group": "first_treat",
            "control_group": control, "est_method": est, "covariates": covs, "xformla": xf,
            "base_period": base, "anticipation": antic, "panel": True,
            "allow_unbalanced_panel": unbalanced, "bootstrap": False, "clustervars": None,
            "weights": None, "alp": 0.05}


def run_case(df, cid, control, est, covs, base, antic, unbalanced=False):
    m, xf = csdid_fit(df, control, est, covs, base, antic, unbalanced=unbalanced)
    case = {"id": cid, "settings": settings(control, est, covs, base, antic, xf, unbalanced),
            "n_units": int(m.MP["n"]),
            "attgt": csdid_attgt(m),
            "aggregations": csdid_aggs(m),
            "wald_pretest": {"W": f(m.MP["W"]), "pval": f(m.MP["Wpval"])}}
    notes = []
    if base == "universal":
        notes.append("universal base period: every group has a reference cell t = g-1-anticipation with att 0 and "
                     "se null; it also appears in the dynamic aggregation at e = -1-anticipation.")
    if antic > 0:
        notes.append(f"anticipation={antic}: csdid dropped units with first_treat <= {min(df['year'])} + {antic} "
                     "(treated in the first period accounting for anticipation); n_units reflects that.")
    if unbalanced:
        notes.append("allow_unbalanced_panel=True on an unbalanced panel: RC (levels) estimators on pooled "
                     "observations with unit-clustered IF, hence much larger SEs than the balanced case.")
    case["notes"] = notes
    if HAVE_DD:
        try:
            dd = dd_run(df, control, est, covs, base, antic, unbalanced)
            case["diff_diff"] = dd
            case["agreement_with_diff_diff"] = compare(case, dd)
        except Exception as e:  # record, don't fail
            case["diff_diff_error"] = repr(e)
    return case


def main():
    t0 = time.time()
    df = pd.read_csv(DATA)
    first = df.groupby("countyreal")["first_treat"].first()
    out = {
        "generator": "crates/phare-causal/tests/reference/cs_generate.py",
        "packages": {"csdid": version("csdid"), "drdid": version("drdid"),
                     "diff-diff": version("diff-diff") if HAVE_DD else None,
                     "numpy": np.__version__, "pandas": pd.__version__, "scipy": scipy.__version__,
                     "python": sys.version.split()[0]},
        "dataset": DATA,
        "n_units": int(first.size),
        "periods": sorted(int(y) for y in df["year"].unique()),
        "group_sizes": {str(int(g)): int(c) for g, c in first.value_counts().sort_index().items()},
        "conventions": CONVENTIONS,
        "cases": [],
    }
    for c in CASES:
        out["cases"].append(run_case(df, *c))

    # Bootstrap for case 1.
    np.random.seed(BOOT_SEED)
    m, xf = csdid_fit(df, "never", "dr", [], "varying", 0, bstrap=True, biters=BOOT_DRAWS, cband=True)
    boot = {"case_id": CASES[0][0], "draws": BOOT_DRAWS, "seed": BOOT_SEED,
            "rng": "np.random.seed(seed) once before ATTgt.fit, then again before each aggte call; "
                   "Rademacher draws via np.random.randint(0, 2, size=(draws, n))",
            "weights": "rademacher",
            "attgt": [{"group": r["group"], "time": r["time"], "att": r["att"], "se": r["se"]}
                      for r in csdid_attgt(m)],
            "attgt_uniform_crit_val": f(m.results["c"])}
    np.random.seed(BOOT_SEED)
    quiet(m.aggte, typec="simple", bstrap=True, biters=BOOT_DRAWS, cband=True)
    boot["simple"] = {"overall_att": f(m.atte["overall_att"]), "overall_se": f(m.atte["overall_se"])}
    np.random.seed(BOOT_SEED)
    quiet(m.aggte, typec="dynamic", bstrap=True, biters=BOOT_DRAWS, cband=True)
    a = m.atte
    boot["dynamic"] = {"overall_att": f(a["overall_att"]), "overall_se": f(a["overall_se"]),
                       "effects": [{"e": int(e), "att": f(v), "se": f(s)}
                                   for e, v, s in zip(a["egt"], a["att_egt"], np.asarray(a["se_egt"]).reshape(-1))],
                       "uniform_crit_val": f(a["crit_val_egt"])}
    out["bootstrap_case1"] = boot

    # Unbalanced panel: case 1 settings after a deterministic drop.
    drop = (df["countyreal"] * 7 + df["year"]) % 11 == 0
    dfu = df.loc[~drop].reset_index(drop=True)
    ub = run_case(dfu, "c1_unbalanced_drop_mod11", "never", "dr", [], "varying", 0, unbalanced=True)
    ub["drop_rule"] = DROP_RULE
    ub["rows_dropped"] = int(drop.sum())
    ub["rows_kept"] = int(len(dfu))
    ub["units_kept"] = int(dfu["countyreal"].nunique())
    ub["dropped_rows"] = [{"countyreal": int(c), "year": int(y)}
                          for c, y in df.loc[drop, ["countyreal", "year"]].itertuples(index=False)]
    out["unbalanced"] = ub

    c1 = out["cases"][0]
    chk = {"published": {"attgt": [{"group": g, "time": t, "att": a, "se": se}
                                   for (g, t), (a, se) in PUBLISHED_CASE1["attgt"].items()],
                         "simple": {"att": PUBLISHED_CASE1["simple"][0], "se": PUBLISHED_CASE1["simple"][1]},
                         "dynamic_overall_att": PUBLISHED_CASE1["dynamic_overall_att"]}}
    ok = True
    cmap = {(r["group"], r["time"]): r for r in c1["attgt"]}
    for (g, t), (a, se) in PUBLISHED_CASE1["attgt"].items():
        ok &= round(cmap[(g, t)]["att"], 4) == a and round(cmap[(g, t)]["se"], 4) == se
    ok &= round(c1["aggregations"]["simple"]["overall_att"], 4) == PUBLISHED_CASE1["simple"][0]
    ok &= round(c1["aggregations"]["simple"]["overall_se"], 4) == PUBLISHED_CASE1["simple"][1]
    ok &= round(c1["aggregations"]["dynamic"]["overall_att"], 4) == PUBLISHED_CASE1["dynamic_overall_att"]
    chk["case1_matches_to_4_decimals"] = bool(ok)
    out["published_check"] = chk
    out["diff_diff_notes"] = DIFF_DIFF_NOTES
    if not ok:
        print("WARNING: case 1 does not reproduce the published values", file=sys.stderr)

    with open(OUT, "w") as fh:
        json.dump(out, fh, indent=1)
    print(f"wrote {OUT} in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
