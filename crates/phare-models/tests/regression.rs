//! The regression engine against pyfixest 0.60.0 and statsmodels 0.15.0 (values and the script that
//! produced them in `reference/`), identities on random data, and bad input.

use phare_core::{ErrorKind, Estimates, SimRng};
use phare_data::load_dataset;
use phare_data::polars::prelude::*;
use phare_models::{Feols, VcovSpec};

const REFERENCE: &str = include_str!("reference/regression_reference.json");

fn case(id: &str) -> serde_json::Value {
    let all: serde_json::Value = serde_json::from_str(REFERENCE).unwrap();
    all["cases"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no case {id}")).clone()
}

/// Checks every coefficient (relative 1e-8) and standard error (relative 1e-8) of a reference case.
#[track_caller]
fn check(id: &str, fit: &phare_models::FeolsFit) {
    let c = case(id);
    assert_eq!(fit.nobs() as u64, c["nobs"].as_u64().unwrap(), "{id}: nobs");
    let tidy = fit.tidy();
    let coefs = c["coefficients"].as_object().unwrap();
    assert_eq!(tidy.rows.len(), coefs.len(), "{id}: number of terms");
    for (term, want) in coefs {
        let name = if term == "Intercept" || term == "const" { "(Intercept)" } else { term.as_str() };
        let row = tidy.row(name).unwrap_or_else(|| panic!("{id}: no term {name}"));
        let (b, se) = (want.as_f64().unwrap(), c["std_errors"][term].as_f64().unwrap());
        assert!((row.estimate - b).abs() <= 1e-8 * b.abs(), "{id} {term}: {} vs {b}", row.estimate);
        assert!((row.std_error - se).abs() <= 1e-8 * se, "{id} {term}: se {} vs {se}", row.std_error);
    }
    if let Some(r2) = c["r2"].as_f64() {
        let got = match fit.glance().get("r2") {
            Some(phare_core::GlanceValue::Float(x)) => *x,
            other => panic!("{id}: r2 {other:?}"),
        };
        assert!((got - r2).abs() < 1e-10, "{id}: r2 {got} vs {r2}");
    }
    if let Some(wr2) = c["within_r2"].as_f64() {
        match fit.glance().get("within_r2") {
            Some(phare_core::GlanceValue::Float(x)) => assert!((x - wr2).abs() < 1e-10, "{id}: within r2 {x} vs {wr2}"),
            other => panic!("{id}: within_r2 {other:?}"),
        }
    }
    if let Some(df_t) = c["df_t"].as_f64() {
        assert_eq!(fit.reference(), phare_core::Reference::StudentT { df: df_t }, "{id}: t degrees of freedom");
    }
}

#[test]
fn pooled_ols_matches_pyfixest_and_statsmodels() {
    let df = load_dataset("wagepan").unwrap();
    let model = Feols::new("lwage ~ union + married + exper + expersq").unwrap();
    for (id, spec) in [
        ("a_ols_iid", VcovSpec::Iid),
        ("a_ols_HC1", VcovSpec::Hc1),
        ("a_ols_HC2_no_k_adj", VcovSpec::Hc2),
        ("a_ols_HC3_no_k_adj", VcovSpec::Hc3),
        ("a_ols_CRV1_nr", VcovSpec::Crv1(vec!["nr".into()])),
        ("g_ols_statsmodels_HC0", VcovSpec::Hc0),
        ("g_ols_statsmodels_HC2", VcovSpec::Hc2),
        ("g_ols_statsmodels_HC3", VcovSpec::Hc3),
    ] {
        let fit = model.clone().vcov(spec).fit(&df).unwrap();
        check(id, &fit);
    }
}

#[test]
fn two_way_fixed_effects_match_pyfixest() {
    let df = load_dataset("wagepan").unwrap();
    let model = Feols::new("lwage ~ union + married + expersq | nr + year").unwrap();
    // The default covariance clusters on the first fixed effect, as in fixest.
    let default = model.fit(&df).unwrap();
    check("b_twfe_CRV1_nr", &default);
    for (id, spec) in [
        ("b_twfe_iid", VcovSpec::Iid),
        ("b_twfe_HC1", VcovSpec::Hc1),
        ("b_twfe_CRV1_nr_year", VcovSpec::Crv1(vec!["nr".into(), "year".into()])),
        ("b_twfe_CRV3_nr", VcovSpec::Crv3("nr".into())),
    ] {
        // Inference chosen after fitting: the point estimates never change.
        let fit = default.with_vcov(&spec, &df).unwrap();
        check(id, &fit);
        assert_eq!(fit.coefficients()[0].estimate, default.coefficients()[0].estimate);
    }
}

#[test]
fn weighted_two_way_fixed_effects_match_pyfixest() {
    let df = load_dataset("wagepan").unwrap();
    let fit = Feols::new("lwage ~ union + married + expersq | nr + year")
        .unwrap()
        .weights("hours")
        .vcov(VcovSpec::Crv1(vec!["nr".into()]))
        .fit(&df)
        .unwrap();
    check("c_twfe_wls_hours_CRV1_nr", &fit);
}

#[test]
fn mpdta_twfe_matches_pyfixest() {
    let df = load_dataset("mpdta")
        .unwrap()
        .lazy()
        .with_column(
            (col("first_treat").gt(lit(0)).and(col("year").gt_eq(col("first_treat"))))
                .cast(DataType::Float64)
                .alias("treat_post"),
        )
        .collect()
        .unwrap();
    let fit = Feols::new("lemp ~ treat_post | countyreal + year").unwrap().fit(&df).unwrap();
    check("e_mpdta_twfe_CRV1_countyreal", &fit);
}

/// The frame of `cols` plus one 0/1 column `d{level}` for each level `1..levels` of `g` (level 0 is
/// the reference), and the dummies' names.
fn with_dummies(mut cols: Vec<Column>, g: &[i64], levels: i64) -> (DataFrame, Vec<String>) {
    let mut names = Vec::new();
    for level in 1..levels {
        let name = format!("d{level}");
        cols.push(Column::new(name.as_str().into(), g.iter().map(|&v| f64::from(v == level)).collect::<Vec<_>>()));
        names.push(name);
    }
    (DataFrame::new_infer_height(cols).unwrap(), names)
}

/// Identity: absorbing a fixed effect gives the same slopes as including its dummies.
#[test]
fn absorbed_fixed_effects_equal_dummy_regression_on_random_data() {
    let mut rng = SimRng::new(42);
    for _ in 0..5 {
        let n = 300;
        let g: Vec<i64> = (0..n).map(|_| rng.below(7) as i64).collect();
        let x1: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let x2: Vec<f64> = (0..n).map(|i| rng.normal() + g[i] as f64 * 0.3).collect();
        let y: Vec<f64> = (0..n).map(|i| 1.0 + 2.0 * x1[i] - x2[i] + g[i] as f64 + rng.normal()).collect();
        let cols = vec![
            Column::new("y".into(), &y),
            Column::new("x1".into(), &x1),
            Column::new("x2".into(), &x2),
            Column::new("g".into(), &g),
        ];
        let (df, dummies) = with_dummies(cols, &g, 7);
        let absorbed = Feols::new("y ~ x1 + x2 | g").unwrap().vcov(VcovSpec::Iid).fit(&df).unwrap();
        let explicit = Feols::new(&format!("y ~ x1 + x2 + {}", dummies.join(" + ")))
            .unwrap()
            .vcov(VcovSpec::Iid)
            .fit(&df)
            .unwrap();
        for term in ["x1", "x2"] {
            let (a, b) = (absorbed.tidy().row(term).unwrap().clone(), explicit.tidy().row(term).unwrap().clone());
            assert!((a.estimate - b.estimate).abs() < 1e-10, "{term}: {} vs {}", a.estimate, b.estimate);
            // Same residual degrees of freedom (7 group parameters either way), so the same iid SE.
            assert!((a.std_error - b.std_error).abs() < 1e-10, "{term}: se {} vs {}", a.std_error, b.std_error);
        }
    }
}

#[test]
fn collinear_regressors_are_dropped_and_reported() {
    let df =
        df! { "y" => [1.0, 2.0, 3.5, 4.0, 6.0], "x" => [1.0, 2.0, 3.0, 4.0, 5.0], "x2" => [2.0, 4.0, 6.0, 8.0, 10.0] }
            .unwrap();
    let fit = Feols::new("y ~ x + x2").unwrap().fit(&df).unwrap();
    assert_eq!(fit.coefficients().len(), 2);
    let d = fit.diagnostics();
    assert!(d.iter().any(|d| d.code == "collinear_terms_dropped" && d.message.contains("x2")), "{d:?}");
}

#[test]
fn bad_input_is_refused_with_the_culprit_named() {
    let df = load_dataset("wagepan").unwrap();
    let e = Feols::new("lwage ~ unoin").unwrap().fit(&df).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ColumnNotFound);
    assert!(e.to_string().contains("did you mean `union`"), "{e}");
    let e = Feols::new("lwage ~ union | nr").unwrap().vcov(VcovSpec::Hc2).fit(&df).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let e = Feols::new("lwage ~ educ | nr").unwrap().fit(&df).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Design, "educ is constant within nr: {e}");
    assert!(VcovSpec::parse("NW:2").unwrap_err().to_string().contains("expected NW:panel,time[,lag]"));
    assert_eq!(
        VcovSpec::parse("NW:nr,year,2").unwrap(),
        VcovSpec::NeweyWest { panel: "nr".into(), time: "year".into(), lag: Some(2) }
    );
    assert_eq!(VcovSpec::parse("DK:year").unwrap(), VcovSpec::DriscollKraay { time: "year".into(), lag: None });
    assert!(VcovSpec::parse("CRV3:a+b").is_err());
    let e = Feols::new("lwage ~ union").unwrap().weights("black").fit(&df).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue, "zero weights: {e}");
}

/// SIMULATED data for identities: y = 1 + 2·x1 − x2 + α_g + β_t + noise, with unit and period ids.
fn random_panel(rng: &mut SimRng, n: usize) -> DataFrame {
    let g: Vec<i64> = (0..n).map(|_| rng.below(20) as i64).collect();
    let t: Vec<i64> = (0..n).map(|_| rng.below(5) as i64).collect();
    let w: Vec<f64> = (0..n).map(|_| 0.5 + rng.uniform()).collect();
    let x1: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let x2: Vec<f64> = (0..n).map(|i| rng.normal() + 0.2 * g[i] as f64).collect();
    let y: Vec<f64> =
        (0..n).map(|i| 1.0 + 2.0 * x1[i] - x2[i] + 0.1 * g[i] as f64 - 0.3 * t[i] as f64 + rng.normal()).collect();
    let id: Vec<i64> = (0..n as i64).collect();
    df! { "y" => y, "x1" => x1, "x2" => x2, "g" => g, "t" => t, "w" => w, "id" => id }.unwrap()
}

#[test]
fn residuals_are_orthogonal_to_the_regressors_and_sum_to_zero_within_fixed_effects() {
    let mut rng = SimRng::new(9);
    let df = random_panel(&mut rng, 400);
    let fit = Feols::new("y ~ x1 + x2 | g + t").unwrap().weights("w").fit(&df).unwrap();
    let e = fit.residuals();
    let w = df.column("w").unwrap().f64().unwrap().no_null_iter().collect::<Vec<_>>();
    for c in ["x1", "x2"] {
        let x = df.column(c).unwrap().f64().unwrap().no_null_iter().collect::<Vec<_>>();
        let dot: f64 = (0..e.len()).map(|i| w[i] * x[i] * e[i]).sum();
        assert!(dot.abs() < 1e-9, "{c}: Σ w x e = {dot}");
    }
    let g = df.column("g").unwrap().i64().unwrap().no_null_iter().collect::<Vec<_>>();
    for level in 0..20 {
        let s: f64 = (0..e.len()).filter(|&i| g[i] == level).map(|i| w[i] * e[i]).sum();
        assert!(s.abs() < 1e-9, "group {level}: Σ w e = {s}");
    }
}

#[test]
fn results_do_not_depend_on_row_order() {
    let mut rng = SimRng::new(10);
    let df = random_panel(&mut rng, 300);
    let reversed = df.reverse();
    for spec in [VcovSpec::Iid, VcovSpec::Hc1, VcovSpec::Crv1(vec!["g".into(), "t".into()])] {
        let a = Feols::new("y ~ x1 + x2 | g + t").unwrap().vcov(spec.clone()).fit(&df).unwrap();
        let b = Feols::new("y ~ x1 + x2 | g + t").unwrap().vcov(spec).fit(&reversed).unwrap();
        for (ra, rb) in a.tidy().rows.iter().zip(&b.tidy().rows) {
            assert!((ra.estimate - rb.estimate).abs() < 1e-10 && (ra.std_error - rb.std_error).abs() < 1e-10);
        }
    }
}

#[test]
fn one_observation_per_cluster_is_hc1() {
    // G = N clusters: G/(G−1) · (N−1)/(N−K) = N/(N−K), the HC1 factor, and the same meat as HC0.
    let mut rng = SimRng::new(11);
    let df = random_panel(&mut rng, 250);
    let hc1 = Feols::new("y ~ x1 + x2").unwrap().vcov(VcovSpec::Hc1).fit(&df).unwrap();
    let crv = Feols::new("y ~ x1 + x2").unwrap().vcov(VcovSpec::Crv1(vec!["id".into()])).fit(&df).unwrap();
    for (a, b) in hc1.tidy().rows.iter().zip(&crv.tidy().rows) {
        assert!(
            (a.std_error - b.std_error).abs() < 1e-12 * a.std_error,
            "{}: {} vs {}",
            a.term,
            a.std_error,
            b.std_error
        );
    }
}

#[test]
fn missing_values_are_dropped_and_reported() {
    let mut rng = SimRng::new(12);
    let df = random_panel(&mut rng, 200)
        .lazy()
        .with_column(
            when(col("id").lt(lit(5i64))).then(lit(NULL).cast(DataType::Float64)).otherwise(col("x1")).alias("x1"),
        )
        .collect()
        .unwrap();
    let fit = Feols::new("y ~ x1 + x2 | g").unwrap().fit(&df).unwrap();
    assert_eq!(fit.nobs(), 195);
    assert!(fit.diagnostics().iter().any(|d| d.code == "rows_dropped_missing" && d.message.contains("`x1`: 5")));
    let empty = df.clone().lazy().with_column(lit(NULL).cast(DataType::Float64).alias("x2")).collect().unwrap();
    let e = Feols::new("y ~ x1 + x2").unwrap().fit(&empty).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Design, "{e}");
}

#[test]
fn clustering_needs_two_clusters() {
    let mut rng = SimRng::new(13);
    let df = random_panel(&mut rng, 50).lazy().with_column(lit(1i64).alias("one")).collect().unwrap();
    let e = Feols::new("y ~ x1").unwrap().vcov(VcovSpec::Crv1(vec!["one".into()])).fit(&df).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("single cluster"), "{e}");
}

#[test]
fn two_stage_least_squares_matches_pyfixest_and_linearmodels() {
    let mroz = load_dataset("mroz").unwrap();
    let model = Feols::new("lwage ~ exper + expersq | educ ~ motheduc + fatheduc").unwrap();
    for (id, spec, f_stat) in [("d_iv_iid", VcovSpec::Iid, "d_iv_iid"), ("d_iv_HC1", VcovSpec::Hc1, "d_iv_HC1")] {
        let fit = model.clone().vcov(spec).fit(&mroz).unwrap();
        check(id, &fit);
        let want = case(f_stat)["first_stage"]["f_stat"].as_f64().unwrap();
        let (name, got) = &fit.first_stage_f()[0];
        assert_eq!(name, "educ");
        assert!((got - want).abs() <= 1e-8 * want, "{id}: first-stage F {got} vs {want}");
    }
    // linearmodels' unadjusted covariance with the small-sample (debiased) correction is pyfixest's iid.
    let fit = model.clone().vcov(VcovSpec::Iid).fit(&mroz).unwrap();
    let lm = case("d_iv_linearmodels_unadjusted_debiased");
    let se = lm["std_errors"]["educ"].as_f64().unwrap();
    assert!((fit.tidy().row("educ").unwrap().std_error - se).abs() <= 1e-8 * se);
}

/// Published check: Wooldridge, Introductory Econometrics, Example 15.1 (MROZ, working women):
/// the return to education instrumented by father's education is 0.0592 with standard error 0.0351
/// (n = 428).
#[test]
fn wooldridge_example_15_1() {
    let mroz = load_dataset("mroz").unwrap();
    let fit = Feols::new("lwage ~ 1 | educ ~ fatheduc").unwrap().vcov(VcovSpec::Iid).fit(&mroz).unwrap();
    assert_eq!(fit.nobs(), 428);
    let educ = fit.tidy().row("educ").unwrap().clone();
    assert!((educ.estimate - 0.0592).abs() < 5e-5, "{}", educ.estimate);
    assert!((educ.std_error - 0.0351).abs() < 5e-5, "{}", educ.std_error);
}

#[test]
fn two_stage_least_squares_with_fixed_effects_equals_explicit_dummies() {
    // SIMULATED: x is endogenous (shares the error u), z is a valid instrument, g a fixed effect.
    let mut rng = SimRng::new(21);
    let n = 400;
    let g: Vec<i64> = (0..n).map(|_| rng.below(8) as i64).collect();
    let z: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let u: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let x: Vec<f64> = (0..n).map(|i| 0.8 * z[i] + 0.5 * u[i] + 0.2 * g[i] as f64 + rng.normal()).collect();
    let y: Vec<f64> = (0..n).map(|i| 1.5 * x[i] + g[i] as f64 + u[i]).collect();
    let cols = vec![
        Column::new("y".into(), &y),
        Column::new("x".into(), &x),
        Column::new("z".into(), &z),
        Column::new("g".into(), &g),
    ];
    let (df, dummies) = with_dummies(cols, &g, 8);
    let absorbed = Feols::new("y ~ 1 | g | x ~ z").unwrap().vcov(VcovSpec::Iid).fit(&df).unwrap();
    let explicit =
        Feols::new(&format!("y ~ {} | x ~ z", dummies.join(" + "))).unwrap().vcov(VcovSpec::Iid).fit(&df).unwrap();
    let (a, b) = (absorbed.tidy().row("x").unwrap().clone(), explicit.tidy().row("x").unwrap().clone());
    assert!((a.estimate - b.estimate).abs() < 1e-10, "{} vs {}", a.estimate, b.estimate);
    assert!((a.std_error - b.std_error).abs() < 1e-10, "se {} vs {}", a.std_error, b.std_error);
    assert!((absorbed.first_stage_f()[0].1 - explicit.first_stage_f()[0].1).abs() < 1e-8);
    // OLS is biased upwards here; 2SLS is close to the true 1.5.
    let ols = Feols::new("y ~ x | g").unwrap().fit(&df).unwrap();
    assert!(ols.tidy().row("x").unwrap().estimate > a.estimate);
    assert!((a.estimate - 1.5).abs() < 4.0 * a.std_error);
}

#[test]
fn poisson_with_fixed_effects_matches_pyfixest() {
    let df = load_dataset("wagepan").unwrap();
    let fit = phare_models::Feglm::poisson("hours ~ union + married | nr + year")
        .unwrap()
        .vcov(VcovSpec::Crv1(vec!["nr".into()]))
        .fit(&df)
        .unwrap();
    let c = case("f_pois_hours_CRV1_nr");
    assert_eq!(fit.nobs() as u64, c["nobs"].as_u64().unwrap());
    // pyfixest stops its IRLS at a deviance change of 1e-8 and demeans to 1e-6, so its values are
    // themselves only that accurate: compare at 1e-6 relative.
    for (term, want) in c["coefficients"].as_object().unwrap() {
        let row = fit.tidy().row(term).unwrap().clone();
        let (b, se) = (want.as_f64().unwrap(), c["std_errors"][term].as_f64().unwrap());
        assert!((row.estimate - b).abs() <= 1e-6 * b.abs(), "{term}: {} vs {b}", row.estimate);
        assert!((row.std_error - se).abs() <= 1e-6 * se, "{term}: se {} vs {se}", row.std_error);
    }
    let ll = c["loglik"].as_f64().unwrap();
    assert!((fit.loglik() - ll).abs() <= 1e-8 * ll.abs(), "loglik {} vs {ll}", fit.loglik());
    let dev = c["deviance"].as_f64().unwrap();
    assert!((fit.deviance() - dev).abs() <= 1e-8 * dev, "deviance {} vs {dev}", fit.deviance());
}

#[test]
fn logit_matches_statsmodels() {
    let df = load_dataset("wagepan").unwrap();
    let fit = phare_models::Feglm::logit("union ~ married + exper + educ + black + hisp").unwrap().fit(&df).unwrap();
    let c = case("f_logit_union_iid");
    for (term, want) in c["coefficients"].as_object().unwrap() {
        let name = if term == "Intercept" { "(Intercept)" } else { term.as_str() };
        let row = fit.tidy().row(name).unwrap().clone();
        let (b, se) = (want.as_f64().unwrap(), c["std_errors"][term].as_f64().unwrap());
        assert!((row.estimate - b).abs() <= 1e-8 * b.abs(), "{term}: {} vs {b}", row.estimate);
        assert!((row.std_error - se).abs() <= 1e-8 * se, "{term}: se {} vs {se}", row.std_error);
    }
    let ll = c["loglik"].as_f64().unwrap();
    assert!((fit.loglik() - ll).abs() <= 1e-10 * ll.abs());
    let r2 = c["pseudo_r2"].as_f64().unwrap();
    assert!((fit.pseudo_r2() - r2).abs() < 1e-10);
}

#[test]
fn glm_refuses_impossible_outcomes() {
    let df = load_dataset("wagepan").unwrap();
    let e = phare_models::Feglm::logit("lwage ~ union").unwrap().fit(&df).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    assert!(e.to_string().contains("0 or 1"), "{e}");
    let e = phare_models::Feglm::poisson("lwage ~ union").unwrap().fit(&df).unwrap_err();
    assert!(e.to_string().contains("non-negative"), "{e}");
}

#[test]
fn poisson_absorbed_fixed_effects_equal_dummies() {
    // SIMULATED counts: y ~ Poisson(exp(0.3·x + a_g)), drawn by inversion.
    let mut rng = SimRng::new(31);
    let n = 500;
    let g: Vec<i64> = (0..n).map(|_| rng.below(6) as i64).collect();
    let x: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let y: Vec<f64> = (0..n)
        .map(|i| {
            let lambda = (0.3 * x[i] + 0.2 * g[i] as f64).exp();
            let (mut k, mut p, u) = (0.0, (-lambda).exp(), rng.uniform());
            let mut cdf = p;
            while u > cdf {
                k += 1.0;
                p *= lambda / k;
                cdf += p;
            }
            k
        })
        .collect();
    let cols = vec![Column::new("y".into(), &y), Column::new("x".into(), &x), Column::new("g".into(), &g)];
    let (df, dummies) = with_dummies(cols, &g, 6);
    let absorbed = phare_models::Feglm::poisson("y ~ x | g").unwrap().fit(&df).unwrap();
    let explicit = phare_models::Feglm::poisson(&format!("y ~ x + {}", dummies.join(" + "))).unwrap().fit(&df).unwrap();
    let (a, b) = (absorbed.tidy().row("x").unwrap().clone(), explicit.tidy().row("x").unwrap().clone());
    assert!((a.estimate - b.estimate).abs() < 1e-8, "{} vs {}", a.estimate, b.estimate);
    assert!((a.std_error - b.std_error).abs() < 1e-8, "se {} vs {}", a.std_error, b.std_error);
    assert!((absorbed.loglik() - explicit.loglik()).abs() < 1e-6);
}

#[test]
fn singletons_are_dropped_and_reported() {
    let mut rng = SimRng::new(41);
    // Levels 0..20 of g are shared; ids 100 and 101 appear once each.
    let mut df = random_panel(&mut rng, 200);
    let g: Vec<i64> = (0..200)
        .map(|i| {
            if i == 7 {
                100
            } else if i == 9 {
                101
            } else {
                i % 20
            }
        })
        .collect();
    df.with_column(Column::new("g".into(), g)).unwrap();
    let fit = Feols::new("y ~ x1 | g").unwrap().fit(&df).unwrap();
    assert_eq!(fit.nobs(), 198);
    assert!(fit.diagnostics().iter().any(|d| d.code == "singletons_dropped" && d.message.starts_with("2 ")));
    // Singletons do not move the slope (they are fitted exactly by their own fixed effect) …
    let kept = Feols::new("y ~ x1 | g").unwrap().drop_singletons(false).fit(&df).unwrap();
    assert_eq!(kept.nobs(), 200);
    let (a, b) = (fit.tidy().row("x1").unwrap().estimate, kept.tidy().row("x1").unwrap().estimate);
    assert!((a - b).abs() < 1e-10, "{a} vs {b}");
}

#[test]
fn factor_expansion_equals_explicit_dummies() {
    let mut rng = SimRng::new(51);
    let df = random_panel(&mut rng, 300);
    let dummies: Vec<Column> = (1..5)
        .map(|level| {
            let t = df.column("t").unwrap().i64().unwrap();
            Column::new(
                format!("t{level}").as_str().into(),
                t.iter().map(|v| f64::from(v == Some(level))).collect::<Vec<_>>(),
            )
        })
        .collect();
    let mut wide = df.clone();
    for d in dummies {
        wide.with_column(d).unwrap();
    }
    let factor = Feols::new("y ~ x1 + i(t, ref = 0) | g").unwrap().vcov(VcovSpec::Hc1).fit(&df).unwrap();
    let explicit = Feols::new("y ~ x1 + t1 + t2 + t3 + t4 | g").unwrap().vcov(VcovSpec::Hc1).fit(&wide).unwrap();
    let names: Vec<String> = factor.tidy().rows.iter().map(|r| r.term.clone()).collect();
    assert_eq!(names, ["x1", "t::1", "t::2", "t::3", "t::4"]);
    for (a, b) in factor.tidy().rows.iter().zip(&explicit.tidy().rows) {
        assert!((a.estimate - b.estimate).abs() < 1e-10 && (a.std_error - b.std_error).abs() < 1e-10, "{}", a.term);
    }
    // Without a reference level, one dummy is collinear with the fixed effect's intercept and is
    // dropped, with a note.
    let all = Feols::new("y ~ x1 + i(t)").unwrap().fit(&df).unwrap();
    assert!(all.diagnostics().iter().any(|d| d.code == "collinear_terms_dropped"));
    let e = Feols::new("y ~ i(t, ref = 9)").unwrap().fit(&df).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    assert!(e.to_string().contains("levels are 0, 1, 2, 3, 4"), "{e}");
}

#[test]
fn event_study_on_mpdta_has_one_term_per_relative_period() {
    let df = load_dataset("mpdta")
        .unwrap()
        .lazy()
        .with_column(
            when(col("first_treat").gt(lit(0)))
                .then(col("year") - col("first_treat"))
                .otherwise(lit(-1000i64))
                .alias("rel"),
        )
        .collect()
        .unwrap();
    let fit = Feols::new("lemp ~ i(rel, ref = -1) | countyreal + year").unwrap().fit(&df).unwrap();
    let terms: Vec<String> = fit.tidy().rows.iter().map(|r| r.term.clone()).collect();
    // Never-treated units carry rel = -1000 and are kept as their own level.
    assert!(terms.contains(&"rel::0".to_string()) && terms.contains(&"rel::-4".to_string()));
    assert!(!terms.contains(&"rel::-1".to_string()));
    assert_eq!(fit.nobs(), 2500);
}

const HAC: &str = include_str!("reference/hac_reference.json");

/// Newey–West and Driscoll–Kraay against pyfixest 0.60.0 (`reference/hac_generate.py`, conventions
/// in `reference/hac_conventions.md`), including panels with gaps, where lags count observed
/// periods.
#[test]
fn hac_covariances_match_pyfixest() {
    let all: serde_json::Value = serde_json::from_str(HAC).unwrap();
    let wagepan = load_dataset("wagepan").unwrap();
    let data = |name: &str| -> DataFrame {
        let lf = wagepan.clone().lazy();
        match name {
            "wagepan" => wagepan.clone(),
            "wagepan_gaps" => lf
                .filter(
                    ((col("nr") % lit(3i64)).eq(lit(0i64)).and(col("year").eq(lit(1983i64))))
                        .or((col("nr") % lit(5i64)).eq(lit(0i64)).and(col("year").eq(lit(1987i64))))
                        .not(),
                )
                .collect()
                .unwrap(),
            "wagepan_no1983" => lf.filter(col("year").neq(lit(1983i64))).collect().unwrap(),
            other => panic!("unknown dataset {other}"),
        }
    };
    let cases = all["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 11);
    for c in cases {
        let id = c["id"].as_str().unwrap();
        let call = c["call"].as_str().unwrap();
        let formula = call.split('"').nth(1).unwrap();
        // `None` when the call gave no lag: both tools then use ⌊T^¼⌋ (here 1).
        let lag = c["hac"]["lag_requested"].as_u64().map(|l| l as usize);
        let spec = if call.contains("\"NW\"") {
            VcovSpec::NeweyWest { panel: "nr".into(), time: "year".into(), lag }
        } else {
            VcovSpec::DriscollKraay { time: "year".into(), lag }
        };
        let df = data(c["dataset"].as_str().unwrap());
        let fit = Feols::new(formula).unwrap().vcov(spec).fit(&df).unwrap();
        assert_eq!(fit.nobs() as u64, c["nobs"].as_u64().unwrap(), "{id}");
        for (term, want) in c["std_errors"].as_object().unwrap() {
            let name = if term == "Intercept" { "(Intercept)" } else { term.as_str() };
            let row = fit.tidy().row(name).unwrap().clone();
            let se = want.as_f64().unwrap();
            assert!((row.std_error - se).abs() <= 1e-10 * se, "{id} {term}: {} vs {se}", row.std_error);
        }
        assert_eq!(fit.reference(), phare_core::Reference::StudentT { df: c["df_t"].as_f64().unwrap() }, "{id}");
    }
}

const LONGLEY: &str = include_str!("reference/longley_certified.json");

/// NIST StRD Longley: a deliberately ill-conditioned regression with certified results (15
/// significant digits, as copied in `reference/longley_certified.json`).
#[test]
fn nist_longley_certified_values() {
    let cert: serde_json::Value = serde_json::from_str(LONGLEY).unwrap();
    let df = load_dataset("longley").unwrap();
    let fit = Feols::new("totemp ~ gnpdefl + gnp + unemp + armed + pop + year")
        .unwrap()
        .vcov(VcovSpec::Iid)
        .fit(&df)
        .unwrap();
    for (term, want) in cert["coefficients"].as_object().unwrap() {
        let name = if term == "intercept" { "(Intercept)" } else { term.as_str() };
        let row = fit.tidy().row(name).unwrap().clone();
        let (b, se) = (want.as_f64().unwrap(), cert["std_errors"][term].as_f64().unwrap());
        let (rb, rse) = ((row.estimate - b).abs() / b.abs(), (row.std_error - se).abs() / se);
        println!("{term}: relative error {rb:.1e} (estimate), {rse:.1e} (se)");
        // QR reaches about 1e-13 here; the normal equations (XᵀX) only about 1e-8.
        assert!(rb < 1e-11, "{term}: {} vs certified {b}", row.estimate);
        assert!(rse < 1e-11, "{term}: se {} vs certified {se}", row.std_error);
    }
}

/// Frequency weights equal duplicated rows: a row with weight 2 counts as two identical rows.
#[test]
fn glm_frequency_weights_equal_duplicated_rows() {
    let df = load_dataset("wagepan").unwrap().head(Some(800));
    let w: Vec<f64> = (0..800).map(|i| if i % 3 == 0 { 2.0 } else { 1.0 }).collect();
    let weighted = {
        let mut d = df.clone();
        d.with_column(Column::new("w".into(), w.clone())).unwrap();
        d
    };
    let doubled_rows: Vec<IdxSize> = (0..800u32).flat_map(|i| if i % 3 == 0 { vec![i, i] } else { vec![i] }).collect();
    let doubled = df.take(&IdxCa::from_vec("rows".into(), doubled_rows)).unwrap();
    for (formula, poisson) in [("hours ~ union + married | year", true), ("union ~ married + exper + educ", false)] {
        let (a, b) = if poisson {
            (
                phare_models::Feglm::poisson(formula).unwrap().weights("w").fit(&weighted).unwrap(),
                phare_models::Feglm::poisson(formula).unwrap().fit(&doubled).unwrap(),
            )
        } else {
            (
                phare_models::Feglm::logit(formula).unwrap().weights("w").fit(&weighted).unwrap(),
                phare_models::Feglm::logit(formula).unwrap().fit(&doubled).unwrap(),
            )
        };
        for (ra, rb) in a.tidy().rows.iter().zip(&b.tidy().rows) {
            assert!(
                (ra.estimate - rb.estimate).abs() < 1e-9,
                "{formula} {}: {} vs {}",
                ra.term,
                ra.estimate,
                rb.estimate
            );
            assert!(
                (ra.std_error - rb.std_error).abs() < 1e-9,
                "{formula} {}: se {} vs {}",
                ra.term,
                ra.std_error,
                rb.std_error
            );
        }
        assert!((a.loglik() - b.loglik()).abs() < 1e-6 * b.loglik().abs());
    }
}

#[test]
fn effective_f_with_one_instrument_is_the_robust_first_stage_f() {
    let mroz = load_dataset("mroz").unwrap();
    let fit = Feols::new("lwage ~ exper + expersq | educ ~ fatheduc").unwrap().vcov(VcovSpec::Hc1).fit(&mroz).unwrap();
    let (f, eff) = (fit.first_stage_f()[0].1, fit.effective_f().unwrap());
    assert!((f - eff).abs() < 1e-9 * f, "{f} vs {eff}");
    // With iid inference the effective F is still robust (HC1), so it equals the HC1 F above.
    let iid = Feols::new("lwage ~ exper + expersq | educ ~ fatheduc").unwrap().vcov(VcovSpec::Iid).fit(&mroz).unwrap();
    assert!((iid.effective_f().unwrap() - eff).abs() < 1e-9 * eff);
    assert!((iid.first_stage_f()[0].1 - f).abs() > 1e-3, "the iid first-stage F is the classical one");
    // Two instruments: defined and positive.
    let two = Feols::new("lwage ~ exper + expersq | educ ~ fatheduc + motheduc")
        .unwrap()
        .vcov(VcovSpec::Hc1)
        .fit(&mroz)
        .unwrap();
    let e2 = two.effective_f().unwrap();
    assert!(e2 > 0.0 && e2.is_finite());
}
