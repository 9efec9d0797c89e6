//! Trends chart: raw outcome series by period.

use super::axis::Axis;
use super::frame::{FrameSpec, LegendEntry, Plot, Swatch, skipped_note};
use super::{Chart, ChartError, ChartOptions, chart_common};
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

const NAME: &str = "trends chart";

/// One series: a label and its `(period, value)` points.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendSeries {
    /// Legend label (e.g. `Treated`, `Comparison`).
    pub label: String,
    /// `(period, value)` pairs, in any order.
    pub points: Vec<(i64, f64)>,
}

impl TrendSeries {
    /// A series.
    pub fn new(label: impl Into<String>, points: Vec<(i64, f64)>) -> Self {
        TrendSeries { label: label.into(), points }
    }
}

/// Raw trends: one line with markers per series (e.g. the treated and comparison groups' mean
/// outcome by period), a legend, and a dashed vertical line just before the treatment start.
///
/// A point with a NaN or infinite value is left out and breaks its line (noted under the plot).
///
/// ```
/// use phare_report::chart::{TrendSeries, TrendsChart};
/// let svg = TrendsChart::new(vec![TrendSeries::new("Treated", vec![(2003, 5.0), (2004, 5.2)])])
///     .treatment_start(2004)
///     .svg()
///     .unwrap();
/// assert!(svg.contains("Treated") && svg.contains("2004"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TrendsChart {
    series: Vec<TrendSeries>,
    treatment_start: Option<i64>,
    options: ChartOptions,
}

impl TrendsChart {
    /// A chart of these series.
    pub fn new(series: Vec<TrendSeries>) -> Self {
        TrendsChart { series, treatment_start: None, options: ChartOptions::default() }
    }

    /// Adds a series.
    pub fn series(mut self, label: impl Into<String>, points: Vec<(i64, f64)>) -> Self {
        self.series.push(TrendSeries::new(label, points));
        self
    }

    /// The first treated period: a dashed vertical line is drawn half a period before it, between
    /// the last untreated and the first treated period.
    pub fn treatment_start(mut self, period: i64) -> Self {
        self.treatment_start = Some(period);
        self
    }
}

chart_common!(TrendsChart);

impl Chart for TrendsChart {
    fn options(&self) -> &ChartOptions {
        &self.options
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let lang = self.options.lang;
        let n_points: usize = self.series.iter().map(|s| s.points.len()).sum();
        if n_points == 0 {
            return Err(ChartError::Empty {
                chart: NAME,
                what: if self.series.is_empty() { "no series".into() } else { "every series is empty".into() },
                hint: "give at least one series with (period, value) points".into(),
            });
        }
        let finite = || self.series.iter().flat_map(|s| s.points.iter()).filter(|(_, v)| v.is_finite());
        let skipped = n_points - finite().count();
        let (Some(p_min), Some(p_max)) = (finite().map(|p| p.0).min(), finite().map(|p| p.0).max()) else {
            return Err(ChartError::NoFiniteValues { chart: NAME });
        };
        let (mut lo, mut hi) = (p_min, p_max);
        if let Some(s) = self.treatment_start {
            // Keep the start line on the chart when it is just outside the data.
            if s > p_min.saturating_sub(2) && s <= p_max.saturating_add(2) {
                lo = lo.min(s);
                hi = hi.max(s.saturating_sub(1));
            }
        }
        let x = Axis::integer(lo, hi, (self.options.width / 70).max(3) as usize);
        let y = Axis::continuous(NAME, finite().map(|p| p.1), (self.options.height / 60).max(3) as usize)?;
        let t = &self.options.theme;
        let mut legend: Vec<LegendEntry> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| LegendEntry {
                swatch: Swatch::Marker { shape: t.marker(i), colour: t.colour(i), filled: true },
                label: s.label.clone(),
            })
            .collect();
        let start_in_view = self.treatment_start.filter(|s| (*s as f64 - 0.5) > x.lo && (*s as f64 - 0.5) < x.hi);
        if start_in_view.is_some() {
            legend.push(LegendEntry {
                swatch: Swatch::Line { colour: t.reference, dashed: true },
                label: lang.pick("Treatment start", "Début du traitement").into(),
            });
        }
        let plot = Plot::new(
            root,
            FrameSpec {
                options: &self.options,
                x,
                y,
                default_x_label: lang.pick("Period", "Période").into(),
                default_y_label: lang.pick("Mean outcome", "Résultat moyen").into(),
                legend,
                note: skipped_note(lang, skipped),
                shade_x: vec![],
                y_grid: true,
            },
        )?;
        if let Some(s) = start_in_view {
            plot.vline(s as f64 - 0.5, t.reference, 1, true)?;
        }
        for (i, s) in self.series.iter().enumerate() {
            let mut pts: Vec<(i64, f64)> = s.points.clone();
            pts.sort_by_key(|p| p.0);
            let line: Vec<(f64, f64)> =
                pts.iter().map(|(p, v)| (*p as f64, if v.is_finite() { *v } else { f64::NAN })).collect();
            plot.line(&line, t.colour(i), t.line_width, false)?;
            for (p, v) in line {
                plot.marker(t.marker(i), p, v, t.colour(i), true)?;
            }
        }
        Ok(())
    }
}
