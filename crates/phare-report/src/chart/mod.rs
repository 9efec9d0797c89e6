//! Charts: plotters drawings rendered to SVG strings (to inline in HTML briefs) and PNG bytes.
//!
//! | chart | shows |
//! |---|---|
//! | [`EventStudyChart`] | estimates by period relative to treatment, with intervals, optional uniform bands, the reference period and the pre-period shaded |
//! | [`CoefficientChart`] | the same terms across several models, as horizontal dots and whiskers |
//! | [`TrendsChart`] | raw outcome series by period (treated vs comparison), with the treatment start |
//! | [`BaconChart`] | a Goodman-Bacon decomposition: each 2×2 estimate against its weight, by kind |
//! | [`SynthPathChart`] | a synthetic control: the treated unit's outcome and its synthetic counterpart by period |
//! | [`GapChart`] | the treated unit's gap (treated − synthetic) by period, over the placebo gaps |
//! | [`WeightsChart`] | weights by label (donor units, periods) as horizontal bars, largest first |
//! | [`RdPlotChart`] | a regression discontinuity: bin means against the running variable, a fitted curve each side, the cut-off |
//! | [`BandwidthSensitivityChart`] | an RD estimate and its interval across bandwidths, with the chosen bandwidth highlighted |
//!
//! Every chart is a plain input struct (numbers and labels: the caller converts fits, nothing here
//! computes a statistic) with builder methods, and renders with `svg()` or `png()`:
//!
//! ```
//! use phare_report::chart::{EventStudyChart, EventStudyPoint};
//! use phare_report::Lang;
//!
//! let chart = EventStudyChart::new(vec![
//!     EventStudyPoint::new(-2, 0.01, -0.03, 0.05),
//!     EventStudyPoint::new(0, -0.02, -0.05, 0.01),
//!     EventStudyPoint::new(1, -0.05, -0.09, -0.01),
//! ])
//! .reference_period(-1)
//! .title("Illustrative event study")
//! .lang(Lang::Fr);
//! let svg = chart.svg().unwrap();
//! assert!(svg.starts_with("<svg"));
//! let png = chart.png().unwrap();
//! assert!(png.starts_with(b"\x89PNG"));
//! ```
//!
//! ## Output
//!
//! - `svg()` returns an `<svg>` element with no XML prolog, ready to inline in HTML; it carries
//!   `role="img"` and a `<title>` (the chart title) for screen readers. Every text (titles, labels,
//!   legend) is escaped, so a label `<script>` is shown as text. Text is written as SVG `<text>` in
//!   the family `DejaVu Sans, sans-serif`: layout is computed with the embedded DejaVu Sans metrics.
//! - `png()` returns PNG bytes (8-bit RGB) of exactly the requested size, drawn with the embedded
//!   font (text rasterised by this module's own `ab_glyph` code: plotters 0.3.7 misplaces glyphs). Rendering is deterministic: the same chart gives the same bytes.
//! - No system font or library is ever used: DejaVu Sans (see `assets/fonts/README.md`) is compiled
//!   in and registered with plotters' `ab_glyph` text support on first use ([`embedded_font`]).
//! - Tick labels follow the chart's [`Lang`]: French charts show `0,1` and `−0,1`
//!   (true minus sign); periods and years are never grouped by thousands.
//!
//! ## Bad input
//!
//! Drawing never panics. A chart with nothing to draw (no points, or no finite value) returns a
//! [`ChartError`]; points with a NaN or infinite coordinate are left out and the chart says so in a
//! note under the plot (nothing disappears silently); interval ends at ±∞ are drawn to the edge of
//! the plot; a single point or all-equal values give a padded axis.
//!
//! ## Theme
//!
//! [`Theme`] holds what all charts draw with: the colour-blind-safe [Okabe–Ito](OKABE_ITO) palette
//! (blue, vermillion, green, orange, purple, sky blue, yellow, black), a marker shape per group (so
//! groups stay distinct in greyscale), a white background, dark grey text, a light grey grid, the
//! font sizes and line widths. `Theme::default()` is used unless a chart is given another with
//! `.theme(…)`.
//!
//! ## How to add a chart
//!
//! Later designs (synthetic-control paths, RD binned scatter plots, …) add charts the same way:
//!
//! 1. a module `src/chart/my_chart.rs` with a plain input struct holding the data, any
//!    chart-specific options and a `options: ChartOptions` field (size, language, title, axis
//!    titles, theme);
//! 2. `impl Chart for MyChart`: [`Chart::options`], and [`Chart::draw`], generic over the plotters
//!    backend so that the SVG and PNG paths share every line. `draw` computes the axes from the
//!    data (the crate-internal `axis::Axis::{continuous, integer, categories}` give padded ranges
//!    and ticks labelled in the chart's language), returns a [`ChartError`] when there is nothing to
//!    draw, builds the frame (`frame::Plot::new`: background, title, legend, note, grid and axes)
//!    and draws the data with its primitives (`line`, `hline`, `vline`, `rect`, `whisker`,
//!    `marker`, `text`), which take data coordinates and skip NaN;
//! 3. `chart_common!(MyChart);` generates the shared builder methods (`size`, `lang`, `title`,
//!    `x_label`, `y_label`, `theme`) and `svg()` / `png()`;
//! 4. re-export it here, and add a test in `tests/charts.rs` (SVG labels, PNG size, an empty-input
//!    error).
//!
//! Code outside this crate can implement [`Chart`] too and render with [`render_svg`] and
//! [`render_png`] (it then uses plotters 0.3 types directly).

mod axis;
mod bacon;
mod coefficients;
mod event_study;
mod frame;
mod gap;
mod love;
mod raster;
mod rd_bandwidth;
mod rd_plot;
mod synth_path;
mod theme;
mod trends;
mod weights;

pub use bacon::{BaconChart, BaconPoint};
pub use coefficients::{CoefficientChart, CoefficientRow};
pub use event_study::{EventStudyChart, EventStudyPoint};
pub use gap::GapChart;
pub use love::{BalanceRow, LovePlotChart};
pub use rd_bandwidth::{BandwidthPoint, BandwidthSensitivityChart};
pub use rd_plot::{RdBin, RdPlotChart};
pub use synth_path::SynthPathChart;
pub use theme::{MarkerShape, OKABE_ITO, Rgb, Theme};
pub use trends::{TrendSeries, TrendsChart};
pub use weights::WeightsChart;

use crate::text::Lang;
use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, DrawingBackend, IntoDrawingArea, SVGBackend};
use std::sync::OnceLock;

/// Smallest accepted width or height, in pixels.
pub const MIN_SIDE: u32 = 160;
/// Largest accepted width or height, in pixels.
pub const MAX_SIDE: u32 = 8192;
/// Default size: 720 × 420 pixels.
pub const DEFAULT_SIZE: (u32, u32) = (720, 420);

/// The font family written in SVG output. Text is laid out with the embedded DejaVu Sans, which
/// the family names first; `sans-serif` is the viewer's fallback.
pub const FONT_FAMILY: &str = "DejaVu Sans, sans-serif";

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The embedded DejaVu Sans (TrueType bytes), e.g. to embed it in an HTML brief with
/// `@font-face` so that SVG text renders with the exact metrics used for layout.
pub fn embedded_font() -> &'static [u8] {
    FONT
}

/// Registers the embedded font with plotters (once per process) under [`FONT_FAMILY`] and
/// `sans-serif`.
fn ensure_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        use plotters::style::{FontStyle, register_font};
        register_font(FONT_FAMILY, FontStyle::Normal, FONT).is_ok()
            && register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
    });
    if ok { Ok(()) } else { Err(ChartError::Font("the embedded DejaVu Sans could not be parsed".into())) }
}

/// Why a chart could not be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ChartError {
    /// The chart was given no data.
    #[error("{chart}: nothing to draw ({what}); hint: {hint}")]
    Empty {
        /// The chart (e.g. `event study`).
        chart: &'static str,
        /// What is missing.
        what: String,
        /// How to fix it.
        hint: String,
    },
    /// Every value to draw is NaN or infinite.
    #[error("{chart}: nothing to draw: every value is NaN or infinite")]
    NoFiniteValues {
        /// The chart.
        chart: &'static str,
    },
    /// The values span more than an `f64` can hold (e.g. from −1e308 to 1e308).
    #[error("{chart}: the values span too wide a range to draw")]
    ValueRange {
        /// The chart.
        chart: &'static str,
    },
    /// The requested image size is outside [`MIN_SIDE`]..=[`MAX_SIDE`] pixels a side.
    #[error("chart size {width}×{height} px is not supported: each side must be {MIN_SIDE} to {MAX_SIDE} px")]
    Size {
        /// Requested width.
        width: u32,
        /// Requested height.
        height: u32,
    },
    /// The embedded font could not be loaded (an internal error).
    #[error("font: {0}")]
    Font(String),
    /// plotters failed while drawing (an internal error).
    #[error("drawing the chart failed: {0}")]
    Drawing(String),
    /// The PNG encoder failed (an internal error).
    #[error("encoding the PNG failed: {0}")]
    Png(String),
}

/// What every chart has besides its data: size, language, title, axis titles and theme. Charts
/// set these through their builder methods (`size`, `lang`, `title`, `x_label`, `y_label`,
/// `theme`).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartOptions {
    /// Width in pixels (default 720).
    pub width: u32,
    /// Height in pixels (default 420).
    pub height: u32,
    /// Language of tick labels and default texts.
    pub lang: Lang,
    /// Title drawn above the plot (none by default).
    pub title: Option<String>,
    /// x-axis title; `None` uses the chart's default in its language, `Some("")` shows none.
    pub x_label: Option<String>,
    /// y-axis title; `None` uses the chart's default in its language, `Some("")` shows none.
    pub y_label: Option<String>,
    /// Colours, markers and sizes.
    pub theme: Theme,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            width: DEFAULT_SIZE.0,
            height: DEFAULT_SIZE.1,
            lang: Lang::default(),
            title: None,
            x_label: None,
            y_label: None,
            theme: Theme::default(),
        }
    }
}

/// A chart that plotters can draw on any backend. Implement it to add a chart (see the module
/// docs, "How to add a chart"); render with [`render_svg`] and [`render_png`].
pub trait Chart {
    /// Size, language, title, axis titles and theme.
    fn options(&self) -> &ChartOptions;

    /// Draws the whole chart on `root` (the full image). Shared by the SVG and PNG paths.
    ///
    /// # Errors
    /// A [`ChartError`] when there is nothing to draw, or when plotters fails.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>;
}

fn checked_size(o: &ChartOptions) -> Result<(u32, u32), ChartError> {
    let ok = |s: u32| (MIN_SIDE..=MAX_SIDE).contains(&s);
    if ok(o.width) && ok(o.height) {
        Ok((o.width, o.height))
    } else {
        Err(ChartError::Size { width: o.width, height: o.height })
    }
}

/// Renders a chart as an `<svg>` element, ready to inline in HTML (no XML prolog; `role="img"`
/// and a `<title>` element with the chart title).
///
/// # Errors
/// See [`ChartError`].
pub fn render_svg<C: Chart + ?Sized>(chart: &C) -> Result<String, ChartError> {
    let o = chart.options();
    let size = checked_size(o)?;
    ensure_font()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        chart.draw(&root)?;
        root.present().map_err(frame::drawing_err)?;
    }
    Ok(finish_svg(&out, o.title.as_deref()))
}

/// Removes an XML prolog or doctype if present, adds `role="img"` and a `<title>`.
fn finish_svg(raw: &str, title: Option<&str>) -> String {
    let mut s = raw.trim_start();
    while s.starts_with("<?") || s.starts_with("<!") {
        s = s.find('>').map_or("", |i| s[i + 1..].trim_start());
    }
    let Some(rest) = s.strip_prefix("<svg") else { return s.to_string() };
    let Some(end) = rest.find('>') else { return s.to_string() };
    let (attrs, body) = rest.split_at(end + 1);
    let title = title
        .filter(|t| !t.trim().is_empty())
        .map(|t| format!("<title>{}</title>\n", crate::text::escape_html(t)))
        .unwrap_or_default();
    format!("<svg role=\"img\"{attrs}\n{title}{}", body.trim_start_matches('\n'))
}

/// Renders a chart as PNG bytes (8-bit RGB, exactly the chart's size).
///
/// # Errors
/// See [`ChartError`].
pub fn render_png<C: Chart + ?Sized>(chart: &C) -> Result<Vec<u8>, ChartError> {
    let (w, h) = checked_size(chart.options())?;
    ensure_font()?;
    let mut pixels = vec![0u8; w as usize * h as usize * 3];
    {
        let root = raster::Raster(BitMapBackend::with_buffer(&mut pixels, (w, h))).into_drawing_area();
        chart.draw(&root)?;
        root.present().map_err(frame::drawing_err)?;
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| ChartError::Png(e.to_string()))?;
        writer.write_image_data(&pixels).map_err(|e| ChartError::Png(e.to_string()))?;
        writer.finish().map_err(|e| ChartError::Png(e.to_string()))?;
    }
    Ok(out)
}

/// The builder methods every chart shares, and `svg()` / `png()`. The chart type must have a field
/// `options: ChartOptions` and implement [`Chart`].
macro_rules! chart_common {
    ($t:ty) => {
        impl $t {
            /// Image size in pixels (default 720 × 420; each side 160 to 8192, checked when
            /// rendering).
            pub fn size(mut self, width: u32, height: u32) -> Self {
                self.options.width = width;
                self.options.height = height;
                self
            }

            /// Language of tick labels, legend and default axis titles.
            pub fn lang(mut self, lang: $crate::text::Lang) -> Self {
                self.options.lang = lang;
                self
            }

            /// Title drawn above the plot.
            pub fn title(mut self, title: impl Into<String>) -> Self {
                self.options.title = Some(title.into());
                self
            }

            /// x-axis title, replacing the default (`""` shows none).
            pub fn x_label(mut self, label: impl Into<String>) -> Self {
                self.options.x_label = Some(label.into());
                self
            }

            /// y-axis title, replacing the default (`""` shows none).
            pub fn y_label(mut self, label: impl Into<String>) -> Self {
                self.options.y_label = Some(label.into());
                self
            }

            /// Colours, markers and sizes (default [`Theme::default`](crate::chart::Theme)).
            pub fn theme(mut self, theme: $crate::chart::Theme) -> Self {
                self.options.theme = theme;
                self
            }

            /// The chart as an `<svg>` element to inline in HTML.
            ///
            /// # Errors
            /// See [`ChartError`](crate::chart::ChartError).
            pub fn svg(&self) -> Result<String, $crate::chart::ChartError> {
                $crate::chart::render_svg(self)
            }

            /// The chart as PNG bytes.
            ///
            /// # Errors
            /// See [`ChartError`](crate::chart::ChartError).
            pub fn png(&self) -> Result<Vec<u8>, $crate::chart::ChartError> {
                $crate::chart::render_png(self)
            }
        }
    };
}
pub(crate) use chart_common;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_is_made_inline_ready() {
        let s = finish_svg("<?xml version=\"1.0\"?>\n<svg width=\"1\">\n<rect/>\n</svg>\n", Some("a <b>"));
        assert!(s.starts_with("<svg role=\"img\" width=\"1\">\n<title>a &lt;b&gt;</title>\n<rect/>"), "{s}");
        let s = finish_svg("<svg width=\"1\">\n</svg>", None);
        assert_eq!(s, "<svg role=\"img\" width=\"1\">\n</svg>");
    }

    #[test]
    fn the_embedded_font_registers() {
        assert!(ensure_font().is_ok());
        assert!(embedded_font().len() > 100_000);
        assert!(checked_size(&ChartOptions { width: 10, ..ChartOptions::default() }).is_err());
    }
}
