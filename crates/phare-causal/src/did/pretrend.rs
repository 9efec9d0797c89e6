//! Joint tests of pre-treatment coefficients, and what they can detect.
//!
//! A pre-trend test that does not reject is weak evidence when it has little power: Roth (2022)
//! shows that conditioning on passing it can even worsen bias. phare therefore reports, beside the
//! test, the slope of a linear violation of parallel trends (δ per period, extrapolated into the
//! treatment periods) that the test would detect with 80 % probability at the 5 % level: smaller
//! violations could well go unnoticed, and would bias an effect e periods after treatment by about
//! δ·(e + 1). This is the "minimal detectable trend" of Roth's power analysis, for the joint Wald
//! test (asymptotic χ² power, noncentrality δ² vᵀΣ⁻¹v, v the coefficients a unit trend implies).

use phare_core::Reference;
use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor};

/// A joint test that pre-treatment coefficients are zero: `W/q` against F(q, df) (or `W`
/// against χ²(q)), with the linear trend it can detect.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PretrendTest {
    /// `W / q`, with `W = bᵀV⁻¹b` over the pre-treatment coefficients.
    pub statistic: f64,
    /// Number of pre-treatment coefficients tested (after dropping linearly dependent ones).
    pub df1: usize,
    /// Denominator degrees of freedom (clusters − 1) of an F reference, `None` for χ².
    pub df2: Option<f64>,
    /// p-value.
    pub p_value: f64,
    /// The slope per period of a linear pre-trend that the test detects with 80 % power at the
    /// 5 % level (see the module docs); `None` when the coefficients cannot reveal a trend.
    pub detectable_slope: Option<f64>,
}

impl PretrendTest {
    /// The test of `est = 0` with covariance `v(i, j)`; `trend[i]` is coefficient i's value under
    /// a linear violation of slope 1 per period.
    pub(crate) fn wald(
        est: &[f64],
        trend: &[f64],
        v: impl Fn(usize, usize) -> f64,
        reference: Reference,
    ) -> Option<PretrendTest> {
        let q = est.len();
        if q == 0 {
            return None;
        }
        let m: Vec<f64> = (0..q * q).map(|ij| v(ij / q, ij % q)).collect();
        let chol = phare_stats::linalg::Cholesky::new(&m, q);
        let quad = |x: &[f64]| -> f64 {
            let kept: Vec<f64> = chol.kept.iter().map(|&j| x[j]).collect();
            chol.solve(x).iter().zip(&kept).map(|(a, b)| a * b).sum()
        };
        let w = quad(est);
        let q = chol.kept.len();
        let stat = w / q as f64;
        let (df2, p) = match reference {
            Reference::StudentT { df } => {
                (Some(df), FisherSnedecor::new(q as f64, df).map(|d| d.sf(stat)).unwrap_or(f64::NAN))
            }
            Reference::Normal => (None, ChiSquared::new(q as f64).map(|d| d.sf(w)).unwrap_or(f64::NAN)),
        };
        let signal = quad(trend);
        let detectable_slope = (signal > 0.0)
            .then(|| noncentrality_for_power(q, 0.05, 0.8))
            .flatten()
            .map(|lambda| (lambda / signal).sqrt());
        Some(PretrendTest { statistic: stat, df1: q, df2, p_value: p, detectable_slope })
    }
}

/// `P(χ'²_q(λ) > c)`: the survival function of the noncentral χ², as a Poisson mixture of central
/// χ² with q + 2j degrees of freedom.
fn noncentral_sf(q: usize, lambda: f64, c: f64) -> f64 {
    let half = lambda / 2.0;
    let terms = (half + 12.0 * half.sqrt() + 30.0) as usize;
    let mut log_pois = -half; // log P(J = 0)
    let mut total = 0.0;
    for j in 0..=terms {
        if j > 0 {
            log_pois += half.ln() - (j as f64).ln();
        }
        let tail = ChiSquared::new((q + 2 * j) as f64).map(|d| d.sf(c)).unwrap_or(0.0);
        total += log_pois.exp() * tail;
    }
    total.min(1.0)
}

/// The noncentrality at which the level-`alpha` χ²(q) test has power `power`.
fn noncentrality_for_power(q: usize, alpha: f64, power: f64) -> Option<f64> {
    let c = ChiSquared::new(q as f64).ok()?.inverse_cdf(1.0 - alpha);
    let (mut lo, mut hi) = (0.0, 1.0);
    while noncentral_sf(q, hi, c) < power {
        hi *= 2.0;
        if hi > 1e6 {
            return None;
        }
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if noncentral_sf(q, mid, c) < power {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(0.5 * (lo + hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_coefficient_power_matches_the_normal_formula() {
        // q = 1: power 80 % at level 5 % needs |δ|/σ = 1.959964 + 0.841621 = 2.801585.
        let t = PretrendTest::wald(&[0.0], &[-1.0], |_, _| 0.25, Reference::Normal).unwrap();
        let want = 2.801585 * 0.5;
        assert!((t.detectable_slope.unwrap() - want).abs() < 1e-5, "{:?}", t.detectable_slope);
        // Central case: λ = 0 gives the level.
        let c = ChiSquared::new(3.0).unwrap().inverse_cdf(0.95);
        assert!((noncentral_sf(3, 0.0, c) - 0.05).abs() < 1e-12);
    }

    #[test]
    fn noncentral_survival_matches_a_simulation() {
        // χ'²_2(λ = 4): sum of squares of N(√2, 1) and N(√2, 1).
        let mut rng = phare_core::SimRng::new(3);
        let c = 5.991464547107979;
        let reps = 200_000;
        let hits = (0..reps)
            .filter(|_| {
                let (a, b) = (rng.normal() + 2f64.sqrt(), rng.normal() + 2f64.sqrt());
                a * a + b * b > c
            })
            .count();
        let sim = hits as f64 / reps as f64;
        let exact = noncentral_sf(2, 4.0, c);
        assert!((sim - exact).abs() < 0.005, "{sim} vs {exact}");
    }
}
