//! Turning polars errors into phare errors.
//!
//! polars reports failures with its own error type and messages that name polars concepts. Every call
//! into polars in this crate goes through [`engine_err`] or [`file_err`], so that the user sees which
//! file or step failed and gets a hint where phare can guess the cause.

use phare_core::Error;
use polars::prelude::PolarsError;
use std::path::Path;

/// A polars failure while doing `context` (e.g. "aggregating microdata").
pub(crate) fn engine_err(context: &str) -> impl FnOnce(PolarsError) -> Error + '_ {
    move |e| Error::Engine { context: context.to_string(), message: clean(&e), hint: None }
}

/// A polars failure while reading `path`: the content could not be understood.
pub(crate) fn file_err(path: &Path) -> impl FnOnce(PolarsError) -> Error + '_ {
    move |e| {
        let message = clean(&e);
        let hint = hint_for(&message);
        Error::FileFormat { path: path.to_path_buf(), detail: message, hint }
    }
}

/// polars messages end with long help paragraphs; keep the first line, which names the culprit.
fn clean(e: &PolarsError) -> String {
    let s = e.to_string();
    let first = s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("unknown polars error");
    first.trim_end_matches(':').to_string()
}

fn hint_for(message: &str) -> Option<String> {
    let m = message.to_lowercase();
    if m.contains("could not parse") {
        Some(
            "a value does not match the type guessed from the first rows: declare the column as text \
             (ReadOptions::text_column / `--text COLUMN`), or check the decimal separator (`--decimal-comma`)"
                .into(),
        )
    } else if m.contains("more fields") || m.contains("found more") {
        Some("a row has more fields than the header: check the separator (`--sep`) and quoting".into())
    } else if m.contains("parquet") || m.contains("footer") || m.contains("magic") {
        Some(
            "the file is not valid Parquet/Arrow: was it fully written? Check the extension matches the content".into(),
        )
    } else {
        None
    }
}
