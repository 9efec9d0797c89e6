//! Microdata → unit × period panel.
//!
//! Administrative microdata have one row per person, household, firm or claim; most designs want one
//! row per unit (commune, county, school…) and period. [`aggregate`] builds that panel from a lazy
//! polars scan, in batches run on the **streaming engine** whose partial results are merged, so files
//! larger than memory can be aggregated: memory grows with the batch size and the number of
//! unit × period groups, not with the number of input rows.

use crate::engine::engine_err;
use phare_core::{Error, Result};
use polars::prelude::*;

/// A statistic computed per unit × period.
#[derive(Debug, Clone, PartialEq)]
pub enum Stat {
    /// Sum of the column.
    Sum,
    /// Mean of the column (missing values ignored).
    Mean,
    /// Number of non-missing values of the column.
    Count,
    /// Minimum.
    Min,
    /// Maximum.
    Max,
    /// Weighted mean with weights from the named column: Σ w·x / Σ w over rows where x is present.
    WeightedMean(String),
}

/// One output column of the panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    /// The input column.
    pub column: String,
    /// The statistic.
    pub stat: Stat,
    /// The output column's name.
    pub alias: String,
}

impl Measure {
    /// A measure named `{column}_{stat}` (e.g. `wage_mean`).
    pub fn new(column: &str, stat: Stat) -> Measure {
        let suffix = match &stat {
            Stat::Sum => "sum",
            Stat::Mean => "mean",
            Stat::Count => "count",
            Stat::Min => "min",
            Stat::Max => "max",
            Stat::WeightedMean(_) => "wmean",
        };
        Measure { column: column.into(), alias: format!("{column}_{suffix}"), stat }
    }

    /// The same measure under another output name.
    pub fn alias(mut self, name: &str) -> Measure {
        self.alias = name.into();
        self
    }
}

/// What to aggregate: the unit and period keys and the measures. A row count `n` is always added.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateSpec {
    /// Unit key column.
    pub unit: String,
    /// Period key column.
    pub time: String,
    /// Output measures.
    pub measures: Vec<Measure>,
}

impl AggregateSpec {
    /// A spec with no measure yet (only the row count `n`).
    pub fn new(unit: &str, time: &str) -> AggregateSpec {
        AggregateSpec { unit: unit.into(), time: time.into(), measures: Vec::new() }
    }
    /// Adds a measure.
    pub fn measure(mut self, m: Measure) -> AggregateSpec {
        self.measures.push(m);
        self
    }
}

/// How [`aggregate_with`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AggregateOptions {
    /// Input rows aggregated per batch. Memory grows with this and with the number of groups, not
    /// with the number of input rows.
    pub batch_rows: usize,
}

impl Default for AggregateOptions {
    fn default() -> Self {
        AggregateOptions { batch_rows: 4_000_000 }
    }
}

/// Aggregates `input` to one row per (unit, period), sorted by unit then period. Output columns:
/// unit, time, `n` (rows in the group), then the measures. See [`aggregate_with`].
pub fn aggregate(input: LazyFrame, spec: &AggregateSpec) -> Result<DataFrame> {
    aggregate_with(input, spec, &AggregateOptions::default())
}

/// [`aggregate`] with explicit options.
///
/// The input is read in batches of `options.batch_rows` rows (slices of the lazy scan, so Parquet
/// and IPC files are read one part at a time); each batch is reduced to partial sums, counts,
/// minima and maxima per group on polars' streaming engine, and the partials are merged as they
/// come. Every statistic offered is decomposable this way (a mean is a sum and a count), so the
/// result equals a one-pass group-by, up to floating-point summation order.
///
/// Why batches rather than one streaming query: in polars 0.55 the streaming group-by aggregates
/// at most 4,096 groups on the fly and keeps the rows of all other groups in memory until the end,
/// so with tens of thousands of communes its memory grows with the number of rows
/// (measured: about 40 bytes per row). Batching bounds it (see docs/performance.md).
///
/// Fails before running anything if a column is missing, a measure is not numeric, or two output
/// columns would share a name.
pub fn aggregate_with(input: LazyFrame, spec: &AggregateSpec, options: &AggregateOptions) -> Result<DataFrame> {
    let mut input = input;
    let schema = input.collect_schema().map_err(engine_err("reading the microdata schema"))?;
    let names: Vec<String> = schema.iter_names().map(|s| s.to_string()).collect();
    let has = |c: &str| names.iter().any(|n| n == c);
    for c in [&spec.unit, &spec.time] {
        if !has(c) {
            return Err(Error::column_not_found(c, &names));
        }
    }
    let mut outputs: Vec<&str> = vec![spec.unit.as_str(), spec.time.as_str(), "n"];
    for m in &spec.measures {
        let mut needed = vec![m.column.as_str()];
        if let Stat::WeightedMean(w) = &m.stat {
            needed.push(w);
        }
        for c in needed {
            let Some(dt) = schema.get(c) else { return Err(Error::column_not_found(c, &names)) };
            if !(dt.is_primitive_numeric() || dt.is_bool()) && m.stat != Stat::Count {
                return Err(Error::ColumnType {
                    column: c.into(),
                    expected: "a numeric type".into(),
                    found: dt.to_string(),
                    hint: Some("only counts can be taken of text columns".into()),
                });
            }
        }
        if outputs.contains(&m.alias.as_str()) {
            return Err(Error::InvalidArgument {
                name: "measure".into(),
                value: format!("`{}`", m.alias),
                reason: "two output columns would have this name".into(),
                hint: Some("give one of them another alias".into()),
            });
        }
        outputs.push(&m.alias);
    }
    if options.batch_rows == 0 {
        return Err(Error::InvalidArgument {
            name: "batch_rows".into(),
            value: "0".into(),
            reason: "a batch needs at least one row".into(),
            hint: None,
        });
    }

    let keys = [col(spec.unit.as_str()), col(spec.time.as_str())];
    let (partials, merges): (Vec<Expr>, Vec<Expr>) = partial_exprs(&spec.measures).into_iter().unzip();
    let total = count_rows(&input)?;
    let mut merged: Option<DataFrame> = None;
    let mut offset = 0usize;
    loop {
        let len = options.batch_rows.min(total - offset);
        let part = input.clone().slice(offset as i64, len as IdxSize).group_by(keys.clone()).agg(partials.clone());
        let part = collect_streaming(part, "aggregating microdata")?;
        merged = Some(match merged {
            None => part,
            Some(prev) => {
                let both = concat([prev.lazy(), part.lazy()], UnionArgs::default())
                    .map_err(engine_err("merging partial aggregates"))?;
                both.group_by(keys.clone())
                    .agg(merges.clone())
                    .collect()
                    .map_err(engine_err("merging partial aggregates"))?
            }
        });
        offset += len;
        if offset >= total {
            break;
        }
    }
    let merged = merged.ok_or_else(|| Error::Internal("no batch was aggregated".into()))?;
    let mut finals = vec![col(spec.unit.as_str()), col(spec.time.as_str()), col("n")];
    finals.extend(spec.measures.iter().enumerate().map(|(i, m)| final_expr(i, m)));
    merged
        .lazy()
        .select(finals)
        .sort([spec.unit.as_str(), spec.time.as_str()], SortMultipleOptions::default())
        .collect()
        .map_err(engine_err("aggregating microdata"))
}

/// Rows of a lazy input: from metadata for Parquet and IPC, one counting pass for CSV.
fn count_rows(input: &LazyFrame) -> Result<usize> {
    let df = input.clone().select([len().alias("rows")]).collect().map_err(engine_err("counting rows"))?;
    let v = df
        .column("rows")
        .and_then(|c| c.cast(&DataType::Int64))
        .map_err(engine_err("counting rows"))?
        .i64()
        .map_err(engine_err("counting rows"))?
        .get(0)
        .unwrap_or(0);
    Ok(usize::try_from(v).unwrap_or(0))
}

fn part_name(i: usize, which: char) -> String {
    format!("__phare_p{i}{which}")
}

/// For each measure, the partial aggregates of one batch and how two partials merge.
/// Always first: the row count `n`.
fn partial_exprs(measures: &[Measure]) -> Vec<(Expr, Expr)> {
    let mut out = vec![(len().cast(DataType::Int64).alias("n"), col("n").sum())];
    for (i, m) in measures.iter().enumerate() {
        let (a, b) = (part_name(i, 'a'), part_name(i, 'b'));
        let c = col(m.column.as_str());
        let sum = |e: Expr, name: &str| (e.sum().alias(name), col(name).sum());
        match &m.stat {
            Stat::Sum => out.push(sum(c, &a)),
            Stat::Count => out.push((c.count().cast(DataType::Int64).alias(a.as_str()), col(a.as_str()).sum())),
            Stat::Mean => {
                out.push(sum(c.clone().cast(DataType::Float64), &a));
                out.push((c.count().cast(DataType::Int64).alias(b.as_str()), col(b.as_str()).sum()));
            }
            Stat::Min => out.push((c.min().alias(a.as_str()), col(a.as_str()).min())),
            Stat::Max => out.push((c.max().alias(a.as_str()), col(a.as_str()).max())),
            Stat::WeightedMean(w) => {
                let w = col(w.as_str()).cast(DataType::Float64);
                // Numerator and denominator over the same rows: those where x and w are both present.
                let present = c.clone().is_not_null().cast(DataType::Float64);
                out.push(sum(c.cast(DataType::Float64) * w.clone(), &a));
                out.push(sum(w * present, &b));
            }
        }
    }
    out
}

/// The output column of measure `i` from its merged partials.
fn final_expr(i: usize, m: &Measure) -> Expr {
    let (a, b) = (col(part_name(i, 'a').as_str()), col(part_name(i, 'b').as_str()));
    let e = match &m.stat {
        Stat::Sum | Stat::Count | Stat::Min | Stat::Max => a,
        Stat::Mean | Stat::WeightedMean(_) => {
            let b = b.cast(DataType::Float64);
            when(b.clone().gt(lit(0.0))).then(a / b).otherwise(lit(NULL).cast(DataType::Float64))
        }
    };
    e.alias(m.alias.as_str())
}

/// Runs a lazy query on polars' streaming engine.
pub fn collect_streaming(q: LazyFrame, context: &str) -> Result<DataFrame> {
    // A single plan always yields a single frame (`Multiple` is for `collect_all`).
    q.collect_with_engine(Engine::Streaming).map(|r| r.unwrap_single()).map_err(engine_err(context))
}
