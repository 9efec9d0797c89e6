//! Languages, numbers and escaping.
//!
//! Every string a report shows goes through this module: numbers are formatted for the reader's
//! language (French: decimal comma, thin no-break space between thousands, `IC à 95 %`), and text
//! that came from the user or the data (titles, column names, labels) is escaped for the output
//! format, so that a column named `<script>` is shown as text and never runs.

pub use phare_core::summary::{escape_html, escape_latex, escape_markdown};

/// The language of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English: `1,234.5`, `95% CI`.
    #[default]
    En,
    /// French: `1 234,5`, `IC à 95 %` (French typography: no-break spaces before `%`, `:`, `;`,
    /// `?`, `!` and inside guillemets).
    Fr,
}

/// U+202F NARROW NO-BREAK SPACE: French thousands separator and space before `;:!?%`.
pub const NNBSP: char = '\u{202F}';
/// U+00A0 NO-BREAK SPACE.
pub const NBSP: char = '\u{00A0}';
/// U+2212 MINUS SIGN, used instead of the hyphen for negative numbers in prose and tables.
pub const MINUS: char = '\u{2212}';

impl Lang {
    /// Parses `en` / `fr` (case-insensitive, `english`/`français` accepted).
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_lowercase().as_str() {
            "en" | "english" | "anglais" => Some(Lang::En),
            "fr" | "french" | "français" | "francais" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The ISO 639-1 code, for `<html lang=…>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// `x` with `decimals` digits after the decimal mark, thousands grouped, a true minus sign.
    /// Non-finite values print as `NaN`, `∞`, `−∞`.
    ///
    /// ```
    /// use phare_report::Lang;
    /// assert_eq!(Lang::En.number(-12345.678, 2), "\u{2212}12,345.68");
    /// assert_eq!(Lang::Fr.number(-12345.678, 2), "\u{2212}12\u{202F}345,68");
    /// ```
    pub fn number(self, x: f64, decimals: usize) -> String {
        if x.is_nan() {
            // Not computed (an estimator without a standard error, say): a dash, as in printed tables.
            return "—".into();
        }
        if x.is_infinite() {
            return if x > 0.0 { "∞".into() } else { format!("{MINUS}∞") };
        }
        let s = format!("{:.decimals$}", x.abs());
        let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
        let (group, mark) = match self {
            Lang::En => (",".to_string(), '.'),
            Lang::Fr => (NNBSP.to_string(), ','),
        };
        // Group thousands only from five digits in French (1234 stays 1234, as typographers do)
        // and from four in English.
        let min_digits = if self == Lang::Fr { 5 } else { 4 };
        let mut grouped = String::new();
        if int.len() >= min_digits {
            for (i, c) in int.chars().enumerate() {
                if i > 0 && (int.len() - i) % 3 == 0 {
                    grouped.push_str(&group);
                }
                grouped.push(c);
            }
        } else {
            grouped.push_str(int);
        }
        // A value that rounds to zero prints without a sign.
        let negative = x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
        let mut out = String::new();
        if negative {
            out.push(MINUS);
        }
        out.push_str(&grouped);
        if !frac.is_empty() {
            out.push(mark);
            out.push_str(frac);
        }
        out
    }

    /// A number with an explicit sign (`+4.2`, `−4.2`): for effects and changes.
    pub fn signed(self, x: f64, decimals: usize) -> String {
        let s = self.number(x, decimals);
        if x > 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') { format!("+{s}") } else { s }
    }

    /// A percentage: `12.3%` in English, `12,3 %` in French.
    pub fn percent(self, fraction: f64, decimals: usize) -> String {
        let n = self.number(100.0 * fraction, decimals);
        match self {
            Lang::En => format!("{n}%"),
            Lang::Fr => format!("{n}{NNBSP}%"),
        }
    }

    /// A p-value: `0.012`, `< 0.001` (`< 0,001`).
    pub fn p_value(self, p: f64) -> String {
        if p.is_nan() {
            "—".into()
        } else if p < 0.001 {
            format!("<{NBSP}{}", self.number(0.001, 3))
        } else {
            self.number(p, 3)
        }
    }

    /// The name of a confidence interval at `level` (0.95 → `95% CI` / `IC à 95 %`).
    pub fn ci_label(self, level: f64) -> String {
        let pct = self.percent(level, if (100.0 * level).fract().abs() < 1e-9 { 0 } else { 1 });
        match self {
            Lang::En => format!("{pct} CI"),
            Lang::Fr => format!("IC à {pct}"),
        }
    }

    /// An interval `[low, high]` (`[1.2, 3.4]` / `[1,2 ; 3,4]`: French uses a semicolon, since the
    /// comma is the decimal mark).
    pub fn interval(self, low: f64, high: f64, decimals: usize) -> String {
        if low.is_nan() || high.is_nan() {
            return "—".into();
        }
        match self {
            Lang::En => format!("[{}, {}]", self.number(low, decimals), self.number(high, decimals)),
            Lang::Fr => format!("[{}{NNBSP}; {}]", self.number(low, decimals), self.number(high, decimals)),
        }
    }

    /// Text written by the user (a title, a question) set in the language's typography: in
    /// French, the space before `?`, `!`, `;` and `:` becomes a narrow no-break space (a no-break
    /// space before `:`), and guillemets hold their content with no-break spaces. English text is
    /// returned unchanged.
    ///
    /// ```
    /// use phare_report::Lang;
    /// assert_eq!(Lang::Fr.typeset("Quel effet ?"), "Quel effet\u{202F}?");
    /// ```
    pub fn typeset(self, text: &str) -> String {
        if self == Lang::En {
            return text.to_string();
        }
        let mut out = text.to_string();
        for (from, to) in [
            (" ?", format!("{NNBSP}?")),
            (" !", format!("{NNBSP}!")),
            (" ;", format!("{NNBSP};")),
            (" :", format!("{NBSP}:")),
            ("« ", format!("«{NBSP}")),
            (" »", format!("{NBSP}»")),
        ] {
            out = out.replace(from, &to);
        }
        out
    }

    /// One of two texts, by language.
    pub fn pick<'a>(self, en: &'a str, fr: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Fr => fr,
        }
    }
}

/// How many decimals show a value with about `significant` significant digits given its
/// uncertainty `scale` (usually the standard error): enough that the standard error has two
/// significant digits, at most 6.
pub fn decimals_for(scale: f64, significant: usize) -> usize {
    if !scale.is_finite() || scale <= 0.0 {
        return 3;
    }
    let mag = scale.abs().log10().floor() as i64;
    (significant as i64 - 1 - mag).clamp(0, 6) as usize
}

/// Escapes text for Typst markup (`#`, `$`, `*`, `_`, `` ` ``, `<`, `>`, `@`, `=`, `-`, `+`, `/`,
/// `\`, `[`, `]`, `~`, `"`), so user strings never become Typst code.
pub fn escape_typst(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '#' | '$' | '*' | '_' | '`' | '<' | '>' | '@' | '=' | '-' | '+' | '/' | '[' | ']' | '~' | '"'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Quotes a CSV field when it needs it (comma, quote, newline), doubling inner quotes.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(Lang::En.number(4.2, 1), "4.2");
        assert_eq!(Lang::Fr.number(4.2, 1), "4,2");
        assert_eq!(Lang::Fr.number(1234.5, 1), "1234,5");
        assert_eq!(Lang::Fr.number(12345.5, 1), "12\u{202F}345,5");
        assert_eq!(Lang::En.number(1234.6, 0), "1,235");
        assert_eq!(Lang::En.number(-0.0004, 2), "0.00");
        assert_eq!(Lang::En.signed(0.25, 2), "+0.25");
        assert_eq!(Lang::Fr.signed(-0.25, 2), "\u{2212}0,25");
        assert_eq!(Lang::Fr.percent(0.042, 1), "4,2\u{202F}%");
        assert_eq!(Lang::En.ci_label(0.95), "95% CI");
        assert_eq!(Lang::Fr.ci_label(0.95), "IC à 95\u{202F}%");
        assert_eq!(Lang::Fr.interval(2.0, 6.4, 1), "[2,0\u{202F}; 6,4]");
        assert_eq!(Lang::En.p_value(0.0001), "<\u{a0}0.001");
        assert_eq!(Lang::En.number(f64::NAN, 2), "—");
        assert_eq!(Lang::Fr.interval(f64::NAN, 1.0, 2), "—");
    }

    #[test]
    fn user_text_is_escaped() {
        assert_eq!(escape_typst("a_b #x"), "a\\_b \\#x");
        assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
        assert_eq!(escape_html("<script>"), "&lt;script&gt;");
        assert_eq!(decimals_for(0.0233, 2), 3);
        assert_eq!(decimals_for(1.459, 2), 1);
    }
}
