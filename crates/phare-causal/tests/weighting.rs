//! Weighting estimators against statsmodels 0.15 (`TreatmentEffect`, BSD; closed-form points and
//! the script's exact M-estimation sandwich) and drdid 1.1.7 (MIT) on the Dehejia–Wahba NSW
//! samples and on SIMULATED data; values in `reference/weighting_reference.json`, produced by
//! `reference/weighting_generate.py`. Also: identities, bad inputs, the experimental benchmark.

use phare_causal::weighting::{Estimand, Weighting, WeightingEstimator, balance};
use phare_core::Estimates;
use phare_data::polars::prelude::*;
use serde_json::Value;
use std::path::Path;

fn reference() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/weighting_reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn read(path: &str) -> DataFrame {
    phare_data::read(Path::new(path), &phare_data::ReadOptions::default()).unwrap().0
}

/// The script's samples: `nsw_exp` (the experiment) or `cps` (NSW treated + CPS comparison), with
/// the Dehejia–Wahba derived columns.
fn sample(which: &str) -> DataFrame {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../datasets/");
    let nsw = read(&format!("{root}nsw_dw.csv")).drop("data_id").unwrap();
    let df = if which == "nsw_exp" {
        nsw
    } else {
        let treated = nsw.lazy().filter(col("treat").eq(lit(1))).collect().unwrap();
        let cps = read(&format!("{root}cps_controls.csv")).drop("data_id").unwrap();
        let names: Vec<String> = treated.get_column_names().iter().map(|c| c.to_string()).collect();
        let cps = cps
            .lazy()
            .select(
                names
                    .iter()
                    .map(|c| col(c.as_str()).cast(treated.column(c).unwrap().dtype().clone()))
                    .collect::<Vec<_>>(),
            )
            .collect()
            .unwrap();
        treated.vstack(&cps).unwrap()
    };
    df.lazy()
        .with_columns([
            (col("age").cast(DataType::Float64) * col("age").cast(DataType::Float64)).alias("age2"),
            (col("educ").cast(DataType::Float64) * col("educ").cast(DataType::Float64)).alias("educ2"),
            (col("re74") * col("re74")).alias("re74sq"),
            (col("re75") * col("re75")).alias("re75sq"),
            col("re74").eq(lit(0.0)).cast(DataType::Float64).alias("u74"),
            col("re75").eq(lit(0.0)).cast(DataType::Float64).alias("u75"),
        ])
        .collect()
        .unwrap()
}

const DW: [&str; 14] = [
    "age", "age2", "educ", "educ2", "black", "hisp", "marr", "nodegree", "re74", "re75", "re74sq", "re75sq", "u74",
    "u75",
];
const SIMPLE: [&str; 8] = ["age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75"];

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-12)
}

#[test]
fn estimators_match_statsmodels_on_the_nsw_samples() {
    let r = reference();
    let mut checked = 0;
    for sample_name in ["nsw_exp", "cps"] {
        let df = sample(sample_name);
        for (spec, covs) in [("dw", &DW[..]), ("simple", &SIMPLE[..])] {
            let te = &r["treatment_effects"][sample_name][spec];
            for (key, est, estimand) in [
                ("ipw_ate", WeightingEstimator::Ipw, Estimand::Ate),
                ("ipw_att", WeightingEstimator::Ipw, Estimand::Att),
                ("ra_ate", WeightingEstimator::Ra, Estimand::Ate),
                ("ra_att", WeightingEstimator::Ra, Estimand::Att),
                ("aipw_ate", WeightingEstimator::Aipw, Estimand::Ate),
            ] {
                let fit = Weighting::new("re78", "treat", covs)
                    .outcome_covariates(&SIMPLE)
                    .estimator(est)
                    .estimand(estimand)
                    .fit(&df)
                    .unwrap();
                let cf = &te[key]["closed_form"];
                let what = format!("{sample_name} {spec} {key}");
                let (pom0, pom1) = fit.potential_outcome_means();
                assert!(
                    close(fit.estimate(), cf["effect"].as_f64().unwrap(), 1e-6),
                    "{what}: {} vs {}",
                    fit.estimate(),
                    cf["effect"]
                );
                assert!(close(pom0, cf["pom0"].as_f64().unwrap(), 1e-6), "{what} pom0");
                assert!(close(pom1, cf["pom1"].as_f64().unwrap(), 1e-6), "{what} pom1");
                let se = te[key]["script_sandwich"]["se_effect"].as_f64().unwrap();
                assert!(close(fit.std_error(), se, 1e-6), "{what} se: {} vs {se}", fit.std_error());
                // statsmodels' own GMM standard error (numerical derivatives) where it converged: the
                // experimental sample (on CPS its clipped moments do not converge, see the JSON).
                if sample_name == "nsw_exp" {
                    let gmm = te[key]["gmm"]["sd"][0].as_f64().unwrap();
                    assert!(close(fit.std_error(), gmm, 1e-3), "{what} gmm se: {} vs {gmm}", fit.std_error());
                }
                assert_eq!(fit.tidy().rows[0].term, estimand.term());
                checked += 1;
            }
            // AIPW for the ATT: Sant'Anna and Zhao's doubly robust estimator, as drdid computes it
            // with the same covariates in both models.
            let dr = &te["drdid_att"];
            let fit = Weighting::new("re78", "treat", covs)
                .estimator(WeightingEstimator::Aipw)
                .estimand(Estimand::Att)
                .fit(&df)
                .unwrap();
            let (att, se) = (dr["drdid_panel"]["att"].as_f64().unwrap(), dr["drdid_panel"]["se_if"].as_f64().unwrap());
            assert!(close(fit.estimate(), att, 1e-6), "{sample_name} {spec} dr att: {} vs {att}", fit.estimate());
            assert!(close(fit.std_error(), se, 1e-6), "{sample_name} {spec} dr se: {} vs {se}", fit.std_error());
            checked += 1;
        }
    }
    assert_eq!(checked, 24);
}

#[test]
fn propensity_model_and_balance_match_the_reference() {
    let r = reference();
    let df = sample("cps");
    let fit = Weighting::new("re78", "treat", &DW)
        .estimator(WeightingEstimator::Ipw)
        .estimand(Estimand::Att)
        .fit(&df)
        .unwrap();
    let params = &r["propensity"]["cps"]["dw"]["params"];
    for (name, v) in fit.propensity_coefficients() {
        let key = if name == "(Intercept)" { "const" } else { name.as_str() };
        assert!(close(*v, params[key].as_f64().unwrap(), 1e-6), "{name}: {v} vs {}", params[key]);
    }
    let b = &r["balance"]["cps"]["dw"];
    let (ess1, ess0) = fit.effective_sample_size();
    assert!(close(ess1, b["ipw_att"]["ess_treated"].as_f64().unwrap(), 1e-9));
    assert!(close(ess0, b["ipw_att"]["ess_control"].as_f64().unwrap(), 1e-6), "{ess0}");
    let mut compared = 0;
    for row in fit.balance() {
        // The reference reports the covariates in their original form (not the squares).
        if b["unweighted"]["covariates"][&row.covariate].is_null() {
            continue;
        }
        compared += 1;
        let before = &b["unweighted"]["covariates"][&row.covariate];
        let after = &b["ipw_att"]["covariates"][&row.covariate];
        assert!(close(row.smd_before, before["smd_pooled"].as_f64().unwrap(), 1e-6), "{} smd before", row.covariate);
        assert!(
            close(row.smd_after, after["smd_pooled"].as_f64().unwrap(), 1e-6),
            "{} smd after: {} vs {}",
            row.covariate,
            row.smd_after,
            after["smd_pooled"]
        );
        assert!(
            close(row.variance_ratio_after, after["variance_ratio"].as_f64().unwrap(), 1e-6),
            "{} vr",
            row.covariate
        );
    }
    assert!(compared >= 8, "{compared}");
    // The free function on the frame, with the fit's weights mapped back to rows, agrees.
    let mut w = vec![0.0; df.height()];
    for (&row, &wt) in fit.rows().iter().zip(fit.weights()) {
        w[row] = wt;
    }
    let free = balance(&df, "treat", &["age", "re75"], Some(&w)).unwrap();
    assert!(close(free[0].smd_after, fit.balance()[0].smd_after, 1e-12));
}

#[test]
fn experimental_benchmark_and_the_observational_gap() {
    let r = reference();
    // In the experiment, with no covariate adjustment worth the name, every estimator is close to
    // the difference in means, $1,794.
    let exp = sample("nsw_exp");
    let bench = r["experimental_benchmark"]["diff_in_means"].as_f64().unwrap();
    assert!((bench - 1794.34).abs() < 0.01);
    for est in [WeightingEstimator::Ipw, WeightingEstimator::Ra, WeightingEstimator::Aipw] {
        let fit = Weighting::new("re78", "treat", &DW).estimator(est).estimand(Estimand::Att).fit(&exp).unwrap();
        assert!((fit.estimate() - bench).abs() < 1.0 * fit.std_error(), "{est:?}: {}", fit.estimate());
    }
    // Against the CPS comparison group the raw difference is badly negative; the ATT estimators
    // recover a positive effect of the order of the benchmark.
    let cps = sample("cps");
    let fit = Weighting::new("re78", "treat", &DW)
        .estimator(WeightingEstimator::Aipw)
        .estimand(Estimand::Att)
        .fit(&cps)
        .unwrap();
    assert!(fit.estimate() > 0.0 && (fit.estimate() - bench).abs() < 2.0 * fit.std_error());
    assert!(fit.diagnostics().iter().any(|d| d.code == "extreme_propensity"));
}

#[test]
fn simulated_design_matches_statsmodels() {
    let r = reference();
    let df = read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/weighting_simulated.csv"));
    let te = &r["simulated"]["treatment_effects"]["ps_x1_x5"];
    let covs = ["x1", "x2", "x3", "x4", "x5"];
    for (key, est, estimand) in [
        ("ipw_ate", WeightingEstimator::Ipw, Estimand::Ate),
        ("ipw_att", WeightingEstimator::Ipw, Estimand::Att),
        ("ra_ate", WeightingEstimator::Ra, Estimand::Ate),
        ("ra_att", WeightingEstimator::Ra, Estimand::Att),
        ("aipw_ate", WeightingEstimator::Aipw, Estimand::Ate),
    ] {
        let fit = Weighting::new("y", "treat", &covs).estimator(est).estimand(estimand).fit(&df).unwrap();
        let cf = te[key]["closed_form"]["effect"].as_f64().unwrap();
        assert!(close(fit.estimate(), cf, 1e-6), "{key}");
        // Here statsmodels' GMM converges (no clipping at work): its SE agrees with the exact one.
        let gmm = te[key]["gmm"]["sd"][0].as_f64().unwrap();
        assert!(close(fit.std_error(), gmm, 1e-3), "{key} se {} vs {gmm}", fit.std_error());
    }
}

#[test]
fn identities() {
    // SIMULATED: a randomised treatment (propensity constant) makes IPW the difference in means
    // and RA with a correct model recover the effect exactly.
    let n = 200;
    let x: Vec<f64> = (0..n).map(|i| ((i * 37) % 101) as f64 / 10.0).collect();
    let d: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 2 == 0))).collect();
    let y: Vec<f64> = x.iter().zip(&d).map(|(x, d)| 3.0 + 0.5 * x + 2.0 * d).collect();
    let df = df!("y" => &y, "d" => &d, "x" => &x).unwrap();
    let ra = Weighting::new("y", "d", &["x"]).estimator(WeightingEstimator::Ra).fit(&df).unwrap();
    assert!((ra.estimate() - 2.0).abs() < 1e-9 && ra.std_error() < 1e-9);
    let aipw = Weighting::new("y", "d", &["x"]).fit(&df).unwrap();
    assert!((aipw.estimate() - 2.0).abs() < 1e-9);
    // Shifting the outcome by a constant leaves every effect unchanged; scaling scales it.
    let df2 = df!("y" => y.iter().map(|v| 10.0 * v + 7.0).collect::<Vec<_>>(), "d" => &d, "x" => &x).unwrap();
    for est in [WeightingEstimator::Ipw, WeightingEstimator::Ra, WeightingEstimator::Aipw] {
        for e in [Estimand::Ate, Estimand::Att] {
            let a = Weighting::new("y", "d", &["x"]).estimator(est).estimand(e).fit(&df).unwrap();
            let b = Weighting::new("y", "d", &["x"]).estimator(est).estimand(e).fit(&df2).unwrap();
            assert!((b.estimate() - 10.0 * a.estimate()).abs() < 1e-8 * b.estimate().abs().max(1.0));
            assert!((b.std_error() - 10.0 * a.std_error()).abs() < 1e-8 * b.std_error() + 1e-10);
        }
    }
    // Rescaling a covariate changes neither the scores nor the estimates.
    let df3 = df!("y" => &y, "d" => &d, "x" => x.iter().map(|v| 1000.0 * v).collect::<Vec<_>>()).unwrap();
    let a = Weighting::new("y", "d", &["x"]).estimator(WeightingEstimator::Ipw).fit(&df).unwrap();
    let b = Weighting::new("y", "d", &["x"]).estimator(WeightingEstimator::Ipw).fit(&df3).unwrap();
    assert!((a.estimate() - b.estimate()).abs() < 1e-9 && (a.std_error() - b.std_error()).abs() < 1e-9);
    // Trimming drops units outside the bounds and reports them.
    let t = Weighting::new("y", "d", &["x"]).trim(0.49, 0.51).fit(&df).unwrap();
    assert!(t.propensity_scores().iter().all(|p| (0.49..=0.51).contains(p)));
}

#[test]
fn bad_inputs_get_clear_errors() {
    let x: Vec<f64> = (0..40).map(|i| i as f64).collect();
    let d: Vec<f64> = (0..40).map(|i| f64::from(u8::from(i % 3 == 0))).collect();
    let y: Vec<f64> = x.iter().map(|v| v * 0.1).collect();
    let sep: Vec<f64> = (0..40).map(|i| f64::from(u8::from(i >= 20))).collect();
    let three: Vec<f64> = (0..40).map(|i| (i % 3) as f64).collect();
    let df = df!("y" => &y, "d" => &d, "x" => &x, "c" => vec![1.0; 40], "sep" => &sep, "three" => &three, "none" => vec![0.0; 40]).unwrap();
    let err = |w: Weighting| w.fit(&df).unwrap_err().to_string();
    let e = err(Weighting::new("y", "three", &["x"]));
    assert!(e.contains("three") && e.contains("0 or 1"), "{e}");
    let e = err(Weighting::new("y", "d", &["c"]));
    assert!(e.contains("`c` does not vary"), "{e}");
    let e = err(Weighting::new("y", "sep", &["x"]));
    assert!(e.contains("separates"), "{e}");
    let e = err(Weighting::new("y", "none", &["x"]));
    assert!(e.contains("no treated"), "{e}");
    let e = err(Weighting::new("y", "d", &["nosuch"]));
    assert!(e.contains("nosuch"), "{e}");
    let e = err(Weighting::new("y", "d", &["x"]).trim(0.9, 0.1));
    assert!(e.contains("0 ≤ lo < hi ≤ 1"), "{e}");
    let e = err(Weighting::new("y", "d", &["x"]).trim(0.6, 0.9));
    assert!(e.contains("left after trimming"), "{e}");
    assert!("match2".parse::<WeightingEstimator>().unwrap_err().to_string().contains("aipw"));
    assert!("atc".parse::<Estimand>().unwrap_err().to_string().contains("att"));
}

#[test]
fn ridge_penalised_scores_match_scikit_learn_and_given_scores_are_used_as_is() {
    // scikit-learn 1.9.1 LogisticRegression(C = 1/λ) on standardised covariates:
    // reference/weighting_ridge_generate.py → weighting_ridge_reference.json.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/weighting_ridge_reference.json");
    let r: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let df = sample("nsw_exp");
    for (_, case) in r["cases"].as_object().unwrap() {
        let lambda = case["lambda"].as_f64().unwrap();
        for (key, estimand) in [("ipw_ate", Estimand::Ate), ("ipw_att", Estimand::Att)] {
            let fit = Weighting::new("re78", "treat", &SIMPLE)
                .estimator(WeightingEstimator::Ipw)
                .estimand(estimand)
                .penalty(lambda)
                .fit(&df)
                .unwrap();
            let want = case[key].as_f64().unwrap();
            assert!(close(fit.estimate(), want, 1e-6), "λ = {lambda} {key}: {} vs {want}", fit.estimate());
            for (a, b) in fit.propensity_scores().iter().zip(case["pscore_first5"].as_array().unwrap()) {
                assert!(close(*a, b.as_f64().unwrap(), 1e-6), "λ = {lambda} score");
            }
        }
    }
    // A larger penalty shrinks the scores towards the treated share.
    let spread = |lambda: f64| {
        let f = Weighting::new("re78", "treat", &SIMPLE)
            .estimator(WeightingEstimator::Ipw)
            .penalty(lambda)
            .fit(&df)
            .unwrap();
        let p = f.propensity_scores();
        p.iter().copied().fold(f64::NEG_INFINITY, f64::max) - p.iter().copied().fold(f64::INFINITY, f64::min)
    };
    assert!(spread(50.0) < spread(0.5));
    // Scores given in a column are used as they are: the logit's own scores, given back, give the
    // same estimate (and a standard error without the estimation term).
    let fit = Weighting::new("re78", "treat", &SIMPLE)
        .estimator(WeightingEstimator::Ipw)
        .estimand(Estimand::Att)
        .fit(&df)
        .unwrap();
    let mut given = df.clone();
    given.with_column(Column::new("ps".into(), fit.propensity_scores())).unwrap();
    let again = Weighting::new("re78", "treat", &SIMPLE)
        .estimator(WeightingEstimator::Ipw)
        .estimand(Estimand::Att)
        .propensity_column("ps")
        .fit(&given)
        .unwrap();
    assert!(close(again.estimate(), fit.estimate(), 1e-12));
    assert!(again.std_error() > 0.0 && again.std_error() != fit.std_error());
    let mut bad = df.clone();
    bad.with_column(Column::new("ps".into(), vec![1.0; df.height()])).unwrap();
    let e = Weighting::new("re78", "treat", &SIMPLE).propensity_column("ps").fit(&bad).unwrap_err().to_string();
    assert!(e.contains("strictly between 0 and 1"), "{e}");
    let e = Weighting::new("re78", "treat", &SIMPLE).penalty(-1.0).fit(&df).unwrap_err().to_string();
    assert!(e.contains("non-negative"), "{e}");
}

#[test]
fn entropy_balancing_matches_empirical_calibration() {
    // empirical_calibration 0.12 (Apache-2.0), Objective.ENTROPY:
    // reference/weighting_ebal_generate.py → weighting_ebal_reference.json.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/weighting_ebal_reference.json");
    let r: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for name in ["nsw_exp", "cps"] {
        let df = sample(name);
        let case = &r["cases"][name];
        let fit = Weighting::new("re78", "treat", &SIMPLE)
            .estimator(WeightingEstimator::Entropy)
            .estimand(Estimand::Att)
            .fit(&df)
            .unwrap();
        let want = case["att"].as_f64().unwrap();
        assert!(close(fit.estimate(), want, 1e-6), "{name}: {} vs {want}", fit.estimate());
        // Exact balance on the means: every standardised difference is zero after weighting.
        for b in fit.balance() {
            assert!(b.smd_after.abs() < 1e-9, "{name} {}: {}", b.covariate, b.smd_after);
        }
        let ess = fit.effective_sample_size().1;
        assert!(close(ess, case["ess_control"].as_f64().unwrap(), 1e-5), "{name} ess {ess}");
        assert!(fit.std_error() > 0.0 && fit.std_error().is_finite());
    }
    // Only the ATT, and a treated mean the comparison units cannot reach is a clear error.
    let df = sample("nsw_exp");
    let e = Weighting::new("re78", "treat", &SIMPLE)
        .estimator(WeightingEstimator::Entropy)
        .fit(&df)
        .unwrap_err()
        .to_string();
    assert!(e.contains("ATT"), "{e}");
    // Treated units at x = 30…39, comparison units at 0…19 plus one at 25: no weighting of the
    // comparison units reaches the treated mean of 34.5.
    let x: Vec<f64> = (0..40)
        .map(|i| {
            if i < 20 {
                i as f64
            } else if i < 30 {
                25.0
            } else {
                i as f64
            }
        })
        .collect();
    let d: Vec<f64> = (0..40).map(|i| f64::from(u8::from(i >= 30))).collect();
    let out_of_reach = df!("y" => x.clone(), "d" => d, "x" => x).unwrap();
    let e = Weighting::new("y", "d", &["x"])
        .estimator(WeightingEstimator::Entropy)
        .estimand(Estimand::Att)
        .fit(&out_of_reach)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no comparison weights balance"), "{e}");
}

#[test]
fn the_linfa_logistic_model_gives_the_same_scores() {
    // phare_models::linfa_traits::LogisticRegression behind linfa's Fit/Predict: fitted on the
    // covariates as a linfa Dataset, its scores equal Weighting's own, and given back through
    // propensity_column they give the same estimate (any linfa learner's scores go the same way).
    use linfa::prelude::*;
    let df = sample("nsw_exp");
    let cols: Vec<Vec<f64>> = SIMPLE
        .iter()
        .map(|c| df.column(c).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().into_no_null_iter().collect())
        .collect();
    let n = df.height();
    let x = ndarray::Array2::from_shape_fn((n, SIMPLE.len()), |(i, j)| cols[j][i]);
    let t: ndarray::Array1<bool> = df
        .column("treat")
        .unwrap()
        .cast(&DataType::Float64)
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .map(|v| v == 1.0)
        .collect();
    let fit = phare_models::linfa_traits::LogisticRegression::new().fit(&Dataset::new(x.clone(), t)).unwrap();
    let p = fit.predict(&x);
    let w = Weighting::new("re78", "treat", &SIMPLE)
        .estimator(WeightingEstimator::Ipw)
        .estimand(Estimand::Att)
        .fit(&df)
        .unwrap();
    for (a, b) in p.iter().zip(w.propensity_scores()) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }
    let mut given = df.clone();
    given.with_column(Column::new("ps_linfa".into(), p.to_vec())).unwrap();
    let again = Weighting::new("re78", "treat", &SIMPLE)
        .estimator(WeightingEstimator::Ipw)
        .estimand(Estimand::Att)
        .propensity_column("ps_linfa")
        .fit(&given)
        .unwrap();
    assert!(close(again.estimate(), w.estimate(), 1e-9));
}
