//! Microdata → unit × period panel.
//!
//! Administrative microdata have one row per person, household, firm or claim; most designs want one
//! row per unit (commune, county, school…) and period. [`aggregate`] builds that panel as a lazy polars
//! query and runs it on the **streaming engine**, so files larger than memory can be aggregated:
//! memory use is bounded by the number of unit × period groups, not the number of input rows.

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

    fn expr(&self) -> Expr {
        let c = col(self.column.as_str());
        let e = match &self.stat {
            Stat::Sum => c.sum(),
            Stat::Mean => c.mean(),
            Stat::Count => c.count(),
            Stat::Min => c.min(),
            Stat::Max => c.max(),
            Stat::WeightedMean(w) => {
                let w = col(w.as_str()).cast(DataType::Float64);
                let present = c.clone().is_not_null();
                let wx = (c.cast(DataType::Float64) * w.clone()).sum();
                let ws = w.filter(present).sum();
                wx / ws
            }
        };
        e.alias(self.alias.as_str())
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

/// Aggregates `input` to one row per (unit, period), sorted by unit then period, on the streaming
/// engine. Output columns: unit, time, `n` (rows in the group), then the measures.
///
/// Fails before running anything if a column is missing, a measure is not numeric, or two output
/// columns would share a name.
pub fn aggregate(input: LazyFrame, spec: &AggregateSpec) -> Result<DataFrame> {
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
    let mut aggs = vec![len().alias("n")];
    aggs.extend(spec.measures.iter().map(Measure::expr));
    let q = input
        .group_by([col(spec.unit.as_str()), col(spec.time.as_str())])
        .agg(aggs)
        .sort([spec.unit.as_str(), spec.time.as_str()], SortMultipleOptions::default());
    collect_streaming(q, "aggregating microdata")
}

/// Runs a lazy query on polars' streaming engine.
pub fn collect_streaming(q: LazyFrame, context: &str) -> Result<DataFrame> {
    // A single plan always yields a single frame (`Multiple` is for `collect_all`).
    q.collect_with_engine(Engine::Streaming).map(|r| r.unwrap_single()).map_err(engine_err(context))
}
