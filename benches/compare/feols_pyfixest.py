"""pyfixest's side of benches/compare/feols.sh: read the panel written by phare's bench, fit
`y ~ x1 + x2 | indiv + year` with CRV1 by indiv, print `pyfixest,rows,load_s,fit_s,peak_rss_mib,b_x1,se_x1`.

Peak RSS is the process's maximum resident set size (resource.getrusage), which includes the
Python interpreter and pyfixest's imports.
"""
import resource
import sys
import time

import pandas as pd
import pyfixest as pf

t0 = time.perf_counter()
df = pd.read_parquet(sys.argv[1])
load = time.perf_counter() - t0
t1 = time.perf_counter()
fit = pf.feols("y ~ x1 + x2 | indiv + year", data=df, vcov={"CRV1": "indiv"})
secs = time.perf_counter() - t1
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(f"pyfixest,{len(df)},{load:.3f},{secs:.3f},{peak:.0f},{fit.coef()['x1']:.10f},{fit.se()['x1']:.10f}")
