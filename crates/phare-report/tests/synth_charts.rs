//! Synthetic-control charts: treated vs synthetic paths, gaps over placebo gaps, weights.
//!
//! The values below are illustrative, shaped like the classic tobacco-control example (cigarette
//! sales per capita in one state against a weighted mix of donor states, 1970–2000, treatment in
//! 1989); they are fixtures, not reference values.
//!
//! Set `PHARE_CHART_EXAMPLES=/some/dir` to also write an SVG and a PNG of each chart there.

mod common;
use common::Lcg;
use phare_report::Lang;
use phare_report::chart::{ChartError, GapChart, SynthPathChart, WeightsChart};

const MINUS: char = '\u{2212}';
/// The placebo colour of the default theme (the reference grey lightened by 60 %).
const PLACEBO_STROKE: &str = "stroke=\"#BBBBBB\" stroke-width=\"1\"";

/// The synthetic control's outcome in year `y` (a smooth decline).
fn synthetic_at(y: i64) -> f64 {
    let t = (y - 1970) as f64;
    126.0 - 1.6 * t + 3.0 * (t / 4.0).sin()
}

/// The treated unit's outcome: close to the synthetic one before 1989, falling faster after.
fn treated_at(y: i64) -> f64 {
    let wiggle = 0.8 * ((y * 7 % 5) as f64 - 2.0) / 2.0;
    if y < 1989 { synthetic_at(y) + wiggle } else { synthetic_at(y) - 2.0 * (y - 1988) as f64 + wiggle }
}

fn years() -> impl Iterator<Item = i64> {
    1970..=2000
}

fn paths() -> SynthPathChart {
    SynthPathChart::new(years().map(|y| (y, treated_at(y))).collect(), years().map(|y| (y, synthetic_at(y))).collect())
        .treatment_start(1989)
}

fn gap() -> Vec<(i64, f64)> {
    years().map(|y| (y, treated_at(y) - synthetic_at(y))).collect()
}

/// 38 placebo gaps, within the treated gap's scale: noise growing a little after 1989.
fn placebos() -> Vec<Vec<(i64, f64)>> {
    (0..38)
        .map(|d| {
            years()
                .map(|y| {
                    let s = if y < 1989 { 2.0 } else { 2.0 + 0.4 * (y - 1988) as f64 };
                    (y, s * ((d as f64 * 1.7 + y as f64 * 0.9).sin()))
                })
                .collect()
        })
        .collect()
}

/// Illustrative donor weights, summing to 1 (38 donors, most with weight 0).
fn donor_weights() -> Vec<(String, f64)> {
    let mut w: Vec<(String, f64)> = [
        ("Colorado", 0.164),
        ("Connecticut", 0.064),
        ("Montana", 0.199),
        ("Nevada", 0.235),
        ("New Hampshire", 0.003),
        ("Texas", 0.001),
        ("Utah", 0.334),
    ]
    .iter()
    .map(|(s, v)| (s.to_string(), *v))
    .collect();
    w.extend((0..31).map(|i| (format!("State {i:02}"), 0.0)));
    w
}

/// Width and height from a PNG's IHDR chunk (after checking the signature).
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 33, "PNG too short");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

/// Decoded RGB pixels of a PNG, with its size.
fn png_pixels(bytes: Vec<u8>) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = buf[..info.buffer_size()].chunks(3).map(|p| [p[0], p[1], p[2]]).collect();
    (info.width, info.height, px)
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

/// The y pixel of the text `s` (its `y` attribute).
fn text_y(svg: &str, s: &str) -> i32 {
    let i = svg.find(&format!(">\n{s}\n</text>")).unwrap_or_else(|| panic!("{s} not found"));
    let tag = &svg[svg[..i].rfind("<text").unwrap()..i];
    let y = tag.split(" y=\"").nth(1).unwrap().split('"').next().unwrap();
    y.parse().unwrap()
}

// ----- paths -----

#[test]
fn synth_paths_have_legend_years_and_start_line() {
    let svg = paths().title("Cigarette sales per capita (illustrative)").svg().unwrap();
    assert_svg(&svg);
    let t = texts(&svg);
    for s in ["Treated", "Synthetic control", "Treatment start", "Period", "Outcome", "1980", "1990", "2000"] {
        assert!(has(&t, s), "{s} in {t:?}");
    }
    assert!(!t.iter().any(|x| x.contains("1,9")), "years are not grouped: {t:?}");
    // Treated in colour 0, synthetic in colour 1.
    assert!(svg.contains("stroke=\"#0072B2\"") && svg.contains("stroke=\"#D55E00\""));
    assert!(svg.contains("<title>Cigarette sales per capita (illustrative)</title>"));

    let fr = paths().lang(Lang::Fr).svg().unwrap();
    let t = texts(&fr);
    for s in ["Traité", "Contrôle synthétique", "Début du traitement", "Période", "Résultat"] {
        assert!(has(&t, s), "{s} in {t:?}");
    }
    let custom = paths().labels("California", "Synthetic California").svg().unwrap();
    let t = texts(&custom);
    assert!(has(&t, "California") && has(&t, "Synthetic California") && !has(&t, "Treated"), "{t:?}");
}

#[test]
fn french_ticks_use_the_decimal_comma_and_true_minus() {
    let svg = SynthPathChart::new(vec![(1, -0.3), (2, 0.1), (3, 0.25)], vec![(1, -0.2), (2, 0.0), (3, 0.05)])
        .lang(Lang::Fr)
        .svg()
        .unwrap();
    let t = texts(&svg);
    assert!(t.iter().any(|s| s.starts_with(MINUS) && s.contains(',')), "{t:?}");
    assert!(!t.iter().any(|s| s.starts_with('-')), "{t:?}");
}

#[test]
fn synth_paths_with_one_series_or_one_point_draw() {
    let svg = SynthPathChart::new(vec![(2000, 1.0), (2001, 2.0)], vec![]).svg().unwrap();
    let t = texts(&svg);
    assert!(has(&t, "Treated") && !has(&t, "Synthetic control"), "{t:?}");
    // A single point is drawn as a dot (a circle), not lost.
    let svg = SynthPathChart::new(vec![(2000, 1.0)], vec![(2000, 1.1)]).svg().unwrap();
    assert!(svg.contains("<circle"), "dot for a lone point");
    // The start line is kept when the treatment starts just after the data.
    let svg = SynthPathChart::new(vec![(1, 1.0), (2, 2.0)], vec![]).treatment_start(3).svg().unwrap();
    assert!(has(&texts(&svg), "Treatment start"));
    // …and dropped when far away.
    let svg = SynthPathChart::new(vec![(1, 1.0), (2, 2.0)], vec![]).treatment_start(300).svg().unwrap();
    assert!(!has(&texts(&svg), "Treatment start"));
}

// ----- gaps -----

#[test]
fn gap_chart_draws_every_placebo_behind_the_treated_gap() {
    let svg = GapChart::new(gap()).placebos(placebos()).treatment_start(1989).svg().unwrap();
    assert_svg(&svg);
    let t = texts(&svg);
    for s in ["Treated gap", "Placebo gaps (n = 38)", "Treatment start", "Period", "Gap (treated − synthetic)"] {
        assert!(has(&t, s), "{s} in {t:?}");
    }
    // One thin grey path per placebo (no NaN, nothing clipped), none of them a note.
    assert_eq!(svg.matches(PLACEBO_STROKE).count(), 38);
    assert!(!svg.contains("clipped"));
    // Placebos are drawn before (behind) the treated gap, which is thicker.
    let first_placebo = svg.find(PLACEBO_STROKE).unwrap();
    let treated = svg.find("stroke=\"#0072B2\" stroke-width=\"3\"").expect("thick treated line");
    let legend_treated = svg.find("stroke=\"#0072B2\"").unwrap();
    assert!(legend_treated < first_placebo && first_placebo < treated, "legend, placebos, then the treated gap");

    let fr = GapChart::new(gap()).placebos(placebos()).treatment_start(1989).lang(Lang::Fr).svg().unwrap();
    let t = texts(&fr);
    for s in ["Écart du traité", "Écarts placebo (n = 38)", "Début du traitement", "Écart (traité − synthétique)"]
    {
        assert!(has(&t, s), "{s} in {t:?}");
    }
    let one = GapChart::new(gap()).placebos(vec![placebos().remove(0)]).svg().unwrap();
    assert!(has(&texts(&one), "Placebo gap (n = 1)"));
    // No placebo: no placebo legend entry.
    let none = GapChart::new(gap()).svg().unwrap();
    assert!(!none.contains("Placebo") && none.matches(PLACEBO_STROKE).count() == 0);
}

#[test]
fn far_placebos_are_clipped_not_dropped() {
    let treated_max = gap().iter().map(|p| p.1.abs()).fold(0.0, f64::max);
    let mut ps = placebos();
    // Two badly fitted donors, 20 times the treated gap's scale.
    ps.push(years().map(|y| (y, 20.0 * treated_max * ((y % 3) as f64 - 1.0))).collect());
    ps.push(years().map(|y| (y, -20.0 * treated_max)).collect());
    let svg = GapChart::new(gap()).placebos(ps.clone()).svg().unwrap();
    let t = texts(&svg);
    assert!(has(&t, "Placebo gaps (n = 40)"), "{t:?}");
    assert!(has(&t, "2 placebo gaps go beyond the plot and are clipped at its edge"), "{t:?}");
    // Every placebo still draws: the zig-zag one in several pieces, the flat one beyond the plot
    // not at all (it is never inside), the 38 others whole.
    assert!(svg.matches(PLACEBO_STROKE).count() > 38, "{}", svg.matches(PLACEBO_STROKE).count());
    // The axis stops near 3 × the treated gap: no tick label beyond 4 × its max.
    let numbers: Vec<f64> = t
        .iter()
        .filter_map(|s| s.replace(MINUS, "-").replace(',', "").parse::<f64>().ok())
        .filter(|v| !(1970.0..=2000.0).contains(v))
        .collect();
    assert!(!numbers.is_empty() && numbers.iter().all(|v| v.abs() <= 4.0 * treated_max), "{numbers:?}");
    let fr = GapChart::new(gap()).placebos(ps.clone()).lang(Lang::Fr).svg().unwrap();
    assert!(has(&texts(&fr), "2 écarts placebo sortent du graphique et sont coupés à son bord"));
    // Without clipping the axis covers them all and no note is written.
    let all = GapChart::new(gap()).placebos(ps).placebo_clip(f64::INFINITY).svg().unwrap();
    assert!(!all.contains("clipped") && all.matches(PLACEBO_STROKE).count() == 40);
}

#[test]
fn gap_chart_notes_missing_points() {
    let mut g = gap();
    g[3].1 = f64::NAN;
    let mut ps = placebos();
    ps[0][5].1 = f64::INFINITY;
    ps.push(vec![(1990, f64::NAN)]);
    let svg = GapChart::new(g).placebos(ps).svg().unwrap();
    let t = texts(&svg);
    assert!(has(&t, "3 points with missing or non-finite values are not shown"), "{t:?}");
    // The all-NaN placebo is not counted as drawn.
    assert!(has(&t, "Placebo gaps (n = 38)"), "{t:?}");
}

// ----- weights -----

#[test]
fn weights_are_sorted_labelled_and_hidden_ones_summed() {
    let chart = WeightsChart::new(donor_weights()).top(5).title("Donor weights (illustrative)");
    let svg = chart.svg().unwrap();
    assert_svg(&svg);
    let t = texts(&svg);
    for s in ["Utah", "Nevada", "Montana", "Colorado", "Connecticut", "0.334", "0.064", "Weight"] {
        assert!(has(&t, s), "{s} in {t:?}");
    }
    assert!(!has(&t, "Texas") && !has(&t, "State 00"), "hidden: {t:?}");
    assert!(has(&t, "33 other units with weight 0.004 in total"), "{t:?}");
    // Largest at the top (smaller y in SVG).
    let order: Vec<i32> =
        ["Utah", "Nevada", "Montana", "Colorado", "Connecticut"].iter().map(|s| text_y(&svg, s)).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // The value sits on the bar's row.
    assert!((text_y(&svg, "0.334") - text_y(&svg, "Utah")).abs() <= 3);
    // Five bars in colour 0, no legend (no negative weight).
    assert_eq!(svg.matches("fill=\"#0072B2\"").count(), 5);
    assert!(!t.iter().any(|s| s.contains("Positive")));

    let fr = chart.clone().lang(Lang::Fr).svg().unwrap();
    let t = texts(&fr);
    for s in ["Poids", "0,334", "33 autres unités de poids total 0,004"] {
        assert!(has(&t, s), "{s} in {t:?}");
    }
    // Default top(10): the 7 non-zero weights and 3 zero ones; the rest have zero weight.
    let t = texts(&WeightsChart::new(donor_weights()).svg().unwrap());
    assert!(has(&t, "28 other units with zero weight"), "{t:?}");
    assert!(has(&t, "0.000") && has(&t, "0.001"), "{t:?}");
    let t = texts(&WeightsChart::new(donor_weights()).top(37).lang(Lang::Fr).svg().unwrap());
    assert!(has(&t, "1 autre unité de poids nul"), "{t:?}");
    let t = texts(&WeightsChart::new(donor_weights()).top(usize::MAX).svg().unwrap());
    assert!(!t.iter().any(|s| s.contains("other")), "{t:?}");
}

#[test]
fn time_weights_keep_their_order() {
    let w: Vec<(String, f64)> = (1980..1989).map(|y| (y.to_string(), if y >= 1986 { 0.3 } else { 0.02 })).collect();
    let svg = WeightsChart::new(w.clone()).sort(false).top(usize::MAX).x_label("Time weight").svg().unwrap();
    let ys: Vec<i32> = (1980..1989).map(|y| text_y(&svg, &y.to_string())).collect();
    assert!(ys.windows(2).all(|p| p[0] < p[1]), "given order, first at the top: {ys:?}");
    assert!(has(&texts(&svg), "Time weight"));
    // With top(k), the k largest are kept, still in the given order; the note counts periods.
    let svg = WeightsChart::new(w).sort(false).top(3).item_names("period", "periods").svg().unwrap();
    let t = texts(&svg);
    assert!(has(&t, "1986") && has(&t, "1988") && !has(&t, "1985"), "{t:?}");
    assert!(text_y(&svg, "1986") < text_y(&svg, "1988"));
    assert!(has(&t, "6 other periods with weight 0.120 in total"), "{t:?}");
}

#[test]
fn negative_weights_go_left_in_another_colour() {
    let w = vec![("A".to_string(), 0.8), ("B".to_string(), 0.45), ("C".to_string(), -0.25)];
    let svg = WeightsChart::new(w).svg().unwrap();
    let t = texts(&svg);
    assert!(has(&t, &format!("{MINUS}0.250")) && has(&t, "0.800"), "{t:?}");
    assert!(has(&t, "Positive weight") && has(&t, "Negative weight"), "{t:?}");
    // Two positive bars in blue, one negative in vermillion (plus a legend swatch each).
    assert_eq!(svg.matches("fill=\"#0072B2\"").count(), 3);
    assert_eq!(svg.matches("fill=\"#D55E00\"").count(), 2);
    // Sorted by decreasing weight: the negative one at the bottom.
    assert!(text_y(&svg, "A") < text_y(&svg, "B") && text_y(&svg, "B") < text_y(&svg, "C"));
    // The negative value is written left of the zero line, right-aligned.
    let tag_start = svg[..svg.find(&format!(">\n{MINUS}0.250\n")).unwrap()].rfind("<text").unwrap();
    assert!(svg[tag_start..].starts_with("<text") && svg[tag_start..].split('>').next().unwrap().contains("end"));
    // A large negative weight is never the one hidden by top(k).
    let w = vec![("a".to_string(), 0.5), ("b".to_string(), 0.1), ("c".to_string(), -0.6), ("d".to_string(), 0.05)];
    let t = texts(&WeightsChart::new(w).top(2).lang(Lang::Fr).svg().unwrap());
    assert!(has(&t, "c") && has(&t, "a") && !has(&t, "b"), "{t:?}");
    assert!(has(&t, &format!("{MINUS}0,600")) && has(&t, "Poids négatif"), "{t:?}");
    assert!(has(&t, "2 autres unités de poids total 0,150"), "{t:?}");
}

#[test]
fn weight_labels_are_escaped() {
    let w = vec![("<script>x</script>".to_string(), 0.6), ("Tom & Jerry".to_string(), 0.4)];
    let evil = "<script>alert(1)</script> & co";
    let svgs = [
        WeightsChart::new(w).title(evil).svg().unwrap(),
        SynthPathChart::new(vec![(1, 1.0), (2, 2.0)], vec![(1, 1.5), (2, 1.5)])
            .labels(evil, evil)
            .title(evil)
            .svg()
            .unwrap(),
        GapChart::new(vec![(1, 1.0), (2, 2.0)]).x_label(evil).y_label(evil).title(evil).svg().unwrap(),
    ];
    for svg in &svgs {
        assert_svg(svg);
        assert!(!svg.contains("<script"), "no script element");
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("&amp;"));
    }
    assert!(texts(&svgs[0]).iter().any(|s| s == "&lt;script&gt;x&lt;/script&gt;"));
}

// ----- all charts -----

#[test]
fn pngs_have_the_requested_size_and_ink() {
    let (w, h) = (640, 360);
    let pngs = [
        paths().size(w, h).png().unwrap(),
        GapChart::new(gap()).placebos(placebos()).size(w, h).png().unwrap(),
        WeightsChart::new(donor_weights()).size(w, h).png().unwrap(),
    ];
    for p in &pngs {
        assert_eq!(png_size(p), (w, h));
    }
    assert_eq!(png_size(&WeightsChart::new(donor_weights()).png().unwrap()), (720, 420), "default size");
    assert!(paths().size(w, h).svg().unwrap().contains("width=\"640\" height=\"360\""));

    let (pw, ph, px) = png_pixels(GapChart::new(gap()).placebos(placebos()).treatment_start(1989).png().unwrap());
    assert_eq!((pw, ph), (720, 420));
    let count = |c: [u8; 3]| px.iter().filter(|p| **p == c).count();
    assert!(count([255, 255, 255]) > px.len() / 2, "mostly white");
    assert!(count([0x00, 0x72, 0xB2]) > 200, "thick blue treated gap");
    assert!(count([0xBB, 0xBB, 0xBB]) > 500, "grey placebo lines");
    assert!(px.iter().filter(|p| p[0] < 80 && p[1] < 80 && p[2] < 80).count() > 500, "text");
    let (_, _, px) = png_pixels(WeightsChart::new(vec![("a".into(), 0.7), ("b".into(), -0.3)]).png().unwrap());
    assert!(px.iter().filter(|p| **p == [0xD5, 0x5E, 0x00]).count() > 500, "negative bar in vermillion");
}

#[test]
fn rendering_is_deterministic() {
    let g = GapChart::new(gap()).placebos(placebos());
    assert_eq!(g.svg().unwrap(), g.svg().unwrap());
    assert_eq!(g.png().unwrap(), g.png().unwrap());
    let w = WeightsChart::new(donor_weights());
    assert_eq!(w.png().unwrap(), w.png().unwrap());
}

#[test]
fn nothing_to_draw_is_an_error() {
    let e = SynthPathChart::new(vec![], vec![]).svg().unwrap_err();
    assert!(matches!(e, ChartError::Empty { .. }), "{e}");
    assert!(e.to_string().contains("synthetic control") && e.to_string().contains("hint"), "{e}");
    assert!(matches!(
        SynthPathChart::new(vec![(1, f64::NAN)], vec![(1, f64::INFINITY)]).png(),
        Err(ChartError::NoFiniteValues { .. })
    ));
    let e = GapChart::new(vec![]).placebos(placebos()).svg().unwrap_err();
    assert!(matches!(e, ChartError::Empty { .. }) && e.to_string().contains("treated gap"), "{e}");
    assert!(matches!(
        GapChart::new(vec![(1, f64::NAN)]).placebos(placebos()).svg(),
        Err(ChartError::NoFiniteValues { .. })
    ));
    let e = WeightsChart::new(vec![]).svg().unwrap_err();
    assert!(matches!(e, ChartError::Empty { .. }) && e.to_string().contains("weights chart"), "{e}");
    assert!(matches!(
        WeightsChart::new(vec![("a".into(), f64::NAN), ("b".into(), f64::NEG_INFINITY)]).svg(),
        Err(ChartError::NoFiniteValues { .. })
    ));
    assert!(matches!(
        WeightsChart::new(vec![("a".into(), -f64::MAX), ("b".into(), f64::MAX)]).svg(),
        Err(ChartError::ValueRange { .. })
    ));
    assert!(matches!(paths().size(100, 400).svg(), Err(ChartError::Size { width: 100, height: 400 })));
}

#[test]
fn skipped_values_are_noted() {
    let svg =
        SynthPathChart::new(vec![(1, 1.0), (2, f64::NAN), (3, 2.0)], vec![(1, 1.0), (2, 1.5), (3, f64::INFINITY)])
            .lang(Lang::Fr)
            .svg()
            .unwrap();
    assert!(has(&texts(&svg), "2 points à valeur manquante ou non finie ne sont pas représentés"));
    let mut w = donor_weights();
    w.push(("Nowhere".into(), f64::NAN));
    let t = texts(&WeightsChart::new(w).top(5).svg().unwrap());
    assert!(
        has(&t, "1 point with a missing or non-finite value is not shown · 33 other units with weight 0.004 in total"),
        "{t:?}"
    );
}

#[test]
fn edge_cases_draw() {
    // All equal, zero everywhere, a single bar, duplicate labels, huge values, tiny values.
    SynthPathChart::new(vec![(1, 5.0), (2, 5.0)], vec![(1, 5.0), (2, 5.0)]).svg().unwrap();
    GapChart::new(vec![(1, 0.0), (2, 0.0)]).placebos(vec![vec![(1, 3.0), (2, -3.0)]]).png().unwrap();
    let svg = GapChart::new(vec![(5, 0.2)]).placebos(vec![vec![(5, 0.1)]]).treatment_start(5).svg().unwrap();
    assert!(svg.contains("<circle"), "a one-period gap still shows");
    let svg = WeightsChart::new(vec![("only".into(), 0.0)]).svg().unwrap();
    assert!(has(&texts(&svg), "0.000"));
    WeightsChart::new(vec![("only".into(), 1.0)]).png().unwrap();
    WeightsChart::new(vec![("neg".into(), -1.0)]).png().unwrap();
    let svg = WeightsChart::new(vec![("same".into(), 0.5), ("same".into(), 0.5)]).svg().unwrap();
    assert_eq!(texts(&svg).iter().filter(|s| *s == "same").count(), 2, "duplicate labels, one bar each");
    let svg = WeightsChart::new(vec![("big".into(), 1e12), ("small".into(), 3.0)]).svg().unwrap();
    assert!(has(&texts(&svg), "1,000,000,000,000.00"), "{:?}", texts(&svg));
    WeightsChart::new(vec![("tiny".into(), 1e-300), ("zero".into(), 0.0)]).svg().unwrap();
    let long = "a very long donor name that goes on and on".repeat(3);
    let svg = WeightsChart::new(vec![(long, 0.5)]).svg().unwrap();
    assert!(texts(&svg).iter().any(|s| s.ends_with('…')));
    SynthPathChart::new(vec![(i64::MIN, 1.0), (i64::MAX, 2.0)], vec![]).treatment_start(0).svg().unwrap();
    SynthPathChart::new(vec![(1, 1e300), (2, -1e300)], vec![]).svg().unwrap();
}

/// A small deterministic generator, so that odd inputs are tried without a test dependency.

#[test]
fn odd_inputs_never_panic() {
    let mut g = Lcg(7);
    for round in 0..80u32 {
        let n = (g.next() % 6) as usize;
        let lang = if round % 2 == 0 { Lang::En } else { Lang::Fr };
        let size = (160 + round * 9, 160 + round * 4);
        let start = (g.next() % 14) as i64 - 7;
        let m = g.next() as usize % 4;
        let (a, b) = (g.series(n), g.series(m));
        let p = SynthPathChart::new(a.clone(), b).treatment_start(start).lang(lang).size(size.0, size.1);
        let _ = p.svg();
        let _ = p.png();
        let placebos: Vec<Vec<(i64, f64)>> = (0..n)
            .map(|_| {
                let m = (g.next() % 5) as usize;
                g.series(m)
            })
            .collect();
        let clip = [3.0, 0.0, -1.0, f64::NAN, f64::INFINITY, 1e-300][round as usize % 6];
        let c = GapChart::new(a).placebos(placebos).placebo_clip(clip).treatment_start(start).lang(lang);
        let _ = c.clone().size(size.0, size.1).svg();
        let _ = c.png();
        let w: Vec<(String, f64)> = (0..n * 3).map(|i| (format!("u{}", i % 4), g.value())).collect();
        let k = [0, 1, 2, 10, usize::MAX][round as usize % 5];
        let c = WeightsChart::new(w).top(k).sort(round % 3 != 0).lang(lang);
        let _ = c.clone().size(size.0, size.1).svg();
        let _ = c.size(160, 160).png();
    }
}

#[test]
fn crowded_layouts_never_panic() {
    let long = "a very long label that goes on and on ".repeat(8);
    let many: Vec<(String, f64)> = (0..300).map(|i| (format!("{long}{i}"), 1.0 / (1.0 + i as f64))).collect();
    let many_placebos: Vec<Vec<(i64, f64)>> =
        (0..400).map(|d| years().map(|y| (y, (d * y) as f64 % 7.0)).collect()).collect();
    for (w, h) in [(160, 160), (160, 8192), (8192, 160), (400, 300)] {
        let _ = WeightsChart::new(many.clone()).top(usize::MAX).title(long.clone()).size(w, h).svg();
        let _ = WeightsChart::new(many.clone()).x_label(long.clone()).y_label(long.clone()).size(w, h).png();
        let _ = GapChart::new(gap()).placebos(many_placebos.clone()).title(long.clone()).size(w, h).png();
        let _ = paths().labels(long.clone(), long.clone()).size(w, h).svg();
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
    let p = paths()
        .labels("Treated state", "Synthetic state")
        .y_label("Packs per capita")
        .title("Cigarette sales: treated vs synthetic — illustrative values");
    write("synth_paths", p.svg().unwrap(), p.png().unwrap());
    let p = paths().lang(Lang::Fr).title("Ventes de cigarettes : traité et synthétique — valeurs illustratives");
    write("synth_paths_fr", p.svg().unwrap(), p.png().unwrap());
    let mut ps = placebos();
    ps.push(years().map(|y| (y, 150.0 * ((y % 5) as f64 - 2.0) / 2.0)).collect());
    let g = GapChart::new(gap())
        .placebos(ps)
        .treatment_start(1989)
        .title("Gap and in-space placebos — illustrative values");
    write("gap", g.svg().unwrap(), g.png().unwrap());
    let g = GapChart::new(gap())
        .placebos(placebos())
        .treatment_start(1989)
        .lang(Lang::Fr)
        .title("Écart et placebos — valeurs illustratives");
    write("gap_fr", g.svg().unwrap(), g.png().unwrap());
    let w = WeightsChart::new(donor_weights()).top(6).title("Donor weights — illustrative values");
    write("weights", w.svg().unwrap(), w.png().unwrap());
    let mut aug = donor_weights();
    aug[4].1 = -0.12;
    aug[5].1 = -0.05;
    let w =
        WeightsChart::new(aug).lang(Lang::Fr).title("Poids (contrôle synthétique augmenté) — valeurs illustratives");
    write("weights_negative_fr", w.svg().unwrap(), w.png().unwrap());
    let tw: Vec<(String, f64)> = (1980..1989)
        .map(|y| (y.to_string(), [0.0, 0.0, 0.0, 0.05, 0.0, 0.1, 0.15, 0.3, 0.4][(y - 1980) as usize]))
        .collect();
    let w = WeightsChart::new(tw)
        .sort(false)
        .top(usize::MAX)
        .x_label("Time weight")
        .title("Time weights — illustrative values");
    write("time_weights", w.svg().unwrap(), w.png().unwrap());
    // Small sizes, as in a two-column brief.
    let w = WeightsChart::new(donor_weights()).top(5).size(400, 300).title("Donor weights");
    write("weights_small", w.svg().unwrap(), w.png().unwrap());
    let g = GapChart::new(gap()).placebos(placebos()).treatment_start(1989).size(400, 300).lang(Lang::Fr);
    write("gap_small_fr", g.svg().unwrap(), g.png().unwrap());
}
