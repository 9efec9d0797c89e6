//! Synthetic-control gap chart: the treated unit's gap (treated − synthetic) by period, over the
//! placebo gaps.

use super::axis::Axis;
use super::frame::{FrameSpec, LegendEntry, Plot, Swatch, skipped_note};
use super::synth_path::{draw_path, period_span, series_line, start_in_view, start_legend};
use super::{Chart, ChartError, ChartOptions, chart_common};
use crate::text::Lang;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

const NAME: &str = "synthetic control gap chart";
/// Default of [`GapChart::placebo_clip`].
const DEFAULT_CLIP: f64 = 3.0;

/// The treated unit's gap (treated − synthetic outcome) by period as a thick line in the first
/// theme colour, over any number of placebo gaps (e.g. one per donor unit from an in-space
/// placebo test, each refitted as if it were treated) drawn as thin light-grey lines behind it, a
/// line at zero, and a dashed vertical line half a period before the treatment start.
///
/// **Scale.** The y axis always covers the treated gap and zero in full. Placebo gaps widen it up
/// to [`placebo_clip`](Self::placebo_clip) times the treated gap's largest absolute value (3 by
/// default): a placebo line that goes further (a donor the synthetic control fits badly) is
/// **clipped** at the edge of the plot — cut where it leaves the plot and resumed where it comes
/// back, never dropped — and a note under the plot says how many placebo gaps were clipped. When
/// the treated gap is zero everywhere, nothing is clipped.
///
/// The legend has one entry for all placebos, with their count (`Placebo gaps (n = 38)`); the
/// count is the number of placebo series with at least one finite point. Points with a NaN or
/// infinite value (treated or placebo) are left out, break their line and are counted in a note.
///
/// ```
/// use phare_report::chart::GapChart;
/// use phare_report::Lang;
///
/// let gap: Vec<(i64, f64)> = (1980..=1995).map(|y| (y, if y < 1989 { 0.4 } else { -12.0 })).collect();
/// let placebos: Vec<Vec<(i64, f64)>> = (0..5)
///     .map(|d| (1980..=1995).map(|y| (y, ((y + d) % 7) as f64 - 3.0)).collect())
///     .collect();
/// let chart = GapChart::new(gap).placebos(placebos).treatment_start(1989);
/// let svg = chart.svg().unwrap();
/// assert!(svg.contains("Treated gap") && svg.contains("Placebo gaps (n = 5)"));
/// let fr = chart.clone().lang(Lang::Fr).svg().unwrap();
/// assert!(fr.contains("Écarts placebo (n = 5)") && fr.contains("Écart (traité − synthétique)"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GapChart {
    gap: Vec<(i64, f64)>,
    placebos: Vec<Vec<(i64, f64)>>,
    treatment_start: Option<i64>,
    clip: f64,
    options: ChartOptions,
}

impl GapChart {
    /// A chart of the treated unit's `(period, treated − synthetic)` points, in any order.
    ///
    /// ```
    /// use phare_report::chart::GapChart;
    /// assert!(GapChart::new(vec![(1, 0.1), (2, -0.3)]).svg().is_ok());
    /// ```
    pub fn new(gap: Vec<(i64, f64)>) -> Self {
        GapChart { gap, placebos: vec![], treatment_start: None, clip: DEFAULT_CLIP, options: ChartOptions::default() }
    }

    /// The placebo gaps, one `(period, gap)` series per placebo unit (replacing any given before).
    /// They are drawn behind the treated gap as thin light-grey lines.
    ///
    /// ```
    /// use phare_report::chart::GapChart;
    /// let svg = GapChart::new(vec![(1, 0.1), (2, -0.3)])
    ///     .placebos(vec![vec![(1, 0.05), (2, 0.1)], vec![(1, -0.1), (2, 0.0)]])
    ///     .svg()
    ///     .unwrap();
    /// assert!(svg.contains("Placebo gaps (n = 2)"));
    /// ```
    pub fn placebos(mut self, placebos: Vec<Vec<(i64, f64)>>) -> Self {
        self.placebos = placebos;
        self
    }

    /// The first treated period: a dashed vertical line is drawn half a period before it (and
    /// named in the legend).
    ///
    /// ```
    /// use phare_report::chart::GapChart;
    /// let svg = GapChart::new(vec![(1, 0.1), (2, -0.3)]).treatment_start(2).svg().unwrap();
    /// assert!(svg.contains("Treatment start"));
    /// ```
    pub fn treatment_start(mut self, period: i64) -> Self {
        self.treatment_start = Some(period);
        self
    }

    /// How far placebo gaps may widen the y axis, as a multiple of the treated gap's largest
    /// absolute value (default 3); placebo lines beyond are clipped at the plot's edge. A
    /// non-finite or non-positive value (e.g. `f64::INFINITY`) never clips: the axis then covers
    /// every placebo.
    ///
    /// ```
    /// use phare_report::chart::GapChart;
    /// let chart = GapChart::new(vec![(1, 0.1), (2, -0.3)]).placebos(vec![vec![(1, 5.0), (2, -4.0)]]);
    /// assert!(chart.svg().unwrap().contains("clipped"));
    /// assert!(!chart.placebo_clip(f64::INFINITY).svg().unwrap().contains("clipped"));
    /// ```
    pub fn placebo_clip(mut self, multiple: f64) -> Self {
        self.clip = multiple;
        self
    }
}

chart_common!(GapChart);

impl Chart for GapChart {
    fn options(&self) -> &ChartOptions {
        &self.options
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let lang = self.options.lang;
        if self.gap.is_empty() {
            return Err(ChartError::Empty {
                chart: NAME,
                what: if self.placebos.is_empty() {
                    "no treated gap".into()
                } else {
                    "no treated gap (placebo gaps alone are not drawn)".into()
                },
                hint: "give the treated unit's (period, treated − synthetic) points".into(),
            });
        }
        let gap_values = || self.gap.iter().map(|p| p.1).filter(|v| v.is_finite());
        let Some(max_abs) = gap_values().map(f64::abs).reduce(f64::max) else {
            return Err(ChartError::NoFiniteValues { chart: NAME });
        };
        let limit =
            if max_abs > 0.0 && self.clip.is_finite() && self.clip > 0.0 { self.clip * max_abs } else { f64::INFINITY };
        let placebo_points = || self.placebos.iter().flatten().filter(|p| p.1.is_finite());
        let n_points = self.gap.len() + self.placebos.iter().map(Vec::len).sum::<usize>();
        let skipped = n_points - gap_values().count() - placebo_points().count();
        let periods = self.gap.iter().filter(|p| p.1.is_finite()).chain(placebo_points()).map(|p| p.0);
        let (lo, hi) = period_span(periods, self.treatment_start).ok_or(ChartError::NoFiniteValues { chart: NAME })?;
        let x = Axis::integer(lo, hi, (self.options.width / 70).max(3) as usize);
        let y_values = gap_values().chain([0.0]).chain(placebo_points().map(|p| p.1.clamp(-limit, limit)));
        let y = Axis::continuous(NAME, y_values, (self.options.height / 60).max(3) as usize)?;

        let drawn: Vec<&Vec<(i64, f64)>> = self.placebos.iter().filter(|s| s.iter().any(|p| p.1.is_finite())).collect();
        let clipped = drawn.iter().filter(|s| s.iter().any(|p| p.1.is_finite() && (p.1 < y.lo || p.1 > y.hi))).count();
        let t = &self.options.theme;
        let (c_gap, c_placebo) = (t.colour(0), t.reference.lighten(0.6));
        let mut legend = vec![LegendEntry {
            swatch: Swatch::Line { colour: c_gap, dashed: false },
            label: lang.pick("Treated gap", "Écart du traité").into(),
        }];
        if !drawn.is_empty() {
            let n = drawn.len();
            let label = if n == 1 {
                lang.pick("Placebo gap", "Écart placebo")
            } else {
                lang.pick("Placebo gaps", "Écarts placebo")
            };
            legend.push(LegendEntry {
                swatch: Swatch::Line { colour: c_placebo, dashed: false },
                label: format!("{label} (n = {n})"),
            });
        }
        let start = start_in_view(self.treatment_start, &x);
        if start.is_some() {
            legend.push(start_legend(lang, t.reference));
        }
        let note = [skipped_note(lang, skipped), clipped_note(lang, clipped)].into_iter().flatten().collect::<Vec<_>>();
        let plot = Plot::new(
            root,
            FrameSpec {
                options: &self.options,
                x,
                y,
                default_x_label: lang.pick("Period", "Période").into(),
                default_y_label: lang.pick("Gap (treated − synthetic)", "Écart (traité − synthétique)").into(),
                legend,
                note: if note.is_empty() { None } else { Some(note.join(" · ")) },
                shade_x: vec![],
                y_grid: true,
            },
        )?;
        let rect = ((plot.x.lo, plot.x.hi), (plot.y.lo, plot.y.hi));
        for s in &drawn {
            draw_path(&plot, &clip_line(&series_line(s), rect), c_placebo, 1, false)?;
        }
        plot.hline(0.0, t.reference, 1, false)?;
        if let Some(s) = start {
            plot.vline(s, t.reference, 1, true)?;
        }
        draw_path(&plot, &series_line(&self.gap), c_gap, t.line_width + 1, false)?;
        Ok(())
    }
}

/// "n placebo gap(s) clipped …", in the chart's language.
fn clipped_note(lang: Lang, clipped: usize) -> Option<String> {
    match (clipped, lang) {
        (0, _) => None,
        (1, Lang::En) => Some("1 placebo gap goes beyond the plot and is clipped at its edge".into()),
        (n, Lang::En) => Some(format!("{n} placebo gaps go beyond the plot and are clipped at its edge")),
        (1, Lang::Fr) => Some("1 écart placebo sort du graphique et est coupé à son bord".into()),
        (n, Lang::Fr) => Some(format!("{n} écarts placebo sortent du graphique et sont coupés à son bord")),
    }
}

/// A point in data coordinates.
type Pt = (f64, f64);
/// `((x_lo, x_hi), (y_lo, y_hi))`.
type Rect = ((f64, f64), (f64, f64));

/// The segment `p`–`q` clipped to `rect` (Liang–Barsky): the clipped ends and their parameters
/// `t0`, `t1` along the segment (`0` and `1` when the ends are unclipped); `None` when the segment
/// misses the rectangle or its coordinates overflow.
fn clip_segment(p: Pt, q: Pt, rect: Rect) -> Option<(Pt, Pt, f64, f64)> {
    let ((x_lo, x_hi), (y_lo, y_hi)) = rect;
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    if !(dx.is_finite() && dy.is_finite()) {
        return None;
    }
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (den, num) in [(-dx, p.0 - x_lo), (dx, x_hi - p.0), (-dy, p.1 - y_lo), (dy, y_hi - p.1)] {
        if den == 0.0 {
            if num < 0.0 {
                return None;
            }
        } else {
            let r = num / den;
            if r.is_nan() {
                return None;
            }
            if den < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| {
        if t == 0.0 {
            p
        } else if t == 1.0 {
            q
        } else {
            (p.0 + t * dx, p.1 + t * dy)
        }
    };
    Some((at(t0), at(t1), t0, t1))
}

/// A polyline (NaN points break it) clipped to `rect`: the parts inside, separated by NaN points.
/// A finite point with no finite neighbour is kept alone when inside.
fn clip_line(line: &[Pt], rect: Rect) -> Vec<Pt> {
    let brk = (f64::NAN, f64::NAN);
    let finite = |i: usize| line.get(i).is_some_and(|p| p.0.is_finite() && p.1.is_finite());
    let ((x_lo, x_hi), (y_lo, y_hi)) = rect;
    let mut out = Vec::new();
    // Whether the last point pushed is the unclipped end of the previous segment.
    let mut open = false;
    for (i, &p) in line.iter().enumerate() {
        if !finite(i) {
            open = false;
            continue;
        }
        let prev = i > 0 && finite(i - 1);
        if !finite(i + 1) {
            if !prev && (x_lo..=x_hi).contains(&p.0) && (y_lo..=y_hi).contains(&p.1) {
                out.extend([brk, p, brk]);
            }
            open = false;
            continue;
        }
        match clip_segment(p, line[i + 1], rect) {
            None => open = false,
            Some((a, b, t0, t1)) => {
                if !(open && t0 == 0.0) {
                    out.extend([brk, a]);
                }
                out.push(b);
                open = t1 == 1.0;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(line: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
        line.split(|p| p.0.is_nan()).filter(|r| !r.is_empty()).map(<[_]>::to_vec).collect()
    }

    #[test]
    fn lines_are_clipped_not_dropped() {
        let rect = ((0.0, 10.0), (-1.0, 1.0));
        // Inside: unchanged, one run.
        let inside = [(0.0, 0.0), (1.0, 0.5), (2.0, -0.5)];
        assert_eq!(runs(&clip_line(&inside, rect)), vec![inside.to_vec()]);
        // Out and back: two runs, cut at y = 1.
        let out = clip_line(&[(0.0, 0.0), (1.0, 3.0), (2.0, 0.0)], rect);
        let r = runs(&out);
        assert_eq!(r.len(), 2, "{out:?}");
        assert_eq!(r[0][0], (0.0, 0.0));
        assert!((r[0][1].0 - 1.0 / 3.0).abs() < 1e-12 && r[0][1].1 == 1.0);
        assert!((r[1][0].0 - 5.0 / 3.0).abs() < 1e-12 && r[1][1] == (2.0, 0.0));
        // Entirely outside: nothing; a segment crossing the whole plot: one clipped run.
        assert!(runs(&clip_line(&[(0.0, 5.0), (1.0, 6.0)], rect)).is_empty());
        assert_eq!(runs(&clip_line(&[(0.0, -3.0), (2.0, 3.0)], rect)), vec![vec![(2.0 / 3.0, -1.0), (4.0 / 3.0, 1.0)]]);
        // NaN breaks; an isolated point stays; overflowing coordinates are skipped.
        let r = runs(&clip_line(&[(0.0, 0.0), (1.0, f64::NAN), (2.0, 0.2), (3.0, f64::NAN)], rect));
        assert_eq!(r, vec![vec![(0.0, 0.0)], vec![(2.0, 0.2)]]);
        assert!(runs(&clip_line(&[(0.0, -f64::MAX), (1.0, f64::MAX)], rect)).is_empty());
    }
}
