//! GENERATED from examples/notebooks/synth_prop99.ipynb by tests/notebooks.rs: do not edit by hand.
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
fn synth_prop99() -> Result<(), Box<dyn std::error::Error>> {
    // cell 2
    use phare::prelude::*;
    use phare::causal::synth::{SdidMethod, SdidVariance, SyntheticControl, SyntheticDid};
    use phare::report::chart::{GapChart, SynthPathChart, WeightsChart};
    // cell 3
    let df = phare::datasets::load("prop99")?;
    show(&(df));
    // cell 5
    let fits: Vec<_> = [SdidMethod::Sdid, SdidMethod::Sc, SdidMethod::Did]
        .into_iter()
        .map(|m| SyntheticDid::new("cigsale", "state", "year").treated("California", 1989).method(m).seed(Seed(20261129)).fit(&df))
        .collect::<Result<_, _>>()?;
    let table = RegressionTable::new()
        .model("Synthetic DiD", &fits[0])
        .model("Synthetic control", &fits[1])
        .model("DiD", &fits[2]);
    show(&(table));
    // cell 7
    let donors = WeightsChart::new(fits[0].unit_weights()).title("Synthetic DiD: donor weights");
    show(&(donors));
    // cell 8
    let years = WeightsChart::new(fits[0].time_weights().into_iter().map(|(y, w)| (y.to_string(), w)).collect())
        .sort(false)
        .top(usize::MAX)
        .item_names("year", "years")
        .title("Synthetic DiD: time weights");
    show(&(years));
    // cell 10
    let sc = SyntheticControl::new("cigsale", "state", "year").treated("California", 1989).fit(&df)?;
    show(&(sc));
    // cell 11
    let paths = SynthPathChart::new(sc.treated_path(), sc.synthetic_path())
        .treatment_start(1989)
        .title("Cigarette sales per capita: California and its synthetic control");
    show(&(paths));
    // cell 12
    let placebo = sc.placebo_test().expect("run with the fit").clone();
    println!("permutation p-value {:.3}; excluding placebos fitting 2× worse: {:.3}", placebo.p_value, placebo.p_value_excluding(Some(2.0)));
    let gaps = GapChart::new(sc.gaps())
        .placebos(placebo.units.iter().map(|u| placebo.periods.iter().copied().zip(u.gaps.iter().copied()).collect()).collect())
        .treatment_start(1989)
        .title("Gap: California against 38 placebo states");
    show(&(gaps));
    // cell 14
    let spec = phare::report::study::StudySpec::from_toml(r#"
    title = "California's tobacco control programme and cigarette sales"
    policy = "California's tobacco control programme (Proposition 99)"
    [data]
    dataset = "prop99"
    [roles]
    outcome = "cigsale"
    outcome_label = "cigarette sales (packs per capita)"
    unit = "state"
    time = "year"
    treated = ["California"]
    treat_start = 1989
    [[estimators]]
    method = "sdid"
    [[estimators]]
    method = "sc"
    [[estimators]]
    method = "did"
    [inference]
    seed = 20261129
    "#, std::path::Path::new("inline study"))?;
    let brief = phare::report::study::run(&spec, std::path::Path::new("."), "notebook")?.brief;
    show(&(brief));
    Ok(())
}
