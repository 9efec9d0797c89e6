# Reference values for phare's Newey-West (panel HAC) and Driscoll-Kraay covariance estimators.
#
# Purpose: fit a fixed list of OLS / two-way-FE models on datasets/wagepan.csv with pyfixest 0.60.0
# using vcov="NW" (panel Newey-West) and vcov="DK" (Driscoll-Kraay), and write the coefficients,
# standard errors, full covariance matrices and the small-sample details that pyfixest applied to
# hac_reference.json (next to this file). Every number in the JSON comes out of running this script.
#
# The script also re-implements both estimators in plain numpy (`my_nw`, `my_dk`, together with an
# independent OLS / exact two-way within transform and the small-sample factor), following the
# description in hac_conventions.md, and records the largest difference from pyfixest for each case
# under "numpy_check". If those differences are at rounding level (~1e-16), the description in
# hac_conventions.md is what pyfixest computes.
#
# Run from anywhere (paths are resolved from this file's location):
#
#     /root/venv-ref/bin/python crates/phare-models/tests/reference/hac_generate.py
#
# (venv: pyfixest==0.60.0 statsmodels==0.15.0 linearmodels==7.1 pandas==3.1.1; see README.md.)
#
# Determinism: like generate.py, the script re-executes itself with PYTHONHASHSEED=0 and
# BLAS/Rayon threads pinned to 1 before numpy is imported; the JSON has no timestamps.

import os
import sys

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
from pyfixest.estimation.internals.vcov_utils import (  # noqa: E402
    _dk_meat_panel,
    _get_panel_idx,
    _nw_meat_panel,
)

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[3]  # crates/phare-models/tests/reference -> repo root
OUT = HERE / "hac_reference.json"

PINNED = {"pyfixest": "0.60.0", "pandas": "3.1.1", "numpy": "2.4.6", "scipy": "1.17.1"}
VERSIONS = {name: _pkg_version(name) for name in PINNED}
for _name, _want in PINNED.items():
    if VERSIONS[_name] != _want:
        print(f"warning: {_name} is {VERSIONS[_name]}, the reference file was made with {_want}", file=sys.stderr)

# --------------------------------------------------------------------------------------------
# data (read only)
# --------------------------------------------------------------------------------------------
wagepan = pd.read_csv(REPO_ROOT / "datasets/wagepan.csv")

# Extra data sets (group d) that pin down how pyfixest treats time gaps and unbalanced panels.
# wagepan_gaps: unit-level gaps inside panels and unequal panel lengths, every year still present.
_gap_mask = ((wagepan["nr"] % 3 == 0) & (wagepan["year"] == 1983)) | (
    (wagepan["nr"] % 5 == 0) & (wagepan["year"] == 1987)
)
wagepan_gaps = wagepan[~_gap_mask].reset_index(drop=True)
# wagepan_no1983: balanced, but the whole year 1983 is missing (a gap in calendar time for everyone).
wagepan_no1983 = wagepan[wagepan["year"] != 1983].reset_index(drop=True)

DATASETS = {
    "wagepan": {"file": "datasets/wagepan.csv", "rows": int(len(wagepan)), "preprocessing": "none"},
    "wagepan_gaps": {
        "file": "datasets/wagepan.csv",
        "rows": int(len(wagepan_gaps)),
        "preprocessing": "drop rows with (nr % 3 == 0 and year == 1983) or (nr % 5 == 0 and year == 1987)",
    },
    "wagepan_no1983": {
        "file": "datasets/wagepan.csv",
        "rows": int(len(wagepan_no1983)),
        "preprocessing": "drop rows with year == 1983",
    },
}
NS = {"pf": pf, "wagepan": wagepan, "wagepan_gaps": wagepan_gaps, "wagepan_no1983": wagepan_no1983}


def run(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = eval(call, NS)  # noqa: S307 - fixed strings written in this file
    return res, sorted({str(w.message) for w in caught})


# --------------------------------------------------------------------------------------------
# JSON helpers (plain floats; repr is the shortest round-trip representation)
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
    k = str(k)
    return k[len("__fixed_effect__(") : -1] if k.startswith("__fixed_effect__(") and k.endswith(")") else k


# --------------------------------------------------------------------------------------------
# Independent numpy implementation (the formulas of hac_conventions.md)
# --------------------------------------------------------------------------------------------
def bartlett(lag):
    """w_l = 1 - l/(L+1), l = 0..L (w_0 = 1)."""
    return np.array([1.0 - l / (lag + 1.0) for l in range(lag + 1)])


def my_nw(scores, panel, time, lag, calendar_lags=False):
    """Panel Newey-West meat.

    meat = sum_i [ sum_t s_it s_it' + sum_{l=1}^{min(L, T_i-1)} w_l sum_t (s_it s_i,t-l' + s_i,t-l s_it') ]

    Observations are ordered by (panel, time) and, as in pyfixest, the lag is the distance in
    *position* within the panel (time gaps are ignored). With calendar_lags=True the pair (t, t-l)
    is instead required to be exactly l apart in the time variable (a gap-aware variant that is
    NOT what pyfixest does; used only to show the difference in group d).
    """
    order = np.lexsort((time, panel))
    s, p, t = scores[order], panel[order], time[order]
    w = bartlett(lag)
    meat = s.T @ s  # lag-0 term, once
    for l in range(1, lag + 1):
        if l >= len(s):
            break
        same = p[l:] == p[:-l]  # both rows belong to the same panel, l positions apart
        if calendar_lags:
            same &= (t[l:] - t[:-l]) == l
        g = s[l:][same].T @ s[:-l][same]  # Gamma_l = sum s_t s_{t-l}'
        meat += w[l] * (g + g.T)
    return meat


def my_dk(scores, time, lag, calendar_lags=False):
    """Driscoll-Kraay meat.

    S_t = sum_i s_it over the observations of time period t (distinct values of the time variable,
    sorted ascending). meat = Gamma_0 + sum_{l=1}^{min(L, T-1)} w_l (Gamma_l + Gamma_l') with
    Gamma_l = sum_{t>l} S_t S_{t-l}'. Lags are positions in the sorted list of time periods that
    occur in the data (calendar_lags=True: gap-aware variant, NOT pyfixest's behaviour).
    """
    times, inv = np.unique(time, return_inverse=True)
    S = np.zeros((len(times), scores.shape[1]))
    np.add.at(S, inv, scores)
    w = bartlett(lag)
    meat = S.T @ S
    for l in range(1, min(lag, len(times) - 1) + 1):
        cur, prev = S[l:], S[:-l]
        if calendar_lags:
            keep = (times[l:] - times[:-l]) == l
            cur, prev = cur[keep], prev[keep]
        g = cur.T @ prev
        meat += w[l] * (g + g.T)
    return meat


def my_within_twoway_balanced(v, panel, time):
    """Exact two-way within transform for a balanced panel: v - mean_i - mean_t + mean."""
    df = pd.DataFrame({"v": v, "p": panel, "t": time})
    return (
        df["v"] - df.groupby("p")["v"].transform("mean") - df.groupby("t")["v"].transform("mean") + df["v"].mean()
    ).to_numpy()


def my_fit(data, y, xs, fe, hac, lag, panel_id="nr", time_id="year", calendar_lags=False, scores_override=None):
    """OLS / balanced two-way-FE fit + NW or DK sandwich with pyfixest's small-sample factor.

    Returns (names, beta, vcov, meat, ssc). If scores_override is given, the meat is computed from
    those scores (used to isolate the kernel from the fit).
    """
    panel = data[panel_id].to_numpy()
    time = data[time_id].to_numpy()
    Y = data[y].to_numpy(dtype=float)
    X = data[xs].to_numpy(dtype=float)
    names = list(xs)
    N = len(Y)
    if fe:
        assert set(fe) == {panel_id, time_id}
        counts = data.groupby(panel_id).size()
        assert counts.nunique() == 1 and data[time_id].nunique() == counts.iloc[0], "needs a balanced panel"
        Y = my_within_twoway_balanced(Y, panel, time)
        X = np.column_stack([my_within_twoway_balanced(X[:, j], panel, time) for j in range(X.shape[1])])
        levels = [data[f].nunique() for f in fe]
        df_k = X.shape[1] + sum(levels) - (len(fe) - 1)
    else:
        X = np.column_stack([np.ones(N), X])
        names = ["Intercept", *names]
        df_k = X.shape[1]
    H = X.T @ X
    beta = np.linalg.solve(H, X.T @ Y)
    u = Y - X @ beta
    scores = X * u[:, None] if scores_override is None else scores_override
    meat = (
        my_nw(scores, panel, time, lag, calendar_lags) if hac == "NW" else my_dk(scores, time, lag, calendar_lags)
    )
    bread = np.linalg.inv(H)
    T = len(np.unique(time))
    ssc = (N - 1) / (N - df_k) * T / (T - 1)
    return names, beta, ssc * bread @ meat @ bread, meat, ssc, df_k, T - 1


# --------------------------------------------------------------------------------------------
# cases
# --------------------------------------------------------------------------------------------
FML_A = "lwage ~ union + married + exper + expersq"
FML_C = "lwage ~ union + married + expersq | nr + year"
XS_A = ["union", "married", "exper", "expersq"]
XS_C = ["union", "married", "expersq"]


def kw(lag=None, panel=True):
    d = {}
    if lag is not None:
        d["lag"] = lag
    d["time_id"] = "year"
    if panel:
        d["panel_id"] = "nr"
    return "{" + ", ".join(f'"{k}": {v!r}' if not isinstance(v, str) else f'"{k}": "{v}"' for k, v in d.items()) + "}"


def call_str(fml, data, vcov, lag):
    return f'pf.feols("{fml}", data={data}, vcov="{vcov}", vcov_kwargs={kw(lag)})'


# (id, group, dataset, formula, regressors, fe, hac, requested lag)
SPECS = [
    ("a_ols_NW_lag2", "a", "wagepan", FML_A, XS_A, None, "NW", 2),
    ("a_ols_NW_lag0", "a", "wagepan", FML_A, XS_A, None, "NW", 0),
    ("a_ols_NW_lag_default", "a", "wagepan", FML_A, XS_A, None, "NW", None),
    ("b_ols_DK_lag2", "b", "wagepan", FML_A, XS_A, None, "DK", 2),
    ("b_ols_DK_lag0", "b", "wagepan", FML_A, XS_A, None, "DK", 0),
    ("c_twfe_NW_lag2", "c", "wagepan", FML_C, XS_C, ["nr", "year"], "NW", 2),
    ("c_twfe_DK_lag2", "c", "wagepan", FML_C, XS_C, ["nr", "year"], "DK", 2),
    ("d_gaps_NW_lag2", "d", "wagepan_gaps", FML_A, XS_A, None, "NW", 2),
    ("d_gaps_DK_lag2", "d", "wagepan_gaps", FML_A, XS_A, None, "DK", 2),
    ("d_no1983_NW_lag2", "d", "wagepan_no1983", FML_A, XS_A, None, "NW", 2),
    ("d_no1983_DK_lag2", "d", "wagepan_no1983", FML_A, XS_A, None, "DK", 2),
]

NOTES = {
    "NW": (
        "Panel Newey-West: V = ssc * (X'X)^-1 M (X'X)^-1, X = regressors (demeaned by the absorbed FE "
        "if any), s_it = x_it * e_it. M = sum_i [ sum_t s_it s_it' + sum_{l=1}^{min(L,T_i-1)} w_l "
        "sum_{t>l} (s_it s_i,t-l' + s_i,t-l s_it') ], w_l = 1 - l/(L+1) (Bartlett). Rows are sorted by "
        "(panel_id, time_id); the lag is a position within the panel, time gaps are ignored; unbalanced "
        "panels are accepted. ssc = (N-1)/(N-df_k) * T/(T-1) with T = number of distinct time_id values; "
        "t df = T - 1."
    ),
    "DK": (
        "Driscoll-Kraay: S_t = sum_i s_it (sum of scores over the rows of time period t), periods = "
        "distinct time_id values sorted ascending. M = Gamma_0 + sum_{l=1}^{min(L,T-1)} w_l (Gamma_l + "
        "Gamma_l'), Gamma_l = sum_{t>l} S_t S_{t-l}', w_l = 1 - l/(L+1). Lags are positions among the "
        "periods present (calendar gaps ignored). V = ssc * (X'X)^-1 M (X'X)^-1, ssc = (N-1)/(N-df_k) * "
        "T/(T-1); t df = T - 1."
    ),
}

cases = []
for cid, group, dname, fml, xs, fe, hac, lag in SPECS:
    call = call_str(fml, dname, hac, lag)
    fit, msgs = run(call)
    data = NS[dname]
    names = list(fit._coefnames)
    T = int(np.unique(fit._data["year"]).shape[0])
    lag_eff = lag if lag is not None else int(np.floor(T**0.25))  # pyfixest default lag (vcov_utils.py)

    # independent fit
    my_names, my_beta, my_V, my_meat, my_ssc, my_dfk, my_dft = my_fit(data, "lwage", xs, fe, hac, lag_eff)
    assert my_names == names, (my_names, names)
    # kernel only: same formulas, but on pyfixest's own scores (removes fit/demeaning noise)
    *_, meat_pf_scores, _, _, _ = my_fit(data, "lwage", xs, fe, hac, lag_eff, scores_override=fit._scores)
    # meat straight from pyfixest's internal (Rust-backed) routines, called exactly as
    # Feols._vcov_hac does (feols_.py lines 926-956), versus my_nw / my_dk on the same scores
    _t = fit._data["year"].to_numpy()
    _p = fit._data["nr"].to_numpy()
    if hac == "NW":
        _o, _, _st, _ct, _ps, _ts = _get_panel_idx(panel_arr=_p, time_arr=_t)
        meat_pf = _nw_meat_panel(fit._scores[_o], _ts, _ps, _st, _ct, lag=lag)
    else:
        _o, _, _st, _ct, _ts, _ps = _get_panel_idx(panel_arr=_t, time_arr=_p)
        meat_pf = _dk_meat_panel(fit._scores[_o], _ts, _st, lag=lag)
    bread_pf = np.linalg.inv(np.asarray(fit._hessian))  # pyfixest's bread, (X'X)^-1 of its own X
    V_same_inputs = my_ssc * bread_pf @ meat_pf_scores @ bread_pf
    # gap-aware variant (NOT pyfixest) to show whether gaps matter for this data set
    *_, V_cal, _, _, _, _ = my_fit(data, "lwage", xs, fe, hac, lag_eff, calendar_lags=True)

    pf_V = np.asarray(fit._vcov)
    pf_se = fit.se().to_numpy()
    my_se = np.sqrt(np.diag(my_V))
    tidy = fit.tidy()
    entry = {
        "id": cid,
        "group": group,
        "package": "pyfixest",
        "package_version": VERSIONS["pyfixest"],
        "estimator": "feols",
        "call": call,
        "dataset": dname,
        "nobs": int(fit._N),
        "n_panels": int(data["nr"].nunique()),
        "n_time_periods": T,
        "coefficients": named(names, fit.coef().to_numpy()),
        "std_errors": named(names, pf_se),
        "t_stats": named(names, tidy["t value"].to_numpy()),
        "p_values": named(names, tidy["Pr(>|t|)"].to_numpy()),
        "conf_int_95": {
            n: [num(a), num(b)] for n, a, b in zip(names, tidy["2.5%"].to_numpy(), tidy["97.5%"].to_numpy())
        },
        "vcov": matrix(names, pf_V),
        "vcov_type": fit._vcov_type_detail,
        "vcov_type_internal": fit._vcov_type,
        "hac": {
            "kind": "panel Newey-West" if hac == "NW" else "Driscoll-Kraay",
            "lag_requested": lag,
            "lag_attribute_on_fit": None if fit._lag is None else int(fit._lag),
            "lag_effective": lag_eff,
            "kernel": "Bartlett, w_l = 1 - l/(L+1)",
            "weights_w_0_to_L": [num(x) for x in bartlett(lag_eff)],
            "time_id": fit._time_id,
            "panel_id": fit._panel_id,
        },
        "ssc": {k: (bool(v) if isinstance(v, (bool, np.bool_)) else v) for k, v in fit._ssc_dict.items()},
        "ssc_factor_applied": [num(x) for x in np.asarray(fit._ssc).reshape(-1)],
        "ssc_factor_parts": {
            "k_adj_factor_(N-1)/(N-df_k)": num((fit._N - 1) / (fit._N - fit._df_k)),
            "G_used": T,
            "G_factor_G/(G-1)": num(T / (T - 1)),
        },
        "df_k": num(fit._df_k),
        "df_t": num(fit._df_t),
        "n_clusters": None,
        "notes": NOTES[hac]
        + (" lag not given: pyfixest uses floor(T**0.25)." if lag is None else "")
        + (" lag 0: meat = sum s s' (HC0 meat) but with the HAC ssc, not HC1's N/(N-df_k)." if lag == 0 else ""),
        "numpy_check": {
            "description": (
                "my_nw/my_dk + independent OLS (exact balanced two-way within transform for FE) + "
                "ssc = (N-1)/(N-df_k)*T/(T-1), compared with pyfixest"
            ),
            "max_abs_diff_coef": num(np.max(np.abs(my_beta - fit.coef().to_numpy()))),
            "max_abs_diff_vcov": num(np.max(np.abs(my_V - pf_V))),
            "max_rel_diff_vcov": num(np.max(np.abs(my_V - pf_V) / np.abs(pf_V))),
            "max_abs_diff_se": num(np.max(np.abs(my_se - pf_se))),
            "max_rel_diff_se": num(np.max(np.abs(my_se - pf_se) / pf_se)),
            "abs_diff_ssc": num(abs(my_ssc - float(np.asarray(fit._ssc).reshape(-1)[0]))),
            "df_k_and_df_t_match": bool(my_dfk == fit._df_k and my_dft == fit._df_t),
            "same_inputs_description": (
                "my_nw/my_dk and my ssc applied to pyfixest's own scores (fit._scores) and bread "
                "(inv(fit._hessian)): isolates the HAC formula from OLS/demeaning rounding"
            ),
            "meat_vs_pyfixest_internal_max_rel_diff": num(
                np.max(np.abs(meat_pf_scores - meat_pf)) / np.max(np.abs(meat_pf))
            ),
            "same_inputs_max_abs_diff_vcov": num(np.max(np.abs(V_same_inputs - pf_V))),
            "same_inputs_max_rel_diff_se": num(
                np.max(np.abs(np.sqrt(np.diag(V_same_inputs)) - pf_se) / pf_se)
            ),
            "gap_aware_variant_max_rel_diff_se_vs_pyfixest": num(
                np.max(np.abs(np.sqrt(np.diag(V_cal)) - pf_se) / pf_se)
            ),
        },
        "warnings": msgs,
    }
    if fit._has_fixef:
        entry["fixed_effects"] = {
            fe_name(k): int(v) for k, v in sorted(fit._k_fe.items(), key=lambda kv: fe_name(kv[0]))
        }
    cases.append(entry)


def unsupported(cid, call, dataset):
    try:
        run(call)
    except Exception as e:  # noqa: BLE001 - record what the package says
        return {"id": cid, "call": call, "dataset": dataset, "error_type": type(e).__name__, "error": str(e)}
    return {"id": cid, "call": call, "dataset": dataset, "error": None, "note": "unexpectedly succeeded"}


unsupported_cases = [
    unsupported(
        "NW_without_panel_id_on_panel_data",
        f'pf.feols("{FML_A}", data=wagepan, vcov="NW", vcov_kwargs={kw(2, panel=False)})',
        "wagepan",
    ),
    unsupported(
        "DK_without_panel_id",
        f'pf.feols("{FML_A}", data=wagepan, vcov="DK", vcov_kwargs={kw(2, panel=False)})',
        "wagepan",
    ),
]

doc = {
    "description": (
        "Reference values for panel Newey-West (vcov='NW' with panel_id) and Driscoll-Kraay (vcov='DK') "
        "from pyfixest 0.60.0 on datasets/wagepan.csv, with an independent numpy re-implementation "
        "check. See hac_conventions.md for the formulas."
    ),
    "generator": "crates/phare-models/tests/reference/hac_generate.py",
    "python": platform.python_version(),
    "packages": VERSIONS,
    "datasets": DATASETS,
    "cases": cases,
    "unsupported": unsupported_cases,
}
text = json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
OUT.write_text(text)
print(f"wrote {OUT.relative_to(REPO_ROOT)}: {len(cases)} cases, {len(unsupported_cases)} unsupported")
for c in cases:
    nc = c["numpy_check"]
    print(
        f'{c["id"]:24s} union SE {c["std_errors"]["union"]!r:24s} ssc {c["ssc_factor_applied"][0]:.12f} '
        f'df_k {c["df_k"]} df_t {c["df_t"]} | vcov abs {nc["max_abs_diff_vcov"]:.2e} rel {nc["max_rel_diff_vcov"]:.2e} '
        f'se rel {nc["max_rel_diff_se"]:.2e} same-inputs abs {nc["same_inputs_max_abs_diff_vcov"]:.2e} '
        f'se rel {nc["same_inputs_max_rel_diff_se"]:.2e} meat {nc["meat_vs_pyfixest_internal_max_rel_diff"]:.1e} '
        f'gap-aware {nc["gap_aware_variant_max_rel_diff_se_vs_pyfixest"]:.2e}'
    )
