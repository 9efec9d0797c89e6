//! Fixed-effect estimates, predictions and per-level slopes `i(var, x)` against pyfixest 0.60.0
//! (`reference/predict_generate.py` wrote `reference/predict_reference.json`), and the identities
//! they must satisfy on random data.

use phare_core::{Estimates, SimRng};
use phare_data::load_dataset;
use phare_data::polars::prelude::*;
use phare_models::Feols;

const REFERENCE: &str = include_str!("reference/predict_reference.json");

fn case(id: &str) -> serde_json::Value {
    let all: serde_json::Value = serde_json::from_str(REFERENCE).unwrap();
    all["cases"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no case {id}")).clone()
}

#[track_caller]
fn close(got: f64, want: f64, rel: f64, what: &str) {
    assert!((got - want).abs() <= rel * want.abs().max(1.0), "{what}: {got} vs {want}");
}

/// The first 25 rows of `df`, then its first 2 rows with `column` set to `unseen`.
fn new_rows(df: &DataFrame, column: &str, unseen: i64) -> DataFrame {
    let mut extra = df.head(Some(2));
    extra.with_column(Column::new(column.into(), vec![unseen; 2])).unwrap();
    df.head(Some(25)).vstack(&extra).unwrap()
}

#[track_caller]
fn check_predictions(id: &str, got: &[Option<f64>]) {
    let want = case(id)["predict"].as_array().unwrap().clone();
    assert_eq!(got.len(), want.len(), "{id}: number of predictions");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        match (g, w.as_f64()) {
            (Some(g), Some(w)) => close(*g, w, 1e-8, &format!("{id} prediction {i}")),
            (None, None) => {}
            other => panic!("{id} prediction {i}: {other:?}"),
        }
    }
}

#[test]
fn two_way_fixed_effects_and_predictions_match_pyfixest() {
    let id = "wagepan_twfe";
    let df = load_dataset("wagepan").unwrap();
    let fit = Feols::new("lwage ~ union + married | nr + year").unwrap().fit(&df).unwrap();
    let c = case(id);
    for (fe, levels) in c["fixef"].as_object().unwrap() {
        let got = fit.fixef().iter().find(|f| &f.name == fe).unwrap();
        for (level, want) in levels.as_object().unwrap() {
            close(got.get(level).unwrap(), want.as_f64().unwrap(), 1e-8, &format!("{id} fixef {fe}={level}"));
        }
    }
    check_predictions(id, &fit.predict(&new_rows(&df, "nr", 999_999)).unwrap());
}

#[test]
fn weighted_fixed_effects_and_predictions_match_pyfixest() {
    let id = "wagepan_weighted_oneway";
    let df = load_dataset("wagepan").unwrap();
    let fit = Feols::new("lwage ~ exper + union | year").unwrap().weights("hours").fit(&df).unwrap();
    for (level, want) in case(id)["fixef"]["year"].as_object().unwrap() {
        close(fit.fixef()[0].get(level).unwrap(), want.as_f64().unwrap(), 1e-8, &format!("{id} year={level}"));
    }
    check_predictions(id, &fit.predict(&new_rows(&df, "year", 2050)).unwrap());
}

#[test]
fn slopes_by_level_match_pyfixest() {
    let df = load_dataset("wagepan").unwrap();
    for (id, formula, vcov) in [
        (
            "wagepan_slopes_by_year",
            "lwage ~ i(year, educ, ref = 1980) + union | nr",
            phare_models::VcovSpec::Crv1(vec!["nr".into()]),
        ),
        ("wagepan_slopes_all_levels", "lwage ~ i(year, educ) + union", phare_models::VcovSpec::Hc1),
    ] {
        let c = case(id);
        let fit = Feols::new(formula).unwrap().vcov(vcov).fit(&df).unwrap();
        let tidy = fit.tidy();
        let coefs = c["coef"].as_object().unwrap();
        assert_eq!(
            tidy.rows.len(),
            coefs.len(),
            "{id}: terms {:?}",
            tidy.rows.iter().map(|r| &r.term).collect::<Vec<_>>()
        );
        for (term, want) in coefs {
            let name = if term == "Intercept" { "(Intercept)" } else { term.as_str() };
            let row = tidy.row(name).unwrap_or_else(|| panic!("{id}: no term {name}"));
            close(row.estimate, want.as_f64().unwrap(), 1e-8, &format!("{id} {term}"));
            close(row.std_error, c["se"][term].as_f64().unwrap(), 1e-6, &format!("{id} se {term}"));
        }
        if c.get("predict").is_some() {
            check_predictions(id, &fit.predict(&df.head(Some(25))).unwrap());
        }
    }
}

#[test]
fn instrumental_variables_predict_with_the_actual_regressor() {
    let df = load_dataset("mroz").unwrap();
    let fit = Feols::new("lwage ~ exper + expersq | educ ~ fatheduc + motheduc").unwrap().fit(&df).unwrap();
    let used = df.filter(&df.column("lwage").unwrap().as_materialized_series().is_not_null()).unwrap();
    check_predictions("mroz_iv", &fit.predict(&used.head(Some(25))).unwrap());
}

#[test]
fn predictions_on_the_estimation_sample_are_the_fitted_values() {
    // y = prediction + residual on every row used, with two fixed effects on an unbalanced random
    // panel and a missing regressor value (that row gets no prediction).
    let mut rng = SimRng::new(41);
    let n = 600;
    let unit: Vec<i64> = (0..n).map(|_| rng.below(60) as i64).collect();
    let year: Vec<i64> = (0..n).map(|_| 2000 + rng.below(8) as i64).collect();
    let mut x: Vec<Option<f64>> = (0..n).map(|_| Some(rng.normal())).collect();
    x[7] = None;
    let y: Vec<f64> = (0..n).map(|i| unit[i] as f64 * 0.1 + x[i].unwrap_or(0.0) + rng.normal()).collect();
    let df = df!("unit" => &unit, "year" => &year, "x" => &x, "y" => &y).unwrap();
    let fit = Feols::new("y ~ x + i(year, x, ref = 2000) | unit + year").unwrap().fit(&df).unwrap();
    let pred = fit.predict(&df).unwrap();
    assert_eq!(pred[7], None);
    for (k, &row) in fit.source_rows().iter().enumerate() {
        let p = pred[row].unwrap();
        assert!(
            (p + fit.residuals()[k] - y[row]).abs() < 1e-9,
            "row {row}: {p} + {} vs {}",
            fit.residuals()[k],
            y[row]
        );
    }
    // Row order of the new data does not matter.
    let rev = df.reverse();
    let pred_rev = fit.predict(&rev).unwrap();
    for i in 0..n {
        assert_eq!(pred_rev[n - 1 - i].map(|v| (v * 1e9).round()), pred[i].map(|v| (v * 1e9).round()));
    }
}

#[test]
fn predict_names_a_missing_column() {
    let df = load_dataset("wagepan").unwrap();
    let fit = Feols::new("lwage ~ union | nr").unwrap().fit(&df).unwrap();
    let nd = df.drop("union").unwrap();
    let e = fit.predict(&nd).unwrap_err();
    assert!(e.to_string().contains("union"), "{e}");
}
