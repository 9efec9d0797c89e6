//! Synthetic-control path chart: the treated unit's outcome and its synthetic counterpart by
//! period. Also the period helpers shared with the gap chart.

use super::axis::Axis;
use super::frame::{FrameSpec, LegendEntry, Plot, Swatch, skipped_note};
use super::theme::{MarkerShape, Rgb};
use super::{Chart, ChartError, ChartOptions, chart_common};
use crate::text::Lang;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

const NAME: &str = "synthetic control path chart";

/// Treated vs synthetic: the treated unit's outcome by period (solid line, first theme colour) and
/// its synthetic control's (dashed line, second theme colour, drawn over the treated line so that
/// both stay visible where they coincide), a legend, and a dashed vertical line half a period
/// before the treatment start.
///
/// The chart draws the numbers it is given (it computes nothing). A point with a NaN or infinite
/// value is left out, breaks its line and is counted in a note under the plot; a point with no
/// neighbour to join is drawn as a dot.
///
/// ```
/// use phare_report::chart::SynthPathChart;
/// use phare_report::Lang;
///
/// let treated = vec![(1986, 120.2), (1987, 118.7), (1988, 111.4), (1989, 100.8), (1990, 91.3)];
/// let synthetic = vec![(1986, 120.0), (1987, 118.9), (1988, 116.0), (1989, 113.1), (1990, 111.6)];
/// let chart = SynthPathChart::new(treated, synthetic).treatment_start(1989).title("Cigarette sales per capita");
/// let svg = chart.svg().unwrap();
/// assert!(svg.contains("Treated") && svg.contains("Synthetic control") && svg.contains("1988"));
/// let fr = chart.clone().lang(Lang::Fr).svg().unwrap();
/// assert!(fr.contains("Contrôle synthétique") && fr.contains("Période"));
/// assert!(chart.png().unwrap().starts_with(b"\x89PNG"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SynthPathChart {
    treated: Vec<(i64, f64)>,
    synthetic: Vec<(i64, f64)>,
    treated_label: Option<String>,
    synthetic_label: Option<String>,
    treatment_start: Option<i64>,
    options: ChartOptions,
}

impl SynthPathChart {
    /// A chart of the treated unit's `(period, outcome)` points and its synthetic control's, each
    /// in any order.
    ///
    /// ```
    /// use phare_report::chart::SynthPathChart;
    /// let chart = SynthPathChart::new(vec![(1, 2.0), (2, 2.5)], vec![(1, 2.1), (2, 2.2)]);
    /// assert!(chart.svg().is_ok());
    /// ```
    pub fn new(treated: Vec<(i64, f64)>, synthetic: Vec<(i64, f64)>) -> Self {
        SynthPathChart {
            treated,
            synthetic,
            treated_label: None,
            synthetic_label: None,
            treatment_start: None,
            options: ChartOptions::default(),
        }
    }

    /// Legend labels of the two lines, replacing the defaults `Treated` / `Synthetic control`
    /// (`Traité` / `Contrôle synthétique` in French).
    ///
    /// ```
    /// use phare_report::chart::SynthPathChart;
    /// let svg = SynthPathChart::new(vec![(1, 2.0), (2, 2.5)], vec![(1, 2.1), (2, 2.2)])
    ///     .labels("California", "Synthetic California")
    ///     .svg()
    ///     .unwrap();
    /// assert!(svg.contains("Synthetic California"));
    /// ```
    pub fn labels(mut self, treated: impl Into<String>, synthetic: impl Into<String>) -> Self {
        self.treated_label = Some(treated.into());
        self.synthetic_label = Some(synthetic.into());
        self
    }

    /// The first treated period: a dashed vertical line is drawn half a period before it, between
    /// the last untreated and the first treated period (and named in the legend).
    ///
    /// ```
    /// use phare_report::chart::SynthPathChart;
    /// let svg = SynthPathChart::new(vec![(1, 2.0), (2, 2.5)], vec![(1, 2.1), (2, 2.2)])
    ///     .treatment_start(2)
    ///     .svg()
    ///     .unwrap();
    /// assert!(svg.contains("Treatment start"));
    /// ```
    pub fn treatment_start(mut self, period: i64) -> Self {
        self.treatment_start = Some(period);
        self
    }
}

chart_common!(SynthPathChart);

impl Chart for SynthPathChart {
    fn options(&self) -> &ChartOptions {
        &self.options
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let lang = self.options.lang;
        let n_points = self.treated.len() + self.synthetic.len();
        if n_points == 0 {
            return Err(ChartError::Empty {
                chart: NAME,
                what: "both series are empty".into(),
                hint: "give the treated unit's and the synthetic control's (period, outcome) points".into(),
            });
        }
        let finite = || self.treated.iter().chain(&self.synthetic).filter(|(_, v)| v.is_finite());
        let skipped = n_points - finite().count();
        let Some((lo, hi)) = period_span(finite().map(|p| p.0), self.treatment_start) else {
            return Err(ChartError::NoFiniteValues { chart: NAME });
        };
        let x = Axis::integer(lo, hi, (self.options.width / 70).max(3) as usize);
        let y = Axis::continuous(NAME, finite().map(|p| p.1), (self.options.height / 60).max(3) as usize)?;
        let t = &self.options.theme;
        let (c_treated, c_synth) = (t.colour(0), t.colour(1));
        let mut legend = Vec::new();
        if self.treated.iter().any(|p| p.1.is_finite()) {
            legend.push(LegendEntry {
                swatch: Swatch::Line { colour: c_treated, dashed: false },
                label: self.treated_label.clone().unwrap_or_else(|| lang.pick("Treated", "Traité").into()),
            });
        }
        if self.synthetic.iter().any(|p| p.1.is_finite()) {
            legend.push(LegendEntry {
                swatch: Swatch::Line { colour: c_synth, dashed: true },
                label: self
                    .synthetic_label
                    .clone()
                    .unwrap_or_else(|| lang.pick("Synthetic control", "Contrôle synthétique").into()),
            });
        }
        let start = start_in_view(self.treatment_start, &x);
        if start.is_some() {
            legend.push(start_legend(lang, t.reference));
        }
        let plot = Plot::new(
            root,
            FrameSpec {
                options: &self.options,
                x,
                y,
                default_x_label: lang.pick("Period", "Période").into(),
                default_y_label: lang.pick("Outcome", "Résultat").into(),
                legend,
                note: skipped_note(lang, skipped),
                shade_x: vec![],
                y_grid: true,
            },
        )?;
        if let Some(s) = start {
            plot.vline(s, t.reference, 1, true)?;
        }
        draw_path(&plot, &series_line(&self.treated), c_treated, t.line_width, false)?;
        draw_path(&plot, &series_line(&self.synthetic), c_synth, t.line_width, true)?;
        Ok(())
    }
}

/// The periods an axis must show: those of the finite points, widened to keep the treatment-start
/// line on the chart when it is just outside the data (as in the trends chart). `None` when there
/// is no finite point.
pub(super) fn period_span(periods: impl Iterator<Item = i64>, start: Option<i64>) -> Option<(i64, i64)> {
    let (p_min, p_max) = periods.fold(None, |acc: Option<(i64, i64)>, p| match acc {
        None => Some((p, p)),
        Some((a, b)) => Some((a.min(p), b.max(p))),
    })?;
    let (mut lo, mut hi) = (p_min, p_max);
    if let Some(s) = start
        && s > p_min.saturating_sub(2)
        && s <= p_max.saturating_add(2)
    {
        lo = lo.min(s);
        hi = hi.max(s.saturating_sub(1));
    }
    Some((lo, hi))
}

/// Where the treatment-start line goes (half a period before `start`), if inside the axis.
pub(super) fn start_in_view(start: Option<i64>, x: &Axis) -> Option<f64> {
    start.map(|s| s as f64 - 0.5).filter(|s| *s > x.lo && *s < x.hi)
}

/// The legend entry of the treatment-start line.
pub(super) fn start_legend(lang: Lang, c: Rgb) -> LegendEntry {
    LegendEntry {
        swatch: Swatch::Line { colour: c, dashed: true },
        label: lang.pick("Treatment start", "Début du traitement").into(),
    }
}

/// A series as plot coordinates, sorted by period (stable), non-finite values turned into NaN so
/// that they break the line.
pub(super) fn series_line(points: &[(i64, f64)]) -> Vec<(f64, f64)> {
    let mut pts = points.to_vec();
    pts.sort_by_key(|p| p.0);
    pts.iter().map(|(p, v)| (*p as f64, if v.is_finite() { *v } else { f64::NAN })).collect()
}

/// A polyline (NaN breaks it), with a dot on each point that has no neighbour to join, so that
/// nothing finite disappears.
pub(super) fn draw_path<DB: DrawingBackend>(
    plot: &Plot<'_, DB>,
    line: &[(f64, f64)],
    c: Rgb,
    width: u32,
    dashed: bool,
) -> Result<(), ChartError> {
    plot.line(line, c, width, dashed)?;
    let ok = |i: Option<usize>| i.and_then(|i| line.get(i)).is_some_and(|p| p.0.is_finite() && p.1.is_finite());
    for (i, p) in line.iter().enumerate() {
        if ok(Some(i)) && !ok(i.checked_sub(1)) && !ok(i.checked_add(1)) {
            plot.marker(MarkerShape::Circle, p.0, p.1, c, true)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_keep_the_start_line() {
        assert_eq!(period_span([3, 1, 2].into_iter(), None), Some((1, 3)));
        assert_eq!(period_span([3, 1, 2].into_iter(), Some(5)), Some((1, 4)));
        assert_eq!(period_span([3, 1, 2].into_iter(), Some(50)), Some((1, 3)));
        assert_eq!(period_span([i64::MAX].into_iter(), Some(i64::MIN)), Some((i64::MAX, i64::MAX)));
        assert_eq!(period_span(std::iter::empty(), Some(1)), None);
        let line = series_line(&[(2, 1.0), (1, f64::INFINITY)]);
        assert!(line[0].1.is_nan() && line[1] == (2.0, 1.0));
    }
}
