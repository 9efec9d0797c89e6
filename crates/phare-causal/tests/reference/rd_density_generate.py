"""Extra reference values for phare's RD density (manipulation) test, `phare_causal::rd::DensityTest`.

Peers -- black box: only the public API was called, the source was not read:
  * rddensity 3.0   (PyPI, License: GPL-3.0-only) -- rddensity, rdbwdensity
  * lpdensity 3.0.0 (PyPI, License: GPL-3.0-only; dependency of rddensity)
Their versions (and numpy's, pandas', python's) at run time are written into the JSON under
meta.packages. The main cases (Senate default, useall, plugin, restricted, h = 20; simulated x) are in
rd_reference.json, written by rd_generate.py; this script adds what those do not exercise: mass
points, kernels, selectors, orders, cut-offs, the restricted model with the plug-in variance,
regularization on small samples, and regularization switched off.

Data:
  * datasets/gpl/rdrobust_senate.csv (read only): running variable `margin` (1390 values).
  * crates/phare-causal/tests/reference/rd_simulated.csv (read only; written by rd_generate.py):
    SIMULATED `x` ~ U[-1, 1] and `x2` = round(x, 2) (mass points).
  * small SIMULATED samples generated here (numpy default_rng with the seeds below, values rounded to
    6 decimals) and stored in the JSON itself under cases.<name>.x, so the Rust test reads exactly
    them.

Output: crates/phare-causal/tests/reference/rd_density_reference.json (deterministic).

Run from the repository root:
    nice /root/venv-rd/bin/python crates/phare-causal/tests/reference/rd_density_generate.py

JSON layout: meta; cases.<name> = {"data", "args", "rddensity": {...} or null,
"rdbwdensity": {...} or null}. rddensity results: hat/sd_jk/sd_asy/hat_p/sd_jk_p/sd_asy_p as
{left, right, diff}, test/test_p as {t_jk, p_jk, t_asy, p_asy}, n, h {left, right}. rdbwdensity
results: h.{l,r,diff,sum} = {bw, variance, biassq}. NaN/None -> null.
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
from rddensity import rdbwdensity, rddensity

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
SENATE = os.path.join(ROOT, "datasets", "gpl", "rdrobust_senate.csv")
SIM_CSV = os.path.join(HERE, "rd_simulated.csv")
OUT = os.path.join(HERE, "rd_density_reference.json")


def num(v):
    if v is None:
        return None
    f = float(v)
    return None if (math.isnan(f) or math.isinf(f)) else f


def series(s):
    return {str(k): num(v) for k, v in s.items()}


def quiet(fn, *a, **kw):
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return fn(*a, **kw)


def rec_rd(r):
    out = {}
    for k in ("hat", "sd_jk", "sd_asy", "hat_p", "sd_jk_p", "sd_asy_p", "test", "test_p", "h"):
        out[k] = series(getattr(r, k))
    out["n"] = {str(k): int(v) for k, v in r.n.items()}
    return out


def rec_bw(r):
    return {"h": {str(i): {"bw": num(r.h.loc[i, "bw"]), "variance": num(r.h.loc[i, "variance"]),
                           "biassq": num(r.h.loc[i, "biassq"])} for i in r.h.index}}


def small(seed, n, lo=-1.0, hi=1.0):
    """SIMULATED: n draws of U[lo, hi] (numpy default_rng(seed)), rounded to 6 decimals."""
    return np.round(np.random.default_rng(seed).uniform(lo, hi, n), 6)


def main():
    senate = pd.read_csv(SENATE)["margin"].to_numpy(dtype=float)
    sim = pd.read_csv(SIM_CSV)
    data = {"senate": senate, "sim_x": sim["x"].to_numpy(dtype=float),
            "sim_x2": sim["x2"].to_numpy(dtype=float)}
    embedded = {
        # Regularization: fewer than 23 observations on a side, or within the pilot bandwidth.
        "small44": small(12, 44),
        "small40": small(11, 40),
        "small70": small(14, 70),
        # A coarse score: 0.04 steps (25 distinct values per side) -> the distinct-value floor.
        "coarse": np.round(np.round(np.random.default_rng(21).uniform(-1, 1, 2000) / 0.04) * 0.04, 6),
    }
    data.update(embedded)

    # (name, data, rddensity args or None, rdbwdensity args or None)
    cases = [
        ("sim_x2_h03", "sim_x2", {"h": 0.3}, None),
        ("sim_x2_h03_nomass", "sim_x2", {"h": 0.3, "massPoints": False}, None),
        ("sim_x2_default", "sim_x2", {}, {}),
        ("sim_x2_nomass", "sim_x2", {"massPoints": False}, {"massPoints": False}),
        ("senate_epa", "senate", {"kernel": "epanechnikov"}, {"kernel": "epanechnikov"}),
        ("senate_uni", "senate", {"kernel": "uniform"}, {"kernel": "uniform"}),
        ("senate_each", "senate", {"bwselect": "each"}, None),
        ("senate_diff", "senate", {"bwselect": "diff"}, None),
        ("senate_sum", "senate", {"bwselect": "sum"}, None),
        ("senate_p1", "senate", {"p": 1}, {"p": 1}),
        ("senate_p3", "senate", {"p": 3}, {"p": 3}),
        ("senate_h20_q2", "senate", {"h": 20, "q": 2}, None),
        ("senate_h10_25", "senate", {"h": [10, 25]}, None),
        ("senate_c5", "senate", {"c": 5}, {"c": 5}),
        ("senate_restricted_plugin", "senate", {"fitselect": "restricted", "vce": "plugin"},
         {"fitselect": "restricted", "vce": "plugin"}),
        ("senate_restricted_h20", "senate", {"fitselect": "restricted", "h": 20}, None),
        ("senate_restricted_epa", "senate", {"fitselect": "restricted", "kernel": "epanechnikov"},
         {"fitselect": "restricted", "kernel": "epanechnikov"}),
        ("senate_plugin_h20", "senate", {"vce": "plugin", "h": 20}, None),
        ("sim_x_c03", "sim_x", {"c": 0.3}, {"c": 0.3}),
        ("sim_x_restricted", "sim_x", {"fitselect": "restricted"}, {"fitselect": "restricted"}),
        ("sim_x_noregularize", "sim_x", {"regularize": False}, {"regularize": False}),
        ("senate_noregularize", "senate", {"regularize": False}, {"regularize": False}),
        ("small44", "small44", {}, {}),
        ("small40", "small40", {}, {}),
        ("small70", "small70", {}, {}),
        ("coarse", "coarse", {}, {}),
        ("coarse_nomass", "coarse", {"massPoints": False}, {"massPoints": False}),
    ]
    out = {"cases": {}}
    for name, d, a_rd, a_bw in cases:
        x = data[d]
        rec = {"data": d, "args_rddensity": a_rd, "args_rdbwdensity": a_bw,
               "rddensity": None, "rdbwdensity": None}
        if a_rd is not None:
            rec["rddensity"] = rec_rd(quiet(rddensity, x, **a_rd))
        if a_bw is not None:
            rec["rdbwdensity"] = rec_bw(quiet(rdbwdensity, x, **a_bw))
        out["cases"][name] = rec
    out["embedded_data"] = {k: [float(v) for v in x] for k, x in embedded.items()}
    out["meta"] = {
        "generator": "crates/phare-causal/tests/reference/rd_density_generate.py",
        "command": "nice /root/venv-rd/bin/python crates/phare-causal/tests/reference/rd_density_generate.py",
        "packages": {p: version(p) for p in ("rddensity", "lpdensity", "numpy", "pandas")}
        | {"python": sys.version.split()[0]},
        "licences": {"rddensity": "GPL-3.0-only", "lpdensity": "GPL-3.0-only"},
        "black_box": "black box: only the public API was called, the source was not read",
        "data": {
            "senate": "datasets/gpl/rdrobust_senate.csv, column margin (1390 values)",
            "sim_x": "rd_simulated.csv column x: SIMULATED U[-1,1]",
            "sim_x2": "rd_simulated.csv column x2 = round(x, 2): SIMULATED, mass points",
            "small44": "SIMULATED: np.round(default_rng(12).uniform(-1, 1, 44), 6)",
            "small40": "SIMULATED: np.round(default_rng(11).uniform(-1, 1, 40), 6)",
            "small70": "SIMULATED: np.round(default_rng(14).uniform(-1, 1, 70), 6)",
            "coarse": "SIMULATED: round(default_rng(21).uniform(-1, 1, 2000) / 0.04) * 0.04, to 6 decimals",
        },
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {OUT}: {len(out['cases'])} cases")


if __name__ == "__main__":
    main()
