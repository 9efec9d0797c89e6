//! [`Summary`]: a fitted model rendered for people, as text, Markdown, HTML or LaTeX.
//!
//! The summary never computes a statistic: it lays out the [`Tidy`] and [`Glance`] tables and the
//! diagnostics it is given. User-provided strings (terms, column names, the call) are escaped for the
//! target format, so a column named `<script>` is shown, never executed.

use crate::diagnostic::Diagnostic;
use crate::estimates::{Glance, Tidy, TidyRow};
use std::fmt;

/// A renderable summary of one fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The design's short name.
    pub design: String,
    /// The call that produced the fit.
    pub call: String,
    /// One row per term.
    pub tidy: Tidy,
    /// Model-level facts.
    pub glance: Glance,
    /// What the fit noticed.
    pub diagnostics: Vec<Diagnostic>,
}

const HEADERS: [&str; 7] = ["", "Estimate", "Std. Error", "Statistic", "p-value", "Low", "High"];

impl Summary {
    /// Builds a summary from its parts.
    pub fn new(design: &str, call: String, tidy: Tidy, glance: Glance, diagnostics: Vec<Diagnostic>) -> Self {
        Summary { design: design.to_string(), call, tidy, glance, diagnostics }
    }

    fn level_label(&self) -> String {
        let pct = self.tidy.level.value() * 100.0;
        if (pct - pct.round()).abs() < 1e-9 { format!("{} % CI", pct.round() as i64) } else { format!("{pct} % CI") }
    }

    fn cells(row: &TidyRow) -> [String; 7] {
        [
            row.term.clone(),
            format_number(row.estimate),
            format_number(row.std_error),
            format_number(row.statistic),
            format_p_value(row.p_value),
            format_number(row.conf_low),
            format_number(row.conf_high),
        ]
    }

    fn glance_line(&self) -> String {
        self.glance.entries().iter().map(|(n, v)| format!("{n} = {v}")).collect::<Vec<_>>().join(", ")
    }

    /// Plain text for a terminal, columns aligned.
    pub fn to_text(&self) -> String {
        let mut rows: Vec<[String; 7]> = vec![HEADERS.map(String::from)];
        rows.extend(self.tidy.rows.iter().map(Self::cells));
        let widths: Vec<usize> = (0..7).map(|j| rows.iter().map(|r| r[j].chars().count()).max().unwrap_or(0)).collect();
        let mut out = format!("{}: {}\n", self.design, self.call);
        out.push_str(&format!("Intervals: {}\n", self.level_label()));
        for r in &rows {
            let line: Vec<String> = r
                .iter()
                .enumerate()
                .map(
                    |(j, c)| if j == 0 { format!("{c:<w$}", w = widths[j]) } else { format!("{c:>w$}", w = widths[j]) },
                )
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
        out.push_str("---\n");
        out.push_str(&self.glance_line());
        out.push('\n');
        for d in &self.diagnostics {
            out.push_str(&d.to_string());
            out.push('\n');
        }
        out
    }

    /// GitHub-flavoured Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("**{}**: `{}`\n\n", escape_markdown(&self.design), self.call.replace('`', "'"));
        let mut head = HEADERS.map(String::from);
        head[0] = "Term".into();
        head[5] = format!("{} low", self.level_label());
        head[6] = format!("{} high", self.level_label());
        out.push_str(&format!("| {} |\n", head.join(" | ")));
        out.push_str("|:--|--:|--:|--:|--:|--:|--:|\n");
        for r in &self.tidy.rows {
            let mut c = Self::cells(r);
            c[0] = escape_markdown(&c[0]);
            out.push_str(&format!("| {} |\n", c.join(" | ")));
        }
        out.push('\n');
        out.push_str(&escape_markdown(&self.glance_line()));
        out.push('\n');
        for d in &self.diagnostics {
            out.push_str(&format!("\n> {}", escape_markdown(&d.to_string())));
        }
        if !self.diagnostics.is_empty() {
            out.push('\n');
        }
        out
    }

    /// An HTML fragment (a `<table>` with caption and footer; no script, no external asset).
    pub fn to_html(&self) -> String {
        let mut out = String::from("<table class=\"phare-summary\">\n");
        out.push_str(&format!(
            "<caption>{}: <code>{}</code></caption>\n<thead><tr>",
            escape_html(&self.design),
            escape_html(&self.call)
        ));
        for (j, h) in HEADERS.iter().enumerate() {
            let h = match j {
                5 => format!("{} low", self.level_label()),
                6 => format!("{} high", self.level_label()),
                _ => h.to_string(),
            };
            out.push_str(&format!("<th>{}</th>", escape_html(&h)));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for r in &self.tidy.rows {
            out.push_str("<tr>");
            for (j, c) in Self::cells(r).iter().enumerate() {
                let tag = if j == 0 { "th" } else { "td" };
                out.push_str(&format!("<{tag}>{}</{tag}>", escape_html(c)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str(&format!(
            "</tbody>\n<tfoot><tr><td colspan=\"7\">{}</td></tr>\n",
            escape_html(&self.glance_line())
        ));
        for d in &self.diagnostics {
            out.push_str(&format!("<tr><td colspan=\"7\">{}</td></tr>\n", escape_html(&d.to_string())));
        }
        out.push_str("</tfoot>\n</table>\n");
        out
    }

    /// A LaTeX `tabular` (booktabs rules), ready for `\input`.
    pub fn to_latex(&self) -> String {
        let mut out = String::from("\\begin{tabular}{lrrrrrr}\n\\toprule\n");
        let mut head: Vec<String> = HEADERS.iter().map(|h| escape_latex(h)).collect();
        head[5] = format!("{} low", escape_latex(&self.level_label()));
        head[6] = format!("{} high", escape_latex(&self.level_label()));
        out.push_str(&head.join(" & "));
        out.push_str(" \\\\\n\\midrule\n");
        for r in &self.tidy.rows {
            let c: Vec<String> = Self::cells(r).iter().map(|c| escape_latex(c)).collect();
            out.push_str(&c.join(" & "));
            out.push_str(" \\\\\n");
        }
        out.push_str("\\bottomrule\n");
        out.push_str(&format!("\\multicolumn{{7}}{{l}}{{{}}} \\\\\n", escape_latex(&self.glance_line())));
        for d in &self.diagnostics {
            out.push_str(&format!("\\multicolumn{{7}}{{l}}{{{}}} \\\\\n", escape_latex(&d.to_string())));
        }
        out.push_str("\\end{tabular}\n");
        out
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// Formats a number with about six significant digits, plainly: `-0.0105`, `7.41400`, `1.2e-7`.
/// Non-finite values print as `NaN`, `Inf`, `-Inf`.
pub fn format_number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Inf".into() } else { "-Inf".into() };
    }
    if x == 0.0 {
        return "0".into();
    }
    let mag = x.abs().log10().floor() as i32;
    if !(-4..=8).contains(&mag) {
        return format!("{x:.4e}");
    }
    let decimals = (5 - mag).clamp(0, 8) as usize;
    format!("{x:.decimals$}")
}

/// Formats a p-value: four decimals, or `<0.0001`.
pub fn format_p_value(p: f64) -> String {
    if p.is_nan() {
        "NaN".into()
    } else if p < 1e-4 {
        "<0.0001".into()
    } else {
        format!("{p:.4}")
    }
}

/// Escapes `& < > " '` for HTML text and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes the characters LaTeX treats specially.
pub fn escape_latex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '<' => out.push_str("\\textless{}"),
            '>' => out.push_str("\\textgreater{}"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes Markdown table and emphasis characters, and the HTML that Markdown passes through
/// (`&`, `<`, `>`; quotes stay as they are, since Markdown text is not an attribute value).
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let html = s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    for c in html.chars() {
        if matches!(c, '|' | '*' | '_' | '`' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimates::{Coefficient, ConfidenceLevel, Reference};

    fn summary(term: &str) -> Summary {
        let tidy = Tidy::from_coefficients(
            &[Coefficient::new(term, -0.0105, 0.0233)],
            Reference::Normal,
            ConfidenceLevel::NINETY_FIVE,
        );
        Summary::new(
            "did-2x2",
            "did(y ~ d)".into(),
            tidy,
            Glance::new().with("nobs", 500usize),
            vec![Diagnostic::note("n", "2 rows dropped")],
        )
    }

    #[test]
    fn numbers_format_plainly() {
        assert_eq!(format_number(-0.0105), "-0.0105000");
        assert_eq!(format_number(7.414), "7.41400");
        assert_eq!(format_number(123456.0), "123456");
        assert_eq!(format_number(1.2e-7), "1.2000e-7");
        assert_eq!(format_p_value(1e-9), "<0.0001");
    }

    #[test]
    fn text_contains_terms_glance_and_notes() {
        let t = summary("ATT").to_text();
        assert!(t.contains("ATT"));
        assert!(t.contains("nobs = 500"));
        assert!(t.contains("NOTE: 2 rows dropped"));
        assert!(t.contains("95 % CI"));
    }

    #[test]
    fn user_strings_are_escaped_everywhere() {
        let s = summary("<script>alert(1)</script>");
        let html = s.to_html();
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!s.to_markdown().contains("<script>"));
        let latex = summary("a_b & 50%").to_latex();
        assert!(latex.contains("a\\_b \\& 50\\%"));
    }
}
