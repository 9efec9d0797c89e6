//! The weighting estimators and their influence functions.
//!
//! With `dᵢ ∈ {0, 1}`, `pᵢ = Λ(xᵢ'γ)` the logistic propensity score and `mₐ(x) = x'βₐ` the
//! least-squares outcome model fitted on arm `a`:
//!
//! ```text
//! IPW (normalised)   ATE: Σ(d/p)y/Σ(d/p) − Σ((1−d)/(1−p))y/Σ((1−d)/(1−p))
//!                    ATT: mean of y among treated − Σ odds(1−d)y/Σ odds(1−d),  odds = p/(1−p)
//! RA                 ATE: mean over all of m₁ − m₀;   ATT: the same over treated units
//! AIPW               ATE: mean[m₁ + d(y − m₁)/p] − mean[m₀ + (1−d)(y − m₀)/(1−p)]
//!                    ATT: Σd(y − m₀)/Σd − Σ odds(1−d)(y − m₀)/Σ odds(1−d)   (Sant'Anna and Zhao 2020)
//! ```
//!
//! Each influence function includes the estimation of γ and of the β's (M-estimation, as a
//! stacked just-identified GMM would), so `se = √(Σφᵢ²)/n` is the HC0 sandwich of the whole
//! system — what statsmodels' `TreatmentEffect` computes by numerical differentiation.

use phare_core::{Error, Result};
use phare_stats::linalg::{Cholesky, crossprod, crossprod_vec};

/// The estimand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Estimand {
    /// Average treatment effect over everyone (the default).
    #[default]
    Ate,
    /// Average treatment effect on the treated.
    Att,
}

impl Estimand {
    /// The tidy term: `ATE` or `ATT`.
    pub fn term(self) -> &'static str {
        match self {
            Estimand::Ate => "ATE",
            Estimand::Att => "ATT",
        }
    }
}

impl std::str::FromStr for Estimand {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "ate" | "ATE" => Ok(Estimand::Ate),
            "att" | "ATT" => Ok(Estimand::Att),
            _ => Err(Error::unknown_option("estimand", s, &["ate", "att"])),
        }
    }
}

/// A weighting estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightingEstimator {
    /// Inverse probability weighting with normalised (Hájek) weights.
    Ipw,
    /// Regression adjustment: an outcome model per arm, averaged.
    Ra,
    /// Augmented IPW: doubly robust, consistent if either the propensity or the outcome model is
    /// right (the default).
    #[default]
    Aipw,
    /// Entropy balancing (Hainmueller 2012), for the ATT: comparison weights as close to uniform
    /// as possible (Kullback–Leibler) whose covariate means equal the treated means exactly.
    Entropy,
}

impl WeightingEstimator {
    /// The name used on the command line: `ipw`, `ra`, `aipw`.
    pub fn name(self) -> &'static str {
        match self {
            WeightingEstimator::Ipw => "ipw",
            WeightingEstimator::Ra => "ra",
            WeightingEstimator::Aipw => "aipw",
            WeightingEstimator::Entropy => "ebal",
        }
    }
}

impl std::str::FromStr for WeightingEstimator {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "ipw" => Ok(WeightingEstimator::Ipw),
            "ra" => Ok(WeightingEstimator::Ra),
            "aipw" | "dr" => Ok(WeightingEstimator::Aipw),
            "ebal" | "entropy" => Ok(WeightingEstimator::Entropy),
            _ => Err(Error::unknown_option("estimator", s, &["ipw", "ra", "aipw", "ebal", "match"])),
        }
    }
}

/// Column-major `n × k` design.
pub(crate) struct Design<'a> {
    pub x: &'a [f64],
    pub n: usize,
    pub k: usize,
}

impl Design<'_> {
    fn at(&self, i: usize, j: usize) -> f64 {
        self.x[j * self.n + i]
    }
    /// `Σᵢ cᵢ xᵢ / n` for per-observation factors `c`.
    fn mean_weighted(&self, c: impl Fn(usize) -> f64) -> Vec<f64> {
        let nf = self.n as f64;
        (0..self.k).map(|j| (0..self.n).map(|i| c(i) * self.at(i, j)).sum::<f64>() / nf).collect()
    }
    /// `xᵢ'v`.
    fn dot(&self, i: usize, v: &[f64]) -> f64 {
        (0..self.k).map(|j| self.at(i, j) * v[j]).sum()
    }
}

/// The fitted propensity model: scores and `n·(Σ p(1−p)xx')⁻¹` (row-major), so that the
/// coefficients' influence function is `IFγᵢ = n·inv · xᵢ(dᵢ − pᵢ)`.
pub(crate) struct Propensity {
    pub p: Vec<f64>,
    pub n_inv_info: Vec<f64>,
}

/// Least squares on one arm: `β` and `n·(Σ_arm xx')⁻¹` (row-major).
struct ArmFit {
    beta: Vec<f64>,
    n_inv: Vec<f64>,
}

fn arm_fit(y: &[f64], d: &[bool], arm: bool, x: &Design) -> Result<ArmFit> {
    let w: Vec<f64> = d.iter().map(|&t| f64::from(u8::from(t == arm))).collect();
    let chol = Cholesky::new(&crossprod(x.x, x.n, x.k, Some(&w)), x.k);
    if chol.kept.len() < x.k {
        return Err(Error::design(
            format!(
                "the outcome model is singular among {} units: some covariates do not vary, or are collinear, in that group",
                if arm { "treated" } else { "comparison" }
            ),
            "remove the covariates that are constant or redundant within a group",
        ));
    }
    let beta = chol.solve(&crossprod_vec(x.x, x.n, x.k, y, Some(&w)));
    let nf = x.n as f64;
    Ok(ArmFit { beta, n_inv: chol.inverse().into_iter().map(|v| v * nf).collect() })
}

/// `IFβᵢ = n·inv · xᵢ·wᵢ(yᵢ − xᵢ'β)` of one arm, dotted with `c`: `c'IFβᵢ` for every i.
fn arm_if_dot(fit: &ArmFit, y: &[f64], d: &[bool], arm: bool, x: &Design, c: &[f64]) -> Vec<f64> {
    let k = x.k;
    // v = inv'c (inv symmetric), then c'IFβᵢ = v'xᵢ·resᵢ.
    let v: Vec<f64> = (0..k).map(|a| (0..k).map(|b| fit.n_inv[a * k + b] * c[b]).sum()).collect();
    (0..x.n).map(|i| if d[i] == arm { x.dot(i, &v) * (y[i] - x.dot(i, &fit.beta)) } else { 0.0 }).collect()
}

/// `c'IFγᵢ` for every i.
fn ps_if_dot(ps: &Propensity, d: &[bool], xps: &Design, c: &[f64]) -> Vec<f64> {
    let k = xps.k;
    let v: Vec<f64> = (0..k).map(|a| (0..k).map(|b| ps.n_inv_info[a * k + b] * c[b]).sum()).collect();
    let out: Vec<f64> = (0..xps.n).map(|i| xps.dot(i, &v) * (f64::from(u8::from(d[i])) - ps.p[i])).collect();
    // Centred: the score has mean zero at the maximum likelihood, but not under a ridge penalty
    // (its mean is then λγ/n).
    let mean = out.iter().sum::<f64>() / xps.n as f64;
    out.into_iter().map(|v| v - mean).collect()
}

/// An estimate: effect, potential-outcome means (untreated, treated) and the effect's influence
/// function.
pub(crate) struct Estimate {
    pub effect: f64,
    pub pom: (f64, f64),
    pub inf: Vec<f64>,
}

/// Entropy balancing for the ATT: the comparison weights `wᵢ ∝ exp(λ'(xᵢ − x̄₁))` whose weighted
/// covariate means equal the treated means `x̄₁` (the dual's minimum, by Newton's method on
/// standardised covariates), the ATT `ȳ₁ − Σwᵢyᵢ`, and its influence function from the stacked
/// moments (treated means, balance conditions, the two outcome means). `xps` holds the intercept
/// first, then the covariates. Returns the estimate and the weights (1 for treated units, the
/// normalised balancing weight times the number of treated units for comparison units).
pub(crate) fn entropy_balance(y: &[f64], d: &[bool], xps: &Design) -> Result<(Estimate, Vec<f64>)> {
    let n = y.len();
    let nf = n as f64;
    let k = xps.k - 1;
    let n1 = d.iter().filter(|&&t| t).count() as f64;
    // z = (x − treated mean)/sd, per covariate.
    let mut z = vec![0.0; n * k];
    for j in 0..k {
        let col: Vec<f64> = (0..n).map(|i| xps.at(i, j + 1)).collect();
        let m1 = (0..n).filter(|&i| d[i]).map(|i| col[i]).sum::<f64>() / n1;
        let mean = col.iter().sum::<f64>() / nf;
        let sd = (col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / nf).sqrt().max(f64::MIN_POSITIVE);
        for i in 0..n {
            z[i * k + j] = (col[i] - m1) / sd;
        }
    }
    let controls: Vec<usize> = (0..n).filter(|&i| !d[i]).collect();
    let mut lambda = vec![0.0; k];
    let exps = |lambda: &[f64]| -> Vec<f64> {
        let eta: Vec<f64> = controls.iter().map(|&i| (0..k).map(|j| lambda[j] * z[i * k + j]).sum::<f64>()).collect();
        let top = eta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        eta.iter().map(|e| (e - top).exp()).collect()
    };
    let no_balance = || {
        Error::design(
            "no comparison weights balance the covariates: the treated units' means lie outside (or on the edge of) what the comparison units can reproduce",
            "check overlap (a covariate that only treated units take), remove that covariate, or trim",
        )
    };
    let mut converged = false;
    for _ in 0..200 {
        let e = exps(&lambda);
        let s: f64 = e.iter().sum();
        let mut g = vec![0.0; k];
        let mut h = vec![0.0; k * k];
        for (c, &i) in controls.iter().enumerate() {
            let w = e[c] / s;
            for a in 0..k {
                g[a] += w * z[i * k + a];
                for b in 0..k {
                    h[a * k + b] += w * z[i * k + a] * z[i * k + b];
                }
            }
        }
        for a in 0..k {
            for b in 0..k {
                h[a * k + b] -= g[a] * g[b];
            }
        }
        if g.iter().all(|v| v.abs() < 1e-12) {
            converged = true;
            break;
        }
        let chol = Cholesky::new(&h, k);
        if chol.kept.len() < k {
            return Err(no_balance());
        }
        let step = chol.solve(&g);
        // Backtracking on the dual objective log Σ exp(λ'z) keeps Newton stable far from the optimum.
        let objective = |l: &[f64]| -> f64 {
            controls.iter().map(|&i| (0..k).map(|j| l[j] * z[i * k + j]).sum::<f64>().exp()).sum::<f64>().ln()
        };
        let f0 = objective(&lambda);
        let mut t = 1.0;
        loop {
            let trial: Vec<f64> = lambda.iter().zip(&step).map(|(l, s)| l - t * s).collect();
            let f1 = objective(&trial);
            if f1.is_finite() && f1 <= f0 + 1e-12 * f0.abs().max(1.0) || t < 1e-8 {
                lambda = trial;
                break;
            }
            t /= 2.0;
        }
        if lambda.iter().any(|l| !l.is_finite() || l.abs() > 1e8) {
            return Err(no_balance());
        }
    }
    if !converged {
        return Err(no_balance());
    }
    let e_c = exps(&lambda);
    let mut e = vec![0.0; n];
    for (c, &i) in controls.iter().enumerate() {
        e[i] = e_c[c];
    }
    let s: f64 = e.iter().sum();
    let mu1 = (0..n).filter(|&i| d[i]).map(|i| y[i]).sum::<f64>() / n1;
    let mu0 = (0..n).map(|i| e[i] * y[i]).sum::<f64>() / s;
    let effect = mu1 - mu0;
    // Influence function (e up to a constant, which cancels): E = mean(e), H = mean(e z z'),
    // A = mean(e (y − μ₀) z); IFλ = −H⁻¹(e z − E·IF_x̄₁), IF_x̄₁ = d z/π; IFμ₀ = (e(y − μ₀) + A'IFλ)/E.
    let big_e = s / nf;
    let mut h = vec![0.0; k * k];
    let mut a_vec = vec![0.0; k];
    for i in 0..n {
        if e[i] == 0.0 {
            continue;
        }
        for a in 0..k {
            a_vec[a] += e[i] * (y[i] - mu0) * z[i * k + a] / nf;
            for b in 0..k {
                h[a * k + b] += e[i] * z[i * k + a] * z[i * k + b] / nf;
            }
        }
    }
    let chol = Cholesky::new(&h, k);
    if chol.kept.len() < k {
        return Err(no_balance());
    }
    let v = chol.solve(&a_vec); // H⁻¹A
    let pi = n1 / nf;
    let inf: Vec<f64> = (0..n)
        .map(|i| {
            let zi = &z[i * k..(i + 1) * k];
            let if_mu1 = if d[i] { (y[i] - mu1) / pi } else { 0.0 };
            // A'IFλ = −(H⁻¹A)'(e z − E·d z/π).
            let factor = e[i] - if d[i] { big_e / pi } else { 0.0 };
            let a_if_lambda = -(0..k).map(|j| v[j] * zi[j]).sum::<f64>() * factor;
            let if_mu0 = (e[i] * (y[i] - mu0) + a_if_lambda) / big_e;
            if_mu1 - if_mu0
        })
        .collect();
    let weights = (0..n).map(|i| if d[i] { 1.0 } else { e[i] / s * n1 }).collect();
    Ok((Estimate { effect, pom: (mu0, mu1), inf }, weights))
}

/// Runs one estimator.
pub(crate) fn estimate(
    y: &[f64],
    d: &[bool],
    ps: &Propensity,
    xps: &Design,
    xo: &Design,
    estimator: WeightingEstimator,
    estimand: Estimand,
) -> Result<Estimate> {
    let n = y.len();
    let nf = n as f64;
    let t = |i: usize| f64::from(u8::from(d[i]));
    let p = &ps.p;
    match (estimator, estimand) {
        (WeightingEstimator::Entropy, _) => Ok(entropy_balance(y, d, xps)?.0),
        (WeightingEstimator::Ipw, _) => {
            // Arm weights and their derivative factor in γ: ∂w/∂γ = w·g·x.
            let (w1, g1): (Vec<f64>, Vec<f64>) = match estimand {
                Estimand::Ate => (0..n).map(|i| (t(i) / p[i], -(1.0 - p[i]))).unzip(),
                Estimand::Att => (0..n).map(|i| (t(i), 0.0)).unzip(),
            };
            let (w0, g0): (Vec<f64>, Vec<f64>) = match estimand {
                Estimand::Ate => (0..n).map(|i| ((1.0 - t(i)) / (1.0 - p[i]), p[i])).unzip(),
                Estimand::Att => (0..n).map(|i| ((1.0 - t(i)) * p[i] / (1.0 - p[i]), 1.0)).unzip(),
            };
            let arm = |w: &[f64], g: &[f64]| -> (f64, Vec<f64>) {
                let sw: f64 = w.iter().sum();
                let mu = w.iter().zip(y).map(|(w, y)| w * y).sum::<f64>() / sw;
                let a = xps.mean_weighted(|i| w[i] * g[i] * (y[i] - mu));
                let ga = ps_if_dot(ps, d, xps, &a);
                let inf = (0..n).map(|i| (w[i] * (y[i] - mu) + ga[i]) / (sw / nf)).collect();
                (mu, inf)
            };
            let (mu1, f1) = arm(&w1, &g1);
            let (mu0, f0) = arm(&w0, &g0);
            Ok(Estimate { effect: mu1 - mu0, pom: (mu0, mu1), inf: f1.iter().zip(&f0).map(|(a, b)| a - b).collect() })
        }
        (WeightingEstimator::Ra, _) => {
            let b1 = arm_fit(y, d, true, xo)?;
            let b0 = arm_fit(y, d, false, xo)?;
            let m1: Vec<f64> = (0..n).map(|i| xo.dot(i, &b1.beta)).collect();
            let m0: Vec<f64> = (0..n).map(|i| xo.dot(i, &b0.beta)).collect();
            // Over whom the predictions are averaged: everyone (ATE) or the treated (ATT).
            let s: Vec<f64> = match estimand {
                Estimand::Ate => vec![1.0; n],
                Estimand::Att => (0..n).map(t).collect(),
            };
            let ss: f64 = s.iter().sum();
            let pom1 = (0..n).map(|i| s[i] * m1[i]).sum::<f64>() / ss;
            let pom0 = (0..n).map(|i| s[i] * m0[i]).sum::<f64>() / ss;
            let effect = pom1 - pom0;
            let xbar: Vec<f64> = xo.mean_weighted(|i| s[i] / (ss / nf));
            let e1 = arm_if_dot(&b1, y, d, true, xo, &xbar);
            let e0 = arm_if_dot(&b0, y, d, false, xo, &xbar);
            let inf = (0..n).map(|i| s[i] * (m1[i] - m0[i] - effect) / (ss / nf) + e1[i] - e0[i]).collect();
            Ok(Estimate { effect, pom: (pom0, pom1), inf })
        }
        (WeightingEstimator::Aipw, Estimand::Ate) => {
            let b1 = arm_fit(y, d, true, xo)?;
            let b0 = arm_fit(y, d, false, xo)?;
            let m1: Vec<f64> = (0..n).map(|i| xo.dot(i, &b1.beta)).collect();
            let m0: Vec<f64> = (0..n).map(|i| xo.dot(i, &b0.beta)).collect();
            let psi1: Vec<f64> = (0..n).map(|i| m1[i] + t(i) * (y[i] - m1[i]) / p[i]).collect();
            let psi0: Vec<f64> = (0..n).map(|i| m0[i] + (1.0 - t(i)) * (y[i] - m0[i]) / (1.0 - p[i])).collect();
            let pom1 = psi1.iter().sum::<f64>() / nf;
            let pom0 = psi0.iter().sum::<f64>() / nf;
            let effect = pom1 - pom0;
            let c1 = xo.mean_weighted(|i| 1.0 - t(i) / p[i]);
            let c0 = xo.mean_weighted(|i| 1.0 - (1.0 - t(i)) / (1.0 - p[i]));
            let g = xps.mean_weighted(|i| {
                -t(i) * (y[i] - m1[i]) * (1.0 - p[i]) / p[i] - (1.0 - t(i)) * (y[i] - m0[i]) * p[i] / (1.0 - p[i])
            });
            let (e1, e0, eg) = (
                arm_if_dot(&b1, y, d, true, xo, &c1),
                arm_if_dot(&b0, y, d, false, xo, &c0),
                ps_if_dot(ps, d, xps, &g),
            );
            let inf = (0..n).map(|i| psi1[i] - psi0[i] - effect + e1[i] - e0[i] + eg[i]).collect();
            Ok(Estimate { effect, pom: (pom0, pom1), inf })
        }
        (WeightingEstimator::Aipw, Estimand::Att) => {
            let b0 = arm_fit(y, d, false, xo)?;
            let r: Vec<f64> = (0..n).map(|i| y[i] - xo.dot(i, &b0.beta)).collect();
            let w1: Vec<f64> = (0..n).map(t).collect();
            let w0: Vec<f64> = (0..n).map(|i| (1.0 - t(i)) * p[i] / (1.0 - p[i])).collect();
            let (s1, s0) = (w1.iter().sum::<f64>(), w0.iter().sum::<f64>());
            let eta1 = (0..n).map(|i| w1[i] * r[i]).sum::<f64>() / s1;
            let eta0 = (0..n).map(|i| w0[i] * r[i]).sum::<f64>() / s0;
            let effect = eta1 - eta0;
            // β₀ enters through r = y − xβ₀ in both terms; γ through the odds of the second.
            let c: Vec<f64> = {
                let a = xo.mean_weighted(|i| w1[i] / (s1 / nf));
                let b = xo.mean_weighted(|i| w0[i] / (s0 / nf));
                a.iter().zip(&b).map(|(a, b)| b - a).collect()
            };
            let g = xps.mean_weighted(|i| w0[i] * (r[i] - eta0));
            let (e0, eg) = (arm_if_dot(&b0, y, d, false, xo, &c), ps_if_dot(ps, d, xps, &g));
            let inf = (0..n)
                .map(|i| w1[i] * (r[i] - eta1) / (s1 / nf) - (w0[i] * (r[i] - eta0) + eg[i]) / (s0 / nf) + e0[i])
                .collect();
            // Potential-outcome means among the treated: observed, and observed minus the effect.
            let pom1 = (0..n).map(|i| w1[i] * y[i]).sum::<f64>() / s1;
            Ok(Estimate { effect, pom: (pom1 - effect, pom1), inf })
        }
    }
}
