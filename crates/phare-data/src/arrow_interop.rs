//! Exchange with arrow-rs.
//!
//! polars has its own Arrow implementation; the wider Arrow ecosystem in Rust (DataFusion, Ballista,
//! Flight, anything using the C Data Interface) speaks arrow-rs. These two functions move a frame
//! across through the Arrow IPC format in memory, which both sides implement to the specification,
//! so no unsafe FFI is needed. The cost is one copy, which is small next to any estimation.
//!
//! Frames are written at polars' oldest compatibility level (plain `LargeUtf8` strings instead of
//! string views) so that every arrow-rs consumer can read them.

use crate::engine::engine_err;
use phare_core::{Error, Result};
use polars::prelude::*;
use std::io::Cursor;

/// The frame as arrow-rs record batches (one per polars chunk).
pub fn to_record_batches(df: &mut DataFrame) -> Result<Vec<arrow::record_batch::RecordBatch>> {
    let mut buf = Vec::new();
    IpcWriter::new(&mut buf)
        .with_compat_level(CompatLevel::oldest())
        .finish(df)
        .map_err(engine_err("writing Arrow IPC for arrow-rs"))?;
    let reader = arrow::ipc::reader::FileReader::try_new(Cursor::new(buf), None).map_err(arrow_err)?;
    reader.collect::<std::result::Result<Vec<_>, _>>().map_err(arrow_err)
}

/// A polars frame from arrow-rs record batches (which must share one schema).
pub fn from_record_batches(batches: &[arrow::record_batch::RecordBatch]) -> Result<DataFrame> {
    let Some(first) = batches.first() else {
        return Err(Error::InvalidArgument {
            name: "batches".into(),
            value: "[]".into(),
            reason: "at least one record batch is needed to know the schema".into(),
            hint: None,
        });
    };
    let mut buf = Vec::new();
    {
        let mut w = arrow::ipc::writer::FileWriter::try_new(&mut buf, &first.schema()).map_err(arrow_err)?;
        for b in batches {
            w.write(b).map_err(arrow_err)?;
        }
        w.finish().map_err(arrow_err)?;
    }
    IpcReader::new(Cursor::new(buf)).finish().map_err(engine_err("reading Arrow IPC from arrow-rs"))
}

fn arrow_err(e: arrow::error::ArrowError) -> Error {
    Error::Engine { context: "arrow-rs".into(), message: e.to_string(), hint: None }
}
