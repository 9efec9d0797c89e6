//! Nearest-neighbour matching estimators of average treatment effects (Abadie and Imbens 2006,
//! 2011): each unit's missing potential outcome is imputed by the outcomes of its `M` closest units
//! of the other arm, on the covariates or on the propensity score.
//!
//! # The search
//!
//! Every metric is a squared distance `d(i, j) = ‖zᵢ − zⱼ‖²` in whitened coordinates `z = Ux`
//! (`U = diag(√w)`, or `Lᵀ` with `W = LLᵀ`; the score itself for a score metric). With one
//! coordinate (a propensity score) the units of an arm are sorted once and each query is a binary
//! search followed by an outward scan: `O(log n + M)`. With several, each arm is a k-d tree on `z`
//! (median splits of the widest coordinate) searched depth-first, nearer box first, skipping boxes
//! beyond the current `M`-th distance; this is fast in a few dimensions and tends to the brute
//! force `O(n_query · n_pool · k²)` as the dimension grows. The tree only prunes: the distance that
//! decides is computed from the raw differences `xⱼ − xᵢ`, so units tied on the covariates
//! (identical rows, or offsets of opposite signs) are tied bit for bit, and every unit within the
//! `M`-th distance is found (the pruning bounds carry an allowance for rounding). Queries run in
//! parallel with rayon; each query's result depends on nothing else, so results do not depend on
//! the thread count. Matching without replacement is sequential (each match leaves the pool): the
//! units are sorted by a projection `s = 1ᵀz/√k`, with `(sᵢ − sⱼ)² ≤ d(i, j)`, and each query scans
//! outwards over the units still available (union–find skips the removed ones).

use phare_core::{Coefficient, Diagnostic, Error, Estimates, Glance, Result, Vcov, glance_names};
use phare_data::matrix::{DesignMatrix, MissingPolicy};
use phare_data::polars::prelude::DataFrame;
use phare_stats::linalg::{Cholesky, LeastSquares};
use phare_stats::logit::logit;
use rayon::prelude::*;
use std::str::FromStr;

/// The average effect a matching estimator targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchEstimand {
    /// Average effect on the treated: each treated unit is matched to controls.
    Att,
    /// Average effect over all units: every unit is matched to the other arm (the default, as in
    /// Stata's `nnmatch` and `teffects nnmatch`).
    #[default]
    Ate,
    /// Average effect on the controls: each control is matched to treated units.
    Atc,
}

impl MatchEstimand {
    /// The term of the tidy table: `ATT`, `ATE` or `ATC`.
    pub fn term(self) -> &'static str {
        match self {
            MatchEstimand::Att => "ATT",
            MatchEstimand::Ate => "ATE",
            MatchEstimand::Atc => "ATC",
        }
    }
}

/// How far apart two units are.
///
/// With covariates `x` (k columns) and a positive definite k × k matrix `W`, the distance is
/// `√((xᵢ − xⱼ)ᵀ W (xᵢ − xⱼ))`; with a score `s` it is `|sᵢ − sⱼ|`. Calipers are in these units.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// `W = diag(1 / var(xₖ))`, variances over the whole sample with divisor n: the default of
    /// Abadie and Imbens (2006) and of `nnmatch` (`teffects`' `ivariance`).
    #[default]
    InverseVariance,
    /// `W = S⁻¹`, `S` the covariance matrix of the covariates over the whole sample (divisor
    /// n − 1): the Mahalanobis distance (`teffects`' default).
    Mahalanobis,
    /// `W = I`: plain Euclidean distance on the covariates as given (depends on their units).
    Euclidean,
    /// A user-supplied `W`, k × k row-major, symmetric positive definite (the order of the
    /// covariates). For instance causalinference's `maha`, `((S_c + S_t)/2)⁻¹` with the
    /// within-arm covariances.
    Matrix(Vec<f64>),
    /// `|pᵢ − pⱼ|` on the propensity score `p`, a logistic regression of the treatment on an
    /// intercept and the covariates (maximum likelihood, fitted on standardised columns).
    PropensityScore,
    /// `|ℓᵢ − ℓⱼ|` on the linear predictor `ℓ = log(p / (1 − p))` of that logistic regression (the
    /// scale on which calipers of 0.2 standard deviations are usually set).
    LinearPropensityScore,
}

impl Metric {
    /// A short name: `inverse_variance`, `mahalanobis`, `euclidean`, `matrix`, `pscore`,
    /// `linear_pscore`.
    pub fn name(&self) -> &'static str {
        match self {
            Metric::InverseVariance => "inverse_variance",
            Metric::Mahalanobis => "mahalanobis",
            Metric::Euclidean => "euclidean",
            Metric::Matrix(_) => "matrix",
            Metric::PropensityScore => "pscore",
            Metric::LinearPropensityScore => "linear_pscore",
        }
    }
    fn is_score(&self) -> bool {
        matches!(self, Metric::PropensityScore | Metric::LinearPropensityScore)
    }
}

/// Which variance the standard error estimates (Abadie and Imbens 2006, Abadie et al. 2004).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchVariance {
    /// The conditional variance of the estimate around the *sample* average effect (SATE, SATT,
    /// SATC), given the covariates: `Σᵢ (wᵢ)² σ²(Xᵢ) / N²` (the default, as in `nnmatch`).
    #[default]
    Sample,
    /// The variance around the *population* average effect (PATE, PATT, PATC), which adds the
    /// variation of the unit-level effects.
    Population,
}

/// The order in which units are matched without replacement (greedy matching: the result depends
/// on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchOrder {
    /// Rows in the order of the input frame (psmatch2's behaviour; shuffle the frame for a random
    /// order).
    Data,
    /// Largest score first (score metrics only): MatchIt's `m.order = "largest"`, the treated
    /// units hardest to match first when estimating the ATT. The default for the ATT on a score.
    LargestFirst,
    /// Smallest score first (score metrics only); the default for the ATC on a score, for the same
    /// reason.
    SmallestFirst,
}

/// Nearest-neighbour matching estimator of the ATE, ATT or ATC (Abadie and Imbens 2006), with
/// optional regression bias correction (Abadie and Imbens 2011) and the Abadie–Imbens standard
/// error.
///
/// For each unit `i` of the arm(s) the estimand needs, `J(i)` is the set of units of the other arm
/// at a distance at most the `M`-th smallest (all units tied at that distance are matches, as in
/// Abadie and Imbens), and the missing potential outcome is their mean, `Ŷᵢ = Σ_{j∈J(i)} Yⱼ/#J(i)`.
/// With `τᵢ = Yᵢ − Ŷᵢ(0)` for treated and `Ŷᵢ(1) − Yᵢ` for controls,
///
/// ```text
/// ATT = mean of τᵢ over treated,  ATC = mean over controls,  ATE = mean over all units
/// Kⱼ  = Σᵢ 1{j ∈ J(i)} / #J(i)       (how many times unit j is used, ties sharing the credit)
/// K′ⱼ = Σᵢ 1{j ∈ J(i)} / #J(i)²
/// ```
///
/// **Bias correction** (`bias_adjust(true)`): within the arm providing the matches, a weighted
/// least-squares regression of `Y` on `[1, X]` over the units used, with weights `Kⱼ`, gives a
/// slope `β`, and `Ŷᵢ` becomes `Ŷᵢ + (Xᵢ − mean_{J(i)} X)ᵀβ`. `X` are the matching covariates, or
/// the score itself with a score metric.
///
/// **Standard error** (Abadie and Imbens 2006). `σ²(Xᵢ)` is estimated by matching `i` to its `J`
/// nearest units of its *own* arm, `L(i)` (ties included): `σ̂²ᵢ = #L/(#L + 1) (Yᵢ − mean_{L(i)} Y)²`.
/// With `qᵢ = 1` for the units the estimand averages over (the matched treated for the ATT, …) and
/// `N` their number,
///
/// ```text
/// sample:      V = Σᵢ (qᵢ + Kᵢ)² σ̂²ᵢ / N²
/// population:  V = [Σ_{q=1} (τᵢ − τ̂)² + Σᵢ (2qᵢKᵢ + Kᵢ² − K′ᵢ) σ̂²ᵢ] / N²
/// ```
///
/// (SATT/PATT, SATE/PATE of Abadie et al. 2004). Intervals and p-values use the normal
/// distribution. With a propensity-score metric the score is treated as known: the correction of
/// Abadie and Imbens (2016) for an estimated score is not applied (a diagnostic says so).
///
/// | parameter | default | purpose |
/// |---|---|---|
/// | `estimand(…)` | ATE | [`MatchEstimand`] |
/// | `metric(…)` | inverse variance | [`Metric`] |
/// | `matches(M)` | 1 | matches per unit |
/// | `replace(…)` | true | a unit may serve as a match several times |
/// | `ties(…)` | true | all units tied at the `M`-th distance are matches; `false`: the first in row order |
/// | `caliper(c)` | none | only units within distance `c` are matches; units left without one are dropped |
/// | `order(…)` | see [`MatchOrder`] | processing order of greedy matching without replacement |
/// | `bias_adjust(…)` | false | regression bias correction |
/// | `variance(…)` | sample | [`MatchVariance`] |
/// | `variance_matches(J)` | 2 | within-arm matches for `σ²(X)` (`teffects`' default `nn(2)`) |
///
/// **Without replacement** (ATT or ATC only): units of the matched arm are taken one at a time in
/// the [`MatchOrder`]; each takes its `M` nearest units still available (equal distances: lowest
/// row first), which are then removed from the pool. Ties are not expanded. Units left without a
/// match (pool exhausted, or none within the caliper) are dropped and reported. The standard error
/// is the same conditional formula, with `Kⱼ ∈ {0, 1/M}`; [`MatchingFit::paired_std_error`] gives
/// the matched-pairs one.
///
/// **Weights for balance** ([`MatchingFit::weights`]): `qᵢ + Kᵢ` for every unit, so that
/// `Σ_treated wY/Σ_treated w − Σ_control wY/Σ_control w` is the estimate without bias correction.
///
/// # Errors
/// Missing or non-numeric columns; [`Error::InvalidValue`] for a treatment other than 0/1 or an
/// infinite value; [`Error::Design`] for no treated or no control units, fewer units in an arm than
/// the matches asked for, a covariate without variation (inverse variance), a singular covariance
/// (Mahalanobis: a constant covariate or one that is a combination of others), a propensity model
/// that separates the groups, or a caliper that leaves no unit matched; [`Error::InvalidArgument`]
/// for `M = 0`, `J = 0`, a caliper that is not positive, a matrix that is not k × k symmetric
/// positive definite, the ATE without replacement, or a score order with a covariate metric.
///
/// # Example
/// ```
/// use phare_causal::weighting::{MatchEstimand, NearestNeighbourMatching};
/// use phare_core::Estimates;
/// use phare_data::polars::prelude::*;
/// // SIMULATED: each treated unit has a control with the same x; the effect is 2.
/// let x = [1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 10.0];
/// let d = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0];
/// let y = [3.0, 4.5, 5.0, 1.0, 2.5, 3.0, 9.0];
/// let df = df!("y" => y, "d" => d, "x" => x)?;
/// let fit = NearestNeighbourMatching::new("y", "d", &["x"]).estimand(MatchEstimand::Att).fit(&df)?;
/// assert!((fit.tidy().row("ATT").unwrap().estimate - 2.0).abs() < 1e-12);
/// assert_eq!(fit.weights(), &[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # References
/// Abadie and Imbens (2006), "Large sample properties of matching estimators for average treatment
/// effects", *Econometrica* 74(1); Abadie, Drukker, Herr and Imbens (2004), "Implementing matching
/// estimators for average treatment effects in Stata", *Stata Journal* 4(3); Abadie and Imbens
/// (2011), "Bias-corrected matching estimators for average treatment effects", *JBES* 29(1).
#[derive(Debug, Clone, PartialEq)]
pub struct NearestNeighbourMatching {
    outcome: String,
    treatment: String,
    covariates: Vec<String>,
    estimand: MatchEstimand,
    metric: Metric,
    matches: usize,
    replace: bool,
    ties: bool,
    caliper: Option<f64>,
    order: Option<MatchOrder>,
    bias_adjust: bool,
    variance: MatchVariance,
    variance_matches: usize,
}

impl NearestNeighbourMatching {
    /// Matching on `covariates` (or on a propensity score fitted on them) to estimate the effect
    /// of the 0/1 `treatment` on `outcome`.
    pub fn new<S: AsRef<str>>(outcome: &str, treatment: &str, covariates: &[S]) -> Self {
        NearestNeighbourMatching {
            outcome: outcome.into(),
            treatment: treatment.into(),
            covariates: covariates.iter().map(|c| c.as_ref().to_string()).collect(),
            estimand: MatchEstimand::default(),
            metric: Metric::default(),
            matches: 1,
            replace: true,
            ties: true,
            caliper: None,
            order: None,
            bias_adjust: false,
            variance: MatchVariance::default(),
            variance_matches: 2,
        }
    }
    /// The estimand (default ATE).
    pub fn estimand(mut self, e: MatchEstimand) -> Self {
        self.estimand = e;
        self
    }
    /// The distance (default inverse variance).
    pub fn metric(mut self, m: Metric) -> Self {
        self.metric = m;
        self
    }
    /// The number of matches `M` per unit (default 1).
    pub fn matches(mut self, m: usize) -> Self {
        self.matches = m;
        self
    }
    /// Matching with replacement (default) or without (greedy, ATT or ATC only).
    pub fn replace(mut self, yes: bool) -> Self {
        self.replace = yes;
        self
    }
    /// Whether all units tied at the `M`-th distance are matches (default, Abadie–Imbens) or only
    /// `M` units, the lowest rows among equal distances (MatchIt, psmatch2). Applies to matching
    /// with replacement; without replacement ties are never expanded.
    pub fn ties(mut self, yes: bool) -> Self {
        self.ties = yes;
        self
    }
    /// The largest distance at which two units may be matched, in the metric's units.
    pub fn caliper(mut self, c: f64) -> Self {
        self.caliper = Some(c);
        self
    }
    /// The processing order of matching without replacement (see [`MatchOrder`]).
    pub fn order(mut self, o: MatchOrder) -> Self {
        self.order = Some(o);
        self
    }
    /// Regression bias correction (Abadie and Imbens 2011) on the matching covariates.
    pub fn bias_adjust(mut self, yes: bool) -> Self {
        self.bias_adjust = yes;
        self
    }
    /// Sample or population variance (default sample).
    pub fn variance(mut self, v: MatchVariance) -> Self {
        self.variance = v;
        self
    }
    /// Within-arm matches `J` used to estimate the conditional variances (default 2).
    pub fn variance_matches(mut self, j: usize) -> Self {
        self.variance_matches = j;
        self
    }

    fn invalid(name: &str, value: impl ToString, reason: &str, hint: Option<&str>) -> Error {
        Error::InvalidArgument {
            name: name.into(),
            value: value.to_string(),
            reason: reason.into(),
            hint: hint.map(str::to_string),
        }
    }

    fn check_options(&self) -> Result<()> {
        if self.matches == 0 {
            return Err(Self::invalid("matches", 0, "at least one match per unit is needed", None));
        }
        if self.variance_matches == 0 {
            return Err(Self::invalid("variance_matches", 0, "the variance needs at least one within-arm match", None));
        }
        if let Some(c) = self.caliper
            && !(c.is_finite() && c > 0.0)
        {
            return Err(Self::invalid("caliper", c, "a caliper is a positive distance", None));
        }
        if self.covariates.is_empty() {
            return Err(Self::invalid("covariates", "[]", "matching needs at least one covariate", None));
        }
        if !self.replace && self.estimand == MatchEstimand::Ate {
            return Err(Self::invalid(
                "replace",
                false,
                "matching without replacement estimates the ATT or the ATC",
                Some("choose estimand(MatchEstimand::Att) or keep replacement"),
            ));
        }
        if matches!(self.order, Some(MatchOrder::LargestFirst | MatchOrder::SmallestFirst)) && !self.metric.is_score() {
            return Err(Self::invalid(
                "order",
                "largest/smallest first",
                "ordering by score needs a propensity-score metric",
                Some("use MatchOrder::Data with covariate metrics"),
            ));
        }
        let mut seen: Vec<&str> = vec![self.outcome.as_str(), self.treatment.as_str()];
        for c in &self.covariates {
            if seen.contains(&c.as_str()) {
                return Err(Self::invalid(
                    "covariates",
                    format!("`{c}`"),
                    "a covariate appears twice, or is the outcome or the treatment",
                    None,
                ));
            }
            seen.push(c);
        }
        Ok(())
    }

    /// Matches on `df` and estimates the effect.
    ///
    /// # Errors
    /// See the type's documentation.
    pub fn fit(&self, df: &DataFrame) -> Result<MatchingFit> {
        self.check_options()?;
        let mut columns = vec![self.outcome.as_str(), self.treatment.as_str()];
        columns.extend(self.covariates.iter().map(String::as_str));
        let m = DesignMatrix::from_frame(df, &columns, MissingPolicy::Drop)?;
        let mut diagnostics: Vec<Diagnostic> = m.diagnostics().to_vec();
        let n = m.nrows();
        let rows = m.source_rows().to_vec();
        for (c, name) in columns.iter().enumerate() {
            if let Some(i) = m.column(c).iter().position(|v| !v.is_finite()) {
                return Err(Error::InvalidValue {
                    place: format!("column `{name}` (row {})", rows[i]),
                    value: m.column(c)[i].to_string(),
                    reason: "matching needs finite values".into(),
                    hint: Some("drop or recode the infinite values".into()),
                });
            }
        }
        let y = m.column(0).to_vec();
        let mut treated = Vec::with_capacity(n);
        for (i, &v) in m.column(1).iter().enumerate() {
            if v != 0.0 && v != 1.0 {
                return Err(Error::InvalidValue {
                    place: format!("treatment column `{}` (row {})", self.treatment, rows[i]),
                    value: v.to_string(),
                    reason: "a treatment indicator takes the values 0 and 1 only".into(),
                    hint: Some("code participants 1 and non-participants 0".into()),
                });
            }
            treated.push(v == 1.0);
        }
        let arm_t: Vec<usize> = (0..n).filter(|&i| treated[i]).collect();
        let arm_c: Vec<usize> = (0..n).filter(|&i| !treated[i]).collect();
        for (arm, label) in [(&arm_t, "treated"), (&arm_c, "control")] {
            if arm.is_empty() {
                return Err(Error::design(
                    format!(
                        "no {label} units: `{}` is {} on every row used",
                        self.treatment,
                        if label == "treated" { 0 } else { 1 }
                    ),
                    "matching compares treated units (1) with controls (0); both are needed",
                ));
            }
        }
        let k = self.covariates.len();
        let xcols: Vec<&[f64]> = (0..k).map(|c| m.column(2 + c)).collect();
        let (space, score) = self.space(&xcols, &treated, n)?;
        if score.is_some() {
            diagnostics.push(Diagnostic::note(
                "matching_estimated_score",
                "the standard error treats the estimated propensity score as known (the Abadie–Imbens 2016 \
                 adjustment for an estimated score is not applied)",
            ));
        }
        // Covariates of the bias regression: the matching covariates, or the score itself.
        let bias_x: Vec<&[f64]> = match &score {
            Some(s) if self.metric == Metric::PropensityScore => vec![&s.p[..]],
            Some(s) => vec![&s.lp[..]],
            None => xcols.clone(),
        };
        let (pool_t, pool_c) = (Pool::new(&space, &arm_t), Pool::new(&space, &arm_c));
        // Directions: (query arm, pool, pool arm, whether the queries are the treated).
        let directions: Vec<(&[usize], &Pool, &[usize], bool)> = match self.estimand {
            MatchEstimand::Att => vec![(&arm_t, &pool_c, &arm_c, true)],
            MatchEstimand::Atc => vec![(&arm_c, &pool_t, &arm_t, false)],
            MatchEstimand::Ate => vec![(&arm_t, &pool_c, &arm_c, true), (&arm_c, &pool_t, &arm_t, false)],
        };
        for &(_, pool, _, query_treated) in &directions {
            if pool.len() < self.matches {
                return Err(Error::design(
                    format!(
                        "{} {} units for {} matches per unit",
                        pool.len(),
                        if query_treated { "control" } else { "treated" },
                        self.matches
                    ),
                    "lower matches(M)",
                ));
            }
        }
        let j = self.variance_matches;
        for (arm, label) in [(&arm_t, "treated"), (&arm_c, "control")] {
            if arm.len() <= j {
                return Err(Error::design(
                    format!(
                        "{} {label} unit{}: the variance needs {} (variance_matches({j}) within-arm matches plus the unit)",
                        arm.len(),
                        if arm.len() == 1 { "" } else { "s" },
                        j + 1
                    ),
                    "lower variance_matches(J), or gather more units",
                ));
            }
        }

        // 1. Matches.
        let mut sets: Vec<Option<Vec<(usize, f64)>>> = vec![None; n];
        let mut order_note = None;
        for &(queries, pool, pool_arm, query_treated) in &directions {
            if self.replace {
                let found: Vec<Vec<(usize, f64)>> = queries
                    .par_iter()
                    .map_init(Vec::new, |scratch, &i| {
                        nearest(&space, pool, i, self.matches, self.caliper, false, self.ties, scratch)
                    })
                    .collect();
                for (&i, s) in queries.iter().zip(found) {
                    sets[i] = Some(s);
                }
            } else {
                let order = self.order.unwrap_or(match (score.is_some(), query_treated) {
                    (false, _) => MatchOrder::Data,
                    (true, true) => MatchOrder::LargestFirst,
                    (true, false) => MatchOrder::SmallestFirst,
                });
                let mut q = queries.to_vec();
                match order {
                    MatchOrder::Data => {}
                    MatchOrder::LargestFirst => q.sort_by(|&a, &b| space.proj[b].total_cmp(&space.proj[a])),
                    MatchOrder::SmallestFirst => q.sort_by(|&a, &b| space.proj[a].total_cmp(&space.proj[b])),
                }
                order_note = Some(order);
                let sorted = SortedPool::new(&space, pool_arm);
                for (i, s) in greedy(&space, &sorted, &q, self.matches, self.caliper) {
                    sets[i] = Some(s);
                }
            }
        }
        if let Some(order) = order_note {
            diagnostics.push(Diagnostic::note(
                "matching_order",
                format!(
                    "matched without replacement, greedily, {}; the result depends on this order",
                    match order {
                        MatchOrder::Data => "in row order",
                        MatchOrder::LargestFirst => "largest score first",
                        MatchOrder::SmallestFirst => "smallest score first",
                    }
                ),
            ));
        }

        // 2. Uses K, K′ and the imputed outcomes.
        let mut uses = vec![0.0; n];
        let mut uses2 = vec![0.0; n];
        let mut query = vec![false; n];
        let (mut n_tied, mut n_unmatched, mut distance_sum) = (0usize, [0usize; 2], 0.0);
        for (i, s) in sets.iter().enumerate() {
            let Some(s) = s else { continue };
            if s.is_empty() {
                n_unmatched[usize::from(!treated[i])] += 1;
                continue;
            }
            query[i] = true;
            let len = s.len() as f64;
            if s.len() > self.matches {
                n_tied += 1;
            }
            let mut dsum = 0.0;
            for &(jj, d) in s {
                uses[jj] += 1.0 / len;
                uses2[jj] += 1.0 / (len * len);
                dsum += d.sqrt();
            }
            distance_sum += dsum / len;
        }
        let n_matched = query.iter().filter(|&&q| q).count();
        if n_matched == 0 {
            return Err(Error::design(
                format!(
                    "no unit has a match within the caliper {} ({} metric)",
                    self.caliper.unwrap_or(f64::NAN),
                    self.metric.name()
                ),
                "widen the caliper: it is in the metric's units (a score difference, or a distance in standardised covariates)",
            ));
        }
        let unmatched_total = n_unmatched[0] + n_unmatched[1];
        if unmatched_total > 0 {
            let why = if self.caliper.is_some() && self.replace {
                "no unit of the other arm within the caliper".to_string()
            } else if self.caliper.is_some() {
                "no unit of the other arm left within the caliper".to_string()
            } else {
                "no unit of the other arm left to match".to_string()
            };
            let mut parts = Vec::new();
            if n_unmatched[0] > 0 {
                parts.push(format!("{} treated", n_unmatched[0]));
            }
            if n_unmatched[1] > 0 {
                parts.push(format!("{} control", n_unmatched[1]));
            }
            diagnostics.push(Diagnostic::warning(
                "matching_unmatched",
                format!(
                    "{} unit{} left out ({why}): the {} is estimated on the {n_matched} matched units",
                    parts.join(" and "),
                    if unmatched_total == 1 { "" } else { "s" },
                    self.estimand.term()
                ),
            ));
        }
        if n_tied > 0 {
            diagnostics.push(Diagnostic::note(
                "matching_ties",
                format!(
                    "{n_tied} unit{} ha{} several matches tied at the {}-th distance; all tied units are used, sharing the weight",
                    if n_tied == 1 { "" } else { "s" },
                    if n_tied == 1 { "s" } else { "ve" },
                    self.matches
                ),
            ));
        }

        // 3. Bias correction: per pool arm, WLS of Y on [1, X] over the units used, weights K.
        let kb = bias_x.len();
        let mut bias_coef: [Option<Vec<f64>>; 2] = [None, None];
        if self.bias_adjust {
            for &(_, _, pool_arm, query_treated) in &directions {
                // Arms are listed in row order.
                let used: Vec<usize> = pool_arm.iter().copied().filter(|&u| uses[u] > 0.0).collect();
                let nu = used.len();
                let mut design = vec![1.0; nu];
                for col in &bias_x {
                    design.extend(used.iter().map(|&u| col[u]));
                }
                let yy: Vec<f64> = used.iter().map(|&u| y[u]).collect();
                let w: Vec<f64> = used.iter().map(|&u| uses[u]).collect();
                let ls = LeastSquares::qr(&design, nu, kb + 1, &yy, Some(&w));
                let mut b = vec![0.0; kb];
                for (pos, &c) in ls.kept.iter().enumerate() {
                    if c > 0 {
                        b[c - 1] = ls.beta[pos];
                    }
                }
                if !ls.dropped.is_empty() {
                    let names: Vec<String> = ls
                        .dropped
                        .iter()
                        .map(|&c| if c == 0 { "(Intercept)".to_string() } else { self.bias_name(c - 1, &score) })
                        .collect();
                    diagnostics.push(Diagnostic::warning(
                        "bias_regression_collinear",
                        format!(
                            "bias correction among the matched {}: {} collinear (coefficient set to 0)",
                            if query_treated { "controls" } else { "treated" },
                            names.join(", ")
                        ),
                    ));
                }
                // Index 0: the control-outcome model μ₀ (pool of controls), 1: μ₁.
                bias_coef[usize::from(!query_treated)] = Some(b);
            }
        }

        // 4. Unit-level effects.
        let mut effects = vec![f64::NAN; n];
        for i in 0..n {
            let Some(s) = sets[i].as_ref().filter(|s| !s.is_empty()) else { continue };
            let len = s.len() as f64;
            let mut yhat = s.iter().map(|&(jj, _)| y[jj]).sum::<f64>() / len;
            if let Some(b) = &bias_coef[usize::from(!treated[i])] {
                // Treated queries use μ₀ (index 0), control queries μ₁ (index 1).
                for (c, col) in bias_x.iter().enumerate() {
                    let mean_x = s.iter().map(|&(jj, _)| col[jj]).sum::<f64>() / len;
                    yhat += (col[i] - mean_x) * b[c];
                }
            }
            effects[i] = if treated[i] { y[i] - yhat } else { yhat - y[i] };
        }
        let estimate = (0..n).filter(|&i| query[i]).map(|i| effects[i]).sum::<f64>() / n_matched as f64;

        // 5. Conditional variances by within-arm matching, for the units that enter the variance.
        let needed: Vec<usize> = (0..n).filter(|&i| query[i] || uses[i] > 0.0).collect();
        let sig: Vec<f64> = needed
            .par_iter()
            .map_init(Vec::new, |scratch, &i| {
                let pool = if treated[i] { &pool_t } else { &pool_c };
                let l = nearest(&space, pool, i, j, None, true, true, scratch);
                let nl = l.len() as f64;
                let mean = l.iter().map(|&(u, _)| y[u]).sum::<f64>() / nl;
                nl / (nl + 1.0) * (y[i] - mean).powi(2)
            })
            .collect();
        let nm = n_matched as f64;
        let (mut v_sample, mut v_pop) = (0.0, 0.0);
        for (&i, &s2) in needed.iter().zip(&sig) {
            let q = if query[i] { 1.0 } else { 0.0 };
            v_sample += (q + uses[i]).powi(2) * s2;
            v_pop += (2.0 * q * uses[i] + uses[i] * uses[i] - uses2[i]) * s2;
            if query[i] {
                v_pop += (effects[i] - estimate).powi(2);
            }
        }
        let se_sample = (v_sample / (nm * nm)).sqrt();
        let se_population = (v_pop.max(0.0) / (nm * nm)).sqrt();
        let paired = {
            let dev: f64 = (0..n).filter(|&i| query[i]).map(|i| (effects[i] - estimate).powi(2)).sum();
            (dev / (nm - 1.0)).sqrt() / nm.sqrt()
        };
        let weights: Vec<f64> = (0..n).map(|i| if query[i] { 1.0 } else { 0.0 } + uses[i]).collect();
        let n_distinct = uses.iter().filter(|&&u| u > 0.0).count();
        let max_uses = uses.iter().copied().fold(0.0, f64::max);
        let [mu0, mu1] = bias_coef;
        Ok(MatchingFit {
            call: self.call(),
            spec: self.clone(),
            estimate,
            se_sample,
            se_population,
            paired,
            rows,
            treated,
            weights,
            effects,
            pscore: score.map(|s| if self.metric == Metric::PropensityScore { s.p } else { s.lp }),
            bias_mu0: mu0,
            bias_mu1: mu1,
            n_treated: arm_t.len(),
            n_control: arm_c.len(),
            n_matched,
            n_unmatched: unmatched_total,
            n_tied,
            n_distinct,
            max_uses,
            mean_distance: distance_sum / nm,
            diagnostics,
        })
    }

    fn bias_name(&self, c: usize, score: &Option<Score>) -> String {
        match score {
            Some(_) => "the score".into(),
            None => format!("`{}`", self.covariates[c]),
        }
    }

    /// The search space for the metric, and the propensity model when the metric is a score.
    fn space(&self, xcols: &[&[f64]], treated: &[bool], n: usize) -> Result<(Space, Option<Score>)> {
        let k = xcols.len();
        let variance = |c: usize, ddof: f64| {
            let v = xcols[c];
            let mean = v.iter().sum::<f64>() / n as f64;
            v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (n as f64 - ddof)
        };
        let constant = |c: usize| xcols[c].iter().all(|&v| v == xcols[c][0]);
        let form = match &self.metric {
            Metric::PropensityScore | Metric::LinearPropensityScore => {
                let score = self.propensity(xcols, treated, n)?;
                let s = if self.metric == Metric::PropensityScore { &score.p } else { &score.lp };
                return Ok((Space::new(1, s.clone(), Form::Scalar), Some(score)));
            }
            Metric::InverseVariance => {
                if let Some(c) = (0..k).find(|&c| constant(c)) {
                    return Err(self.constant_error(c, xcols[c][0], "inverse-variance"));
                }
                Form::Diagonal((0..k).map(|c| 1.0 / variance(c, 0.0)).collect())
            }
            Metric::Euclidean => Form::Diagonal(vec![1.0; k]),
            Metric::Mahalanobis => {
                if let Some(c) = (0..k).find(|&c| constant(c)) {
                    return Err(self.constant_error(c, xcols[c][0], "Mahalanobis"));
                }
                if n < 2 {
                    return Err(Error::design("a single row: no covariance", "gather more units"));
                }
                let means: Vec<f64> = xcols.iter().map(|v| v.iter().sum::<f64>() / n as f64).collect();
                let mut s = vec![0.0; k * k];
                for a in 0..k {
                    for b in 0..=a {
                        let v =
                            xcols[a].iter().zip(xcols[b]).map(|(p, q)| (p - means[a]) * (q - means[b])).sum::<f64>()
                                / (n as f64 - 1.0);
                        s[a * k + b] = v;
                        s[b * k + a] = v;
                    }
                }
                let chol = Cholesky::new(&s, k);
                if let Some(&c) = chol.dropped.first() {
                    return Err(Error::design(
                        format!(
                            "the covariance matrix of the covariates is singular: `{}` is a linear combination of the \
                             covariates before it",
                            self.covariates[c]
                        ),
                        "drop that covariate (or use Metric::InverseVariance)",
                    ));
                }
                Form::factor(&chol.inverse(), k).ok_or_else(|| {
                    Error::design(
                        "the inverse covariance matrix of the covariates is numerically singular",
                        "drop nearly collinear covariates",
                    )
                })?
            }
            Metric::Matrix(w) => {
                let bad = |reason: &str| {
                    Self::invalid("metric", format!("Matrix({} values)", w.len()), reason, Some("pass W row-major"))
                };
                if w.len() != k * k {
                    return Err(bad(&format!("{k} covariates need a {k} × {k} matrix ({} values)", k * k)));
                }
                if w.iter().any(|v| !v.is_finite()) {
                    return Err(bad("the matrix has non-finite entries"));
                }
                for a in 0..k {
                    for b in 0..a {
                        let (p, q) = (w[a * k + b], w[b * k + a]);
                        if (p - q).abs() > 1e-12 * p.abs().max(q.abs()).max(f64::MIN_POSITIVE) {
                            return Err(bad("the matrix is not symmetric"));
                        }
                    }
                }
                Form::factor(w, k).ok_or_else(|| bad("the matrix is not positive definite"))?
            }
        };
        let mut x = vec![0.0; n * k];
        for (c, col) in xcols.iter().enumerate() {
            for (i, &v) in col.iter().enumerate() {
                x[i * k + c] = v;
            }
        }
        Ok((Space::new(k, x, form), None))
    }

    fn constant_error(&self, c: usize, value: f64, metric: &str) -> Error {
        Error::design(
            format!(
                "covariate `{}` does not vary (it is {value} for every unit): the {metric} metric divides by its variance",
                self.covariates[c]
            ),
            "remove it: a constant cannot distinguish units",
        )
    }

    /// The logistic propensity score on `[1, covariates]`, fitted on standardised columns (the
    /// scores do not depend on the covariates' units).
    fn propensity(&self, xcols: &[&[f64]], treated: &[bool], n: usize) -> Result<Score> {
        let k = xcols.len() + 1;
        let mut x = vec![1.0; n];
        for (c, v) in xcols.iter().enumerate() {
            let mean = v.iter().sum::<f64>() / n as f64;
            let sd = (v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
            if sd == 0.0 || !sd.is_finite() {
                return Err(self.constant_error(c, v[0], "propensity-score"));
            }
            x.extend(v.iter().map(|a| (a - mean) / sd));
        }
        let yd: Vec<f64> = treated.iter().map(|&t| if t { 1.0 } else { 0.0 }).collect();
        let fit = logit(&x, n, k, &yd, None)?;
        // The same linear predictor the fitted probabilities come from.
        let lp: Vec<f64> = (0..n).map(|i| (0..k).map(|j| x[j * n + i] * fit.beta[j]).sum()).collect();
        Ok(Score { p: fit.fitted, lp })
    }

    fn call(&self) -> String {
        format!(
            "outcome {}, treatment {}, covariates {}; {}, {} metric, M = {}, {}{}{}{}, {} variance (J = {})",
            self.outcome,
            self.treatment,
            self.covariates.join(", "),
            self.estimand.term(),
            self.metric.name(),
            self.matches,
            if self.replace { "with replacement" } else { "without replacement" },
            if self.ties || !self.replace { "" } else { ", ties broken by row order" },
            self.caliper.map(|c| format!(", caliper {c}")).unwrap_or_default(),
            if self.bias_adjust { ", bias-adjusted" } else { "" },
            match self.variance {
                MatchVariance::Sample => "sample",
                MatchVariance::Population => "population",
            },
            self.variance_matches
        )
    }
}

/// A fitted propensity score: probabilities and linear predictor.
struct Score {
    p: Vec<f64>,
    lp: Vec<f64>,
}

/// How a squared distance is computed from the coordinate differences `Δ = xⱼ − xᵢ`.
enum Form {
    /// One coordinate: `Δ²`.
    Scalar,
    /// `Σₖ Δₖ² wₖ`.
    Diagonal(Vec<f64>),
    /// `‖UΔ‖²` with `U = Lᵀ` upper triangular (row-major k × k), `W = LLᵀ`.
    Factor(Vec<f64>),
}

impl Form {
    /// The factor of a symmetric positive definite `w`, or `None` when it is not.
    fn factor(w: &[f64], k: usize) -> Option<Form> {
        let chol = Cholesky::new(w, k);
        if !chol.dropped.is_empty() {
            return None;
        }
        let mut u = vec![0.0; k * k];
        for r in 0..k {
            for c in 0..=r {
                // L[r][c] → U[c][r]
                u[c * k + r] = chol.l[r * k + c];
            }
        }
        Some(Form::Factor(u))
    }
}

/// The units' coordinates, the distance, and what bounds it from below for the search.
struct Space {
    k: usize,
    /// Row-major n × k.
    x: Vec<f64>,
    form: Form,
    /// `sᵢ` with `(sᵢ − sⱼ)² ≤ d(i, j)` (up to rounding).
    proj: Vec<f64>,
    /// Whitened coordinates `zᵢ = Uxᵢ` (row-major n × k) with `‖zᵢ − zⱼ‖² = d(i, j)` up to
    /// rounding; empty with one coordinate.
    z: Vec<f64>,
    /// Absolute allowance for rounding in the projections and whitened coordinates.
    slack: f64,
}

impl Space {
    fn new(k: usize, x: Vec<f64>, form: Form) -> Space {
        let n = x.len() / k.max(1);
        // U = diag(√w) or Lᵀ (identity for a scalar), row-major k × k.
        let u: Vec<f64> = match &form {
            Form::Scalar => vec![1.0],
            Form::Diagonal(w) => {
                let mut u = vec![0.0; k * k];
                for (c, w) in w.iter().enumerate() {
                    u[c * k + c] = w.sqrt();
                }
                u
            }
            Form::Factor(u) => u.clone(),
        };
        // Projection sᵢ = vᵀxᵢ = 1ᵀzᵢ/√k, so (sᵢ − sⱼ)² ≤ ‖zᵢ − zⱼ‖² = d(i, j) by Cauchy–Schwarz.
        let v: Vec<f64> = (0..k).map(|c| (0..k).map(|r| u[r * k + c]).sum::<f64>() / (k as f64).sqrt()).collect();
        let mut proj = vec![0.0; n];
        let mut z = if k > 1 { vec![0.0; n * k] } else { Vec::new() };
        let mut magnitude = 0.0f64;
        for (i, p) in proj.iter_mut().enumerate() {
            let row = &x[i * k..(i + 1) * k];
            *p = row.iter().zip(&v).map(|(a, b)| a * b).sum();
            let mut mag = 0.0;
            for r in 0..k {
                let ur = &u[r * k..(r + 1) * k];
                if k > 1 {
                    z[i * k + r] = ur.iter().zip(row).map(|(a, b)| a * b).sum();
                }
                mag += ur.iter().zip(row).map(|(a, b)| (a * b).abs()).sum::<f64>();
            }
            magnitude = magnitude.max(mag);
        }
        let slack = match form {
            Form::Scalar => 0.0,
            _ => 1e-10 * magnitude,
        };
        Space { k, x, form, proj, z, slack }
    }

    /// The squared distance between units `i` (the query) and `j`.
    #[inline]
    fn dist(&self, i: usize, j: usize) -> f64 {
        let k = self.k;
        let a = &self.x[i * k..(i + 1) * k];
        let b = &self.x[j * k..(j + 1) * k];
        match &self.form {
            Form::Scalar => {
                let d = b[0] - a[0];
                d * d
            }
            Form::Diagonal(w) => {
                let mut s = 0.0;
                for t in 0..k {
                    let d = b[t] - a[t];
                    s += d * d * w[t];
                }
                s
            }
            Form::Factor(u) => {
                let mut s = 0.0;
                for r in 0..k {
                    let row = &u[r * k..(r + 1) * k];
                    let mut z = 0.0;
                    for c in r..k {
                        z += row[c] * (b[c] - a[c]);
                    }
                    s += z * z;
                }
                s
            }
        }
    }

    /// The largest lower bound (projection gap, or distance to a box in whitened coordinates) a
    /// unit at distance `d` (not squared) can have, with an allowance for rounding.
    #[inline]
    fn reach(&self, d: f64) -> f64 {
        d * (1.0 + 1e-7) + self.slack
    }
}

/// The units of one arm sorted by projection (ties by row).
struct SortedPool {
    units: Vec<usize>,
    proj: Vec<f64>,
}

impl SortedPool {
    fn new(space: &Space, units: &[usize]) -> SortedPool {
        let mut u = units.to_vec();
        u.sort_by(|&a, &b| space.proj[a].total_cmp(&space.proj[b]).then(a.cmp(&b)));
        let proj = u.iter().map(|&i| space.proj[i]).collect();
        SortedPool { units: u, proj }
    }
}

/// A k-d tree over the whitened coordinates of one arm's units: boxes split at the median of their
/// widest coordinate, leaves of at most `KD_LEAF` units.
struct KdTree {
    k: usize,
    /// Units in tree order.
    units: Vec<usize>,
    /// Per node: `[start, end)` in `units`, and children (0 for a leaf: the root is never a child).
    nodes: Vec<(usize, usize, usize, usize)>,
    /// Per node: the box, k lows then k highs.
    bounds: Vec<f64>,
    /// Whitened coordinates of `units`, in tree order (row-major).
    z: Vec<f64>,
}

const KD_LEAF: usize = 12;

impl KdTree {
    fn new(space: &Space, units: &[usize]) -> KdTree {
        let k = space.k;
        let mut units = units.to_vec();
        units.sort_unstable();
        let mut tree = KdTree { k, units, nodes: Vec::new(), bounds: Vec::new(), z: Vec::new() };
        tree.nodes.push((0, tree.units.len(), 0, 0));
        // Breadth-first: nodes are processed in the order they are created, so node n's box sits
        // at n·2k in `bounds`.
        let mut queue = std::collections::VecDeque::from([0usize]);
        while let Some(node) = queue.pop_front() {
            let (start, end, _, _) = tree.nodes[node];
            let mut lo = vec![f64::INFINITY; k];
            let mut hi = vec![f64::NEG_INFINITY; k];
            for &u in &tree.units[start..end] {
                for c in 0..k {
                    let v = space.z[u * k + c];
                    lo[c] = lo[c].min(v);
                    hi[c] = hi[c].max(v);
                }
            }
            debug_assert_eq!(tree.bounds.len(), node * 2 * k);
            tree.bounds.extend_from_slice(&lo);
            tree.bounds.extend_from_slice(&hi);
            let (widest, width) =
                (0..k).map(|c| (c, hi[c] - lo[c])).fold((0, 0.0), |acc, (c, w)| if w > acc.1 { (c, w) } else { acc });
            if end - start <= KD_LEAF || width <= 0.0 {
                continue;
            }
            let mid = start + (end - start) / 2;
            tree.units[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
                space.z[a * k + widest].total_cmp(&space.z[b * k + widest]).then(a.cmp(&b))
            });
            let (left, right) = (tree.nodes.len(), tree.nodes.len() + 1);
            tree.nodes.push((start, mid, 0, 0));
            tree.nodes.push((mid, end, 0, 0));
            tree.nodes[node].2 = left;
            tree.nodes[node].3 = right;
            queue.push_back(left);
            queue.push_back(right);
        }
        tree.z = tree.units.iter().flat_map(|&u| space.z[u * k..(u + 1) * k].iter().copied()).collect();
        tree
    }

    /// Squared distance from `q` to the box of `node`.
    #[inline]
    fn box_distance(&self, node: usize, q: &[f64]) -> f64 {
        let k = self.k;
        let b = &self.bounds[node * 2 * k..(node + 1) * 2 * k];
        let mut s = 0.0;
        for c in 0..k {
            let e = (b[c] - q[c]).max(q[c] - b[k + c]).max(0.0);
            s += e * e;
        }
        s
    }
}

/// Where the matches of a query are searched.
enum Pool {
    /// One coordinate: sorted scores, binary search.
    Sorted(SortedPool),
    /// Several: a k-d tree on the whitened coordinates.
    Tree(KdTree),
}

impl Pool {
    fn new(space: &Space, units: &[usize]) -> Pool {
        if space.k == 1 { Pool::Sorted(SortedPool::new(space, units)) } else { Pool::Tree(KdTree::new(space, units)) }
    }
    fn len(&self) -> usize {
        match self {
            Pool::Sorted(p) => p.units.len(),
            Pool::Tree(t) => t.units.len(),
        }
    }
}

/// The candidates of one query: every eligible unit examined, and the `m` smallest distances.
struct Collector<'a> {
    m: usize,
    best: Vec<f64>,
    cand: &'a mut Vec<(f64, usize)>,
}

impl Collector<'_> {
    /// The current `m`-th smallest squared distance (infinite until `m` are found).
    #[inline]
    fn kth(&self) -> f64 {
        if self.best.len() == self.m { self.best[self.m - 1] } else { f64::INFINITY }
    }
    #[inline]
    fn offer(&mut self, d: f64, j: usize) {
        self.cand.push((d, j));
        if self.best.len() < self.m || d < self.best[self.m - 1] {
            let at = self.best.partition_point(|&b| b <= d);
            self.best.insert(at, d);
            self.best.truncate(self.m);
        }
    }
}

/// The units of `pool` within the `m`-th smallest distance of unit `i` (all ties when `ties`,
/// else the first `m` by distance then row), and within the caliper; `(unit, squared distance)`.
/// `exclude_self`: `i` belongs to the pool and is not its own match.
#[allow(clippy::too_many_arguments)]
fn nearest(
    space: &Space,
    pool: &Pool,
    i: usize,
    m: usize,
    caliper: Option<f64>,
    exclude_self: bool,
    ties: bool,
    cand: &mut Vec<(f64, usize)>,
) -> Vec<(usize, f64)> {
    cand.clear();
    let cal_reach = caliper.map_or(f64::INFINITY, |c| space.reach(c));
    let mut col = Collector { m, best: Vec::with_capacity(m + 1), cand };
    let reach = |col: &Collector| {
        let kth = col.kth();
        if kth.is_finite() { space.reach(kth.sqrt()).min(cal_reach) } else { cal_reach }
    };
    let consider = |col: &mut Collector, j: usize| {
        if exclude_self && j == i {
            return;
        }
        let d = space.dist(i, j);
        if caliper.is_some_and(|c| d.sqrt() > c) {
            return;
        }
        col.offer(d, j);
    };
    match pool {
        Pool::Sorted(pool) => {
            let q = space.proj[i];
            let n = pool.units.len();
            let pos = pool.proj.partition_point(|&p| p < q);
            let (mut l, mut r) = (pos, pos);
            loop {
                let gl = if l > 0 { q - pool.proj[l - 1] } else { f64::INFINITY };
                let gr = if r < n { pool.proj[r] - q } else { f64::INFINITY };
                let (gap, left) = if gl <= gr { (gl, true) } else { (gr, false) };
                if gap == f64::INFINITY || gap > reach(&col) {
                    break;
                }
                let j = if left {
                    l -= 1;
                    pool.units[l]
                } else {
                    r += 1;
                    pool.units[r - 1]
                };
                consider(&mut col, j);
            }
        }
        Pool::Tree(tree) => {
            let k = space.k;
            let q = &space.z[i * k..(i + 1) * k];
            // Depth-first, nearer child first; a box is skipped when even its nearest point is
            // beyond the current m-th distance.
            let mut stack: Vec<(usize, f64)> = vec![(0, tree.box_distance(0, q))];
            while let Some((node, lb)) = stack.pop() {
                let r = reach(&col);
                if lb > r * r {
                    continue;
                }
                let (start, end, left, right) = tree.nodes[node];
                if left == 0 {
                    // The whitened distance (k products) screens out most units before the exact
                    // one is computed from the raw differences.
                    for p in start..end {
                        let zp = &tree.z[p * k..(p + 1) * k];
                        let zd: f64 = zp.iter().zip(q).map(|(a, b)| (a - b) * (a - b)).sum();
                        let r = reach(&col);
                        if zd > r * r {
                            continue;
                        }
                        consider(&mut col, tree.units[p]);
                    }
                } else {
                    let (dl, dr) = (tree.box_distance(left, q), tree.box_distance(right, q));
                    if dl <= dr {
                        stack.push((right, dr));
                        stack.push((left, dl));
                    } else {
                        stack.push((left, dl));
                        stack.push((right, dr));
                    }
                }
            }
        }
    }
    let kth = col.kth();
    let mut out: Vec<(f64, usize)> = col.cand.iter().copied().filter(|&(d, _)| d <= kth).collect();
    if !ties && out.len() > m {
        out.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        out.truncate(m);
    }
    out.sort_by_key(|&(_, u)| u);
    out.into_iter().map(|(d, u)| (u, d)).collect()
}

/// Greedy matching without replacement: `queries` in processing order, each taking its `m`
/// nearest available units of `pool` (equal distances: lowest row first) within the caliper, which
/// then leave the pool. Returns `(query, matches)`, empty matches for units left unmatched.
fn greedy(
    space: &Space,
    pool: &SortedPool,
    queries: &[usize],
    m: usize,
    caliper: Option<f64>,
) -> Vec<(usize, Vec<(usize, f64)>)> {
    let n = pool.units.len();
    // right[p]: smallest available position ≥ p (n: none); left[p + 1]: largest available
    // position ≤ p, plus one (0: none). Path-halving union–find over removed positions.
    let mut right: Vec<usize> = (0..=n).collect();
    let mut left: Vec<usize> = (0..=n).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let cal_reach = caliper.map_or(f64::INFINITY, |c| space.reach(c));
    let mut out = Vec::with_capacity(queries.len());
    // (squared distance, unit, position), ascending by (distance, unit).
    let mut best: Vec<(f64, usize, usize)> = Vec::with_capacity(m + 1);
    for &i in queries {
        best.clear();
        let q = space.proj[i];
        let pos = pool.proj.partition_point(|&p| p < q);
        let mut r = find(&mut right, pos);
        let mut l = find(&mut left, pos); // position l − 1 when l > 0
        loop {
            let gl = if l > 0 { q - pool.proj[l - 1] } else { f64::INFINITY };
            let gr = if r < n { pool.proj[r] - q } else { f64::INFINITY };
            let (gap, go_left) = if gl <= gr { (gl, true) } else { (gr, false) };
            if gap == f64::INFINITY {
                break;
            }
            let reach = if best.len() == m { space.reach(best[m - 1].0.sqrt()) } else { f64::INFINITY };
            if gap > reach.min(cal_reach) {
                break;
            }
            let p = if go_left {
                let p = l - 1;
                l = find(&mut left, p);
                p
            } else {
                let p = r;
                r = find(&mut right, r + 1);
                p
            };
            let j = pool.units[p];
            let d = space.dist(i, j);
            if caliper.is_some_and(|c| d.sqrt() > c) {
                continue;
            }
            let key = (d, j, p);
            let before = |a: &(f64, usize, usize), b: &(f64, usize, usize)| a.0 < b.0 || (a.0 == b.0 && a.1 < b.1);
            if best.len() < m || before(&key, &best[m - 1]) {
                let at = best.partition_point(|b| before(b, &key));
                best.insert(at, key);
                best.truncate(m);
            }
        }
        for &(_, _, p) in &best {
            right[p] = p + 1;
            left[p + 1] = p;
        }
        let mut s: Vec<(usize, f64)> = best.iter().map(|&(d, j, _)| (j, d)).collect();
        s.sort_by_key(|&(u, _)| u);
        out.push((i, s));
    }
    out
}

/// A fitted [`NearestNeighbourMatching`].
///
/// Glance entries: `nobs`, `n_treated`, `n_control` (units with every column present),
/// `estimand`, `metric`, `matches` (M), `replace`, `ties`, `caliper` (NaN when none), `n_matched`
/// (units the estimand averages over), `n_unmatched` (left without a match within the caliper, or
/// without an available unit), `n_tied` (units with more than M matches because of ties),
/// `n_distinct_matches` (units used as a match at least once), `max_uses` (largest `Kⱼ`),
/// `mean_match_distance` (mean over matched units of the mean distance to their matches),
/// `bias_adjust`, `variance` (sample or population), `variance_matches` (J), `vcov_type`.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchingFit {
    call: String,
    spec: NearestNeighbourMatching,
    estimate: f64,
    se_sample: f64,
    se_population: f64,
    paired: f64,
    rows: Vec<usize>,
    treated: Vec<bool>,
    weights: Vec<f64>,
    effects: Vec<f64>,
    pscore: Option<Vec<f64>>,
    bias_mu0: Option<Vec<f64>>,
    bias_mu1: Option<Vec<f64>>,
    n_treated: usize,
    n_control: usize,
    n_matched: usize,
    n_unmatched: usize,
    n_tied: usize,
    n_distinct: usize,
    max_uses: f64,
    mean_distance: f64,
    diagnostics: Vec<Diagnostic>,
}

impl MatchingFit {
    /// The estimated effect (ATT, ATE or ATC).
    pub fn estimate(&self) -> f64 {
        self.estimate
    }
    /// The Abadie–Imbens standard error for the sample or the population effect (the tidy table
    /// reports the one chosen with [`NearestNeighbourMatching::variance`]).
    pub fn std_error(&self, v: MatchVariance) -> f64 {
        match v {
            MatchVariance::Sample => self.se_sample,
            MatchVariance::Population => self.se_population,
        }
    }
    /// The matched-pairs standard error `sd(τᵢ)/√N` over the matched units (divisor N − 1): the
    /// usual one after 1:1 matching without replacement; it ignores that controls are reused.
    pub fn paired_std_error(&self) -> f64 {
        self.paired
    }
    /// Matching weights `qᵢ + Kᵢ`, one per unit used (see [`rows`](Self::rows)): 1 for each unit
    /// the estimand averages over, plus the times it serves as a match (ties share the credit);
    /// 0 for units never used. Weighted arm means of the outcome differ by the estimate without
    /// bias correction; weighted arm means of covariates measure balance after matching.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }
    /// Positions in the input frame of the units, in the order of [`weights`](Self::weights)
    /// (rows with a missing value are left out).
    pub fn rows(&self) -> &[usize] {
        &self.rows
    }
    /// Treatment of each unit, in the order of [`rows`](Self::rows).
    pub fn treated(&self) -> &[bool] {
        &self.treated
    }
    /// Unit-level effects `τᵢ` (bias-corrected when asked for): `Yᵢ − Ŷᵢ(0)` for treated and
    /// `Ŷᵢ(1) − Yᵢ` for controls the estimand averages over; NaN for the other units.
    pub fn unit_effects(&self) -> &[f64] {
        &self.effects
    }
    /// The score matched on (propensity score or its linear predictor) with a score metric.
    pub fn propensity_scores(&self) -> Option<&[f64]> {
        self.pscore.as_deref()
    }
    /// Slopes of the bias-correction regressions, `(μ₀ on controls, μ₁ on treated)`, each present
    /// when bias correction used that arm's matches; in the order of the covariates (or the score).
    pub fn bias_coefficients(&self) -> (Option<&[f64]>, Option<&[f64]>) {
        (self.bias_mu0.as_deref(), self.bias_mu1.as_deref())
    }
    /// Units the estimand averages over (matched).
    pub fn n_matched(&self) -> usize {
        self.n_matched
    }
    /// Units left out for lack of a match.
    pub fn n_unmatched(&self) -> usize {
        self.n_unmatched
    }
    /// Units with more than M matches because of ties.
    pub fn n_tied(&self) -> usize {
        self.n_tied
    }
    /// Units used as a match at least once.
    pub fn n_distinct_matches(&self) -> usize {
        self.n_distinct
    }
    /// The largest number of times a unit is used (`max Kⱼ`).
    pub fn max_uses(&self) -> f64 {
        self.max_uses
    }
    /// Mean over matched units of the mean distance to their matches (metric units).
    pub fn mean_match_distance(&self) -> f64 {
        self.mean_distance
    }
    fn se(&self) -> f64 {
        self.std_error(self.spec.variance)
    }
}

impl Estimates for MatchingFit {
    fn design(&self) -> &str {
        "matching"
    }
    fn call(&self) -> String {
        self.call.clone()
    }
    fn coefficients(&self) -> Vec<Coefficient> {
        vec![Coefficient::new(self.spec.estimand.term(), self.estimate, self.se())]
    }
    fn glance(&self) -> Glance {
        let s = &self.spec;
        Glance::new()
            .with(glance_names::NOBS, self.n_treated + self.n_control)
            .with(glance_names::N_TREATED, self.n_treated)
            .with(glance_names::N_CONTROL, self.n_control)
            .with("estimand", s.estimand.term())
            .with("metric", s.metric.name())
            .with("matches", s.matches)
            .with("replace", s.replace)
            .with("ties", s.ties)
            .with("caliper", s.caliper.unwrap_or(f64::NAN))
            .with("n_matched", self.n_matched)
            .with("n_unmatched", self.n_unmatched)
            .with("n_tied", self.n_tied)
            .with("n_distinct_matches", self.n_distinct)
            .with("max_uses", self.max_uses)
            .with("mean_match_distance", self.mean_distance)
            .with("bias_adjust", s.bias_adjust)
            .with(
                "variance",
                match s.variance {
                    MatchVariance::Sample => "sample",
                    MatchVariance::Population => "population",
                },
            )
            .with("variance_matches", s.variance_matches)
            .with(glance_names::VCOV_TYPE, "Abadie-Imbens")
    }
    fn diagnostics(&self) -> Vec<Diagnostic> {
        self.diagnostics.clone()
    }
    fn vcov(&self) -> Option<Vcov> {
        let se = self.se();
        Some(Vcov {
            terms: vec![self.spec.estimand.term().into()],
            values: vec![se * se],
            kind: "Abadie-Imbens".into(),
        })
    }
}

/// Implements `FromStr` from a table of (name, value), unknown names listing the accepted ones.
macro_rules! named {
    ($ty:ty, $option:literal, [$(($name:literal, $value:expr)),+ $(,)?]) => {
        impl FromStr for $ty {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($name => Ok($value),)+
                    other => Err(Error::unknown_option($option, other, &[$($name),+])),
                }
            }
        }
    };
}

named!(
    MatchEstimand,
    "estimand",
    [("ate", MatchEstimand::Ate), ("att", MatchEstimand::Att), ("atc", MatchEstimand::Atc)]
);
named!(
    Metric,
    "metric",
    [
        ("inverse_variance", Metric::InverseVariance),
        ("mahalanobis", Metric::Mahalanobis),
        ("euclidean", Metric::Euclidean),
        ("pscore", Metric::PropensityScore),
        ("linear_pscore", Metric::LinearPropensityScore)
    ]
);
named!(MatchVariance, "variance", [("sample", MatchVariance::Sample), ("population", MatchVariance::Population)]);
named!(
    MatchOrder,
    "order",
    [("data", MatchOrder::Data), ("largest", MatchOrder::LargestFirst), ("smallest", MatchOrder::SmallestFirst)]
);

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(space: &Space, pool: &[usize], i: usize, m: usize, exclude_self: bool) -> Vec<usize> {
        let mut d: Vec<(f64, usize)> =
            pool.iter().filter(|&&j| !(exclude_self && j == i)).map(|&j| (space.dist(i, j), j)).collect();
        d.sort_by(|a, b| a.0.total_cmp(&b.0));
        let kth = d[m - 1].0;
        let mut out: Vec<usize> = d.iter().filter(|x| x.0 <= kth).map(|x| x.1).collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn pruned_search_equals_brute_force_with_ties() {
        // Deterministic pseudo-random points on a coarse grid (many exact ties), three metrics.
        let n = 300;
        let k = 3;
        let mut state = 12345u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) % 7) as f64
        };
        let x: Vec<f64> = (0..n * k).map(|_| next()).collect();
        let w_full = vec![2.0, 0.5, 0.1, 0.5, 1.0, 0.2, 0.1, 0.2, 0.7];
        let forms =
            [Form::Diagonal(vec![1.0, 0.3, 2.0]), Form::factor(&w_full, k).unwrap(), Form::Diagonal(vec![1.0; 3])];
        for form in forms {
            let space = Space::new(k, x.clone(), form);
            let pool_units: Vec<usize> = (0..n).filter(|i| i % 3 != 0).collect();
            let pool = Pool::new(&space, &pool_units);
            let mut scratch = Vec::new();
            for i in (0..n).step_by(7) {
                for m in [1, 2, 4] {
                    let ex = i % 3 != 0;
                    let got: Vec<usize> =
                        nearest(&space, &pool, i, m, None, ex, true, &mut scratch).iter().map(|x| x.0).collect();
                    assert_eq!(got, brute(&space, &pool_units, i, m, ex), "query {i}, m {m}");
                }
            }
        }
    }

    #[test]
    fn greedy_takes_lowest_row_among_equal_distances() {
        // Scores: query 0 at 0.5; controls at 0.4 (rows 2 and 1, in that order) and 0.6 (row 3).
        let s = vec![0.5, 0.4, 0.4, 0.6, 0.5];
        let space = Space::new(1, s, Form::Scalar);
        let pool = SortedPool::new(&space, &[1, 2, 3]);
        let out = greedy(&space, &pool, &[0, 4], 1, None);
        // Distances 0.1 (rows 1, 2) and ≈0.1 (row 3): the smallest exactly-rounded distance wins,
        // lowest row among exact ties; then the next query takes what is left.
        let first = out[0].1[0].0;
        let d = |j: usize| (space.x[j] - 0.5f64).powi(2);
        let expect = [1usize, 2, 3].into_iter().min_by(|&a, &b| d(a).total_cmp(&d(b)).then(a.cmp(&b))).unwrap();
        assert_eq!(first, expect);
        assert_ne!(out[1].1[0].0, first);
    }

    #[test]
    fn names_parse() {
        assert_eq!("ATT".parse::<MatchEstimand>().unwrap(), MatchEstimand::Att);
        assert_eq!("pscore".parse::<Metric>().unwrap(), Metric::PropensityScore);
        assert!("mahalanobiss".parse::<Metric>().unwrap_err().to_string().contains("did you mean `mahalanobis`"));
    }
}
