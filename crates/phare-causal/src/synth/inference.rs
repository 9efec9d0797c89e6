//! Inference for the synthetic control: placebos in space and in time, leave-one-out donors,
//! conformal intervals, and the cross-validated ridge penalty of the augmented estimator.

use super::adh::{Core, Inputs, SyntheticControl, SyntheticControlFit, ridge_a};
use super::data::OutcomePanel;
use super::simplex::simplex_least_squares;
use phare_core::{Error, Result};
use rayon::prelude::*;

/// One placebo unit of a [`PlaceboInSpace`] test.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlaceboUnit {
    /// The donor treated as if it were the treated unit.
    pub unit: String,
    /// Its pre-period RMSPE.
    pub pre_rmspe: f64,
    /// Its post-period RMSPE.
    pub post_rmspe: f64,
    /// `post_rmspe / pre_rmspe`.
    pub ratio: f64,
    /// Its placebo estimate (mean post-period gap).
    pub att: f64,
    /// Its gap in every period.
    pub gaps: Vec<f64>,
}

/// Placebo-in-space (permutation) inference (Abadie, Diamond and Hainmueller 2010, section 2.4):
/// every donor in turn is treated as the treated unit and synthesised from the other donors, with
/// the same predictors and the same way of choosing V. Computed in parallel, each placebo
/// deterministic: results do not depend on the number of threads.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlaceboInSpace {
    /// Periods of the gaps.
    pub periods: Vec<i64>,
    /// The treated unit's pre-period RMSPE.
    pub treated_pre_rmspe: f64,
    /// The treated unit's post/pre RMSPE ratio.
    pub treated_ratio: f64,
    /// The placebos (a donor whose placebo fit failed is absent).
    pub units: Vec<PlaceboUnit>,
    /// Permutation p-value: the share of all units (treated included) whose RMSPE ratio is at
    /// least the treated unit's.
    pub p_value: f64,
    /// Standard deviation (divisor n) of the placebo estimates: the placebo standard error.
    pub std_error: f64,
}

impl PlaceboInSpace {
    pub(crate) fn run(spec: &SyntheticControl, inputs: &Inputs, core: &Core) -> Result<PlaceboInSpace> {
        let d = &inputs.data;
        let n0 = d.n0;
        let start = d.periods[core.t0];
        let units: Vec<PlaceboUnit> = (0..n0)
            .into_par_iter()
            .filter_map(|j| {
                let donors: Vec<usize> = (0..n0).filter(|&i| i != j).collect();
                let mut ignored = Vec::new();
                let c = inputs.solve(spec, &[j], &donors, start, &mut ignored).ok()?;
                let (pre, post) = (c.rmspe(true), c.rmspe(false));
                Some(PlaceboUnit {
                    unit: d.units[j].clone(),
                    pre_rmspe: pre,
                    post_rmspe: post,
                    ratio: post / pre,
                    att: c.att(),
                    gaps: c.gaps(),
                })
            })
            .collect();
        if units.is_empty() {
            return Err(Error::design(
                "no placebo synthetic control could be fitted",
                "the donors' predictors may be constant once one donor is set aside; run without placebo inference",
            ));
        }
        let (pre, post) = (core.rmspe(true), core.rmspe(false));
        let ratio = post / pre;
        let mut out = PlaceboInSpace {
            periods: d.periods.clone(),
            treated_pre_rmspe: pre,
            treated_ratio: ratio,
            units,
            p_value: f64::NAN,
            std_error: f64::NAN,
        };
        out.p_value = out.p_value_excluding(None);
        let atts: Vec<f64> = out.units.iter().map(|u| u.att).filter(|a| a.is_finite()).collect();
        let m = atts.iter().sum::<f64>() / atts.len() as f64;
        out.std_error = (atts.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / atts.len() as f64).sqrt();
        Ok(out)
    }

    /// The permutation p-value, leaving out placebos whose pre-period MSPE exceeds `multiple`
    /// times the treated unit's (Abadie et al. 2010 used 20, 5 and 2): a placebo that was never
    /// fitted well says nothing about effects. `None` keeps every placebo.
    pub fn p_value_excluding(&self, multiple: Option<f64>) -> f64 {
        let kept = self.kept(multiple);
        let above = kept.iter().filter(|u| u.ratio >= self.treated_ratio).count();
        (1 + above) as f64 / (1 + kept.len()) as f64
    }

    /// The placebos kept under an exclusion rule (see [`PlaceboInSpace::p_value_excluding`]).
    pub fn kept(&self, multiple: Option<f64>) -> Vec<&PlaceboUnit> {
        let limit = multiple.map_or(f64::INFINITY, |m| m * self.treated_pre_rmspe * self.treated_pre_rmspe);
        self.units.iter().filter(|u| u.pre_rmspe * u.pre_rmspe <= limit).collect()
    }
}

/// A placebo in time: the treatment moved to an earlier period, using only periods before the
/// real start. A large "effect" before the real treatment casts doubt on the design.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlaceboInTime {
    /// The fake start.
    pub fake_start: i64,
    /// Mean gap between the fake and the real start.
    pub att: f64,
    /// Pre-period RMSPE before the fake start.
    pub pre_rmspe: f64,
    /// Post/pre RMSPE ratio over the periods before the real start.
    pub ratio: f64,
    /// `(period, gap)` for every period before the real start.
    pub gaps: Vec<(i64, f64)>,
}

/// Leave-one-out donor robustness: the synthetic control refitted without each donor that had a
/// positive weight.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LeaveOneOut {
    /// Per donor left out: its name, the estimate without it, and the pre-period RMSPE.
    pub fits: Vec<(String, f64, f64)>,
    /// Per donor left out: the synthetic path without it.
    pub paths: Vec<Vec<f64>>,
    /// Smallest and largest estimate.
    pub range: (f64, f64),
}

/// A conformal interval for the effect in one post-treatment period.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ConformalInterval {
    /// The period.
    pub period: i64,
    /// The synthetic-control effect (gap) in that period.
    pub estimate: f64,
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

impl SyntheticControlFit {
    /// Re-runs the placebo-in-space test (it also runs with the fit unless `placebo(false)`).
    ///
    /// # Errors
    /// [`Error::Design`] when no placebo can be fitted.
    pub fn placebo_in_space(&self) -> Result<PlaceboInSpace> {
        match &self.placebo {
            Some(p) => Ok(p.clone()),
            None => PlaceboInSpace::run(&self.spec, &self.inputs, &self.core),
        }
    }

    /// Moves the treatment start to `fake_start` (before the real start, after the first period).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a start outside that range; fitting errors as for the fit.
    pub fn placebo_in_time(&self, fake_start: i64) -> Result<PlaceboInTime> {
        let d = &self.inputs.data;
        if fake_start <= d.periods[0] || fake_start >= self.start {
            return Err(Error::InvalidArgument {
                name: "fake_start".into(),
                value: fake_start.to_string(),
                reason: format!(
                    "a placebo start must be after {} and before the real start {}",
                    d.periods[0], self.start
                ),
                hint: None,
            });
        }
        let treated: Vec<usize> = (d.n0..d.n()).collect();
        let mut ignored = Vec::new();
        let c = self.inputs.solve(&self.spec, &treated, &self.core.donors, fake_start, &mut ignored)?;
        let real_t0 = self.core.t0;
        let g = c.gaps();
        let window = &g[c.t0..real_t0];
        let pre = c.rmspe(true);
        let post = (window.iter().map(|x| x * x).sum::<f64>() / window.len() as f64).sqrt();
        Ok(PlaceboInTime {
            fake_start,
            att: window.iter().sum::<f64>() / window.len() as f64,
            pre_rmspe: pre,
            ratio: post / pre,
            gaps: d.periods[..real_t0].iter().copied().zip(g[..real_t0].iter().copied()).collect(),
        })
    }

    /// Refits without each donor that has a positive weight.
    ///
    /// # Errors
    /// Fitting errors, as for the fit.
    pub fn leave_one_out(&self) -> Result<LeaveOneOut> {
        let d = &self.inputs.data;
        let treated: Vec<usize> = (d.n0..d.n()).collect();
        let positive: Vec<usize> =
            self.core.donors.iter().zip(&self.core.w_sc).filter(|(_, w)| **w > 0.0).map(|(&j, _)| j).collect();
        let fits: Vec<(String, f64, f64, Vec<f64>)> = positive
            .par_iter()
            .map(|&out| {
                let donors: Vec<usize> = self.core.donors.iter().copied().filter(|&j| j != out).collect();
                let mut ignored = Vec::new();
                let c = self.inputs.solve(&self.spec, &treated, &donors, self.start, &mut ignored)?;
                Ok((d.units[out].clone(), c.att(), c.rmspe(true), c.synthetic_path.clone()))
            })
            .collect::<Result<_>>()?;
        let range = fits.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), f| (a.min(f.1), b.max(f.1)));
        Ok(LeaveOneOut {
            paths: fits.iter().map(|f| f.3.clone()).collect(),
            fits: fits.into_iter().map(|f| (f.0, f.1, f.2)).collect(),
            range,
        })
    }

    /// Conformal intervals for the effect in each post-treatment period (Chernozhukov, Wüthrich
    /// and Zhu 2021, with permutations of the time index): a value θ is in the interval when,
    /// after subtracting θ from the treated outcome in that period and refitting the synthetic
    /// control on the pre-treatment outcomes plus that period, the period's residual is not among
    /// the `1 − level` most extreme in absolute value. The refit matches every pre-treatment
    /// outcome (the all-outcomes synthetic control, whatever the predictors of the fit). With
    /// `T₀` pre periods, levels above `1 − 1/(T₀ + 1)` cannot be reached and give an error.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a level outside (0, 1) or too high for the pre-period length.
    pub fn conformal(&self, level: f64) -> Result<Vec<ConformalInterval>> {
        let d = &self.inputs.data;
        let t0 = self.core.t0;
        let alpha = 1.0 - level;
        if !(level > 0.0 && level < 1.0) || alpha * (t0 + 1) as f64 <= 1.0 - 1e-12 {
            return Err(Error::InvalidArgument {
                name: "level".into(),
                value: level.to_string(),
                reason: format!(
                    "with {t0} pre-treatment periods the conformal p-values are multiples of 1/{}; the level must be in (0, {:.3}]",
                    t0 + 1,
                    1.0 - 1.0 / (t0 + 1) as f64
                ),
                hint: Some("lower the level, or use more pre-treatment periods".into()),
            });
        }
        let treated = &self.core.treated_path;
        let donors = &self.core.donors;
        let t = d.t();
        let scale = {
            let pre = &treated[..t0];
            let m = pre.iter().sum::<f64>() / t0 as f64;
            (pre.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / t0 as f64).sqrt().max(self.core.rmspe(true)).max(1e-8)
        };
        let out: Vec<ConformalInterval> = (t0..t)
            .into_par_iter()
            .map(|s| {
                let cols: Vec<usize> = (0..t0).chain(std::iter::once(s)).collect();
                let m = cols.len();
                let a: Vec<f64> = donors.iter().flat_map(|&j| cols.iter().map(move |&c| d.y[j * t + c])).collect();
                let accept = |theta: f64| -> bool {
                    let mut b: Vec<f64> = cols.iter().map(|&c| treated[c]).collect();
                    b[m - 1] -= theta;
                    let w = simplex_least_squares(&a, m, donors.len(), &b);
                    let u: Vec<f64> = (0..m)
                        .map(|r| (b[r] - (0..donors.len()).map(|j| a[j * m + r] * w[j]).sum::<f64>()).abs())
                        .collect();
                    let at_least = u.iter().filter(|&&x| x >= u[m - 1] - 1e-12 * scale).count();
                    at_least as f64 / m as f64 > alpha
                };
                let estimate = treated[s] - self.core.synthetic_path[s];
                let (low, high) = interval_around(&accept, estimate, scale);
                ConformalInterval { period: d.periods[s], estimate, low, high }
            })
            .collect();
        Ok(out)
    }
}

/// The hull of accepted values around `center`: walks outwards in steps of `scale / 10` until
/// three consecutive rejections (at most 2,000 steps), then bisects each boundary to `1e-6 · scale`.
fn interval_around(accept: &dyn Fn(f64) -> bool, center: f64, scale: f64) -> (f64, f64) {
    let step = scale / 10.0;
    let side = |dir: f64| -> f64 {
        let mut last_in = if accept(center) { Some(0.0) } else { None };
        let mut misses = 0;
        let mut k = 1.0;
        while k <= 2000.0 {
            if accept(center + dir * k * step) {
                last_in = Some(k * step);
                misses = 0;
            } else {
                misses += 1;
                if misses >= 3 && last_in.is_some() {
                    break;
                }
                if misses >= 30 && last_in.is_none() {
                    break;
                }
            }
            k += 1.0;
        }
        let Some(inside) = last_in else { return f64::NAN };
        let (mut lo, mut hi) = (inside, inside + step);
        while hi - lo > 1e-6 * scale {
            let mid = 0.5 * (lo + hi);
            if accept(center + dir * mid) { lo = mid } else { hi = mid }
        }
        center + dir * lo
    };
    (side(-1.0), side(1.0))
}

/// The ridge penalty of the augmented synthetic control, chosen as pysyncon's `AugSynth` does
/// (following Ben-Michael, Feller and Rothstein 2021): a geometric grid of 21 values from
/// `σ₁²/s` down to `σ₁²·s¹⁹` (σ₁ the largest singular value of the donors' centred pre-treatment
/// outcomes, s = (10⁻⁸)^(1/20)); leave-one-period-out cross-validation over the pre-treatment
/// periods except the last (each held-out period predicted by the synthetic control and the ridge
/// adjustment fitted on the other pre-treatment periods); the largest λ whose mean squared error
/// is within one standard error of the smallest (the one-standard-error rule).
pub(crate) fn ridge_cv(d: &OutcomePanel, treated_path: &[f64], donors: &[usize], t0: usize) -> f64 {
    let t = d.t();
    let n0 = donors.len();
    // σ₁² = the largest eigenvalue of X₀cᵀX₀c (periods × periods).
    let mean: Vec<f64> = (0..t0).map(|s| donors.iter().map(|&j| d.y[j * t + s]).sum::<f64>() / n0 as f64).collect();
    let mut gram = vec![0.0; t0 * t0];
    for &j in donors {
        for p in 0..t0 {
            let xp = d.y[j * t + p] - mean[p];
            for q in 0..t0 {
                gram[p * t0 + q] += xp * (d.y[j * t + q] - mean[q]);
            }
        }
    }
    let (values, _) = phare_stats::linalg::symmetric_eigen(&gram, t0);
    let sigma2 = values.iter().copied().fold(0.0, f64::max).max(1e-300);
    let scaler = 1e-8f64.powf(1.0 / 20.0);
    let grid: Vec<f64> = (0..21).map(|k| sigma2 * scaler.powi(k - 1)).collect();
    let folds = t0.saturating_sub(1).max(1);
    // errors[λ][fold]
    let errors: Vec<Vec<f64>> = grid
        .par_iter()
        .map(|&lambda| {
            (0..folds)
                .map(|h| {
                    let cols: Vec<usize> = (0..t0).filter(|&s| s != h).collect();
                    let m = cols.len();
                    let a: Vec<f64> = donors.iter().flat_map(|&j| cols.iter().map(move |&c| d.y[j * t + c])).collect();
                    let b: Vec<f64> = cols.iter().map(|&c| treated_path[c]).collect();
                    let w = simplex_least_squares(&a, m, n0, &b);
                    let adj = ridge_a(d, treated_path, donors, &cols, &w, lambda);
                    let pred: f64 =
                        donors.iter().zip(w.iter().zip(&adj)).map(|(&j, (wj, aj))| (wj + aj) * d.y[j * t + h]).sum();
                    (treated_path[h] - pred).powi(2)
                })
                .collect()
        })
        .collect();
    let stats: Vec<(f64, f64)> = errors
        .iter()
        .map(|e| {
            let n = e.len() as f64;
            let m = e.iter().sum::<f64>() / n;
            let sd =
                if e.len() > 1 { (e.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)).sqrt() } else { 0.0 };
            (m, sd / n.sqrt())
        })
        .collect();
    let best = (0..grid.len()).min_by(|&a, &b| stats[a].0.total_cmp(&stats[b].0)).unwrap_or(0);
    let bound = stats[best].0 + stats[best].1;
    // The grid runs from large to small λ: the first within the bound is the largest.
    (0..grid.len()).find(|&i| stats[i].0 <= bound).map_or(grid[best], |i| grid[i])
}
