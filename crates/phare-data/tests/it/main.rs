//! Integration tests of phare-data, in one test binary (one link of polars instead of one per file).
//!
//! - `read_formats`: French CSV exports, Parquet, Arrow IPC, arrow-rs round trips;
//! - `bad_input`: every kind of bad input gets a typed error naming the culprit;
//! - `datasets`: bundled data match PROVENANCE.md and their papers;
//! - `panel_aggregate`: identities on seeded random data.

mod bad_input;
mod datasets;
mod panel_aggregate;
mod read_formats;
