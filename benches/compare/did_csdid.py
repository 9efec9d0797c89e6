"""csdid's side of benches/compare/did.sh: read the panel written by phare's did_cs bench, estimate
ATT(g,t) (doubly robust, never-treated comparison) and the dynamic aggregation, optionally with the
multiplier bootstrap; print `csdid,units,bootstrap,fit_s,first_s,peak_rss_mib,att_dynamic,se_dynamic`
(fit_s: median over REPEAT calls; first_s: the first call).

    python did_csdid.py PANEL.parquet [DRAWS] [REPEAT]

Peak RSS is the process's maximum resident set size (resource.getrusage), including the Python
interpreter and imports.
"""
import resource
import sys
import time

import numpy as np
import pandas as pd
from csdid.att_gt import ATTgt

df = pd.read_parquet(sys.argv[1])
draws = int(sys.argv[2]) if len(sys.argv) > 2 else 0
repeat = max(1, int(sys.argv[3]) if len(sys.argv) > 3 else 1)
times = []
for _ in range(repeat):
    np.random.seed(1)
    t = time.perf_counter()
    boot = {"biters": draws, "cband": True} if draws > 0 else {}
    att = ATTgt(yname="y", tname="t", idname="id", gname="g", data=df, control_group="nevertreated", **boot)
    att.fit(est_method="dr", bstrap=draws > 0)
    att.aggte(typec="dynamic", bstrap=draws > 0, **boot)
    times.append(time.perf_counter() - t)
first = times[0]
secs = sorted(times)[len(times) // 2]
agg = att.atte
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(f"csdid,{df['id'].nunique()},{draws},{secs:.3f},{first:.3f},{peak:.0f},{float(np.ravel(agg['overall_att'])[0]):.6f},{float(np.ravel(agg['overall_se'])[0]):.6f}")
