"""Reference values for phare's repeated cross-section DiD (crates/phare-causal/src/did/repeated.rs),
through Callaway-Sant'Anna on an unbalanced panel.

mpdta without the rows where (countyreal*7 + year) % 11 == 0; for a few (cohort g, base b, period t)
cells, the rows of cohort g and never-treated counties observed in b or t are a repeated
cross-section, estimated with drdid 1.1.7 (MIT; Python port of DRDID) as a black box:
drdid_rc (locally efficient doubly robust), std_ipw_did_rc (normalised IPW) and reg_did_rc
(outcome regression), covariates intercept + lpop (each row's own value). Each returns the ATT and
the per-row influence function; the standard error phare reports for an unbalanced panel clusters
by county: sqrt(sum over counties of (sum of the county's IF values)^2) / rows ("se_unit_cluster").
"se_rows" is drdid's own row-level SE, sqrt(mean(IF^2)/rows), for information.

Run from the repository root:
    /root/venv-ref/bin/python crates/phare-causal/tests/reference/rc_generate_drdid.py
Writes crates/phare-causal/tests/reference/rc_drdid.json.
"""
import numpy as np, pandas as pd, json
from drdid.drdid import drdid_rc
from drdid.ipwd_did import std_ipw_did_rc
from drdid.reg_did import reg_did_rc
import drdid
df = pd.read_csv("datasets/mpdta.csv")
df = df[((df.countyreal*7 + df.year) % 11) != 0]
res = {}
for (g, b, t) in [(2004, 2003, 2004), (2006, 2005, 2007), (2007, 2006, 2007), (2007, 2003, 2004)]:
    s = df[df.first_treat.isin([0, g]) & df.year.isin([b, t])].reset_index(drop=True)
    y = s.lemp.values; post = (s.year == t).astype(int).values; D = (s.first_treat == g).astype(int).values
    X = np.column_stack([np.ones(len(s)), s.lpop.values])
    for name, f in [("dr", drdid_rc), ("ipw", std_ipw_did_rc), ("reg", reg_did_rc)]:
        att, inf = f(y, post, D, covariates=X)
        n = len(s)
        cl = pd.Series(inf).groupby(s.countyreal.values).sum().values
        res[f"{name}_{g}_{b}_{t}"] = {"att": float(att), "se_rows": float(np.sqrt(np.mean(inf**2) / n)), "se_unit_cluster": float(np.sqrt((cl**2).sum()) / n)}
res["packages"] = {"drdid": drdid.__version__ if hasattr(drdid, "__version__") else "1.1.7", "numpy": np.__version__, "pandas": pd.__version__}
with open("crates/phare-causal/tests/reference/rc_drdid.json", "w") as fh:
    json.dump(res, fh, indent=1)
