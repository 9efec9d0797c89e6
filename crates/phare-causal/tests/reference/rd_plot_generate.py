"""More reference values for phare's RD plot (data-driven numbers of bins), beyond the `rdplot`
block of rd_reference.json (made by rd_generate.py).

Peer (used strictly as a BLACK BOX: only the public API of rdrobust.rdplot was called and its
outputs recorded; the rdrobust source (GPL-3.0-only) was NOT read):
  * rdrobust 2.1.1 (PyPI)
Versions of the run are written into the JSON under meta.packages.

Data (no new data is made here):
  * datasets/gpl/rdrobust_senate.csv (read only): x = margin, y = vote; rows with a missing vote
    are dropped before the call (N = 595 + 702).
  * crates/phare-causal/tests/reference/rd_simulated.csv: SIMULATED data written by
    rd_generate.py. Several (outcome, running variable, cut-off) combinations are used to vary the
    shape of the regression function, the density of the score (x uniform, z normal, w uniform on
    [0.5, 2]) and the presence of mass points (x2 = round(x, 2)).

Output: crates/phare-causal/tests/reference/rd_plot_reference.json (deterministic).

Run from the repository root:
    nice /root/venv-rd/bin/python crates/phare-causal/tests/reference/rd_plot_generate.py

JSON layout:
  meta                      packages, data, notes
  grid.<case>               {"data", "y", "x", "c", "J_IMSE": {binselect: [l, r]},
                             "J_MV": {binselect: [l, r]}, "binselect": {binselect: description}}
                            the eight binselect values with masspoints="off" (no switching), so
                            each estimator is seen as itself
  full.<case>               {"data", "args", "result"}: one rdplot call, result as in rd_reference.json
                            (J, J_IMSE, J_MV, scale, rscale, bin_avg, bin_med, coef, N, N_h, h,
                            binselect, vars_bins (all bins, column-wise), vars_poly head/tail)
"""
import contextlib
import io
import json
import math
import os
import sys
import warnings
from importlib.metadata import version

import numpy as np
import pandas as pd
from rdrobust import rdplot

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
SENATE = os.path.join(ROOT, "datasets", "gpl", "rdrobust_senate.csv")
SIM_CSV = os.path.join(HERE, "rd_simulated.csv")
OUT = os.path.join(HERE, "rd_plot_reference.json")
BINSELECT = ["es", "espr", "esmv", "esmvpr", "qs", "qspr", "qsmv", "qsmvpr"]


def jsonable(v):
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
        return {"index": [jsonable(i) for i in v.index], "columns": [str(c) for c in v.columns],
                "data": [[jsonable(x) for x in row] for row in v.to_numpy(dtype=object)]}
    if isinstance(v, np.ndarray):
        return [jsonable(x) for x in v.tolist()] if v.ndim > 0 else jsonable(v.item())
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    return repr(v)


def call(y, x, **kw):
    buf = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(buf):
        warnings.simplefilter("ignore")
        r = rdplot(y, x, hide=True, **kw)
    return r, buf.getvalue()


def record(r):
    out = {}
    for k, v in vars(r).items():
        if k == "rdplot":
            continue
        if k == "vars_bins":
            out[k] = {"n_rows": int(v.shape[0]),
                      "columns": {str(c): [jsonable(x) for x in v[c].tolist()] for c in v.columns}}
        elif k == "vars_poly":
            out[k] = {"n_rows": int(v.shape[0]), "head": jsonable(v.head(3)),
                      "tail": jsonable(v.tail(3))}
        elif k == "coef":
            out[k] = {str(c): [jsonable(x) for x in v[c].tolist()] for c in v.columns}
        else:
            out[k] = jsonable(v)
    return out


def main():
    senate = pd.read_csv(SENATE)[["margin", "vote"]].dropna()
    sim = pd.read_csv(SIM_CSV)
    data = {"senate": senate, "simulated": sim}
    out = {"meta": {}, "grid": {}, "full": {}}

    grid_cases = [
        # (case, data, y, x, c)
        ("senate", "senate", "vote", "margin", 0.0),
        ("senate_c5", "senate", "vote", "margin", 5.0),
        ("sim_y_x", "simulated", "y", "x", 0.0),
        ("sim_yf_x", "simulated", "yf", "x", 0.0),
        ("sim_yk_x", "simulated", "yk", "x", 0.0),
        ("sim_d_x", "simulated", "d", "x", 0.0),
        ("sim_yfk_x_c03", "simulated", "yfk", "x", 0.3),
        ("sim_ym_x2", "simulated", "ym", "x2", 0.0),
        ("sim_y_z", "simulated", "y", "z", 0.0),
        ("sim_yk_z_cm05", "simulated", "yk", "z", -0.5),
        ("sim_y_w_c12", "simulated", "y", "w", 1.2),
        ("sim_z_x", "simulated", "z", "x", 0.0),
    ]
    for case, dname, yc, xc, c in grid_cases:
        df = data[dname]
        rec = {"data": dname, "y": yc, "x": xc, "c": c, "J_IMSE": {}, "J_MV": {}, "binselect": {}}
        for bs in BINSELECT:
            r, _ = call(df[yc], df[xc], c=c, binselect=bs, masspoints="off")
            rec["J_IMSE"][bs] = [int(v) for v in r.J_IMSE]
            rec["J_MV"][bs] = [int(v) for v in r.J_MV]
            rec["binselect"][bs] = r.binselect
        out["grid"][case] = rec

    full_cases = [
        ("senate_support", "senate", "vote", "margin", dict(binselect="es", support=[-120, 130])),
        ("senate_scale2", "senate", "vote", "margin", dict(binselect="esmv", scale=2)),
        ("senate_qs_nbins_10_12", "senate", "vote", "margin", dict(binselect="qs", nbins=[10, 12])),
        ("senate_epa_p2_h30_40", "senate", "vote", "margin",
         dict(p=2, kernel="epanechnikov", h=[30, 40])),
        ("senate_c5_qsmv", "senate", "vote", "margin", dict(c=5, binselect="qsmv")),
        ("sim_mass_qsmv", "simulated", "ym", "x2", dict(binselect="qsmv")),
        ("sim_mass_qs_off", "simulated", "ym", "x2", dict(binselect="qs", masspoints="off")),
        ("sim_mass_esmv_check", "simulated", "ym", "x2", dict(binselect="esmv", masspoints="check")),
        ("sim_y_z_qsmvpr", "simulated", "y", "z", dict(binselect="qsmvpr")),
        ("sim_y_w_c12_es", "simulated", "y", "w", dict(c=1.2, binselect="es", p=3)),
    ]
    for case, dname, yc, xc, args in full_cases:
        df = data[dname]
        r, so = call(df[yc], df[xc], **args)
        out["full"][case] = {"data": dname, "y": yc, "x": xc, "args": args, "result": record(r),
                             "stdout": so}

    out["meta"] = {
        "generator": "crates/phare-causal/tests/reference/rd_plot_generate.py",
        "command": "nice /root/venv-rd/bin/python crates/phare-causal/tests/reference/rd_plot_generate.py",
        "packages": {p: version(p) for p in ("rdrobust", "numpy", "pandas")}
        | {"python": sys.version.split()[0]},
        "black_box": "black box: only the public API was called, the source was not read "
                     "(rdrobust is GPL-3.0-only).",
        "notes": [
            "grid cases call rdplot with masspoints='off' so that each binselect value is "
            "computed as itself (with the default 'adjust', rdplot switches the spacings "
            "estimators to polynomial regression when mass points are detected).",
            "Rows with a missing vote are dropped from the Senate data before the call.",
            "vars_poly: only head/tail 3 rows are stored.",
        ],
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {OUT}: {len(out['grid'])} grid cases, {len(out['full'])} full cases")


if __name__ == "__main__":
    main()
