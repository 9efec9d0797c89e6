//! linfa's `Fit`/`Predict` on phare's least squares give the same numbers as the formula route.

use linfa::prelude::*;
use ndarray::{Array1, Array2};
use phare_core::Estimates;
use phare_data::load_dataset;
use phare_models::linfa_traits::LinearRegression;
use phare_models::{Feols, VcovSpec};

fn wagepan_arrays() -> (Array2<f64>, Array1<f64>, Vec<f32>) {
    let df = load_dataset("wagepan").unwrap();
    let col = |c: &str| -> Vec<f64> {
        df.column(c)
            .unwrap()
            .as_materialized_series()
            .cast(&phare_data::polars::prelude::DataType::Float64)
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect()
    };
    let (u, e, m) = (col("union"), col("exper"), col("married"));
    let x = Array2::from_shape_fn((u.len(), 3), |(i, j)| [u[i], e[i], m[i]][j]);
    let hours: Vec<f32> = col("hours").iter().map(|&h| h as f32).collect();
    (x, Array1::from(col("lwage")), hours)
}

#[test]
fn linfa_fit_equals_the_formula_fit() {
    let (x, y, hours) = wagepan_arrays();
    let df = load_dataset("wagepan").unwrap();
    let data = Dataset::new(x.clone(), y.clone()).with_feature_names(vec!["union", "exper", "married"]);
    let fit = LinearRegression::new().vcov(VcovSpec::Hc1).fit(&data).unwrap();
    let reference = Feols::new("lwage ~ union + exper + married").unwrap().vcov(VcovSpec::Hc1).fit(&df).unwrap();
    for (a, b) in fit.inner().tidy().rows.iter().zip(&reference.tidy().rows) {
        assert_eq!(a.term, b.term);
        assert!((a.estimate - b.estimate).abs() < 1e-12 && (a.std_error - b.std_error).abs() < 1e-12, "{}", a.term);
    }
    // Predict: intercept + x·slopes, equal to the formula fit's predictions on the same rows.
    let predicted = fit.predict(&x);
    let want = reference.predict(&df).unwrap();
    for (p, w) in predicted.iter().zip(&want) {
        assert!((p - w.unwrap()).abs() < 1e-10);
    }

    // Sample weights are used as regression weights (f32 in linfa: compare with the same rounding).
    let weighted = Dataset::new(x, y)
        .with_weights(Array1::from(hours.clone()))
        .with_feature_names(vec!["union", "exper", "married"]);
    let fit = LinearRegression::new().fit(&weighted).unwrap();
    let mut df_w = df.clone();
    df_w.with_column(phare_data::polars::prelude::Column::new(
        "w".into(),
        hours.iter().map(|&h| f64::from(h)).collect::<Vec<f64>>(),
    ))
    .unwrap();
    let reference =
        Feols::new("lwage ~ union + exper + married").unwrap().weights("w").vcov(VcovSpec::Iid).fit(&df_w).unwrap();
    for (a, b) in fit.inner().tidy().rows.iter().zip(&reference.tidy().rows) {
        assert!((a.estimate - b.estimate).abs() < 1e-12, "{}", a.term);
    }
}

#[test]
fn nameless_features_get_numbered_names_and_bad_data_is_an_error() {
    let x = Array2::from_shape_vec((4, 2), vec![1.0, 2.0, 3.0, 4.0, 0.0, 1.0, 0.0, 2.0]).unwrap();
    let fit = LinearRegression::new()
        .with_intercept(false)
        .fit(&Dataset::new(x.clone(), Array1::from(vec![1.0, 2.0, 2.5, 5.0])))
        .unwrap();
    assert!(fit.inner().tidy().row("x1").is_some() && fit.inner().tidy().row("x2").is_some());
    assert_eq!(fit.intercept(), 0.0);
    // NaN everywhere in the outcome: no usable row, a phare error (not a panic).
    let e = LinearRegression::new().fit(&Dataset::new(x, Array1::from(vec![f64::NAN; 4]))).unwrap_err();
    assert!(e.to_string().contains("no observation") || e.to_string().contains("missing"), "{e}");
}
