//! The part every chart shares: background, title, legend, note, axes and grid, then drawing
//! primitives in data coordinates. A chart computes its [`Axis`]es and legend from its data, calls
//! [`Plot::new`], and draws its data with the primitives.

use super::axis::Axis;
use super::theme::{MarkerShape, Rgb, Theme};
use super::{ChartError, ChartOptions, FONT_FAMILY};
use crate::text::Lang;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The height kept for the axes and the plot: a title, legend or note that would leave less is
/// not drawn.
const MIN_PLOT_HEIGHT: u32 = 110;

/// A continuous axis whose ticks (grid lines and labels) are exactly the [`Axis`] ticks.
pub(crate) struct Ticked {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ticked {
    fn new(a: &Axis) -> Self {
        Ticked { inner: (a.lo..a.hi).into(), ticks: a.ticks.clone() }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Only bold points (ticks): no light grid lines between them.
        if hint.weight().allow_light_points() { vec![] } else { self.ticks.clone() }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// The coordinate system of every chart: two continuous axes with explicit ticks.
pub(crate) type Cart = Cartesian2d<Ticked, Ticked>;

pub(crate) fn colour(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// Any plotters drawing error, as a [`ChartError::Drawing`].
pub(crate) fn drawing_err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Drawing(e.to_string())
}

/// What a legend entry shows before its text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Swatch {
    /// A marker, filled or hollow.
    Marker { shape: MarkerShape, colour: Rgb, filled: bool },
    /// A point with a vertical whisker.
    PointRange { colour: Rgb },
    /// A line, solid or dashed.
    Line { colour: Rgb, dashed: bool },
    /// A filled box.
    Band { colour: Rgb },
}

/// One legend entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LegendEntry {
    pub swatch: Swatch,
    pub label: String,
}

/// Everything [`Plot::new`] needs besides the data.
pub(crate) struct FrameSpec<'a> {
    pub options: &'a ChartOptions,
    pub x: Axis,
    pub y: Axis,
    /// Axis titles used when the caller set none.
    pub default_x_label: String,
    pub default_y_label: String,
    pub legend: Vec<LegendEntry>,
    /// A line of small text under the plot (e.g. how many points were left out).
    pub note: Option<String>,
    /// Vertical bands `[x0, x1]` shaded under the grid.
    pub shade_x: Vec<(f64, f64)>,
    /// Draw grid lines across the plot at the y ticks (off for category axes, which get a light
    /// line per category instead).
    pub y_grid: bool,
}

/// A chart's plotting area, ready for data: the frame (title, legend, axes) is drawn.
pub(crate) struct Plot<'r, DB: DrawingBackend> {
    root: &'r DrawingArea<DB, Shift>,
    chart: ChartContext<'r, DB, Cart>,
    pub x: Axis,
    pub y: Axis,
    pub theme: Theme,
}

fn text_style(size: f64, c: Rgb) -> TextStyle<'static> {
    (FONT_FAMILY, size).into_font().color(&colour(c))
}

impl<'r, DB: DrawingBackend> Plot<'r, DB> {
    /// Fills the background and draws the title, legend, note, shaded bands, grid and axes.
    pub fn new(root: &'r DrawingArea<DB, Shift>, spec: FrameSpec<'_>) -> Result<Self, ChartError> {
        let o = spec.options;
        let t = &o.theme;
        let lang = o.lang;
        root.fill(&colour(t.background)).map_err(drawing_err)?;
        let mut area = root.clone();
        // Title, legend and note are left out rather than squeeze the plot below MIN_PLOT_HEIGHT.
        if let Some(title) = o.title.as_deref().filter(|s| !s.trim().is_empty()) {
            let style = text_style(t.title_size, t.foreground);
            let (_, h) = root.estimate_text_size(title, &style).map_err(drawing_err)?;
            if area.dim_in_pixel().1 >= h + 16 + MIN_PLOT_HEIGHT {
                area = area.margin(6, 0, 0, 0).titled(title, style).map_err(drawing_err)?;
            }
        }
        if !spec.legend.is_empty() {
            let h = draw_legend(root, &area, &spec.legend, t, false)?;
            if area.dim_in_pixel().1 >= h + MIN_PLOT_HEIGHT {
                draw_legend(root, &area, &spec.legend, t, true)?;
                area = area.margin(h, 0, 0, 0);
            }
        }
        if let Some(note) = spec.note.as_deref() {
            let note_h = (t.note_size * 1.6) as u32;
            if area.dim_in_pixel().1 >= note_h + MIN_PLOT_HEIGHT {
                let (xr, yr) = area.get_pixel_range();
                let style = text_style(t.note_size, t.reference).pos(Pos::new(HPos::Left, VPos::Bottom));
                root.draw_text(note, &style, (xr.start + 10, yr.end - 4)).map_err(drawing_err)?;
                area = area.margin(0, note_h, 0, 0);
            }
        }

        // Label areas sized from the tick labels actually shown.
        let tick_style = text_style(t.tick_label_size, t.foreground);
        let axis_style = text_style(t.axis_label_size, t.foreground);
        let mut y_tick_w = 0u32;
        for v in &spec.y.ticks {
            let (w, _) = root.estimate_text_size(&spec.y.label(*v, lang), &tick_style).map_err(drawing_err)?;
            y_tick_w = y_tick_w.max(w);
        }
        let (area_w, _) = area.dim_in_pixel();
        let (_, axis_h) = root.estimate_text_size("Ag", &axis_style).map_err(drawing_err)?;
        let (_, tick_h) = root.estimate_text_size("0", &tick_style).map_err(drawing_err)?;
        let y_label = o.y_label.clone().unwrap_or(spec.default_y_label);
        let x_label = o.x_label.clone().unwrap_or(spec.default_x_label);
        let y_desc_w = if y_label.is_empty() { 0 } else { axis_h + 8 };
        let y_area = (y_tick_w + 14 + y_desc_w).min(area_w / 2);
        let x_desc_h = if x_label.is_empty() { 0 } else { axis_h + 8 };
        let x_area = tick_h + 14 + x_desc_h;

        let mut chart = ChartBuilder::on(&area)
            .margin(8)
            .margin_right(18)
            .x_label_area_size(x_area)
            .y_label_area_size(y_area)
            .build_cartesian_2d(Ticked::new(&spec.x), Ticked::new(&spec.y))
            .map_err(drawing_err)?;

        // Shades go under the grid.
        for (a, b) in &spec.shade_x {
            let (Some(a), Some(b)) = (spec.x.clamp(*a), spec.x.clamp(*b)) else { continue };
            if b > a {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(a, spec.y.lo), (b, spec.y.hi)],
                        colour(t.shade).filled(),
                    )))
                    .map_err(drawing_err)?;
            }
        }

        let fx = |v: &f64| spec.x.label(*v, lang);
        let fy = |v: &f64| spec.y.label(*v, lang);
        let grid = colour(t.grid);
        let mut mesh = chart.configure_mesh();
        mesh.bold_line_style(grid.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(colour(t.reference).stroke_width(1))
            .label_style(tick_style.clone())
            .axis_desc_style(axis_style.clone())
            .x_label_formatter(&fx)
            .y_label_formatter(&fy)
            .x_labels(spec.x.ticks.len().max(1))
            .y_labels(spec.y.ticks.len().max(1))
            .x_desc(x_label)
            .y_desc(y_label);
        if !spec.y_grid {
            mesh.disable_y_mesh();
        }
        mesh.draw().map_err(drawing_err)?;
        let plot = Plot { root, chart, x: spec.x, y: spec.y, theme: o.theme.clone() };
        if !spec.y_grid {
            // Category axes: one faint line per category, through the middle of its group.
            let ticks = plot.y.ticks.clone();
            for v in ticks {
                plot.hline(v, t.grid, 1, false)?;
            }
        }
        Ok(plot)
    }

    /// Pixel position of a data point (infinite coordinates land on the axis edge); `None` if a
    /// coordinate is NaN.
    pub fn px(&self, x: f64, y: f64) -> Option<(i32, i32)> {
        Some(self.chart.backend_coord(&(self.x.clamp(x)?, self.y.clamp(y)?)))
    }

    /// A polyline through the points; a NaN point breaks the line.
    pub fn line(&self, points: &[(f64, f64)], c: Rgb, width: u32, dashed: bool) -> Result<(), ChartError> {
        let mut run: Vec<(i32, i32)> = Vec::new();
        for p in points.iter().map(|(x, y)| self.px(*x, *y)).chain(std::iter::once(None)) {
            match p {
                Some(p) => run.push(p),
                None => {
                    if run.len() >= 2 {
                        self.path_px(&run, c, width, dashed)?;
                    }
                    run.clear();
                }
            }
        }
        Ok(())
    }

    fn path_px(&self, pts: &[(i32, i32)], c: Rgb, width: u32, dashed: bool) -> Result<(), ChartError> {
        let style = colour(c).stroke_width(width);
        if !dashed {
            return self.root.draw(&PathElement::new(pts.to_vec(), style)).map_err(drawing_err);
        }
        let (dash, gap) = (7.0, 5.0);
        for w in pts.windows(2) {
            let (x0, y0) = (f64::from(w[0].0), f64::from(w[0].1));
            let (dx, dy) = (f64::from(w[1].0) - x0, f64::from(w[1].1) - y0);
            let len = dx.hypot(dy);
            if len < 1.0 {
                continue;
            }
            let mut s = 0.0;
            while s < len {
                let e = (s + dash).min(len);
                let a = ((x0 + dx * s / len).round() as i32, (y0 + dy * s / len).round() as i32);
                let b = ((x0 + dx * e / len).round() as i32, (y0 + dy * e / len).round() as i32);
                self.root.draw(&PathElement::new(vec![a, b], style)).map_err(drawing_err)?;
                s += dash + gap;
            }
        }
        Ok(())
    }

    /// A horizontal line across the plot at `y`.
    pub fn hline(&self, y: f64, c: Rgb, width: u32, dashed: bool) -> Result<(), ChartError> {
        self.line(&[(self.x.lo, y), (self.x.hi, y)], c, width, dashed)
    }

    /// A vertical line across the plot at `x`.
    pub fn vline(&self, x: f64, c: Rgb, width: u32, dashed: bool) -> Result<(), ChartError> {
        self.line(&[(x, self.y.lo), (x, self.y.hi)], c, width, dashed)
    }

    /// A filled rectangle between two corners (skipped if a corner is NaN).
    pub fn rect(&self, a: (f64, f64), b: (f64, f64), c: Rgb) -> Result<(), ChartError> {
        let (Some(p), Some(q)) = (self.px(a.0, a.1), self.px(b.0, b.1)) else { return Ok(()) };
        let (p, q) = ((p.0.min(q.0), p.1.min(q.1)), (p.0.max(q.0), p.1.max(q.1).max(p.1.min(q.1) + 1)));
        self.root.draw(&Rectangle::new([p, q], colour(c).filled())).map_err(drawing_err)
    }

    /// A whisker from `(x, lo)` to `(x, hi)` (vertical) or `(lo, y)` to `(hi, y)` (horizontal),
    /// with short caps; skipped if an end is NaN.
    pub fn whisker(&self, at: f64, lo: f64, hi: f64, vertical: bool, c: Rgb, cap: i32) -> Result<(), ChartError> {
        let ends = if vertical { (self.px(at, lo), self.px(at, hi)) } else { (self.px(lo, at), self.px(hi, at)) };
        let (Some(a), Some(b)) = ends else { return Ok(()) };
        self.path_px(&[a, b], c, self.theme.line_width, false)?;
        if cap > 0 {
            for p in [a, b] {
                let seg = if vertical {
                    vec![(p.0 - cap, p.1), (p.0 + cap, p.1)]
                } else {
                    vec![(p.0, p.1 - cap), (p.0, p.1 + cap)]
                };
                self.path_px(&seg, c, self.theme.line_width, false)?;
            }
        }
        Ok(())
    }

    /// A marker at a data point (skipped if a coordinate is NaN).
    pub fn marker(&self, shape: MarkerShape, x: f64, y: f64, c: Rgb, filled: bool) -> Result<(), ChartError> {
        let Some(p) = self.px(x, y) else { return Ok(()) };
        draw_marker(self.root, shape, p, self.theme.point_radius as i32, c, filled, self.theme.background)
    }

    /// Text at a data point, left-aligned and vertically centred (for annotations).
    #[allow(dead_code)]
    pub fn text(&self, s: &str, x: f64, y: f64, size: f64, c: Rgb) -> Result<(), ChartError> {
        let Some(p) = self.px(x, y) else { return Ok(()) };
        let style = text_style(size, c).pos(Pos::new(HPos::Left, VPos::Center));
        self.root.draw_text(s, &style, p).map_err(drawing_err)
    }
}

/// Draws a marker centred on pixel `p` (radius `r`). Hollow markers are filled with `bg` so grid
/// lines do not show through.
pub(crate) fn draw_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    shape: MarkerShape,
    p: (i32, i32),
    r: i32,
    c: Rgb,
    filled: bool,
    bg: Rgb,
) -> Result<(), ChartError> {
    let stroke = colour(c).stroke_width(2);
    let (x, y) = p;
    let poly = |pts: Vec<(i32, i32)>| -> Result<(), ChartError> {
        let fill = if filled { colour(c) } else { colour(bg) };
        root.draw(&Polygon::new(pts.clone(), fill.filled())).map_err(drawing_err)?;
        let mut closed = pts.clone();
        closed.push(pts[0]);
        root.draw(&PathElement::new(closed, stroke)).map_err(drawing_err)
    };
    match shape {
        MarkerShape::Circle => {
            let fill = if filled { colour(c).filled() } else { colour(bg).filled() };
            root.draw(&Circle::new(p, r, fill)).map_err(drawing_err)?;
            root.draw(&Circle::new(p, r, stroke)).map_err(drawing_err)
        }
        MarkerShape::Square => {
            let r = r - 1;
            poly(vec![(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)])
        }
        MarkerShape::Diamond => {
            let r = r + 1;
            poly(vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)])
        }
        MarkerShape::Triangle => {
            let r = r + 1;
            poly(vec![(x, y - r), (x + r, y + r * 2 / 3), (x - r, y + r * 2 / 3)])
        }
        MarkerShape::Cross => {
            let s = colour(c).stroke_width(3);
            root.draw(&PathElement::new(vec![(x - r, y), (x + r, y)], s)).map_err(drawing_err)?;
            root.draw(&PathElement::new(vec![(x, y - r), (x, y + r)], s)).map_err(drawing_err)
        }
    }
}

/// Lays the legend out in rows across the top of `area` and draws it on `root`; returns the height
/// used.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    t: &Theme,
    draw: bool,
) -> Result<u32, ChartError> {
    let style = text_style(t.legend_size, t.foreground).pos(Pos::new(HPos::Left, VPos::Center));
    let (xr, yr) = area.get_pixel_range();
    let (left, right) = (xr.start + 16, xr.end - 16);
    let row_h = (t.legend_size * 1.25) as i32 + 6;
    let swatch_w = 26;
    let mut x = left;
    let mut y = yr.start + row_h / 2 + 4;
    let mut rows = 1;
    for e in entries {
        let (tw, _) = root.estimate_text_size(&e.label, &style).map_err(drawing_err)?;
        let w = swatch_w + 6 + tw as i32;
        if x > left && x + w > right {
            x = left;
            y += row_h;
            rows += 1;
        }
        if draw {
            let mid = (x + swatch_w / 2, y);
            let r = t.point_radius as i32;
            match &e.swatch {
                Swatch::Marker { shape, colour: c, filled } => {
                    draw_marker(root, *shape, mid, r, *c, *filled, t.background)?
                }
                Swatch::PointRange { colour: c } => {
                    let s = colour(*c).stroke_width(t.line_width);
                    root.draw(&PathElement::new(vec![(mid.0, y - row_h / 2 + 3), (mid.0, y + row_h / 2 - 3)], s))
                        .map_err(drawing_err)?;
                    draw_marker(root, MarkerShape::Circle, mid, r, *c, true, t.background)?;
                }
                Swatch::Line { colour: c, dashed } => {
                    let s = colour(*c).stroke_width(t.line_width);
                    if *dashed {
                        for (a, b) in [(x, x + 7), (x + 12, x + 19), (x + 24, x + swatch_w)] {
                            root.draw(&PathElement::new(vec![(a, y), (b, y)], s)).map_err(drawing_err)?;
                        }
                    } else {
                        root.draw(&PathElement::new(vec![(x, y), (x + swatch_w, y)], s)).map_err(drawing_err)?;
                    }
                }
                Swatch::Band { colour: c } => {
                    root.draw(&Rectangle::new([(x + 4, y - 7), (x + swatch_w - 4, y + 7)], colour(*c).filled()))
                        .map_err(drawing_err)?;
                }
            }
            root.draw_text(&e.label, &style, (x + swatch_w + 6, y)).map_err(drawing_err)?;
        }
        x += w + 22;
    }
    Ok((rows * row_h + 8) as u32)
}

/// "n point(s) … not shown", in the chart's language.
pub(crate) fn skipped_note(lang: Lang, skipped: usize) -> Option<String> {
    match (skipped, lang) {
        (0, _) => None,
        (1, Lang::En) => Some("1 point with a missing or non-finite value is not shown".into()),
        (n, Lang::En) => Some(format!("{n} points with missing or non-finite values are not shown")),
        (1, Lang::Fr) => Some("1 point à valeur manquante ou non finie n’est pas représenté".into()),
        (n, Lang::Fr) => Some(format!("{n} points à valeur manquante ou non finie ne sont pas représentés")),
    }
}
