"""Reference values for Callaway-Sant'Anna on repeated cross-sections (no unit followed over time).

csdid 0.4.3 (MIT; Python port of R `did`) as a black box: ATTgt(panel=False) on datasets/mpdta.csv,
each row treated as a different individual (idname is still required by csdid's interface; with
panel=False it is not used to link rows), outcome lemp, cohort first_treat (0 = never), never-treated
comparison, varying base period, analytic standard errors; est_method dr / ipw / reg without
covariates and with lpop. Stores every ATT(g,t) with SE and the simple and dynamic aggregations.

Run from the repository root:
    /root/venv-ref/bin/python crates/phare-causal/tests/reference/rcs_generate.py
Writes crates/phare-causal/tests/reference/rcs_reference.json.
"""
import contextlib
import io
import json
from importlib.metadata import version

import numpy as np
import pandas as pd
from csdid.att_gt import ATTgt

df = pd.read_csv("datasets/mpdta.csv")
df["row_id"] = np.arange(len(df))
out = {"packages": {p: version(p) for p in ["csdid", "drdid", "numpy", "pandas"]}, "cases": []}
for covs in [[], ["lpop"]]:
    for est in ["dr", "ipw", "reg"]:
        if not covs and est != "dr":
            continue
        m = ATTgt(yname="lemp", tname="year", idname="row_id", gname="first_treat", data=df.copy(),
                  control_group="nevertreated", panel=False,
                  xformla=("lemp ~ " + "+".join(covs)) if covs else None)
        with contextlib.redirect_stdout(io.StringIO()):
            m.fit(est_method=est, base_period="varying", bstrap=False)
        r = m.results
        cells = [{"group": int(g), "time": int(t), "att": float(a), "se": float(s)}
                 for g, t, a, s in zip(r["group"], r["year"], r["att"], r["se"])]
        case = {"est_method": est, "covariates": covs, "n_rows": len(df), "attgt": cells}
        for typ in ["simple", "dynamic"]:
            with contextlib.redirect_stdout(io.StringIO()):
                m.aggte(typec=typ, bstrap=False)
            a = m.atte
            case[typ] = {"overall_att": float(np.ravel(a["overall_att"])[0]), "overall_se": float(np.ravel(a["overall_se"])[0])}
            if typ == "dynamic":
                case[typ]["effects"] = [{"e": int(e), "att": float(v), "se": float(s)}
                                        for e, v, s in zip(a["egt"], a["att_egt"], np.ravel(a["se_egt"]))]
        out["cases"].append(case)
with open("crates/phare-causal/tests/reference/rcs_reference.json", "w") as fh:
    json.dump(out, fh, indent=1)
print("cases", len(out["cases"]))
