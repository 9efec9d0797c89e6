//! Monte Carlo: bias and coverage of IPW, RA and AIPW on a SIMULATED confounded design where one
//! nuisance model is misspecified at a time, so that double robustness shows in the numbers.
//!
//! Design (SIMULATED; true ATE = 1): x₁, x₂ ~ N(0, 1), z = x₁²;
//! P(d = 1 | x) = Λ(−0.3 + 0.5x₁ − 0.4x₂ + 0.1z);  y = 1 + x₁ + 0.5x₂ + 1.5z + d + ε, ε ~ N(0, 1).
//! The coefficient of z in the score is kept small: with 1/(1 − p) growing like exp(c·x₁²), the
//! weights have a finite variance only for c < 1/4 (at c = 1/4 IPW's coverage was 88 % at any n).
//! Omitting z from a model misspecifies it. Case "ps wrong": the propensity score omits z, the
//! outcome model includes it; case "outcome wrong": the reverse.
//!
//! 300 replications of n = 1,000 run in `cargo test` (about a second); `PHARE_MC_REPS=2000
//! cargo test -p phare-causal --test weighting_monte_carlo -- --nocapture` for a tighter check.

use phare_causal::weighting::{Estimand, Weighting, WeightingEstimator};
use phare_core::SimRng;
use phare_data::polars::prelude::*;

struct Summary {
    bias: f64,
    coverage: f64,
}

fn run(case: &str, est: WeightingEstimator, reps: usize) -> Summary {
    let mut rng = SimRng::new(20_261_129);
    let n: usize = std::env::var("PHARE_MC_N").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let (mut sum_err, mut covered) = (0.0, 0usize);
    for _ in 0..reps {
        let x1: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let x2: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let z: Vec<f64> = x1.iter().map(|v| v * v).collect();
        let d: Vec<f64> = (0..n)
            .map(|i| {
                let p = 1.0 / (1.0 + (-(-0.3 + 0.5 * x1[i] - 0.4 * x2[i] + 0.1 * z[i])).exp());
                f64::from(u8::from(rng.uniform() < p))
            })
            .collect();
        let y: Vec<f64> = (0..n).map(|i| 1.0 + x1[i] + 0.5 * x2[i] + 1.5 * z[i] + d[i] + rng.normal()).collect();
        let df = df!("y" => y, "d" => d, "x1" => x1, "x2" => x2, "z" => z).unwrap();
        let (ps, out): (&[&str], &[&str]) =
            if case == "ps wrong" { (&["x1", "x2"], &["x1", "x2", "z"]) } else { (&["x1", "x2", "z"], &["x1", "x2"]) };
        let fit = Weighting::new("y", "d", ps)
            .outcome_covariates(out)
            .estimator(est)
            .estimand(Estimand::Ate)
            .fit(&df)
            .unwrap();
        let err = fit.estimate() - 1.0;
        sum_err += err;
        if err.abs() <= 1.96 * fit.std_error() {
            covered += 1;
        }
    }
    Summary { bias: sum_err / reps as f64, coverage: covered as f64 / reps as f64 }
}

#[test]
fn aipw_is_right_when_either_model_is() {
    let reps: usize = std::env::var("PHARE_MC_REPS").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let mut table = Vec::new();
    for case in ["ps wrong", "outcome wrong"] {
        for est in [WeightingEstimator::Ipw, WeightingEstimator::Ra, WeightingEstimator::Aipw] {
            let s = run(case, est, reps);
            println!("{case:14} {:5} bias {:+.4}  coverage {:.1} %", est.name(), s.bias, 100.0 * s.coverage);
            table.push((case, est, s));
        }
    }
    let get = |c: &str, e: WeightingEstimator| &table.iter().find(|(cc, ee, _)| *cc == c && *ee == e).unwrap().2;
    // Monte Carlo standard error of a coverage near 95 %: √(0.95·0.05/reps).
    let mc = (0.95 * 0.05 / reps as f64).sqrt();
    for case in ["ps wrong", "outcome wrong"] {
        let a = get(case, WeightingEstimator::Aipw);
        assert!(a.bias.abs() < 0.05, "AIPW, {case}: bias {}", a.bias);
        assert!((a.coverage - 0.95).abs() < 3.5 * mc + 0.01, "AIPW, {case}: coverage {}", a.coverage);
    }
    // The estimator that relies on the wrong model alone is biased and under-covers.
    let ipw = get("ps wrong", WeightingEstimator::Ipw);
    let ra = get("outcome wrong", WeightingEstimator::Ra);
    assert!(ipw.bias.abs() > 0.2 && ipw.coverage < 0.8, "IPW with the wrong score: {} {}", ipw.bias, ipw.coverage);
    assert!(ra.bias.abs() > 0.2 && ra.coverage < 0.8, "RA with the wrong outcome model: {} {}", ra.bias, ra.coverage);
    // And the one whose model is right is fine.
    assert!(get("ps wrong", WeightingEstimator::Ra).bias.abs() < 0.05);
    assert!(get("outcome wrong", WeightingEstimator::Ipw).bias.abs() < 0.1);
}

#[test]
fn entropy_balancing_covers_the_att() {
    // The same design, every model right (x₁, x₂ and z balanced; the effect is constant, so the
    // ATT is 1): the influence-function interval of entropy balancing covers at the nominal rate.
    let reps: usize = std::env::var("PHARE_MC_REPS").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let mut rng = SimRng::new(20_261_130);
    let n = 1000;
    let (mut sum_err, mut covered) = (0.0, 0usize);
    for _ in 0..reps {
        let x1: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let x2: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let z: Vec<f64> = x1.iter().map(|v| v * v).collect();
        let d: Vec<f64> = (0..n)
            .map(|i| {
                let p = 1.0 / (1.0 + (-(-0.3 + 0.5 * x1[i] - 0.4 * x2[i] + 0.1 * z[i])).exp());
                f64::from(u8::from(rng.uniform() < p))
            })
            .collect();
        let y: Vec<f64> = (0..n).map(|i| 1.0 + x1[i] + 0.5 * x2[i] + 1.5 * z[i] + d[i] + rng.normal()).collect();
        let df = df!("y" => y, "d" => d, "x1" => x1, "x2" => x2, "z" => z).unwrap();
        let fit = Weighting::new("y", "d", &["x1", "x2", "z"])
            .estimator(WeightingEstimator::Entropy)
            .estimand(Estimand::Att)
            .fit(&df)
            .unwrap();
        sum_err += fit.estimate() - 1.0;
        if (fit.estimate() - 1.0).abs() <= 1.96 * fit.std_error() {
            covered += 1;
        }
    }
    let (bias, coverage) = (sum_err / reps as f64, covered as f64 / reps as f64);
    println!("entropy balancing, ATT: bias {bias:+.4}  coverage {:.1} %", 100.0 * coverage);
    let mc = (0.95 * 0.05 / reps as f64).sqrt();
    assert!(bias.abs() < 0.03, "bias {bias}");
    assert!((coverage - 0.95).abs() < 3.5 * mc + 0.01, "coverage {coverage}");
}
