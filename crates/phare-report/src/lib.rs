//! # phare-report
//!
//! What a decision-maker reads: charts, tables and decision briefs, built from fitted models
//! through the results contract ([`phare_core::Estimates`], tidy and glance tables). This crate
//! formats and draws; it never computes a statistic (every number it shows comes from a fit or from
//! the caller).
//!
//! - [`text`]: languages (French, English), number formatting per language, escaping of user text
//!   for HTML, Markdown, LaTeX and Typst;
//! - [`chart`]: plotters charts rendered to SVG strings and PNG bytes, with an embedded font;
//! - [`table`]: multi-model regression tables;
//! - [`brief`]: the decision brief, as one self-contained HTML file or Markdown plus SVG;
//! - `notebook` (feature `notebook`): rich display in evcxr Jupyter notebooks;
//! - [`study`]: study files (`phare run study.toml`): from a TOML spec to the brief and tidy
//!   outputs, written atomically.
#![deny(missing_docs)]

pub mod brief;
pub mod chart;
#[cfg(feature = "notebook")]
pub mod notebook;
pub mod study;
pub mod table;
pub mod text;

pub use text::Lang;
