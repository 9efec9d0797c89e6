//! The RD density (manipulation) test, `phare_causal::rd::DensityTest`, against rddensity 3.0 /
//! lpdensity 3.0.0 (PyPI, GPL-3.0; called strictly as black boxes, their source never read) on the
//! Senate running variable (`datasets/gpl/`, read from disk) and SIMULATED data:
//!
//! - `reference/rd_reference.json` (`rddensity` and `rdbwdensity` blocks, written by
//!   `reference/rd_generate.py`): Senate default, useall, plug-in, restricted, h = 20; simulated x;
//! - `reference/rd_density_reference.json` (written by `reference/rd_density_generate.py`): mass
//!   points, kernels, selectors, orders, cut-offs, restricted plug-in, regularization.
//!
//! Tolerance: 1e-6 relative for every estimate, standard error, statistic, p-value, bandwidth and
//! bandwidth constant (phare agrees to about 1e-9; the residual comes from the kernel constants,
//! exact rationals computed in floating point by both programs in different ways, which enter the
//! bandwidths through a fifth root). Effective sample sizes must be equal.

use phare_causal::rd::{DensityBwSelect, DensityFit, DensityTest, DensityVce, Kernel};
use phare_core::{ErrorKind, Estimates};
use phare_data::polars::prelude::*;
use serde_json::Value;
use std::path::Path;

const TOL: f64 = 1e-6;

fn json(name: &str) -> Value {
    let path = format!("{}/tests/reference/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn read_csv(path: &str) -> DataFrame {
    phare_data::read(Path::new(path), &phare_data::ReadOptions::default()).unwrap().0
}

/// The running variable of a reference case as a one-column frame `x`.
fn data(which: &str, embedded: &Value) -> DataFrame {
    let column = |df: DataFrame, name: &str| -> DataFrame {
        let v: Vec<f64> =
            df.column(name).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().into_no_null_iter().collect();
        df!("x" => v).unwrap()
    };
    match which {
        "senate" => {
            column(read_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/../../datasets/gpl/rdrobust_senate.csv")), "margin")
        }
        "simulated" | "sim_x" => {
            column(read_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/rd_simulated.csv")), "x")
        }
        "sim_x2" => column(read_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/rd_simulated.csv")), "x2"),
        other => {
            let v: Vec<f64> = embedded[other].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
            df!("x" => v).unwrap()
        }
    }
}

/// The test for rddensity's / rdbwdensity's arguments.
fn model(args: &Value) -> DensityTest {
    let mut m = DensityTest::new("x");
    match &args["h"] {
        Value::Array(a) => m = m.bandwidths(a[0].as_f64().unwrap(), a[1].as_f64().unwrap()),
        Value::Number(h) => m = m.bandwidth(h.as_f64().unwrap()),
        _ => {}
    }
    if let Some(c) = args["c"].as_f64() {
        m = m.cutoff(c);
    }
    if let Some(p) = args["p"].as_u64() {
        m = m.order(p as usize);
    }
    if let Some(q) = args["q"].as_u64() {
        m = m.bias_order(q as usize);
    }
    if let Some(k) = args["kernel"].as_str() {
        m = m.kernel(k.parse::<Kernel>().unwrap());
    }
    if let Some(v) = args["vce"].as_str() {
        m = m.vce(v.parse::<DensityVce>().unwrap());
    }
    if let Some(b) = args["bwselect"].as_str() {
        m = m.bwselect(b.parse::<DensityBwSelect>().unwrap());
    }
    if args["fitselect"].as_str() == Some("restricted") {
        m = m.restricted(true);
    }
    if let Some(b) = args["massPoints"].as_bool() {
        m = m.mass_points(b);
    }
    if let Some(b) = args["regularize"].as_bool() {
        m = m.regularize(b);
    }
    m
}

fn close(got: f64, want: f64, tol: f64, what: &str) {
    let err = (got - want).abs() / want.abs().max(1e-300);
    assert!(err <= tol, "{what}: phare {got:.15e}, reference {want:.15e} (relative error {err:.2e})");
}

/// Compares a fit with an rddensity result block.
fn check_rddensity(case: &str, fit: &DensityFit, r: &Value) {
    let jk = !r["sd_jk"]["left"].is_null();
    let (sd, t, p) = if jk { ("sd_jk", "t_jk", "p_jk") } else { ("sd_asy", "t_asy", "p_asy") };
    let what = |s: &str| format!("{case}: {s}");
    close(fit.bandwidths().0, r["h"]["left"].as_f64().unwrap(), TOL, &what("h left"));
    close(fit.bandwidths().1, r["h"]["right"].as_f64().unwrap(), TOL, &what("h right"));
    close(fit.f_left(), r["hat"]["left"].as_f64().unwrap(), TOL, &what("f left"));
    close(fit.f_right(), r["hat"]["right"].as_f64().unwrap(), TOL, &what("f right"));
    close(fit.difference(), r["hat"]["diff"].as_f64().unwrap(), TOL, &what("difference"));
    close(fit.se_left(), r[sd]["left"].as_f64().unwrap(), TOL, &what("se left"));
    close(fit.se_right(), r[sd]["right"].as_f64().unwrap(), TOL, &what("se right"));
    close(fit.se_difference(), r[sd]["diff"].as_f64().unwrap(), TOL, &what("se difference"));
    close(fit.t(), r["test"][t].as_f64().unwrap(), TOL, &what("t"));
    close(fit.p_value(), r["test"][p].as_f64().unwrap(), TOL, &what("p-value"));
    assert_eq!(
        fit.n(),
        (r["n"]["left"].as_u64().unwrap() as usize, r["n"]["right"].as_u64().unwrap() as usize),
        "{case}: n"
    );
    assert_eq!(
        fit.n_eff(),
        (r["n"]["eff_left"].as_u64().unwrap() as usize, r["n"]["eff_right"].as_u64().unwrap() as usize),
        "{case}: effective n"
    );
    // The order-p estimates, when rddensity reports them (useall).
    if !r["hat_p"]["left"].is_null() {
        let c = fit.conventional();
        close(c.f_left, r["hat_p"]["left"].as_f64().unwrap(), TOL, &what("order-p f left"));
        close(c.f_right, r["hat_p"]["right"].as_f64().unwrap(), TOL, &what("order-p f right"));
        close(c.se_left, r["sd_jk_p"]["left"].as_f64().unwrap(), TOL, &what("order-p se left"));
        close(c.se_right, r["sd_jk_p"]["right"].as_f64().unwrap(), TOL, &what("order-p se right"));
        close(c.t, r["test_p"]["t_jk"].as_f64().unwrap(), TOL, &what("order-p t"));
        close(c.p_value, r["test_p"]["p_jk"].as_f64().unwrap(), TOL, &what("order-p p-value"));
    }
}

/// Compares a bandwidth selection with an rdbwdensity result block.
fn check_rdbwdensity(case: &str, m: &DensityTest, df: &DataFrame, r: &Value) {
    let b = m.select_bandwidths(df).unwrap();
    for (row, key) in [(&b.left, "l"), (&b.right, "r"), (&b.diff, "diff"), (&b.sum, "sum")] {
        let want = &r["h"][key];
        close(row.bw, want["bw"].as_f64().unwrap(), TOL, &format!("{case}: bandwidth {key}"));
        close(row.variance, want["variance"].as_f64().unwrap(), TOL, &format!("{case}: variance {key}"));
        close(row.bias_sq, want["biassq"].as_f64().unwrap(), TOL, &format!("{case}: squared bias {key}"));
    }
}

#[test]
fn rddensity_reference_cases() {
    let reference = json("rd_reference.json");
    let cases = reference["rddensity"].as_object().unwrap();
    assert_eq!(cases.len(), 6);
    for (name, case) in cases {
        let df = data(case["data"].as_str().unwrap(), &Value::Null);
        let fit = model(&case["args"]).fit(&df).unwrap();
        check_rddensity(name, &fit, &case["result"]);
    }
}

#[test]
fn rdbwdensity_reference_cases() {
    let reference = json("rd_reference.json");
    let cases = reference["rdbwdensity"].as_object().unwrap();
    assert_eq!(cases.len(), 3);
    for (name, case) in cases {
        let df = data(case["data"].as_str().unwrap(), &Value::Null);
        check_rdbwdensity(name, &model(&case["args"]), &df, &case["result"]);
    }
}

#[test]
fn density_reference_cases() {
    let reference = json("rd_density_reference.json");
    let embedded = &reference["embedded_data"];
    let cases = reference["cases"].as_object().unwrap();
    assert_eq!(cases.len(), 27);
    // Every case is checked (a failure is reported with all the others, not at the first one).
    let mut failures = Vec::new();
    for (name, case) in cases {
        let df = data(case["data"].as_str().unwrap(), embedded);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if !case["rddensity"].is_null() {
                let fit = model(&case["args_rddensity"]).fit(&df).unwrap_or_else(|e| panic!("{name}: {e}"));
                check_rddensity(name, &fit, &case["rddensity"]);
            }
            if !case["rdbwdensity"].is_null() {
                check_rdbwdensity(name, &model(&case["args_rdbwdensity"]), &df, &case["rdbwdensity"]);
            }
        }));
        if outcome.is_err() {
            failures.push(name.clone());
        }
    }
    assert!(failures.is_empty(), "cases that differ from rddensity: {failures:?}");
}

#[test]
fn selection_is_reported_and_comb_is_the_median() {
    let df = data("senate", &Value::Null);
    let fit = DensityTest::new("x").fit(&df).unwrap();
    let b = fit.bandwidth_selection().unwrap();
    let median = |a: f64, b: f64, c: f64| {
        let mut v = [a, b, c];
        v.sort_by(f64::total_cmp);
        v[1]
    };
    assert_eq!(fit.bandwidths(), (median(b.left.bw, b.diff.bw, b.sum.bw), median(b.right.bw, b.diff.bw, b.sum.bw)));
    assert_eq!(b.selected, fit.bandwidths());
    // The difference's and the sum's variances are the sum of the sides' (independent fits).
    assert!((b.diff.variance - b.left.variance - b.right.variance).abs() < 1e-12 * b.diff.variance);
    // Given bandwidths: no selection.
    assert!(DensityTest::new("x").bandwidth(20.0).fit(&df).unwrap().bandwidth_selection().is_none());
    // Restricted: one bandwidth, the smaller of diff and sum.
    let fit = DensityTest::new("x").restricted(true).fit(&df).unwrap();
    let b = fit.bandwidth_selection().unwrap();
    assert_eq!(fit.bandwidths(), (b.diff.bw.min(b.sum.bw), b.diff.bw.min(b.sum.bw)));
}

#[test]
fn tidy_rows_carry_the_test() {
    let df = data("senate", &Value::Null);
    let fit = DensityTest::new("x").bandwidth(20.0).fit(&df).unwrap();
    let tidy = fit.tidy();
    let d = tidy.row("difference").unwrap();
    assert!((d.estimate - fit.difference()).abs() < 1e-15);
    assert!((d.statistic - fit.t()).abs() < 1e-12 && (d.p_value - fit.p_value()).abs() < 1e-12);
    assert!(tidy.row("f_left").is_some() && tidy.row("f_right").is_some());
    let g = fit.glance();
    assert!(g.get("h_left").is_some() && g.get("n_eff_right").is_some() && g.get("statistic").is_some());
    assert_eq!(fit.design(), "rd-density");
    assert!(fit.call().contains("cut-off 0"));
}

/// SIMULATED: `n` evenly spread points with density proportional to `left` on [-1, 0) and `right`
/// on [0, 1] (quantiles of that distribution; `shift` moves them all).
fn grid(n: usize, left: f64, right: f64, shift: f64) -> DataFrame {
    let total = left + right;
    let x: Vec<f64> = (0..n)
        .map(|i| {
            let u = (i as f64 + 0.5) / n as f64;
            let x = if u < left / total { -1.0 + u * total / left } else { (u - left / total) * total / right };
            x + shift
        })
        .collect();
    df!("x" => x).unwrap()
}

#[test]
fn continuous_density_gives_a_small_statistic() {
    // SIMULATED: uniform spacing on [-1, 1]: density 0.5 on both sides.
    let df = grid(2000, 1.0, 1.0, 0.0);
    for restricted in [false, true] {
        let fit = DensityTest::new("x").restricted(restricted).fit(&df).unwrap();
        assert!(fit.t().abs() < 0.5, "restricted {restricted}: t = {}", fit.t());
        assert!(fit.p_value() > 0.6);
        for f in [fit.f_left(), fit.f_right(), fit.conventional().f_left, fit.conventional().f_right] {
            assert!(f > 0.0 && (f - 0.5).abs() < 0.05, "restricted {restricted}: f = {f}");
        }
        assert!(fit.se_left() > 0.0 && fit.se_right() > 0.0 && fit.se_difference() > 0.0);
    }
    // The example of `DensityTest`'s documentation (not run as a doctest here).
    let x: Vec<f64> = (0..800).map(|i| -1.0 + (i as f64 + 0.5) / 400.0).collect();
    let fit = DensityTest::new("score").bandwidth(0.5).fit(&df!("score" => x).unwrap()).unwrap();
    assert!((fit.f_left() - 0.5).abs() < 0.01 && (fit.f_right() - 0.5).abs() < 0.01);
    assert!(fit.p_value() > 0.5);
    // SIMULATED random uniform draws (rd_simulated.csv): positive estimates, no evidence of a jump.
    let fit = DensityTest::new("x").fit(&data("sim_x", &Value::Null)).unwrap();
    assert!(fit.f_left() > 0.0 && fit.f_right() > 0.0 && fit.p_value() > 0.05);
}

#[test]
fn a_jump_in_the_density_is_detected() {
    // SIMULATED: twice as many units just right of the cut-off (density 2/3 vs 1/3).
    let df = grid(4000, 1.0, 2.0, 0.0);
    let fit = DensityTest::new("x").fit(&df).unwrap();
    assert!((fit.f_left() - 1.0 / 3.0).abs() < 0.03 && (fit.f_right() - 2.0 / 3.0).abs() < 0.03);
    assert!(fit.t() > 4.0 && fit.p_value() < 1e-4, "t = {}", fit.t());
    let fit = DensityTest::new("x").restricted(true).fit(&df).unwrap();
    assert!(fit.difference() > 0.2 && fit.p_value() < 1e-4);
}

#[test]
fn scaling_and_shifting_the_running_variable() {
    let base_df = data("senate", &Value::Null);
    let x: Vec<f64> = base_df.column("x").unwrap().f64().unwrap().into_no_null_iter().collect();
    let a = 2.5;
    let d = 7.0;
    let scaled = df!("x" => x.iter().map(|v| v * a).collect::<Vec<f64>>()).unwrap();
    let shifted = df!("x" => x.iter().map(|v| v + d).collect::<Vec<f64>>()).unwrap();
    for restricted in [false, true] {
        let base = DensityTest::new("x").restricted(restricted).fit(&base_df).unwrap();
        // Scaling x by a scales the bandwidths by a and the densities (and SEs) by 1/a; the test is
        // unchanged. The selection scales too (the rule of thumb and the fits are equivariant).
        let s = DensityTest::new("x").restricted(restricted).fit(&scaled).unwrap();
        close(s.bandwidths().0, a * base.bandwidths().0, 1e-9, "scaled h left");
        close(s.bandwidths().1, a * base.bandwidths().1, 1e-9, "scaled h right");
        close(s.f_left(), base.f_left() / a, 1e-9, "scaled f left");
        close(s.f_right(), base.f_right() / a, 1e-9, "scaled f right");
        close(s.se_difference(), base.se_difference() / a, 1e-9, "scaled se");
        close(s.t(), base.t(), 1e-8, "scaled t");
        // Shifting x and the cut-off together changes nothing.
        let t = DensityTest::new("x").restricted(restricted).cutoff(d).fit(&shifted).unwrap();
        close(t.bandwidths().0, base.bandwidths().0, 1e-9, "shifted h");
        close(t.f_left(), base.f_left(), 1e-8, "shifted f left");
        close(t.t(), base.t(), 1e-7, "shifted t");
    }
}

#[test]
fn orders_and_variances() {
    let df = data("senate", &Value::Null);
    // q = p: the test's estimate is the conventional one.
    let fit = DensityTest::new("x").bandwidth(20.0).bias_order(2).fit(&df).unwrap();
    assert_eq!(fit.robust(), fit.conventional());
    assert_eq!(fit.orders(), (2, 2));
    // Point estimates do not depend on the variance estimator.
    let jk = DensityTest::new("x").bandwidth(20.0).fit(&df).unwrap();
    let pl = DensityTest::new("x").bandwidth(20.0).vce(DensityVce::Plugin).fit(&df).unwrap();
    assert_eq!((jk.f_left(), jk.f_right()), (pl.f_left(), pl.f_right()));
    assert!(jk.se_left() != pl.se_left());
    // Plug-in: f·v/(n h) with v = (S⁻¹ΓS⁻¹)₁₁ of the order-3 triangular fit, 14.0259… (independent
    // check of the constant by the ratio of two bandwidths: se² · n h / f is the same).
    let pl2 = DensityTest::new("x").bandwidth(10.0).vce(DensityVce::Plugin).fit(&df).unwrap();
    let n = 1390.0;
    let v1 = pl.se_left().powi(2) * n * 20.0 / pl.f_left();
    let v2 = pl2.se_left().powi(2) * n * 10.0 / pl2.f_left();
    assert!((v1 - v2).abs() < 1e-10 * v1 && (v1 - 14.025974).abs() < 1e-4, "{v1} {v2}");
}

#[test]
fn every_order_gives_finite_results() {
    // SIMULATED: a standard normal's quantiles, cut-off at 0.3.
    let x: Vec<f64> = (0..3000).map(|i| normal_quantile((i as f64 + 0.5) / 3000.0)).collect();
    let df = df!("x" => x).unwrap();
    for p in 1..=5 {
        for restricted in [false, true] {
            let fit = DensityTest::new("x").cutoff(0.3).order(p).restricted(restricted).fit(&df).unwrap();
            let b = fit.bandwidth_selection().unwrap();
            assert!(b.pilot_variance.is_finite() && b.pilot_bias.is_finite(), "p = {p}");
            assert!(fit.bandwidths().0 > 0.0 && fit.bandwidths().1 > 0.0, "p = {p}");
            // The density of N(0, 1) at 0.3 is 0.3814; no jump.
            for f in [fit.f_left(), fit.f_right()] {
                assert!((f - 0.3814).abs() < 0.03, "p = {p}, restricted {restricted}: f = {f}");
            }
            assert!(fit.p_value() > 0.3 && fit.se_difference() > 0.0, "p = {p}, restricted {restricted}");
        }
    }
}

/// The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9, ample
/// for generating test data).
fn normal_quantile(p: f64) -> f64 {
    let a = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    let b =
        [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    let c = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    let d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let tail = |q: f64| {
        (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0)
    }
}

#[test]
fn mass_points_are_noted() {
    let df = data("sim_x2", &Value::Null);
    let fit = DensityTest::new("x").bandwidth(0.3).fit(&df).unwrap();
    assert!(fit.diagnostics().iter().any(|d| d.code == "mass_points"));
    let fit = DensityTest::new("x").bandwidth(0.3).fit(&data("sim_x", &Value::Null)).unwrap();
    assert!(fit.diagnostics().iter().all(|d| d.code != "mass_points"));
}

#[test]
fn missing_values_are_dropped_with_a_diagnostic() {
    let mut x: Vec<Option<f64>> = (0..400).map(|i| Some(-1.0 + (i as f64 + 0.5) / 200.0)).collect();
    x[3] = None;
    x[250] = None;
    let df = df!("x" => x).unwrap();
    let fit = DensityTest::new("x").bandwidth(0.5).fit(&df).unwrap();
    assert_eq!(fit.n().0 + fit.n().1, 398);
    assert!(!fit.diagnostics().is_empty());
}

#[test]
fn bad_inputs_are_refused_with_clear_errors() {
    let df = grid(400, 1.0, 1.0, 0.0);
    let kind = |m: DensityTest, df: &DataFrame| m.fit(df).unwrap_err();
    // Cut-off outside the range: no observation on one side.
    for c in [-1.5, 1.5, -0.99875] {
        let e = kind(DensityTest::new("x").cutoff(c), &df);
        assert_eq!(e.kind(), ErrorKind::Design, "cut-off {c}: {e}");
        assert!(e.to_string().contains("outside the range of `x`"), "{e}");
    }
    let e = kind(DensityTest::new("x").cutoff(f64::NAN), &df);
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    // Missing column (with a suggestion), non-numeric column.
    let e = kind(DensityTest::new("xx"), &df);
    assert_eq!(e.kind(), ErrorKind::ColumnNotFound);
    let text = df!("x" => ["a", "b"]).unwrap();
    assert!(DensityTest::new("x").fit(&text).is_err());
    // Too few distinct values within the bandwidth / on a side.
    let e = kind(DensityTest::new("x").bandwidth(0.004), &df);
    assert_eq!(e.kind(), ErrorKind::Design);
    assert!(e.to_string().contains("distinct value") && e.to_string().contains("left side"), "{e}");
    let few = df!("x" => [-0.5, -0.5, -0.2, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]).unwrap();
    let e = kind(DensityTest::new("x"), &few);
    assert_eq!(e.kind(), ErrorKind::Design);
    assert!(e.to_string().contains("only 2 distinct values of `x` on the left side"), "{e}");
    assert!(e.to_string().contains("bandwidths"), "the hint names the way out: {e}");
    // Orders, bandwidths, the restricted model's single bandwidth.
    assert_eq!(kind(DensityTest::new("x").order(0), &df).kind(), ErrorKind::InvalidArgument);
    assert_eq!(kind(DensityTest::new("x").order(6), &df).kind(), ErrorKind::InvalidArgument);
    assert_eq!(kind(DensityTest::new("x").bias_order(7), &df).kind(), ErrorKind::InvalidArgument);
    assert_eq!(kind(DensityTest::new("x").order(3).bias_order(2), &df).kind(), ErrorKind::InvalidArgument);
    assert_eq!(kind(DensityTest::new("x").bandwidth(-1.0), &df).kind(), ErrorKind::InvalidArgument);
    assert_eq!(kind(DensityTest::new("x").bandwidths(0.5, f64::INFINITY), &df).kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        kind(DensityTest::new("x").restricted(true).bandwidths(0.4, 0.5), &df).kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        kind(DensityTest::new("x").restricted(true).bwselect(DensityBwSelect::Each), &df).kind(),
        ErrorKind::InvalidArgument
    );
    // Infinite values.
    let inf = df!("x" => [-1.0, -0.5, f64::INFINITY, 0.5]).unwrap();
    assert_eq!(kind(DensityTest::new("x").bandwidth(1.0), &inf).kind(), ErrorKind::InvalidValue);
    // Unknown option names.
    assert!("bootstrap".parse::<DensityVce>().is_err() && "median".parse::<DensityBwSelect>().is_err());
}
