//! The one error type of phare.
//!
//! Errors are grouped by *kind* (what went wrong), not by the module that noticed it: a missing column
//! is [`Error::ColumnNotFound`] whether the reader, the panel builder or an estimator found it. Every
//! variant names the culprit (file, column, value) and most carry a hint saying what to do. The text of
//! an error is part of phare's interface: it is pinned by snapshot tests.
//!
//! Library code returns [`Result`]; only the `phare` binary turns errors into exit codes.

use std::fmt;
use std::path::PathBuf;

/// Shorthand for `std::result::Result<T, phare_core::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in phare, by kind.
///
/// The enum is `#[non_exhaustive]`: match on [`Error::kind`] when you only need the category.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("cannot {action} `{path}`: {source}{}", hint_suffix(hint))]
    Io {
        /// What phare was doing: "read", "write", "create".
        action: &'static str,
        /// The file involved.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
        /// What the user can do about it.
        hint: Option<String>,
    },

    /// A file exists but its content cannot be understood (empty, ragged rows, bad encoding, …).
    #[error("cannot read `{path}`: {detail}{}", hint_suffix(hint))]
    FileFormat {
        /// The file involved.
        path: PathBuf,
        /// What is wrong, with a line or byte position when known.
        detail: String,
        /// What the user can do about it.
        hint: Option<String>,
    },

    /// A column named by the user does not exist.
    #[error("column `{column}` not found{}{}", available_suffix(available), hint_suffix(hint))]
    ColumnNotFound {
        /// The name that was asked for.
        column: String,
        /// The columns that do exist (possibly truncated).
        available: Vec<String>,
        /// A close match, or other advice.
        hint: Option<String>,
    },

    /// A column has a type the operation cannot use.
    #[error("column `{column}` has type {found}, but {expected} is needed{}", hint_suffix(hint))]
    ColumnType {
        /// The column.
        column: String,
        /// What was needed, in words ("a numeric type", "0/1 values").
        expected: String,
        /// The type found.
        found: String,
        /// What the user can do about it.
        hint: Option<String>,
    },

    /// A column has missing values where none are allowed.
    #[error(
        "column `{column}` has {count} missing value{} (first at row {first_row}){}",
        plural(*count), hint_suffix(hint)
    )]
    MissingValues {
        /// The column.
        column: String,
        /// How many values are missing.
        count: usize,
        /// Zero-based row index of the first missing value.
        first_row: usize,
        /// What the user can do about it.
        hint: Option<String>,
    },

    /// Rows that must be unique on some key columns are not.
    #[error(
        "{count} duplicated row{} for ({}); first duplicate: {example}{}",
        plural(*count), keys.join(", "), hint_suffix(hint)
    )]
    DuplicateKeys {
        /// The key columns, e.g. `["unit", "time"]`.
        keys: Vec<String>,
        /// How many rows repeat an earlier key.
        count: usize,
        /// The first repeated key, rendered as `unit=…, time=…`.
        example: String,
        /// What the user can do about it.
        hint: Option<String>,
    },

    /// A value is not acceptable in its place (a negative weight, a non-binary treatment, …).
    #[error("invalid value {value} in {place}: {reason}{}", hint_suffix(hint))]
    InvalidValue {
        /// Where the value was found: a column, an option, a file.
        place: String,
        /// The value, rendered.
        value: String,
        /// Why it is not acceptable.
        reason: String,
        /// What the user can do about it.
        hint: Option<String>,
    },

    /// An option or parameter given by the caller is unknown or out of range.
    #[error("invalid argument `{name}` = {value}: {reason}{}", hint_suffix(hint))]
    InvalidArgument {
        /// The parameter's name.
        name: String,
        /// The value given.
        value: String,
        /// Why it is not acceptable (the allowed range or values).
        reason: String,
        /// What the user can do about it.
        hint: Option<String>,
    },

    /// The data do not support the design (no treated units, a single period, no variation, …).
    #[error("{what}{}", hint_suffix(hint))]
    Design {
        /// What is missing from the data, in words that name columns and values.
        what: String,
        /// What the user can do about it.
        hint: Option<String>,
    },

    /// A bundled dataset name is unknown.
    #[error("no bundled dataset named `{name}`; available: {}{}", available.join(", "), hint_suffix(hint))]
    UnknownDataset {
        /// The name asked for.
        name: String,
        /// The bundled datasets.
        available: Vec<String>,
        /// A close match, when there is one.
        hint: Option<String>,
    },

    /// The data engine (polars, arrow) failed for a reason phare could not classify further.
    #[error("{context}: {message}{}", hint_suffix(hint))]
    Engine {
        /// What phare was doing.
        context: String,
        /// The engine's own message.
        message: String,
        /// What the user can do about it.
        hint: Option<String>,
    },

    /// A bug in phare: an invariant did not hold. Please report it.
    #[error("internal error (please report it): {0}")]
    Internal(String),
}

/// The category of an [`Error`], for matching without destructuring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::Io`].
    Io,
    /// See [`Error::FileFormat`].
    FileFormat,
    /// See [`Error::ColumnNotFound`].
    ColumnNotFound,
    /// See [`Error::ColumnType`].
    ColumnType,
    /// See [`Error::MissingValues`].
    MissingValues,
    /// See [`Error::DuplicateKeys`].
    DuplicateKeys,
    /// See [`Error::InvalidValue`].
    InvalidValue,
    /// See [`Error::InvalidArgument`].
    InvalidArgument,
    /// See [`Error::Design`].
    Design,
    /// See [`Error::UnknownDataset`].
    UnknownDataset,
    /// See [`Error::Engine`].
    Engine,
    /// See [`Error::Internal`].
    Internal,
}

impl Error {
    /// The category of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Io { .. } => ErrorKind::Io,
            Error::FileFormat { .. } => ErrorKind::FileFormat,
            Error::ColumnNotFound { .. } => ErrorKind::ColumnNotFound,
            Error::ColumnType { .. } => ErrorKind::ColumnType,
            Error::MissingValues { .. } => ErrorKind::MissingValues,
            Error::DuplicateKeys { .. } => ErrorKind::DuplicateKeys,
            Error::InvalidValue { .. } => ErrorKind::InvalidValue,
            Error::InvalidArgument { .. } => ErrorKind::InvalidArgument,
            Error::Design { .. } => ErrorKind::Design,
            Error::UnknownDataset { .. } => ErrorKind::UnknownDataset,
            Error::Engine { .. } => ErrorKind::Engine,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }

    /// The hint carried by the error, if any.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Io { hint, .. }
            | Error::FileFormat { hint, .. }
            | Error::ColumnNotFound { hint, .. }
            | Error::ColumnType { hint, .. }
            | Error::MissingValues { hint, .. }
            | Error::DuplicateKeys { hint, .. }
            | Error::InvalidValue { hint, .. }
            | Error::InvalidArgument { hint, .. }
            | Error::Design { hint, .. }
            | Error::UnknownDataset { hint, .. }
            | Error::Engine { hint, .. } => hint.as_deref(),
            Error::Internal(_) => None,
        }
    }

    /// Is this the user's or the data's fault (as opposed to a bug in phare)?
    ///
    /// The `phare` binary exits with code 1 for these and 2 for the others.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Error::Internal(_))
    }

    /// A column-not-found error that suggests the closest existing column name.
    ///
    /// ```
    /// use phare_core::Error;
    /// let e = Error::column_not_found("lemp ", ["year", "lemp", "lpop"]);
    /// assert!(e.to_string().contains("did you mean `lemp`"));
    /// ```
    pub fn column_not_found<I, S>(column: &str, available: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let available: Vec<String> = available.into_iter().map(|s| s.as_ref().to_string()).collect();
        let hint = closest(column, &available).map(|c| format!("did you mean `{c}`? Column names are case-sensitive"));
        Error::ColumnNotFound { column: column.to_string(), available, hint }
    }

    /// An invalid-argument error listing the accepted values, with a close match if there is one.
    ///
    /// ```
    /// use phare_core::Error;
    /// let e = Error::unknown_option("format", "jsn", &["text", "json", "csv"]);
    /// assert!(e.to_string().contains("did you mean `json`"));
    /// ```
    pub fn unknown_option(name: &str, value: &str, accepted: &[&str]) -> Self {
        let hint = closest(value, accepted).map(|c| format!("did you mean `{c}`?"));
        Error::InvalidArgument {
            name: name.to_string(),
            value: format!("`{value}`"),
            reason: format!("accepted values are {}", accepted.join(", ")),
            hint,
        }
    }

    /// An error for data that cannot support the requested design.
    pub fn design(what: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Design { what: what.into(), hint: Some(hint.into()) }
    }
}

/// The candidate closest to `name` by edit distance (case-insensitive), when it is close enough to be
/// a plausible typo: at most a third of the name's length, and at least one edit away from nothing.
pub fn closest<'a, S: AsRef<str>>(name: &str, candidates: &'a [S]) -> Option<&'a str> {
    let target = name.trim().to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let c = c.as_ref();
        let d = edit_distance(&target, &c.to_lowercase());
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let limit = (target.chars().count() / 3).max(1);
    if let Some((_, c)) = best.filter(|(d, _)| *d <= limit) {
        return Some(c);
    }
    // A truncated name (`county` for `countyreal`): the only candidate that starts with it.
    let mut prefixed = candidates.iter().map(AsRef::as_ref).filter(|c| c.to_lowercase().starts_with(&target));
    match (target.chars().count() >= 3, prefixed.next(), prefixed.next()) {
        (true, Some(c), None) => Some(c),
        _ => None,
    }
}

/// Edit distance over characters where insertion, deletion, substitution and the swap of two
/// adjacent characters each cost one (optimal string alignment): `mpdat` is one typo from `mpdta`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between a[..i] and b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

fn hint_suffix(hint: &Option<String>) -> String {
    match hint {
        Some(h) => format!(". Hint: {h}"),
        None => String::new(),
    }
}

fn available_suffix(available: &[String]) -> String {
    const SHOWN: usize = 12;
    if available.is_empty() {
        return String::new();
    }
    let mut s = String::from("; available columns: ");
    s.push_str(&available.iter().take(SHOWN).map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "));
    if available.len() > SHOWN {
        s.push_str(&format!(" and {} more", available.len() - SHOWN));
    }
    s
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = serde_json::to_value(self).ok();
        let name = s.as_ref().and_then(|v| v.as_str()).unwrap_or("error");
        f.write_str(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("mpdat", "mpdta"), 1, "a swap of adjacent letters is one typo");
        assert_eq!(edit_distance("ab", "ba"), 1);
    }

    #[test]
    fn closest_rejects_far_names() {
        assert_eq!(closest("lemp", &["year", "countyreal"]), None);
        assert_eq!(closest("Year", &["year", "countyreal"]), Some("year"));
        assert_eq!(closest("county", &["year", "countyreal"]), Some("countyreal"));
        assert_eq!(closest("lemp", &["lemp_2003", "lemp_2004"]), None, "ambiguous prefixes suggest nothing");
    }

    #[test]
    fn kinds_and_user_errors() {
        let e = Error::column_not_found("y", ["x"]);
        assert_eq!(e.kind(), ErrorKind::ColumnNotFound);
        assert!(e.is_user_error());
        assert!(!Error::Internal("x".into()).is_user_error());
        assert_eq!(ErrorKind::DuplicateKeys.to_string(), "duplicate_keys");
    }

    #[test]
    fn messages_name_the_culprit() {
        let e = Error::MissingValues { column: "lemp".into(), count: 3, first_row: 7, hint: None };
        assert_eq!(e.to_string(), "column `lemp` has 3 missing values (first at row 7)");
        let e = Error::column_not_found("Lemp", ["year", "lemp"]);
        assert_eq!(
            e.to_string(),
            "column `Lemp` not found; available columns: `year`, `lemp`. Hint: did you mean `lemp`? \
             Column names are case-sensitive"
        );
    }
}
