//! The data of a regression-discontinuity plot: binned means of the outcome on each side of the
//! cut-off and a global polynomial fit per side.

use super::RegressionDiscontinuity;
use phare_core::{Error, Result};
use phare_data::matrix::{DesignMatrix, MissingPolicy};
use phare_data::polars::prelude::DataFrame;
use phare_stats::linalg::LeastSquares;

/// How bins are laid out on each side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BinSpacing {
    /// Bins of equal width over the side's range.
    #[default]
    Even,
    /// Bins holding (about) the same number of observations (quantiles of the running variable).
    Quantile,
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
    /// Standard error of the bin mean (`sd/√n`; NaN for a single observation).
    pub se: f64,
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
    /// Number of bins requested per side.
    pub n_bins: (usize, usize),
    /// Order of the global polynomial.
    pub order: usize,
}

impl RegressionDiscontinuity {
    /// The RD plot's data: `bins` per side (left, right) laid out by `spacing`, and a global
    /// polynomial of order `order` (4 is customary) fitted by least squares on each whole side.
    /// The bin count is the caller's choice (rdplot's data-driven choices are not implemented
    /// yet).
    ///
    /// # Errors
    /// Missing columns; [`Error::InvalidArgument`] for zero bins; [`Error::Design`] for a side
    /// with no observation or too few distinct values for the polynomial.
    pub fn plot(&self, df: &DataFrame, bins: (usize, usize), spacing: BinSpacing, order: usize) -> Result<RdPlot> {
        if bins.0 == 0 || bins.1 == 0 {
            return Err(Error::InvalidArgument {
                name: "bins".into(),
                value: format!("{bins:?}"),
                reason: "each side needs at least one bin".into(),
                hint: Some("20 bins per side is a common start".into()),
            });
        }
        let m = DesignMatrix::from_frame(df, &[self.outcome.as_str(), self.running.as_str()], MissingPolicy::Drop)?;
        let (y, x) = (m.column(0), m.column(1));
        let c = self.cutoff;
        let mut out =
            RdPlot { cutoff: c, bins: Vec::new(), left_fit: Vec::new(), right_fit: Vec::new(), n_bins: bins, order };
        for right in [false, true] {
            let mut pts: Vec<(f64, f64)> =
                x.iter().zip(y).filter(|(v, _)| (**v >= c) == right).map(|(a, b)| (*a, *b)).collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            let name = if right { "right" } else { "left" };
            if pts.is_empty() {
                return Err(Error::design(
                    format!("no observation on the {name} side of the cut-off {c}"),
                    "check the cut-off",
                ));
            }
            let j = if right { bins.1 } else { bins.0 };
            let (lo, hi) = if right { (c, pts[pts.len() - 1].0) } else { (pts[0].0, c) };
            // Bin index of each point.
            let index = |k: usize, v: f64| -> usize {
                match spacing {
                    BinSpacing::Even => {
                        let w = (hi - lo) / j as f64;
                        if w > 0.0 { (((v - lo) / w).floor() as usize).min(j - 1) } else { 0 }
                    }
                    BinSpacing::Quantile => (k * j / pts.len()).min(j - 1),
                }
            };
            let mut acc: Vec<(usize, f64, f64, f64)> = vec![(0, 0.0, 0.0, 0.0); j];
            for (k, &(v, w)) in pts.iter().enumerate() {
                let a = &mut acc[index(k, v)];
                a.0 += 1;
                a.1 += v;
                a.2 += w;
                a.3 += w * w;
            }
            for (n, sx, sy, syy) in acc.into_iter().filter(|a| a.0 > 0) {
                let nf = n as f64;
                let mean = sy / nf;
                let var = if n > 1 { (syy - nf * mean * mean) / (nf - 1.0) } else { f64::NAN };
                out.bins.push(RdPlotBin { right, x: sx / nf, y: mean, n, se: (var.max(0.0) / nf).sqrt() });
            }
            // Global polynomial on the centred running variable.
            let distinct = {
                let mut d = pts.iter().map(|p| p.0).collect::<Vec<_>>();
                d.dedup();
                d.len()
            };
            if distinct <= order {
                return Err(Error::design(
                    format!(
                        "only {distinct} distinct values of `{}` on the {name} side: a polynomial of order {order} needs more",
                        self.running
                    ),
                    "lower the order of the plot's polynomial",
                ));
            }
            let n = pts.len();
            let scale = (hi - lo).abs().max(f64::MIN_POSITIVE);
            let design: Vec<f64> =
                (0..=order).flat_map(|k| pts.iter().map(move |p| ((p.0 - c) / scale).powi(k as i32))).collect();
            let ys: Vec<f64> = pts.iter().map(|p| p.1).collect();
            let ls = LeastSquares::new(&design, n, order + 1, &ys, None);
            let mut beta = vec![0.0; order + 1];
            for (&k, &b) in ls.kept.iter().zip(&ls.beta) {
                beta[k] = b;
            }
            let curve: Vec<(f64, f64)> = (0..100)
                .map(|i| {
                    let v = lo + (hi - lo) * i as f64 / 99.0;
                    let u = (v - c) / scale;
                    (v, beta.iter().enumerate().map(|(k, b)| b * u.powi(k as i32)).sum())
                })
                .collect();
            if right {
                out.right_fit = curve;
            } else {
                out.left_fit = curve;
            }
        }
        Ok(out)
    }
}
