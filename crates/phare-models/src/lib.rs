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
//! Today: OLS, WLS and 2SLS, any number of absorbed fixed effects, interactions of numeric
//! variables, collinear regressors dropped and reported, iid / HC0–HC3 / one- and multi-way CRV1
//! covariances matching pyfixest, CRV3, first-stage F statistics; Poisson PML and logit with
//! absorbed fixed effects ([`Feglm`]). Factor expansion (`i()`), Newey–West and Driscoll–Kraay are
//! not implemented yet and are refused with an error saying so.
#![deny(missing_docs)]

mod design;
pub mod feols;
pub mod formula;
pub mod glm;
pub mod wald;

pub use feols::{Feols, FeolsFit, FixefValues, VcovSpec};
pub use formula::{Factor, Formula};
pub use glm::{Family, Feglm, FeglmFit};
pub use wald::{WaldTest, wald};
