//! Callaway and Sant'Anna (2021): group-time average treatment effects under staggered adoption,
//! and their aggregations.

use super::bootstrap::{BootstrapResult, multiplier_bootstrap};
use super::pretrend::PretrendTest;
use super::repeated::two_period_rc;
use super::two_period::{DidEstimator, two_period};
use super::{CohortSource, Comparison};
use phare_core::{
    Coefficient, Diagnostic, Error, Estimates, Glance, Reference, RelativePeriod, Result, Seed, Vcov, glance_names,
};
use phare_data::Roles;
use phare_data::matrix::{DesignMatrix, MissingPolicy};
use phare_data::polars::prelude::DataFrame;
use std::collections::BTreeMap;

/// The comparison period of pre-treatment ATT(g, t).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BasePeriod {
    /// Pre-treatment cells compare t with t − 1 (short differences); post-treatment cells with
    /// the last period before treatment. The `did` package's default.
    #[default]
    Varying,
    /// Every cell compares t with the last period before treatment (an event-study-like
    /// normalisation; that reference cell is reported with ATT 0).
    Universal,
}

/// Callaway and Sant'Anna's (2021) difference-in-differences for staggered adoption on a panel.
///
/// For each cohort g (units first treated in period g) and period t, ATT(g, t) — the average
/// effect in t on units first treated in g — is a two-period comparison of cohort g with a
/// comparison group (never-treated units, or units not yet treated by t), between t and a base
/// period before treatment, by outcome regression, inverse probability weighting or the doubly
/// robust estimator with covariates ([`DidEstimator`]). Each ATT(g, t) carries its influence
/// function, so the aggregations of [`CallawaySantAnnaFit::aggregate`] — overall, by event time,
/// by cohort, by calendar period — get analytic standard errors that account for estimated
/// cohort-size weights, and the multiplier bootstrap gives simultaneous bands.
///
/// | parameter | default | |
/// |---|---|---|
/// | `cohort_column(col, never)` / `treatment(col)` | required | when units are first treated |
/// | `comparison(…)` | never treated | or not yet treated (`c > max(t, base) + anticipation`) |
/// | `estimator(…)` | doubly robust | `reg`, `ipw`, `dr` |
/// | `covariates(…)` | none | read at the base period of each comparison (they should be pre-treatment, time-invariant) |
/// | `base_period(…)` | varying | or universal |
/// | `anticipation(a)` | 0 | periods before g when units may already react |
/// | `bootstrap(draws, seed)` | off | multiplier bootstrap: SEs and a uniform band |
/// | `cluster(col)` | unit | bootstrap draws per cluster (a column constant within units) |
///
/// Conventions, as the `did` R package and csdid: standard errors are `√(Σψᵢ²)/n` over units
/// (clustered by unit, no small-sample factor); the bootstrap uses Rademacher weights and the
/// interquartile range of the draws; units first treated in the first period (plus anticipation)
/// are dropped, units first treated after the last period count as never treated; units not
/// observed in every period are dropped (balanced panel), with diagnostics saying how many.
///
/// ```
/// use phare_causal::did::{Aggregation, CallawaySantAnna};
/// use phare_core::Estimates;
/// let mpdta = phare_data::load_dataset("mpdta")?;
/// let fit = CallawaySantAnna::new("lemp", "countyreal", "year").cohort_column("first_treat", 0).fit(&mpdta)?;
/// let first = fit.tidy().row("ATT(2004,2004)").unwrap().clone();
/// assert!((first.estimate - -0.0105).abs() < 5e-5 && (first.std_error - 0.0233).abs() < 5e-5); // CS (2021)
/// let simple = fit.aggregate(&Aggregation::Simple)?;
/// assert!((simple.tidy().row("ATT").unwrap().estimate - -0.0400).abs() < 5e-5);
/// # Ok::<(), phare_core::Error>(())
/// ```
///
/// # Errors
/// Missing columns, bad cohorts ([`Panel`](phare_data::Panel)); [`Error::Design`] when no comparison unit exists
/// (no never-treated units with the never-treated comparison, or nothing left to compare), when
/// no cohort has a pre-treatment period, or when a propensity model separates the groups.
///
/// # References
/// Callaway and Sant'Anna (2021), *Journal of Econometrics* 225(2); Sant'Anna and Zhao (2020),
/// *Journal of Econometrics* 219(1).
#[derive(Debug, Clone, PartialEq)]
pub struct CallawaySantAnna {
    outcome: String,
    unit: String,
    time: String,
    cohorts: Option<CohortSource>,
    comparison: Comparison,
    estimator: DidEstimator,
    covariates: Vec<String>,
    base: BasePeriod,
    anticipation: i64,
    bootstrap: Option<(usize, Seed)>,
    cluster: Option<String>,
    unbalanced: bool,
    cross_sections: bool,
}

impl CallawaySantAnna {
    /// The design on `outcome`, units in `unit`, periods in `time`.
    pub fn new(outcome: &str, unit: &str, time: &str) -> Self {
        CallawaySantAnna {
            outcome: outcome.into(),
            unit: unit.into(),
            time: time.into(),
            cohorts: None,
            comparison: Comparison::NeverTreated,
            estimator: DidEstimator::DoublyRobust,
            covariates: Vec::new(),
            base: BasePeriod::Varying,
            anticipation: 0,
            bootstrap: None,
            cluster: None,
            unbalanced: false,
            cross_sections: false,
        }
    }
    super::cohort_builders!();
    /// The comparison group.
    pub fn comparison(mut self, c: Comparison) -> Self {
        self.comparison = c;
        self
    }
    /// The two-period estimator.
    pub fn estimator(mut self, e: DidEstimator) -> Self {
        self.estimator = e;
        self
    }
    /// Covariates for the outcome and propensity models.
    pub fn covariates<S: AsRef<str>>(mut self, columns: &[S]) -> Self {
        self.covariates = columns.iter().map(|c| c.as_ref().to_string()).collect();
        self
    }
    /// The base period of pre-treatment cells.
    pub fn base_period(mut self, b: BasePeriod) -> Self {
        self.base = b;
        self
    }
    /// Periods of anticipation (units may react `a` periods before treatment).
    pub fn anticipation(mut self, a: i64) -> Self {
        self.anticipation = a;
        self
    }
    /// Multiplier bootstrap with `draws` draws from `seed`: standard errors and uniform bands.
    pub fn bootstrap(mut self, draws: usize, seed: Seed) -> Self {
        self.bootstrap = Some((draws, seed));
        self
    }
    /// Keep units not observed in every period: each ATT(g, t) then uses the rows observed in t and
    /// in the base period as repeated cross-sections (Sant'Anna and Zhao's estimators for repeated
    /// cross-sections, covariates read in each row's own period), with influence functions summed
    /// within units (so standard errors stay clustered by unit).
    /// Off by default: units missing a period are dropped, which keeps the panel estimator.
    pub fn allow_unbalanced(mut self, yes: bool) -> Self {
        self.unbalanced = yes;
        self
    }
    /// Repeated cross-sections: each row is a different individual observed once (a survey drawn
    /// anew every period), so nothing links rows over time; the unit column is not used.
    /// Cohorts must come from [`cohort_column`](Self::cohort_column). Every ATT(g, t) is the
    /// repeated-cross-section estimator on the rows of t and of its base period; cohort weights
    /// are shares of rows.
    pub fn repeated_cross_sections(mut self, yes: bool) -> Self {
        self.cross_sections = yes;
        self
    }
    /// Cluster the bootstrap on `column` (constant within units) instead of units.
    pub fn cluster(mut self, column: &str) -> Self {
        self.cluster = Some(column.into());
        self
    }

    /// Estimates every ATT(g, t) on `df`.
    pub fn fit(&self, df: &DataFrame) -> Result<CallawaySantAnnaFit> {
        let source = CohortSource::required(&self.cohorts)?;
        super::check_anticipation(self.anticipation)?;
        if matches!(self.bootstrap, Some((0, _))) {
            return Err(Error::InvalidArgument {
                name: "bootstrap".into(),
                value: "0".into(),
                reason: "the bootstrap needs at least one draw (999 or more for bands)".into(),
                hint: None,
            });
        }
        let mut diagnostics = Roles::new().outcome(&self.outcome).validate(df)?;
        let k_cov = self.covariates.len();
        let Layout { periods, values, seen, cohorts_all, row_units } = if self.cross_sections {
            self.cross_section_layout(df, source, &mut diagnostics)?
        } else {
            self.panel_layout(df, source, &mut diagnostics)?
        };
        let n_periods = periods.len();
        let n_all = seen.len();
        let (first, last) = (periods[0], periods[n_periods - 1]);
        let a = self.anticipation;
        let rc = self.cross_sections || (self.unbalanced && seen.iter().any(|&s| s < n_periods));
        let mut keep: Vec<bool> = seen.iter().map(|&s| if rc { s > 0 } else { s == n_periods }).collect();
        let incomplete = keep.iter().filter(|k| !**k).count();
        if rc && !self.cross_sections {
            diagnostics.push(Diagnostic::note(
                "unbalanced_repeated_cross_sections",
                format!(
                    "{} unit(s) miss some periods: each ATT(g,t) compares the rows observed in t and in its base \
                     period (repeated cross-sections), standard errors clustered by unit",
                    seen.iter().filter(|&&s| s > 0 && s < n_periods).count()
                ),
            ));
        }
        if incomplete > 0 {
            diagnostics.push(Diagnostic::warning(
                "units_dropped_unbalanced",
                format!(
                    "{incomplete} unit(s) not observed with `{}`{} in all {n_periods} periods were dropped (balanced \
                     panel); allow_unbalanced(true) (CLI --unbalanced) keeps them",
                    self.outcome,
                    if k_cov > 0 { " and the covariates" } else { "" }
                ),
            ));
        }
        let mut early = BTreeMap::new();
        for (u, g) in cohorts_all.iter().enumerate() {
            if let Some(g) = g
                && *g <= first + a
                && keep[u]
            {
                keep[u] = false;
                *early.entry(*g).or_insert(0usize) += 1;
            }
        }
        for (g, count) in &early {
            diagnostics.push(Diagnostic::warning(
                "cohort_treated_in_first_period",
                format!(
                    "cohort {g} ({count} unit(s)) is treated{} from the first period {first}: no pre-treatment period, dropped",
                    if a > 0 { " (with anticipation)" } else { "" }
                ),
            ));
        }
        let late = cohorts_all.iter().zip(&keep).filter(|(g, k)| **k && g.is_some_and(|g| g > last)).count();
        if late > 0 {
            diagnostics.push(Diagnostic::note(
                "treated_after_panel",
                format!("{late} unit(s) first treated after the last period {last} count as never treated"),
            ));
        }
        let units: Vec<usize> = (0..n_all).filter(|&u| keep[u]).collect();
        let n = units.len();
        let cohort: Vec<Option<i64>> = units.iter().map(|&u| cohorts_all[u].filter(|&g| g <= last)).collect();
        let value = |j: usize, ti: usize, c: usize| values[(units[j] * n_periods + ti) * (1 + k_cov) + c];
        if k_cov > 0 {
            for (c, name) in self.covariates.iter().enumerate() {
                let varies = (0..n).any(|j| {
                    let seen: Vec<f64> = (0..n_periods).map(|ti| value(j, ti, 1 + c)).filter(|v| !v.is_nan()).collect();
                    seen.iter().any(|v| *v != seen[0])
                });
                if varies {
                    diagnostics.push(Diagnostic::warning(
                        "time_varying_covariate",
                        format!("covariate `{name}` varies over time within units; each comparison uses its base-period value"),
                    ));
                }
            }
        }
        let n_never = cohort.iter().filter(|g| g.is_none()).count();
        if self.comparison == Comparison::NeverTreated && n_never == 0 {
            return Err(Error::design(
                "no never-treated unit to compare with",
                "use the not-yet-treated comparison (comparison(NotYetTreated), CLI --control notyet)",
            ));
        }
        let groups: Vec<i64> = {
            let mut g: Vec<i64> = cohort.iter().flatten().copied().collect();
            g.sort_unstable();
            g.dedup();
            g
        };
        if groups.is_empty() {
            return Err(Error::design(
                "no treated cohort has a period before treatment",
                "the design needs cohorts first treated after the first period",
            ));
        }
        for g in &groups {
            let size = cohort.iter().filter(|c| **c == Some(*g)).count();
            if size == 1 {
                diagnostics.push(Diagnostic::warning(
                    "cohort_of_one_unit",
                    format!("cohort {g} has a single unit: its ATT(g,t) rest on one unit and are imprecise"),
                ));
            }
        }

        // Every ATT(g, t): first the list of (g, t, base) comparisons, then their estimation in
        // parallel (each is independent; results are collected in order, so they do not depend
        // on the number of threads).
        let mut tasks: Vec<(i64, usize, usize)> = Vec::new();
        for &g in &groups {
            // The last period before treatment (and anticipation).
            let Some(b_post) = periods.iter().rposition(|&p| p < g - a) else { continue };
            for (ti, &t) in periods.iter().enumerate() {
                let bi = if t >= g - a {
                    b_post
                } else {
                    match self.base {
                        BasePeriod::Varying if ti == 0 => continue,
                        BasePeriod::Varying => ti - 1,
                        BasePeriod::Universal => b_post,
                    }
                };
                tasks.push((g, ti, bi));
            }
        }
        use rayon::prelude::*;
        let estimated: Vec<Result<CellOutcome>> = tasks
            .par_iter()
            .map(|&(g, ti, bi)| {
                let t = periods[ti];
                if ti == bi {
                    let cell = Cell { g, t, base: periods[bi], att: 0.0, inf: vec![0.0; n], reference: true };
                    return Ok(CellOutcome::Estimated(cell, None));
                }
                let horizon = t.max(periods[bi]);
                let is_control = |c: Option<i64>| match (self.comparison, c) {
                    (_, None) => true,
                    (Comparison::NotYetTreated, Some(c)) => c != g && c > horizon + a,
                    (Comparison::NeverTreated, Some(_)) => false,
                };
                let members: Vec<usize> = (0..n).filter(|&j| cohort[j] == Some(g) || is_control(cohort[j])).collect();
                if members.iter().all(|&j| cohort[j] == Some(g)) {
                    return Ok(CellOutcome::Skipped(format!("({g},{t})")));
                }
                let name_cell = |e: Error| match e {
                    Error::Design { what, hint } => Error::Design { what: format!("ATT({g},{t}): {what}"), hint },
                    other => other,
                };
                if rc {
                    let cell =
                        repeated_cell(&members, |j| cohort[j] == Some(g), value, (ti, bi), k_cov, n, self.estimator)
                            .map_err(name_cell)?;
                    return Ok(match cell {
                        Some((att, inf)) => {
                            CellOutcome::Estimated(Cell { g, t, base: periods[bi], att, inf, reference: false }, None)
                        }
                        None => CellOutcome::Skipped(format!("({g},{t})")),
                    });
                }
                let dy: Vec<f64> = members.iter().map(|&j| value(j, ti, 0) - value(j, bi, 0)).collect();
                let d: Vec<bool> = members.iter().map(|&j| cohort[j] == Some(g)).collect();
                let mut x: Vec<f64> = vec![1.0; members.len()];
                for c in 0..k_cov {
                    x.extend(members.iter().map(|&j| value(j, bi, 1 + c)));
                }
                let est = two_period(&dy, &d, &x, 1 + k_cov, self.estimator).map_err(name_cell)?;
                let overlap = est.max_propensity.filter(|p| *p > 0.999).map(|p| {
                    Diagnostic::warning(
                        "weak_overlap",
                        format!("ATT({g},{t}): a comparison unit has propensity score {p:.4}; overlap is weak"),
                    )
                });
                let scale = n as f64 / members.len() as f64;
                let mut inf = vec![0.0; n];
                for (&j, v) in members.iter().zip(&est.inf) {
                    inf[j] = scale * v;
                }
                Ok(CellOutcome::Estimated(
                    Cell { g, t, base: periods[bi], att: est.att, inf, reference: false },
                    overlap,
                ))
            })
            .collect();
        let mut cells = Vec::with_capacity(estimated.len());
        let mut skipped = Vec::new();
        for outcome in estimated {
            match outcome? {
                CellOutcome::Estimated(cell, note) => {
                    cells.push(cell);
                    diagnostics.extend(note);
                }
                CellOutcome::Skipped(label) => skipped.push(label),
            }
        }
        if !skipped.is_empty() {
            diagnostics.push(Diagnostic::note(
                "cells_without_comparison",
                format!("no comparison unit for ATT{}: not estimated", skipped.join(", ATT")),
            ));
        }
        if cells.iter().all(|c| c.reference) {
            return Err(Error::design(
                "no ATT(g,t) could be estimated: no comparison units remain",
                "check the cohorts; with not-yet-treated comparisons the last cohort has none after its treatment",
            ));
        }
        let clusters = match &self.cluster {
            None => None,
            Some(col) => Some(unit_clusters(df, col, &row_units, n_all, &units)?),
        };
        let fit = CallawaySantAnnaFit {
            settings: self.clone(),
            cells,
            cohort,
            n,
            clusters,
            boot: std::sync::OnceLock::new(),
            diagnostics,
        };
        Ok(fit)
    }
}

/// One ATT(g, t) from the rows of `members` observed (outcome not NaN) in period `ti` and base
/// `bi`, as repeated cross-sections ([`two_period_rc`]); the influence function is summed within
/// units and rescaled so that the standard error is `√(Σψ²)/n` over the `n` units. `None` when a
/// group has no row in one of the two periods.
fn repeated_cell(
    members: &[usize],
    treated: impl Fn(usize) -> bool,
    value: impl Fn(usize, usize, usize) -> f64,
    (ti, bi): (usize, usize),
    k_cov: usize,
    n: usize,
    estimator: DidEstimator,
) -> Result<Option<(f64, Vec<f64>)>> {
    let mut rows: Vec<(usize, usize)> = Vec::new(); // (unit, period index)
    for &j in members {
        for p in [bi, ti] {
            if !value(j, p, 0).is_nan() {
                rows.push((j, p));
            }
        }
    }
    let y: Vec<f64> = rows.iter().map(|&(j, p)| value(j, p, 0)).collect();
    let d: Vec<bool> = rows.iter().map(|&(j, _)| treated(j)).collect();
    let post: Vec<bool> = rows.iter().map(|&(_, p)| p == ti).collect();
    let filled = |dd: bool, tt: bool| d.iter().zip(&post).any(|(a, b)| *a == dd && *b == tt);
    if !(filled(true, true) && filled(true, false) && filled(false, true) && filled(false, false)) {
        return Ok(None);
    }
    let mut x = vec![1.0; rows.len()];
    for c in 0..k_cov {
        x.extend(rows.iter().map(|&(j, p)| value(j, p, 1 + c)));
    }
    let est = two_period_rc(&y, &d, &post, &x, 1 + k_cov, estimator)?;
    let scale = n as f64 / rows.len() as f64;
    let mut inf = vec![0.0; n];
    for ((j, _), v) in rows.iter().zip(&est.inf) {
        inf[*j] += scale * v;
    }
    Ok(Some((est.att, inf)))
}

/// The data arranged for estimation: per unit (or, for repeated cross-sections, per row) and period,
/// the outcome then the covariates (`NaN` when not observed).
struct Layout {
    /// Sorted distinct periods.
    periods: Vec<i64>,
    /// `values[(unit · periods + t) · (1 + covariates) + c]`.
    values: Vec<f64>,
    /// Per unit: periods observed.
    seen: Vec<usize>,
    /// Per unit: first treated period (`None`: never).
    cohorts_all: Vec<Option<i64>>,
    /// Per row of the input: its unit, if used.
    row_units: Vec<Option<usize>>,
}

impl CallawaySantAnna {
    /// A panel: units followed over periods.
    fn panel_layout(&self, df: &DataFrame, source: &CohortSource, diagnostics: &mut Vec<Diagnostic>) -> Result<Layout> {
        let panel = source.panel(df, &self.unit, &self.time, diagnostics)?;
        let periods = panel.periods().to_vec();
        let n_periods = periods.len();
        let mut columns: Vec<&str> = vec![self.outcome.as_str()];
        columns.extend(self.covariates.iter().map(String::as_str));
        let m = DesignMatrix::from_frame(df, &columns, MissingPolicy::Drop)?;
        diagnostics.extend(m.diagnostics().iter().cloned());
        let k_cov = self.covariates.len();
        let n_all = panel.n_units();
        let mut values = vec![f64::NAN; n_all * n_periods * (1 + k_cov)];
        let mut seen = vec![0usize; n_all];
        for (i, &row) in m.source_rows().iter().enumerate() {
            let u = panel.row_units()[row];
            let ti = panel.row_period_indices()[row] as usize;
            let at = (u * n_periods + ti) * (1 + k_cov);
            for j in 0..=k_cov {
                values[at + j] = m.column(j)[i];
            }
            seen[u] += 1;
        }
        Ok(Layout {
            periods,
            values,
            seen,
            cohorts_all: panel.cohorts().unwrap_or_default().to_vec(),
            row_units: panel.row_units().iter().map(|&u| Some(u)).collect(),
        })
    }

    /// Repeated cross-sections: every row its own individual, observed once.
    fn cross_section_layout(
        &self,
        df: &DataFrame,
        source: &CohortSource,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<Layout> {
        let CohortSource::Column { name: cohort_col, never } = source else {
            return Err(Error::design(
                "with repeated cross-sections, cohorts must come from a first-treated-period column",
                "a 0/1 treatment cannot date first treatment when individuals are not followed; use cohort_column",
            ));
        };
        let mut columns: Vec<&str> = vec![self.outcome.as_str()];
        columns.extend(self.covariates.iter().map(String::as_str));
        columns.push(self.time.as_str());
        columns.push(cohort_col.as_str());
        let m = DesignMatrix::from_frame(df, &columns, MissingPolicy::Drop)?;
        diagnostics.extend(m.diagnostics().iter().cloned());
        let k_cov = self.covariates.len();
        let time = super::whole_numbers(&m, 1 + k_cov, &self.time)?;
        let cohort = super::whole_numbers(&m, 2 + k_cov, cohort_col)?;
        let mut periods = time.clone();
        periods.sort_unstable();
        periods.dedup();
        let n_periods = periods.len();
        let n = m.nrows();
        let mut values = vec![f64::NAN; n * n_periods * (1 + k_cov)];
        for i in 0..n {
            let ti = periods.binary_search(&time[i]).unwrap_or(0);
            for j in 0..=k_cov {
                values[(i * n_periods + ti) * (1 + k_cov) + j] = m.column(j)[i];
            }
        }
        let mut row_units = vec![None; df.height()];
        for (i, &r) in m.source_rows().iter().enumerate() {
            row_units[r] = Some(i);
        }
        diagnostics.push(Diagnostic::note(
            "repeated_cross_sections",
            format!("{n} rows read as repeated cross-sections: each row is one individual observed once"),
        ));
        Ok(Layout {
            periods,
            values,
            seen: vec![1; n],
            cohorts_all: cohort.iter().map(|&g| (g != *never).then_some(g)).collect(),
            row_units,
        })
    }
}

/// Cluster ids per kept unit from `column`, which must be constant within units.
fn unit_clusters(
    df: &DataFrame,
    column: &str,
    row_units: &[Option<usize>],
    n_all: usize,
    units: &[usize],
) -> Result<(Vec<u32>, usize)> {
    let rows: Vec<usize> = (0..df.height()).collect();
    let g = phare_data::matrix::GroupIds::from_frame(df, column, &rows)?;
    let mut per_unit: Vec<Option<u32>> = vec![None; n_all];
    for (row, id) in g.ids.iter().enumerate() {
        let Some(u) = row_units[row] else { continue };
        let Some(id) = id else {
            return Err(Error::MissingValues {
                column: column.into(),
                count: 1,
                first_row: row,
                hint: Some("every unit needs a cluster".into()),
            });
        };
        match per_unit[u] {
            Some(prev) if prev != *id => {
                return Err(Error::InvalidValue {
                    place: format!("cluster column `{column}` (row {row})"),
                    value: "a second cluster for the same unit".into(),
                    reason: "clusters must contain whole units".into(),
                    hint: Some("cluster on a variable constant within units (region, state)".into()),
                });
            }
            _ => per_unit[u] = Some(*id),
        }
    }
    let ids: Vec<Option<u32>> = units.iter().map(|&u| per_unit[u]).collect();
    let g = crate::did::renumber(ids);
    Ok(g)
}

/// What estimating one ATT(g, t) gave: the cell (with an overlap warning, if any), or the label
/// of a cell without comparison rows.
enum CellOutcome {
    Estimated(Cell, Option<Diagnostic>),
    Skipped(String),
}

/// One ATT(g, t) and its influence function over the units used.
#[derive(Debug, Clone, PartialEq)]
struct Cell {
    g: i64,
    t: i64,
    base: i64,
    att: f64,
    inf: Vec<f64>,
    /// The base cell of a universal base period (ATT 0 by construction).
    reference: bool,
}

/// Fitted Callaway–Sant'Anna group-time effects; `tidy` lists every ATT(g, t) (term
/// `ATT(g,t)`, with `cohort` and `period`).
#[derive(Debug, Clone)]
pub struct CallawaySantAnnaFit {
    settings: CallawaySantAnna,
    cells: Vec<Cell>,
    cohort: Vec<Option<i64>>,
    n: usize,
    clusters: Option<(Vec<u32>, usize)>,
    /// The bootstrap over all ATT(g, t), computed when first needed (an aggregation runs its own,
    /// so asking only for aggregations never pays for this one).
    boot: std::sync::OnceLock<Option<BootstrapResult>>,
    diagnostics: Vec<Diagnostic>,
}

/// How ATT(g, t) are summarised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Aggregation {
    /// One number: post-treatment ATT(g, t) weighted by cohort size.
    Simple,
    /// By event time e = t − g (an event study), each ATT(e) weighting cohorts by size; the
    /// overall effect averages ATT(e) over e ≥ 0. `min_e`/`max_e` bound the event times;
    /// `balance_e` keeps only cohorts observed at least `balance_e` periods after treatment
    /// (so the composition does not change with e) and event times up to it.
    Dynamic {
        /// Smallest event time reported.
        min_e: Option<i64>,
        /// Largest event time reported.
        max_e: Option<i64>,
        /// Balance the cohorts up to this event time.
        balance_e: Option<i64>,
    },
    /// By cohort: each cohort's post-treatment ATT(g, t) averaged; overall weighted by cohort size.
    Group,
    /// By calendar period: cohorts treated by t weighted by size; overall the mean over periods.
    Calendar,
}

impl Aggregation {
    /// The event-study aggregation without bounds.
    pub fn dynamic() -> Aggregation {
        Aggregation::Dynamic { min_e: None, max_e: None, balance_e: None }
    }
    /// The name on the command line: `simple`, `dynamic`, `group`, `calendar`.
    pub fn label(&self) -> &'static str {
        match self {
            Aggregation::Simple => "simple",
            Aggregation::Dynamic { .. } => "dynamic",
            Aggregation::Group => "group",
            Aggregation::Calendar => "calendar",
        }
    }
}

/// One aggregated parameter: its coefficient keys, estimate and influence function.
#[derive(Debug, Clone)]
struct Aggregated {
    coef: Coefficient,
    inf: Vec<f64>,
    reference: bool,
}

impl CallawaySantAnnaFit {
    /// The multiplier bootstrap over every ATT(g, t), if asked for (computed once, on first use).
    fn cell_bootstrap(&self) -> Option<&BootstrapResult> {
        self.boot
            .get_or_init(|| {
                self.settings.bootstrap.map(|(draws, seed)| {
                    let infs: Vec<&[f64]> = self.cells.iter().map(|c| c.inf.as_slice()).collect();
                    multiplier_bootstrap(&infs, draws, seed, self.cluster_ref(), 0.95)
                })
            })
            .as_ref()
    }

    fn cluster_ref(&self) -> Option<(&[u32], usize)> {
        self.clusters.as_ref().map(|(ids, m)| (ids.as_slice(), *m))
    }

    fn se(&self, inf: &[f64]) -> f64 {
        inf.iter().map(|v| v * v).sum::<f64>().sqrt() / self.n as f64
    }

    /// Units used.
    pub fn n_units(&self) -> usize {
        self.n
    }

    /// The weighted average Σ_k w_k ATT_k with w_k ∝ pg_k (pg: the share of units in cohort g),
    /// and its influence function including the estimation of the cohort shares: ψ = Σ_k w_k ψ_k +
    /// Σ_k ATT_k (1{G=g_k} − p_k)/S − θ Σ_k (1{G=g_k} − p_k)/S, S = Σ_k p_k (the delta method on
    /// θ = Σ p_k ATT_k / Σ p_k).
    fn weighted(&self, parts: &[(i64, f64, &[f64])]) -> (f64, Vec<f64>) {
        // One pass for the cohort sizes of every part, instead of one per part.
        let mut size: BTreeMap<i64, usize> = parts.iter().map(|(g, _, _)| (*g, 0)).collect();
        for g in self.cohort.iter().flatten() {
            if let Some(c) = size.get_mut(g) {
                *c += 1;
            }
        }
        let p: Vec<f64> = parts.iter().map(|(g, _, _)| size[g] as f64 / self.n as f64).collect();
        let s: f64 = p.iter().sum();
        let theta: f64 = parts.iter().zip(&p).map(|((_, att, _), p)| p * att).sum::<f64>() / s;
        // The share terms, (ATT_k − θ)(1{G=g_k} − p_k)/S summed over k: a constant for every unit
        // plus a per-cohort shift.
        let mut shift: BTreeMap<i64, f64> = BTreeMap::new();
        let mut constant = 0.0;
        let mut inf = vec![0.0; self.n];
        for ((g, att, psi), pk) in parts.iter().zip(&p) {
            let w = pk / s;
            inf.iter_mut().zip(psi.iter()).for_each(|(v, p)| *v += w * p);
            *shift.entry(*g).or_insert(0.0) += (att - theta) / s;
            constant -= (att - theta) * pk / s;
        }
        for (v, c) in inf.iter_mut().zip(&self.cohort) {
            *v += constant + c.and_then(|g| shift.get(&g)).copied().unwrap_or(0.0);
        }
        (theta, inf)
    }

    /// The plain average of parameters (no estimated weights).
    fn mean(&self, parts: &[(f64, &[f64])]) -> (f64, Vec<f64>) {
        let k = parts.len() as f64;
        let theta = parts.iter().map(|(a, _)| a).sum::<f64>() / k;
        let mut inf = vec![0.0; self.n];
        for (_, psi) in parts {
            inf.iter_mut().zip(psi.iter()).for_each(|(v, p)| *v += p / k);
        }
        (theta, inf)
    }

    /// Aggregates the ATT(g, t) (see [`Aggregation`]); the result's `tidy` has the overall effect
    /// as term `ATT` first, then one row per event time (`rel_period`), cohort or period.
    ///
    /// # Errors
    /// [`Error::Design`] when no post-treatment ATT(g, t) falls in the requested range.
    pub fn aggregate(&self, how: &Aggregation) -> Result<CallawaySantAnnaAggregate> {
        let post: Vec<&Cell> = self.cells.iter().filter(|c| c.t >= c.g && !c.reference).collect();
        let none_left =
            || Error::design("no post-treatment ATT(g,t) to aggregate", "check min_e/max_e and the cohorts");
        let mut rows: Vec<Aggregated> = Vec::new();
        let overall: (f64, Vec<f64>) = match how {
            Aggregation::Simple => {
                if post.is_empty() {
                    return Err(none_left());
                }
                let parts: Vec<(i64, f64, &[f64])> = post.iter().map(|c| (c.g, c.att, c.inf.as_slice())).collect();
                self.weighted(&parts)
            }
            Aggregation::Dynamic { min_e, max_e, balance_e } => {
                let last = self.cells.iter().map(|c| c.t).max().unwrap_or(0);
                let mut by_e: BTreeMap<i64, Vec<&Cell>> = BTreeMap::new();
                for c in &self.cells {
                    let e = c.t - c.g;
                    if min_e.is_some_and(|m| e < m) || max_e.is_some_and(|m| e > m) {
                        continue;
                    }
                    if let Some(b) = balance_e
                        && (c.g + b > last || e > *b)
                    {
                        continue;
                    }
                    by_e.entry(e).or_default().push(c);
                }
                for (e, cs) in &by_e {
                    let reference = cs.iter().all(|c| c.reference);
                    let parts: Vec<(i64, f64, &[f64])> = cs.iter().map(|c| (c.g, c.att, c.inf.as_slice())).collect();
                    let (att, inf) = self.weighted(&parts);
                    let se = if reference { f64::NAN } else { self.se(&inf) };
                    let coef = Coefficient::new(format!("ATT(e={e})"), att, se).at_rel_period(RelativePeriod(*e));
                    rows.push(Aggregated { coef, inf, reference });
                }
                let after: Vec<(f64, &[f64])> = rows
                    .iter()
                    .filter(|r| r.coef.rel_period.is_some_and(|e| e.0 >= 0))
                    .map(|r| (r.coef.estimate, r.inf.as_slice()))
                    .collect();
                if after.is_empty() {
                    return Err(none_left());
                }
                self.mean(&after)
            }
            Aggregation::Group => {
                let mut gs: Vec<i64> = post.iter().map(|c| c.g).collect();
                gs.dedup();
                if gs.is_empty() {
                    return Err(none_left());
                }
                for g in gs {
                    let parts: Vec<(f64, &[f64])> =
                        post.iter().filter(|c| c.g == g).map(|c| (c.att, c.inf.as_slice())).collect();
                    let (att, inf) = self.mean(&parts);
                    let coef = Coefficient::new(format!("ATT(g={g})"), att, self.se(&inf)).for_cohort(g);
                    rows.push(Aggregated { coef, inf, reference: false });
                }
                let parts: Vec<(i64, f64, &[f64])> =
                    rows.iter().map(|r| (r.coef.cohort.unwrap_or(0), r.coef.estimate, r.inf.as_slice())).collect();
                self.weighted(&parts)
            }
            Aggregation::Calendar => {
                let mut ts: Vec<i64> = post.iter().map(|c| c.t).collect();
                ts.sort_unstable();
                ts.dedup();
                if ts.is_empty() {
                    return Err(none_left());
                }
                for t in ts {
                    let parts: Vec<(i64, f64, &[f64])> =
                        post.iter().filter(|c| c.t == t).map(|c| (c.g, c.att, c.inf.as_slice())).collect();
                    let (att, inf) = self.weighted(&parts);
                    let coef = Coefficient::new(format!("ATT(t={t})"), att, self.se(&inf)).in_period(t);
                    rows.push(Aggregated { coef, inf, reference: false });
                }
                let parts: Vec<(f64, &[f64])> = rows.iter().map(|r| (r.coef.estimate, r.inf.as_slice())).collect();
                self.mean(&parts)
            }
        };
        let (att, inf) = overall;
        rows.insert(0, Aggregated { coef: Coefficient::new("ATT", att, self.se(&inf)), inf, reference: false });
        let boot = self.settings.bootstrap.map(|(draws, seed)| {
            let infs: Vec<&[f64]> = rows.iter().map(|r| r.inf.as_slice()).collect();
            multiplier_bootstrap(&infs, draws, seed, self.cluster_ref(), 0.95)
        });
        if let Some(b) = &boot {
            for (r, se) in rows.iter_mut().zip(&b.se) {
                if !r.reference {
                    r.coef.std_error = *se;
                }
            }
        }
        Ok(CallawaySantAnnaAggregate {
            how: how.clone(),
            call: format!("{}, aggregation {}", self.call(), how.label()),
            rows,
            n: self.n,
            crit: boot.map(|b| b.crit),
            diagnostics: self.diagnostics.clone(),
        })
    }

    /// The Wald test that every pre-treatment ATT(g, t) (t < g − anticipation, reference cells
    /// excluded) is zero, with their joint influence-function covariance: a test of parallel
    /// trends before treatment (`W` against χ²(q); `statistic` is `W/q`), and the slope of a linear
    /// violation it detects with 80 % power ([`PretrendTest::detectable_slope`]; under such a
    /// trend each pre-treatment cell equals the slope times `t − base`). `None` without
    /// pre-treatment cells.
    pub fn pretrend_test(&self) -> Option<PretrendTest> {
        let a = self.settings.anticipation;
        let pre: Vec<&Cell> = self.cells.iter().filter(|c| c.t < c.g - a && !c.reference).collect();
        let n2 = (self.n as f64).powi(2);
        let est: Vec<f64> = pre.iter().map(|c| c.att).collect();
        let trend: Vec<f64> = pre.iter().map(|c| (c.t - c.base) as f64).collect();
        PretrendTest::wald(
            &est,
            &trend,
            |i, j| pre[i].inf.iter().zip(&pre[j].inf).map(|(a, b)| a * b).sum::<f64>() / n2,
            Reference::Normal,
        )
    }

    /// The uniform (sup-t) critical value of the bootstrap over all ATT(g, t), if bootstrapped.
    pub fn uniform_critical_value(&self) -> Option<f64> {
        self.cell_bootstrap().map(|b| b.crit)
    }
}

impl Estimates for CallawaySantAnnaFit {
    fn design(&self) -> &str {
        "did-cs"
    }
    fn call(&self) -> String {
        let s = &self.settings;
        format!(
            "Callaway–Sant'Anna: outcome {}, unit {}, time {}, comparison {}, estimator {}{}, base period {}, anticipation {}{}",
            s.outcome,
            s.unit,
            s.time,
            match s.comparison {
                Comparison::NeverTreated => "never-treated",
                Comparison::NotYetTreated => "not-yet-treated",
            },
            s.estimator.label(),
            if s.covariates.is_empty() { String::new() } else { format!(" with {}", s.covariates.join(", ")) },
            match s.base {
                BasePeriod::Varying => "varying",
                BasePeriod::Universal => "universal",
            },
            s.anticipation,
            match s.bootstrap {
                Some((d, seed)) => format!(", multiplier bootstrap {d} draws, seed {seed}"),
                None => String::new(),
            }
        )
    }
    fn coefficients(&self) -> Vec<Coefficient> {
        self.cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let se = match (self.cell_bootstrap(), c.reference) {
                    (_, true) => f64::NAN,
                    (Some(b), false) => b.se[i],
                    (None, false) => self.se(&c.inf),
                };
                Coefficient::new(format!("ATT({},{})", c.g, c.t), c.att, se)
                    .for_cohort(c.g)
                    .in_period(c.t)
                    .at_rel_period(RelativePeriod(c.t - c.g))
            })
            .collect()
    }
    fn reference(&self) -> Reference {
        Reference::Normal
    }
    fn glance(&self) -> Glance {
        let treated = self.cohort.iter().filter(|c| c.is_some()).count();
        let mut g = Glance::new()
            .with(glance_names::N_UNITS, self.n)
            .with(glance_names::N_TREATED, treated)
            .with(glance_names::N_CONTROL, self.n - treated)
            .with("n_cells", self.cells.iter().filter(|c| !c.reference).count())
            .with(
                glance_names::VCOV_TYPE,
                if self.settings.bootstrap.is_some() { "multiplier bootstrap" } else { "influence function" },
            );
        if let Some(p) = self.pretrend_test() {
            g = g
                .with("pretrend_wald", p.statistic * p.df1 as f64)
                .with("pretrend_df", p.df1)
                .with("pretrend_p_value", p.p_value);
            if let Some(d) = p.detectable_slope {
                g = g.with("pretrend_detectable_slope", d);
            }
        }
        if let Some(b) = self.cell_bootstrap() {
            g = g.with("uniform_crit", b.crit);
        }
        g
    }
    fn diagnostics(&self) -> Vec<Diagnostic> {
        self.diagnostics.clone()
    }
    fn vcov(&self) -> Option<Vcov> {
        let terms: Vec<String> = self.cells.iter().map(|c| format!("ATT({},{})", c.g, c.t)).collect();
        let k = terms.len();
        let n2 = (self.n as f64).powi(2);
        let values = (0..k * k)
            .map(|ij| self.cells[ij / k].inf.iter().zip(&self.cells[ij % k].inf).map(|(a, b)| a * b).sum::<f64>() / n2)
            .collect();
        Some(Vcov { terms, values, kind: "influence function".into() })
    }
}

/// An aggregation of Callaway–Sant'Anna effects (see [`CallawaySantAnnaFit::aggregate`]).
#[derive(Debug, Clone)]
pub struct CallawaySantAnnaAggregate {
    how: Aggregation,
    call: String,
    rows: Vec<Aggregated>,
    n: usize,
    crit: Option<f64>,
    diagnostics: Vec<Diagnostic>,
}

impl CallawaySantAnnaAggregate {
    /// The aggregation.
    pub fn aggregation(&self) -> &Aggregation {
        &self.how
    }
    /// The bootstrap's uniform (sup-t) critical value over the rows, if bootstrapped: the band
    /// `estimate ± crit · se` covers every row jointly with 95 % probability.
    pub fn uniform_critical_value(&self) -> Option<f64> {
        self.crit
    }
}

impl Estimates for CallawaySantAnnaAggregate {
    fn design(&self) -> &str {
        "did-cs"
    }
    fn call(&self) -> String {
        self.call.clone()
    }
    fn coefficients(&self) -> Vec<Coefficient> {
        self.rows.iter().map(|r| r.coef.clone()).collect()
    }
    fn reference(&self) -> Reference {
        Reference::Normal
    }
    fn glance(&self) -> Glance {
        let mut g = Glance::new().with(glance_names::N_UNITS, self.n).with("aggregation", self.how.label());
        if let Some(c) = self.crit {
            g = g.with("uniform_crit", c);
        }
        g
    }
    fn diagnostics(&self) -> Vec<Diagnostic> {
        self.diagnostics.clone()
    }
}
