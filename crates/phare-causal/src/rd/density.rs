//! Manipulation testing: is the density of the running variable continuous at the cut-off?
//!
//! The local polynomial density estimator of Cattaneo, Jansson and Ma (2020, JASA, "Simple local
//! polynomial density estimators") and the manipulation test built on it (Cattaneo, Jansson and Ma
//! 2018, Stata Journal, "Manipulation testing based on density discontinuity"), implemented from
//! the papers. Units that sort themselves just above (or below) a threshold leave a jump in the
//! density of the score there; the test compares the density just left and just right of c.
//!
//! # The estimator
//!
//! With the n observations `x₁ … xₙ` and the empirical distribution function evaluated at each
//! observation, leaving that observation out, `F̂ᵢ = #{j ≠ i : xⱼ ≤ xᵢ} / (n − 1)`, a polynomial of
//! order k in `t = (x − c)/h` is fitted to `F̂ᵢ` by weighted least squares on each side of c (kernel
//! weights `K(t)/h`, observations with `|xᵢ − c| ≤ h` on that side). The slope of the fit is the
//! density: `f̂ = β̂₁ / h`. Writing `β̂₁ = Σᵢ aᵢ F̂ᵢ`, the estimator is a U-statistic in the data and
//! its jackknife variance is
//!
//! ```text
//! V̂(f̂) = 1/(h²(n − 1)²) · Σⱼ Gⱼ²,      Gⱼ = Σ_{i local, i ≠ j} aᵢ · 1(xⱼ ≤ xᵢ)
//! ```
//!
//! (summing over all n observations j). With mass points (repeated values) and `mass_points(false)`,
//! ties are broken by the order of the sorted sample instead: `F̂ᵢ` is the position of i among the
//! sorted values over n − 1 and `Gⱼ` compares positions (j itself included).
//!
//! The **unrestricted** model fits each side separately; the **restricted** model (`restricted(true)`)
//! fits both sides at once with one bandwidth, a common intercept (the distribution function is
//! continuous) and common terms of order 2 … k, only the slope differing: `(1, t·1(x<c),
//! t·1(x≥c), t², …, tᵏ)`. The test statistic is `T = (f̂₊ − f̂₋)/se`, compared with the standard
//! normal; the estimates use order `q = p + 1` (robust bias correction: the order-p MSE-optimal
//! bandwidth is then small enough for the order-q estimate's bias to be negligible). The order-p
//! ("conventional") estimates at the same bandwidths are reported too.
//!
//! The **plug-in** variance (`DensityVce::Plugin`) is the asymptotic one, `f̂ · v/(n h)` on each side
//! with `v = e₁ᵀS⁻¹ΓS⁻¹e₁`, `S = ∫ r rᵀ K`, `Γ = ∫∫ r(u) r(s)ᵀ K(u) K(s) min(u, s)` over the half line
//! (in the restricted model, the same matrices over [−1, 1] with the density `f̂₋` or `f̂₊` on each
//! half).
//!
//! # Bandwidth selection
//!
//! MSE-optimal bandwidths for the order-p density estimate, `h = (V / (2p · n · B²))^{1/(2p+1)}`, with
//! `V` (n h times the variance) and `B` (the leading bias constant: `F̂⁽ᵖ⁺¹⁾/(p+1)!` times the
//! kernel's bias constant `e₁ᵀS⁻¹c`) estimated at two pilot bandwidths:
//!
//! - `h_V`, the rule-of-thumb MSE-optimal bandwidth of the order-p density estimate if the data were
//!   normal (sample mean, standard deviation with n − 1), with the uniform kernel's constants;
//!   `V` is `n h_V` times the variance of the order-p estimate at `h_V` (jackknife or plug-in);
//! - `h_B`, the same rule of thumb for `F⁽ᵖ⁺¹⁾` estimated by a polynomial of order p + 2; `F̂⁽ᵖ⁺¹⁾` is
//!   that fit's coefficient at `h_B`.
//!
//! Four bandwidths follow: each side's (`l`, `r`), one for the difference `f₊ − f₋` (variance
//! `V₋ + V₊ − 2C`, bias `B₊ − B₋`) and one for the sum. `comb` (the default) takes, on each side,
//! the median of that side's, the difference's and the sum's bandwidths (unrestricted), or the
//! smaller of the difference's and the sum's (restricted, one bandwidth). In the restricted model,
//! `F̂⁽ᵖ⁺¹⁾` is the common coefficient of the restricted order-(p + 2) fit, and the bias constants
//! come from the restricted design with the two half-densities estimated at `h_V`.
//!
//! **Regularization** (on by default): every bandwidth is at most the largest distance from c to
//! an observation (on its side for a side's own bandwidth, on either side for the pilots, the
//! difference and the sum), and at least the distance to the `n_local_min`-th nearest observation
//! and to the `n_unique_min`-th nearest distinct value on its side (both sides for the pilots, the
//! difference and the sum), all the side's observations when it has fewer; both minimums default
//! to `20 + p + 1`. (The bias constant of the left side is `(−1)ᵖ` times the right side's: with p
//! odd, the difference's bias is a sum of the sides' estimates.)
//!
//! # Agreement with rddensity
//!
//! Estimates, jackknife and plug-in standard errors, test statistics, p-values and the selected
//! bandwidths agree with rddensity 3.0 (GPL, used only as a black box to produce reference values;
//! its source was not read) to about 1e-9 on the reference cases of `tests/rd_density.rs`. The
//! rules above (leave-one-out distribution function, uncentred jackknife, pilot bandwidths with the
//! uniform kernel's constants, the caps and floors) were inferred from the papers and from those
//! outputs. Not implemented: rddensity's binomial test near the cut-off, and its handling of
//! numerically degenerate pilot fits (phare refuses a side with fewer than p + 3 distinct values
//! when it has to select the bandwidth).

use super::Kernel;
use phare_core::{Coefficient, Diagnostic, Error, Estimates, Glance, Reference, Result, glance_names};
use phare_data::matrix::{DesignMatrix, MissingPolicy};
use phare_data::polars::prelude::DataFrame;

/// The variance estimator of the density test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DensityVce {
    /// The jackknife variance of the local polynomial density estimator (the default).
    #[default]
    Jackknife,
    /// The asymptotic (plug-in) variance `f̂ · v / (n h)`.
    Plugin,
}

impl DensityVce {
    /// The name used on the command line and in outputs.
    pub fn name(self) -> &'static str {
        match self {
            DensityVce::Jackknife => "jackknife",
            DensityVce::Plugin => "plugin",
        }
    }
}

impl std::str::FromStr for DensityVce {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "jackknife" | "jk" => Ok(DensityVce::Jackknife),
            "plugin" | "asymptotic" => Ok(DensityVce::Plugin),
            _ => Err(Error::unknown_option("vce", s, &["jackknife", "plugin"])),
        }
    }
}

/// Which MSE-optimal bandwidth the density test uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DensityBwSelect {
    /// Each side's own bandwidth (unrestricted model only).
    Each,
    /// One bandwidth, optimal for the difference of the two densities.
    Diff,
    /// One bandwidth, optimal for the sum of the two densities.
    Sum,
    /// Unrestricted: on each side, the median of that side's, the difference's and the sum's
    /// bandwidths; restricted: the smaller of the difference's and the sum's. The default.
    #[default]
    Comb,
}

impl DensityBwSelect {
    /// The name used on the command line and in outputs.
    pub fn name(self) -> &'static str {
        match self {
            DensityBwSelect::Each => "each",
            DensityBwSelect::Diff => "diff",
            DensityBwSelect::Sum => "sum",
            DensityBwSelect::Comb => "comb",
        }
    }
}

impl std::str::FromStr for DensityBwSelect {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "each" => Ok(DensityBwSelect::Each),
            "diff" => Ok(DensityBwSelect::Diff),
            "sum" => Ok(DensityBwSelect::Sum),
            "comb" => Ok(DensityBwSelect::Comb),
            _ => Err(Error::unknown_option("bwselect", s, &["each", "diff", "sum", "comb"])),
        }
    }
}

/// The manipulation (density discontinuity) test of Cattaneo, Jansson and Ma at a cut-off of the
/// running variable. See the module documentation for the estimator and the bandwidth rule.
///
/// | parameter | default | purpose |
/// |---|---|---|
/// | `cutoff(c)` | 0 | observations with `x ≥ c` are on the right side |
/// | `order(p)` | 2 | polynomial order of the density estimate (1 to 5) |
/// | `bias_order(q)` | p + 1 | order of the estimate the test uses (robust bias correction) |
/// | `kernel(…)` | triangular | [`Kernel`] |
/// | `restricted(…)` | false | restricted model: common distribution function and higher derivatives |
/// | `vce(…)` | jackknife | [`DensityVce`] |
/// | `bandwidth(h)` / `bandwidths(h_left, h_right)` | selected | the bandwidths, else chosen by `bwselect` |
/// | `bwselect(…)` | comb | [`DensityBwSelect`] |
/// | `mass_points(…)` | true | repeated values share the distribution function's value |
/// | `regularize(…)` | true | caps and floors on the selected bandwidths |
/// | `n_local_min(k)`, `n_unique_min(k)` | 20 + p + 1 | floors used by the regularization |
///
/// # Errors
/// A missing or non-numeric column, or infinite values in it; [`Error::Design`] when the cut-off
/// is outside the range of the running variable, a side has too few distinct values within the
/// bandwidth for the polynomial (or overall, for the order-(p + 2) pilot fit of the bandwidth
/// selection); [`Error::InvalidArgument`] for an order p outside 1…5, q outside p…6, a non-positive
/// bandwidth, two different bandwidths or `bwselect(each)` in the restricted model.
///
/// # Example
/// ```
/// use phare_causal::rd::DensityTest;
/// use phare_data::polars::prelude::*;
/// // SIMULATED: an evenly spread score on [-1, 1], continuous density 0.5.
/// let x: Vec<f64> = (0..800).map(|i| -1.0 + (i as f64 + 0.5) / 400.0).collect();
/// let df = df!("score" => x)?;
/// let fit = DensityTest::new("score").bandwidth(0.5).fit(&df)?;
/// assert!((fit.f_left() - 0.5).abs() < 0.01 && (fit.f_right() - 0.5).abs() < 0.01);
/// assert!(fit.p_value() > 0.5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DensityTest {
    running: String,
    cutoff: f64,
    p: usize,
    q: Option<usize>,
    kernel: Kernel,
    restricted: bool,
    vce: DensityVce,
    h: Option<(f64, f64)>,
    bwselect: DensityBwSelect,
    mass_points: bool,
    regularize: bool,
    n_local_min: Option<usize>,
    n_unique_min: Option<usize>,
}

impl DensityTest {
    /// The test on the running variable `running`, with rddensity's defaults.
    pub fn new(running: &str) -> Self {
        DensityTest {
            running: running.into(),
            cutoff: 0.0,
            p: 2,
            q: None,
            kernel: Kernel::Triangular,
            restricted: false,
            vce: DensityVce::Jackknife,
            h: None,
            bwselect: DensityBwSelect::Comb,
            mass_points: true,
            regularize: true,
            n_local_min: None,
            n_unique_min: None,
        }
    }
    /// The cut-off (default 0).
    pub fn cutoff(mut self, c: f64) -> Self {
        self.cutoff = c;
        self
    }
    /// The polynomial order p of the density estimate (default 2).
    pub fn order(mut self, p: usize) -> Self {
        self.p = p;
        self
    }
    /// The order q of the estimate the test uses (default p + 1).
    pub fn bias_order(mut self, q: usize) -> Self {
        self.q = Some(q);
        self
    }
    /// The kernel (default triangular).
    pub fn kernel(mut self, k: Kernel) -> Self {
        self.kernel = k;
        self
    }
    /// The restricted model (common distribution function and higher-order derivatives on both
    /// sides, one bandwidth) instead of two separate fits.
    pub fn restricted(mut self, yes: bool) -> Self {
        self.restricted = yes;
        self
    }
    /// The variance estimator (default jackknife).
    pub fn vce(mut self, v: DensityVce) -> Self {
        self.vce = v;
        self
    }
    /// The same bandwidth on both sides (no bandwidth selection).
    pub fn bandwidth(mut self, h: f64) -> Self {
        self.h = Some((h, h));
        self
    }
    /// Bandwidths left and right of the cut-off (no bandwidth selection).
    pub fn bandwidths(mut self, left: f64, right: f64) -> Self {
        self.h = Some((left, right));
        self
    }
    /// The bandwidth selector used when no bandwidth is given (default `comb`).
    pub fn bwselect(mut self, s: DensityBwSelect) -> Self {
        self.bwselect = s;
        self
    }
    /// Whether repeated values of the running variable share one value of the empirical
    /// distribution function (default true); false breaks ties by the order of the sorted sample.
    pub fn mass_points(mut self, yes: bool) -> Self {
        self.mass_points = yes;
        self
    }
    /// Whether the selected bandwidths (and pilots) are capped and floored (default true).
    pub fn regularize(mut self, yes: bool) -> Self {
        self.regularize = yes;
        self
    }
    /// The minimum number of observations within a selected bandwidth on a side (default 20 + p + 1).
    pub fn n_local_min(mut self, k: usize) -> Self {
        self.n_local_min = Some(k);
        self
    }
    /// The minimum number of distinct values within a selected bandwidth on a side (default
    /// 20 + p + 1).
    pub fn n_unique_min(mut self, k: usize) -> Self {
        self.n_unique_min = Some(k);
        self
    }

    /// Runs the test.
    ///
    /// # Errors
    /// See the type's docs.
    pub fn fit(&self, df: &DataFrame) -> Result<DensityFit> {
        let (sample, mut diagnostics) = self.sample(df)?;
        let q = self.q.unwrap_or(self.p + 1);
        let (h, selection) = match self.h {
            Some((l, r)) => {
                for v in [l, r] {
                    if !(v.is_finite() && v > 0.0) {
                        return Err(Error::InvalidArgument {
                            name: "h".into(),
                            value: v.to_string(),
                            reason: "a bandwidth is a positive number in the running variable's units".into(),
                            hint: None,
                        });
                    }
                }
                if self.restricted && l != r {
                    return Err(Error::InvalidArgument {
                        name: "h".into(),
                        value: format!("({l}, {r})"),
                        reason: "the restricted model uses one bandwidth on both sides".into(),
                        hint: Some("give one bandwidth, or use the unrestricted model".into()),
                    });
                }
                ((l, r), None)
            }
            None => {
                let b = self.select_on(&sample)?;
                (b.selected, Some(b))
            }
        };
        let robust = self.estimate(&sample, h, q, &mut diagnostics)?;
        let conventional = self.estimate(&sample, h, self.p, &mut diagnostics)?;
        if sample.has_ties {
            diagnostics.push(Diagnostic::note(
                "mass_points",
                format!(
                    "`{}` has repeated values (mass points); {}",
                    self.running,
                    if self.mass_points {
                        "tied observations share one value of the empirical distribution function"
                    } else {
                        "ties are broken by the order of the sorted sample (mass_points(false))"
                    }
                ),
            ));
        }
        let n_eff = (sample.count_left(h.0), sample.count_right(h.1));
        Ok(DensityFit {
            spec: self.clone(),
            q,
            h,
            n: (sample.n_left, sample.n_right),
            n_eff,
            robust,
            conventional,
            selection,
            diagnostics,
        })
    }

    /// The bandwidth selection alone (rddensity's `rdbwdensity`): the four MSE-optimal bandwidths
    /// with their variance and squared-bias constants, and the pair `bwselect` picks.
    ///
    /// # Errors
    /// Those of [`DensityTest::fit`].
    pub fn select_bandwidths(&self, df: &DataFrame) -> Result<DensityBandwidths> {
        let (sample, _) = self.sample(df)?;
        self.select_on(&sample)
    }

    fn check_orders(&self) -> Result<()> {
        let q = self.q.unwrap_or(self.p + 1);
        if !(1..=5).contains(&self.p) {
            return Err(Error::InvalidArgument {
                name: "p".into(),
                value: self.p.to_string(),
                reason: "the density is the slope of the local polynomial: p must be between 1 and 5".into(),
                hint: Some("the usual choice is p = 2".into()),
            });
        }
        if q < self.p || q > 6 {
            return Err(Error::InvalidArgument {
                name: "q".into(),
                value: q.to_string(),
                reason: format!("the order of the test's estimate must satisfy p ≤ q ≤ 6 (p = {})", self.p),
                hint: Some("the usual choice is q = p + 1".into()),
            });
        }
        Ok(())
    }

    /// Reads, validates and sorts the running variable.
    fn sample(&self, df: &DataFrame) -> Result<(Sample, Vec<Diagnostic>)> {
        self.check_orders()?;
        if !self.cutoff.is_finite() {
            return Err(Error::InvalidArgument {
                name: "cutoff".into(),
                value: self.cutoff.to_string(),
                reason: "the cut-off must be a finite number".into(),
                hint: None,
            });
        }
        let m = DesignMatrix::from_frame(df, &[self.running.as_str()], MissingPolicy::Drop)?;
        let diagnostics = m.diagnostics().to_vec();
        let mut x = m.column(0).to_vec();
        if let Some(bad) = x.iter().find(|v| !v.is_finite()) {
            return Err(Error::InvalidValue {
                place: format!("column `{}`", self.running),
                value: bad.to_string(),
                reason: "the running variable must be finite".into(),
                hint: Some("drop or recode the infinite values".into()),
            });
        }
        x.sort_by(f64::total_cmp);
        let c = self.cutoff;
        let (lo, hi) = match (x.first(), x.last()) {
            (Some(&a), Some(&b)) => (a, b),
            _ => {
                return Err(Error::design(format!("`{}` has no non-missing value", self.running), "check the column"));
            }
        };
        if !(c > lo && c <= hi) {
            return Err(Error::Design {
                what: format!(
                    "the cut-off {c} is outside the range of `{}` ({lo} to {hi}): the test needs observations on both sides (x < c and x ≥ c)",
                    self.running
                ),
                hint: Some("give the threshold in the running variable's units (cutoff)".into()),
            });
        }
        Ok((Sample::new(x, c, self.mass_points), diagnostics))
    }

    fn local_min(&self) -> usize {
        self.n_local_min.unwrap_or(20 + self.p + 1)
    }
    fn unique_min(&self) -> usize {
        self.n_unique_min.unwrap_or(20 + self.p + 1)
    }

    /// The estimates of order `k` at bandwidths `h`, with their standard errors and the test.
    fn estimate(
        &self,
        s: &Sample,
        h: (f64, f64),
        k: usize,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<DensityEstimates> {
        let n = s.x.len() as f64;
        let want_jk = self.vce == DensityVce::Jackknife;
        let (fl, fr, vl, vr, cov) = if self.restricted {
            let j = self.joint_fit(s, h.0, k, want_jk)?;
            let (vl, vr, cv) = match j.cov {
                Some(c) => c,
                None => {
                    let m = restricted_variance(self.kernel, k, j.f.0, j.f.1);
                    (m[0] / (n * h.0), m[3] / (n * h.0), m[1] / (n * h.0))
                }
            };
            (j.f.0, j.f.1, vl, vr, cv)
        } else {
            let l = self.side_fit(s, Side::Left, h.0, k, want_jk)?;
            let r = self.side_fit(s, Side::Right, h.1, k, want_jk)?;
            let v_const = one_sided(self.kernel, k, 1).0;
            let var = |f: &SideEstimate, hh: f64| f.var.unwrap_or(f.coef[1] * v_const / (n * hh));
            (l.coef[1], r.coef[1], var(&l, h.0), var(&r, h.1), 0.0)
        };
        let (vl, vr, vd) = if self.vce == DensityVce::Plugin && (fl < 0.0 || fr < 0.0) {
            (f64::NAN, f64::NAN, f64::NAN)
        } else {
            (vl, vr, vl + vr - 2.0 * cov)
        };
        if self.vce == DensityVce::Plugin && !(vl >= 0.0 && vr >= 0.0 && vd >= 0.0) {
            diagnostics.push(Diagnostic::warning(
                "negative_density",
                format!("a density estimate of order {k} is negative: its plug-in standard error is undefined (NaN); use the jackknife variance"),
            ));
        }
        let sd = |v: f64| if v >= 0.0 { v.sqrt() } else { f64::NAN };
        let se_diff = sd(vd);
        let t = (fr - fl) / se_diff;
        Ok(DensityEstimates {
            order: k,
            f_left: fl,
            f_right: fr,
            se_left: sd(vl),
            se_right: sd(vr),
            se_difference: se_diff,
            t,
            p_value: Reference::Normal.p_value(t),
        })
    }

    /// One side's fit of order `k` at bandwidth `h`.
    fn side_fit(&self, s: &Sample, side: Side, h: f64, k: usize, jackknife: bool) -> Result<SideEstimate> {
        let (lo, hi) = match side {
            Side::Left => (s.x.partition_point(|&v| s.c - v > h), s.split),
            Side::Right => (s.split, s.x.partition_point(|&v| v - s.c <= h)),
        };
        let local = LocalFit::new(s, lo, hi, h, self.kernel, k + 1, &|t, _| powers(t, k));
        self.check_distinct(&local, side, h, k)?;
        let (beta, rows) = local.solve(&[1]).ok_or_else(|| self.singular(side, h, k))?;
        let coef: Vec<f64> = beta.iter().enumerate().map(|(j, b)| b / h.powi(j as i32)).collect();
        let var = jackknife.then(|| local.jackknife(&rows)[0] / (h * h));
        Ok(SideEstimate { coef, var })
    }

    /// The restricted joint fit of order `k` at bandwidth `h`.
    fn joint_fit(&self, s: &Sample, h: f64, k: usize, jackknife: bool) -> Result<JointEstimate> {
        let lo = s.x.partition_point(|&v| s.c - v > h);
        let hi = s.x.partition_point(|&v| v - s.c <= h);
        let c = s.c;
        let local = LocalFit::new(s, lo, hi, h, self.kernel, k + 2, &|t, x| restricted_row(t, x < c, k));
        self.check_distinct(&local, Side::Left, h, 1)?;
        self.check_distinct(&local, Side::Right, h, 1)?;
        let (beta, rows) = local.solve(&[1, 2]).ok_or_else(|| self.singular(Side::Left, h, k))?;
        // Columns: 1, t·1(x<c), t·1(x≥c), t², …, tᵏ; coefficient of t^j in x units: β/h^j.
        let coef: Vec<f64> = beta
            .iter()
            .enumerate()
            .map(|(j, b)| b / h.powi(if j <= 2 { j.min(1) as i32 } else { j as i32 - 1 }))
            .collect();
        let cov = jackknife.then(|| {
            let v = local.jackknife(&rows);
            (v[0] / (h * h), v[3] / (h * h), v[1] / (h * h))
        });
        Ok(JointEstimate { f: (coef[1], coef[2]), coef, cov })
    }

    fn check_distinct(&self, local: &LocalFit, side: Side, h: f64, k: usize) -> Result<()> {
        let distinct = local.distinct(side);
        if distinct < k + 1 {
            return Err(Error::design(
                format!(
                    "only {distinct} distinct value{} of `{}` with positive kernel weight within h = {h} on the {} side of the cut-off {}: a polynomial of order {k} needs at least {}",
                    if distinct == 1 { "" } else { "s" },
                    self.running,
                    side.name(),
                    self.cutoff,
                    k + 1
                ),
                "widen the bandwidth or lower the polynomial order (p, q)",
            ));
        }
        Ok(())
    }

    fn singular(&self, side: Side, h: f64, k: usize) -> Error {
        Error::design(
            format!(
                "the local polynomial of order {k} is not identified within h = {h} {} the cut-off {} (values of `{}` too few or too concentrated)",
                if self.restricted { "around" } else { side.on() },
                self.cutoff,
                self.running
            ),
            "widen the bandwidth or lower the polynomial order (p, q)",
        )
    }

    /// The bandwidth selection on a prepared sample.
    fn select_on(&self, s: &Sample) -> Result<DensityBandwidths> {
        let p = self.p;
        if self.restricted && self.bwselect == DensityBwSelect::Each {
            return Err(Error::InvalidArgument {
                name: "bwselect".into(),
                value: "each".into(),
                reason: "the restricted model uses one bandwidth on both sides".into(),
                hint: Some("use comb (the default), diff or sum".into()),
            });
        }
        for side in [Side::Left, Side::Right] {
            let d = s.distinct_on(side);
            if d < p + 3 {
                return Err(Error::design(
                    format!(
                        "only {d} distinct value{} of `{}` on the {} side of the cut-off {}: selecting the bandwidth needs a pilot polynomial of order p + 2 = {}, so at least {} values",
                        if d == 1 { "" } else { "s" },
                        self.running,
                        side.name(),
                        self.cutoff,
                        p + 2,
                        p + 3
                    ),
                    "give the bandwidths (bandwidths(h_left, h_right)) or lower the order p",
                ));
            }
        }
        let n = s.x.len();
        let nf = n as f64;
        let mean = s.x.iter().sum::<f64>() / nf;
        let sd = (s.x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (nf - 1.0)).sqrt();
        let z = (s.c - mean) / sd;
        let (reach_l, reach_r) = (s.c - s.x[0], s.x[n - 1] - s.c);
        let reach = reach_l.max(reach_r);
        let floor_l = if self.regularize { s.floor(Side::Left, self.local_min(), self.unique_min()) } else { 0.0 };
        let floor_r = if self.regularize { s.floor(Side::Right, self.local_min(), self.unique_min()) } else { 0.0 };
        // At most `cap` (the farthest observation from c, on the side for one side's bandwidth), at
        // least `floor`. A non-finite bandwidth (a zero bias estimate) is capped even without
        // regularization.
        let regul = |h: f64, cap: f64, floor: f64| -> f64 {
            let h = if h.is_finite() { h } else { cap };
            if self.regularize { h.min(cap).max(floor) } else { h }
        };
        let floor_both = floor_l.max(floor_r);
        let h_v = regul(rule_of_thumb(nf, z, sd, p, 1), reach, floor_both);
        let h_b = regul(rule_of_thumb(nf, z, sd, p + 2, p + 1), reach, floor_both);
        let (vl, vr, cv, bl, br) = if self.restricted {
            let pilot = self.joint_fit(s, h_v, p, self.vce == DensityVce::Jackknife)?;
            let (vl, vr, cv) = match pilot.cov {
                Some((a, b, c)) => (nf * h_v * a, nf * h_v * b, nf * h_v * c),
                None => {
                    let m = restricted_variance(self.kernel, p, pilot.f.0, pilot.f.1);
                    (m[0], m[3], m[1])
                }
            };
            let bias_fit = self.joint_fit(s, h_b, p + 2, false)?;
            // The common coefficient of t^{p+1} (column p + 2), times the restricted design's bias
            // constants with the two half-densities of the order-p pilot fit.
            let a = bias_fit.coef[p + 2];
            let g = restricted_bias(self.kernel, p, pilot.f.0, pilot.f.1);
            (vl, vr, cv, a * g.0, a * g.1)
        } else {
            let (v_const, b_right) = one_sided(self.kernel, p, 1);
            // Mirrored, the left side's bias constant is (−1)ᵖ times the right side's.
            let b_left = if p.is_multiple_of(2) { b_right } else { -b_right };
            let mut out = [(0.0, 0.0); 2];
            for ((o, side), b_const) in out.iter_mut().zip([Side::Left, Side::Right]).zip([b_left, b_right]) {
                let pilot = self.side_fit(s, side, h_v, p, self.vce == DensityVce::Jackknife)?;
                let v = match pilot.var {
                    Some(v) => nf * h_v * v,
                    None => pilot.coef[1] * v_const,
                };
                let bias_fit = self.side_fit(s, side, h_b, p + 2, false)?;
                *o = (v, bias_fit.coef[p + 1] * b_const);
            }
            (out[0].0, out[1].0, 0.0, out[0].1, out[1].1)
        };
        let optimal = |v: f64, b: f64| (v / (2.0 * p as f64 * nf * b * b)).powf(1.0 / (2.0 * p as f64 + 1.0));
        let row = |v: f64, b: f64, cap: f64, floor: f64| DensityBandwidthRow {
            bw: regul(optimal(v, b), cap, floor),
            variance: v,
            bias_sq: b * b,
        };
        let left = row(vl, bl, reach_l, floor_l);
        let right = row(vr, br, reach_r, floor_r);
        let diff = row(vl + vr - 2.0 * cv, br - bl, reach, floor_both);
        let sum = row(vl + vr + 2.0 * cv, br + bl, reach, floor_both);
        let median = |a: f64, b: f64, c: f64| {
            let mut v = [a, b, c];
            v.sort_by(f64::total_cmp);
            v[1]
        };
        let selected = match (self.bwselect, self.restricted) {
            (DensityBwSelect::Each, _) => (left.bw, right.bw),
            (DensityBwSelect::Diff, _) => (diff.bw, diff.bw),
            (DensityBwSelect::Sum, _) => (sum.bw, sum.bw),
            (DensityBwSelect::Comb, false) => (median(left.bw, diff.bw, sum.bw), median(right.bw, diff.bw, sum.bw)),
            (DensityBwSelect::Comb, true) => {
                let h = diff.bw.min(sum.bw);
                (h, h)
            }
        };
        Ok(DensityBandwidths {
            left,
            right,
            diff,
            sum,
            pilot_variance: h_v,
            pilot_bias: h_b,
            method: self.bwselect,
            selected,
        })
    }
}

/// One row of the bandwidth selection: the MSE-optimal bandwidth and the constants it comes from,
/// `bw = (variance / (2p · n · bias_sq))^{1/(2p+1)}` before regularization.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct DensityBandwidthRow {
    /// The bandwidth (after regularization, when it is on).
    pub bw: f64,
    /// n h times the variance of the order-p estimate (of the density, difference or sum).
    pub variance: f64,
    /// The squared leading bias constant.
    pub bias_sq: f64,
}

/// The bandwidth selection of the density test (rddensity's `rdbwdensity`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DensityBandwidths {
    /// The left side's own bandwidth.
    pub left: DensityBandwidthRow,
    /// The right side's own bandwidth.
    pub right: DensityBandwidthRow,
    /// The bandwidth for the difference of the densities.
    pub diff: DensityBandwidthRow,
    /// The bandwidth for their sum.
    pub sum: DensityBandwidthRow,
    /// The pilot bandwidth of the variance estimate.
    pub pilot_variance: f64,
    /// The pilot bandwidth of the bias estimate (order p + 2).
    pub pilot_bias: f64,
    /// The selector applied.
    pub method: DensityBwSelect,
    /// The bandwidths it picks, (left, right).
    pub selected: (f64, f64),
}

/// The density estimates of one order at the test's bandwidths, with the test of their equality.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct DensityEstimates {
    /// The polynomial order of the estimates.
    pub order: usize,
    /// The density just left of the cut-off.
    pub f_left: f64,
    /// The density just right of the cut-off.
    pub f_right: f64,
    /// Standard error of `f_left`.
    pub se_left: f64,
    /// Standard error of `f_right`.
    pub se_right: f64,
    /// Standard error of `f_right − f_left`.
    pub se_difference: f64,
    /// The test statistic `(f_right − f_left) / se_difference`.
    pub t: f64,
    /// Its two-sided p-value (standard normal).
    pub p_value: f64,
}

impl DensityEstimates {
    /// The jump of the density at the cut-off, `f_right − f_left`.
    pub fn difference(&self) -> f64 {
        self.f_right - self.f_left
    }
}

/// A fitted [`DensityTest`].
#[derive(Debug, Clone, PartialEq)]
pub struct DensityFit {
    spec: DensityTest,
    q: usize,
    h: (f64, f64),
    n: (usize, usize),
    n_eff: (usize, usize),
    robust: DensityEstimates,
    conventional: DensityEstimates,
    selection: Option<DensityBandwidths>,
    diagnostics: Vec<Diagnostic>,
}

impl DensityFit {
    /// The density just left of the cut-off (order q, the estimate the test uses).
    pub fn f_left(&self) -> f64 {
        self.robust.f_left
    }
    /// The density just right of the cut-off (order q).
    pub fn f_right(&self) -> f64 {
        self.robust.f_right
    }
    /// The jump `f_right − f_left`.
    pub fn difference(&self) -> f64 {
        self.robust.difference()
    }
    /// Standard error of `f_left`.
    pub fn se_left(&self) -> f64 {
        self.robust.se_left
    }
    /// Standard error of `f_right`.
    pub fn se_right(&self) -> f64 {
        self.robust.se_right
    }
    /// Standard error of the jump.
    pub fn se_difference(&self) -> f64 {
        self.robust.se_difference
    }
    /// The test statistic.
    pub fn t(&self) -> f64 {
        self.robust.t
    }
    /// The test's two-sided p-value: small values are evidence of manipulation.
    pub fn p_value(&self) -> f64 {
        self.robust.p_value
    }
    /// The estimates and test of order q (those above), as one value.
    pub fn robust(&self) -> &DensityEstimates {
        &self.robust
    }
    /// The estimates and test of order p at the same bandwidths (not valid for inference with
    /// MSE-optimal bandwidths: their bias is not negligible).
    pub fn conventional(&self) -> &DensityEstimates {
        &self.conventional
    }
    /// The bandwidths used, (left, right).
    pub fn bandwidths(&self) -> (f64, f64) {
        self.h
    }
    /// The polynomial orders (p, q).
    pub fn orders(&self) -> (usize, usize) {
        (self.spec.p, self.q)
    }
    /// Observations (left, right) of the cut-off.
    pub fn n(&self) -> (usize, usize) {
        self.n
    }
    /// Observations within the bandwidth on each side (left, right).
    pub fn n_eff(&self) -> (usize, usize) {
        self.n_eff
    }
    /// The bandwidth selection, when the bandwidths were selected.
    pub fn bandwidth_selection(&self) -> Option<&DensityBandwidths> {
        self.selection.as_ref()
    }
}

impl Estimates for DensityFit {
    fn design(&self) -> &str {
        "rd-density"
    }
    fn call(&self) -> String {
        let s = &self.spec;
        format!(
            "RD density test: running {}, cut-off {}, p = {}, q = {}, kernel {}, {}, vce {}, h = ({}, {}){}",
            s.running,
            s.cutoff,
            s.p,
            self.q,
            s.kernel.name(),
            if s.restricted { "restricted" } else { "unrestricted" },
            s.vce.name(),
            self.h.0,
            self.h.1,
            if self.selection.is_some() { format!(" selected by {}", s.bwselect.name()) } else { String::new() }
        )
    }
    fn coefficients(&self) -> Vec<Coefficient> {
        let r = &self.robust;
        vec![
            Coefficient::new("f_left", r.f_left, r.se_left),
            Coefficient::new("f_right", r.f_right, r.se_right),
            Coefficient::new("difference", r.difference(), r.se_difference),
        ]
    }
    fn glance(&self) -> Glance {
        let s = &self.spec;
        Glance::new()
            .with(glance_names::NOBS, self.n.0 + self.n.1)
            .with("n_left", self.n.0)
            .with("n_right", self.n.1)
            .with("n_eff_left", self.n_eff.0)
            .with("n_eff_right", self.n_eff.1)
            .with("h_left", self.h.0)
            .with("h_right", self.h.1)
            .with("p", s.p)
            .with("q", self.q)
            .with("cutoff", s.cutoff)
            .with("kernel", s.kernel.name())
            .with("model", if s.restricted { "restricted" } else { "unrestricted" })
            .with("bwselect", if self.selection.is_some() { s.bwselect.name() } else { "manual" })
            .with(glance_names::VCOV_TYPE, s.vce.name())
            .with("statistic", self.robust.t)
            .with("p_value", self.robust.p_value)
    }
    fn diagnostics(&self) -> Vec<Diagnostic> {
        self.diagnostics.clone()
    }
}

// ------------------------------------------------------------------------------------------------
// The sample
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }
    fn on(self) -> &'static str {
        match self {
            Side::Left => "left of",
            Side::Right => "right of",
        }
    }
}

/// The sorted running variable, its leave-one-out empirical distribution function and the
/// comparison rule of the jackknife.
struct Sample {
    x: Vec<f64>,
    c: f64,
    /// Index of the first observation with x ≥ c.
    split: usize,
    n_left: usize,
    n_right: usize,
    /// `F̂ᵢ`, aligned with `x`.
    cdf: Vec<f64>,
    /// Ties share the distribution function's value (mass points) instead of being ordered.
    mass_points: bool,
    has_ties: bool,
}

impl Sample {
    fn new(x: Vec<f64>, c: f64, mass_points: bool) -> Sample {
        let n = x.len();
        let split = x.partition_point(|&v| v < c);
        let denom = (n as f64 - 1.0).max(1.0);
        let has_ties = x.windows(2).any(|w| w[0] == w[1]);
        let cdf = if mass_points {
            // #{j ≠ i : xⱼ ≤ xᵢ}: the end of i's group of ties, minus i itself.
            let mut out = vec![0.0; n];
            let mut i = 0;
            while i < n {
                let mut j = i;
                while j + 1 < n && x[j + 1] == x[i] {
                    j += 1;
                }
                for v in &mut out[i..=j] {
                    *v = j as f64 / denom;
                }
                i = j + 1;
            }
            out
        } else {
            (0..n).map(|i| i as f64 / denom).collect()
        };
        Sample { n_left: split, n_right: n - split, x, c, split, cdf, mass_points, has_ties }
    }

    fn count_left(&self, h: f64) -> usize {
        self.split - self.x.partition_point(|&v| self.c - v > h)
    }
    fn count_right(&self, h: f64) -> usize {
        self.x.partition_point(|&v| v - self.c <= h) - self.split
    }

    /// Distances from c of one side's observations, nearest first.
    fn distances(&self, side: Side) -> Vec<f64> {
        match side {
            Side::Left => self.x[..self.split].iter().rev().map(|v| self.c - v).collect(),
            Side::Right => self.x[self.split..].iter().map(|v| v - self.c).collect(),
        }
    }

    fn distinct_on(&self, side: Side) -> usize {
        let d = self.distances(side);
        d.windows(2).filter(|w| w[0] != w[1]).count() + usize::from(!d.is_empty())
    }

    /// The regularization floor on one side: the distance to the `k_obs`-th nearest observation
    /// and to the `k_unique`-th nearest distinct value (all of them when the side has fewer).
    fn floor(&self, side: Side, k_obs: usize, k_unique: usize) -> f64 {
        let d = self.distances(side);
        let mut unique = d.clone();
        unique.dedup();
        let kth = |v: &[f64], k: usize| if k == 0 || v.is_empty() { 0.0 } else { v[k.min(v.len()) - 1] };
        kth(&d, k_obs).max(kth(&unique, k_unique))
    }
}

/// A local weighted least-squares fit of `F̂` on a contiguous range of the sorted sample.
struct LocalFit<'a> {
    s: &'a Sample,
    lo: usize,
    /// Design rows (m per local observation) and kernel weights.
    rows: Vec<f64>,
    w: Vec<f64>,
    m: usize,
}

impl<'a> LocalFit<'a> {
    fn new(
        s: &'a Sample,
        lo: usize,
        hi: usize,
        h: f64,
        kernel: Kernel,
        m: usize,
        row: &dyn Fn(f64, f64) -> Vec<f64>,
    ) -> Self {
        let hi = hi.max(lo);
        let mut rows = Vec::with_capacity((hi - lo) * m);
        let mut w = Vec::with_capacity(hi - lo);
        for &x in &s.x[lo..hi] {
            let t = (x - s.c) / h;
            rows.extend(row(t, x));
            w.push(kernel.at(t) / h);
        }
        LocalFit { s, lo, rows, w, m }
    }

    /// Distinct values with positive weight on one side of the cut-off.
    fn distinct(&self, side: Side) -> usize {
        let mut last = f64::NAN;
        let mut count = 0;
        for (k, &wk) in self.w.iter().enumerate() {
            let x = self.s.x[self.lo + k];
            if wk > 0.0 && ((x < self.s.c) == (side == Side::Left)) && x != last {
                count += 1;
                last = x;
            }
        }
        count
    }

    /// The coefficients (in t units) and, for each requested coefficient j, the weights
    /// `aᵢ = (S⁻¹ rᵢ)ⱼ wᵢ` with `β̂ⱼ = Σ aᵢ F̂ᵢ`. `None` when the Gram matrix is singular.
    fn solve(&self, wanted: &[usize]) -> Option<(Vec<f64>, Vec<Vec<f64>>)> {
        let m = self.m;
        let mut gram = vec![0.0; m * m];
        let mut rhs = vec![0.0; m];
        for (k, &wk) in self.w.iter().enumerate() {
            if wk == 0.0 {
                continue;
            }
            let r = &self.rows[k * m..(k + 1) * m];
            let f = self.s.cdf[self.lo + k];
            for a in 0..m {
                rhs[a] += wk * r[a] * f;
                for b in 0..m {
                    gram[a * m + b] += wk * r[a] * r[b];
                }
            }
        }
        let inv = invert(&gram, m, 1e-13)?;
        let beta: Vec<f64> = (0..m).map(|a| (0..m).map(|b| inv[a * m + b] * rhs[b]).sum()).collect();
        let rows = wanted
            .iter()
            .map(|&j| {
                self.w
                    .iter()
                    .enumerate()
                    .map(|(k, &wk)| {
                        let r = &self.rows[k * m..(k + 1) * m];
                        wk * (0..m).map(|b| inv[j * m + b] * r[b]).sum::<f64>()
                    })
                    .collect()
            })
            .collect();
        Some((beta, rows))
    }

    /// The jackknife covariances `Σⱼ Gⱼᵘ Gⱼᵛ / (n − 1)²` of the requested coefficients (t units),
    /// row-major, over all n observations.
    fn jackknife(&self, a: &[Vec<f64>]) -> Vec<f64> {
        let s = self.s;
        let n = s.x.len();
        let len = self.w.len();
        let lo = self.lo;
        // G for every observation of the local range; below it, G is the total; above it, zero.
        let g: Vec<Vec<f64>> = a
            .iter()
            .map(|ai| {
                let mut suffix = vec![0.0; len + 1];
                for k in (0..len).rev() {
                    suffix[k] = suffix[k + 1] + ai[k];
                }
                (0..len)
                    .map(|k| {
                        if s.mass_points {
                            // Local observations with x ≥ xⱼ (all of j's ties), j itself excluded.
                            let xj = s.x[lo + k];
                            let start = s.x.partition_point(|&v| v < xj).max(lo) - lo;
                            suffix[start] - ai[k]
                        } else {
                            suffix[k]
                        }
                    })
                    .collect()
            })
            .collect();
        let totals: Vec<f64> = a.iter().map(|ai| ai.iter().sum()).collect();
        let na = a.len();
        let denom = (n as f64 - 1.0).powi(2);
        let mut out = vec![0.0; na * na];
        for u in 0..na {
            for v in 0..na {
                let inside: f64 = g[u].iter().zip(&g[v]).map(|(x, y)| x * y).sum();
                out[u * na + v] = (lo as f64 * totals[u] * totals[v] + inside) / denom;
            }
        }
        out
    }
}

struct SideEstimate {
    /// Coefficients in x units (`coef[1]` is the density).
    coef: Vec<f64>,
    /// Jackknife variance of the density estimate.
    var: Option<f64>,
}

struct JointEstimate {
    /// Densities (left, right).
    f: (f64, f64),
    /// Coefficients in x units: 1, left slope, right slope, t², …
    coef: Vec<f64>,
    /// Jackknife (var left, var right, covariance).
    cov: Option<(f64, f64, f64)>,
}

fn powers(t: f64, k: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(k + 1);
    let mut v = 1.0;
    for _ in 0..=k {
        out.push(v);
        v *= t;
    }
    out
}

/// `(1, t·1(left), t·1(right), t², …, tᵏ)`.
fn restricted_row(t: f64, left: bool, k: usize) -> Vec<f64> {
    let mut out = vec![1.0, if left { t } else { 0.0 }, if left { 0.0 } else { t }];
    let mut v = t;
    for _ in 2..=k {
        v *= t;
        out.push(v);
    }
    out
}

/// The inverse of a small square matrix by Gauss–Jordan elimination with partial pivoting; `None`
/// when a pivot is at most `tol` times the matrix's scale (its largest diagonal entry).
fn invert(a: &[f64], m: usize, tol: f64) -> Option<Vec<f64>> {
    let scale = (0..m).map(|i| a[i * m + i].abs()).fold(0.0f64, f64::max);
    if !(scale.is_finite() && scale > 0.0) {
        return None;
    }
    let mut w = a.to_vec();
    let mut inv = vec![0.0; m * m];
    for i in 0..m {
        inv[i * m + i] = 1.0;
    }
    for col in 0..m {
        let piv = (col..m).max_by(|&i, &j| w[i * m + col].abs().total_cmp(&w[j * m + col].abs()))?;
        if w[piv * m + col].abs() <= tol * scale {
            return None;
        }
        if piv != col {
            for j in 0..m {
                w.swap(piv * m + j, col * m + j);
                inv.swap(piv * m + j, col * m + j);
            }
        }
        let d = w[col * m + col];
        for j in 0..m {
            w[col * m + j] /= d;
            inv[col * m + j] /= d;
        }
        for i in 0..m {
            if i != col {
                let f = w[i * m + col];
                if f != 0.0 {
                    for j in 0..m {
                        w[i * m + j] -= f * w[col * m + j];
                        inv[i * m + j] -= f * inv[col * m + j];
                    }
                }
            }
        }
    }
    Some(inv)
}

// ------------------------------------------------------------------------------------------------
// Kernel constants (exact polynomial integrals)
// ------------------------------------------------------------------------------------------------

/// Polynomials in t, coefficients in ascending powers.
type Poly = Vec<f64>;

fn pmul(a: &[f64], b: &[f64]) -> Poly {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut out = vec![0.0; a.len() + b.len() - 1];
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            out[i + j] += x * y;
        }
    }
    out
}

/// The antiderivative vanishing at 0.
fn pint(a: &[f64]) -> Poly {
    let mut out = vec![0.0; a.len() + 1];
    for (i, x) in a.iter().enumerate() {
        out[i + 1] = x / (i as f64 + 1.0);
    }
    out
}

fn peval(a: &[f64], t: f64) -> f64 {
    a.iter().rev().fold(0.0, |acc, c| acc * t + c)
}

fn pdefinite(a: &[f64], lo: f64, hi: f64) -> f64 {
    let i = pint(a);
    peval(&i, hi) - peval(&i, lo)
}

fn monomial(k: usize) -> Poly {
    let mut v = vec![0.0; k + 1];
    v[k] = 1.0;
    v
}

/// The kernel on [0, 1] (right half) or [−1, 0] (left half), as a polynomial.
fn kernel_poly(kernel: Kernel, left: bool) -> Poly {
    match kernel {
        Kernel::Triangular => vec![1.0, if left { 1.0 } else { -1.0 }],
        Kernel::Epanechnikov => vec![0.75, 0.0, -0.75],
        Kernel::Uniform => vec![0.5],
    }
}

/// A half of the design's support: its interval, its density and the design's columns on it.
struct Piece {
    lo: f64,
    hi: f64,
    f: f64,
    kernel: Poly,
    columns: Vec<Poly>,
}

/// `S = ∫ r rᵀ K f`, `Γ = ∫∫ r(u) r(s)ᵀ K K f f G(min(u, s))` with `G(m) = m f(m)`, and
/// `c = ∫ r K f t^{k+1}` over the pieces (in order along the line).
fn design_matrices(pieces: &[Piece], k: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let m = pieces[0].columns.len();
    let mut s = vec![0.0; m * m];
    let mut g = vec![0.0; m * m];
    let mut c = vec![0.0; m];
    // aⱼ = rⱼ K f on each piece; A_j(t) = ∫_t^end aⱼ = (I(hi) − I(t)) + later pieces.
    let a: Vec<Vec<Poly>> =
        pieces.iter().map(|p| p.columns.iter().map(|col| pmul(&pmul(col, &p.kernel), &[p.f])).collect()).collect();
    let later: Vec<Vec<f64>> = (0..pieces.len())
        .map(|pi| {
            (0..m)
                .map(|j| (pi + 1..pieces.len()).map(|qi| pdefinite(&a[qi][j], pieces[qi].lo, pieces[qi].hi)).sum())
                .collect()
        })
        .collect();
    for (pi, p) in pieces.iter().enumerate() {
        let tail: Vec<Poly> = (0..m)
            .map(|j| {
                let i = pint(&a[pi][j]);
                let mut out: Poly = i.iter().map(|v| -v).collect();
                out[0] += peval(&i, p.hi) + later[pi][j];
                out
            })
            .collect();
        let gm = vec![0.0, p.f];
        for j in 0..m {
            c[j] += pdefinite(&pmul(&a[pi][j], &monomial(k + 1)), p.lo, p.hi);
            for l in 0..m {
                s[j * m + l] += pdefinite(&pmul(&a[pi][j], &p.columns[l]), p.lo, p.hi);
                let mut integrand = pmul(&a[pi][j], &tail[l]);
                let other = pmul(&a[pi][l], &tail[j]);
                if other.len() > integrand.len() {
                    integrand.resize(other.len(), 0.0);
                }
                for (x, y) in integrand.iter_mut().zip(&other) {
                    *x += y;
                }
                g[j * m + l] += pdefinite(&pmul(&gm, &integrand), p.lo, p.hi);
            }
        }
    }
    (s, g, c)
}

/// `M = S⁻¹ Γ S⁻¹` and `S⁻¹ c` (NaN when S is singular, which a valid kernel and order never give).
fn sandwich_and_bias(pieces: &[Piece], k: usize) -> (Vec<f64>, Vec<f64>) {
    let (s, g, c) = design_matrices(pieces, k);
    let m = c.len();
    // The kernel moments are exact and the matrix is non-singular: only an exact zero pivot fails.
    let Some(inv) = invert(&s, m, 0.0) else {
        return (vec![f64::NAN; m * m], vec![f64::NAN; m]);
    };
    let mul = |a: &[f64], b: &[f64]| -> Vec<f64> {
        (0..m * m).map(|ij| (0..m).map(|t| a[(ij / m) * m + t] * b[t * m + ij % m]).sum()).collect()
    };
    let sandwich = mul(&mul(&inv, &g), &inv);
    let bias = (0..m).map(|i| (0..m).map(|j| inv[i * m + j] * c[j]).sum()).collect();
    (sandwich, bias)
}

/// One-sided constants of the order-k fit for coefficient ν: the variance constant
/// `(S⁻¹ΓS⁻¹)_νν` and the bias constant `(S⁻¹c)_ν` (the same on both sides).
fn one_sided(kernel: Kernel, k: usize, nu: usize) -> (f64, f64) {
    let piece = Piece {
        lo: 0.0,
        hi: 1.0,
        f: 1.0,
        kernel: kernel_poly(kernel, false),
        columns: (0..=k).map(monomial).collect(),
    };
    let (m, b) = sandwich_and_bias(&[piece], k);
    (m[nu * (k + 1) + nu], b[nu])
}

fn restricted_pieces(kernel: Kernel, k: usize, fl: f64, fr: f64) -> [Piece; 2] {
    let cols = |left: bool| -> Vec<Poly> {
        let mut v = vec![
            vec![1.0],
            if left { vec![0.0, 1.0] } else { vec![0.0] },
            if left { vec![0.0] } else { vec![0.0, 1.0] },
        ];
        v.extend((2..=k).map(monomial));
        v
    };
    [
        Piece { lo: -1.0, hi: 0.0, f: fl, kernel: kernel_poly(kernel, true), columns: cols(true) },
        Piece { lo: 0.0, hi: 1.0, f: fr, kernel: kernel_poly(kernel, false), columns: cols(false) },
    ]
}

/// The restricted design's asymptotic covariance constants of (f₋, f₊), row-major 2 × 2, given
/// the two half-densities: n h · Var.
fn restricted_variance(kernel: Kernel, k: usize, fl: f64, fr: f64) -> [f64; 4] {
    let (m, _) = sandwich_and_bias(&restricted_pieces(kernel, k, fl, fr), k);
    let w = k + 2;
    [m[w + 1], m[w + 2], m[2 * w + 1], m[2 * w + 2]]
}

/// The restricted design's bias constants of (f₋, f₊) for a common term t^{k+1}.
fn restricted_bias(kernel: Kernel, k: usize, fl: f64, fr: f64) -> (f64, f64) {
    let (_, b) = sandwich_and_bias(&restricted_pieces(kernel, k, fl, fr), k);
    (b[1], b[2])
}

/// The normal-reference rule-of-thumb bandwidth for the ν-th derivative of the distribution
/// function by a one-sided polynomial of order k, with the uniform kernel's constants:
/// `h = [(2ν − 1) V / (2(k + 1 − ν) n B²)]^{1/(2k+1)}`, `V = f·v`, `B = f⁽ᵏ⁾/(k+1)!·b`, the
/// normal density (mean and sd of the sample) and its derivatives evaluated at the cut-off.
fn rule_of_thumb(n: f64, z: f64, sd: f64, k: usize, nu: usize) -> f64 {
    let (v, b) = one_sided(Kernel::Uniform, k, nu);
    let phi = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    // Hermite polynomials He_j(z): f⁽ʲ⁾(c) = (−1)ʲ He_j(z) φ(z) / sd^{j+1}.
    let (mut he_prev, mut he) = (1.0, z);
    let he_k = if k == 0 {
        1.0
    } else {
        for j in 1..k {
            let next = z * he - j as f64 * he_prev;
            he_prev = he;
            he = next;
        }
        he
    };
    let dens = phi / sd;
    let deriv = if k.is_multiple_of(2) { 1.0 } else { -1.0 } * he_k * phi / sd.powi(k as i32 + 1);
    let fact: f64 = (1..=k + 1).map(|i| i as f64).product();
    let big_v = dens * v;
    let big_b = deriv / fact * b;
    ((2.0 * nu as f64 - 1.0) * big_v / (2.0 * (k + 1 - nu) as f64 * n * big_b * big_b))
        .powf(1.0 / (2.0 * k as f64 + 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_constants_known_values() {
        // Triangular, p = 2, one-sided: v = 40/7, b = −3/7; uniform: 192/35 and −3/5.
        let (v, b) = one_sided(Kernel::Triangular, 2, 1);
        assert!((v - 40.0 / 7.0).abs() < 1e-10 && (b + 3.0 / 7.0).abs() < 1e-12, "{v} {b}");
        let (v, b) = one_sided(Kernel::Uniform, 2, 1);
        assert!((v - 192.0 / 35.0).abs() < 1e-10 && (b + 0.6).abs() < 1e-12, "{v} {b}");
        // Restricted design with equal densities: bias constants 0.4 on both sides (triangular).
        let (l, r) = restricted_bias(Kernel::Triangular, 2, 1.0, 1.0);
        assert!((l - 0.4).abs() < 1e-12 && (r - 0.4).abs() < 1e-12, "{l} {r}");
    }

    #[test]
    fn invert_round_trip() {
        let a = [4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 2.0];
        let inv = invert(&a, 3, 1e-13).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let v: f64 = (0..3).map(|k| a[i * 3 + k] * inv[k * 3 + j]).sum();
                assert!((v - if i == j { 1.0 } else { 0.0 }).abs() < 1e-14);
            }
        }
        assert!(invert(&[1.0, 1.0, 1.0, 1.0], 2, 1e-13).is_none());
    }
}
