//! The Goodman-Bacon (2021) decomposition of the two-way fixed-effects DiD coefficient.

use super::CohortSource;
use phare_core::{Coefficient, Diagnostic, Error, Estimates, Glance, Reference, Result, glance_names};
use phare_data::Roles;
use phare_data::matrix::{DesignMatrix, MissingPolicy};
use phare_data::polars::prelude::DataFrame;
use phare_stats::demean::{DemeanOptions, FixedEffects};
use std::collections::BTreeMap;

/// The kind of a 2×2 comparison inside the TWFE estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BaconKind {
    /// A treated cohort against never-treated units, over the whole panel.
    TreatedVsNever,
    /// An earlier cohort against a later one, before the later one is treated (clean).
    EarlierVsLater,
    /// A later cohort against an earlier, already treated one: the "forbidden" comparison, which
    /// subtracts the earlier cohort's changing effects.
    LaterVsEarlier,
}

impl BaconKind {
    /// `treated_vs_never`, `earlier_vs_later`, `later_vs_earlier`.
    pub fn label(self) -> &'static str {
        match self {
            BaconKind::TreatedVsNever => "treated_vs_never",
            BaconKind::EarlierVsLater => "earlier_vs_later",
            BaconKind::LaterVsEarlier => "later_vs_earlier",
        }
    }
}

/// One 2×2 comparison: cohorts, window, estimate and weight in the TWFE coefficient.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BaconComparison {
    /// The cohort whose treatment switches on in the window.
    pub treated: i64,
    /// The comparison cohort (`None`: never treated).
    pub control: Option<i64>,
    /// The kind of comparison.
    pub kind: BaconKind,
    /// First and last period of the window.
    pub window: (i64, i64),
    /// The 2×2 DiD of period means.
    pub estimate: f64,
    /// Its weight (weights sum to one).
    pub weight: f64,
}

/// Goodman-Bacon's decomposition: on a balanced panel without covariates, the TWFE coefficient of
/// a staggered treatment dummy is a weighted average of every 2×2 DiD between timing groups
/// (treated vs never treated, earlier vs later, later vs earlier), with weights from group sizes
/// and the variance of treatment in each comparison (Goodman-Bacon 2021, Theorem 1, eq. 10a–c).
/// A large weight on later-vs-earlier comparisons is a warning that TWFE may be biased when effects
/// change over time.
///
/// ```
/// use phare_causal::did::Bacon;
/// use phare_core::Estimates;
/// let mpdta = phare_data::load_dataset("mpdta")?;
/// let fit = Bacon::new("lemp", "countyreal", "year").cohort_column("first_treat", 0).fit(&mpdta)?;
/// let total: f64 = fit.comparisons().iter().map(|c| c.weight).sum();
/// assert!((total - 1.0).abs() < 1e-12);
/// assert!((fit.tidy().row("ATT").unwrap().estimate - -0.0365489).abs() < 1e-7); // the TWFE coefficient
/// # Ok::<(), phare_core::Error>(())
/// ```
///
/// # Errors
/// Missing columns and bad cohorts ([`Panel`](phare_data::Panel)); [`Error::Design`] when treatment never varies.
#[derive(Debug, Clone, PartialEq)]
pub struct Bacon {
    outcome: String,
    unit: String,
    time: String,
    cohorts: Option<CohortSource>,
}

impl Bacon {
    /// The decomposition for `outcome`, units in `unit`, periods in `time`.
    pub fn new(outcome: &str, unit: &str, time: &str) -> Self {
        Bacon { outcome: outcome.into(), unit: unit.into(), time: time.into(), cohorts: None }
    }
    super::cohort_builders!();

    /// Decomposes the TWFE coefficient on `df`.
    pub fn fit(&self, df: &DataFrame) -> Result<BaconFit> {
        let source = CohortSource::required(&self.cohorts)?;
        let mut diagnostics = Roles::new().outcome(&self.outcome).validate(df)?;
        let panel = source.panel(df, &self.unit, &self.time, &mut diagnostics)?;
        let periods = panel.periods().to_vec();
        let t_n = periods.len();
        let (first, last) = (periods[0], periods[t_n - 1]);
        let m = DesignMatrix::from_frame(df, &[self.outcome.as_str()], MissingPolicy::Drop)?;
        diagnostics.extend(m.diagnostics().iter().cloned());
        let mut y = vec![f64::NAN; panel.n_units() * t_n];
        let mut seen = vec![0usize; panel.n_units()];
        for (i, &row) in m.source_rows().iter().enumerate() {
            let u = panel.row_units()[row];
            let ti = panel.row_period_indices()[row] as usize;
            y[u * t_n + ti] = m.column(0)[i];
            seen[u] += 1;
        }
        let units: Vec<usize> = (0..panel.n_units()).filter(|&u| seen[u] == t_n).collect();
        if units.len() < panel.n_units() {
            diagnostics.push(Diagnostic::warning(
                "units_dropped_unbalanced",
                format!("{} unit(s) not observed in all {t_n} periods were dropped: the decomposition needs a balanced panel", panel.n_units() - units.len()),
            ));
        }
        let cohorts = panel.cohorts().unwrap_or_default();
        // Timing groups: first treated period clamped to the panel (treated before it: always
        // treated, D̄ = 1); after the last period: never treated.
        let group_of = |u: usize| cohorts[u].filter(|&g| g <= last).map(|g| g.max(first));
        let n = units.len() as f64;
        let mut groups: BTreeMap<Option<i64>, Vec<usize>> = BTreeMap::new();
        for &u in &units {
            groups.entry(group_of(u)).or_default().push(u);
        }
        let share = |g: Option<i64>| groups.get(&g).map_or(0.0, |v| v.len() as f64 / n);
        let dbar = |g: i64| periods.iter().filter(|&&t| t >= g).count() as f64 / t_n as f64;
        // Mean outcome of a group over a window of periods.
        let mean = |g: Option<i64>, lo: i64, hi: i64| -> f64 {
            let (mut s, mut c) = (0.0, 0.0);
            for &u in &groups[&g] {
                for (ti, &t) in periods.iter().enumerate() {
                    if t >= lo && t <= hi {
                        s += y[u * t_n + ti];
                        c += 1.0;
                    }
                }
            }
            s / c
        };
        let prev = |t: i64| periods.iter().copied().filter(|&p| p < t).max().unwrap_or(first);
        // 2×2 of cohort k switching at k against control group c over [lo, hi].
        let did = |k: i64, c: Option<i64>, lo: i64, hi: i64| {
            let before = prev(k);
            (mean(Some(k), k, hi) - mean(Some(k), lo, before)) - (mean(c, k, hi) - mean(c, lo, before))
        };
        // V^D: variance of the two-way demeaned treatment dummy.
        let unit_ids: Vec<u32> =
            units.iter().enumerate().flat_map(|(j, _)| std::iter::repeat_n(j as u32, t_n)).collect();
        let time_ids: Vec<u32> = units.iter().flat_map(|_| 0..t_n as u32).collect();
        let mut d: Vec<f64> = units
            .iter()
            .flat_map(|&u| periods.iter().map(move |&t| f64::from(u8::from(group_of(u).is_some_and(|g| t >= g)))))
            .collect();
        let fe = FixedEffects::new(vec![unit_ids, time_ids], vec![units.len(), t_n], None);
        fe.demean(&mut d, &DemeanOptions::default())?;
        let v_d = d.iter().map(|x| x * x).sum::<f64>() / d.len() as f64;
        if v_d <= 1e-14 {
            return Err(Error::design(
                "treatment does not vary beyond unit and period effects: the TWFE coefficient is not identified",
                "the decomposition needs cohorts treated at different times or never-treated units",
            ));
        }
        let timing: Vec<i64> = groups.keys().flatten().copied().collect();
        let mut comparisons = Vec::new();
        // Treated vs never treated.
        if groups.contains_key(&None) {
            let n_u = share(None);
            for &k in timing.iter().filter(|&&k| k > first) {
                let n_k = share(Some(k));
                let n_ku = n_k / (n_k + n_u);
                let w = (n_k + n_u).powi(2) * n_ku * (1.0 - n_ku) * dbar(k) * (1.0 - dbar(k)) / v_d;
                comparisons.push(BaconComparison {
                    treated: k,
                    control: None,
                    kind: BaconKind::TreatedVsNever,
                    window: (first, last),
                    estimate: did(k, None, first, last),
                    weight: w,
                });
            }
        }
        // Pairs of timing groups, k earlier than l.
        for (i, &k) in timing.iter().enumerate() {
            for &l in &timing[i + 1..] {
                let (n_k, n_l) = (share(Some(k)), share(Some(l)));
                let n_kl = n_k / (n_k + n_l);
                let (dk, dl) = (dbar(k), dbar(l));
                if k > first {
                    // Earlier k vs later l, before l is treated.
                    let w = ((n_k + n_l) * (1.0 - dl)).powi(2)
                        * n_kl
                        * (1.0 - n_kl)
                        * ((dk - dl) / (1.0 - dl))
                        * ((1.0 - dk) / (1.0 - dl))
                        / v_d;
                    let hi = prev(l);
                    comparisons.push(BaconComparison {
                        treated: k,
                        control: Some(l),
                        kind: BaconKind::EarlierVsLater,
                        window: (first, hi),
                        estimate: did(k, Some(l), first, hi),
                        weight: w,
                    });
                }
                // Later l vs earlier k, once k is treated.
                let w = ((n_k + n_l) * dk).powi(2) * n_kl * (1.0 - n_kl) * (dl / dk) * ((dk - dl) / dk) / v_d;
                comparisons.push(BaconComparison {
                    treated: l,
                    control: Some(k),
                    kind: BaconKind::LaterVsEarlier,
                    window: (k, last),
                    estimate: did(l, Some(k), k, last),
                    weight: w,
                });
            }
        }
        let twfe: f64 = comparisons.iter().map(|c| c.weight * c.estimate).sum();
        let forbidden: f64 = comparisons.iter().filter(|c| c.kind == BaconKind::LaterVsEarlier).map(|c| c.weight).sum();
        if forbidden > 0.1 {
            diagnostics.push(Diagnostic::warning(
                "bacon_forbidden_weight",
                format!(
                    "{:.0} % of the TWFE weight is on comparisons of later cohorts with already treated ones: if effects \
                     change over time TWFE is biased; prefer Callaway–Sant'Anna, Sun–Abraham or imputation",
                    100.0 * forbidden
                ),
            ));
        }
        Ok(BaconFit {
            call: format!(
                "Goodman-Bacon decomposition: outcome {}, unit {}, time {}",
                self.outcome, self.unit, self.time
            ),
            twfe,
            comparisons,
            n_units: units.len(),
            n_periods: t_n,
            diagnostics,
        })
    }
}

/// A fitted [`Bacon`] decomposition. `tidy` has the TWFE coefficient (term `ATT`) and each kind's
/// weighted average (terms `treated_vs_never`, …), without standard errors (a decomposition, not
/// an estimator: the TWFE standard error comes from the regression).
#[derive(Debug, Clone)]
pub struct BaconFit {
    call: String,
    twfe: f64,
    comparisons: Vec<BaconComparison>,
    n_units: usize,
    n_periods: usize,
    diagnostics: Vec<Diagnostic>,
}

impl BaconFit {
    /// Every 2×2 comparison with its estimate and weight.
    pub fn comparisons(&self) -> &[BaconComparison] {
        &self.comparisons
    }
    /// Per kind: total weight and weighted average estimate.
    pub fn by_kind(&self) -> Vec<(BaconKind, f64, f64)> {
        let mut m: BTreeMap<BaconKind, (f64, f64)> = BTreeMap::new();
        for c in &self.comparisons {
            let e = m.entry(c.kind).or_insert((0.0, 0.0));
            e.0 += c.weight;
            e.1 += c.weight * c.estimate;
        }
        m.into_iter().map(|(k, (w, s))| (k, w, if w > 0.0 { s / w } else { f64::NAN })).collect()
    }
}

impl Estimates for BaconFit {
    fn design(&self) -> &str {
        "did-bacon"
    }
    fn call(&self) -> String {
        self.call.clone()
    }
    fn coefficients(&self) -> Vec<Coefficient> {
        let mut rows = vec![Coefficient::new("ATT", self.twfe, f64::NAN)];
        rows.extend(self.by_kind().into_iter().map(|(k, _, est)| Coefficient::new(k.label(), est, f64::NAN)));
        rows
    }
    fn reference(&self) -> Reference {
        Reference::Normal
    }
    fn glance(&self) -> Glance {
        let mut g = Glance::new()
            .with(glance_names::N_UNITS, self.n_units)
            .with(glance_names::N_PERIODS, self.n_periods)
            .with("n_comparisons", self.comparisons.len());
        for (k, w, _) in self.by_kind() {
            g = g.with(&format!("weight_{}", k.label()), w);
        }
        g
    }
    fn diagnostics(&self) -> Vec<Diagnostic> {
        self.diagnostics.clone()
    }
}
