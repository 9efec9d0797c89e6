"""Reference values of the Kleibergen-Paap (2006) rk Wald F and Cragg-Donald Wald F statistics.

Purpose
-------
Weak-identification statistics of 2SLS first stages, as reported by Stata's ``ivreg2``
("Cragg-Donald Wald F statistic" and "Kleibergen-Paap rk Wald F statistic"), on the Wooldridge
MROZ data (``datasets/mroz.csv``, rows with missing ``lwage`` dropped, n = 428):

  A   lwage ~ 1 + exper + expersq | [educ, nwifeinc] ~ [fatheduc, motheduc, huseduc]
      (two endogenous regressors, three excluded instruments), vcov iid / HC1 / cluster(age)
  B   = A with the cluster-robust covariance, clusters = age (31 clusters)
  C   lwage ~ 1 + exper + expersq | educ ~ fatheduc + motheduc
      (one endogenous regressor, cross-check), vcov iid / HC1 / cluster(age)
  D   = A with absorbed fixed effects for ``age`` (extra case for the FE code path; the FE enter
      the partialled-out exogenous block as dummies, so L and the d.o.f. count every level;
      cluster(age) is not computed for D because age is the FE itself)

Who computes what (recorded per number in the JSON under "source")
------------------------------------------------------------------
* TRUSTED PACKAGE: linearmodels 7.1 (NCSA licence), ``IV2SLS(...).fit(cov_type=...)`` then
  ``.first_stage.cragg_donald_f``, ``.first_stage.kleibergen_paap_f``,
  ``.first_stage.kleibergen_paap`` (rk LM) and ``.first_stage.cragg_donald``; used as a black box.
  Its documentation states these are the ivreg2/ranktest statistics.
* TRUSTED PACKAGE: ivmodels 0.10.0 (BSD), ``ivmodels.tests.rank_test`` -> Cragg-Donald chi2
  (cross-check of CD).
* TRUSTED PACKAGE: statsmodels 0.15.0 and pyfixest 0.60.0, first-stage OLS Wald F of the excluded
  instruments with HC1 / CR1 covariance (cross-check for the one-endogenous case C, where the KP
  rk Wald F must equal that F, and the CD F must equal the classical iid F).
* OWN IMPLEMENTATION (this file, ``own_rk``): the rk statistic written out from Kleibergen & Paap
  (2006, J. Econometrics 133, 97-126) (U22/V22 partition of the SVD, A_q-perp, B_q-perp,
  lambda_q, Omega_q), with symmetric (eigen) square roots instead of Cholesky factors, and the
  ivreg2 small-sample scaling. Compared against linearmodels for every case.

Conventions (ivreg2's; n observations, k excluded instruments, m endogenous regressors,
L = k + number of included exogenous regressors incl. the constant and FE dummies, G clusters)
--------------------------------------------------------------------------------------------
  CD chi2      = (n - L) * r2 / (1 - r2),  r2 = smallest squared partial canonical correlation
               (smallest eigenvalue of (X'M_Z X)^-1 X'P_Z X equals r2/(1-r2)), everything
               partialled of the included exogenous block
  CD F         = CD chi2 / k
  rk Wald chi2 = n * vec(lam)' Omega^-1 vec(lam): scores (v_i (x) z_i) with v = UNRESTRICTED
               first-stage residuals, HC0 / CR0 meat (no d.o.f. factor), Theta = G^{1/2} Pi F^{1/2}
               with G = Z'Z/n, F^{-1} = X'X/n (partialled X and Z)
  KP F (HC)    = rk Wald chi2 * (n - L) / n / k
  KP F (CL)    = rk Wald chi2 * (n - L) / (n - 1) * (G - 1) / G / k
  KP F (iid)   = CD F (Kronecker covariance; verified here numerically with own_rk(iid))
  rk LM chi2   = same quadratic form with v = the (partialled) endogenous regressors themselves
               (restricted scores), no scaling.

Run from the repository root (paths are resolved from this file, so the cwd does not matter):

    /root/venv-ref/bin/pip install linearmodels==7.1 ivmodels==0.10.0 pyfixest==0.60.0 \
        statsmodels==0.15.0 pandas==3.1.1
    nice -n 19 /root/venv-ref/bin/python crates/phare-models/tests/reference/kp_generate.py

Writes kp_reference.json next to this file (takes a few seconds). Python 3.11.7,
numpy 2.4.6, scipy 1.17.1, pandas 3.1.1. Determinism: re-executes itself with
PYTHONHASHSEED=0 and BLAS threads pinned to 1; the JSON contains no timestamps.
"""

import os
import sys

_ENV_FIXED = {
    "PYTHONHASHSEED": "0",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "RAYON_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
}
if any(os.environ.get(k) != v for k, v in _ENV_FIXED.items()):
    os.environ.update(_ENV_FIXED)
    os.execv(sys.executable, [sys.executable, os.path.abspath(__file__), *sys.argv[1:]])

import json  # noqa: E402
import platform  # noqa: E402
import warnings  # noqa: E402
from importlib.metadata import version as _pkg_version  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyfixest as pf  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from ivmodels.tests import rank_test  # noqa: E402
from linearmodels.iv import IV2SLS  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[3]
OUT = HERE / "kp_reference.json"

PINNED = {
    "linearmodels": "7.1",
    "ivmodels": "0.10.0",
    "pyfixest": "0.60.0",
    "statsmodels": "0.15.0",
    "pandas": "3.1.1",
    "numpy": "2.4.6",
    "scipy": "1.17.1",
}
VERSIONS = {name: _pkg_version(name) for name in PINNED}
for _name, _want in PINNED.items():
    if VERSIONS[_name] != _want:
        print(f"warning: {_name} is {VERSIONS[_name]}, reference made with {_want}", file=sys.stderr)

# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------
raw = pd.read_csv(REPO_ROOT / "datasets/mroz.csv")
df = raw[raw["lwage"].notna()].reset_index(drop=True).copy()
df["const"] = 1.0
N = len(df)

EXOG = ["exper", "expersq"]
SPECS = {
    "A": {"endog": ["educ", "nwifeinc"], "instr": ["fatheduc", "motheduc", "huseduc"], "fe": None},
    "C": {"endog": ["educ"], "instr": ["fatheduc", "motheduc"], "fe": None},
    "D": {"endog": ["educ", "nwifeinc"], "instr": ["fatheduc", "motheduc", "huseduc"], "fe": "age"},
}
CLUSTER = "age"


def exog_frame(fe):
    """Included exogenous block: constant + exper + expersq (+ FE dummies, one level dropped)."""
    w = df[["const", *EXOG]].copy()
    if fe is not None:
        d = pd.get_dummies(df[fe].astype("category"), prefix=fe, drop_first=True, dtype=float)
        w = pd.concat([w, d], axis=1)
    return w


# ---------------------------------------------------------------------------------------------
# own implementation (numpy), Kleibergen & Paap (2006)
# ---------------------------------------------------------------------------------------------
def _sym_sqrt(a):
    w, v = np.linalg.eigh((a + a.T) / 2)
    return (v * np.sqrt(w)) @ v.T


def _sym_isqrt(a):
    w, v = np.linalg.eigh((a + a.T) / 2)
    return (v / np.sqrt(w)) @ v.T


def own_partial(y, w):
    """Residuals of y on w (least squares via lstsq)."""
    b, *_ = np.linalg.lstsq(w, y, rcond=None)
    return y - w @ b


def own_rk(x, z, vcov, clusters=None, lm=False, xnorm="xx"):
    """rk statistic for H0: rank(Pi) = m - 1 (X, Z already partialled of the exogenous block).

    vcov: "iid" (Kronecker Sigma_vv (x) Qzz, Sigma_vv = V'V/n), "hc0", "cr0".
    lm:   False -> Wald form (unrestricted first-stage residuals in the scores),
          True  -> LM form (x itself in the scores).
    xnorm: "xx"  -> F^{-1} = X'X/n (ranktest / ivreg2 normalisation),
           "vv"  -> F^{-1} = V'V/n (alternative, used only to check invariance).
    """
    n, k = z.shape
    m = x.shape[1]
    q = m - 1
    qzz = z.T @ z / n
    pi = np.linalg.solve(z.T @ z, z.T @ x)  # k x m
    v = x - z @ pi
    g_half = _sym_sqrt(qzz)  # G^{1/2}
    fmat = x.T @ x / n if xnorm == "xx" else v.T @ v / n
    f_half = _sym_isqrt(fmat)  # F^{1/2} with F = fmat^{-1}
    theta = g_half @ pi @ f_half  # k x m
    # covariance of sqrt(n) vec(Pi)
    e = x if lm else v
    sc = np.einsum("ij,il->ijl", e, z).reshape(n, m * k)  # row i = vec(z_i e_i') (column-major)
    if vcov == "iid":
        meat = np.kron(e.T @ e / n, qzz)
    elif vcov == "hc0":
        meat = sc.T @ sc / n
    elif vcov == "cr0":
        s = pd.DataFrame(sc).groupby(np.asarray(clusters)).sum().to_numpy()
        meat = s.T @ s / n
    else:
        raise ValueError(vcov)
    qzz_inv = np.linalg.inv(qzz)
    a = np.kron(np.eye(m), qzz_inv)
    v_pi = a @ meat @ a.T
    t = np.kron(f_half.T, g_half)  # vec(G^1/2 Pi F^1/2) = (F^1/2' (x) G^1/2) vec(Pi)
    v_theta = t @ v_pi @ t.T
    # SVD and the KP partition
    u, s, vt = np.linalg.svd(theta, full_matrices=True)
    vv = vt.T
    smat = np.zeros((k, m))
    smat[:m, :m] = np.diag(s)
    u12, u22 = u[:q, q:], u[q:, q:]
    v12, v22 = vv[:q, q:], vv[q:, q:]
    a_perp = np.vstack([u12, u22]) @ np.linalg.inv(u22) @ _sym_sqrt(u22 @ u22.T)  # k x (k-q)
    b_perp = _sym_sqrt(v22 @ v22.T) @ np.linalg.inv(v22.T) @ np.hstack([v12.T, v22.T])  # (m-q) x m
    lam = a_perp.T @ theta @ b_perp.T  # (k-q) x (m-q)
    # lam equals (U22 U22')^{-1/2} U22 S2 V22' (V22 V22')^{-1/2} (paper's expression)
    s2 = smat[q:, q:]
    lam_paper = _sym_isqrt(u22 @ u22.T) @ u22 @ s2 @ v22.T @ _sym_isqrt(v22 @ v22.T)
    assert np.allclose(lam, lam_paper, rtol=1e-10, atol=1e-12)
    kron_ab = np.kron(b_perp, a_perp.T)  # vec(A' Theta B') = (B (x) A') vec(Theta)
    omega = kron_ab @ v_theta @ kron_ab.T
    vl = lam.reshape(-1, order="F")
    return float(n * vl @ np.linalg.solve(omega, vl))


def own_cd(x, z, n_l):
    """Cragg-Donald chi2 = (n - L) * min eig((X'M_Z X)^-1 X'P_Z X)."""
    pi = np.linalg.solve(z.T @ z, z.T @ x)
    xpx = x.T @ z @ pi
    v = x - z @ pi
    ev = np.linalg.eigvals(np.linalg.solve(v.T @ v, xpx)).real
    return float((len(x) - n_l) * ev.min())


def f_scale(vcov, n, n_l, k, n_g=None):
    if vcov in ("iid", "hc"):
        return (n - n_l) / n / k
    return (n - n_l) / (n - 1) * (n_g - 1) / n_g / k


# ---------------------------------------------------------------------------------------------
# cross-check helpers (trusted packages)
# ---------------------------------------------------------------------------------------------
def sm_first_stage_f(spec, cov):
    """statsmodels OLS first stage of the single endogenous regressor; Wald F of excluded instr."""
    y = df[spec["endog"][0]]
    xw = pd.concat([exog_frame(spec["fe"]), df[spec["instr"]]], axis=1)
    mod = sm.OLS(y, xw)
    if cov == "iid":
        res = mod.fit()
    elif cov == "hc":
        res = mod.fit(cov_type="HC1")
    else:
        res = mod.fit(cov_type="cluster", cov_kwds={"groups": df[CLUSTER].to_numpy()})
    r = np.zeros((len(spec["instr"]), xw.shape[1]))
    for i, name in enumerate(spec["instr"]):
        r[i, list(xw.columns).index(name)] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = res.wald_test(r, use_f=True, scalar=True)
    return float(w.statistic)


def pf_first_stage_f(spec, cov):
    """pyfixest Feiv first-stage F (single endogenous regressor only)."""
    vc = {"iid": "iid", "hc": "hetero", "cl": {"CRV1": CLUSTER}}[cov]
    fml = f"lwage ~ {' + '.join(EXOG)} | {spec['endog'][0]} ~ {' + '.join(spec['instr'])}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols(fml, data=df, vcov=vc)
        fit.first_stage()
    return float(fit._f_stat_1st_stage)


# ---------------------------------------------------------------------------------------------
# main loop
# ---------------------------------------------------------------------------------------------
LM_COV = {"iid": ("unadjusted", {}), "hc": ("robust", {}), "cl": ("clustered", {"clusters": df[CLUSTER]})}
OWN_COV = {"iid": "iid", "hc": "hc0", "cl": "cr0"}
N_G = int(df[CLUSTER].nunique())

cases = {}
max_rel = {"own_vs_linearmodels_kp_f": 0.0, "own_vs_linearmodels_rk_lm": 0.0,
           "own_vs_linearmodels_cd_f": 0.0, "ivmodels_vs_linearmodels_cd": 0.0,
           "own_iid_kp_vs_cd_f": 0.0, "xnorm_invariance": 0.0,
           "onendog_kp_f_vs_first_stage_f": 0.0}


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


for spec_name, spec in SPECS.items():
    w = exog_frame(spec["fe"])
    n_l = len(spec["instr"]) + w.shape[1]
    k = len(spec["instr"])
    m = len(spec["endog"])
    wa = w.to_numpy()
    xp = own_partial(df[spec["endog"]].to_numpy(float), wa)
    zp = own_partial(df[spec["instr"]].to_numpy(float), wa)
    cd_own = own_cd(xp, zp, n_l)
    # ivmodels: C = included exogenous without the constant (fit_intercept adds it)
    cd_ivm = float(rank_test(df[spec["instr"]].to_numpy(float), df[spec["endog"]].to_numpy(float),
                             C=wa[:, 1:], fit_intercept=True)[0])
    covs = ["iid", "hc"] + (["cl"] if spec["fe"] is None else [])
    for cov in covs:
        name = {"A": "A", "C": "C", "D": "D"}[spec_name] + "_" + cov
        if spec_name == "A" and cov == "cl":
            name = "B_cl"
        lm_cov, lm_kw = LM_COV[cov]
        res = IV2SLS(df["lwage"], w, df[spec["endog"]], df[spec["instr"]]).fit(cov_type=lm_cov, **lm_kw)
        fs = res.first_stage
        lm_cd = fs.cragg_donald
        lm_rk = fs.kleibergen_paap
        kp_f_lm = float(fs.kleibergen_paap_f)
        cd_f_lm = float(fs.cragg_donald_f)
        clus = df[CLUSTER].to_numpy() if cov == "cl" else None
        rk_wald_own = own_rk(xp, zp, OWN_COV[cov], clusters=clus)
        rk_wald_own_vv = own_rk(xp, zp, OWN_COV[cov], clusters=clus, xnorm="vv")
        rk_lm_own = own_rk(xp, zp, OWN_COV[cov], clusters=clus, lm=True)
        scale = f_scale(cov, N, n_l, k, N_G)
        kp_f_own = rk_wald_own * scale
        max_rel["own_vs_linearmodels_kp_f"] = max(max_rel["own_vs_linearmodels_kp_f"], rel(kp_f_own, kp_f_lm))
        max_rel["xnorm_invariance"] = max(max_rel["xnorm_invariance"], rel(rk_wald_own_vv, rk_wald_own))
        max_rel["own_vs_linearmodels_cd_f"] = max(max_rel["own_vs_linearmodels_cd_f"], rel(cd_own / k, cd_f_lm))
        max_rel["ivmodels_vs_linearmodels_cd"] = max(max_rel["ivmodels_vs_linearmodels_cd"],
                                                     rel(cd_ivm, float(lm_cd.stat)))
        if cov == "iid":
            max_rel["own_iid_kp_vs_cd_f"] = max(max_rel["own_iid_kp_vs_cd_f"], rel(kp_f_own, cd_f_lm))
        else:
            max_rel["own_vs_linearmodels_rk_lm"] = max(max_rel["own_vs_linearmodels_rk_lm"],
                                                       rel(rk_lm_own, float(lm_rk.stat)))
        entry = {
            "formula": (f"lwage ~ 1 + {' + '.join(EXOG)}"
                        + (f" | FE({spec['fe']})" if spec["fe"] else "")
                        + f" | [{', '.join(spec['endog'])}] ~ [{', '.join(spec['instr'])}]"),
            "vcov": {"iid": "iid", "hc": "HC1 (heteroskedasticity-robust)",
                     "cl": f"cluster-robust by {CLUSTER}"}[cov],
            "n": N, "k_excluded_instruments": k, "m_endogenous": m,
            "L_all_instruments": n_l, "n_exog_partialled": int(w.shape[1]),
            "n_clusters": N_G if cov == "cl" else None,
            "cragg_donald_f": cd_f_lm,
            "cragg_donald_chi2": float(lm_cd.stat),
            "kleibergen_paap_rk_wald_f": kp_f_lm,
            "kleibergen_paap_rk_wald_chi2_unscaled": rk_wald_own if cov != "iid" else None,
            "kp_f_scale_factor": scale,
            "kleibergen_paap_rk_lm_chi2": float(lm_rk.stat),
            "rk_lm_df": int(lm_rk.df),
            "own": {"cragg_donald_f": cd_own / k, "kleibergen_paap_rk_wald_f": kp_f_own,
                    "rk_wald_chi2": rk_wald_own, "rk_wald_chi2_alt_normalisation": rk_wald_own_vv,
                    "rk_lm_chi2": rk_lm_own},
            "ivmodels_cragg_donald_chi2": cd_ivm,
            "source": {
                "cragg_donald_f": "linearmodels 7.1 IV2SLS(...).first_stage.cragg_donald_f (trusted)",
                "cragg_donald_chi2": "linearmodels 7.1 first_stage.cragg_donald.stat (trusted)",
                "kleibergen_paap_rk_wald_f": (
                    "linearmodels 7.1 first_stage.kleibergen_paap_f (trusted; for iid it is by "
                    "definition the CD F)"),
                "kleibergen_paap_rk_wald_chi2_unscaled": "own numpy implementation (this script)",
                "kp_f_scale_factor": "ivreg2 convention, computed in this script",
                "kleibergen_paap_rk_lm_chi2": (
                    "linearmodels 7.1 first_stage.kleibergen_paap.stat (trusted; iid = Anderson "
                    "canonical-correlation LM n*r2)"),
                "own": "own numpy implementation of KP (2006) (this script)",
                "ivmodels_cragg_donald_chi2": "ivmodels 0.10.0 tests.rank_test (trusted)",
            },
        }
        if m == 1:
            f_sm = sm_first_stage_f(spec, cov)
            f_pf = pf_first_stage_f(spec, cov)
            entry["first_stage_wald_f_statsmodels"] = f_sm
            entry["first_stage_wald_f_pyfixest"] = f_pf
            entry["source"]["first_stage_wald_f_statsmodels"] = (
                "statsmodels 0.15.0 OLS first stage, wald_test(use_f) on excluded instruments, "
                + {"iid": "nonrobust", "hc": "HC1", "cl": "cluster (G/(G-1)*(n-1)/(n-K))"}[cov] + " (trusted)")
            entry["source"]["first_stage_wald_f_pyfixest"] = (
                "pyfixest 0.60.0 Feiv.first_stage()._f_stat_1st_stage, vcov "
                + {"iid": "iid", "hc": "hetero", "cl": "CRV1"}[cov] + " (trusted)")
            target = cd_f_lm if cov == "iid" else kp_f_lm
            for f in (f_sm, f_pf):
                max_rel["onendog_kp_f_vs_first_stage_f"] = max(max_rel["onendog_kp_f_vs_first_stage_f"],
                                                              rel(f, target))
        cases[name] = entry

for key, val in max_rel.items():
    print(f"max rel diff {key}: {val:.3e}")

TOL = 1e-9
failed = [k for k, v in max_rel.items() if v > TOL]
if failed:
    print("CROSS-CHECK FAILED:", failed, file=sys.stderr)
    sys.exit(1)

doc = {
    "description": (
        "Cragg-Donald Wald F and Kleibergen-Paap (2006) rk Wald F weak-identification statistics "
        "(ivreg2 conventions) for 2SLS on MROZ. Headline numbers (cragg_donald_f, "
        "kleibergen_paap_rk_wald_f, kleibergen_paap_rk_lm_chi2) come from linearmodels 7.1 "
        "(trusted package); 'own' blocks are an independent numpy implementation in "
        "kp_generate.py that must agree to ~1e-12."),
    "generator": "crates/phare-models/tests/reference/kp_generate.py",
    "data": {"file": "datasets/mroz.csv", "preprocessing": "drop rows with missing lwage (inlf == 0)",
             "rows": N, "cluster_variable": CLUSTER, "n_clusters": N_G},
    "conventions": {
        "partialling": ("endogenous X and excluded instruments Z are residualised on the included "
                        "exogenous block W (constant, exper, expersq, and FE dummies in case D) "
                        "before anything else; L = k + ncol(W) counts every column of W "
                        "(FE levels included)"),
        "cragg_donald_chi2": "(n - L) * lambda_min((X'M_Z X)^-1 X'P_Z X)",
        "cragg_donald_f": "cragg_donald_chi2 / k",
        "rk_wald_chi2": ("KP (2006) rk statistic for H0 rank(Pi) = m-1, Theta = (Z'Z/n)^{1/2} Pi "
                         "(X'X/n)^{-1/2}; scores v_i (x) z_i with v the unrestricted first-stage "
                         "residuals; meat HC0 (sum s_i s_i'/n) or CR0 (sum_g S_g S_g'/n), no d.o.f. "
                         "factor inside"),
        "kp_f_robust": "rk_wald_chi2 * (n - L) / n / k",
        "kp_f_cluster": "rk_wald_chi2 * (n - L) / (n - 1) * (G - 1) / G / k",
        "kp_f_iid": "equals cragg_donald_f (Kronecker covariance Sigma_vv (x) Qzz with Sigma_vv = V'V/n)",
        "rk_lm_chi2": "same quadratic form with scores x_i (x) z_i (restricted), unscaled",
        "one_endogenous": ("m = 1: KP F (HC) = first-stage Wald F of the excluded instruments with HC1 "
                           "covariance (n/(n-L) factor); KP F (cluster) = first-stage Wald F with CR1 "
                           "covariance (G/(G-1)*(n-1)/(n-L)); CD F = classical iid first-stage F "
                           "(s^2 with n-L d.o.f.)"),
        "rank_normalisation": ("rk_wald_chi2_alt_normalisation uses (V'V/n)^{-1/2} instead of "
                               "(X'X/n)^{-1/2}; for this null (rank m-1) the statistic came out "
                               "identical to rounding (see cross_checks_max_rel_diff.xnorm_invariance), "
                               "so the right normalisation of Theta does not matter here"),
        "fixed_effects": ("case D absorbs age via dummies in W, so L counts all FE levels (31); "
                          "a convention that does not count absorbed FE in L can be applied to "
                          "own.rk_wald_chi2 / cragg_donald_chi2 directly"),
    },
    "cross_checks_max_rel_diff": max_rel,
    "packages": {**VERSIONS, "python": platform.python_version()},
    "cases": cases,
}


def _clean(o):
    if isinstance(o, dict):
        return {k: _clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_clean(v) for v in o]
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, (np.integer,)):
        return int(o)
    return o


OUT.write_text(json.dumps(_clean(doc), indent=1, ensure_ascii=False, allow_nan=False) + "\n")
print(f"wrote {OUT.relative_to(REPO_ROOT)}")
