//! The data of a regression-discontinuity plot: binned means of the outcome on each side of the
//! cut-off and a global polynomial fit per side, with the data-driven numbers of bins of Calonico,
//! Cattaneo and Titiunik (2015, "Optimal data-driven regression discontinuity plots", JASA).
//!
//! # Numbers of bins
//!
//! On each side (left: `x < c`, right: `x ≥ c`) with `N` observations out of `n`, the bins are
//! evenly spaced (ES: equal widths over the side's support of length `L`) or quantile spaced (QS:
//! equal numbers of observations). The integrated mean squared error of the binned means is
//! `IMSE(J) ≈ B/J² + (J/n)·V` (squared bias plus variance, both weighted by the density of the
//! score), so the **IMSE-optimal** number is `J = ⌈(2B·n/V)^{1/3}⌉`; the **mimicking-variance**
//! number `J = ⌈(σ²_y/V)·n/log(n)²⌉` makes the binned means about as variable as the raw data
//! (`σ²_y` is the sample variance of the outcome on the side). The constants are estimated from a
//! pilot polynomial of order 4 in `x` fitted on each side to `y` (regression function `μ̂`, slope
//! `μ̂′`) and to `y²` (conditional variance `σ̂²(x) = m̂₂(x) − μ̂(x)²`, replaced by `σ²_y` where it
//! is negative), over the side's observations sorted by score (`Δxᵢ = xᵢ − xᵢ₋₁`,
//! `Δyᵢ = yᵢ − yᵢ₋₁`, midpoints `x̄ᵢ = (xᵢ + xᵢ₋₁)/2`, `i = 2…N`):
//!
//! | constant | evenly spaced | quantile spaced |
//! |---|---|---|
//! | `B` | `L²/12 · (1/n)·Σᵢ μ̂′(xᵢ)²` | `N²/(24n) · Σᵢ Δxᵢ²·μ̂′(x̄ᵢ)²` |
//! | `V`, spacings | `(1/L)·Σᵢ Δxᵢ·Δyᵢ²/2` | `(1/N)·Σᵢ Δyᵢ²/2` |
//! | `V`, polynomial regression | `(1/L)·Σᵢ Δxᵢ·σ̂²(x̄ᵢ)` | `(1/N)·Σᵢ σ̂²(xᵢ)` |
//!
//! `B` estimates `(L²/12)·∫μ′²f` (ES) or `(p²/12)·∫μ′²/f` with `p = N/n` (QS, the density from the
//! spacings, `E[(n f Δx)²] = 2`); `V` estimates `(1/L)·∫σ²` (ES) or `(1/p)·∫σ²f` (QS), either with
//! the spacings estimators (`Δyᵢ²/2` for the variance, `Δxᵢ` for the inverse density: no tuning
//! parameter) or with the polynomial regressions. These are the eight `binselect` choices of
//! rdrobust's `rdplot` ([`BinSelect`]); phare's choices agree with rdplot 2.1.1 exactly on the
//! reference cases (`tests/rd_plot.rs`). The spacings estimators depend on the order of tied
//! scores: phare keeps ties in their order in the data (a stable sort), so with mass points the
//! spacings choices may differ by a bin from rdplot's Python implementation, which does not
//! keep that order. With mass points (a side where at least 20 % of the observations repeat a
//! score), [`MassPoints::Adjust`] (the default) switches to the polynomial-regression estimators,
//! as rdplot does.

use super::{Kernel, MassPoints, RegressionDiscontinuity};
use phare_core::{Diagnostic, Error, Result};
use phare_data::matrix::{DesignMatrix, MissingPolicy};
use phare_data::polars::prelude::DataFrame;
use phare_stats::linalg::LeastSquares;

/// The largest number of bins on one side; a data-driven choice above it is refused.
pub const MAX_BINS: usize = 1_000_000;
/// Order of the pilot polynomial behind the data-driven numbers of bins.
const PILOT_ORDER: usize = 4;
/// Share of repeated scores on a side from which the running variable has mass points.
const MASS_POINT_SHARE: f64 = 0.2;
/// Points at which each side's global polynomial is evaluated.
const CURVE_POINTS: usize = 100;

/// How bins are laid out on each side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BinSpacing {
    /// Bins of equal width over the side's range.
    #[default]
    Even,
    /// Bins holding (about) the same number of observations: breaks at the type-7 quantiles of the
    /// side's running variable.
    Quantile,
}

/// A data-driven choice of the number of bins (Calonico, Cattaneo and Titiunik 2015), named as
/// rdplot's `binselect`. docs/methods/rd.md and the source of `rd/plot.rs` give the formulas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum BinSelect {
    /// `es`: IMSE-optimal, evenly spaced, spacings estimators.
    #[serde(rename = "es")]
    EsImse,
    /// `espr`: IMSE-optimal, evenly spaced, polynomial-regression estimators.
    #[serde(rename = "espr")]
    EsImsePr,
    /// `esmv`: mimicking variance, evenly spaced, spacings estimators (rdplot's default).
    #[default]
    #[serde(rename = "esmv")]
    EsMimicking,
    /// `esmvpr`: mimicking variance, evenly spaced, polynomial-regression estimators.
    #[serde(rename = "esmvpr")]
    EsMimickingPr,
    /// `qs`: IMSE-optimal, quantile spaced, spacings estimators.
    #[serde(rename = "qs")]
    QsImse,
    /// `qspr`: IMSE-optimal, quantile spaced, polynomial-regression estimators.
    #[serde(rename = "qspr")]
    QsImsePr,
    /// `qsmv`: mimicking variance, quantile spaced, spacings estimators.
    #[serde(rename = "qsmv")]
    QsMimicking,
    /// `qsmvpr`: mimicking variance, quantile spaced, polynomial-regression estimators.
    #[serde(rename = "qsmvpr")]
    QsMimickingPr,
}

impl BinSelect {
    /// Every choice, in rdplot's order.
    pub const ALL: [BinSelect; 8] = [
        BinSelect::EsImse,
        BinSelect::EsImsePr,
        BinSelect::EsMimicking,
        BinSelect::EsMimickingPr,
        BinSelect::QsImse,
        BinSelect::QsImsePr,
        BinSelect::QsMimicking,
        BinSelect::QsMimickingPr,
    ];

    /// The choice with this spacing, target (`mimicking`: mimicking variance rather than
    /// IMSE-optimal) and estimators (`polynomial`: polynomial regression rather than spacings).
    pub fn new(spacing: BinSpacing, mimicking: bool, polynomial: bool) -> BinSelect {
        match (spacing, mimicking, polynomial) {
            (BinSpacing::Even, false, false) => BinSelect::EsImse,
            (BinSpacing::Even, false, true) => BinSelect::EsImsePr,
            (BinSpacing::Even, true, false) => BinSelect::EsMimicking,
            (BinSpacing::Even, true, true) => BinSelect::EsMimickingPr,
            (BinSpacing::Quantile, false, false) => BinSelect::QsImse,
            (BinSpacing::Quantile, false, true) => BinSelect::QsImsePr,
            (BinSpacing::Quantile, true, false) => BinSelect::QsMimicking,
            (BinSpacing::Quantile, true, true) => BinSelect::QsMimickingPr,
        }
    }

    /// rdplot's name: `es`, `espr`, `esmv`, `esmvpr`, `qs`, `qspr`, `qsmv` or `qsmvpr`.
    pub fn name(self) -> &'static str {
        match self {
            BinSelect::EsImse => "es",
            BinSelect::EsImsePr => "espr",
            BinSelect::EsMimicking => "esmv",
            BinSelect::EsMimickingPr => "esmvpr",
            BinSelect::QsImse => "qs",
            BinSelect::QsImsePr => "qspr",
            BinSelect::QsMimicking => "qsmv",
            BinSelect::QsMimickingPr => "qsmvpr",
        }
    }

    /// The layout of the bins.
    pub fn spacing(self) -> BinSpacing {
        match self {
            BinSelect::EsImse | BinSelect::EsImsePr | BinSelect::EsMimicking | BinSelect::EsMimickingPr => {
                BinSpacing::Even
            }
            _ => BinSpacing::Quantile,
        }
    }

    /// Whether the number of bins mimics the variability of the data (rather than minimising the
    /// IMSE).
    pub fn is_mimicking(self) -> bool {
        matches!(
            self,
            BinSelect::EsMimicking | BinSelect::EsMimickingPr | BinSelect::QsMimicking | BinSelect::QsMimickingPr
        )
    }

    /// Whether the variance constant comes from the polynomial regressions (rather than from the
    /// spacings estimators).
    pub fn is_polynomial(self) -> bool {
        matches!(self, BinSelect::EsImsePr | BinSelect::EsMimickingPr | BinSelect::QsImsePr | BinSelect::QsMimickingPr)
    }

    /// The same choice with polynomial-regression estimators.
    pub fn with_polynomial(self) -> BinSelect {
        BinSelect::new(self.spacing(), self.is_mimicking(), true)
    }

    /// A sentence naming the choice, as rdplot prints it.
    pub fn description(self) -> String {
        format!(
            "{} {} method using {}",
            if self.is_mimicking() { "mimicking variance" } else { "IMSE-optimal" },
            match self.spacing() {
                BinSpacing::Even => "evenly-spaced",
                BinSpacing::Quantile => "quantile-spaced",
            },
            if self.is_polynomial() { "polynomial regression" } else { "spacings estimators" }
        )
    }
}

impl std::fmt::Display for BinSelect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for BinSelect {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        BinSelect::ALL.into_iter().find(|b| b.name() == s).ok_or_else(|| {
            Error::unknown_option("binselect", s, &BinSelect::ALL.iter().map(|b| b.name()).collect::<Vec<_>>())
        })
    }
}

/// What an RD plot shows and how its bins are chosen. The defaults are rdplot's: mimicking-variance
/// evenly spaced bins with spacings estimators ([`BinSelect::EsMimicking`]), a global polynomial
/// of order 4 fitted with the uniform kernel over each side's whole range, mass points adjusted.
///
/// ```
/// use phare_causal::rd::{BinSelect, RdPlotOptions};
/// let opts = RdPlotOptions::new().binselect(BinSelect::QsImse).order(3);
/// let fixed = RdPlotOptions::new().bins(20, 20); // 20 evenly spaced bins per side
/// # let _ = (opts, fixed);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RdPlotOptions {
    select: BinSelect,
    bins: Option<(usize, usize)>,
    order: usize,
    kernel: Kernel,
    bandwidths: Option<(f64, f64)>,
    support: Option<(f64, f64)>,
    scale: Option<(f64, f64)>,
    masspoints: MassPoints,
}

impl Default for RdPlotOptions {
    fn default() -> Self {
        RdPlotOptions {
            select: BinSelect::default(),
            bins: None,
            order: 4,
            kernel: Kernel::Uniform,
            bandwidths: None,
            support: None,
            scale: None,
            masspoints: MassPoints::Adjust,
        }
    }
}

impl RdPlotOptions {
    /// rdplot's defaults (see the type's documentation).
    pub fn new() -> Self {
        Self::default()
    }
    /// The data-driven choice of the numbers of bins; it also sets the bins' spacing, including for
    /// numbers given with [`bins`](Self::bins).
    pub fn binselect(mut self, select: BinSelect) -> Self {
        self.select = select;
        self
    }
    /// Fixed numbers of bins (left, right) instead of the data-driven ones, laid out as the
    /// [`binselect`](Self::binselect) choice says (evenly spaced by default). The data-driven
    /// numbers are still computed and reported when the data allow it.
    pub fn bins(mut self, left: usize, right: usize) -> Self {
        self.bins = Some((left, right));
        self
    }
    /// Fixed numbers of bins with this spacing (the data-driven numbers reported are then the
    /// mimicking-variance ones with spacings estimators of that spacing).
    pub fn bins_spaced(self, left: usize, right: usize, spacing: BinSpacing) -> Self {
        self.bins(left, right).binselect(BinSelect::new(spacing, true, false))
    }
    /// Order of the global polynomial fitted on each side (4 by default).
    pub fn order(mut self, p: usize) -> Self {
        self.order = p;
        self
    }
    /// Kernel weighting the global polynomial fits (uniform by default).
    pub fn kernel(mut self, k: Kernel) -> Self {
        self.kernel = k;
        self
    }
    /// The same bandwidth on both sides for the global polynomial fits (default: each side's
    /// range, i.e. every observation). The bins always cover the whole support.
    pub fn bandwidth(self, h: f64) -> Self {
        self.bandwidths(h, h)
    }
    /// Bandwidths (left, right) for the global polynomial fits.
    pub fn bandwidths(mut self, left: f64, right: f64) -> Self {
        self.bandwidths = Some((left, right));
        self
    }
    /// An extended support `[low, high]` of the running variable: evenly spaced bins (and the
    /// curves) then span it where it is wider than the data, and it enters the evenly spaced
    /// numbers of bins through the side lengths. Narrower bounds are ignored, as in rdplot.
    pub fn support(mut self, low: f64, high: f64) -> Self {
        self.support = Some((low, high));
        self
    }
    /// Multiply the data-driven numbers of bins by `s` on both sides: `J = ⌊s·Ĵ⌋`, at least 1.
    /// Fixed numbers given with [`bins`](Self::bins) are not scaled.
    pub fn scale(self, s: f64) -> Self {
        self.scales(s, s)
    }
    /// Multiply the data-driven numbers of bins by `left` and `right`.
    pub fn scales(mut self, left: f64, right: f64) -> Self {
        self.scale = Some((left, right));
        self
    }
    /// How repeated values of the running variable are treated: [`MassPoints::Adjust`] (default)
    /// switches the spacings estimators to polynomial regression when a side has mass points (at
    /// least 20 % of its observations repeat a score) and notes it; [`MassPoints::Check`] only
    /// warns; [`MassPoints::Off`] does neither.
    pub fn masspoints(mut self, m: MassPoints) -> Self {
        self.masspoints = m;
        self
    }
}

/// The data-driven numbers of bins and the constants behind them, as `(left, right)` pairs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BinSelection {
    /// The choice asked for.
    pub requested: BinSelect,
    /// The choice computed: the one asked for, or its polynomial-regression version when mass
    /// points were adjusted for.
    pub method: BinSelect,
    /// Whether the running variable has mass points (a side where at least 20 % of the
    /// observations repeat a score).
    pub mass_points: bool,
    /// IMSE-optimal numbers of bins, `⌈(2B·n/V)^{1/3}⌉` (at least 1).
    pub imse: (usize, usize),
    /// Mimicking-variance numbers of bins, `⌈(σ²_y/V)·n/log(n)²⌉`.
    pub mimicking: (usize, usize),
    /// The IMSE-optimal numbers before rounding up.
    pub imse_exact: (f64, f64),
    /// The mimicking-variance numbers before rounding up.
    pub mimicking_exact: (f64, f64),
    /// The bias constants `B`.
    pub bias: (f64, f64),
    /// The variance constants `V` (of the method's estimators).
    pub variance: (f64, f64),
    /// The sample variance `σ²_y` of the outcome on each side.
    pub outcome_variance: (f64, f64),
    /// Observations on each side.
    pub n: (usize, usize),
    /// Distinct values of the running variable on each side.
    pub distinct: (usize, usize),
}

impl BinSelection {
    /// The numbers of bins of the method: the mimicking-variance ones for the `…mv…` choices, the
    /// IMSE-optimal ones otherwise.
    pub fn selected(&self) -> (usize, usize) {
        if self.method.is_mimicking() { self.mimicking } else { self.imse }
    }
}

/// One bin.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct RdPlotBin {
    /// Whether the bin is at or above the cut-off.
    pub right: bool,
    /// Mean of the running variable in the bin.
    pub x: f64,
    /// Mean of the outcome in the bin.
    pub y: f64,
    /// Observations in the bin.
    pub n: usize,
    /// Standard error of the bin mean (`sd/√n`; NaN for a single observation, where rdplot
    /// reports 0).
    pub se: f64,
    /// Lower end of the bin (included).
    pub lower: f64,
    /// Upper end of the bin (excluded, except for the last bin on the right).
    pub upper: f64,
}

/// A regression-discontinuity plot's data: bins (empty bins left out) and, per side, a global
/// polynomial fit evaluated on 100 points.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RdPlot {
    /// The cut-off.
    pub cutoff: f64,
    /// The bins, left then right.
    pub bins: Vec<RdPlotBin>,
    /// `(x, fitted)` on the left side.
    pub left_fit: Vec<(f64, f64)>,
    /// `(x, fitted)` on the right side.
    pub right_fit: Vec<(f64, f64)>,
    /// Number of bins per side (given, or chosen and scaled), empty bins included.
    pub n_bins: (usize, usize),
    /// Order of the global polynomial.
    pub order: usize,
    /// The bins' layout.
    pub spacing: BinSpacing,
    /// The data-driven numbers of bins: always there when they chose the bins; with fixed numbers
    /// of bins, there when the data allow them (a diagnostic says why not otherwise).
    pub selection: Option<BinSelection>,
    /// Coefficients of the left global polynomial in powers of `x − c` (constant first).
    pub left_coef: Vec<f64>,
    /// Coefficients of the right global polynomial in powers of `x − c`.
    pub right_coef: Vec<f64>,
    /// Kernel of the global fits.
    pub kernel: Kernel,
    /// Bandwidths (left, right) of the global fits.
    pub bandwidths: (f64, f64),
    /// Observations on each side.
    pub n: (usize, usize),
    /// Observations within the bandwidths (those of the global fits).
    pub n_h: (usize, usize),
    /// Mean width of the bins on each side (empty bins included).
    pub bin_width_mean: (f64, f64),
    /// Median width of the bins on each side (empty bins included).
    pub bin_width_median: (f64, f64),
    /// What was noticed: rows dropped for missing values, mass points, the design's weights
    /// ignored…
    pub diagnostics: Vec<Diagnostic>,
}

impl RdPlot {
    /// The numbers of bins relative to the IMSE-optimal ones (rdplot's `rscale`), when these are
    /// known.
    pub fn implied_scale(&self) -> Option<(f64, f64)> {
        self.selection
            .as_ref()
            .map(|s| (self.n_bins.0 as f64 / s.imse.0 as f64, self.n_bins.1 as f64 / s.imse.1 as f64))
    }
}

/// One side's observations sorted by score (ties in their order in the data).
struct Side {
    x: Vec<f64>,
    y: Vec<f64>,
    right: bool,
}

impl Side {
    fn name(&self) -> &'static str {
        if self.right { "right" } else { "left" }
    }
    fn distinct(&self) -> usize {
        self.x.iter().enumerate().filter(|&(i, v)| i == 0 || *v != self.x[i - 1]).count()
    }
}

/// The constants of one side, for the four estimators.
struct SideConstants {
    b_es: f64,
    b_qs: f64,
    v_es: f64,
    v_es_pr: f64,
    v_qs: f64,
    v_qs_pr: f64,
    var_y: f64,
}

impl RegressionDiscontinuity {
    /// The RD plot's data: `bins` per side (left, right) laid out by `spacing`, and a global
    /// polynomial of order `order` (4 is customary) fitted by least squares on each whole side.
    /// The same as [`plot_with`](Self::plot_with) with
    /// `RdPlotOptions::new().bins_spaced(bins.0, bins.1, spacing).order(order)`; `plot_with` also
    /// chooses the numbers of bins from the data.
    ///
    /// # Errors
    /// Missing columns; [`Error::InvalidArgument`] for zero bins; [`Error::Design`] for a side
    /// with no observation or too few distinct values for the polynomial.
    pub fn plot(&self, df: &DataFrame, bins: (usize, usize), spacing: BinSpacing, order: usize) -> Result<RdPlot> {
        self.plot_with(df, &RdPlotOptions::new().bins_spaced(bins.0, bins.1, spacing).order(order))
    }

    /// The RD plot's data as `options` say: numbers of bins given or chosen from the data
    /// (Calonico, Cattaneo and Titiunik 2015; see [`BinSelect`]), bin means, and global
    /// polynomial fits. The design's cut-off, outcome and running variable are used; its
    /// bandwidths, kernel and weights are not (a diagnostic notes ignored weights).
    ///
    /// # Example
    /// ```
    /// use phare_causal::rd::{BinSelect, RdPlotOptions, RegressionDiscontinuity};
    /// use phare_data::polars::prelude::*;
    /// // SIMULATED: y = x + x² + 0.5·1{x ≥ 0} + noise on a grid of x.
    /// let x: Vec<f64> = (0..1000).map(|i| -1.0 + (i as f64 + 0.5) / 500.0).collect();
    /// let y: Vec<f64> = x
    ///     .iter()
    ///     .enumerate()
    ///     .map(|(i, x)| x + x * x + if *x >= 0.0 { 0.5 } else { 0.0 } + 0.2 * (((i * 7919) % 101) as f64 / 50.0 - 1.0))
    ///     .collect();
    /// let df = df!("x" => x, "y" => y)?;
    /// let plot = RegressionDiscontinuity::new("y", "x").plot_with(&df, &RdPlotOptions::new().binselect(BinSelect::EsImse))?;
    /// let chosen = plot.selection.as_ref().unwrap().imse;
    /// assert_eq!(plot.n_bins, chosen);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// Missing columns; [`Error::InvalidArgument`] for zero bins, a polynomial order above 20, a
    /// non-positive bandwidth or scale, or a support that is not an interval; [`Error::Design`]
    /// for a side with no observation, too few distinct values for the polynomial, and, when the
    /// numbers of bins are chosen from the data, for the reasons of
    /// [`select_bins`](Self::select_bins).
    pub fn plot_with(&self, df: &DataFrame, options: &RdPlotOptions) -> Result<RdPlot> {
        check_options(options)?;
        let (left, right, mut diagnostics) = self.sides(df)?;
        let c = self.cutoff;
        if self.weights.is_some() {
            diagnostics.push(Diagnostic::note(
                "rd_plot_weights_ignored",
                "the RD plot ignores the design's observation weights: bin means and global fits are unweighted",
            ));
        }
        let (lo, hi) = support(&left, &right, options.support);
        let (ll, lr) = (c - lo, hi - c);
        // The numbers of bins: given (the selection is then only reported), or selected and scaled.
        let (selection, n_bins) = match options.bins {
            Some(given) => match self.selection_of(&left, &right, ll, lr, options, &mut diagnostics) {
                Ok(s) => (Some(s), given),
                Err(e) => {
                    diagnostics.push(Diagnostic::note(
                        "rd_plot_no_bin_selection",
                        format!("no data-driven numbers of bins to report: {e}"),
                    ));
                    (None, given)
                }
            },
            None => {
                let s = self.selection_of(&left, &right, ll, lr, options, &mut diagnostics)?;
                let (jl, jr) = s.selected();
                let (sl, sr) = options.scale.unwrap_or((1.0, 1.0));
                let scaled = |s: f64, j: usize| ((s * j as f64).floor() as usize).clamp(1, MAX_BINS);
                (Some(s), (scaled(sl, jl), scaled(sr, jr)))
            }
        };
        let spacing = options.select.spacing();
        let (hl, hr) = options.bandwidths.unwrap_or((ll, lr));
        let mut plot = RdPlot {
            cutoff: c,
            bins: Vec::new(),
            left_fit: Vec::new(),
            right_fit: Vec::new(),
            n_bins,
            order: options.order,
            spacing,
            selection,
            left_coef: Vec::new(),
            right_coef: Vec::new(),
            kernel: options.kernel,
            bandwidths: (hl, hr),
            n: (left.x.len(), right.x.len()),
            n_h: (0, 0),
            bin_width_mean: (0.0, 0.0),
            bin_width_median: (0.0, 0.0),
            diagnostics,
        };
        for side in [&left, &right] {
            let (j, h, range) = if side.right { (n_bins.1, hr, (c, hi)) } else { (n_bins.0, hl, (lo, c)) };
            let edges = match spacing {
                BinSpacing::Even => even_edges(range.0, range.1, j),
                BinSpacing::Quantile => quantile_edges(&side.x, j),
            };
            plot.bins.extend(bin_means(side, &edges));
            let mut widths: Vec<f64> = edges.windows(2).map(|w| w[1] - w[0]).collect();
            let mean = widths.iter().sum::<f64>() / j as f64;
            widths.sort_by(f64::total_cmp);
            let median = if j % 2 == 1 { widths[j / 2] } else { 0.5 * (widths[j / 2 - 1] + widths[j / 2]) };
            let (coef, n_h) = self.global_fit(side, h, options)?;
            let curve: Vec<(f64, f64)> = (0..CURVE_POINTS)
                .map(|i| {
                    let v = range.0 + (range.1 - range.0) * i as f64 / (CURVE_POINTS - 1) as f64;
                    (v, horner(&coef, v - c))
                })
                .collect();
            if side.right {
                (plot.right_fit, plot.right_coef, plot.n_h.1) = (curve, coef, n_h);
                (plot.bin_width_mean.1, plot.bin_width_median.1) = (mean, median);
            } else {
                (plot.left_fit, plot.left_coef, plot.n_h.0) = (curve, coef, n_h);
                (plot.bin_width_mean.0, plot.bin_width_median.0) = (mean, median);
            }
        }
        Ok(plot)
    }

    /// The data-driven numbers of bins of `options`' [`BinSelect`] choice on each side of the
    /// cut-off, with the IMSE-optimal and mimicking-variance numbers and their constants (see the
    /// [`BinSelect`] documentation). Fixed numbers of bins, bandwidths, kernel and order in
    /// `options` play no part; the support and the mass-point rule do.
    ///
    /// # Errors
    /// Missing columns; [`Error::Design`] for a side with no observation, fewer than 5 distinct
    /// values of the running variable (the pilot polynomial is quartic), a constant outcome, or
    /// estimated constants that give no finite number of bins up to [`MAX_BINS`] (an outcome that
    /// is an exact polynomial of the score, for instance); [`Error::InvalidArgument`] for a support
    /// that is not an interval.
    pub fn select_bins(&self, df: &DataFrame, options: &RdPlotOptions) -> Result<BinSelection> {
        check_options(options)?;
        let (left, right, mut diagnostics) = self.sides(df)?;
        let (lo, hi) = support(&left, &right, options.support);
        self.selection_of(&left, &right, self.cutoff - lo, hi - self.cutoff, options, &mut diagnostics)
    }

    /// The two sides, sorted by score, and the data diagnostics.
    fn sides(&self, df: &DataFrame) -> Result<(Side, Side, Vec<Diagnostic>)> {
        let m = DesignMatrix::from_frame(df, &[self.outcome.as_str(), self.running.as_str()], MissingPolicy::Drop)?;
        let (y, x) = (m.column(0), m.column(1));
        let c = self.cutoff;
        let side = |right: bool| -> Result<Side> {
            let mut pts: Vec<(f64, f64)> =
                x.iter().zip(y).filter(|(v, _)| (**v >= c) == right).map(|(a, b)| (*a, *b)).collect();
            // A stable sort: tied scores keep their order in the data.
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            if pts.is_empty() {
                return Err(Error::design(
                    format!(
                        "no observation on the {} side of the cut-off {c} of `{}`",
                        if right { "right" } else { "left" },
                        self.running
                    ),
                    "check the cut-off: it must lie inside the running variable's range",
                ));
            }
            let (x, y) = pts.into_iter().unzip();
            Ok(Side { x, y, right })
        };
        Ok((side(false)?, side(true)?, m.diagnostics().to_vec()))
    }

    /// The selection on prepared sides with side lengths `ll`, `lr`.
    fn selection_of(
        &self,
        left: &Side,
        right: &Side,
        ll: f64,
        lr: f64,
        options: &RdPlotOptions,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<BinSelection> {
        let n = left.x.len() + right.x.len();
        let distinct = (left.distinct(), right.distinct());
        let share = |d: usize, m: usize| 1.0 - d as f64 / m as f64;
        let mass_points =
            share(distinct.0, left.x.len()) >= MASS_POINT_SHARE || share(distinct.1, right.x.len()) >= MASS_POINT_SHARE;
        let requested = options.select;
        let mut method = requested;
        if mass_points {
            let what = format!(
                "mass points in `{}`: {} distinct values for {} observations on the left, {} for {} on the right",
                self.running,
                distinct.0,
                left.x.len(),
                distinct.1,
                right.x.len()
            );
            match options.masspoints {
                MassPoints::Adjust if !requested.is_polynomial() => {
                    method = requested.with_polynomial();
                    diagnostics.push(Diagnostic::note(
                        "rd_plot_mass_points",
                        format!("{what}; numbers of bins by polynomial regression ({method}) instead of spacings"),
                    ));
                }
                MassPoints::Adjust => diagnostics.push(Diagnostic::note("rd_plot_mass_points", what)),
                MassPoints::Check => diagnostics.push(Diagnostic::warning(
                    "rd_plot_mass_points",
                    format!("{what}; the spacings estimators depend on the order of tied scores (masspoints adjust avoids them)"),
                )),
                MassPoints::Off => {}
            }
        }
        let cl = self.side_constants(left, ll, n)?;
        let cr = self.side_constants(right, lr, n)?;
        let nf = n as f64;
        let pick = |k: &SideConstants| -> (f64, f64) {
            let b = if method.spacing() == BinSpacing::Even { k.b_es } else { k.b_qs };
            let v = match (method.spacing(), method.is_polynomial()) {
                (BinSpacing::Even, false) => k.v_es,
                (BinSpacing::Even, true) => k.v_es_pr,
                (BinSpacing::Quantile, false) => k.v_qs,
                (BinSpacing::Quantile, true) => k.v_qs_pr,
            };
            (b, v)
        };
        let ((bl, vl), (br, vr)) = (pick(&cl), pick(&cr));
        let imse = |b: f64, v: f64| (2.0 * b / v).powf(1.0 / 3.0) * nf.powf(1.0 / 3.0);
        let mimic = |vy: f64, v: f64| vy / v * nf / nf.ln().powi(2);
        let exact = ((imse(bl, vl), imse(br, vr)), (mimic(cl.var_y, vl), mimic(cr.var_y, vr)));
        let count = |j: f64, side: &str, what: &str| -> Result<usize> {
            if !(j.is_finite() && j >= 0.0 && j <= MAX_BINS as f64) {
                return Err(Error::design(
                    format!(
                        "the {what} number of bins on the {side} side is {j} (bias constant {}, variance constant {})",
                        if side == "left" { bl } else { br },
                        if side == "left" { vl } else { vr }
                    ),
                    format!(
                        "the outcome looks like an exact polynomial of `{}` there; give the numbers of bins (RdPlotOptions::bins) or use polynomial-regression estimators",
                        self.running
                    ),
                ));
            }
            Ok((j.ceil() as usize).max(1))
        };
        Ok(BinSelection {
            requested,
            method,
            mass_points,
            imse: (count(exact.0.0, "left", "IMSE-optimal")?, count(exact.0.1, "right", "IMSE-optimal")?),
            mimicking: (
                count(exact.1.0, "left", "mimicking-variance")?,
                count(exact.1.1, "right", "mimicking-variance")?,
            ),
            imse_exact: exact.0,
            mimicking_exact: exact.1,
            bias: (bl, br),
            variance: (vl, vr),
            outcome_variance: (cl.var_y, cr.var_y),
            n: (left.x.len(), right.x.len()),
            distinct,
        })
    }

    /// The bias and variance constants of one side of length `len`, out of `n` observations.
    fn side_constants(&self, side: &Side, len: f64, n: usize) -> Result<SideConstants> {
        let d = side.distinct();
        if d <= PILOT_ORDER {
            return Err(Error::design(
                format!(
                    "only {d} distinct values of `{}` on the {} side: the data-driven numbers of bins need a quartic pilot fit (5 distinct values)",
                    self.running,
                    side.name()
                ),
                "give the numbers of bins (RdPlotOptions::bins)",
            ));
        }
        let (x, y) = (&side.x, &side.y);
        let m = x.len();
        let mf = m as f64;
        let nf = n as f64;
        let mean = y.iter().sum::<f64>() / mf;
        let var_y = y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (mf - 1.0);
        if var_y <= 0.0 || !var_y.is_finite() {
            return Err(Error::design(
                format!(
                    "`{}` is constant on the {} side of the cut-off: no data-driven number of bins",
                    self.outcome,
                    side.name()
                ),
                "give the numbers of bins (RdPlotOptions::bins)",
            ));
        }
        // Pilot quartics of y and y² in u = (x − c)/s.
        let c = self.cutoff;
        let s = x.iter().map(|v| (v - c).abs()).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
        let u: Vec<f64> = x.iter().map(|v| (v - c) / s).collect();
        let beta = poly_ls(&u, y, None, PILOT_ORDER);
        let y2: Vec<f64> = y.iter().map(|v| v * v).collect();
        let beta2 = poly_ls(&u, &y2, None, PILOT_ORDER);
        let slope = |v: f64| horner_derivative(&beta, (v - c) / s) / s;
        let var_at = |v: f64| {
            let uu = (v - c) / s;
            let mu = horner(&beta, uu);
            let s2 = horner(&beta2, uu) - mu * mu;
            if s2 < 0.0 { var_y } else { s2 }
        };
        let b_es = len * len / 12.0 * x.iter().map(|&v| slope(v).powi(2)).sum::<f64>() / nf;
        let (mut b_qs, mut v_es, mut v_es_pr, mut v_qs) = (0.0, 0.0, 0.0, 0.0);
        for i in 1..m {
            let (dx, dy) = (x[i] - x[i - 1], y[i] - y[i - 1]);
            let mid = 0.5 * (x[i] + x[i - 1]);
            b_qs += dx * dx * slope(mid).powi(2);
            v_es += dx * dy * dy / 2.0;
            v_es_pr += dx * var_at(mid);
            v_qs += dy * dy / 2.0;
        }
        Ok(SideConstants {
            b_es,
            b_qs: mf * mf / (24.0 * nf) * b_qs,
            v_es: v_es / len,
            v_es_pr: v_es_pr / len,
            v_qs: v_qs / mf,
            v_qs_pr: x.iter().map(|&v| var_at(v)).sum::<f64>() / mf,
            var_y,
        })
    }

    /// The global polynomial of one side (coefficients in powers of `x − c`) and the number of
    /// observations within the bandwidth.
    fn global_fit(&self, side: &Side, h: f64, options: &RdPlotOptions) -> Result<(Vec<f64>, usize)> {
        let c = self.cutoff;
        let order = options.order;
        let used: Vec<(f64, f64, f64)> = side
            .x
            .iter()
            .zip(&side.y)
            .filter_map(|(&v, &w)| {
                let k = options.kernel.at((v - c) / h);
                (k > 0.0).then_some(((v - c) / h, w, k))
            })
            .collect();
        let n_h = side.x.iter().filter(|&&v| (v - c).abs() <= h).count();
        let distinct = {
            let mut d: Vec<f64> = used.iter().map(|p| p.0).collect();
            d.dedup();
            d.len()
        };
        if distinct <= order {
            return Err(Error::design(
                format!(
                    "only {distinct} distinct values of `{}` within the bandwidth {h} on the {} side: a polynomial of order {order} needs more",
                    self.running,
                    side.name()
                ),
                "lower the order of the plot's polynomial or widen its bandwidth",
            ));
        }
        let u: Vec<f64> = used.iter().map(|p| p.0).collect();
        let ys: Vec<f64> = used.iter().map(|p| p.1).collect();
        let w: Vec<f64> = used.iter().map(|p| p.2).collect();
        let beta = poly_ls(&u, &ys, Some(&w), order);
        Ok((beta.iter().enumerate().map(|(k, b)| b / h.powi(k as i32)).collect(), n_h))
    }
}

/// Validates the options that do not depend on the data.
fn check_options(o: &RdPlotOptions) -> Result<()> {
    let bad = |name: &str, value: String, reason: &str, hint: &str| {
        Err(Error::InvalidArgument { name: name.into(), value, reason: reason.into(), hint: Some(hint.into()) })
    };
    if let Some(b) = o.bins
        && (b.0 == 0 || b.1 == 0)
    {
        return bad("bins", format!("{b:?}"), "each side needs at least one bin", "20 bins per side is a common start");
    }
    if let Some(b) = o.bins
        && (b.0 > MAX_BINS || b.1 > MAX_BINS)
    {
        return bad("bins", format!("{b:?}"), &format!("at most {MAX_BINS} bins per side"), "use fewer bins");
    }
    if o.order > 20 {
        return bad("order", o.order.to_string(), "the global polynomial's order is at most 20", "4 is customary");
    }
    if let Some((l, r)) = o.bandwidths
        && !(l > 0.0 && r > 0.0 && l.is_finite() && r.is_finite())
    {
        return bad(
            "bandwidths",
            format!("({l}, {r})"),
            "bandwidths must be positive and finite",
            "leave them out to use every observation",
        );
    }
    if let Some((l, r)) = o.scale
        && !(l > 0.0 && r > 0.0 && l.is_finite() && r.is_finite())
    {
        return bad(
            "scale",
            format!("({l}, {r})"),
            "scales must be positive and finite",
            "1 keeps the selected numbers of bins",
        );
    }
    if let Some((l, h)) = o.support
        && !(l.is_finite() && h.is_finite() && l < h)
    {
        return bad(
            "support",
            format!("({l}, {h})"),
            "the support must be an interval [low, high] with low < high",
            "e.g. the score's theoretical range",
        );
    }
    Ok(())
}

/// The plotted support: the data's range, widened to `support` where it is wider.
fn support(left: &Side, right: &Side, support: Option<(f64, f64)>) -> (f64, f64) {
    let (lo, hi) = (left.x[0], right.x[right.x.len() - 1]);
    match support {
        Some((a, b)) => (lo.min(a), hi.max(b)),
        None => (lo, hi),
    }
}

/// `j + 1` evenly spaced bin edges from `lo` to `hi`.
fn even_edges(lo: f64, hi: f64, j: usize) -> Vec<f64> {
    let w = (hi - lo) / j as f64;
    (0..=j).map(|k| if k == j { hi } else { lo + w * k as f64 }).collect()
}

/// `j + 1` bin edges at the type-7 quantiles `k/j` of sorted data (computed as numpy does).
fn quantile_edges(sorted: &[f64], j: usize) -> Vec<f64> {
    let step = 1.0 / j as f64;
    (0..=j).map(|k| quantile7(sorted, if k == j { 1.0 } else { k as f64 * step })).collect()
}

/// The type-7 (linear interpolation) quantile of sorted data.
fn quantile7(s: &[f64], p: f64) -> f64 {
    let last = s.len() - 1;
    let vi = last as f64 * p;
    if vi >= last as f64 {
        return s[last];
    }
    let lo = vi.floor();
    let (a, b) = (s[lo as usize], s[lo as usize + 1]);
    let (g, d) = (vi - lo, b - a);
    if g >= 0.5 { b - d * (1.0 - g) } else { a + d * g }
}

/// The non-empty bins of one side: observations in `[edgeₖ, edgeₖ₊₁)` (the last bin closed).
fn bin_means(side: &Side, edges: &[f64]) -> Vec<RdPlotBin> {
    let j = edges.len() - 1;
    let mut acc: Vec<(usize, f64, f64, f64)> = vec![(0, 0.0, 0.0, 0.0); j];
    for (&v, &w) in side.x.iter().zip(&side.y) {
        let k = edges[..j].partition_point(|e| *e <= v).saturating_sub(1).min(j - 1);
        let a = &mut acc[k];
        a.0 += 1;
        a.1 += v;
        a.2 += w;
    }
    let means: Vec<f64> = acc.iter().map(|a| a.2 / a.0 as f64).collect();
    for (&v, &w) in side.x.iter().zip(&side.y) {
        let k = edges[..j].partition_point(|e| *e <= v).saturating_sub(1).min(j - 1);
        acc[k].3 += (w - means[k]) * (w - means[k]);
    }
    acc.iter()
        .enumerate()
        .filter(|(_, a)| a.0 > 0)
        .map(|(k, &(n, sx, sy, ss))| {
            let nf = n as f64;
            let se = if n > 1 { (ss / (nf - 1.0) / nf).sqrt() } else { f64::NAN };
            RdPlotBin { right: side.right, x: sx / nf, y: sy / nf, n, se, lower: edges[k], upper: edges[k + 1] }
        })
        .collect()
}

/// Least squares of `y` on `1, u, …, u^order` (QR; a collinear power gets coefficient 0).
fn poly_ls(u: &[f64], y: &[f64], w: Option<&[f64]>, order: usize) -> Vec<f64> {
    let n = u.len();
    let design: Vec<f64> = (0..=order).flat_map(|k| u.iter().map(move |v| v.powi(k as i32))).collect();
    let ls = LeastSquares::qr(&design, n, order + 1, y, w);
    let mut beta = vec![0.0; order + 1];
    for (&k, &b) in ls.kept.iter().zip(&ls.beta) {
        beta[k] = b;
    }
    beta
}

/// `Σ βₖ uᵏ`.
fn horner(beta: &[f64], u: f64) -> f64 {
    beta.iter().rev().fold(0.0, |acc, b| acc * u + b)
}

/// `Σ k βₖ uᵏ⁻¹`.
fn horner_derivative(beta: &[f64], u: f64) -> f64 {
    beta.iter().enumerate().skip(1).rev().fold(0.0, |acc, (k, b)| acc * u + k as f64 * b)
}
