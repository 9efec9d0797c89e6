//! Bench: the selection-on-observables weighting estimators — IPW (normalised weights), regression
//! adjustment and augmented IPW, ATE or ATT — each a full `Weighting::fit`: reading the columns
//! out of the frame, the logistic propensity score, the per-arm outcome models, the estimate and
//! its influence-function standard error (plus what `fit` always returns: weights, overlap
//! diagnostics, balance table, effective sample sizes). Used by `benches/compare/weighting.sh` for
//! the side-by-side with statsmodels' `TreatmentEffect` (BSD-3-Clause).
//!
//! ```text
//! cargo bench --profile dev --bench weighting -- --read sim.csv [--case sim10000] [--estimator ipw|ra|aipw|all] [--estimand ate|att] [--repeat 5]
//! cargo bench --profile dev --bench weighting -- --n 100000 [--estimator all] [--repeat 5]
//! ```
//!
//! The CSVs are written by `benches/compare/weighting_peers.py write N PATH` with THE generator of
//! the weighting design, `simulate(n, seed = 20261129 + n)` of
//! `crates/phare-causal/tests/reference/weighting_timing.py` (SIMULATED: x1, x2, x3 ~ N(0, 1),
//! x4 ~ Bernoulli(0.4), x5 ~ U(0, 2), logistic propensity, linear outcome with the heterogeneous
//! effect `2 + x1 + 0.5·x4`; population ATE 2.2), columns `y, treat, x1…x5`, so both tools read
//! identical numbers: the line ends with a fingerprint of the seven columns as read
//! (`Σⱼ bits(vⱼ)·(2j + 1) mod 2⁶⁴`, j running over the columns y, treat, x1…x5 stacked in that
//! order, each cast to f64, missing values as 0.0) that the Python side computes too.
//! Without `--read`, `--n N` draws a frame from the same distributions in Rust (`SimRng`, so not
//! the same numbers as numpy's) for a stand-alone run.
//!
//! Prints, per estimator,
//! `phare,case,n,estimator,estimand,variant,best_s,median_s,first_s,runs,peak_rss_mib,estimate,se,fp`
//! (`variant` is `fit`): times over `--repeat` fits in this process (reading excluded), `first_s`
//! the first fit's (which also pays one-off set-up such as starting the thread pool); the estimate
//! and standard error in full (shortest representation that reads back to the same double).
//! Peak RSS is the process's VmHWM, which includes the frame as read: run one estimator per process
//! for a per-estimator figure.
//!
//! `--steps` adds `#`-lines with a rough breakdown, each part timed on its own (median of
//! `--repeat`), with the public pieces `fit` is built from: the matrix extraction
//! (`DesignMatrix::from_frame`, the seven columns), the logistic propensity score alone
//! (`phare_stats::logit::logit` on `[1, standardised x1…x5]`, with its Newton iterations), one
//! information matrix `XᵀWX` by `phare_stats::linalg::crossprod` (one per Newton iteration, plus
//! one at the end) against the same 21 sums taken over blocks of 4,096 rows (cache-resident), and the
//! balance table (`weighting::balance` with the fit's weights, its own matrix extraction included).

use phare_causal::weighting::{Estimand, Weighting, WeightingEstimator, balance};
use phare_core::SimRng;
use phare_data::matrix::{DesignMatrix, MissingPolicy};
use phare_data::polars::prelude::*;
use std::path::Path;
use std::time::Instant;

#[path = "common/mod.rs"]
mod common;
use common::{arg, peak_rss_mib};

const COLUMNS: [&str; 7] = ["y", "treat", "x1", "x2", "x3", "x4", "x5"];
const COVARIATES: [&str; 5] = ["x1", "x2", "x3", "x4", "x5"];

/// `Σⱼ bits(vⱼ)·(2j + 1) mod 2⁶⁴` over the columns stacked in `COLUMNS` order, as f64, missing
/// values counted as 0.0.
fn fingerprint(df: &DataFrame) -> u64 {
    let mut acc = 0u64;
    let mut j = 0u64;
    for name in COLUMNS {
        let col = df.column(name).expect("column").cast(&DataType::Float64).expect("numeric column");
        for v in col.f64().expect("f64").iter() {
            acc = acc.wrapping_add(v.unwrap_or(0.0).to_bits().wrapping_mul(2 * j + 1));
            j += 1;
        }
    }
    acc
}

/// The design of `weighting_timing.py::simulate`, drawn with phare's `SimRng` (same formulas,
/// different random numbers).
fn generate(n: usize, seed: u64) -> DataFrame {
    let mut rng = SimRng::new(seed);
    let mut draw = |f: &mut dyn FnMut(&mut SimRng) -> f64| -> Vec<f64> { (0..n).map(|_| f(&mut rng)).collect() };
    let x1 = draw(&mut |r| r.normal());
    let x2 = draw(&mut |r| r.normal());
    let x3 = draw(&mut |r| r.normal());
    let x4 = draw(&mut |r| f64::from(u8::from(r.uniform() < 0.4)));
    let x5 = draw(&mut |r| 2.0 * r.uniform());
    let u = draw(&mut |r| r.uniform());
    let e = draw(&mut |r| r.normal());
    let mut d = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let lin = -0.3 + 0.6 * x1[i] - 0.4 * x2[i] + 0.3 * x3[i] + 0.5 * x4[i] - 0.25 * x5[i];
        let p = 1.0 / (1.0 + (-lin).exp());
        let t = i64::from(u[i] < p);
        let y0 = 1.0 + x1[i] + 0.5 * x2[i] - 0.5 * x3[i] + 0.8 * x4[i] + 0.3 * x5[i] + e[i];
        let tau = 2.0 + x1[i] + 0.5 * x4[i];
        d.push(t);
        y.push(y0 + t as f64 * tau);
    }
    df!("y" => y, "treat" => d, "x1" => x1, "x2" => x2, "x3" => x3, "x4" => x4, "x5" => x5).expect("frame")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs `f` `repeat` times; returns the median wall time and the last result.
fn timed<T>(repeat: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::with_capacity(repeat);
    let mut last = None;
    for _ in 0..repeat {
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed().as_secs_f64());
        last = Some(out);
    }
    (median(times), last.expect("at least one run"))
}

/// `XᵀWX` (k × k, row-major) of a column-major design, the rows in blocks of 4,096 so that each
/// block's k + 1 column slices (200 KiB for k = 6) stay in cache while the k(k+1)/2 products are
/// summed; block sums are then added (a different summation order from `crossprod`, same sums).
fn crossprod_blocked(x: &[f64], n: usize, k: usize, w: &[f64]) -> Vec<f64> {
    const BLOCK: usize = 4096;
    let mut out = vec![0.0; k * k];
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        let wb = &w[start..end];
        for a in 0..k {
            let xa = &x[a * n + start..a * n + end];
            for b in 0..=a {
                let xb = &x[b * n + start..b * n + end];
                out[a * k + b] += xa.iter().zip(xb).zip(wb).map(|((p, q), w)| p * q * w).sum::<f64>();
            }
        }
        start = end;
    }
    for a in 0..k {
        for b in 0..a {
            out[b * k + a] = out[a * k + b];
        }
    }
    out
}

/// The `--steps` breakdown (see the module docs).
fn steps(df: &DataFrame, repeat: usize) {
    let (t, m) = timed(repeat, || DesignMatrix::from_frame(df, &COLUMNS, MissingPolicy::Drop).expect("matrix"));
    println!("# steps: DesignMatrix::from_frame (7 columns): {t:.4} s");
    let n = m.nrows();
    let k = COVARIATES.len() + 1;
    let mut x = vec![1.0; n];
    for j in 2..COLUMNS.len() {
        let v = m.column(j);
        let mean = v.iter().sum::<f64>() / n as f64;
        let sd = (v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        x.extend(v.iter().map(|a| (a - mean) / sd));
    }
    let yd = m.column(1).to_vec();
    let (t, fit) = timed(repeat, || phare_stats::logit::logit(&x, n, k, &yd, None).expect("logit"));
    println!("# steps: logit propensity score alone: {t:.4} s, {} Newton iterations", fit.iterations);
    let w: Vec<f64> = fit.fitted.iter().map(|p| p * (1.0 - p)).collect();
    let (t, a) = timed(repeat, || phare_stats::linalg::crossprod(&x, n, k, Some(&w)));
    let (t2, b) = timed(repeat, || crossprod_blocked(&x, n, k, &w));
    let diff = a.iter().zip(&b).map(|(a, b)| ((a - b) / a.abs().max(1e-300)).abs()).fold(0.0, f64::max);
    println!(
        "# steps: one X'WX ({k} columns): linalg::crossprod {t:.4} s, the same sums over blocks of 4,096 rows {t2:.4} s (largest relative difference {diff:.1e})"
    );
    let model = Weighting::new("y", "treat", &COVARIATES).estimator(WeightingEstimator::Ipw);
    let wfit = model.fit(df).expect("fit");
    let (t, _) = timed(repeat, || balance(df, "treat", &COVARIATES, Some(wfit.weights())).expect("balance"));
    println!("# steps: weighting::balance with the IPW ATE weights (own matrix extraction included): {t:.4} s");
}

fn main() {
    let repeat: usize = arg("--repeat").and_then(|r| r.parse().ok()).unwrap_or(1).max(1);
    let estimand = match arg("--estimand").as_deref().unwrap_or("ate") {
        "ate" => Estimand::Ate,
        "att" => Estimand::Att,
        other => panic!("--estimand must be ate or att, not {other}"),
    };
    let estimators: Vec<WeightingEstimator> = match arg("--estimator").as_deref().unwrap_or("all") {
        "all" => vec![WeightingEstimator::Ipw, WeightingEstimator::Ra, WeightingEstimator::Aipw],
        "ipw" => vec![WeightingEstimator::Ipw],
        "ra" => vec![WeightingEstimator::Ra],
        "aipw" => vec![WeightingEstimator::Aipw],
        other => panic!("--estimator must be ipw, ra, aipw or all, not {other}"),
    };
    let (df, case) = match arg("--read") {
        Some(path) => {
            let df = phare_data::read(Path::new(&path), &phare_data::ReadOptions::default()).expect("read csv").0;
            (df, arg("--case").unwrap_or_else(|| "csv".into()))
        }
        None => {
            let n: usize = arg("--n").and_then(|r| r.parse().ok()).unwrap_or(100_000);
            (generate(n, 20_261_129 + n as u64), format!("rust{n}"))
        }
    };
    let fp = fingerprint(&df);
    if std::env::args().any(|a| a == "--steps") {
        steps(&df, repeat);
    }
    for estimator in estimators {
        let model = Weighting::new("y", "treat", &COVARIATES).estimator(estimator).estimand(estimand);
        let mut times = Vec::with_capacity(repeat);
        let mut last = None;
        for _ in 0..repeat {
            let t = Instant::now();
            let fit = model.fit(&df).expect("weighting fit");
            times.push(t.elapsed().as_secs_f64());
            last = Some(fit);
        }
        let fit = last.expect("at least one fit");
        let first = times[0];
        times.sort_by(f64::total_cmp);
        let (best, median) = (times[0], times[times.len() / 2]);
        println!(
            "phare,{case},{},{},{},fit,{best:.6},{median:.6},{first:.6},{repeat},{:.0},{:?},{:?},{fp}",
            df.height(),
            estimator.name(),
            estimand.term().to_lowercase(),
            peak_rss_mib(),
            fit.estimate(),
            fit.std_error(),
        );
    }
}
