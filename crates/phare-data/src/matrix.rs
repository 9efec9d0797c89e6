//! The single boundary where polars columns become `f64` numbers.
//!
//! Estimators never touch polars: they receive a [`DesignMatrix`], a column-major `f64` buffer with
//! named columns. Building one is the only place where types are converted and missing values are
//! handled, so that policy is decided (and reported) once: rows with a missing value in any requested
//! column are dropped with a [`Diagnostic`] ([`MissingPolicy::Drop`]) or refused
//! ([`MissingPolicy::Error`]). The rows kept are recorded so results can be joined back to the data.

use crate::frames::ColumnByName;
use crate::roles::require_numeric;
use ndarray::{ArrayView2, ShapeBuilder};
use phare_core::{Diagnostic, Error, Result};
use polars::prelude::*;

/// What to do with rows that have a missing value (null or NaN) in a requested column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingPolicy {
    /// Drop those rows and say so in a diagnostic.
    #[default]
    Drop,
    /// Fail with [`Error::MissingValues`] naming the column and first row.
    Error,
}

/// Named `f64` columns stored column-major (Fortran order), ready for linear algebra.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignMatrix {
    data: Vec<f64>,
    nrows: usize,
    names: Vec<String>,
    rows: Vec<usize>,
    diagnostics: Vec<Diagnostic>,
}

impl DesignMatrix {
    /// Extracts `columns` of `df` (numeric or boolean) as `f64`.
    pub fn from_frame(df: &DataFrame, columns: &[&str], policy: MissingPolicy) -> Result<DesignMatrix> {
        let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
        // All columns into one column-major buffer, missing values (null or NaN) as NaN. Fresh
        // memory is expensive (page faults), so the buffer is allocated once and, when no row is
        // dropped, is the matrix itself.
        let n = df.height();
        let mut all: Vec<f64> = Vec::with_capacity(n * columns.len());
        for c in columns {
            let s = df.column_named(c).map_err(|_| Error::column_not_found(c, &names))?.as_materialized_series();
            require_numeric(s, c)?;
            let f = s.cast(&DataType::Float64).map_err(crate::engine::engine_err("converting to f64"))?;
            let ca = f.f64().map_err(crate::engine::engine_err("converting to f64"))?;
            crate::engine::extend_values(&mut all, ca, f64::NAN);
        }
        let cols: Vec<&[f64]> = all.chunks(n.max(1)).collect();
        let mut keep = vec![true; n];
        let mut dropped_by: Vec<(String, usize)> = Vec::new();
        for (c, v) in columns.iter().zip(&cols) {
            let mut count = 0;
            let mut first = None;
            for (i, x) in v.iter().enumerate() {
                if x.is_nan() {
                    count += 1;
                    first.get_or_insert(i);
                    keep[i] = false;
                }
            }
            if count > 0 {
                if policy == MissingPolicy::Error {
                    return Err(Error::MissingValues {
                        column: c.to_string(),
                        count,
                        first_row: first.unwrap_or(0),
                        hint: Some("drop or impute those rows, or allow dropping them".into()),
                    });
                }
                dropped_by.push((c.to_string(), count));
            }
        }
        let rows: Vec<usize> = (0..n).filter(|&i| keep[i]).collect();
        let data = if rows.len() == n {
            all
        } else {
            let mut data = Vec::with_capacity(rows.len() * cols.len());
            for v in &cols {
                data.extend(rows.iter().map(|&i| v[i]));
            }
            data
        };
        let mut diagnostics = Vec::new();
        if rows.len() < n {
            let detail = dropped_by.iter().map(|(c, k)| format!("`{c}`: {k}")).collect::<Vec<_>>().join(", ");
            diagnostics.push(Diagnostic::warning(
                "rows_dropped_missing",
                format!("{} of {n} rows dropped for missing values ({detail})", n - rows.len()),
            ));
        }
        Ok(DesignMatrix {
            data,
            nrows: rows.len(),
            names: columns.iter().map(|c| c.to_string()).collect(),
            rows,
            diagnostics,
        })
    }

    /// Builds a matrix from column vectors of equal length.
    pub fn from_columns(columns: Vec<(String, Vec<f64>)>) -> Result<DesignMatrix> {
        let nrows = columns.first().map_or(0, |c| c.1.len());
        if let Some((name, v)) = columns.iter().find(|c| c.1.len() != nrows) {
            return Err(Error::InvalidArgument {
                name: name.clone(),
                value: format!("{} values", v.len()),
                reason: format!("every column needs {nrows} values"),
                hint: None,
            });
        }
        let names = columns.iter().map(|c| c.0.clone()).collect();
        let data = columns.into_iter().flat_map(|c| c.1).collect();
        Ok(DesignMatrix { data, nrows, names, rows: (0..nrows).collect(), diagnostics: Vec::new() })
    }

    /// Number of rows kept.
    pub fn nrows(&self) -> usize {
        self.nrows
    }
    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.names.len()
    }
    /// Column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// Column `j` as a slice.
    pub fn column(&self, j: usize) -> &[f64] {
        &self.data[j * self.nrows..(j + 1) * self.nrows]
    }
    /// The column named `name`, if any.
    pub fn column_by_name(&self, name: &str) -> Option<&[f64]> {
        self.names.iter().position(|n| n == name).map(|j| self.column(j))
    }
    /// The whole buffer, column after column.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }
    /// For each kept row, its row index in the source frame.
    pub fn source_rows(&self) -> &[usize] {
        &self.rows
    }
    /// The source rows, taking the matrix apart (no copy).
    pub fn into_source_rows(self) -> Vec<usize> {
        self.rows
    }
    /// What building the matrix noticed (dropped rows).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
    /// An ndarray view (rows × columns, column-major), without copying.
    pub fn view(&self) -> ArrayView2<'_, f64> {
        // Unreachable failure: every constructor fills `data` with exactly nrows × ncols values,
        // column after column, which is the Fortran-order shape asked for here.
        ArrayView2::from_shape((self.nrows, self.ncols()).f(), &self.data)
            .expect("buffer length is nrows * ncols by construction")
    }
}

/// A categorical column (fixed effect, cluster) as integer ids `0..n_levels`, for the given rows
/// of `df`, in order of first appearance. Missing values are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupIds {
    /// The column.
    pub name: String,
    /// Per requested row: its level, or `None` when missing.
    pub ids: Vec<Option<u32>>,
    /// Number of distinct non-missing levels.
    pub n_levels: usize,
}

impl GroupIds {
    /// Encodes column `column` of `df` at `rows` (any type: codes, names, numbers).
    pub fn from_frame(df: &DataFrame, column: &str, rows: &[usize]) -> Result<GroupIds> {
        let all = rows.len() == df.height() && rows.iter().enumerate().all(|(i, &r)| i == r);
        Self::encode_column(df, column, if all { None } else { Some(rows) })
    }

    /// Encodes every row of column `column` of `df`.
    pub fn from_column(df: &DataFrame, column: &str) -> Result<GroupIds> {
        Self::encode_column(df, column, None)
    }

    /// Encodes `column` at `rows`, or at every row (`None`: the column is read sequentially).
    fn encode_column(df: &DataFrame, column: &str, rows: Option<&[usize]>) -> Result<GroupIds> {
        let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
        let s = df.column_named(column).map_err(|_| Error::column_not_found(column, &names))?.as_materialized_series();
        // Fast paths for integer and text columns (the usual identifiers); anything else is keyed
        // by its rendered value.
        let all_rows = rows.is_none();
        let every: Vec<usize>;
        let rows = match rows {
            Some(r) => r,
            None if s.dtype().is_integer() || s.dtype() == &DataType::String => &[][..],
            None => {
                every = (0..s.len()).collect();
                &every[..]
            }
        };
        let n = if all_rows { s.len() } else { rows.len() };
        if s.dtype().is_integer() {
            let v = s.cast(&DataType::Int64).map_err(crate::engine::engine_err("encoding groups"))?;
            let ca = v.i64().map_err(crate::engine::engine_err("encoding groups"))?;
            let (ids, n_levels) = match (ca.min().zip(ca.max()), all_rows) {
                // Identifiers in a compact range (1..N, years): a lookup table instead of hashing.
                (Some((lo, hi)), true) if (hi - lo) as u128 <= (4 * n as u128).max(1 << 20) => {
                    if ca.null_count() == 0 {
                        // Straight from the Arrow buffers, no per-element validity check.
                        let values = ca.downcast_iter().flat_map(|a| a.values().iter().copied().map(Some));
                        encode_dense(values, lo, (hi - lo) as usize + 1)
                    } else {
                        encode_dense(ca.iter(), lo, (hi - lo) as usize + 1)
                    }
                }
                (Some((lo, hi)), false) if (hi - lo) as u128 <= (4 * n as u128).max(1 << 20) => {
                    encode_dense(rows.iter().map(|&r| ca.get(r)), lo, (hi - lo) as usize + 1)
                }
                (_, true) => encode(ca.iter()),
                (_, false) => encode(rows.iter().map(|&r| ca.get(r))),
            };
            return Ok(GroupIds { name: column.to_string(), ids, n_levels });
        }
        if let Ok(ca) = s.str() {
            let (ids, n_levels) = if all_rows { encode(ca.iter()) } else { encode(rows.iter().map(|&r| ca.get(r))) };
            return Ok(GroupIds { name: column.to_string(), ids, n_levels });
        }
        let mut keys = Vec::with_capacity(rows.len());
        for &r in rows {
            let v = s.get(r).map_err(crate::engine::engine_err("encoding groups"))?;
            keys.push(match v {
                AnyValue::Null => None,
                AnyValue::Float64(x) if x.is_nan() => None,
                other => Some(other.to_string()),
            });
        }
        let (ids, n_levels) = encode(keys.into_iter());
        Ok(GroupIds { name: column.to_string(), n_levels, ids })
    }
}

/// Numbers the distinct present keys in order of first appearance.
fn encode<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = Option<K>>) -> (Vec<Option<u32>>, usize) {
    let mut index: std::collections::HashMap<K, u32> = std::collections::HashMap::new();
    let ids = keys
        .map(|k| {
            k.map(|k| {
                let next = index.len() as u32;
                *index.entry(k).or_insert(next)
            })
        })
        .collect();
    (ids, index.len())
}

/// [`encode`] for integers in `lo..lo + span`, with a table instead of a hash map.
fn encode_dense(keys: impl Iterator<Item = Option<i64>>, lo: i64, span: usize) -> (Vec<Option<u32>>, usize) {
    let mut table = vec![u32::MAX; span];
    let mut next = 0u32;
    let ids = keys
        .map(|k| {
            k.map(|k| {
                let slot = &mut table[(k - lo) as usize];
                if *slot == u32::MAX {
                    *slot = next;
                    next += 1;
                }
                *slot
            })
        })
        .collect();
    (ids, next as usize)
}

/// A categorical column's levels in natural order (numeric for integer columns, lexicographic
/// otherwise) and, per requested row, the index of its level (`None` when missing). This is what
/// factor expansion (`i(var)`) needs: dummies named and ordered by level.
pub fn sorted_levels(df: &DataFrame, column: &str, rows: &[usize]) -> Result<(Vec<String>, Vec<Option<u32>>)> {
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    let s = df.column_named(column).map_err(|_| Error::column_not_found(column, &names))?.as_materialized_series();
    if s.dtype().is_integer() {
        let v = s.cast(&DataType::Int64).map_err(crate::engine::engine_err("encoding a factor"))?;
        let ca = v.i64().map_err(crate::engine::engine_err("encoding a factor"))?;
        let vals: Vec<Option<i64>> = rows.iter().map(|&r| ca.get(r)).collect();
        let mut levels: Vec<i64> = vals.iter().flatten().copied().collect();
        levels.sort_unstable();
        levels.dedup();
        let codes = vals.iter().map(|v| v.and_then(|v| levels.binary_search(&v).ok().map(|i| i as u32))).collect();
        return Ok((levels.iter().map(|l| l.to_string()).collect(), codes));
    }
    let vals = render_cells(df, column, rows)?;
    let mut levels: Vec<String> = vals.iter().flatten().cloned().collect();
    levels.sort_unstable();
    levels.dedup();
    let codes = vals.iter().map(|v| v.as_ref().and_then(|v| levels.binary_search(v).ok().map(|i| i as u32))).collect();
    Ok((levels, codes))
}

/// The values of `column` at `rows` as text, rendered as [`sorted_levels`] names levels (integers
/// in decimal, text as is), `None` when missing: the key to match the levels of a fitted model
/// (fixed effects, factors) with the rows of new data.
pub fn render_cells(df: &DataFrame, column: &str, rows: &[usize]) -> Result<Vec<Option<String>>> {
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    let s = df.column_named(column).map_err(|_| Error::column_not_found(column, &names))?.as_materialized_series();
    if s.dtype().is_integer() {
        let v = s.cast(&DataType::Int64).map_err(crate::engine::engine_err("reading levels"))?;
        let ca = v.i64().map_err(crate::engine::engine_err("reading levels"))?;
        // Many rows (a level per row): one sequential read; few rows (one per unit): lookups.
        if ca.null_count() == 0 && rows.len() * 8 >= ca.len() {
            let mut values = Vec::with_capacity(ca.len());
            crate::engine::extend_values(&mut values, ca, 0);
            return Ok(rows.iter().map(|&r| values.get(r).map(|v| v.to_string())).collect());
        }
        return Ok(rows.iter().map(|&r| ca.get(r).map(|v| v.to_string())).collect());
    }
    let mut vals: Vec<Option<String>> = Vec::with_capacity(rows.len());
    for &r in rows {
        let v = s.get(r).map_err(crate::engine::engine_err("reading levels"))?;
        vals.push(match v {
            AnyValue::Null => None,
            AnyValue::Float64(x) if x.is_nan() => None,
            AnyValue::String(x) => Some(x.to_string()),
            other => Some(other.to_string()),
        });
    }
    Ok(vals)
}

impl DesignMatrix {
    /// The matrix restricted to the rows where `keep` is true (indices into the kept rows).
    pub fn select_rows(&self, keep: &[bool]) -> DesignMatrix {
        let rows: Vec<usize> = (0..self.nrows).filter(|&i| keep[i]).collect();
        let mut data = Vec::with_capacity(rows.len() * self.ncols());
        for j in 0..self.ncols() {
            let c = self.column(j);
            data.extend(rows.iter().map(|&i| c[i]));
        }
        DesignMatrix {
            nrows: rows.len(),
            data,
            names: self.names.clone(),
            rows: rows.iter().map(|&i| self.rows[i]).collect(),
            diagnostics: self.diagnostics.clone(),
        }
    }
}
