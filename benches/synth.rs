//! Bench: synthetic control estimators WITH their placebo inference, on the bundled `prop99` data
//! (California from 1989, 38 donors × 31 years) or on a SIMULATED panel (donors × periods, one
//! treated unit; factor model `y = α_i + β_t + γ_i f_t + ε` with a true effect of −5 from the
//! treatment start on). Used by `benches/compare/synth.sh` for the side-by-side with synthdid
//! (Python port of the R package) and pysyncon.
//!
//! ```text
//! cargo bench --profile dev --bench synth -- --donors 1000 --periods 40 --write panel.parquet
//! cargo bench --profile dev --bench synth -- --read panel.parquet --method sdid [--replications 200] [--repeat 3]
//! cargo bench --profile dev --bench synth -- --prop99 --method sc [--repeat 3]
//! ```
//!
//! - `--method sdid`: [`SyntheticDid`] (sdid weights) with the placebo standard error over
//!   `--replications` (default 200) replicates; the last column is the standard error.
//! - `--method sc`: [`SyntheticControl`] (Abadie–Diamond–Hainmueller; every pre-period outcome a
//!   predictor, equal V) with the placebo-in-space test over every donor; the last column is the
//!   permutation p-value.
//!
//! Prints `phare,dataset,method,fit_s,first_s,peak_rss_mib,att,se_or_p,note`: `fit_s` is the
//! median time over `--repeat` fits in this process, `first_s` the first fit's (which also pays the
//! process's one-off set-up, such as starting the thread pool); `note` records the inference run.
//!
//! The simulated panel has columns `unit` (text: donors `u0000`…, the treated unit last, e.g.
//! `u1000` for 1,000 donors), `time` (1…T), `y` and `d` (1 for the treated unit from the start on).
//! The start is `--start` (default `T − 9`, i.e. period 31 of 40).

use phare_causal::synth::{SdidMethod, SdidVariance, SyntheticControl, SyntheticDid};
use phare_core::{Seed, SimRng};
use phare_data::polars::prelude::*;
use std::time::Instant;

#[path = "common/mod.rs"]
mod common;
use common::{arg, peak_rss_mib};

fn generate(donors: usize, periods: i64, start: i64) -> DataFrame {
    let mut rng = SimRng::new(20_261_202);
    let beta: Vec<f64> = (0..periods).map(|t| 0.1 * t as f64 + 0.5 * rng.normal()).collect();
    let mut f = Vec::with_capacity(periods as usize);
    let mut level = 0.0;
    for _ in 0..periods {
        level += rng.normal();
        f.push(level);
    }
    let n = donors + 1;
    let cap = n * periods as usize;
    let (mut unit, mut time, mut y, mut d) =
        (Vec::with_capacity(cap), Vec::with_capacity(cap), Vec::with_capacity(cap), Vec::with_capacity(cap));
    for i in 0..n {
        let treated = i == donors;
        // The treated unit sits in the middle of the donors' distribution (α = 10, γ = 1).
        let (alpha, gamma) = if treated { (10.0, 1.0) } else { (10.0 + 2.0 * rng.normal(), 1.0 + 0.5 * rng.normal()) };
        let id = format!("u{i:04}");
        for t in 1..=periods {
            let on = treated && t >= start;
            let k = (t - 1) as usize;
            unit.push(id.clone());
            time.push(t);
            y.push(alpha + beta[k] + gamma * f[k] + rng.normal() + if on { -5.0 } else { 0.0 });
            d.push(i32::from(on));
        }
    }
    df!("unit" => unit, "time" => time, "y" => y, "d" => d).expect("frame")
}

fn main() {
    let method = arg("--method").unwrap_or_else(|| "sdid".into());
    let repeat: usize = arg("--repeat").and_then(|r| r.parse().ok()).unwrap_or(1).max(1);
    let replications: usize = arg("--replications").and_then(|r| r.parse().ok()).unwrap_or(200);
    let prop99 = std::env::args().any(|a| a == "--prop99");
    // (frame, outcome, unit, time, treated unit, start, dataset label)
    let (df, outcome, unit, time, treated, start, dataset) = if prop99 {
        let df = phare_data::load_dataset("prop99").expect("prop99");
        (df, "cigsale", "state", "year", "California".to_string(), 1989, "prop99".to_string())
    } else {
        let df = match arg("--read") {
            Some(path) => ParquetReader::new(std::fs::File::open(&path).expect("open")).finish().expect("read parquet"),
            None => {
                let donors: usize = arg("--donors").and_then(|r| r.parse().ok()).unwrap_or(1000);
                let periods: i64 = arg("--periods").and_then(|r| r.parse().ok()).unwrap_or(40);
                let start: i64 = arg("--start").and_then(|r| r.parse().ok()).unwrap_or(periods - 9);
                let mut df = generate(donors, periods, start);
                if let Some(path) = arg("--write") {
                    ParquetWriter::new(std::fs::File::create(&path).expect("create")).finish(&mut df).expect("write");
                    return;
                }
                df
            }
        };
        // Recover the design from the frame: the treated unit and start from the `d` column.
        let d = df.column("d").expect("d").cast(&DataType::Int32).expect("cast");
        let d = d.i32().expect("i32");
        let units = df.column("unit").expect("unit");
        let units = units.str().expect("unit is text");
        let times = df.column("time").expect("time").cast(&DataType::Int64).expect("cast");
        let times = times.i64().expect("i64");
        let mut treated = None;
        let mut start = i64::MAX;
        for i in 0..df.height() {
            if d.get(i) == Some(1) {
                treated = units.get(i).map(str::to_string);
                start = start.min(times.get(i).expect("time"));
            }
        }
        let treated = treated.expect("a treated unit (d = 1)");
        let n_units = units.n_unique().expect("units");
        let n_periods = times.n_unique().expect("periods");
        let label = format!("sim{}x{}", n_units - 1, n_periods);
        (df, "y", "unit", "time", treated, start, label)
    };

    let mut times = Vec::with_capacity(repeat);
    let mut last = (f64::NAN, f64::NAN, String::new());
    for _ in 0..repeat {
        let t = Instant::now();
        last = match method.as_str() {
            "sdid" => {
                let fit = SyntheticDid::new(outcome, unit, time)
                    .treated(&treated, start)
                    .method(SdidMethod::Sdid)
                    .variance(SdidVariance::Placebo)
                    .replications(replications)
                    .seed(Seed(1))
                    .fit(&df)
                    .expect("sdid fit");
                (fit.att(), fit.std_error(), format!("placebo se: {replications} replications"))
            }
            "sc" => {
                let fit = SyntheticControl::new(outcome, unit, time)
                    .treated(&treated, start)
                    .placebo(true)
                    .fit(&df)
                    .expect("sc fit");
                let test = fit.placebo_test().expect("placebo test");
                (fit.att(), test.p_value, format!("placebo-in-space p: all {} donors", test.units.len()))
            }
            other => panic!("--method must be sdid or sc, not {other}"),
        };
        times.push(t.elapsed().as_secs_f64());
    }
    let first = times[0];
    times.sort_by(f64::total_cmp);
    let secs = times[times.len() / 2];
    let (att, se_or_p, note) = last;
    println!("phare,{dataset},{method},{secs:.3},{first:.3},{:.0},{att:.6},{se_or_p:.6},{note}", peak_rss_mib());
}
