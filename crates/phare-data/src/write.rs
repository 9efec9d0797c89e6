//! Atomic writes.
//!
//! Every file phare writes goes through [`write_atomic`]: the content is written to a temporary file
//! in the destination's directory, flushed, then renamed over the destination. A reader (or a crash)
//! therefore sees either the old file or the complete new one, never half of it. phare refuses to
//! write over a file it was asked to read.

use crate::engine::file_err;
use crate::read::Format;
use phare_core::{Error, Result};
use polars::prelude::*;
use std::io::Write;
use std::path::Path;

/// Writes `path` atomically: `fill` writes the content into a temporary file that replaces `path`
/// only once complete. Parent directories are created.
pub fn write_atomic<F>(path: &Path, fill: F) -> Result<()>
where
    F: FnOnce(&mut std::fs::File) -> Result<()>,
{
    let io = |action: &'static str, source: std::io::Error| Error::Io { action, path: path.into(), source, hint: None };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| io("create the directory of", e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".phare-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|e| io("create a temporary file next to", e))?;
    fill(tmp.as_file_mut())?;
    tmp.as_file_mut().flush().map_err(|e| io("write", e))?;
    tmp.as_file().sync_all().map_err(|e| io("write", e))?;
    tmp.persist(path).map_err(|e| io("replace", e.error))?;
    Ok(())
}

/// Writes text atomically.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    write_atomic(path, |f| {
        f.write_all(text.as_bytes()).map_err(|source| Error::Io {
            action: "write",
            path: path.into(),
            source,
            hint: None,
        })
    })
}

/// Writes a frame as CSV (UTF-8, `,`), Parquet or Arrow IPC, chosen by `format` or the extension.
pub fn write_frame(df: &mut DataFrame, path: &Path, format: Option<Format>) -> Result<()> {
    let format = match format {
        Some(f) => f,
        None => Format::from_path(path)?,
    };
    write_atomic(path, |f| {
        match format {
            Format::Csv => CsvWriter::new(f).finish(df),
            Format::Parquet => ParquetWriter::new(f).finish(df).map(|_| ()),
            Format::Ipc => IpcWriter::new(f).finish(df),
        }
        .map_err(file_err(path))
    })
}

/// Fails if `output` is the same file as `input`: phare never overwrites its inputs.
pub fn refuse_overwriting_input(input: &Path, output: &Path) -> Result<()> {
    let same = match (std::fs::canonicalize(input), std::fs::canonicalize(output)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return Err(Error::InvalidArgument {
            name: "output".into(),
            value: format!("`{}`", output.display()),
            reason: "this is the input file; phare never overwrites its inputs".into(),
            hint: Some("choose another output path".into()),
        });
    }
    Ok(())
}
