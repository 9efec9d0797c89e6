//! Covariate balance: standardised mean differences and variance ratios, before and after
//! weighting or matching.
//!
//! Within each group, `m_w = Σwx/Σw` and the weighted variance with reliability weights
//! `s²_w = Σw(x − m_w)²/(Σw − Σw²/Σw)` (the usual n − 1 variance when every w is 1). The
//! standardised mean difference divides by the *unweighted* pooled standard deviation
//! `√((s²₁ + s²₀)/2)` both before and after, so that the two are comparable (Austin and Stuart
//! 2015); |SMD| < 0.1 is the customary sign of balance. The variance ratio is `s²_w,1/s²_w,0`.

use phare_core::{Error, Result};
use phare_data::matrix::{DesignMatrix, MissingPolicy};
use phare_data::polars::prelude::DataFrame;

/// One covariate's balance.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Balance {
    /// The covariate.
    pub covariate: String,
    /// Mean among treated units, unweighted and weighted.
    pub mean_treated: (f64, f64),
    /// Mean among comparison units, unweighted and weighted.
    pub mean_control: (f64, f64),
    /// Standardised mean difference before weighting.
    pub smd_before: f64,
    /// Standardised mean difference after weighting.
    pub smd_after: f64,
    /// Variance ratio (treated over comparison) before weighting.
    pub variance_ratio_before: f64,
    /// Variance ratio after weighting.
    pub variance_ratio_after: f64,
}

/// Weighted mean and reliability-weighted variance.
fn moments(x: impl Iterator<Item = (f64, f64)> + Clone) -> (f64, f64) {
    let (sw, swx, sw2) = x.clone().fold((0.0, 0.0, 0.0), |(a, b, c), (v, w)| (a + w, b + w * v, c + w * w));
    let m = swx / sw;
    let ss = x.fold(0.0, |a, (v, w)| a + w * (v - m) * (v - m));
    (m, ss / (sw - sw2 / sw))
}

/// Balance of named covariates `xs` between `d` groups, weights `w` (one per unit).
pub(crate) fn balance_of(xs: &[(String, Vec<f64>)], d: &[bool], w: &[f64]) -> Vec<Balance> {
    xs.iter()
        .map(|(name, x)| {
            let arm = |t: bool, weighted: bool| {
                moments(
                    x.iter()
                        .zip(d)
                        .zip(w)
                        .filter(move |((_, dd), _)| **dd == t)
                        .map(move |((v, _), w)| (*v, if weighted { *w } else { 1.0 })),
                )
            };
            let ((m1, v1), (m0, v0)) = (arm(true, false), arm(false, false));
            let ((m1w, v1w), (m0w, v0w)) = (arm(true, true), arm(false, true));
            let sd = ((v1 + v0) / 2.0).sqrt();
            Balance {
                covariate: name.clone(),
                mean_treated: (m1, m1w),
                mean_control: (m0, m0w),
                smd_before: (m1 - m0) / sd,
                smd_after: (m1w - m0w) / sd,
                variance_ratio_before: v1 / v0,
                variance_ratio_after: v1w / v0w,
            }
        })
        .collect()
}

/// Balance of `covariates` between the groups of the 0/1 `treatment` in `df`, with optional
/// weights (one per row of `df`, e.g. from a weighting or matching fit mapped back to its rows;
/// rows with weight 0 drop out of the weighted columns). Rows with a missing value are left out.
///
/// # Errors
/// Missing columns; [`Error::Design`] for a treatment that is not 0/1 or a group with fewer than
/// two units; [`Error::InvalidArgument`] for weights of the wrong length or negative.
pub fn balance(df: &DataFrame, treatment: &str, covariates: &[&str], weights: Option<&[f64]>) -> Result<Vec<Balance>> {
    if let Some(w) = weights {
        if w.len() != df.height() {
            return Err(Error::InvalidArgument {
                name: "weights".into(),
                value: format!("{} values", w.len()),
                reason: format!("one weight per row is needed ({} rows)", df.height()),
                hint: None,
            });
        }
        if w.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(Error::InvalidArgument {
                name: "weights".into(),
                value: "negative or not finite".into(),
                reason: "balancing weights are non-negative numbers".into(),
                hint: None,
            });
        }
    }
    let mut cols = vec![treatment];
    cols.extend_from_slice(covariates);
    let m = DesignMatrix::from_frame(df, &cols, MissingPolicy::Drop)?;
    let raw = m.column(0);
    if let Some(v) = raw.iter().find(|&&v| v != 0.0 && v != 1.0) {
        return Err(Error::design(
            format!("the treatment `{treatment}` takes the value {v}: it must be 0 or 1"),
            "code participants 1 and non-participants 0",
        ));
    }
    let d: Vec<bool> = raw.iter().map(|&v| v == 1.0).collect();
    for arm in [true, false] {
        if d.iter().filter(|&&t| t == arm).count() < 2 {
            return Err(Error::design(
                format!("fewer than two {} units", if arm { "treated" } else { "comparison" }),
                "balance compares two groups",
            ));
        }
    }
    let w: Vec<f64> = match weights {
        Some(w) => m.source_rows().iter().map(|&r| w[r]).collect(),
        None => vec![1.0; d.len()],
    };
    let xs: Vec<(String, Vec<f64>)> =
        covariates.iter().enumerate().map(|(j, c)| (c.to_string(), m.column(j + 1).to_vec())).collect();
    Ok(balance_of(&xs, &d, &w))
}
