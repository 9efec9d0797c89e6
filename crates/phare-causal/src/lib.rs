//! # phare-causal
//!
//! Causal designs for policy evaluation. Each design lives in its own module with the same shape
//! (after linfa): a `…Params` builder validated when fitting, `fit(&data)`, and a `…Fit` that
//! implements [`phare_core::Estimates`]. Designs never read files and never print; they receive
//! frames and roles, cross into numbers through `phare_data::Panel` / `phare_data::DesignMatrix`,
//! and return estimates with their diagnostics.
//!
//! Today: [`did::TwoByTwo`], the canonical 2×2 difference-in-differences on a panel. The rest of
//! the difference-in-differences family, synthetic control, regression discontinuity and weighting
//! arrive with their issues.
#![deny(missing_docs)]

pub mod did;
pub mod rd;
pub mod synth;
pub mod weighting;
