//! Love plot: covariate balance before and after weighting or matching, as standardised mean
//! differences by covariate.

use super::axis::Axis;
use super::frame::{FrameSpec, LegendEntry, Plot, Swatch, skipped_note};
use super::theme::MarkerShape;
use super::{Chart, ChartError, ChartOptions, chart_common};
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

const NAME: &str = "love plot";
/// Default of [`LovePlotChart::threshold`].
const DEFAULT_THRESHOLD: f64 = 0.1;
/// Covariate labels longer than this are shortened with `…` on the axis.
const MAX_LABEL_CHARS: usize = 32;

/// The balance of one covariate: its standardised mean difference (SMD) between treated and
/// comparison units before and after adjustment (weighting or matching).
///
/// ```
/// use phare_report::chart::BalanceRow;
/// let r = BalanceRow::new("age", 0.32, 0.04);
/// assert_eq!((r.covariate.as_str(), r.before, r.after), ("age", 0.32, 0.04));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceRow {
    /// The covariate's label (y axis).
    pub covariate: String,
    /// Standardised mean difference before adjustment (NaN if unknown: not drawn).
    pub before: f64,
    /// Standardised mean difference after adjustment (NaN if unknown: not drawn).
    pub after: f64,
}

impl BalanceRow {
    /// The SMDs of `covariate` before and after adjustment.
    ///
    /// ```
    /// use phare_report::chart::BalanceRow;
    /// assert_eq!(BalanceRow::new("income", -0.21, 0.02).after, 0.02);
    /// ```
    pub fn new(covariate: impl Into<String>, before: f64, after: f64) -> Self {
        BalanceRow { covariate: covariate.into(), before, after }
    }
}

/// A love plot: one row per covariate (on the y axis, in the given order, first at the top), its
/// standardised mean difference before adjustment as a hollow circle (first theme colour) and
/// after as a filled circle (second theme colour), a solid line at zero and dashed reference lines
/// at ±[`threshold`](Self::threshold) (0.1 by default, the usual rule of thumb for balance).
///
/// - [`sort(true)`](Self::sort) orders the covariates by decreasing |SMD| before adjustment, the
///   least balanced at the top.
/// - [`absolute(true)`](Self::absolute) plots |SMD| (one reference line, at the threshold).
/// - The legend reads `Unadjusted` / `Adjusted` (`Non ajusté` / `Ajusté` in French) and names the
///   threshold (`Threshold ±0.1`, `Seuil ±0,1`); [`series_names`](Self::series_names) and
///   [`after_label`](Self::after_label) rename the series.
/// - The x axis always shows zero and the reference lines; its title is `Standardised mean
///   difference` (`Différence de moyennes standardisée`).
///
/// The chart draws the numbers it is given (computing SMDs is the caller's). Labels are shown as
/// given (shortened with `…` past 32 characters) and escaped in SVG. A value that is NaN or
/// infinite is left out (the covariate keeps its row) and counted in a note under the plot.
///
/// ```
/// use phare_report::chart::{BalanceRow, LovePlotChart};
/// use phare_report::Lang;
///
/// let chart = LovePlotChart::new(vec![
///     BalanceRow::new("Age", 0.42, 0.03),
///     BalanceRow::new("Income", -0.27, -0.05),
///     BalanceRow::new("Female", 0.08, 0.01),
/// ])
/// .title("Covariate balance");
/// let svg = chart.svg().unwrap();
/// assert!(svg.contains("Age") && svg.contains("Unadjusted") && svg.contains("Adjusted"));
/// assert!(svg.contains("Standardised mean difference") && svg.contains("Threshold ±0.1"));
/// let fr = chart.clone().lang(Lang::Fr).svg().unwrap();
/// assert!(fr.contains("Non ajusté") && fr.contains("Seuil ±0,1"));
/// assert!(chart.png().unwrap().starts_with(b"\x89PNG"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LovePlotChart {
    rows: Vec<BalanceRow>,
    sort: bool,
    absolute: bool,
    threshold: f64,
    before_name: Option<String>,
    after_name: Option<String>,
    options: ChartOptions,
}

impl LovePlotChart {
    /// A chart of these rows, one per covariate.
    ///
    /// ```
    /// use phare_report::chart::{BalanceRow, LovePlotChart};
    /// assert!(LovePlotChart::new(vec![BalanceRow::new("age", 0.3, 0.05)]).svg().is_ok());
    /// ```
    pub fn new(rows: Vec<BalanceRow>) -> Self {
        LovePlotChart {
            rows,
            sort: false,
            absolute: false,
            threshold: DEFAULT_THRESHOLD,
            before_name: None,
            after_name: None,
            options: ChartOptions::default(),
        }
    }

    /// `true` orders the covariates by decreasing |SMD| before adjustment (largest at the top;
    /// ties and covariates with no finite SMD before adjustment keep the given order, the latter
    /// at the bottom); `false` (the default) keeps the given order, first at the top.
    ///
    /// ```
    /// use phare_report::chart::{BalanceRow, LovePlotChart};
    /// let rows = vec![BalanceRow::new("small", 0.05, 0.01), BalanceRow::new("large", -0.6, 0.02)];
    /// let svg = LovePlotChart::new(rows).sort(true).svg().unwrap();
    /// assert!(svg.contains("large") && svg.contains("small"));
    /// ```
    pub fn sort(mut self, sort: bool) -> Self {
        self.sort = sort;
        self
    }

    /// `true` plots absolute SMDs, |SMD|, with a single reference line at the threshold and the
    /// axis title `Absolute standardised mean difference` (`Différence de moyennes standardisée
    /// absolue`); `false` (the default) plots signed SMDs.
    ///
    /// ```
    /// use phare_report::chart::{BalanceRow, LovePlotChart};
    /// let svg = LovePlotChart::new(vec![BalanceRow::new("age", -0.3, 0.05)]).absolute(true).svg().unwrap();
    /// assert!(svg.contains("Absolute standardised mean difference") && svg.contains("Threshold 0.1"));
    /// ```
    pub fn absolute(mut self, absolute: bool) -> Self {
        self.absolute = absolute;
        self
    }

    /// Where the dashed reference lines go: at ±`threshold` (default 0.1; some use 0.25). The sign
    /// is ignored; 0, NaN or an infinite value draws no reference line (and no legend entry).
    ///
    /// ```
    /// use phare_report::chart::{BalanceRow, LovePlotChart};
    /// let chart = LovePlotChart::new(vec![BalanceRow::new("age", 0.3, 0.05)]);
    /// assert!(chart.clone().threshold(0.25).svg().unwrap().contains("Threshold ±0.25"));
    /// assert!(!chart.threshold(f64::NAN).svg().unwrap().contains("Threshold"));
    /// ```
    pub fn threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }

    /// The legend's names of the two series, replacing `Unadjusted` and `Adjusted` (e.g.
    /// `Raw` and `Matched`).
    ///
    /// ```
    /// use phare_report::chart::{BalanceRow, LovePlotChart};
    /// let svg = LovePlotChart::new(vec![BalanceRow::new("age", 0.3, 0.05)])
    ///     .series_names("Raw", "Matched")
    ///     .svg()
    ///     .unwrap();
    /// assert!(svg.contains("Raw") && svg.contains("Matched") && !svg.contains("Unadjusted"));
    /// ```
    pub fn series_names(mut self, before: impl Into<String>, after: impl Into<String>) -> Self {
        self.before_name = Some(before.into());
        self.after_name = Some(after.into());
        self
    }

    /// The legend's name of the adjusted series only (e.g. the method, `IPW`), keeping the other
    /// name.
    ///
    /// ```
    /// use phare_report::chart::{BalanceRow, LovePlotChart};
    /// let svg = LovePlotChart::new(vec![BalanceRow::new("age", 0.3, 0.05)]).after_label("IPW").svg().unwrap();
    /// assert!(svg.contains("Unadjusted") && svg.contains("IPW"));
    /// ```
    pub fn after_label(mut self, after: impl Into<String>) -> Self {
        self.after_name = Some(after.into());
        self
    }

    /// The threshold to draw, if any: positive and finite.
    fn line_at(&self) -> Option<f64> {
        Some(self.threshold.abs()).filter(|t| t.is_finite() && *t > 0.0)
    }

    /// The threshold's legend entry text (`Threshold ±0.1`, `Seuil 0,1`).
    fn threshold_label(&self, t: f64) -> String {
        let lang = self.options.lang;
        let sign = if self.absolute { "" } else { "±" };
        format!("{} {sign}{}", lang.pick("Threshold", "Seuil"), lang.number(t, exact_decimals(t)))
    }
}

chart_common!(LovePlotChart);

/// The fewest decimals (at most 6) that write `v` exactly: 0.1 → 1, 0.25 → 2, 1 → 0.
fn exact_decimals(v: f64) -> usize {
    (0..=6)
        .find(|&d| {
            let s = v * 10f64.powi(d);
            (s - s.round()).abs() <= 1e-9 * s.abs().max(1.0)
        })
        .unwrap_or(6) as usize
}

fn shorten(s: &str) -> String {
    if s.chars().count() > MAX_LABEL_CHARS {
        let mut t: String = s.chars().take(MAX_LABEL_CHARS - 1).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

impl Chart for LovePlotChart {
    fn options(&self) -> &ChartOptions {
        &self.options
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let o = &self.options;
        let (lang, t) = (o.lang, &o.theme);
        if self.rows.is_empty() {
            return Err(ChartError::Empty {
                chart: NAME,
                what: "no covariate".into(),
                hint: "give one BalanceRow (covariate, SMD before, SMD after) per covariate, e.g. from a balance table"
                    .into(),
            });
        }
        let mut rows: Vec<&BalanceRow> = self.rows.iter().collect();
        if self.sort {
            // Stable: ties keep the given order; no finite SMD before adjustment goes last.
            let key = |r: &BalanceRow| if r.before.is_finite() { r.before.abs() } else { -1.0 };
            rows.sort_by(|a, b| key(b).total_cmp(&key(a)));
        }
        let shown = |v: f64| if self.absolute { v.abs() } else { v };
        let values: Vec<f64> = rows.iter().flat_map(|r| [r.before, r.after]).collect();
        let skipped = values.iter().filter(|v| !v.is_finite()).count();
        if skipped == values.len() {
            return Err(ChartError::NoFiniteValues { chart: NAME });
        }
        let line_at = self.line_at();
        // The axis covers the finite values, zero and the reference lines.
        let mut xs: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).map(shown).collect();
        xs.push(0.0);
        if let Some(th) = line_at {
            xs.push(th);
            if !self.absolute {
                xs.push(-th);
            }
        }
        let x = Axis::continuous(NAME, xs, (o.width / 90).max(3) as usize)?;
        let y = Axis::categories(rows.iter().rev().map(|r| shorten(&r.covariate)).collect());

        let (c_before, c_after) = (t.colour(0), t.colour(1));
        let before_name = self.before_name.clone().unwrap_or_else(|| lang.pick("Unadjusted", "Non ajusté").into());
        let after_name = self.after_name.clone().unwrap_or_else(|| lang.pick("Adjusted", "Ajusté").into());
        let mut legend = vec![
            LegendEntry {
                swatch: Swatch::Marker { shape: MarkerShape::Circle, colour: c_before, filled: false },
                label: before_name,
            },
            LegendEntry {
                swatch: Swatch::Marker { shape: MarkerShape::Circle, colour: c_after, filled: true },
                label: after_name,
            },
        ];
        if let Some(th) = line_at {
            legend.push(LegendEntry {
                swatch: Swatch::Line { colour: t.reference, dashed: true },
                label: self.threshold_label(th),
            });
        }
        let default_x_label = if self.absolute {
            lang.pick("Absolute standardised mean difference", "Différence de moyennes standardisée absolue")
        } else {
            lang.pick("Standardised mean difference", "Différence de moyennes standardisée")
        };
        let plot = Plot::new(
            root,
            FrameSpec {
                options: o,
                x,
                y,
                default_x_label: default_x_label.into(),
                default_y_label: String::new(),
                legend,
                note: skipped_note(lang, skipped),
                shade_x: vec![],
                y_grid: false,
            },
        )?;
        plot.vline(0.0, t.reference, 1, false)?;
        if let Some(th) = line_at {
            plot.vline(th, t.reference, 1, true)?;
            if !self.absolute {
                plot.vline(-th, t.reference, 1, true)?;
            }
        }
        // Every hollow marker first, then the filled ones on top.
        let n = rows.len();
        for (before, filled, c) in [(true, false, c_before), (false, true, c_after)] {
            for (i, r) in rows.iter().enumerate() {
                let v = if before { r.before } else { r.after };
                if v.is_finite() {
                    plot.marker(MarkerShape::Circle, shown(v), (n - 1 - i) as f64, c, filled)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_decimals_are_exact() {
        assert_eq!(exact_decimals(0.1), 1);
        assert_eq!(exact_decimals(0.25), 2);
        assert_eq!(exact_decimals(1.0), 0);
        assert_eq!(exact_decimals(0.15), 2);
        assert_eq!(exact_decimals(1.0 / 3.0), 6);
    }
}
