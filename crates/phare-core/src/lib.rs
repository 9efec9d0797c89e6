//! # phare-core
//!
//! The shared vocabulary of phare, with no heavy dependency (no polars, no IO):
//!
//! - [`Error`] / [`ErrorKind`]: one error type, grouped by kind, whose messages name the file, column
//!   or value at fault and carry a hint;
//! - [`Diagnostic`]: what a step noticed (dropped rows, detected separators, …);
//! - [`Estimates`]: the results contract every fitted model implements, with [`Tidy`] and [`Glance`]
//!   tables whose column names are fixed in [`columns`] and [`glance_names`];
//! - [`Summary`]: a fit rendered as text, Markdown, HTML or LaTeX;
//! - [`Envelope`]: the JSON shape printed by `phare … --format json`;
//! - [`Seed`]: explicit, thread-count-independent seeds for resampling.
#![deny(missing_docs)]

pub mod diagnostic;
pub mod envelope;
pub mod error;
pub mod estimates;
pub mod seed;
pub mod summary;

pub use diagnostic::{Diagnostic, Severity};
pub use envelope::{Envelope, VERSION};
pub use error::{Error, ErrorKind, Result};
pub use estimates::{
    Coefficient, ConfidenceLevel, Estimates, Glance, GlanceValue, Interval, Reference, RelativePeriod, Tidy, TidyRow,
    Vcov, columns, glance_names,
};
pub use seed::{Seed, SimRng};
pub use summary::Summary;
