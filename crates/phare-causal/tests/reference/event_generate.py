"""Reference values for phare's event-study / staggered-adoption estimators.

What: for outcome lemp, unit countyreal, time year, cohort first_treat (0 = never treated) on
datasets/mpdta.csv, and for a SIMULATED staggered panel (sim_staggered.csv, written beside the JSON),
this stores, at full float precision (Python repr of float64):
  1. TWFE event study (pyfixest feols, `y ~ i(rel, ref=-1) | unit + time`, CRV1 by unit),
     the same with rel binned (clipped) to a window, and the static TWFE `y ~ treat_post | unit + time`.
  2. Sun & Abraham (2021) interaction-weighted event study: diff-diff `SunAbraham` (never-treated
     control) and, as a second opinion, pyfixest `event_study(estimator="saturated")` + `.aggregate()`.
  3. Borusyak, Jaravel & Spiess (2024) imputation: diff-diff `ImputationDiD` (overall ATT, per-horizon,
     per-cohort, Theorem-3 conservative SEs, eq.-9 pre-trend F test), checked against an independent
     dense numpy implementation of the estimator and of the Theorem-3 variance, and the pre-trend test
     against pyfixest.
  4. Gardner (2022) two-stage DiD: pyfixest `did2s` and diff-diff `TwoStageDiD` (overall ATT, event study
     with and without leads, GMM-corrected cluster SEs).
  5. Goodman-Bacon (2021) decomposition of the static TWFE coefficient: diff-diff `BaconDecomposition
     (weights="exact")`, checked against an independent numpy implementation of Goodman-Bacon's
     Theorem 1 (eqs. 10e-g) and 2x2 estimators; the weighted sum is checked against the TWFE coefficient.
All packages are used as black boxes (pyfixest and diff-diff are MIT licensed). Conventions are written into
the JSON next to each block.

Note on pyfixest did2s (0.60.0): its first stage calls feols with the default fixef_rm="singleton". On mpdta
every 2004-cohort county has exactly one untreated observation (2003), so it is a singleton in the
first-stage unit fixed effect and is dropped; its counterfactual is then NaN and pf.did2s raises a
ValueError in the vcov step. The generator records that error and reruns with pyfixest's internal
`feols` reference replaced by `functools.partial(feols, fixef_rm="none")` (no other change), which is
the standard Gardner estimator (all untreated observations in the first stage). On the simulated panel
both runs are made and agree exactly. pyfixest recovers the first-stage fixed effects with scipy lsqr at
atol=btol=1e-6 (Feols.fixef defaults), so its did2s numbers differ from diff-diff and from the exact dense
numpy check by up to ~1e-8; diff-diff agrees with the numpy checks to ~1e-11.

Re-running reproduces every value to ~1e-15 relative (pyfixest's demeaning is not bit-deterministic).

Versions at generation time: pyfixest 0.60.0, diff-diff 3.13.0, numpy 2.4.6, pandas 3.1.1, scipy 1.17.1,
python 3.11.7 (the exact versions of the run are written into the JSON under "packages").

Run from the repository root:
    nice -n 19 /root/venv-ref/bin/python crates/phare-causal/tests/reference/event_generate.py
Writes crates/phare-causal/tests/reference/event_reference.json and
       crates/phare-causal/tests/reference/sim_staggered.csv (takes well under a minute).
Install: /root/venv-ref/bin/pip install pyfixest==0.60.0 diff-diff==3.13.0
"""
import functools
import json
import math
import platform
import sys
import warnings
from importlib.metadata import version

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

import diff_diff as dd  # noqa: E402
import pyfixest as pf  # noqa: E402
import pyfixest.did.did2s  # noqa: E402,F401  (module object is taken from sys.modules below)

PF_DID2S_MODULE = sys.modules["pyfixest.did.did2s"]
PF_FEOLS_ORIG = PF_DID2S_MODULE.feols

DATA = "datasets/mpdta.csv"
OUT = "crates/phare-causal/tests/reference/event_reference.json"
SIM_CSV = "crates/phare-causal/tests/reference/sim_staggered.csv"
FIXEF_TOL = 1e-13  # pyfixest demeaning tolerance for the (unbalanced) eq.-9 lead-regression check

# ----------------------------------------------------------------------------------------------
# Simulated design (SIMULATED data; the CSV is the source of truth, this code documents it)
# ----------------------------------------------------------------------------------------------
SIM_SEED = 20240917
SIM_N_UNITS = 200
SIM_PERIODS = list(range(1, 11))          # t = 1..10
SIM_COHORTS = {0: 50, 4: 50, 6: 50, 8: 50}  # first_treat -> number of units (0 = never treated)
SIM_SLOPE = {4: 0.5, 6: 0.3, 8: 0.1}      # tau_g(e) = SIM_SLOPE[g] * (1 + e) for e = t - g >= 0, else 0
SIM_NOISE_SD = 0.5
SIM_DGP_TEXT = (
    "rng = numpy.random.default_rng(SEED); units i = 1..200 (unit id = i); cohorts assigned in blocks of 50 "
    "in unit order: i=1..50 first_treat=0 (never), 51..100 first_treat=4, 101..150 first_treat=6, 151..200 "
    "first_treat=8; alpha = rng.normal(0, 1, 200) (unit effects, in unit order); lambda = rng.normal(0, 0.5, 10) "
    "+ 0.1*t (time effects for t = 1..10); eps = rng.normal(0, 0.5, (200, 10)) (row = unit, column = period); "
    "y_it = alpha_i + lambda_t + tau_it + eps_it with tau_it = slope_g * (1 + (t - g)) if g > 0 and t >= g else 0, "
    "slope_4 = 0.5, slope_6 = 0.3, slope_8 = 0.1 (dynamic effects, growing with exposure, larger for earlier "
    "cohorts: TWFE is biased). Rows sorted by unit, then t. y is stored rounded to 12 decimals in the CSV and "
    "all estimates are computed from the CSV values."
)


def make_sim():
    rng = np.random.default_rng(SIM_SEED)
    units = np.arange(1, SIM_N_UNITS + 1)
    g_of_unit = np.concatenate([np.full(n, g) for g, n in SIM_COHORTS.items()])
    alpha = rng.normal(0.0, 1.0, SIM_N_UNITS)
    T = len(SIM_PERIODS)
    lam = rng.normal(0.0, 0.5, T) + 0.1 * np.array(SIM_PERIODS, dtype=float)
    eps = rng.normal(0.0, SIM_NOISE_SD, (SIM_N_UNITS, T))
    rows = []
    for i, u in enumerate(units):
        g = int(g_of_unit[i])
        for j, t in enumerate(SIM_PERIODS):
            tau = SIM_SLOPE[g] * (1 + (t - g)) if (g > 0 and t >= g) else 0.0
            y = alpha[i] + lam[j] + tau + eps[i, j]
            rows.append((int(u), int(t), g, round(float(y), 12), float(tau)))
    sim = pd.DataFrame(rows, columns=["unit", "t", "first_treat", "y", "true_tau"])
    return sim


def sim_true_effects(sim):
    tr = sim[(sim.first_treat > 0) & (sim.t >= sim.first_treat)].copy()
    tr["e"] = tr.t - tr.first_treat
    by_h = tr.groupby("e")["true_tau"].agg(["mean", "size"])
    by_g = tr.groupby("first_treat")["true_tau"].mean()
    cells = tr.groupby(["first_treat", "e"])["true_tau"].first()
    return {
        "definition": "true effects are deterministic: tau_g(e) = slope_g * (1 + e) for e >= 0; the sample ATTs below "
                      "are averages of tau_it over treated (post) observations, i.e. the estimands of the robust "
                      "estimators (by horizon: equal weight per treated observation at e; overall: equal weight per "
                      "treated observation; by cohort: equal weight per treated observation of g).",
        "slope": {str(k): v for k, v in SIM_SLOPE.items()},
        "tau_g_e": [{"cohort": int(g), "e": int(e), "tau": float(v)} for (g, e), v in cells.items()],
        "att_by_horizon": [{"e": int(e), "att": float(r["mean"]), "n_obs": int(r["size"])} for e, r in by_h.iterrows()],
        "att_overall_obs_weighted": float(tr.true_tau.mean()),
        "att_by_cohort": [{"cohort": int(g), "att": float(v)} for g, v in by_g.items()],
        "pre_treatment_effects": "all zero (no anticipation)",
    }


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------
def fl(x):
    if x is None:
        return None
    x = float(x)
    return None if (math.isnan(x) or math.isinf(x)) else x


def rel_key(name):
    # pyfixest i() names: "rel::-4" (int) or "rel::-4.0"
    return int(float(name.split("::")[-1]))


def add_cols(d, unit, time, cohort):
    d = d.copy()
    d["treat_post"] = ((d[cohort] > 0) & (d[time] >= d[cohort])).astype(int)
    d["rel"] = np.where(d[cohort] > 0, d[time] - d[cohort], -1).astype(int)
    return d


def ssc_info(fml, data, cluster):
    """Report pyfixest's CRV1 small-sample factor: V_reported / V_raw (V_raw: no k or G adjustment)."""
    m = pf.feols(fml, data=data, vcov={"CRV1": cluster})
    m_raw = pf.feols(fml, data=data, vcov={"CRV1": cluster}, ssc=pf.ssc(k_adj=False, G_adj=False))
    ratio = float(np.mean(np.diag(m._vcov) / np.diag(m_raw._vcov)))
    N = int(m._N)
    G = int(data[cluster].nunique())
    k_implied = N - (N - 1) * (G / (G - 1)) / ratio
    return {
        "factor": ratio,
        "N": N,
        "G": G,
        "K_implied": float(round(k_implied, 6)),
        "formula": "V = factor * V_raw, V_raw = (X'X)^-1 [sum_g X_g' u_g u_g' X_g] (X'X)^-1 on the within-transformed "
                   "design; factor = G/(G-1) * (N-1)/(N-K); pyfixest default ssc(k_adj=True, k_fixef='nonnested', "
                   "G_adj=True): the unit FE (nested in the unit cluster) is not counted, the time FE is counted "
                   "with all its levels, so K = #slope coefficients + #periods (see K_implied, which is solved "
                   "from factor). Inference: t(G-1).",
    }


def twfe_event(d, unit, time, rel_col, cluster):
    fml = f"y ~ i({rel_col}, ref=-1) | {unit} + {time}"
    m = pf.feols(fml, data=d, vcov={"CRV1": cluster})
    coef, se, pv = m.coef(), m.se(), m.pvalue()
    out = [{"rel": rel_key(k), "estimate": fl(coef[k]), "se": fl(se[k]), "p_value": fl(pv[k])} for k in coef.index]
    out.sort(key=lambda r: r["rel"])
    return {"formula": fml.replace("y ~", "<outcome> ~"), "n_obs": int(m._N), "coefficients": out,
            "ssc": ssc_info(fml, d, cluster)}


def twfe_static(d, unit, time, cluster):
    fml = f"y ~ treat_post | {unit} + {time}"
    m = pf.feols(fml, data=d, vcov={"CRV1": cluster})
    # independent FWL check: coef = sum(Dtilde*y)/sum(Dtilde^2) on the balanced panel
    D = d["treat_post"].to_numpy(float)
    Dt = D - d.groupby(unit)["treat_post"].transform("mean").to_numpy() \
        - d.groupby(time)["treat_post"].transform("mean").to_numpy() + D.mean()
    fwl = float((Dt * d["y"].to_numpy()).sum() / (Dt * Dt).sum())
    return {"formula": fml.replace("y ~", "<outcome> ~"), "n_obs": int(m._N),
            "estimate": fl(m.coef()["treat_post"]), "se": fl(m.se()["treat_post"]),
            "p_value": fl(m.pvalue()["treat_post"]),
            "fwl_numpy_check_estimate": fwl,
            "ssc": ssc_info(fml, d, cluster)}


def es_container_rows(es):
    df = es.to_dataframe()
    rows = []
    for _, r in df.iterrows():
        rows.append({"e": int(r["event_time"]), "estimate": fl(r["att"]), "se": fl(r["se"]),
                     "p_value": fl(r.get("p_value")), "n_obs": (None if pd.isna(r.get("n")) else int(r["n"])),
                     "is_reference": bool(r["is_reference"])})
    return rows


def group_container_rows(res):
    agg = res.aggregate("group")
    df = agg.to_dataframe()
    rows = []
    for _, r in df.iterrows():
        rows.append({"cohort": int(r["label"]), "estimate": fl(r["att"]), "se": fl(r["se"]),
                     "p_value": fl(r["p_value"]), "n_obs": (None if pd.isna(r["n"]) else int(r["n"]))})
    return rows


# ----------------------------------------------------------------------------------------------
# 2. Sun-Abraham
# ----------------------------------------------------------------------------------------------
def sun_abraham(d, unit, time, cohort):
    out = {}
    sa = dd.SunAbraham(control_group="never_treated").fit(d, outcome="y", unit=unit, time=time, first_treat=cohort)
    es = [{"e": int(e), "estimate": fl(v["effect"]), "se": fl(v["se"]), "p_value": fl(v["p_value"]),
           "n_cohorts": int(v["n_groups"])} for e, v in sorted(sa.event_study_effects.items())]
    cells = [{"cohort": int(g), "e": int(e), "estimate": fl(v["effect"]), "se": fl(v["se"]),
              "iw_weight": fl(v["weight"])} for (g, e), v in sorted(sa.cohort_effects.items())]
    cw = [{"e": int(e), "weights": {str(int(g)): fl(w) for g, w in sorted(ws.items())}}
          for e, ws in sorted(sa.cohort_weights.items())]
    out["diff_diff"] = {
        "call": "SunAbraham(control_group='never_treated').fit(data, outcome, unit, time, first_treat) "
                "(defaults: anticipation=0, vcov_type='hc1' = CR1 clustered by unit, df_convention='residual')",
        "event_study": es,
        "overall_att": {"estimate": fl(sa.overall_att), "se": fl(sa.overall_se), "p_value": fl(sa.overall_p_value)},
        "cohort_effects": cells,
        "cohort_weights": cw,
        "n_obs": int(sa.n_obs), "n_treated_units": int(sa.n_treated_units),
        "n_control_units": int(sa.n_control_units), "control_group": sa.control_group,
    }
    # not_yet_treated variant (diff-diff): with never-treated units present it keeps the same sample
    sa2 = dd.SunAbraham(control_group="not_yet_treated").fit(d, outcome="y", unit=unit, time=time, first_treat=cohort)
    diff_nyt = max(max(abs(sa.event_study_effects[e]["effect"] - sa2.event_study_effects[e]["effect"]),
                       abs(sa.event_study_effects[e]["se"] - sa2.event_study_effects[e]["se"]))
                   for e in sa.event_study_effects)
    out["diff_diff_not_yet_treated_max_abs_diff_vs_never_treated"] = float(diff_nyt)
    # pyfixest saturated event study
    fs = pf.event_study(d, yname="y", idname=unit, tname=time, gname=cohort, estimator="saturated")
    ag = fs.aggregate()
    pes = [{"e": int(float(e)), "estimate": fl(r["Estimate"]), "se": fl(r["Std. Error"]),
            "p_value": fl(r["Pr(>|t|)"])} for e, r in ag.iterrows()]
    pcells = []
    for name, r in fs.tidy().iterrows():
        # rel_time::-4.0:first_treated_period::2007
        parts = name.split(":")
        e = int(float(parts[2])); g = int(float(parts[-1]))
        pcells.append({"cohort": g, "e": e, "estimate": fl(r["Estimate"]), "se": fl(r["Std. Error"])})
    pcells.sort(key=lambda r: (r["cohort"], r["e"]))
    out["pyfixest_saturated"] = {
        "call": "pf.event_study(data, yname, idname, tname, gname, estimator='saturated').aggregate() "
                "(agg='period', weighting='shares'); regression y ~ i(rel_time, first_treated_period, ref=-1, ref2=0) "
                "| unit + time with CRV1 by unit (never-treated: rel_time=inf, cohort 0 = reference); aggregate SEs use "
                "the delta method R V R' and normal-theory p-values",
        "event_study": pes,
        "cohort_effects": pcells,
    }
    dmax = 0.0
    for a, b in zip(es, pes):
        assert a["e"] == b["e"]
        dmax = max(dmax, abs(a["estimate"] - b["estimate"]), abs(a["se"] - b["se"]))
    out["max_abs_diff_diff_diff_vs_pyfixest_event_study"] = dmax
    out["conventions"] = {
        "model": "saturated TWFE y_it = a_i + l_t + sum_{g} sum_{e != -1} d_{g,e} 1{G_i=g, t-g=e} + u_it on the full "
                 "sample; never-treated units have no interaction dummies (they are the control group); every "
                 "treated cohort's own e = -1 is its omitted reference; all other leads and lags present in the data "
                 "are estimated (no binning, no trimming).",
        "control_group": "never-treated (first_treat = 0). diff-diff's control_group='not_yet_treated' gives "
                         "identical numbers when never-treated units exist (same sample, same regression; see "
                         "diff_diff_not_yet_treated_max_abs_diff_vs_never_treated). No last-treated-cohort variant "
                         "was computed (fixest::sunab falls back to the last cohort only when there are no "
                         "never-treated units).",
        "iw_weights": "beta_e = sum_g w_{g,e} d_{g,e}, w_{g,e} = share of cohort g among the treated-cohort "
                      "observations at relative time e (= cohort size share among cohorts observed at e on a balanced "
                      "panel); leads use the same share rule over cohorts observed at e.",
        "overall_att": "diff-diff: weighted mean of beta_e over e >= 0 with weights = number of treated-cohort "
                       "observations at e (i.e. each (g,e) cell weighted by its observation count), SE by the delta "
                       "method on the cohort-cell vcov (same as fixest aggregate(sunab, 'att')). pyfixest's "
                       "aggregate() has no overall ATT.",
        "se": "CR1 clustered by unit: G/(G-1) * (N-1)/(N-K) with K = #interaction coefficients + #periods "
              "(unit FE nested in the cluster not counted; time FE counted with all T levels), identical in "
              "diff-diff (hc1, within-transform) and pyfixest CRV1; the aggregated SEs are sqrt(w' V w).",
        "p_values": "diff-diff: t with residual df (df_convention='residual'); pyfixest aggregate: normal.",
    }
    return out


# ----------------------------------------------------------------------------------------------
# 3. BJS imputation (diff-diff + independent numpy check)
# ----------------------------------------------------------------------------------------------
def bjs_numpy(d, unit, time, cohort):
    """Dense implementation of BJS (2024): untreated-only TWFE, imputation, Theorem-3 variance with
    tau_tilde averaged within cohort x horizon cells using v^2 weights (one obs per unit per cell)."""
    d = d.reset_index(drop=True)
    treated = ((d[cohort] > 0) & (d[time] >= d[cohort])).to_numpy()
    units = np.sort(d[unit].unique()); times = np.sort(d[time].unique())
    ui = np.searchsorted(units, d[unit].to_numpy()); ti = np.searchsorted(times, d[time].to_numpy())
    n = len(d)
    Z = np.zeros((n, len(units) + len(times) - 1))
    Z[np.arange(n), ui] = 1.0
    for j in range(1, len(times)):
        Z[ti == j, len(units) + j - 1] = 1.0
    y = d["y"].to_numpy(float)
    Z0, Z1, y0, y1 = Z[~treated], Z[treated], y[~treated], y[treated]
    A = Z0.T @ Z0
    beta = np.linalg.solve(A, Z0.T @ y0)
    tau_hat = y1 - Z1 @ beta
    resid0 = y0 - Z0 @ beta
    g1 = d.loc[treated, cohort].to_numpy(); e1 = (d.loc[treated, time] - d.loc[treated, cohort]).to_numpy()
    u0, u1 = ui[~treated], ui[treated]

    def estimate(w1):
        v1 = w1
        v0 = -Z0 @ np.linalg.solve(A, Z1.T @ w1)
        est = float(w1 @ tau_hat)
        eps1 = np.empty_like(tau_hat)
        for key in set(zip(g1, e1)):
            msk = (g1 == key[0]) & (e1 == key[1])
            den = (v1[msk] ** 2).sum()
            tt = (v1[msk] ** 2 * tau_hat[msk]).sum() / den if den > 0 else tau_hat[msk].mean()
            eps1[msk] = tau_hat[msk] - tt
        psi = np.zeros(len(units))
        np.add.at(psi, u1, v1 * eps1)
        np.add.at(psi, u0, v0 * resid0)
        return est, float(math.sqrt((psi ** 2).sum()))

    n1 = treated.sum()
    res = {"overall": estimate(np.full(n1, 1.0 / n1)), "by_horizon": {}, "by_cohort": {}}
    for e in np.unique(e1):
        w = (e1 == e).astype(float); res["by_horizon"][int(e)] = estimate(w / w.sum())
    for g in np.unique(g1):
        w = (g1 == g).astype(float); res["by_cohort"][int(g)] = estimate(w / w.sum())
    return res


def imputation(d, unit, time, cohort):
    out = {}
    imp = dd.ImputationDiD().fit(d, outcome="y", unit=unit, time=time, first_treat=cohort)
    es = es_container_rows(imp.aggregate("event_study"))
    imp_pt = dd.ImputationDiD(pretrends=True).fit(d, outcome="y", unit=unit, time=time, first_treat=cohort)
    es_pt = es_container_rows(imp_pt.aggregate("event_study"))
    pt = imp.pretrend_test()
    grp = group_container_rows(imp)
    out["diff_diff"] = {
        "call": "ImputationDiD().fit(data, outcome, unit, time, first_treat) (defaults: anticipation=0, "
                "aux_partition='cohort_horizon', leave_one_out=False, cluster=unit); results.aggregate('event_study'), "
                ".aggregate('group'); ImputationDiD(pretrends=True) for the event study with leads; "
                "results.pretrend_test() (n_leads=None)",
        "overall_att": {"estimate": fl(imp.overall_att), "se": fl(imp.overall_se), "p_value": fl(imp.overall_p_value)},
        "event_study": es,
        "event_study_with_pretrends": es_pt,
        "by_cohort": grp,
        "pretrend_test": {"f_stat": fl(pt["f_stat"]), "p_value": fl(pt["p_value"]), "df_num": int(pt["df"]),
                          "n_leads": int(pt["n_leads"]),
                          "lead_coefficients": {str(k): fl(v) for k, v in sorted(pt["lead_coefficients"].items())}},
    }
    # numpy check
    nb = bjs_numpy(d, unit, time, cohort)
    dmax = max(abs(nb["overall"][0] - imp.overall_att), abs(nb["overall"][1] - imp.overall_se))
    for r in es:
        if r["is_reference"]:
            continue
        est, se = nb["by_horizon"][r["e"]]
        dmax = max(dmax, abs(est - r["estimate"]), abs(se - r["se"]))
    for r in grp:
        est, se = nb["by_cohort"][r["cohort"]]
        dmax = max(dmax, abs(est - r["estimate"]), abs(se - r["se"]))
    out["numpy_check"] = {
        "overall": {"estimate": nb["overall"][0], "se": nb["overall"][1]},
        "by_horizon": [{"e": e, "estimate": v[0], "se": v[1]} for e, v in sorted(nb["by_horizon"].items())],
        "by_cohort": [{"cohort": g, "estimate": v[0], "se": v[1]} for g, v in sorted(nb["by_cohort"].items())],
        "max_abs_diff_vs_diff_diff": float(dmax),
    }
    # pre-trend test check with pyfixest: lead regression on untreated obs
    d0 = d[~((d[cohort] > 0) & (d[time] >= d[cohort]))].copy()
    d0["lead"] = np.where(d0[cohort] > 0, d0[time] - d0[cohort], -1).astype(int)
    m = pf.feols(f"y ~ i(lead, ref=-1) | {unit} + {time}", data=d0, vcov={"CRV1": unit}, fixef_rm="none",
                 fixef_tol=FIXEF_TOL)
    wt = m.wald_test()
    leads = {str(rel_key(k)): fl(v) for k, v in m.coef().items()}
    lead_se = {str(rel_key(k)): fl(v) for k, v in m.se().items()}
    out["pretrend_test_pyfixest_check"] = {
        "call": "pf.feols('y ~ i(lead, ref=-1) | unit + time', data=untreated obs, vcov={'CRV1': unit}, "
                "fixef_rm='none', fixef_tol=1e-13).wald_test(); lead = t - g for not-yet-treated obs of eventually-treated units, "
                "-1 for never-treated obs",
        "f_stat": fl(wt["statistic"]), "p_value": fl(wt["pvalue"]),
        "lead_coefficients": leads, "lead_se": lead_se,
        "abs_diff_f_vs_diff_diff": abs(float(wt["statistic"]) - pt["f_stat"]),
    }
    out["conventions"] = {
        "first_stage": "OLS of y on unit and time FE using ALL untreated observations (never-treated + "
                       "not-yet-treated periods of eventually-treated units; t < g - anticipation); no control-group "
                       "option.",
        "estimand_weights": "tau_hat_it = y_it - a_i - l_t for treated obs (t >= g); overall ATT = equal weight per "
                            "treated observation; horizon e = equal weight per treated obs with t - g = e; cohort g = "
                            "equal weight per treated obs of g. All post horizons observed in the data are estimated "
                            "(horizon_max=None). e = -1 is listed as reference with estimate 0 and SE null.",
        "se": "BJS Theorem 3 conservative variance, clustered by unit: Var = sum_i (sum_t v_it eps~_it)^2; v_it = w_it "
              "for treated obs, v = -Z0 (Z0'Z0)^-1 Z1' w for untreated obs; eps~ = first-stage residual for untreated "
              "obs and tau_hat_it - tau~_c for treated obs, tau~_c = sum v^2 tau_hat / sum v^2 within cohort x horizon "
              "cells (aux_partition='cohort_horizon'); NO small-sample factor; leave_one_out=False. p-values normal.",
        "pretrends_event_study": "with pretrends=True the lead rows (e < -1) are the coefficients of the eq.-9 lead "
                                 "regression below (not imputation-based), with CR1 SEs; post rows are unchanged.",
        "pretrend_test": "BJS eq. 9: on untreated observations only, regress y on unit FE + time FE + lead dummies "
                         "1{t - g = e} for every observed e < -1 (e = -1 and never-treated are the omitted category, "
                         "i.e. 'all available pre-treatment periods minus the reference -1'); F = (gamma' V^-1 gamma)/q "
                         "with V cluster-robust CR1 (G/(G-1)*(N-1)/(N-K), N = #untreated obs, K = #leads + #periods), "
                         "p from F(q, G-1). pyfixest (same regression, CRV1, fixef_rm='none') reproduces it.",
    }
    return out


# ----------------------------------------------------------------------------------------------
# 4. Gardner two-stage
# ----------------------------------------------------------------------------------------------
def gardner_numpy(d, unit, time, cohort):
    """Dense Gardner two-stage with the Butts-Gardner GMM cluster sandwich (no small-sample factor)."""
    d = d.reset_index(drop=True)
    treated = ((d[cohort] > 0) & (d[time] >= d[cohort])).to_numpy()
    units = np.sort(d[unit].unique()); times = np.sort(d[time].unique())
    ui = np.searchsorted(units, d[unit].to_numpy()); ti = np.searchsorted(times, d[time].to_numpy())
    n = len(d)
    X1 = np.zeros((n, len(units) + len(times) - 1))
    X1[np.arange(n), ui] = 1.0
    for j in range(1, len(times)):
        X1[ti == j, len(units) + j - 1] = 1.0
    y = d["y"].to_numpy(float)
    X10 = X1 * (~treated)[:, None]
    beta = np.linalg.solve(X10.T @ X10, X10.T @ y)
    u1 = y - X1 @ beta  # residualized outcome, all rows
    e = (d[time] - d[cohort]).to_numpy()

    def fit(X2):
        XtX = X2.T @ X2
        b = np.linalg.solve(XtX, X2.T @ u1)
        u2 = u1 - X2 @ b
        Vm = np.linalg.solve(X10.T @ X10, X1.T @ X2).T  # (X2'X1)(X10'X10)^-1
        S = np.zeros((len(units), X2.shape[1]))
        np.add.at(S, ui, X2 * u2[:, None] - (X10 * u1[:, None]) @ Vm.T)
        B = np.linalg.solve(XtX, S.T)
        V = B @ B.T
        return b, np.sqrt(np.diag(V))

    b, se = fit(treated.astype(float)[:, None])
    out = {"overall": {"estimate": float(b[0]), "se": float(se[0])}}
    hs = sorted(set(int(h) for h in e[treated]))
    X2 = np.column_stack([(treated & (e == h)).astype(float) for h in hs])
    b, se = fit(X2)
    out["event_study_post_only"] = [{"e": h, "estimate": float(b[i]), "se": float(se[i])} for i, h in enumerate(hs)]
    lead = (d[cohort] > 0).to_numpy() & ~treated
    ls = sorted(set(int(h) for h in e[lead] if h != -1))
    X2 = np.column_stack([(lead & (e == h)).astype(float) for h in ls]
                         + [(treated & (e == h)).astype(float) for h in hs])
    b, se = fit(X2)
    out["event_study_with_leads"] = [{"e": h, "estimate": float(b[i]), "se": float(se[i])}
                                     for i, h in enumerate(ls + hs)]
    return out


def pf_did2s(d, unit, time, second, patched):
    PF_DID2S_MODULE.feols = functools.partial(PF_FEOLS_ORIG, fixef_rm="none") if patched else PF_FEOLS_ORIG
    try:
        m = pf.did2s(d, yname="y", first_stage=f"~ 0 | {unit} + {time}", second_stage=second,
                     treatment="treat_post", cluster=unit)
    finally:
        PF_DID2S_MODULE.feols = PF_FEOLS_ORIG
    return m


def two_stage(d, unit, time, cohort):
    out = {}
    d = d.copy()
    d["rel_post"] = np.where(d["treat_post"] == 1, d["rel"], -1).astype(int)
    runs = {}
    for patched in (False, True):
        tag = "fixef_rm_none" if patched else "unpatched_default"
        try:
            m_att = pf_did2s(d, unit, time, "~ treat_post", patched)
            m_es = pf_did2s(d, unit, time, "~ i(rel, ref=-1)", patched)
            m_post = pf_did2s(d, unit, time, "~ i(rel_post, ref=-1)", patched)
            runs[tag] = {
                "overall_att": {"estimate": fl(m_att.coef()["treat_post"]), "se": fl(m_att.se()["treat_post"]),
                                "n_obs_second_stage": int(m_att._N)},
                "event_study_with_leads": sorted(
                    [{"e": rel_key(k), "estimate": fl(m_es.coef()[k]), "se": fl(m_es.se()[k])}
                     for k in m_es.coef().index], key=lambda r: r["e"]),
                "event_study_post_only": sorted(
                    [{"e": rel_key(k), "estimate": fl(m_post.coef()[k]), "se": fl(m_post.se()[k])}
                     for k in m_post.coef().index], key=lambda r: r["e"]),
            }
        except Exception as exc:  # noqa: BLE001
            runs[tag] = {"error": f"{type(exc).__name__}: {str(exc).strip()}"}
    out["pyfixest_did2s"] = {
        "call": "pf.did2s(data, yname, first_stage='~ 0 | unit + time', second_stage=S, treatment='treat_post', "
                "cluster=unit) with S = '~ treat_post' (overall), '~ i(rel, ref=-1)' (event study with leads; "
                "never-treated rel = -1, so reference = {e = -1, never-treated}, same as R did2s "
                "i(rel_year, ref = c(-1, Inf))), '~ i(rel_post, ref=-1)' (post-only: rel_post = rel for treated obs, "
                "-1 for all untreated obs). 'unpatched_default' = pyfixest as shipped (first stage fixef_rm="
                "'singleton'); 'fixef_rm_none' = first-stage feols with fixef_rm='none' (see module docstring). "
                "pyfixest recovers the first-stage FE with Feols.fixef() = scipy lsqr at atol=btol=1e-6, so these "
                "values are accurate to ~1e-8 only; numpy_check holds exact values.",
        "runs": runs,
    }
    ts = dd.TwoStageDiD().fit(d, outcome="y", unit=unit, time=time, first_treat=cohort)
    ts_pt = dd.TwoStageDiD(pretrends=True).fit(d, outcome="y", unit=unit, time=time, first_treat=cohort)
    out["diff_diff"] = {
        "call": "TwoStageDiD().fit(data, outcome, unit, time, first_treat) (defaults: anticipation=0, cluster=unit, "
                "vcov_type='hc1' = Gardner GMM cluster sandwich); .aggregate('event_study'), .aggregate('group'); "
                "TwoStageDiD(pretrends=True) for leads",
        "overall_att": {"estimate": fl(ts.overall_att), "se": fl(ts.overall_se), "p_value": fl(ts.overall_p_value)},
        "event_study": es_container_rows(ts.aggregate("event_study")),
        "event_study_with_pretrends": es_container_rows(ts_pt.aggregate("event_study")),
        "by_cohort": group_container_rows(ts),
    }
    gn = gardner_numpy(d, unit, time, cohort)
    dm = max(abs(gn["overall"]["estimate"] - ts.overall_att), abs(gn["overall"]["se"] - ts.overall_se))
    for key, rows in (("event_study_post_only", out["diff_diff"]["event_study"]),
                      ("event_study_with_leads", out["diff_diff"]["event_study_with_pretrends"])):
        for a in gn[key]:
            b = [r for r in rows if r["e"] == a["e"]][0]
            dm = max(dm, abs(a["estimate"] - b["estimate"]), abs(a["se"] - b["se"]))
    gn["max_abs_diff_vs_diff_diff"] = float(dm)
    gn["what"] = ("dense numpy Gardner two-stage: X1 = unit dummies + (T-1) time dummies, first stage on untreated "
                  "rows, GMM sandwich as in 'se' below, clustered by unit")
    out["numpy_check"] = gn
    # compare
    ref = runs.get("fixef_rm_none", {})
    if "overall_att" in ref:
        dm = max(abs(ref["overall_att"]["estimate"] - ts.overall_att), abs(ref["overall_att"]["se"] - ts.overall_se))
        for a in ref["event_study_with_leads"]:
            b = [r for r in out["diff_diff"]["event_study_with_pretrends"] if r["e"] == a["e"]][0]
            dm = max(dm, abs(a["estimate"] - b["estimate"]), abs(a["se"] - b["se"]))
        for a in ref["event_study_post_only"]:
            b = [r for r in out["diff_diff"]["event_study"] if r["e"] == a["e"]][0]
            dm = max(dm, abs(a["estimate"] - b["estimate"]), abs(a["se"] - b["se"]))
        out["max_abs_diff_pyfixest_fixef_rm_none_vs_diff_diff"] = float(dm)
    if "overall_att" in runs.get("unpatched_default", {}) and "overall_att" in ref:
        u = runs["unpatched_default"]
        dm = abs(u["overall_att"]["estimate"] - ref["overall_att"]["estimate"])
        dm = max(dm, abs(u["overall_att"]["se"] - ref["overall_att"]["se"]))
        for a, b in zip(u["event_study_with_leads"], ref["event_study_with_leads"]):
            dm = max(dm, abs(a["estimate"] - b["estimate"]), abs(a["se"] - b["se"]))
        out["max_abs_diff_pyfixest_unpatched_vs_fixef_rm_none"] = float(dm)
    out["conventions"] = {
        "first_stage": "OLS of y on unit + time FE on all untreated observations (t < g, and never-treated); "
                       "residualize every observation: y~_it = y_it - a_i - l_t.",
        "second_stage": "OLS of y~ on treatment indicators without intercept: overall = 1{t >= g}; event study = "
                        "1{t - g = e} dummies. Post-horizon point estimates equal the BJS imputation estimates. "
                        "Leads (with leads / pretrends=True): dummies for every observed e < -1, reference = e = -1 "
                        "and never-treated observations; lead estimates are means of first-stage residuals, not "
                        "eq.-9 coefficients, hence different from ImputationDiD's pretrends rows.",
        "se": "Gardner (2022) / Butts-Gardner did2s GMM sandwich clustered by unit: V = (X2'X2)^-1 [sum_g s_g s_g'] "
              "(X2'X2)^-1 with s_g = X2g'u2g - (X2'X1)(X10'X10)^-1 X10g'u1g (X1 = full FE design, X10 = X1 with "
              "treated rows zeroed, u1 = first-stage residual y~, u2 = second-stage residual); NO small-sample "
              "factor (neither G/(G-1) nor (N-1)/(N-K)). pyfixest p-values: t(G-1); diff-diff: normal.",
        "horizons": "all observed post horizons (diff-diff horizon_max=None); e = -1 listed as reference row "
                    "(estimate 0, SE null) in diff-diff containers.",
    }
    return out


# ----------------------------------------------------------------------------------------------
# 5. Goodman-Bacon
# ----------------------------------------------------------------------------------------------
def bacon_numpy(d, unit, time, cohort):
    """Goodman-Bacon (2021) Theorem 1 on a balanced panel: 2x2 estimates and weights (eqs. 10e-g)."""
    times = np.sort(d[time].unique()); T = len(times)
    N = d[unit].nunique()
    ft = d.groupby(unit)[cohort].first()
    groups = sorted(int(g) for g in ft.unique() if g > 0)
    nU = int((ft == 0).sum()) / N
    share = {g: int((ft == g).sum()) / N for g in groups}
    Dbar = {g: float((times >= g).mean()) for g in groups}
    ym = d.groupby([cohort, time])["y"].mean()

    def mean_y(g, lo, hi):  # mean of y for cohort g over times in [lo, hi)
        ts = [t for t in times if lo <= t < hi]
        return float(np.mean([ym[(g, t)] for t in ts]))

    inf = times.max() + 1
    rows = []
    for k in groups:
        if nU > 0:
            est = (mean_y(k, k, inf) - mean_y(k, -np.inf, k)) - (mean_y(0, k, inf) - mean_y(0, -np.inf, k))
            nkU = share[k] / (share[k] + nU)
            s = (share[k] + nU) ** 2 * nkU * (1 - nkU) * Dbar[k] * (1 - Dbar[k])
            rows.append({"treated": k, "control": "never_treated", "type": "treated_vs_never", "estimate": est, "s": s})
    for k in groups:
        for l in groups:
            if l <= k:
                continue
            # k earlier (treated), l later (control), window [min, l)
            Dk, Dl = Dbar[k], Dbar[l]
            nkl = share[k] / (share[k] + share[l])
            est = (mean_y(k, k, l) - mean_y(k, -np.inf, k)) - (mean_y(l, k, l) - mean_y(l, -np.inf, k))
            s = ((share[k] + share[l]) * (1 - Dl)) ** 2 * nkl * (1 - nkl) * ((Dk - Dl) / (1 - Dl)) * ((1 - Dk) / (1 - Dl))
            rows.append({"treated": k, "control": l, "type": "earlier_vs_later", "estimate": est, "s": s})
            # l later (treated), k earlier (control, already treated), window [k, max]
            est = (mean_y(l, l, inf) - mean_y(l, k, l)) - (mean_y(k, l, inf) - mean_y(k, k, l))
            s = ((share[k] + share[l]) * Dk) ** 2 * nkl * (1 - nkl) * (Dl / Dk) * ((Dk - Dl) / Dk)
            rows.append({"treated": l, "control": k, "type": "later_vs_earlier", "estimate": est, "s": s})
    # V^D: variance of two-way demeaned treatment
    D = ((d[cohort] > 0) & (d[time] >= d[cohort])).astype(float)
    dd_ = d.assign(D=D)
    Dt = D - dd_.groupby(unit)["D"].transform("mean") - dd_.groupby(time)["D"].transform("mean") + D.mean()
    VD = float((Dt ** 2).mean())
    tot = sum(r["s"] for r in rows)
    for r in rows:
        r["weight"] = r["s"] / VD
    return rows, VD, tot


def bacon(d, unit, time, cohort, twfe_coef):
    b = dd.BaconDecomposition(weights="exact").fit(d, outcome="y", unit=unit, time=time, first_treat=cohort)
    comps = []
    for c in b.comparisons:
        comps.append({"treated_group": int(c.treated_group),
                      "control_group": (c.control_group if isinstance(c.control_group, str) else int(c.control_group)),
                      "type": c.comparison_type, "estimate": fl(c.estimate), "weight": fl(c.weight),
                      "n_treated_units": int(c.n_treated), "n_control_units": int(c.n_control),
                      "time_window": [int(c.time_window[0]), int(c.time_window[1])]})
    wsum = float(sum(c["estimate"] * c["weight"] for c in comps))
    rows, VD, tot = bacon_numpy(d, unit, time, cohort)
    dmax = 0.0
    for r in rows:
        m = [c for c in comps if c["treated_group"] == r["treated"] and c["control_group"] == r["control"]]
        assert len(m) == 1 and m[0]["type"] == r["type"], (r, m)
        dmax = max(dmax, abs(m[0]["estimate"] - r["estimate"]), abs(m[0]["weight"] - r["weight"]))
    totals = {}
    for t in ("treated_vs_never", "earlier_vs_later", "later_vs_earlier"):
        cs = [c for c in comps if c["type"] == t]
        w = sum(c["weight"] for c in cs)
        totals[t] = {"weight": float(w), "weighted_avg_estimate": (float(sum(c["weight"] * c["estimate"] for c in cs) / w) if w > 0 else None)}
    return {
        "diff_diff": {
            "call": "BaconDecomposition(weights='exact').fit(data, outcome, unit, time, first_treat)",
            "twfe_estimate": fl(b.twfe_estimate),
            "comparisons": comps,
            "by_type": totals,
            "decomposition_error_reported": fl(b.decomposition_error),
        },
        "weighted_sum": wsum,
        "twfe_coefficient_pyfixest": twfe_coef,
        "abs_diff_weighted_sum_vs_twfe": abs(wsum - twfe_coef),
        "sum_of_weights": float(sum(c["weight"] for c in comps)),
        "numpy_check": {
            "V_D": VD, "sum_unnormalised_s": tot,
            "comparisons": [{"treated_group": r["treated"], "control_group": r["control"], "type": r["type"],
                             "estimate": r["estimate"], "weight": r["weight"]} for r in rows],
            "max_abs_diff_vs_diff_diff": float(dmax),
        },
        "conventions": {
            "types": "treated_vs_never: cohort k vs never-treated over the whole panel (pre = t < k, post = t >= k); "
                     "earlier_vs_later: earlier cohort k treated, later cohort l as control, window t < l "
                     "(pre = t < k, post = k <= t < l); later_vs_earlier: later cohort l treated, already-treated "
                     "earlier cohort k as control, window t >= k (pre = k <= t < l, post = t >= l). Each 2x2 estimate "
                     "is a difference of differences of period-averaged cohort means.",
            "weights": "Goodman-Bacon (2021) Theorem 1 (eqs. 10e-g), n = unit shares, Dbar = share of periods "
                       "treated; s_kU = (n_k+n_U)^2 n_kU(1-n_kU) Dbar_k(1-Dbar_k) / V^D; "
                       "s_kl^k = ((n_k+n_l)(1-Dbar_l))^2 n_kl(1-n_kl) (Dbar_k-Dbar_l)/(1-Dbar_l) (1-Dbar_k)/(1-Dbar_l) / V^D; "
                       "s_kl^l = ((n_k+n_l)Dbar_k)^2 n_kl(1-n_kl) (Dbar_l/Dbar_k) (Dbar_k-Dbar_l)/Dbar_k / V^D; "
                       "V^D = mean of the squared two-way-demeaned treatment dummy. Weights sum to 1 and "
                       "sum(weight*estimate) = static TWFE coefficient. (diff-diff's default weights='approximate' "
                       "does NOT satisfy this; not stored.)",
            "time_window": "diff-diff's reported (start, end) calendar window of each 2x2.",
        },
    }


# ----------------------------------------------------------------------------------------------
def run_all(d, unit, time, cohort, bin_window):
    d = add_cols(d, unit, time, cohort)
    lo, hi = bin_window
    d["rel_binned"] = d["rel"].clip(lo, hi)
    res = {}
    es = twfe_event(d, unit, time, "rel", unit)
    es["conventions"] = {
        "rel": "rel = time - first_treat for ever-treated units; never-treated units get rel = -1, i.e. they are "
               "in the omitted reference category together with the e = -1 observations of treated units "
               "(equivalent to fixest/pyfixest ref = c(-1, <never-treated value>)).",
        "estimated": "one dummy per observed rel value except -1; no binning, no trimming.",
        "se": "CRV1 clustered by unit (see ssc).",
    }
    res["twfe_event_study"] = es
    esb = twfe_event(d, unit, time, "rel_binned", unit)
    esb["conventions"] = {
        "rel_binned": f"rel_binned = min(max(rel, {lo}), {hi}) (numpy/pandas clip) with never-treated rel = -1 as "
                      f"above: all leads <= {lo} share one dummy (rel_binned = {lo}) and all lags >= {hi} share one "
                      f"dummy (rel_binned = {hi}); reference -1 as above.",
        "window": [lo, hi],
    }
    res["twfe_event_study_binned"] = esb
    st = twfe_static(d, unit, time, unit)
    st["conventions"] = {"treat_post": "1 if first_treat > 0 and time >= first_treat else 0; CRV1 by unit."}
    res["twfe_static"] = st
    res["sun_abraham"] = sun_abraham(d, unit, time, cohort)
    res["imputation_bjs"] = imputation(d, unit, time, cohort)
    res["two_stage_gardner"] = two_stage(d, unit, time, cohort)
    res["bacon_decomposition"] = bacon(d, unit, time, cohort, st["estimate"])
    return res


def main():
    pkgs = {p: version(p) for p in ("pyfixest", "diff-diff", "numpy", "pandas", "scipy")}
    pkgs["python"] = platform.python_version()
    out = {
        "generator": "crates/phare-causal/tests/reference/event_generate.py",
        "packages": pkgs,
        "note": "floats are Python repr of float64 (full precision); NaN/undefined stored as null. "
                "Within-package cross-checks (max_abs_diff_*) are stored next to the values they check. "
                "pyfixest numbers can change between runs in the last 1-2 bits (~1e-16 relative; parallel "
                "summation order), so compare with a tolerance (1e-10 or looser for pyfixest-only values).",
        "datasets": {},
    }
    mp = pd.read_csv(DATA).rename(columns={"lemp": "y"})
    mp_info = {
        "source": DATA, "outcome": "lemp", "unit": "countyreal", "time": "year", "cohort": "first_treat",
        "n_obs": int(len(mp)), "n_units": int(mp.countyreal.nunique()),
        "cohort_sizes": {str(int(g)): int(n) for g, n in mp.groupby("first_treat").countyreal.nunique().items()},
        "bin_window": [-3, 2],
    }
    mp_info["results"] = run_all(mp[["countyreal", "year", "first_treat", "y"]], "countyreal", "year", "first_treat",
                                 (-3, 2))
    out["datasets"]["mpdta"] = mp_info

    sim = make_sim()
    sim.to_csv(SIM_CSV, index=False, float_format="%.12f")
    sim = pd.read_csv(SIM_CSV)
    sim_info = {
        "label": "SIMULATED",
        "csv": SIM_CSV, "columns": "unit,t,first_treat,y,true_tau (true_tau = the deterministic effect in y)",
        "outcome": "y", "unit": "unit", "time": "t", "cohort": "first_treat",
        "numpy_seed": SIM_SEED, "generator": "numpy.random.default_rng(seed) (PCG64)",
        "dgp": SIM_DGP_TEXT,
        "n_obs": int(len(sim)), "n_units": int(sim.unit.nunique()), "periods": SIM_PERIODS,
        "cohort_sizes": {str(k): v for k, v in SIM_COHORTS.items()},
        "true_effects": sim_true_effects(sim),
        "bin_window": [-4, 4],
    }
    sim_info["results"] = run_all(sim[["unit", "t", "first_treat", "y"]], "unit", "t", "first_treat", (-4, 4))
    out["datasets"]["simulated"] = sim_info

    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", OUT, "and", SIM_CSV)


if __name__ == "__main__":
    main()
