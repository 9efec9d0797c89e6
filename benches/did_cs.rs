//! Bench: Callaway–Sant'Anna on a SIMULATED staggered panel (units × 20 periods; cohorts first
//! treated in periods 6, 10, 14 or never; true effect 1 + 0.1·e after treatment), the group-time
//! effects plus the dynamic aggregation, optionally with the multiplier bootstrap. Used by
//! `benches/compare/did.sh` for the side-by-side with csdid.
//!
//! ```text
//! cargo bench --profile dev --bench did_cs -- --units 5000 --write panel.parquet
//! cargo bench --profile dev --bench did_cs -- --read panel.parquet [--bootstrap 999]
//! ```
//!
//! Prints `phare,units,bootstrap,fit_s,peak_rss_mib,att_dynamic,se_dynamic`.

use phare_causal::did::{Aggregation, CallawaySantAnna};
use phare_core::{Estimates, Seed, SimRng};
use phare_data::polars::prelude::*;
use std::time::Instant;

#[path = "common/mod.rs"]
mod common;
use common::{arg, peak_rss_mib};

fn generate(units: usize) -> DataFrame {
    let periods = 20i64;
    let mut rng = SimRng::new(20_261_129);
    let lambda: Vec<f64> = (0..periods).map(|t| 0.05 * t as f64 + 0.2 * rng.normal()).collect();
    let (mut id, mut time, mut first, mut y) = (vec![], vec![], vec![], vec![]);
    for u in 0..units {
        let g = [0i64, 6, 10, 14][rng.below(4) as usize];
        let alpha = rng.normal();
        for t in 1..=periods {
            let tau = if g > 0 && t >= g { 1.0 + 0.1 * (t - g) as f64 } else { 0.0 };
            id.push(u as i64);
            time.push(t);
            first.push(g);
            y.push(alpha + lambda[(t - 1) as usize] + tau + rng.normal());
        }
    }
    df!("id" => id, "t" => time, "g" => first, "y" => y).expect("frame")
}

fn main() {
    let df = match arg("--read") {
        Some(path) => ParquetReader::new(std::fs::File::open(&path).expect("open")).finish().expect("read parquet"),
        None => {
            let units: usize = arg("--units").and_then(|r| r.parse().ok()).unwrap_or(500);
            let mut df = generate(units);
            if let Some(path) = arg("--write") {
                ParquetWriter::new(std::fs::File::create(&path).expect("create")).finish(&mut df).expect("write");
            }
            df
        }
    };
    let draws: usize = arg("--bootstrap").and_then(|b| b.parse().ok()).unwrap_or(0);
    let t = Instant::now();
    let mut model = CallawaySantAnna::new("y", "id", "t").cohort_column("g", 0);
    if draws > 0 {
        model = model.bootstrap(draws, Seed(1));
    }
    let fit = model.fit(&df).expect("fit");
    let dynamic = fit.aggregate(&Aggregation::dynamic()).expect("aggregate");
    let secs = t.elapsed().as_secs_f64();
    let overall = dynamic.tidy().rows[0].clone();
    println!(
        "phare,{},{draws},{secs:.3},{:.0},{:.6},{:.6}",
        fit.n_units(),
        peak_rss_mib(),
        overall.estimate,
        overall.std_error
    );
}
