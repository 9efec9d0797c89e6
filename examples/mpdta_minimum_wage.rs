//! Minimum wage and teen employment: a staggered difference-in-differences, from the question to
//! the brief.
//!
//! Data: the county panel of Callaway and Sant'Anna (2021), bundled as `mpdta` (real data: 500 US
//! counties, 2003–2007; states raised their minimum wage in 2004, 2006 or 2007, or not at all).
//! The story: two-way fixed effects is what most evaluations would run first, but with
//! staggered adoption it compares later-treated counties with already-treated ones; Callaway and
//! Sant'Anna's estimator only makes clean comparisons. We look at the raw data, run both, check
//! the pre-trends, and hand the result over as a brief — the same brief `phare run
//! examples/studies/mpdta_minimum_wage.toml` writes.
//!
//! ```text
//! cargo run --example mpdta_minimum_wage            # writes out/mpdta-example/brief.html
//! cargo run --example mpdta_minimum_wage -- DIR     # or into DIR
//! ```

use phare::causal::did::{Aggregation, Bacon, CallawaySantAnna, EventMethod, EventStudy};
use phare::data::describe::cohort_trends;
use phare::prelude::*;
use phare::report::study;
use std::path::{Path, PathBuf};

fn main() -> Result<()> {
    let out: PathBuf = std::env::args().nth(1).map_or_else(|| PathBuf::from("out/mpdta-example"), PathBuf::from);
    let df = phare::datasets::load("mpdta")?;

    println!("1. The question: did raising the minimum wage reduce teen employment?\n");
    let panel = Panel::new(&df, "countyreal", "year")?.with_cohort_column(&df, "first_treat", 0)?;
    for (cohort, n) in panel.cohort_sizes() {
        match cohort {
            Some(g) => println!("   {n:>3} counties whose state first raised it in {g}"),
            None => println!("   {n:>3} counties where it did not change"),
        }
    }
    println!("\n2. The raw data: mean log teen employment by cohort and year\n");
    println!("{}", cohort_trends(&df, &panel, "lemp")?.to_markdown());

    println!("3. What two-way fixed effects says, and why it may mislead\n");
    let twfe = EventStudy::new("lemp", "countyreal", "year").cohort_column("first_treat", 0).fit(&df)?;
    let twfe_att = twfe.tidy().row("ATT").map(|r| r.estimate).unwrap_or(f64::NAN);
    println!("   TWFE: {twfe_att:.4}");
    let bacon = Bacon::new("lemp", "countyreal", "year").cohort_column("first_treat", 0).fit(&df)?;
    for c in bacon.comparisons() {
        println!(
            "   {:<40} weight {:.3}  estimate {:+.4}",
            format!("{} vs {}", c.treated, c.control.map_or("never treated".into(), |g| g.to_string())),
            c.weight,
            c.estimate
        );
    }
    println!("   (the TWFE number averages these 2×2 comparisons, some of which use treated counties as controls)\n");

    println!("4. Clean comparisons: Callaway–Sant'Anna and Sun–Abraham\n");
    let cs = CallawaySantAnna::new("lemp", "countyreal", "year").cohort_column("first_treat", 0).fit(&df)?;
    let simple = cs.aggregate(&Aggregation::Simple)?;
    println!("{}", simple.summary());
    let sa = EventStudy::new("lemp", "countyreal", "year")
        .cohort_column("first_treat", 0)
        .method(EventMethod::SunAbraham)
        .fit(&df)?;
    let sa_att = sa.tidy().row("ATT").map(|r| r.estimate).unwrap_or(f64::NAN);
    println!("   Sun–Abraham overall: {sa_att:.4}");
    if let Some(p) = cs.pretrend_test() {
        let slope = p.detectable_slope.map_or("none".into(), |s| format!("{s:.4} per year"));
        println!("   pre-trend test: p = {:.3}; a linear pre-trend it detects with 80% power: {slope}\n", p.p_value);
    }

    println!("5. The brief, from the study file that records every choice above\n");
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/studies/mpdta_minimum_wage.toml");
    let run = study::run_file(&spec)?;
    let files = run.write(&out)?;
    println!("   {}", run.brief.answer());
    println!("   wrote {} files to {}; open {}", files.len(), out.display(), out.join("brief.html").display());
    Ok(())
}
