"""Peer timings for phare's selection-on-observables estimators (issue 9): statsmodels
TreatmentEffect (ipw, ra, aipw) on SIMULATED data with n = 1e4, 1e5, 1e6 and 5 covariates.

This file also holds `simulate(n, seed)`, THE generator of the simulated confounded design used
both here (benchmark data) and by weighting_generate.py (weighting_simulated.csv, n = 2000), so
that the two can never drift apart. The design, written out (also stored in the JSON under
"design"):

    numpy.random.default_rng(seed)  (PCG64), draws made in exactly this order, each a length-n
    vector:
      x1 = rng.standard_normal(n)          x1 ~ N(0, 1)
      x2 = rng.standard_normal(n)          x2 ~ N(0, 1)
      x3 = rng.standard_normal(n)          x3 ~ N(0, 1)
      x4 = (rng.random(n) < 0.4) as 0/1    x4 ~ Bernoulli(0.4)
      x5 = rng.uniform(0.0, 2.0, n)        x5 ~ Uniform(0, 2)
      lin = -0.3 + 0.6 x1 - 0.4 x2 + 0.3 x3 + 0.5 x4 - 0.25 x5
      p   = 1 / (1 + exp(-lin))            true propensity score (logit model, correctly specified
                                           by a logit of d on [1, x1..x5])
      d   = (rng.random(n) < p) as 0/1     treatment
      e   = rng.standard_normal(n)
      y0  = 1 + 1.0 x1 + 0.5 x2 - 0.5 x3 + 0.8 x4 + 0.3 x5 + e
      tau = 2 + 1.0 x1 + 0.5 x4            unit-level effect (heterogeneous, linear in x)
      y   = y0 + d * tau                   (so y1 = y0 + tau; outcome model linear in
                                           [1, x1..x5] within each arm: RA/AIPW correctly specified)
    Population ATE = 2 + E[x1] + 0.5 E[x4] = 2.2 exactly; population ATT = E[p tau] / E[p] (computed
    by quadrature in weighting_generate.py, stored in weighting_reference.json meta.simulated).
    A Rust bench cannot reproduce numpy's PCG64/ziggurat draws bit for bit; it should draw from
    the same distributions (same formulas). Bit-exact data for identity checks is the n = 2000 CSV.

Timed (wall clock, time.perf_counter, process run under `nice`):
  setup      = sm.Logit(d, [1, X]).fit(disp=0)  (Newton, statsmodels defaults)
               + TreatmentEffect(sm.OLS(y, [1, X]), d, results_select=res_logit)
                 (the constructor fits the two per-arm OLS outcome models)
  <m>_points = te.<m>(return_results=False)  closed-form point estimates only (ATE, POM0, POM1)
  <m>_full   = te.<m>()  points + joint GMM (Nelder-Mead from the closed-form start, maxiter=1
               step, numerical Jacobian) -> ATE/POM SEs. This is what a user calls to get SEs.
  for m in ipw, ra, aipw (all effect_group="all", i.e. ATE).
Repetitions: best of 3 for n = 1e4 and 1e5, a single run for n = 1e6 (all runs are stored).
Data generation is not timed. Seeds: SEED_BASE + n.

Run from the repository root (takes roughly half an hour on the 2-core machine; most of it is the
Nelder-Mead GMM step of the `_full` variants at n = 1e6):
    nice /root/venv-weight/bin/python crates/phare-causal/tests/reference/weighting_timing.py
Install: python3 -m venv /root/venv-weight &&
         /root/venv-weight/bin/pip install statsmodels pandas numpy scipy scikit-learn causalinference
Output: crates/phare-causal/tests/reference/weighting_timing.json (not deterministic).
"""
import datetime
import json
import os
import platform
import sys
import time
import warnings
from importlib.metadata import version

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "weighting_timing.json")
SEED_BASE = 20261129
SIZES = [10_000, 100_000, 1_000_000]
METHODS = ["ipw", "ra", "aipw"]

# Coefficients of the design (also written to the JSON).
PS_COEF = {"const": -0.3, "x1": 0.6, "x2": -0.4, "x3": 0.3, "x4": 0.5, "x5": -0.25}
Y0_COEF = {"const": 1.0, "x1": 1.0, "x2": 0.5, "x3": -0.5, "x4": 0.8, "x5": 0.3}
TAU_COEF = {"const": 2.0, "x1": 1.0, "x4": 0.5}
X4_P = 0.4
X5_LOW, X5_HIGH = 0.0, 2.0

DESIGN = {
    "rng": "numpy.random.default_rng(seed) (PCG64); draws in this order, each of length n: "
           "x1=standard_normal, x2=standard_normal, x3=standard_normal, u4=random -> x4=1{u4<0.4}, "
           "x5=uniform(0,2), [compute p], u_d=random -> d=1{u_d<p}, e=standard_normal",
    "covariates": "x1,x2,x3 iid N(0,1); x4 ~ Bernoulli(0.4); x5 ~ Uniform(0,2); all independent",
    "propensity": "p = 1/(1+exp(-(-0.3 + 0.6 x1 - 0.4 x2 + 0.3 x3 + 0.5 x4 - 0.25 x5)))",
    "treatment": "d = 1{U < p}, U ~ Uniform(0,1)",
    "outcome": "y0 = 1 + 1.0 x1 + 0.5 x2 - 0.5 x3 + 0.8 x4 + 0.3 x5 + e, e ~ N(0,1); "
               "tau = 2 + 1.0 x1 + 0.5 x4; y = y0 + d*tau",
    "true_ate_population": 2.2,
    "true_att_population": "E[p*tau]/E[p], see weighting_reference.json meta.simulated",
    "ps_coef": PS_COEF,
    "y0_coef": Y0_COEF,
    "tau_coef": TAU_COEF,
    "seed": "SEED_BASE + n with SEED_BASE = %d" % SEED_BASE,
    "models_fitted": "selection: Logit(d ~ 1 + x1..x5); outcome: OLS(y ~ 1 + x1..x5) per arm",
}


def simulate(n, seed):
    """Simulated confounded design (see module docstring). Returns dict of numpy arrays:
    x1..x5, p (true propensity), d (0/1 int64), y, tau (true unit effect), y0."""
    rng = np.random.default_rng(seed)
    x1 = rng.standard_normal(n)
    x2 = rng.standard_normal(n)
    x3 = rng.standard_normal(n)
    x4 = (rng.random(n) < X4_P).astype(np.float64)
    x5 = rng.uniform(X5_LOW, X5_HIGH, n)
    lin = (PS_COEF["const"] + PS_COEF["x1"] * x1 + PS_COEF["x2"] * x2 + PS_COEF["x3"] * x3
           + PS_COEF["x4"] * x4 + PS_COEF["x5"] * x5)
    p = 1.0 / (1.0 + np.exp(-lin))
    d = (rng.random(n) < p).astype(np.int64)
    e = rng.standard_normal(n)
    y0 = (Y0_COEF["const"] + Y0_COEF["x1"] * x1 + Y0_COEF["x2"] * x2 + Y0_COEF["x3"] * x3
          + Y0_COEF["x4"] * x4 + Y0_COEF["x5"] * x5 + e)
    tau = TAU_COEF["const"] + TAU_COEF["x1"] * x1 + TAU_COEF["x4"] * x4
    y = y0 + d * tau
    return {"x1": x1, "x2": x2, "x3": x3, "x4": x4, "x5": x5, "p": p, "d": d, "y": y,
            "tau": tau, "y0": y0}


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().strip()


def timed(fn, reps):
    runs, out = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t0)
    return {"runs": runs, "best": min(runs), "loadavg_after": loadavg()}, out


def main():
    import statsmodels.api as sm
    from statsmodels.treatment.treatment_effects import TreatmentEffect
    import threadpoolctl

    warnings.simplefilter("ignore")
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    out = {
        "meta": {
            "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "command": "nice /root/venv-weight/bin/python "
                       "crates/phare-causal/tests/reference/weighting_timing.py",
            "niceness": os.nice(0),
            "nproc": os.cpu_count(),
            "sched_affinity_cpus": len(os.sched_getaffinity(0)),
            "cpu_model": cpu,
            "loadavg_at_start": loadavg(),
            "python": platform.python_version(),
            "packages": {p: version(p) for p in ["statsmodels", "numpy", "scipy", "pandas"]},
            "licences": {"statsmodels": "BSD-3-Clause", "numpy": "BSD-3-Clause",
                         "scipy": "BSD-3-Clause", "pandas": "BSD-3-Clause"},
            "blas": threadpoolctl.threadpool_info(),
            "env_OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
            "env_OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
            "clock": "time.perf_counter wall time, seconds; data generation not timed",
            "repetitions": "best of 3 for n=1e4 and 1e5; 1 run for n=1e6",
            "caveat": "the machine is shared: compare loadavg_before/loadavg_after of each entry "
                      "with nproc; a load above nproc means other processes (e.g. cargo builds) "
                      "competed for the cores during that measurement. Nelder-Mead in the _full "
                      "variants is single-threaded Python; BLAS may use nproc threads.",
            "what": {
                "setup": "sm.Logit(d, X1).fit(disp=0) + TreatmentEffect(sm.OLS(y, X1), d, "
                         "results_select=res_logit); X1 = [1, x1..x5]",
                "<m>_points": "te.<m>(return_results=False): closed-form ATE/POM0/POM1 only",
                "<m>_full": "te.<m>(): closed form + joint-GMM SEs (Nelder-Mead, numerical "
                            "Jacobian); effect_group='all' (ATE)",
            },
        },
        "design": DESIGN,
        "results": {},
    }
    print(json.dumps(out["meta"], indent=1), flush=True)
    for n in SIZES:
        reps = 3 if n < 1_000_000 else 1
        seed = SEED_BASE + n
        s = simulate(n, seed)
        X1 = np.column_stack([np.ones(n)] + [s[c] for c in ["x1", "x2", "x3", "x4", "x5"]])
        d, y = s["d"], s["y"]
        entry = {"n": n, "seed": seed, "reps": reps, "n_treated": int(d.sum()),
                 "loadavg_before": loadavg()}

        def setup():
            r = sm.Logit(d, X1).fit(disp=0)
            return r, TreatmentEffect(sm.OLS(y, X1), d, results_select=r)

        entry["setup"], (res_logit, te) = timed(setup, reps)
        print(n, "setup", entry["setup"], flush=True)
        for m in METHODS:
            entry[m + "_points"], pts = timed(lambda: getattr(te, m)(return_results=False), 3)
            entry[m + "_points"]["ate"] = float(np.ravel(pts)[0])
            print(n, m, "points", entry[m + "_points"], flush=True)
            entry[m + "_full"], res = timed(lambda: getattr(te, m)(), reps)
            entry[m + "_full"]["ate"] = float(res.effect[0])
            entry[m + "_full"]["ate_se"] = float(res.sd[0])
            print(n, m, "full", entry[m + "_full"], flush=True)
        entry["sample_ate"] = float(s["tau"].mean())
        entry["sample_att"] = float(s["tau"][d == 1].mean())
        out["results"]["n%d" % n] = entry
        with open(OUT, "w") as f:  # write after every size so partial results survive
            json.dump(out, f, indent=1)
            f.write("\n")
    out["meta"]["loadavg_at_end"] = loadavg()
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
