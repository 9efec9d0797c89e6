//! Event studies (TWFE, Sun–Abraham, imputation, two-stage) against pyfixest 0.60.0 and
//! diff-diff 3.13.0 on mpdta and on a SIMULATED staggered panel with known effects
//! (`reference/event_generate.py` wrote `reference/event_reference.json` and
//! `reference/sim_staggered.csv`).

use phare_causal::did::{EventMethod, EventStudy};
use phare_core::Estimates;
use phare_data::polars::prelude::*;
use serde_json::Value;

const REFERENCE: &str = include_str!("reference/event_reference.json");
const SIMULATED: &str = include_str!("reference/sim_staggered.csv");

fn reference() -> Value {
    serde_json::from_str(REFERENCE).unwrap()
}

/// The dataset of a reference block and its column roles.
fn data(name: &str) -> (DataFrame, [&'static str; 4]) {
    match name {
        "mpdta" => (phare_data::load_dataset("mpdta").unwrap(), ["lemp", "countyreal", "year", "first_treat"]),
        _ => {
            let df = CsvReadOptions::default()
                .into_reader_with_file_handle(std::io::Cursor::new(SIMULATED.as_bytes()))
                .finish()
                .unwrap();
            (df, ["y", "unit", "t", "first_treat"])
        }
    }
}

fn study(cols: [&str; 4], method: EventMethod) -> EventStudy {
    EventStudy::new(cols[0], cols[1], cols[2]).cohort_column(cols[3], 0).method(method)
}

#[track_caller]
fn close(got: f64, want: f64, rel: f64, what: &str) {
    assert!((got - want).abs() <= rel * want.abs().max(1e-3), "{what}: {got} vs {want}");
}

#[test]
fn twfe_event_study_matches_pyfixest() {
    let all = reference();
    for name in ["mpdta", "simulated"] {
        let (df, cols) = data(name);
        let r = &all["datasets"][name]["results"];
        let fit = study(cols, EventMethod::Twfe).fit(&df).unwrap();
        let tidy = fit.tidy();
        for c in r["twfe_event_study"]["coefficients"].as_array().unwrap() {
            let row = tidy.row(&format!("ATT(e={})", c["rel"])).unwrap();
            close(row.estimate, c["estimate"].as_f64().unwrap(), 1e-8, &format!("{name} e={}", c["rel"]));
            close(row.std_error, c["se"].as_f64().unwrap(), 1e-6, &format!("{name} se e={}", c["rel"]));
        }
        close(tidy.row("ATT").unwrap().estimate, r["twfe_static"]["estimate"].as_f64().unwrap(), 1e-8, "static");
        close(tidy.row("ATT").unwrap().std_error, r["twfe_static"]["se"].as_f64().unwrap(), 1e-6, "static se");
        // Binned at the ends of the window.
        let w = r["twfe_event_study_binned"]["conventions"]["window"].as_array().unwrap();
        let (lo, hi) = (w[0].as_i64().unwrap(), w[1].as_i64().unwrap());
        let fit = study(cols, EventMethod::Twfe).window(lo, hi).fit(&df).unwrap();
        let tidy = fit.tidy();
        let want = r["twfe_event_study_binned"]["coefficients"].as_array().unwrap();
        assert_eq!(tidy.rows.len(), want.len() + 1, "{name}: binned rows");
        for c in want {
            let row = tidy.row(&format!("ATT(e={})", c["rel"])).unwrap();
            close(row.estimate, c["estimate"].as_f64().unwrap(), 1e-8, &format!("{name} binned e={}", c["rel"]));
            close(row.std_error, c["se"].as_f64().unwrap(), 1e-6, &format!("{name} binned se e={}", c["rel"]));
        }
    }
}

#[test]
fn sun_abraham_matches_diff_diff_and_pyfixest() {
    let all = reference();
    for name in ["mpdta", "simulated"] {
        let (df, cols) = data(name);
        let r = &all["datasets"][name]["results"]["sun_abraham"]["diff_diff"];
        let fit = study(cols, EventMethod::SunAbraham).fit(&df).unwrap();
        let tidy = fit.tidy();
        for c in r["event_study"].as_array().unwrap() {
            let row = tidy.row(&format!("ATT(e={})", c["e"])).unwrap_or_else(|| panic!("{name}: e={}", c["e"]));
            close(row.estimate, c["estimate"].as_f64().unwrap(), 1e-8, &format!("{name} SA e={}", c["e"]));
            close(row.std_error, c["se"].as_f64().unwrap(), 1e-6, &format!("{name} SA se e={}", c["e"]));
        }
        close(tidy.row("ATT").unwrap().estimate, r["overall_att"]["estimate"].as_f64().unwrap(), 1e-8, "SA overall");
        close(tidy.row("ATT").unwrap().std_error, r["overall_att"]["se"].as_f64().unwrap(), 1e-6, "SA overall se");
    }
}

#[test]
fn imputation_and_two_stage_match_diff_diff() {
    let all = reference();
    for name in ["mpdta", "simulated"] {
        let (df, cols) = data(name);
        let r = &all["datasets"][name]["results"];
        for (method, block) in
            [(EventMethod::Imputation, "imputation_bjs"), (EventMethod::TwoStage, "two_stage_gardner")]
        {
            let want = &r[block]["diff_diff"];
            let fit = study(cols, method).fit(&df).unwrap();
            let tidy = fit.tidy();
            close(
                tidy.row("ATT").unwrap().estimate,
                want["overall_att"]["estimate"].as_f64().unwrap(),
                1e-8,
                &format!("{name} {block}"),
            );
            close(
                tidy.row("ATT").unwrap().std_error,
                want["overall_att"]["se"].as_f64().unwrap(),
                1e-6,
                &format!("{name} {block} se"),
            );
            for c in want["event_study"].as_array().unwrap() {
                if c["is_reference"] == true {
                    continue;
                }
                let row = tidy.row(&format!("ATT(e={})", c["e"])).unwrap();
                close(row.estimate, c["estimate"].as_f64().unwrap(), 1e-8, &format!("{name} {block} e={}", c["e"]));
                close(row.std_error, c["se"].as_f64().unwrap(), 1e-6, &format!("{name} {block} se e={}", c["e"]));
            }
        }
        // BJS pre-trend rows and test (lead regression on untreated observations).
        let bjs = &r["imputation_bjs"]["diff_diff"];
        let fit = study(cols, EventMethod::Imputation).fit(&df).unwrap();
        let tidy = fit.tidy();
        for c in bjs["event_study_with_pretrends"].as_array().unwrap() {
            if c["e"].as_i64().unwrap() < -1 {
                let row = tidy.row(&format!("ATT(e={})", c["e"])).unwrap();
                close(row.estimate, c["estimate"].as_f64().unwrap(), 1e-8, &format!("{name} lead e={}", c["e"]));
                close(row.std_error, c["se"].as_f64().unwrap(), 1e-6, &format!("{name} lead se e={}", c["e"]));
            }
        }
        let test = fit.pretrend_test().unwrap();
        close(test.statistic, bjs["pretrend_test"]["f_stat"].as_f64().unwrap(), 1e-7, &format!("{name} pre-trend F"));
        close(test.p_value, bjs["pretrend_test"]["p_value"].as_f64().unwrap(), 1e-6, &format!("{name} pre-trend p"));
    }
}

#[test]
fn with_one_cohort_the_estimators_coincide() {
    // A single treated cohort (2004) and never-treated units: Sun–Abraham's cohort cells are the
    // TWFE event-study coefficients; and with a single pre-treatment period (2003) the imputed
    // counterfactual of a treated unit is its 2003 level plus the never-treated change, so the
    // imputation effect at each horizon equals Callaway–Sant'Anna's ATT(2004, t).
    let (df, cols) = data("mpdta");
    let one = df.lazy().filter(col("first_treat").eq(lit(0)).or(col("first_treat").eq(lit(2004)))).collect().unwrap();
    let twfe = study(cols, EventMethod::Twfe).fit(&one).unwrap().tidy();
    let sa = study(cols, EventMethod::SunAbraham).fit(&one).unwrap().tidy();
    let bjs = study(cols, EventMethod::Imputation).fit(&one).unwrap().tidy();
    let cs = phare_causal::did::CallawaySantAnna::new(cols[0], cols[1], cols[2])
        .cohort_column(cols[3], 0)
        .fit(&one)
        .unwrap()
        .tidy();
    for e in 0..=3 {
        let term = format!("ATT(e={e})");
        let (a, b, c) = (twfe.row(&term).unwrap(), sa.row(&term).unwrap(), bjs.row(&term).unwrap());
        assert!((a.estimate - b.estimate).abs() < 1e-10 && (a.std_error - b.std_error).abs() < 1e-10, "{term}");
        let d = cs.row(&format!("ATT(2004,{})", 2004 + e)).unwrap();
        assert!((c.estimate - d.estimate).abs() < 1e-10, "{term}: BJS {} vs CS {}", c.estimate, d.estimate);
    }
}

#[test]
fn robust_estimators_recover_the_simulated_effects_where_twfe_does_not() {
    // SIMULATED panel (true effects stored with it): the overall ATT over treated observations is
    // 1.2733; TWFE's static coefficient is far from it, the imputation estimate is not.
    let all = reference();
    let truth = all["datasets"]["simulated"]["true_effects"]["att_overall_obs_weighted"].as_f64().unwrap();
    let (df, cols) = data("simulated");
    let twfe = study(cols, EventMethod::Twfe).fit(&df).unwrap().tidy();
    let bjs = study(cols, EventMethod::Imputation).fit(&df).unwrap().tidy();
    let (t, b) = (twfe.row("ATT").unwrap(), bjs.row("ATT").unwrap());
    assert!((t.estimate - truth).abs() > 5.0 * t.std_error, "TWFE {} vs {truth}", t.estimate);
    assert!((b.estimate - truth).abs() < 3.0 * b.std_error, "BJS {} ± {} vs {truth}", b.estimate, b.std_error);
}

#[test]
fn bad_inputs_are_refused_with_reasons() {
    let (df, cols) = data("mpdta");
    let e = EventStudy::new(cols[0], cols[1], cols[2]).fit(&df).unwrap_err();
    assert!(e.to_string().contains("first treated"), "{e}");
    let e = study(cols, EventMethod::Twfe).window(2, -3).fit(&df).unwrap_err();
    assert!(e.to_string().contains("window"), "{e}");
    // Every unit treated in the first period: nothing to impute from.
    let early = df.clone().lazy().with_column(lit(2003i64).alias("first_treat")).collect().unwrap();
    assert!(study(cols, EventMethod::Imputation).fit(&early).is_err());
    // No never-treated units: Sun–Abraham uses the last cohort and says so.
    let treated = df.lazy().filter(col("first_treat").neq(lit(0))).collect().unwrap();
    let fit = study(cols, EventMethod::SunAbraham).fit(&treated).unwrap();
    assert!(fit.diagnostics().iter().any(|d| d.code == "last_cohort_as_control"));
}

#[test]
fn bacon_decomposition_matches_diff_diff_and_adds_up_to_twfe() {
    let all = reference();
    for name in ["mpdta", "simulated"] {
        let (df, cols) = data(name);
        let want = &all["datasets"][name]["results"]["bacon_decomposition"]["diff_diff"];
        let fit = phare_causal::did::Bacon::new(cols[0], cols[1], cols[2]).cohort_column(cols[3], 0).fit(&df).unwrap();
        let comps = want["comparisons"].as_array().unwrap();
        assert_eq!(fit.comparisons().len(), comps.len(), "{name}");
        for c in comps {
            let control = c["control_group"].as_i64();
            let got = fit
                .comparisons()
                .iter()
                .find(|g| {
                    g.treated == c["treated_group"].as_i64().unwrap()
                        && g.control == control
                        && g.kind.label() == c["type"]
                })
                .unwrap_or_else(|| panic!("{name}: {c}"));
            close(got.estimate, c["estimate"].as_f64().unwrap(), 1e-9, &format!("{name} {c}"));
            close(got.weight, c["weight"].as_f64().unwrap(), 1e-9, &format!("{name} weight {c}"));
            let w = c["time_window"].as_array().unwrap();
            assert_eq!(got.window, (w[0].as_i64().unwrap(), w[1].as_i64().unwrap()), "{name}: window");
        }
        // Identities: weights sum to one; the weighted sum is the TWFE coefficient.
        let total: f64 = fit.comparisons().iter().map(|c| c.weight).sum();
        assert!((total - 1.0).abs() < 1e-12, "{name}: weights sum to {total}");
        let twfe = study(cols, EventMethod::Twfe).fit(&df).unwrap().tidy().row("ATT").unwrap().estimate;
        assert!((fit.tidy().row("ATT").unwrap().estimate - twfe).abs() < 1e-12, "{name}: decomposition vs TWFE");
    }
}
