//! # phare-data
//!
//! Everything between a file on disk and the `f64` matrices estimators work on:
//!
//! - [`read`](mod@read): CSV (any of `,` `;` `|` tab, decimal comma, UTF-8 or Windows-1252, code-like columns
//!   kept as text), Parquet and Arrow IPC, scanned lazily through polars;
//! - [`arrow_interop`]: hand frames to and from arrow-rs (`RecordBatch`) for other Arrow engines;
//! - [`roles`]: which column is the outcome, the unit, the time, the treatment…, and the validation
//!   that turns bad data into errors naming the column and value;
//! - [`panel`]: unit × period structure, balance, treatment cohorts and event time;
//! - [`aggregate`](mod@aggregate): microdata (one row per person, firm, claim…) to a unit × period panel on the
//!   polars streaming engine;
//! - [`datasets`]: the real public datasets bundled with phare;
//! - [`matrix`]: **the single boundary** where polars columns become a column-major `f64` matrix;
//! - [`frames`]: the results contract ([`phare_core::Tidy`], [`phare_core::Glance`]) as polars frames;
//! - [`describe`](mod@describe): a first look at a frame (types, missing values, ranges);
//! - [`write`](mod@write): atomic writes of frames and reports.
//!
//! Nothing here computes a statistic beyond counts, sums and means used to describe or aggregate data.
#![deny(missing_docs)]

pub mod aggregate;
pub mod arrow_interop;
pub mod datasets;
pub mod describe;
mod engine;
pub mod frames;
pub mod matrix;
pub mod panel;
pub mod read;
pub mod roles;
pub mod write;

pub use aggregate::{AggregateOptions, AggregateSpec, Measure, Stat, aggregate, aggregate_with};
pub use datasets::{Dataset, load_dataset};
pub use describe::{CohortTrends, Description, cohort_trends, describe};
pub use frames::{ColumnByName, ToFrame};
pub use matrix::{DesignMatrix, GroupIds, MissingPolicy, sorted_levels};
pub use panel::Panel;
pub use read::{Encoding, Format, ReadOptions, ReadReport, read, scan};
pub use roles::{Role, Roles};
pub use write::{write_atomic, write_frame};

/// polars, re-exported so that users of phare-data name the same version of its types.
pub use polars;
