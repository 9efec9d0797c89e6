//! The 2×2 difference-in-differences: reference values, identities on random data, bad input, and a
//! Monte Carlo coverage check (ignored by default: `cargo test -p phare-causal -- --ignored`).

use phare_causal::did::{Comparison, TwoByTwo};
use phare_core::{ErrorKind, Estimates, Seed, SimRng};
use phare_data::load_dataset;
use phare_data::polars::prelude::*;

const REFERENCE: &str = include_str!("reference/did_2x2.json");

#[test]
fn matches_statsmodels_hc2_on_mpdta() {
    let reference: serde_json::Value = serde_json::from_str(REFERENCE).unwrap();
    let mpdta = load_dataset("mpdta").unwrap();
    let cases = reference["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    for case in cases {
        let comparison =
            if case["comparison"] == "never" { Comparison::NeverTreated } else { Comparison::NotYetTreated };
        let fit = TwoByTwo::new("lemp", "countyreal", "year")
            .cohort_column("first_treat", 0)
            .cohort(case["cohort"].as_i64().unwrap())
            .periods(case["pre"].as_i64().unwrap(), case["post"].as_i64().unwrap())
            .comparison(comparison)
            .fit(&mpdta)
            .unwrap();
        let row = fit.tidy().row("ATT").unwrap().clone();
        let (att, se) = (case["att"].as_f64().unwrap(), case["se_hc2"].as_f64().unwrap());
        assert!((row.estimate - att).abs() <= 1e-10 * att.abs(), "{}: {} vs {att}", case["id"], row.estimate);
        assert!((row.std_error - se).abs() <= 1e-10 * se, "{}: {} vs {se}", case["id"], row.std_error);
        assert_eq!(fit.means().n_treated as u64, case["n_treated"].as_u64().unwrap());
        assert_eq!(fit.means().n_comparison as u64, case["n_comparison"].as_u64().unwrap());
        let df = case["welch_df"].as_f64().unwrap();
        assert_eq!(fit.reference(), phare_core::Reference::StudentT { df: fit_df(&fit) });
        assert!((fit_df(&fit) - df).abs() <= 1e-9 * df, "{}: df {} vs {df}", case["id"], fit_df(&fit));
        let p = case["p_welch"].as_f64().unwrap();
        assert!((row.p_value - p).abs() <= 1e-9, "{}: p {} vs {p}", case["id"], row.p_value);
    }
}

fn fit_df(fit: &phare_causal::did::TwoByTwoFit) -> f64 {
    match fit.reference() {
        phare_core::Reference::StudentT { df } => df,
        other => panic!("expected a t reference, got {other:?}"),
    }
}

#[test]
fn defaults_pick_the_earliest_cohort_and_the_period_before() {
    let mpdta = load_dataset("mpdta").unwrap();
    let fit = TwoByTwo::new("lemp", "countyreal", "year").cohort_column("first_treat", 0).fit(&mpdta).unwrap();
    let m = fit.means();
    assert_eq!((m.cohort, m.pre, m.post, m.n_treated, m.n_comparison), (2004, 2003, 2004, 20, 309));
    let row = &fit.tidy().rows[0];
    assert_eq!((row.cohort, row.period), (Some(2004), Some(2004)));
    assert_eq!(fit.glance().get("n_treated"), Some(&phare_core::GlanceValue::Int(20)));
}

/// SIMULATED panel: `n_t` units first treated in period 2, `n_c` never treated, periods 0..4,
/// unit effects, a common trend, group-specific noise scales, and a true effect `att` from period 2.
fn simulated_panel(rng: &mut SimRng, n_t: usize, n_c: usize, att: f64) -> DataFrame {
    let (mut u, mut t, mut y, mut g) = (vec![], vec![], vec![], vec![]);
    for i in 0..n_t + n_c {
        let treated = i < n_t;
        let alpha = 3.0 * rng.normal();
        let scale = if treated { 2.0 } else { 0.7 };
        for period in 0..4i64 {
            let effect = if treated && period >= 2 { att } else { 0.0 };
            u.push(i as i64);
            t.push(period);
            y.push(alpha + 0.4 * period as f64 + effect + scale * rng.normal());
            g.push(if treated { 2i64 } else { 0 });
        }
    }
    df! { "unit" => u, "time" => t, "y" => y, "g" => g }.unwrap()
}

#[test]
fn identity_difference_of_four_means_on_random_panels() {
    let mut rng = SimRng::new(3);
    for _ in 0..10 {
        let (n_t, n_c) = (5 + (rng.next_u64() % 20) as usize, 5 + (rng.next_u64() % 40) as usize);
        let df = simulated_panel(&mut rng, n_t, n_c, 1.0);
        let fit = TwoByTwo::new("y", "unit", "time").cohort_column("g", 0).fit(&df).unwrap();
        // The four means computed directly with polars.
        let means = df
            .clone()
            .lazy()
            .filter(col("time").eq(lit(1i64)).or(col("time").eq(lit(2i64))))
            .group_by([col("g"), col("time")])
            .agg([col("y").mean()])
            .sort(["g", "time"], Default::default())
            .collect()
            .unwrap();
        let m: Vec<f64> = means.column("y").unwrap().f64().unwrap().no_null_iter().collect();
        // rows: (g=0,t=1), (g=0,t=2), (g=2,t=1), (g=2,t=2)
        let direct = (m[3] - m[2]) - (m[1] - m[0]);
        let att = fit.tidy().rows[0].estimate;
        assert!((att - direct).abs() < 1e-12 * (1.0 + direct.abs()), "{att} vs {direct}");
        let t = fit.means();
        assert!((t.treated[0] - m[2]).abs() < 1e-12 && (t.comparison[1] - m[1]).abs() < 1e-12);

        // Adding δ to every treated post-period outcome moves the ATT by exactly δ; a common shock in
        // the post period moves it not at all.
        let shifted = df
            .clone()
            .lazy()
            .with_column(
                when(col("time").eq(lit(2i64)).and(col("g").eq(lit(2i64))))
                    .then(col("y") + lit(0.75))
                    .otherwise(col("y"))
                    .alias("y"),
            )
            .with_column(when(col("time").eq(lit(2i64))).then(col("y") - lit(5.0)).otherwise(col("y")).alias("y"))
            .collect()
            .unwrap();
        let fit2 = TwoByTwo::new("y", "unit", "time").cohort_column("g", 0).fit(&shifted).unwrap();
        assert!((fit2.tidy().rows[0].estimate - att - 0.75).abs() < 1e-9);
        assert!((fit2.tidy().rows[0].std_error - fit.tidy().rows[0].std_error).abs() < 1e-9);
    }
}

#[test]
fn one_treated_unit_points_to_synthetic_control() {
    let prop99 = load_dataset("prop99").unwrap();
    let e = TwoByTwo::new("cigsale", "state", "year").treatment("treated").fit(&prop99).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Design);
    assert!(e.to_string().contains("1 cohort 1989 observed in both 1988 and 1989"), "{e}");
    assert!(e.hint().unwrap().contains("synthetic control"));
}

#[test]
fn bad_choices_are_errors_naming_the_value() {
    let mpdta = load_dataset("mpdta").unwrap();
    let base = TwoByTwo::new("lemp", "countyreal", "year").cohort_column("first_treat", 0);
    let e = base.clone().cohort(2005).fit(&mpdta).unwrap_err();
    assert!(e.to_string().contains("no unit is first treated in 2005; cohorts are 2004, 2006, 2007"), "{e}");
    let e = base.clone().cohort(2006).periods(2006, 2007).fit(&mpdta).unwrap_err();
    assert!(e.to_string().contains("pre period 2006 is not before cohort 2006"), "{e}");
    let e = base.clone().periods(2003, 2010).fit(&mpdta).unwrap_err();
    assert!(e.to_string().contains("period 2010 is not in `year`"), "{e}");
    let e = TwoByTwo::new("lemp", "countyreal", "year").fit(&mpdta).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let e = TwoByTwo::new("lemp2", "countyreal", "year").cohort_column("first_treat", 0).fit(&mpdta).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ColumnNotFound);
}

#[test]
fn units_missing_a_period_are_left_out_and_reported() {
    let mut rng = SimRng::new(5);
    let df = simulated_panel(&mut rng, 10, 10, 1.0);
    // Drop unit 0's period-1 row and make unit 15's period-2 outcome missing.
    let df = df
        .lazy()
        .filter((col("unit").eq(lit(0i64)).and(col("time").eq(lit(1i64)))).not())
        .with_column(
            when(col("unit").eq(lit(15i64)).and(col("time").eq(lit(2i64))))
                .then(lit(NULL).cast(DataType::Float64))
                .otherwise(col("y"))
                .alias("y"),
        )
        .collect()
        .unwrap();
    let fit = TwoByTwo::new("y", "unit", "time").cohort_column("g", 0).fit(&df).unwrap();
    assert_eq!((fit.means().n_treated, fit.means().n_comparison), (9, 9));
    let codes: Vec<String> = fit.diagnostics().iter().map(|d| d.code.clone()).collect();
    assert!(codes.contains(&"units_dropped_incomplete".to_string()), "{codes:?}");
    assert!(codes.contains(&"unbalanced_panel".to_string()));
    assert!(codes.contains(&"missing_outcome".to_string()));
}

/// Monte Carlo: the 95 % interval covers the true effect in about 95 % of simulated panels, with
/// unequal group sizes and variances (which the HC2 standard error and Welch's degrees of freedom
/// allow). SIMULATED data, true ATT 0.5.
#[test]
#[ignore = "Monte Carlo, about 10 s; run with --ignored"]
fn coverage_of_the_95_percent_interval() {
    // PHARE_MC_REPS overrides the number of simulated panels for a closer look.
    let reps: u64 = std::env::var("PHARE_MC_REPS").ok().and_then(|r| r.parse().ok()).unwrap_or(2000);
    let true_att = 0.5;
    let mut covered = 0;
    for r in 0..reps {
        let mut rng = SimRng::new(Seed::DEFAULT.replicate(r));
        let df = simulated_panel(&mut rng, 40, 120, true_att);
        let fit = TwoByTwo::new("y", "unit", "time").cohort_column("g", 0).fit(&df).unwrap();
        let row = &fit.tidy().rows[0];
        if row.conf_low <= true_att && true_att <= row.conf_high {
            covered += 1;
        }
    }
    let rate = covered as f64 / reps as f64;
    // Accept ±3 binomial standard errors around 0.95 (±0.0146 with 2000 draws).
    let tolerance = 3.0 * (0.95f64 * 0.05 / reps as f64).sqrt();
    assert!((rate - 0.95).abs() < tolerance, "coverage {rate}");
    println!("coverage {rate} over {reps} simulated panels");
}
