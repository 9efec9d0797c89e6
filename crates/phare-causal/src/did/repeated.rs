//! Two-period difference-in-differences on repeated cross-sections (or unbalanced panels treated
//! as such): the outcome-regression, normalised IPW and doubly robust estimators of Sant'Anna and
//! Zhao (2020, section 3.2), with their influence functions.
//!
//! Rows i carry an outcome y, a group D (1 treated), a period T (1 post) and covariates X
//! (intercept first). Nuisance models: least-squares outcome regressions μ_{d,t}(X) = Xβ_{d,t} on
//! each group × period cell that the estimator needs, and a logistic propensity score p(X) of D
//! on all rows. Every estimator is a sum of ratios of sample means, `τ = Σ_k c_k Ē[a_k]/Ē[b_k]`,
//! whose terms depend on the nuisance parameters θ. Its influence function is therefore
//!
//! ```text
//! ψᵢ = Σ_k c_k (a_k,i − R_k b_k,i) / Ē[b_k]   +   (∂τ/∂θ) · ψ_θ,i
//! ```
//!
//! with R_k the k-th ratio and ψ_θ the influence functions of the OLS and logit estimates
//! (`(Ē[w X Xᵀ])⁻¹ w X e` and `(Ē[p(1−p) X Xᵀ])⁻¹ X (D − p)`). The Jacobian ∂τ/∂θ is taken by
//! central differences of τ in each nuisance coefficient (τ is smooth in θ), which keeps one
//! derivation for all estimators instead of one hand-written formula each.

use super::two_period::{DidEstimator, TwoPeriod};
use phare_core::{Error, Result};
use phare_stats::linalg::{Cholesky, crossprod, crossprod_vec};

/// The four outcome regressions (controls pre/post, treated pre/post) and the propensity score.
struct Nuisance {
    /// β per (d, t) cell, `None` when the estimator does not use it.
    beta: [[Option<Vec<f64>>; 2]; 2],
    gamma: Option<Vec<f64>>,
}

/// Which nuisance models an estimator needs: (outcome regressions of (d, t) cells, propensity).
fn needs(method: DidEstimator) -> ([[bool; 2]; 2], bool) {
    match method {
        DidEstimator::Regression => ([[true, true], [false, false]], false),
        DidEstimator::Ipw => ([[false, false], [false, false]], true),
        DidEstimator::DoublyRobust => ([[true, true], [true, true]], true),
    }
}

/// The estimate τ(θ) and, per term, (c_k, a_k, b_k) evaluated at θ.
fn terms(
    y: &[f64],
    d: &[f64],
    t: &[f64],
    x: &[f64],
    k: usize,
    method: DidEstimator,
    th: &Nuisance,
) -> Vec<(f64, Vec<f64>, Vec<f64>)> {
    let n = y.len();
    let fit = |b: &Option<Vec<f64>>| -> Vec<f64> {
        match b {
            Some(b) => (0..n).map(|i| (0..k).map(|j| x[j * n + i] * b[j]).sum()).collect(),
            None => vec![0.0; n],
        }
    };
    let mu = [[fit(&th.beta[0][0]), fit(&th.beta[0][1])], [fit(&th.beta[1][0]), fit(&th.beta[1][1])]];
    let p: Vec<f64> = match &th.gamma {
        Some(g) => (0..n)
            .map(|i| {
                let eta: f64 = (0..k).map(|j| x[j * n + i] * g[j]).sum();
                (1.0 / (1.0 + (-eta).exp())).min(1.0 - 1e-6)
            })
            .collect(),
        None => vec![0.0; n],
    };
    let dt1: Vec<f64> = (0..n).map(|i| d[i] * t[i]).collect();
    let dt0: Vec<f64> = (0..n).map(|i| d[i] * (1.0 - t[i])).collect();
    let w1: Vec<f64> = (0..n).map(|i| p[i] * (1.0 - d[i]) * t[i] / (1.0 - p[i])).collect();
    let w0: Vec<f64> = (0..n).map(|i| p[i] * (1.0 - d[i]) * (1.0 - t[i]) / (1.0 - p[i])).collect();
    let times = |w: &[f64], v: &dyn Fn(usize) -> f64| -> Vec<f64> { (0..n).map(|i| w[i] * v(i)).collect() };
    let mut out: Vec<(f64, Vec<f64>, Vec<f64>)> = Vec::new();
    match method {
        DidEstimator::Regression => {
            out.push((1.0, times(&dt1, &|i| y[i]), dt1.clone()));
            out.push((-1.0, times(&dt0, &|i| y[i]), dt0.clone()));
            out.push((-1.0, times(d, &|i| mu[0][1][i] - mu[0][0][i]), d.to_vec()));
        }
        DidEstimator::Ipw => {
            out.push((1.0, times(&dt1, &|i| y[i]), dt1.clone()));
            out.push((-1.0, times(&dt0, &|i| y[i]), dt0.clone()));
            out.push((-1.0, times(&w1, &|i| y[i]), w1.clone()));
            out.push((1.0, times(&w0, &|i| y[i]), w0.clone()));
        }
        DidEstimator::DoublyRobust => {
            // Locally efficient doubly robust estimator (Sant'Anna and Zhao 2020, τ^{dr,rc}_2).
            let r = |i: usize| y[i] - (t[i] * mu[0][1][i] + (1.0 - t[i]) * mu[0][0][i]);
            out.push((1.0, times(&dt1, &r), dt1.clone()));
            out.push((-1.0, times(&dt0, &r), dt0.clone()));
            out.push((-1.0, times(&w1, &r), w1.clone()));
            out.push((1.0, times(&w0, &r), w0.clone()));
            let gap1 = |i: usize| mu[1][1][i] - mu[0][1][i];
            let gap0 = |i: usize| mu[1][0][i] - mu[0][0][i];
            out.push((1.0, times(d, &gap1), d.to_vec()));
            out.push((-1.0, times(&dt1, &gap1), dt1.clone()));
            out.push((-1.0, times(d, &gap0), d.to_vec()));
            out.push((1.0, times(&dt0, &gap0), dt0.clone()));
        }
    }
    out
}

fn estimate(parts: &[(f64, Vec<f64>, Vec<f64>)]) -> f64 {
    parts.iter().map(|(c, a, b)| c * a.iter().sum::<f64>() / b.iter().sum::<f64>()).sum()
}

/// Estimates the ATT from pooled rows (`y`, group `d`, period `post`, covariates `x` column-major
/// `n × k` with the intercept first; collinear covariates dropped). Returns the estimate and its
/// influence function per row, scaled so that the standard error is `√(Σψ²)/n`.
pub(crate) fn two_period_rc(
    y: &[f64],
    d: &[bool],
    post: &[bool],
    x: &[f64],
    k: usize,
    method: DidEstimator,
) -> Result<TwoPeriod> {
    let n = y.len();
    let nf = n as f64;
    let chol = Cholesky::new(&crossprod(x, n, k, None), k);
    let x: Vec<f64> = chol.kept.iter().flat_map(|&j| x[j * n..(j + 1) * n].iter().copied()).collect();
    let k = chol.kept.len();
    let df: Vec<f64> = d.iter().map(|&v| f64::from(u8::from(v))).collect();
    let tf: Vec<f64> = post.iter().map(|&v| f64::from(u8::from(v))).collect();
    let (need_or, need_ps) = needs(method);
    // Nuisance fits and their influence functions ψ_θ (row-major n × k per model).
    let mut beta: [[Option<Vec<f64>>; 2]; 2] = Default::default();
    // (model: 2·d + t for outcome regressions, 4 for the propensity score; ψ_θ row-major n × k)
    let mut psi_theta: Vec<(usize, Vec<f64>)> = Vec::new();
    for dd in 0..2 {
        for tt in 0..2 {
            if !need_or[dd][tt] {
                continue;
            }
            let w: Vec<f64> = (0..n).map(|i| f64::from(u8::from(df[i] == dd as f64 && tf[i] == tt as f64))).collect();
            let c = Cholesky::new(&crossprod(&x, n, k, Some(&w)), k);
            if c.kept.len() < k {
                return Err(Error::design(
                    format!(
                        "the outcome regression among {} units in the {} period is singular: a covariate does not vary there",
                        if dd == 1 { "treated" } else { "comparison" },
                        if tt == 1 { "later" } else { "earlier" }
                    ),
                    "drop covariates that are constant within a group and period",
                ));
            }
            let b = c.solve(&crossprod_vec(&x, n, k, y, Some(&w)));
            let inv = c.inverse();
            let mut psi = vec![0.0; n * k];
            for i in 0..n {
                if w[i] == 0.0 {
                    continue;
                }
                let e = y[i] - (0..k).map(|j| x[j * n + i] * b[j]).sum::<f64>();
                for a in 0..k {
                    psi[i * k + a] = nf * (0..k).map(|j| inv[a * k + j] * x[j * n + i] * e).sum::<f64>();
                }
            }
            beta[dd][tt] = Some(b);
            psi_theta.push((dd * 2 + tt, psi));
        }
    }
    let gamma = if need_ps {
        let fit = phare_stats::logit::logit(&x, n, k, &df, None)?;
        let inv = &fit.inv_information;
        let mut psi = vec![0.0; n * k];
        for i in 0..n {
            let e = df[i] - fit.fitted[i];
            for a in 0..k {
                psi[i * k + a] = nf * (0..k).map(|j| inv[a * k + j] * x[j * n + i] * e).sum::<f64>();
            }
        }
        psi_theta.push((4, psi));
        Some(fit.beta)
    } else {
        None
    };
    let theta = Nuisance { beta, gamma };
    let parts = terms(y, &df, &tf, &x, k, method, &theta);
    if parts.iter().any(|(_, _, b)| b.iter().sum::<f64>() == 0.0) {
        return Err(Error::Internal("repeated cross-section DiD with an empty group × period cell".into()));
    }
    let att = estimate(&parts);
    // Sampling part of ψ, nuisance held fixed.
    let mut inf = vec![0.0; n];
    for (c, a, b) in &parts {
        let bbar = b.iter().sum::<f64>() / nf;
        let ratio = a.iter().sum::<f64>() / b.iter().sum::<f64>();
        for i in 0..n {
            inf[i] += c * (a[i] - ratio * b[i]) / bbar;
        }
    }
    // Nuisance part: (∂τ/∂θ) ψ_θ, the Jacobian by central differences.
    for (model, psi) in &psi_theta {
        for j in 0..k {
            let shifted = |delta: f64| -> f64 {
                let mut th = Nuisance { beta: theta.beta.clone(), gamma: theta.gamma.clone() };
                let coef = if *model == 4 { th.gamma.as_mut() } else { th.beta[model / 2][model % 2].as_mut() };
                if let Some(c) = coef {
                    c[j] += delta;
                }
                estimate(&terms(y, &df, &tf, &x, k, method, &th))
            };
            let base = if *model == 4 {
                theta.gamma.as_ref().map_or(0.0, |g| g[j])
            } else {
                theta.beta[model / 2][model % 2].as_ref().map_or(0.0, |b| b[j])
            };
            let h = 1e-5 * (1.0 + base.abs());
            let jac = (shifted(h) - shifted(-h)) / (2.0 * h);
            for i in 0..n {
                inf[i] += jac * psi[i * k + j];
            }
        }
    }
    Ok(TwoPeriod { att, inf, max_propensity: None })
}
