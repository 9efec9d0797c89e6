//! Bench: Callaway–Sant'Anna on a SIMULATED staggered panel (units × 20 periods; cohorts first
//! treated in periods 6, 10, 14 or never; true effect 1 + 0.1·e after treatment), the group-time
//! effects plus the dynamic aggregation, optionally with the multiplier bootstrap. Used by
//! `benches/compare/did.sh` for the side-by-side with csdid.
//!
//! ```text
//! cargo bench --profile dev --bench did_cs -- --units 5000 --write panel.parquet
//! cargo bench --profile dev --bench did_cs -- --read panel.parquet [--bootstrap 999] [--repeat 5]
//! ```
//!
//! Prints `phare,units,bootstrap,fit_s,first_s,peak_rss_mib,att_dynamic,se_dynamic`: `fit_s` is the
//! median time over `--repeat` calls in this process, `first_s` the first call's (which also pays
//! the process's one-off set-up, such as starting the thread pools).

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
    let repeat: usize = arg("--repeat").and_then(|r| r.parse().ok()).unwrap_or(1).max(1);
    let mut times = Vec::with_capacity(repeat);
    let mut last = None;
    for _ in 0..repeat {
        let t = Instant::now();
        let mut model = CallawaySantAnna::new("y", "id", "t").cohort_column("g", 0);
        if draws > 0 {
            model = model.bootstrap(draws, Seed(1));
        }
        let fit = model.fit(&df).expect("fit");
        let dynamic = fit.aggregate(&Aggregation::dynamic()).expect("aggregate");
        times.push(t.elapsed().as_secs_f64());
        last = Some((fit.n_units(), dynamic));
    }
    let first = times[0];
    times.sort_by(f64::total_cmp);
    let secs = times[times.len() / 2];
    let (units, dynamic) = last.expect("at least one run");
    let overall = dynamic.tidy().rows[0].clone();
    println!(
        "phare,{units},{draws},{secs:.3},{first:.3},{:.0},{:.6},{:.6}",
        peak_rss_mib(),
        overall.estimate,
        overall.std_error
    );
}
