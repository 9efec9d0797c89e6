//! Coefficient chart: the same terms across several models.

use super::axis::Axis;
use super::frame::{FrameSpec, LegendEntry, Plot, Swatch, skipped_note};
use super::{Chart, ChartError, ChartOptions, chart_common};
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

const NAME: &str = "coefficient chart";
/// Term labels longer than this are shortened with `…` on the axis.
const MAX_TERM_CHARS: usize = 32;

/// One term of one model.
#[derive(Debug, Clone, PartialEq)]
pub struct CoefficientRow {
    /// The model's label (legend).
    pub model: String,
    /// The term's label (y axis).
    pub term: String,
    /// Point estimate.
    pub estimate: f64,
    /// Lower end of the confidence interval.
    pub conf_low: f64,
    /// Upper end of the confidence interval.
    pub conf_high: f64,
}

impl CoefficientRow {
    /// A row.
    pub fn new(
        model: impl Into<String>,
        term: impl Into<String>,
        estimate: f64,
        conf_low: f64,
        conf_high: f64,
    ) -> Self {
        CoefficientRow { model: model.into(), term: term.into(), estimate, conf_low, conf_high }
    }
}

/// Horizontal dots and whiskers: terms on the y axis (in order of first appearance, first at the
/// top), one colour and marker shape per model (dodged vertically within a term), a zero line.
///
/// ```
/// use phare_report::chart::{CoefficientChart, CoefficientRow};
/// let svg = CoefficientChart::new(vec![
///     CoefficientRow::new("TWFE", "post", -0.04, -0.07, -0.01),
///     CoefficientRow::new("CS", "post", -0.03, -0.06, 0.0),
/// ])
/// .svg()
/// .unwrap();
/// assert!(svg.contains("TWFE") && svg.contains("post"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CoefficientChart {
    rows: Vec<CoefficientRow>,
    terms: Option<Vec<String>>,
    level: Option<f64>,
    options: ChartOptions,
}

impl CoefficientChart {
    /// A chart of these rows.
    pub fn new(rows: Vec<CoefficientRow>) -> Self {
        CoefficientChart { rows, terms: None, level: None, options: ChartOptions::default() }
    }

    /// Adds every row of a tidy table as model `model` (and takes the interval level from it).
    pub fn with_tidy(mut self, model: impl Into<String>, tidy: &phare_core::Tidy) -> Self {
        let model = model.into();
        self.rows.extend(
            tidy.rows
                .iter()
                .map(|r| CoefficientRow::new(model.clone(), r.term.clone(), r.estimate, r.conf_low, r.conf_high)),
        );
        self.level = Some(tidy.level.value());
        self
    }

    /// Shows only these terms, in this order (top to bottom), e.g. to leave out the intercept.
    pub fn terms<S: Into<String>>(mut self, terms: impl IntoIterator<Item = S>) -> Self {
        self.terms = Some(terms.into_iter().map(Into::into).collect());
        self
    }

    /// The confidence level of the intervals, for the axis title.
    pub fn level(mut self, level: f64) -> Self {
        self.level = Some(level);
        self
    }
}

chart_common!(CoefficientChart);

/// The distinct values in order of first appearance.
fn distinct<'a>(it: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in it {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

fn shorten(s: &str) -> String {
    if s.chars().count() > MAX_TERM_CHARS {
        let mut t: String = s.chars().take(MAX_TERM_CHARS - 1).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

impl Chart for CoefficientChart {
    fn options(&self) -> &ChartOptions {
        &self.options
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let lang = self.options.lang;
        let terms = match &self.terms {
            Some(t) => distinct(t.iter().map(String::as_str)),
            None => distinct(self.rows.iter().map(|r| r.term.as_str())),
        };
        let rows: Vec<&CoefficientRow> = self.rows.iter().filter(|r| terms.contains(&r.term)).collect();
        if rows.is_empty() {
            return Err(ChartError::Empty {
                chart: NAME,
                what: if self.rows.is_empty() { "no row".into() } else { "none of the chosen terms has a row".into() },
                hint: "give rows (model, term, estimate, interval), or check the names passed to terms()".into(),
            });
        }
        let (shown, skipped): (Vec<&CoefficientRow>, Vec<_>) = rows.into_iter().partition(|r| r.estimate.is_finite());
        if shown.is_empty() {
            return Err(ChartError::NoFiniteValues { chart: NAME });
        }
        let models = distinct(shown.iter().map(|r| r.model.as_str()));
        let x_values = shown.iter().flat_map(|r| [r.estimate, r.conf_low, r.conf_high]).chain([0.0]);
        let x = Axis::continuous(NAME, x_values, (self.options.width / 90).max(3) as usize)?;
        let y = Axis::categories(terms.iter().rev().map(|t| shorten(t)).collect());

        let t = &self.options.theme;
        let legend = if models.len() > 1 || models.iter().any(|m| !m.is_empty()) {
            models
                .iter()
                .enumerate()
                .map(|(j, m)| LegendEntry {
                    swatch: Swatch::Marker { shape: t.marker(j), colour: t.colour(j), filled: true },
                    label: m.clone(),
                })
                .collect()
        } else {
            vec![]
        };
        let ci = match self.level {
            Some(l) => lang.ci_label(l),
            None => lang.pick("CI", "IC").to_string(),
        };
        let plot = Plot::new(
            root,
            FrameSpec {
                options: &self.options,
                x,
                y,
                default_x_label: format!("{} ({ci})", lang.pick("Estimate", "Estimation")),
                default_y_label: String::new(),
                legend,
                note: skipped_note(lang, skipped.len()),
                shade_x: vec![],
                y_grid: false,
            },
        )?;
        plot.vline(0.0, t.reference, 1, false)?;
        let m = models.len();
        let step = (0.7 / m as f64).min(0.25);
        for r in shown {
            let (Some(i), Some(j)) =
                (terms.iter().position(|s| *s == r.term), models.iter().position(|s| *s == r.model))
            else {
                continue;
            };
            let y = (terms.len() - 1 - i) as f64 + ((m as f64 - 1.0) / 2.0 - j as f64) * step;
            let c = t.colour(j);
            plot.whisker(y, r.conf_low, r.conf_high, false, c, 0)?;
            plot.marker(t.marker(j), r.estimate, y, c, true)?;
        }
        Ok(())
    }
}
