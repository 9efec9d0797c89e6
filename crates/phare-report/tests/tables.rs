//! Multi-model regression tables: snapshots of every format on real fits (wagepan two-way fixed
//! effects and pooled OLS, mroz 2SLS), and assertions that the table shows exactly what the fits
//! report, escapes user text, and writes CSV that reads back.

use phare_core::{Coefficient, ConfidenceLevel, Estimates, Glance, Reference, Tidy, TidyRow, glance_names};
use phare_data::load_dataset;
use phare_models::{Feols, FeolsFit, VcovSpec};
use phare_report::Lang;
use phare_report::table::{CellStat, RegressionTable};
use phare_report::text::decimals_for;
use std::sync::OnceLock;

/// The three fits every test shares: fitted once.
fn fits() -> &'static [(&'static str, FeolsFit)] {
    static FITS: OnceLock<Vec<(&'static str, FeolsFit)>> = OnceLock::new();
    FITS.get_or_init(|| {
        let wagepan = load_dataset("wagepan").unwrap();
        let mroz = load_dataset("mroz").unwrap();
        let twfe = Feols::new("lwage ~ union + married | nr + year")
            .unwrap()
            .vcov(VcovSpec::Crv1(vec!["nr".into()]))
            .fit(&wagepan)
            .unwrap();
        let pooled =
            Feols::new("lwage ~ union + married + exper + expersq").unwrap().vcov(VcovSpec::Hc1).fit(&wagepan).unwrap();
        let iv = Feols::new("lwage ~ exper + expersq | educ ~ motheduc + fatheduc")
            .unwrap()
            .vcov(VcovSpec::Hc1)
            .fit(&mroz)
            .unwrap();
        vec![("Two-way FE", twfe), ("Pooled", pooled), ("2SLS (mroz)", iv)]
    })
}

fn table() -> RegressionTable {
    let mut t = RegressionTable::new();
    for (label, fit) in fits() {
        t = t.model(label, fit);
    }
    t
}

fn titled() -> RegressionTable {
    table().title("Union wage premium").rename("(Intercept)", "Constant")
}

/// The cells of the Markdown row whose label is `label` (the row under it when `below`).
fn markdown_row(md: &str, label: &str, below: bool) -> Vec<String> {
    let lines: Vec<&str> = md.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.split('|').nth(1).is_some_and(|c| c.trim() == label))
        .unwrap_or_else(|| panic!("no row {label} in\n{md}"));
    let line = if below { lines[i + 1] } else { lines[i] };
    let cells: Vec<String> = line.split('|').map(|c| c.trim().to_string()).collect();
    cells[1..cells.len() - 1].to_vec()
}

/// A fit with made-up terms and p-values, and hostile names.
struct Fake {
    coefs: Vec<Coefficient>,
    glance: Glance,
}

impl Estimates for Fake {
    fn design(&self) -> &str {
        "fake"
    }
    fn call(&self) -> String {
        "fake()".into()
    }
    fn coefficients(&self) -> Vec<Coefficient> {
        self.coefs.clone()
    }
    fn reference(&self) -> Reference {
        Reference::Normal
    }
    fn glance(&self) -> Glance {
        self.glance.clone()
    }
}

fn fake(terms: &[(&str, f64, f64)]) -> Fake {
    Fake {
        coefs: terms.iter().map(|(t, b, se)| Coefficient::new(*t, *b, *se)).collect(),
        glance: Glance::new().with(glance_names::NOBS, 100usize),
    }
}

// ---------------------------------------------------------------------------------------------
// Snapshots: read them by eye when they change.

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!("markdown_en", titled().to_markdown());
}

#[test]
fn markdown_french_snapshot() {
    insta::assert_snapshot!("markdown_fr", titled().lang(Lang::Fr).stat(CellStat::ConfInt).stars(true).to_markdown());
}

#[test]
fn latex_snapshot() {
    insta::assert_snapshot!("latex_en", titled().to_latex());
}

#[test]
fn html_snapshot() {
    insta::assert_snapshot!("html_en", titled().to_html());
}

#[test]
fn typst_snapshot() {
    insta::assert_snapshot!("typst_en", titled().to_typst());
}

// ---------------------------------------------------------------------------------------------
// The table shows what the fits report.

#[test]
fn estimates_and_standard_errors_are_the_fits_rounded() {
    let md = table().to_markdown();
    for (j, (_, fit)) in fits().iter().enumerate() {
        for row in fit.tidy().rows {
            let d = decimals_for(row.std_error, 2);
            assert_eq!(markdown_row(&md, &row.term, false)[j + 1], Lang::En.number(row.estimate, d), "{}", row.term);
            let se = format!("({})", Lang::En.number(row.std_error, d));
            assert_eq!(markdown_row(&md, &row.term, true)[j + 1], se, "{}", row.term);
        }
    }
    // The 2SLS model has no union term: an empty cell, not a zero.
    assert_eq!(markdown_row(&md, "union", false)[3], "");
    // Observations from nobs, grouped by thousands.
    let nobs = markdown_row(&md, "Observations", false);
    assert_eq!(nobs[1], Lang::En.number(fits()[0].1.nobs() as f64, 0));
    assert_eq!(nobs[3], "428");
}

#[test]
fn fixed_effects_get_one_row_each_with_marks() {
    let md = table().to_markdown();
    assert_eq!(markdown_row(&md, "Fixed effects: nr", false)[1..], ["✓", "—", "—"]);
    assert_eq!(markdown_row(&md, "Fixed effects: year", false)[1..], ["✓", "—", "—"]);
    assert_eq!(markdown_row(&md, "Standard errors", false)[1..], ["CRV1:nr", "HC1", "HC1"]);
    // The within R² only exists with fixed effects; the row is there, empty for the others.
    let within = markdown_row(&md, "Within R²", false);
    assert!(!within[1].is_empty() && within[2].is_empty());
    // Clusters only for the clustered model.
    assert_eq!(markdown_row(&md, "Clusters", false)[1..], ["545", "", ""]);
}

#[test]
fn glance_rows_choose_the_footer() {
    let md = table()
        .glance_rows(&[glance_names::R2, "effective_f"])
        .glance_label("effective_f", "Effective F")
        .to_markdown();
    assert!(md.contains("| R²"));
    assert!(md.contains("| Effective F"));
    assert!(!md.contains("Observations") && !md.contains("Fixed effects"));
    let bare = table().glance_rows(&[]).to_markdown();
    assert!(!bare.contains("R²"));
}

#[test]
fn intervals_come_from_the_fit_at_the_requested_level() {
    let (_, fit) = &fits()[0];
    let t = RegressionTable::new()
        .level(ConfidenceLevel::new(0.9).unwrap())
        .model("m", fit)
        .stat(CellStat::ConfInt)
        .digits(Some(4));
    let md = t.to_markdown();
    let row = fit.tidy_at(0.9).unwrap().row("union").unwrap().clone();
    assert_eq!(markdown_row(&md, "union", true)[1], Lang::En.interval(row.conf_low, row.conf_high, 4));
    assert!(md.contains("90% CI in brackets."));
    assert_eq!(markdown_row(&md, "union", false)[1], Lang::En.number(row.estimate, 4));
}

#[test]
fn other_statistics_under_the_estimate() {
    let (_, fit) = &fits()[1];
    let row = fit.tidy().row("married").unwrap().clone();
    let t = RegressionTable::new().model("m", fit);
    let md = t.clone().stat(CellStat::TStat).to_markdown();
    assert_eq!(markdown_row(&md, "married", true)[1], format!("({})", Lang::En.number(row.statistic, 2)));
    assert!(md.contains("t statistics in parentheses."));
    let md = t.clone().stat(CellStat::PValue).to_markdown();
    assert_eq!(markdown_row(&md, "married", true)[1], format!("({})", Lang::En.p_value(row.p_value)));
    let md = t.stat(CellStat::Hidden).to_markdown();
    let lines: Vec<&str> = md.lines().collect();
    let i = lines.iter().position(|l| l.starts_with("| married")).unwrap();
    assert!(!lines[i + 1].split('|').nth(1).unwrap().trim().is_empty(), "no statistic line: {md}");
}

#[test]
fn french_numbers_and_labels() {
    let md = table().lang(Lang::Fr).to_markdown();
    let (_, fit) = &fits()[0];
    let row = fit.tidy().row("married").unwrap().clone();
    let d = decimals_for(row.std_error, 2);
    assert_eq!(markdown_row(&md, "married", false)[1], Lang::Fr.number(row.estimate, d));
    assert!(markdown_row(&md, "married", false)[1].contains(','));
    assert_eq!(markdown_row(&md, "Observations", false)[1], "4360");
    assert!(md.contains("Effets fixes\u{202F}: nr"));
    assert!(md.contains("| Écarts-types"));
    assert!(md.contains("Écarts-types entre parenthèses."));
    assert!(md.contains("| R² intra"));
}

#[test]
fn display_is_markdown() {
    let t = table();
    assert_eq!(t.to_string(), t.to_markdown());
}

// ---------------------------------------------------------------------------------------------
// Terms: union, order, filters.

#[test]
fn terms_are_the_union_in_first_seen_order() {
    let t = RegressionTable::new()
        .model("A", &fake(&[("x", 1.0, 0.1), ("y", 2.0, 0.1)]))
        .model("B", &fake(&[("z", 3.0, 0.1), ("x", 4.0, 0.1), ("w", 5.0, 0.1)]));
    assert_eq!(t.terms(), ["x", "y", "z", "w"]);
    let md = t.to_markdown();
    let order: Vec<usize> = ["| x ", "| y ", "| z ", "| w "].iter().map(|s| md.find(s).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{md}");
    assert_eq!(markdown_row(&md, "x", false)[1..], ["1.00", "4.00"]);
    assert_eq!(markdown_row(&md, "y", false)[1..], ["2.00", ""]);
    // Real fits: the TWFE terms, then the pooled ones not seen yet, then the 2SLS ones.
    assert_eq!(table().terms(), ["union", "married", "(Intercept)", "exper", "expersq", "educ"]);
}

#[test]
fn keep_and_drop_filter_terms() {
    let kept = table().keep(&["union", "educ", "not_a_term"]);
    assert_eq!(kept.terms(), ["union", "educ"]);
    let md = kept.to_markdown();
    assert!(!md.contains("| married") && md.contains("| union") && md.contains("| educ"));
    let dropped = table().drop(&["(Intercept)", "expersq"]);
    assert_eq!(dropped.terms(), ["union", "married", "exper", "educ"]);
    assert!(!dropped.to_markdown().contains("Intercept"));
    assert!(!dropped.to_csv().contains("expersq"));
    assert_eq!(table().keep(&["union", "married"]).drop(&["married"]).terms(), ["union"]);
    let ordered = table().order(&["educ", "union"]);
    assert_eq!(ordered.terms()[..3], ["educ", "union", "married"]);
}

#[test]
fn rename_changes_the_label_only() {
    let t = table().rename("union", "Union member");
    let md = t.to_markdown();
    assert!(md.contains("| Union member") && !md.contains("| union "));
    assert!(t.to_csv().lines().any(|l| l.starts_with("Two-way FE,union,Union member,")));
}

// ---------------------------------------------------------------------------------------------
// Stars.

#[test]
fn stars_follow_the_thresholds() {
    // Normal reference: z = 3.0 → p = 0.0027, 2.2 → 0.028, 1.8 → 0.072, 1.0 → 0.32.
    let f = fake(&[("a", 3.0, 1.0), ("b", 2.2, 1.0), ("c", 1.8, 1.0), ("d", 1.0, 1.0)]);
    let off = RegressionTable::new().model("m", &f).to_markdown();
    assert!(!off.contains('*'), "stars are off by default: {off}");
    let on = RegressionTable::new().model("m", &f).stars(true);
    let md = on.to_markdown();
    assert_eq!(markdown_row(&md, "a", false)[1], "3.0\\*\\*\\*");
    assert_eq!(markdown_row(&md, "b", false)[1], "2.2\\*\\*");
    assert_eq!(markdown_row(&md, "c", false)[1], "1.8\\*");
    assert_eq!(markdown_row(&md, "d", false)[1], "1.0");
    assert!(
        md.contains("\\*\\*\\* p\u{a0}&lt;\u{a0}0.01, \\*\\* p\u{a0}&lt;\u{a0}0.05, \\* p\u{a0}&lt;\u{a0}0.10."),
        "{md}"
    );
    assert!(on.to_html().contains("*** p\u{a0}&lt;\u{a0}0.01"));
    assert!(on.to_html().contains("<td>3.0<sup>***</sup></td>"));
    assert!(on.to_latex().contains("3.0$^{***}$"));
    assert!(on.to_typst().contains("[3.0\\*\\*\\*]"));
    // Thresholds are strict: p = 0.05 gets one star, p = 0.01 two, p = 0.1 none.
    let row = |term: &str, p: f64| TidyRow {
        term: term.into(),
        estimate: 1.0,
        std_error: 0.5,
        statistic: 2.0,
        p_value: p,
        conf_low: 0.0,
        conf_high: 2.0,
        rel_period: None,
        cohort: None,
        period: None,
    };
    let tidy = Tidy {
        level: ConfidenceLevel::NINETY_FIVE,
        rows: vec![row("p01", 0.01), row("p05", 0.05), row("p10", 0.1), row("nan", f64::NAN)],
    };
    let md = RegressionTable::new().model_parts("m", tidy, Glance::new()).stars(true).to_markdown();
    assert_eq!(markdown_row(&md, "p01", false)[1], "1.00\\*\\*");
    assert_eq!(markdown_row(&md, "p05", false)[1], "1.00\\*");
    assert_eq!(markdown_row(&md, "p10", false)[1], "1.00");
    assert_eq!(markdown_row(&md, "nan", false)[1], "1.00");
}

// ---------------------------------------------------------------------------------------------
// Escaping of user text.

fn hostile() -> RegressionTable {
    let mut f = fake(&[("<script>", -1.5, 0.5), ("a|b_c", 2.0, 0.5)]);
    f.glance = f.glance.with(glance_names::FIXED_EFFECTS, "dep$t, <b>").with(glance_names::VCOV_TYPE, "CRV1:x&y");
    RegressionTable::new().title("R&D <effects> 100% #1").model("a & b", &f).notes("Source: \"INSEE\" <2024> & co_")
}

#[test]
fn html_escapes_every_user_string() {
    let html = hostile().to_html();
    assert!(html.starts_with("<table class=\"phare-table\""));
    assert!(!html.contains("<script>") && !html.contains("<b>") && !html.contains("<effects>"));
    for s in [
        "&lt;script&gt;",
        "<th scope=\"col\">a &amp; b</th>",
        "<caption>R&amp;D &lt;effects&gt; 100% #1</caption>",
        "Fixed effects: &lt;b&gt;",
        "CRV1:x&amp;y",
        "&quot;INSEE&quot; &lt;2024&gt; &amp; co_",
        "<td>\u{2212}1.50</td>",
    ] {
        assert!(html.contains(s), "{s} missing in\n{html}");
    }
    for tag in ["<thead>", "<tbody>", "<tfoot>"] {
        assert!(html.contains(tag));
    }
}

#[test]
fn latex_escapes_every_user_string() {
    let tex = hostile().to_latex();
    for s in [
        "\\textless{}script\\textgreater{} & $-$1.50 \\\\",
        " & a \\& b \\\\",
        "\\caption{R\\&D \\textless{}effects\\textgreater{} 100\\% \\#1}",
        "a|b\\_c",
        "Fixed effects: dep\\$t & Yes",
        "CRV1:x\\&y",
        "\\begin{tabular}{lc}",
        "\\toprule",
        "\\midrule",
        "\\bottomrule",
        "\\begin{table}",
        "\\end{table}",
    ] {
        assert!(tex.contains(s), "{s} missing in\n{tex}");
    }
    assert!(!tex.contains('\u{2212}'), "no Unicode minus in LaTeX");
    // Without a title: a bare tabular.
    let bare = RegressionTable::new().model("m", &fake(&[("x", 1.0, 0.1)])).to_latex();
    assert!(bare.starts_with("\\begin{tabular}") && !bare.contains("\\begin{table}"));
}

#[test]
fn typst_and_markdown_escape_every_user_string() {
    let typ = hostile().to_typst();
    for s in ["[\\<script\\>]", "[a & b]", "caption: [R&D \\<effects\\> 100% \\#1]", "[a|b\\_c]", "[CRV1:x&y]"] {
        assert!(typ.contains(s), "{s} missing in\n{typ}");
    }
    assert!(typ.starts_with("#figure(\n  table(\n    columns: 2,"));
    let md = hostile().to_markdown();
    for s in ["| &lt;script&gt;", "a &amp; b", "a\\|b\\_c", "**R&amp;D &lt;effects&gt; 100% #1**", "co\\_"] {
        assert!(md.contains(s), "{s} missing in\n{md}");
    }
    // Every table line has the same number of unescaped pipes.
    let pipes: Vec<usize> =
        md.lines().filter(|l| l.starts_with('|')).map(|l| l.replace("\\|", "").matches('|').count()).collect();
    assert!(pipes.iter().all(|&n| n == 3), "{pipes:?}\n{md}");
}

// ---------------------------------------------------------------------------------------------
// CSV.

/// The fields of one CSV line (RFC 4180 quoting, no newline inside fields).
fn csv_fields(line: &str) -> Vec<String> {
    let (mut fields, mut field, mut quoted, mut chars) = (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[test]
fn csv_reads_back_to_the_same_numbers() {
    let t = table();
    let csv = t.to_csv();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[..4], ["model", "term", "label", "estimate"]);
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mut n = 0;
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), header.len(), "{line}");
        let (_, fit) = fits().iter().find(|(l, _)| *l == fields[0]).unwrap();
        let row = fit.tidy().row(fields[col("term")]).unwrap().clone();
        for (name, want) in [
            ("estimate", row.estimate),
            ("std_error", row.std_error),
            ("statistic", row.statistic),
            ("p_value", row.p_value),
            ("conf_low", row.conf_low),
            ("conf_high", row.conf_high),
        ] {
            let got: f64 = fields[col(name)].parse().unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{name} in {line}");
        }
        assert_eq!(fields[col("conf_level")], "0.95");
        n += 1;
    }
    let expected: usize = fits().iter().map(|(_, f)| f.tidy().rows.len()).sum();
    assert_eq!(n, expected);

    let glance = t.to_csv_glance();
    let mut lines = glance.lines();
    assert_eq!(lines.next(), Some("model,name,value"));
    let rows: Vec<Vec<String>> = lines.map(csv_fields).collect();
    assert!(rows.iter().all(|r| r.len() == 3));
    assert!(rows.contains(&vec!["Two-way FE".into(), "nobs".into(), "4360".into()]));
    assert!(rows.contains(&vec!["Pooled".into(), "vcov_type".into(), "HC1".into()]));
    // The fixed-effect list has a comma: quoted.
    assert!(glance.contains("Two-way FE,fixed_effects,\"nr, year\""));
    assert!(rows.contains(&vec!["Two-way FE".into(), "fixed_effects".into(), "nr, year".into()]));
    let r2 = rows.iter().find(|r| r[0] == "Pooled" && r[1] == "r2").unwrap()[2].parse::<f64>().unwrap();
    match fits()[1].1.glance().get("r2") {
        Some(phare_core::GlanceValue::Float(x)) => assert_eq!(r2.to_bits(), x.to_bits()),
        other => panic!("r2 {other:?}"),
    }
}

#[test]
fn csv_quotes_text_fields() {
    let csv = hostile().to_csv();
    assert!(csv.lines().nth(1).unwrap().starts_with("a & b,<script>,<script>,-1.5,0.5,-3.0,"), "{csv}");
    let csv = RegressionTable::new().model("x, \"y\"", &fake(&[("t", 1.0, 0.1)])).rename("t", "T, t").to_csv();
    let line = csv.lines().nth(1).unwrap();
    assert!(line.starts_with("\"x, \"\"y\"\"\",t,\"T, t\",1.0,"), "{line}");
    let fields = csv_fields(line);
    assert_eq!(fields.len(), csv_fields(csv.lines().next().unwrap()).len());
    assert_eq!(fields[..3], ["x, \"y\"", "t", "T, t"]);
}

#[test]
fn an_empty_table_renders() {
    let t = RegressionTable::new();
    assert_eq!(t.n_models(), 0);
    assert!(t.to_markdown().starts_with("|     |\n| :-- |\n"));
    assert!(t.to_html().contains("</table>"));
    assert!(t.to_latex().contains("\\begin{tabular}{l}"));
    assert!(t.to_typst().contains("columns: 1"));
    assert_eq!(t.to_csv().lines().count(), 1);
}
