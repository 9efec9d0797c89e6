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

/// Appends the values of a numeric column to `out`, with `null` standing for missing values.
///
/// Reads the Arrow buffers chunk by chunk: for columns without missing values this is a memory
/// copy, where polars' element iterator checks validity per element (about ten times slower on
/// the 100,000-row panels of the difference-in-differences benches).
pub(crate) fn extend_values<T: polars::prelude::PolarsNumericType>(
    out: &mut Vec<T::Native>,
    ca: &polars::prelude::ChunkedArray<T>,
    null: T::Native,
) {
    out.reserve(ca.len());
    for arr in ca.downcast_iter() {
        let values = arr.values().as_slice();
        match arr.validity().filter(|v| v.unset_bits() > 0) {
            None => out.extend_from_slice(values),
            Some(valid) => out.extend(values.iter().zip(valid.iter()).map(|(&v, ok)| if ok { v } else { null })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::extend_values;
    use polars::prelude::*;

    #[test]
    fn extend_values_reads_every_chunk_and_marks_nulls() {
        let mut a = Float64Chunked::new("x".into(), &[Some(1.0), None, Some(3.0)]);
        a.append(&Float64Chunked::new("x".into(), &[Some(4.0), Some(5.0)])).expect("append");
        assert_eq!(a.chunks().len(), 2);
        let mut out = vec![0.5];
        extend_values(&mut out, &a, -1.0);
        assert_eq!(out, vec![0.5, 1.0, -1.0, 3.0, 4.0, 5.0]);
    }
}
