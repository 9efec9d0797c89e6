//! Regression discontinuity: local polynomial estimation with robust bias-corrected inference
//! (Calonico, Cattaneo and Titiunik 2014).
//!
//! [`RegressionDiscontinuity`] estimates the jump (sharp), the ratio of jumps (fuzzy) or the change
//! of slope (kink, `deriv(1)`) of the outcome at a cut-off of the running variable, with the
//! conventional, bias-corrected and robust bias-corrected estimates and standard errors, and
//! nearest-neighbour or HC0–HC3 variances, at bandwidths given by the caller or chosen by the
//! MSE- and CER-optimal selectors of [`BwSelect`] (module `bwselect` documents the rule).

mod bwselect;
mod density;
mod local_poly;
mod plot;

pub use bwselect::{Bandwidths, BwSelect, MassPoints};
pub use density::{
    DensityBandwidthRow, DensityBandwidths, DensityBwSelect, DensityEstimates, DensityFit, DensityTest, DensityVce,
};
pub use local_poly::{Kernel, Vce};
pub use plot::{BinSelect, BinSelection, BinSpacing, MAX_BINS, RdPlot, RdPlotBin, RdPlotOptions};

use local_poly::{SideFit, covariate_weights, side_fit};
use phare_core::{Coefficient, Diagnostic, Error, Estimates, Glance, Result, glance_names};
use phare_data::matrix::{DesignMatrix, MissingPolicy};
use phare_data::polars::prelude::DataFrame;

/// A regression-discontinuity design.
///
/// On each side of the cut-off c, a polynomial of order p in `x − c` is fitted by weighted least
/// squares with kernel weights `K((x − c)/h)/h`; the estimate is the difference of the two
/// intercepts (sharp), of the `ν`-th derivatives times `ν!` (kink, `deriv(ν)`), or the ratio of the
/// outcome's and the treatment's jumps (fuzzy). Three inferences, as rdrobust reports them:
///
/// - **Conventional**: the estimate and its standard error, ignoring the smoothing bias;
/// - **Bias-corrected**: the estimate minus its estimated leading bias (from a polynomial of order
///   q with bandwidth b), with the conventional standard error;
/// - **Robust**: the bias-corrected estimate with a standard error that accounts for the variability
///   of the bias estimate (Calonico, Cattaneo and Titiunik 2014): the interval to report.
///
/// | parameter | default | purpose |
/// |---|---|---|
/// | `cutoff(c)` | 0 | the threshold; observations with `x ≥ c` are on the right (treated) side |
/// | `bandwidth(h)` / `bandwidths(h_left, h_right)` | selected | the main bandwidth |
/// | `bias_bandwidth(b)` / `bias_bandwidths(…)` | selected (`h` when `h` is given) | the bias-estimation bandwidth |
/// | `bwselect(…)` | `mserd` | [`BwSelect`]: the data-driven selector used when `h` is not given |
/// | `scaleregul(s)` | 1 | the selectors' regularisation (0 switches it off) |
/// | `masspoints(…)` | adjust | [`MassPoints`]: how repeated scores enter the selectors |
/// | `bwcheck(k)` | none | widen the selectors' pilot to reach k distinct scores on each side |
/// | `bwrestrict(on)` | true | cap selected bandwidths at the score's range |
/// | `sharp_bandwidth(on)` | false | fuzzy designs: select as for the sharp reduced form |
/// | `covariates(…)` | none | pre-determined covariates adjusting the local regressions |
/// | `order(p)` | 1 (2 for kinks) | polynomial order |
/// | `bias_order(q)` | p + 1 | order of the bias-estimation polynomial |
/// | `kernel(…)` | triangular | [`Kernel`] |
/// | `vce(…)` | nearest neighbours (3) | [`Vce`] |
/// | `fuzzy(column)` | sharp | treatment take-up for a fuzzy design |
/// | `deriv(ν)` | 0 | 1 for a kink design |
/// | `weights(column)` | none | observation weights, multiplying the kernel weights |
///
/// # Errors
/// Missing or non-numeric columns; [`Error::Design`] when a side of the cut-off has no
/// observation, the cut-off is outside the running variable's range, a side has too few distinct
/// values within the bandwidth for the polynomial, or a fuzzy treatment does not jump;
/// [`Error::InvalidArgument`] for a missing or non-positive bandwidth or `q ≤ p`.
///
/// # Example
/// ```
/// use phare_causal::rd::RegressionDiscontinuity;
/// use phare_core::Estimates;
/// use phare_data::polars::prelude::*;
/// // SIMULATED: y = x + 2·1{x ≥ 0} + small noise, on a grid of x.
/// let x: Vec<f64> = (0..400).map(|i| -1.0 + i as f64 / 200.0 + 0.0025).collect();
/// let y: Vec<f64> = x.iter().enumerate().map(|(i, x)| x + if *x >= 0.0 { 2.0 } else { 0.0 } + 0.01 * ((i % 7) as f64 - 3.0)).collect();
/// let df = df!("x" => x, "y" => y)?;
/// let fit = RegressionDiscontinuity::new("y", "x").bandwidth(0.5).fit(&df)?;
/// assert!((fit.tidy().row("Conventional").unwrap().estimate - 2.0).abs() < 0.02);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionDiscontinuity {
    outcome: String,
    running: String,
    cutoff: f64,
    fuzzy: Option<String>,
    weights: Option<String>,
    deriv: usize,
    p: Option<usize>,
    q: Option<usize>,
    kernel: Kernel,
    vce: Vce,
    h: Option<(f64, f64)>,
    b: Option<(f64, f64)>,
    cluster: Option<String>,
    bwselect: BwSelect,
    scaleregul: f64,
    masspoints: MassPoints,
    bwcheck: Option<usize>,
    bwrestrict: bool,
    sharpbw: bool,
    covariates: Vec<String>,
}

impl RegressionDiscontinuity {
    /// The design on `outcome` with running variable `running`.
    pub fn new(outcome: &str, running: &str) -> Self {
        RegressionDiscontinuity {
            outcome: outcome.into(),
            running: running.into(),
            cutoff: 0.0,
            fuzzy: None,
            weights: None,
            deriv: 0,
            p: None,
            q: None,
            kernel: Kernel::Triangular,
            vce: Vce::default(),
            h: None,
            b: None,
            cluster: None,
            bwselect: BwSelect::MseRd,
            scaleregul: 1.0,
            masspoints: MassPoints::Adjust,
            bwcheck: None,
            bwrestrict: true,
            sharpbw: false,
            covariates: Vec::new(),
        }
    }
    /// Adjust for pre-determined covariates (Calonico, Cattaneo, Farrell and Titiunik 2019): they
    /// enter the local regressions with a coefficient common to both sides, which leaves the
    /// estimand unchanged when they are balanced at the cut-off and can shorten the intervals.
    /// Rows with a missing covariate are dropped (reported).
    pub fn covariates(mut self, columns: &[&str]) -> Self {
        self.covariates = columns.iter().map(|c| c.to_string()).collect();
        self
    }
    /// The data-driven bandwidth selector, used when no main bandwidth is given.
    pub fn bwselect(mut self, s: BwSelect) -> Self {
        self.bwselect = s;
        self
    }
    /// The selectors' regularisation scale (1 by default; 0 switches it off).
    pub fn scaleregul(mut self, s: f64) -> Self {
        self.scaleregul = s;
        self
    }
    /// How the selectors treat repeated values of the score.
    pub fn masspoints(mut self, m: MassPoints) -> Self {
        self.masspoints = m;
        self
    }
    /// Widen the selectors' pilot bandwidth to include at least `k` distinct scores on each side.
    pub fn bwcheck(mut self, k: usize) -> Self {
        self.bwcheck = Some(k);
        self
    }
    /// Whether selected bandwidths are capped at the score's range (default true).
    pub fn bwrestrict(mut self, on: bool) -> Self {
        self.bwrestrict = on;
        self
    }
    /// Fuzzy designs: select the bandwidths as for the sharp design on the outcome.
    pub fn sharp_bandwidth(mut self, on: bool) -> Self {
        self.sharpbw = on;
        self
    }
    /// Cluster-robust (CR1) variances with clusters in `column` (the variance estimator's
    /// residuals then come from the fits, whatever `vce`).
    pub fn cluster(mut self, column: &str) -> Self {
        self.cluster = Some(column.into());
        self
    }
    /// The cut-off.
    pub fn cutoff(mut self, c: f64) -> Self {
        self.cutoff = c;
        self
    }
    /// A fuzzy design with this treatment column.
    pub fn fuzzy(mut self, treatment: &str) -> Self {
        self.fuzzy = Some(treatment.into());
        self
    }
    /// Observation weights.
    pub fn weights(mut self, column: &str) -> Self {
        self.weights = Some(column.into());
        self
    }
    /// The derivative estimated: 0 (jump, default) or 1 (kink).
    pub fn deriv(mut self, nu: usize) -> Self {
        self.deriv = nu;
        self
    }
    /// The polynomial order p.
    pub fn order(mut self, p: usize) -> Self {
        self.p = Some(p);
        self
    }
    /// The bias-estimation order q (default p + 1).
    pub fn bias_order(mut self, q: usize) -> Self {
        self.q = Some(q);
        self
    }
    /// The kernel.
    pub fn kernel(mut self, k: Kernel) -> Self {
        self.kernel = k;
        self
    }
    /// The variance estimator.
    pub fn vce(mut self, v: Vce) -> Self {
        self.vce = v;
        self
    }
    /// The same main bandwidth on both sides.
    pub fn bandwidth(mut self, h: f64) -> Self {
        self.h = Some((h, h));
        self
    }
    /// Main bandwidths left and right of the cut-off.
    pub fn bandwidths(mut self, left: f64, right: f64) -> Self {
        self.h = Some((left, right));
        self
    }
    /// The same bias bandwidth on both sides (default: the main bandwidth).
    pub fn bias_bandwidth(mut self, b: f64) -> Self {
        self.b = Some((b, b));
        self
    }
    /// Bias bandwidths left and right.
    pub fn bias_bandwidths(mut self, left: f64, right: f64) -> Self {
        self.b = Some((left, right));
        self
    }

    /// The orders, the two sides sorted by score, the distinct scores per side and the data
    /// diagnostics: what both [`fit`](Self::fit) and [`select_bandwidths`](Self::select_bandwidths)
    /// start from.
    fn prepare(&self, df: &DataFrame) -> Result<Prepared> {
        let p = self.p.unwrap_or(if self.deriv >= 1 { self.deriv + 1 } else { 1 });
        let q = self.q.unwrap_or(p + 1);
        // The bias correction estimates the (p+1)-th derivative: q must exceed p.
        if q <= p || self.deriv > p {
            return Err(Error::InvalidArgument {
                name: "q".into(),
                value: format!("p = {p}, q = {q}, deriv = {}", self.deriv),
                reason: "the orders must satisfy deriv ≤ p < q".into(),
                hint: Some("the usual choice is p = 1, q = 2 (p = 2, q = 3 for a kink)".into()),
            });
        }
        let mut columns = vec![self.outcome.as_str(), self.running.as_str()];
        columns.extend(self.fuzzy.as_deref());
        columns.extend(self.weights.as_deref());
        let first_cov = columns.len();
        columns.extend(self.covariates.iter().map(String::as_str));
        let m = DesignMatrix::from_frame(df, &columns, MissingPolicy::Drop)?;
        let mut diagnostics: Vec<Diagnostic> = m.diagnostics().to_vec();
        let cluster_ids: Option<Vec<u32>> = match &self.cluster {
            None => None,
            Some(c) => {
                if matches!(self.vce, Vce::Hc2 | Vce::Hc3) {
                    return Err(Error::InvalidArgument {
                        name: "vce".into(),
                        value: self.vce.name().into(),
                        reason: "with clusters phare computes CR1 variances only (CR2/CR3 are not implemented)".into(),
                        hint: Some("use --vce hc1 (CR1) with --cluster".into()),
                    });
                }
                let ids = phare_data::matrix::GroupIds::from_frame(df, c, m.source_rows())?;
                Some(ids.ids.iter().map(|v| v.unwrap_or(u32::MAX)).collect())
            }
        };
        let x_all = m.column(1);
        let (lo, hi) = x_all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        let c = self.cutoff;
        if !(c > lo && c <= hi) {
            return Err(Error::Design {
                what: format!("the cut-off {c} is outside the range of `{}` ({lo} to {hi})", self.running),
                hint: Some("give the threshold in the running variable's units (--cutoff)".into()),
            });
        }
        // Sides, sorted by x.
        let side = |right: bool| -> Side {
            // Sorted by x, ties in data order: (x, row) pairs sorted without the indirection.
            let mut pairs: Vec<(f64, usize)> =
                (0..m.nrows()).filter(|&i| (x_all[i] >= c) == right).map(|i| (x_all[i], i)).collect();
            pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let idx: Vec<usize> = pairs.into_iter().map(|p| p.1).collect();
            let col = |j: usize| -> Vec<f64> { idx.iter().map(|&i| m.column(j)[i]).collect() };
            Side {
                g: cluster_ids.as_ref().map(|ids| idx.iter().map(|&i| ids[i]).collect()),
                x: idx.iter().map(|&i| x_all[i] - c).collect(),
                y: col(0),
                d: self.fuzzy.as_ref().map(|_| col(2)),
                w: self.weights.as_ref().map(|_| col(if self.fuzzy.is_some() { 3 } else { 2 })),
                z: (0..self.covariates.len()).map(|j| col(first_cov + j)).collect(),
            }
        };
        let (left, right) = (side(false), side(true));
        for (s, name) in [(&left, "left"), (&right, "right")] {
            if s.x.is_empty() {
                return Err(Error::design(
                    format!("no observation on the {name} side of the cut-off {c}"),
                    "check the cut-off and the running variable",
                ));
            }
        }
        let m_sides = (bwselect::distinct(&left.x), bwselect::distinct(&right.x));
        if self.masspoints != MassPoints::Off && (m_sides.0 < left.x.len() || m_sides.1 < right.x.len()) {
            diagnostics.push(Diagnostic::note(
                "mass_points",
                format!(
                    "`{}` has repeated values: {} distinct among {} observations left of the cut-off, {} among {} right{}",
                    self.running,
                    m_sides.0,
                    left.x.len(),
                    m_sides.1,
                    right.x.len(),
                    if self.masspoints == MassPoints::Adjust && self.h.is_none() {
                        "; the bandwidth selector counted distinct values"
                    } else {
                        ""
                    }
                ),
            ));
        }
        Ok(Prepared { p, q, left, right, m_sides, diagnostics })
    }

    /// The selectors' settings for orders p and q.
    fn settings(&self, p: usize, q: usize) -> bwselect::Settings {
        bwselect::Settings {
            p,
            q,
            nu: self.deriv,
            kernel: self.kernel,
            vce: self.vce,
            scaleregul: self.scaleregul,
            masspoints: self.masspoints,
            bwcheck: self.bwcheck,
            bwrestrict: self.bwrestrict,
        }
    }

    /// Runs data-driven bandwidth selectors (all of [`BwSelect::ALL`] for rdrobust's `all`) on the
    /// design, without fitting it; given bandwidths are ignored.
    ///
    /// # Errors
    /// Those of [`fit`](Self::fit) about the data, and [`Error::Design`] when a pilot fit is singular.
    pub fn select_bandwidths(&self, df: &DataFrame, which: &[BwSelect]) -> Result<Vec<(BwSelect, Bandwidths)>> {
        let pr = self.prepare(df)?;
        let settings = self.settings(pr.p, pr.q);
        let sel = bwselect::select(&pr.left.bw_data(self.sharpbw), &pr.right.bw_data(self.sharpbw), &settings, which)?;
        Ok(sel.bandwidths)
    }

    /// Fits the design.
    ///
    /// # Errors
    /// See the type's docs.
    pub fn fit(&self, df: &DataFrame) -> Result<RdFit> {
        let Prepared { p, q, left, right, m_sides, mut diagnostics } = self.prepare(df)?;
        let selected = match self.h {
            Some(h) => Err(h),
            None => {
                let settings = self.settings(p, q);
                let sel = bwselect::select(
                    &left.bw_data(self.sharpbw),
                    &right.bw_data(self.sharpbw),
                    &settings,
                    &[self.bwselect],
                )?;
                Ok((sel.pilot, sel.bandwidths[0].1))
            }
        };
        let ((h_l, h_r), (b_l, b_r)) = match selected {
            Err(h) => (h, self.b.unwrap_or(h)),
            Ok((_, bw)) => (bw.h, bw.b),
        };
        let selected = selected.ok();
        for (name, v) in [("h", h_l), ("h", h_r), ("b", b_l), ("b", b_r)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::InvalidArgument {
                    name: name.into(),
                    value: v.to_string(),
                    reason: "a bandwidth is a positive number in the running variable's units".into(),
                    hint: None,
                });
            }
        }
        for (s, name, h, b) in [(&left, "left", h_l, b_l), (&right, "right", h_r, b_r)] {
            for (bw, order, what) in [(h, p, "h"), (b, q, "b")] {
                let distinct = distinct_within(&s.x, bw);
                if distinct < order + 1 {
                    return Err(Error::design(
                        format!(
                            "only {distinct} distinct value{} of `{}` within {what} = {bw} on the {name} side: a polynomial of order {order} needs at least {}",
                            if distinct == 1 { "" } else { "s" },
                            self.running,
                            order + 1
                        ),
                        "widen the bandwidth or lower the polynomial order",
                    ));
                }
            }
            if let Some(w) = &s.w
                && w.iter().any(|&v| v < 0.0)
            {
                return Err(Error::design("negative observation weights", "weights must be non-negative"));
            }
        }
        let fit_side = |s: &Side, h: f64, b: f64| -> SideFit {
            side_fit(&s.x, &s.responses(false), s.w.as_deref(), s.g.as_deref(), h, b, p, q, self.kernel, self.vce)
        };
        let (fl, fr) = (fit_side(&left, h_l, b_l), fit_side(&right, h_r, b_r));
        let targets = 1 + usize::from(self.fuzzy.is_some());
        let nr = targets + self.covariates.len();
        // Covariate adjustment: the outcome (and treatment) minus the covariates times their
        // coefficients in the pooled local regression; without covariates, the responses themselves.
        let cross: Vec<f64> = fl.resid_cross.iter().zip(&fr.resid_cross).map(|(a, b)| a + b).collect();
        let (weights, gammas, dropped) = covariate_weights(&cross, nr, targets);
        for &j in &dropped {
            diagnostics.push(Diagnostic::warning(
                "covariate_dropped",
                format!("covariate `{}` is collinear with the others near the cut-off: dropped", self.covariates[j]),
            ));
        }
        let nu = self.deriv;
        let fact: f64 = (1..=nu).map(|k| k as f64).product();
        let k = p + 1;
        // The combination a·(jumps) of the responses' ν-th derivatives, and its variance a'Va.
        let jump = |betas_l: &[Vec<f64>], betas_r: &[Vec<f64>], a: &[f64]| {
            fact * (0..nr).map(|r| a[r] * (betas_r[r][nu] - betas_l[r][nu])).sum::<f64>()
        };
        let var = |vl: &[Vec<f64>], vr: &[Vec<f64>], a: &[f64]| {
            let mut v = 0.0;
            for r in 0..nr {
                for t in 0..nr {
                    v += a[r] * a[t] * (vl[r * nr + t][nu * k + nu] + vr[r * nr + t][nu * k + nu]);
                }
            }
            fact * fact * v
        };
        let num = &weights[0];
        let (tau_cl, tau_bc, v_cl, v_rb, first_stage) = if self.fuzzy.is_some() {
            let den = &weights[1];
            let (ty, td) = (jump(&fl.beta, &fr.beta, num), jump(&fl.beta, &fr.beta, den));
            let (ty_bc, td_bc) = (jump(&fl.beta_bc, &fr.beta_bc, num), jump(&fl.beta_bc, &fr.beta_bc, den));
            let scale = left.d.iter().chain(right.d.iter()).flatten().fold(0.0f64, |a, &v| a.max(v.abs())).max(1e-300);
            if td.abs() <= 1e-10 * scale {
                return Err(Error::design(
                    format!(
                        "the treatment `{}` does not jump at the cut-off (estimated jump {td:.3e}): a fuzzy design needs a first stage",
                        self.fuzzy.as_deref().unwrap_or_default()
                    ),
                    "check the treatment column, or estimate the sharp design on the outcome (the reduced form)",
                ));
            }
            let tau = ty / td;
            // The bias of τ_y/τ_d, linearised: (B_y − τ B_d)/τ_d, with B = conventional − corrected.
            let tau_b = tau - ((ty - ty_bc) - tau * (td - td_bc)) / td;
            // Delta method: τ̂ − τ ≈ (τ̂_y − τ τ̂_d)/τ_d, a combination with weights (num − τ·den)/τ_d.
            let s: Vec<f64> = num.iter().zip(den).map(|(a, b)| (a - tau * b) / td).collect();
            let se_d = var(&fl.v_cl, &fr.v_cl, den).sqrt();
            if (td / se_d).abs() < 3.0 {
                diagnostics.push(Diagnostic::warning(
                    "weak_first_stage",
                    format!("the treatment's jump at the cut-off is weak ({td:.4}, z = {:.2}): the fuzzy estimate and its intervals are unreliable", td / se_d),
                ));
            }
            (tau, tau_b, var(&fl.v_cl, &fr.v_cl, &s), var(&fl.v_rb, &fr.v_rb, &s), Some((td, se_d)))
        } else {
            (
                jump(&fl.beta, &fr.beta, num),
                jump(&fl.beta_bc, &fr.beta_bc, num),
                var(&fl.v_cl, &fr.v_cl, num),
                var(&fl.v_rb, &fr.v_rb, num),
                None,
            )
        };
        let covariate_coefficients: Vec<(String, f64)> =
            self.covariates.iter().cloned().zip(gammas[0].iter().copied()).collect();
        let first_stage_covariates: Vec<(String, f64)> =
            gammas.get(1).map(|g| self.covariates.iter().cloned().zip(g.iter().copied()).collect()).unwrap_or_default();
        Ok(RdFit {
            spec: self.clone(),
            selector: selected.map(|(pilot, _)| (self.bwselect, pilot)),
            m: m_sides,
            p,
            q,
            h: (h_l, h_r),
            b: (b_l, b_r),
            n: (left.x.len(), right.x.len()),
            n_h: (fl.n_h, fr.n_h),
            n_b: (fl.n_b, fr.n_b),
            tau_cl,
            tau_bc,
            se_cl: v_cl.sqrt(),
            se_rb: v_rb.sqrt(),
            first_stage,
            covariate_coefficients,
            first_stage_covariates,
            left_limit: fl.beta[0][0],
            diagnostics,
        })
    }
}

impl RegressionDiscontinuity {
    /// Covariate-balance placebo tests: the same design (cut-off, bandwidths, orders, kernel,
    /// variance; sharp, without the fuzzy treatment) with each pre-determined covariate as the
    /// outcome. A covariate that jumps at the cut-off (a small robust p-value) suggests the units
    /// on either side differ in more than treatment.
    ///
    /// # Errors
    /// Those of [`RegressionDiscontinuity::fit`] for any covariate.
    pub fn balance(&self, df: &DataFrame, covariates: &[&str]) -> Result<Vec<(String, RdFit)>> {
        covariates
            .iter()
            .map(|c| {
                let mut m = self.clone();
                m.outcome = c.to_string();
                m.fuzzy = None;
                m.fit(df).map(|f| (c.to_string(), f))
            })
            .collect()
    }

    /// The same design at the fitted bandwidths (main and bias) multiplied by each of `factors`:
    /// how much the answer depends on the bandwidth. Factors whose bandwidths are too narrow for
    /// the polynomial are left out.
    pub fn bandwidth_sensitivity(&self, df: &DataFrame, fit: &RdFit, factors: &[f64]) -> Vec<(f64, RdFit)> {
        let ((hl, hr), (bl, br)) = (fit.bandwidths(), fit.bias_bandwidths());
        factors
            .iter()
            .filter_map(|&f| {
                let m = self.clone().bandwidths(hl * f, hr * f).bias_bandwidths(bl * f, br * f);
                m.fit(df).ok().map(|other| (f, other))
            })
            .collect()
    }

    /// Placebo cut-offs: the same design at other thresholds, each using only the observations on
    /// one side of the true cut-off (those on the same side as the placebo), where no jump is
    /// expected.
    ///
    /// # Errors
    /// Those of [`RegressionDiscontinuity::fit`] at any placebo cut-off.
    pub fn placebo_cutoffs(&self, df: &DataFrame, cutoffs: &[f64]) -> Result<Vec<(f64, RdFit)>> {
        let x = DesignMatrix::from_frame(df, &[self.running.as_str()], MissingPolicy::Drop)?;
        cutoffs
            .iter()
            .map(|&pc| {
                let keep_right = pc >= self.cutoff;
                let mut mask = vec![false; df.height()];
                for (i, &row) in x.source_rows().iter().enumerate() {
                    mask[row] = (x.column(0)[i] >= self.cutoff) == keep_right;
                }
                let mask: phare_data::polars::prelude::BooleanChunked = mask.into_iter().collect();
                let side = df.filter(&mask).map_err(|e| Error::Engine {
                    context: "selecting one side of the cut-off".into(),
                    message: e.to_string(),
                    hint: None,
                })?;
                let mut m = self.clone();
                m.cutoff = pc;
                m.fit(&side).map(|f| (pc, f))
            })
            .collect()
    }
}

/// The design's data, ready for selection and fitting.
struct Prepared {
    p: usize,
    q: usize,
    left: Side,
    right: Side,
    m_sides: (usize, usize),
    diagnostics: Vec<Diagnostic>,
}

/// One side's data, sorted by the centred running variable.
struct Side {
    g: Option<Vec<u32>>,
    x: Vec<f64>,
    y: Vec<f64>,
    d: Option<Vec<f64>>,
    w: Option<Vec<f64>>,
    /// Covariates, one vector per covariate.
    z: Vec<Vec<f64>>,
}

impl Side {
    /// The responses, in the order the fits expect: outcome, treatment (fuzzy, unless `sharp`),
    /// covariates.
    fn responses(&self, sharp: bool) -> Vec<&[f64]> {
        let mut ys: Vec<&[f64]> = vec![&self.y];
        if let (Some(d), false) = (&self.d, sharp) {
            ys.push(d);
        }
        ys.extend(self.z.iter().map(Vec::as_slice));
        ys
    }
    /// The side as the bandwidth selectors see it; `sharp` leaves the treatment out.
    fn bw_data(&self, sharp: bool) -> bwselect::SideData<'_> {
        let targets = 1 + usize::from(self.d.is_some() && !sharp);
        bwselect::SideData {
            x: &self.x,
            ys: self.responses(sharp),
            targets,
            w: self.w.as_deref(),
            g: self.g.as_deref(),
        }
    }
}

/// Distinct values of sorted `x` with |x| ≤ bw.
fn distinct_within(x: &[f64], bw: f64) -> usize {
    let mut n = 0;
    let mut last = f64::NAN;
    for &v in x.iter().filter(|v| v.abs() <= bw) {
        if v != last {
            n += 1;
            last = v;
        }
    }
    n
}

/// A fitted [`RegressionDiscontinuity`].
#[derive(Debug, Clone, PartialEq)]
pub struct RdFit {
    spec: RegressionDiscontinuity,
    /// The selector and its pilot bandwidth, when the bandwidths were selected.
    selector: Option<(BwSelect, f64)>,
    /// Distinct scores (left, right).
    m: (usize, usize),
    p: usize,
    q: usize,
    h: (f64, f64),
    b: (f64, f64),
    n: (usize, usize),
    n_h: (usize, usize),
    n_b: (usize, usize),
    tau_cl: f64,
    tau_bc: f64,
    se_cl: f64,
    se_rb: f64,
    first_stage: Option<(f64, f64)>,
    covariate_coefficients: Vec<(String, f64)>,
    first_stage_covariates: Vec<(String, f64)>,
    left_limit: f64,
    diagnostics: Vec<Diagnostic>,
}

impl RdFit {
    /// The conventional estimate.
    pub fn estimate(&self) -> f64 {
        self.tau_cl
    }
    /// The bias-corrected estimate.
    pub fn bias_corrected(&self) -> f64 {
        self.tau_bc
    }
    /// The conventional standard error.
    pub fn std_error(&self) -> f64 {
        self.se_cl
    }
    /// The robust standard error (of the bias-corrected estimate).
    pub fn robust_std_error(&self) -> f64 {
        self.se_rb
    }
    /// Main bandwidths (left, right).
    pub fn bandwidths(&self) -> (f64, f64) {
        self.h
    }
    /// Bias bandwidths (left, right).
    pub fn bias_bandwidths(&self) -> (f64, f64) {
        self.b
    }
    /// Observations (left, right), and within the main bandwidth.
    pub fn n(&self) -> ((usize, usize), (usize, usize)) {
        (self.n, self.n_h)
    }
    /// The selector's pilot bandwidth, when the bandwidths were selected.
    pub fn pilot_bandwidth(&self) -> Option<f64> {
        self.selector.map(|(_, c)| c)
    }
    /// The selector, when the bandwidths were selected rather than given.
    pub fn selector(&self) -> Option<BwSelect> {
        self.selector.map(|(s, _)| s)
    }
    /// The covariates' coefficients `γ` (on the outcome) in the pooled local regression, when the
    /// design adjusts for covariates.
    pub fn covariate_coefficients(&self) -> &[(String, f64)] {
        &self.covariate_coefficients
    }
    /// The outcome's limit just below the cut-off (the left side's local intercept): the level
    /// the jump is measured from.
    pub fn left_limit(&self) -> f64 {
        self.left_limit
    }
    /// Fuzzy designs with covariates: the covariates' coefficients on the treatment.
    pub fn first_stage_covariate_coefficients(&self) -> &[(String, f64)] {
        &self.first_stage_covariates
    }
    /// Fuzzy designs: the treatment's jump and its standard error.
    pub fn first_stage(&self) -> Option<(f64, f64)> {
        self.first_stage
    }
}

impl Estimates for RdFit {
    fn design(&self) -> &str {
        "rd"
    }
    fn call(&self) -> String {
        let s = &self.spec;
        format!(
            "{} RD: outcome {}, running {}, cut-off {}{}, p = {}, q = {}, kernel {}, vce {}, h = ({}, {}), b = ({}, {})",
            match (s.fuzzy.is_some(), s.deriv) {
                (false, 0) => "sharp",
                (true, 0) => "fuzzy",
                (false, _) => "kink",
                (true, _) => "fuzzy kink",
            },
            s.outcome,
            s.running,
            s.cutoff,
            s.fuzzy.as_ref().map(|d| format!(", treatment {d}")).unwrap_or_default()
                + &s.cluster.as_ref().map(|g| format!(", clusters {g}")).unwrap_or_default(),
            self.p,
            self.q,
            s.kernel.name(),
            s.vce.name(),
            self.h.0,
            self.h.1,
            self.b.0,
            self.b.1
        )
    }
    fn coefficients(&self) -> Vec<Coefficient> {
        vec![
            Coefficient::new("Conventional", self.tau_cl, self.se_cl),
            Coefficient::new("Bias-corrected", self.tau_bc, self.se_cl),
            Coefficient::new("Robust", self.tau_bc, self.se_rb),
        ]
    }
    fn glance(&self) -> Glance {
        let mut g = Glance::new()
            .with(glance_names::NOBS, self.n.0 + self.n.1)
            .with("h_left", self.h.0)
            .with("h_right", self.h.1)
            .with("b_left", self.b.0)
            .with("b_right", self.b.1)
            .with("n_left", self.n.0)
            .with("n_right", self.n.1)
            .with("n_h_left", self.n_h.0)
            .with("n_h_right", self.n_h.1)
            .with("n_b_left", self.n_b.0)
            .with("n_b_right", self.n_b.1)
            .with("m_left", self.m.0)
            .with("m_right", self.m.1)
            .with("bwselect", self.selector.map_or("manual", |(s, _)| s.name()))
            .with("p", self.p)
            .with("q", self.q)
            .with("cutoff", self.spec.cutoff)
            .with("kernel", self.spec.kernel.name())
            .with(glance_names::VCOV_TYPE, if self.spec.cluster.is_some() { "CR1" } else { self.spec.vce.name() });
        if let Some((_, pilot)) = self.selector {
            g = g.with("pilot_bandwidth", pilot);
        }
        if let Some((d, se)) = self.first_stage {
            g = g.with("first_stage", d).with("first_stage_se", se);
        }
        g
    }
    fn diagnostics(&self) -> Vec<Diagnostic> {
        self.diagnostics.clone()
    }
}
