//! Event-study chart: effects by period relative to treatment.

use super::axis::Axis;
use super::frame::{FrameSpec, LegendEntry, Plot, Swatch, skipped_note};
use super::theme::MarkerShape;
use super::{Chart, ChartError, ChartOptions, chart_common};
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

const NAME: &str = "event study";

/// One period of an event study.
#[derive(Debug, Clone, PartialEq)]
pub struct EventStudyPoint {
    /// Period relative to treatment (0 = first treated period).
    pub rel_period: i64,
    /// Point estimate.
    pub estimate: f64,
    /// Lower end of the pointwise confidence interval.
    pub conf_low: f64,
    /// Upper end of the pointwise confidence interval.
    pub conf_high: f64,
    /// A simultaneous (uniform) confidence band at this period, `(low, high)`, drawn as a wider,
    /// lighter box behind the pointwise interval.
    pub band: Option<(f64, f64)>,
}

impl EventStudyPoint {
    /// A period with its estimate and pointwise interval.
    pub fn new(rel_period: i64, estimate: f64, conf_low: f64, conf_high: f64) -> Self {
        EventStudyPoint { rel_period, estimate, conf_low, conf_high, band: None }
    }

    /// The same point with a uniform band `(low, high)`.
    pub fn with_band(mut self, low: f64, high: f64) -> Self {
        self.band = Some((low, high));
        self
    }
}

/// Estimates by period relative to treatment, with pointwise intervals (whiskers), optional
/// uniform bands (light boxes), a zero line, the pre-treatment periods shaded, a dashed line
/// between periods −1 and 0, and the reference period as a hollow point.
///
/// A point whose estimate and interval are all exactly 0 is a normalisation and is drawn hollow as
/// the reference period, as is the period given to [`reference_period`](Self::reference_period).
///
/// ```
/// use phare_report::chart::{EventStudyChart, EventStudyPoint};
/// let svg = EventStudyChart::new(vec![EventStudyPoint::new(0, 0.1, 0.0, 0.2)]).svg().unwrap();
/// assert!(svg.contains("Periods relative to treatment"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EventStudyChart {
    points: Vec<EventStudyPoint>,
    reference: Option<i64>,
    level: Option<f64>,
    options: ChartOptions,
}

impl EventStudyChart {
    /// A chart of these points (in any order).
    pub fn new(points: Vec<EventStudyPoint>) -> Self {
        EventStudyChart { points, reference: None, level: None, options: ChartOptions::default() }
    }

    /// The event-time rows of a tidy table: rows with a `rel_period` and no `cohort` (rows such as
    /// the overall `ATT` or group-time cells `ATT(g,t)`, which carry a cohort, are skipped). The
    /// interval level is taken from the table.
    pub fn from_tidy(tidy: &phare_core::Tidy) -> Self {
        let points = tidy
            .rows
            .iter()
            .filter(|r| r.cohort.is_none())
            .filter_map(|r| r.rel_period.map(|e| EventStudyPoint::new(e.0, r.estimate, r.conf_low, r.conf_high)))
            .collect();
        EventStudyChart { level: Some(tidy.level.value()), ..EventStudyChart::new(points) }
    }

    /// The points given (without the reference period that drawing adds when it is missing).
    pub fn points(&self) -> &[EventStudyPoint] {
        &self.points
    }

    /// The reference (omitted) period, e.g. −1: drawn hollow, and added as a point at 0 when the
    /// data do not have it.
    pub fn reference_period(mut self, e: i64) -> Self {
        self.reference = Some(e);
        self
    }

    /// The confidence level of the intervals, for the legend (`95% CI`); without it the legend
    /// says `CI`.
    pub fn level(mut self, level: f64) -> Self {
        self.level = Some(level);
        self
    }

    /// Attaches uniform bands `(rel_period, low, high)` to the points with these periods (bands for
    /// periods without a point are ignored).
    pub fn uniform_bands(mut self, bands: impl IntoIterator<Item = (i64, f64, f64)>) -> Self {
        for (e, lo, hi) in bands {
            for p in self.points.iter_mut().filter(|p| p.rel_period == e) {
                p.band = Some((lo, hi));
            }
        }
        self
    }

    /// The points drawn: the data, plus the reference period at 0 when it is missing.
    fn all_points(&self) -> Vec<EventStudyPoint> {
        let mut pts = self.points.clone();
        if let Some(r) = self.reference
            && !pts.iter().any(|p| p.rel_period == r)
        {
            pts.push(EventStudyPoint::new(r, 0.0, 0.0, 0.0));
        }
        pts.sort_by_key(|p| p.rel_period);
        pts
    }

    fn is_reference(&self, p: &EventStudyPoint) -> bool {
        self.reference == Some(p.rel_period) || (p.estimate == 0.0 && p.conf_low == 0.0 && p.conf_high == 0.0)
    }
}

chart_common!(EventStudyChart);

impl Chart for EventStudyChart {
    fn options(&self) -> &ChartOptions {
        &self.options
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let lang = self.options.lang;
        let pts = self.all_points();
        if pts.is_empty() {
            return Err(ChartError::Empty {
                chart: NAME,
                what: "no period".into(),
                hint: "give points, or a tidy table with rows that have a rel_period".into(),
            });
        }
        let (shown, skipped): (Vec<_>, Vec<_>) = pts.into_iter().partition(|p| p.estimate.is_finite());
        if shown.is_empty() {
            return Err(ChartError::NoFiniteValues { chart: NAME });
        }
        let (e_min, e_max) = (shown[0].rel_period, shown[shown.len() - 1].rel_period);
        let x = Axis::integer(e_min, e_max, (self.options.width / 55).max(3) as usize);
        let values = shown
            .iter()
            .flat_map(|p| {
                let (bl, bh) = p.band.unwrap_or((f64::NAN, f64::NAN));
                [p.estimate, p.conf_low, p.conf_high, bl, bh]
            })
            .chain([0.0]);
        let y = Axis::continuous(NAME, values, (self.options.height / 60).max(3) as usize)?;

        let t = &self.options.theme;
        let main = t.colour(0);
        let band_colour = main.lighten(0.72);
        let ci = match self.level {
            Some(l) => lang.ci_label(l),
            None => lang.pick("CI", "IC").to_string(),
        };
        let mut legend = vec![LegendEntry {
            swatch: Swatch::PointRange { colour: main },
            label: format!("{} ({ci})", lang.pick("Estimate", "Estimation")),
        }];
        if shown.iter().any(|p| p.band.is_some()) {
            let label = match self.level {
                Some(l) => format!("{} {}", lang.pick("Uniform band,", "Bande uniforme,"), lang.percent(l, 0)),
                None => lang.pick("Uniform band", "Bande uniforme").to_string(),
            };
            legend.push(LegendEntry { swatch: Swatch::Band { colour: band_colour }, label });
        }
        if shown.iter().any(|p| self.is_reference(p)) {
            legend.push(LegendEntry {
                swatch: Swatch::Marker { shape: MarkerShape::Circle, colour: main, filled: false },
                label: lang.pick("Reference period", "Période de référence").to_string(),
            });
        }
        let shade_x = if e_min < 0 { vec![(x.lo, -0.5)] } else { vec![] };
        let plot = Plot::new(
            root,
            FrameSpec {
                options: &self.options,
                x,
                y,
                default_x_label: lang.pick("Periods relative to treatment", "Périodes relatives au traitement").into(),
                default_y_label: lang.pick("Estimated effect", "Effet estimé").into(),
                legend,
                note: skipped_note(lang, skipped.len()),
                shade_x,
                y_grid: true,
            },
        )?;
        plot.hline(0.0, t.reference, 1, false)?;
        if e_min < 0 && e_max >= 0 {
            plot.vline(-0.5, t.reference, 1, true)?;
        }
        for p in &shown {
            if let Some((lo, hi)) = p.band {
                let e = p.rel_period as f64;
                plot.rect((e - 0.2, lo), (e + 0.2, hi), band_colour)?;
            }
        }
        for p in &shown {
            let e = p.rel_period as f64;
            plot.whisker(e, p.conf_low, p.conf_high, true, main, 0)?;
            plot.marker(MarkerShape::Circle, e, p.estimate, main, !self.is_reference(p))?;
        }
        Ok(())
    }
}
