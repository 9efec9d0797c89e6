//! Event studies under staggered adoption: the two-way fixed-effects event study, and three
//! estimators robust to heterogeneous effects — Sun and Abraham's interaction-weighted
//! regression, Borusyak, Jaravel and Spiess's imputation, and Gardner's two-stage regression.

use super::CohortSource;
use super::pretrend::PretrendTest;
use phare_core::{
    Coefficient, Diagnostic, Error, Estimates, Glance, Reference, RelativePeriod, Result, Vcov, glance_names,
};
use phare_data::Roles;
use phare_data::matrix::{DesignMatrix, GroupIds, MissingPolicy};
use phare_data::polars::prelude::{Column, DataFrame};
use phare_models::{Feols, VcovSpec};
use phare_stats::demean::{DemeanOptions, FixedEffects};
use std::collections::BTreeMap;

/// The event-study estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventMethod {
    /// Two-way fixed effects with one dummy per relative period (reference e = −1 − anticipation;
    /// never-treated units in the reference): biased under staggered adoption with effects that
    /// vary across cohorts, kept as the familiar benchmark. Overall row: the static TWFE
    /// coefficient of the treated-after dummy.
    #[default]
    Twfe,
    /// Sun and Abraham (2021): one dummy per cohort × relative period (each cohort's e = −1 the
    /// reference, never-treated units — or, without any, the last cohort — as controls), then
    /// averaged over cohorts with their shares among treated observations at each e.
    SunAbraham,
    /// Borusyak, Jaravel and Spiess (2024): unit and period effects fitted on untreated
    /// observations only, treated outcomes imputed, effects averaged; the paper's conservative
    /// variance; pre-period rows and the pre-trend test from the lead regression on untreated
    /// observations.
    Imputation,
    /// Gardner (2022): the same first stage, then the residualised outcome regressed on the
    /// treatment dummies, with the two-stage (GMM) cluster-robust variance. Point estimates equal
    /// the imputation estimator's.
    TwoStage,
}

impl EventMethod {
    /// The command-line name: `twfe`, `sa`, `bjs`, `gardner`.
    pub fn label(self) -> &'static str {
        match self {
            EventMethod::Twfe => "twfe",
            EventMethod::SunAbraham => "sa",
            EventMethod::Imputation => "bjs",
            EventMethod::TwoStage => "gardner",
        }
    }
}

/// An event study on a staggered-adoption panel: the overall effect (term `ATT`) and one row per
/// relative period e = t − g (term `ATT(e=…)`, with `rel_period`), by the chosen [`EventMethod`].
///
/// | parameter | default | |
/// |---|---|---|
/// | `cohort_column(col, never)` / `treatment(col)` | required | when units are first treated |
/// | `method(…)` | TWFE | `twfe`, `sa`, `bjs`, `gardner` |
/// | `window(min_e, max_e)` | all | TWFE: bin leads below and lags above into the end points; other methods: rows reported |
/// | `anticipation(a)` | 0 | periods before g treated as possibly affected |
/// | `cluster(col)` | unit | clustering of standard errors |
///
/// ```
/// use phare_causal::did::{EventMethod, EventStudy};
/// use phare_core::Estimates;
/// let mpdta = phare_data::load_dataset("mpdta")?;
/// let fit = EventStudy::new("lemp", "countyreal", "year")
///     .cohort_column("first_treat", 0)
///     .method(EventMethod::Imputation)
///     .fit(&mpdta)?;
/// let att = fit.tidy().row("ATT").unwrap().estimate;
/// assert!((att - -0.04771).abs() < 1e-5); // diff-diff 3.13 ImputationDiD
/// # Ok::<(), phare_core::Error>(())
/// ```
///
/// # Errors
/// Missing columns and bad cohorts ([`Panel`](phare_data::Panel)); [`Error::Design`] when no untreated observation
/// or no treated one remains, or no comparison exists.
#[derive(Debug, Clone, PartialEq)]
pub struct EventStudy {
    outcome: String,
    unit: String,
    time: String,
    cohorts: Option<CohortSource>,
    method: EventMethod,
    window: Option<(i64, i64)>,
    anticipation: i64,
    cluster: Option<String>,
}

/// The panel reduced to what the event-study estimators use: one entry per observation with a
/// known outcome.
struct Staggered {
    y: Vec<f64>,
    unit: Vec<u32>,
    n_units: usize,
    time: Vec<i64>,
    cohort: Vec<Option<i64>>,
    cluster: Vec<u32>,
    n_clusters: usize,
    diagnostics: Vec<Diagnostic>,
}

impl EventStudy {
    /// The design on `outcome`, units in `unit`, periods in `time`.
    pub fn new(outcome: &str, unit: &str, time: &str) -> Self {
        EventStudy {
            outcome: outcome.into(),
            unit: unit.into(),
            time: time.into(),
            cohorts: None,
            method: EventMethod::Twfe,
            window: None,
            anticipation: 0,
            cluster: None,
        }
    }
    super::cohort_builders!();
    /// The estimator.
    pub fn method(mut self, m: EventMethod) -> Self {
        self.method = m;
        self
    }
    /// Relative periods from `min_e` to `max_e` (TWFE: distant periods binned into the ends).
    pub fn window(mut self, min_e: i64, max_e: i64) -> Self {
        self.window = Some((min_e, max_e));
        self
    }
    /// Periods of anticipation.
    pub fn anticipation(mut self, a: i64) -> Self {
        self.anticipation = a;
        self
    }
    /// Cluster standard errors on `column` instead of the unit.
    pub fn cluster(mut self, column: &str) -> Self {
        self.cluster = Some(column.into());
        self
    }

    fn load(&self, df: &DataFrame) -> Result<Staggered> {
        let source = CohortSource::required(&self.cohorts)?;
        super::check_anticipation(self.anticipation)?;
        if let Some((lo, hi)) = self.window
            && lo > hi
        {
            return Err(Error::InvalidArgument {
                name: "window".into(),
                value: format!("({lo}, {hi})"),
                reason: "the smallest relative period must not exceed the largest".into(),
                hint: None,
            });
        }
        let mut diagnostics = Roles::new().outcome(&self.outcome).validate(df)?;
        let panel = source.panel(df, &self.unit, &self.time, &mut diagnostics)?;
        let m = DesignMatrix::from_frame(df, &[self.outcome.as_str()], MissingPolicy::Drop)?;
        diagnostics.extend(m.diagnostics().iter().cloned());
        let rows = m.source_rows().to_vec();
        let cohorts = panel.cohorts().unwrap_or_default();
        let last = *panel.periods().last().unwrap_or(&0);
        let unit: Vec<u32> = rows.iter().map(|&r| panel.row_units()[r] as u32).collect();
        let (cluster, n_clusters) = match &self.cluster {
            Some(c) => {
                let g = GroupIds::from_frame(df, c, &rows)?;
                if let Some(i) = g.ids.iter().position(Option::is_none) {
                    return Err(Error::MissingValues {
                        column: c.clone(),
                        count: g.ids.iter().filter(|v| v.is_none()).count(),
                        first_row: rows[i],
                        hint: Some("every observation needs a cluster".into()),
                    });
                }
                (g.ids.into_iter().map(|v| v.unwrap_or(0)).collect(), g.n_levels)
            }
            None => (unit.clone(), panel.n_units()),
        };
        Ok(Staggered {
            y: m.column(0).to_vec(),
            n_units: panel.n_units(),
            time: rows.iter().map(|&r| panel.row_periods()[r]).collect(),
            cohort: unit.iter().map(|&u| cohorts[u as usize].filter(|&g| g <= last)).collect(),
            unit,
            cluster,
            n_clusters,
            diagnostics,
        })
    }

    /// Estimates the event study on `df`.
    pub fn fit(&self, df: &DataFrame) -> Result<EventStudyFit> {
        let data = self.load(df)?;
        if !data.cohort.iter().any(Option::is_some) {
            return Err(Error::design("no treated unit is observed", "check the cohort or treatment column"));
        }
        match self.method {
            EventMethod::Twfe => self.twfe(data),
            EventMethod::SunAbraham => self.sun_abraham(data),
            EventMethod::Imputation | EventMethod::TwoStage => self.imputation(data),
        }
    }

    fn in_window(&self, e: i64) -> bool {
        self.window.is_none_or(|(lo, hi)| e >= lo && e <= hi)
    }

    fn call(&self) -> String {
        format!(
            "event study ({}): outcome {}, unit {}, time {}{}{}{}",
            self.method.label(),
            self.outcome,
            self.unit,
            self.time,
            self.window.map(|(a, b)| format!(", window {a}..{b}")).unwrap_or_default(),
            if self.anticipation > 0 { format!(", anticipation {}", self.anticipation) } else { String::new() },
            self.cluster.as_ref().map(|c| format!(", cluster {c}")).unwrap_or_default()
        )
    }

    /// The TWFE event study and the static TWFE coefficient, through [`Feols`].
    fn twfe(&self, data: Staggered) -> Result<EventStudyFit> {
        let reference = -1 - self.anticipation;
        let rel: Vec<i64> = data
            .cohort
            .iter()
            .zip(&data.time)
            .map(|(g, t)| match g {
                None => reference,
                Some(g) => match self.window {
                    Some((lo, hi)) => (t - g).clamp(lo, hi),
                    None => t - g,
                },
            })
            .collect();
        let d: Vec<f64> =
            data.cohort.iter().zip(&data.time).map(|(g, t)| f64::from(u8::from(g.is_some_and(|g| *t >= g)))).collect();
        let frame = data.frame(vec![Column::new("rel".into(), rel), Column::new("d".into(), d)])?;
        let spec = VcovSpec::Crv1(vec!["cluster".into()]);
        let dynamic =
            Feols::new(&format!("y ~ i(rel, ref = {reference}) | unit + time"))?.vcov(spec.clone()).fit(&frame)?;
        let stat = Feols::new("y ~ d | unit + time")?.vcov(spec).fit(&frame)?;
        let s = stat.tidy();
        let d_row = s.row("d").ok_or_else(|| {
            Error::design(
                "the treatment dummy is collinear with the fixed effects",
                "every unit would need to change treatment status",
            )
        })?;
        let mut rows = vec![Coefficient::new("ATT", d_row.estimate, d_row.std_error)];
        let (coefs, vcov) = (dynamic.coefficients(), dynamic.vcov());
        for c in &coefs {
            let e: i64 = c.term.trim_start_matches("rel::").parse().unwrap_or(0);
            rows.push(
                Coefficient::new(format!("ATT(e={e})"), c.estimate, c.std_error).at_rel_period(RelativePeriod(e)),
            );
        }
        rows[1..].sort_by_key(|r| r.rel_period.map(|e| e.0));
        let mut diagnostics = data.diagnostics.clone();
        diagnostics.extend(dynamic.diagnostics());
        if data.cohort.iter().collect::<std::collections::BTreeSet<_>>().len() > 2 {
            diagnostics.push(Diagnostic::note(
                "twfe_staggered",
                "with several treatment cohorts, TWFE coefficients mix effects of different cohorts and periods \
                 (possibly with negative weights); compare with the Callaway–Sant'Anna, Sun–Abraham or imputation estimates",
            ));
        }
        Ok(EventStudyFit {
            method: self.method,
            call: self.call(),
            rows,
            reference: dynamic.reference(),
            nobs: data.y.len(),
            n_units: data.n_units,
            n_clusters: data.n_clusters,
            pretrend: self.lead_test(&coefs, vcov.as_ref(), dynamic.reference(), |e| e < reference),
            diagnostics,
        })
    }

    /// Wald test that the coefficients of relative periods satisfying `lead` are zero.
    fn lead_test(
        &self,
        coefs: &[Coefficient],
        vcov: Option<&Vcov>,
        reference: Reference,
        lead: impl Fn(i64) -> bool,
    ) -> Option<PretrendTest> {
        let vcov = vcov?;
        let idx: Vec<usize> = coefs
            .iter()
            .enumerate()
            .filter(|(_, c)| c.term.rsplit("::").next().and_then(|e| e.parse::<i64>().ok()).is_some_and(&lead))
            .map(|(i, _)| i)
            .collect();
        // Under a linear violation of slope δ per period, the coefficient of relative period e
        // (normalised at −1 − a) is δ·(e + 1 + a).
        let trend: Vec<f64> = idx
            .iter()
            .map(|&i| coefs[i].term.rsplit("::").next().and_then(|e| e.parse::<i64>().ok()).unwrap_or(0))
            .map(|e| (e + 1 + self.anticipation) as f64)
            .collect();
        PretrendTest::wald(
            &idx.iter().map(|&i| coefs[i].estimate).collect::<Vec<_>>(),
            &trend,
            |a, b| vcov.get(idx[a], idx[b]),
            reference,
        )
    }

    /// Sun and Abraham's interaction-weighted estimator.
    fn sun_abraham(&self, data: Staggered) -> Result<EventStudyFit> {
        let reference = -1 - self.anticipation;
        let mut diagnostics = data.diagnostics.clone();
        let has_never = data.cohort.iter().any(Option::is_none);
        // Without never-treated units the last cohort is the control, up to its treatment.
        let control_cohort = if has_never { None } else { data.cohort.iter().flatten().max().copied() };
        let keep: Vec<bool> =
            data.time.iter().map(|t| control_cohort.is_none_or(|c| *t < c - self.anticipation)).collect();
        if let Some(c) = control_cohort {
            diagnostics.push(Diagnostic::note(
                "last_cohort_as_control",
                format!("no never-treated unit: cohort {c} serves as the control, periods from {c} on are dropped"),
            ));
        }
        let is_control = |g: Option<i64>| g.is_none() || g == control_cohort;
        let cell: Vec<String> = data
            .cohort
            .iter()
            .zip(&data.time)
            .map(|(g, t)| match g {
                Some(g) if !is_control(Some(*g)) && t - g != reference => format!("{g}_{}", t - g),
                _ => "ref".to_string(),
            })
            .collect();
        let frame = data.frame(vec![Column::new("cell".into(), cell.clone())])?;
        let keep_mask = keep.iter().copied().collect::<phare_data::polars::prelude::BooleanChunked>();
        let frame = frame.filter(&keep_mask).map_err(|e| Error::Engine {
            context: "Sun–Abraham sample".into(),
            message: e.to_string(),
            hint: None,
        })?;
        if frame.height() == 0 {
            return Err(Error::design("no observation left for the Sun–Abraham regression", "check the cohorts"));
        }
        let fit = Feols::new("y ~ i(cell, ref = \"ref\") | unit + time")?
            .vcov(VcovSpec::Crv1(vec!["cluster".into()]))
            .fit(&frame)?;
        diagnostics.extend(fit.diagnostics());
        let coefs = fit.coefficients();
        let vcov = fit.vcov().ok_or_else(|| Error::Internal("Sun–Abraham without covariance".into()))?;
        // Cohort-cell coefficients and their observation counts.
        let mut count: BTreeMap<(i64, i64), f64> = BTreeMap::new();
        for (c, k) in cell.iter().zip(&keep) {
            if *k && c != "ref" {
                let (g, e) =
                    c.split_once('_').map(|(g, e)| (g.parse().unwrap_or(0), e.parse().unwrap_or(0))).unwrap_or((0, 0));
                *count.entry((g, e)).or_insert(0.0) += 1.0;
            }
        }
        let position = |g: i64, e: i64| coefs.iter().position(|c| c.term == format!("cell::{g}_{e}"));
        let combine = |cells: &[((i64, i64), f64)]| -> Option<(f64, f64)> {
            let parts: Vec<(usize, f64)> =
                cells.iter().filter_map(|((g, e), w)| position(*g, *e).map(|p| (p, *w))).collect();
            let total: f64 = parts.iter().map(|p| p.1).sum();
            if parts.is_empty() || total == 0.0 {
                return None;
            }
            let est = parts.iter().map(|(p, w)| coefs[*p].estimate * w).sum::<f64>() / total;
            let var = parts
                .iter()
                .flat_map(|(p, w)| parts.iter().map(move |(q, v)| (*p, *q, w * v)))
                .map(|(p, q, wv)| vcov.get(p, q) * wv)
                .sum::<f64>()
                / (total * total);
            Some((est, var.sqrt()))
        };
        let post: Vec<((i64, i64), f64)> = count.iter().filter(|((_, e), _)| *e >= 0).map(|(k, v)| (*k, *v)).collect();
        let (att, se) = combine(&post).ok_or_else(|| {
            Error::design("no post-treatment cohort cell is estimable", "check the cohorts and the window")
        })?;
        let mut rows = vec![Coefficient::new("ATT", att, se)];
        let es: std::collections::BTreeSet<i64> = count.keys().map(|k| k.1).collect();
        for e in es {
            if !self.in_window(e) {
                continue;
            }
            let cells: Vec<((i64, i64), f64)> =
                count.iter().filter(|((_, f), _)| *f == e).map(|(k, v)| (*k, *v)).collect();
            if let Some((est, se)) = combine(&cells) {
                rows.push(Coefficient::new(format!("ATT(e={e})"), est, se).at_rel_period(RelativePeriod(e)));
            }
        }
        let pretrend = self.lead_test(
            &coefs
                .iter()
                .map(|c| {
                    let e = c.term.rsplit('_').next().unwrap_or("0");
                    Coefficient::new(format!("cell::{e}"), c.estimate, c.std_error)
                })
                .collect::<Vec<_>>(),
            Some(&vcov),
            fit.reference(),
            |e| e < reference,
        );
        Ok(EventStudyFit {
            method: self.method,
            call: self.call(),
            rows,
            reference: fit.reference(),
            nobs: fit.nobs(),
            n_units: data.n_units,
            n_clusters: data.n_clusters,
            pretrend,
            diagnostics,
        })
    }

    /// Borusyak–Jaravel–Spiess imputation, or Gardner's two-stage variance on the same estimates.
    fn imputation(&self, data: Staggered) -> Result<EventStudyFit> {
        let a = self.anticipation;
        let n = data.y.len();
        let untreated: Vec<bool> =
            data.cohort.iter().zip(&data.time).map(|(g, t)| g.is_none_or(|g| *t < g - a)).collect();
        // Fixed effects of the untreated observations.
        let rows0: Vec<usize> = (0..n).filter(|&i| untreated[i]).collect();
        if rows0.is_empty() {
            return Err(Error::design(
                "no untreated observation to fit unit and period effects",
                "the imputation estimator needs periods before treatment or never-treated units",
            ));
        }
        let mut unit_level: BTreeMap<u32, u32> = BTreeMap::new();
        let mut time_level: BTreeMap<i64, u32> = BTreeMap::new();
        for &i in &rows0 {
            let next = unit_level.len() as u32;
            unit_level.entry(data.unit[i]).or_insert(next);
            let next = time_level.len() as u32;
            time_level.entry(data.time[i]).or_insert(next);
        }
        let fe0 = FixedEffects::new(
            vec![
                rows0.iter().map(|&i| unit_level[&data.unit[i]]).collect(),
                rows0.iter().map(|&i| time_level[&data.time[i]]).collect(),
            ],
            vec![unit_level.len(), time_level.len()],
            None,
        );
        let options = DemeanOptions { tol: 1e-13, ..DemeanOptions::default() };
        let y0: Vec<f64> = rows0.iter().map(|&i| data.y[i]).collect();
        let alpha = fe0.coefficients(y0, &options)?;
        let fitted0 = |i: usize| -> Option<f64> {
            Some(
                alpha[0][*unit_level.get(&data.unit[i])? as usize] + alpha[1][*time_level.get(&data.time[i])? as usize],
            )
        };
        // Treated observations and their imputed effects.
        let mut diagnostics = data.diagnostics.clone();
        let mut treated: Vec<(usize, i64, i64, f64)> = Vec::new(); // (obs, cohort, e, tau)
        let mut unimputable = 0usize;
        for i in (0..n).filter(|&i| !untreated[i]) {
            let g = data.cohort[i].unwrap_or(0);
            match fitted0(i) {
                Some(f) => treated.push((i, g, data.time[i] - g, data.y[i] - f)),
                None => unimputable += 1,
            }
        }
        if unimputable > 0 {
            diagnostics.push(Diagnostic::warning(
                "treated_not_imputable",
                format!(
                    "{unimputable} treated observation(s) have no untreated observation of their unit or period (a cohort \
                     treated from the first period, or periods when every unit is treated): left out"
                ),
            ));
        }
        if treated.is_empty() {
            return Err(Error::design(
                "no treated observation can be imputed",
                "the design needs untreated periods for treated units and untreated units in treated periods",
            ));
        }
        let resid0: Vec<f64> = rows0.iter().map(|&i| data.y[i] - fitted0(i).unwrap_or(0.0)).collect();
        // Estimands: overall, then each horizon e ≥ −a in the window.
        let mut targets: Vec<(String, Option<i64>, Vec<f64>)> = vec![("ATT".into(), None, vec![1.0; treated.len()])];
        let horizons: std::collections::BTreeSet<i64> = treated.iter().map(|t| t.2).collect();
        for &e in &horizons {
            if self.in_window(e) {
                targets.push((
                    format!("ATT(e={e})"),
                    Some(e),
                    treated.iter().map(|t| f64::from(u8::from(t.2 == e))).collect(),
                ));
            }
        }
        let mut rows = Vec::new();
        for (term, e, mask) in targets {
            let total: f64 = mask.iter().sum();
            let w: Vec<f64> = mask.iter().map(|m| m / total).collect();
            let est: f64 = treated.iter().zip(&w).map(|(t, w)| t.3 * w).sum();
            // γ = (Z₀ᵀZ₀)⁻¹ Z₁ᵀ w: the treated weights carried onto untreated observations.
            let mut b = vec![vec![0.0; unit_level.len()], vec![0.0; time_level.len()]];
            for (t, wi) in treated.iter().zip(&w) {
                b[0][unit_level[&data.unit[t.0]] as usize] += wi;
                b[1][time_level[&data.time[t.0]] as usize] += wi;
            }
            let gamma = fe0.solve_normal_equations(b, &options)?;
            let z_gamma = |k: usize| gamma[0][fe0.ids(0)[k] as usize] + gamma[1][fe0.ids(1)[k] as usize];
            let mut score = vec![0.0; data.n_clusters];
            let se = match self.method {
                EventMethod::Imputation => {
                    // BJS Theorem 3: v = w on treated, −Z₀γ on untreated; ε̃ = residual on untreated,
                    // τ − τ̄_c on treated with τ̄_c the v²-weighted mean in its cohort × horizon cell.
                    let mut cell: BTreeMap<(i64, i64), (f64, f64)> = BTreeMap::new();
                    for (t, wi) in treated.iter().zip(&w) {
                        let c = cell.entry((t.1, t.2)).or_insert((0.0, 0.0));
                        c.0 += wi * wi * t.3;
                        c.1 += wi * wi;
                    }
                    for (t, wi) in treated.iter().zip(&w) {
                        let c = cell[&(t.1, t.2)];
                        let tau_bar = if c.1 > 0.0 { c.0 / c.1 } else { 0.0 };
                        score[data.cluster[t.0] as usize] += wi * (t.3 - tau_bar);
                    }
                    for (k, &i) in rows0.iter().enumerate() {
                        score[data.cluster[i] as usize] += -z_gamma(k) * resid0[k];
                    }
                    score.iter().map(|s| s * s).sum::<f64>().sqrt()
                }
                _ => {
                    // Gardner's GMM sandwich for the second-stage coefficient β = Σ w τ: with the
                    // dummy x₂ = mask, bread 1/Σx₂ and per cluster ψ = Σ x₂ ε₂ − Σ (Z₁ᵀx₂ mapped by
                    // (Z₀ᵀZ₀)⁻¹ onto untreated rows) ε₁; (Z₀ᵀZ₀)⁻¹Z₁ᵀx₂ = γ · Σx₂.
                    for (t, m) in treated.iter().zip(&mask) {
                        score[data.cluster[t.0] as usize] += m * (t.3 - est);
                    }
                    for (k, &i) in rows0.iter().enumerate() {
                        score[data.cluster[i] as usize] -= z_gamma(k) * total * resid0[k];
                    }
                    score.iter().map(|s| s * s).sum::<f64>().sqrt() / total
                }
            };
            let mut c = Coefficient::new(term, est, se);
            if let Some(e) = e {
                c = c.at_rel_period(RelativePeriod(e));
            }
            rows.push(c);
        }
        // Pre-trends (BJS eq. 9): on untreated observations, leads of eventually treated units
        // against the never-treated and the e = −1 observations, unit and period effects, CR1.
        let lead: Vec<i64> =
            data.cohort.iter().zip(&data.time).map(|(g, t)| g.map_or(-1 - a, |g| (t - g).min(-1 - a))).collect();
        let mask = untreated.iter().copied().collect::<phare_data::polars::prelude::BooleanChunked>();
        let frame = data.frame(vec![Column::new("lead".into(), lead)])?;
        let frame = frame.filter(&mask).map_err(|e| Error::Engine {
            context: "pre-trend regression".into(),
            message: e.to_string(),
            hint: None,
        })?;
        let mut pretrend = None;
        let has_leads = frame
            .column("lead")
            .ok()
            .and_then(|c| c.as_materialized_series().i64().ok().map(|ca| ca.into_no_null_iter().any(|v| v < -1 - a)))
            .unwrap_or(false);
        if has_leads {
            let leads = Feols::new(&format!("y ~ i(lead, ref = {}) | unit + time", -1 - a))?
                .vcov(VcovSpec::Crv1(vec!["cluster".into()]))
                .drop_singletons(false)
                .fit(&frame)?;
            let coefs = leads.coefficients();
            pretrend = self.lead_test(&coefs, leads.vcov().as_ref(), leads.reference(), |e| e < -1 - a);
            if self.method == EventMethod::Imputation {
                for c in &coefs {
                    let e: i64 = c.term.trim_start_matches("lead::").parse().unwrap_or(0);
                    if self.in_window(e) {
                        rows.push(
                            Coefficient::new(format!("ATT(e={e})"), c.estimate, c.std_error)
                                .at_rel_period(RelativePeriod(e)),
                        );
                    }
                }
            }
        }
        rows[1..].sort_by_key(|r| r.rel_period.map(|e| e.0));
        Ok(EventStudyFit {
            method: self.method,
            call: self.call(),
            rows,
            reference: Reference::Normal,
            nobs: n,
            n_units: data.n_units,
            n_clusters: data.n_clusters,
            pretrend,
            diagnostics,
        })
    }
}

impl Staggered {
    /// A frame with y, unit, time, cluster and `extra` columns, for the regression-based methods.
    fn frame(&self, extra: Vec<Column>) -> Result<DataFrame> {
        let mut cols = vec![
            Column::new("y".into(), self.y.clone()),
            Column::new("unit".into(), self.unit.iter().map(|&u| i64::from(u)).collect::<Vec<i64>>()),
            Column::new("time".into(), self.time.clone()),
            Column::new("cluster".into(), self.cluster.iter().map(|&u| i64::from(u)).collect::<Vec<i64>>()),
        ];
        cols.extend(extra);
        DataFrame::new_infer_height(cols).map_err(|e| Error::Engine {
            context: "event-study frame".into(),
            message: e.to_string(),
            hint: None,
        })
    }
}

/// A fitted [`EventStudy`].
#[derive(Debug, Clone)]
pub struct EventStudyFit {
    method: EventMethod,
    call: String,
    rows: Vec<Coefficient>,
    reference: Reference,
    nobs: usize,
    n_units: usize,
    n_clusters: usize,
    pretrend: Option<PretrendTest>,
    diagnostics: Vec<Diagnostic>,
}

impl EventStudyFit {
    /// The joint test of the pre-treatment coefficients (TWFE, Sun–Abraham: the leads of the
    /// event-study regression; imputation and two-stage: the BJS lead regression on untreated
    /// observations), if there are any.
    pub fn pretrend_test(&self) -> Option<&PretrendTest> {
        self.pretrend.as_ref()
    }
    /// The estimator used.
    pub fn method(&self) -> EventMethod {
        self.method
    }
}

impl Estimates for EventStudyFit {
    fn design(&self) -> &str {
        match self.method {
            EventMethod::Twfe => "did-twfe",
            EventMethod::SunAbraham => "did-sa",
            EventMethod::Imputation => "did-bjs",
            EventMethod::TwoStage => "did-gardner",
        }
    }
    fn call(&self) -> String {
        self.call.clone()
    }
    fn coefficients(&self) -> Vec<Coefficient> {
        self.rows.clone()
    }
    fn reference(&self) -> Reference {
        self.reference
    }
    fn glance(&self) -> Glance {
        let mut g = Glance::new()
            .with(glance_names::NOBS, self.nobs)
            .with(glance_names::N_UNITS, self.n_units)
            .with(glance_names::N_CLUSTERS, self.n_clusters)
            .with("method", self.method.label());
        if let Some(p) = &self.pretrend {
            g = g.with("pretrend_f", p.statistic).with("pretrend_df", p.df1).with("pretrend_p_value", p.p_value);
            if let Some(d) = p.detectable_slope {
                g = g.with("pretrend_detectable_slope", d);
            }
        }
        g
    }
    fn diagnostics(&self) -> Vec<Diagnostic> {
        self.diagnostics.clone()
    }
}
