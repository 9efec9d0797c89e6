//! Love plot: covariate balance (standardised mean differences before and after adjustment).
//!
//! The values below are illustrative fixtures (a few covariates, imbalanced before weighting and
//! nearly balanced after), not reference values.
//!
//! Set `PHARE_CHART_EXAMPLES=/some/dir` to also write an SVG and a PNG of each chart there.

mod common;
use common::Lcg;
use phare_report::Lang;
use phare_report::chart::{BalanceRow, ChartError, LovePlotChart};
use std::collections::BTreeMap;

const MINUS: char = '\u{2212}';
/// The stroke of a hollow "before" marker (first Okabe–Ito colour) as plotters writes it.
const BEFORE_RING: &str = "fill=\"none\" stroke=\"#0072B2\"";
/// The fill of a filled "after" marker (second Okabe–Ito colour).
const AFTER_FILL: &str = "fill=\"#D55E00\"";

fn rows() -> Vec<BalanceRow> {
    vec![
        BalanceRow::new("Age", 0.35, 0.03),
        BalanceRow::new("Income", -0.27, -0.05),
        BalanceRow::new("Female", 0.08, 0.01),
        BalanceRow::new("Years of schooling", 0.52, 0.07),
        BalanceRow::new("Unemployed last year", -0.12, 0.02),
    ]
}

fn chart() -> LovePlotChart {
    LovePlotChart::new(rows())
}

/// Width and height from a PNG's IHDR chunk (after checking the signature).
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 33, "PNG too short");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

/// Decoded RGB pixels of a PNG.
fn png_pixels(bytes: Vec<u8>) -> Vec<[u8; 3]> {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf[..info.buffer_size()].chunks(3).map(|p| [p[0], p[1], p[2]]).collect()
}

/// A light well-formedness check: one root `<svg>` element, closed, every `<text>` closed, no XML
/// prolog, no stray `&` in text content.
fn assert_svg(svg: &str) {
    assert!(svg.starts_with("<svg "), "starts with <svg: {}", &svg[..svg.len().min(80)]);
    assert!(svg.trim_end().ends_with("</svg>"), "ends with </svg>");
    assert!(!svg.contains("<?xml"), "no XML prolog");
    assert_eq!(svg.matches("<svg").count(), 1);
    assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    for chunk in svg.split('>').skip(1) {
        let content = chunk.split('<').next().unwrap_or("");
        for (i, _) in content.match_indices('&') {
            let rest = &content[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].iter().any(|e| rest.starts_with(e)),
                "bare & in text: {content}"
            );
        }
    }
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

/// An attribute (`x`, `y`) of the `<text>` element showing `s`.
fn text_attr(svg: &str, s: &str, attr: &str) -> i32 {
    let i = svg.find(&format!(">\n{s}\n</text>")).unwrap_or_else(|| panic!("{s} not found"));
    let tag = &svg[svg[..i].rfind("<text").unwrap()..i];
    let v = tag.split(&format!(" {attr}=\"")).nth(1).unwrap().split('"').next().unwrap();
    v.parse().unwrap()
}

fn text_x(svg: &str, s: &str) -> i32 {
    text_attr(svg, s, "x")
}

fn text_y(svg: &str, s: &str) -> i32 {
    text_attr(svg, s, "y")
}

/// Vertical segments in the reference grey, 1 px wide (zero line, threshold dashes, tick marks,
/// the y axis), counted by x pixel.
fn vertical_reference_segments(svg: &str) -> BTreeMap<i32, usize> {
    let mut out = BTreeMap::new();
    for e in svg.split('<').filter(|e| e.starts_with("polyline") && e.contains("stroke=\"#555555\" stroke-width=\"1\""))
    {
        let pts = e.split("points=\"").nth(1).unwrap().split('"').next().unwrap();
        let xs: Vec<i32> = pts.split_whitespace().map(|p| p.split(',').next().unwrap().parse().unwrap()).collect();
        if xs.len() == 2 && xs[0] == xs[1] {
            *out.entry(xs[0]).or_insert(0) += 1;
        }
    }
    out
}

/// The x pixels of the dashed vertical lines (many short segments at one x).
fn dashed_xs(svg: &str) -> Vec<i32> {
    vertical_reference_segments(svg).into_iter().filter(|(_, n)| *n >= 5).map(|(x, _)| x).collect()
}

/// The centres (cx, cy) of the markers whose drawing contains `style`, in drawing order.
fn circles(svg: &str, style: &str) -> Vec<(i32, i32)> {
    svg.split("<circle")
        .skip(1)
        .map(|c| c.split("/>").next().unwrap_or(""))
        .filter(|c| c.contains(style))
        .map(|c| {
            let get = |a: &str| c.split(&format!("{a}=\"")).nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
            (get("cx"), get("cy"))
        })
        .collect()
}

// ----- content -----

#[test]
fn every_label_the_legend_and_the_axis_title_are_shown() {
    let svg = chart().title("Covariate balance (illustrative)").svg().unwrap();
    assert_svg(&svg);
    let t = texts(&svg);
    for s in [
        "Age",
        "Income",
        "Female",
        "Years of schooling",
        "Unemployed last year",
        "Unadjusted",
        "Adjusted",
        "Threshold ±0.1",
        "Standardised mean difference",
        "Covariate balance (illustrative)",
    ] {
        assert!(has(&t, s), "{s} in {t:?}");
    }
    assert!(svg.contains("<title>Covariate balance (illustrative)</title>"));
    // One hollow blue ring per covariate and one filled vermillion dot per covariate, plus one
    // swatch each in the legend.
    assert_eq!(circles(&svg, BEFORE_RING).len(), 5 + 1);
    assert_eq!(circles(&svg, AFTER_FILL).len(), 5 + 1);
    // Hollow: the ring is filled with the background colour, never with blue.
    assert!(!svg.contains("fill=\"#0072B2\""));
    // Each marker sits on its covariate's row.
    let rings = circles(&svg, BEFORE_RING);
    for (name, before) in [("Age", 0.35), ("Income", -0.27)] {
        let y = text_y(&svg, name);
        let on_row: Vec<_> = rings.iter().filter(|c| (c.1 - y).abs() <= 2).collect();
        assert_eq!(on_row.len(), 1, "{name}: {rings:?}");
        // …and on the right side of the zero line.
        assert_eq!(on_row[0].0 > text_x(&svg, "0.0"), before > 0.0, "{name}");
    }
}

#[test]
fn covariates_keep_their_order_or_are_sorted_by_imbalance() {
    let names = ["Age", "Income", "Female", "Years of schooling", "Unemployed last year"];
    let svg = chart().svg().unwrap();
    let ys: Vec<i32> = names.iter().map(|s| text_y(&svg, s)).collect();
    assert!(ys.windows(2).all(|w| w[0] < w[1]), "given order, first at the top: {ys:?}");

    let svg = chart().sort(true).svg().unwrap();
    let sorted = ["Years of schooling", "Age", "Income", "Unemployed last year", "Female"];
    let ys: Vec<i32> = sorted.iter().map(|s| text_y(&svg, s)).collect();
    assert!(ys.windows(2).all(|w| w[0] < w[1]), "largest |SMD| before at the top: {ys:?}");

    // Ties keep the given order; a covariate with no finite SMD before goes to the bottom.
    let rows = vec![
        BalanceRow::new("nan", f64::NAN, 0.1),
        BalanceRow::new("tie a", -0.2, 0.0),
        BalanceRow::new("tie b", 0.2, 0.0),
        BalanceRow::new("top", 0.9, 0.0),
    ];
    let svg = LovePlotChart::new(rows).sort(true).svg().unwrap();
    let ys: Vec<i32> = ["top", "tie a", "tie b", "nan"].iter().map(|s| text_y(&svg, s)).collect();
    assert!(ys.windows(2).all(|w| w[0] < w[1]), "{ys:?}");
}

#[test]
fn threshold_lines_sit_at_plus_and_minus_the_threshold() {
    let svg = chart().svg().unwrap();
    // Two dashed lines, exactly under the tick labels −0.1 and 0.1; the solid zero line under 0.0.
    let minus = format!("{MINUS}0.1");
    assert_eq!(dashed_xs(&svg), vec![text_x(&svg, &minus), text_x(&svg, "0.1")]);
    let zero = text_x(&svg, "0.0");
    let segments = vertical_reference_segments(&svg);
    // The zero line plus its tick mark.
    assert_eq!(segments.get(&zero), Some(&2), "{segments:?}");

    // Another threshold moves them.
    let svg = chart().threshold(0.2).svg().unwrap();
    assert!(has(&texts(&svg), "Threshold ±0.2"));
    assert_eq!(dashed_xs(&svg), vec![text_x(&svg, &format!("{MINUS}0.2")), text_x(&svg, "0.2")]);
    // A threshold between ticks: symmetric around the zero line (±1 px of rounding); the sign
    // is ignored.
    let svg = chart().threshold(-0.25).svg().unwrap();
    assert!(has(&texts(&svg), "Threshold ±0.25"), "{:?}", texts(&svg));
    let zero = text_x(&svg, "0.0");
    let d = dashed_xs(&svg);
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(((zero - d[0]) - (d[1] - zero)).abs() <= 1, "{d:?} around {zero}");
    assert!(d[1] > text_x(&svg, "0.2") && d[1] < text_x(&svg, "0.3"), "{d:?}");

    // A threshold beyond the data widens the axis so that both lines show.
    let svg = LovePlotChart::new(vec![BalanceRow::new("a", 0.05, 0.01)]).threshold(0.5).svg().unwrap();
    assert_eq!(dashed_xs(&svg), vec![text_x(&svg, &format!("{MINUS}0.5")), text_x(&svg, "0.5")]);

    // No threshold: no dashed line, no legend entry.
    for th in [0.0, f64::NAN, f64::INFINITY] {
        let svg = chart().threshold(th).svg().unwrap();
        assert!(dashed_xs(&svg).is_empty(), "{th}");
        assert!(!svg.contains("Threshold"), "{th}");
    }
}

#[test]
fn absolute_smds_have_one_threshold_line() {
    let svg = chart().absolute(true).svg().unwrap();
    let t = texts(&svg);
    assert!(has(&t, "Absolute standardised mean difference") && has(&t, "Threshold 0.1"), "{t:?}");
    assert!(!t.iter().any(|s| s.starts_with(MINUS)), "no negative tick: {t:?}");
    let zero = text_x(&svg, "0.0");
    assert_eq!(dashed_xs(&svg), vec![text_x(&svg, "0.1")]);
    // Every marker (not the legend swatches) is right of (or on) the zero line: −0.27 is drawn
    // at 0.27.
    let legend_y = text_y(&svg, "Unadjusted");
    let markers: Vec<(i32, i32)> =
        circles(&svg, BEFORE_RING).into_iter().chain(circles(&svg, AFTER_FILL)).filter(|c| c.1 != legend_y).collect();
    assert_eq!(markers.len(), 10);
    for c in &markers {
        assert!(c.0 >= zero, "{c:?} left of {zero}");
    }
    let fr = chart().absolute(true).lang(Lang::Fr).svg().unwrap();
    let t = texts(&fr);
    assert!(has(&t, "Différence de moyennes standardisée absolue") && has(&t, "Seuil 0,1"), "{t:?}");
}

#[test]
fn french_labels_and_number_format() {
    let svg = chart().lang(Lang::Fr).threshold(0.25).svg().unwrap();
    assert_svg(&svg);
    let t = texts(&svg);
    for s in ["Non ajusté", "Ajusté", "Seuil ±0,25", "Différence de moyennes standardisée", "0,1", "0,0"] {
        assert!(has(&t, s), "{s} in {t:?}");
    }
    assert!(has(&t, &format!("{MINUS}0,2")), "true minus and decimal comma: {t:?}");
    assert!(!t.iter().any(|s| s.starts_with('-')), "no hyphen-minus: {t:?}");
    assert!(!t.iter().any(|s| s == "0.1" || s.contains("Unadjusted")), "{t:?}");
    // The dashed lines are placed the same in either language.
    assert_eq!(dashed_xs(&svg), dashed_xs(&chart().threshold(0.25).svg().unwrap()));
}

#[test]
fn series_can_be_renamed() {
    let svg = chart().series_names("Raw", "Matched").svg().unwrap();
    let t = texts(&svg);
    assert!(has(&t, "Raw") && has(&t, "Matched") && !has(&t, "Unadjusted") && !has(&t, "Adjusted"), "{t:?}");
    let t = texts(&chart().after_label("IPW").lang(Lang::Fr).svg().unwrap());
    assert!(has(&t, "Non ajusté") && has(&t, "IPW") && !has(&t, "Ajusté"), "{t:?}");
    // Axis titles can be replaced or hidden like in every chart.
    let t = texts(&chart().x_label("SMD").y_label("Covariate").svg().unwrap());
    assert!(has(&t, "SMD") && has(&t, "Covariate") && !has(&t, "Standardised mean difference"), "{t:?}");
}

// ----- bad input -----

#[test]
fn nan_values_are_skipped_and_noted() {
    let mut r = rows();
    r[1].before = f64::NAN;
    r[3].after = f64::NAN;
    r[4].after = f64::INFINITY;
    let svg = LovePlotChart::new(r.clone()).svg().unwrap();
    let t = texts(&svg);
    assert!(has(&t, "3 points with missing or non-finite values are not shown"), "{t:?}");
    // The covariates keep their rows; only the missing markers are gone.
    assert!(has(&t, "Income") && has(&t, "Years of schooling"), "{t:?}");
    assert_eq!(circles(&svg, BEFORE_RING).len(), 4 + 1);
    assert_eq!(circles(&svg, AFTER_FILL).len(), 3 + 1);
    let t = texts(&LovePlotChart::new(r).lang(Lang::Fr).svg().unwrap());
    assert!(has(&t, "3 points à valeur manquante ou non finie ne sont pas représentés"), "{t:?}");
    // One missing value: the singular.
    let svg = LovePlotChart::new(vec![BalanceRow::new("a", 0.2, f64::NAN)]).svg().unwrap();
    assert!(has(&texts(&svg), "1 point with a missing or non-finite value is not shown"));
    // Nothing missing: no note.
    assert!(!chart().svg().unwrap().contains("not shown"));
}

#[test]
fn nothing_to_draw_is_a_clear_error() {
    let e = LovePlotChart::new(vec![]).svg().unwrap_err();
    assert!(matches!(e, ChartError::Empty { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("love plot") && msg.contains("no covariate") && msg.contains("hint"), "{msg}");
    assert!(matches!(LovePlotChart::new(vec![]).png(), Err(ChartError::Empty { .. })));
    assert!(matches!(
        LovePlotChart::new(vec![BalanceRow::new("a", f64::NAN, f64::INFINITY)]).svg(),
        Err(ChartError::NoFiniteValues { .. })
    ));
    assert!(matches!(
        LovePlotChart::new(vec![BalanceRow::new("a", -f64::MAX, f64::MAX)]).svg(),
        Err(ChartError::ValueRange { .. })
    ));
    assert!(matches!(chart().size(100, 400).svg(), Err(ChartError::Size { width: 100, height: 400 })));
}

#[test]
fn long_labels_are_shortened_and_every_text_is_escaped() {
    let long = "Number of visits to a general practitioner in the past twelve months";
    let rows = vec![
        BalanceRow::new(long, 0.3, 0.02),
        BalanceRow::new("<script>x</script>", 0.2, 0.01),
        BalanceRow::new("Tom & Jerry", -0.1, 0.0),
    ];
    let evil = "<script>alert(1)</script> & co";
    let svg = LovePlotChart::new(rows).series_names(evil, evil).title(evil).x_label(evil).svg().unwrap();
    assert_svg(&svg);
    let t = texts(&svg);
    let short: String = long.chars().take(31).chain(['…']).collect();
    assert!(has(&t, &short), "{short} in {t:?}");
    assert!(!svg.contains(long));
    assert!(!svg.contains("<script"), "no script element");
    assert!(has(&t, "&lt;script&gt;x&lt;/script&gt;") && has(&t, "Tom &amp; Jerry"), "{t:?}");
    assert!(svg.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</title>"));
    // A label of exactly 32 characters is kept whole.
    let exact = "a".repeat(32);
    let t = texts(&LovePlotChart::new(vec![BalanceRow::new(exact.clone(), 0.1, 0.0)]).svg().unwrap());
    assert!(has(&t, &exact), "{t:?}");
}

#[test]
fn edge_cases_draw() {
    // All zero, one covariate, duplicate labels, identical before and after, huge and tiny values.
    let svg = LovePlotChart::new(vec![BalanceRow::new("z", 0.0, 0.0)]).threshold(0.0).svg().unwrap();
    assert_eq!(circles(&svg, AFTER_FILL).len(), 2);
    LovePlotChart::new(vec![BalanceRow::new("one", 0.4, 0.4)]).png().unwrap();
    let svg =
        LovePlotChart::new(vec![BalanceRow::new("same", 0.1, 0.0), BalanceRow::new("same", 0.2, 0.0)]).svg().unwrap();
    assert_eq!(texts(&svg).iter().filter(|s| *s == "same").count(), 2, "duplicate labels, one row each");
    LovePlotChart::new(vec![BalanceRow::new("big", 1e12, -1e12)]).svg().unwrap();
    LovePlotChart::new(vec![BalanceRow::new("tiny", 1e-300, 0.0)]).threshold(1e-300).absolute(true).svg().unwrap();
    LovePlotChart::new(vec![BalanceRow::new("", 0.1, 0.0)]).series_names("", "").png().unwrap();
}

// ----- output -----

#[test]
fn pngs_have_the_magic_the_size_and_ink() {
    let png = chart().png().unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(png_size(&png), (720, 420), "default size");
    for (w, h) in [(400, 300), (1200, 800), (160, 160)] {
        assert_eq!(png_size(&chart().lang(Lang::Fr).size(w, h).png().unwrap()), (w, h));
    }
    assert!(chart().size(640, 360).svg().unwrap().contains("width=\"640\" height=\"360\""));
    let px = png_pixels(png);
    assert!(px.iter().filter(|p| **p == [255, 255, 255]).count() > px.len() / 2, "mostly white");
    assert!(px.iter().filter(|p| **p == [0xD5, 0x5E, 0x00]).count() > 100, "filled vermillion dots");
    assert!(px.iter().filter(|p| **p == [0x00, 0x72, 0xB2]).count() > 50, "blue rings");
}

#[test]
fn rendering_is_deterministic() {
    let c = chart().sort(true).title("Balance");
    assert_eq!(c.svg().unwrap(), c.svg().unwrap());
    assert_eq!(c.png().unwrap(), c.png().unwrap());
}

#[test]
fn odd_inputs_never_panic() {
    let mut g = Lcg(17);
    for round in 0..100u32 {
        let n = (g.next() % 7) as usize;
        let lang = if round % 2 == 0 { Lang::En } else { Lang::Fr };
        let size = (160 + round * 7, 160 + round * 3);
        let rows: Vec<BalanceRow> =
            (0..n).map(|i| BalanceRow::new(format!("x{}", i % 3), g.value(), g.value())).collect();
        let c = LovePlotChart::new(rows).sort(round % 3 == 0).absolute(round % 4 == 1).threshold(g.value()).lang(lang);
        let _ = c.clone().size(size.0, size.1).svg();
        let _ = c.size(160, 160).png();
    }
    let long = "a very long label that goes on and on ".repeat(8);
    let many: Vec<BalanceRow> = (0..300).map(|i| BalanceRow::new(format!("{long}{i}"), 0.01 * i as f64, 0.0)).collect();
    for (w, h) in [(160, 160), (160, 8192), (8192, 160), (400, 300)] {
        let _ = LovePlotChart::new(many.clone()).title(long.clone()).x_label(long.clone()).size(w, h).svg();
        let _ = LovePlotChart::new(many.clone()).series_names(long.clone(), long.clone()).size(w, h).png();
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
    let c = chart().sort(true).title("Covariate balance — illustrative values");
    write("love", c.svg().unwrap(), c.png().unwrap());
    let c = chart()
        .absolute(true)
        .after_label("IPW")
        .lang(Lang::Fr)
        .title("Équilibre des covariables — valeurs illustratives");
    write("love_abs_fr", c.svg().unwrap(), c.png().unwrap());
    let c = chart().threshold(0.25).size(400, 300);
    write("love_small", c.svg().unwrap(), c.png().unwrap());
}
