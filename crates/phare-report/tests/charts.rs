//! Charts: SVG content, PNG size, language, escaping, determinism and bad input.
//!
//! The event-study values below are illustrative, shaped like a Callaway–Sant'Anna event study on
//! the `mpdta` teen-employment panel (log employment, periods relative to the minimum-wage rise);
//! they are fixtures, not reference values.
//!
//! Set `PHARE_CHART_EXAMPLES=/some/dir` to also write one SVG per chart (and `event.png`) there.

use phare_core::{Coefficient, ConfidenceLevel, Reference, RelativePeriod, Tidy};
use phare_report::Lang;
use phare_report::chart::{
    BaconChart, BaconPoint, ChartError, CoefficientChart, CoefficientRow, EventStudyChart, EventStudyPoint, Theme,
    TrendSeries, TrendsChart,
};

const MINUS: char = '\u{2212}';

/// Illustrative mpdta-like event study: (e, estimate, se).
const EVENT: [(i64, f64, f64); 7] = [
    (-3, 0.0305, 0.0150),
    (-2, -0.0006, 0.0133),
    (-1, -0.0245, 0.0142),
    (0, -0.0199, 0.0118),
    (1, -0.0510, 0.0169),
    (2, -0.1373, 0.0364),
    (3, -0.1008, 0.0344),
];

fn event_points() -> Vec<EventStudyPoint> {
    EVENT
        .iter()
        .map(|&(e, b, se)| {
            EventStudyPoint::new(e, b, b - 1.96 * se, b + 1.96 * se).with_band(b - 2.7 * se, b + 2.7 * se)
        })
        .collect()
}

fn event_tidy() -> Tidy {
    let mut coefs = vec![Coefficient::new("ATT", 5.0, 0.5)];
    coefs.extend(
        EVENT.iter().map(|&(e, b, se)| Coefficient::new(format!("ATT(e={e})"), b, se).at_rel_period(RelativePeriod(e))),
    );
    // A group-time cell: has a rel_period but belongs to a cohort, so it is not an event-time row.
    coefs.push(Coefficient::new("ATT(2004,2005)", 9.0, 1.0).for_cohort(2004).at_rel_period(RelativePeriod(1)));
    Tidy::from_coefficients(&coefs, Reference::Normal, ConfidenceLevel::NINETY_FIVE)
}

fn coefficient_rows() -> Vec<CoefficientRow> {
    vec![
        CoefficientRow::new("TWFE", "Post-treatment", -0.0365, -0.0620, -0.0110),
        CoefficientRow::new("Callaway–Sant'Anna", "Post-treatment", -0.0400, -0.0650, -0.0150),
        CoefficientRow::new("Sun–Abraham", "Post-treatment", -0.0430, -0.0700, -0.0160),
        CoefficientRow::new("TWFE", "Log population", 0.0120, -0.0050, 0.0290),
        CoefficientRow::new("Callaway–Sant'Anna", "Log population", 0.0100, -0.0100, 0.0300),
    ]
}

fn trends() -> TrendsChart {
    TrendsChart::new(vec![
        TrendSeries::new(
            "Treated counties",
            vec![(2003, 5.78), (2004, 5.76), (2005, 5.72), (2006, 5.70), (2007, 5.66)],
        ),
        TrendSeries::new("Not yet treated", vec![(2003, 5.80), (2004, 5.79), (2005, 5.78), (2006, 5.78), (2007, 5.77)]),
    ])
    .treatment_start(2004)
}

fn bacon() -> BaconChart {
    BaconChart::new(vec![
        BaconPoint::new(0.32, -0.041, "Treated vs never treated"),
        BaconPoint::new(0.21, -0.052, "Treated vs never treated"),
        BaconPoint::new(0.12, -0.018, "Earlier vs later treated"),
        BaconPoint::new(0.09, 0.011, "Later vs earlier treated"),
        BaconPoint::new(0.26, -0.061, "Treated vs never treated"),
    ])
    .overall(-0.0365)
}

/// Width and height from a PNG's IHDR chunk (after checking the signature).
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 33, "PNG too short");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

/// A light well-formedness check: one root `<svg>` element, closed, with every `<text>` and `<g>`
/// closed, and no stray `<` or `&` inside text content.
fn assert_svg(svg: &str) {
    assert!(svg.starts_with("<svg "), "starts with <svg: {}", &svg[..svg.len().min(80)]);
    assert!(svg.trim_end().ends_with("</svg>"), "ends with </svg>");
    assert!(!svg.contains("<?xml"), "no XML prolog");
    assert_eq!(svg.matches("<svg").count(), 1);
    assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    // Between a tag's `>` and the next `<`, `&` only starts an entity.
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

/// The texts of the SVG's `<text>` elements (unescaped entities kept).
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>').map(|(_, r)| r))
        .map(|r| r.split("</text>").next().unwrap_or("").trim().to_string())
        .collect()
}

#[test]
fn event_study_svg_has_labels_ticks_and_legend() {
    let svg = EventStudyChart::new(event_points())
        .reference_period(-1)
        .level(0.95)
        .title("Minimum wage and teen employment (illustrative)")
        .svg()
        .unwrap();
    assert_svg(&svg);
    let t = texts(&svg);
    assert!(t.iter().any(|s| s == "Periods relative to treatment"), "{t:?}");
    assert!(t.iter().any(|s| s == "Estimated effect"));
    assert!(t.iter().any(|s| s == "Estimate (95% CI)"), "{t:?}");
    assert!(t.iter().any(|s| s == "Uniform band, 95%"), "{t:?}");
    assert!(t.iter().any(|s| s == "Reference period"));
    assert!(svg.contains("<title>Minimum wage and teen employment (illustrative)</title>"));
    // Integer ticks at every period with a true minus sign, and y ticks in English.
    for e in ["\u{2212}3", "\u{2212}2", "\u{2212}1", "0", "1", "2", "3"] {
        assert!(t.iter().any(|s| s == e), "tick {e} in {t:?}");
    }
    assert!(t.iter().any(|s| s == "\u{2212}0.10"), "{t:?}");
    let numeric = |s: &&String| s.starts_with(|c: char| c.is_ascii_digit() || c == MINUS);
    assert!(!t.iter().filter(numeric).any(|s| s.contains(',')), "no comma in English ticks: {t:?}");
    // The reference period (already in the data here) is drawn hollow: one white-filled circle
    // in the plot plus one in the legend.
    assert!(svg.contains("fill=\"#FFFFFF\""), "hollow marker filled with the background");
}

#[test]
fn french_event_study_uses_decimal_commas() {
    let svg = EventStudyChart::new(event_points()).lang(Lang::Fr).level(0.95).svg().unwrap();
    let t = texts(&svg);
    assert!(t.iter().any(|s| s == &format!("{MINUS}0,10")), "{t:?}");
    assert!(t.iter().any(|s| s.starts_with("0,0")), "{t:?}");
    assert!(!t.iter().any(|s| s.contains("0.")), "no decimal point: {t:?}");
    assert!(t.iter().any(|s| s == "Périodes relatives au traitement"));
    assert!(t.iter().any(|s| s == "Estimation (IC à 95\u{202F}%)"), "{t:?}");
}

#[test]
fn event_study_from_tidy_takes_event_time_rows_only() {
    let chart = EventStudyChart::from_tidy(&event_tidy());
    let periods: Vec<i64> = chart.points().iter().map(|p| p.rel_period).collect();
    assert_eq!(periods, vec![-3, -2, -1, 0, 1, 2, 3]);
    assert!((chart.points()[4].conf_high - (-0.0510 + 1.959964 * 0.0169)).abs() < 1e-5);
    let svg = chart.svg().unwrap();
    let t = texts(&svg);
    assert!(t.iter().any(|s| s == "Estimate (95% CI)"), "level taken from the tidy table: {t:?}");
    // The ATT row (5.0) and the group-time cell (9.0) would stretch the y axis past 1.
    assert!(!t.iter().any(|s| s == "5" || s == "5.0" || s == "1.0"), "{t:?}");
}

#[test]
fn reference_period_is_added_when_missing() {
    let pts: Vec<EventStudyPoint> = event_points().into_iter().filter(|p| p.rel_period != -1).collect();
    let without = EventStudyChart::new(pts.clone()).svg().unwrap();
    let with = EventStudyChart::new(pts).reference_period(-1).svg().unwrap();
    assert!(!texts(&without).iter().any(|s| s == "Reference period"));
    assert!(texts(&with).iter().any(|s| s == "Reference period"));
    assert_eq!(
        with.matches("<circle").count(),
        without.matches("<circle").count() + 2 * 2,
        "one more point and a legend marker, each drawn as fill + stroke"
    );
}

#[test]
fn coefficient_chart_shows_models_and_terms() {
    let svg =
        CoefficientChart::new(coefficient_rows()).level(0.95).title("Three estimators (illustrative)").svg().unwrap();
    assert_svg(&svg);
    let t = texts(&svg);
    for s in ["TWFE", "Callaway–Sant&apos;Anna", "Sun–Abraham", "Post-treatment", "Log population", "Estimate (95% CI)"]
    {
        assert!(t.iter().any(|x| x == s), "{s} in {t:?}");
    }
    let fr = CoefficientChart::new(coefficient_rows()).lang(Lang::Fr).svg().unwrap();
    let t = texts(&fr);
    assert!(t.iter().any(|s| s == &format!("{MINUS}0,06") || s == &format!("{MINUS}0,05")), "{t:?}");
    // terms(): only the chosen ones.
    let only = CoefficientChart::new(coefficient_rows()).terms(["Post-treatment"]).svg().unwrap();
    assert!(!texts(&only).iter().any(|s| s == "Log population"));
}

#[test]
fn coefficient_chart_from_tidy() {
    let tidy = Tidy::from_coefficients(
        &[Coefficient::new("treated", 0.5, 0.1), Coefficient::new("x1", -0.2, 0.05)],
        Reference::Normal,
        ConfidenceLevel::new(0.9).unwrap(),
    );
    let svg = CoefficientChart::new(vec![]).with_tidy("OLS", &tidy).with_tidy("WLS", &tidy).svg().unwrap();
    let t = texts(&svg);
    for s in ["OLS", "WLS", "treated", "x1", "Estimate (90% CI)"] {
        assert!(t.iter().any(|x| x == s), "{s} in {t:?}");
    }
}

#[test]
fn trends_chart_has_years_legend_and_start_line() {
    let svg = trends().title("Mean log teen employment (illustrative)").svg().unwrap();
    assert_svg(&svg);
    let t = texts(&svg);
    for s in ["2003", "2005", "2007", "Treated counties", "Not yet treated", "Treatment start", "Period"] {
        assert!(t.iter().any(|x| x == s), "{s} in {t:?}");
    }
    assert!(!t.iter().any(|x| x.contains("2,00")), "years are not grouped: {t:?}");
    let fr = trends().lang(Lang::Fr).svg().unwrap();
    let t = texts(&fr);
    assert!(t.iter().any(|s| s.contains(",") && s.starts_with("5,")), "{t:?}");
    assert!(t.iter().any(|s| s == "Début du traitement"));
}

#[test]
fn bacon_chart_colours_kinds_and_draws_the_overall_line() {
    let svg = bacon().svg().unwrap();
    assert_svg(&svg);
    let t = texts(&svg);
    for s in
        ["Treated vs never treated", "Earlier vs later treated", "Later vs earlier treated", "Weight", "2×2 estimate"]
    {
        assert!(t.iter().any(|x| x == s), "{s} in {t:?}");
    }
    assert!(t.iter().any(|s| s == &format!("Overall estimate: {MINUS}0.0365")), "{t:?}");
    // Three kinds, three palette colours.
    for c in ["#0072B2", "#D55E00", "#009E73"] {
        assert!(svg.contains(c), "{c}");
    }
    let fr = bacon().lang(Lang::Fr).svg().unwrap();
    assert!(texts(&fr).iter().any(|s| s == &format!("Estimation globale\u{a0}: {MINUS}0,0365")), "{:?}", texts(&fr));
}

#[test]
fn user_text_is_escaped_in_svg() {
    let evil = "<script>alert(1)</script> & co";
    let svgs = [
        EventStudyChart::new(event_points()).title(evil).x_label(evil).y_label(evil).svg().unwrap(),
        CoefficientChart::new(vec![CoefficientRow::new(evil, evil, 0.1, 0.0, 0.2)]).title(evil).svg().unwrap(),
        TrendsChart::new(vec![TrendSeries::new(evil, vec![(1, 1.0), (2, 2.0)])]).title(evil).svg().unwrap(),
        BaconChart::new(vec![BaconPoint::new(0.5, 0.1, evil)]).title(evil).svg().unwrap(),
    ];
    for svg in &svgs {
        assert!(!svg.contains("<script"), "unescaped script tag");
        assert!(svg.contains("&lt;script&gt;"), "escaped text present");
        assert!(svg.contains("&amp; co"));
        assert_svg(svg);
    }
}

#[test]
fn png_has_the_requested_size() {
    let (w, h) = (640, 360);
    let pngs = [
        EventStudyChart::new(event_points()).size(w, h).png().unwrap(),
        CoefficientChart::new(coefficient_rows()).size(w, h).png().unwrap(),
        trends().size(w, h).png().unwrap(),
        bacon().size(w, h).png().unwrap(),
    ];
    for p in &pngs {
        assert_eq!(png_size(p), (w, h));
    }
    assert_eq!(png_size(&bacon().png().unwrap()), (720, 420), "default size");
    // Also the SVG size.
    assert!(trends().size(w, h).svg().unwrap().contains("width=\"640\" height=\"360\""));
}

#[test]
fn png_decodes_to_pixels_with_ink() {
    let bytes = EventStudyChart::new(event_points()).png().unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (720, 420));
    let px = &buf[..info.buffer_size()];
    // Mostly white background, but with text and data drawn: the main blue appears, and dark text.
    let pixels: Vec<&[u8]> = px.chunks(3).collect();
    let white = pixels.iter().filter(|p| p == &&[255, 255, 255]).count();
    assert!(white > pixels.len() / 2);
    assert!(pixels.iter().any(|p| p == &[0x00, 0x72, 0xB2]), "Okabe–Ito blue drawn");
    assert!(
        pixels.iter().filter(|p| p[0] < 80 && p[1] < 80 && p[2] < 80).count() > 500,
        "text rendered with the embedded font"
    );
}

#[test]
fn rendering_is_deterministic() {
    let a = EventStudyChart::new(event_points()).title("x");
    assert_eq!(a.svg().unwrap(), a.svg().unwrap());
    assert_eq!(a.png().unwrap(), a.png().unwrap());
    assert_eq!(bacon().svg().unwrap(), bacon().svg().unwrap());
    assert_eq!(trends().png().unwrap(), trends().png().unwrap());
}

#[test]
fn empty_and_non_finite_input_are_errors() {
    let e = EventStudyChart::new(vec![]).svg().unwrap_err();
    assert!(matches!(e, ChartError::Empty { .. }), "{e}");
    assert!(e.to_string().contains("event study") && e.to_string().contains("hint"), "{e}");
    let nan = EventStudyChart::new(vec![EventStudyPoint::new(0, f64::NAN, 0.0, 1.0)]).png().unwrap_err();
    assert!(matches!(nan, ChartError::NoFiniteValues { .. }), "{nan}");
    assert!(matches!(CoefficientChart::new(vec![]).svg(), Err(ChartError::Empty { .. })));
    assert!(matches!(
        CoefficientChart::new(coefficient_rows()).terms(["nope"]).svg(),
        Err(ChartError::Empty { ref what, .. }) if what.contains("chosen terms")
    ));
    assert!(matches!(TrendsChart::new(vec![]).svg(), Err(ChartError::Empty { .. })));
    assert!(matches!(TrendsChart::new(vec![TrendSeries::new("a", vec![])]).png(), Err(ChartError::Empty { .. })));
    assert!(matches!(
        TrendsChart::new(vec![TrendSeries::new("a", vec![(1, f64::INFINITY)])]).svg(),
        Err(ChartError::NoFiniteValues { .. })
    ));
    assert!(matches!(BaconChart::new(vec![]).svg(), Err(ChartError::Empty { .. })));
    assert!(matches!(
        BaconChart::new(vec![BaconPoint::new(f64::NAN, 1.0, "k")]).svg(),
        Err(ChartError::NoFiniteValues { .. })
    ));
    assert!(matches!(
        BaconChart::new(vec![BaconPoint::new(0.5, -f64::MAX, "k"), BaconPoint::new(0.5, f64::MAX, "k")]).svg(),
        Err(ChartError::ValueRange { .. })
    ));
    let size = bacon().size(10, 5000).png().unwrap_err();
    assert!(matches!(size, ChartError::Size { width: 10, height: 5000 }), "{size}");
    assert!(size.to_string().contains("10×5000"));
    assert!(bacon().size(100_000, 400).svg().is_err());
}

#[test]
fn skipped_points_are_noted_and_edge_cases_draw() {
    let mut pts = event_points();
    pts.push(EventStudyPoint::new(4, f64::NAN, f64::NAN, f64::NAN));
    let svg = EventStudyChart::new(pts).svg().unwrap();
    assert!(texts(&svg).iter().any(|s| s == "1 point with a missing or non-finite value is not shown"));
    let svg =
        TrendsChart::new(vec![TrendSeries::new("a", vec![(1, 1.0), (2, f64::NAN), (3, 2.0), (4, f64::NEG_INFINITY)])])
            .lang(Lang::Fr)
            .svg()
            .unwrap();
    assert!(texts(&svg).iter().any(|s| s == "2 points à valeur manquante ou non finie ne sont pas représentés"));
    // One point; all-equal values; zero everywhere; infinite interval ends.
    EventStudyChart::new(vec![EventStudyPoint::new(0, 0.3, 0.1, 0.5)]).svg().unwrap();
    EventStudyChart::new(vec![EventStudyPoint::new(0, 0.0, 0.0, 0.0)]).png().unwrap();
    EventStudyChart::new(vec![EventStudyPoint::new(2, 0.3, f64::NEG_INFINITY, f64::INFINITY)]).svg().unwrap();
    TrendsChart::new(vec![TrendSeries::new("flat", vec![(2000, 7.0), (2001, 7.0)])]).svg().unwrap();
    BaconChart::new(vec![BaconPoint::new(1.0, 0.0, "only")]).png().unwrap();
    CoefficientChart::new(vec![CoefficientRow::new("", "a", 1.0, f64::NAN, 2.0)]).svg().unwrap();
    // Many periods: ticks thin out.
    let many: Vec<EventStudyPoint> = (-60..=60).map(|e| EventStudyPoint::new(e, e as f64 * 0.01, -1.0, 1.0)).collect();
    let t = texts(&EventStudyChart::new(many).svg().unwrap());
    assert!(t.len() < 80, "{} texts", t.len());
}

/// A small deterministic generator, so that odd inputs are tried without a test dependency.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn value(&mut self) -> f64 {
        match self.next() % 12 {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => 0.0,
            4 => 1e12,
            5 => -1e-12,
            _ => (self.next() % 2000) as f64 / 1000.0 - 1.0,
        }
    }
}

#[test]
fn odd_inputs_never_panic() {
    let mut g = Lcg(42);
    for round in 0..60 {
        let n = (g.next() % 6) as usize;
        let pts: Vec<EventStudyPoint> = (0..n)
            .map(|_| {
                EventStudyPoint::new((g.next() % 9) as i64 - 4, g.value(), g.value(), g.value())
                    .with_band(g.value(), g.value())
            })
            .collect();
        let lang = if round % 2 == 0 { Lang::En } else { Lang::Fr };
        let _ = EventStudyChart::new(pts).reference_period(-1).lang(lang).size(200 + round * 7, 160 + round * 3).svg();
        let rows: Vec<CoefficientRow> = (0..n)
            .map(|i| {
                CoefficientRow::new(
                    format!("m{}", i % 2),
                    format!("t{}", g.next() % 3),
                    g.value(),
                    g.value(),
                    g.value(),
                )
            })
            .collect();
        let _ = CoefficientChart::new(rows).lang(lang).svg();
        let series = (0..n)
            .map(|i| TrendSeries::new(format!("s{i}"), (0..n).map(|j| (j as i64 * 3 - 5, g.value())).collect()))
            .collect();
        let _ = TrendsChart::new(series).treatment_start((g.next() % 20) as i64 - 10).svg();
        let bp = (0..n).map(|i| BaconPoint::new(g.value(), g.value(), format!("k{}", i % 3))).collect();
        let _ = BaconChart::new(bp).overall(g.value()).size(160, 160).png();
    }
}

#[test]
fn theme_changes_the_colours() {
    let theme = Theme { palette: vec![phare_report::chart::Rgb(0x12, 0x34, 0x56)], ..Theme::default() };
    let svg = EventStudyChart::new(event_points()).theme(theme).svg().unwrap();
    assert!(svg.contains("#123456"));
    assert!(!svg.contains("#0072B2"));
}

#[test]
fn write_examples_when_asked() {
    let Some(dir) = std::env::var_os("PHARE_CHART_EXAMPLES") else { return };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    // As with a universal base period: −1 is the reference, normalised to 0 and added by the chart.
    let without_ref = || event_points().into_iter().filter(|p| p.rel_period != -1).collect::<Vec<_>>();
    let event = EventStudyChart::new(without_ref())
        .reference_period(-1)
        .level(0.95)
        .title("Minimum wage and teen employment — illustrative values");
    std::fs::write(dir.join("event.svg"), event.svg().unwrap()).unwrap();
    std::fs::write(dir.join("event.png"), event.png().unwrap()).unwrap();
    let event_fr = EventStudyChart::new(without_ref())
        .reference_period(-1)
        .level(0.95)
        .lang(Lang::Fr)
        .title("Salaire minimum et emploi des jeunes — valeurs illustratives");
    std::fs::write(dir.join("event_fr.svg"), event_fr.svg().unwrap()).unwrap();
    std::fs::write(dir.join("event_fr.png"), event_fr.png().unwrap()).unwrap();
    let coef = CoefficientChart::new(coefficient_rows()).level(0.95).title("Three estimators — illustrative values");
    std::fs::write(dir.join("coefficients.svg"), coef.svg().unwrap()).unwrap();
    std::fs::write(dir.join("coefficients.png"), coef.png().unwrap()).unwrap();
    let tr = trends().title("Mean log teen employment — illustrative values");
    std::fs::write(dir.join("trends.svg"), tr.svg().unwrap()).unwrap();
    std::fs::write(dir.join("trends.png"), tr.png().unwrap()).unwrap();
    let b = bacon().title("Goodman-Bacon decomposition — illustrative values");
    std::fs::write(dir.join("bacon.svg"), b.svg().unwrap()).unwrap();
    std::fs::write(dir.join("bacon.png"), b.png().unwrap()).unwrap();
}

#[test]
fn crowded_layouts_never_panic() {
    let long = "a very long label that goes on and on ".repeat(8);
    let series: Vec<TrendSeries> =
        (0..50).map(|i| TrendSeries::new(format!("{long}{i}"), vec![(i, i as f64), (i + 1, 1.0)])).collect();
    for (w, h) in [(160, 120), (160, 8192), (8192, 120), (400, 300)] {
        let _ = TrendsChart::new(series.clone())
            .title(long.clone())
            .x_label(long.clone())
            .y_label(long.clone())
            .size(w, h)
            .svg();
        let _ = TrendsChart::new(series.clone()).title(long.clone()).size(w, h).png();
        let rows: Vec<CoefficientRow> = (0..40)
            .map(|i| CoefficientRow::new(format!("{long}{i}"), format!("{long}{}", i % 7), 0.1, 0.0, 0.2))
            .collect();
        let _ = CoefficientChart::new(rows.clone()).size(w, h).svg();
        let _ = CoefficientChart::new(rows).size(w, h).png();
        let many: Vec<EventStudyPoint> =
            (-500..=500).map(|e| EventStudyPoint::new(e, 1e-300 * e as f64, -1e-300, 1e-300)).collect();
        let _ = EventStudyChart::new(many).size(w, h).png();
        let _ = EventStudyChart::new(vec![
            EventStudyPoint::new(i64::MIN, 1.0, 0.0, 2.0),
            EventStudyPoint::new(i64::MAX, 1.0, 0.0, 2.0),
        ])
        .size(w, h)
        .svg();
    }
    // At an ordinary size, crowded charts still render.
    let rows: Vec<CoefficientRow> = (0..40)
        .map(|i| CoefficientRow::new(format!("m{}", i % 9), format!("{long}{}", i % 7), 0.1, 0.0, 0.2))
        .collect();
    let svg = CoefficientChart::new(rows).size(900, 700).svg().unwrap();
    assert!(texts(&svg).iter().any(|s| s.ends_with('…')), "long terms shortened");
    TrendsChart::new(series).size(900, 700).png().unwrap();
    EventStudyChart::new(vec![
        EventStudyPoint::new(i64::MIN, 1.0, 0.0, 2.0),
        EventStudyPoint::new(i64::MAX, 1.0, 0.0, 2.0),
    ])
    .svg()
    .unwrap();
}
