//! From a formula's right-hand side to regressor columns, shared by [`crate::Feols`] and
//! [`crate::Feglm`].

use crate::formula::Formula;
use phare_core::{Diagnostic, Error, Result};
use phare_data::matrix::{DesignMatrix, GroupIds, sorted_levels};
use phare_data::polars::prelude::DataFrame;
use phare_stats::vcov::{Clusters, VcovKind, is_nested};

/// A factor's levels and each row's level.
#[derive(Debug, Clone)]
pub(crate) struct FactorCodes {
    pub var: String,
    pub labels: Vec<String>,
    pub codes: Vec<Option<u32>>,
    pub refs: Vec<String>,
    /// `i(var, x)`: the column multiplying each dummy.
    pub slope: Option<String>,
}

/// The numeric columns a formula reads: outcome, the columns of every product term, then `extra`
/// (endogenous regressors, instruments, weights), each once.
pub(crate) fn numeric_columns<'a>(f: &'a Formula, extra: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
    let mut out: Vec<&str> = vec![f.outcome.as_str()];
    for c in f.terms.iter().flatten().chain(f.factors.iter().filter_map(|fac| fac.slope.as_ref())).chain(extra) {
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
            Ok(FactorCodes { var: fac.var.clone(), labels, codes, refs: fac.refs.clone(), slope: fac.slope.clone() })
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
/// product terms, then one dummy per non-reference level of each factor (`var::level`, or
/// `var::level:x` for `i(var, x)`). `reserve` extra columns of capacity are left for the caller to
/// append.
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
    for_each_regressor(f, m, factors, |name, col| {
        names.push(name);
        x.extend_from_slice(col);
    });
    (names, x)
}

/// Calls `visit(name, column)` for each regressor of [`regressors`] in turn, building one column
/// at a time (so a linear predictor needs one column of memory, not the whole design).
pub(crate) fn for_each_regressor(
    f: &Formula,
    m: &DesignMatrix,
    factors: &[FactorCodes],
    mut visit: impl FnMut(String, &[f64]),
) {
    let n = m.nrows();
    let mut col: Vec<f64> = Vec::new();
    if f.intercept {
        col.resize(n, 1.0);
        visit("(Intercept)".into(), &col);
    }
    for (term, name) in f.terms.iter().zip(f.term_names()) {
        if term.len() == 1 {
            // A plain column: no copy.
            visit(name, m.column_by_name(&term[0]).unwrap_or_default());
            continue;
        }
        col.clear();
        col.extend_from_slice(m.column_by_name(&term[0]).unwrap_or_default());
        for c in &term[1..] {
            for (v, z) in col.iter_mut().zip(m.column_by_name(c).unwrap_or_default()) {
                *v *= z;
            }
        }
        visit(name, &col);
    }
    for fac in factors {
        let slope = fac.slope.as_ref().map(|c| m.column_by_name(c).unwrap_or_default());
        for (level, label) in fac.labels.iter().enumerate() {
            if fac.refs.contains(label) {
                continue;
            }
            col.clear();
            col.extend(fac.codes.iter().map(|c| f64::from(*c == Some(level as u32))));
            let name = match (&fac.slope, slope) {
                (Some(x), Some(values)) => {
                    col.iter_mut().zip(values).for_each(|(d, v)| *d *= v);
                    format!("{}::{label}:{x}", fac.var)
                }
                _ => format!("{}::{label}", fac.var),
            };
            visit(name, &col);
        }
    }
}

/// Parameters the fixed effects count in K for a covariance of kind `kind`: Σ(levels − 1) + 1 over
/// the fixed effects not nested in one of its clustering variables (pyfixest's
/// `k_fixef="nonnested"`); 0 without fixed effects.
pub(crate) fn fe_parameters(fixed_effects: &[GroupIds], kind: &VcovKind) -> usize {
    if fixed_effects.is_empty() {
        return 0;
    }
    let cluster_ids: Vec<&[u32]> = match kind {
        VcovKind::Crv1(c) => c.iter().map(|c| c.ids.as_slice()).collect(),
        _ => Vec::new(),
    };
    let counted: usize = fixed_effects
        .iter()
        .filter(|fe| !cluster_ids.iter().any(|c| is_nested(fe.ids.iter().map(|v| v.unwrap_or(0)), fe.n_levels, c)))
        .map(|fe| fe.n_levels - 1)
        .sum();
    counted + 1
}

/// Encoded key columns as clustering variables (their rows all present).
pub(crate) fn clusters(keys: impl IntoIterator<Item = GroupIds>) -> Vec<Clusters> {
    keys.into_iter()
        .map(|k| Clusters { ids: k.ids.iter().map(|v| v.unwrap_or(0)).collect(), n_levels: k.n_levels, name: k.name })
        .collect()
}

/// The diagnostic for regressors dropped as collinear, or an error when none is left.
pub(crate) fn collinearity(kept: &[usize], dropped: &[usize], names: &[String]) -> Result<Option<Diagnostic>> {
    if kept.is_empty() && !names.is_empty() {
        return Err(Error::design(
            "every regressor is collinear with the fixed effects (or constant)",
            "remove regressors that do not vary within the fixed effects",
        ));
    }
    if dropped.is_empty() {
        return Ok(None);
    }
    let dropped: Vec<&str> = dropped.iter().map(|&j| names[j].as_str()).collect();
    Ok(Some(Diagnostic::warning(
        "collinear_terms_dropped",
        format!("dropped for collinearity with earlier regressors or the fixed effects: {}", dropped.join(", ")),
    )))
}

/// The weights column of `m`, checked positive and finite (the error names the row).
pub(crate) fn positive_weights(m: &DesignMatrix, column: &str) -> Result<Vec<f64>> {
    let v = m.column_by_name(column).unwrap_or_default().to_vec();
    if let Some((i, x)) = v.iter().enumerate().find(|(_, x)| !(**x > 0.0 && x.is_finite())) {
        return Err(Error::InvalidValue {
            place: format!("weights column `{column}` (row {})", m.source_rows()[i]),
            value: x.to_string(),
            reason: "regression weights must be positive and finite".into(),
            hint: Some("drop rows with zero weight before fitting".into()),
        });
    }
    Ok(v)
}
