//! Column roles and the validation that goes with them.
//!
//! An estimator needs to know which column is the outcome, which identifies units, which is time, and
//! so on. [`Roles`] names them once; [`Roles::validate`] checks a frame against them and returns either
//! an [`Error`] naming the column and value at fault, or the [`Diagnostic`]s worth showing (missing
//! outcomes that will be dropped, unbalanced panels are reported by [`crate::Panel`]).

use crate::engine::engine_err;
use crate::frames::ColumnByName;
use phare_core::{Diagnostic, Error, Result};
use polars::prelude::*;

/// Which column plays which part in an analysis. Every field is optional: a design asks for the
/// roles it needs with [`Roles::require`].
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Roles {
    /// The outcome (numeric).
    pub outcome: Option<String>,
    /// The unit identifier (any type without missing values).
    pub unit: Option<String>,
    /// The time period (integer-valued, without missing values).
    pub time: Option<String>,
    /// The treatment indicator (0/1 or boolean, without missing values).
    pub treatment: Option<String>,
    /// The treatment cohort: each unit's first treated period (whole numbers; 0 or missing for
    /// never-treated units, see [`crate::Panel::with_cohort_column`]).
    pub cohort: Option<String>,
    /// Observation weights (numeric, non-negative).
    pub weights: Option<String>,
    /// The cluster identifier for standard errors (any type without missing values).
    pub cluster: Option<String>,
    /// Control variables (numeric).
    pub covariates: Vec<String>,
}

/// A role a design may require.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// See [`Roles::outcome`].
    Outcome,
    /// See [`Roles::unit`].
    Unit,
    /// See [`Roles::time`].
    Time,
    /// See [`Roles::treatment`].
    Treatment,
    /// See [`Roles::cohort`].
    Cohort,
    /// See [`Roles::weights`].
    Weights,
    /// See [`Roles::cluster`].
    Cluster,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Outcome => "outcome",
            Role::Unit => "unit",
            Role::Time => "time",
            Role::Treatment => "treatment",
            Role::Cohort => "cohort",
            Role::Weights => "weights",
            Role::Cluster => "cluster",
        }
    }
}

impl Roles {
    /// No roles assigned yet.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the outcome column.
    pub fn outcome(mut self, c: impl Into<String>) -> Self {
        self.outcome = Some(c.into());
        self
    }
    /// Sets the unit column.
    pub fn unit(mut self, c: impl Into<String>) -> Self {
        self.unit = Some(c.into());
        self
    }
    /// Sets the time column.
    pub fn time(mut self, c: impl Into<String>) -> Self {
        self.time = Some(c.into());
        self
    }
    /// Sets the treatment column.
    pub fn treatment(mut self, c: impl Into<String>) -> Self {
        self.treatment = Some(c.into());
        self
    }
    /// Sets the cohort (first treated period) column.
    pub fn cohort(mut self, c: impl Into<String>) -> Self {
        self.cohort = Some(c.into());
        self
    }
    /// Sets the weights column.
    pub fn weights(mut self, c: impl Into<String>) -> Self {
        self.weights = Some(c.into());
        self
    }
    /// Sets the cluster column.
    pub fn cluster(mut self, c: impl Into<String>) -> Self {
        self.cluster = Some(c.into());
        self
    }
    /// Adds a covariate.
    pub fn covariate(mut self, c: impl Into<String>) -> Self {
        self.covariates.push(c.into());
        self
    }

    fn get(&self, role: Role) -> Option<&str> {
        match role {
            Role::Outcome => self.outcome.as_deref(),
            Role::Unit => self.unit.as_deref(),
            Role::Time => self.time.as_deref(),
            Role::Treatment => self.treatment.as_deref(),
            Role::Cohort => self.cohort.as_deref(),
            Role::Weights => self.weights.as_deref(),
            Role::Cluster => self.cluster.as_deref(),
        }
    }

    /// Fails if one of `roles` has no column assigned, naming the role and the option that sets it.
    pub fn require(&self, roles: &[Role]) -> Result<()> {
        for &r in roles {
            if self.get(r).is_none() {
                return Err(Error::InvalidArgument {
                    name: r.name().into(),
                    value: "(not set)".into(),
                    reason: format!("this design needs a {} column", r.name()),
                    hint: Some(format!("pass `--{} COLUMN` (or Roles::{})", r.name(), r.name())),
                });
            }
        }
        Ok(())
    }

    /// Checks `df` against the roles. Errors name the column and the first offending value or row;
    /// the returned diagnostics describe what is allowed but worth knowing.
    ///
    /// Checks, in order: every named column exists; no column is entirely missing; outcome, weights,
    /// cohort and covariates are numeric; unit, time, treatment and cluster have no missing values;
    /// time is integer-valued; treatment is 0/1; cohorts are whole numbers where present; weights are
    /// finite and non-negative; (unit, time) pairs are unique.
    pub fn validate(&self, df: &DataFrame) -> Result<Vec<Diagnostic>> {
        let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
        let mut diagnostics = Vec::new();
        let all: Vec<(&str, &str)> =
            [Role::Outcome, Role::Unit, Role::Time, Role::Treatment, Role::Cohort, Role::Weights, Role::Cluster]
                .into_iter()
                .filter_map(|r| self.get(r).map(|c| (r.name(), c)))
                .chain(self.covariates.iter().map(|c| ("covariate", c.as_str())))
                .collect();
        for (_, c) in &all {
            if !names.iter().any(|n| n == c) {
                return Err(Error::column_not_found(c, &names));
            }
        }
        if df.height() == 0 {
            return Err(Error::design("the data have no rows", "check the file and any filter applied before"));
        }
        for (role, c) in &all {
            let s = df.column_named(c).map_err(engine_err("validating columns"))?.as_materialized_series().clone();
            let missing = missing_count(&s);
            if missing == s.len() {
                return Err(Error::MissingValues {
                    column: c.to_string(),
                    count: missing,
                    first_row: 0,
                    hint: Some(format!(
                        "the {role} column `{c}` is entirely empty: check the column name, the separator and the null markers"
                    )),
                });
            }
        }
        for c in self.outcome.iter().chain(&self.weights).chain(&self.cohort).chain(&self.covariates) {
            let s = df.column_named(c).map_err(engine_err("validating columns"))?.as_materialized_series();
            require_numeric(s, c)?;
        }
        for c in [&self.unit, &self.time, &self.treatment, &self.cluster].into_iter().flatten() {
            let s = df.column_named(c).map_err(engine_err("validating columns"))?.as_materialized_series();
            no_missing(s, c)?;
        }
        if let Some(o) = &self.outcome {
            let s = df.column_named(o).map_err(engine_err("validating columns"))?.as_materialized_series();
            let m = missing_count(s);
            if m > 0 {
                diagnostics.push(Diagnostic::warning(
                    "missing_outcome",
                    format!("outcome `{o}` is missing in {m} of {} rows; estimators drop those rows", s.len()),
                ));
            }
        }
        if let Some(t) = &self.time {
            let s = df.column_named(t).map_err(engine_err("validating columns"))?.as_materialized_series();
            time_values(s, t)?;
        }
        if let Some(d) = &self.treatment {
            let s = df.column_named(d).map_err(engine_err("validating columns"))?.as_materialized_series();
            binary_values(s, d)?;
        }
        if let Some(g) = &self.cohort {
            let s = df.column_named(g).map_err(engine_err("validating columns"))?.as_materialized_series();
            let v = to_f64(s, g)?;
            if let Some((i, x)) =
                v.iter().enumerate().find_map(|(i, x)| x.filter(|x| x.fract() != 0.0 || !x.is_finite()).map(|x| (i, x)))
            {
                return Err(Error::InvalidValue {
                    place: format!("cohort column `{g}` (row {i})"),
                    value: x.to_string(),
                    reason: "a cohort is the whole-number period of first treatment".into(),
                    hint: Some("use 0 (or leave empty) for never-treated units".into()),
                });
            }
        }
        if let Some(w) = &self.weights {
            let s = df.column_named(w).map_err(engine_err("validating columns"))?.as_materialized_series();
            let v = to_f64(s, w)?;
            if let Some((i, x)) =
                v.iter().enumerate().find_map(|(i, x)| x.filter(|x| !x.is_finite() || *x < 0.0).map(|x| (i, x)))
            {
                return Err(Error::InvalidValue {
                    place: format!("weights column `{w}` (row {i})"),
                    value: x.to_string(),
                    reason: "weights must be finite and non-negative".into(),
                    hint: Some("drop or fix those rows; weights are sampling or frequency weights".into()),
                });
            }
        }
        if let (Some(u), Some(t)) = (&self.unit, &self.time) {
            check_unique_keys(df, &[u.as_str(), t.as_str()])?;
        }
        Ok(diagnostics)
    }
}

/// Nulls plus floating-point NaNs.
pub(crate) fn missing_count(s: &Series) -> usize {
    // NaNs counted over the raw buffers: polars' `is_nan` kernel costs a few milliseconds of
    // set-up on its first call in a process, more than the whole check on 100,000 rows.
    fn nans<T: PolarsNumericType>(ca: &ChunkedArray<T>, is_nan: fn(T::Native) -> bool) -> usize {
        ca.downcast_iter()
            .map(|arr| match arr.validity() {
                None => arr.values().iter().filter(|v| is_nan(**v)).count(),
                Some(valid) => arr.values().iter().zip(valid.iter()).filter(|(v, ok)| *ok && is_nan(**v)).count(),
            })
            .sum()
    }
    let nan = match s.dtype() {
        DataType::Float64 => s.f64().map(|ca| nans(ca, f64::is_nan)).unwrap_or(0),
        DataType::Float32 => s.f32().map(|ca| nans(ca, f32::is_nan)).unwrap_or(0),
        _ => 0,
    };
    s.null_count() + nan
}

fn no_missing(s: &Series, c: &str) -> Result<()> {
    let m = missing_count(s);
    if m == 0 {
        return Ok(());
    }
    let mut first = 0;
    for (i, v) in s.iter().enumerate() {
        if v.is_null()
            || matches!(v, AnyValue::Float64(x) if x.is_nan())
            || matches!(v, AnyValue::Float32(x) if x.is_nan())
        {
            first = i;
            break;
        }
    }
    Err(Error::MissingValues {
        column: c.to_string(),
        count: m,
        first_row: first,
        hint: Some("identifiers, time and treatment must be known for every row: drop or fill those rows first".into()),
    })
}

pub(crate) fn require_numeric(s: &Series, c: &str) -> Result<()> {
    if s.dtype().is_primitive_numeric() || s.dtype().is_bool() {
        return Ok(());
    }
    let example = s.iter().find(|v| !v.is_null()).map(|v| v.to_string()).unwrap_or_default();
    let hint = if example.trim_matches('"').contains(',')
        && example.trim_matches('"').replace(',', ".").parse::<f64>().is_ok()
    {
        format!("values like {example} use a decimal comma: read the file with `--decimal-comma`")
    } else {
        format!("first value is {example}; convert the column to numbers or pick another column")
    };
    Err(Error::ColumnType {
        column: c.to_string(),
        expected: "a numeric type".into(),
        found: s.dtype().to_string(),
        hint: Some(hint),
    })
}

/// The values of a numeric or boolean column as `f64`, nulls as `None`.
pub(crate) fn to_f64(s: &Series, c: &str) -> Result<Vec<Option<f64>>> {
    require_numeric(s, c)?;
    let f = s.cast(&DataType::Float64).map_err(engine_err("converting to f64"))?;
    let ca = f.f64().map_err(engine_err("converting to f64"))?;
    if ca.null_count() == 0 {
        let mut values = Vec::with_capacity(ca.len());
        crate::engine::extend_values(&mut values, ca, 0.0);
        return Ok(values.into_iter().map(Some).collect());
    }
    Ok(ca.iter().collect())
}

/// Time must be integer-valued numbers (years, quarters numbered, months numbered…).
pub(crate) fn time_values(s: &Series, c: &str) -> Result<Vec<i64>> {
    if !s.dtype().is_primitive_numeric() {
        let example = s.iter().find(|v| !v.is_null()).map(|v| v.to_string()).unwrap_or_default();
        return Err(Error::ColumnType {
            column: c.to_string(),
            expected: "integer periods (a year, or a period number)".into(),
            found: s.dtype().to_string(),
            hint: Some(format!(
                "time must be orderable numbers; {example} cannot be ordered as a period. Derive a number \
                 such as year, or year*4+quarter, before the analysis"
            )),
        });
    }
    if s.dtype().is_integer() {
        // Integer periods (the usual case): read directly, only nulls can be wrong.
        let v = s.cast(&DataType::Int64).map_err(engine_err("reading periods"))?;
        let ca = v.i64().map_err(engine_err("reading periods"))?;
        if let Some(i) = ca.iter().position(|x| x.is_none()) {
            return Err(Error::MissingValues {
                column: c.to_string(),
                count: ca.null_count(),
                first_row: i,
                hint: None,
            });
        }
        let mut values = Vec::with_capacity(ca.len());
        crate::engine::extend_values(&mut values, ca, 0);
        return Ok(values);
    }
    let v = to_f64(s, c)?;
    v.iter()
        .enumerate()
        .map(|(i, x)| match x {
            Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => Ok(*x as i64),
            Some(x) => Err(Error::InvalidValue {
                place: format!("time column `{c}` (row {i})"),
                value: x.to_string(),
                reason: "periods must be whole numbers".into(),
                hint: Some("round or renumber the periods (e.g. year*4+quarter)".into()),
            }),
            None => Err(Error::MissingValues { column: c.to_string(), count: 1, first_row: i, hint: None }),
        })
        .collect()
}

/// Treatment must be 0/1 (or boolean).
pub(crate) fn binary_values(s: &Series, c: &str) -> Result<Vec<bool>> {
    let v = to_f64(s, c)?;
    v.iter()
        .enumerate()
        .map(|(i, x)| match x {
            Some(x) if *x == 0.0 => Ok(false),
            Some(x) if *x == 1.0 => Ok(true),
            Some(x) => Err(Error::InvalidValue {
                place: format!("treatment column `{c}` (row {i})"),
                value: x.to_string(),
                reason: "a treatment indicator takes the values 0 and 1 only".into(),
                hint: Some("for a first-treatment-period column (cohort), use Panel::with_cohort_column".into()),
            }),
            None => Err(Error::MissingValues { column: c.to_string(), count: 1, first_row: i, hint: None }),
        })
        .collect()
}

/// Fails with [`Error::DuplicateKeys`] if two rows share the same values of `keys`.
pub fn check_unique_keys(df: &DataFrame, keys: &[&str]) -> Result<()> {
    let by: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    let dup = df
        .clone()
        .lazy()
        .group_by(by)
        .agg([len().alias("__n")])
        .filter(col("__n").gt(lit(1)))
        .collect()
        .map_err(engine_err("checking duplicate keys"))?;
    if dup.height() == 0 {
        return Ok(());
    }
    let count: i64 = dup
        .column("__n")
        .and_then(|c| c.cast(&DataType::Int64))
        .map_err(engine_err("checking duplicate keys"))?
        .i64()
        .map_err(engine_err("checking duplicate keys"))?
        .iter()
        .map(|n| n.unwrap_or(1) - 1)
        .sum();
    let example = keys
        .iter()
        .map(|k| {
            let v = dup.column(k).ok().and_then(|c| c.get(0).ok()).map(|v| v.to_string()).unwrap_or_default();
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join(", ");
    Err(Error::DuplicateKeys {
        keys: keys.iter().map(|k| k.to_string()).collect(),
        count: count as usize,
        example,
        hint: Some(format!(
            "each ({}) must appear once: aggregate the microdata first (phare_data::aggregate) or remove duplicates",
            keys.join(", ")
        )),
    })
}
