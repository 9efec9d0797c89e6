//! # phare-stats
//!
//! The numerical core shared by estimators, with no data engine and no IO:
//!
//! - [`linalg`]: cross-products, a Cholesky factorisation that detects collinear columns, solves
//!   and inverses for the small dense systems of regression (k × k, k up to a few hundred);
//! - [`demean`]: absorbing any number of fixed effects by weighted alternating projections;
//! - [`logit`]: small logistic regressions with their information matrix (propensity scores);
//! - [`vcov`]: covariance estimators (iid, HC0–HC3, one- and multi-way clustered CRV1) with the
//!   small-sample corrections of fixest/pyfixest, stated in each variant's docs.
//!
//! Matrices are column-major `f64` slices, as produced by `phare_data::DesignMatrix`.
#![deny(missing_docs)]

pub mod demean;
pub mod linalg;
pub mod logit;
pub mod vcov;
