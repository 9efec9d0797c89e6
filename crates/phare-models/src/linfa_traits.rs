//! phare's least squares behind linfa's traits, for code built on linfa's datasets.
//!
//! [`LinearRegression`] implements [`linfa::traits::Fit`] on a `Dataset<f64, f64>` (records
//! `Array2<f64>`, targets `Array1<f64>`, optional sample weights): it is [`crate::Feols`] on the
//! dataset's columns, with the intercept and covariance of your choice, and returns a
//! [`LinearFit`], which implements [`linfa::traits::Predict`] on new records and gives the full
//! [`FeolsFit`] (standard errors, `tidy`, `glance`) through [`LinearFit::inner`].
//!
//! ```
//! use linfa::prelude::*;
//! use ndarray::array;
//! use phare_core::Estimates;
//! use phare_models::linfa_traits::LinearRegression;
//!
//! let x = array![[1.0, 0.5], [2.0, -1.0], [3.0, 0.0], [4.0, 2.0], [5.0, 1.0]];
//! let y = array![3.1, 3.0, 6.9, 11.2, 11.0];
//! let data = Dataset::new(x.clone(), y).with_feature_names(vec!["dose", "age"]);
//! let fit = LinearRegression::new().fit(&data)?;
//! assert!(fit.inner().tidy().row("dose").is_some());
//! let predicted = fit.predict(&x);
//! assert_eq!(predicted.len(), 5);
//! # Ok::<(), phare_models::linfa_traits::LinfaError>(())
//! ```

use crate::{Feols, FeolsFit, VcovSpec};
use linfa::dataset::DatasetBase;
use linfa::traits::{Fit, PredictInplace};
use ndarray::{Array1, Array2};
use phare_core::Estimates;
use phare_data::polars::prelude::{Column, DataFrame};

/// The error of [`LinearRegression::fit`]: a phare error, or one raised by linfa itself (linfa's
/// traits require the error type to convert from linfa's).
#[derive(Debug, thiserror::Error)]
pub enum LinfaError {
    /// From phare (bad data, singular design…), with its hint.
    #[error(transparent)]
    Phare(#[from] phare_core::Error),
    /// From linfa.
    #[error(transparent)]
    Linfa(#[from] linfa::Error),
}

/// Least squares as a linfa fitting algorithm: the parameters (intercept, covariance).
#[derive(Debug, Clone, PartialEq)]
pub struct LinearRegression {
    intercept: bool,
    vcov: VcovSpec,
}

impl Default for LinearRegression {
    fn default() -> Self {
        LinearRegression { intercept: true, vcov: VcovSpec::Iid }
    }
}

impl LinearRegression {
    /// With an intercept and the iid covariance.
    pub fn new() -> LinearRegression {
        LinearRegression::default()
    }
    /// Whether to estimate an intercept (term `(Intercept)`).
    pub fn with_intercept(mut self, yes: bool) -> LinearRegression {
        self.intercept = yes;
        self
    }
    /// The covariance estimator (iid, HC0–HC3; clustered covariances need a frame, use
    /// [`crate::Feols`]).
    pub fn vcov(mut self, spec: VcovSpec) -> LinearRegression {
        self.vcov = spec;
        self
    }
}

/// A least-squares fit made through linfa's [`Fit`]; predicts with linfa's `Predict`.
#[derive(Debug, Clone)]
pub struct LinearFit {
    fit: FeolsFit,
    features: Vec<String>,
}

impl LinearFit {
    /// The full regression result: coefficients named after the dataset's features, standard
    /// errors, `tidy`, `glance`, diagnostics.
    pub fn inner(&self) -> &FeolsFit {
        &self.fit
    }
    /// The coefficients in the order of the record columns (intercept excluded); 0 for a column
    /// dropped as collinear (reported in the fit's diagnostics).
    pub fn slopes(&self) -> Vec<f64> {
        let tidy = self.fit.tidy();
        self.features.iter().map(|f| tidy.row(f).map_or(0.0, |r| r.estimate)).collect()
    }
    /// The intercept (0 without one).
    pub fn intercept(&self) -> f64 {
        self.fit.tidy().row("(Intercept)").map_or(0.0, |r| r.estimate)
    }
}

/// Column names for `k` features: the dataset's when usable in a formula, else `x1…xk`.
fn feature_names(names: &[String], k: usize) -> Vec<String> {
    let usable = names.len() == k
        && names.iter().all(|n| !n.is_empty() && !n.contains('`') && n != "(Intercept)" && n != "y")
        && (1..k).all(|i| !names[..i].contains(&names[i]));
    if usable { names.to_vec() } else { (1..=k).map(|j| format!("x{j}")).collect() }
}

impl Fit<Array2<f64>, Array1<f64>, LinfaError> for LinearRegression {
    type Object = LinearFit;

    fn fit(&self, dataset: &DatasetBase<Array2<f64>, Array1<f64>>) -> Result<LinearFit, LinfaError> {
        let x = dataset.records();
        let y = dataset.targets();
        let features = feature_names(dataset.feature_names(), x.ncols());
        let mut columns: Vec<Column> = vec![Column::new("y".into(), y.to_vec())];
        for (j, name) in features.iter().enumerate() {
            columns.push(Column::new(name.as_str().into(), x.column(j).to_vec()));
        }
        let weighted = dataset.weights().map(|w| w.iter().map(|&v| f64::from(v)).collect::<Vec<f64>>());
        if let Some(w) = &weighted {
            columns.push(Column::new("(weights)".into(), w.clone()));
        }
        let df = DataFrame::new_infer_height(columns).map_err(|e| phare_core::Error::Engine {
            context: "building a frame from a linfa dataset".into(),
            message: e.to_string(),
            hint: None,
        })?;
        let rhs: Vec<String> = features.iter().map(|f| format!("`{f}`")).collect();
        let formula = format!("y ~ {}{}", if self.intercept { "" } else { "0 + " }, rhs.join(" + "));
        let mut model = Feols::new(&formula)?.vcov(self.vcov.clone());
        if weighted.is_some() {
            model = model.weights("(weights)");
        }
        Ok(LinearFit { fit: model.fit(&df)?, features })
    }
}

impl PredictInplace<Array2<f64>, Array1<f64>> for LinearFit {
    /// `intercept + x·slopes` for each row of `x` (which must have the fitted number of columns;
    /// linfa's trait leaves no room for an error, so a wrong width panics, as in linfa's own models).
    fn predict_inplace(&self, x: &Array2<f64>, y: &mut Array1<f64>) {
        assert_eq!(
            x.ncols(),
            self.features.len(),
            "records have {} columns, the model {}",
            x.ncols(),
            self.features.len()
        );
        let slopes = Array1::from(self.slopes());
        *y = x.dot(&slopes) + self.intercept();
    }

    fn default_target(&self, x: &Array2<f64>) -> Array1<f64> {
        Array1::zeros(x.nrows())
    }
}

/// phare's logistic regression (maximum likelihood by Newton's method, optionally ridge-penalised)
/// as a linfa fitting algorithm on a `Dataset<f64, bool>`: the propensity-score model of
/// `phare_causal::weighting`, usable in code built on linfa. An intercept is always included and
/// never penalised; the penalty applies to the columns as given (standardise them first to match
/// scikit-learn's `LogisticRegression(C = 1/λ)` after `StandardScaler`).
///
/// ```
/// use linfa::prelude::*;
/// use ndarray::array;
/// use phare_models::linfa_traits::LogisticRegression;
///
/// let x = array![[0.1], [0.5], [0.9], [1.3], [1.7], [2.1], [2.5], [2.9]];
/// let y = array![false, false, true, false, true, false, true, true];
/// let fit = LogisticRegression::new().fit(&Dataset::new(x.clone(), y))?;
/// let p = fit.predict(&x);
/// assert!(p.iter().all(|v| *v > 0.0 && *v < 1.0));
/// // At the maximum the fitted probabilities sum to the number of ones.
/// assert!((p.sum() - 4.0).abs() < 1e-9);
/// # Ok::<(), phare_models::linfa_traits::LinfaError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LogisticRegression {
    penalty: f64,
}

impl LogisticRegression {
    /// Unpenalised maximum likelihood.
    pub fn new() -> LogisticRegression {
        LogisticRegression::default()
    }
    /// A ridge penalty `λ/2·‖β‖²` on the slopes.
    pub fn penalty(mut self, lambda: f64) -> LogisticRegression {
        self.penalty = lambda;
        self
    }
}

/// A fitted [`LogisticRegression`]: coefficients (intercept first) and the inverse of the
/// (penalised) information matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticFit {
    /// Intercept, then one slope per column.
    pub coefficients: Vec<f64>,
    /// `(XᵀWX + λP)⁻¹`, row-major.
    pub inv_information: Vec<f64>,
}

impl Fit<Array2<f64>, Array1<bool>, LinfaError> for LogisticRegression {
    type Object = LogisticFit;

    fn fit(&self, dataset: &DatasetBase<Array2<f64>, Array1<bool>>) -> Result<LogisticFit, LinfaError> {
        let x = dataset.records();
        let (n, k) = (x.nrows(), x.ncols() + 1);
        let mut design = vec![1.0; n];
        for j in 0..x.ncols() {
            design.extend(x.column(j).iter().copied());
        }
        let y: Vec<f64> = dataset.targets().iter().map(|&t| f64::from(u8::from(t))).collect();
        let w = dataset.weights().map(|w| w.iter().map(|&v| f64::from(v)).collect::<Vec<f64>>());
        let fit = phare_stats::logit::logit_ridge(&design, n, k, &y, w.as_deref(), self.penalty)?;
        Ok(LogisticFit { coefficients: fit.beta, inv_information: fit.inv_information })
    }
}

impl PredictInplace<Array2<f64>, Array1<f64>> for LogisticFit {
    /// The probabilities `1/(1 + exp(−(β₀ + xβ)))` for each row of `x` (which must have the fitted
    /// number of columns; a wrong width panics, as in linfa's own models).
    fn predict_inplace(&self, x: &Array2<f64>, y: &mut Array1<f64>) {
        assert_eq!(
            x.ncols() + 1,
            self.coefficients.len(),
            "records have {} columns, the model {}",
            x.ncols(),
            self.coefficients.len() - 1
        );
        let slopes = Array1::from(self.coefficients[1..].to_vec());
        *y = (x.dot(&slopes) + self.coefficients[0]).mapv(|eta| 1.0 / (1.0 + (-eta).exp()));
    }

    fn default_target(&self, x: &Array2<f64>) -> Array1<f64> {
        Array1::zeros(x.nrows())
    }
}
