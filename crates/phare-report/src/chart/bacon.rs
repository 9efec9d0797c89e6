//! Goodman-Bacon decomposition chart: each 2×2 estimate against its weight.

use super::axis::Axis;
use super::frame::{FrameSpec, LegendEntry, Plot, Swatch, skipped_note};
use super::{Chart, ChartError, ChartOptions, chart_common};
use crate::text::{Lang, NBSP};
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

const NAME: &str = "Bacon decomposition chart";

/// One 2×2 comparison of a Goodman-Bacon decomposition.
#[derive(Debug, Clone, PartialEq)]
pub struct BaconPoint {
    /// Its weight in the two-way fixed-effects estimate.
    pub weight: f64,
    /// The 2×2 difference-in-differences estimate.
    pub estimate: f64,
    /// The kind of comparison (e.g. `Earlier vs later treated`, `Treated vs never treated`).
    pub kind: String,
}

impl BaconPoint {
    /// A comparison.
    pub fn new(weight: f64, estimate: f64, kind: impl Into<String>) -> Self {
        BaconPoint { weight, estimate, kind: kind.into() }
    }
}

/// Goodman-Bacon scatter: weight on the x axis, 2×2 estimate on the y axis, colour and marker shape
/// by kind of comparison, and a dashed horizontal line at the overall (two-way fixed-effects)
/// estimate when given.
///
/// ```
/// use phare_report::chart::{BaconChart, BaconPoint};
/// let svg = BaconChart::new(vec![BaconPoint::new(0.4, -0.03, "Treated vs never treated")])
///     .overall(-0.03)
///     .svg()
///     .unwrap();
/// assert!(svg.contains("Treated vs never treated"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BaconChart {
    points: Vec<BaconPoint>,
    overall: Option<f64>,
    options: ChartOptions,
}

impl BaconChart {
    /// A chart of these comparisons.
    pub fn new(points: Vec<BaconPoint>) -> Self {
        BaconChart { points, overall: None, options: ChartOptions::default() }
    }

    /// The overall estimate (the weighted mean of the 2×2 estimates), drawn as a dashed line.
    pub fn overall(mut self, estimate: f64) -> Self {
        self.overall = Some(estimate);
        self
    }
}

chart_common!(BaconChart);

impl Chart for BaconChart {
    fn options(&self) -> &ChartOptions {
        &self.options
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let lang = self.options.lang;
        if self.points.is_empty() {
            return Err(ChartError::Empty {
                chart: NAME,
                what: "no comparison".into(),
                hint: "give the 2×2 comparisons (weight, estimate, kind) of the decomposition".into(),
            });
        }
        let (shown, skipped): (Vec<&BaconPoint>, Vec<_>) =
            self.points.iter().partition(|p| p.weight.is_finite() && p.estimate.is_finite());
        if shown.is_empty() {
            return Err(ChartError::NoFiniteValues { chart: NAME });
        }
        let overall = self.overall.filter(|o| o.is_finite());
        let x = Axis::continuous(
            NAME,
            shown.iter().map(|p| p.weight).chain([0.0]),
            (self.options.width / 90).max(3) as usize,
        )?;
        let y = Axis::continuous(
            NAME,
            shown.iter().map(|p| p.estimate).chain(overall).chain([0.0]),
            (self.options.height / 60).max(3) as usize,
        )?;
        let mut kinds: Vec<&str> = Vec::new();
        for p in &shown {
            if !kinds.contains(&p.kind.as_str()) {
                kinds.push(&p.kind);
            }
        }
        let t = &self.options.theme;
        let mut legend: Vec<LegendEntry> = kinds
            .iter()
            .enumerate()
            .map(|(i, k)| LegendEntry {
                swatch: Swatch::Marker { shape: t.marker(i), colour: t.colour(i), filled: true },
                label: (*k).to_string(),
            })
            .collect();
        if let Some(o) = overall {
            // Three significant digits.
            let decimals = crate::text::decimals_for(o.abs(), 3);
            legend.push(LegendEntry {
                swatch: Swatch::Line { colour: t.reference, dashed: true },
                label: match lang {
                    Lang::En => format!("Overall estimate: {}", lang.number(o, decimals)),
                    Lang::Fr => format!("Estimation globale{NBSP}: {}", lang.number(o, decimals)),
                },
            });
        }
        let plot = Plot::new(
            root,
            FrameSpec {
                options: &self.options,
                x,
                y,
                default_x_label: lang.pick("Weight", "Poids").into(),
                default_y_label: lang.pick("2×2 estimate", "Estimation 2×2").into(),
                legend,
                note: skipped_note(lang, skipped.len()),
                shade_x: vec![],
                y_grid: true,
            },
        )?;
        plot.hline(0.0, t.reference, 1, false)?;
        if let Some(o) = overall {
            plot.hline(o, t.reference, t.line_width, true)?;
        }
        for p in shown {
            let i = kinds.iter().position(|k| *k == p.kind).unwrap_or(0);
            plot.marker(t.marker(i), p.weight, p.estimate, t.colour(i), true)?;
        }
        Ok(())
    }
}
