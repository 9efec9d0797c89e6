# Reference values for phare's regression engine (crates/phare-models).
#
# Purpose: fit a fixed list of OLS / WLS / IV / Poisson / logit models on the CSV files in
# datasets/ with trusted Python packages, and write every estimate, standard error, covariance
# matrix, fit statistic and the small-sample-correction details actually applied to
# regression_reference.json (next to this file). phare's Rust tests compare against that file.
# Every number in the JSON comes out of running this script; nothing is typed in by hand.
#
# Run from anywhere (paths are resolved from this file's location, datasets are read by their
# repo-relative path datasets/<name>.csv), with a Python that has the pinned packages:
#
#     python3.11 -m venv /root/venv-ref
#     /root/venv-ref/bin/pip install pyfixest==0.60.0 statsmodels==0.15.0 linearmodels==7.1 pandas==3.1.1
#     /root/venv-ref/bin/python crates/phare-models/tests/reference/generate.py
#
# The values were produced by pyfixest 0.60.0, statsmodels 0.15.0, linearmodels 7.1
# (pandas 3.1.1, numpy 2.4.6, scipy 1.17.1, Python 3.11.7). The exact versions used are also
# written into the JSON ("packages"); the script warns if they differ from the pinned ones.
#
# Determinism: the script re-executes itself with PYTHONHASHSEED=0 and BLAS/Rayon threads pinned
# to 1 before numpy is imported, and the JSON has no timestamps, so a second run on the same
# machine and package versions reproduces the file byte for byte.

import os
import sys

# pyfixest builds some internal lists from Python sets (e.g. the order of the absorbed factors),
# so string-hash randomisation can change the order of floating-point operations between runs.
# Re-execute once with a fixed hash seed and single-threaded BLAS so that every run is identical.
_ENV_FIXED = {
    "PYTHONHASHSEED": "0",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "RAYON_NUM_THREADS": "1",
}
if any(os.environ.get(k) != v for k, v in _ENV_FIXED.items()):
    os.environ.update(_ENV_FIXED)
    os.execv(sys.executable, [sys.executable, os.path.abspath(__file__), *sys.argv[1:]])

import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import warnings  # noqa: E402
from importlib.metadata import version as _pkg_version  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyfixest as pf  # noqa: E402
import statsmodels.api as sm  # noqa: E402
import statsmodels.formula.api as smf  # noqa: E402
from linearmodels.iv import IV2SLS  # noqa: E402
from linearmodels.panel import PanelOLS  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[3]  # crates/phare-models/tests/reference -> repo root
OUT = HERE / "regression_reference.json"

PINNED = {
    "pyfixest": "0.60.0",
    "statsmodels": "0.15.0",
    "linearmodels": "7.1",
    "pandas": "3.1.1",
    "numpy": "2.4.6",
    "scipy": "1.17.1",
}
VERSIONS = {name: _pkg_version(name) for name in PINNED}
for _name, _want in PINNED.items():
    if VERSIONS[_name] != _want:
        print(
            f"warning: {_name} is {VERSIONS[_name]}, the reference file was made with {_want}",
            file=sys.stderr,
        )


# --------------------------------------------------------------------------------------------
# data (read only; the CSVs are never modified)
# --------------------------------------------------------------------------------------------
def read_csv(rel):
    return pd.read_csv(REPO_ROOT / rel)


wagepan = read_csv("datasets/wagepan.csv")
mroz = read_csv("datasets/mroz.csv")
mroz_lw = mroz[mroz["lwage"].notna()].reset_index(drop=True)
mpdta = read_csv("datasets/mpdta.csv")
mpdta["treat_post"] = ((mpdta["first_treat"] > 0) & (mpdta["year"] >= mpdta["first_treat"])).astype(
    "int64"
)

DATASETS = {
    "wagepan": {
        "file": "datasets/wagepan.csv",
        "rows_in_file": int(len(wagepan)),
        "preprocessing": "none",
    },
    "mroz_lw": {
        "file": "datasets/mroz.csv",
        "rows_in_file": int(len(mroz)),
        "rows_used": int(len(mroz_lw)),
        "preprocessing": "keep rows with non-missing lwage (mroz[mroz['lwage'].notna()])",
    },
    "mpdta": {
        "file": "datasets/mpdta.csv",
        "rows_in_file": int(len(mpdta)),
        "preprocessing": "treat_post = int(first_treat > 0 and year >= first_treat)",
        "treat_post_sum": int(mpdta["treat_post"].sum()),
    },
}

# Namespace in which every recorded `call` string is evaluated, so the text in the JSON is
# exactly the code that produced the numbers.
NS = {
    "pf": pf,
    "sm": sm,
    "smf": smf,
    "IV2SLS": IV2SLS,
    "PanelOLS": PanelOLS,
    "wagepan": wagepan,
    "mroz_lw": mroz_lw,
    "mpdta": mpdta,
    "wagepan_panel": wagepan.set_index(["nr", "year"]),
    "mpdta_panel": mpdta.set_index(["countyreal", "year"]),
}


def run(call):
    """Evaluate `call` in NS, returning (result, list of warning messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = eval(call, NS)  # noqa: S307 - fixed strings written in this file
    msgs = sorted({str(w.message) for w in caught if "singleton" in str(w.message).lower()})
    return res, msgs


# --------------------------------------------------------------------------------------------
# JSON helpers: plain Python floats (repr = shortest round-trip, i.e. full double precision);
# NaN / inf become null so the file is strict JSON.
# --------------------------------------------------------------------------------------------
def num(x):
    if x is None:
        return None
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    x = float(np.asarray(x).reshape(-1)[0]) if np.ndim(x) else float(x)
    return None if not math.isfinite(x) else x


def named(names, values):
    return {str(n): num(v) for n, v in zip(names, np.asarray(values, dtype=float).reshape(-1))}


def matrix(names, m):
    m = np.asarray(m, dtype=float)
    return {str(r): {str(c): num(m[i, j]) for j, c in enumerate(names)} for i, r in enumerate(names)}


def fe_name(k):
    # pyfixest labels the absorbed factors "__fixed_effect__(nr)"; keep the variable name only
    k = str(k)
    return k[len("__fixed_effect__(") : -1] if k.startswith("__fixed_effect__(") and k.endswith(")") else k


def getattr_num(obj, name):
    return num(getattr(obj, name, None))


# --------------------------------------------------------------------------------------------
# small-sample conventions, as pyfixest 0.60.0 documents and applies them
# --------------------------------------------------------------------------------------------
PF_SSC_DEFAULT = (
    "pyfixest default ssc() = {k_adj: True, k_fixef: 'nonnested', G_adj: True, G_df: 'min'} "
    "(signature defaults of pyfixest.ssc; its docstring text still names 'none'/'conventional', "
    "the signature values are what is applied)."
)
PF_NOTES = {
    "iid": (
        "V = (X'X)^-1 * SSR/(N-1) * ssc, with ssc = (N-1)/(N-df_k) when k_adj=True, i.e. "
        "sigma^2 = SSR/(N-df_k). No cluster factor. df_k = k without FE; with FE "
        "(k_fixef='nonnested', nothing nested because there is no cluster) df_k = k + sum(FE levels) "
        "- (n_fe - 1). t-distribution df = N - df_k."
    ),
    "hetero": (
        "HC1 (pyfixest 'hetero' == 'HC1'): V = bread * sum(s_i s_i') * bread * N/(N-df_k) "
        "(get_ssc uses N/(N-df_k) instead of (N-1)/(N-df_k) for vcov_type 'hetero'); no G factor."
    ),
    "HC2": (
        "HC2: scores divided by sqrt(1-h_ii), THEN multiplied by the same k_adj factor N/(N-df_k) as "
        "HC1 (pyfixest 0.60.0 applies ssc to HC2/HC3; statsmodels' HC2 does not, so the two differ by "
        "exactly sqrt(N/(N-k)) in SE). Not available with fixed effects or IV in pyfixest."
    ),
    "HC3": (
        "HC3: scores divided by (1-h_ii), THEN multiplied by the k_adj factor N/(N-df_k) (see HC2 note). "
        "Not available with fixed effects or IV in pyfixest."
    ),
    "CRV1": (
        "CRV1: V = bread * sum_g(S_g S_g') * bread * (N-1)/(N-df_k) * G/(G-1). With FE and "
        "k_fixef='nonnested', FE fully nested in a cluster variable are not counted in df_k (one is "
        "added back per fully nested FE): df_k = k + [sum(FE levels) - (n_fe-1)] - "
        "sum(levels of nested FE) + n_fully_nested_FE. t df = G - 1 (min over cluster dimensions)."
    ),
    "CRV1_twoway": (
        "Two-way CRV1: V = V_1 + V_2 - V_12 (V_12 clustered on the intersection); with G_df='min' each "
        "summand gets the same G factor min(G)/(min(G)-1) times (N-1)/(N-df_k). t df = min(G) - 1."
    ),
    "CRV3": (
        "CRV3 (cluster jackknife): V = ssc * sum_g (b_(-g) - b_hat)(b_(-g) - b_hat)', centred on the "
        "full-sample estimate b_hat (not the jackknife mean); with fixed effects pyfixest re-fits "
        "the full model leaving out each cluster. ssc is the same factor as CRV1: "
        "(N-1)/(N-df_k) * G/(G-1)."
    ),
}


def pf_note(vcov_type_detail, n_cluster_dims=1):
    if vcov_type_detail == "CRV1" and n_cluster_dims > 1:
        key = "CRV1_twoway"
    elif vcov_type_detail == "HC1":
        key = "hetero"
    else:
        key = vcov_type_detail
    return PF_NOTES[key] + " " + PF_SSC_DEFAULT


def pf_entry(case_id, group, call, dataset, *, extra_notes=None, dataset_rows=None):
    fit, singleton_msgs = run(call)
    names = list(fit._coefnames)
    vcov_detail = fit._vcov_type_detail
    clustervar = list(fit._clustervar) if getattr(fit, "_clustervar", None) else None
    n_cluster_dims = len(clustervar) if clustervar else 0
    is_pois = type(fit).__name__ == "Fepois"
    is_iv = bool(getattr(fit, "_is_iv", False))

    entry = {
        "id": case_id,
        "group": group,
        "package": "pyfixest",
        "package_version": VERSIONS["pyfixest"],
        "estimator": "fepois (Poisson PPML, IRLS)" if is_pois else ("feols IV (2SLS)" if is_iv else "feols"),
        "call": call,
        "dataset": dataset,
        "nobs": int(fit._N),
        "coefficients": named(names, fit.coef().values),
        "std_errors": named(names, fit.se().values),
        "vcov": matrix(names, fit._vcov),
        "vcov_type": vcov_detail if not clustervar else f"{vcov_detail} by {' + '.join(clustervar)}",
        "ssc": {k: (bool(v) if isinstance(v, (bool, np.bool_)) else v) for k, v in fit._ssc_dict.items()},
        "ssc_factor_applied": [num(x) for x in np.asarray(fit._ssc).reshape(-1)],
        "df_k": num(fit._df_k),
        "df_t": num(fit._df_t),
        "n_clusters": [int(g) for g in np.asarray(fit._G).reshape(-1)] if clustervar else None,
        "r2": getattr_num(fit, "_r2"),
        "adj_r2": getattr_num(fit, "_adj_r2"),
        "within_r2": getattr_num(fit, "_r2_within"),
        "adj_within_r2": getattr_num(fit, "_adj_r2_within"),
    }
    if fit._has_fixef:
        k_fe = fit._k_fe
        entry["fixed_effects"] = {fe_name(k): int(v) for k, v in sorted(k_fe.items(), key=lambda kv: fe_name(kv[0]))}
        rows_before = int(dataset_rows) if dataset_rows is not None else None
        entry["singletons"] = {
            "fixef_rm": "singleton (pyfixest default)",
            "rows_in_data": rows_before,
            "rows_dropped": (rows_before - int(fit._N_rows)) if rows_before is not None else None,
            "pyfixest_warnings": singleton_msgs,
        }
    if is_pois:
        entry["pseudo_r2"] = getattr_num(fit, "_pseudo_r2")
        entry["loglik"] = getattr_num(fit, "_loglik")
        entry["deviance"] = num(fit.deviance)
        entry["converged"] = bool(getattr(fit, "_convergence", False))
        entry["iwls_tol"] = 1e-08
    dof = [
        f"N={int(fit._N)}, k (slope coefficients, intercept included only when there are no FE)="
        f"{len(names)}, df_k used in the k_adj factor={num(fit._df_k)}, t df={num(fit._df_t)}."
    ]
    if fit._has_fixef:
        dof.append(
            "FE levels "
            + ", ".join(f"{fe_name(k)}={int(v)}" for k, v in sorted(fit._k_fe.items(), key=lambda kv: fe_name(kv[0])))
            + "; FE are absorbed (alternating projections, default MapDemeaner fixef_tol=1e-06)."
        )
    if not is_pois and not is_iv:
        dof.append(
            "adj_r2 uses (N - has_intercept)/(N - k - k_fe) with k_fe = sum(levels - 1) + 1 when FE are "
            "present; within R2 uses the demeaned y."
        )
    entry["dof_notes"] = " ".join(dof)
    note = pf_note(vcov_detail, n_cluster_dims)
    if is_pois:
        note = (
            "Poisson: bread = (X'WX)^-1 of the final IRLS step (X demeaned with the IRLS weights); iid vcov "
            "is that bread times ssc; CRV1 scores are the weighted working residual times the weighted "
            "demeaned X of the final IRLS step. Same ssc rules as feols. "
            + note
        )
    if is_iv:
        note = (
            "IV: bread = (X'Z (Z'Z)^-1 Z'X)^-1, scores use 2SLS residuals y - X b (not first-stage fitted X). "
            + note
        )
    if extra_notes:
        note = note + " " + extra_notes
    entry["notes"] = note
    return entry, fit


def unsupported(case_id, call, dataset):
    try:
        run(call)
    except Exception as e:  # noqa: BLE001 - we record what the package says
        return {
            "id": case_id,
            "package": "pyfixest",
            "package_version": VERSIONS["pyfixest"],
            "call": call,
            "dataset": dataset,
            "error_type": type(e).__name__,
            "error": str(e),
        }
    return {"id": case_id, "call": call, "dataset": dataset, "error": None, "note": "unexpectedly succeeded"}


cases = []
unsupported_cases = []
crosschecks = []

FML_A = "lwage ~ union + married + exper + expersq"
FML_B = "lwage ~ union + married + expersq | nr + year"

# (a) wagepan pooled OLS ---------------------------------------------------------------------
for tag, v in [("iid", '"iid"'), ("HC1", '"HC1"'), ("HC2", '"HC2"'), ("HC3", '"HC3"'), ("CRV1_nr", '{"CRV1": "nr"}')]:
    e, _ = pf_entry(f"a_ols_{tag}", "a", f'pf.feols("{FML_A}", data=wagepan, vcov={v})', "wagepan")
    cases.append(e)
# HC2 / HC3 without the k_adj factor: textbook HC2/HC3 (should equal statsmodels, case g)
for tag in ("HC2", "HC3"):
    e, _ = pf_entry(
        f"a_ols_{tag}_no_k_adj",
        "a",
        f'pf.feols("{FML_A}", data=wagepan, vcov="{tag}", ssc=pf.ssc(k_adj=False))',
        "wagepan",
        extra_notes="Here ssc(k_adj=False): no N/(N-k) factor, i.e. textbook HC2/HC3.",
    )
    cases.append(e)

# (b) wagepan two-way FE ---------------------------------------------------------------------
b_fits = {}
for tag, v in [
    ("iid", '"iid"'),
    ("HC1", '"HC1"'),
    ("CRV1_nr", '{"CRV1": "nr"}'),
    ("CRV3_nr", '{"CRV3": "nr"}'),
    ("CRV1_nr_year", '{"CRV1": "nr + year"}'),
]:
    e, fit = pf_entry(
        f"b_twfe_{tag}",
        "b",
        f'pf.feols("{FML_B}", data=wagepan, vcov={v})',
        "wagepan",
        dataset_rows=len(wagepan),
        extra_notes="exper is omitted because exper is collinear with nr + year FE in this panel.",
    )
    cases.append(e)
    b_fits[tag] = fit
for tag in ("HC2", "HC3"):
    unsupported_cases.append(
        unsupported(f"b_twfe_{tag}", f'pf.feols("{FML_B}", data=wagepan, vcov="{tag}")', "wagepan")
    )

# (c) WLS of (b), weights = hours ------------------------------------------------------------
e, _ = pf_entry(
    "c_twfe_wls_hours_CRV1_nr",
    "c",
    f'pf.feols("{FML_B}", data=wagepan, weights="hours", vcov={{"CRV1": "nr"}})',
    "wagepan",
    dataset_rows=len(wagepan),
    extra_notes=(
        "weights_type='aweights' (default): rows multiplied by sqrt(hours) before demeaning/OLS; "
        "N counts rows, not the sum of weights."
    ),
)
cases.append(e)

# (d) mroz IV --------------------------------------------------------------------------------
FML_D = "lwage ~ exper + expersq | educ ~ motheduc + fatheduc"
for tag, v in [("iid", '"iid"'), ("HC1", '"HC1"')]:
    call = f'pf.feols("{FML_D}", data=mroz_lw, vcov={v})'
    e, fit = pf_entry(f"d_iv_{tag}", "d", call, "mroz_lw")
    fs = fit._model_1st_stage
    first = {
        "endogenous": "educ",
        "excluded_instruments": sorted(fit._non_exo_instruments),
        "first_stage_call": f"first stage refit by pyfixest: feols('{fit.FixestFormula.first_stage}', vcov={v})",
        "coefficients": named(fs._coefnames, fs.coef().values),
        "std_errors": named(fs._coefnames, fs.se().values),
        "f_stat": num(fit._f_stat_1st_stage),
        "f_stat_pvalue": num(fit._p_value_1st_stage),
        "f_stat_definition": (
            "pyfixest Feiv._f_stat_1st_stage: Wald statistic for the excluded instruments = 0 in the "
            "first stage, computed with the first stage's own vcov (same vcov type as the IV fit, with "
            "ssc), divided by the number q of excluded instruments. f_stat_pvalue is pyfixest's "
            "_p_value_1st_stage: because the restriction matrix R is not the identity, pyfixest's "
            "wald_test switches to the chi2(q) distribution, so the p-value is P[chi2_q > q * f_stat], "
            "not an F(q, df) tail probability."
        ),
    }
    # effective F (Olea-Pflueger) on a separate fit object: IV_Diag() switches an iid model's
    # first stage to 'hetero' as a side effect, so it must not touch `fit`.
    fit2, _ = run(call)
    fit2.IV_Diag()
    first["effective_f"] = num(fit2._eff_F)
    first["effective_f_definition"] = (
        "pyfixest Feiv.IV_Diag() -> _eff_F (Olea and Pflueger 2013), computed from a "
        "heteroskedasticity-robust first-stage vcov (pyfixest switches iid to hetero for it)."
    )
    e["first_stage"] = first
    cases.append(e)
for tag in ("HC2", "HC3"):
    unsupported_cases.append(
        unsupported(f"d_iv_{tag}", f'pf.feols("{FML_D}", data=mroz_lw, vcov="{tag}")', "mroz_lw")
    )

LM_D = "lwage ~ 1 + exper + expersq + [educ ~ motheduc + fatheduc]"
LM_NOTES = {
    ("unadjusted", False): "linearmodels unadjusted, debiased=False: sigma^2 = SSR/N (no dof correction); first-stage f.stat = Wald/q with F dist.",
    ("unadjusted", True): "linearmodels unadjusted, debiased=True: sigma^2 = SSR/(N-k) (matches pyfixest iid); first-stage f.stat = Wald/q with F dist.",
    ("robust", False): "linearmodels robust (HC0), debiased=False: no N/(N-k) factor; first-stage f.stat is the chi2 Wald statistic (not divided by q).",
    ("robust", True): "linearmodels robust, debiased=True: HC0 * N/(N-k) (= HC1, matches pyfixest HC1); first-stage f.stat is the chi2 Wald statistic (not divided by q).",
}
for cov_type in ("unadjusted", "robust"):
    for debiased in (False, True):
        call = f'IV2SLS.from_formula("{LM_D}", data=mroz_lw).fit(cov_type="{cov_type}", debiased={debiased})'
        res, _ = run(call)
        names = list(res.params.index)
        diag = res.first_stage.diagnostics
        cases.append(
            {
                "id": f"d_iv_linearmodels_{cov_type}_{'debiased' if debiased else 'nodebias'}",
                "group": "d",
                "package": "linearmodels",
                "package_version": VERSIONS["linearmodels"],
                "estimator": "IV2SLS",
                "call": call,
                "dataset": "mroz_lw",
                "nobs": int(res.nobs),
                "coefficients": named(names, res.params.values),
                "std_errors": named(names, res.std_errors.values),
                "vcov": matrix(names, res.cov.values),
                "vcov_type": f"{cov_type} (debiased={debiased})",
                "r2": num(res.rsquared),
                "adj_r2": num(res.rsquared_adj),
                "within_r2": None,
                "dof_notes": f"N={int(res.nobs)}, k={len(names)} (intercept, exper, expersq, educ).",
                "first_stage": {
                    "endogenous": "educ",
                    "excluded_instruments": ["fatheduc", "motheduc"],
                    "rsquared": num(diag.loc["educ", "rsquared"]),
                    "partial_rsquared": num(diag.loc["educ", "partial.rsquared"]),
                    "shea_rsquared": num(diag.loc["educ", "shea.rsquared"]),
                    "f_stat": num(diag.loc["educ", "f.stat"]),
                    "f_stat_pvalue": num(diag.loc["educ", "f.pval"]),
                    "f_stat_dist": str(diag.loc["educ", "f.dist"]),
                },
                "notes": LM_NOTES[(cov_type, debiased)],
            }
        )

# (e) mpdta TWFE -----------------------------------------------------------------------------
e, _ = pf_entry(
    "e_mpdta_twfe_CRV1_countyreal",
    "e",
    'pf.feols("lemp ~ treat_post | countyreal + year", data=mpdta, vcov={"CRV1": "countyreal"})',
    "mpdta",
    dataset_rows=len(mpdta),
)
cases.append(e)

# (f) Poisson with FE, and logit ------------------------------------------------------------
e, _ = pf_entry(
    "f_pois_hours_CRV1_nr",
    "f",
    'pf.fepois("hours ~ union + married | nr + year", data=wagepan, vcov={"CRV1": "nr"})',
    "wagepan",
    dataset_rows=len(wagepan),
)
cases.append(e)

call = 'smf.logit("union ~ married + exper + educ + black + hisp", data=wagepan).fit(disp=0)'
res, _ = run(call)
names = list(res.params.index)
cases.append(
    {
        "id": "f_logit_union_iid",
        "group": "f",
        "package": "statsmodels",
        "package_version": VERSIONS["statsmodels"],
        "estimator": "Logit (maximum likelihood, Newton)",
        "call": call,
        "dataset": "wagepan",
        "nobs": int(res.nobs),
        "coefficients": named(names, res.params.values),
        "std_errors": named(names, res.bse.values),
        "vcov": matrix(names, res.cov_params().values),
        "vcov_type": "nonrobust (inverse of the observed information / Hessian at the MLE)",
        "r2": None,
        "adj_r2": None,
        "within_r2": None,
        "pseudo_r2": num(res.prsquared),
        "loglik": num(res.llf),
        "loglik_null": num(res.llnull),
        "converged": bool(res.mle_retvals["converged"]),
        "iterations": int(res.mle_retvals["iterations"]),
        "dof_notes": f"N={int(res.nobs)}, k={len(names)}; no small-sample correction (ML).",
        "notes": "statsmodels Logit default fit: method='newton', maxiter=35, tol=1e-08; McFadden pseudo R2 = 1 - llf/llnull.",
    }
)

# (g) statsmodels cross-check of (a) ---------------------------------------------------------
SM_NOTES = {
    "nonrobust": "sigma^2 = SSR/(N-k).",
    "HC0": "White HC0, no small-sample factor.",
    "HC1": "HC0 * N/(N-k).",
    "HC2": "scores / sqrt(1-h_ii); no N/(N-k) factor.",
    "HC3": "scores / (1-h_ii); no N/(N-k) factor.",
    "cluster": "cluster by nr; use_correction=True (default): G/(G-1) * (N-1)/(N-k).",
}
for cov in ("nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"):
    if cov == "cluster":
        call = f'smf.ols("{FML_A}", data=wagepan).fit(cov_type="cluster", cov_kwds={{"groups": wagepan["nr"]}})'
    else:
        call = f'smf.ols("{FML_A}", data=wagepan).fit(cov_type="{cov}")'
    res, _ = run(call)
    names = list(res.params.index)
    cases.append(
        {
            "id": f"g_ols_statsmodels_{cov if cov != 'cluster' else 'cluster_nr'}",
            "group": "g",
            "package": "statsmodels",
            "package_version": VERSIONS["statsmodels"],
            "estimator": "OLS",
            "call": call,
            "dataset": "wagepan",
            "nobs": int(res.nobs),
            "coefficients": named(names, res.params.values),
            "std_errors": named(names, res.bse.values),
            "vcov": matrix(names, res.cov_params().values),
            "vcov_type": cov if cov != "cluster" else "cluster by nr",
            "r2": num(res.rsquared),
            "adj_r2": num(res.rsquared_adj),
            "within_r2": None,
            "dof_notes": f"N={int(res.nobs)}, k={len(names)}, df_resid={num(res.df_resid)}.",
            "notes": "statsmodels OLS: " + SM_NOTES[cov],
        }
    )


# --------------------------------------------------------------------------------------------
# cross-checks (computed, not asserted): independent fits of the same models
# --------------------------------------------------------------------------------------------
def by_id(i):
    return next(c for c in cases if c["id"] == i)


def max_abs_diff(a, b, rename=None):
    rename = rename or {}
    keys = [k for k in a if rename.get(k, k) in b]
    return num(max(abs(a[k] - b[rename.get(k, k)]) for k in keys)) if keys else None


def max_rel_diff(a, b):
    keys = [k for k in a if k in b]
    return num(max(abs(a[k] - b[k]) / abs(b[k]) for k in keys)) if keys else None


def add_check(what, call, left, right, coef_diff, se_diff=None, se_rel_diff=None, note=None):
    d = {
        "what": what,
        "call": call,
        "compares": [left, right],
        "max_abs_diff_coefficients": coef_diff,
    }
    if se_diff is not None:
        d["max_abs_diff_std_errors"] = se_diff
    if se_rel_diff is not None:
        d["max_rel_diff_std_errors"] = se_rel_diff
    if note:
        d["note"] = note
    crosschecks.append(d)


# (a) pyfixest vs statsmodels
for pf_id, sm_id in [
    ("a_ols_iid", "g_ols_statsmodels_nonrobust"),
    ("a_ols_HC1", "g_ols_statsmodels_HC1"),
    ("a_ols_HC2", "g_ols_statsmodels_HC2"),
    ("a_ols_HC3", "g_ols_statsmodels_HC3"),
    ("a_ols_HC2_no_k_adj", "g_ols_statsmodels_HC2"),
    ("a_ols_HC3_no_k_adj", "g_ols_statsmodels_HC3"),
    ("a_ols_CRV1_nr", "g_ols_statsmodels_cluster_nr"),
]:
    a, g = by_id(pf_id), by_id(sm_id)
    add_check(
        f"{pf_id} vs {sm_id}",
        None,
        pf_id,
        sm_id,
        max_abs_diff(a["coefficients"], g["coefficients"]),
        max_abs_diff(a["std_errors"], g["std_errors"]),
        max_rel_diff(a["std_errors"], g["std_errors"]),
    )

# (b) absorbed FE vs explicit dummies (LSDV) and vs linearmodels PanelOLS
call = 'smf.ols("lwage ~ union + married + expersq + C(nr) + C(year)", data=wagepan).fit()'
res, _ = run(call)
lsdv = {k: num(res.params[k]) for k in ("union", "married", "expersq")}
lsdv_se = {k: num(res.bse[k]) for k in ("union", "married", "expersq")}
b_iid = by_id("b_twfe_iid")
add_check(
    "b_twfe_iid vs statsmodels LSDV (nr and year dummies), iid",
    call,
    "b_twfe_iid",
    "statsmodels LSDV",
    max_abs_diff(b_iid["coefficients"], lsdv),
    max_abs_diff(b_iid["std_errors"], lsdv_se),
    max_rel_diff(b_iid["std_errors"], lsdv_se),
    note=f"LSDV df_resid={num(res.df_resid)}; pyfixest iid df_k={b_iid['df_k']} (N-df_k={b_iid['nobs'] - b_iid['df_k']}).",
)
call = (
    'PanelOLS.from_formula("lwage ~ union + married + expersq + EntityEffects + TimeEffects", '
    'data=wagepan_panel).fit(cov_type="unadjusted")'
)
res, _ = run(call)
add_check(
    "b_twfe_iid vs linearmodels PanelOLS (entity + time effects), unadjusted",
    call,
    "b_twfe_iid",
    "linearmodels PanelOLS",
    max_abs_diff(b_iid["coefficients"], {k: num(v) for k, v in res.params.items()}),
    max_abs_diff(b_iid["std_errors"], {k: num(v) for k, v in res.std_errors.items()}),
    max_rel_diff(b_iid["std_errors"], {k: num(v) for k, v in res.std_errors.items()}),
)
# (b) tighter demeaning tolerance: how far the default fixef_tol=1e-6 is from convergence
call = f'pf.feols("{FML_B}", data=wagepan, vcov={{"CRV1": "nr"}}, fixef_tol=1e-12)'
fit_tight, _ = run(call)
add_check(
    "b_twfe_CRV1_nr vs the same fit with fixef_tol=1e-12",
    call,
    "b_twfe_CRV1_nr",
    "pyfixest fixef_tol=1e-12",
    max_abs_diff(by_id("b_twfe_CRV1_nr")["coefficients"], named(fit_tight._coefnames, fit_tight.coef().values)),
    max_abs_diff(by_id("b_twfe_CRV1_nr")["std_errors"], named(fit_tight._coefnames, fit_tight.se().values)),
)

# (c) WLS with explicit dummies
call = 'smf.wls("lwage ~ union + married + expersq + C(nr) + C(year)", data=wagepan, weights=wagepan["hours"]).fit()'
res, _ = run(call)
add_check(
    "c_twfe_wls_hours_CRV1_nr coefficients vs statsmodels WLS LSDV",
    call,
    "c_twfe_wls_hours_CRV1_nr",
    "statsmodels WLS LSDV",
    max_abs_diff(by_id("c_twfe_wls_hours_CRV1_nr")["coefficients"], {k: num(res.params[k]) for k in ("union", "married", "expersq")}),
)

# (d) pyfixest IV vs linearmodels IV2SLS
for pf_id, lm_id in [
    ("d_iv_iid", "d_iv_linearmodels_unadjusted_debiased"),
    ("d_iv_HC1", "d_iv_linearmodels_robust_debiased"),
]:
    a, b = by_id(pf_id), by_id(lm_id)
    rename = {"Intercept": "Intercept"}
    add_check(
        f"{pf_id} vs {lm_id}",
        None,
        pf_id,
        lm_id,
        max_abs_diff(a["coefficients"], b["coefficients"], rename),
        max_abs_diff(a["std_errors"], b["std_errors"], rename),
        max_rel_diff(a["std_errors"], b["std_errors"]),
    )

# (e) mpdta TWFE vs explicit dummies
call = 'smf.ols("lemp ~ treat_post + C(countyreal) + C(year)", data=mpdta).fit()'
res, _ = run(call)
add_check(
    "e_mpdta_twfe_CRV1_countyreal coefficients vs statsmodels LSDV",
    call,
    "e_mpdta_twfe_CRV1_countyreal",
    "statsmodels LSDV",
    max_abs_diff(by_id("e_mpdta_twfe_CRV1_countyreal")["coefficients"], {"treat_post": num(res.params["treat_post"])}),
)

# (f) Poisson FE vs statsmodels GLM Poisson with explicit dummies
call = (
    'smf.glm("hours ~ union + married + C(nr) + C(year)", data=wagepan, '
    "family=sm.families.Poisson()).fit(tol=1e-12)"
)
res, _ = run(call)
add_check(
    "f_pois_hours_CRV1_nr coefficients vs statsmodels GLM Poisson with nr and year dummies",
    call,
    "f_pois_hours_CRV1_nr",
    "statsmodels GLM Poisson LSDV",
    max_abs_diff(by_id("f_pois_hours_CRV1_nr")["coefficients"], {k: num(res.params[k]) for k in ("union", "married")}),
)


# --------------------------------------------------------------------------------------------
# write
# --------------------------------------------------------------------------------------------
doc = {
    "description": (
        "Reference values for phare's regression engine, produced by "
        "crates/phare-models/tests/reference/generate.py. Do not edit by hand: re-run the script."
    ),
    "generator": "crates/phare-models/tests/reference/generate.py",
    "python": platform.python_version(),
    "packages": VERSIONS,
    "datasets": DATASETS,
    "cases": cases,
    "unsupported": unsupported_cases,
    "crosschecks": crosschecks,
}
text = json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
OUT.write_text(text, encoding="utf-8")
print(f"wrote {OUT.relative_to(REPO_ROOT)}: {len(cases)} cases, {len(unsupported_cases)} unsupported, {len(crosschecks)} cross-checks")
