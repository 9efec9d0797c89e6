//! Regression-discontinuity plot: binned means of the outcome against the running variable, a
//! polynomial fit on each side, and the cut-off.

use super::axis::Axis;
use super::frame::{FrameSpec, LegendEntry, Plot, Swatch, skipped_note};
use super::synth_path::draw_path;
use super::{Chart, ChartError, ChartOptions, chart_common};
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

const NAME: &str = "RD plot";

/// One bin of an RD plot: the mean of the running variable and of the outcome over the
/// observations in the bin, with an optional interval for the outcome mean.
///
/// ```
/// use phare_report::chart::RdBin;
/// let b = RdBin::new(-0.25, 0.41).interval(0.37, 0.45);
/// assert_eq!((b.low, b.high), (Some(0.37), Some(0.45)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RdBin {
    /// Mean of the running variable in the bin (x).
    pub x: f64,
    /// Mean of the outcome in the bin (y).
    pub y: f64,
    /// Lower end of the interval around `y`, if any (drawn as a vertical whisker).
    pub low: Option<f64>,
    /// Upper end of the interval around `y`, if any.
    pub high: Option<f64>,
}

impl RdBin {
    /// A bin mean `(x, y)` with no interval.
    ///
    /// ```
    /// use phare_report::chart::RdBin;
    /// assert_eq!(RdBin::new(0.5, 2.0).low, None);
    /// ```
    pub fn new(x: f64, y: f64) -> Self {
        RdBin { x, y, low: None, high: None }
    }

    /// The same bin with the interval `[low, high]` around its outcome mean.
    ///
    /// ```
    /// use phare_report::chart::RdBin;
    /// assert_eq!(RdBin::new(0.5, 2.0).interval(1.8, 2.2).high, Some(2.2));
    /// ```
    pub fn interval(mut self, low: f64, high: f64) -> Self {
        self.low = Some(low);
        self.high = Some(high);
        self
    }
}

/// The classic regression-discontinuity plot: bin means of the outcome against the running
/// variable as dots (first theme colour, with vertical whiskers for bins that have an interval),
/// the fitted curve on each side of the cut-off as lines (second theme colour, both sides), and
/// the cut-off as a dashed vertical line. Both axes are continuous.
///
/// The chart draws the numbers it is given (binning and fitting are the caller's). A bin or fit
/// point with a NaN or infinite coordinate is left out (a fit line is broken there) and counted in
/// a note under the plot; an interval end that is NaN leaves the whisker out, one at ±∞ is drawn to
/// the edge of the plot. A cut-off outside the data widens the x axis to show it.
///
/// ```
/// use phare_report::chart::{RdBin, RdPlotChart};
/// use phare_report::Lang;
///
/// let bins: Vec<RdBin> = (-10..10)
///     .map(|i| {
///         let x = (i as f64 + 0.5) / 10.0;
///         let y = 0.4 + 0.2 * x + if x >= 0.0 { 0.15 } else { 0.0 };
///         RdBin::new(x, y).interval(y - 0.03, y + 0.03)
///     })
///     .collect();
/// let left: Vec<(f64, f64)> = (0..=20).map(|k| -1.0 + k as f64 / 20.0).map(|x| (x, 0.4 + 0.2 * x)).collect();
/// let right: Vec<(f64, f64)> = (0..=20).map(|k| k as f64 / 20.0).map(|x| (x, 0.55 + 0.2 * x)).collect();
/// let chart = RdPlotChart::new(bins).fits(left, right).cutoff(0.0).title("Illustrative RD plot");
/// let svg = chart.svg().unwrap();
/// assert!(svg.contains("Bin means") && svg.contains("Polynomial fit") && svg.contains("Cut-off"));
/// let fr = chart.clone().lang(Lang::Fr).svg().unwrap();
/// assert!(fr.contains("Moyennes par intervalle") && fr.contains("Variable de classement"));
/// assert!(chart.png().unwrap().starts_with(b"\x89PNG"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RdPlotChart {
    bins: Vec<RdBin>,
    left_fit: Vec<(f64, f64)>,
    right_fit: Vec<(f64, f64)>,
    cutoff: Option<f64>,
    options: ChartOptions,
}

impl RdPlotChart {
    /// A chart of these bins, in any order.
    ///
    /// ```
    /// use phare_report::chart::{RdBin, RdPlotChart};
    /// assert!(RdPlotChart::new(vec![RdBin::new(-1.0, 0.2), RdBin::new(1.0, 0.5)]).svg().is_ok());
    /// ```
    pub fn new(bins: Vec<RdBin>) -> Self {
        RdPlotChart { bins, left_fit: vec![], right_fit: vec![], cutoff: None, options: ChartOptions::default() }
    }

    /// The fitted curves left and right of the cut-off, as `(x, fitted y)` points (each side in
    /// any order; drawn as a line sorted by x). Replaces any given before; an empty side draws
    /// nothing.
    ///
    /// ```
    /// use phare_report::chart::{RdBin, RdPlotChart};
    /// let svg = RdPlotChart::new(vec![RdBin::new(-0.5, 1.0), RdBin::new(0.5, 2.0)])
    ///     .fits(vec![(-1.0, 0.9), (0.0, 1.1)], vec![(0.0, 1.9), (1.0, 2.1)])
    ///     .svg()
    ///     .unwrap();
    /// assert!(svg.contains("Polynomial fit"));
    /// ```
    pub fn fits(mut self, left: Vec<(f64, f64)>, right: Vec<(f64, f64)>) -> Self {
        self.left_fit = left;
        self.right_fit = right;
        self
    }

    /// The cut-off of the running variable, drawn as a dashed vertical line (and named in the
    /// legend). A NaN or infinite cut-off is not drawn.
    ///
    /// ```
    /// use phare_report::chart::{RdBin, RdPlotChart};
    /// let svg = RdPlotChart::new(vec![RdBin::new(-0.5, 1.0), RdBin::new(0.5, 2.0)]).cutoff(0.0).svg().unwrap();
    /// assert!(svg.contains("Cut-off"));
    /// ```
    pub fn cutoff(mut self, c: f64) -> Self {
        self.cutoff = Some(c);
        self
    }
}

chart_common!(RdPlotChart);

/// A fit as plot coordinates sorted by x (stable). A point with a finite x and a non-finite y
/// becomes `(x, NaN)`, breaking the line there; a point whose x is not finite is dropped (where it
/// would break the line is unknown).
fn fit_line(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.0.is_finite())
        .map(|&(x, y)| (x, if y.is_finite() { y } else { f64::NAN }))
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    pts
}

/// How many points of a fit have a non-finite coordinate.
fn non_finite(points: &[(f64, f64)]) -> usize {
    points.iter().filter(|p| !(p.0.is_finite() && p.1.is_finite())).count()
}

impl Chart for RdPlotChart {
    fn options(&self) -> &ChartOptions {
        &self.options
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let lang = self.options.lang;
        let n_fit = self.left_fit.len() + self.right_fit.len();
        if self.bins.is_empty() && n_fit == 0 {
            return Err(ChartError::Empty {
                chart: NAME,
                what: "no bin and no fitted curve".into(),
                hint: "give the bin means (x, y) of the running variable and outcome, and/or fits()".into(),
            });
        }
        let ok = |x: f64, y: f64| x.is_finite() && y.is_finite();
        let bins: Vec<&RdBin> = self.bins.iter().filter(|b| ok(b.x, b.y)).collect();
        let (left, right) = (fit_line(&self.left_fit), fit_line(&self.right_fit));
        let skipped = self.bins.len() - bins.len() + non_finite(&self.left_fit) + non_finite(&self.right_fit);
        let fit_pts = || left.iter().chain(&right).filter(|p| p.1.is_finite());
        let has_fit = fit_pts().next().is_some();
        if bins.is_empty() && !has_fit {
            return Err(ChartError::NoFiniteValues { chart: NAME });
        }
        let cutoff = self.cutoff.filter(|c| c.is_finite());
        let xs = bins.iter().map(|b| b.x).chain(fit_pts().map(|p| p.0)).chain(cutoff);
        let x = Axis::continuous(NAME, xs, (self.options.width / 90).max(3) as usize)?;
        let ys = bins.iter().flat_map(|b| [Some(b.y), b.low, b.high]).flatten().chain(fit_pts().map(|p| p.1));
        let y = Axis::continuous(NAME, ys, (self.options.height / 60).max(3) as usize)?;

        let t = &self.options.theme;
        let (c_bin, c_fit) = (t.colour(0), t.colour(1));
        let whisker = |b: &RdBin| match (b.low, b.high) {
            (None, None) => None,
            (l, h) => Some((l.unwrap_or(b.y), h.unwrap_or(b.y))),
        };
        let mut legend = Vec::new();
        if !bins.is_empty() {
            let swatch = if bins.iter().any(|b| whisker(b).is_some()) {
                Swatch::PointRange { colour: c_bin }
            } else {
                Swatch::Marker { shape: t.marker(0), colour: c_bin, filled: true }
            };
            legend.push(LegendEntry { swatch, label: lang.pick("Bin means", "Moyennes par intervalle").into() });
        }
        if has_fit {
            legend.push(LegendEntry {
                swatch: Swatch::Line { colour: c_fit, dashed: false },
                label: lang.pick("Polynomial fit", "Ajustement polynomial").into(),
            });
        }
        if cutoff.is_some() {
            legend.push(LegendEntry {
                swatch: Swatch::Line { colour: t.reference, dashed: true },
                label: lang.pick("Cut-off", "Seuil").into(),
            });
        }
        let plot = Plot::new(
            root,
            FrameSpec {
                options: &self.options,
                x,
                y,
                default_x_label: lang.pick("Running variable", "Variable de classement").into(),
                default_y_label: lang.pick("Outcome", "Résultat").into(),
                legend,
                note: skipped_note(lang, skipped),
                shade_x: vec![],
                y_grid: true,
            },
        )?;
        if let Some(c) = cutoff {
            plot.vline(c, t.reference, 1, true)?;
        }
        let c_whisker = c_bin.lighten(0.35);
        for b in &bins {
            if let Some((lo, hi)) = whisker(b) {
                plot.whisker(b.x, lo, hi, true, c_whisker, 0)?;
            }
        }
        for side in [&left, &right] {
            draw_path(&plot, side, c_fit, t.line_width + 1, false)?;
        }
        for b in &bins {
            plot.marker(t.marker(0), b.x, b.y, c_bin, true)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_are_sorted_and_cleaned() {
        let pts = [(1.0, 2.0), (f64::NAN, 1.0), (-1.0, 0.0), (0.0, f64::INFINITY)];
        let l = fit_line(&pts);
        assert_eq!(l.len(), 3);
        assert_eq!((l[0], l[2]), ((-1.0, 0.0), (1.0, 2.0)));
        assert!(l[1].0 == 0.0 && l[1].1.is_nan());
        assert_eq!(non_finite(&pts), 2);
    }
}
