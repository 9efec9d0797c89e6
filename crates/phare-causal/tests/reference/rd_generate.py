"""Reference values for phare's regression-discontinuity (RD) estimators.

Peers (used strictly as BLACK BOXES: only called through their documented public API, outputs
recorded; their GPL source was never read):
  * rdrobust 2.1.1  (PyPI, License: GPL-3.0-only) -- rdrobust, rdbwselect, rdplot
  * rddensity 3.0   (PyPI, License: GPL-3.0-only) -- rddensity, rdbwdensity
  * lpdensity 3.0.0 (PyPI, License: GPL-3.0-only; dependency of rddensity)
Other versions at generation time: numpy 2.4.6, pandas 3.1.1, scipy 1.17.1, python 3.11.7.
(The versions of the run are also written into the JSON under meta.packages.)
Generated on 2026-11-29.

Data:
  * datasets/gpl/rdrobust_senate.csv (read only): running variable `margin`, outcome `vote`
    (93 missing -> rdrobust drops them, N = 595 + 702 = 1297), cluster `state`, covariates.
  * crates/phare-causal/tests/reference/rd_simulated.csv: SIMULATED data written by this script
    (numpy default_rng seed SIM_SEED, n = 2000; see simulate() for the design and the true
    effects, also stored under meta.simulated). Every simulated case is computed on the data as
    read back from that CSV, so a Rust test reading the CSV sees exactly the same numbers.

Output: crates/phare-causal/tests/reference/rd_reference.json (deterministic: rerunning the
script reproduces it byte for byte). Timings (not deterministic) are only measured with
--timing and then written to crates/phare-causal/tests/reference/rd_timing.json.

Run from the repository root:
    nice /root/venv-rd/bin/python crates/phare-causal/tests/reference/rd_generate.py
    nice /root/venv-rd/bin/python crates/phare-causal/tests/reference/rd_generate.py --timing
Install: python3 -m venv /root/venv-rd &&
         /root/venv-rd/bin/pip install rdrobust==2.1.1 rddensity==3.0 lpdensity==3.0.0 numpy pandas

JSON layout (all floats at full double precision; NaN/None -> null):
  meta                     packages, licences, data files, simulated design, notes
  rdrobust.<case>          {"data", "args", "result", "warnings", "stdout"}; result holds
                           coef/se/z/pv as {"conventional","bias_corrected","robust"}, ci as the
                           same keys -> [lower, upper], h/b/N/N_h/N_b/M as [left, right], plus
                           every other attribute of the result object (see meta.attributes).
  rdbwselect.<case>        {"data", "args", "result"}; result.bws.<selector> = {h:[l,r], b:[l,r]}
  rdplot.<case>            {"data", "args", "result"}; J, J_IMSE, J_MV, bin_avg, bin_med, coef,
                           vars_bins (all bins, column-wise), vars_poly (head/tail only)
  rddensity.<case>         {"data", "args", "result"}; hat, sd_jk, sd_asy, test, n, h, bino ...
  rdbwdensity.<case>       {"data", "args", "result"}; h table (bw, variance, biassq per l/r/diff/sum)
"""
import contextlib
import io
import json
import math
import os
import statistics
import sys
import time
import warnings
from importlib.metadata import metadata, version

import numpy as np
import pandas as pd
from rddensity import rdbwdensity, rddensity
from rdrobust import rdbwselect, rdplot, rdrobust

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
SENATE = os.path.join(ROOT, "datasets", "gpl", "rdrobust_senate.csv")
SIM_CSV = os.path.join(HERE, "rd_simulated.csv")
OUT = os.path.join(HERE, "rd_reference.json")
TIMING_OUT = os.path.join(HERE, "rd_timing.json")
GENERATED_ON = "2026-11-29"
SIM_SEED = 20261129
SIM_N = 2000

# --------------------------------------------------------------------------------------------
# JSON conversion
# --------------------------------------------------------------------------------------------


def jsonable(v):
    """Convert numpy / pandas objects to plain JSON values (NaN -> None)."""
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return None if (math.isnan(f) or math.isinf(f)) else f
    if isinstance(v, str):
        return v
    if isinstance(v, pd.DataFrame):
        return {
            "index": [jsonable(i) for i in v.index],
            "columns": [jsonable(c) for c in v.columns],
            "data": [[jsonable(x) for x in row] for row in v.to_numpy(dtype=object)],
        }
    if isinstance(v, pd.Series):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, np.ndarray):
        return [jsonable(x) for x in v.tolist()] if v.ndim > 0 else jsonable(v.item())
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    return repr(v)


def col(v):
    """A 1-column array/DataFrame (e.g. beta_p_l) as a flat list."""
    return [jsonable(x) for x in np.asarray(v, dtype=float).ravel()]


def frame_rows(df):
    """A DataFrame whose index names the rows and whose 1 or 2 columns hold the values."""
    out = {}
    key = {"Conventional": "conventional", "Bias-Corrected": "bias_corrected", "Robust": "robust"}
    for idx, row in df.iterrows():
        vals = [jsonable(x) for x in row.tolist()]
        out[key.get(idx, str(idx))] = vals[0] if len(vals) == 1 else vals
    return out


def capture(fn, *args, **kw):
    """Call fn, return (result, warnings list, stdout text)."""
    buf = io.StringIO()
    with warnings.catch_warnings(record=True) as w, contextlib.redirect_stdout(buf):
        warnings.simplefilter("always")
        res = fn(*args, **kw)
    msgs = []
    for x in w:
        m = f"{x.category.__name__}: {x.message}"
        if m not in msgs:
            msgs.append(m)
    return res, msgs, buf.getvalue()


ATTRS = {}  # function name -> attribute names seen on its result objects


def note_attrs(name, obj):
    seen = ATTRS.setdefault(name, [])
    for k in vars(obj):
        if k not in seen:
            seen.append(k)


# --------------------------------------------------------------------------------------------
# Result extraction
# --------------------------------------------------------------------------------------------

RDROBUST_HANDLED = {"coef", "se", "z", "pv", "ci", "bws", "Estimate", "beta_p_l", "beta_p_r",
                    "V_cl_l", "V_cl_r", "V_rb_l", "V_rb_r", "coef_covs", "beta_T_p_l",
                    "beta_T_p_r"}


def rec_rdrobust(r):
    note_attrs("rdrobust", r)
    out = {
        "coef": frame_rows(r.coef),
        "se": frame_rows(r.se),
        "z": frame_rows(r.z),
        "pv": frame_rows(r.pv),
        "ci": frame_rows(r.ci),
        "h": [jsonable(r.bws.loc["h", "left"]), jsonable(r.bws.loc["h", "right"])],
        "b": [jsonable(r.bws.loc["b", "left"]), jsonable(r.bws.loc["b", "right"])],
        "Estimate": {str(c): jsonable(r.Estimate.iloc[0][c]) for c in r.Estimate.columns},
        "beta_p_l": col(r.beta_p_l),
        "beta_p_r": col(r.beta_p_r),
        "V_cl_l": jsonable(np.asarray(r.V_cl_l, dtype=float)),
        "V_cl_r": jsonable(np.asarray(r.V_cl_r, dtype=float)),
        "V_rb_l": jsonable(np.asarray(r.V_rb_l, dtype=float)),
        "V_rb_r": jsonable(np.asarray(r.V_rb_r, dtype=float)),
    }
    out["rho"] = [out["h"][0] / out["b"][0], out["h"][1] / out["b"][1]]  # h/b as printed
    cc = r.coef_covs
    if cc is None:
        out["coef_covs"] = None
    elif isinstance(cc, pd.DataFrame):
        out["coef_covs"] = {str(i): jsonable(cc.loc[i].iloc[0]) if cc.shape[1] == 1
                            else jsonable(cc.loc[i].tolist()) for i in cc.index}
    elif isinstance(cc, pd.Series):
        out["coef_covs"] = {str(k): jsonable(v) for k, v in cc.items()}
    else:
        out["coef_covs"] = col(cc)
    for k in ("beta_T_p_l", "beta_T_p_r"):
        v = getattr(r, k)
        out[k] = None if v is None else col(v)
    for k, v in vars(r).items():
        if k in RDROBUST_HANDLED or k in out:
            continue
        if isinstance(v, pd.DataFrame) and k in ("tau_T", "se_T", "z_T", "pv_T", "ci_T"):
            out[k] = frame_rows(v)
        else:
            out[k] = jsonable(v)
    return out


def rec_rdbwselect(r):
    note_attrs("rdbwselect", r)
    out = {"bws": {}}
    for sel in r.bws.index:
        row = r.bws.loc[sel]
        out["bws"][str(sel)] = {"h": [jsonable(row.iloc[0]), jsonable(row.iloc[1])],
                                "b": [jsonable(row.iloc[2]), jsonable(row.iloc[3])]}
    out["bws_columns"] = [str(c) for c in r.bws.columns]
    for k, v in vars(r).items():
        if k != "bws":
            out[k] = jsonable(v)
    return out


def rec_rdplot(r):
    note_attrs("rdplot", r)
    out = {}
    for k, v in vars(r).items():
        if k == "rdplot":
            continue  # plot object (None with hide=True)
        if k == "vars_bins":
            out[k] = {"n_rows": int(v.shape[0]),
                      "columns": {str(c): [jsonable(x) for x in v[c].tolist()] for c in v.columns}}
        elif k == "vars_poly":
            out[k] = {"n_rows": int(v.shape[0]),
                      "head": jsonable(v.head(3)), "tail": jsonable(v.tail(3))}
        elif k == "coef":
            out[k] = {str(c): [jsonable(x) for x in v[c].tolist()] for c in v.columns}
        else:
            out[k] = jsonable(v)
    return out


def rec_generic(name, r):
    note_attrs(name, r)
    out = {}
    for k, v in vars(r).items():
        if isinstance(v, pd.DataFrame):
            out[k] = {str(i): {str(c): jsonable(v.loc[i, c]) for c in v.columns} for i in v.index}
        else:
            out[k] = jsonable(v)
    return out


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


def simulate(n=SIM_N, seed=SIM_SEED):
    """SIMULATED RD data (deterministic). True effects:
    x ~ U[-1, 1]; T = 1{x >= 0}; x2 = round(x, 2) (mass points, 201 support points)
    z ~ N(0, 1) covariate, continuous at the cutoff; g = cluster id in 0..99 (uniform)
    e ~ N(0, 0.5^2), independent
    w ~ U[0.5, 2] weights
    y  (sharp)  = 1 + 0.8 x - 0.5 x^2 + 0.3 x^3 + 0.5 z + TAU_SHARP T + e,   TAU_SHARP = 0.5
    d  (fuzzy)  ~ Bernoulli(0.2 + 0.6 T)   (take-up jumps 0.2 -> 0.8, first stage 0.6)
    yf (fuzzy)  = 1 + 0.8 x - 0.5 x^2 + 0.5 z + TAU_FUZZY d + e,   TAU_FUZZY = 1.0 (constant
                  effect, so the fuzzy RD (Wald) estimand is 1.0 and the reduced form jump 0.6)
    yk (kink)   = 1 + 0.5 x + KINK x T - 0.4 x^2 + 0.2 e,   KINK = 2.0 (slope change at 0,
                  continuous level; smaller noise so the derivative is estimated usefully)
    v ~ N(0, 1) (drawn after all the above)
    dk (fuzzy kink treatment intensity, continuous)
                = 0.5 + 0.2 x + 0.6 x T + 0.05 v   (slope change 0.6, continuous level)
    yfk (fuzzy kink outcome)
                = 1 + 0.3 x - 0.4 x^2 + TAU_FK dk + 0.2 e,   TAU_FK = 1.5 (fuzzy kink estimand
                  = 1.5 * 0.6 / 0.6 = 1.5; sharp kink of yfk = 0.9)
    ym (mass)   = 1 + 0.8 x2 - 0.5 x2^2 + 0.3 x2^3 + TAU_SHARP 1{x2 >= 0} + e  (outcome built on
                  the rounded score; x2 == 0 counts as treated)
    Values are rounded to 6 decimals (x2 to 2) before writing.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, n)
    z = rng.standard_normal(n)
    e = rng.normal(0.0, 0.5, n)
    u = rng.uniform(0.0, 1.0, n)
    w = rng.uniform(0.5, 2.0, n)
    g = rng.integers(0, 100, n)
    v = np.round(rng.standard_normal(n), 6)
    x = np.round(x, 6)
    z = np.round(z, 6)
    e = np.round(e, 6)
    w = np.round(w, 6)
    t = (x >= 0).astype(float)
    d = (u < 0.2 + 0.6 * t).astype(int)
    x2 = np.round(x, 2)
    t2 = (x2 >= 0).astype(float)
    y = 1 + 0.8 * x - 0.5 * x**2 + 0.3 * x**3 + 0.5 * z + 0.5 * t + e
    yf = 1 + 0.8 * x - 0.5 * x**2 + 0.5 * z + 1.0 * d + e
    yk = 1 + 0.5 * x + 2.0 * x * t - 0.4 * x**2 + 0.2 * e
    dk = np.round(0.5 + 0.2 * x + 0.6 * x * t + 0.05 * v, 6)
    yfk = 1 + 0.3 * x - 0.4 * x**2 + 1.5 * dk + 0.2 * e
    ym = 1 + 0.8 * x2 - 0.5 * x2**2 + 0.3 * x2**3 + 0.5 * t2 + e
    df = pd.DataFrame({
        "x": x, "x2": x2, "y": np.round(y, 6), "d": d, "yf": np.round(yf, 6),
        "yk": np.round(yk, 6), "ym": np.round(ym, 6), "dk": dk, "yfk": np.round(yfk, 6),
        "z": z, "w": w, "g": g,
        "label": "SIMULATED",
    })
    return df


SIM_META = {
    "file": "crates/phare-causal/tests/reference/rd_simulated.csv",
    "label": "SIMULATED (every row has label=SIMULATED)",
    "generator": "numpy.random.default_rng(20261129); see simulate() in rd_generate.py",
    "n": SIM_N,
    "columns": {
        "x": "running variable, U[-1,1], cutoff 0, rounded to 6 decimals",
        "x2": "round(x, 2): running variable with mass points",
        "y": "sharp outcome: 1 + 0.8x - 0.5x^2 + 0.3x^3 + 0.5z + 0.5*1{x>=0} + e",
        "d": "treatment take-up, Bernoulli(0.2 + 0.6*1{x>=0})",
        "yf": "fuzzy outcome: 1 + 0.8x - 0.5x^2 + 0.5z + 1.0*d + e",
        "yk": "kink outcome: 1 + 0.5x + 2.0*x*1{x>=0} - 0.4x^2 + 0.2e",
        "ym": "sharp outcome on the rounded score: 1 + 0.8x2 - 0.5x2^2 + 0.3x2^3 + 0.5*1{x2>=0} + e",
        "dk": "fuzzy-kink treatment intensity: 0.5 + 0.2x + 0.6*x*1{x>=0} + 0.05v, v ~ N(0,1)",
        "yfk": "fuzzy-kink outcome: 1 + 0.3x - 0.4x^2 + 1.5*dk + 0.2e",
        "z": "covariate N(0,1), continuous at the cutoff",
        "w": "weights U[0.5, 2]",
        "g": "cluster id 0..99",
        "label": "the constant string SIMULATED",
    },
    "true_effects": {
        "sharp_jump_y": 0.5, "fuzzy_late_yf": 1.0, "fuzzy_first_stage_d": 0.6,
        "fuzzy_reduced_form_yf": 0.6, "kink_slope_change_yk": 2.0, "sharp_jump_ym": 0.5,
        "fuzzy_kink_yfk_on_dk": 1.5, "kink_slope_change_dk": 0.6, "kink_slope_change_yfk": 0.9,
    },
    "noise": "e ~ N(0, 0.5^2)",
}

# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------


def run_rdrobust(store, key, data, df, args):
    """args: JSON-able dict of the call; column names given as strings are resolved from df."""
    kw = {}
    for k, v in args.items():
        if k in ("y", "x", "fuzzy", "weights", "cluster"):
            kw[k] = df[v]
        elif k == "covs":
            kw[k] = df[v]  # list of column names -> DataFrame
        else:
            kw[k] = v
    r, w, so = capture(rdrobust, **kw)
    store[key] = {"data": data, "args": args, "result": rec_rdrobust(r), "warnings": w,
                  "stdout": so}


def main():
    senate = pd.read_csv(SENATE)
    sim_df = simulate()
    sim_df.to_csv(SIM_CSV, index=False)  # shortest round-trip repr of each double
    sim = pd.read_csv(SIM_CSV)  # use exactly what the Rust tests will read

    out = {"meta": {}, "rdrobust": {}, "rdbwselect": {}, "rdplot": {}, "rddensity": {},
           "rdbwdensity": {}}
    R = out["rdrobust"]
    S = ("senate", senate)
    M = ("simulated", sim)

    def rr(key, dat, **args):
        run_rdrobust(R, key, dat[0], dat[1], args)

    # 1. Senate default
    rr("senate_default", S, y="vote", x="margin")

    # 2. grid: kernel x p x vce (bwselect mserd)
    for kern in ("triangular", "epanechnikov", "uniform"):
        for p in (1, 2):
            for vce in ("nn", "hc0", "hc1", "hc2", "hc3"):
                rr(f"senate_grid_{kern}_p{p}_{vce}", S, y="vote", x="margin", kernel=kern, p=p,
                   vce=vce, bwselect="mserd")
    # bandwidth selectors
    for bw in ("mserd", "msetwo", "msesum", "msecomb1", "msecomb2",
               "cerrd", "certwo", "cersum", "cercomb1", "cercomb2"):
        rr(f"senate_bw_{bw}", S, y="vote", x="margin", bwselect=bw)
    rr("senate_h10", S, y="vote", x="margin", h=10)
    rr("senate_h10_b20", S, y="vote", x="margin", h=10, b=20)
    rr("senate_h10_12_b20_25", S, y="vote", x="margin", h=[10, 12], b=[20, 25])
    rr("senate_h10_rho05", S, y="vote", x="margin", h=10, rho=0.5)
    rr("senate_c5", S, y="vote", x="margin", c=5)
    rr("senate_p2_q3", S, y="vote", x="margin", p=2, q=3)
    rr("senate_p1_q3", S, y="vote", x="margin", p=1, q=3)
    rr("senate_p0", S, y="vote", x="margin", p=0)
    rr("senate_level90", S, y="vote", x="margin", level=90)
    rr("senate_masspoints_off", S, y="vote", x="margin", masspoints="off")
    rr("senate_masspoints_check", S, y="vote", x="margin", masspoints="check")
    rr("senate_scaleregul0", S, y="vote", x="margin", scaleregul=0)
    rr("senate_nnmatch5", S, y="vote", x="margin", nnmatch=5)
    rr("senate_h10_hc1_uniform", S, y="vote", x="margin", h=10, vce="hc1", kernel="uniform")
    rr("senate_deriv1", S, y="vote", x="margin", deriv=1)
    rr("senate_all", S, y="vote", x="margin", all=True)

    # 3. covariates and clusters (Senate)
    rr("senate_covs_presdemvoteshlag1", S, y="vote", x="margin", covs=["presdemvoteshlag1"])
    rr("senate_covs_presdem_demlag1", S, y="vote", x="margin",
       covs=["presdemvoteshlag1", "demvoteshlag1"])
    ccft = ["presdemvoteshlag1", "demvoteshlag1", "demvoteshlag2", "demwinprv1", "demwinprv2",
            "dmidterm", "dpresdem", "dopen"]
    rr("senate_covs_ccft8", S, y="vote", x="margin", covs=ccft)
    rr("senate_covs_presdem_demlag1_hc1_h10", S, y="vote", x="margin",
       covs=["presdemvoteshlag1", "demvoteshlag1"], vce="hc1", h=10)
    rr("senate_cluster_state", S, y="vote", x="margin", cluster="state")
    rr("senate_cluster_state_hc1", S, y="vote", x="margin", cluster="state", vce="hc1")
    rr("senate_cluster_state_nn", S, y="vote", x="margin", cluster="state", vce="nn")
    rr("senate_cluster_state_cr2", S, y="vote", x="margin", cluster="state", vce="cr2")
    rr("senate_cluster_state_cr3", S, y="vote", x="margin", cluster="state", vce="cr3")
    rr("senate_cluster_state_cr1_h10", S, y="vote", x="margin", cluster="state", vce="cr1", h=10)
    rr("senate_covs_cluster_state", S, y="vote", x="margin", cluster="state",
       covs=["presdemvoteshlag1", "demvoteshlag1"])

    # 4. simulated: sharp, fuzzy, kink, weights, covariates, clusters, mass points
    rr("sim_sharp", M, y="y", x="x")
    rr("sim_sharp_hc1", M, y="y", x="x", vce="hc1")
    rr("sim_sharp_h03", M, y="y", x="x", h=0.3)
    rr("sim_sharp_covs_z", M, y="y", x="x", covs=["z"])
    rr("sim_sharp_cluster_g", M, y="y", x="x", cluster="g")
    rr("sim_sharp_weights", M, y="y", x="x", weights="w")
    rr("sim_sharp_weights_hc1_h03", M, y="y", x="x", weights="w", vce="hc1", h=0.3)
    rr("sim_fuzzy", M, y="yf", x="x", fuzzy="d")
    rr("sim_fuzzy_hc1", M, y="yf", x="x", fuzzy="d", vce="hc1")
    rr("sim_fuzzy_h03", M, y="yf", x="x", fuzzy="d", h=0.3)
    rr("sim_fuzzy_sharpbw", M, y="yf", x="x", fuzzy="d", sharpbw=True)
    rr("sim_fuzzy_covs_z", M, y="yf", x="x", fuzzy="d", covs=["z"])
    rr("sim_reduced_form", M, y="yf", x="x")
    rr("sim_first_stage", M, y="d", x="x")
    rr("sim_kink", M, y="yk", x="x", deriv=1)
    rr("sim_kink_p2", M, y="yk", x="x", deriv=1, p=2)
    rr("sim_kink_h05", M, y="yk", x="x", deriv=1, h=0.5)
    rr("sim_kink_p1", M, y="yk", x="x", deriv=1, p=1)
    rr("sim_fuzzy_kink", M, y="yfk", x="x", deriv=1, fuzzy="dk")
    rr("sim_kink_yfk_reduced_form", M, y="yfk", x="x", deriv=1)
    rr("sim_kink_dk_first_stage", M, y="dk", x="x", deriv=1)
    rr("sim_mass_default", M, y="ym", x="x2")
    rr("sim_mass_adjust", M, y="ym", x="x2", masspoints="adjust")
    rr("sim_mass_check", M, y="ym", x="x2", masspoints="check")
    rr("sim_mass_off", M, y="ym", x="x2", masspoints="off")
    rr("sim_mass_bwcheck30", M, y="ym", x="x2", bwcheck=30)
    rr("sim_mass_h03", M, y="ym", x="x2", h=0.3)

    # rdbwselect
    B = out["rdbwselect"]

    def bw(key, dat, **args):
        kw = {k: (dat[1][v] if k in ("y", "x", "fuzzy", "weights", "cluster", "covs") else v)
              for k, v in args.items()}
        r, w, so = capture(rdbwselect, **kw)
        B[key] = {"data": dat[0], "args": args, "result": rec_rdbwselect(r), "warnings": w,
                  "stdout": so}

    bw("senate_all", S, y="vote", x="margin", all=True)
    bw("senate_all_uniform_p2", S, y="vote", x="margin", all=True, kernel="uniform", p=2)
    bw("senate_all_hc1", S, y="vote", x="margin", all=True, vce="hc1")
    bw("sim_sharp_all", M, y="y", x="x", all=True)
    bw("sim_fuzzy_all", M, y="yf", x="x", fuzzy="d", all=True)
    bw("sim_kink_all", M, y="yk", x="x", deriv=1, all=True)
    bw("sim_mass_all", M, y="ym", x="x2", all=True)

    # 5. rdplot
    P = out["rdplot"]

    def pl(key, dat, **args):
        kw = {k: (dat[1][v] if k in ("y", "x", "weights", "covs") else v)
              for k, v in args.items()}
        r, w, so = capture(rdplot, hide=True, **kw)
        P[key] = {"data": dat[0], "args": dict(args, hide=True), "result": rec_rdplot(r),
                  "warnings": w, "stdout": so}

    pl("senate_default", S, y="vote", x="margin")
    for bs in ("es", "espr", "esmv", "esmvpr", "qs", "qspr", "qsmv", "qsmvpr"):
        pl(f"senate_{bs}", S, y="vote", x="margin", binselect=bs)
    pl("senate_nbins_10_10", S, y="vote", x="margin", nbins=[10, 10])
    pl("senate_p1_h20", S, y="vote", x="margin", p=1, h=20, kernel="triangular")
    pl("sim_sharp_default", M, y="y", x="x")
    pl("sim_mass_default", M, y="ym", x="x2")

    # 6. rddensity / rdbwdensity
    D = out["rddensity"]
    BD = out["rdbwdensity"]

    def dens(store, fn, name, key, dat, **args):
        kw = {k: (dat[1][v] if k == "X" else v) for k, v in args.items()}
        r, w, so = capture(fn, **kw)
        store[key] = {"data": dat[0], "args": args, "result": rec_generic(name, r),
                      "warnings": w, "stdout": so}

    dens(D, rddensity, "rddensity", "senate_default", S, X="margin")
    dens(D, rddensity, "rddensity", "senate_useall", S, X="margin", useall=True)
    dens(D, rddensity, "rddensity", "senate_plugin", S, X="margin", vce="plugin")
    dens(D, rddensity, "rddensity", "senate_restricted", S, X="margin", fitselect="restricted")
    dens(D, rddensity, "rddensity", "senate_h20", S, X="margin", h=20)
    dens(D, rddensity, "rddensity", "sim_x", M, X="x")
    dens(BD, rdbwdensity, "rdbwdensity", "senate_default", S, X="margin")
    dens(BD, rdbwdensity, "rdbwdensity", "senate_restricted", S, X="margin",
         fitselect="restricted")
    dens(BD, rdbwdensity, "rdbwdensity", "sim_x", M, X="x")

    pk = {}
    for p in ("rdrobust", "rddensity", "lpdensity", "numpy", "pandas", "scipy"):
        md = metadata(p)
        lic = md.get("License-Expression") or md.get("License") or None
        if lic is not None and len(lic) > 80:  # full licence text in the field (scipy)
            cls = [c.split("::")[-1].strip() for c in (md.get_all("Classifier") or [])
                   if c.startswith("License ::")]
            lic = "; ".join(cls) if cls else lic.splitlines()[0]
            lic += " (METADATA License field holds the full text)"
        pk[p] = {"version": version(p), "license": lic}
    pk["python"] = {"version": sys.version.split()[0], "license": "PSF-2.0"}
    out["meta"] = {
        "generated_on": GENERATED_ON,
        "generator": "crates/phare-causal/tests/reference/rd_generate.py",
        "command": "nice /root/venv-rd/bin/python crates/phare-causal/tests/reference/rd_generate.py",
        "packages": pk,
        "black_box": "rdrobust/rddensity/lpdensity (GPL-3.0-only) were only called through their "
                     "documented public API; their source code was not read.",
        "data": {
            "senate": {"file": "datasets/gpl/rdrobust_senate.csv", "rows": int(len(senate)),
                       "note": "x = margin, y = vote (93 NA, dropped by rdrobust); "
                               "rddensity uses all 1390 margins"},
            "simulated": SIM_META,
        },
        "attributes": ATTRS,
        "notes": [
            "coef/se/z/pv/ci keys: conventional, bias_corrected, robust (rdrobust's rows "
            "Conventional, Bias-Corrected, Robust). se.bias_corrected == se.conventional.",
            "h, b, N, N_h, N_b, M, tau_cl, tau_bc, bias are [left, right].",
            "rho is h/b per side (as printed by rdrobust), computed here from h and b.",
            "ci values are [lower, upper].",
            "Arguments that name a column (y, x, fuzzy, weights, cluster, covs, X) are passed "
            "as the pandas column(s) of that name from the case's data.",
            "rdplot is called with hide=True. vars_poly: only head/tail 3 rows (1000 rows "
            "in total) are stored.",
            "Matrices (V_*) are lists of rows.",
            "Observed behaviour (black-box): the Senate running variable has mass points on the "
            "right (M = [595, 665] unique of N = [595, 702]); with the default masspoints='adjust' "
            "the mserd h is 17.7544 (the published value), while masspoints='off' or 'check' "
            "give h = 17.708 (cases senate_masspoints_off/_check).",
            "Observed: with deriv=1 and no p given, rdrobust uses p=2, q=3 (sim_kink == "
            "sim_kink_p2). With p=2 and no q, q=3.",
            "Observed: cluster= switches vce nn/hc0/hc1 to CR1 (a UserWarning for hc*, none for "
            "nn); vce hc2/hc3 -> CR2/CR3. Senate 'state' has 50 clusters.",
            "Observed: rdrobust drops rows with NA in y, x or any covariate (listwise); "
            "senate_covs_* N reflects that.",
            "rdplot vars_bins omits empty bins (e.g. senate_default has J = [15, 35] but 49 rows).",
            "Simulated x2 == 0 counts as right of the cutoff (x >= c is treated).",
        ],
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=False, allow_nan=False)
        f.write("\n")
    print(f"wrote {OUT}: {len(R)} rdrobust, {len(B)} rdbwselect, {len(P)} rdplot, "
          f"{len(D)} rddensity, {len(BD)} rdbwdensity cases")


def timing():
    senate = pd.read_csv(SENATE)
    res = {"note": "wall time (seconds, time.perf_counter) of rdrobust(y, x) with default "
                   "options; machine: 2 cores; run under nice", "packages": {
                       "rdrobust": version("rdrobust"), "numpy": version("numpy")}}
    ts = []
    for _ in range(5):
        t0 = time.perf_counter()
        capture(rdrobust, y=senate["vote"], x=senate["margin"])
        ts.append(time.perf_counter() - t0)
    res["senate_default"] = {"n": 1297, "runs": ts, "median": statistics.median(ts)}
    for n, reps in ((10_000, 3), (100_000, 1), (1_000_000, 1)):
        df = simulate(n=n, seed=SIM_SEED + n)  # timing only; never written to disk
        ts = []
        for _ in range(reps):
            t0 = time.perf_counter()
            capture(rdrobust, y=df["y"], x=df["x"])
            ts.append(time.perf_counter() - t0)
        res[f"sim_n{n}"] = {"n": n, "runs": ts, "median": statistics.median(ts),
                            "design": "simulate(n, seed=20261129+n), y on x, defaults",
                            "unique_x": int(df["x"].nunique()),
                            "note": "x is rounded to 6 decimals, so large n has ties and the "
                                    "default masspoints='adjust' path is exercised"}
        print(n, ts, flush=True)
    with open(TIMING_OUT, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    if "--timing" in sys.argv:
        timing()
    else:
        main()
