"""Reference values for FeolsFit::fixef, FeolsFit::predict and `i(var, x)` slopes (crates/phare-models).

pyfixest 0.60.0 fits each model below; the script stores its coefficients, the fixed-effect values
of a few levels (pyfixest's `fixef()`, which like fixest sets the first level of every fixed
effect after the first to 0; solved here with lsqr tolerances 1e-14 instead of pyfixest's default
1e-6, which leaves errors of order 1e-8 in the values; predict() reuses them), and predictions on new data: the first 25 rows of the data, plus
rows whose fixed-effect level is unseen (pyfixest returns NaN, stored as null).

Run from the repository root:  /root/venv-ref/bin/python crates/phare-models/tests/reference/predict_generate.py
Writes crates/phare-models/tests/reference/predict_reference.json.
"""
import json
import math

import numpy as np
import pandas as pd
import pyfixest as pf

wagepan = pd.read_csv("datasets/wagepan.csv")
mroz = pd.read_csv("datasets/mroz.csv")
mroz = mroz[mroz["lwage"].notna()].reset_index(drop=True)


def clean(v):
    v = float(v)
    return None if math.isnan(v) else v


def new_rows(df, fe_col, unseen):
    head = df.head(25).copy()
    extra = df.head(2).copy()
    extra[fe_col] = unseen
    return pd.concat([head, extra], ignore_index=True)


cases = []

# Two-way fixed effects, CRV1.
fit = pf.feols("lwage ~ union + married | nr + year", data=wagepan, vcov={"CRV1": "nr"})
fe = fit.fixef(atol=1e-14, btol=1e-14)
nd = new_rows(wagepan, "nr", 999999)
cases.append({
    "id": "wagepan_twfe",
    "data": "wagepan",
    "formula": "lwage ~ union + married | nr + year",
    "coef": {k: float(v) for k, v in fit.coef().items()},
    "fixef": {
        "year": {str(k): float(v) for k, v in fe["C(year)"].items()},
        "nr": {str(k): float(v) for k, v in list(fe["C(nr)"].items())[:10]},
    },
    "newdata_rows": "first 25 rows of datasets/wagepan.csv, then its first 2 rows with nr = 999999",
    "predict": [clean(v) for v in fit.predict(newdata=nd)],
})

# Weighted, one fixed effect (weights: hours).
fit = pf.feols("lwage ~ exper + union | year", data=wagepan, weights="hours")
fe = fit.fixef(atol=1e-14, btol=1e-14)
nd = new_rows(wagepan, "year", 2050)
cases.append({
    "id": "wagepan_weighted_oneway",
    "data": "wagepan",
    "formula": "lwage ~ exper + union | year",
    "weights": "hours",
    "coef": {k: float(v) for k, v in fit.coef().items()},
    "fixef": {"year": {str(k): float(v) for k, v in fe["C(year)"].items()}},
    "newdata_rows": "first 25 rows of datasets/wagepan.csv, then its first 2 rows with year = 2050",
    "predict": [clean(v) for v in fit.predict(newdata=nd)],
})

# Slopes by level: i(year, educ, ref = 1980), with a unit fixed effect (educ is time-invariant,
# so only its interactions with year are identified).
fit = pf.feols("lwage ~ i(year, educ, ref = 1980) + union | nr", data=wagepan, vcov={"CRV1": "nr"})
cases.append({
    "id": "wagepan_slopes_by_year",
    "data": "wagepan",
    "formula": "lwage ~ i(year, educ, ref = 1980) + union | nr",
    "pyfixest_names": list(fit.coef().index),
    "coef": {k: float(v) for k, v in fit.coef().items()},
    "se": {k: float(v) for k, v in fit.se().items()},
})

# The same slopes without reference (one slope per level, no fixed effect to absorb them).
fit = pf.feols("lwage ~ i(year, educ) + union", data=wagepan, vcov="hetero")
cases.append({
    "id": "wagepan_slopes_all_levels",
    "data": "wagepan",
    "formula": "lwage ~ i(year, educ) + union",
    "vcov": "HC1",
    "pyfixest_names": list(fit.coef().index),
    "coef": {k: float(v) for k, v in fit.coef().items()},
    "se": {k: float(v) for k, v in fit.se().items()},
    # pyfixest 0.60 refuses newdata with i(); its fitted values on the estimation sample (no row
    # dropped here) are the same numbers.
    "newdata_rows": "first 25 rows of datasets/wagepan.csv (pyfixest fitted values)",
    "predict": [clean(v) for v in fit.predict()[:25]],
})

# 2SLS: predictions use the actual endogenous regressor.
fit = pf.feols("lwage ~ exper + expersq | educ ~ fatheduc + motheduc", data=mroz, vcov="iid")
cases.append({
    "id": "mroz_iv",
    "data": "mroz (rows with lwage)",
    "formula": "lwage ~ exper + expersq | educ ~ fatheduc + motheduc",
    "coef": {k: float(v) for k, v in fit.coef().items()},
    # pyfixest 0.60 has no predict() for IV models: the structural prediction is computed here from
    # pyfixest's coefficients and the actual regressors (fixest's definition for IV).
    "newdata_rows": "first 25 rows of datasets/mroz.csv with lwage present (X_actual @ pyfixest coef)",
    "predict": [clean(v) for v in (
        fit.coef()["Intercept"] + mroz.head(25)["exper"] * fit.coef()["exper"]
        + mroz.head(25)["expersq"] * fit.coef()["expersq"] + mroz.head(25)["educ"] * fit.coef()["educ"])],
})

out = {
    "package": "pyfixest",
    "package_version": pf.__version__,
    "pandas_version": pd.__version__,
    "numpy_version": np.__version__,
    "cases": cases,
}
with open("crates/phare-models/tests/reference/predict_reference.json", "w") as fh:
    json.dump(out, fh, indent=1)
print("wrote", len(cases), "cases")
