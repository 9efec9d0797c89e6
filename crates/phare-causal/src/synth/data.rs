//! From a long panel to the outcome matrix the synthetic-control estimators work on: one row per
//! unit (donors first, then treated units by adoption period), one column per period.

use phare_core::{Diagnostic, Error, Result};
use phare_data::Panel;
use phare_data::matrix::{DesignMatrix, MissingPolicy};
use phare_data::polars::prelude::DataFrame;

/// Which units are treated, and from which period.
#[derive(Debug, Clone, PartialEq)]
pub enum Assignment {
    /// These units (by the text of their identifier), all treated from `start` on: the usual
    /// synthetic-control question, "California from 1989".
    Units {
        /// Identifiers of the treated units.
        units: Vec<String>,
        /// First treated period.
        start: i64,
    },
    /// A 0/1 treatment column: each unit is treated from its first period with 1. Units may adopt
    /// at different periods (staggered adoption); units never at 1 are donors.
    Column(String),
}

impl Assignment {
    /// One treated unit from `start` on.
    pub fn unit(unit: impl Into<String>, start: i64) -> Self {
        Assignment::Units { units: vec![unit.into()], start }
    }
}

/// The outcome matrix: `y[i * t + s]` is unit `i`'s outcome in period `s`. Rows `0..n0` are the
/// donors (in the panel's order of first appearance), rows `n0..` the treated units ordered by
/// adoption period.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OutcomePanel {
    /// Unit identifiers, in row order.
    pub units: Vec<String>,
    /// Sorted periods, in column order.
    pub periods: Vec<i64>,
    /// Row-major outcomes, `units.len() × periods.len()`.
    pub y: Vec<f64>,
    /// Number of donors.
    pub n0: usize,
    /// Adoption period of each treated row (`units.len() − n0` entries, ascending).
    pub starts: Vec<i64>,
    /// Per row of the input frame: its cell `row · t + period` in `y`, or `usize::MAX` for rows of
    /// units that were dropped.
    pub cells: Vec<usize>,
    /// What was dropped or noticed.
    pub diagnostics: Vec<Diagnostic>,
}

impl OutcomePanel {
    /// Reads `outcome` by `unit` and `time` and arranges it. Donors with a missing outcome in some
    /// period are dropped (with a warning naming them); a treated unit with one is an error.
    pub(crate) fn build(
        df: &DataFrame,
        outcome: &str,
        unit: &str,
        time: &str,
        assignment: &Assignment,
    ) -> Result<Self> {
        let mut diagnostics = Vec::new();
        let panel = Panel::new(df, unit, time)?;
        let periods = panel.periods().to_vec();
        let n_units = panel.n_units();
        let t = periods.len();
        if t < 2 {
            return Err(Error::design(
                format!("the panel has a single period ({}) in `{time}`", periods[0]),
                "synthetic control compares paths over time: give several periods before and after treatment",
            ));
        }
        // Each unit's adoption period (None: donor).
        let starts: Vec<Option<i64>> = match assignment {
            Assignment::Units { units, start } => {
                if units.is_empty() {
                    return Err(Error::InvalidArgument {
                        name: "treated".into(),
                        value: "(none)".into(),
                        reason: "no treated unit was given".into(),
                        hint: Some("name the treated unit, e.g. --treated California".into()),
                    });
                }
                let (first, last) = (periods[0], periods[t - 1]);
                if *start <= first || *start > last {
                    return Err(Error::InvalidArgument {
                        name: "treat_start".into(),
                        value: start.to_string(),
                        reason: format!(
                            "the treatment must start after the first period and no later than the last: `{time}` runs from {first} to {last}"
                        ),
                        hint: Some(format!("give a period between {} and {last}", periods[1])),
                    });
                }
                let mut s = vec![None; n_units];
                for name in units {
                    let Some(i) = panel.unit_position(name) else {
                        let hint = phare_core::error::closest(name, panel.units())
                            .map(|c| format!("did you mean `{c}`? Unit identifiers are matched exactly"))
                            .unwrap_or_else(|| format!("the `{unit}` column has {n_units} units; check the spelling"));
                        return Err(Error::InvalidValue {
                            place: format!("treated unit (column `{unit}`)"),
                            value: name.clone(),
                            reason: "no row has this unit".into(),
                            hint: Some(hint),
                        });
                    };
                    s[i] = Some(*start);
                }
                s
            }
            Assignment::Column(column) => {
                let panel = panel.clone().with_treatment(df, column)?;
                diagnostics.extend(panel.diagnostics().iter().cloned());
                let mut s = panel.cohorts().unwrap_or_default().to_vec();
                let always: Vec<usize> = (0..n_units).filter(|&i| s[i].is_some_and(|g| g <= periods[0])).collect();
                if !always.is_empty() {
                    diagnostics.push(Diagnostic::warning(
                        "always_treated_dropped",
                        format!(
                            "{} unit{} treated from the first period ({}) dropped: without an untreated period there is nothing to match (e.g. {unit} = {})",
                            always.len(),
                            if always.len() == 1 { " is" } else { "s are" },
                            periods[0],
                            panel.units()[always[0]]
                        ),
                    ));
                    for &i in &always {
                        s[i] = Some(i64::MIN);
                    }
                }
                s
            }
        };
        // Outcomes into the unit × period grid; absent cells stay NaN.
        let m = DesignMatrix::from_frame(df, &[outcome], MissingPolicy::Drop)?;
        let mut grid = vec![f64::NAN; n_units * t];
        for (i, &row) in m.source_rows().iter().enumerate() {
            grid[panel.row_units()[row] * t + panel.row_period_indices()[row] as usize] = m.column(0)[i];
        }
        let missing_periods = |u: usize| -> Vec<i64> {
            (0..t).filter(|&s| !grid[u * t + s].is_finite()).map(|s| periods[s]).collect::<Vec<_>>()
        };
        let mut donors = Vec::new();
        let mut treated: Vec<(i64, usize)> = Vec::new();
        let mut dropped_donors: Vec<(usize, Vec<i64>)> = Vec::new();
        for (u, s) in starts.iter().enumerate() {
            let missing = missing_periods(u);
            match s {
                Some(i64::MIN) => {}
                Some(g) => {
                    if !missing.is_empty() {
                        return Err(Error::design(
                            format!(
                                "the treated unit {unit} = {} has no `{outcome}` value in {} period{}: {}",
                                panel.units()[u],
                                missing.len(),
                                if missing.len() == 1 { "" } else { "s" },
                                list_periods(&missing)
                            ),
                            "synthetic control needs the treated unit's whole path; fill the gaps or restrict the periods",
                        ));
                    }
                    treated.push((*g, u));
                }
                None if missing.is_empty() => donors.push(u),
                None => dropped_donors.push((u, missing)),
            }
        }
        if !dropped_donors.is_empty() {
            let examples: Vec<String> = dropped_donors
                .iter()
                .take(5)
                .map(|(u, miss)| format!("{} (missing {})", panel.units()[*u], list_periods(miss)))
                .collect();
            diagnostics.push(Diagnostic::warning(
                "donors_dropped_missing_outcome",
                format!(
                    "{} donor{} dropped because `{outcome}` is missing in some periods: {}{}",
                    dropped_donors.len(),
                    if dropped_donors.len() == 1 { "" } else { "s" },
                    examples.join(", "),
                    if dropped_donors.len() > 5 { ", …" } else { "" }
                ),
            ));
        }
        if treated.is_empty() {
            return Err(Error::design(
                "no unit is treated before the last period",
                "name a treated unit and a start period inside the panel",
            ));
        }
        if donors.len() < 2 {
            return Err(Error::design(
                format!(
                    "only {} donor unit{} with a complete `{outcome}` path: a synthetic control needs at least two",
                    donors.len(),
                    if donors.len() == 1 { "" } else { "s" }
                ),
                "add untreated units, or fill the donors' missing periods",
            ));
        }
        treated.sort_by_key(|&(g, u)| (g, u));
        let order: Vec<usize> = donors.iter().copied().chain(treated.iter().map(|&(_, u)| u)).collect();
        let y = order.iter().flat_map(|&u| grid[u * t..(u + 1) * t].iter().copied()).collect();
        let mut position = vec![usize::MAX; n_units];
        for (r, &u) in order.iter().enumerate() {
            position[u] = r;
        }
        let cells = panel
            .row_units()
            .iter()
            .zip(panel.row_period_indices())
            .map(|(&u, &s)| if position[u] == usize::MAX { usize::MAX } else { position[u] * t + s as usize })
            .collect();
        Ok(OutcomePanel {
            cells,
            units: order.iter().map(|&u| panel.units()[u].clone()).collect(),
            periods,
            y,
            n0: donors.len(),
            starts: treated.iter().map(|&(g, _)| g).collect(),
            diagnostics,
        })
    }

    /// Number of units.
    pub(crate) fn n(&self) -> usize {
        self.units.len()
    }

    /// Number of periods.
    pub(crate) fn t(&self) -> usize {
        self.periods.len()
    }

    /// The number of periods before `start`.
    pub(crate) fn pre_periods(&self, start: i64) -> usize {
        self.periods.partition_point(|&p| p < start)
    }

    /// Another numeric column of the frame on the same grid as `y` (`NaN` where absent).
    pub(crate) fn grid_of(&self, df: &DataFrame, column: &str) -> Result<Vec<f64>> {
        let m = DesignMatrix::from_frame(df, &[column], MissingPolicy::Drop)?;
        let mut grid = vec![f64::NAN; self.y.len()];
        for (i, &row) in m.source_rows().iter().enumerate() {
            let cell = self.cells[row];
            if cell != usize::MAX {
                grid[cell] = m.column(0)[i];
            }
        }
        Ok(grid)
    }

    /// The distinct adoption periods, ascending.
    pub(crate) fn cohorts(&self) -> Vec<i64> {
        let mut c = self.starts.clone();
        c.dedup();
        c
    }
}

/// `1985, 1986, 1990` (at most 6, then `…`).
fn list_periods(p: &[i64]) -> String {
    let mut s: Vec<String> = p.iter().take(6).map(i64::to_string).collect();
    if p.len() > 6 {
        s.push("…".into());
    }
    s.join(", ")
}

/// A dense row-major matrix for the small linear algebra of this module.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mat {
    pub rows: usize,
    pub cols: usize,
    pub v: Vec<f64>,
}

impl Mat {
    pub(crate) fn new(rows: usize, cols: usize, v: Vec<f64>) -> Mat {
        debug_assert_eq!(v.len(), rows * cols);
        Mat { rows, cols, v }
    }
    pub(crate) fn get(&self, i: usize, j: usize) -> f64 {
        self.v[i * self.cols + j]
    }
}
