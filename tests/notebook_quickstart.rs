//! GENERATED from examples/notebooks/quickstart.ipynb by tests/notebooks.rs: do not edit by hand.
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
fn quickstart() -> Result<(), Box<dyn std::error::Error>> {
    // cell 2
    use phare::prelude::*;
    use phare::report::chart::CoefficientChart;
    // cell 4
    let df = phare::datasets::load("wagepan")?;
    show(&(df));
    // cell 6
    let description = describe(&df, Some(("nr", "year")))?;
    println!("{}", description.to_text());
    // cell 8
    let fit = phare::models::Feols::new("lwage ~ union + married + expersq | nr + year")?
        .vcov(phare::models::VcovSpec::Crv1(vec!["nr".into()]))
        .fit(&df)?;
    show(&(fit));
    // cell 10
    let chart = CoefficientChart::new(vec![]).with_tidy("two-way fixed effects", &fit.tidy()).title("Wage premia (log points)");
    show(&(chart));
    Ok(())
}
