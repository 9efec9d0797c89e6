//! Callaway–Sant'Anna against csdid 0.4.3 (drdid 1.1.7) on mpdta: every ATT(g, t), the four
//! aggregations and the pre-trend Wald test, for never/not-yet-treated comparisons, regression /
//! IPW / doubly robust estimators with a covariate, varying and universal base periods and
//! anticipation (`reference/cs_generate.py` wrote `reference/cs_reference.json`); the multiplier
//! bootstrap against csdid's within Monte Carlo error; and identities and bad input.

use phare_causal::did::{Aggregation, BasePeriod, CallawaySantAnna, Comparison, DidEstimator, TwoByTwo};
use phare_core::{Estimates, Seed, SimRng};
use phare_data::load_dataset;
use serde_json::Value;

const REFERENCE: &str = include_str!("reference/cs_reference.json");

fn reference() -> Value {
    serde_json::from_str(REFERENCE).unwrap()
}

/// mpdta without the rows where (countyreal·7 + year) mod 11 = 0: 234 rows, every county keeps
/// some years (the unbalanced panel of the csdid and drdid references).
fn mpdta_with_holes() -> phare_data::polars::prelude::DataFrame {
    use phare_data::polars::prelude::*;
    load_dataset("mpdta")
        .unwrap()
        .lazy()
        .filter(((col("countyreal") * lit(7) + col("year")) % lit(11)).neq(lit(0)))
        .collect()
        .unwrap()
}

/// The estimator a reference case names: `dr`, `ipw` or `reg`.
fn estimator(name: &str) -> DidEstimator {
    match name {
        "dr" => DidEstimator::DoublyRobust,
        "ipw" => DidEstimator::Ipw,
        "reg" => DidEstimator::Regression,
        other => panic!("unknown estimator {other} in a reference file"),
    }
}

fn model(settings: &Value) -> CallawaySantAnna {
    let mut m = CallawaySantAnna::new("lemp", "countyreal", "year").cohort_column("first_treat", 0);
    if settings["control_group"] == "notyet" {
        m = m.comparison(Comparison::NotYetTreated);
    }
    m = m.estimator(estimator(settings["est_method"].as_str().unwrap()));
    let covs: Vec<String> =
        settings["covariates"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().into()).collect();
    if settings["base_period"] == "universal" {
        m = m.base_period(BasePeriod::Universal);
    }
    m.covariates(&covs).anticipation(settings["anticipation"].as_i64().unwrap())
}

#[track_caller]
fn close(got: f64, want: &Value, rel: f64, what: &str) {
    match want.as_f64() {
        Some(w) => assert!((got - w).abs() <= rel * w.abs().max(1e-3), "{what}: {got} vs {w}"),
        None => assert!(got.is_nan(), "{what}: {got}, reference has none"),
    }
}

#[test]
fn every_case_matches_csdid() {
    let all = reference();
    let df = load_dataset("mpdta").unwrap();
    for case in all["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let fit = model(&case["settings"]).fit(&df).unwrap();
        assert_eq!(fit.n_units() as u64, case["n_units"].as_u64().unwrap(), "{id}: units");
        let tidy = fit.tidy();
        let cells = case["attgt"].as_array().unwrap();
        assert_eq!(tidy.rows.len(), cells.len(), "{id}: number of ATT(g,t)");
        for c in cells {
            let term = format!("ATT({},{})", c["group"], c["time"]);
            let row = tidy.row(&term).unwrap_or_else(|| panic!("{id}: no {term}"));
            close(row.estimate, &c["att"], 1e-9, &format!("{id} {term}"));
            close(row.std_error, &c["se"], 1e-7, &format!("{id} {term} se"));
        }
        let aggs = &case["aggregations"];
        for (how, key) in [
            (Aggregation::Simple, "simple"),
            (Aggregation::dynamic(), "dynamic"),
            (Aggregation::Group, "group"),
            (Aggregation::Calendar, "calendar"),
        ] {
            let want = &aggs[key];
            let agg = fit.aggregate(&how).unwrap().tidy();
            let overall = agg.row("ATT").unwrap();
            close(overall.estimate, &want["overall_att"], 1e-9, &format!("{id} {key} overall"));
            close(overall.std_error, &want["overall_se"], 1e-7, &format!("{id} {key} overall se"));
            for e in want["effects"].as_array().into_iter().flatten() {
                let term = match key {
                    "dynamic" => format!("ATT(e={})", e["e"]),
                    "group" => format!("ATT(g={})", e["group"]),
                    _ => format!("ATT(t={})", e["time"]),
                };
                let row = agg.row(&term).unwrap_or_else(|| panic!("{id}: no {term}"));
                close(row.estimate, &e["att"], 1e-9, &format!("{id} {term}"));
                close(row.std_error, &e["se"], 1e-7, &format!("{id} {term} se"));
            }
        }
        if let Some(w) = case["wald_pretest"]["W"].as_f64() {
            let test = fit.pretrend_test().unwrap();
            let (got, p) = (test.statistic * test.df1 as f64, test.p_value);
            assert!((got - w).abs() <= 1e-7 * w, "{id}: pre-trend W {got} vs {w}");
            // csdid rounds its p-value to 5 decimals.
            assert!((p - case["wald_pretest"]["pval"].as_f64().unwrap()).abs() <= 5e-6, "{id}: p {p}");
        }
    }
}

#[test]
fn published_values_of_callaway_and_santanna() {
    // Callaway and Sant'Anna (2021) / the did package README, to the printed digits.
    let df = load_dataset("mpdta").unwrap();
    let fit = CallawaySantAnna::new("lemp", "countyreal", "year").cohort_column("first_treat", 0).fit(&df).unwrap();
    let tidy = fit.tidy();
    for (t, att, se) in
        [(2004, -0.0105, 0.0233), (2005, -0.0704, 0.0310), (2006, -0.1373, 0.0364), (2007, -0.1008, 0.0344)]
    {
        let row = tidy.row(&format!("ATT(2004,{t})")).unwrap();
        assert!((row.estimate - att).abs() < 5e-5 && (row.std_error - se).abs() < 5e-5, "{t}: {row:?}");
    }
    let simple = fit.aggregate(&Aggregation::Simple).unwrap().tidy();
    assert!((simple.rows[0].estimate - -0.0400).abs() < 5e-5 && (simple.rows[0].std_error - 0.0120).abs() < 5e-5);
    let dynamic = fit.aggregate(&Aggregation::dynamic()).unwrap().tidy();
    assert!((dynamic.row("ATT").unwrap().estimate - -0.0772).abs() < 5e-5);
}

#[test]
fn bootstrap_agrees_with_csdid_within_monte_carlo_error() {
    // csdid: 20,000 Rademacher draws. phare: 5,000. The IQR-based scale estimate has a relative
    // Monte Carlo standard deviation of about 1.17/√B for near-normal draws (1.7 % here, 0.8 % for
    // csdid), so their difference has a standard deviation near 1.8 %; 7 % is four of them.
    let all = reference();
    let boot = &all["bootstrap_case1"];
    let df = load_dataset("mpdta").unwrap();
    let fit = CallawaySantAnna::new("lemp", "countyreal", "year")
        .cohort_column("first_treat", 0)
        .bootstrap(5000, Seed(20210101))
        .fit(&df)
        .unwrap();
    let tidy = fit.tidy();
    for c in boot["attgt"].as_array().unwrap() {
        let term = format!("ATT({},{})", c["group"], c["time"]);
        let got = tidy.row(&term).unwrap().std_error;
        let want = c["se"].as_f64().unwrap();
        assert!((got / want - 1.0).abs() < 0.07, "{term}: bootstrap se {got} vs csdid {want}");
    }
    let crit = fit.uniform_critical_value().unwrap();
    let want = boot["attgt_uniform_crit_val"].as_f64().unwrap();
    assert!((crit / want - 1.0).abs() < 0.07, "uniform critical value {crit} vs {want}");
    let simple = fit.aggregate(&Aggregation::Simple).unwrap();
    let got = simple.tidy().rows[0].std_error;
    let want = boot["simple"]["overall_se"].as_f64().unwrap();
    assert!((got / want - 1.0).abs() < 0.07, "simple: {got} vs {want}");
}

#[test]
fn bootstrap_is_identical_with_one_or_many_threads() {
    let df = load_dataset("mpdta").unwrap();
    let model =
        CallawaySantAnna::new("lemp", "countyreal", "year").cohort_column("first_treat", 0).bootstrap(499, Seed(7));
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let fit = model.fit(&df).unwrap();
            let agg = fit.aggregate(&Aggregation::dynamic()).unwrap();
            (
                fit.tidy().rows.iter().map(|r| r.std_error.to_bits()).collect::<Vec<_>>(),
                agg.uniform_critical_value().unwrap().to_bits(),
            )
        })
    };
    assert_eq!(run(1), run(4));
    // And a different seed gives different draws.
    let other = CallawaySantAnna::new("lemp", "countyreal", "year")
        .cohort_column("first_treat", 0)
        .bootstrap(499, Seed(8))
        .fit(&df)
        .unwrap();
    assert_ne!(other.tidy().rows[0].std_error.to_bits(), run(1).0[0]);
}

#[test]
fn each_cell_is_the_two_by_two_and_the_simple_aggregation_is_a_weighted_mean() {
    // Without covariates, ATT(g, t) for post periods is the 2×2 of cohort g between g − 1 and t.
    let df = load_dataset("mpdta").unwrap();
    let fit = CallawaySantAnna::new("lemp", "countyreal", "year").cohort_column("first_treat", 0).fit(&df).unwrap();
    let tidy = fit.tidy();
    for (g, t) in [(2004, 2006), (2006, 2007), (2007, 2007)] {
        let two = phare_causal::did::TwoByTwo::new("lemp", "countyreal", "year")
            .cohort_column("first_treat", 0)
            .cohort(g)
            .periods(g - 1, t)
            .fit(&df)
            .unwrap();
        let a = two.tidy().row("ATT").unwrap().estimate;
        assert!((tidy.row(&format!("ATT({g},{t})")).unwrap().estimate - a).abs() < 1e-12);
    }
    // Simple = Σ pg ATT(g,t) / Σ pg over post cells, pg = cohort sizes.
    let sizes = [(2004, 20.0), (2006, 40.0), (2007, 131.0)];
    let (mut num, mut den) = (0.0, 0.0);
    for r in &tidy.rows {
        if r.period.unwrap() >= r.cohort.unwrap() {
            let size = sizes.iter().find(|s| s.0 == r.cohort.unwrap()).unwrap().1;
            num += size * r.estimate;
            den += size;
        }
    }
    let simple = fit.aggregate(&Aggregation::Simple).unwrap().tidy().rows[0].estimate;
    assert!((simple - num / den).abs() < 1e-12, "{simple} vs {}", num / den);
}

#[test]
fn bad_designs_are_refused_or_reported() {
    let df = load_dataset("mpdta").unwrap();
    use phare_data::polars::prelude::*;
    // No never-treated units: refused with the never-treated comparison, fine with not-yet-treated.
    let treated_only = df.clone().lazy().filter(col("first_treat").neq(lit(0))).collect().unwrap();
    let e = CallawaySantAnna::new("lemp", "countyreal", "year")
        .cohort_column("first_treat", 0)
        .fit(&treated_only)
        .unwrap_err();
    assert!(e.to_string().contains("never-treated"), "{e}");
    assert!(e.hint().unwrap().contains("notyet"));
    let fit = CallawaySantAnna::new("lemp", "countyreal", "year")
        .cohort_column("first_treat", 0)
        .comparison(Comparison::NotYetTreated)
        .fit(&treated_only)
        .unwrap();
    // The last cohort (2007) has no later-treated units to compare with after 2006.
    assert!(fit.tidy().row("ATT(2007,2007)").is_none());
    assert!(fit.diagnostics().iter().any(|d| d.code == "cells_without_comparison"));
    // A cohort treated in the first period is dropped with a diagnostic (anticipation 1 makes 2004 one).
    let fit = CallawaySantAnna::new("lemp", "countyreal", "year")
        .cohort_column("first_treat", 0)
        .anticipation(1)
        .fit(&df)
        .unwrap();
    assert!(fit.diagnostics().iter().any(|d| d.code == "cohort_treated_in_first_period" && d.message.contains("2004")));
    // Units missing a period are dropped and reported; a missing covariate column is named.
    let holes =
        df.clone().lazy().filter(col("countyreal").neq(lit(8001)).or(col("year").neq(lit(2005)))).collect().unwrap();
    let fit = CallawaySantAnna::new("lemp", "countyreal", "year").cohort_column("first_treat", 0).fit(&holes).unwrap();
    assert_eq!(fit.n_units(), 499);
    assert!(fit.diagnostics().iter().any(|d| d.code == "units_dropped_unbalanced"));
    let e = CallawaySantAnna::new("lemp", "countyreal", "year")
        .cohort_column("first_treat", 0)
        .covariates(&["lpopp"])
        .fit(&df)
        .unwrap_err();
    assert!(e.to_string().contains("lpopp"), "{e}");
    // Treatment that switches off: reported (cohorts use the first treated period).
    let switching = df
        .clone()
        .lazy()
        .with_column(
            when(
                col("first_treat")
                    .gt(lit(0))
                    .and(col("year").gt_eq(col("first_treat")))
                    .and(col("year").neq(lit(2007))),
            )
            .then(lit(1))
            .otherwise(lit(0))
            .alias("d"),
        )
        .collect()
        .unwrap();
    let fit = CallawaySantAnna::new("lemp", "countyreal", "year").treatment("d").fit(&switching).unwrap();
    assert!(fit.diagnostics().iter().any(|d| d.code == "treatment_not_absorbing"));
    // A cohort of one unit: a warning.
    let c2004 = df.clone().lazy().filter(col("first_treat").eq(lit(2004))).collect().unwrap();
    let unit = c2004.column("countyreal").unwrap().get(0).unwrap().extract::<i64>().unwrap();
    let one = df
        .clone()
        .lazy()
        .filter(col("first_treat").neq(lit(2004)).or(col("countyreal").eq(lit(unit))))
        .collect()
        .unwrap();
    let fit = CallawaySantAnna::new("lemp", "countyreal", "year").cohort_column("first_treat", 0).fit(&one).unwrap();
    assert!(fit.diagnostics().iter().any(|d| d.code == "cohort_of_one_unit" && d.message.contains("2004")));
}

#[test]
fn pretrend_power_scales_with_the_outcome() {
    // The trend the pre-test detects with 80 % power is in outcome units: doubling the outcome
    // doubles it, and the test statistic is unchanged.
    use phare_data::polars::prelude::*;
    let df = load_dataset("mpdta").unwrap();
    let doubled = df.clone().lazy().with_column((col("lemp") * lit(2.0)).alias("lemp")).collect().unwrap();
    let model = CallawaySantAnna::new("lemp", "countyreal", "year").cohort_column("first_treat", 0);
    let (a, b) =
        (model.fit(&df).unwrap().pretrend_test().unwrap(), model.fit(&doubled).unwrap().pretrend_test().unwrap());
    let (sa, sb) = (a.detectable_slope.unwrap(), b.detectable_slope.unwrap());
    assert!(sa > 0.0 && (sb / sa - 2.0).abs() < 1e-9, "{sa} {sb}");
    assert!((a.statistic - b.statistic).abs() < 1e-9 * a.statistic);
}

#[test]
fn doubly_robust_two_by_two_with_a_covariate_is_the_csdid_cell() {
    // The 2×2 with covariates is one Callaway–Sant'Anna cell: csdid's ATT(g,t) with lpop
    // (doubly robust, IPW, regression) and its standard error.
    let all = reference();
    let df = load_dataset("mpdta").unwrap();
    for (case_id, est) in [
        ("c3_never_dr_lpop_varying", DidEstimator::DoublyRobust),
        ("c4_never_ipw_lpop_varying", DidEstimator::Ipw),
        ("c5_never_reg_lpop_varying", DidEstimator::Regression),
    ] {
        let case = all["cases"].as_array().unwrap().iter().find(|c| c["id"] == case_id).unwrap();
        for (g, pre, post) in [(2004, 2003, 2004), (2004, 2003, 2006), (2006, 2005, 2007), (2007, 2006, 2007)] {
            let cell = case["attgt"].as_array().unwrap().iter().find(|c| c["group"] == g && c["time"] == post).unwrap();
            let fit = phare_causal::did::TwoByTwo::new("lemp", "countyreal", "year")
                .cohort_column("first_treat", 0)
                .cohort(g)
                .periods(pre, post)
                .covariates(&["lpop"])
                .estimator(est)
                .fit(&df)
                .unwrap();
            let row = fit.tidy().row("ATT").unwrap().clone();
            close(row.estimate, &cell["att"], 1e-9, &format!("{case_id} ({g},{post})"));
            close(row.std_error, &cell["se"], 1e-7, &format!("{case_id} ({g},{post}) se"));
            assert_eq!(fit.reference(), phare_core::Reference::Normal);
        }
    }
}

#[test]
fn unbalanced_panel_matches_csdid() {
    // csdid with allow_unbalanced_panel=True on mpdta without the rows where
    // (countyreal·7 + year) mod 11 = 0 (234 rows; every county keeps some years).
    let all = reference();
    let want = &all["unbalanced"];
    let holes = mpdta_with_holes();
    assert_eq!(holes.height() as u64, want["rows_kept"].as_u64().unwrap());
    let fit = CallawaySantAnna::new("lemp", "countyreal", "year")
        .cohort_column("first_treat", 0)
        .allow_unbalanced(true)
        .fit(&holes)
        .unwrap();
    assert_eq!(fit.n_units() as u64, want["units_kept"].as_u64().unwrap());
    let tidy = fit.tidy();
    for c in want["attgt"].as_array().unwrap() {
        let term = format!("ATT({},{})", c["group"], c["time"]);
        let row = tidy.row(&term).unwrap();
        close(row.estimate, &c["att"], 1e-9, &term);
        close(row.std_error, &c["se"], 1e-7, &format!("{term} se"));
    }
    for (how, key) in
        [(Aggregation::Simple, "simple"), (Aggregation::dynamic(), "dynamic"), (Aggregation::Group, "group")]
    {
        let agg = fit.aggregate(&how).unwrap().tidy();
        close(agg.rows[0].estimate, &want["aggregations"][key]["overall_att"], 1e-9, key);
        close(agg.rows[0].std_error, &want["aggregations"][key]["overall_se"], 1e-7, &format!("{key} se"));
    }
}

#[test]
fn unbalanced_panel_with_a_covariate_matches_drdid() {
    // Each ATT(g,t) of an unbalanced panel with covariates is a repeated-cross-section DiD:
    // drdid 1.1.7's drdid_rc / std_ipw_did_rc / reg_did_rc on the same rows
    // (reference/rc_generate_drdid.py), standard errors clustered by county.
    let want: serde_json::Value = serde_json::from_str(include_str!("reference/rc_drdid.json")).unwrap();
    let holes = mpdta_with_holes();
    for (name, est) in
        [("dr", DidEstimator::DoublyRobust), ("ipw", DidEstimator::Ipw), ("reg", DidEstimator::Regression)]
    {
        let fit = CallawaySantAnna::new("lemp", "countyreal", "year")
            .cohort_column("first_treat", 0)
            .allow_unbalanced(true)
            .covariates(&["lpop"])
            .estimator(est)
            .fit(&holes)
            .unwrap();
        let tidy = fit.tidy();
        for (g, b, t) in [(2004, 2003, 2004), (2006, 2005, 2007), (2007, 2006, 2007), (2007, 2003, 2004)] {
            let w = &want[format!("{name}_{g}_{b}_{t}")];
            let row = tidy.row(&format!("ATT({g},{t})")).unwrap();
            close(row.estimate, &w["att"], 1e-9, &format!("{name} ({g},{t})"));
            close(row.std_error, &w["se_unit_cluster"], 1e-6, &format!("{name} ({g},{t}) se"));
        }
    }
}

#[test]
fn two_by_two_on_repeated_cross_sections_matches_drdid() {
    // The same drdid 1.1.7 calls (reference/rc_generate_drdid.py), now as a 2×2 whose rows are
    // individuals observed once: drdid's own row-level standard error ("se_rows").
    let want: serde_json::Value = serde_json::from_str(include_str!("reference/rc_drdid.json")).unwrap();
    let holes = mpdta_with_holes();
    for (name, est) in
        [("dr", DidEstimator::DoublyRobust), ("ipw", DidEstimator::Ipw), ("reg", DidEstimator::Regression)]
    {
        // (2007, 2003, 2004) is a pre-treatment placebo, which a 2×2 refuses (post before g).
        for (g, b, t) in [(2004, 2003, 2004), (2006, 2005, 2007), (2007, 2006, 2007)] {
            let fit = TwoByTwo::new("lemp", "countyreal", "year")
                .cohort_column("first_treat", 0)
                .cohort(g)
                .periods(b, t)
                .covariates(&["lpop"])
                .estimator(est)
                .repeated_cross_sections(true)
                .fit(&holes)
                .unwrap();
            let w = &want[format!("{name}_{g}_{b}_{t}")];
            let row = fit.tidy().row("ATT").unwrap().clone();
            close(row.estimate, &w["att"], 1e-9, &format!("{name} ({g},{b},{t})"));
            close(row.std_error, &w["se_rows"], 1e-6, &format!("{name} ({g},{b},{t}) se"));
        }
    }
}

#[test]
fn two_by_two_on_repeated_cross_sections_is_the_difference_of_four_means() {
    // Identity on random data: without covariates every estimator is the difference of the four
    // cell means, whatever the group sizes per period.
    use phare_data::polars::prelude::*;
    let mut rng = SimRng::new(11);
    let n = 700;
    let (mut y, mut year, mut g) = (vec![], vec![], vec![]);
    for _ in 0..n {
        let treated = rng.uniform() < 0.3;
        let t = 2000 + rng.below(3) as i64;
        year.push(t);
        g.push(if treated { 2002i64 } else { 0 });
        y.push(rng.normal() + if treated { 0.5 } else { 0.0 } + 0.2 * (t - 2000) as f64);
    }
    let df = df!("y" => &y, "id" => (0..n as i64).collect::<Vec<_>>(), "year" => &year, "g" => &g).unwrap();
    let mean = |treated: bool, t: i64| {
        let v: Vec<f64> = (0..n).filter(|&i| (g[i] == 2002) == treated && year[i] == t).map(|i| y[i]).collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let four = (mean(true, 2002) - mean(true, 2000)) - (mean(false, 2002) - mean(false, 2000));
    for est in [DidEstimator::DoublyRobust, DidEstimator::Ipw, DidEstimator::Regression] {
        let fit = TwoByTwo::new("y", "id", "year")
            .cohort_column("g", 0)
            .periods(2000, 2002)
            .estimator(est)
            .repeated_cross_sections(true)
            .fit(&df)
            .unwrap();
        let att = fit.tidy().row("ATT").unwrap().estimate;
        assert!((att - four).abs() < 1e-12, "{est:?}: {att} vs {four}");
        let m = fit.means();
        assert!(((m.treated[1] - m.treated[0]) - (m.comparison[1] - m.comparison[0]) - four).abs() < 1e-12);
        let nobs = fit.glance().get(phare_core::glance_names::NOBS).cloned();
        assert_eq!(nobs, Some(phare_core::GlanceValue::Int((m.n_treated + m.n_comparison) as i64)));
    }
    // A 0/1 treatment cannot date cohorts when nobody is followed.
    let d: Vec<i64> = g.iter().zip(&year).map(|(&g, &t)| i64::from(g > 0 && t >= g)).collect();
    let mut with_d = df.clone();
    with_d.with_column(Column::new("d".into(), d)).unwrap();
    let err = TwoByTwo::new("y", "id", "year").treatment("d").repeated_cross_sections(true).fit(&with_d).unwrap_err();
    assert!(err.to_string().contains("first-treated-period column"), "{err}");
}

#[test]
fn unbalanced_panel_with_a_covariate_matches_csdid() {
    // csdid allow_unbalanced_panel=True with lemp ~ lpop, dr / ipw / reg
    // (reference/rc_generate.py): every ATT(g,t) and the simple aggregation.
    let want: serde_json::Value = serde_json::from_str(include_str!("reference/rc_reference.json")).unwrap();
    let holes = mpdta_with_holes();
    for case in want["csdid_unbalanced_rc"]["cases"].as_array().unwrap() {
        let name = case["est_method"].as_str().unwrap();
        let est = estimator(name);
        let fit = CallawaySantAnna::new("lemp", "countyreal", "year")
            .cohort_column("first_treat", 0)
            .allow_unbalanced(true)
            .covariates(&["lpop"])
            .estimator(est)
            .fit(&holes)
            .unwrap();
        let tidy = fit.tidy();
        let cells = case["attgt"].as_array().unwrap();
        assert_eq!(tidy.rows.len(), cells.len(), "{name}");
        for c in cells {
            let term = format!("ATT({},{})", c["group"], c["time"]);
            let row = tidy.row(&term).unwrap();
            close(row.estimate, &c["att"], 1e-9, &format!("{name} {term}"));
            close(row.std_error, &c["se"], 1e-6, &format!("{name} {term} se"));
        }
        let simple = fit.aggregate(&Aggregation::Simple).unwrap().tidy();
        close(simple.rows[0].estimate, &case["simple"]["overall_att"], 1e-9, &format!("{name} simple"));
        close(simple.rows[0].std_error, &case["simple"]["overall_se"], 1e-6, &format!("{name} simple se"));
    }
}

#[test]
fn bootstrap_clusters_whole_units() {
    // Clustering on states (the first digits of the county FIPS code): one weight per state, so
    // the standard errors change; a cluster column that varies within a county is refused.
    use phare_data::polars::prelude::*;
    let df = load_dataset("mpdta")
        .unwrap()
        .lazy()
        .with_column((col("countyreal") / lit(1000)).cast(DataType::Int64).alias("state"))
        .collect()
        .unwrap();
    let model =
        CallawaySantAnna::new("lemp", "countyreal", "year").cohort_column("first_treat", 0).bootstrap(999, Seed(3));
    let by_unit = model.fit(&df).unwrap().aggregate(&Aggregation::Simple).unwrap().tidy().rows[0].std_error;
    let clustered = model.clone().cluster("state");
    let a = clustered.fit(&df).unwrap().aggregate(&Aggregation::Simple).unwrap().tidy().rows[0].std_error;
    let b = clustered.fit(&df).unwrap().aggregate(&Aggregation::Simple).unwrap().tidy().rows[0].std_error;
    assert_eq!(a.to_bits(), b.to_bits());
    assert!(a.is_finite() && (a - by_unit).abs() > 1e-6, "{a} vs {by_unit}");
    let e = model.cluster("year").fit(&df).unwrap_err();
    assert!(e.to_string().contains("whole units"), "{e}");
}

#[test]
fn repeated_cross_sections_match_csdid() {
    // mpdta read as repeated cross-sections (each row its own individual): csdid panel=False,
    // without covariates (dr) and with lpop (dr, ipw, reg) — reference/rcs_generate.py.
    let want: Value = serde_json::from_str(include_str!("reference/rcs_reference.json")).unwrap();
    let df = load_dataset("mpdta").unwrap();
    for case in want["cases"].as_array().unwrap() {
        let name = case["est_method"].as_str().unwrap();
        let est = estimator(name);
        let covs: Vec<String> =
            case["covariates"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().into()).collect();
        let id = format!("{name} {covs:?}");
        let fit = CallawaySantAnna::new("lemp", "countyreal", "year")
            .cohort_column("first_treat", 0)
            .repeated_cross_sections(true)
            .covariates(&covs)
            .estimator(est)
            .fit(&df)
            .unwrap();
        assert_eq!(fit.n_units() as u64, case["n_rows"].as_u64().unwrap(), "{id}");
        let tidy = fit.tidy();
        for c in case["attgt"].as_array().unwrap() {
            let term = format!("ATT({},{})", c["group"], c["time"]);
            let row = tidy.row(&term).unwrap();
            close(row.estimate, &c["att"], 1e-9, &format!("{id} {term}"));
            close(row.std_error, &c["se"], 1e-6, &format!("{id} {term} se"));
        }
        for (how, key) in [(Aggregation::Simple, "simple"), (Aggregation::dynamic(), "dynamic")] {
            let agg = fit.aggregate(&how).unwrap().tidy();
            close(agg.rows[0].estimate, &case[key]["overall_att"], 1e-9, &format!("{id} {key}"));
            close(agg.rows[0].std_error, &case[key]["overall_se"], 1e-6, &format!("{id} {key} se"));
        }
    }
    // A 0/1 treatment cannot date cohorts without following individuals.
    let e = CallawaySantAnna::new("lemp", "countyreal", "year")
        .treatment("treat")
        .repeated_cross_sections(true)
        .fit(&df)
        .unwrap_err();
    assert!(e.to_string().contains("cohort"), "{e}");
}
