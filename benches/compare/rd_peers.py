"""The Python side of benches/compare/rd.sh: rdrobust 2.1.1 (PyPI, GPL-3.0-only), called ONLY as a
black box through its public API (`rdrobust(y, x)` with default options: mserd bandwidth, p = 1,
triangular kernel, nearest-neighbour variance, masspoints="adjust"); its source is not read.

    python rd_peers.py write N PATH          # write the SIMULATED design with n = N to PATH (x, y)
    python rd_peers.py run senate|PATH [REPEAT] [--case NAME]

`write` uses simulate(n, seed=20261129 + n) from crates/phare-causal/tests/reference/rd_generate.py
(the design of phare's RD reference tests and of rd_timing.json; documented there: x ~ U[-1, 1]
rounded to 6 decimals, y = 1 + 0.8x - 0.5x^2 + 0.3x^3 + 0.5z + 0.5*1{x >= 0} + e, z ~ N(0, 1),
e ~ N(0, 0.5^2), y rounded to 6 decimals; true jump 0.5) and keeps the columns x and y only.
The file is read back and compared with the generated values, so both tools see the same doubles.

`run` reads the data (senate: datasets/gpl/rdrobust_senate.csv, y = vote, x = margin; rdrobust
drops the 93 missing votes itself), then times `rdrobust(y, x)` alone with time.perf_counter
(reading and the fingerprint are outside the timed region), REPEAT times. Prints
`rdrobust,case,n,best_s,median_s,first_s,peak_rss_mib,est_cl,se_cl,est_rb,se_rb,h_left,h_right,b_left,b_right,fp_x,fp_y`
with the same fingerprint of the columns as read as benches/rd.rs (sum of bits(v_i) * (2i + 1)
mod 2^64 in file order, missing values as 0.0); estimates, standard errors and bandwidths
are printed in full (repr). Peak RSS is the process's ru_maxrss (interpreter
and imports included).
"""
import importlib.util
import os
import resource
import sys
import time
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
GENERATOR = os.path.join(ROOT, "crates", "phare-causal", "tests", "reference", "rd_generate.py")
SENATE = os.path.join(ROOT, "datasets", "gpl", "rdrobust_senate.csv")
SIM_SEED = 20261129


def fingerprint(values):
    a = np.asarray(values, dtype=np.float64).copy()
    a[np.isnan(a)] = 0.0
    bits = a.view(np.uint64)
    idx = np.arange(len(a), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    with np.errstate(over="ignore"):
        return int(np.sum(bits * idx, dtype=np.uint64))


def read_csv(path):
    # round_trip: the correctly rounded parse (pandas' default fast parser may differ in the
    # last bit from the shortest repr the file holds).
    return pd.read_csv(path, float_precision="round_trip")


def write(n, path):
    spec = importlib.util.spec_from_file_location("rd_generate", GENERATOR)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    df = gen.simulate(n=n, seed=SIM_SEED + n)[["x", "y"]]
    df.to_csv(path, index=False)
    back = read_csv(path)
    for c in ("x", "y"):
        if not np.array_equal(back[c].to_numpy(), df[c].to_numpy()):
            sys.exit(f"{path}: column {c} does not read back bit for bit")
    print(f"# wrote {path}: n = {n}, simulate(n, seed={SIM_SEED + n}), "
          f"{back['x'].nunique()} distinct x")


def run(data, repeat, case):
    from rdrobust import rdrobust

    if data == "senate":
        df, y, x, case = pd.read_csv(SENATE, float_precision="round_trip"), "vote", "margin", "senate"
    else:
        df, y, x = read_csv(data), "y", "x"
    fp_x, fp_y = fingerprint(df[x]), fingerprint(df[y])
    ys, xs = df[y], df[x]
    times = []
    r = None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        r = rdrobust(ys, xs)
        times.append(time.perf_counter() - t0)
    first = times[0]
    best = min(times)
    med = sorted(times)[len(times) // 2]
    coef = r.coef.iloc[:, 0]
    se = r.se.iloc[:, 0]
    n = int(np.sum(np.asarray(r.N)))
    h_l, h_r = float(r.bws.loc["h", "left"]), float(r.bws.loc["h", "right"])
    b_l, b_r = float(r.bws.loc["b", "left"]), float(r.bws.loc["b", "right"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    vals = [coef.loc["Conventional"], se.loc["Conventional"], coef.loc["Robust"], se.loc["Robust"],
            h_l, h_r, b_l, b_r]
    print(f"rdrobust,{case},{n},{best:.4f},{med:.4f},{first:.4f},{peak:.0f},"
          + ",".join(repr(float(v)) for v in vals) + f",{fp_x},{fp_y}")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "write":
        write(int(float(args[1])), args[2])
    elif args and args[0] == "run":
        case = "csv"
        if "--case" in args:
            i = args.index("--case")
            case = args[i + 1]
            del args[i:i + 2]
        run(args[1], int(args[2]) if len(args) > 2 else 1, case)
    else:
        sys.exit(__doc__)
