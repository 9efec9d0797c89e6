//! A first look at a staggered minimum-wage reform, from Rust.
//!
//! Data: the Callaway–Sant'Anna county panel bundled with phare (`mpdta`, real data). The example
//! builds the panel, shows who is treated when, the raw outcome trends by cohort, and a first
//! 2×2 difference-in-differences estimate with its summary.
//!
//! ```text
//! cargo run --example first_look
//! ```

use phare::data::describe::cohort_trends;
use phare::prelude::*;

fn main() -> Result<()> {
    let df = phare::datasets::load("mpdta")?;
    let panel = Panel::new(&df, "countyreal", "year")?.with_cohort_column(&df, "first_treat", 0)?;
    println!("{} counties × {} years, balanced: {}", panel.n_units(), panel.periods().len(), panel.is_balanced());
    for (cohort, n) in panel.cohort_sizes() {
        match cohort {
            Some(g) => println!("  {n:>3} counties first treated in {g}"),
            None => println!("  {n:>3} counties never treated"),
        }
    }

    println!("\n{}", cohort_trends(&df, &panel, "lemp")?.to_markdown());

    let fit = TwoByTwo::new("lemp", "countyreal", "year").cohort_column("first_treat", 0).fit(&df)?;
    println!("{}", fit.means().to_markdown());
    println!("{}", fit.summary());
    println!("as a polars frame:\n{}", fit.tidy().to_frame()?);
    Ok(())
}
