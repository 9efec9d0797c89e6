//! Regression-discontinuity charts: the RD plot (bin means, fits, cut-off) and the bandwidth
//! sensitivity chart.
//!
//! The values below are illustrative fixtures (a smooth outcome with a jump of 0.15 at the
//! cut-off 0), not reference values.
//!
//! Set `PHARE_CHART_EXAMPLES=/some/dir` to also write an SVG and a PNG of each chart there.

mod common;
use common::Lcg;
use phare_report::Lang;
use phare_report::chart::{BandwidthPoint, BandwidthSensitivityChart, ChartError, RdBin, RdPlotChart};

const MINUS: char = '\u{2212}';
/// The fill of a bin dot (first Okabe–Ito colour) as plotters writes it.
const BIN_FILL: &str = "fill=\"#0072B2\"";

fn outcome(x: f64) -> f64 {
    0.4 + 0.25 * x - 0.1 * x * x + if x >= 0.0 { 0.15 } else { 0.0 }
}

/// 20 bins each side of 0 on [−1, 1], with intervals.
fn bins() -> Vec<RdBin> {
    (-20i32..20)
        .map(|i| {
            let x = (f64::from(i) + 0.5) / 20.0;
            let y = outcome(x) + 0.02 * (f64::from((i * 7).rem_euclid(5)) - 2.0) / 2.0;
            RdBin::new(x, y).interval(y - 0.035, y + 0.035)
        })
        .collect()
}

fn fit(lo: f64, hi: f64) -> Vec<(f64, f64)> {
    (0..=40).map(|k| lo + (hi - lo) * f64::from(k) / 40.0).map(|x| (x, outcome(x))).collect()
}

fn rd() -> RdPlotChart {
    RdPlotChart::new(bins()).fits(fit(-1.0, -1e-9), fit(0.0, 1.0)).cutoff(0.0)
}

fn bandwidth_points() -> Vec<BandwidthPoint> {
    (1..=10)
        .map(|k| {
            let h = 0.05 * f64::from(k);
            let est = 0.15 - 0.004 * f64::from(k) * f64::from(k) / 4.0;
            let se = 0.06 / f64::from(k).sqrt();
            BandwidthPoint::new(h, est, est - 1.96 * se, est + 1.96 * se)
        })
        .collect()
}

fn bandwidth() -> BandwidthSensitivityChart {
    BandwidthSensitivityChart::new(bandwidth_points())
}

/// Width and height from a PNG's IHDR chunk (after checking the signature).
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 33, "PNG too short");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

/// A light well-formedness check: one root `<svg>` element, closed, every `<text>` closed.
fn assert_svg(svg: &str) {
    assert!(svg.starts_with("<svg "), "starts with <svg: {}", &svg[..svg.len().min(80)]);
    assert!(svg.trim_end().ends_with("</svg>"), "ends with </svg>");
    assert_eq!(svg.matches("<svg").count(), 1);
    assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
}

/// The texts of the SVG's `<text>` elements (entities kept).
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>').map(|(_, r)| r))
        .map(|r| r.split("</text>").next().unwrap_or("").trim().to_string())
        .collect()
}

fn has(t: &[String], s: &str) -> bool {
    t.iter().any(|x| x == s)
}

/// Filled circles of the bin colour (each bin dot is one; the legend swatch is one more).
fn bin_dots(svg: &str) -> usize {
    svg.split("<circle").skip(1).filter(|c| c.split("/>").next().unwrap_or("").contains(BIN_FILL)).count()
}

/// Dashed lines are drawn as short segments: count `<polyline` / `<path` elements in the
/// reference grey.
fn reference_segments(svg: &str) -> usize {
    svg.split('<')
        .filter(|e| (e.starts_with("polyline") || e.starts_with("path")) && e.contains("stroke=\"#555555\""))
        .count()
}

// ----- RD plot -----

#[test]
fn rd_plot_has_legend_axes_and_every_bin() {
    let svg = rd().title("Illustrative RD plot").svg().unwrap();
    assert_svg(&svg);
    let t = texts(&svg);
    for s in ["Bin means", "Polynomial fit", "Cut-off", "Running variable", "Outcome", "0.0", "0.5"] {
        assert!(has(&t, s), "{s} missing: {t:?}");
    }
    assert!(t.iter().any(|s| s == &format!("{MINUS}0.4")), "true minus on the x axis: {t:?}");
    assert_eq!(bin_dots(&svg), 40 + 1, "one dot per bin, plus the legend swatch");

    let fr = rd().lang(Lang::Fr).svg().unwrap();
    assert_svg(&fr);
    let t = texts(&fr);
    for s in ["Moyennes par intervalle", "Ajustement polynomial", "Seuil", "Variable de classement", "Résultat"] {
        assert!(has(&t, s), "{s} missing: {t:?}");
    }
    assert!(has(&t, "0,5") && has(&t, &format!("{MINUS}0,4")), "French decimal comma: {t:?}");
}

#[test]
fn rd_cutoff_line_only_when_set() {
    let with = rd().svg().unwrap();
    let without = RdPlotChart::new(bins()).fits(fit(-1.0, -1e-9), fit(0.0, 1.0)).svg().unwrap();
    assert!(!has(&texts(&without), "Cut-off"));
    // The dashed cut-off is many short grey segments (plus the axes); without it only the axes.
    assert!(reference_segments(&with) > reference_segments(&without) + 10);
    // A cut-off outside the data widens the axis so that the line shows.
    let far = RdPlotChart::new(bins()).cutoff(3.0).svg().unwrap();
    assert!(has(&texts(&far), "3.0"), "{:?}", texts(&far));
    // A NaN cut-off is not drawn and not named.
    let nan = RdPlotChart::new(bins()).cutoff(f64::NAN).svg().unwrap();
    assert!(!has(&texts(&nan), "Cut-off"));
}

#[test]
fn rd_legend_follows_the_data() {
    // Bins without intervals: a plain marker swatch, no whiskers; no fits: no fit entry.
    let plain: Vec<RdBin> = bins().into_iter().map(|b| RdBin::new(b.x, b.y)).collect();
    let svg = RdPlotChart::new(plain).svg().unwrap();
    let t = texts(&svg);
    assert!(has(&t, "Bin means") && !has(&t, "Polynomial fit") && !has(&t, "Cut-off"));
    assert_eq!(bin_dots(&svg), 41);
    // Fits alone draw, with no bin entry.
    let svg = RdPlotChart::new(vec![]).fits(fit(-1.0, 0.0), vec![]).svg().unwrap();
    let t = texts(&svg);
    assert!(has(&t, "Polynomial fit") && !has(&t, "Bin means"));
}

#[test]
fn rd_skipped_points_are_noted() {
    let mut b = bins();
    b[3].y = f64::NAN;
    b[5].x = f64::INFINITY;
    b[7].low = Some(f64::NAN); // whisker left out, dot kept
    let mut left = fit(-1.0, 0.0);
    left[10].1 = f64::NAN;
    let svg = RdPlotChart::new(b).fits(left, fit(0.0, 1.0)).svg().unwrap();
    assert!(has(&texts(&svg), "3 points with missing or non-finite values are not shown"), "{:?}", texts(&svg));
    assert_eq!(bin_dots(&svg), 38 + 1);
}

// ----- bandwidth sensitivity -----

#[test]
fn bandwidth_chart_has_axes_and_chosen_legend_only_when_set() {
    let svg = bandwidth().svg().unwrap();
    assert_svg(&svg);
    let t = texts(&svg);
    for s in ["Bandwidth", "Estimate", "0.10", "0.50"] {
        assert!(has(&t, s), "{s} missing: {t:?}");
    }
    assert!(!has(&t, "Chosen bandwidth"));
    assert_eq!(bin_dots(&svg), 10, "one dot per bandwidth, no legend");

    let svg = bandwidth().chosen(0.15).svg().unwrap();
    assert!(has(&texts(&svg), "Chosen bandwidth"));
    assert_eq!(bin_dots(&svg), 9, "the chosen point is drawn in another colour and shape");
    assert!(svg.contains("#D55E00"), "second theme colour");

    let fr = bandwidth().chosen(0.15).lang(Lang::Fr).svg().unwrap();
    let t = texts(&fr);
    for s in ["Largeur retenue", "Largeur de fenêtre", "Estimation", "0,10"] {
        assert!(has(&t, s), "{s} missing: {t:?}");
    }
    // A chosen bandwidth no point has: still named, marked by a line; all points plain.
    let svg = bandwidth().chosen(0.33).svg().unwrap();
    assert!(has(&texts(&svg), "Chosen bandwidth"));
    assert_eq!(bin_dots(&svg), 10);
}

#[test]
fn bandwidth_chart_always_shows_zero() {
    let pts = vec![BandwidthPoint::new(1.0, 5.0, 4.0, 6.0), BandwidthPoint::new(2.0, 5.5, 4.5, 6.5)];
    let t = texts(&BandwidthSensitivityChart::new(pts).svg().unwrap());
    assert!(has(&t, "0"), "{t:?}");
}

// ----- both -----

#[test]
fn pngs_have_the_requested_size() {
    for (w, h) in [(720, 420), (400, 300), (1200, 800), (160, 160)] {
        assert_eq!(png_size(&rd().size(w, h).png().unwrap()), (w, h));
        assert_eq!(png_size(&bandwidth().chosen(0.25).size(w, h).png().unwrap()), (w, h));
    }
    assert_eq!(png_size(&rd().png().unwrap()), (720, 420), "default size");
    assert_eq!(rd().png().unwrap(), rd().png().unwrap(), "deterministic");
    assert!(matches!(rd().size(10, 420).png(), Err(ChartError::Size { .. })));
}

#[test]
fn nothing_to_draw_is_an_error() {
    assert!(matches!(RdPlotChart::new(vec![]).svg(), Err(ChartError::Empty { .. })));
    assert!(matches!(RdPlotChart::new(vec![]).cutoff(0.0).png(), Err(ChartError::Empty { .. })));
    assert!(matches!(
        RdPlotChart::new(vec![RdBin::new(f64::NAN, 1.0)]).fits(vec![(0.0, f64::NAN)], vec![]).svg(),
        Err(ChartError::NoFiniteValues { .. })
    ));
    assert!(matches!(BandwidthSensitivityChart::new(vec![]).chosen(1.0).svg(), Err(ChartError::Empty { .. })));
    assert!(matches!(
        BandwidthSensitivityChart::new(vec![BandwidthPoint::new(f64::NAN, 1.0, 0.0, 2.0)]).png(),
        Err(ChartError::NoFiniteValues { .. })
    ));
    let e = RdPlotChart::new(vec![]).svg().unwrap_err().to_string();
    assert!(e.contains("RD plot") && e.contains("hint"), "{e}");
}

#[test]
fn edge_cases_draw() {
    // One point, all equal, low > high, infinite interval ends, huge and tiny values.
    let svg = RdPlotChart::new(vec![RdBin::new(0.5, 1.0)]).cutoff(0.5).svg().unwrap();
    assert_eq!(bin_dots(&svg), 2);
    RdPlotChart::new(vec![RdBin::new(1.0, 1.0); 5]).fits(vec![(1.0, 1.0)], vec![(1.0, 1.0)]).png().unwrap();
    RdPlotChart::new(vec![RdBin::new(0.0, 1.0).interval(2.0, 0.0)]).svg().unwrap();
    RdPlotChart::new(vec![RdBin::new(0.0, 1.0).interval(f64::NEG_INFINITY, f64::INFINITY)]).png().unwrap();
    let one_sided = RdBin { x: 0.0, y: 1.0, low: Some(0.5), high: None };
    RdPlotChart::new(vec![one_sided]).svg().unwrap();
    RdPlotChart::new(vec![RdBin::new(-1e300, 1e300), RdBin::new(1e300, -1e300)]).svg().unwrap();
    RdPlotChart::new(vec![RdBin::new(1e-300, 0.0)]).cutoff(0.0).svg().unwrap();
    let svg = BandwidthSensitivityChart::new(vec![BandwidthPoint::new(0.2, 0.0, 0.0, 0.0)]).chosen(0.2).svg().unwrap();
    assert!(has(&texts(&svg), "Chosen bandwidth"));
    BandwidthSensitivityChart::new(vec![BandwidthPoint::new(0.2, 0.1, 0.3, -0.1)]).png().unwrap();
    BandwidthSensitivityChart::new(vec![BandwidthPoint::new(0.2, 0.1, f64::NAN, f64::INFINITY); 3]).png().unwrap();
    BandwidthSensitivityChart::new(vec![BandwidthPoint::new(1e12, 1e12, -1e300, 1e300)]).chosen(-1e12).svg().unwrap();
}

/// A small deterministic generator, so that odd inputs are tried without a test dependency.

#[test]
fn odd_inputs_never_panic() {
    let mut g = Lcg(11);
    for round in 0..120u32 {
        let n = (g.next() % 6) as usize;
        let lang = if round % 2 == 0 { Lang::En } else { Lang::Fr };
        let size = (160 + round * 7, 160 + round * 3);
        let bins: Vec<RdBin> =
            (0..n).map(|_| RdBin { x: g.value(), y: g.value(), low: g.maybe(), high: g.maybe() }).collect();
        let (m, k) = ((g.next() % 4) as usize, (g.next() % 4) as usize);
        let (left, right) = (g.pairs(m), g.pairs(k));
        let mut c = RdPlotChart::new(bins).fits(left, right).lang(lang);
        if round % 3 != 0 {
            c = c.cutoff(g.value());
        }
        let _ = c.clone().size(size.0, size.1).svg();
        let _ = c.png();
        let pts: Vec<BandwidthPoint> =
            (0..n).map(|_| BandwidthPoint::new(g.value(), g.value(), g.value(), g.value())).collect();
        let mut b = BandwidthSensitivityChart::new(pts.clone()).lang(lang);
        if round % 3 == 1 {
            b = b.chosen(g.value());
        } else if let Some(p) = pts.first() {
            b = b.chosen(p.h);
        }
        let _ = b.clone().size(size.0, size.1).svg();
        let _ = b.size(160, 160).png();
    }
    let long = "a very long title that goes on and on ".repeat(8);
    for (w, h) in [(160, 160), (160, 8192), (8192, 160)] {
        let _ = rd().title(long.clone()).x_label(long.clone()).size(w, h).png();
        let _ = bandwidth().chosen(0.1).title(long.clone()).y_label(long.clone()).size(w, h).svg();
    }
}

#[test]
fn write_examples_when_asked() {
    let Some(dir) = std::env::var_os("PHARE_CHART_EXAMPLES") else { return };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, svg: String, png: Vec<u8>| {
        std::fs::write(dir.join(format!("{name}.svg")), svg).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    };
    let c = rd().title("RD plot — illustrative values");
    write("rd_plot", c.svg().unwrap(), c.png().unwrap());
    let c = rd().lang(Lang::Fr).title("Graphique de discontinuité — valeurs illustratives");
    write("rd_plot_fr", c.svg().unwrap(), c.png().unwrap());
    let c = bandwidth().chosen(0.2).title("Bandwidth sensitivity — illustrative values");
    write("rd_bandwidth", c.svg().unwrap(), c.png().unwrap());
    let c = bandwidth().chosen(0.2).lang(Lang::Fr).size(400, 300);
    write("rd_bandwidth_small_fr", c.svg().unwrap(), c.png().unwrap());
}
