//! Synthetic difference-in-differences (Arkhangelsky, Athey, Hirshberg, Imbens and Wager 2021)
//! and the synthetic-control and DiD estimators as its special cases.

use super::data::{Assignment, Mat, OutcomePanel};
use super::fw::{fw_weights, sparsify, sum_normalize};
use phare_core::{Coefficient, Diagnostic, Error, Estimates, Glance, Result, Seed, SimRng, Vcov, glance_names};
use phare_data::polars::prelude::DataFrame;
use rayon::prelude::*;

/// Which estimator of the synthetic-DiD family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SdidMethod {
    /// Synthetic DiD: regularised unit weights ω with an intercept and time weights λ.
    #[default]
    Sdid,
    /// Synthetic control in the same framework: unit weights without intercept (and an almost
    /// zero penalty), no time weights. It is the `sc_estimate` of the paper's Table 1.
    Sc,
    /// Plain difference-in-differences: uniform unit and time weights.
    Did,
}

impl SdidMethod {
    /// The name used on the command line and in outputs.
    pub fn name(self) -> &'static str {
        match self {
            SdidMethod::Sdid => "sdid",
            SdidMethod::Sc => "sc",
            SdidMethod::Did => "did",
        }
    }
    /// A label for tables and briefs.
    pub fn label(self) -> &'static str {
        match self {
            SdidMethod::Sdid => "Synthetic DiD",
            SdidMethod::Sc => "Synthetic control",
            SdidMethod::Did => "Difference-in-differences",
        }
    }
}

impl std::str::FromStr for SdidMethod {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "sdid" => Ok(SdidMethod::Sdid),
            "sc" => Ok(SdidMethod::Sc),
            "did" => Ok(SdidMethod::Did),
            _ => Err(Error::unknown_option("method", s, &["sdid", "sc", "did"])),
        }
    }
}

/// How the standard error is estimated (Arkhangelsky et al. 2021, section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SdidVariance {
    /// Placebo (Algorithm 4): donors reassigned at random as fake treated units, the estimator
    /// re-run, the spread of the placebo estimates. Works with a single treated unit; needs more
    /// donors than treated units, and assumes treatment effects do not vary much across units.
    #[default]
    Placebo,
    /// Unit bootstrap (Algorithm 2): units resampled with replacement, weights re-estimated.
    /// Needs several treated units to mean anything.
    Bootstrap,
    /// Jackknife with the weights held fixed (Algorithm 3): each unit left out in turn. Needs at
    /// least two treated units.
    Jackknife,
    /// No standard error (the point estimate only).
    None,
}

impl SdidVariance {
    /// The name used on the command line and in outputs.
    pub fn name(self) -> &'static str {
        match self {
            SdidVariance::Placebo => "placebo",
            SdidVariance::Bootstrap => "bootstrap",
            SdidVariance::Jackknife => "jackknife",
            SdidVariance::None => "none",
        }
    }
}

impl std::str::FromStr for SdidVariance {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "placebo" => Ok(SdidVariance::Placebo),
            "bootstrap" => Ok(SdidVariance::Bootstrap),
            "jackknife" => Ok(SdidVariance::Jackknife),
            "none" => Ok(SdidVariance::None),
            _ => Err(Error::unknown_option("se", s, &["placebo", "bootstrap", "jackknife", "none"])),
        }
    }
}

/// Synthetic difference-in-differences, synthetic control and DiD in one framework
/// (Arkhangelsky, Athey, Hirshberg, Imbens and Wager 2021).
///
/// With `N₀` donors, `N₁` treated units, `T₀` periods before treatment and `T₁` after, the
/// estimate is the weighted double difference
///
/// ```text
/// τ̂ = (Ȳ_tr,post − Σᵢ ωᵢ Yᵢ,post) − Σₜ λₜ (Ȳ_tr,t − Σᵢ ωᵢ Yᵢ,t)
/// ```
///
/// where `Ȳ_tr` is the treated units' mean, `Yᵢ,post` a donor's mean after treatment, `ω` unit
/// weights and `λ` time weights, both on the simplex:
///
/// - **sdid**: ω makes the donors' pre-period path parallel to the treated one (up to a constant),
///   with a ridge penalty `ζ_ω = (N₁T₁)^¼ · σ̂`; λ makes the pre periods resemble the post periods
///   for the donors (penalty `ζ_λ = 10⁻⁶ σ̂`). σ̂ is the standard deviation of the donors'
///   period-to-period changes before treatment.
/// - **sc**: ω matches the pre-period path exactly (no constant, penalty `10⁻⁶ σ̂`); λ = 0.
/// - **did**: uniform ω and λ.
///
/// The weights are computed by Frank–Wolfe with the reference implementation's stopping rules and
/// its sparsification step (see the module docs of the solver), which reproduces the paper's
/// California estimates (−15.604, −19.620, −27.349) to 1e-4 or better.
///
/// **Staggered adoption.** With units adopting at different periods (a 0/1 treatment column), the
/// estimator is run once per adoption cohort — that cohort's units against the never-treated donors,
/// over all periods — and the cohort estimates are averaged with weights proportional to the
/// number of treated unit-periods (`N₁,g · T₁,g`), as proposed by Arkhangelsky et al. (2021,
/// appendix) and implemented in Stata's `sdid` (Clarke et al. 2023). The reference R package does
/// not support this case. Placebo replicates assign the cohorts' sizes to randomly chosen donors.
///
/// | parameter | default | purpose |
/// |---|---|---|
/// | `treated(unit, start)` / `treatment(column)` | required | who is treated and from when |
/// | `method(…)` | `sdid` | [`SdidMethod`] |
/// | `variance(…)` | placebo | [`SdidVariance`] |
/// | `replications(r)` | 200 | placebo and bootstrap replications |
/// | `seed(s)` | [`Seed::DEFAULT`] | replicate `b` draws from `seed.replicate(b)`: results do not depend on threads |
///
/// # Errors
/// Missing columns or duplicated (unit, period) rows; [`Error::InvalidValue`] for a treated unit
/// that does not exist; [`Error::InvalidArgument`] for a start outside the panel; [`Error::Design`]
/// for fewer than two donors, a treated unit with missing outcomes, fewer than two pre periods, or
/// a variance the data cannot support (placebo with no more donors than treated units, jackknife
/// with one treated unit).
///
/// # Example
/// ```
/// use phare_causal::synth::{SdidVariance, SyntheticDid};
/// use phare_core::Estimates;
/// let prop99 = phare_data::load_dataset("prop99")?;
/// let fit = SyntheticDid::new("cigsale", "state", "year")
///     .treated("California", 1989)
///     .variance(SdidVariance::None)
///     .fit(&prop99)?;
/// assert!((fit.att() - -15.604).abs() < 1e-3); // Arkhangelsky et al. (2021), Table 1
/// # Ok::<(), phare_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticDid {
    outcome: String,
    unit: String,
    time: String,
    assignment: Option<Assignment>,
    method: SdidMethod,
    variance: SdidVariance,
    replications: usize,
    seed: Seed,
}

impl SyntheticDid {
    /// The design on `outcome`, units in `unit`, periods in `time`.
    pub fn new(outcome: &str, unit: &str, time: &str) -> Self {
        SyntheticDid {
            outcome: outcome.into(),
            unit: unit.into(),
            time: time.into(),
            assignment: None,
            method: SdidMethod::Sdid,
            variance: SdidVariance::Placebo,
            replications: 200,
            seed: Seed::DEFAULT,
        }
    }

    /// One treated unit (its identifier as text), treated from `start` on.
    pub fn treated(mut self, unit: &str, start: i64) -> Self {
        self.assignment = Some(Assignment::unit(unit, start));
        self
    }

    /// Several treated units, all treated from `start` on (their mean is the treated path).
    pub fn treated_units(mut self, units: &[&str], start: i64) -> Self {
        self.assignment = Some(Assignment::Units { units: units.iter().map(|s| s.to_string()).collect(), start });
        self
    }

    /// Treatment from a 0/1 column (staggered adoption allowed).
    pub fn treatment(mut self, column: &str) -> Self {
        self.assignment = Some(Assignment::Column(column.into()));
        self
    }

    /// Who is treated and from when.
    pub fn assignment(mut self, assignment: Assignment) -> Self {
        self.assignment = Some(assignment);
        self
    }

    /// The estimator.
    pub fn method(mut self, method: SdidMethod) -> Self {
        self.method = method;
        self
    }

    /// The variance estimator.
    pub fn variance(mut self, variance: SdidVariance) -> Self {
        self.variance = variance;
        self
    }

    /// Placebo and bootstrap replications (default 200).
    pub fn replications(mut self, r: usize) -> Self {
        self.replications = r;
        self
    }

    /// The random seed of placebo and bootstrap draws.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Fits the estimator and its standard error.
    ///
    /// # Errors
    /// See the type's docs.
    pub fn fit(&self, df: &DataFrame) -> Result<SyntheticDidFit> {
        let assignment = self.assignment.as_ref().ok_or_else(|| Error::InvalidArgument {
            name: "treated".into(),
            value: "(not set)".into(),
            reason: "the design needs to know which unit is treated and from when".into(),
            hint: Some(
                "call treated(\"California\", 1989) or treatment(\"treated\") (CLI: --treated and --treat-start)"
                    .into(),
            ),
        })?;
        if matches!(self.variance, SdidVariance::Placebo | SdidVariance::Bootstrap) && self.replications < 2 {
            return Err(Error::InvalidArgument {
                name: "replications".into(),
                value: self.replications.to_string(),
                reason: "a standard error needs at least 2 replications".into(),
                hint: Some("200 is the usual choice".into()),
            });
        }
        let data = OutcomePanel::build(df, &self.outcome, &self.unit, &self.time, assignment)?;
        let mut diagnostics = data.diagnostics.clone();
        let design = Design::new(&data, self.method)?;
        let est = design.estimate(&data.y, data.n0, &design.groups(), None)?;
        let (se, draws, cohort_se) = self.standard_error(&data, &design, &est, &mut diagnostics)?;
        Ok(SyntheticDidFit::assemble(self, data, design, est, se, draws, cohort_se, diagnostics))
    }

    /// The standard error, its replicate estimates and per-cohort standard errors.
    #[allow(clippy::type_complexity)]
    fn standard_error(
        &self,
        data: &OutcomePanel,
        design: &Design,
        est: &Estimate,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<(f64, Vec<f64>, Vec<f64>)> {
        let n0 = data.n0;
        let n1 = data.n() - n0;
        let t = data.t();
        let n_cohorts = design.cohorts.len();
        let draws: Vec<Vec<f64>> = match self.variance {
            SdidVariance::None => return Ok((f64::NAN, Vec::new(), vec![f64::NAN; n_cohorts])),
            SdidVariance::Placebo => {
                if n0 <= n1 {
                    return Err(Error::design(
                        format!(
                            "the placebo standard error needs more donors than treated units ({n0} donors, {n1} treated)"
                        ),
                        "use --se bootstrap or jackknife when many units are treated",
                    ));
                }
                let groups = design.groups();
                let sizes: Vec<usize> = groups.iter().map(|g| g.len()).collect();
                (0..self.replications)
                    .into_par_iter()
                    .map(|b| {
                        let mut rng = SimRng::new(self.seed.replicate(b as u64));
                        let perm = permutation(n0, &mut rng);
                        // The last n1 donors of the permutation become fake treated units, with
                        // the cohorts' sizes in order.
                        let (controls, fake) = perm.split_at(n0 - n1);
                        let rows: Vec<usize> = controls.iter().chain(fake).copied().collect();
                        let y = take_rows(&data.y, t, &rows);
                        let mut at = n0 - n1;
                        let groups: Vec<Vec<usize>> = sizes
                            .iter()
                            .map(|&s| {
                                let g = (at..at + s).collect();
                                at += s;
                                g
                            })
                            .collect();
                        let init = est.restrict(controls);
                        design.estimate(&y, n0 - n1, &groups, Some(&init)).map(|e| e.all())
                    })
                    .collect::<Result<Vec<_>>>()?
            }
            SdidVariance::Bootstrap => {
                let n = data.n();
                let owner: Vec<Option<usize>> = unit_cohorts(design, n0, n);
                (0..self.replications)
                    .into_par_iter()
                    .map(|b| {
                        let mut rng = SimRng::new(self.seed.replicate(b as u64));
                        // Redraw until the sample has a donor and a treated unit (each replicate
                        // from its own stream, so the result still does not depend on threads).
                        for _ in 0..10_000 {
                            let mut ind: Vec<usize> = (0..n).map(|_| rng.below(n as u64) as usize).collect();
                            ind.sort_unstable();
                            let m0 = ind.partition_point(|&i| i < n0);
                            if m0 == 0 || m0 == n {
                                continue;
                            }
                            let y = take_rows(&data.y, t, &ind);
                            let groups = regroup(&ind[m0..], &owner, n_cohorts, m0);
                            let init = est.restrict(&ind[..m0]);
                            return design.estimate(&y, m0, &groups, Some(&init)).map(|e| e.all());
                        }
                        Err(Error::design(
                            "the bootstrap could not draw a sample with both donors and treated units",
                            "use --se placebo",
                        ))
                    })
                    .collect::<Result<Vec<_>>>()?
            }
            SdidVariance::Jackknife => {
                if n1 < 2 {
                    return Err(Error::design(
                        "the jackknife standard error is not defined with a single treated unit",
                        "use --se placebo (the paper's recommendation with one treated unit)",
                    ));
                }
                let n = data.n();
                let owner = unit_cohorts(design, n0, n);
                let fixed = Design { update_omega: false, update_lambda: false, ..design.clone() };
                let u: Vec<Vec<f64>> = (0..n)
                    .into_par_iter()
                    .map(|leave| {
                        let ind: Vec<usize> = (0..n).filter(|&i| i != leave).collect();
                        let m0 = ind.partition_point(|&i| i < n0);
                        let y = take_rows(&data.y, t, &ind);
                        let groups = regroup(&ind[m0..], &owner, n_cohorts, m0);
                        let init = est.restrict(&ind[..m0]);
                        fixed.estimate(&y, m0, &groups, Some(&init)).map(|e| e.all())
                    })
                    .collect::<Result<Vec<_>>>()?;
                let nf = n as f64;
                let se_of = |k: usize| {
                    let v: Vec<f64> = u.iter().map(|d| d[k]).filter(|x| x.is_finite()).collect();
                    let m = v.iter().sum::<f64>() / v.len() as f64;
                    ((nf - 1.0) / nf * v.iter().map(|x| (x - m) * (x - m)).sum::<f64>()).sqrt()
                };
                let cohort_se = (0..n_cohorts).map(|g| se_of(1 + g)).collect();
                return Ok((se_of(0), u.iter().map(|d| d[0]).collect(), cohort_se));
            }
        };
        let failed = draws.iter().filter(|d| !d[0].is_finite()).count();
        if failed > 0 {
            diagnostics.push(Diagnostic::warning(
                "replicates_failed",
                format!(
                    "{failed} of {} {} replicates gave no estimate and were left out",
                    draws.len(),
                    self.variance.name()
                ),
            ));
        }
        let se_of = |k: usize| {
            let v: Vec<f64> = draws.iter().map(|d| d[k]).filter(|x| x.is_finite()).collect();
            population_sd(&v)
        };
        let cohort_se = (0..n_cohorts).map(|g| se_of(1 + g)).collect();
        Ok((se_of(0), draws.iter().map(|d| d[0]).collect(), cohort_se))
    }
}

/// `√((B − 1)/B) · sd` over replicates: the standard deviation with divisor B.
fn population_sd(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return f64::NAN;
    }
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n).sqrt()
}

/// A uniformly random permutation of `0..n` (Fisher–Yates).
pub(crate) fn permutation(n: usize, rng: &mut SimRng) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        p.swap(i, j);
    }
    p
}

/// Rows `rows` of the row-major matrix `y` (`t` columns).
pub(crate) fn take_rows(y: &[f64], t: usize, rows: &[usize]) -> Vec<f64> {
    rows.iter().flat_map(|&i| y[i * t..(i + 1) * t].iter().copied()).collect()
}

/// Per original row: the cohort index of a treated unit (`None` for donors).
fn unit_cohorts(design: &Design, n0: usize, n: usize) -> Vec<Option<usize>> {
    let mut owner = vec![None; n];
    for (g, members) in design.groups().iter().enumerate() {
        for &i in members {
            owner[i] = Some(g);
        }
    }
    debug_assert!(owner[..n0].iter().all(Option::is_none));
    owner
}

/// The cohort groups of a resample: `treated` are original row indices (sorted), placed from row
/// `offset` of the resampled matrix on.
fn regroup(treated: &[usize], owner: &[Option<usize>], n_cohorts: usize, offset: usize) -> Vec<Vec<usize>> {
    let mut groups = vec![Vec::new(); n_cohorts];
    for (k, &i) in treated.iter().enumerate() {
        if let Some(g) = owner[i] {
            groups[g].push(offset + k);
        }
    }
    groups
}

/// The estimator's settings, fixed once from the full sample (as the reference implementation
/// does: the noise level and penalties are not recomputed in replicates).
#[derive(Debug, Clone, PartialEq)]
struct Design {
    method: SdidMethod,
    /// Adoption period and pre-period count of each cohort.
    cohorts: Vec<(i64, usize)>,
    /// Per cohort: the treated rows in the full matrix.
    members: Vec<Vec<usize>>,
    t: usize,
    /// Per cohort: the noise level σ̂ and the penalties and tolerance it scales.
    noise: Vec<f64>,
    zeta_omega: Vec<f64>,
    zeta_lambda: Vec<f64>,
    min_decrease: Vec<f64>,
    update_omega: bool,
    update_lambda: bool,
}

/// Frank–Wolfe steps before the sparsification, then at most this many after it.
const PRE_SPARSIFY_ITER: usize = 100;
const MAX_ITER: usize = 10_000;

impl Design {
    fn new(data: &OutcomePanel, method: SdidMethod) -> Result<Design> {
        let t = data.t();
        let n0 = data.n0;
        let mut cohorts = Vec::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        for (k, &g) in data.starts.iter().enumerate() {
            if cohorts.last().map(|c: &(i64, usize)| c.0) != Some(g) {
                cohorts.push((g, data.pre_periods(g)));
                members.push(Vec::new());
            }
            if let Some(m) = members.last_mut() {
                m.push(n0 + k);
            }
        }
        if let Some(&(g, t0)) = cohorts.iter().find(|c| c.1 < 2) {
            return Err(Error::design(
                format!(
                    "units treated from {g} have {t0} period{} before treatment; synthetic DiD needs at least two",
                    if t0 == 1 { "" } else { "s" }
                ),
                "start the treatment later or add earlier periods",
            ));
        }
        // Noise level of each cohort: the standard deviation of the donors' first differences
        // before that cohort's treatment, pooled over donors and periods (divisor n − 1). Each
        // cohort's estimate is then exactly the estimate on that cohort and the donors alone.
        let noise: Vec<f64> = cohorts
            .iter()
            .map(|&(_, t0)| {
                let diffs: Vec<f64> = (0..n0)
                    .flat_map(|i| (1..t0).map(move |s| (i, s)))
                    .map(|(i, s)| data.y[i * t + s] - data.y[i * t + s - 1])
                    .collect();
                let m = diffs.iter().sum::<f64>() / diffs.len() as f64;
                (diffs.iter().map(|d| (d - m) * (d - m)).sum::<f64>() / (diffs.len() as f64 - 1.0)).sqrt()
            })
            .collect();
        let zeta_omega = cohorts
            .iter()
            .zip(&members)
            .zip(&noise)
            .map(|((&(_, t0), mem), sigma)| match method {
                SdidMethod::Sdid => ((mem.len() * (t - t0)) as f64).powf(0.25) * sigma,
                SdidMethod::Sc | SdidMethod::Did => 1e-6 * sigma,
            })
            .collect();
        Ok(Design {
            method,
            cohorts,
            members,
            t,
            zeta_omega,
            zeta_lambda: noise.iter().map(|s| 1e-6 * s).collect(),
            min_decrease: noise.iter().map(|s| 1e-5 * s).collect(),
            noise,
            update_omega: method != SdidMethod::Did,
            update_lambda: method == SdidMethod::Sdid,
        })
    }

    fn groups(&self) -> Vec<Vec<usize>> {
        self.members.clone()
    }

    /// The estimate on `y` (rows: `n0` donors then treated rows, grouped by cohort in `groups`;
    /// a cohort with no row in this sample is skipped), starting the weights from `init` when
    /// given (replicates start from the full-sample weights, as in the reference implementation).
    fn estimate(&self, y: &[f64], n0: usize, groups: &[Vec<usize>], init: Option<&Estimate>) -> Result<Estimate> {
        let t = self.t;
        let mut per = Vec::with_capacity(groups.len());
        for (g, rows) in groups.iter().enumerate() {
            if rows.is_empty() {
                per.push(None);
                continue;
            }
            let t0 = self.cohorts[g].1;
            let start = init.and_then(|e| e.cohorts[g].as_ref());
            per.push(Some(self.cohort_estimate(y, t, n0, rows, t0, g, start)));
        }
        // Weights: treated unit-periods.
        let mut num = 0.0;
        let mut den = 0.0;
        for (g, c) in per.iter().enumerate() {
            if let Some(c) = c {
                let w = (groups[g].len() * (t - self.cohorts[g].1)) as f64;
                num += w * c.tau;
                den += w;
            }
        }
        Ok(Estimate { tau: if den > 0.0 { num / den } else { f64::NAN }, cohorts: per })
    }

    #[allow(clippy::too_many_arguments)]
    fn cohort_estimate(
        &self,
        y: &[f64],
        t: usize,
        n0: usize,
        treated: &[usize],
        t0: usize,
        g: usize,
        start: Option<&CohortWeights>,
    ) -> CohortWeights {
        let n1 = treated.len() as f64;
        let t1 = (t - t0) as f64;
        // Treated mean path.
        let tr: Vec<f64> = (0..t).map(|s| treated.iter().map(|&i| y[i * t + s]).sum::<f64>() / n1).collect();
        // Collapsed form: donors' pre periods plus their post mean; the treated mean below.
        let post_mean = |row: &[f64]| row[t0..].iter().sum::<f64>() / t1;
        let omega = match self.method {
            SdidMethod::Did => vec![1.0 / n0 as f64; n0],
            _ if !self.update_omega => start.map(|s| s.omega.clone()).unwrap_or_else(|| vec![1.0 / n0 as f64; n0]),
            _ => {
                // Periods as rows: columns are the donors' pre-period outcomes, then the treated mean.
                let v: Vec<f64> =
                    (0..t0).flat_map(|s| (0..n0).map(move |i| y[i * t + s]).chain(std::iter::once(tr[s]))).collect();
                let a = Mat::new(t0, n0 + 1, v);
                let intercept = self.method == SdidMethod::Sdid;
                let zeta = self.zeta_omega[g];
                let first = fw_weights(
                    &a,
                    zeta,
                    intercept,
                    start.map(|s| s.omega.clone()),
                    self.min_decrease[g],
                    PRE_SPARSIFY_ITER,
                );
                fw_weights(&a, zeta, intercept, Some(sparsify(&first)), self.min_decrease[g], MAX_ITER)
            }
        };
        let lambda = match self.method {
            SdidMethod::Did => vec![1.0 / t0 as f64; t0],
            SdidMethod::Sc => vec![0.0; t0],
            SdidMethod::Sdid if !self.update_lambda => {
                start.map(|s| s.lambda.clone()).unwrap_or_else(|| vec![1.0 / t0 as f64; t0])
            }
            SdidMethod::Sdid => {
                // Donors as rows: their pre-period outcomes, then their post-period mean.
                let v: Vec<f64> = (0..n0)
                    .flat_map(|i| {
                        let row = &y[i * t..(i + 1) * t];
                        row[..t0].iter().copied().chain(std::iter::once(post_mean(row)))
                    })
                    .collect();
                let a = Mat::new(n0, t0 + 1, v);
                let first = fw_weights(
                    &a,
                    self.zeta_lambda[g],
                    true,
                    start.map(|s| s.lambda.clone()),
                    self.min_decrease[g],
                    PRE_SPARSIFY_ITER,
                );
                fw_weights(&a, self.zeta_lambda[g], true, Some(sparsify(&first)), self.min_decrease[g], MAX_ITER)
            }
        };
        // Synthetic path Σ ωᵢ Yᵢ,s; the differences treated − synthetic; τ̂.
        let synth: Vec<f64> = (0..t).map(|s| (0..n0).map(|i| omega[i] * y[i * t + s]).sum::<f64>()).collect();
        let diff: Vec<f64> = tr.iter().zip(&synth).map(|(a, b)| a - b).collect();
        let offset: f64 = lambda.iter().zip(&diff[..t0]).map(|(l, d)| l * d).sum();
        let tau = diff[t0..].iter().sum::<f64>() / t1 - offset;
        CohortWeights { tau, omega, lambda, treated_path: tr, synthetic_path: synth, offset }
    }
}

/// One cohort's weights and estimate.
#[derive(Debug, Clone, PartialEq)]
struct CohortWeights {
    tau: f64,
    omega: Vec<f64>,
    lambda: Vec<f64>,
    treated_path: Vec<f64>,
    synthetic_path: Vec<f64>,
    offset: f64,
}

/// An estimate: the aggregate and each cohort's (`None` for a cohort absent from a resample).
#[derive(Debug, Clone, PartialEq)]
struct Estimate {
    tau: f64,
    cohorts: Vec<Option<CohortWeights>>,
}

impl Estimate {
    /// The aggregate then each cohort's estimate (`NaN` when absent).
    fn all(&self) -> Vec<f64> {
        std::iter::once(self.tau).chain(self.cohorts.iter().map(|c| c.as_ref().map_or(f64::NAN, |c| c.tau))).collect()
    }

    /// Starting weights for a replicate keeping donors `rows` (indices into the full sample's
    /// donors): their unit weights renormalised, the time weights unchanged.
    fn restrict(&self, rows: &[usize]) -> Estimate {
        Estimate {
            tau: self.tau,
            cohorts: self
                .cohorts
                .iter()
                .map(|c| {
                    c.as_ref().map(|c| CohortWeights {
                        omega: sum_normalize(&rows.iter().map(|&i| c.omega[i]).collect::<Vec<_>>()),
                        ..c.clone()
                    })
                })
                .collect(),
        }
    }
}

/// One adoption cohort's estimate in a [`SyntheticDidFit`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CohortEstimate {
    /// First treated period.
    pub cohort: i64,
    /// Treated units in the cohort.
    pub n_treated: usize,
    /// Periods before and from the cohort's adoption.
    pub pre_periods: usize,
    /// Periods from adoption on.
    pub post_periods: usize,
    /// Weight in the aggregate (share of treated unit-periods).
    pub weight: f64,
    /// The cohort's estimate.
    pub att: f64,
    /// Its standard error from the same replicates.
    pub std_error: f64,
    /// Unit weights, one per donor (in [`SyntheticDidFit::donors`] order).
    pub omega: Vec<f64>,
    /// Time weights, one per pre period.
    pub lambda: Vec<f64>,
    /// The cohort's mean treated path, one value per period.
    pub treated_path: Vec<f64>,
    /// Σ ωᵢ Yᵢ,t, one value per period.
    pub synthetic_path: Vec<f64>,
    /// Σ λₜ (treated − synthetic) over pre periods: the level difference the estimator removes.
    pub offset: f64,
}

/// A fitted [`SyntheticDid`].
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticDidFit {
    method: SdidMethod,
    variance: SdidVariance,
    att: f64,
    se: f64,
    replicates: Vec<f64>,
    replications: usize,
    seed: Seed,
    donors: Vec<String>,
    treated: Vec<String>,
    periods: Vec<i64>,
    cohorts: Vec<CohortEstimate>,
    noise: f64,
    zeta_omega: f64,
    zeta_lambda: f64,
    call: String,
    diagnostics: Vec<Diagnostic>,
}

impl SyntheticDidFit {
    #[allow(clippy::too_many_arguments)]
    fn assemble(
        spec: &SyntheticDid,
        data: OutcomePanel,
        design: Design,
        est: Estimate,
        se: f64,
        replicates: Vec<f64>,
        cohort_se: Vec<f64>,
        diagnostics: Vec<Diagnostic>,
    ) -> SyntheticDidFit {
        let t = data.t();
        let total: f64 =
            design.cohorts.iter().zip(&design.members).map(|(&(_, t0), m)| (m.len() * (t - t0)) as f64).sum();
        let cohorts = design
            .cohorts
            .iter()
            .zip(&design.members)
            .zip(est.cohorts)
            .zip(cohort_se)
            .filter_map(|(((&(g, t0), m), c), se)| {
                c.map(|c| CohortEstimate {
                    cohort: g,
                    n_treated: m.len(),
                    pre_periods: t0,
                    post_periods: t - t0,
                    weight: (m.len() * (t - t0)) as f64 / total,
                    att: c.tau,
                    std_error: se,
                    omega: c.omega,
                    lambda: c.lambda,
                    treated_path: c.treated_path,
                    synthetic_path: c.synthetic_path,
                    offset: c.offset,
                })
            })
            .collect();
        let treated: Vec<String> = data.units[data.n0..].to_vec();
        let call = format!(
            "synthetic DiD family: method {}, outcome {}, unit {}, time {}, treated {}, se {}{}",
            spec.method.name(),
            spec.outcome,
            spec.unit,
            spec.time,
            match &spec.assignment {
                Some(Assignment::Column(c)) => format!("from column {c}"),
                Some(Assignment::Units { units, start }) => format!("{} from {start}", units.join(", ")),
                None => String::new(),
            },
            spec.variance.name(),
            if matches!(spec.variance, SdidVariance::Placebo | SdidVariance::Bootstrap) {
                format!(" ({} replications, seed {})", spec.replications, spec.seed)
            } else {
                String::new()
            }
        );
        SyntheticDidFit {
            method: spec.method,
            variance: spec.variance,
            att: est.tau,
            se,
            replicates,
            replications: spec.replications,
            seed: spec.seed,
            donors: data.units[..data.n0].to_vec(),
            treated,
            periods: data.periods,
            cohorts,
            noise: design.noise[0],
            zeta_omega: design.zeta_omega[0],
            zeta_lambda: design.zeta_lambda[0],
            call,
            diagnostics,
        }
    }

    /// The estimate (aggregated over cohorts under staggered adoption).
    pub fn att(&self) -> f64 {
        self.att
    }
    /// Its standard error (`NaN` with [`SdidVariance::None`]).
    pub fn std_error(&self) -> f64 {
        self.se
    }
    /// The estimator.
    pub fn method(&self) -> SdidMethod {
        self.method
    }
    /// The variance estimator.
    pub fn variance(&self) -> SdidVariance {
        self.variance
    }
    /// The replicate estimates behind the standard error, in replicate order.
    pub fn replicates(&self) -> &[f64] {
        &self.replicates
    }
    /// Donor identifiers, in weight order.
    pub fn donors(&self) -> &[String] {
        &self.donors
    }
    /// Treated unit identifiers, by adoption period.
    pub fn treated(&self) -> &[String] {
        &self.treated
    }
    /// All periods.
    pub fn periods(&self) -> &[i64] {
        &self.periods
    }
    /// Per adoption cohort: weights, paths and estimate (one entry without staggered adoption).
    pub fn cohorts(&self) -> &[CohortEstimate] {
        &self.cohorts
    }
    /// The noise level σ̂ that scales the penalties.
    pub fn noise_level(&self) -> f64 {
        self.noise
    }
    /// The first cohort's unit weights by donor (the only cohort without staggered adoption).
    pub fn unit_weights(&self) -> Vec<(String, f64)> {
        let omega = self.cohorts.first().map(|c| c.omega.as_slice()).unwrap_or_default();
        self.donors.iter().cloned().zip(omega.iter().copied()).collect()
    }
    /// The first cohort's time weights by pre period.
    pub fn time_weights(&self) -> Vec<(i64, f64)> {
        let lambda = self.cohorts.first().map(|c| c.lambda.as_slice()).unwrap_or_default();
        self.periods.iter().copied().zip(lambda.iter().copied()).collect()
    }
    /// The first cohort's period-by-period effects: `(period, treated − synthetic − offset)`; the
    /// mean over post periods is the cohort's estimate.
    pub fn effects(&self) -> Vec<(i64, f64)> {
        let Some(c) = self.cohorts.first() else { return Vec::new() };
        self.periods.iter().enumerate().map(|(s, &p)| (p, c.treated_path[s] - c.synthetic_path[s] - c.offset)).collect()
    }
}

impl Estimates for SyntheticDidFit {
    fn design(&self) -> &str {
        "synth"
    }
    fn call(&self) -> String {
        self.call.clone()
    }
    fn coefficients(&self) -> Vec<Coefficient> {
        let mut out = vec![Coefficient::new("ATT", self.att, self.se)];
        if self.cohorts.len() > 1 {
            out.extend(
                self.cohorts
                    .iter()
                    .map(|c| Coefficient::new(format!("ATT({})", c.cohort), c.att, c.std_error).for_cohort(c.cohort)),
            );
        }
        out
    }
    fn glance(&self) -> Glance {
        let pre = self.cohorts.first().map_or(0, |c| c.pre_periods);
        let mut g = Glance::new()
            .with("method", self.method.name())
            .with(glance_names::N_UNITS, self.donors.len() + self.treated.len())
            .with(glance_names::N_TREATED, self.treated.len())
            .with(glance_names::N_CONTROL, self.donors.len())
            .with(glance_names::N_PERIODS, self.periods.len())
            .with("pre_periods", pre)
            .with("post_periods", self.periods.len() - pre)
            .with("n_cohorts", self.cohorts.len())
            .with("noise_level", self.noise)
            .with("zeta_omega", self.zeta_omega)
            .with("zeta_lambda", self.zeta_lambda)
            .with(glance_names::VCOV_TYPE, self.variance.name());
        if matches!(self.variance, SdidVariance::Placebo | SdidVariance::Bootstrap) {
            g = g.with("replications", self.replications);
            g = match i64::try_from(self.seed.0) {
                Ok(v) => g.with(glance_names::SEED, v),
                Err(_) => g.with(glance_names::SEED, self.seed.to_string()),
            };
        }
        g
    }
    fn diagnostics(&self) -> Vec<Diagnostic> {
        self.diagnostics.clone()
    }
    fn vcov(&self) -> Option<Vcov> {
        Some(Vcov { terms: vec!["ATT".into()], values: vec![self.se * self.se], kind: self.variance.name().into() })
    }
}
