//! Everything a typical analysis needs, in one `use phare::prelude::*;`.

pub use phare_causal::did::{Comparison, TwoByTwo};
pub use phare_core::{
    Coefficient, ConfidenceLevel, Diagnostic, Error, ErrorKind, Estimates, Glance, Result, Seed, Severity, Summary,
    Tidy,
};
pub use phare_data::polars::prelude::{DataFrame, IntoLazy, LazyFrame, col, lit};
pub use phare_data::{
    AggregateSpec, DesignMatrix, Encoding, Measure, MissingPolicy, Panel, ReadOptions, Roles, Stat, ToFrame, aggregate,
    describe, load_dataset, read, scan, write_frame,
};
#[cfg(feature = "notebook")]
pub use phare_report::notebook::Notebook;
pub use phare_report::{Lang, brief::Brief, table::RegressionTable};
