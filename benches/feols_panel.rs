//! Bench: two-way fixed-effects regression on a generated panel, phare's side of
//! `benches/compare/feols.sh` (which runs pyfixest on the same file in the same run).
//!
//! SIMULATED data: individuals × years (10 years), y = 0.5·x1 − 0.25·x2 + α_i + γ_t + noise, so the
//! true slopes are 0.5 and −0.25. The model is `y ~ x1 + x2 | indiv + year` with standard errors
//! clustered by individual (CRV1).
//!
//! ```text
//! cargo bench --profile dev --bench feols_panel -- --rows 1000000 [--write panel.parquet] [--read panel.parquet]
//! ```
//!
//! With `--write`, the generated panel is saved as Parquet (for the peer to read); with `--read`, an
//! existing file is used instead of generating one. Reported: time to read, time to fit, peak RSS.

use phare_core::{Estimates, SimRng};
use phare_data::polars::prelude::*;
use phare_models::{Feols, VcovSpec};
use std::time::Instant;

#[path = "common/mod.rs"]
mod common;
use common::{arg, peak_rss_mib};

fn generate(rows: usize) -> DataFrame {
    let years = 10;
    let n_indiv = rows.div_ceil(years);
    let mut rng = SimRng::new(20_261_129);
    let alpha: Vec<f64> = (0..n_indiv).map(|_| rng.normal()).collect();
    let (mut indiv, mut year, mut x1, mut x2, mut y) = (vec![], vec![], vec![], vec![], vec![]);
    for (i, &alpha_i) in alpha.iter().enumerate() {
        for t in 0..years {
            if indiv.len() == rows {
                break;
            }
            let a = rng.normal() + 0.5 * alpha_i;
            let b = rng.normal() + 0.1 * t as f64;
            indiv.push(i as i64);
            year.push(2010 + t as i64);
            x1.push(a);
            x2.push(b);
            y.push(0.5 * a - 0.25 * b + alpha_i + 0.05 * t as f64 + rng.normal());
        }
    }
    df! { "indiv" => indiv, "year" => year, "x1" => x1, "x2" => x2, "y" => y }.expect("frame")
}

fn main() {
    let t0 = Instant::now();
    let df = match arg("--read") {
        Some(path) => {
            let file = std::fs::File::open(&path).expect("open");
            ParquetReader::new(file).finish().expect("read parquet")
        }
        None => {
            let rows: usize = arg("--rows").and_then(|r| r.replace('_', "").parse().ok()).unwrap_or(1_000_000);
            let mut df = generate(rows);
            if let Some(path) = arg("--write") {
                let file = std::fs::File::create(&path).expect("create");
                ParquetWriter::new(file).finish(&mut df).expect("write parquet");
            }
            df
        }
    };
    let load = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let fit = Feols::new("y ~ x1 + x2 | indiv + year")
        .expect("formula")
        .vcov(VcovSpec::Crv1(vec!["indiv".into()]))
        .fit(&df)
        .expect("fit");
    let secs = t1.elapsed().as_secs_f64();
    let x1 = fit.tidy().row("x1").cloned().expect("x1");
    println!(
        "phare,{},{load:.3},{secs:.3},{:.0},{:.10},{:.10}",
        df.height(),
        peak_rss_mib(),
        x1.estimate,
        x1.std_error
    );
}
