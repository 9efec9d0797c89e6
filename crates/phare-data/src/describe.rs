//! A first look at a frame: what `phare describe` prints.
//!
//! For every column: its type, how many values are missing, how many distinct values it has, and for
//! numeric columns the minimum, mean and maximum. With a unit and a time column, the panel structure
//! (units, periods, balance) is added. This is description only; nothing here is an estimate.

use crate::engine::engine_err;
use crate::frames::ColumnByName;
use crate::panel::Panel;
use crate::roles::missing_count;
use phare_core::summary::{escape_markdown, format_number};
use phare_core::{Diagnostic, Result};
use polars::prelude::*;

/// Profile of one column.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ColumnProfile {
    /// Column name.
    pub name: String,
    /// polars type, as text.
    pub dtype: String,
    /// Missing values (nulls and NaNs).
    pub missing: usize,
    /// Distinct values (nulls count as one).
    pub distinct: usize,
    /// Minimum (numeric columns).
    pub min: Option<f64>,
    /// Mean (numeric columns).
    pub mean: Option<f64>,
    /// Maximum (numeric columns).
    pub max: Option<f64>,
    /// First non-missing value, as text.
    pub example: String,
}

/// Panel facts, when unit and time columns are given.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PanelProfile {
    /// Unit column.
    pub unit: String,
    /// Time column.
    pub time: String,
    /// Distinct units.
    pub n_units: usize,
    /// Distinct periods, sorted.
    pub periods: Vec<i64>,
    /// Every unit in every period.
    pub balanced: bool,
}

impl PanelProfile {
    /// The panel in one phrase: "500 units (`countyreal`) × 5 periods (`year`, 2003–2007), balanced".
    pub fn sentence(&self) -> String {
        format!(
            "{} units (`{}`) × {} periods (`{}`, {}–{}), {}",
            self.n_units,
            self.unit,
            self.periods.len(),
            self.time,
            self.periods.first().copied().unwrap_or_default(),
            self.periods.last().copied().unwrap_or_default(),
            if self.balanced { "balanced (every unit in every period)" } else { "unbalanced" }
        )
    }
}

/// The description of a frame.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Description {
    /// Rows.
    pub rows: usize,
    /// One profile per column.
    pub columns: Vec<ColumnProfile>,
    /// Panel structure, if asked for.
    pub panel: Option<PanelProfile>,
    /// What describing noticed.
    pub diagnostics: Vec<Diagnostic>,
}

/// Describes `df`; with `panel = Some((unit, time))`, also its panel structure (which validates the
/// two columns: missing, duplicated or non-numeric time values are errors).
pub fn describe(df: &DataFrame, panel: Option<(&str, &str)>) -> Result<Description> {
    let mut columns = Vec::with_capacity(df.width());
    let mut diagnostics = Vec::new();
    for c in df.columns() {
        let s = c.as_materialized_series();
        let missing = missing_count(s);
        let distinct = s.n_unique().map_err(engine_err("counting distinct values"))?;
        let (min, mean, max) = if s.dtype().is_primitive_numeric() || s.dtype().is_bool() {
            let f = s.cast(&DataType::Float64).map_err(engine_err("describing a column"))?;
            let ca = f.f64().map_err(engine_err("describing a column"))?;
            let vals: Vec<f64> = ca.iter().flatten().filter(|x| !x.is_nan()).collect();
            if vals.is_empty() {
                (None, None, None)
            } else {
                let min = vals.iter().copied().fold(f64::INFINITY, f64::min);
                let max = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mean = vals.iter().sum::<f64>() / vals.len() as f64;
                (Some(min), Some(mean), Some(max))
            }
        } else {
            (None, None, None)
        };
        if missing == s.len() && !s.is_empty() {
            diagnostics.push(Diagnostic::warning("all_missing", format!("column `{}` is entirely missing", s.name())));
        }
        let example = s
            .iter()
            .find(|v| !v.is_null())
            .map(|v| match v {
                AnyValue::String(x) => x.to_string(),
                other => other.to_string(),
            })
            .unwrap_or_default();
        columns.push(ColumnProfile {
            name: s.name().to_string(),
            dtype: s.dtype().to_string(),
            missing,
            distinct,
            min,
            mean,
            max,
            example,
        });
    }
    let panel = match panel {
        Some((u, t)) => {
            let p = Panel::new(df, u, t)?;
            diagnostics.extend(p.diagnostics().iter().cloned());
            Some(PanelProfile {
                unit: u.into(),
                time: t.into(),
                n_units: p.n_units(),
                periods: p.periods().to_vec(),
                balanced: p.is_balanced(),
            })
        }
        None => None,
    };
    Ok(Description { rows: df.height(), columns, panel, diagnostics })
}

/// A described value: whole numbers (years, counts, identifiers) plainly, others with six digits.
fn opt(x: Option<f64>) -> String {
    x.map(|x| if x.fract() == 0.0 && x.abs() < 1e15 { format!("{}", x as i64) } else { format_number(x) })
        .unwrap_or_default()
}

impl Description {
    /// Plain-text table for a terminal.
    pub fn to_text(&self) -> String {
        let header = ["column", "type", "missing", "distinct", "min", "mean", "max", "example"];
        let rows: Vec<[String; 8]> = self
            .columns
            .iter()
            .map(|c| {
                [
                    c.name.clone(),
                    c.dtype.clone(),
                    c.missing.to_string(),
                    c.distinct.to_string(),
                    opt(c.min),
                    opt(c.mean),
                    opt(c.max),
                    truncate(&c.example, 24),
                ]
            })
            .collect();
        let mut width = header.map(|h| h.chars().count());
        for r in &rows {
            for (w, cell) in width.iter_mut().zip(r) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            cells
                .iter()
                .zip(width)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        let mut out = format!("{} rows × {} columns\n\n", self.rows, self.columns.len());
        out.push_str(&line(&header.map(String::from)));
        out.push('\n');
        for r in &rows {
            out.push_str(&line(r));
            out.push('\n');
        }
        if let Some(p) = &self.panel {
            out.push_str(&format!("\npanel: {}\n", p.sentence()));
        }
        for d in &self.diagnostics {
            out.push_str(&format!("{d}\n"));
        }
        out
    }

    /// Markdown table (for briefs and notebooks).
    pub fn to_markdown(&self) -> String {
        let mut out = format!("{} rows × {} columns\n\n", self.rows, self.columns.len());
        out.push_str("| column | type | missing | distinct | min | mean | max |\n|---|---|---:|---:|---:|---:|---:|\n");
        for c in &self.columns {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                escape_markdown(&c.name),
                c.dtype,
                c.missing,
                c.distinct,
                opt(c.min),
                opt(c.mean),
                opt(c.max)
            ));
        }
        out
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
}

/// Mean of an outcome by treatment cohort and period: the raw picture behind any
/// difference-in-differences (one line per cohort, never-treated units as `None`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CohortTrends {
    /// The outcome column.
    pub outcome: String,
    /// The periods (columns of the table).
    pub periods: Vec<i64>,
    /// One row per cohort: the cohort (`None` = never treated), its number of units, and the mean
    /// outcome in each period (`None` where no unit of the cohort has a value).
    pub rows: Vec<(Option<i64>, usize, Vec<Option<f64>>)>,
}

/// Computes [`CohortTrends`] for a panel whose cohorts are set. Missing outcomes are skipped.
pub fn cohort_trends(df: &DataFrame, panel: &Panel, outcome: &str) -> Result<CohortTrends> {
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    let s = df.column_named(outcome).map_err(|_| phare_core::Error::column_not_found(outcome, &names))?;
    let y = crate::roles::to_f64(s.as_materialized_series(), outcome)?;
    let cohorts = panel.cohorts().ok_or_else(|| {
        phare_core::Error::design(
            "the panel has no treatment cohorts",
            "set them with Panel::with_treatment or with_cohort_column",
        )
    })?;
    let sizes = panel.cohort_sizes();
    let keys: Vec<Option<i64>> = sizes.keys().copied().collect();
    let periods = panel.periods().to_vec();
    let mut sum = vec![vec![0.0; periods.len()]; keys.len()];
    let mut cnt = vec![vec![0usize; periods.len()]; keys.len()];
    for (row, v) in y.iter().enumerate() {
        let Some(v) = v.filter(|v| !v.is_nan()) else { continue };
        let g = cohorts[panel.row_units()[row]];
        let (Ok(i), Ok(j)) = (keys.binary_search(&g), periods.binary_search(&panel.row_periods()[row])) else {
            continue;
        };
        sum[i][j] += v;
        cnt[i][j] += 1;
    }
    let rows = keys
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let means = (0..periods.len()).map(|j| (cnt[i][j] > 0).then(|| sum[i][j] / cnt[i][j] as f64)).collect();
            (*g, sizes[g], means)
        })
        .collect();
    Ok(CohortTrends { outcome: outcome.into(), periods, rows })
}

impl CohortTrends {
    /// The treated units' mean outcome in the last period before their treatment: each treated
    /// cohort's mean in its last pre-treatment period, weighted by the cohort's units. The baseline
    /// against which a brief states an effect's relative size; `None` when no treated cohort has a
    /// pre-treatment period with data.
    pub fn pre_treatment_mean(&self) -> Option<f64> {
        let (mut sum, mut weight) = (0.0, 0.0);
        for (g, n, means) in &self.rows {
            let Some(g) = g else { continue };
            let before = self.periods.iter().rposition(|p| p < g);
            if let Some(m) = before.and_then(|j| means[j]) {
                sum += *n as f64 * m;
                weight += *n as f64;
            }
        }
        (weight > 0.0).then(|| sum / weight)
    }

    /// Markdown table: cohorts in rows, periods in columns.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("| cohort | units |");
        for p in &self.periods {
            out.push_str(&format!(" {p} |"));
        }
        out.push_str("\n|---|---:|");
        out.push_str(&"---:|".repeat(self.periods.len()));
        out.push('\n');
        for (g, n, means) in &self.rows {
            let label = g.map_or("never treated".to_string(), |g| format!("first treated {g}"));
            out.push_str(&format!("| {label} | {n} |"));
            for m in means {
                out.push_str(&format!(" {} |", opt(*m)));
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_treatment_mean_weights_cohorts_by_units_in_their_own_last_pre_period() {
        let df = df!(
            "id" => [1i64, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4],
            "t" => [1i64, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3],
            "g" => [2i64, 2, 2, 3, 3, 3, 3, 3, 3, 0, 0, 0],
            "y" => [1.0, 5.0, 5.0, 0.0, 2.0, 9.0, 0.0, 4.0, 9.0, 7.0, 7.0, 7.0]
        )
        .unwrap();
        let panel = Panel::new(&df, "id", "t").unwrap().with_cohort_column(&df, "g", 0).unwrap();
        let trends = cohort_trends(&df, &panel, "y").unwrap();
        // Cohort 2 (one unit) before treatment: t = 1, y = 1; cohort 3 (two units): t = 2, mean 3.
        assert_eq!(trends.pre_treatment_mean(), Some((1.0 + 2.0 * 3.0) / 3.0));
    }
}
