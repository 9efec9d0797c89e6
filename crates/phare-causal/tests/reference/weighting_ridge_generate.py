"""Reference values for phare's ridge-penalised propensity score (Weighting::penalty).

Peer: scikit-learn (BSD-3) LogisticRegression(C = 1/lambda, solver="newton-cholesky",
tol=1e-12) on StandardScaler()-standardised covariates (mean 0, sd with denominator n), intercept
unpenalised; then the normalised IPW ATT and ATE computed in numpy from those scores.
Sample: the Dehejia-Wahba NSW experimental sample (datasets/nsw_dw.csv), simple specification
(age, educ, black, hisp, marr, nodegree, re74, re75), outcome re78.

Run from the repository root:
    nice /root/venv-weight/bin/python crates/phare-causal/tests/reference/weighting_ridge_generate.py
Output: crates/phare-causal/tests/reference/weighting_ridge_reference.json (deterministic).
"""
import json
import os
from importlib.metadata import version

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
COVS = ["age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75"]

df = pd.read_csv(os.path.join(ROOT, "datasets", "nsw_dw.csv"))
X = StandardScaler().fit_transform(df[COVS].to_numpy(float))
d = df["treat"].to_numpy(int)
y = df["re78"].to_numpy(float)
out = {
    "meta": {
        "generator": "crates/phare-causal/tests/reference/weighting_ridge_generate.py",
        "packages": {p: version(p) for p in ["scikit-learn", "numpy", "pandas"]},
        "licences": {"scikit-learn": "BSD-3-Clause", "numpy": "BSD-3-Clause", "pandas": "BSD-3-Clause"},
        "sample": "datasets/nsw_dw.csv (445 rows), covariates " + ", ".join(COVS),
        "call": "LogisticRegression(C=1/lambda, solver='newton-cholesky', tol=1e-12, max_iter=1000).fit(StandardScaler().fit_transform(X), d)",
    },
    "cases": {},
}
for lam in [0.5, 5.0, 50.0]:
    m = LogisticRegression(C=1.0 / lam, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, d)
    p = m.predict_proba(X)[:, 1]
    w1, w0 = d / p, (1 - d) / (1 - p)
    ate = np.sum(w1 * y) / np.sum(w1) - np.sum(w0 * y) / np.sum(w0)
    odds = (1 - d) * p / (1 - p)
    att = y[d == 1].mean() - np.sum(odds * y) / np.sum(odds)
    out["cases"][str(lam)] = {
        "lambda": lam,
        "intercept_standardised": float(m.intercept_[0]),
        "coef_standardised": [float(v) for v in m.coef_[0]],
        "pscore_first5": [float(v) for v in p[:5]],
        "pscore_sum": float(p.sum()),
        "ipw_ate": float(ate),
        "ipw_att": float(att),
    }
with open(os.path.join(HERE, "weighting_ridge_reference.json"), "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out["cases"], indent=1)[:800])
