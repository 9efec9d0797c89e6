//! Selection on observables: propensity scores, inverse probability weighting, regression
//! adjustment, augmented IPW (doubly robust) and nearest-neighbour matching, with covariate balance.
//!
//! When a programme was not randomised and no natural experiment exists, participants are compared
//! with non-participants who look alike on observed characteristics. The estimators here all assume
//! that, given the covariates, participation is as good as random (unconfoundedness) and that every
//! kind of unit could have been either (overlap).
//!
//! [`Weighting`] estimates the ATE or the ATT by IPW, RA or AIPW (module `estimators` gives the
//! formulas) with influence-function standard errors that account for the estimated propensity
//! and outcome models; [`balance`] compares the groups before and after weighting;
//! [`NearestNeighbourMatching`] matches.

mod balance;
mod estimators;
mod matching;

pub use balance::{Balance, balance};
pub use estimators::{Estimand, WeightingEstimator};
pub use matching::*;

use estimators::{Design, Propensity, entropy_balance, estimate};
use phare_core::{Coefficient, Diagnostic, Error, Estimates, Glance, Result, glance_names};
use phare_data::matrix::{DesignMatrix, MissingPolicy};
use phare_data::polars::prelude::DataFrame;
use phare_stats::logit::logit_ridge;

/// An inverse-probability-weighting, regression-adjustment or augmented-IPW estimate of the ATE or
/// the ATT.
///
/// | parameter | default | purpose |
/// |---|---|---|
/// | `estimator(…)` | `aipw` | [`WeightingEstimator`]: `ipw`, `ra`, `aipw` or `ebal` (entropy balancing, ATT) |
/// | `estimand(…)` | `ate` | [`Estimand`]: `ate` or `att` |
/// | `outcome_covariates(…)` | the covariates | covariates of the outcome models (RA, AIPW) |
/// | `trim(lo, hi)` | none | drop units whose propensity score is outside `[lo, hi]`, refit |
/// | `penalty(λ)` | 0 | ridge penalty of the logit on standardised covariates (scikit-learn's `C = 1/λ`) |
/// | `propensity_column(c)` | none | use these scores instead (any learner's predictions), taken as known |
///
/// The propensity score is a logistic regression of the treatment on an intercept and the
/// covariates, by maximum likelihood (Newton's method on standardised columns; the scores do not
/// depend on the covariates' units). Outcome models are least squares per arm.
///
/// # Errors
/// Missing or non-numeric columns; [`Error::Design`] for a treatment that is not 0/1, no treated
/// or no comparison unit, a covariate that does not vary, perfect separation (the score reaches 0
/// or 1), singular outcome models, or trimming that leaves a group empty.
///
/// # Example
/// ```
/// use phare_causal::weighting::{Estimand, Weighting, WeightingEstimator};
/// use phare_core::Estimates;
/// use phare_data::polars::prelude::*;
/// // SIMULATED: treatment more likely with x; true effect 2.
/// let x: Vec<f64> = (0..400).map(|i| (i as f64 / 40.0).sin() * 2.0).collect();
/// let d: Vec<f64> = x.iter().enumerate().map(|(i, x)| if (i * 7919 % 100) as f64 / 100.0 < 1.0 / (1.0 + (-x).exp()) { 1.0 } else { 0.0 }).collect();
/// let y: Vec<f64> = x.iter().zip(&d).map(|(x, d)| 1.0 + x + 2.0 * d).collect();
/// let df = df!("y" => y, "d" => d, "x" => x)?;
/// let fit = Weighting::new("y", "d", &["x"]).estimator(WeightingEstimator::Ra).estimand(Estimand::Att).fit(&df)?;
/// assert!((fit.tidy().row("ATT").unwrap().estimate - 2.0).abs() < 1e-9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Weighting {
    outcome: String,
    treatment: String,
    covariates: Vec<String>,
    outcome_covariates: Option<Vec<String>>,
    estimator: WeightingEstimator,
    estimand: Estimand,
    trim: Option<(f64, f64)>,
    penalty: f64,
    propensity_column: Option<String>,
}

impl Weighting {
    /// The design: outcome, 0/1 treatment, and the covariates of the propensity score (and, by
    /// default, of the outcome models).
    pub fn new(outcome: &str, treatment: &str, covariates: &[&str]) -> Self {
        Weighting {
            outcome: outcome.into(),
            treatment: treatment.into(),
            covariates: covariates.iter().map(|c| c.to_string()).collect(),
            outcome_covariates: None,
            estimator: WeightingEstimator::default(),
            estimand: Estimand::default(),
            trim: None,
            penalty: 0.0,
            propensity_column: None,
        }
    }
    /// A ridge penalty `λ/2·‖γ‖²` on the logit's slopes, the covariates standardised (mean 0,
    /// standard deviation 1): scikit-learn's `LogisticRegression(C = 1/λ)` after `StandardScaler`.
    /// Useful with many covariates or near separation; the standard errors then follow the
    /// penalised estimating equations.
    pub fn penalty(mut self, lambda: f64) -> Self {
        self.penalty = lambda;
        self
    }
    /// Propensity scores computed elsewhere (a linfa learner, a forest, another package), in
    /// this column, strictly between 0 and 1. They are taken as known: the standard errors do not
    /// account for their estimation.
    pub fn propensity_column(mut self, column: &str) -> Self {
        self.propensity_column = Some(column.into());
        self
    }
    /// The estimator.
    pub fn estimator(mut self, e: WeightingEstimator) -> Self {
        self.estimator = e;
        self
    }
    /// The estimand.
    pub fn estimand(mut self, e: Estimand) -> Self {
        self.estimand = e;
        self
    }
    /// Covariates of the outcome models, when they differ from the propensity score's.
    pub fn outcome_covariates(mut self, columns: &[&str]) -> Self {
        self.outcome_covariates = Some(columns.iter().map(|c| c.to_string()).collect());
        self
    }
    /// Keep only units whose propensity score is within `[lo, hi]` (e.g. 0.1 and 0.9, Crump et al.
    /// 2009), then refit: the estimand becomes the effect on that population.
    pub fn trim(mut self, lo: f64, hi: f64) -> Self {
        self.trim = Some((lo, hi));
        self
    }

    /// Fits the design.
    ///
    /// # Errors
    /// See the type's docs.
    pub fn fit(&self, df: &DataFrame) -> Result<WeightingFit> {
        if let Some((lo, hi)) = self.trim
            && !(0.0 <= lo && lo < hi && hi <= 1.0)
        {
            return Err(Error::InvalidArgument {
                name: "trim".into(),
                value: format!("{lo}, {hi}"),
                reason: "trimming bounds are propensity scores with 0 ≤ lo < hi ≤ 1".into(),
                hint: Some("e.g. --trim 0.1,0.9".into()),
            });
        }
        let entropy = self.estimator == WeightingEstimator::Entropy;
        if entropy && (self.estimand != Estimand::Att || self.trim.is_some() || self.propensity_column.is_some()) {
            return Err(Error::InvalidArgument {
                name: "estimator".into(),
                value: "ebal".into(),
                reason: "entropy balancing here reweights the comparison units to the treated ones: the ATT, without a propensity score or trimming".into(),
                hint: Some("use --estimand att, and drop --trim and --propensity-column".into()),
            });
        }
        let out_covs = self.outcome_covariates.clone().unwrap_or_else(|| self.covariates.clone());
        let mut columns: Vec<&str> = vec![self.outcome.as_str(), self.treatment.as_str()];
        columns.extend(self.propensity_column.as_deref());
        for c in self.covariates.iter().chain(&out_covs) {
            if !columns.contains(&c.as_str()) {
                columns.push(c);
            }
        }
        let m = DesignMatrix::from_frame(df, &columns, MissingPolicy::Drop)?;
        let mut diagnostics: Vec<Diagnostic> = m.diagnostics().to_vec();
        let y_all = m.column(0).to_vec();
        let d_all: Vec<bool> = {
            let raw = m.column(1);
            if let Some(v) = raw.iter().find(|&&v| v != 0.0 && v != 1.0) {
                return Err(Error::design(
                    format!("the treatment `{}` takes the value {v}: it must be 0 or 1", self.treatment),
                    "code participants 1 and non-participants 0",
                ));
            }
            raw.iter().map(|&v| v == 1.0).collect()
        };
        // Unreachable failure: every name looked up here is in `columns`, which from_frame read (or
        // returned an error naming the missing column).
        let col = |name: &str| m.column_by_name(name).expect("the column was read");
        for c in self.covariates.iter().chain(&out_covs) {
            let v = col(c);
            if v.iter().all(|&x| x == v[0]) {
                return Err(Error::design(
                    format!(
                        "covariate `{c}` does not vary (it is {} for every unit)",
                        v.first().copied().unwrap_or(f64::NAN)
                    ),
                    "remove it: a constant cannot distinguish participants from non-participants",
                ));
            }
        }
        let mut keep: Vec<usize> = (0..m.nrows()).collect();
        let mut n_trimmed = 0;
        let (ps, ps_coef) = loop {
            let d: Vec<bool> = keep.iter().map(|&i| d_all[i]).collect();
            let n1 = d.iter().filter(|&&t| t).count();
            if n1 == 0 || n1 == d.len() {
                return Err(Error::design(
                    format!(
                        "no {} units{}",
                        if n1 == 0 { "treated" } else { "comparison" },
                        if n_trimmed > 0 { " left after trimming" } else { "" }
                    ),
                    if n_trimmed > 0 {
                        "widen the trimming bounds"
                    } else {
                        "the treatment column must have both 0s and 1s"
                    },
                ));
            }
            let (ps, coef) = match &self.propensity_column {
                // Entropy balancing uses no propensity score.
                None if entropy => {
                    let k = self.covariates.len() + 1;
                    (Propensity { p: vec![f64::NAN; keep.len()], n_inv_info: vec![0.0; k * k] }, Vec::new())
                }
                None => propensity(&keep, &d, &self.covariates, &col, self.penalty)?,
                Some(c) => given_propensity(&keep, c, self.covariates.len() + 1, &col)?,
            };
            match self.trim {
                Some((lo, hi)) if n_trimmed == 0 => {
                    let kept: Vec<usize> =
                        keep.iter().zip(&ps.p).filter(|(_, p)| **p >= lo && **p <= hi).map(|(&i, _)| i).collect();
                    n_trimmed = keep.len() - kept.len();
                    if n_trimmed == 0 {
                        break (ps, coef);
                    }
                    keep = kept;
                }
                _ => break (ps, coef),
            }
        };
        if n_trimmed > 0 {
            diagnostics.push(Diagnostic::note(
                "trimmed",
                format!("{n_trimmed} units with a propensity score outside the trimming bounds were dropped and the score refitted"),
            ));
        }
        let n = keep.len();
        let y: Vec<f64> = keep.iter().map(|&i| y_all[i]).collect();
        let d: Vec<bool> = keep.iter().map(|&i| d_all[i]).collect();
        let xps = design(&keep, &self.covariates, &col);
        let xo = design(&keep, &out_covs, &col);
        let xps_design = Design { x: &xps, n, k: self.covariates.len() + 1 };
        let (est, entropy_weights) = if entropy {
            let (e, w) = entropy_balance(&y, &d, &xps_design)?;
            (e, Some(w))
        } else {
            let e = estimate(
                &y,
                &d,
                &ps,
                &xps_design,
                &Design { x: &xo, n, k: out_covs.len() + 1 },
                self.estimator,
                self.estimand,
            )?;
            (e, None)
        };
        let se = est.inf.iter().map(|v| v * v).sum::<f64>().sqrt() / n as f64;
        // Overlap: scores near 0 or 1 make weights explode.
        let extreme = ps.p.iter().filter(|&&p| !(0.01..=0.99).contains(&p)).count();
        if extreme > 0 && !matches!(self.estimator, WeightingEstimator::Ra | WeightingEstimator::Entropy) {
            diagnostics.push(Diagnostic::warning(
                "extreme_propensity",
                format!(
                    "{extreme} of {n} units have a propensity score below 0.01 or above 0.99: their weights dominate and the estimate is fragile"
                ),
            ));
        }
        let range = |arm: bool| {
            ps.p.iter()
                .zip(&d)
                .filter(|(_, t)| **t == arm)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (p, _)| (a.min(*p), b.max(*p)))
        };
        let (r1, r0) = (range(true), range(false));
        let outside = match self.estimand {
            Estimand::Att => ps.p.iter().zip(&d).filter(|(p, t)| **t && **p > r0.1).count(),
            Estimand::Ate => ps.p.iter().zip(&d).filter(|(p, t)| (**t && **p > r0.1) || (!**t && **p < r1.0)).count(),
        };
        if outside > 0 && !entropy {
            diagnostics.push(Diagnostic::warning(
                "outside_common_support",
                format!(
                    "{outside} units have a propensity score outside the other group's range: no comparable unit exists for them (consider --trim)"
                ),
            ));
        }
        let weights = entropy_weights.unwrap_or_else(|| unit_weights(&d, &ps.p, self.estimand));
        let balance_cols: Vec<String> = {
            let mut v = self.covariates.clone();
            for c in &out_covs {
                if !v.contains(c) {
                    v.push(c.clone());
                }
            }
            v
        };
        let xs: Vec<(String, Vec<f64>)> = balance_cols
            .iter()
            .map(|c| {
                (c.clone(), {
                    let src = col(c);
                    keep.iter().map(|&i| src[i]).collect()
                })
            })
            .collect();
        let balance = balance::balance_of(&xs, &d, &weights);
        let ess = |arm: bool| {
            let (s, s2) = weights
                .iter()
                .zip(&d)
                .filter(|(_, t)| **t == arm)
                .fold((0.0, 0.0), |(a, b), (w, _)| (a + w, b + w * w));
            s * s / s2
        };
        let ess = (ess(true), ess(false));
        Ok(WeightingFit {
            spec: self.clone(),
            estimate: est.effect,
            std_error: se,
            pom: est.pom,
            n,
            n_treated: d.iter().filter(|&&t| t).count(),
            n_trimmed,
            propensity: ps.p,
            propensity_coefficients: ps_coef,
            weights,
            rows: keep.iter().map(|&i| m.source_rows()[i]).collect(),
            ess,
            balance,
            diagnostics,
        })
    }
}

/// The design `[1, columns…]` over rows `keep`, column-major.
fn design<'a>(keep: &[usize], columns: &[String], col: &dyn Fn(&str) -> &'a [f64]) -> Vec<f64> {
    let mut x = vec![1.0; keep.len()];
    for c in columns {
        let v = col(c);
        x.extend(keep.iter().map(|&i| v[i]));
    }
    x
}

/// The logistic propensity score on `[1, covariates]`, fitted on standardised columns for
/// conditioning (earnings in dollars and their squares span 18 orders of magnitude); the scores
/// are unchanged and the coefficients are returned in the covariates' units.
fn propensity<'a>(
    keep: &[usize],
    d: &[bool],
    covariates: &[String],
    col: &dyn Fn(&str) -> &'a [f64],
    penalty: f64,
) -> Result<(Propensity, Vec<(String, f64)>)> {
    let n = keep.len();
    let k = covariates.len() + 1;
    let mut x = vec![1.0; n];
    let mut scale = vec![(0.0, 1.0)];
    for c in covariates {
        let src = col(c);
        let v: Vec<f64> = keep.iter().map(|&i| src[i]).collect();
        let mean = v.iter().sum::<f64>() / n as f64;
        let sd = (v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        let sd = if sd > 0.0 { sd } else { 1.0 };
        x.extend(v.iter().map(|a| (a - mean) / sd));
        scale.push((mean, sd));
    }
    let yd: Vec<f64> = d.iter().map(|&t| f64::from(u8::from(t))).collect();
    let fit = logit_ridge(&x, n, k, &yd, None, penalty)?;
    // Back to the covariates' units: γⱼ = γ*ⱼ/sdⱼ, γ₀ = γ*₀ − Σ γ*ⱼ meanⱼ/sdⱼ; the information in
    // the original units is Tᵀ⁻¹ I* T⁻¹ with x* = T x, so n·inv = n·T' inv* T.
    let mut beta = vec![fit.beta[0]; k];
    for j in 1..k {
        beta[j] = fit.beta[j] / scale[j].1;
        beta[0] -= fit.beta[j] * scale[j].0 / scale[j].1;
    }
    // x*ᵢ = T xᵢ with T row j: (−mean_j/sd_j at 0, 1/sd_j at j); the influence function needs
    // n·(Σ p(1−p) x x')⁻¹ in the original units: n·Tᵀ (Σ p(1−p) x* x*')⁻¹ T.
    let mut t = vec![0.0; k * k];
    t[0] = 1.0;
    for j in 1..k {
        t[j * k] = -scale[j].0 / scale[j].1;
        t[j * k + j] = 1.0 / scale[j].1;
    }
    let inv = &fit.inv_information;
    let mut tmp = vec![0.0; k * k];
    for a in 0..k {
        for b in 0..k {
            tmp[a * k + b] = (0..k).map(|c| inv[a * k + c] * t[c * k + b]).sum();
        }
    }
    let nf = n as f64;
    let mut n_inv_info = vec![0.0; k * k];
    for a in 0..k {
        for b in 0..k {
            n_inv_info[a * k + b] = nf * (0..k).map(|c| t[c * k + a] * tmp[c * k + b]).sum::<f64>();
        }
    }
    let names = std::iter::once("(Intercept)".to_string()).chain(covariates.iter().cloned());
    Ok((Propensity { p: fit.fitted, n_inv_info }, names.zip(beta).collect()))
}

/// Scores given in a column: checked to lie strictly between 0 and 1, and treated as known (no
/// estimation term in the influence functions: a zero `k × k` matrix).
fn given_propensity<'a>(
    keep: &[usize],
    column: &str,
    k: usize,
    col: &dyn Fn(&str) -> &'a [f64],
) -> Result<(Propensity, Vec<(String, f64)>)> {
    let v = col(column);
    let p: Vec<f64> = keep.iter().map(|&i| v[i]).collect();
    if let Some(bad) = p.iter().find(|&&x| !(x > 0.0 && x < 1.0)) {
        return Err(Error::design(
            format!("the propensity score `{column}` takes the value {bad}: scores must lie strictly between 0 and 1"),
            "clip the learner's predictions away from 0 and 1, or trim those units",
        ));
    }
    Ok((Propensity { p, n_inv_info: vec![0.0; k * k] }, Vec::new()))
}

/// The weights that balance the groups for the estimand (normalised within arm by the
/// estimators): ATE `d/p + (1−d)/(1−p)`, ATT `d + (1−d)p/(1−p)`.
fn unit_weights(d: &[bool], p: &[f64], estimand: Estimand) -> Vec<f64> {
    d.iter()
        .zip(p)
        .map(|(&t, &p)| match (estimand, t) {
            (Estimand::Ate, true) => 1.0 / p,
            (Estimand::Ate, false) => 1.0 / (1.0 - p),
            (Estimand::Att, true) => 1.0,
            (Estimand::Att, false) => p / (1.0 - p),
        })
        .collect()
}

/// A fitted [`Weighting`].
#[derive(Debug, Clone, PartialEq)]
pub struct WeightingFit {
    spec: Weighting,
    estimate: f64,
    std_error: f64,
    pom: (f64, f64),
    n: usize,
    n_treated: usize,
    n_trimmed: usize,
    propensity: Vec<f64>,
    propensity_coefficients: Vec<(String, f64)>,
    weights: Vec<f64>,
    rows: Vec<usize>,
    ess: (f64, f64),
    balance: Vec<Balance>,
    diagnostics: Vec<Diagnostic>,
}

impl WeightingFit {
    /// The effect.
    pub fn estimate(&self) -> f64 {
        self.estimate
    }
    /// Its standard error (influence function, accounting for the estimated models).
    pub fn std_error(&self) -> f64 {
        self.std_error
    }
    /// The potential-outcome means (untreated, treated) over the estimand's population.
    pub fn potential_outcome_means(&self) -> (f64, f64) {
        self.pom
    }
    /// Propensity scores of the units used, in the order of [`rows`](Self::rows).
    pub fn propensity_scores(&self) -> &[f64] {
        &self.propensity
    }
    /// The propensity model's coefficients, `(Intercept)` first, in the covariates' units.
    pub fn propensity_coefficients(&self) -> &[(String, f64)] {
        &self.propensity_coefficients
    }
    /// The balancing weights of the units used (before normalisation within arm).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }
    /// The positions in the input frame of the units used (rows with missing values and trimmed
    /// units are left out).
    pub fn rows(&self) -> &[usize] {
        &self.rows
    }
    /// Effective sample sizes `(Σw)²/Σw²` of the weighted groups (treated, comparison).
    pub fn effective_sample_size(&self) -> (f64, f64) {
        self.ess
    }
    /// Covariate balance before and after weighting.
    pub fn balance(&self) -> &[Balance] {
        &self.balance
    }
}

impl Estimates for WeightingFit {
    fn design(&self) -> &str {
        "weighting"
    }
    fn call(&self) -> String {
        let s = &self.spec;
        format!(
            "{} {}: outcome {}, treatment {}, propensity covariates [{}]{}{}",
            s.estimator.name(),
            s.estimand.term(),
            s.outcome,
            s.treatment,
            s.covariates.join(", "),
            s.outcome_covariates
                .as_ref()
                .map(|c| format!(", outcome covariates [{}]", c.join(", ")))
                .unwrap_or_default(),
            s.trim.map(|(a, b)| format!(", trimmed to [{a}, {b}]")).unwrap_or_default()
                + &s.propensity_column.as_ref().map(|c| format!(", scores from `{c}`")).unwrap_or_default()
                + &if s.penalty > 0.0 { format!(", ridge penalty {}", s.penalty) } else { String::new() }
        )
    }
    fn coefficients(&self) -> Vec<Coefficient> {
        vec![Coefficient::new(self.spec.estimand.term(), self.estimate, self.std_error)]
    }
    fn glance(&self) -> Glance {
        let (lo, hi) =
            self.propensity.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &p| (a.min(p), b.max(p)));
        Glance::new()
            .with(glance_names::NOBS, self.n)
            .with("n_treated", self.n_treated)
            .with("n_control", self.n - self.n_treated)
            .with("n_trimmed", self.n_trimmed)
            .with("estimator", self.spec.estimator.name())
            .with("estimand", self.spec.estimand.term())
            .with("pom0", self.pom.0)
            .with("pom1", self.pom.1)
            .with("ess_treated", self.ess.0)
            .with("ess_control", self.ess.1)
            .with("propensity_min", lo)
            .with("propensity_max", hi)
            .with(glance_names::VCOV_TYPE, "influence function")
    }
    fn diagnostics(&self) -> Vec<Diagnostic> {
        self.diagnostics.clone()
    }
}
