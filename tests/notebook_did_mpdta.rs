//! GENERATED from examples/notebooks/did_mpdta.ipynb by tests/notebooks.rs: do not edit by hand.
//! Regenerate with `PHARE_UPDATE_TWINS=1 cargo test --test notebooks`.
#![allow(unused_imports, unused_variables, clippy::all)]

/// What evcxr does with a cell's last value: display it through `Notebook`.
#[rustfmt::skip]
fn show<T: phare::prelude::Notebook + ?Sized>(value: &T) {
    let out = value.evcxr_content();
    assert!(out.starts_with("EVCXR_BEGIN_CONTENT text/plain\n"), "{out}");
    assert!(out.contains("EVCXR_BEGIN_CONTENT text/html\n"), "{out}");
}

#[test]
#[rustfmt::skip]
fn did_mpdta() -> Result<(), Box<dyn std::error::Error>> {
    // cell 2
    use phare::prelude::*;
    use phare::causal::did::{Aggregation, CallawaySantAnna, EventMethod, EventStudy};
    use phare::report::chart::EventStudyChart;
    // cell 3
    let df = phare::datasets::load("mpdta")?;
    let panel = Panel::new(&df, "countyreal", "year")?.with_cohort_column(&df, "first_treat", 0)?;
    for (cohort, n) in panel.cohort_sizes() {
        println!("{:>16}: {n} counties", cohort.map_or("never treated".to_string(), |g| format!("first treated {g}")));
    }
    // cell 5
    let twfe = EventStudy::new("lemp", "countyreal", "year").cohort_column("first_treat", 0).fit(&df)?;
    show(&(twfe));
    // cell 7
    let cs = CallawaySantAnna::new("lemp", "countyreal", "year")
        .cohort_column("first_treat", 0)
        .bootstrap(999, Seed(20261129))
        .fit(&df)?;
    let dynamic = cs.aggregate(&Aggregation::dynamic())?;
    show(&(dynamic));
    // cell 9
    let sa = EventStudy::new("lemp", "countyreal", "year")
        .cohort_column("first_treat", 0)
        .method(EventMethod::SunAbraham)
        .fit(&df)?;
    show(&(sa));
    // cell 11
    let table = RegressionTable::new()
        .model("TWFE", &twfe)
        .model("Callaway–Sant'Anna", &dynamic)
        .model("Sun–Abraham", &sa)
        .order(&["ATT"]);
    show(&(table));
    // cell 13
    let crit = dynamic.uniform_critical_value();
    let points = dynamic.tidy().rows.iter().filter_map(|r| {
        let e = r.rel_period?.0;
        let p = phare::report::chart::EventStudyPoint::new(e, r.estimate, r.conf_low, r.conf_high);
        Some(match crit { Some(c) => p.with_band(r.estimate - c * r.std_error, r.estimate + c * r.std_error), None => p })
    }).collect();
    let chart = EventStudyChart::new(points).title("Callaway–Sant'Anna, by years since the increase");
    show(&(chart));
    // cell 15
    let spec = phare::report::study::StudySpec::from_toml(r#"
    title = "Did minimum-wage increases reduce teen employment?"
    policy = "Raising the state minimum wage"
    [data]
    dataset = "mpdta"
    [roles]
    outcome = "lemp"
    outcome_label = "teen employment"
    outcome_scale = "log"
    unit = "countyreal"
    time = "year"
    cohort = "first_treat"
    [[estimators]]
    method = "cs"
    [[estimators]]
    method = "sa"
    [[estimators]]
    method = "twfe"
    [inference]
    bootstrap = 999
    seed = 20261129
    "#, std::path::Path::new("inline study"))?;
    let brief = phare::report::study::run(&spec, std::path::Path::new("."), "notebook")?.brief;
    show(&(brief));
    Ok(())
}
