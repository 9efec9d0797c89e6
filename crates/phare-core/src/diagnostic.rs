//! Diagnostics: what a step noticed and the user must be told about.
//!
//! A fit or a data step never drops rows, terms or units silently: every drop, every assumption made
//! on the user's behalf (a detected separator, a column kept as text) becomes a [`Diagnostic`], shown by
//! `summary()` as `NOTE:` / `WARNING:` lines and carried in the JSON envelope.

use std::fmt;

/// How much a diagnostic matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Information: something was done on the user's behalf (e.g. a separator was detected).
    Note,
    /// Something the user should look at: results are valid but may not be what was meant
    /// (rows dropped for missing values, an unbalanced panel, …).
    Warning,
}

/// One thing a step noticed, in words that name columns and values.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// How much it matters.
    pub severity: Severity,
    /// A stable, machine-readable code, e.g. `rows_dropped_missing`, `unbalanced_panel`.
    pub code: String,
    /// The human message, e.g. "3 rows dropped: missing values in `lemp`".
    pub message: String,
}

impl Diagnostic {
    /// A note (information).
    pub fn note(code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Note, code: code.into(), message: message.into() }
    }

    /// A warning (look at this).
    pub fn warning(code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, code: code.into(), message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.severity {
            Severity::Note => "NOTE",
            Severity::Warning => "WARNING",
        };
        write!(f, "{tag}: {}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_severity_tag() {
        assert_eq!(Diagnostic::note("x", "a b").to_string(), "NOTE: a b");
        assert_eq!(Diagnostic::warning("x", "c").to_string(), "WARNING: c");
        assert!(Severity::Note < Severity::Warning);
    }
}
