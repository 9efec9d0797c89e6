//! Synthetic control and synthetic difference-in-differences: one region, city or country (or a
//! few) treated, many untreated donors, many periods.
//!
//! - [`SyntheticDid`]: the estimators of Arkhangelsky, Athey, Hirshberg, Imbens and Wager (2021)
//!   in one framework ([`SdidMethod`]): synthetic DiD (unit and time weights, both regularised),
//!   synthetic control as its special case without time weights, and plain DiD with uniform
//!   weights; placebo, bootstrap and jackknife standard errors ([`SdidVariance`]); staggered
//!   adoption by aggregating one estimate per adoption cohort.
//! - [`SyntheticControl`]: the synthetic control of Abadie, Diamond and Hainmueller (2010) —
//!   donor weights on the simplex matching chosen predictors, predictor weights chosen for the
//!   pre-period fit ([`PredictorWeights`]) — optionally augmented by a ridge outcome model
//!   (Ben-Michael, Feller and Rothstein 2021, [`SyntheticControl::augmented`]); with its inference
//!   ([`SyntheticControlFit::placebo_in_space`], [`SyntheticControlFit::placebo_in_time`],
//!   [`SyntheticControlFit::leave_one_out`], [`SyntheticControlFit::conformal`]).
//!
//! Both read a long panel (one row per unit and period) and are told which units are treated and
//! from when by an [`Assignment`].

mod adh;
mod data;
mod fw;
mod inference;
mod sdid;
mod simplex;

pub use adh::{Predictor, PredictorWeights, SyntheticControl, SyntheticControlFit};
pub use data::Assignment;
pub use inference::{ConformalInterval, LeaveOneOut, PlaceboInSpace, PlaceboInTime, PlaceboUnit};
pub use sdid::{CohortEstimate, SdidMethod, SdidVariance, SyntheticDid, SyntheticDidFit};
