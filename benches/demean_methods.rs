//! Bench: the three ways phare absorbs two fixed effects — plain alternating projections,
//! Irons–Tuck-accelerated ones and preconditioned conjugate gradients (a Krylov solver, the
//! default) — on SIMULATED unbalanced data where the difference
//! matters: workers × firms, most workers staying in one firm (a weakly connected graph, the slow
//! case for alternating projections), and on a balanced individual × year panel (the easy case).
//!
//! ```text
//! cargo bench --profile dev --bench demean_methods -- [--rows 1000000]
//! ```
//!
//! Prints, for each data shape and method, the sweeps (or CG iterations, each about one sweep's
//! work) needed, the wall time, and the largest difference from the plain method's result (all
//! converge to the same projection).

use phare_core::SimRng;
use phare_stats::demean::{DemeanMethod, DemeanOptions, FixedEffects};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: usize = args
        .iter()
        .position(|a| a == "--rows")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    let mut rng = SimRng::new(7);
    let per_worker = 5;
    let n_workers = rows / per_worker;
    let n_firms = (n_workers / 50).max(2);
    // Workers keep their home firm except with probability 0.05 per year.
    let workers: Vec<u32> = (0..rows).map(|i| (i / per_worker) as u32).collect();
    let firms: Vec<u32> = workers
        .iter()
        .map(|&w| if rng.uniform() < 0.05 { rng.below(n_firms as u64) as u32 } else { w % n_firms as u32 })
        .collect();
    let years: Vec<u32> = (0..rows).map(|i| (i % per_worker) as u32).collect();
    let v0: Vec<f64> = (0..rows).map(|_| rng.normal()).collect();
    println!("SIMULATED data, {rows} rows\n");
    println!("| data | method | sweeps | time (s) | max |difference| |");
    println!("|---|---|---:|---:|---:|");
    for (label, fe) in [
        (
            format!("workers ({n_workers}) × firms ({n_firms}), 5 % movers"),
            FixedEffects::new(vec![workers.clone(), firms], vec![n_workers, n_firms], None),
        ),
        (
            format!("individuals ({n_workers}) × years (5), balanced"),
            FixedEffects::new(vec![workers, years], vec![n_workers, per_worker], None),
        ),
    ] {
        let mut results = Vec::new();
        for (method, name) in [
            (DemeanMethod::Plain, "plain alternating projections"),
            (DemeanMethod::IronsTuck, "Irons–Tuck accelerated"),
            (DemeanMethod::ConjugateGradient, "conjugate gradients (default)"),
        ] {
            let mut v = v0.clone();
            let t = Instant::now();
            let sweeps = fe.demean(&mut v, &DemeanOptions { method, ..DemeanOptions::default() }).expect("converges");
            results.push((name, sweeps, t.elapsed().as_secs_f64(), v));
        }
        for (name, sweeps, secs, v) in &results {
            let diff = results[0].3.iter().zip(v).map(|(a, b)| (a - b).abs()).fold(0.0f64, f64::max);
            println!("| {label} | {name} | {sweeps} | {secs:.3} | {diff:.1e} |");
        }
    }
}
