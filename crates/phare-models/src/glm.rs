//! Poisson pseudo-maximum likelihood and logit, with absorbed fixed effects.

use crate::formula::Formula;
use phare_core::{Coefficient, Diagnostic, Error, Estimates, Glance, Reference, Result, Vcov, glance_names};
use phare_data::matrix::{DesignMatrix, GroupIds, MissingPolicy};
use phare_data::polars::prelude::DataFrame;
use phare_stats::demean::{DemeanOptions, FixedEffects};
use phare_stats::linalg::{Cholesky, crossprod, crossprod_vec};
use phare_stats::vcov::{Ingredients, VcovKind, covariance};

/// The distribution family (with its canonical link).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Poisson with log link: counts, or any non-negative outcome by pseudo-maximum likelihood
    /// (Santos Silva and Tenreyro 2006).
    Poisson,
    /// Binomial with logit link: 0/1 outcomes.
    Logit,
}

impl Family {
    fn name(self) -> &'static str {
        match self {
            Family::Poisson => "fepois",
            Family::Logit => "felogit",
        }
    }
    fn mean(self, eta: f64) -> f64 {
        match self {
            Family::Poisson => eta.exp(),
            Family::Logit => 1.0 / (1.0 + (-eta).exp()),
        }
    }
    /// IRLS weight dμ/dη (the variance, for canonical links).
    fn weight(self, mu: f64) -> f64 {
        match self {
            Family::Poisson => mu,
            Family::Logit => mu * (1.0 - mu),
        }
    }
    /// Log-likelihood contribution (Poisson includes −ln y!).
    fn loglik(self, y: f64, mu: f64) -> f64 {
        match self {
            Family::Poisson => y * mu.ln() - mu - ln_factorial(y),
            Family::Logit => y * mu.ln() + (1.0 - y) * (1.0 - mu).ln(),
        }
    }
    /// Unit deviance.
    fn deviance(self, y: f64, mu: f64) -> f64 {
        match self {
            Family::Poisson => 2.0 * (if y > 0.0 { y * (y / mu).ln() } else { 0.0 } - (y - mu)),
            Family::Logit => -2.0 * self.loglik(y, mu),
        }
    }
}

/// ln(y!) for the non-negative, possibly non-integer y of Poisson PML (via ln Γ(y + 1)).
fn ln_factorial(y: f64) -> f64 {
    statrs::function::gamma::ln_gamma(y + 1.0)
}

/// A generalised linear model with absorbed fixed effects, fitted by iteratively reweighted least
/// squares (IRLS) where every weighted least-squares step absorbs the fixed effects by alternating
/// projections with that step's weights (as fixest, pyfixest and ppmlhdfe do).
///
/// Formula as [`crate::Feols`] (no instrumental-variables part). Observations in a fixed-effect
/// level whose outcome is all zero (Poisson) or constant (logit) carry no information and are
/// dropped, with a diagnostic; so are rows with missing values.
///
/// | parameter | default | purpose |
/// |---|---|---|
/// | `vcov` | `Iid` (inverse information, no small-sample factor, normal reference) | or `Hc1`, `Crv1(…)` (sandwich; CRV1 with pyfixest's factor and t(G − 1)) |
/// | convergence | deviance change < 1e-10 × (0.1 + deviance), 100 iterations | |
///
/// # Errors
/// As `Feols`; negative outcomes (Poisson) or outcomes outside {0, 1} (logit); no convergence.
///
/// # References
/// Santos Silva and Tenreyro (2006); Correia, Guimarães and Zylkin (2020) for PPML with
/// high-dimensional fixed effects.
#[derive(Debug, Clone, PartialEq)]
pub struct Feglm {
    formula: Formula,
    family: Family,
    weights: Option<String>,
    vcov: Option<crate::VcovSpec>,
    tol: f64,
    max_iter: usize,
}

impl Feglm {
    /// A Poisson model (`fepois` in fixest).
    pub fn poisson(formula: &str) -> Result<Feglm> {
        Self::new(formula, Family::Poisson)
    }
    /// A logit model.
    pub fn logit(formula: &str) -> Result<Feglm> {
        Self::new(formula, Family::Logit)
    }
    fn new(formula: &str, family: Family) -> Result<Feglm> {
        let formula = Formula::parse(formula)?;
        if !formula.endogenous.is_empty() {
            return Err(Error::InvalidArgument {
                name: "formula".into(),
                value: format!("`{}`", formula.text),
                reason: "instrumental variables are only available for linear models".into(),
                hint: Some("use Feols for 2SLS".into()),
            });
        }
        Ok(Feglm { formula, family, weights: None, vcov: None, tol: 1e-10, max_iter: 100 })
    }
    /// Prior (frequency or sampling) weights from `column`: each observation's log-likelihood
    /// contribution is multiplied by its weight.
    pub fn weights(mut self, column: &str) -> Feglm {
        self.weights = Some(column.into());
        self
    }
    /// The covariance estimator (`Iid`, `Hc0`, `Hc1`, `Crv1`).
    pub fn vcov(mut self, spec: crate::VcovSpec) -> Feglm {
        self.vcov = Some(spec);
        self
    }

    /// Fits the model on `df`.
    pub fn fit(&self, df: &DataFrame) -> Result<FeglmFit> {
        let f = &self.formula;
        let spec = self.vcov.clone().unwrap_or(crate::VcovSpec::Iid);
        let cluster_cols: Vec<String> = match &spec {
            crate::VcovSpec::Iid | crate::VcovSpec::Hc0 | crate::VcovSpec::Hc1 => Vec::new(),
            crate::VcovSpec::Crv1(c) => c.clone(),
            other => {
                return Err(Error::InvalidArgument {
                    name: "vcov".into(),
                    value: format!("{other:?}"),
                    reason: "GLMs offer iid, HC0, HC1 and CRV1 covariances".into(),
                    hint: None,
                });
            }
        };
        let numeric = crate::design::numeric_columns(f, &self.weights);
        let m = DesignMatrix::from_frame(df, &numeric, MissingPolicy::Drop)?;
        let mut diagnostics = m.diagnostics().to_vec();
        let y_all = m.column(0);
        if let Some((i, v)) = y_all.iter().enumerate().find(|(_, v)| match self.family {
            Family::Poisson => **v < 0.0,
            Family::Logit => **v != 0.0 && **v != 1.0,
        }) {
            return Err(Error::InvalidValue {
                place: format!("outcome `{}` (row {})", f.outcome, m.source_rows()[i]),
                value: v.to_string(),
                reason: match self.family {
                    Family::Poisson => "a Poisson outcome must be non-negative".into(),
                    Family::Logit => "a logit outcome must be 0 or 1".into(),
                },
                hint: None,
            });
        }
        // Keys, and rows of fixed-effect levels without outcome variation.
        let key_cols: Vec<&String> = f.fixed_effects.iter().chain(&cluster_cols).collect();
        let keys: Vec<GroupIds> =
            key_cols.iter().map(|c| GroupIds::from_frame(df, c, m.source_rows())).collect::<Result<_>>()?;
        let factors = crate::design::encode_factors(df, f, m.source_rows())?;
        let mut keep: Vec<bool> = (0..m.nrows())
            .map(|i| keys.iter().all(|k| k.ids[i].is_some()) && factors.iter().all(|fc| fc.codes[i].is_some()))
            .collect();
        let n_fe = f.fixed_effects.len();
        let mut separated = 0;
        loop {
            let mut changed = false;
            for k in &keys[..n_fe] {
                let (mut lo, mut hi) = (vec![f64::INFINITY; k.n_levels], vec![f64::NEG_INFINITY; k.n_levels]);
                let mut sum = vec![0.0; k.n_levels];
                for i in (0..m.nrows()).filter(|&i| keep[i]) {
                    let l = k.ids[i].unwrap_or(0) as usize;
                    lo[l] = lo[l].min(y_all[i]);
                    hi[l] = hi[l].max(y_all[i]);
                    sum[l] += y_all[i];
                }
                for (kept, id) in keep.iter_mut().zip(&k.ids) {
                    if !*kept {
                        continue;
                    }
                    let l = id.unwrap_or(0) as usize;
                    let uninformative = match self.family {
                        Family::Poisson => sum[l] == 0.0,
                        Family::Logit => lo[l] == hi[l],
                    };
                    if uninformative {
                        *kept = false;
                        separated += 1;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        if separated > 0 {
            diagnostics.push(Diagnostic::warning(
                "rows_dropped_no_variation",
                format!("{separated} rows dropped: their fixed-effect level has no variation in `{}`", f.outcome),
            ));
        }
        let missing_keys = (0..m.nrows())
            .filter(|&i| keys.iter().any(|k| k.ids[i].is_none()) || factors.iter().any(|fc| fc.codes[i].is_none()))
            .count();
        if missing_keys > 0 {
            diagnostics.push(Diagnostic::warning(
                "rows_dropped_missing_keys",
                format!("{missing_keys} rows dropped for missing fixed-effect or cluster values"),
            ));
        }
        let all_kept = keep.iter().all(|k| *k);
        let m = if all_kept { m } else { m.select_rows(&keep) };
        let factors = if all_kept { factors } else { crate::design::filter_factors(factors, &keep) };
        let n = m.nrows();
        if n == 0 {
            return Err(Error::design("no observation is left", "check missing values and outcome variation"));
        }
        let keys: Vec<GroupIds> = keys
            .into_iter()
            .map(|k| {
                let ids: Vec<Option<u32>> = k.ids.iter().zip(&keep).filter(|(_, k)| **k).map(|(v, _)| *v).collect();
                crate::feols::renumber(k.name, ids)
            })
            .collect();
        let y = m.column(0).to_vec();
        let pw: Vec<f64> = match &self.weights {
            Some(w) => crate::design::positive_weights(&m, w)?,
            None => vec![1.0; n],
        };
        let (names, x_raw) = crate::design::regressors(f, &m, &factors, 0);
        let k_all = names.len();
        let fe_ids: Vec<Vec<u32>> =
            keys[..n_fe].iter().map(|k| k.ids.iter().map(|v| v.unwrap_or(0)).collect()).collect();
        let fe_levels: Vec<usize> = keys[..n_fe].iter().map(|k| k.n_levels).collect();

        // IRLS.
        let fam = self.family;
        let ybar = y.iter().zip(&pw).map(|(a, b)| a * b).sum::<f64>() / pw.iter().sum::<f64>();
        let mut mu: Vec<f64> = y
            .iter()
            .map(|&v| match fam {
                Family::Poisson => (v + ybar) / 2.0,
                Family::Logit => (v + 0.5) / 2.0,
            })
            .collect();
        let mut eta: Vec<f64> = mu
            .iter()
            .map(|&m| match fam {
                Family::Poisson => m.ln(),
                Family::Logit => (m / (1.0 - m)).ln(),
            })
            .collect();
        let mut dev_old = f64::INFINITY;
        let demean = DemeanOptions { tol: 1e-13, ..DemeanOptions::default() };
        let (mut converged, mut iterations) = (false, 0);
        let (mut beta, mut x_tilde, mut omega, mut chol);
        loop {
            iterations += 1;
            omega = mu.iter().zip(&pw).map(|(&m, w)| w * fam.weight(m)).collect::<Vec<f64>>();
            let mut z: Vec<f64> = (0..n).map(|i| eta[i] + (y[i] - mu[i]) / fam.weight(mu[i])).collect();
            let z_raw = z.clone();
            x_tilde = x_raw.clone();
            if n_fe > 0 {
                let fe = FixedEffects::new(fe_ids.clone(), fe_levels.clone(), Some(&omega));
                fe.demean(&mut z, &demean)?;
                fe.demean_columns(&mut x_tilde, n, &demean)?;
            }
            chol = Cholesky::new(&crossprod(&x_tilde, n, k_all, Some(&omega)), k_all);
            // Fails when no regressor is left; the dropped ones are reported after convergence.
            crate::design::collinearity(&chol.kept, &chol.dropped, &names)?;
            beta = chol.solve(&crossprod_vec(&x_tilde, n, k_all, &z, Some(&omega)));
            // Fitted linear predictor: the working response minus the WLS residual.
            for i in 0..n {
                let fitted: f64 = chol.kept.iter().enumerate().map(|(p, &j)| x_tilde[j * n + i] * beta[p]).sum();
                eta[i] = z_raw[i] - (z[i] - fitted);
                mu[i] = fam.mean(eta[i]);
            }
            let dev: f64 = (0..n).map(|i| pw[i] * fam.deviance(y[i], mu[i])).sum();
            if (dev - dev_old).abs() < self.tol * (0.1 + dev.abs()) {
                converged = true;
                break;
            }
            dev_old = dev;
            if iterations >= self.max_iter {
                break;
            }
        }
        if !converged {
            return Err(Error::design(
                format!("IRLS did not converge in {} iterations", self.max_iter),
                "check for perfect prediction (separation) or extreme values",
            ));
        }
        diagnostics.extend(crate::design::collinearity(&chol.kept, &chol.dropped, &names)?);
        // The information matrix at the estimate: weights and demeaning from the final μ (the last
        // IRLS step used the previous one), so that iid standard errors are the inverse Hessian at
        // the maximum, as statsmodels reports.
        omega = mu.iter().zip(&pw).map(|(&m, w)| w * fam.weight(m)).collect();
        x_tilde = x_raw.clone();
        if n_fe > 0 {
            let fe = FixedEffects::new(fe_ids.clone(), fe_levels.clone(), Some(&omega));
            fe.demean_columns(&mut x_tilde, n, &demean)?;
        }
        let kept = chol.kept.clone();
        let xk_all: Vec<f64> = kept.iter().flat_map(|&j| x_tilde[j * n..(j + 1) * n].iter().copied()).collect();
        let info = Cholesky::new(&crossprod(&xk_all, n, kept.len(), Some(&omega)), kept.len());
        if info.kept.len() != kept.len() {
            return Err(Error::design(
                "the information matrix is singular at the estimate",
                "check for perfect prediction (separation)",
            ));
        }
        let terms: Vec<String> = chol.kept.iter().map(|&j| names[j].clone()).collect();
        let k = terms.len();
        let xk = xk_all;
        let bread = info.inverse();
        let loglik: f64 = (0..n).map(|i| pw[i] * fam.loglik(y[i], mu[i])).sum();
        let deviance: f64 = (0..n).map(|i| pw[i] * fam.deviance(y[i], mu[i])).sum();
        let ll_null: f64 = match (n_fe, fam) {
            (0, _) => (0..n).map(|i| pw[i] * fam.loglik(y[i], ybar)).sum(),
            _ => f64::NAN,
        };

        // Covariance.
        let working: Vec<f64> = (0..n).map(|i| (y[i] - mu[i]) / fam.weight(mu[i])).collect();
        let clusters = crate::design::clusters(keys[n_fe..].iter().cloned());
        let (matrix, reference, n_clusters, label) = match spec {
            crate::VcovSpec::Iid => (bread.clone(), Reference::Normal, None, "iid".to_string()),
            _ => {
                let kind = match spec {
                    crate::VcovSpec::Hc0 => VcovKind::Hc0,
                    crate::VcovSpec::Hc1 => VcovKind::Hc1,
                    _ => VcovKind::Crv1(clusters),
                };
                let k_fe = crate::design::fe_parameters(&keys[..n_fe], &kind);
                let ing = Ingredients {
                    x: &xk,
                    n,
                    k,
                    residuals: &working,
                    weights: Some(&omega),
                    bread: &bread,
                    absorbed: n_fe > 0,
                };
                let cov = covariance(&kind, &ing, k + k_fe)?;
                let reference = match kind {
                    VcovKind::Crv1(_) => Reference::StudentT { df: cov.t_df },
                    _ => Reference::Normal,
                };
                (cov.matrix, reference, cov.n_clusters, kind.label())
            }
        };
        Ok(FeglmFit {
            family: fam,
            call: format!("{}({}, vcov = {label})", fam.name(), f.text),
            terms,
            beta,
            matrix,
            reference,
            label,
            n,
            n_clusters,
            loglik,
            ll_null,
            deviance,
            iterations,
            diagnostics,
        })
    }
}

/// A fitted [`Feglm`].
#[derive(Debug, Clone)]
pub struct FeglmFit {
    family: Family,
    call: String,
    terms: Vec<String>,
    beta: Vec<f64>,
    matrix: Vec<f64>,
    reference: Reference,
    label: String,
    n: usize,
    n_clusters: Option<usize>,
    loglik: f64,
    ll_null: f64,
    deviance: f64,
    iterations: usize,
    diagnostics: Vec<Diagnostic>,
}

impl FeglmFit {
    /// Observations used.
    pub fn nobs(&self) -> usize {
        self.n
    }
    /// Log-likelihood at the estimate (Poisson: including −ln y!).
    pub fn loglik(&self) -> f64 {
        self.loglik
    }
    /// Deviance at the estimate.
    pub fn deviance(&self) -> f64 {
        self.deviance
    }
    /// McFadden's pseudo R² (1 − loglik / null loglik), without fixed effects.
    pub fn pseudo_r2(&self) -> f64 {
        1.0 - self.loglik / self.ll_null
    }
    /// IRLS iterations used.
    pub fn iterations(&self) -> usize {
        self.iterations
    }
}

impl Estimates for FeglmFit {
    fn design(&self) -> &str {
        self.family.name()
    }
    fn call(&self) -> String {
        self.call.clone()
    }
    fn coefficients(&self) -> Vec<Coefficient> {
        let k = self.terms.len();
        self.terms
            .iter()
            .enumerate()
            .map(|(j, t)| Coefficient::new(t.clone(), self.beta[j], self.matrix[j * k + j].sqrt()))
            .collect()
    }
    fn reference(&self) -> Reference {
        self.reference
    }
    fn glance(&self) -> Glance {
        let mut g = Glance::new()
            .with(glance_names::NOBS, self.n)
            .with("loglik", self.loglik)
            .with("deviance", self.deviance)
            .with("iterations", self.iterations);
        if self.ll_null.is_finite() {
            g = g.with("pseudo_r2", self.pseudo_r2());
        }
        if let Some(c) = self.n_clusters {
            g = g.with(glance_names::N_CLUSTERS, c);
        }
        g.with(glance_names::VCOV_TYPE, self.label.as_str())
    }
    fn diagnostics(&self) -> Vec<Diagnostic> {
        self.diagnostics.clone()
    }
    fn vcov(&self) -> Option<Vcov> {
        Some(Vcov { terms: self.terms.clone(), values: self.matrix.clone(), kind: self.label.clone() })
    }
}
