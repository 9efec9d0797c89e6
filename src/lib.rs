//! # phare
//!
//! Public-policy impact evaluation in Rust: load administrative data into polars, estimate with the
//! methods of policy evaluation, and hand decision-makers a brief they can read.
//!
//! This crate is the facade: depend on `phare` alone and use [`prelude`]. The member crates are
//! re-exported under short names:
//!
//! - [`core`] (`phare-core`): errors, diagnostics, the results contract ([`core::Estimates`],
//!   tidy and glance tables), summaries;
//! - [`data`] (`phare-data`): readers, panels, aggregation, bundled datasets, the matrix boundary;
//! - [`models`] (`phare-models`): regression with fixed effects, IV, GLMs;
//! - [`causal`] (`phare-causal`): the designs (difference-in-differences today);
//! - [`report`] (`phare-report`): charts, regression tables, decision briefs and study files.
//!
//! ```
//! use phare::prelude::*;
//!
//! let df = phare::datasets::load("mpdta")?;
//! let panel = Panel::new(&df, "countyreal", "year")?.with_cohort_column(&df, "first_treat", 0)?;
//! assert_eq!(panel.n_units(), 500);
//! assert!(panel.is_balanced());
//! # Ok::<(), phare::core::Error>(())
//! ```
#![deny(missing_docs)]

pub use phare_causal as causal;
pub use phare_core as core;
pub use phare_data as data;
/// The bundled real datasets: `phare::datasets::load("prop99")`, `phare::datasets::DATASETS`.
pub use phare_data::datasets;
pub use phare_models as models;
pub use phare_report as report;

pub mod prelude;
