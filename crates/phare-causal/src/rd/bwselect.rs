//! Data-driven bandwidth selection for regression discontinuity: MSE-optimal bandwidths (Calonico,
//! Cattaneo and Titiunik 2014; Calonico, Cattaneo, Farrell and Titiunik 2019) and their
//! coverage-error-optimal rescaling (Calonico, Cattaneo and Farrell 2020).
//!
//! # The plug-in rule
//!
//! For a polynomial of order `o` estimating the `ν`-th derivative at the cut-off, the bandwidth
//! that minimises the asymptotic mean squared error is
//!
//! ```text
//! h = [ (2ν + 1) V / (2(o + 1 − ν) (B² + 3·s·R)) ]^{1/(2o+3)}
//! ```
//!
//! - `V = h_V^{2ν+1} · Var(β̂_ν)`: the variance constant, from a fit of order `o` at a pilot
//!   bandwidth `h_V` (the variance of β̂_ν scales as `1/(n h^{2ν+1})`);
//! - `B = (Γ⁻¹Λ)_ν · β̂_{o+1}`: the leading-bias constant, `Γ⁻¹Λ` from the kernel moments of the
//!   same fit and `β̂_{o+1} = m⁽ᵒ⁺¹⁾/(o+1)!` from a fit of order `o_B > o` at a bandwidth `h_B`;
//! - `R = ((Γ⁻¹Λ)_ν)² · Var(β̂_{o+1})`: the variance of the bias estimate. `B̂²` overestimates `B²`
//!   by about `R`; the regularisation `3·s·R` (scale `s`, default 1, 0 to switch it off) keeps the
//!   bandwidth finite when the estimated bias is near zero.
//!
//! Two sides enter as: **rd** (one common bandwidth for the difference), `V = V₋ + V₊`,
//! `B = B₊ − B₋`, `R = R₋ + R₊`; **sum** (common, for the sum), `B = B₊ + B₋`; **two** (one per
//! side), each side's own `V`, `B`, `R`.
//!
//! # The three steps
//!
//! 1. **Pilot** `c = C_K · min(sd(x), IQR(x)/1.349) · n^{−1/5}`, Silverman's rule of thumb with the
//!    kernel's constant (`C_K` = 2.576 triangular, 2.34 Epanechnikov, 1.843 uniform) and `n` the
//!    number of distinct values of the score when mass points are adjusted for (the number of
//!    observations otherwise). It is capped at the wider side's range and, with `bwcheck(k)`,
//!    widened to reach the k-th distinct value on each side.
//! 2. **Bias bandwidth** `b`: the rule for `o = q`, `ν = p + 1` (the derivative the bias correction
//!    estimates), with `V` at `c`, and `B` from an order-`q+1` fit at `d`, itself the
//!    unregularised rule for `o = q + 1`, `ν = q + 1` with `B` from a global order-`q+2` fit over
//!    each side's whole range.
//! 3. **Main bandwidth** `h`: the rule for `o = p`, `ν = deriv`, with `V` at `c` and `B` from the
//!    order-`q` fit at `b`.
//!
//! **CER** selectors rescale the MSE-optimal `h` by `n^{−p/((2p+3)(p+3))}` (the coverage-error-
//! optimal rate; `b` is unchanged). **comb1** takes the smaller of rd and sum; **comb2** the median
//! of rd, two and sum, side by side.
//!
//! **Fuzzy designs**: each side's `V`, `B`, `R` are those of the linear combination
//! `(y − τ_s·t)/β_{t,ν}`, with `τ_s = β_{y,ν}/β_{t,ν}` from that side's pilot fit.
//!
//! Three details were calibrated against rdrobust 2.1.1 (GPL), called only as a black box: the
//! rounded kernel constants above, the pilot's `n` under mass points, and the global fit's
//! bandwidth, each side's range times `1 + 2⁻²⁶` (so the farthest observation keeps a tiny
//! positive weight under a triangular kernel). With them every selector agrees with rdbwselect to
//! about 1e-10 on the reference data (tests/rd.rs).

use super::local_poly::{Kernel, PolyFit, Vce, covariate_weights, poly_fit};
use phare_core::{Error, Result};

/// A data-driven bandwidth selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BwSelect {
    /// One common MSE-optimal bandwidth for the RD estimate (the default).
    #[default]
    MseRd,
    /// MSE-optimal bandwidths chosen separately on each side.
    MseTwo,
    /// One common MSE-optimal bandwidth for the sum of the two sides' estimates.
    MseSum,
    /// The smaller of `MseRd` and `MseSum`.
    MseComb1,
    /// Side by side, the median of `MseRd`, `MseTwo` and `MseSum`.
    MseComb2,
    /// `MseRd` rescaled to be optimal for the coverage error of the robust interval.
    CerRd,
    /// `MseTwo`, rescaled for coverage error.
    CerTwo,
    /// `MseSum`, rescaled for coverage error.
    CerSum,
    /// `MseComb1`, rescaled for coverage error.
    CerComb1,
    /// `MseComb2`, rescaled for coverage error.
    CerComb2,
}

impl BwSelect {
    /// Every selector, in rdrobust's order.
    pub const ALL: [BwSelect; 10] = [
        BwSelect::MseRd,
        BwSelect::MseTwo,
        BwSelect::MseSum,
        BwSelect::MseComb1,
        BwSelect::MseComb2,
        BwSelect::CerRd,
        BwSelect::CerTwo,
        BwSelect::CerSum,
        BwSelect::CerComb1,
        BwSelect::CerComb2,
    ];

    /// The name used on the command line (as in rdrobust).
    pub fn name(self) -> &'static str {
        match self {
            BwSelect::MseRd => "mserd",
            BwSelect::MseTwo => "msetwo",
            BwSelect::MseSum => "msesum",
            BwSelect::MseComb1 => "msecomb1",
            BwSelect::MseComb2 => "msecomb2",
            BwSelect::CerRd => "cerrd",
            BwSelect::CerTwo => "certwo",
            BwSelect::CerSum => "cersum",
            BwSelect::CerComb1 => "cercomb1",
            BwSelect::CerComb2 => "cercomb2",
        }
    }

    /// The MSE-optimal selector this one rescales (itself for MSE selectors).
    fn mse(self) -> BwSelect {
        match self {
            BwSelect::CerRd => BwSelect::MseRd,
            BwSelect::CerTwo => BwSelect::MseTwo,
            BwSelect::CerSum => BwSelect::MseSum,
            BwSelect::CerComb1 => BwSelect::MseComb1,
            BwSelect::CerComb2 => BwSelect::MseComb2,
            s => s,
        }
    }

    /// The two-side combinations the selector needs.
    fn needs(self) -> &'static [Combine] {
        match self.mse() {
            BwSelect::MseRd => &[Combine::Rd],
            BwSelect::MseTwo => &[Combine::Two],
            BwSelect::MseSum => &[Combine::Sum],
            BwSelect::MseComb1 => &[Combine::Rd, Combine::Sum],
            _ => &[Combine::Rd, Combine::Two, Combine::Sum],
        }
    }
}

impl std::str::FromStr for BwSelect {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        BwSelect::ALL.into_iter().find(|b| b.name() == s).ok_or_else(|| {
            Error::unknown_option("bwselect", s, &BwSelect::ALL.iter().map(|b| b.name()).collect::<Vec<_>>())
        })
    }
}

/// How repeated values of the running variable (mass points) are treated by the selectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MassPoints {
    /// The pilot bandwidth counts distinct values rather than observations (the default).
    #[default]
    Adjust,
    /// Report mass points, but select as if every value were distinct.
    Check,
    /// Neither report nor adjust.
    Off,
}

impl std::str::FromStr for MassPoints {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "adjust" => Ok(MassPoints::Adjust),
            "check" => Ok(MassPoints::Check),
            "off" => Ok(MassPoints::Off),
            _ => Err(Error::unknown_option("masspoints", s, &["adjust", "check", "off"])),
        }
    }
}

/// Bandwidths (left, right) for the estimate (`h`) and the bias correction (`b`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Bandwidths {
    /// Main bandwidths.
    pub h: (f64, f64),
    /// Bias bandwidths.
    pub b: (f64, f64),
}

/// One side's data for the selectors: the centred score sorted ascending, the responses (outcome,
/// the treatment in fuzzy designs, then covariates), weights and clusters.
pub(crate) struct SideData<'a> {
    pub x: &'a [f64],
    pub ys: Vec<&'a [f64]>,
    /// How many of `ys` are targets (1 sharp, 2 fuzzy); the rest are covariates.
    pub targets: usize,
    pub w: Option<&'a [f64]>,
    pub g: Option<&'a [u32]>,
}

/// The selectors' settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub p: usize,
    pub q: usize,
    pub nu: usize,
    pub kernel: Kernel,
    pub vce: Vce,
    pub scaleregul: f64,
    pub masspoints: MassPoints,
    pub bwcheck: Option<usize>,
    pub bwrestrict: bool,
}

/// The selectors' result: the pilot bandwidth and the bandwidths of each selector asked for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Selection {
    pub pilot: f64,
    pub bandwidths: Vec<(BwSelect, Bandwidths)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Combine {
    Rd,
    Two,
    Sum,
}

/// One side's variance, bias and bias-variance constants at one step.
#[derive(Debug, Clone, Copy)]
struct Constants {
    v: f64,
    b: f64,
    r: f64,
}

/// Silverman's rule-of-thumb constant for the kernel, as rounded by rdrobust.
fn pilot_constant(k: Kernel) -> f64 {
    match k {
        Kernel::Triangular => 2.576,
        Kernel::Epanechnikov => 2.34,
        Kernel::Uniform => 1.843,
    }
}

/// Distinct values of a sorted slice.
pub(crate) fn distinct(x: &[f64]) -> usize {
    x.iter().enumerate().filter(|&(i, v)| i == 0 || *v != x[i - 1]).count()
}

/// The type-7 (linear interpolation) quantile of sorted data.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let pos = (sorted.len() - 1) as f64 * p;
    let (lo, frac) = (pos.floor() as usize, pos - pos.floor());
    if lo + 1 < sorted.len() { sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]) } else { sorted[lo] }
}

/// The fits of one step on one side: order `o` at the pilot `h_v` (variance and bias constant),
/// order `o_b` at `h_b` (the bias), for the combination of responses `targets` gives: the
/// (covariate-adjusted) outcome, or in fuzzy designs `(num − τ_s·den)/(den·β)` with
/// `τ_s = (num·β)/(den·β)` from this side's pilot coefficients β.
#[allow(clippy::too_many_arguments)]
fn constants(
    side: &SideData,
    targets: &[Vec<f64>],
    o: usize,
    nu: usize,
    o_b: usize,
    h_v: f64,
    h_b: f64,
    reg: f64,
    s: &Settings,
) -> Option<Constants> {
    let fit = |order: usize, h: f64, need_vcov: bool| -> Option<PolyFit> {
        poly_fit(side.x, &side.ys, side.w, side.g, h, order, s.kernel, s.vce, need_vcov)
    };
    // The bias fit's variance only enters through the regularisation term.
    let (fv, fb) = (fit(o, h_v, true)?, fit(o_b, h_b, reg > 0.0)?);
    let nr = side.ys.len();
    let dot = |a: &[f64], j: usize, f: &PolyFit| -> f64 { (0..nr).map(|r| a[r] * f.beta[r][j]).sum() };
    let a: Vec<f64> = match targets {
        [num, den] => {
            let (bn, bd) = (dot(num, nu, &fv), dot(den, nu, &fv));
            num.iter().zip(den).map(|(n, d)| (n - bn / bd * d) / bd).collect()
        }
        [num] => num.clone(),
        _ => return None,
    };
    let (kv, kb) = (o + 1, o_b + 1);
    let mut v = 0.0;
    let mut r = 0.0;
    for i in 0..nr {
        for j in 0..nr {
            v += a[i] * a[j] * fv.vcov[i * nr + j][nu * kv + nu];
            if reg > 0.0 {
                r += a[i] * a[j] * fb.vcov[i * nr + j][(o + 1) * kb + o + 1];
            }
        }
    }
    let bc = fv.bias_const[nu];
    let out = Constants { v: v * h_v.powi(2 * nu as i32 + 1), b: bc * dot(&a, o + 1, &fb), r: bc * bc * r };
    (out.v.is_finite() && out.b.is_finite() && out.r.is_finite()).then_some(out)
}

/// The MSE-optimal rule for `o`, `ν` from the two sides' constants; `reg` multiplies R.
fn rule(l: Constants, r: Constants, o: usize, nu: usize, reg: f64, how: Combine) -> (f64, f64) {
    let num = (2 * nu + 1) as f64;
    let den = 2.0 * (o + 1 - nu) as f64;
    let rate = 1.0 / (2 * o + 3) as f64;
    let one = |v: f64, b2: f64, rr: f64| (num * v / (den * (b2 + reg * rr))).powf(rate);
    match how {
        Combine::Rd => {
            let h = one(l.v + r.v, (r.b - l.b).powi(2), l.r + r.r);
            (h, h)
        }
        Combine::Sum => {
            let h = one(l.v + r.v, (r.b + l.b).powi(2), l.r + r.r);
            (h, h)
        }
        Combine::Two => (one(l.v, l.b * l.b, l.r), one(r.v, r.b * r.b, r.r)),
    }
}

/// Runs the selectors in `which` on the two sides.
///
/// # Errors
/// [`Error::Design`] when a pilot fit is singular (too few distinct values of the score within
/// the pilot bandwidth for the pilot's polynomial order) or gives no finite constant.
pub(crate) fn select(left: &SideData, right: &SideData, s: &Settings, which: &[BwSelect]) -> Result<Selection> {
    let (p, q, nu) = (s.p, s.q, s.nu);
    let n = left.x.len() + right.x.len();
    let mut all: Vec<f64> = left.x.iter().chain(right.x).copied().collect();
    all.sort_by(f64::total_cmp);
    let sd = {
        let mean = all.iter().sum::<f64>() / n as f64;
        (all.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0)).sqrt()
    };
    let iqr = quantile(&all, 0.75) - quantile(&all, 0.25);
    let n_pilot = if s.masspoints == MassPoints::Adjust { distinct(left.x) + distinct(right.x) } else { n };
    let (range_l, range_r) = (-left.x[0], right.x[right.x.len() - 1]);
    let range_max = range_l.max(range_r);
    let mut c = pilot_constant(s.kernel) * sd.min(iqr / 1.349) * (n_pilot as f64).powf(-0.2);
    if s.bwrestrict {
        c = c.min(range_max);
    }
    if let Some(k) = s.bwcheck {
        // The distance to the k-th distinct value on each side.
        let kth = |x: &[f64]| -> f64 {
            let mut d: Vec<f64> = x.iter().map(|v| v.abs()).collect();
            d.sort_by(f64::total_cmp);
            d.dedup();
            d[(k.max(1) - 1).min(d.len() - 1)]
        };
        c = c.max(kth(left.x)).max(kth(right.x));
    }
    let cap = |h: (f64, f64), how: Combine| -> (f64, f64) {
        if !s.bwrestrict {
            return h;
        }
        match how {
            Combine::Two => (h.0.min(range_l), h.1.min(range_r)),
            _ => (h.0.min(range_max), h.1.min(range_max)),
        }
    };
    let failed = |what: &str| {
        Error::design(
            format!(
                "the bandwidth selector's {what} fit is singular or degenerate (pilot bandwidth {c:.6}): too few distinct values of the score near the cut-off"
            ),
            "give the bandwidths yourself (--h), lower p, or widen the pilot with bwcheck",
        )
    };
    // The combination of responses: with covariates, their coefficients come from the order-p
    // fits at the pilot bandwidth, pooled over the two sides.
    let nr = left.ys.len();
    let targets: Vec<Vec<f64>> = if nr > left.targets {
        let pilot = |side: &SideData| poly_fit(side.x, &side.ys, side.w, side.g, c, p, s.kernel, s.vce, true);
        let (pl, pr) =
            (pilot(left).ok_or_else(|| failed("left-side"))?, pilot(right).ok_or_else(|| failed("right-side"))?);
        let cross: Vec<f64> = pl.resid_cross.iter().zip(&pr.resid_cross).map(|(a, b)| a + b).collect();
        covariate_weights(&cross, nr, left.targets).0
    } else {
        (0..nr).map(|t| (0..nr).map(|r| f64::from(u8::from(r == t))).collect()).collect()
    };
    // The two sides are independent: fitted in parallel (the results do not depend on it).
    let step = |o: usize, nu_s: usize, o_b: usize, hb: (f64, f64), reg: f64| -> Result<(Constants, Constants)> {
        let (l, r) = rayon::join(
            || constants(left, &targets, o, nu_s, o_b, c, hb.0, reg, s),
            || constants(right, &targets, o, nu_s, o_b, c, hb.1, reg, s),
        );
        Ok((l.ok_or_else(|| failed("left-side"))?, r.ok_or_else(|| failed("right-side"))?))
    };
    // Step 1: the global fits over each side's range, shared by every combination.
    let inflate = 1.0 + 2f64.powi(-26);
    let (dl, dr) = step(q + 1, q + 1, q + 2, (range_l * inflate, range_r * inflate), 0.0)?;
    let reg = 3.0 * s.scaleregul;
    let mut mse: Vec<(Combine, Bandwidths)> = Vec::new();
    for how in [Combine::Rd, Combine::Two, Combine::Sum] {
        if !which.iter().any(|w| w.needs().contains(&how)) {
            continue;
        }
        let d = cap(rule(dl, dr, q + 1, q + 1, 0.0, how), how);
        let (bl, br) = step(q, p + 1, q + 1, d, reg)?;
        let b = cap(rule(bl, br, q, p + 1, reg, how), how);
        let (hl, hr) = step(p, nu, q, b, reg)?;
        let h = cap(rule(hl, hr, p, nu, reg, how), how);
        mse.push((how, Bandwidths { h, b }));
    }
    let get = |how: Combine| mse.iter().find(|(c2, _)| *c2 == how).map(|(_, b)| *b);
    let cer = (n as f64).powf(-(p as f64) / ((2 * p + 3) * (p + 3)) as f64);
    let bandwidths = which
        .iter()
        .map(|&w| {
            let m = match w.mse() {
                BwSelect::MseRd => get(Combine::Rd),
                BwSelect::MseTwo => get(Combine::Two),
                BwSelect::MseSum => get(Combine::Sum),
                BwSelect::MseComb1 => get(Combine::Rd).zip(get(Combine::Sum)).map(|(a, b)| Bandwidths {
                    h: (a.h.0.min(b.h.0), a.h.1.min(b.h.1)),
                    b: (a.b.0.min(b.b.0), a.b.1.min(b.b.1)),
                }),
                _ => match (get(Combine::Rd), get(Combine::Two), get(Combine::Sum)) {
                    (Some(a), Some(t), Some(b)) => Some(Bandwidths {
                        h: (median3(a.h.0, t.h.0, b.h.0), median3(a.h.1, t.h.1, b.h.1)),
                        b: (median3(a.b.0, t.b.0, b.b.0), median3(a.b.1, t.b.1, b.b.1)),
                    }),
                    _ => None,
                },
            }
            // Unreachable: the loop above computed every combination that `needs()` lists for the
            // selectors in `which`.
            .expect("every combination a selector needs was computed");
            let m = if w == w.mse() { m } else { Bandwidths { h: (m.h.0 * cer, m.h.1 * cer), b: m.b } };
            (w, m)
        })
        .collect();
    Ok(Selection { pilot: c, bandwidths })
}

fn median3(a: f64, b: f64, c: f64) -> f64 {
    a.max(b).min(a.min(b).max(c))
}
