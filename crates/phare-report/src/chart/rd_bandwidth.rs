//! Bandwidth sensitivity chart: a regression-discontinuity estimate and its interval across
//! bandwidths.

use super::axis::Axis;
use super::frame::{FrameSpec, LegendEntry, Plot, Swatch, skipped_note};
use super::{Chart, ChartError, ChartOptions, chart_common};
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

const NAME: &str = "bandwidth sensitivity chart";

/// The estimate at one bandwidth, with its interval.
///
/// ```
/// use phare_report::chart::BandwidthPoint;
/// let p = BandwidthPoint::new(0.2, 0.08, 0.01, 0.15);
/// assert_eq!((p.h, p.estimate), (0.2, 0.08));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandwidthPoint {
    /// The bandwidth (x).
    pub h: f64,
    /// Point estimate at this bandwidth (y).
    pub estimate: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
}

impl BandwidthPoint {
    /// The estimate at bandwidth `h` with its interval `[low, high]`.
    ///
    /// ```
    /// use phare_report::chart::BandwidthPoint;
    /// assert_eq!(BandwidthPoint::new(1.0, 0.5, 0.2, 0.8).high, 0.8);
    /// ```
    pub fn new(h: f64, estimate: f64, low: f64, high: f64) -> Self {
        BandwidthPoint { h, estimate, low, high }
    }
}

/// Estimates across bandwidths: one dot per bandwidth (first theme colour) with its interval as a
/// vertical whisker, a line at zero, and optionally the bandwidth actually used highlighted in the
/// second theme colour with the second marker shape (and named in the legend). Both axes are
/// continuous.
///
/// A point whose bandwidth or estimate is NaN or infinite is left out and counted in a note under
/// the plot; an interval end that is NaN leaves the whisker out, one at ±∞ is drawn to the edge of
/// the plot.
///
/// ```
/// use phare_report::chart::{BandwidthPoint, BandwidthSensitivityChart};
/// use phare_report::Lang;
///
/// let points: Vec<BandwidthPoint> = (1..=8)
///     .map(|k| {
///         let h = 0.05 * k as f64;
///         let se = 0.04 / (k as f64).sqrt();
///         BandwidthPoint::new(h, 0.1 - 0.01 * k as f64, 0.1 - 0.01 * k as f64 - 1.96 * se, 0.1 - 0.01 * k as f64 + 1.96 * se)
///     })
///     .collect();
/// let chart = BandwidthSensitivityChart::new(points).chosen(0.2);
/// let svg = chart.svg().unwrap();
/// assert!(svg.contains("Chosen bandwidth") && svg.contains("Bandwidth") && svg.contains("Estimate"));
/// let fr = chart.clone().lang(Lang::Fr).svg().unwrap();
/// assert!(fr.contains("Largeur retenue") && fr.contains("Largeur de fenêtre") && fr.contains("0,20"));
/// assert!(chart.png().unwrap().starts_with(b"\x89PNG"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BandwidthSensitivityChart {
    points: Vec<BandwidthPoint>,
    chosen: Option<f64>,
    options: ChartOptions,
}

impl BandwidthSensitivityChart {
    /// A chart of these points, in any order.
    ///
    /// ```
    /// use phare_report::chart::{BandwidthPoint, BandwidthSensitivityChart};
    /// let chart = BandwidthSensitivityChart::new(vec![BandwidthPoint::new(0.5, 0.1, 0.0, 0.2)]);
    /// assert!(chart.svg().is_ok());
    /// ```
    pub fn new(points: Vec<BandwidthPoint>) -> Self {
        BandwidthSensitivityChart { points, chosen: None, options: ChartOptions::default() }
    }

    /// The bandwidth used for the main estimate. The point at this bandwidth (equal up to a
    /// relative 10⁻⁹) is highlighted; when no point has it, a dashed vertical line marks it
    /// instead. Either way the legend names it. A NaN or infinite value is ignored.
    ///
    /// ```
    /// use phare_report::chart::{BandwidthPoint, BandwidthSensitivityChart};
    /// let chart = BandwidthSensitivityChart::new(vec![BandwidthPoint::new(0.5, 0.1, 0.0, 0.2)]);
    /// assert!(!chart.svg().unwrap().contains("Chosen bandwidth"));
    /// assert!(chart.chosen(0.5).svg().unwrap().contains("Chosen bandwidth"));
    /// ```
    pub fn chosen(mut self, h: f64) -> Self {
        self.chosen = Some(h);
        self
    }
}

chart_common!(BandwidthSensitivityChart);

/// Whether bandwidth `h` is the chosen one `c` (equal up to a relative 10⁻⁹).
fn same_h(h: f64, c: f64) -> bool {
    (h - c).abs() <= 1e-9 * h.abs().max(c.abs())
}

impl Chart for BandwidthSensitivityChart {
    fn options(&self) -> &ChartOptions {
        &self.options
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let lang = self.options.lang;
        if self.points.is_empty() {
            return Err(ChartError::Empty {
                chart: NAME,
                what: "no point".into(),
                hint: "give one (bandwidth, estimate, low, high) point per bandwidth tried".into(),
            });
        }
        let mut shown: Vec<&BandwidthPoint> =
            self.points.iter().filter(|p| p.h.is_finite() && p.estimate.is_finite()).collect();
        if shown.is_empty() {
            return Err(ChartError::NoFiniteValues { chart: NAME });
        }
        shown.sort_by(|a, b| a.h.total_cmp(&b.h));
        let skipped = self.points.len() - shown.len();
        let chosen = self.chosen.filter(|c| c.is_finite());
        let xs = shown.iter().map(|p| p.h).chain(chosen);
        let x = Axis::continuous(NAME, xs, (self.options.width / 90).max(3) as usize)?;
        let ys = shown.iter().flat_map(|p| [p.estimate, p.low, p.high]).chain([0.0]);
        let y = Axis::continuous(NAME, ys, (self.options.height / 60).max(3) as usize)?;

        let t = &self.options.theme;
        let (c_point, c_chosen) = (t.colour(0), t.colour(1));
        let is_chosen = |p: &BandwidthPoint| chosen.is_some_and(|c| same_h(p.h, c));
        let matched = shown.iter().any(|p| is_chosen(p));
        let mut legend = Vec::new();
        if chosen.is_some() {
            let swatch = if matched {
                Swatch::Marker { shape: t.marker(1), colour: c_chosen, filled: true }
            } else {
                Swatch::Line { colour: c_chosen, dashed: true }
            };
            legend.push(LegendEntry { swatch, label: lang.pick("Chosen bandwidth", "Largeur retenue").into() });
        }
        let plot = Plot::new(
            root,
            FrameSpec {
                options: &self.options,
                x,
                y,
                default_x_label: lang.pick("Bandwidth", "Largeur de fenêtre").into(),
                default_y_label: lang.pick("Estimate", "Estimation").into(),
                legend,
                note: skipped_note(lang, skipped),
                shade_x: vec![],
                y_grid: true,
            },
        )?;
        plot.hline(0.0, t.reference, 1, false)?;
        if let (Some(c), false) = (chosen, matched) {
            plot.vline(c, c_chosen, 1, true)?;
        }
        // The chosen point last, so that it stays on top of its neighbours.
        let (plain, highlighted): (Vec<&BandwidthPoint>, Vec<_>) = shown.into_iter().partition(|p| !is_chosen(p));
        for p in plain {
            plot.whisker(p.h, p.low, p.high, true, c_point, 4)?;
            plot.marker(t.marker(0), p.h, p.estimate, c_point, true)?;
        }
        for p in highlighted {
            plot.whisker(p.h, p.low, p.high, true, c_chosen, 4)?;
            plot.marker(t.marker(1), p.h, p.estimate, c_chosen, true)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_bandwidth_matches_up_to_rounding() {
        assert!(same_h(0.1 + 0.2, 0.3));
        assert!(same_h(0.0, 0.0));
        assert!(!same_h(0.3, 0.31));
        assert!(!same_h(f64::MAX, -f64::MAX));
    }
}
