//! From a formula's right-hand side to regressor columns, shared by [`crate::Feols`] and
//! [`crate::Feglm`].

use crate::formula::Formula;
use phare_core::{Error, Result};
use phare_data::matrix::{DesignMatrix, sorted_levels};
use phare_data::polars::prelude::DataFrame;

/// A factor's levels and each row's level.
#[derive(Debug, Clone)]
pub(crate) struct FactorCodes {
    pub var: String,
    pub labels: Vec<String>,
    pub codes: Vec<Option<u32>>,
    pub refs: Vec<String>,
}

/// The numeric columns a formula reads: outcome, the columns of every product term, then `extra`
/// (endogenous regressors, instruments, weights), each once.
pub(crate) fn numeric_columns<'a>(f: &'a Formula, extra: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
    let mut out: Vec<&str> = vec![f.outcome.as_str()];
    for c in f.terms.iter().flatten().chain(extra) {
        if !out.contains(&c.as_str()) {
            out.push(c);
        }
    }
    out
}

/// Encodes the formula's factors on `rows` of `df`; a reference level that does not occur is an
/// error naming the levels that do.
pub(crate) fn encode_factors(df: &DataFrame, f: &Formula, rows: &[usize]) -> Result<Vec<FactorCodes>> {
    f.factors
        .iter()
        .map(|fac| {
            let (labels, codes) = sorted_levels(df, &fac.var, rows)?;
            if let Some(r) = fac.refs.iter().find(|r| !labels.contains(r)) {
                return Err(Error::InvalidValue {
                    place: format!("i({}, ref = …)", fac.var),
                    value: format!("`{r}`"),
                    reason: format!(
                        "no such level of `{}`; levels are {}",
                        fac.var,
                        labels.iter().take(20).cloned().collect::<Vec<_>>().join(", ")
                    ),
                    hint: Some("write the level as it appears in the data".into()),
                });
            }
            Ok(FactorCodes { var: fac.var.clone(), labels, codes, refs: fac.refs.clone() })
        })
        .collect()
}

/// The factors restricted to the rows where `keep` is true.
pub(crate) fn filter_factors(factors: Vec<FactorCodes>, keep: &[bool]) -> Vec<FactorCodes> {
    factors
        .into_iter()
        .map(|mut f| {
            f.codes = f.codes.iter().zip(keep).filter(|(_, k)| **k).map(|(c, _)| *c).collect();
            f
        })
        .collect()
}

/// Regressor names and columns (column-major, `m.nrows()` rows): the intercept if any, the
/// product terms, then one dummy per non-reference level of each factor (`var::level`).
/// `reserve` extra columns of capacity are left for the caller to append.
pub(crate) fn regressors(
    f: &Formula,
    m: &DesignMatrix,
    factors: &[FactorCodes],
    reserve: usize,
) -> (Vec<String>, Vec<f64>) {
    let n = m.nrows();
    let n_dummies: usize = factors.iter().map(|f| f.labels.len() - f.refs.len()).sum();
    let mut names: Vec<String> = Vec::new();
    let mut x: Vec<f64> = Vec::with_capacity(n * (usize::from(f.intercept) + f.terms.len() + n_dummies + reserve));
    if f.intercept {
        names.push("(Intercept)".into());
        x.extend(std::iter::repeat_n(1.0, n));
    }
    for (term, name) in f.terms.iter().zip(f.term_names()) {
        let start = x.len();
        x.extend_from_slice(m.column_by_name(&term[0]).unwrap_or_default());
        for c in &term[1..] {
            for (v, z) in x[start..].iter_mut().zip(m.column_by_name(c).unwrap_or_default()) {
                *v *= z;
            }
        }
        names.push(name);
    }
    for fac in factors {
        for (level, label) in fac.labels.iter().enumerate() {
            if fac.refs.contains(label) {
                continue;
            }
            names.push(format!("{}::{label}", fac.var));
            x.extend(fac.codes.iter().map(|c| f64::from(*c == Some(level as u32))));
        }
    }
    (names, x)
}
