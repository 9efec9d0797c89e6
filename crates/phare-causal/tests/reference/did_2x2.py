"""Reference values for phare's 2x2 difference-in-differences (crates/phare-causal/src/did/two_by_two.rs).

For each case: keep units of the treated cohort and of the comparison group observed in `pre` and
`post`, compute dY = Y_post - Y_pre per unit, and regress dY on a constant and a treated dummy with
statsmodels OLS; the dummy's coefficient is the 2x2 ATT and its HC2 standard error is phare's.
phare's p-value is Welch's two-sample t-test on the changes (scipy.stats.ttest_ind, equal_var=False),
with the Welch-Satterthwaite degrees of freedom.

Run from the repository root:  /root/venv-ref/bin/python crates/phare-causal/tests/reference/did_2x2.py
Writes crates/phare-causal/tests/reference/did_2x2.json.
"""
import json
import numpy as np
import pandas as pd
import statsmodels
import statsmodels.api as sm
import scipy
from scipy import stats

df = pd.read_csv("datasets/mpdta.csv")
cases = [
    # id, cohort, pre, post, comparison
    ("mpdta_g2004_2003_2004_never", 2004, 2003, 2004, "never"),
    ("mpdta_g2006_2005_2006_never", 2006, 2005, 2006, "never"),
    ("mpdta_g2004_2003_2005_notyet", 2004, 2003, 2005, "notyet"),
    ("mpdta_g2007_2006_2007_never", 2007, 2006, 2007, "never"),
]
out = {"package": "statsmodels", "package_version": statsmodels.__version__, "pandas_version": pd.__version__,
       "numpy_version": np.__version__, "scipy_version": scipy.__version__, "dataset": "datasets/mpdta.csv", "outcome": "lemp", "cases": []}
for cid, g, pre, post, comp in cases:
    w = df.pivot(index="countyreal", columns="year", values="lemp")
    first = df.groupby("countyreal")["first_treat"].first()
    treated = first == g
    if comp == "never":
        control = first == 0
    else:
        control = (first == 0) | ((first > post) & (first != g))
    keep = treated | control
    d = (w[post] - w[pre])[keep]
    x = sm.add_constant(treated[keep].astype(float).rename("D"))
    fit = sm.OLS(d, x).fit(cov_type="HC2")
    dt, dc = d[treated[keep]], d[~treated[keep]]
    welch = stats.ttest_ind(dt, dc, equal_var=False)
    out["cases"].append({
        "id": cid, "cohort": g, "pre": pre, "post": post, "comparison": comp,
        "n_treated": int(treated.sum()), "n_comparison": int(control.sum()),
        "att": float(fit.params["D"]), "se_hc2": float(fit.bse["D"]),
        "welch_t": float(welch.statistic), "welch_df": float(welch.df), "p_welch": float(welch.pvalue),
        "call": f"sm.OLS(dY, [1, D]).fit(cov_type='HC2') on units with first_treat=={g} vs {comp}, dY = lemp[{post}] - lemp[{pre}]",
    })
with open("crates/phare-causal/tests/reference/did_2x2.json", "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")
