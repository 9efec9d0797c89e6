"""Reference values for phare's entropy balancing (WeightingEstimator::Entropy, ATT).

Peer: empirical_calibration 0.12 (Google, Apache-2.0), `calibrate(covariates, target_covariates,
objective=Objective.ENTROPY)`: weights on the comparison units whose weighted covariate means equal
the treated means, closest to uniform in Kullback-Leibler divergence (Hainmueller 2012). The ATT is
the treated mean of the outcome minus the weighted comparison mean.
Samples: the Dehejia-Wahba NSW experimental sample (datasets/nsw_dw.csv) and NSW treated + the CPS
comparison group (datasets/cps_controls.csv), covariates age, educ, black, hisp, marr, nodegree,
re74, re75; outcome re78.

Run from the repository root:
    nice /root/venv-weight/bin/python crates/phare-causal/tests/reference/weighting_ebal_generate.py
Output: crates/phare-causal/tests/reference/weighting_ebal_reference.json.
"""
import json
import os
from importlib.metadata import version

import empirical_calibration as ec
import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
COVS = ["age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75"]

nsw = pd.read_csv(os.path.join(ROOT, "datasets", "nsw_dw.csv"))
cps = pd.read_csv(os.path.join(ROOT, "datasets", "cps_controls.csv"))
samples = {"nsw_exp": nsw, "cps": pd.concat([nsw[nsw.treat == 1], cps], ignore_index=True)}
out = {
    "meta": {
        "generator": "crates/phare-causal/tests/reference/weighting_ebal_generate.py",
        "packages": {p: version(p) for p in ["empirical_calibration", "numpy", "pandas"]},
        "licences": {"empirical_calibration": "Apache-2.0", "numpy": "BSD-3-Clause", "pandas": "BSD-3-Clause"},
        "call": "ec.calibrate(covariates=X[controls], target_covariates=X[treated], objective=ec.Objective.ENTROPY, max_weight=1.0, l2_norm=0)",
        "covariates": COVS,
    },
    "cases": {},
}
for name, df in samples.items():
    t = df.treat.to_numpy() == 1
    X = df[COVS].to_numpy(float)
    y = df.re78.to_numpy(float)
    w, l2 = ec.calibrate(covariates=X[~t], target_covariates=X[t], objective=ec.Objective.ENTROPY, max_weight=1.0, l2_norm=0)
    w = np.asarray(w) / np.sum(w)
    att = y[t].mean() - np.sum(w * y[~t])
    out["cases"][name] = {
        "n_treated": int(t.sum()),
        "n_control": int((~t).sum()),
        "att": float(att),
        "weighted_control_means": [float(v) for v in (w @ X[~t])],
        "treated_means": [float(v) for v in X[t].mean(0)],
        "max_abs_mean_gap": float(np.max(np.abs(w @ X[~t] - X[t].mean(0)))),
        "ess_control": float(1.0 / np.sum(w ** 2)),
        "weights_first5": [float(v) for v in w[:5]],
        "l2_norm_returned": float(l2),
    }
with open(os.path.join(HERE, "weighting_ebal_reference.json"), "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out["cases"], indent=1))
