//! Multi-model regression tables, in the spirit of fixest's `etable` and R's `modelsummary`.
//!
//! A [`RegressionTable`] puts several fits side by side: one column per model, one row per term
//! (the union of the models' terms, in first-seen order) with the estimate and, on a second line,
//! its standard error, interval, t statistic or p-value ([`CellStat`]); then a footer with
//! model-level facts (observations, fixed effects, clusters, R², the variance estimator) and notes.
//!
//! The table is built from the results contract only: each model's [`Tidy`] and [`Glance`] are
//! taken when it is added ([`RegressionTable::model`]), so the table holds no reference to the fit.
//! It computes nothing: every number shown is a field of those tables, rounded for display.
//!
//! It renders to Markdown ([`RegressionTable::to_markdown`], also its [`Display`](std::fmt::Display)),
//! an HTML fragment ([`RegressionTable::to_html`]), LaTeX with booktabs rules
//! ([`RegressionTable::to_latex`]), Typst ([`RegressionTable::to_typst`]) and long-form CSV for
//! machines ([`RegressionTable::to_csv`], [`RegressionTable::to_csv_glance`]). Numbers follow the
//! language ([`Lang::Fr`]: decimal comma, `IC à 95 %`, translated row labels) and negative numbers
//! use the true minus sign `−`. Every string that came from the user or the data (title, model
//! labels, term names, fixed-effect names, notes) is escaped for the output format.
//!
//! # Defaults
//!
//! | Setting | Default | Method |
//! |---|---|---|
//! | Second line under each estimate | standard error, in parentheses | [`RegressionTable::stat`] |
//! | Significance stars | off (decision briefs report intervals, not stars) | [`RegressionTable::stars`] |
//! | Decimals | per coefficient: enough for two significant digits of its standard error | [`RegressionTable::digits`] |
//! | Interval level | 95 % | [`RegressionTable::level`] |
//! | Footer rows | observations, fixed effects, clusters, R², within R², variance estimator | [`RegressionTable::glance_rows`] |
//! | Language | English | [`RegressionTable::lang`] |
//!
//! # Example
//!
//! ```
//! use phare_core::{Coefficient, Estimates, Glance, glance_names};
//! use phare_report::table::{CellStat, RegressionTable};
//! use phare_report::Lang;
//!
//! /// A stand-in for a fitted model (any phare fit implements `Estimates`).
//! struct Fit(f64);
//! impl Estimates for Fit {
//!     fn design(&self) -> &str { "ols" }
//!     fn call(&self) -> String { "ols(y ~ treated)".into() }
//!     fn coefficients(&self) -> Vec<Coefficient> {
//!         vec![Coefficient::new("(Intercept)", 1.5, 0.25), Coefficient::new("treated", self.0, 0.021)]
//!     }
//!     fn glance(&self) -> Glance {
//!         Glance::new().with(glance_names::NOBS, 1200usize).with(glance_names::VCOV_TYPE, "HC1")
//!     }
//! }
//!
//! let table = RegressionTable::new()
//!     .title("Effect of the programme")
//!     .model("Baseline", &Fit(-0.042))
//!     .model("With controls", &Fit(-0.031))
//!     .drop(&["(Intercept)"])
//!     .rename("treated", "Treated");
//! let md = table.to_markdown();
//! assert!(md.contains("| Treated "));
//! assert!(md.contains("\u{2212}0.042")); // true minus sign
//! assert!(md.contains("(0.021)"));
//! assert!(md.contains("1,200"));
//!
//! // French, with 95 % intervals under the estimates.
//! let fr = table.lang(Lang::Fr).stat(CellStat::ConfInt).to_markdown();
//! assert!(fr.contains("\u{2212}0,042"));
//! assert!(fr.contains("IC à 95\u{202F}% entre crochets"));
//! ```

use crate::text::{
    Lang, MINUS, NBSP, NNBSP, csv_field, decimals_for, escape_html, escape_latex, escape_markdown, escape_typst,
};
use phare_core::{ConfidenceLevel, Estimates, Glance, GlanceValue, Tidy, TidyRow, glance_names};
use std::fmt;

/// What is shown on the line under each estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CellStat {
    /// The standard error, in parentheses: `(0.021)`.
    #[default]
    StdError,
    /// The confidence interval at the table's level, in brackets: `[0.01, 0.05]`.
    ConfInt,
    /// The t (or z) statistic, in parentheses: `(2.31)`.
    TStat,
    /// The two-sided p-value, in parentheses: `(0.012)`, `(< 0.001)`.
    PValue,
    /// Nothing: one line per term.
    Hidden,
}

/// The significance thresholds of [`RegressionTable::stars`]: `***` below 0.01, `**` below 0.05,
/// `*` below 0.1 (strict inequalities, two-sided p-values of the fit).
pub const STAR_THRESHOLDS: [(f64, &str); 3] = [(0.01, "***"), (0.05, "**"), (0.1, "*")];

/// The footer rows shown when [`RegressionTable::glance_rows`] is not called, in order: glance
/// names from [`glance_names`]. [`glance_names::FIXED_EFFECTS`] expands to one row per fixed effect.
pub const DEFAULT_GLANCE_ROWS: [&str; 6] = [
    glance_names::NOBS,
    glance_names::FIXED_EFFECTS,
    glance_names::N_CLUSTERS,
    glance_names::R2,
    glance_names::WITHIN_R2,
    glance_names::VCOV_TYPE,
];

/// One model as the table keeps it: what its fit reported when it was added.
#[derive(Debug, Clone, PartialEq)]
struct Column {
    label: String,
    tidy: Tidy,
    glance: Glance,
}

/// A table of several fitted models side by side (see the [module documentation](self)).
///
/// Builder-style: every setter takes and returns the table, so a table is one expression. The
/// order of the setters does not matter, except [`level`](Self::level), which applies to the
/// models added after it.
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionTable {
    columns: Vec<Column>,
    level: ConfidenceLevel,
    stat: CellStat,
    stars: bool,
    digits: Option<usize>,
    keep: Option<Vec<String>>,
    drop: Vec<String>,
    order: Vec<String>,
    renames: Vec<(String, String)>,
    title: Option<String>,
    notes: Vec<String>,
    lang: Lang,
    glance_rows: Option<Vec<String>>,
    glance_labels: Vec<(String, String)>,
}

impl Default for RegressionTable {
    fn default() -> Self {
        RegressionTable::new()
    }
}

/// A cell of the table, before it is rendered for one format.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    /// Nothing (the model has no such term or fact).
    Empty,
    /// A number or a statistic formatted by the table (no user text), with its stars.
    Number { text: String, stars: &'static str },
    /// Text from the user or the data (a vcov label): escaped like any user string.
    Text(String),
    /// A fixed effect present (`true`) or absent in a model.
    Mark(bool),
}

/// A labelled row of cells, one per model.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    label: String,
    cells: Vec<Cell>,
}

/// A term's two lines: the estimates and the statistic under them.
#[derive(Debug, Clone, PartialEq)]
struct TermRows {
    estimates: Row,
    stats: Option<Row>,
}

/// The table laid out, independent of the output format.
#[derive(Debug, Clone, PartialEq)]
struct Layout {
    header: Vec<String>,
    body: Vec<TermRows>,
    footer: Vec<Row>,
    notes: Vec<String>,
}

impl RegressionTable {
    /// An empty table: no model yet, the defaults of the [module documentation](self).
    pub fn new() -> Self {
        RegressionTable {
            columns: Vec::new(),
            level: ConfidenceLevel::NINETY_FIVE,
            stat: CellStat::StdError,
            stars: false,
            digits: None,
            keep: None,
            drop: Vec::new(),
            order: Vec::new(),
            renames: Vec::new(),
            title: None,
            notes: Vec::new(),
            lang: Lang::En,
            glance_rows: None,
            glance_labels: Vec::new(),
        }
    }

    /// Adds a model as a new column headed `label` (an empty label becomes `(1)`, `(2)`, … by
    /// position). Its tidy table (at the table's current [`level`](Self::level), through
    /// [`Estimates::tidy_at`]) and glance row are copied now; the fit is not kept.
    pub fn model(self, label: &str, fit: &dyn Estimates) -> Self {
        let tidy = fit.tidy_at(self.level.value()).unwrap_or_else(|_| fit.tidy());
        self.model_parts(label, tidy, fit.glance())
    }

    /// Adds a model from its tidy table and glance row, for results that were stored or read back
    /// rather than fitted now (for example from phare's JSON output).
    pub fn model_parts(mut self, label: &str, tidy: Tidy, glance: Glance) -> Self {
        let label = if label.is_empty() { format!("({})", self.columns.len() + 1) } else { label.to_string() };
        self.columns.push(Column { label, tidy, glance });
        self
    }

    /// The confidence level of the intervals of the models added after this call (default 95 %).
    /// The table keeps no reference to the fits, so call it before [`model`](Self::model).
    ///
    /// ```
    /// use phare_core::ConfidenceLevel;
    /// use phare_report::table::{CellStat, RegressionTable};
    /// let table = RegressionTable::new().level(ConfidenceLevel::new(0.9).unwrap()).stat(CellStat::ConfInt);
    /// ```
    pub fn level(mut self, level: ConfidenceLevel) -> Self {
        self.level = level;
        self
    }

    /// What to show under each estimate (default [`CellStat::StdError`]).
    pub fn stat(mut self, stat: CellStat) -> Self {
        self.stat = stat;
        self
    }

    /// Significance stars after the estimates, with a note giving the thresholds
    /// ([`STAR_THRESHOLDS`]: `***` p < 0.01, `**` p < 0.05, `*` p < 0.1). Off by default: a
    /// decision brief reports effects with their intervals, and stars invite reading 0.049 and
    /// 0.051 as opposite findings.
    pub fn stars(mut self, yes: bool) -> Self {
        self.stars = yes;
        self
    }

    /// Decimals of estimates, standard errors, intervals and t statistics. `None` (the default)
    /// chooses them per coefficient so that its standard error shows two significant digits
    /// ([`decimals_for`], at most 6); t statistics then show 2.
    pub fn digits(mut self, digits: Option<usize>) -> Self {
        self.digits = digits;
        self
    }

    /// Shows only these terms (exact names). Combined with [`drop`](Self::drop), a term must be
    /// kept and not dropped. Terms that no model has are ignored.
    pub fn keep(mut self, terms: &[&str]) -> Self {
        self.keep = Some(terms.iter().map(|t| t.to_string()).collect());
        self
    }

    /// Hides these terms (exact names), for example `(Intercept)`.
    pub fn drop(mut self, terms: &[&str]) -> Self {
        self.drop.extend(terms.iter().map(|t| t.to_string()));
        self
    }

    /// Puts these terms first, in this order (exact names); the others follow in first-seen order.
    pub fn order(mut self, terms: &[&str]) -> Self {
        self.order = terms.iter().map(|t| t.to_string()).collect();
        self
    }

    /// Shows `term` as `label`. Terms renamed to the same label share a row, which lines up a
    /// quantity that models name differently (a model has at most one term per row: the first).
    pub fn rename(mut self, term: &str, label: &str) -> Self {
        self.renames.retain(|(t, _)| t != term);
        self.renames.push((term.to_string(), label.to_string()));
        self
    }

    /// A title: the caption in HTML, LaTeX (`table` environment) and Typst (`figure`), a bold
    /// line above the table in Markdown.
    pub fn title(mut self, title: &str) -> Self {
        self.title = Some(title.to_string());
        self
    }

    /// Adds a note under the table (after the notes the table writes itself: what the second
    /// line shows, the star thresholds). Call it again for more notes.
    pub fn notes(mut self, note: &str) -> Self {
        self.notes.push(note.to_string());
        self
    }

    /// The language of numbers, row labels and notes (default [`Lang::En`]).
    pub fn lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    /// The footer rows, by glance name ([`glance_names`] or a design's own, such as
    /// `effective_f`), in order. [`glance_names::FIXED_EFFECTS`] expands to one row per fixed
    /// effect seen in any model, marked `✓` where the model has it. A row no model reports is
    /// left out. Pass an empty slice for no footer. Default: [`DEFAULT_GLANCE_ROWS`].
    pub fn glance_rows(mut self, names: &[&str]) -> Self {
        self.glance_rows = Some(names.iter().map(|n| n.to_string()).collect());
        self
    }

    /// The label of the footer row of glance entry `name` (known names have translated labels;
    /// others are shown by name unless given one here).
    pub fn glance_label(mut self, name: &str, label: &str) -> Self {
        self.glance_labels.retain(|(n, _)| n != name);
        self.glance_labels.push((name.to_string(), label.to_string()));
        self
    }

    /// The number of models.
    pub fn n_models(&self) -> usize {
        self.columns.len()
    }

    /// The terms shown, in row order, after [`keep`](Self::keep), [`drop`](Self::drop) and
    /// [`order`](Self::order) (names as the fits report them, before renaming).
    pub fn terms(&self) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for c in &self.columns {
            for r in &c.tidy.rows {
                if !seen.contains(&r.term) {
                    seen.push(r.term.clone());
                }
            }
        }
        seen.retain(|t| self.keep.as_ref().is_none_or(|k| k.contains(t)) && !self.drop.contains(t));
        let mut ordered: Vec<String> = self.order.iter().filter(|t| seen.contains(t)).cloned().collect();
        ordered.dedup();
        let mut out: Vec<String> = Vec::new();
        for t in ordered.into_iter().chain(seen) {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    fn term_label<'a>(&'a self, term: &'a str) -> &'a str {
        self.renames.iter().find(|(t, _)| t == term).map_or(term, |(_, l)| l.as_str())
    }

    /// The row labels and, per label, the terms it gathers (first-seen order).
    fn row_groups(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for term in self.terms() {
            let label = self.term_label(&term).to_string();
            match groups.iter_mut().find(|(l, _)| *l == label) {
                Some((_, terms)) => terms.push(term),
                None => groups.push((label, vec![term])),
            }
        }
        groups
    }

    fn decimals(&self, row: &TidyRow) -> usize {
        self.digits.unwrap_or_else(|| decimals_for(row.std_error, 2))
    }

    fn star_mark(&self, p: f64) -> &'static str {
        if !self.stars || p.is_nan() {
            return "";
        }
        STAR_THRESHOLDS.iter().find(|(cut, _)| p < *cut).map_or("", |(_, s)| s)
    }

    fn stat_text(&self, row: &TidyRow) -> Option<String> {
        let l = self.lang;
        let d = self.decimals(row);
        match self.stat {
            CellStat::StdError => Some(format!("({})", l.number(row.std_error, d))),
            CellStat::ConfInt => Some(l.interval(row.conf_low, row.conf_high, d)),
            CellStat::TStat => Some(format!("({})", l.number(row.statistic, self.digits.unwrap_or(2)))),
            CellStat::PValue => Some(format!("({})", l.p_value(row.p_value))),
            CellStat::Hidden => None,
        }
    }

    fn glance_row_label(&self, name: &str) -> String {
        if let Some((_, l)) = self.glance_labels.iter().find(|(n, _)| n == name) {
            return l.clone();
        }
        let l = self.lang;
        let label = match name {
            glance_names::NOBS => "Observations",
            glance_names::N_CLUSTERS => l.pick("Clusters", "Grappes"),
            glance_names::N_UNITS => l.pick("Units", "Unités"),
            glance_names::N_PERIODS => l.pick("Periods", "Périodes"),
            glance_names::N_TREATED => l.pick("Treated units", "Unités traitées"),
            glance_names::N_CONTROL => l.pick("Control units", "Unités témoins"),
            glance_names::R2 => "R²",
            glance_names::ADJ_R2 => l.pick("Adjusted R²", "R² ajusté"),
            glance_names::WITHIN_R2 => l.pick("Within R²", "R² intra"),
            glance_names::VCOV_TYPE => l.pick("Standard errors", "Écarts-types"),
            glance_names::CONF_LEVEL => l.pick("Confidence level", "Niveau de confiance"),
            glance_names::SEED => l.pick("Seed", "Graine"),
            other => other,
        };
        label.to_string()
    }

    fn glance_cell(&self, name: &str, value: &GlanceValue) -> Cell {
        let l = self.lang;
        let number = |text: String| Cell::Number { text, stars: "" };
        match value {
            GlanceValue::Int(i) => number(l.number(*i as f64, 0)),
            GlanceValue::Float(x) => {
                let decimals = match name {
                    glance_names::R2 | glance_names::ADJ_R2 | glance_names::WITHIN_R2 => 3,
                    glance_names::CONF_LEVEL => return number(l.percent(*x, 0)),
                    _ if x.abs() >= 100.0 => 1,
                    _ => 2,
                };
                number(l.number(*x, decimals))
            }
            GlanceValue::Bool(b) => number(if *b { l.pick("Yes", "Oui") } else { l.pick("No", "Non") }.to_string()),
            GlanceValue::Text(s) => Cell::Text(s.clone()),
        }
    }

    /// Fixed-effect names of one model (from its `fixed_effects` glance entry).
    fn fixed_effects(glance: &Glance) -> Vec<String> {
        match glance.get(glance_names::FIXED_EFFECTS) {
            Some(GlanceValue::Text(s)) => {
                s.split(',').map(str::trim).filter(|n| !n.is_empty()).map(String::from).collect()
            }
            _ => Vec::new(),
        }
    }

    fn footer(&self) -> Vec<Row> {
        let names: Vec<String> = match &self.glance_rows {
            Some(n) => n.clone(),
            None => DEFAULT_GLANCE_ROWS.iter().map(|n| n.to_string()).collect(),
        };
        let mut rows = Vec::new();
        for name in &names {
            if name == glance_names::FIXED_EFFECTS {
                let mut all: Vec<String> = Vec::new();
                for c in &self.columns {
                    for fe in Self::fixed_effects(&c.glance) {
                        if !all.contains(&fe) {
                            all.push(fe);
                        }
                    }
                }
                for fe in all {
                    let label = match self.lang {
                        Lang::En => format!("Fixed effects: {fe}"),
                        Lang::Fr => format!("Effets fixes{NNBSP}: {fe}"),
                    };
                    let cells =
                        self.columns.iter().map(|c| Cell::Mark(Self::fixed_effects(&c.glance).contains(&fe))).collect();
                    rows.push(Row { label, cells });
                }
                continue;
            }
            let cells: Vec<Cell> = self
                .columns
                .iter()
                .map(|c| c.glance.get(name).map_or(Cell::Empty, |v| self.glance_cell(name, v)))
                .collect();
            if cells.iter().any(|c| *c != Cell::Empty) {
                rows.push(Row { label: self.glance_row_label(name), cells });
            }
        }
        rows
    }

    fn table_notes(&self) -> Vec<String> {
        let l = self.lang;
        let mut notes = Vec::new();
        match self.stat {
            CellStat::StdError => {
                notes.push(l.pick("Standard errors in parentheses.", "Écarts-types entre parenthèses.").to_string())
            }
            CellStat::ConfInt => {
                let mut levels: Vec<String> = Vec::new();
                for c in &self.columns {
                    let label = l.ci_label(c.tidy.level.value());
                    if !levels.contains(&label) {
                        levels.push(label);
                    }
                }
                if levels.is_empty() {
                    levels.push(l.ci_label(self.level.value()));
                }
                let levels = levels.join(", ");
                notes.push(match l {
                    Lang::En => format!("{levels} in brackets."),
                    Lang::Fr => format!("{levels} entre crochets."),
                });
            }
            CellStat::TStat => {
                notes.push(l.pick("t statistics in parentheses.", "Statistiques t entre parenthèses.").into())
            }
            CellStat::PValue => notes.push(l.pick("p-values in parentheses.", "Valeurs p entre parenthèses.").into()),
            CellStat::Hidden => {}
        }
        if self.stars {
            let parts: Vec<String> =
                STAR_THRESHOLDS.iter().map(|(cut, s)| format!("{s} p{NBSP}<{NBSP}{}", l.number(*cut, 2))).collect();
            notes.push(format!("{}.", parts.join(", ")));
        }
        notes.extend(self.notes.iter().cloned());
        notes
    }

    fn layout(&self) -> Layout {
        let header = self.columns.iter().map(|c| c.label.clone()).collect();
        let body = self
            .row_groups()
            .into_iter()
            .map(|(label, terms)| {
                let found: Vec<Option<&TidyRow>> =
                    self.columns.iter().map(|c| terms.iter().find_map(|t| c.tidy.row(t))).collect();
                let estimates = found
                    .iter()
                    .map(|r| {
                        r.map_or(Cell::Empty, |r| Cell::Number {
                            text: self.lang.number(r.estimate, self.decimals(r)),
                            stars: self.star_mark(r.p_value),
                        })
                    })
                    .collect();
                let stats = (self.stat != CellStat::Hidden).then(|| Row {
                    label: String::new(),
                    cells: found
                        .iter()
                        .map(|r| {
                            r.and_then(|r| self.stat_text(r))
                                .map_or(Cell::Empty, |text| Cell::Number { text, stars: "" })
                        })
                        .collect(),
                });
                TermRows { estimates: Row { label, cells: estimates }, stats }
            })
            .collect();
        Layout { header, body, footer: self.footer(), notes: self.table_notes() }
    }

    /// A GitHub-flavoured Markdown pipe table: one row for the estimates and one for the
    /// statistic under them, then the footer rows; the title in bold above, the notes below.
    /// Stars are written `\*` so that they never turn into emphasis.
    pub fn to_markdown(&self) -> String {
        let layout = self.layout();
        let cell = |c: &Cell| match c {
            Cell::Empty => String::new(),
            Cell::Number { text, stars } => format!("{text}{}", stars.replace('*', "\\*")),
            Cell::Text(s) => escape_markdown(s),
            Cell::Mark(true) => "✓".into(),
            Cell::Mark(false) => "—".into(),
        };
        let mut lines: Vec<Vec<String>> = Vec::new();
        lines.push(std::iter::once(String::new()).chain(layout.header.iter().map(|h| escape_markdown(h))).collect());
        for t in &layout.body {
            lines.push(
                std::iter::once(escape_markdown(&t.estimates.label))
                    .chain(t.estimates.cells.iter().map(cell))
                    .collect(),
            );
            if let Some(s) = &t.stats {
                lines.push(std::iter::once(String::new()).chain(s.cells.iter().map(cell)).collect());
            }
        }
        for r in &layout.footer {
            lines.push(std::iter::once(escape_markdown(&r.label)).chain(r.cells.iter().map(cell)).collect());
        }
        let n = layout.header.len() + 1;
        let widths: Vec<usize> =
            (0..n).map(|j| lines.iter().map(|l| l[j].chars().count()).max().unwrap_or(0).max(3)).collect();
        let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w - s.chars().count()));
        let mut out = String::new();
        if let Some(t) = &self.title {
            out.push_str(&format!("**{}**\n\n", escape_markdown(t)));
        }
        let render = |l: &Vec<String>| {
            let cells: Vec<String> = l.iter().zip(&widths).map(|(c, w)| pad(c, *w)).collect();
            format!("| {} |\n", cells.join(" | "))
        };
        out.push_str(&render(&lines[0]));
        let rule: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(j, w)| if j == 0 { format!(":{}", "-".repeat(w - 1)) } else { format!(":{}:", "-".repeat(w - 2)) })
            .collect();
        out.push_str(&format!("| {} |\n", rule.join(" | ")));
        for l in &lines[1..] {
            out.push_str(&render(l));
        }
        if !layout.notes.is_empty() {
            out.push('\n');
            let notes: Vec<String> = layout.notes.iter().map(|n| escape_markdown(n)).collect();
            out.push_str(&notes.join("<br>\n"));
            out.push('\n');
        }
        out
    }

    /// An HTML fragment: `<table class="phare-table">` with a caption (the title), `thead`
    /// (model labels), `tbody` (estimates; the statistic rows have class `phare-stat`) and
    /// `tfoot` (footer rows, class `phare-glance`, then notes, class `phare-note`). No script,
    /// no style, no external asset; every string is escaped.
    pub fn to_html(&self) -> String {
        let layout = self.layout();
        let n = layout.header.len() + 1;
        let cell = |c: &Cell| match c {
            Cell::Empty => "<td></td>".to_string(),
            Cell::Number { text, stars: "" } => format!("<td>{}</td>", escape_html(text)),
            Cell::Number { text, stars } => format!("<td>{}<sup>{stars}</sup></td>", escape_html(text)),
            Cell::Text(s) => format!("<td>{}</td>", escape_html(s)),
            Cell::Mark(true) => "<td>✓</td>".to_string(),
            Cell::Mark(false) => "<td>—</td>".to_string(),
        };
        let row = |class: Option<&str>, label: &str, cells: &[Cell]| {
            let class = class.map(|c| format!(" class=\"{c}\"")).unwrap_or_default();
            let cells: String = cells.iter().map(cell).collect();
            format!("<tr{class}><th scope=\"row\">{}</th>{cells}</tr>\n", escape_html(label))
        };
        let mut out = format!("<table class=\"phare-table\" lang=\"{}\">\n", self.lang.code());
        if let Some(t) = &self.title {
            out.push_str(&format!("<caption>{}</caption>\n", escape_html(t)));
        }
        out.push_str("<thead>\n<tr><th></th>");
        for h in &layout.header {
            out.push_str(&format!("<th scope=\"col\">{}</th>", escape_html(h)));
        }
        out.push_str("</tr>\n</thead>\n<tbody>\n");
        for t in &layout.body {
            out.push_str(&row(None, &t.estimates.label, &t.estimates.cells));
            if let Some(s) = &t.stats {
                out.push_str(&row(Some("phare-stat"), "", &s.cells));
            }
        }
        out.push_str("</tbody>\n");
        if !layout.footer.is_empty() || !layout.notes.is_empty() {
            out.push_str("<tfoot>\n");
            for r in &layout.footer {
                out.push_str(&row(Some("phare-glance"), &r.label, &r.cells));
            }
            for note in &layout.notes {
                out.push_str(&format!(
                    "<tr class=\"phare-note\"><td colspan=\"{n}\">{}</td></tr>\n",
                    escape_html(note)
                ));
            }
            out.push_str("</tfoot>\n");
        }
        out.push_str("</table>\n");
        out
    }

    /// LaTeX with booktabs rules (`\toprule`, `\midrule`, `\bottomrule`; needs
    /// `\usepackage{booktabs}`): a `tabular` with one `l` column and one `c` column per model,
    /// inside a `table` environment with `\caption` when a title is set. Notes are
    /// `\multicolumn` rows under the bottom rule.
    ///
    /// Negative numbers are written `$-$` (a true minus sign in any LaTeX setup, where the
    /// Unicode `−` would need a font that has it); French thousands separators become `\,`;
    /// stars are superscripts `$^{***}$`; fixed effects are marked `Yes`/`No` (`Oui`/`Non`),
    /// which need no extra package.
    pub fn to_latex(&self) -> String {
        let layout = self.layout();
        let l = self.lang;
        let text = |s: &str| latex_symbols(&escape_latex(s));
        let cell = |c: &Cell| match c {
            Cell::Empty => String::new(),
            Cell::Number { text: t, stars: "" } => text(t),
            Cell::Number { text: t, stars } => format!("{}$^{{{stars}}}$", text(t)),
            Cell::Text(s) => text(s),
            Cell::Mark(true) => l.pick("Yes", "Oui").to_string(),
            Cell::Mark(false) => l.pick("No", "Non").to_string(),
        };
        let line = |label: &str, cells: &[Cell]| {
            let cells: Vec<String> = std::iter::once(text(label)).chain(cells.iter().map(cell)).collect();
            format!("{} \\\\\n", cells.join(" & "))
        };
        let n = layout.header.len() + 1;
        let mut out = String::new();
        if let Some(t) = &self.title {
            out.push_str(&format!("\\begin{{table}}[htbp]\n\\centering\n\\caption{{{}}}\n", text(t)));
        }
        out.push_str(&format!("\\begin{{tabular}}{{l{}}}\n\\toprule\n", "c".repeat(layout.header.len())));
        let head: Vec<String> = std::iter::once(String::new()).chain(layout.header.iter().map(|h| text(h))).collect();
        out.push_str(&format!("{} \\\\\n\\midrule\n", head.join(" & ")));
        for t in &layout.body {
            out.push_str(&line(&t.estimates.label, &t.estimates.cells));
            if let Some(s) = &t.stats {
                out.push_str(&line("", &s.cells));
            }
        }
        if !layout.footer.is_empty() {
            out.push_str("\\midrule\n");
            for r in &layout.footer {
                out.push_str(&line(&r.label, &r.cells));
            }
        }
        out.push_str("\\bottomrule\n");
        for note in &layout.notes {
            out.push_str(&format!("\\multicolumn{{{n}}}{{l}}{{\\footnotesize {}}} \\\\\n", text(note)));
        }
        out.push_str("\\end{tabular}\n");
        if self.title.is_some() {
            out.push_str("\\end{table}\n");
        }
        out
    }

    /// Typst: a `#table(columns: …, …)` call (inside `#figure(…, caption: […])` when a title is
    /// set), with horizontal rules like booktabs, the header as `table.header`, and the notes as
    /// full-width cells at the bottom. Every cell is Typst markup in `[…]`, escaped.
    pub fn to_typst(&self) -> String {
        let layout = self.layout();
        let n = layout.header.len() + 1;
        let cell = |c: &Cell| match c {
            Cell::Empty => "[]".to_string(),
            Cell::Number { text, stars } => format!("[{}]", escape_typst(&format!("{text}{stars}"))),
            Cell::Text(s) => format!("[{}]", escape_typst(s)),
            Cell::Mark(true) => "[✓]".to_string(),
            Cell::Mark(false) => "[—]".to_string(),
        };
        let line = |label: &str, cells: &[Cell]| {
            let cells: Vec<String> =
                std::iter::once(format!("[{}]", escape_typst(label))).chain(cells.iter().map(cell)).collect();
            format!("  {},\n", cells.join(", "))
        };
        let mut out = String::new();
        let indent = if self.title.is_some() {
            out.push_str("#figure(\n  table(\n");
            "  "
        } else {
            out.push_str("#table(\n");
            ""
        };
        let align: Vec<&str> = std::iter::once("left").chain(layout.header.iter().map(|_| "center")).collect();
        let mut body = String::new();
        body.push_str(&format!("  columns: {n},\n  align: ({}),\n  stroke: none,\n", align.join(", ")));
        body.push_str("  table.hline(),\n");
        let head: Vec<String> = std::iter::once("[]".to_string())
            .chain(layout.header.iter().map(|h| format!("[{}]", escape_typst(h))))
            .collect();
        body.push_str(&format!("  table.header({}),\n", head.join(", ")));
        body.push_str("  table.hline(stroke: 0.5pt),\n");
        for t in &layout.body {
            body.push_str(&line(&t.estimates.label, &t.estimates.cells));
            if let Some(s) = &t.stats {
                body.push_str(&line("", &s.cells));
            }
        }
        if !layout.footer.is_empty() {
            body.push_str("  table.hline(stroke: 0.5pt),\n");
            for r in &layout.footer {
                body.push_str(&line(&r.label, &r.cells));
            }
        }
        body.push_str("  table.hline(),\n");
        for note in &layout.notes {
            body.push_str(&format!(
                "  table.cell(colspan: {n}, align: left)[#text(size: 0.8em)[{}]],\n",
                escape_typst(note)
            ));
        }
        for l in body.lines() {
            out.push_str(indent);
            out.push_str(l);
            out.push('\n');
        }
        if let Some(t) = &self.title {
            out.push_str(&format!("  ),\n  caption: [{}],\n)\n", escape_typst(t)));
        } else {
            out.push_str(")\n");
        }
        out
    }

    /// The coefficients in long form, for machines: a header line, then one line per model and
    /// shown term (the rows of [`terms`](Self::terms), so [`keep`](Self::keep) and
    /// [`drop`](Self::drop) apply), in table order (terms, then models). Columns:
    ///
    /// | Column | Content |
    /// |---|---|
    /// | `model` | the model's label |
    /// | `term` | the term, as the fit names it |
    /// | `label` | the row label (after [`rename`](Self::rename)) |
    /// | `estimate`, `std_error`, `statistic`, `p_value`, `conf_low`, `conf_high` | the tidy columns, unrounded |
    /// | `conf_level` | the level of the interval (`0.95`) |
    /// | `rel_period`, `cohort`, `period` | the tidy keys, empty when the term has none |
    ///
    /// Numbers are written in full precision with a `.` decimal mark whatever the language
    /// (Rust's shortest representation that reads back to the same `f64`: `0.0821`, `1e-7`,
    /// `NaN`, `inf`). Text fields are quoted when they contain a comma, a quote or a newline.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "model,term,label,estimate,std_error,statistic,p_value,conf_low,conf_high,conf_level,rel_period,cohort,period\n",
        );
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        for term in self.terms() {
            for c in &self.columns {
                let Some(r) = c.tidy.row(&term) else { continue };
                let fields = [
                    csv_field(&c.label),
                    csv_field(&r.term),
                    csv_field(self.term_label(&r.term)),
                    csv_number(r.estimate),
                    csv_number(r.std_error),
                    csv_number(r.statistic),
                    csv_number(r.p_value),
                    csv_number(r.conf_low),
                    csv_number(r.conf_high),
                    csv_number(c.tidy.level.value()),
                    opt(r.rel_period.map(|e| e.0)),
                    opt(r.cohort),
                    opt(r.period),
                ];
                out.push_str(&fields.join(","));
                out.push('\n');
            }
        }
        out
    }

    /// Every glance entry of every model in long form (not only the footer rows): columns
    /// `model,name,value`, one line per model and entry, in model then entry order. Counts are
    /// integers, reals are in full precision as in [`to_csv`](Self::to_csv), flags are
    /// `true`/`false`, text is quoted when needed.
    pub fn to_csv_glance(&self) -> String {
        let mut out = String::from("model,name,value\n");
        for c in &self.columns {
            for (name, value) in c.glance.entries() {
                let value = match value {
                    GlanceValue::Int(i) => i.to_string(),
                    GlanceValue::Float(x) => csv_number(*x),
                    GlanceValue::Bool(b) => b.to_string(),
                    GlanceValue::Text(s) => csv_field(s),
                };
                out.push_str(&format!("{},{},{value}\n", csv_field(&c.label), csv_field(name)));
            }
        }
        out
    }
}

impl fmt::Display for RegressionTable {
    /// The Markdown table ([`RegressionTable::to_markdown`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_markdown())
    }
}

/// A number in full precision that reads back to the same `f64`.
fn csv_number(x: f64) -> String {
    format!("{x:?}")
}

/// Text already escaped by [`escape_latex`], with the symbols the number formatting produces
/// (minus sign, narrow and ordinary no-break spaces, infinity) written as LaTeX commands.
fn latex_symbols(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            MINUS => out.push_str("$-$"),
            NNBSP => out.push_str("\\,"),
            NBSP => out.push('~'),
            '∞' => out.push_str("$\\infty$"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use phare_core::{Coefficient, ConfidenceLevel, Reference};

    fn tidy(terms: &[(&str, f64, f64)]) -> Tidy {
        let coefs: Vec<Coefficient> = terms.iter().map(|(t, b, se)| Coefficient::new(*t, *b, *se)).collect();
        Tidy::from_coefficients(&coefs, Reference::Normal, ConfidenceLevel::NINETY_FIVE)
    }

    #[test]
    fn renamed_terms_share_a_row() {
        let t = RegressionTable::new()
            .model_parts("a", tidy(&[("x", 1.0, 0.1)]), Glance::new())
            .model_parts("b", tidy(&[("fit_x", 2.0, 0.1)]), Glance::new())
            .rename("x", "X")
            .rename("fit_x", "X");
        let layout = t.layout();
        assert_eq!(layout.body.len(), 1);
        assert!(layout.body[0].estimates.cells.iter().all(|c| matches!(c, Cell::Number { .. })));
    }

    #[test]
    fn order_puts_terms_first() {
        let t = RegressionTable::new()
            .model_parts("a", tidy(&[("x", 1.0, 0.1), ("y", 1.0, 0.1), ("z", 1.0, 0.1)]), Glance::new())
            .order(&["z", "missing", "y"]);
        assert_eq!(t.terms(), ["z", "y", "x"]);
    }

    #[test]
    fn latex_symbols_replace_unicode() {
        assert_eq!(latex_symbols("\u{2212}1\u{202F}234,5"), "$-$1\\,234,5");
        assert_eq!(csv_number(0.1), "0.1");
        assert_eq!(csv_number(f64::NAN), "NaN");
    }
}
