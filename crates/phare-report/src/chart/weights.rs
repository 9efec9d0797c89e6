//! Weights chart: horizontal bars of weights by label (donor units, or periods for time weights).

use super::axis::{Axis, AxisKind, nice_ticks};
use super::frame::{FrameSpec, LegendEntry, Plot, Swatch, colour, drawing_err, skipped_note};
use super::{Chart, ChartError, ChartOptions, FONT_FAMILY, chart_common};
use crate::text::Lang;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend, IntoFont};
use plotters::style::text_anchor::{HPos, Pos, VPos};

const NAME: &str = "weights chart";
/// Default of [`WeightsChart::top`].
const DEFAULT_TOP: usize = 10;
/// Labels longer than this are shortened with `…` on the axis.
const MAX_LABEL_CHARS: usize = 32;

/// Horizontal bars of weights by label: e.g. the donor units of a synthetic control and their
/// weights, or the periods and their time weights (synthetic difference in differences).
///
/// - Bars are sorted by decreasing weight, largest at the top ([`sort(false)`](Self::sort) keeps
///   the given order, first at the top).
/// - At most [`top(k)`](Self::top) bars are drawn (10 by default): the `k` weights largest in
///   absolute value, so that a large negative weight is never the one hidden. The others are
///   summed in a note under the plot (`3 other units with weight 0.004 in total`).
/// - Each bar's value is printed at its end (3 decimals, 2 from 10 on; in the chart's language).
/// - Negative weights (augmented synthetic control, for one) are drawn to the left of the zero
///   line in the second theme colour, and the legend then names both colours.
///
/// Labels are shown as given (shortened with `…` past 32 characters), escaped in SVG; duplicate
/// labels give one bar each. A weight that is NaN or infinite is left out and counted in a note.
///
/// ```
/// use phare_report::chart::WeightsChart;
/// use phare_report::Lang;
///
/// let weights = vec![
///     ("Utah".to_string(), 0.334),
///     ("Nevada".to_string(), 0.235),
///     ("Montana".to_string(), 0.199),
///     ("Colorado".to_string(), 0.164),
///     ("Connecticut".to_string(), 0.068),
///     ("Alabama".to_string(), 0.0),
/// ];
/// let chart = WeightsChart::new(weights).top(4).title("Donor weights");
/// let svg = chart.svg().unwrap();
/// assert!(svg.contains("Utah") && svg.contains("0.334") && svg.contains("Weight"));
/// assert!(svg.contains("2 other units with weight 0.068 in total"));
/// let fr = chart.clone().lang(Lang::Fr).svg().unwrap();
/// assert!(fr.contains("0,334") && fr.contains("2 autres unités de poids total 0,068"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct WeightsChart {
    weights: Vec<(String, f64)>,
    top: usize,
    sort: bool,
    names: Option<(String, String)>,
    options: ChartOptions,
}

impl WeightsChart {
    /// A chart of these `(label, weight)` pairs.
    ///
    /// ```
    /// use phare_report::chart::WeightsChart;
    /// assert!(WeightsChart::new(vec![("a".into(), 0.7), ("b".into(), 0.3)]).svg().is_ok());
    /// ```
    pub fn new(weights: Vec<(String, f64)>) -> Self {
        WeightsChart { weights, top: DEFAULT_TOP, sort: true, names: None, options: ChartOptions::default() }
    }

    /// Draws at most `k` bars (default 10; `k` below 1 is taken as 1): the `k` largest weights in
    /// absolute value. The others are summed in a note under the plot. `top(usize::MAX)` draws
    /// every bar.
    ///
    /// ```
    /// use phare_report::chart::WeightsChart;
    /// let w: Vec<(String, f64)> = (0..5).map(|i| (format!("u{i}"), 0.2)).collect();
    /// let svg = WeightsChart::new(w).top(3).svg().unwrap();
    /// assert!(svg.contains("2 other units with weight 0.400 in total"));
    /// ```
    pub fn top(mut self, k: usize) -> Self {
        self.top = k.max(1);
        self
    }

    /// `true` (the default) sorts the bars by decreasing weight; `false` keeps the given order,
    /// first at the top (e.g. time weights by period).
    ///
    /// ```
    /// use phare_report::chart::WeightsChart;
    /// let w = vec![("2001".into(), 0.1), ("2002".into(), 0.6), ("2003".into(), 0.3)];
    /// let svg = WeightsChart::new(w).sort(false).x_label("Time weight").svg().unwrap();
    /// assert!(svg.contains("2001") && svg.contains("Time weight"));
    /// ```
    pub fn sort(mut self, sort: bool) -> Self {
        self.sort = sort;
        self
    }

    /// What the bars are, for the note on hidden bars, singular and plural (default `unit` /
    /// `units`, `unité` / `unités` in French; the note reads `3 other units with weight 0.004 in
    /// total` or `3 autres unités de poids total 0,004`).
    ///
    /// ```
    /// use phare_report::chart::WeightsChart;
    /// let w: Vec<(String, f64)> = (0..3).map(|i| (format!("{}", 2000 + i), 0.1)).collect();
    /// let svg = WeightsChart::new(w).top(1).item_names("period", "periods").svg().unwrap();
    /// assert!(svg.contains("2 other periods with weight 0.200 in total"));
    /// ```
    pub fn item_names(mut self, singular: impl Into<String>, plural: impl Into<String>) -> Self {
        self.names = Some((singular.into(), plural.into()));
        self
    }

    /// The note on the `n` hidden bars of total weight `total` (`zero`: every hidden weight is 0).
    fn hidden_note(&self, n: usize, total: f64, zero: bool) -> Option<String> {
        if n == 0 {
            return None;
        }
        let lang = self.options.lang;
        let (singular, plural) = match &self.names {
            Some((s, p)) => (s.as_str(), p.as_str()),
            None => (lang.pick("unit", "unité"), lang.pick("units", "unités")),
        };
        let noun = if n == 1 { singular } else { plural };
        // At least 3 decimals, more to show one significant digit of a small total.
        let decimals = crate::text::decimals_for(total.abs(), 1).max(3);
        let w = lang.number(total, decimals);
        Some(match (lang, n == 1, zero) {
            (Lang::En, true, true) => format!("1 other {noun} with zero weight"),
            (Lang::En, false, true) => format!("{n} other {noun} with zero weight"),
            (Lang::En, true, false) => format!("1 other {noun} with weight {w}"),
            (Lang::En, false, false) => format!("{n} other {noun} with weight {w} in total"),
            (Lang::Fr, true, true) => format!("1 autre {noun} de poids nul"),
            (Lang::Fr, false, true) => format!("{n} autres {noun} de poids nul"),
            (Lang::Fr, true, false) => format!("1 autre {noun} de poids {w}"),
            (Lang::Fr, false, false) => format!("{n} autres {noun} de poids total {w}"),
        })
    }
}

chart_common!(WeightsChart);

fn shorten(s: &str) -> String {
    if s.chars().count() > MAX_LABEL_CHARS {
        let mut t: String = s.chars().take(MAX_LABEL_CHARS - 1).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

impl Chart for WeightsChart {
    fn options(&self) -> &ChartOptions {
        &self.options
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let o = &self.options;
        let (lang, t) = (o.lang, &o.theme);
        if self.weights.is_empty() {
            return Err(ChartError::Empty {
                chart: NAME,
                what: "no weight".into(),
                hint: "give (label, weight) pairs, e.g. the donor units and their synthetic-control weights".into(),
            });
        }
        // (position given, label, weight) of the finite weights.
        let finite: Vec<(usize, &str, f64)> = self
            .weights
            .iter()
            .enumerate()
            .filter(|(_, (_, w))| w.is_finite())
            .map(|(i, (l, w))| (i, l.as_str(), *w))
            .collect();
        let skipped = self.weights.len() - finite.len();
        if finite.is_empty() {
            return Err(ChartError::NoFiniteValues { chart: NAME });
        }
        // The `top` largest in absolute value (stable: ties keep the given order) are shown.
        let mut by_size = finite.clone();
        by_size.sort_by(|a, b| b.2.abs().total_cmp(&a.2.abs()));
        let hidden = by_size.split_off(self.top.min(by_size.len()));
        let mut shown = by_size;
        if self.sort {
            shown.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        } else {
            shown.sort_by_key(|r| r.0);
        }
        let hidden_total: f64 = hidden.iter().map(|r| r.2).sum();
        let hidden_zero = hidden.iter().all(|r| r.2 == 0.0);
        let note: Vec<String> =
            [skipped_note(lang, skipped), self.hidden_note(hidden.len(), hidden_total, hidden_zero)]
                .into_iter()
                .flatten()
                .collect();

        // The value axis: from min(0, weights) to max(0, weights), widened to leave room for the
        // value labels at the bar ends.
        let w_min = shown.iter().map(|r| r.2).fold(0.0, f64::min);
        let mut w_max = shown.iter().map(|r| r.2).fold(0.0, f64::max);
        if w_max - w_min == 0.0 {
            w_max = 1.0;
        }
        let span = w_max - w_min;
        if !span.is_finite() {
            return Err(ChartError::ValueRange { chart: NAME });
        }
        let max_abs = w_max.abs().max(w_min.abs());
        let decimals = if max_abs < 10.0 { 3 } else { 2 };
        let values: Vec<String> = shown.iter().map(|r| lang.number(r.2, decimals)).collect();
        let value_style = (FONT_FAMILY, t.tick_label_size).into_font().color(&colour(t.foreground));
        let axis_style = (FONT_FAMILY, t.axis_label_size).into_font().color(&colour(t.foreground));
        let width_of = |s: &str, style: &plotters::style::TextStyle<'_>| -> Result<f64, ChartError> {
            Ok(f64::from(root.estimate_text_size(s, style).map_err(drawing_err)?.0))
        };
        let (mut room_left, mut room_right) = (0.0f64, 0.0f64);
        for (r, v) in shown.iter().zip(&values) {
            let w = width_of(v, &value_style)? + 14.0;
            if r.2 < 0.0 {
                room_left = room_left.max(w);
            } else {
                room_right = room_right.max(w);
            }
        }
        let labels: Vec<String> = shown.iter().rev().map(|r| shorten(r.1)).collect();
        // The plot's width, estimated as the frame lays it out (margins, y tick labels, y title).
        let mut label_w = 0.0f64;
        for l in &labels {
            label_w = label_w.max(width_of(l, &value_style)?);
        }
        let y_title = o.y_label.as_deref().is_some_and(|s| !s.is_empty());
        let y_desc = if y_title {
            f64::from(root.estimate_text_size("Ag", &axis_style).map_err(drawing_err)?.1) + 8.0
        } else {
            0.0
        };
        let root_w = f64::from(root.dim_in_pixel().0);
        let plot_w = (root_w - 26.0 - (label_w + 14.0 + y_desc).min(root_w / 2.0)).max(40.0);
        // Labels get at most 60 % of the plot; the bars the rest.
        let room = room_left + room_right;
        if room > 0.6 * plot_w {
            room_left *= 0.6 * plot_w / room;
            room_right *= 0.6 * plot_w / room;
        }
        let px_per_unit = (plot_w - room_left - room_right) / span;
        let lo = w_min - room_left / px_per_unit;
        let hi = w_max + room_right / px_per_unit;
        if !(lo.is_finite() && hi.is_finite() && hi > lo) {
            return Err(ChartError::ValueRange { chart: NAME });
        }
        let (ticks, tick_decimals) = nice_ticks(lo, hi, (o.width / 90).max(3) as usize);
        let x = Axis { lo, hi, ticks, kind: AxisKind::Number { decimals: tick_decimals } };
        let y = Axis::categories(labels);

        let (c_pos, c_neg) = (t.colour(0), t.colour(1));
        let legend = if shown.iter().any(|r| r.2 < 0.0) {
            vec![
                LegendEntry {
                    swatch: Swatch::Band { colour: c_pos },
                    label: lang.pick("Positive weight", "Poids positif").into(),
                },
                LegendEntry {
                    swatch: Swatch::Band { colour: c_neg },
                    label: lang.pick("Negative weight", "Poids négatif").into(),
                },
            ]
        } else {
            vec![]
        };
        let plot = Plot::new(
            root,
            FrameSpec {
                options: o,
                x,
                y,
                default_x_label: lang.pick("Weight", "Poids").into(),
                default_y_label: String::new(),
                legend,
                note: if note.is_empty() { None } else { Some(note.join(" · ")) },
                shade_x: vec![],
                y_grid: false,
            },
        )?;
        // Bars 60 % of a row high, at most 26 px.
        let n = shown.len();
        let row_px = match (plot.px(0.0, 0.0), plot.px(0.0, 1.0)) {
            (Some(a), Some(b)) => f64::from((a.1 - b.1).abs().max(1)),
            _ => 1.0,
        };
        let half = 0.3f64.min(13.0 / row_px);
        for (i, (r, v)) in shown.iter().zip(&values).enumerate() {
            let yc = (n - 1 - i) as f64;
            let c = if r.2 < 0.0 { c_neg } else { c_pos };
            plot.rect((0.0, yc - half), (r.2, yc + half), c)?;
            let Some(end) = plot.px(r.2, yc) else { continue };
            let (h, dx) = if r.2 < 0.0 { (HPos::Right, -5) } else { (HPos::Left, 5) };
            let style = value_style.pos(Pos::new(h, VPos::Center));
            root.draw_text(v, &style, (end.0 + dx, end.1)).map_err(drawing_err)?;
        }
        plot.vline(0.0, t.reference, 1, false)?;
        Ok(())
    }
}
