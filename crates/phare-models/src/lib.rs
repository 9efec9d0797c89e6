//! # phare-models
//!
//! The regression engine. A model is written as a formula in fixest's syntax,
//!
//! ```text
//! lwage ~ union + married + expersq | nr + year
//! ```
//!
//! (outcome `~` regressors `|` fixed effects), fitted by [`Feols`] with the fixed effects absorbed,
//! and its covariance chosen independently of the point estimates ([`FeolsFit::with_vcov`]). Fits
//! implement [`phare_core::Estimates`].
//!
//! What it covers: OLS, WLS and 2SLS, any number of absorbed fixed effects, interactions of
//! numeric variables, factors `i(var)` and per-level slopes `i(var, x)`, collinear regressors
//! dropped and reported, iid / HC0–HC3 / one- and multi-way CRV1 / CRV3 / Newey–West /
//! Driscoll–Kraay covariances matching pyfixest, first-stage, effective, Cragg–Donald and
//! Kleibergen–Paap F statistics, fixed-effect estimates and predictions on new data; Poisson PML and
//! logit with absorbed fixed effects ([`Feglm`]); joint Wald tests ([`wald()`]); and linfa's
//! `Fit`/`Predict` traits for plain least squares on ndarray data ([`linfa_traits`]).
#![deny(missing_docs)]

mod design;
pub mod feols;
pub mod formula;
pub mod glm;
pub mod linfa_traits;
pub mod wald;

pub use feols::{Feols, FeolsFit, FixefValues, VcovSpec};
pub use formula::{Factor, Formula};
pub use glm::{Family, Feglm, FeglmFit};
pub use wald::{WaldTest, wald};
