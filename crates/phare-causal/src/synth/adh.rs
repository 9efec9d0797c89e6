//! The synthetic control of Abadie, Diamond and Hainmueller (2010), and its ridge augmentation
//! (Ben-Michael, Feller and Rothstein 2021).

use super::data::{Assignment, OutcomePanel};
use super::inference::PlaceboInSpace;
use super::simplex::simplex_least_squares;
use phare_core::{Coefficient, Diagnostic, Error, Estimates, Glance, Result, glance_names};
use phare_data::polars::prelude::DataFrame;
use phare_stats::linalg::LeastSquares;

/// A predictor matched by the synthetic control: a column's mean over chosen periods.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Predictor {
    /// The column (the outcome itself for "special predictors" such as cigarette sales in 1975).
    pub column: String,
    /// The periods averaged over; empty means every period before treatment.
    pub periods: Vec<i64>,
}

impl Predictor {
    /// `column` averaged over every period before treatment.
    pub fn mean(column: &str) -> Self {
        Predictor { column: column.into(), periods: Vec::new() }
    }
    /// `column` in one period.
    pub fn at(column: &str, period: i64) -> Self {
        Predictor { column: column.into(), periods: vec![period] }
    }
    /// `column` averaged over the periods `from..=to`.
    pub fn mean_over(column: &str, from: i64, to: i64) -> Self {
        Predictor { column: column.into(), periods: (from..=to).collect() }
    }

    /// Reads `column`, `column@1975` or `column@1980-1988` (the command line's syntax).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a malformed period or range.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |why: &str| Error::InvalidArgument {
            name: "predictors".into(),
            value: text.into(),
            reason: why.into(),
            hint: Some("write a predictor as `column`, `column@1975` or `column@1980-1988`".into()),
        };
        let Some((column, when)) = text.split_once('@') else {
            return if text.trim().is_empty() { Err(bad("empty predictor")) } else { Ok(Predictor::mean(text.trim())) };
        };
        let num = |s: &str| s.trim().parse::<i64>().map_err(|_| bad("the period must be a whole number"));
        // A range `a-b` (a leading minus belongs to a negative first period).
        match when.trim().get(1..).and_then(|rest| rest.find('-')).map(|i| i + 1) {
            Some(i) => {
                let (a, b) = (num(&when[..i])?, num(&when[i + 1..])?);
                if a > b {
                    return Err(bad("the range's first period is after its last"));
                }
                Ok(Predictor::mean_over(column.trim(), a, b))
            }
            None => Ok(Predictor::at(column.trim(), num(when)?)),
        }
    }

    /// A short name: `cigsale`, `cigsale(1975)`, `cigsale(1980–1988)`.
    pub fn name(&self) -> String {
        match (self.periods.first(), self.periods.last()) {
            (None, _) | (_, None) => self.column.clone(),
            (Some(a), Some(b)) if a == b => format!("{}({a})", self.column),
            (Some(a), Some(b)) if self.periods.len() as i64 == b - a + 1 => format!("{}({a}–{b})", self.column),
            _ => format!("{}({})", self.column, self.periods.iter().map(i64::to_string).collect::<Vec<_>>().join(",")),
        }
    }
}

/// How the predictor weights V are chosen.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PredictorWeights {
    /// Nested optimisation (Abadie, Diamond and Hainmueller 2010): V minimises the mean squared
    /// prediction error of the outcome over the optimisation periods, the donor weights being the
    /// best fit to the predictors for that V. Nelder–Mead from the equal and regression-based
    /// starts; the best result is kept.
    #[default]
    Optimized,
    /// Regression-based: `vₖ ∝ Σₜ βₖₜ²`, β from regressing each optimisation-period outcome on the
    /// standardised predictors across all units.
    Regression,
    /// All predictors weigh the same.
    Equal,
    /// Given weights, one per predictor (normalised to sum to one).
    Custom(Vec<f64>),
}

/// The synthetic control method (Abadie and Gardeazabal 2003; Abadie, Diamond and Hainmueller
/// 2010), optionally augmented by a ridge outcome model (Ben-Michael, Feller and Rothstein 2021).
///
/// The treated unit (or the mean of several treated units with the same start) is compared with a
/// weighted average of donors. With predictors `X₁` (treated) and `X₀` (donors, one column each),
/// each predictor divided by its standard deviation across all units, the donor weights are
///
/// ```text
/// W(V) = argmin_W (X₁ − X₀W)ᵀ V (X₁ − X₀W)   subject to W ≥ 0, Σ W = 1
/// ```
///
/// solved exactly by an active-set method, and the predictor weights V (diagonal, summing to one)
/// by [`PredictorWeights`]. The synthetic path is `Σ Wⱼ Yⱼₜ`, the gap `Y₁ₜ − Σ Wⱼ Yⱼₜ`, the
/// estimate the mean gap after treatment. The pre-period RMSPE measures the fit.
///
/// **Predictors.** By default every pre-treatment outcome is its own predictor with equal weight
/// (each scaled by its standard deviation across units, as for any predictor, as Synth and
/// pysyncon do): the synthetic control then minimises the pre-period prediction error, each
/// period weighted by the inverse of its cross-unit variance. When the treated unit's predictors
/// lie inside the donors' convex hull, many weight vectors fit them exactly; the fit says so in a
/// note (`predictors_inside_hull`).
/// With [`SyntheticControl::predictors`] (e.g. the outcome in 1975, 1980 and 1988, and covariates'
/// pre-period means) V is optimised unless chosen otherwise. A predictor constant across units
/// carries no information: it is dropped with a warning.
///
/// **Augmented synthetic control** ([`SyntheticControl::augmented`]): with the default predictors
/// the simplex step matches the raw pre-treatment outcomes (no scaling: Ben-Michael et al.'s and
/// pysyncon's `AugSynth` choice); the synthetic path is then
/// corrected by a ridge regression of the donors' outcomes on their pre-period outcomes,
/// `Ŷ₁ₜ = Σ Wⱼ Yⱼₜ + (X₁ − Σ Wⱼ Xⱼ)ᵀ η̂ₜ`; this equals weights `W + a` that may be negative and
/// reduces the bias left by an imperfect pre-period fit.
///
/// **Inference.** By default (`placebo(true)`) every donor is in turn treated as if it were the
/// treated unit ([`PlaceboInSpace`]): the permutation p-value ranks the treated unit's ratio of
/// post- to pre-period RMSPE among all units, and the standard error is the standard deviation of
/// the placebo estimates (as for [`super::SdidVariance::Placebo`]). See also
/// [`SyntheticControlFit::placebo_in_time`], [`SyntheticControlFit::leave_one_out`] and
/// [`SyntheticControlFit::conformal`].
///
/// # Errors
/// As [`super::SyntheticDid`], and [`Error::Design`] under staggered adoption (one start only),
/// when every predictor is constant, or when a predictor has no value for a unit.
///
/// # Example
/// ```
/// use phare_causal::synth::SyntheticControl;
/// let prop99 = phare_data::load_dataset("prop99")?;
/// let fit = SyntheticControl::new("cigsale", "state", "year").treated("California", 1989).fit(&prop99)?;
/// let gap_2000 = fit.gaps().last().unwrap().1;
/// assert!(gap_2000 < -20.0); // about −26 packs per capita in Abadie et al. (2010)
/// # Ok::<(), phare_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticControl {
    pub(crate) outcome: String,
    pub(crate) unit: String,
    pub(crate) time: String,
    pub(crate) assignment: Option<Assignment>,
    pub(crate) predictors: Vec<Predictor>,
    pub(crate) v: Option<PredictorWeights>,
    pub(crate) optimize_periods: Option<(i64, i64)>,
    pub(crate) ridge: Option<Option<f64>>,
    pub(crate) placebo: bool,
}

impl SyntheticControl {
    /// The design on `outcome`, units in `unit`, periods in `time`.
    pub fn new(outcome: &str, unit: &str, time: &str) -> Self {
        SyntheticControl {
            outcome: outcome.into(),
            unit: unit.into(),
            time: time.into(),
            assignment: None,
            predictors: Vec::new(),
            v: None,
            optimize_periods: None,
            ridge: None,
            placebo: true,
        }
    }

    /// One treated unit (its identifier as text), treated from `start` on.
    pub fn treated(mut self, unit: &str, start: i64) -> Self {
        self.assignment = Some(Assignment::unit(unit, start));
        self
    }

    /// Who is treated and from when (several units: their mean is matched).
    pub fn assignment(mut self, assignment: Assignment) -> Self {
        self.assignment = Some(assignment);
        self
    }

    /// The predictors (default: every pre-treatment outcome, equally weighted).
    pub fn predictors(mut self, predictors: Vec<Predictor>) -> Self {
        self.predictors = predictors;
        self
    }

    /// How predictor weights are chosen (default: optimised when predictors are given, equal
    /// for the all-outcomes default).
    pub fn predictor_weights(mut self, v: PredictorWeights) -> Self {
        self.v = Some(v);
        self
    }

    /// The periods whose outcome fit chooses V (default: every pre-treatment period).
    pub fn optimize_periods(mut self, from: i64, to: i64) -> Self {
        self.optimize_periods = Some((from, to));
        self
    }

    /// Ridge augmentation; `None` chooses the penalty as pysyncon's `AugSynth` does: a grid of 21
    /// values below the largest squared singular value of the donors' centred pre-treatment
    /// outcomes, leave-one-period-out cross-validation, the one-standard-error rule (the value is
    /// in [`SyntheticControlFit::ridge_lambda`]).
    pub fn augmented(mut self, lambda: Option<f64>) -> Self {
        self.ridge = Some(lambda);
        self
    }

    /// Whether to run the placebo-in-space test with the fit (default true).
    pub fn placebo(mut self, run: bool) -> Self {
        self.placebo = run;
        self
    }

    /// Fits the synthetic control.
    ///
    /// # Errors
    /// See the type's docs.
    pub fn fit(&self, df: &DataFrame) -> Result<SyntheticControlFit> {
        let assignment = self.assignment.as_ref().ok_or_else(|| Error::InvalidArgument {
            name: "treated".into(),
            value: "(not set)".into(),
            reason: "the design needs to know which unit is treated and from when".into(),
            hint: Some("call treated(\"California\", 1989) (CLI: --treated and --treat-start)".into()),
        })?;
        if let Some(Some(l)) = self.ridge
            && !(l.is_finite() && l >= 0.0)
        {
            return Err(Error::InvalidArgument {
                name: "ridge lambda".into(),
                value: l.to_string(),
                reason: "the ridge penalty must be a finite non-negative number".into(),
                hint: Some("leave it unset to choose it by cross-validation".into()),
            });
        }
        if let Some(PredictorWeights::Custom(v)) = &self.v
            && (v.len() != self.predictors.len().max(1)
                || v.iter().any(|x| !x.is_finite() || *x < 0.0)
                || v.iter().sum::<f64>() <= 0.0)
        {
            return Err(Error::InvalidArgument {
                name: "predictor weights".into(),
                value: format!("{v:?}"),
                reason: format!(
                    "give one non-negative weight per predictor ({} predictors), not all zero",
                    self.predictors.len()
                ),
                hint: None,
            });
        }
        let data = OutcomePanel::build(df, &self.outcome, &self.unit, &self.time, assignment)?;
        let cohorts = data.cohorts();
        if cohorts.len() > 1 {
            return Err(Error::design(
                format!(
                    "units start treatment in {} different periods ({}); this synthetic control handles one start",
                    cohorts.len(),
                    cohorts.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
                ),
                "use SyntheticDid (phare synth --method sdid), which aggregates cohorts, or fit each cohort separately",
            ));
        }
        let mut diagnostics = data.diagnostics.clone();
        // Covariate grids, one per distinct non-outcome predictor column.
        let mut columns: Vec<String> = Vec::new();
        let mut grids: Vec<Vec<f64>> = Vec::new();
        for p in &self.predictors {
            if p.column != self.outcome && !columns.contains(&p.column) {
                grids.push(data.grid_of(df, &p.column)?);
                columns.push(p.column.clone());
            }
        }
        let inputs = Inputs { data, columns, grids };
        let start = cohorts[0];
        let treated: Vec<usize> = (inputs.data.n0..inputs.data.n()).collect();
        let donors: Vec<usize> = (0..inputs.data.n0).collect();
        let core = inputs.solve(self, &treated, &donors, start, &mut diagnostics)?;
        let placebo = if self.placebo { Some(PlaceboInSpace::run(self, &inputs, &core)?) } else { None };
        Ok(SyntheticControlFit { spec: self.clone(), inputs, start, core, placebo, diagnostics })
    }
}

/// Everything the fits and their inference read: the outcome grid and the covariate grids.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Inputs {
    pub data: OutcomePanel,
    columns: Vec<String>,
    grids: Vec<Vec<f64>>,
}

/// One synthetic control fitted on given treated and donor rows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Core {
    /// Donor rows, in weight order.
    pub donors: Vec<usize>,
    /// Donor weights (augmented weights when augmented).
    pub w: Vec<f64>,
    /// The simplex weights before augmentation (equal to `w` otherwise).
    pub w_sc: Vec<f64>,
    /// Predictor names and weights (after dropping constant predictors).
    pub v: Vec<(String, f64)>,
    /// Predictor values: treated, synthetic, donor mean.
    pub balance: Vec<[f64; 3]>,
    /// Treated and synthetic paths.
    pub treated_path: Vec<f64>,
    pub synthetic_path: Vec<f64>,
    /// Number of pre-treatment periods.
    pub t0: usize,
    /// Mean squared prediction error over the optimisation periods.
    pub loss_v: f64,
    /// The chosen ridge penalty, when augmented.
    pub lambda: Option<f64>,
}

impl Core {
    /// Gaps treated − synthetic, per period.
    pub fn gaps(&self) -> Vec<f64> {
        self.treated_path.iter().zip(&self.synthetic_path).map(|(a, b)| a - b).collect()
    }
    /// Root mean squared gap over pre (`true`) or post periods.
    pub fn rmspe(&self, pre: bool) -> f64 {
        let g = self.gaps();
        let s = if pre { &g[..self.t0] } else { &g[self.t0..] };
        (s.iter().map(|x| x * x).sum::<f64>() / s.len() as f64).sqrt()
    }
    /// The mean post-period gap.
    pub fn att(&self) -> f64 {
        let g = self.gaps();
        g[self.t0..].iter().sum::<f64>() / (g.len() - self.t0) as f64
    }
}

impl Inputs {
    /// Fits a synthetic control for the mean of `treated` rows from `donors`, treatment from
    /// `start` (predictor periods at or after `start` are left out).
    pub(crate) fn solve(
        &self,
        spec: &SyntheticControl,
        treated: &[usize],
        donors: &[usize],
        start: i64,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<Core> {
        let d = &self.data;
        let t = d.t();
        let t0 = d.pre_periods(start);
        let path = |rows: &[usize]| -> Vec<f64> {
            (0..t).map(|s| rows.iter().map(|&i| d.y[i * t + s]).sum::<f64>() / rows.len() as f64).collect()
        };
        let treated_path = path(treated);
        // Predictor matrix: one row per predictor, one column per unit (treated mean first).
        let defaults = spec.predictors.is_empty();
        let preds: Vec<Predictor> = if defaults {
            d.periods[..t0].iter().map(|&p| Predictor::at(&spec.outcome, p)).collect()
        } else {
            spec.predictors.clone()
        };
        let mut names = Vec::new();
        let mut rows: Vec<Vec<f64>> = Vec::new();
        let mut custom: Vec<f64> = Vec::new();
        for (pi, p) in preds.iter().enumerate() {
            let cols: Vec<usize> = if p.periods.is_empty() {
                (0..t0).collect()
            } else {
                p.periods.iter().filter_map(|q| d.periods[..t0].iter().position(|x| x == q)).collect()
            };
            if cols.is_empty() {
                diagnostics.push(Diagnostic::warning(
                    "predictor_outside_pre_period",
                    format!(
                        "predictor {} has no period before treatment ({start}) in the panel and was left out",
                        p.name()
                    ),
                ));
                continue;
            }
            let grid: &[f64] = if p.column == spec.outcome {
                &d.y
            } else {
                let k = self.columns.iter().position(|c| c == &p.column).unwrap_or(0);
                &self.grids[k]
            };
            let value = |i: usize| -> Result<f64> {
                let v: Vec<f64> = cols.iter().map(|&s| grid[i * t + s]).filter(|x| x.is_finite()).collect();
                if v.is_empty() {
                    return Err(Error::design(
                        format!("predictor {} has no value for {} = {}", p.name(), spec.unit, d.units[i]),
                        "choose periods where the column is observed for every unit, or drop the predictor",
                    ));
                }
                Ok(v.iter().sum::<f64>() / v.len() as f64)
            };
            let mut row = Vec::with_capacity(1 + donors.len());
            let tv: Vec<f64> = treated.iter().map(|&i| value(i)).collect::<Result<_>>()?;
            row.push(tv.iter().sum::<f64>() / tv.len() as f64);
            for &j in donors {
                row.push(value(j)?);
            }
            // Scale: standard deviation across all units (n − 1 divisor), as Synth and pysyncon do.
            // The augmented estimator's default matches raw pre-treatment outcomes instead (V = I
            // on the outcomes' own scale, as Ben-Michael et al. and pysyncon's AugSynth do).
            let m = row.iter().sum::<f64>() / row.len() as f64;
            let sd = (row.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (row.len() as f64 - 1.0)).sqrt();
            let scale = if defaults && spec.ridge.is_some() { 1.0 } else { sd };
            if sd.is_nan() || sd <= 1e-12 * m.abs().max(1e-300) {
                diagnostics.push(Diagnostic::warning(
                    "constant_predictor",
                    format!("predictor {} is the same for every unit ({m}); it cannot discriminate between donors and was left out", p.name()),
                ));
                continue;
            }
            names.push(p.name());
            if let Some(PredictorWeights::Custom(v)) = &spec.v {
                custom.push(v[pi]);
            }
            rows.push(row.iter().map(|x| x / scale).collect());
        }
        if rows.is_empty() {
            return Err(Error::design(
                "no usable predictor: every predictor is constant across units or outside the pre-treatment periods",
                "add predictors that vary across units, e.g. the outcome in some pre-treatment years",
            ));
        }
        let k = rows.len();
        let n0 = donors.len();
        // Z: pre-period outcomes for the fit of V.
        let opt: Vec<usize> = match spec.optimize_periods {
            Some((a, b)) => (0..t0).filter(|&s| d.periods[s] >= a && d.periods[s] <= b).collect(),
            None => (0..t0).collect(),
        };
        if opt.is_empty() {
            return Err(Error::InvalidArgument {
                name: "optimize_periods".into(),
                value: format!("{:?}", spec.optimize_periods),
                reason: format!("no pre-treatment period (before {start}) falls in this range"),
                hint: Some("choose periods before the treatment starts".into()),
            });
        }
        let weights_for = |v: &[f64]| -> Vec<f64> {
            // A = diag(√v) X₀ (column-major k × n0), b = diag(√v) X₁.
            let a: Vec<f64> =
                (0..n0).flat_map(|j| rows.iter().zip(v).map(move |(r, vk)| r[1 + j] * vk.sqrt())).collect();
            let b: Vec<f64> = rows.iter().zip(v).map(|(r, vk)| r[0] * vk.sqrt()).collect();
            simplex_least_squares(&a, k, n0, &b)
        };
        let loss = |w: &[f64]| -> f64 {
            opt.iter()
                .map(|&s| treated_path[s] - donors.iter().zip(w).map(|(&j, wj)| wj * d.y[j * t + s]).sum::<f64>())
                .map(|e| e * e)
                .sum::<f64>()
                / opt.len() as f64
        };
        let method =
            spec.v.clone().unwrap_or(if defaults { PredictorWeights::Equal } else { PredictorWeights::Optimized });
        let v: Vec<f64> = match method {
            PredictorWeights::Equal => vec![1.0 / k as f64; k],
            PredictorWeights::Custom(_) => normalize(&custom),
            PredictorWeights::Regression => regression_v(&rows, &opt, treated, donors, d),
            PredictorWeights::Optimized if k == 1 => vec![1.0],
            PredictorWeights::Optimized => {
                let starts = [vec![1.0 / k as f64; k], regression_v(&rows, &opt, treated, donors, d)];
                let f = |x: &[f64]| loss(&weights_for(&to_v(x)));
                let mut best: Option<(Vec<f64>, f64)> = None;
                for s in starts {
                    let x0: Vec<f64> = s.iter().map(|v| v.sqrt()).collect();
                    let (x, fx) = nelder_mead(&f, &x0, 400 * k);
                    // One restart from the optimum guards against a collapsed simplex.
                    let (x, fx) = {
                        let (x2, f2) = nelder_mead(&f, &x, 200 * k);
                        if f2 <= fx { (x2, f2) } else { (x, fx) }
                    };
                    if best.as_ref().is_none_or(|b| fx < b.1) {
                        best = Some((x, fx));
                    }
                }
                best.map(|b| to_v(&b.0)).unwrap_or_else(|| vec![1.0 / k as f64; k])
            }
        };
        let w_sc = weights_for(&v);
        let loss_v = loss(&w_sc);
        // The predictors fitted exactly by a mix of several donors: the treated unit lies inside
        // the donors' convex hull, every V gives the same fit, and many weight vectors reach it
        // (the one returned is a vertex of that set). Say so: the weights are then not pinned
        // down by the predictors.
        let discrepancy: f64 = rows
            .iter()
            .map(|r| (r[0] - w_sc.iter().enumerate().map(|(j, wj)| wj * r[1 + j]).sum::<f64>()).powi(2))
            .sum();
        let size: f64 = rows.iter().map(|r| r[0] * r[0]).sum();
        if k > 1 && discrepancy <= 1e-16 * size.max(1e-300) && w_sc.iter().filter(|&&x| x > 0.0).count() > 1 {
            diagnostics.push(Diagnostic::note(
                "predictors_inside_hull",
                format!(
                    "the treated unit's {k} predictors are reproduced exactly by a mix of donors: many donor weights fit them equally well and the predictor weights V play no role; the weights shown are one such mix (pre-treatment MSPE {loss_v:.4}). More predictors (e.g. more pre-treatment outcomes) would pin them down"
                ),
            ));
        }
        let synth_of = |w: &[f64]| -> Vec<f64> {
            (0..t).map(|s| donors.iter().zip(w).map(|(&j, wj)| wj * d.y[j * t + s]).sum()).collect()
        };
        let (w, lambda) = match spec.ridge {
            None => (w_sc.clone(), None),
            Some(given) => {
                let (a, l) = ridge_adjustment(d, &treated_path, donors, t0, &w_sc, given);
                (w_sc.iter().zip(&a).map(|(p, q)| p + q).collect(), Some(l))
            }
        };
        let balance = rows
            .iter()
            .map(|r| {
                let synth: f64 = w_sc.iter().enumerate().map(|(j, wj)| wj * r[1 + j]).sum();
                let mean = r[1..].iter().sum::<f64>() / n0 as f64;
                [r[0], synth, mean]
            })
            .collect();
        Ok(Core {
            donors: donors.to_vec(),
            synthetic_path: synth_of(&w),
            w,
            w_sc,
            v: names.into_iter().zip(v).collect(),
            balance,
            treated_path,
            t0,
            loss_v,
            lambda,
        })
    }
}

/// `x² / Σx²`: the unconstrained parameterisation of V that Nelder–Mead searches.
fn to_v(x: &[f64]) -> Vec<f64> {
    let s: f64 = x.iter().map(|v| v * v).sum();
    if s > 0.0 { x.iter().map(|v| v * v / s).collect() } else { vec![1.0 / x.len() as f64; x.len()] }
}

fn normalize(v: &[f64]) -> Vec<f64> {
    let s: f64 = v.iter().sum();
    v.iter().map(|x| x / s).collect()
}

/// Regression-based V: `vₖ ∝ Σₜ βₖₜ²` with β the coefficients of each optimisation-period outcome
/// regressed (with an intercept) on the scaled predictors across the treated and donor units.
fn regression_v(rows: &[Vec<f64>], opt: &[usize], treated: &[usize], donors: &[usize], d: &OutcomePanel) -> Vec<f64> {
    let k = rows.len();
    let n = 1 + donors.len();
    let t = d.t();
    let x: Vec<f64> = std::iter::repeat_n(1.0, n).chain(rows.iter().flat_map(|r| r.iter().copied())).collect();
    let mut score = vec![0.0; k];
    for &s in opt {
        let y: Vec<f64> = std::iter::once(treated.iter().map(|&i| d.y[i * t + s]).sum::<f64>() / treated.len() as f64)
            .chain(donors.iter().map(|&j| d.y[j * t + s]))
            .collect();
        let ls = LeastSquares::new(&x, n, k + 1, &y, None);
        for (&c, &b) in ls.kept.iter().zip(&ls.beta) {
            if c > 0 {
                score[c - 1] += b * b;
            }
        }
    }
    let s: f64 = score.iter().sum();
    if s > 0.0 && s.is_finite() { score.iter().map(|v| v / s).collect() } else { vec![1.0 / k as f64; k] }
}

/// Nelder–Mead minimisation of `f` from `x0` (standard coefficients 1, 2, ½, ½; initial simplex
/// steps of 5 % of each coordinate, 0.025 for zeros). Returns the best point and its value.
pub(crate) fn nelder_mead(f: &dyn Fn(&[f64]) -> f64, x0: &[f64], max_eval: usize) -> (Vec<f64>, f64) {
    let k = x0.len();
    let mut pts: Vec<Vec<f64>> = vec![x0.to_vec()];
    for i in 0..k {
        let mut p = x0.to_vec();
        p[i] = if p[i] != 0.0 { p[i] * 1.05 } else { 0.025 };
        pts.push(p);
    }
    let mut vals: Vec<f64> = pts.iter().map(|p| f(p)).collect();
    let mut evals = k + 1;
    while evals < max_eval {
        let mut order: Vec<usize> = (0..=k).collect();
        order.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
        pts = order.iter().map(|&i| pts[i].clone()).collect();
        vals = order.iter().map(|&i| vals[i]).collect();
        let (best, worst) = (vals[0], vals[k]);
        if (worst - best).abs() <= 1e-10 * (best.abs() + 1e-12) {
            break;
        }
        let centroid: Vec<f64> = (0..k).map(|c| pts[..k].iter().map(|p| p[c]).sum::<f64>() / k as f64).collect();
        let along = |t: f64| -> Vec<f64> { centroid.iter().zip(&pts[k]).map(|(c, w)| c + t * (c - w)).collect() };
        let xr = along(1.0);
        let fr = f(&xr);
        evals += 1;
        if fr < vals[0] {
            let xe = along(2.0);
            let fe = f(&xe);
            evals += 1;
            if fe < fr {
                pts[k] = xe;
                vals[k] = fe;
            } else {
                pts[k] = xr;
                vals[k] = fr;
            }
        } else if fr < vals[k - 1] {
            pts[k] = xr;
            vals[k] = fr;
        } else {
            let (xc, fc) = if fr < vals[k] {
                let x = along(0.5);
                let v = f(&x);
                (x, v)
            } else {
                let x = along(-0.5);
                let v = f(&x);
                (x, v)
            };
            evals += 1;
            if fc < vals[k].min(fr) {
                pts[k] = xc;
                vals[k] = fc;
            } else {
                // Shrink towards the best point.
                for i in 1..=k {
                    pts[i] = pts[0].iter().zip(&pts[i]).map(|(b, p)| b + 0.5 * (p - b)).collect();
                    vals[i] = f(&pts[i]);
                }
                evals += k;
            }
        }
    }
    let i = (0..=k).min_by(|&a, &b| vals[a].total_cmp(&vals[b])).unwrap_or(0);
    (pts[i].clone(), vals[i])
}

/// The ridge augmentation's weight adjustment `a` (Σ a = 0) and the penalty used: with `X₀` the
/// donors' pre-period outcomes centred across donors, `a = X₀ (X₀ᵀX₀ + λI)⁻¹ (X₁ − X₀ᵀW)`.
/// Without a given λ, it is chosen by leave-one-period-out cross-validation over the pre periods
/// (each pre period in turn predicted from the others).
fn ridge_adjustment(
    d: &OutcomePanel,
    treated_path: &[f64],
    donors: &[usize],
    t0: usize,
    w: &[f64],
    given: Option<f64>,
) -> (Vec<f64>, f64) {
    let lambda = given.unwrap_or_else(|| super::inference::ridge_cv(d, treated_path, donors, t0));
    (ridge_a(d, treated_path, donors, &(0..t0).collect::<Vec<_>>(), w, lambda), lambda)
}

/// `a = X₀c (X₀cᵀX₀c + λI)⁻¹ (X₁ − X₀ᵀW)` over the periods `cols`.
pub(crate) fn ridge_a(
    d: &OutcomePanel,
    treated_path: &[f64],
    donors: &[usize],
    cols: &[usize],
    w: &[f64],
    lambda: f64,
) -> Vec<f64> {
    let t = d.t();
    let n0 = donors.len();
    let m = cols.len();
    // X₀c: n0 × m, centred over donors.
    let mean: Vec<f64> =
        cols.iter().map(|&s| donors.iter().map(|&j| d.y[j * t + s]).sum::<f64>() / n0 as f64).collect();
    let xc: Vec<f64> =
        donors.iter().flat_map(|&j| cols.iter().zip(&mean).map(move |(&s, mu)| d.y[j * t + s] - mu)).collect();
    // Imbalance X₁ − X₀ᵀW (m).
    let gap: Vec<f64> = cols
        .iter()
        .map(|&s| treated_path[s] - donors.iter().zip(w).map(|(&j, wj)| wj * d.y[j * t + s]).sum::<f64>())
        .collect();
    // Solve (X₀cᵀX₀c + λI) u = gap, then a = X₀c u.
    let mut g = vec![0.0; m * m];
    for i in 0..n0 {
        let r = &xc[i * m..(i + 1) * m];
        for p in 0..m {
            for q in 0..m {
                g[p * m + q] += r[p] * r[q];
            }
        }
    }
    for p in 0..m {
        g[p * m + p] += lambda;
    }
    let chol = phare_stats::linalg::Cholesky::new(&g, m);
    let mut u = vec![0.0; m];
    for (&c, v) in chol.kept.iter().zip(chol.solve(&gap)) {
        u[c] = v;
    }
    (0..n0).map(|i| xc[i * m..(i + 1) * m].iter().zip(&u).map(|(x, v)| x * v).sum()).collect()
}

/// A fitted [`SyntheticControl`].
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticControlFit {
    pub(crate) spec: SyntheticControl,
    pub(crate) inputs: Inputs,
    pub(crate) start: i64,
    pub(crate) core: Core,
    pub(crate) placebo: Option<PlaceboInSpace>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl SyntheticControlFit {
    /// The mean gap after treatment.
    pub fn att(&self) -> f64 {
        self.core.att()
    }
    /// Donor weights by donor (augmented weights when augmented; they can then be negative).
    pub fn weights(&self) -> Vec<(String, f64)> {
        self.core.donors.iter().map(|&j| self.inputs.data.units[j].clone()).zip(self.core.w.iter().copied()).collect()
    }
    /// The simplex weights before any augmentation.
    pub fn sc_weights(&self) -> Vec<(String, f64)> {
        self.core
            .donors
            .iter()
            .map(|&j| self.inputs.data.units[j].clone())
            .zip(self.core.w_sc.iter().copied())
            .collect()
    }
    /// Predictor weights V by predictor.
    pub fn predictor_weights(&self) -> &[(String, f64)] {
        &self.core.v
    }
    /// Per predictor: name, treated value, synthetic value, donor mean (predictors divided by
    /// their standard deviation across units, as matched).
    pub fn balance(&self) -> Vec<(String, [f64; 3])> {
        self.core.v.iter().map(|(n, _)| n.clone()).zip(self.core.balance.iter().copied()).collect()
    }
    /// `(period, treated outcome)`.
    pub fn treated_path(&self) -> Vec<(i64, f64)> {
        self.inputs.data.periods.iter().copied().zip(self.core.treated_path.iter().copied()).collect()
    }
    /// `(period, synthetic outcome)`.
    pub fn synthetic_path(&self) -> Vec<(i64, f64)> {
        self.inputs.data.periods.iter().copied().zip(self.core.synthetic_path.iter().copied()).collect()
    }
    /// `(period, treated − synthetic)`.
    pub fn gaps(&self) -> Vec<(i64, f64)> {
        self.inputs.data.periods.iter().copied().zip(self.core.gaps()).collect()
    }
    /// Root mean squared prediction error before treatment.
    pub fn pre_rmspe(&self) -> f64 {
        self.core.rmspe(true)
    }
    /// Root mean squared gap after treatment.
    pub fn post_rmspe(&self) -> f64 {
        self.core.rmspe(false)
    }
    /// Mean squared prediction error over the periods that chose V.
    pub fn loss_v(&self) -> f64 {
        self.core.loss_v
    }
    /// The ridge penalty, when augmented.
    pub fn ridge_lambda(&self) -> Option<f64> {
        self.core.lambda
    }
    /// The first treated period.
    pub fn treatment_start(&self) -> i64 {
        self.start
    }
    /// The placebo-in-space test run with the fit, if any.
    pub fn placebo_test(&self) -> Option<&PlaceboInSpace> {
        self.placebo.as_ref()
    }
}

impl Estimates for SyntheticControlFit {
    fn design(&self) -> &str {
        "synth"
    }
    fn call(&self) -> String {
        format!(
            "{}synthetic control: outcome {}, unit {}, time {}, treated {} from {}, predictors {}",
            if self.spec.ridge.is_some() { "augmented " } else { "" },
            self.spec.outcome,
            self.spec.unit,
            self.spec.time,
            self.inputs.data.units[self.inputs.data.n0..].join(", "),
            self.start,
            if self.spec.predictors.is_empty() {
                "every pre-treatment outcome".to_string()
            } else {
                self.spec.predictors.iter().map(Predictor::name).collect::<Vec<_>>().join(", ")
            }
        )
    }
    fn coefficients(&self) -> Vec<Coefficient> {
        let se = self.placebo.as_ref().map_or(f64::NAN, |p| p.std_error);
        vec![Coefficient::new("ATT", self.att(), se)]
    }
    fn glance(&self) -> Glance {
        let d = &self.inputs.data;
        let mut g = Glance::new()
            .with("method", if self.spec.ridge.is_some() { "ascm" } else { "sc" })
            .with(glance_names::N_UNITS, d.n())
            .with(glance_names::N_TREATED, d.n() - d.n0)
            .with(glance_names::N_CONTROL, d.n0)
            .with(glance_names::N_PERIODS, d.t())
            .with("pre_periods", self.core.t0)
            .with("post_periods", d.t() - self.core.t0)
            .with("pre_rmspe", self.pre_rmspe())
            .with("post_rmspe", self.post_rmspe())
            .with("loss_v", self.core.loss_v);
        if let Some(l) = self.core.lambda {
            g = g.with("ridge_lambda", l);
        }
        if let Some(p) = &self.placebo {
            g = g
                .with(glance_names::VCOV_TYPE, "placebo")
                .with("p_permutation", p.p_value)
                .with("n_placebos", p.units.len());
        }
        g
    }
    fn diagnostics(&self) -> Vec<Diagnostic> {
        self.diagnostics.clone()
    }
}
