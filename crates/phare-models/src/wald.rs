//! Joint Wald tests that several coefficients are zero.

use phare_core::{Error, Estimates, Reference, Result};
use phare_stats::linalg::Cholesky;
use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor};

/// The result of a joint test.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WaldTest {
    /// The terms tested (all zero under the null).
    pub terms: Vec<String>,
    /// `W / q` with `W = bᵀ V⁻¹ b` over the tested terms.
    pub statistic: f64,
    /// Numerator degrees of freedom `q`.
    pub df1: usize,
    /// Denominator degrees of freedom (the fit's t degrees of freedom), `None` for a normal
    /// reference (then `q · statistic` is compared with χ²(q)).
    pub df2: Option<f64>,
    /// p-value.
    pub p_value: f64,
}

/// Tests that all of `terms` are zero, with the fit's covariance (as fixest's `wald`): an F test
/// with the fit's t degrees of freedom, or a χ² test for fits with a normal reference.
///
/// ```
/// use phare_models::{Feols, VcovSpec, wald};
/// let wagepan = phare_data::load_dataset("wagepan")?;
/// let fit = Feols::new("lwage ~ union + married + expersq | nr + year")?.fit(&wagepan)?;
/// let test = wald(&fit, &["union", "married"])?;
/// assert_eq!(test.df1, 2);
/// assert!(test.p_value < 0.01);
/// # Ok::<(), phare_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidArgument`] for an unknown term or a fit without covariance; [`Error::Design`]
/// when the covariance of the tested terms is singular.
pub fn wald(fit: &dyn Estimates, terms: &[&str]) -> Result<WaldTest> {
    let coefs = fit.coefficients();
    let vcov = fit.vcov().ok_or_else(|| Error::InvalidArgument {
        name: "fit".into(),
        value: fit.design().into(),
        reason: "this fit has no covariance matrix".into(),
        hint: None,
    })?;
    let names: Vec<&str> = coefs.iter().map(|c| c.term.as_str()).collect();
    let idx: Vec<usize> = terms
        .iter()
        .map(|t| {
            names.iter().position(|n| n == t).ok_or_else(|| Error::InvalidArgument {
                name: "terms".into(),
                value: format!("`{t}`"),
                reason: format!("not a term of the fit; terms are {}", names.join(", ")),
                hint: phare_core::error::closest(t, &names).map(|c| format!("did you mean `{c}`?")),
            })
        })
        .collect::<Result<_>>()?;
    let q = idx.len();
    if q == 0 {
        return Err(Error::InvalidArgument {
            name: "terms".into(),
            value: "[]".into(),
            reason: "name at least one term".into(),
            hint: None,
        });
    }
    let v: Vec<f64> = idx.iter().flat_map(|&a| idx.iter().map(move |&b| (a, b))).map(|(a, b)| vcov.get(a, b)).collect();
    let b: Vec<f64> = idx.iter().map(|&i| coefs[i].estimate).collect();
    let chol = Cholesky::new(&v, q);
    if chol.kept.len() < q {
        return Err(Error::design(
            "the covariance of the tested terms is singular",
            "test a set of terms that are not linear combinations of each other",
        ));
    }
    let w: f64 = chol.solve(&b).iter().zip(&b).map(|(x, y)| x * y).sum();
    let statistic = w / q as f64;
    let (df2, p_value) = match fit.reference() {
        Reference::StudentT { df } => {
            let p = FisherSnedecor::new(q as f64, df).map(|f| f.sf(statistic)).unwrap_or(f64::NAN);
            (Some(df), p)
        }
        Reference::Normal => (None, ChiSquared::new(q as f64).map(|c| c.sf(w)).unwrap_or(f64::NAN)),
    };
    Ok(WaldTest { terms: terms.iter().map(|t| t.to_string()).collect(), statistic, df1: q, df2, p_value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Feols, VcovSpec};

    #[test]
    fn one_term_wald_is_the_squared_t_statistic() {
        let df = phare_data::load_dataset("wagepan").unwrap();
        let fit = Feols::new("lwage ~ union + married").unwrap().vcov(VcovSpec::Hc1).fit(&df).unwrap();
        let row = fit.tidy().row("union").unwrap().clone();
        let test = wald(&fit, &["union"]).unwrap();
        assert!((test.statistic - row.statistic.powi(2)).abs() < 1e-9 * test.statistic);
        assert!((test.p_value - row.p_value).abs() < 1e-10, "F(1, df) p = t p: {} vs {}", test.p_value, row.p_value);
        assert!(wald(&fit, &["unoin"]).unwrap_err().to_string().contains("did you mean `union`"));
    }
}
