"""Reference values for phare's selection-on-observables estimators (issue 9): propensity score
(logit), IPW, regression adjustment, AIPW / doubly robust, nearest-neighbour matching
(Abadie-Imbens), balance diagnostics.

README
======
Run from the repository root (about 12 minutes on the 2-core machine; the statsmodels joint-GMM
steps and the within-arm matching on the 16,177-row CPS sample dominate):
    nice /root/venv-weight/bin/python crates/phare-causal/tests/reference/weighting_generate.py
Install (fresh virtualenv, nothing else needed):
    python3 -m venv /root/venv-weight &&
    /root/venv-weight/bin/pip install statsmodels pandas numpy scipy scikit-learn causalinference \
        drdid==1.1.7
Versions and licences actually used are read from the installed metadata and written to
meta.packages in the JSON (at generation: statsmodels 0.15.0 BSD-3-Clause, causalinference
0.1.3.post1 BSD-3-Clause, drdid 1.1.7 MIT, scikit-learn 1.9.1 BSD-3-Clause, numpy 2.4.6, scipy
1.17.1, pandas 3.1.1, patsy 1.0.3, python 3.11.7). All peers are used as black boxes through their
public API; no GPL package is used.

Outputs (this directory):
  weighting_reference.json  every reference number (deterministic apart from meta.date_utc)
  weighting_simulated.csv   SIMULATED data (label column = SIMULATED), n = 2000, seed SIM_SEED
Timings are in the separate weighting_timing.py / weighting_timing.json; the simulated design
(`simulate`) lives in weighting_timing.py and is imported here, so both use one generator.

Data: datasets/nsw_dw.csv (NSW experimental sample of Dehejia-Wahba: 185 treated, 260 controls)
and datasets/cps_controls.csv (CPS-1 comparison group, 15,992 rows, all treat = 0). Samples:
  "nsw_exp" = nsw_dw.csv as is (445 rows, row order kept);
  "cps"     = the 185 NSW treated rows (file order) followed by the 15,992 CPS rows (file order),
              16,177 rows. Row order matters only for tie-breaking in the no-replacement matching.
Derived covariates: u74 = 1{re74 == 0}, u75 = 1{re75 == 0}, age2 = age^2, educ2 = educ^2,
re74sq = re74^2, re75sq = re75^2.

Blocks of the JSON (top-level keys)
-----------------------------------
meta                 date, command, python, packages {version, licence}, data SHA-256s,
                     conventions, the statsmodels quirks found (read this before matching SEs).
experimental_benchmark
                     NSW experiment: mean re78 treated - control (1794.34) with the unequal-
                     variance (Neyman/Welch) SE and the pooled-variance OLS SE, plus statsmodels
                     OLS(re78 ~ 1 + treat) with nonrobust/HC0/HC1/HC2 SEs (HC2 == Neyman).
propensity.<sample>.<spec>
                     Logit MLE (statsmodels Logit, Newton, tol 1e-12) for spec "dw" (const, age,
                     age2, educ, educ2, black, hisp, marr, nodegree, re74, re75, re74sq, re75sq,
                     u74, u75: the Dehejia-Wahba specification) and "simple" (const, age, educ,
                     black, hisp, marr, nodegree, re74, re75). Coefficients are given in raw
                     dollars (params) and with earnings in $1000 (params_thousands; the model
                     actually fitted, since it is much better conditioned: re74sq in dollars is
                     ~1e9); bse (inverse-Hessian), llf, iterations, converged, max|score|,
                     pscore summaries and the first 5 pscores of each arm.
treatment_effects.<sample>.<spec>.<method>_<target>
                     statsmodels TreatmentEffect with selection = that logit (earnings in $1000)
                     and outcome = OLS(re78 ~ const, age, educ, black, hisp, marr, nodegree, re74,
                     re75) fitted separately per arm by TreatmentEffect (earnings in dollars).
                     method in ipw, ra, aipw, aipw_wls, ipw_ra; target ate (effect_group="all")
                     or att (effect_group=1; only ipw, ra, ipw_ra accept it). Each entry:
                       call          the exact Python call
                       closed_form   te.<m>(return_results=False): [ATE/ATT, POM0, POM1], exact
                                     formulas evaluated at the logit MLE and per-arm OLS (this is
                                     the point estimate phare must match at 1e-6)
                       gmm           te.<m>(): effect/sd/statistic/pvalue of the joint GMM fit
                                     (or the exception raised), plus gmm_minus_closed_form.
                       script_sandwich
                                     THIS SCRIPT's own numpy M-estimation sandwich (analytic
                                     Jacobian, no clipping): same estimating equations as
                                     statsmodels' GMM, so it equals statsmodels' SE wherever the
                                     statsmodels GMM is well behaved (validated in
                                     meta.sandwich_validation) and gives a usable SE where it is
                                     not (CPS sample). Not a third-party peer.
                       if_plain_se   (aipw ATE only) sqrt(mean((psi_i - tau)^2) / n), the plain
                                     influence-function SE that treats both nuisance models as
                                     known (script formula).
                     Also drdid_att.<spec>: drdid 1.1.7 (MIT) panel estimators with y1 = re78,
                     y0 = 0 (so Delta y = re78): drdid_panel = Sant'Anna-Zhao doubly robust ATT,
                     std_ipw_did_panel = normalised IPW ATT, reg_did_panel = outcome-regression
                     ATT; each with its influence function SEs sqrt(mean(IF^2)/n) and
                     sd(IF, ddof=1)/sqrt(n) (R DRDID's). drdid uses ONE covariate matrix for both
                     the propensity and the outcome model (the <spec> design).
                     And scale_sensitivity (cps only): the statsmodels IPW ATE GMM with the
                     selection logit in raw dollars, showing that its numbers depend on units.
                     And numeric_jacobian_check (nsw_exp.dw only): statsmodels' SE recomputed
                     with finite-difference steps 1e-4 (its default), 1e-5, 1e-6 next to the
                     script sandwich, showing that the dw-spec gap is statsmodels' step size.
matching.<sample>.<metric>
                     Nearest-neighbour matching with replacement, M = 1, ties included (every unit
                     at the M-th smallest distance is a match, weight 1/#matches), metric:
                       pscore_dw   |p_i - p_j| on the dw-spec logit pscore (1-D)
                       pscore_simple  same with the simple-spec pscore
                       inv_var     diag(1 / var(X, ddof=0, full sample)) on the 8 simple
                                   covariates (age, educ, black, hisp, marr, nodegree, re74,
                                   re75): the Abadie-Imbens default metric
                       maha        Mahalanobis with inverse full-sample covariance (ddof=1)
                       maha_ci     causalinference's "maha": inv((V_c + V_t)/2), ddof=0
                       (simulated: "pscore" = the [1, x1..x5] logit pscore; X = x1..x5)
                     distance d(i,j) = sum_k sum_l dX_k W_kl dX_l computed as ((dX @ W) * dX).sum()
                     (diagonal W: (dX**2 * w).sum()).
                     causalinference.{plain,bias_adj}: CausalModel(Y, D, X).est_via_matching(
                       weights=W, matches=1, bias_adj=...) -> att/atc/ate and its SEs. Its SEs
                       are NOT the Abadie-Imbens matching-variance estimator: it plugs the
                       sample variance (ddof=0) of the unit-level imputed effects of each arm
                       into the AI weights (see meta.causalinference_variance).
                     script_ai.{plain,bias_adj}: THIS SCRIPT's numpy Abadie-Imbens estimator
                       (points identical to causalinference when there are no ties) with the
                       AI (2006) variance: sigma^2(X_i) from J within-arm matches (J = 1 and 2),
                       sample (SATE/SATT) and population (PATE/PATT) forms; see
                       meta.ai_variance for the exact formulas. No permissive peer implements
                       the AI variance (R Matching is GPL, Stata is proprietary); the AI (2016)
                       correction for an estimated propensity score is NOT applied anywhere.
                     sklearn_check: scikit-learn NearestNeighbors(brute) nearest neighbour of each
                       treated unit vs this script's match (agreement count; ties aside).
matching_no_replacement.<sample>
                     THIS SCRIPT's greedy 1:1 matching on the dw-spec linear predictor (logit of
                     the pscore) for the ATT, with/without replacement, with/without a caliper of
                     0.2 * sd(linear predictor, ddof=1, full sample). No permissive peer found.
balance.<sample>.<spec>
                     Per covariate (age, educ, black, hisp, marr, nodegree, re74, re75, u74, u75):
                     means, SMDs and variance ratios before weighting and after IPW weighting
                     with ATE weights (t/p + (1-t)/(1-p)) and ATT weights (t + (1-t) p/(1-p));
                     effective sample size (sum w)^2 / sum w^2 per arm. Formulas in
                     meta.balance_formulas. Script formulas (no peer).
simulated            The same statsmodels / sandwich / drdid / matching blocks on
                     weighting_simulated.csv, with true ATE/ATT in meta.simulated.

Never hand-edit numbers: every number comes from running this file.
"""
import datetime
import hashlib
import json
import math
import os
import platform
import sys
import time
import warnings
from importlib.metadata import metadata, version

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.treatment.treatment_effects import TreatmentEffect

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
sys.path.insert(0, HERE)
from weighting_timing import DESIGN, simulate  # noqa: E402  (the one shared generator)

NSW = os.path.join(ROOT, "datasets", "nsw_dw.csv")
CPS = os.path.join(ROOT, "datasets", "cps_controls.csv")
OUT_JSON = os.path.join(HERE, "weighting_reference.json")
OUT_CSV = os.path.join(HERE, "weighting_simulated.csv")
SIM_SEED = 20261129
SIM_N = 2000

SIMPLE = ["age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75"]
DW = ["age", "age2", "educ", "educ2", "black", "hisp", "marr", "nodegree", "re74", "re75",
      "re74sq", "re75sq", "u74", "u75"]
BAL_COVS = ["age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75", "u74", "u75"]
SIM_X = ["x1", "x2", "x3", "x4", "x5"]
# columns whose unit changes with the earnings scale, and the power of the scale
EARN_POWER = {"re74": 1, "re75": 1, "re74sq": 2, "re75sq": 2}

warnings.simplefilter("ignore")


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------
def fl(x):
    """JSON-safe float (NaN/inf -> None)."""
    x = float(x)
    return x if math.isfinite(x) else None


def fls(a):
    return [fl(v) for v in np.ravel(np.asarray(a, dtype=float))]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def pkg_info(name):
    md = metadata(name)
    lic = md.get("License-Expression") or md.get("License") or ""
    classifiers = [c for c in (md.get_all("Classifier") or []) if c.startswith("License")]
    return {"version": version(name), "license_metadata": lic.splitlines()[0] if lic else None,
            "license_classifiers": classifiers}


def add_derived(df):
    df = df.copy()
    df["age2"] = df["age"] ** 2
    df["educ2"] = df["educ"] ** 2
    df["re74sq"] = df["re74"] ** 2
    df["re75sq"] = df["re75"] ** 2
    df["u74"] = (df["re74"] == 0).astype(float)
    df["u75"] = (df["re75"] == 0).astype(float)
    return df


def design(df, cols, scale=1.0):
    """[const, cols] with earnings (re74, re75 and their squares) divided by scale^power."""
    mats = [np.ones(len(df))]
    for c in cols:
        v = df[c].to_numpy(dtype=float)
        if c in EARN_POWER:
            v = v / scale ** EARN_POWER[c]
        mats.append(v)
    return np.column_stack(mats)


def logistic(z):
    return 1.0 / (1.0 + np.exp(-z))


# ----------------------------------------------------------------------------------------------
# propensity
# ----------------------------------------------------------------------------------------------
def fit_logit(t, X):
    res = sm.Logit(t, X).fit(method="newton", maxiter=100, tol=1e-12, disp=0)
    return res


def propensity_block(df, t, cols, earn_scale):
    """Fit with earnings in $1000 (earn_scale) and report raw-dollar coefficients too."""
    names = ["const"] + cols
    X_k = design(df, cols, earn_scale)
    res = fit_logit(t, X_k)
    p = res.predict()
    factor = np.array([1.0] + [earn_scale ** -EARN_POWER.get(c, 0) for c in cols])
    # coefficient on x/s^k equals s^k * coefficient on x  ->  raw = thousands / s^k
    params_raw = np.asarray(res.params) * factor
    bse_raw = np.asarray(res.bse) * factor
    # direct raw-dollar fit as a check on the conversion
    res_raw = fit_logit(t, design(df, cols, 1.0))
    score = res.model.score(res.params)
    out = {
        "covariates": names,
        "earnings_scale_in_fit": earn_scale,
        "call": "sm.Logit(treat, X).fit(method='newton', maxiter=100, tol=1e-12, disp=0) with X "
                "= [1, %s], earnings columns divided by %g (squares by %g^2)"
                % (", ".join(cols), earn_scale, earn_scale),
        "params": dict(zip(names, fls(params_raw))),
        "bse": dict(zip(names, fls(bse_raw))),
        "params_thousands": dict(zip(names, fls(res.params))),
        "bse_thousands": dict(zip(names, fls(res.bse))),
        "llf": fl(res.llf),
        "nobs": int(res.nobs),
        "iterations": int(res.mle_retvals["iterations"]),
        "converged": bool(res.mle_retvals["converged"]),
        "max_abs_score_thousands": fl(np.max(np.abs(score))),
        "raw_dollar_fit_check": {
            "converged": bool(res_raw.mle_retvals["converged"]),
            "iterations": int(res_raw.mle_retvals["iterations"]),
            "llf": fl(res_raw.llf),
            "max_rel_param_diff_vs_converted": fl(np.max(np.abs(
                np.asarray(res_raw.params) - params_raw) / np.abs(params_raw))),
            "max_abs_pscore_diff": fl(np.max(np.abs(res_raw.predict() - p))),
        },
        "pscore": {
            "min": fl(p.min()), "max": fl(p.max()), "mean": fl(p.mean()),
            "sum": fl(p.sum()),
            "mean_treated": fl(p[t == 1].mean()), "mean_control": fl(p[t == 0].mean()),
            "min_treated": fl(p[t == 1].min()), "max_control": fl(p[t == 0].max()),
            "n_below_0.01": int((p < 0.01).sum()), "n_below_0.001": int((p < 0.001).sum()),
            "n_above_0.99": int((p > 0.99).sum()),
            "first5_treated": fls(p[t == 1][:5]), "first5_control": fls(p[t == 0][:5]),
            "linear_predictor_sd_ddof1": fl(np.std(np.log(p / (1 - p)), ddof=1)),
        },
    }
    return out, res, p


# ----------------------------------------------------------------------------------------------
# statsmodels TreatmentEffect
# ----------------------------------------------------------------------------------------------
TE_CASES = [("ipw", "ate"), ("ipw", "att"), ("ra", "ate"), ("ra", "att"), ("aipw", "ate"),
            ("aipw_wls", "ate"), ("ipw_ra", "ate"), ("ipw_ra", "att")]


def run_te(te, method, target, call_prefix):
    kw = {} if target == "ate" else {"effect_group": 1}
    f = getattr(te, method)
    kwtxt = "" if target == "ate" else "effect_group=1"
    entry = {"call": "%s.%s(%s)  [closed form: %s.%s(return_results=False%s)]"
             % (call_prefix, method, kwtxt, call_prefix, method,
                "" if target == "ate" else ", effect_group=1")}
    cf = np.ravel(np.asarray(f(return_results=False, **kw), dtype=float))
    entry["closed_form"] = {"effect": fl(cf[0]), "pom0": fl(cf[1]), "pom1": fl(cf[2])}
    t0 = time.perf_counter()
    try:
        res = f(**kw)
        entry["gmm"] = {
            "effect": fls(res.effect), "sd": fls(res.sd), "statistic": fls(res.statistic),
            "pvalue": fls(res.pvalue), "order": ["ATE_or_ATT", "POM0", "POM1"],
            "gmm_minus_closed_form": fls(np.asarray(res.effect) - cf[:3]),
            "n_params_gmm": int(len(res.results_gmm.params)),
        }
    except Exception as e:  # record, do not hide
        entry["gmm"] = {"error": "%s: %s" % (type(e).__name__, e)}
    entry["gmm_seconds"] = round(time.perf_counter() - t0, 1)
    return entry, cf


# ----------------------------------------------------------------------------------------------
# script sandwich (stacked M-estimation, analytic Jacobian)
# ----------------------------------------------------------------------------------------------
def sandwich(y, t, Xo, Xs, p, method, target):
    """Point estimates and HC0 sandwich SEs of (effect, pom0, pom1) from the stacked estimating
    equations used by statsmodels' TreatmentEffect GMM (same equations, exact Jacobian, no
    probability clipping). Parameter vector theta = [mu0, mu1, beta0, beta1, gamma] (blocks that a
    method does not use are omitted). V = A^-1 S A^-T / n, S = M'M/n, A = mean d m / d theta."""
    n = len(y)
    t = t.astype(float)
    c = 1.0 - t
    ks, ko = Xs.shape[1], Xo.shape[1]
    att = target == "att"
    use_ps = method != "ra"
    use_out = method != "ipw"
    # logit score block
    blocks_m, names = [], []

    def ols_w(w):  # weighted OLS coefficients
        Xw = Xo * w[:, None]
        return np.linalg.solve(Xw.T @ Xo, Xw.T @ y)

    # outcome-model weights (w0 on controls, w1 on treated) and their d/dgamma factor
    # (dw/dgamma = dfac * Xs)
    one = np.ones(n)
    zero = np.zeros(n)
    if method in ("ra", "aipw"):
        w0, w1, dw0, dw1 = one, one, zero, zero
    elif method == "ipw_ra":
        if att:
            w0, w1 = p / (1 - p), one
            dw0, dw1 = p / (1 - p), zero
        else:
            w0, w1 = 1 / (1 - p), 1 / p
            dw0, dw1 = p / (1 - p), -(1 - p) / p
    elif method == "aipw_wls":
        w0, w1 = p / (1 - p) ** 2, (1 - p) / p ** 2
        dw0, dw1 = p * (1 + p) / (1 - p) ** 2, (1 - p) * (p - 2) / p ** 2
    else:
        w0 = w1 = dw0 = dw1 = None

    if use_out:
        b0 = ols_w(c * w0)
        b1 = ols_w(t * w1)
        f0, f1 = Xo @ b0, Xo @ b1
        r0, r1 = y - f0, y - f1

    # target-mean moments m_mu_w and their derivatives
    # s = averaging weight for the target population (1 for ATE, t for ATT)
    s = t if att else one
    k = 2 + (2 * ko if use_out else 0) + (ks if use_ps else 0)
    i_b0 = 2
    i_b1 = 2 + ko
    i_g = 2 + (2 * ko if use_out else 0)
    M = np.zeros((n, k))
    A = np.zeros((k, k))
    if method == "ipw":
        if att:
            a0, a1 = c * p / (1 - p), t
            da0 = c * p / (1 - p)   # d a0 / d gamma factor
            da1 = zero
        else:
            a0, a1 = c / (1 - p), t / p
            da0 = c * p / (1 - p)
            da1 = -t * (1 - p) / p
        mu0 = np.sum(a0 * y) / np.sum(a0)
        mu1 = np.sum(a1 * y) / np.sum(a1)
        M[:, 0] = a0 * (y - mu0)
        M[:, 1] = a1 * (y - mu1)
        A[0, 0] = -a0.mean()
        A[1, 1] = -a1.mean()
        A[0, i_g:] = ((da0 * (y - mu0))[:, None] * Xs).mean(0)
        A[1, i_g:] = ((da1 * (y - mu1))[:, None] * Xs).mean(0)
    elif method in ("ra", "ipw_ra"):
        mu0 = np.sum(s * f0) / np.sum(s)
        mu1 = np.sum(s * f1) / np.sum(s)
        M[:, 0] = s * (f0 - mu0)
        M[:, 1] = s * (f1 - mu1)
        A[0, 0] = A[1, 1] = -s.mean()
        A[0, i_b0:i_b0 + ko] = (s[:, None] * Xo).mean(0)
        A[1, i_b1:i_b1 + ko] = (s[:, None] * Xo).mean(0)
    else:  # aipw, aipw_wls (ATE only)
        psi0 = f0 + c * r0 / (1 - p)
        psi1 = f1 + t * r1 / p
        mu0, mu1 = psi0.mean(), psi1.mean()
        M[:, 0] = psi0 - mu0
        M[:, 1] = psi1 - mu1
        A[0, 0] = A[1, 1] = -1.0
        A[0, i_b0:i_b0 + ko] = ((1 - c / (1 - p))[:, None] * Xo).mean(0)
        A[1, i_b1:i_b1 + ko] = ((1 - t / p)[:, None] * Xo).mean(0)
        A[0, i_g:] = ((c * r0 * p / (1 - p))[:, None] * Xs).mean(0)
        A[1, i_g:] = ((-t * r1 * (1 - p) / p)[:, None] * Xs).mean(0)
    if use_out:
        M[:, i_b0:i_b0 + ko] = (c * w0 * r0)[:, None] * Xo
        M[:, i_b1:i_b1 + ko] = (t * w1 * r1)[:, None] * Xo
        A[i_b0:i_b0 + ko, i_b0:i_b0 + ko] = -((c * w0)[:, None] * Xo).T @ Xo / n
        A[i_b1:i_b1 + ko, i_b1:i_b1 + ko] = -((t * w1)[:, None] * Xo).T @ Xo / n
        if use_ps:
            A[i_b0:i_b0 + ko, i_g:] = ((c * dw0 * r0)[:, None] * Xo).T @ Xs / n
            A[i_b1:i_b1 + ko, i_g:] = ((t * dw1 * r1)[:, None] * Xo).T @ Xs / n
    if use_ps:
        M[:, i_g:] = (t - p)[:, None] * Xs
        A[i_g:, i_g:] = -((p * (1 - p))[:, None] * Xs).T @ Xs / n
    S = M.T @ M / n
    Ainv = np.linalg.inv(A)
    V = Ainv @ S @ Ainv.T / n
    g_eff = np.zeros(k)
    g_eff[0], g_eff[1] = -1.0, 1.0
    out = {
        "effect": fl(mu1 - mu0), "pom0": fl(mu0), "pom1": fl(mu1),
        "se_effect": fl(math.sqrt(g_eff @ V @ g_eff)),
        "se_pom0": fl(math.sqrt(V[0, 0])), "se_pom1": fl(math.sqrt(V[1, 1])),
    }
    if method == "aipw":
        psi = psi1 - psi0
        out["if_plain_se"] = fl(math.sqrt(np.mean((psi - psi.mean()) ** 2) / n))
    return out


# ----------------------------------------------------------------------------------------------
# drdid (y1 = outcome, y0 = 0)
# ----------------------------------------------------------------------------------------------
def drdid_block(y, t, X):
    from drdid.drdid import drdid_panel
    from drdid.ipwd_did import std_ipw_did_panel
    from drdid.reg_did import reg_did_panel
    out = {}
    n = len(y)
    for name, f in [("drdid_panel", drdid_panel), ("std_ipw_did_panel", std_ipw_did_panel),
                    ("reg_did_panel", reg_did_panel)]:
        try:
            att, inf = f(y, np.zeros(n), t, covariates=X)
            inf = np.asarray(inf)
            out[name] = {"att": fl(att), "se_if": fl(math.sqrt(np.mean(inf ** 2) / n)),
                         "se_sd_ddof1": fl(np.std(inf, ddof=1) / math.sqrt(n))}
        except Exception as e:
            out[name] = {"error": "%s: %s" % (type(e).__name__, e)}
    return out


# ----------------------------------------------------------------------------------------------
# matching
# ----------------------------------------------------------------------------------------------
def dist(xq, Xp, W):
    dX = Xp - xq
    if W.ndim == 1:
        return (dX ** 2 * W).sum(1)
    return (dX.dot(W) * dX).sum(1)


def nn_sets(Xq, Xp, W, M, exclude_self=False):
    """For each query row: indices into Xp of all pool units with distance <= the M-th smallest
    (ties included). exclude_self: Xq is Xp and row i may not match itself."""
    out = []
    for i in range(Xq.shape[0]):
        d = dist(Xq[i], Xp, W)
        if exclude_self:
            d[i] = np.inf
        kth = np.partition(d, M - 1)[M - 1]
        out.append(np.flatnonzero(d <= kth))
    return out


def nn_sets_self_multi(X, W, Js):
    """Within-arm matching for sigma^2: {J: list of index arrays}, self excluded, ties included;
    one distance computation per row for all J."""
    out = {J: [] for J in Js}
    for i in range(X.shape[0]):
        d = dist(X[i], X, W)
        d[i] = np.inf
        part = np.partition(d, list(range(max(Js))))   # first max(J) positions sorted
        for J in Js:
            kth = part[J - 1]
            out[J].append(np.flatnonzero(d <= kth))
    return out


def counts(sets, npool):
    K = np.zeros(npool)
    K2 = np.zeros(npool)
    for s in sets:
        K[s] += 1.0 / len(s)
        K2[s] += 1.0 / len(s) ** 2
    return K, K2


def wls_slope(Y, X, w):
    keep = w > 0
    Xd = np.column_stack([np.ones(keep.sum()), X[keep]])
    Xw = Xd * w[keep][:, None]
    beta = np.linalg.lstsq(Xw.T @ Xd, Xw.T @ Y[keep], rcond=None)[0]
    return beta[1:]


def ai_matching(Y, D, X, W, M=1, Js=(1, 2)):
    """This script's Abadie-Imbens NN matching with replacement (ties included)."""
    it, ic = np.flatnonzero(D == 1), np.flatnonzero(D == 0)
    Xt, Xc, Yt, Yc = X[it], X[ic], Y[it], Y[ic]
    Nt, Nc = len(it), len(ic)
    N = Nt + Nc
    mt = nn_sets(Xt, Xc, W, M)   # treated -> controls
    mc = nn_sets(Xc, Xt, W, M)   # controls -> treated
    Kc, K2c = counts(mt, Nc)     # controls used by treated
    Kt, K2t = counts(mc, Nt)     # treated used by controls
    # within-arm matches for sigma^2 (J = 1, 2)
    sig = {}
    st_all = nn_sets_self_multi(Xt, W, Js)
    sc_all = nn_sets_self_multi(Xc, W, Js)
    for J in Js:
        st, sc = st_all[J], sc_all[J]
        s2t = np.array([len(s) / (len(s) + 1) * (Yt[i] - Yt[s].mean()) ** 2
                        for i, s in enumerate(st)])
        s2c = np.array([len(s) / (len(s) + 1) * (Yc[i] - Yc[s].mean()) ** 2
                        for i, s in enumerate(sc)])
        sig[J] = (s2t, s2c, sum(len(s) > J for s in st) + sum(len(s) > J for s in sc))
    out = {"n_treated": Nt, "n_control": Nc,
           "n_treated_with_ties": int(sum(len(s) > M for s in mt)),
           "n_control_with_ties": int(sum(len(s) > M for s in mc)),
           "n_distinct_controls_used_att": int((Kc > 0).sum()),
           "max_K_control": fl(Kc.max()), "sum_K_control_sq": fl((Kc ** 2).sum())}
    for J in Js:
        out["n_units_with_ties_in_sigma_matching_J%d" % J] = int(sig[J][2])
    # causalinference-style bias adjustment: regression over matched units repeated once per
    # time matched (integer counts, not 1/#ties), points only
    cnt_c = np.zeros(Nc)
    cnt_t = np.zeros(Nt)
    for s_ in mt:
        cnt_c[s_] += 1
    for s_ in mc:
        cnt_t[s_] += 1
    b0d, b1d = wls_slope(Yc, Xc, cnt_c), wls_slope(Yt, Xt, cnt_t)
    y0d = np.array([Yc[s].mean() + (Xt[i] - Xc[s].mean(0)) @ b0d for i, s in enumerate(mt)])
    y1d = np.array([Yt[s].mean() + (Xc[i] - Xt[s].mean(0)) @ b1d for i, s in enumerate(mc)])
    att_d, atc_d = (Yt - y0d).mean(), (y1d - Yc).mean()
    out["bias_adj_duplicate_weights"] = {
        "att": fl(att_d), "atc": fl(atc_d), "ate": fl((Nt * att_d + Nc * atc_d) / N),
        "note": "bias regression weights = integer match counts (causalinference's rule); "
                "equals bias_adj when no query unit has tied matches"}
    for adj in (False, True):
        Y0t = np.array([Yc[s].mean() for s in mt])   # imputed Y(0) for treated
        Y1c = np.array([Yt[s].mean() for s in mc])   # imputed Y(1) for controls
        if adj:
            b0 = wls_slope(Yc, Xc, Kc)   # mu0 fitted on controls weighted by K_M
            b1 = wls_slope(Yt, Xt, Kt)
            Y0t = Y0t + np.array([(Xt[i] - Xc[s].mean(0)) @ b0 for i, s in enumerate(mt)])
            Y1c = Y1c + np.array([(Xc[i] - Xt[s].mean(0)) @ b1 for i, s in enumerate(mc)])
        itt_t = Yt - Y0t
        itt_c = Y1c - Yc
        att = itt_t.mean()
        atc = itt_c.mean()
        ate = (Nt * att + Nc * atc) / N
        r = {"att": fl(att), "atc": fl(atc), "ate": fl(ate)}
        if adj:
            r["bias_coef_mu0"] = fls(b0)
            r["bias_coef_mu1"] = fls(b1)
        for J in Js:
            s2t, s2c = sig[J][0], sig[J][1]
            v_satt = (s2t.sum() + (Kc ** 2 * s2c).sum()) / Nt ** 2
            v_patt = (((itt_t - att) ** 2).sum() + ((Kc ** 2 - K2c) * s2c).sum()) / Nt ** 2
            # ATE: K for a treated unit counts its use by controls (Kt), for a control its use by
            # treated (Kc)
            v_sate = (((1 + Kt) ** 2 * s2t).sum() + ((1 + Kc) ** 2 * s2c).sum()) / N ** 2
            tau_i = np.concatenate([itt_t, itt_c])
            v_pate = (((tau_i - ate) ** 2).sum()
                      + ((2 * Kt + Kt ** 2 - K2t) * s2t).sum()
                      + ((2 * Kc + Kc ** 2 - K2c) * s2c).sum()) / N ** 2
            r["J%d" % J] = {"se_satt": fl(math.sqrt(v_satt)), "se_patt": fl(math.sqrt(v_patt)),
                            "se_sate": fl(math.sqrt(v_sate)), "se_pate": fl(math.sqrt(v_pate))}
        out["bias_adj" if adj else "plain"] = r
    out["_first_match_treated"] = [int(s[0]) if len(s) == 1 else -1 for s in mt]
    return out


class MatrixWeights(np.ndarray):
    """ndarray whose == against a str is plain False. causalinference 0.1.3.post1 tests
    `weights == 'inv'` before using a user matrix; with numpy 2 that comparison is elementwise and
    raises 'truth value of an array ... is ambiguous', so its documented matrix option fails
    without this view. Values are untouched."""

    def __eq__(self, other):
        if isinstance(other, str):
            return False
        return super().__eq__(other)

    __hash__ = None


def causalinference_matching(Y, D, X, W, ci_weights):
    from causalinference import CausalModel
    out = {}
    w_arg = ci_weights if isinstance(ci_weights, str) else np.asarray(W).view(MatrixWeights)
    out["weights_argument"] = ci_weights if isinstance(ci_weights, str) else \
        "the metric matrix/vector W (passed as an ndarray view, see MatrixWeights)"
    for adj in (False, True):
        cm = CausalModel(Y, D, X)
        try:
            cm.est_via_matching(weights=w_arg, matches=1, bias_adj=adj)
            e = cm.estimates["matching"]
            out["bias_adj" if adj else "plain"] = {
                k: fl(e[k]) for k in ["att", "atc", "ate", "att_se", "atc_se", "ate_se"]}
        except Exception as ex:
            out["bias_adj" if adj else "plain"] = {"error": "%s: %s" % (type(ex).__name__, ex)}
    return out


def sklearn_check(X, D, W, first_match):
    from sklearn.neighbors import NearestNeighbors
    it, ic = np.flatnonzero(D == 1), np.flatnonzero(D == 0)
    if W.ndim == 1:
        Z = X * np.sqrt(W)
        nn = NearestNeighbors(n_neighbors=1, algorithm="brute").fit(Z[ic])
        idx = nn.kneighbors(Z[it], return_distance=False)[:, 0]
        how = "NearestNeighbors(n_neighbors=1, algorithm='brute') on X * sqrt(w)"
    else:
        nn = NearestNeighbors(n_neighbors=1, algorithm="brute", metric="mahalanobis",
                              metric_params={"VI": W}).fit(X[ic])
        idx = nn.kneighbors(X[it], return_distance=False)[:, 0]
        how = ("NearestNeighbors(n_neighbors=1, algorithm='brute', metric='mahalanobis', "
               "metric_params={'VI': W})")
    fm = np.asarray(first_match)
    uniq = fm >= 0
    return {"call": how, "treated_with_unique_match": int(uniq.sum()),
            "agree": int((idx[uniq] == fm[uniq]).sum())}


def matching_block(Y, D, Xdict):
    out = {}
    for metric, (X, W, desc) in Xdict.items():
        t0 = time.perf_counter()
        ai = ai_matching(Y, D, X, W)
        fm = ai.pop("_first_match_treated")
        ci_w = {"inv_var": "inv", "maha_ci": "maha"}.get(metric, W)
        out[metric] = {
            "description": desc,
            "covariates_dim": int(X.shape[1]),
            "causalinference": causalinference_matching(Y, D, X, W, ci_w),
            "causalinference_call": "CausalModel(Y, D, X).est_via_matching(weights=<see "
                                    "weights_argument>, matches=1, bias_adj=False|True)",
            "script_ai": ai,
            "sklearn_check": sklearn_check(X, D, W, fm),
            "seconds": round(time.perf_counter() - t0, 1),
        }
    return out


def metrics_for(df, p_dw, p_simple, cols, p_label="pscore_dw"):
    X = df[cols].to_numpy(dtype=float)
    D = df["treat"].to_numpy() if "treat" in df else None
    Xc, Xt = X[D == 0], X[D == 1]
    Vc = np.cov(Xc, rowvar=False, ddof=0)
    Vt = np.cov(Xt, rowvar=False, ddof=0)
    out = {}
    if p_dw is not None:
        out[p_label] = (p_dw[:, None], np.array([1.0]),
                        "|p_i - p_j|, %s logit pscore" % ("dw-spec" if p_label == "pscore_dw"
                                                          else "[1, x1..x5]"))
    if p_simple is not None:
        out["pscore_simple"] = (p_simple[:, None], np.array([1.0]),
                                "|p_i - p_j|, simple-spec logit pscore")
    out["inv_var"] = (X, 1.0 / X.var(0), "diag(1/var(X, ddof=0, full sample)); X = "
                      + ",".join(cols))
    out["maha"] = (X, np.linalg.inv(np.cov(X, rowvar=False, ddof=1)),
                   "inv(cov(X, ddof=1, full sample)); X = " + ",".join(cols))
    out["maha_ci"] = (X, np.linalg.inv((Vc + Vt) / 2),
                      "inv((cov_c + cov_t)/2), ddof=0 (causalinference 'maha'); X = "
                      + ",".join(cols))
    return out


def greedy_matching(Y, D, lp, caliper, replace, order="desc"):
    """Greedy 1:1 NN on the linear predictor lp for the ATT (script formula)."""
    it, ic = np.flatnonzero(D == 1), np.flatnonzero(D == 0)
    # treated processed by descending lp (stable: ties keep row order)
    order_t = it[np.argsort(-lp[it], kind="stable")]
    avail = np.ones(len(ic), dtype=bool)
    pairs = []
    for i in order_t:
        d = np.abs(lp[ic] - lp[i])
        if not replace:
            d = np.where(avail, d, np.inf)
        j = int(np.argmin(d))   # lowest row index among equal distances
        if not np.isfinite(d[j]) or (caliper is not None and d[j] > caliper):
            continue
        pairs.append((i, ic[j]))
        if not replace:
            avail[j] = False
    if not pairs:
        return {"n_matched_treated": 0}
    pi = np.array(pairs)
    diff = Y[pi[:, 0]] - Y[pi[:, 1]]
    return {"n_matched_treated": int(len(pi)), "n_distinct_controls": int(len(set(pi[:, 1]))),
            "att": fl(diff.mean()),
            "se_paired": fl(np.std(diff, ddof=1) / math.sqrt(len(diff))),
            "mean_abs_lp_distance": fl(np.abs(lp[pi[:, 0]] - lp[pi[:, 1]]).mean())}


def no_replacement_block(Y, D, p):
    lp = np.log(p / (1 - p))
    cal = 0.2 * np.std(lp, ddof=1)
    out = {"distance": "|lp_i - lp_j|, lp = log(p/(1-p)) of the dw-spec pscore",
           "order": "treated in descending lp (stable sort, so ties keep file order); each takes "
                    "the nearest control (lowest row index among equal distances), removed from "
                    "the pool when without replacement; a treated unit with no control within "
                    "the caliper is dropped",
           "caliper_value": fl(cal), "caliper_rule": "0.2 * sd(lp, ddof=1) over the whole sample",
           "se_paired_formula": "sd(y_t - y_c over pairs, ddof=1) / sqrt(pairs)"}
    for name, c, rep in [("without_replacement", None, False),
                         ("without_replacement_caliper", cal, False),
                         ("with_replacement_caliper", cal, True),
                         ("with_replacement", None, True)]:
        out[name] = greedy_matching(Y, D, lp, c, rep)
    return out


# ----------------------------------------------------------------------------------------------
# balance
# ----------------------------------------------------------------------------------------------
def wvar(x, w):
    m = np.sum(w * x) / np.sum(w)
    return np.sum(w * (x - m) ** 2) / (np.sum(w) - np.sum(w ** 2) / np.sum(w))


def balance_block(df, t, p, covs):
    t = t.astype(float)
    wsets = {"unweighted": np.ones(len(t)),
             "ipw_ate": t / p + (1 - t) / (1 - p),
             "ipw_att": t + (1 - t) * p / (1 - p)}
    out = {}
    for wname, w in wsets.items():
        blk = {"ess_treated": fl(w[t == 1].sum() ** 2 / (w[t == 1] ** 2).sum()),
               "ess_control": fl(w[t == 0].sum() ** 2 / (w[t == 0] ** 2).sum()),
               "sum_w_treated": fl(w[t == 1].sum()), "sum_w_control": fl(w[t == 0].sum()),
               "covariates": {}}
        for cname in covs:
            x = df[cname].to_numpy(dtype=float)
            xt, xc = x[t == 1], x[t == 0]
            wt, wc = w[t == 1], w[t == 0]
            mt, mc = np.sum(wt * xt) / wt.sum(), np.sum(wc * xc) / wc.sum()
            s2t_u, s2c_u = np.var(xt, ddof=1), np.var(xc, ddof=1)
            vt, vc = wvar(xt, wt), wvar(xc, wc)
            blk["covariates"][cname] = {
                "mean_treated": fl(mt), "mean_control": fl(mc),
                "var_treated": fl(vt), "var_control": fl(vc),
                "smd_pooled": fl((mt - mc) / math.sqrt((s2t_u + s2c_u) / 2)),
                "smd_treated_sd": fl((mt - mc) / math.sqrt(s2t_u)),
                "variance_ratio": fl(vt / vc) if vc > 0 else None,
            }
        out[wname] = blk
    return out


# ----------------------------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------------------------
def te_sample(df, spec_fits, y_col="re78", out_cols=SIMPLE, out_scale=1.0, call_name="te"):
    """statsmodels + sandwich for one sample, for each selection spec."""
    y = df[y_col].to_numpy(dtype=float)
    t = df["treat"].to_numpy().astype(int)
    Xo = design(df, out_cols, out_scale)
    res = {}
    for spec, (res_logit, Xs, p) in spec_fits.items():
        te = TreatmentEffect(sm.OLS(y, Xo), t, results_select=res_logit)
        blk = {"outcome_model": "OLS(y ~ 1 + %s) per arm (fitted by TreatmentEffect)"
               % " + ".join(out_cols),
               "construct": "%s = TreatmentEffect(sm.OLS(y, Xo), treat.astype(int), "
                            "results_select=<propensity %s fit>)" % (call_name, spec)}
        for method, target in TE_CASES:
            if method in ("aipw", "aipw_wls") and target == "att":
                continue
            print("  ", spec, method, target, flush=True)
            entry, cf = run_te(te, method, target, call_name)
            sw = sandwich(y, t, Xo, Xs, p, method, target)
            entry["script_sandwich"] = sw
            entry["script_sandwich_minus_closed_form_effect"] = fl(sw["effect"] - cf[0])
            blk["%s_%s" % (method, target)] = entry
        res[spec] = blk
    return res


def sandwich_validation(te_blocks):
    """max relative difference between statsmodels GMM sd and the script sandwich SE, over the
    cases where the GMM ran and its point equals the closed form to 1e-8 relative."""
    rows = []
    for sample, specs in te_blocks.items():
        for spec, blk in specs.items():
            for key, e in blk.items():
                if not isinstance(e, dict) or "gmm" not in e or "error" in e["gmm"]:
                    continue
                g = e["gmm"]
                cf = e["closed_form"]["effect"]
                if abs(g["effect"][0] - cf) > 1e-8 * max(1.0, abs(cf)):
                    continue
                sw = e["script_sandwich"]
                rel = [abs(g["sd"][0] / sw["se_effect"] - 1), abs(g["sd"][1] / sw["se_pom0"] - 1),
                       abs(g["sd"][2] / sw["se_pom1"] - 1)]
                rows.append({"case": "%s.%s.%s" % (sample, spec, key), "max_rel_diff": fl(max(rel))})
    return rows


def att_population(n_gh=60, n_gl=40):
    """E[p tau] / E[p] for the simulated design by tensor Gauss quadrature."""
    xg, wg = np.polynomial.hermite_e.hermegauss(n_gh)
    wg = wg / wg.sum()
    xl, wl = np.polynomial.legendre.leggauss(n_gl)
    x5 = 1.0 + xl          # Uniform(0,2): x = 1 + u, u in [-1,1], density 1/2
    w5 = wl / 2.0
    num = den = 0.0
    c = DESIGN["ps_coef"]
    tc = DESIGN["tau_coef"]
    X1, X2, X3 = np.meshgrid(xg, xg, xg, indexing="ij")
    W123 = wg[:, None, None] * wg[None, :, None] * wg[None, None, :]
    for x4, w4 in ((0.0, 0.6), (1.0, 0.4)):
        for v5, ww5 in zip(x5, w5):
            lin = c["const"] + c["x1"] * X1 + c["x2"] * X2 + c["x3"] * X3 + c["x4"] * x4 \
                + c["x5"] * v5
            pp = 1 / (1 + np.exp(-lin))
            tau = tc["const"] + tc["x1"] * X1 + tc["x4"] * x4
            num += w4 * ww5 * np.sum(W123 * pp * tau)
            den += w4 * ww5 * np.sum(W123 * pp)
    return num / den, den


def main():
    t_start = time.perf_counter()
    nsw = add_derived(pd.read_csv(NSW))
    cps = add_derived(pd.read_csv(CPS))
    obs = pd.concat([nsw[nsw.treat == 1], cps], ignore_index=True)
    samples = {"nsw_exp": nsw.reset_index(drop=True), "cps": obs}

    out = {"meta": {}, "experimental_benchmark": {}, "propensity": {}, "treatment_effects": {},
           "matching": {}, "matching_no_replacement": {}, "balance": {}, "simulated": {}}

    # ---- (a) experimental benchmark ---------------------------------------------------------
    y1 = nsw.re78[nsw.treat == 1].to_numpy(float)
    y0 = nsw.re78[nsw.treat == 0].to_numpy(float)
    n1, n0 = len(y1), len(y0)
    s1, s0 = np.var(y1, ddof=1), np.var(y0, ddof=1)
    sp = ((n1 - 1) * s1 + (n0 - 1) * s0) / (n1 + n0 - 2)
    ols = sm.OLS(nsw.re78.to_numpy(float), sm.add_constant(nsw.treat.to_numpy(float)))
    eb = {"n_treated": n1, "n_control": n0, "mean_treated": fl(y1.mean()),
          "mean_control": fl(y0.mean()), "var_treated_ddof1": fl(s1), "var_control_ddof1": fl(s0),
          "diff_in_means": fl(y1.mean() - y0.mean()),
          "se_unequal_variance": fl(math.sqrt(s1 / n1 + s0 / n0)),
          "se_unequal_variance_formula": "sqrt(s1^2/n1 + s0^2/n0), ddof=1 (Neyman/Welch)",
          "se_pooled": fl(math.sqrt(sp * (1 / n1 + 1 / n0))),
          "se_pooled_formula": "sqrt(sp^2 (1/n1 + 1/n0)), sp^2 = ((n1-1)s1^2+(n0-1)s0^2)/(n-2)",
          "statsmodels_ols": {"call": "sm.OLS(re78, add_constant(treat)).fit(cov_type=...)"}}
    for ct in ["nonrobust", "HC0", "HC1", "HC2", "HC3"]:
        r = ols.fit(cov_type=ct)
        eb["statsmodels_ols"][ct] = {"coef": fl(r.params[1]), "se": fl(r.bse[1])}
    out["experimental_benchmark"] = eb

    # ---- (b, c) propensity + TreatmentEffect ------------------------------------------------
    spec_fits = {}
    pscores = {}
    for sname, df in samples.items():
        t = df.treat.to_numpy().astype(int)
        out["propensity"][sname] = {}
        spec_fits[sname] = {}
        pscores[sname] = {}
        for spec, cols in [("dw", DW), ("simple", SIMPLE)]:
            blk, res, p = propensity_block(df, t, cols, 1000.0)
            out["propensity"][sname][spec] = blk
            spec_fits[sname][spec] = (res, design(df, cols, 1000.0), p)
            pscores[sname][spec] = p
    for sname, df in samples.items():
        print(sname, flush=True)
        out["treatment_effects"][sname] = te_sample(df, spec_fits[sname])
        for spec, cols in [("dw", DW), ("simple", SIMPLE)]:
            out["treatment_effects"][sname][spec]["drdid_att"] = {
                "call": "drdid_panel / std_ipw_did_panel / reg_did_panel (y1=re78, y0=zeros, "
                        "D=treat, covariates=[1, %s] with earnings in $1000)" % ", ".join(cols),
                **drdid_block(df.re78.to_numpy(float), df.treat.to_numpy().astype(int),
                              design(df, cols, 1000.0))}
    # statsmodels' SE vs the finite-difference step of its Jacobian (nsw_exp, dw spec)
    df = samples["nsw_exp"]
    t = df.treat.to_numpy().astype(int)
    res_dw = spec_fits["nsw_exp"]["dw"][0]
    te = TreatmentEffect(sm.OLS(df.re78.to_numpy(float), design(df, SIMPLE, 1.0)), t,
                         results_select=res_dw)
    njc = {"what": "sqrt(cov[0,0]) from res.results_gmm.calc_cov_params(momcond(params), "
                   "gradient_momcond(params, epsilon=eps)) for the statsmodels GMM results of "
                   "treatment_effects.nsw_exp.dw; statsmodels' own default is eps = 1e-4",
           "rows": []}
    for method, kw in [("ipw", {}), ("ipw", {"effect_group": 1}), ("aipw", {})]:
        r = getattr(te, method)(**kw)
        rg = r.results_gmm
        row = {"case": method + ("_att" if kw else "_ate")}
        for eps in (1e-4, 1e-5, 1e-6):
            G = rg.model.gradient_momcond(rg.params, epsilon=eps)
            cov = rg.calc_cov_params(rg.model.momcond(rg.params), G)
            row["se_eps_%g" % eps] = fl(math.sqrt(cov[0, 0]))
        row["script_sandwich_se"] = out["treatment_effects"]["nsw_exp"]["dw"][
            "%s_%s" % (method, "att" if kw else "ate")]["script_sandwich"]["se_effect"]
        njc["rows"].append(row)
    out["treatment_effects"]["nsw_exp"]["dw"]["numeric_jacobian_check"] = njc
    # scale sensitivity of the statsmodels GMM on the CPS sample (raw-dollar selection logit)
    df = samples["cps"]
    t = df.treat.to_numpy().astype(int)
    sens = {}
    for spec, cols in [("dw", DW), ("simple", SIMPLE)]:
        r_raw = fit_logit(t, design(df, cols, 1.0))
        te = TreatmentEffect(sm.OLS(df.re78.to_numpy(float), design(df, SIMPLE, 1.0)), t,
                             results_select=r_raw)
        e, _ = run_te(te, "ipw", "ate", "te_raw")
        sens[spec] = {"note": "selection logit fitted with earnings in dollars (same pscores)",
                      "ipw_ate": e}
    out["treatment_effects"]["cps"]["scale_sensitivity"] = sens

    # ---- (d) matching -----------------------------------------------------------------------
    for sname, df in samples.items():
        print("matching", sname, flush=True)
        Y = df.re78.to_numpy(float)
        D = df.treat.to_numpy().astype(int)
        mets = metrics_for(df, pscores[sname]["dw"], pscores[sname]["simple"], SIMPLE)
        out["matching"][sname] = matching_block(Y, D, mets)
        out["matching_no_replacement"][sname] = no_replacement_block(Y, D, pscores[sname]["dw"])

    # ---- (e) balance ------------------------------------------------------------------------
    for sname, df in samples.items():
        out["balance"][sname] = {}
        t = df.treat.to_numpy().astype(int)
        for spec in ("dw", "simple"):
            out["balance"][sname][spec] = balance_block(df, t, pscores[sname][spec], BAL_COVS)

    # ---- simulated ----------------------------------------------------------------------------
    print("simulated", flush=True)
    s = simulate(SIM_N, SIM_SEED)
    sim = pd.DataFrame({"label": "SIMULATED", "id": np.arange(SIM_N)})
    for cname in SIM_X:
        sim[cname] = s[cname]
    sim["treat"] = s["d"]
    sim["y"] = s["y"]
    sim["y0"] = s["y0"]
    sim["tau"] = s["tau"]
    sim["p_true"] = s["p"]
    sim.to_csv(OUT_CSV, index=False, float_format=None, lineterminator="\n")
    simr = pd.read_csv(OUT_CSV, float_precision="round_trip")
    assert np.array_equal(simr[SIM_X + ["y", "tau", "p_true"]].to_numpy(),
                          sim[SIM_X + ["y", "tau", "p_true"]].to_numpy())
    ts = simr.treat.to_numpy().astype(int)
    res_s = fit_logit(ts, design(simr, SIM_X))
    ps = res_s.predict()
    sim_fits = {"ps_x1_x5": (res_s, design(simr, SIM_X), ps)}
    sim_out = {"propensity": {
        "covariates": ["const"] + SIM_X,
        "call": "sm.Logit(treat, [1, x1..x5]).fit(method='newton', maxiter=100, tol=1e-12)",
        "params": fls(res_s.params), "bse": fls(res_s.bse), "llf": fl(res_s.llf),
        "converged": bool(res_s.mle_retvals["converged"]),
        "pscore_min": fl(ps.min()), "pscore_max": fl(ps.max())}}
    sim_out["treatment_effects"] = te_sample(simr, sim_fits, y_col="y", out_cols=SIM_X)
    sim_out["treatment_effects"]["ps_x1_x5"]["drdid_att"] = {
        "call": "drdid_panel / std_ipw_did_panel / reg_did_panel (y1=y, y0=zeros, D=treat, "
                "covariates=[1, x1..x5])",
        **drdid_block(simr.y.to_numpy(float), ts, design(simr, SIM_X))}
    Ysim = simr.y.to_numpy(float)
    mets = metrics_for(simr, ps, None, SIM_X, p_label="pscore")
    sim_out["matching"] = matching_block(Ysim, ts, mets)
    sim_out["balance"] = balance_block(simr, ts, ps, SIM_X)
    out["simulated"] = sim_out

    # ---- meta -------------------------------------------------------------------------------
    att_pop, p_share = att_population()
    pk = {}
    for name in ["statsmodels", "causalinference", "drdid", "scikit-learn", "numpy", "scipy",
                 "pandas", "patsy"]:
        pk[name] = pkg_info(name)
    pk["causalinference"]["license_note"] = (
        "METADATA License field only names the file; LICENSE.txt is the 3-clause BSD text "
        "(Copyright (C) 2015, Laurence Wong) and the README says 'distributed under the 3-Clause "
        "BSD license'")
    out["meta"] = {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "command": "nice /root/venv-weight/bin/python "
                   "crates/phare-causal/tests/reference/weighting_generate.py",
        "install": "python3 -m venv /root/venv-weight && /root/venv-weight/bin/pip install "
                   "statsmodels pandas numpy scipy scikit-learn causalinference drdid==1.1.7",
        "python": platform.python_version(),
        "packages": pk,
        "data": {"nsw_dw.csv": sha256(NSW), "cps_controls.csv": sha256(CPS),
                 "weighting_simulated.csv": sha256(OUT_CSV)},
        "samples": {
            "nsw_exp": "datasets/nsw_dw.csv, 445 rows (185 treated, 260 controls), file order",
            "cps": "NSW treated rows of nsw_dw.csv (185, file order) then all 15,992 rows of "
                   "cps_controls.csv (file order): 16,177 rows"},
        "derived_covariates": "age2=age^2, educ2=educ^2, re74sq=re74^2, re75sq=re75^2, "
                              "u74=1{re74==0}, u75=1{re75==0}",
        "statsmodels_te_semantics": [
            "closed_form (return_results=False) = exact estimator formulas at the logit MLE and "
            "per-arm OLS; no clipping of the propensity score. phare's points should match these.",
            "IPW: normalised (Hajek) weights per arm. ATE: treated 1/p, controls 1/(1-p); "
            "ATT (effect_group=1): treated 1, controls p/(1-p); POM = weighted arm means.",
            "RA: per-arm OLS; ATE = mean over all rows of Xb1 - Xb0; ATT = mean over treated.",
            "AIPW (ATE only): mean(Xb1 + t(y-Xb1)/p) - mean(Xb0 + (1-t)(y-Xb0)/(1-p)), "
            "unnormalised correction terms, unweighted per-arm OLS.",
            "AIPW_WLS (ATE only): same with per-arm WLS weights (1-p)/p^2 (treated) and "
            "p/(1-p)^2 (controls).",
            "IPW_RA: per-arm WLS with weights 1/p, 1/(1-p) (ATE) or 1, p/(1-p) (ATT), then RA.",
            "SEs (gmm.sd): joint exactly-identified GMM stacking the effect/POM moments, the "
            "per-arm outcome-model moments and the logit score; cov = (G' Omega^-1 G)^-1 / n with "
            "Omega = (m - mean(m))'(m - mean(m))/n (HC0; note mean(m) is the GRAND mean of the "
            "whole moment matrix, not per column; it is ~0 at an exact solution) and G the "
            "Jacobian of the mean moments by centred finite differences with ABSOLUTE step 1e-4. "
            "At an exact root this is the HC0 M-estimation sandwich A^-1 S A^-T / n, i.e. the "
            "influence-function SE that accounts for estimating the propensity and outcome models.",
            "The GMM is 'fitted' by scipy Nelder-Mead (maxiter 5000, 2000 for ipw_ra), identity "
            "weights, one step, starting from the closed form. With an exact root at the start "
            "NM stays there (gmm_minus_closed_form ~ 0).",
        ],
        "statsmodels_quirks": [
            "GMM moments clip the propensity score: ipw and aipw to [0.01, 0.99], aipw_wls and "
            "ipw_ra to [0.001, 0.999]; the closed form does not clip. On the CPS sample thousands "
            "of pscores are below 0.01 (see propensity.cps.*.pscore), so the start is not a root "
            "of the clipped moments, Nelder-Mead wanders in 20-35 dimensions without converging "
            "and gmm.effect / gmm.sd differ from the closed form and are NOT reliable there "
            "(they even change with the units of the earnings, see "
            "treatment_effects.cps.scale_sensitivity).",
            "aipw_wls and ipw_ra GMM take the selection parameters as params[-6:] (hard-coded): "
            "they raise ValueError unless the logit has exactly 6 parameters, so on NSW/CPS "
            "(15 or 9 parameters) only their closed form is available; the simulated design "
            "(const + 5 covariates) is the case where their SEs exist.",
            "ra() requires an integer treatment array (a float 0/1 array fails in slicing).",
            "Numerical Jacobian with absolute step 1e-4: with earnings in dollars the re74sq "
            "coefficient is ~5e-9, so the step is meaningless; all TreatmentEffect runs here use "
            "earnings in $1000 in the selection logit (pscores identical to 1e-12).",
        ],
        "sandwich_validation": {
            "what": "relative difference statsmodels gmm.sd vs script_sandwich, cases where the "
                    "GMM point equals the closed form to 1e-8",
            "rows": sandwich_validation({**out["treatment_effects"],
                                         "simulated": sim_out["treatment_effects"]}),
        },
        "causalinference_variance": (
            "causalinference 0.1.3.post1 Matching: ITT_t = Y_t - Yhat0 (treated), ITT_c = Yhat1 - "
            "Y_c (controls), bias-adjusted if requested; vars_t = var(ITT_t, ddof=0), vars_c = "
            "var(ITT_c, ddof=0) (one constant per arm); K_c = times each control is used by "
            "treated (1/#matches credit), K_t likewise. att_se^2 = vars_t/N_t + vars_c * "
            "sum(K_c^2)/N_t^2; atc_se^2 = vars_c/N_c + vars_t*sum(K_t^2)/N_c^2; ate_se^2 = "
            "(N_t/N)^2 vars_t sum((1+K_t)^2)/N_t^2 + (N_c/N)^2 vars_c sum((1+K_c)^2)/N_c^2. "
            "Bias adjustment: OLS with intercept of Y on X over the matched units listed once per "
            "time matched (duplicates, not 1/#ties weights), correction (X_i - mean X_match)'b."),
        "ai_variance": {
            "matches": "J(i) = all opposite-arm units with distance <= the M-th smallest (M=1); "
                       "Yhat = mean over J(i)",
            "K": "K(j) = sum_i 1{j in J(i)} / #J(i) (uses of unit j as a match); "
                 "K2(j) = sum_i 1{j in J(i)} / #J(i)^2 (= K/M without ties)",
            "bias_adj": "mu_w(x) = a + x'b by WLS of Y on [1, X] within arm w, weights K "
                        "(only units used as matches); Yhat_i(1-w) += mean_{j in J(i)} "
                        "(X_i - X_j)'b. Same as causalinference when there are no ties.",
            "sigma2": "L(i) = all same-arm units (not i) with distance <= the J-th smallest; "
                      "sigma2_i = #L/(#L+1) * (Y_i - mean_{L(i)} Y)^2 (Abadie-Imbens 2006 with J "
                      "matches; reduces to J/(J+1)(...)^2 without ties)",
            "se_satt": "sqrt( [sum_treated sigma2 + sum_controls K^2 sigma2] / N_t^2 )",
            "se_patt": "sqrt( [sum_treated (tau_i - att)^2 + sum_controls (K^2 - K2) sigma2] "
                       "/ N_t^2 ), tau_i = Y_i - Yhat_i(0)",
            "se_sate": "sqrt( sum_all (1 + K_i)^2 sigma2_i / N^2 ), K_i = uses of i by the "
                       "other arm",
            "se_pate": "sqrt( [sum_all (tau_i - ate)^2 + sum_all (2K_i + K_i^2 - K2_i) sigma2_i]"
                       " / N^2 ), tau_i = Yhat_i(1) - Yhat_i(0)",
            "source": "Abadie & Imbens (2006, Econometrica 74(1)); Abadie, Drukker, Herr & Imbens "
                      "(2004, Stata Journal 4(3)) eqs. for sample/population ATE/ATT; bias "
                      "correction Abadie & Imbens (2011, JBES 29(1)).",
            "not_applied": "Abadie & Imbens (2016, Econometrica 84(2)) adjustment for an "
                           "estimated propensity score (pscore_* metrics treat p as known).",
        },
        "balance_formulas": {
            "weighted_mean": "sum(w x)/sum(w) within arm",
            "weighted_var": "sum(w (x - m_w)^2) / (sum w - sum w^2 / sum w) (reliability "
                            "weights; = ddof-1 variance for w = 1)",
            "smd_pooled": "(m_t - m_c) / sqrt((s_t^2 + s_c^2)/2), s^2 = UNWEIGHTED ddof-1 "
                          "variances (same denominator before and after weighting)",
            "smd_treated_sd": "(m_t - m_c) / s_t, s_t unweighted ddof-1",
            "variance_ratio": "weighted_var_treated / weighted_var_control",
            "ess": "(sum w)^2 / sum w^2 per arm",
            "weights": "unweighted: 1; ipw_ate: t/p + (1-t)/(1-p); ipw_att: t + (1-t) p/(1-p)",
        },
        "simulated": {
            "file": "crates/phare-causal/tests/reference/weighting_simulated.csv",
            "label": "SIMULATED", "n": SIM_N, "seed": SIM_SEED,
            "generator": "weighting_timing.simulate(n=2000, seed=%d)" % SIM_SEED,
            "design": DESIGN,
            "columns": "label,id,x1..x5,treat,y,y0,tau,p_true (y0 = untreated outcome, tau = "
                       "true unit effect, p_true = true propensity); floats written with "
                       "pandas' shortest round-trip repr; results computed on the CSV as read back",
            "true_ate_population": 2.2,
            "true_att_population": fl(att_pop),
            "true_treated_share_population": fl(p_share),
            "true_att_population_method": "E[p tau]/E[p] by tensor Gauss quadrature "
                                          "(Hermite_e 60^3 for x1..x3, exact 2-point for x4, "
                                          "Legendre 40 for x5)",
            "sample_ate": fl(s["tau"].mean()),
            "sample_att": fl(s["tau"][s["d"] == 1].mean()),
            "n_treated": int(s["d"].sum()),
        },
        "seconds": round(time.perf_counter() - t_start, 1),
    }
    with open(OUT_JSON, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", OUT_JSON, out["meta"]["seconds"], "s")


if __name__ == "__main__":
    main()
