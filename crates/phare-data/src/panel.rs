//! Panels: units observed over periods, with treatment cohorts and event time.
//!
//! A [`Panel`] is built from a frame and the names of its unit and time columns. It knows the units,
//! the periods, whether every unit is seen in every period (balance), and, when a treatment is given,
//! each unit's *cohort*: the first period in which it is treated (`None` for never-treated units).
//! Cohorts can come from a 0/1 treatment column ([`Panel::with_treatment`]) or from a column that
//! already holds the first treatment period, as in the Callaway–Sant'Anna data
//! ([`Panel::with_cohort_column`]).

use crate::engine::engine_err;
use crate::frames::ColumnByName;
use crate::roles::{binary_values, time_values};
use phare_core::{Diagnostic, Error, Result};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A unit × period panel.
#[derive(Debug, Clone)]
pub struct Panel {
    unit: String,
    time: String,
    /// Unit key (rendered as text) → unit index, built on the first lookup (most analyses never
    /// look a unit up by name).
    unit_index: std::sync::OnceLock<HashMap<String, usize>>,
    /// Unit keys in index order.
    units: Vec<String>,
    /// Sorted distinct periods.
    periods: Vec<i64>,
    /// Per row: unit index.
    row_unit: Vec<usize>,
    /// Per row: period.
    row_time: Vec<i64>,
    /// Per row: the period's position in `periods`.
    row_period: Vec<u32>,
    /// Per unit: first treated period, `None` if never treated.
    cohorts: Option<Vec<Option<i64>>>,
    diagnostics: Vec<Diagnostic>,
}

impl Panel {
    /// Builds the panel structure of `df`. Fails if a column is missing, if time is not
    /// integer-valued, if unit or time has missing values, or if a (unit, time) pair repeats.
    pub fn new(df: &DataFrame, unit: &str, time: &str) -> Result<Panel> {
        let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
        for c in [unit, time] {
            if !names.iter().any(|n| n == c) {
                return Err(Error::column_not_found(c, &names));
            }
        }
        if df.height() == 0 {
            return Err(Error::design("the panel has no rows", "check the input file and filters"));
        }
        // Types and missing values of each role; duplicate (unit, time) pairs are checked below on
        // the encoded ids, which is much cheaper than a grouping of the frame.
        crate::roles::Roles::new().unit(unit).validate(df)?;
        // `time_values` checks the time column's type and missing values itself.
        let ts = df.column_named(time).map_err(engine_err("building the panel"))?.as_materialized_series();
        let row_time = time_values(ts, time)?;
        // Units numbered in order of first appearance (integer identifiers through a lookup table),
        // named by their first row.
        let ids = crate::matrix::GroupIds::from_column(df, unit)?;
        let mut first_row = vec![usize::MAX; ids.n_levels];
        let mut row_unit = Vec::with_capacity(df.height());
        for (row, id) in ids.ids.iter().enumerate() {
            // Missing unit identifiers were refused by the role validation above.
            let i = id.unwrap_or(0) as usize;
            if first_row[i] == usize::MAX {
                first_row[i] = row;
            }
            row_unit.push(i);
        }
        let units: Vec<String> =
            crate::matrix::render_cells(df, unit, &first_row)?.into_iter().map(Option::unwrap_or_default).collect();
        // Distinct periods and each row's period position. Periods are usually years or period
        // numbers spanning a short range: then a presence table gives both in two linear passes.
        // Otherwise (dates as day numbers, say), a sorted copy and binary searches.
        let (lo, hi) = row_time.iter().fold((i64::MAX, i64::MIN), |(a, b), &t| (a.min(t), b.max(t)));
        let span = (hi as i128 - lo as i128) as u128;
        let (periods, row_period): (Vec<i64>, Vec<u32>) = if span <= (1 << 16).max(row_time.len() as u128) {
            let mut table = vec![u32::MAX; span as usize + 1];
            for &t in &row_time {
                table[(t - lo) as usize] = 0;
            }
            let mut periods = Vec::new();
            for (k, slot) in table.iter_mut().enumerate() {
                if *slot == 0 {
                    *slot = periods.len() as u32;
                    periods.push(lo + k as i64);
                }
            }
            let row_period = row_time.iter().map(|&t| table[(t - lo) as usize]).collect();
            (periods, row_period)
        } else {
            let mut periods = row_time.clone();
            periods.sort_unstable();
            periods.dedup();
            let row_period = row_time.iter().map(|t| periods.binary_search(t).unwrap_or(0) as u32).collect();
            (periods, row_period)
        };
        let mut seen = vec![false; units.len() * periods.len()];
        for (&u, &ti) in row_unit.iter().zip(&row_period) {
            let cell = u * periods.len() + ti as usize;
            if std::mem::replace(&mut seen[cell], true) {
                // The grouping check names the duplicates and how many there are.
                crate::roles::check_unique_keys(df, &[unit, time])?;
            }
        }
        let mut p = Panel {
            unit: unit.into(),
            time: time.into(),
            unit_index: std::sync::OnceLock::new(),
            units,
            periods,
            row_unit,
            row_time,
            row_period,
            cohorts: None,
            diagnostics: Vec::new(),
        };
        if !p.is_balanced() {
            let missing = p.units.len() * p.periods.len() - p.row_unit.len();
            p.diagnostics.push(Diagnostic::note(
                "unbalanced_panel",
                format!(
                    "unbalanced panel: {} unit-period cells of {} are absent ({} units × {} periods)",
                    missing,
                    p.units.len() * p.periods.len(),
                    p.units.len(),
                    p.periods.len()
                ),
            ));
        }
        Ok(p)
    }

    /// Derives cohorts from a 0/1 treatment column: a unit's cohort is the first period where it is
    /// treated. A unit whose treatment switches off again is reported in a diagnostic, since staggered
    /// designs assume treatment is absorbing.
    pub fn with_treatment(mut self, df: &DataFrame, treatment: &str) -> Result<Panel> {
        let s = column(df, treatment)?;
        let d = binary_values(s, treatment)?;
        let mut first: Vec<Option<i64>> = vec![None; self.units.len()];
        for (row, &treated) in d.iter().enumerate() {
            if treated {
                let (u, t) = (self.row_unit[row], self.row_time[row]);
                if first[u].is_none_or(|f| t < f) {
                    first[u] = Some(t);
                }
            }
        }
        let reversals = d
            .iter()
            .enumerate()
            .filter(|&(row, &treated)| !treated && first[self.row_unit[row]].is_some_and(|f| self.row_time[row] > f))
            .map(|(row, _)| self.row_unit[row])
            .collect::<BTreeSet<_>>();
        if !reversals.is_empty() {
            let example = &self.units[*reversals.iter().next().unwrap_or(&0)];
            self.diagnostics.push(Diagnostic::warning(
                "treatment_not_absorbing",
                format!(
                    "{} unit{} stop being treated after first treatment (e.g. {} = {example}); cohorts use the first treated period",
                    reversals.len(),
                    if reversals.len() == 1 { "" } else { "s" },
                    self.unit
                ),
            ));
        }
        self.cohorts = Some(first);
        self.check_cohorts(treatment)?;
        Ok(self)
    }

    /// Reads cohorts from a column holding each unit's first treatment period, where `never` (often
    /// 0) or a missing value marks never-treated units. The column must be constant within a unit.
    pub fn with_cohort_column(mut self, df: &DataFrame, cohort: &str, never: i64) -> Result<Panel> {
        let s = column(df, cohort)?;
        // Integer cohorts (the usual case) are read as such; other numeric types through f64.
        let v: Vec<Option<f64>> = match s.dtype() {
            DataType::Int64 if s.null_count() == 0 => {
                let ca = s.i64().map_err(engine_err("reading cohorts"))?;
                ca.downcast_iter().flat_map(|a| a.values().iter().map(|&g| Some(g as f64))).collect()
            }
            _ => crate::roles::to_f64(s, cohort)?,
        };
        let mut first: Vec<Option<Option<i64>>> = vec![None; self.units.len()];
        for (row, x) in v.iter().enumerate() {
            let g = match x {
                None => None,
                Some(x) if *x == never as f64 => None,
                Some(x) if x.fract() == 0.0 && x.is_finite() => Some(*x as i64),
                Some(x) => {
                    return Err(Error::InvalidValue {
                        place: format!("cohort column `{cohort}` (row {row})"),
                        value: x.to_string(),
                        reason: "a cohort is the whole-number period of first treatment".into(),
                        hint: Some(format!("use {never} for never-treated units")),
                    });
                }
            };
            let u = self.row_unit[row];
            match first[u] {
                None => first[u] = Some(g),
                Some(prev) if prev != g => {
                    return Err(Error::InvalidValue {
                        place: format!("cohort column `{cohort}` (row {row}, {} = {})", self.unit, self.units[u]),
                        value: format!("{g:?}"),
                        reason: format!(
                            "the cohort must be the same in every row of a unit; an earlier row has {prev:?}"
                        ),
                        hint: Some("a cohort column gives each unit's first treatment period, once per unit".into()),
                    });
                }
                Some(_) => {}
            }
        }
        self.cohorts = Some(first.into_iter().map(|g| g.flatten()).collect());
        self.check_cohorts(cohort)?;
        Ok(self)
    }

    fn check_cohorts(&self, column: &str) -> Result<()> {
        let cohorts = self.cohorts.as_deref().unwrap_or_default();
        let treated = cohorts.iter().filter(|g| g.is_some()).count();
        if treated == 0 {
            return Err(Error::design(
                format!("no unit is ever treated according to `{column}`"),
                "check the treatment column and its coding (1 = treated)",
            ));
        }
        if treated == cohorts.len() {
            let first = self.periods[0];
            if cohorts.iter().all(|g| g.is_some_and(|g| g <= first)) {
                return Err(Error::design(
                    format!(
                        "every unit is treated from the first period ({first}) according to `{column}`: there is no comparison"
                    ),
                    "a comparison needs never-treated or not-yet-treated units",
                ));
            }
        }
        Ok(())
    }

    /// The unit column's name.
    pub fn unit_column(&self) -> &str {
        &self.unit
    }
    /// The time column's name.
    pub fn time_column(&self) -> &str {
        &self.time
    }
    /// Number of distinct units.
    pub fn n_units(&self) -> usize {
        self.units.len()
    }
    /// The distinct periods, sorted.
    pub fn periods(&self) -> &[i64] {
        &self.periods
    }
    /// Number of rows (unit-period observations).
    pub fn n_obs(&self) -> usize {
        self.row_unit.len()
    }
    /// Whether every unit is observed in every period.
    pub fn is_balanced(&self) -> bool {
        self.row_unit.len() == self.units.len() * self.periods.len()
    }
    /// The units, rendered as text, in order of first appearance.
    pub fn units(&self) -> &[String] {
        &self.units
    }
    /// The index of a unit key (as rendered by [`Panel::units`]).
    pub fn unit_position(&self, key: &str) -> Option<usize> {
        self.unit_index
            .get_or_init(|| self.units.iter().enumerate().map(|(i, u)| (u.clone(), i)).collect())
            .get(key)
            .copied()
    }
    /// Per row: the unit's index.
    pub fn row_units(&self) -> &[usize] {
        &self.row_unit
    }
    /// Per row: the period.
    pub fn row_periods(&self) -> &[i64] {
        &self.row_time
    }
    /// Per row: the position of the row's period in [`Panel::periods`].
    pub fn row_period_indices(&self) -> &[u32] {
        &self.row_period
    }
    /// Per unit: first treated period (`None`: never treated). `None` before cohorts are set.
    pub fn cohorts(&self) -> Option<&[Option<i64>]> {
        self.cohorts.as_deref()
    }
    /// Cohort sizes: first treated period → number of units; never-treated units under `None`.
    pub fn cohort_sizes(&self) -> BTreeMap<Option<i64>, usize> {
        let mut m = BTreeMap::new();
        for g in self.cohorts.as_deref().unwrap_or_default() {
            *m.entry(*g).or_insert(0) += 1;
        }
        m
    }
    /// Per row: event time (period minus cohort), `None` for never-treated units or before cohorts
    /// are set.
    pub fn rel_periods(&self) -> Vec<Option<i64>> {
        let Some(c) = &self.cohorts else { return vec![None; self.row_unit.len()] };
        self.row_unit.iter().zip(&self.row_time).map(|(&u, &t)| c[u].map(|g| t - g)).collect()
    }
    /// What building the panel noticed (imbalance, non-absorbing treatment).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// `df` with two columns added: `cohort` (first treated period, null if never treated) and
    /// `rel_period` (period − cohort). `df` must be the frame the panel was built from.
    pub fn with_event_time(&self, df: &DataFrame) -> Result<DataFrame> {
        if df.height() != self.row_unit.len() {
            return Err(Error::InvalidArgument {
                name: "df".into(),
                value: format!("{} rows", df.height()),
                reason: format!("the panel was built from a frame with {} rows", self.row_unit.len()),
                hint: Some("pass the same frame the panel was built from".into()),
            });
        }
        let c = self.cohorts.as_deref().unwrap_or_default();
        let cohort: Vec<Option<i64>> = self.row_unit.iter().map(|&u| c.get(u).copied().flatten()).collect();
        let mut out = df.clone();
        out.with_column(Column::new(phare_core::columns::COHORT.into(), cohort))
            .map_err(engine_err("adding event time"))?;
        out.with_column(Column::new(phare_core::columns::REL_PERIOD.into(), self.rel_periods()))
            .map_err(engine_err("adding event time"))?;
        Ok(out)
    }
}

fn column<'a>(df: &'a DataFrame, c: &str) -> Result<&'a Series> {
    df.column_named(c).map(|c| c.as_materialized_series()).map_err(|_| {
        let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
        Error::column_not_found(c, &names)
    })
}
