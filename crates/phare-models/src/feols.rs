//! Ordinary and weighted least squares with absorbed fixed effects.

use crate::formula::Formula;
use phare_core::{Coefficient, Diagnostic, Error, Estimates, Glance, Reference, Result, Vcov, glance_names};
use phare_data::ColumnByName;
use phare_data::matrix::{DesignMatrix, GroupIds, MissingPolicy};
use phare_data::polars::prelude::DataFrame;
use phare_stats::demean::{DemeanOptions, FixedEffects};
use phare_stats::linalg::{Cholesky, LeastSquares, crossprod, crossprod_vec};
use phare_stats::vcov::{Clusters, Covariance, Ingredients, VcovKind, covariance};

/// The covariance requested, by column names (turned into [`VcovKind`] at fit time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VcovSpec {
    /// Homoskedastic.
    Iid,
    /// Heteroskedasticity-robust, no correction.
    Hc0,
    /// Heteroskedasticity-robust, N/(N − K).
    Hc1,
    /// Leverage-corrected (not with fixed effects).
    Hc2,
    /// Leverage-corrected, squared (not with fixed effects).
    Hc3,
    /// Cluster-robust on one or several columns.
    Crv1(Vec<String>),
    /// Cluster jackknife on one column: the model is re-fitted leaving out each cluster.
    Crv3(String),
    /// Newey–West for panels: panel column, time column, lag (default ⌊T^¼⌋).
    NeweyWest {
        /// Panel column.
        panel: String,
        /// Time column.
        time: String,
        /// Bandwidth; `None` for ⌊T^¼⌋.
        lag: Option<usize>,
    },
    /// Driscoll–Kraay: time column, lag (default ⌊T^¼⌋).
    DriscollKraay {
        /// Time column.
        time: String,
        /// Bandwidth; `None` for ⌊T^¼⌋.
        lag: Option<usize>,
    },
}

impl VcovSpec {
    /// Parses `iid`, `HC0`…`HC3`, `CRV1:col`, `CRV1:a+b` (case-insensitive kinds).
    ///
    /// ```
    /// use phare_models::VcovSpec;
    /// assert_eq!(VcovSpec::parse("CRV1:nr+year").unwrap(), VcovSpec::Crv1(vec!["nr".into(), "year".into()]));
    /// assert!(VcovSpec::parse("HC4").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<VcovSpec> {
        let (kind, arg) = s.split_once(':').map_or((s, None), |(k, a)| (k, Some(a)));
        match (kind.to_ascii_lowercase().as_str(), arg) {
            ("iid", None) => Ok(VcovSpec::Iid),
            ("hc0", None) => Ok(VcovSpec::Hc0),
            ("hc1" | "hetero", None) => Ok(VcovSpec::Hc1),
            ("hc2", None) => Ok(VcovSpec::Hc2),
            ("hc3", None) => Ok(VcovSpec::Hc3),
            ("crv1" | "cluster", Some(cols)) if !cols.trim().is_empty() => {
                Ok(VcovSpec::Crv1(cols.split('+').map(|c| c.trim().to_string()).collect()))
            }
            ("crv3", Some(col)) if !col.trim().is_empty() && !col.contains('+') => {
                Ok(VcovSpec::Crv3(col.trim().into()))
            }
            ("crv3", _) => Err(Error::InvalidArgument {
                name: "vcov".into(),
                value: format!("`{s}`"),
                reason: "CRV3 takes exactly one clustering column".into(),
                hint: Some("e.g. CRV3:commune".into()),
            }),
            ("nw", Some(args)) | ("dk", Some(args)) => {
                let parts: Vec<&str> = args.split(',').map(str::trim).collect();
                let nw = kind.eq_ignore_ascii_case("nw");
                let (cols, lag) = match parts.last().map(|l| l.parse::<usize>()) {
                    Some(Ok(l)) => (&parts[..parts.len() - 1], Some(l)),
                    _ => (&parts[..], None),
                };
                match (nw, cols) {
                    (true, [panel, time]) if !panel.is_empty() && !time.is_empty() => {
                        Ok(VcovSpec::NeweyWest { panel: panel.to_string(), time: time.to_string(), lag })
                    }
                    (false, [time]) if !time.is_empty() => Ok(VcovSpec::DriscollKraay { time: time.to_string(), lag }),
                    _ => Err(Error::InvalidArgument {
                        name: "vcov".into(),
                        value: format!("`{s}`"),
                        reason: "expected NW:panel,time[,lag] or DK:time[,lag]".into(),
                        hint: Some("e.g. NW:commune,year,2 or DK:year,2".into()),
                    }),
                }
            }
            _ => Err(Error::unknown_option(
                "vcov",
                s,
                &[
                    "iid",
                    "HC0",
                    "HC1",
                    "HC2",
                    "HC3",
                    "CRV1:column",
                    "CRV1:a+b",
                    "CRV3:column",
                    "NW:panel,time,lag",
                    "DK:time,lag",
                ],
            )),
        }
    }

    fn columns(&self) -> &[String] {
        match self {
            VcovSpec::Crv1(c) => c,
            VcovSpec::Crv3(c) => std::slice::from_ref(c),
            VcovSpec::NeweyWest { panel, .. } => std::slice::from_ref(panel),
            _ => &[],
        }
    }

    /// The time column of a HAC covariance.
    fn time_column(&self) -> Option<&str> {
        match self {
            VcovSpec::NeweyWest { time, .. } | VcovSpec::DriscollKraay { time, .. } => Some(time),
            _ => None,
        }
    }
}

/// A linear model fitted by least squares, fixest-style: `Feols::new("y ~ x | fe")?.fit(&df)?`.
///
/// The slopes solve `min Σ wᵢ (yᵢ − xᵢβ − Σ_f α_f[g_f(i)])²`; the fixed effects α are absorbed by
/// alternating projections ([`phare_stats::demean`]) and never estimated. With an instrumental-
/// variables part, the model is estimated by two-stage least squares: each endogenous regressor is
/// replaced by its fitted values from a first stage on the exogenous regressors and the excluded
/// instruments (fixed effects absorbed in both stages); the covariance uses the structural residuals
/// and the fitted regressors, and the first-stage F statistics are reported (glance
/// `first_stage_f_<name>`, a warning below 10). Rows with a missing value
/// in any variable used are dropped and reported. Regressors collinear with earlier ones (or with
/// the fixed effects) are dropped and reported. Intervals and p-values use Student's t with the
/// degrees of freedom of the covariance (see [`phare_stats::vcov`]).
///
/// | parameter | default | purpose |
/// |---|---|---|
/// | formula | required | `y ~ x1 + x2 \| fe1 + fe2`, or with instruments `y ~ x \| fe \| endog ~ z1 + z2` |
/// | `weights(col)` | none | WLS weights, positive |
/// | `vcov(spec)` (CRV3 re-fits the model once per cluster) | `Iid` without fixed effects, `CRV1` on the first fixed effect with them (as fixest) | covariance |
///
/// # Errors
/// Formula errors, missing or non-numeric columns, non-positive weights, all regressors collinear,
/// fewer observations than parameters.
///
/// # Example
/// ```
/// use phare_models::{Feols, VcovSpec};
/// use phare_core::Estimates;
/// let wagepan = phare_data::load_dataset("wagepan")?;
/// let fit = Feols::new("lwage ~ union + married + expersq | nr + year")?
///     .vcov(VcovSpec::Crv1(vec!["nr".into()]))
///     .fit(&wagepan)?;
/// let union = fit.tidy().row("union").unwrap().clone();
/// assert!((union.estimate - 0.0800018553).abs() < 1e-9);     // pyfixest 0.60.0
/// assert!((union.std_error - 0.0227431000).abs() < 1e-9);
/// # Ok::<(), phare_core::Error>(())
/// ```
///
/// # References
/// Gaure (2013) for alternating projections; Cameron, Gelbach and Miller (2011) for multi-way
/// clustering; Bergé (2018) and the fixest/pyfixest documentation for the small-sample conventions.
#[derive(Debug, Clone, PartialEq)]
pub struct Feols {
    formula: Formula,
    weights: Option<String>,
    vcov: Option<VcovSpec>,
    demean: DemeanOptions,
    drop_singletons: bool,
}

impl Feols {
    /// A model from a formula.
    pub fn new(formula: &str) -> Result<Feols> {
        Ok(Feols {
            formula: Formula::parse(formula)?,
            weights: None,
            vcov: None,
            demean: DemeanOptions::default(),
            drop_singletons: true,
        })
    }
    /// Weighted least squares with weights from `column`.
    pub fn weights(mut self, column: &str) -> Feols {
        self.weights = Some(column.into());
        self
    }
    /// The covariance estimator.
    pub fn vcov(mut self, spec: VcovSpec) -> Feols {
        self.vcov = Some(spec);
        self
    }
    /// Whether to drop singleton observations (alone in a level of some fixed effect), repeatedly
    /// until none is left; on by default, as pyfixest (`fixef_rm="singleton"`).
    pub fn drop_singletons(mut self, yes: bool) -> Feols {
        self.drop_singletons = yes;
        self
    }
    /// Convergence settings for absorbing fixed effects.
    pub fn demean_options(mut self, options: DemeanOptions) -> Feols {
        self.demean = options;
        self
    }

    /// Fits the model on `df`.
    pub fn fit(&self, df: &DataFrame) -> Result<FeolsFit> {
        let f = &self.formula;
        let spec = self.vcov.clone().unwrap_or_else(|| match f.fixed_effects.first() {
            Some(fe) => VcovSpec::Crv1(vec![fe.clone()]),
            None => VcovSpec::Iid,
        });
        // Numeric variables: outcome, every column of every term, endogenous, instruments, weights.
        let numeric = crate::design::numeric_columns(f, f.endogenous.iter().chain(&f.instruments).chain(&self.weights));
        let m = DesignMatrix::from_frame(df, &numeric, MissingPolicy::Drop)?;
        let mut diagnostics: Vec<Diagnostic> = m.diagnostics().to_vec();
        // Keys: fixed effects, then cluster columns; rows with a missing key are dropped too.
        let time_col: Option<String> = spec.time_column().map(String::from);
        let key_cols: Vec<&String> = f.fixed_effects.iter().chain(spec.columns()).chain(&time_col).collect();
        let mut keys: Vec<GroupIds> = Vec::with_capacity(key_cols.len());
        for (i, c) in key_cols.iter().enumerate() {
            // A cluster that is also a fixed effect (the usual case) is encoded once.
            let g = match key_cols[..i].iter().position(|p| p == c) {
                Some(j) => keys[j].clone(),
                None => GroupIds::from_frame(df, c, m.source_rows())?,
            };
            keys.push(g);
        }
        let factors = crate::design::encode_factors(df, f, m.source_rows())?;
        let mut keep: Vec<bool> = (0..m.nrows())
            .map(|i| keys.iter().all(|k| k.ids[i].is_some()) && factors.iter().all(|fc| fc.codes[i].is_some()))
            .collect();
        let missing_keys = keep.iter().filter(|k| !**k).count();
        if missing_keys > 0 {
            diagnostics.push(Diagnostic::warning(
                "rows_dropped_missing_keys",
                format!("{missing_keys} rows dropped for missing fixed-effect, cluster or factor values"),
            ));
        }
        if self.drop_singletons {
            let singletons = drop_singletons(&keys[..f.fixed_effects.len()], &mut keep);
            if singletons > 0 {
                diagnostics.push(Diagnostic::note(
                    "singletons_dropped",
                    format!(
                        "{singletons} observations dropped as singletons (alone in a fixed-effect level: they are \
                         fitted exactly and carry no information on the slopes)"
                    ),
                ));
            }
        }
        let dropped_keys = keep.iter().filter(|k| !**k).count();
        let m = if dropped_keys > 0 { m.select_rows(&keep) } else { m };
        let factors = if dropped_keys > 0 { crate::design::filter_factors(factors, &keep) } else { factors };
        let n = m.nrows();
        if n == 0 {
            return Err(Error::design(
                "no observation is left after dropping missing values",
                "check the columns used",
            ));
        }
        let keys: Vec<GroupIds> = if dropped_keys == 0 {
            keys
        } else {
            keys.into_iter()
                .map(|k| {
                    let ids: Vec<Option<u32>> = k.ids.iter().zip(&keep).filter(|(_, k)| **k).map(|(v, _)| *v).collect();
                    renumber(k.name, ids)
                })
                .collect()
        };
        let weights: Option<Vec<f64>> = match &self.weights {
            Some(w) => Some(crate::design::positive_weights(&m, w)?),
            None => None,
        };
        let wref = weights.as_deref();

        // Build y and X.
        let mut y = m.column_by_name(&f.outcome).unwrap_or_default().to_vec();
        let (n_endog, n_inst) = (f.endogenous.len(), f.instruments.len());
        let (mut names, mut x) = crate::design::regressors(f, &m, &factors, n_endog + n_inst);
        // Endogenous regressors, then instruments, in the same buffer so they are demeaned together.
        let k_exog = names.len();
        for c in f.endogenous.iter().chain(&f.instruments) {
            x.extend_from_slice(m.column_by_name(c).unwrap_or_default());
        }
        let w = |i: usize| wref.map_or(1.0, |w| w[i]);
        let wsum: f64 = (0..n).map(w).sum();
        let ybar = (0..n).map(|i| w(i) * y[i]).sum::<f64>() / wsum;
        let tss: f64 = (0..n).map(|i| w(i) * (y[i] - ybar).powi(2)).sum();
        // Absorb the fixed effects.
        let n_fe = f.fixed_effects.len();
        let fe = FixedEffects::new(
            keys[..n_fe].iter().map(|k| k.ids.iter().map(|v| v.unwrap_or(0)).collect()).collect(),
            keys[..n_fe].iter().map(|k| k.n_levels).collect(),
            wref,
        );
        if n_fe > 0 {
            let (ry, rx) =
                rayon::join(|| fe.demean(&mut y, &self.demean), || fe.demean_columns(&mut x, n, &self.demean));
            ry?;
            rx?;
        }
        // Instrumental variables: replace each endogenous regressor by its first-stage fitted values
        // (x̂), keep its actual values (x_actual) for the structural residuals.
        let (first_stage, x_actual) = if n_endog > 0 {
            let (fs, x_hat, x_actual) = first_stage(&x, n, k_exog, &f.endogenous, n_inst, wref)?;
            x = x_hat;
            (Some(fs), Some(x_actual))
        } else {
            (None, None)
        };
        names.extend(f.endogenous.iter().cloned());
        // Solve, dropping collinear regressors.
        let k_all = names.len();
        // Householder QR rather than the normal equations: accurate on ill-conditioned designs.
        let chol = LeastSquares::new(&x, n, k_all, &y, wref);
        diagnostics.extend(crate::design::collinearity(&chol.kept, &chol.dropped, &names)?);
        let beta = chol.beta.clone();
        let k = chol.kept.len();
        let xk: Vec<f64> = if chol.dropped.is_empty() {
            x
        } else {
            chol.kept.iter().flat_map(|&j| x[j * n..(j + 1) * n].iter().copied()).collect()
        };
        // Structural residuals use the actual regressors (for 2SLS, not the fitted endogenous ones).
        let residuals: Vec<f64> = match &x_actual {
            Some(xa) => (0..n)
                .map(|i| y[i] - chol.kept.iter().enumerate().map(|(p, &j)| xa[j * n + i] * beta[p]).sum::<f64>())
                .collect(),
            None => (0..n).map(|i| y[i] - (0..k).map(|j| xk[j * n + i] * beta[j]).sum::<f64>()).collect(),
        };

        let bread = chol.inverse;
        let rss: f64 = (0..n).map(|i| w(i) * residuals[i].powi(2)).sum();
        let within_tss: f64 = (0..n).map(|i| w(i) * y[i].powi(2)).sum();
        // The fixed effects themselves, for `fixef` and `predict`; the demeaned outcome's buffer
        // is reused (fresh memory is what costs most on large data).
        let fixef = if n_fe > 0 {
            let kept_beta = |j: usize| chol.kept.iter().position(|&p| p == j).map(|p| beta[p]);
            let s = fe_component(f, &m, &factors, &residuals, &kept_beta, y);
            let alpha = fe.coefficients(s, &self.demean)?;
            keys[..n_fe]
                .iter()
                .zip(alpha)
                .map(|(k, values)| FixefValues::new(df, k, m.source_rows(), values))
                .collect::<Result<Vec<_>>>()?
        } else {
            Vec::new()
        };
        let factor_levels: Vec<(String, Vec<String>)> =
            factors.iter().map(|fc| (fc.var.clone(), fc.labels.clone())).collect();

        let fit = FeolsFit {
            model: self.clone(),
            formula: f.clone(),
            weights: self.weights.clone(),
            terms: chol.kept.iter().map(|&j| names[j].clone()).collect(),
            beta,
            n,
            x: xk,
            residuals,
            w: weights,
            bread,
            fe_ids: keys,
            source_rows: m.into_source_rows(),
            r2: 1.0 - rss / tss,
            within_r2: (n_fe > 0).then(|| 1.0 - rss / within_tss),
            cov: Covariance { matrix: Vec::new(), t_df: f64::NAN, factor: 1.0, n_clusters: None },
            vcov_label: String::new(),
            first_stage,
            crv3_cluster: None,
            first_stage_f: Vec::new(),
            effective_f: None,
            weak_iv: None,
            diagnostics,
            fixef,
            factor_levels,
        };
        let mut fit = fit;
        let cluster_keys = fit.fe_ids.split_off(n_fe);
        let clusters = crate::design::clusters(cluster_keys);
        let time = hac_time(&spec, df, &fit.source_rows)?;
        let fit = fit.with_clusters(&spec, clusters, time)?;
        match &spec {
            VcovSpec::Crv3(_) => fit.jackknife(df),
            _ => Ok(fit),
        }
    }
}

/// For HAC covariances: each used row's period rank among the sorted distinct periods, and their
/// number.
fn hac_time(spec: &VcovSpec, df: &DataFrame, rows: &[usize]) -> Result<Option<(Vec<u32>, usize)>> {
    let Some(col) = spec.time_column() else { return Ok(None) };
    let (levels, codes) = phare_data::matrix::sorted_levels(df, col, rows)?;
    let ranks: Option<Vec<u32>> = codes.into_iter().collect();
    let ranks = ranks.ok_or_else(|| Error::MissingValues {
        column: col.to_string(),
        count: 1,
        first_row: 0,
        hint: Some("periods must be known for every row used".into()),
    })?;
    Ok(Some((ranks, levels.len())))
}

/// Marks as dropped, repeatedly, the rows alone in a level of one of `fixed_effects` (among the rows
/// still kept); returns how many were dropped.
fn drop_singletons(fixed_effects: &[GroupIds], keep: &mut [bool]) -> usize {
    let mut dropped = 0;
    loop {
        let mut changed = false;
        for fe in fixed_effects {
            let mut count = vec![0u32; fe.n_levels];
            for (id, k) in fe.ids.iter().zip(keep.iter()) {
                if let (Some(l), true) = (id, k) {
                    count[*l as usize] += 1;
                }
            }
            for (id, k) in fe.ids.iter().zip(keep.iter_mut()) {
                if let (Some(l), true) = (id, *k)
                    && count[*l as usize] == 1
                {
                    *k = false;
                    dropped += 1;
                    changed = true;
                }
            }
        }
        if !changed {
            return dropped;
        }
    }
}

/// Renumbers ids (all present) to `0..levels` after rows were dropped.
pub(crate) fn renumber(name: String, ids: Vec<Option<u32>>) -> GroupIds {
    let mut map = std::collections::HashMap::new();
    let ids: Vec<Option<u32>> = ids
        .into_iter()
        .map(|v| {
            let next = map.len() as u32;
            v.map(|v| *map.entry(v).or_insert(next))
        })
        .collect();
    GroupIds { name, n_levels: map.len(), ids }
}

/// A fitted [`Feols`] model.
#[derive(Debug, Clone)]
pub struct FeolsFit {
    /// The specification, kept to re-fit for the cluster jackknife (CRV3).
    model: Feols,
    formula: Formula,
    weights: Option<String>,
    terms: Vec<String>,
    beta: Vec<f64>,
    n: usize,
    x: Vec<f64>,
    residuals: Vec<f64>,
    w: Option<Vec<f64>>,
    bread: Vec<f64>,
    fe_ids: Vec<GroupIds>,
    source_rows: Vec<usize>,
    r2: f64,
    within_r2: Option<f64>,
    cov: Covariance,
    vcov_label: String,
    first_stage: Option<FirstStage>,
    /// The clustering of a pending CRV3 computation.
    crv3_cluster: Option<Clusters>,
    /// Per endogenous regressor: the first-stage F statistic of the excluded instruments.
    first_stage_f: Vec<(String, f64)>,
    /// Montiel Olea–Pflueger effective F (one endogenous regressor).
    effective_f: Option<f64>,
    /// Cragg–Donald F and Kleibergen–Paap rk Wald F (2SLS).
    weak_iv: Option<(f64, Option<f64>)>,
    diagnostics: Vec<Diagnostic>,
    /// The estimated fixed effects, for [`FeolsFit::fixef`] and [`FeolsFit::predict`].
    fixef: Vec<FixefValues>,
    /// Per factor `i(var)`: its levels in the fit, to encode new data the same way.
    factor_levels: Vec<(String, Vec<String>)>,
}

/// The estimated coefficients of one absorbed fixed effect, by level (see [`FeolsFit::fixef`]).
/// Level names are rendered from the data only when asked for (they cost a string per level).
#[derive(Debug, Clone)]
pub struct FixefValues {
    /// The fixed-effect column.
    pub name: String,
    /// The column's values (a cheap, shared copy), to name the levels.
    column: phare_data::polars::prelude::Column,
    /// Per level (in order of first appearance): the row of the data where it first appears.
    first_rows: Vec<usize>,
    /// One coefficient per level.
    pub values: Vec<f64>,
}

impl FixefValues {
    /// Records, for the levels of `key` (encoded on `rows` of `df`), where each first appears.
    fn new(df: &DataFrame, key: &GroupIds, rows: &[usize], values: Vec<f64>) -> Result<FixefValues> {
        let mut first_rows = vec![usize::MAX; key.n_levels];
        for (i, id) in key.ids.iter().enumerate() {
            if let Some(l) = id
                && first_rows[*l as usize] == usize::MAX
            {
                first_rows[*l as usize] = rows[i];
            }
        }
        let column = df.column_named(&key.name).map_err(|e| Error::Engine {
            context: "keeping fixed-effect levels".into(),
            message: e.to_string(),
            hint: None,
        })?;
        Ok(FixefValues { name: key.name.clone(), column: column.clone(), first_rows, values })
    }

    /// The levels as text (integers in decimal), in order of first appearance in the data, one per
    /// value.
    ///
    /// # Errors
    /// Only if the stored column cannot be read (an engine error).
    pub fn levels(&self) -> Result<Vec<String>> {
        let frame = DataFrame::new_infer_height(vec![self.column.clone()]).map_err(|e| Error::Engine {
            context: "naming fixed-effect levels".into(),
            message: e.to_string(),
            hint: None,
        })?;
        let cells = phare_data::matrix::render_cells(&frame, &self.name, &self.first_rows)?;
        Ok(cells.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// The coefficient of level `level`, if it was in the estimation sample.
    pub fn get(&self, level: &str) -> Option<f64> {
        let levels = self.levels().ok()?;
        levels.iter().position(|l| l == level).map(|i| self.values[i])
    }
}

/// The part of the outcome the fixed effects explain, `y − Xβ̂ − ε̂` (with the actual endogenous
/// regressors for 2SLS), from the undemeaned columns of `m`, written into `buffer`; `beta(j)` is
/// regressor `j`'s
/// coefficient (`None` when dropped as collinear), regressors numbered as [`crate::design::regressors`]
/// then the endogenous ones.
fn fe_component(
    f: &Formula,
    m: &DesignMatrix,
    factors: &[crate::design::FactorCodes],
    residuals: &[f64],
    beta: &dyn Fn(usize) -> Option<f64>,
    buffer: Vec<f64>,
) -> Vec<f64> {
    let mut s = buffer;
    s.clear();
    s.extend(m.column_by_name(&f.outcome).unwrap_or_default().iter().zip(residuals).map(|(y, e)| y - e));
    let mut j = 0;
    crate::design::for_each_regressor(f, m, factors, |_, col| {
        if let Some(b) = beta(j) {
            s.iter_mut().zip(col).for_each(|(s, x)| *s -= b * x);
        }
        j += 1;
    });
    for c in &f.endogenous {
        if let Some(b) = beta(j) {
            s.iter_mut().zip(m.column_by_name(c).unwrap_or_default()).for_each(|(s, x)| *s -= b * x);
        }
        j += 1;
    }
    s
}

/// What the first stage of 2SLS keeps to compute its F statistics under any covariance.
#[derive(Debug, Clone)]
struct FirstStage {
    /// Exogenous regressors then kept instruments, demeaned, column-major `n × kw`.
    w: Vec<f64>,
    kw: usize,
    /// Positions of the instruments among the columns of `w`.
    instruments: Vec<usize>,
    /// `(WᵀW)⁻¹`, row-major.
    bread: Vec<f64>,
    /// Per endogenous regressor: name, first-stage coefficients, residuals.
    equations: Vec<(String, Vec<f64>, Vec<f64>)>,
}

/// See [`FeolsFit::effective_f`].
fn effective_f(
    fs: &FirstStage,
    n: usize,
    w: Option<&[f64]>,
    kind: &VcovKind,
    k_fe: usize,
    absorbed: bool,
) -> Result<f64> {
    let (_, pi, resid) = &fs.equations[0];
    let robust = match kind {
        VcovKind::Iid => VcovKind::Hc1,
        other => other.clone(),
    };
    let ing = Ingredients { x: &fs.w, n, k: fs.kw, residuals: resid, weights: w, bread: &fs.bread, absorbed };
    let v = covariance(&robust, &ing, fs.kw + k_fe)?.matrix;
    let q = fs.instruments.len();
    let z_tilde = partial_out_exogenous(fs, n, w);
    let qm = crossprod(&z_tilde, n, q, w);
    let pz: Vec<f64> = fs.instruments.iter().map(|&a| pi[a]).collect();
    let num: f64 = (0..q).map(|a| pz[a] * (0..q).map(|b| qm[a * q + b] * pz[b]).sum::<f64>()).sum();
    let trace: f64 = (0..q)
        .map(|a| (0..q).map(|b| v[fs.instruments[a] * fs.kw + fs.instruments[b]] * qm[b * q + a]).sum::<f64>())
        .sum();
    Ok(num / trace)
}

/// The excluded instruments minus their (weighted) projection on the exogenous regressors, Z̃,
/// column-major `n × q`.
fn partial_out_exogenous(fs: &FirstStage, n: usize, w: Option<&[f64]>) -> Vec<f64> {
    let exog: Vec<usize> = (0..fs.kw).filter(|j| !fs.instruments.contains(j)).collect();
    let col = |j: usize| &fs.w[j * n..(j + 1) * n];
    let x_exog: Vec<f64> = exog.iter().flat_map(|&j| col(j).iter().copied()).collect();
    let chol = Cholesky::new(&crossprod(&x_exog, n, exog.len(), w), exog.len());
    let mut z_tilde: Vec<f64> = Vec::with_capacity(fs.instruments.len() * n);
    for &j in &fs.instruments {
        let z = col(j);
        let g = chol.solve(&crossprod_vec(&x_exog, n, exog.len(), z, w));
        z_tilde.extend(
            (0..n).map(|i| z[i] - chol.kept.iter().enumerate().map(|(p, &e)| x_exog[e * n + i] * g[p]).sum::<f64>()),
        );
    }
    z_tilde
}

/// Weak-identification statistics of 2SLS: the Cragg–Donald F and the Kleibergen–Paap (2006) rk
/// Wald F for the null that the first-stage coefficient matrix Π (instruments × endogenous) has
/// rank m − 1, computed as Stata's ivreg2 and linearmodels do (see [`FeolsFit::weak_iv`]). `l` is
/// the number of instruments including the exogenous regressors and the fixed effects' parameters.
/// Returns `(cragg_donald_f, kleibergen_paap_f)`; the latter is `None` under a covariance it is not
/// defined for here (several clustering variables, HAC).
fn rank_test(fs: &FirstStage, n: usize, w: Option<&[f64]>, kind: &VcovKind, l: usize) -> (f64, Option<f64>) {
    use phare_stats::linalg::{symmetric_eigen, symmetric_power};
    let (k, m) = (fs.instruments.len(), fs.equations.len());
    let root_w = |i: usize| w.map_or(1.0, |w| w[i].sqrt());
    // Rows scaled by √w, so that weighted cross products become plain ones.
    let mut z = partial_out_exogenous(fs, n, w);
    z.chunks_mut(n).for_each(|c| c.iter_mut().enumerate().for_each(|(i, v)| *v *= root_w(i)));
    let v: Vec<f64> = fs.equations.iter().flat_map(|e| e.2.iter().enumerate().map(|(i, r)| r * root_w(i))).collect();
    // Π̂ (k × m, column-major) and X̃ = Z̃ Π̂ + V: the endogenous regressors net of the exogenous ones.
    let pi: Vec<f64> = fs.equations.iter().flat_map(|e| fs.instruments.iter().map(|&a| e.1[a])).collect();
    let x: Vec<f64> = (0..m)
        .flat_map(|e| {
            let (z, v, pi) = (&z, &v, &pi);
            (0..n).map(move |i| v[e * n + i] + (0..k).map(|a| z[a * n + i] * pi[e * k + a]).sum::<f64>())
        })
        .collect();
    let nf = n as f64;
    let scale = |a: Vec<f64>| a.into_iter().map(|v| v / nf).collect::<Vec<f64>>();
    let qzz = scale(crossprod(&z, n, k, None));
    let qvv = scale(crossprod(&v, n, m, None));
    let qxx = scale(crossprod(&x, n, m, None));
    // Cragg–Donald: (n − L) · smallest eigenvalue of (VᵀV)⁻¹ X̃ᵀP_Z X̃, with X̃ᵀP_Z X̃ = X̃ᵀX̃ − VᵀV;
    // through the symmetric form (VᵀV)^-½ (X̃ᵀX̃ − VᵀV) (VᵀV)^-½.
    let vi = symmetric_power(&qvv, m, -0.5);
    let xpx: Vec<f64> = qxx.iter().zip(&qvv).map(|(a, b)| a - b).collect();
    let sym = matmul(&matmul(&vi, &xpx, m, m, m), &vi, m, m, m);
    let cd_chi2 = (nf - l as f64) * symmetric_eigen(&sym, m).0[0];
    let cd_f = cd_chi2 / k as f64;
    // Kleibergen–Paap: Θ = G^½ Π F^½ with G = Z̃ᵀZ̃/n, F = (X̃ᵀX̃/n)⁻¹ (ivreg2's normalisation).
    let (factor, meat) = match kind {
        VcovKind::Iid => return (cd_f, Some(cd_f)),
        VcovKind::Hc0 | VcovKind::Hc1 | VcovKind::Hc2 | VcovKind::Hc3 => ((nf - l as f64) / nf, None),
        VcovKind::Crv1(c) if c.len() == 1 => {
            let g = c[0].n_levels as f64;
            ((nf - l as f64) / (nf - 1.0) * (g - 1.0) / g, Some(&c[0]))
        }
        _ => return (cd_f, None),
    };
    // Meat: Σ sᵢsᵢᵀ / n over observations (HC0) or clusters (CR0), sᵢ = vec(zᵢ vᵢᵀ) = vᵢ ⊗ zᵢ.
    let mk = m * k;
    let score = |i: usize, out: &mut [f64]| {
        for e in 0..m {
            for a in 0..k {
                out[e * k + a] = v[e * n + i] * z[a * n + i];
            }
        }
    };
    let mut omega_s = vec![0.0; mk * mk];
    let mut s = vec![0.0; mk];
    let mut add = |s: &[f64]| {
        for r in 0..mk {
            for c in 0..mk {
                omega_s[r * mk + c] += s[r] * s[c] / nf;
            }
        }
    };
    match meat {
        None => (0..n).for_each(|i| {
            score(i, &mut s);
            add(&s);
        }),
        Some(cl) => {
            let mut sums = vec![0.0; cl.n_levels * mk];
            for i in 0..n {
                score(i, &mut s);
                let g = cl.ids[i] as usize;
                sums[g * mk..(g + 1) * mk].iter_mut().zip(&s).for_each(|(a, b)| *a += b);
            }
            sums.chunks(mk).for_each(&mut add);
        }
    }
    let g_half = symmetric_power(&qzz, k, 0.5);
    let f_half = symmetric_power(&qxx, m, -0.5);
    let qzz_inv = symmetric_power(&qzz, k, -1.0);
    // Θ = G^½ Π F^½ (k × m).
    let theta = matmul(&matmul(&g_half, &pi, k, k, m), &f_half, k, m, m);
    // The statistic depends on Θ's singular vectors only through the span P of the left ones
    // beyond the first m − 1 and the last right one b (A⊥ and B⊥ of the paper are rotations of
    // those, which the quadratic form ignores): λ = PᵀΘb, Ω = (bᵀ ⊗ Pᵀ) W (b ⊗ P), rk = n λᵀΩ⁻¹λ.
    let tt = matmul(&transpose(&theta, k, m), &theta, m, k, m);
    let b = symmetric_eigen(&tt, m).1[..m].to_vec();
    let ttt = matmul(&theta, &transpose(&theta, k, m), k, m, k);
    let p_basis = symmetric_eigen(&ttt, k).1[..(k - m + 1) * k].to_vec(); // k × (k − m + 1)
    let r = k - m + 1;
    let theta_b = matmul(&theta, &b, k, m, 1);
    let lambda = matmul(&transpose(&p_basis, k, r), &theta_b, r, k, 1);
    // C = (bᵀ ⊗ Pᵀ)(F^½ᵀ ⊗ G^½)(I ⊗ Qzz⁻¹) = (bᵀF^½ᵀ) ⊗ (PᵀG^½Qzz⁻¹): r × mk.
    let bf = matmul(&transpose(&b, m, 1), &transpose(&f_half, m, m), 1, m, m);
    let pg = matmul(&matmul(&transpose(&p_basis, k, r), &g_half, r, k, k), &qzz_inv, r, k, k);
    let cmat: Vec<f64> = (0..mk)
        .flat_map(|col| (0..r).map(move |row| (row, col)))
        .map(|(row, col)| bf[col / k] * pg[(col % k) * r + row])
        .collect();
    let omega = matmul(&matmul(&cmat, &omega_s, r, mk, mk), &transpose(&cmat, r, mk), r, mk, r);
    let chol = Cholesky::new(&omega, r);
    if chol.kept.len() < r {
        return (cd_f, None);
    }
    let rk = nf * chol.solve(&lambda).iter().zip(&lambda).map(|(a, b)| a * b).sum::<f64>();
    (cd_f, Some(rk * factor / k as f64))
}

/// `a` (r × c) times `b` (c × q), all column-major.
fn matmul(a: &[f64], b: &[f64], r: usize, c: usize, q: usize) -> Vec<f64> {
    let mut out = vec![0.0; r * q];
    for j in 0..q {
        for l in 0..c {
            let blj = b[j * c + l];
            for i in 0..r {
                out[j * r + i] += a[l * r + i] * blj;
            }
        }
    }
    out
}

/// The transpose of `a` (r × c, column-major).
fn transpose(a: &[f64], r: usize, c: usize) -> Vec<f64> {
    (0..r).flat_map(|i| (0..c).map(move |j| a[j * r + i])).collect()
}

/// The first stage of 2SLS: regresses each endogenous column of `x` (after the `k_exog` exogenous
/// ones) on the exogenous regressors and the `n_inst` instruments (the last columns of `x`).
/// Returns the first-stage data, `x̂` = [exogenous, fitted endogenous] and `x_actual` =
/// [exogenous, endogenous], both column-major.
fn first_stage(
    x: &[f64],
    n: usize,
    k_exog: usize,
    endogenous: &[String],
    n_inst: usize,
    w: Option<&[f64]>,
) -> Result<(FirstStage, Vec<f64>, Vec<f64>)> {
    let n_endog = endogenous.len();
    let col = |j: usize| &x[j * n..(j + 1) * n];
    // W = [exogenous, instruments].
    let w_cols: Vec<usize> = (0..k_exog).chain(k_exog + n_endog..k_exog + n_endog + n_inst).collect();
    let w_all: Vec<f64> = w_cols.iter().flat_map(|&j| col(j).iter().copied()).collect();
    let chol = Cholesky::new(&crossprod(&w_all, n, w_cols.len(), w), w_cols.len());
    let instruments: Vec<usize> = chol.kept.iter().enumerate().filter(|&(_, &j)| j >= k_exog).map(|(p, _)| p).collect();
    if instruments.len() < n_endog {
        return Err(Error::design(
            format!(
                "after removing collinear columns, {} excluded instrument(s) remain for {n_endog} endogenous regressor(s)",
                instruments.len()
            ),
            "the instruments must vary beyond the exogenous regressors and the fixed effects",
        ));
    }
    let kw = chol.kept.len();
    let w_mat: Vec<f64> = chol.kept.iter().flat_map(|&j| w_all[j * n..(j + 1) * n].iter().copied()).collect();
    let mut x_hat: Vec<f64> = x[..k_exog * n].to_vec();
    let mut x_actual: Vec<f64> = x[..(k_exog + n_endog) * n].to_vec();
    x_hat.reserve(n_endog * n);
    let mut equations = Vec::with_capacity(n_endog);
    for (e, name) in endogenous.iter().enumerate() {
        let target = col(k_exog + e);
        let pi = chol.solve(&crossprod_vec(&w_all, n, w_cols.len(), target, w));
        let fitted: Vec<f64> = (0..n).map(|i| (0..kw).map(|p| w_mat[p * n + i] * pi[p]).sum::<f64>()).collect();
        let resid: Vec<f64> = target.iter().zip(&fitted).map(|(a, b)| a - b).collect();
        x_hat.extend_from_slice(&fitted);
        equations.push((name.clone(), pi, resid));
    }
    x_actual.truncate((k_exog + n_endog) * n);
    Ok((FirstStage { w: w_mat, kw, instruments, bread: chol.inverse(), equations }, x_hat, x_actual))
}

impl FeolsFit {
    /// The same point estimates with another covariance; `df` must be the frame the model was
    /// fitted on (cluster columns are read from it).
    pub fn with_vcov(&self, spec: &VcovSpec, df: &DataFrame) -> Result<FeolsFit> {
        // Point estimates are untouched: only the covariance (and its degrees of freedom) change.
        let clusters = spec
            .columns()
            .iter()
            .map(|c| {
                let g = GroupIds::from_frame(df, c, &self.source_rows)?;
                if let Some(i) = g.ids.iter().position(Option::is_none) {
                    return Err(Error::MissingValues {
                        column: c.clone(),
                        count: g.ids.iter().filter(|v| v.is_none()).count(),
                        first_row: self.source_rows[i],
                        hint: Some("refit with this cluster in the model's vcov so those rows are dropped".into()),
                    });
                }
                let ids = g.ids.iter().map(|v| v.unwrap_or(0)).collect();
                Ok(Clusters { name: c.clone(), ids, n_levels: g.n_levels })
            })
            .collect::<Result<Vec<_>>>()?;
        let time = hac_time(spec, df, &self.source_rows)?;
        let fit = self.clone().with_clusters(spec, clusters, time)?;
        match spec {
            VcovSpec::Crv3(_) => fit.jackknife(df),
            _ => Ok(fit),
        }
    }

    /// CRV3: replaces the covariance (already set up as CRV1 on the same single clustering column,
    /// which gives K, G and the small-sample factor) by the cluster jackknife
    /// `factor · Σ_g (β̂₍₋g₎ − β̂)(β̂₍₋g₎ − β̂)ᵀ`, centred on the full-sample estimate, where β̂₍₋g₎ re-fits
    /// the whole model (fixed effects included) without cluster g. This is pyfixest's definition.
    fn jackknife(mut self, df: &DataFrame) -> Result<FeolsFit> {
        use phare_data::polars::prelude::{IdxCa, IdxSize};
        let Some(cluster) = self.crv3_cluster.take() else {
            return Err(Error::Internal("jackknife without a clustering column".into()));
        };
        let k = self.terms.len();
        let mut model = self.model.clone();
        model.vcov = Some(VcovSpec::Iid);
        let mut acc = vec![0.0; k * k];
        for g in 0..cluster.n_levels as u32 {
            let rows: Vec<IdxSize> = self
                .source_rows
                .iter()
                .zip(&cluster.ids)
                .filter(|&(_, &c)| c != g)
                .map(|(&r, _)| r as IdxSize)
                .collect();
            let sub = df.take(&IdxCa::from_vec("rows".into(), rows)).map_err(|e| Error::Engine {
                context: "CRV3 jackknife".into(),
                message: e.to_string(),
                hint: None,
            })?;
            let refit = model.fit(&sub)?;
            if refit.terms != self.terms {
                return Err(Error::design(
                    format!("leaving out one `{}` cluster changes the estimable terms", cluster.name),
                    "CRV3 needs every term identified without each cluster; use CRV1",
                ));
            }
            let d: Vec<f64> = refit.beta.iter().zip(&self.beta).map(|(a, b)| a - b).collect();
            for a in 0..k {
                for b in 0..k {
                    acc[a * k + b] += d[a] * d[b];
                }
            }
        }
        self.cov.matrix = acc.iter().map(|v| v * self.cov.factor).collect();
        self.vcov_label = format!("CRV3:{}", cluster.name);
        Ok(self)
    }

    /// Computes the covariance of `spec` from already encoded clusters.
    fn with_clusters(
        mut self,
        spec: &VcovSpec,
        clusters: Vec<Clusters>,
        time: Option<(Vec<u32>, usize)>,
    ) -> Result<FeolsFit> {
        self.crv3_cluster = match spec {
            VcovSpec::Crv3(_) => clusters.first().cloned(),
            _ => None,
        };
        let kind = match spec {
            VcovSpec::Iid => VcovKind::Iid,
            VcovSpec::Hc0 => VcovKind::Hc0,
            VcovSpec::Hc1 => VcovKind::Hc1,
            VcovSpec::Hc2 => VcovKind::Hc2,
            VcovSpec::Hc3 => VcovKind::Hc3,
            VcovSpec::Crv1(_) | VcovSpec::Crv3(_) => VcovKind::Crv1(clusters),
            VcovSpec::NeweyWest { panel, lag, .. } | VcovSpec::DriscollKraay { lag, time: panel } => {
                let (time, n_times) = time.ok_or_else(|| Error::Internal("HAC covariance without periods".into()))?;
                // pyfixest's default bandwidth: ⌊T^¼⌋.
                let lag = lag.unwrap_or((n_times as f64).powf(0.25).floor() as usize);
                match (spec, clusters.into_iter().next()) {
                    (VcovSpec::NeweyWest { .. }, Some(p)) => {
                        VcovKind::NeweyWest { name: panel.clone(), panel: p.ids, time, n_times, lag }
                    }
                    (VcovSpec::NeweyWest { .. }, None) => {
                        return Err(Error::Internal("Newey–West without a panel column".into()));
                    }
                    _ => VcovKind::DriscollKraay { time, n_times, lag },
                }
            }
        };
        // K: the slopes, plus the fixed effects' parameters unless nested in a clustering variable.
        let k = self.terms.len();
        let k_fe = crate::design::fe_parameters(&self.fe_ids, &kind);
        let ingredients = Ingredients {
            x: &self.x,
            n: self.n,
            k,
            residuals: &self.residuals,
            weights: self.w.as_deref(),
            bread: &self.bread,
            absorbed: !self.fe_ids.is_empty(),
        };
        self.cov = covariance(&kind, &ingredients, k + k_fe)?;
        self.vcov_label = kind.label();
        self.first_stage_f.clear();
        if let Some(fs) = &self.first_stage {
            // F of the excluded instruments in each first stage, under the same kind of covariance:
            // the Wald statistic π_zᵀ V_zz⁻¹ π_z divided by the number of instruments.
            let q = fs.instruments.len();
            for (name, pi, resid) in &fs.equations {
                let ing = Ingredients {
                    x: &fs.w,
                    n: self.n,
                    k: fs.kw,
                    residuals: resid,
                    weights: self.w.as_deref(),
                    bread: &fs.bread,
                    absorbed: !self.fe_ids.is_empty(),
                };
                let v = covariance(&kind, &ing, fs.kw + k_fe)?.matrix;
                let vzz: Vec<f64> = fs
                    .instruments
                    .iter()
                    .flat_map(|&a| fs.instruments.iter().map(move |&b| (a, b)))
                    .map(|(a, b)| v[a * fs.kw + b])
                    .collect();
                let pz: Vec<f64> = fs.instruments.iter().map(|&a| pi[a]).collect();
                let chol = Cholesky::new(&vzz, q);
                let f = if chol.kept.len() == q {
                    chol.solve(&pz).iter().zip(&pz).map(|(a, b)| a * b).sum::<f64>() / q as f64
                } else {
                    f64::NAN
                };
                self.first_stage_f.push((name.clone(), f));
            }
            self.weak_iv = Some(rank_test(fs, self.n, self.w.as_deref(), &kind, fs.kw + k_fe));
            if fs.equations.len() == 1 {
                self.effective_f =
                    Some(effective_f(fs, self.n, self.w.as_deref(), &kind, k_fe, !self.fe_ids.is_empty())?);
            }
        }
        Ok(self)
    }

    /// For 2SLS with one endogenous regressor, the effective F statistic of Montiel Olea and
    /// Pflueger (2013), robust to heteroskedasticity (and to clustering under a CRV1 covariance):
    /// `π̂ᵀ Q π̂ / tr(V̂ Q)`, with π̂ the excluded instruments' first-stage coefficients, V̂ their
    /// robust covariance (HC1 when the model's covariance is iid) and `Q = Z̃ᵀWZ̃` for the instruments
    /// Z̃ with the exogenous regressors (and fixed effects) partialled out. With a single instrument
    /// it equals the robust first-stage F. Compare it with the critical values tabulated by Montiel
    /// Olea and Pflueger. pyfixest's `_eff_F` does not partial out the exogenous regressors, so its
    /// value differs when there are several instruments.
    pub fn effective_f(&self) -> Option<f64> {
        self.effective_f
    }

    /// For 2SLS, the weak-identification statistics for all endogenous regressors together:
    /// `(cragg_donald_f, kleibergen_paap_f)`. Both test whether the first-stage coefficients of the
    /// excluded instruments have full rank; compare them with the Stock–Yogo critical values. The
    /// Cragg–Donald F assumes homoskedastic errors; the Kleibergen–Paap rk Wald F is robust to the
    /// fit's covariance (heteroskedasticity or one clustering variable; `None` under several
    /// clustering variables or HAC covariances, where it is not defined here) and equals the
    /// Cragg–Donald F under `iid`. Conventions are ivreg2's (as linearmodels): the rk statistic's
    /// covariance has no small-sample factor, then F = rk/k · (N − L)/N, or with clusters
    /// rk/k · (N − L)/(N − 1) · (G − 1)/G, with k excluded instruments and L all instruments
    /// (exogenous regressors and fixed-effect parameters included). With one endogenous regressor
    /// the Kleibergen–Paap F is the robust first-stage F.
    pub fn weak_iv(&self) -> Option<(f64, Option<f64>)> {
        self.weak_iv
    }

    /// For 2SLS, per endogenous regressor, the first-stage F statistic of the excluded
    /// instruments (under the fit's covariance: the classical F with `iid`); empty for OLS.
    pub fn first_stage_f(&self) -> &[(String, f64)] {
        &self.first_stage_f
    }

    /// The estimated fixed effects, one [`FixefValues`] per absorbed fixed effect (empty without
    /// fixed effects). As fixest, every fixed effect after the first has its first level at 0;
    /// only sums across fixed effects are identified.
    pub fn fixef(&self) -> &[FixefValues] {
        &self.fixef
    }

    /// Predictions `x'β̂ + Σ fixed effects` for each row of `newdata` (for 2SLS, with the actual
    /// endogenous regressors, as fixest). A row gets `None` when one of its regressors is missing
    /// or one of its fixed-effect or factor levels was not in the estimation sample (as pyfixest,
    /// which returns NaN there). Predicting on the estimation data gives the fitted values.
    ///
    /// # Errors
    /// A missing column of `newdata`, with the closest name.
    pub fn predict(&self, newdata: &DataFrame) -> Result<Vec<Option<f64>>> {
        let f = &self.formula;
        let mut numeric: Vec<&str> = crate::design::numeric_columns(f, &f.endogenous);
        numeric.remove(0); // the outcome is not needed
        let height = newdata.height();
        let m = if numeric.is_empty() {
            DesignMatrix::from_columns(vec![("(rows)".into(), vec![0.0; height])])?
        } else {
            DesignMatrix::from_frame(newdata, &numeric, MissingPolicy::Drop)?
        };
        let rows = m.source_rows().to_vec();
        // Factors coded with the fit's levels; an unseen level leaves the row unpredicted.
        let mut ok = vec![true; rows.len()];
        let mut factors = Vec::with_capacity(f.factors.len());
        for (fac, (_, labels)) in f.factors.iter().zip(&self.factor_levels) {
            let cells = phare_data::matrix::render_cells(newdata, &fac.var, &rows)?;
            let codes: Vec<Option<u32>> = cells
                .iter()
                .map(|c| c.as_ref().and_then(|c| labels.iter().position(|l| l == c)).map(|p| p as u32))
                .collect();
            codes.iter().zip(ok.iter_mut()).for_each(|(c, ok)| *ok &= c.is_some());
            factors.push(crate::design::FactorCodes {
                var: fac.var.clone(),
                labels: labels.clone(),
                codes,
                refs: fac.refs.clone(),
                slope: fac.slope.clone(),
            });
        }
        let mut pred = vec![0.0; rows.len()];
        let mut visit = |name: &str, col: &[f64]| {
            if let Some(p) = self.terms.iter().position(|t| t == name) {
                pred.iter_mut().zip(col).for_each(|(s, x)| *s += self.beta[p] * x);
            }
        };
        crate::design::for_each_regressor(f, &m, &factors, |name, col| visit(&name, col));
        for c in &f.endogenous {
            visit(c, m.column_by_name(c).unwrap_or_default());
        }
        for fe in &self.fixef {
            let levels = fe.levels()?;
            let index: std::collections::HashMap<&str, f64> =
                levels.iter().map(String::as_str).zip(fe.values.iter().copied()).collect();
            let cells = phare_data::matrix::render_cells(newdata, &fe.name, &rows)?;
            for ((p, ok), c) in pred.iter_mut().zip(ok.iter_mut()).zip(&cells) {
                match c.as_deref().and_then(|c| index.get(c)) {
                    Some(v) => *p += v,
                    None => *ok = false,
                }
            }
        }
        let mut out = vec![None; height];
        for ((r, p), ok) in rows.iter().zip(pred).zip(ok) {
            if ok {
                out[*r] = Some(p);
            }
        }
        Ok(out)
    }

    /// The observations used.
    pub fn nobs(&self) -> usize {
        self.n
    }

    /// Residuals, in the order of the rows used (see [`FeolsFit::source_rows`]).
    pub fn residuals(&self) -> &[f64] {
        &self.residuals
    }

    /// For each observation used, its row in the input frame.
    pub fn source_rows(&self) -> &[usize] {
        &self.source_rows
    }
}

impl Estimates for FeolsFit {
    fn design(&self) -> &str {
        "feols"
    }
    fn call(&self) -> String {
        let mut s = format!("feols({}", self.formula.text);
        if let Some(w) = &self.weights {
            s.push_str(&format!(", weights = {w}"));
        }
        s.push_str(&format!(", vcov = {})", self.vcov_label));
        s
    }
    fn coefficients(&self) -> Vec<Coefficient> {
        let k = self.terms.len();
        self.terms
            .iter()
            .enumerate()
            .map(|(j, t)| Coefficient::new(t.clone(), self.beta[j], self.cov.matrix[j * k + j].sqrt()))
            .collect()
    }
    fn reference(&self) -> Reference {
        Reference::StudentT { df: self.cov.t_df }
    }
    fn glance(&self) -> Glance {
        let mut g = Glance::new().with(glance_names::NOBS, self.n).with(glance_names::R2, self.r2);
        if let Some(w) = self.within_r2 {
            g = g.with(glance_names::WITHIN_R2, w);
        }
        if !self.fe_ids.is_empty() {
            let names: Vec<&str> = self.fe_ids.iter().map(|fe| fe.name.as_str()).collect();
            g = g.with(glance_names::FIXED_EFFECTS, names.join(", "));
        }
        for fe in &self.fe_ids {
            g = g.with(&format!("n_{}", fe.name), fe.n_levels);
        }
        if let Some(c) = self.cov.n_clusters {
            g = g.with(glance_names::N_CLUSTERS, c);
        }
        for (name, f) in &self.first_stage_f {
            g = g.with(&format!("first_stage_f_{name}"), *f);
        }
        if let Some(f) = self.effective_f {
            g = g.with("effective_f", f);
        }
        if let Some((cd, kp)) = self.weak_iv {
            g = g.with("cragg_donald_f", cd);
            if let Some(kp) = kp {
                g = g.with("kleibergen_paap_f", kp);
            }
        }
        g.with(glance_names::VCOV_TYPE, self.vcov_label.as_str())
    }
    fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut d = self.diagnostics.clone();
        for (name, f) in &self.first_stage_f {
            if *f < 10.0 {
                d.push(Diagnostic::warning(
                    "weak_instruments",
                    format!(
                        "first-stage F for `{name}` is {f:.2} (below 10): the instruments may be weak and 2SLS biased"
                    ),
                ));
            }
        }
        d
    }
    fn vcov(&self) -> Option<Vcov> {
        Some(Vcov { terms: self.terms.clone(), values: self.cov.matrix.clone(), kind: self.vcov_label.clone() })
    }
}
