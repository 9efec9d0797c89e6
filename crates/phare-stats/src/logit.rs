//! Small logistic regressions by Newton–Raphson, for propensity scores inside estimators that
//! need the fitted probabilities *and* the inverse Hessian for their influence functions
//! (doubly robust difference-in-differences, weighting estimators).
//!
//! The design is column-major `n × k`, full column rank (drop collinear columns first, for
//! instance with [`crate::linalg::Cholesky`] on `XᵀX`).

use crate::linalg::{Cholesky, crossprod, crossprod_vec};
use phare_core::{Error, Result};

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq)]
pub struct Logit {
    /// Coefficients, one per column.
    pub beta: Vec<f64>,
    /// Fitted probabilities, one per observation.
    pub fitted: Vec<f64>,
    /// `(Xᵀ diag(p(1 − p)) X)⁻¹`, row-major `k × k`: the inverse of the (unscaled) information
    /// matrix, the classical covariance of `beta`.
    pub inv_information: Vec<f64>,
    /// Newton iterations used.
    pub iterations: usize,
}

/// Fits `P(y = 1 | x) = 1 / (1 + exp(−xᵀβ))` by maximum likelihood, `y` in {0, 1}, optional
/// observation weights `w`.
///
/// # Errors
/// [`Error::Design`] when the likelihood has no maximum (perfect or quasi-perfect separation: some
/// combination of the columns predicts `y` exactly, so fitted probabilities reach 0 or 1), when the
/// information matrix is singular, or when Newton's method does not converge in 100 iterations.
pub fn logit(x: &[f64], n: usize, k: usize, y: &[f64], w: Option<&[f64]>) -> Result<Logit> {
    logit_ridge(x, n, k, y, w, 0.0)
}

/// [`logit`] with a ridge penalty `λ/2·Σⱼ≥₁ βⱼ²` on every coefficient but the first (the
/// intercept): the maximiser of `loglik − λ/2·‖β₁..‖²`, i.e. scikit-learn's `LogisticRegression`
/// with `C = 1/λ` on the same columns. `inv_information` is then `(XᵀWX + λP)⁻¹`, `P` the identity
/// without its first diagonal entry. With λ > 0 separation no longer prevents a solution.
///
/// # Errors
/// As [`logit`]; a negative or non-finite λ is an [`Error::InvalidArgument`].
pub fn logit_ridge(x: &[f64], n: usize, k: usize, y: &[f64], w: Option<&[f64]>, lambda: f64) -> Result<Logit> {
    if !(lambda.is_finite() && lambda >= 0.0) {
        return Err(Error::InvalidArgument {
            name: "penalty".into(),
            value: lambda.to_string(),
            reason: "a ridge penalty is a non-negative number".into(),
            hint: None,
        });
    }
    let penalise = |m: &mut Vec<f64>| {
        for j in 1..k {
            m[j * k + j] += lambda;
        }
    };
    let mut beta = vec![0.0; k];
    let mut fitted = vec![0.5; n];
    let separation = || {
        Error::design(
            "the propensity model separates the groups perfectly: some covariate values occur only among \
             treated or only among comparison units",
            "remove or coarsen the covariates that predict treatment exactly, or trim the sample to common support",
        )
    };
    for iteration in 1..=100 {
        let wts: Vec<f64> = (0..n).map(|i| fitted[i] * (1.0 - fitted[i]) * w.map_or(1.0, |w| w[i])).collect();
        let mut info = crossprod(x, n, k, Some(&wts));
        penalise(&mut info);
        let chol = Cholesky::new(&info, k);
        if chol.kept.len() < k {
            return Err(if fitted.iter().any(|p| *p < 1e-10 || *p > 1.0 - 1e-10) {
                separation()
            } else {
                Error::design(
                    "the propensity-score design is singular (collinear covariates)",
                    "remove covariates that are linear combinations of others",
                )
            });
        }
        let resid: Vec<f64> = (0..n).map(|i| y[i] - fitted[i]).collect();
        let mut score = crossprod_vec(x, n, k, &resid, w);
        for j in 1..k {
            score[j] -= lambda * beta[j];
        }
        let step = chol.solve(&score);
        let mut largest = 0.0f64;
        for (b, s) in beta.iter_mut().zip(&step) {
            *b += s;
            largest = largest.max(s.abs() / (1.0 + b.abs()));
        }
        for (i, p) in fitted.iter_mut().enumerate() {
            let eta: f64 = (0..k).map(|j| x[j * n + i] * beta[j]).sum();
            *p = 1.0 / (1.0 + (-eta).exp());
        }
        if beta.iter().any(|b| b.abs() > 1e6 || !b.is_finite()) {
            return Err(separation());
        }
        if largest < 1e-11 {
            let wts: Vec<f64> = (0..n).map(|i| fitted[i] * (1.0 - fitted[i]) * w.map_or(1.0, |w| w[i])).collect();
            let mut info = crossprod(x, n, k, Some(&wts));
            penalise(&mut info);
            let chol = Cholesky::new(&info, k);
            if chol.kept.len() < k {
                return Err(separation());
            }
            return Ok(Logit { beta, fitted, inv_information: chol.inverse(), iterations: iteration });
        }
    }
    Err(separation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intercept_only_gives_the_sample_share() {
        let y = [1.0, 0.0, 0.0, 1.0, 0.0];
        let fit = logit(&[1.0; 5], 5, 1, &y, None).unwrap();
        assert!((fit.fitted[0] - 0.4).abs() < 1e-12);
        assert!((fit.beta[0] - (0.4f64 / 0.6).ln()).abs() < 1e-12);
        // Classical variance of the log-odds: 1 / (n p (1 − p)).
        assert!((fit.inv_information[0] - 1.0 / (5.0 * 0.24)).abs() < 1e-12);
    }

    #[test]
    fn score_is_zero_at_the_maximum_and_separation_is_an_error() {
        let x1 = [0.1, 0.5, 0.9, 1.3, 1.7, 2.1, 2.5, 2.9];
        let y = [0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0];
        let x: Vec<f64> = std::iter::repeat_n(1.0, 8).chain(x1).collect();
        let fit = logit(&x, 8, 2, &y, None).unwrap();
        let resid: Vec<f64> = y.iter().zip(&fit.fitted).map(|(y, p)| y - p).collect();
        for s in crossprod_vec(&x, 8, 2, &resid, None) {
            assert!(s.abs() < 1e-10);
        }
        let separated = [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        let e = logit(&x, 8, 2, &separated, None).unwrap_err();
        assert!(e.to_string().contains("separates"), "{e}");
    }
}
