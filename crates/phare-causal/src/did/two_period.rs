//! Two-period difference-in-differences on a panel with covariates: outcome regression, inverse
//! probability weighting and the doubly robust estimator of Sant'Anna and Zhao (2020), each with
//! its influence function. The building block of every ATT(g, t) of Callaway and Sant'Anna.
//!
//! For units i with change ΔYᵢ = Yᵢ,post − Yᵢ,pre, treatment indicator Dᵢ and covariates Xᵢ
//! (intercept included), with m̂(X) = Xβ̂ the least-squares fit of ΔY on X among comparison units
//! and p̂(X) a logistic propensity score:
//!
//! ```text
//! regression (Heckman, Ichimura, Todd 1997):  ATT = E_n[D (ΔY − m̂(X))] / E_n[D]
//! IPW, normalised (Abadie 2005):              ATT = E_n[D ΔY]/E_n[D] − E_n[w ΔY]/E_n[w],  w = p̂(1−D)/(1−p̂)
//! doubly robust (Sant'Anna–Zhao 2020):        ATT = E_n[D (ΔY − m̂)]/E_n[D] − E_n[w (ΔY − m̂)]/E_n[w]
//! ```
//!
//! The influence functions include the estimation effect of β̂ and of the propensity-score
//! coefficients (Sant'Anna and Zhao 2020, section 3); the standard error is `√(Σ ψᵢ²) / n`.
//! Without covariates (X = intercept) the three coincide with the difference of mean changes.

use phare_core::{Error, Result};
use phare_stats::linalg::{Cholesky, crossprod, crossprod_vec};

/// The two-period estimator used for each comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DidEstimator {
    /// Outcome regression on the comparison units.
    Regression,
    /// Normalised inverse probability weighting with a logistic propensity score.
    Ipw,
    /// Doubly robust: both, consistent if either model is right.
    #[default]
    DoublyRobust,
}

impl DidEstimator {
    /// The name used on the command line and in results: `reg`, `ipw`, `dr`.
    pub fn label(self) -> &'static str {
        match self {
            DidEstimator::Regression => "reg",
            DidEstimator::Ipw => "ipw",
            DidEstimator::DoublyRobust => "dr",
        }
    }
}

/// An estimate and its influence function (one value per unit, in input order).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TwoPeriod {
    pub att: f64,
    pub inf: Vec<f64>,
    /// Largest fitted propensity score among comparison units (IPW and DR), for overlap checks.
    pub max_propensity: Option<f64>,
}

/// Estimates the ATT from the changes `dy`, treatment `d` and covariates `x` (column-major
/// `n × k`, first column the intercept). Collinear covariates are dropped.
pub(crate) fn two_period(dy: &[f64], d: &[bool], x: &[f64], k: usize, method: DidEstimator) -> Result<TwoPeriod> {
    let n = dy.len();
    let nf = n as f64;
    // Keep a full-rank set of columns.
    let chol = Cholesky::new(&crossprod(x, n, k, None), k);
    let x: Vec<f64> = chol.kept.iter().flat_map(|&j| x[j * n..(j + 1) * n].iter().copied()).collect();
    let k = chol.kept.len();
    let col = |j: usize, i: usize| x[j * n + i];
    if k == 1 {
        // Intercept only: every estimator is the difference of mean changes, with influence
        // function n/n₁·D(ΔY − m₁) − n/n₀·(1 − D)(ΔY − m₀) (the general formulas reduce to it).
        let (mut s1, mut n1, mut s0, mut n0) = (0.0, 0.0, 0.0, 0.0);
        for (v, &t) in dy.iter().zip(d) {
            if t {
                s1 += v;
                n1 += 1.0;
            } else {
                s0 += v;
                n0 += 1.0;
            }
        }
        if n1 == 0.0 || n0 == 0.0 {
            return Err(Error::Internal("two-period DiD without both groups".into()));
        }
        let (m1, m0) = (s1 / n1, s0 / n0);
        let inf = dy.iter().zip(d).map(|(v, &t)| if t { nf / n1 * (v - m1) } else { -nf / n0 * (v - m0) }).collect();
        let max_propensity = (method != DidEstimator::Regression).then_some(n1 / nf);
        return Ok(TwoPeriod { att: m1 - m0, inf, max_propensity });
    }
    let dt: Vec<f64> = d.iter().map(|&b| f64::from(u8::from(b))).collect();
    let mean = |v: &dyn Fn(usize) -> f64| (0..n).map(v).sum::<f64>() / nf;
    let mean_x = |v: &dyn Fn(usize) -> f64| -> Vec<f64> {
        (0..k).map(|j| (0..n).map(|i| v(i) * col(j, i)).sum::<f64>() / nf).collect()
    };
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(a, b)| a * b).sum::<f64>();

    // Outcome regression on comparison units: β̂, fitted m̂, and each unit's contribution to
    // √n(β̂ − β): (E_n[(1−D) X Xᵀ])⁻¹ (1−D) (ΔY − m̂) X.
    let ols = if method == DidEstimator::Ipw {
        None
    } else {
        let wc: Vec<f64> = dt.iter().map(|d| 1.0 - d).collect();
        let xx = crossprod(&x, n, k, Some(&wc));
        let c = Cholesky::new(&xx, k);
        if c.kept.len() < k {
            return Err(Error::design(
                "the outcome regression on comparison units is singular: a covariate does not vary among them",
                "drop covariates that are constant among comparison units",
            ));
        }
        let beta = c.solve(&crossprod_vec(&x, n, k, dy, Some(&wc)));
        let fitted: Vec<f64> = (0..n).map(|i| (0..k).map(|j| col(j, i) * beta[j]).sum()).collect();
        let inv = c.inverse(); // (Σ(1−D)XXᵀ)⁻¹; times n gives (E_n[…])⁻¹
        // Row-major n × k: unit i's contribution at [i * k..(i + 1) * k].
        let asy: Vec<f64> = (0..n)
            .flat_map(|i| {
                let e = wc[i] * (dy[i] - fitted[i]);
                let col = &col;
                let inv = &inv;
                (0..k).map(move |a| nf * (0..k).map(|b| inv[a * k + b] * e * col(b, i)).sum::<f64>())
            })
            .collect();
        Some((fitted, asy))
    };
    // Propensity score: p̂ and each unit's contribution to √n(γ̂ − γ): n (XᵀWX)⁻¹ (D − p̂) X.
    let ps = if method == DidEstimator::Regression {
        None
    } else {
        let fit = phare_stats::logit::logit(&x, n, k, &dt, None)?;
        let p: Vec<f64> = fit.fitted.iter().map(|p| p.min(1.0 - 1e-6)).collect();
        let inv = &fit.inv_information;
        let asy: Vec<f64> = (0..n)
            .flat_map(|i| {
                let e = dt[i] - fit.fitted[i];
                let col = &col;
                (0..k).map(move |a| nf * (0..k).map(|b| inv[a * k + b] * e * col(b, i)).sum::<f64>())
            })
            .collect();
        Some((p, asy))
    };
    let mean_t = mean(&|i| dt[i]);
    if mean_t == 0.0 || mean_t == 1.0 {
        return Err(Error::Internal("two-period DiD without both groups".into()));
    }
    let (att, inf, max_propensity) = match method {
        DidEstimator::Regression => {
            // The regression is fitted for every estimator but IPW.
            let Some((m, asy_ols)) = ols.as_ref() else {
                return Err(Error::Internal("outcome regression missing".into()));
            };
            let eta_t = mean(&|i| dt[i] * dy[i]) / mean_t;
            let eta_c = mean(&|i| dt[i] * m[i]) / mean_t;
            let m1 = mean_x(&|i| dt[i]);
            let inf = (0..n)
                .map(|i| {
                    let inf_t = (dt[i] * dy[i] - dt[i] * eta_t) / mean_t;
                    let inf_c = (dt[i] * m[i] - dt[i] * eta_c + dot(&asy_ols[i * k..(i + 1) * k], &m1)) / mean_t;
                    inf_t - inf_c
                })
                .collect();
            (eta_t - eta_c, inf, None)
        }
        DidEstimator::Ipw | DidEstimator::DoublyRobust => {
            // The propensity score is fitted for every estimator but regression.
            let Some((p, asy_ps)) = ps.as_ref() else {
                return Err(Error::Internal("propensity score missing".into()));
            };
            let zero = vec![0.0; n];
            let m: &[f64] = ols.as_ref().map_or(&zero, |(m, _)| m);
            let r: Vec<f64> = (0..n).map(|i| dy[i] - m[i]).collect();
            let wc: Vec<f64> = (0..n).map(|i| p[i] * (1.0 - dt[i]) / (1.0 - p[i])).collect();
            let mean_c = mean(&|i| wc[i]);
            let eta_t = mean(&|i| dt[i] * r[i]) / mean_t;
            let eta_c = mean(&|i| wc[i] * r[i]) / mean_c;
            let m2 = mean_x(&|i| wc[i] * (r[i] - eta_c));
            let (m1, m3) = (mean_x(&|i| dt[i]), mean_x(&|i| wc[i]));
            let inf = (0..n)
                .map(|i| {
                    let (ols_t, ols_c) = match &ols {
                        Some((_, a)) => (dot(&a[i * k..(i + 1) * k], &m1), dot(&a[i * k..(i + 1) * k], &m3)),
                        None => (0.0, 0.0),
                    };
                    let inf_t = (dt[i] * r[i] - dt[i] * eta_t - ols_t) / mean_t;
                    let inf_c = (wc[i] * r[i] - wc[i] * eta_c + dot(&asy_ps[i * k..(i + 1) * k], &m2) - ols_c) / mean_c;
                    inf_t - inf_c
                })
                .collect();
            let max_p = (0..n).filter(|&i| !d[i]).map(|i| p[i]).fold(0.0f64, f64::max);
            (eta_t - eta_c, inf, Some(max_p))
        }
    };
    Ok(TwoPeriod { att, inf, max_propensity })
}

#[cfg(test)]
mod tests {
    use super::*;
    use phare_core::SimRng;

    #[test]
    fn without_covariates_all_three_are_the_difference_of_mean_changes() {
        let mut rng = SimRng::new(3);
        let n = 60;
        let d: Vec<bool> = (0..n).map(|i| i % 3 == 0).collect();
        let dy: Vec<f64> = (0..n).map(|i| rng.normal() + if d[i] { 0.7 } else { 0.0 }).collect();
        let mean = |t: bool| {
            let v: Vec<f64> = (0..n).filter(|&i| d[i] == t).map(|i| dy[i]).collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        let want = mean(true) - mean(false);
        let x = vec![1.0; n];
        let fits: Vec<TwoPeriod> = [DidEstimator::Regression, DidEstimator::Ipw, DidEstimator::DoublyRobust]
            .iter()
            .map(|&m| two_period(&dy, &d, &x, 1, m).unwrap())
            .collect();
        for f in &fits {
            assert!((f.att - want).abs() < 1e-12);
            // The influence function has mean zero.
            assert!(f.inf.iter().sum::<f64>().abs() < 1e-9);
            for (a, b) in f.inf.iter().zip(&fits[0].inf) {
                assert!((a - b).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn doubly_robust_is_right_when_only_the_outcome_model_is() {
        // Treatment depends on x non-logistically; the change is linear in x with a true effect of 2.
        let mut rng = SimRng::new(11);
        let n = 4000;
        let xs: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let d: Vec<bool> = xs.iter().map(|&x| rng.uniform() < if x > 0.5 { 0.7 } else { 0.2 }).collect();
        let dy: Vec<f64> =
            (0..n).map(|i| 1.0 + 3.0 * xs[i] + if d[i] { 2.0 } else { 0.0 } + 0.5 * rng.normal()).collect();
        let x: Vec<f64> = std::iter::repeat_n(1.0, n).chain(xs.iter().copied()).collect();
        let dr = two_period(&dy, &d, &x, 2, DidEstimator::DoublyRobust).unwrap();
        let se = dr.inf.iter().map(|v| v * v).sum::<f64>().sqrt() / n as f64;
        assert!((dr.att - 2.0).abs() < 4.0 * se, "{} (se {se})", dr.att);
        // Without covariates the estimate is badly biased (x shifts the treated).
        let naive = two_period(&dy, &d, &x[..n], 1, DidEstimator::Regression).unwrap();
        assert!((naive.att - 2.0).abs() > 10.0 * se);
    }
}
