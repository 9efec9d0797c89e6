//! The results contract: what every fitted model in phare exposes.
//!
//! A fit implements [`Estimates`] by giving its point estimates and standard errors
//! ([`Estimates::coefficients`]), the reference distribution of its Wald statistics
//! ([`Estimates::reference`]), one row of model-level facts ([`Estimates::glance`]) and what it noticed
//! ([`Estimates::diagnostics`]). Everything else — statistics, p-values, intervals at any level, the
//! [`Summary`], the JSON envelope — is derived here, the same way for every design, so two designs
//! can never disagree on how a p-value or an interval is computed.
//!
//! Tables follow broom's split: [`Tidy`] has one row per term with the columns of [`columns`];
//! [`Glance`] has one row per model with the names of [`glance_names`]. `phare-core` holds them as
//! plain Rust values (it does not depend on polars); `phare_data::frames` turns them into polars
//! `DataFrame`s.

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::summary::Summary;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Column names of a tidy table, fixed across phare (they are part of the JSON interface).
pub mod columns {
    /// The term's name (`ATT`, a regressor, `rel_period::-1`, …).
    pub const TERM: &str = "term";
    /// The point estimate.
    pub const ESTIMATE: &str = "estimate";
    /// Its standard error.
    pub const STD_ERROR: &str = "std_error";
    /// The Wald statistic `estimate / std_error`.
    pub const STATISTIC: &str = "statistic";
    /// Two-sided p-value of the null hypothesis that the term is zero.
    pub const P_VALUE: &str = "p_value";
    /// Lower end of the confidence interval.
    pub const CONF_LOW: &str = "conf_low";
    /// Upper end of the confidence interval.
    pub const CONF_HIGH: &str = "conf_high";
    /// Event time relative to treatment, for event-study rows.
    pub const REL_PERIOD: &str = "rel_period";
    /// Treatment cohort (first treated period), for group rows.
    pub const COHORT: &str = "cohort";
    /// Calendar period, for calendar rows.
    pub const PERIOD: &str = "period";
    /// The always-present columns, in order.
    pub const BASE: [&str; 7] = [TERM, ESTIMATE, STD_ERROR, STATISTIC, P_VALUE, CONF_LOW, CONF_HIGH];
}

/// Names used in glance rows, fixed across phare. A design uses those that apply.
pub mod glance_names {
    /// Number of observations used by the fit.
    pub const NOBS: &str = "nobs";
    /// Number of clusters of the variance estimator.
    pub const N_CLUSTERS: &str = "n_clusters";
    /// Number of units (panels).
    pub const N_UNITS: &str = "n_units";
    /// Number of time periods (panels).
    pub const N_PERIODS: &str = "n_periods";
    /// Number of treated units.
    pub const N_TREATED: &str = "n_treated";
    /// Number of control units.
    pub const N_CONTROL: &str = "n_control";
    /// Coefficient of determination.
    pub const R2: &str = "r2";
    /// Adjusted R².
    pub const ADJ_R2: &str = "adj_r2";
    /// Within R² (after absorbing fixed effects).
    pub const WITHIN_R2: &str = "within_r2";
    /// Name of the variance estimator.
    pub const VCOV_TYPE: &str = "vcov_type";
    /// Confidence level of the intervals.
    pub const CONF_LEVEL: &str = "conf_level";
    /// Random seed used by a resampling procedure.
    pub const SEED: &str = "seed";
    /// Absorbed fixed effects, comma-separated (`nr, year`), when the model has any.
    pub const FIXED_EFFECTS: &str = "fixed_effects";
}

/// Event time: the number of periods since treatment started (`0` is the first treated period,
/// `-1` the last period before it). A type of its own so it is never confused with calendar time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct RelativePeriod(pub i64);

impl std::fmt::Display for RelativePeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A confidence level strictly between 0 and 1, validated once.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, serde::Serialize)]
#[serde(transparent)]
pub struct ConfidenceLevel(f64);

impl ConfidenceLevel {
    /// The conventional 95 % level.
    pub const NINETY_FIVE: ConfidenceLevel = ConfidenceLevel(0.95);

    /// A level in the open interval (0, 1).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `level` is not in (0, 1), e.g. `95` instead of `0.95`.
    ///
    /// ```
    /// use phare_core::ConfidenceLevel;
    /// assert!(ConfidenceLevel::new(0.9).is_ok());
    /// assert!(ConfidenceLevel::new(95.0).is_err());
    /// ```
    pub fn new(level: f64) -> Result<Self> {
        if level.is_finite() && level > 0.0 && level < 1.0 {
            Ok(ConfidenceLevel(level))
        } else {
            Err(Error::InvalidArgument {
                name: "level".into(),
                value: level.to_string(),
                reason: "a confidence level must lie strictly between 0 and 1".into(),
                hint: (level > 1.0 && level < 100.0).then(|| format!("use {} for {level} %", level / 100.0)),
            })
        }
    }

    /// The level as a fraction, e.g. `0.95`.
    pub fn value(self) -> f64 {
        self.0
    }
}

/// The distribution Wald statistics are compared with.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "distribution", rename_all = "snake_case")]
pub enum Reference {
    /// Standard normal (asymptotic inference).
    Normal,
    /// Student's t with `df` degrees of freedom (small-sample inference, as fixest does).
    StudentT {
        /// Degrees of freedom, positive.
        df: f64,
    },
}

impl Reference {
    /// Two-sided p-value of a Wald statistic; `NaN` in, `NaN` out.
    pub fn p_value(self, statistic: f64) -> f64 {
        if statistic.is_nan() {
            return f64::NAN;
        }
        let upper = match self {
            Reference::Normal => std_normal().sf(statistic.abs()),
            Reference::StudentT { df } => match StudentsT::new(0.0, 1.0, df) {
                Ok(t) => t.sf(statistic.abs()),
                Err(_) => return f64::NAN,
            },
        };
        (2.0 * upper).min(1.0)
    }

    /// The critical value `c` such that `[estimate ± c·se]` has the given coverage.
    pub fn critical_value(self, level: ConfidenceLevel) -> f64 {
        let q = 0.5 + level.value() / 2.0;
        match self {
            Reference::Normal => std_normal().inverse_cdf(q),
            Reference::StudentT { df } => match StudentsT::new(0.0, 1.0, df) {
                Ok(t) => t.inverse_cdf(q),
                Err(_) => f64::NAN,
            },
        }
    }
}

fn std_normal() -> Normal {
    // Unreachable failure: mean 0 and sd 1 are valid parameters.
    Normal::standard()
}

/// One estimated quantity as a fit reports it: a point estimate and its standard error, plus the
/// event-time, cohort or calendar-period keys when the term has them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Coefficient {
    /// The term's name.
    pub term: String,
    /// The point estimate.
    pub estimate: f64,
    /// Its standard error (`NaN` when not identified).
    pub std_error: f64,
    /// Event time, for event-study terms.
    pub rel_period: Option<RelativePeriod>,
    /// Treatment cohort, for group terms.
    pub cohort: Option<i64>,
    /// Calendar period, for calendar terms.
    pub period: Option<i64>,
}

impl Coefficient {
    /// A plain term with an estimate and a standard error.
    pub fn new(term: impl Into<String>, estimate: f64, std_error: f64) -> Self {
        Coefficient { term: term.into(), estimate, std_error, rel_period: None, cohort: None, period: None }
    }

    /// The same term, keyed by event time.
    pub fn at_rel_period(mut self, e: RelativePeriod) -> Self {
        self.rel_period = Some(e);
        self
    }

    /// The same term, keyed by cohort.
    pub fn for_cohort(mut self, g: i64) -> Self {
        self.cohort = Some(g);
        self
    }

    /// The same term, keyed by calendar period.
    pub fn in_period(mut self, t: i64) -> Self {
        self.period = Some(t);
        self
    }
}

/// One row of a tidy table (see [`columns`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TidyRow {
    /// The term's name.
    pub term: String,
    /// The point estimate.
    pub estimate: f64,
    /// Its standard error.
    pub std_error: f64,
    /// `estimate / std_error`.
    pub statistic: f64,
    /// Two-sided p-value against zero.
    pub p_value: f64,
    /// Lower end of the interval.
    pub conf_low: f64,
    /// Upper end of the interval.
    pub conf_high: f64,
    /// Event time, when it applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rel_period: Option<RelativePeriod>,
    /// Cohort, when it applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cohort: Option<i64>,
    /// Calendar period, when it applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<i64>,
}

/// A tidy table: one row per term, intervals at one confidence level.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Tidy {
    /// The confidence level of `conf_low`/`conf_high`.
    pub level: ConfidenceLevel,
    /// The rows, in the fit's order.
    pub rows: Vec<TidyRow>,
}

impl Tidy {
    /// Derives statistics, p-values and intervals from estimates and standard errors.
    pub fn from_coefficients(coefs: &[Coefficient], reference: Reference, level: ConfidenceLevel) -> Tidy {
        let crit = reference.critical_value(level);
        let rows = coefs
            .iter()
            .map(|c| {
                let statistic = c.estimate / c.std_error;
                TidyRow {
                    term: c.term.clone(),
                    estimate: c.estimate,
                    std_error: c.std_error,
                    statistic,
                    p_value: reference.p_value(statistic),
                    conf_low: c.estimate - crit * c.std_error,
                    conf_high: c.estimate + crit * c.std_error,
                    rel_period: c.rel_period,
                    cohort: c.cohort,
                    period: c.period,
                }
            })
            .collect();
        Tidy { level, rows }
    }

    /// The column names this table has: the seven base columns, then `rel_period`, `cohort`,
    /// `period` for those that at least one row carries.
    pub fn column_names(&self) -> Vec<&'static str> {
        let mut names = columns::BASE.to_vec();
        if self.rows.iter().any(|r| r.rel_period.is_some()) {
            names.push(columns::REL_PERIOD);
        }
        if self.rows.iter().any(|r| r.cohort.is_some()) {
            names.push(columns::COHORT);
        }
        if self.rows.iter().any(|r| r.period.is_some()) {
            names.push(columns::PERIOD);
        }
        names
    }

    /// The row of a term, if present.
    pub fn row(&self, term: &str) -> Option<&TidyRow> {
        self.rows.iter().find(|r| r.term == term)
    }
}

/// A value in a glance row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum GlanceValue {
    /// A count (nobs, clusters).
    Int(i64),
    /// A real number (R², a bandwidth).
    Float(f64),
    /// A label (the vcov type).
    Text(String),
    /// A flag (balanced panel).
    Bool(bool),
}

impl std::fmt::Display for GlanceValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GlanceValue::Int(i) => write!(f, "{i}"),
            GlanceValue::Float(x) => f.write_str(&crate::summary::format_number(*x)),
            GlanceValue::Text(s) => f.write_str(s),
            GlanceValue::Bool(b) => write!(f, "{b}"),
        }
    }
}

macro_rules! glance_from {
    ($($t:ty => $variant:ident via $conv:expr),* $(,)?) => {
        $(impl From<$t> for GlanceValue {
            fn from(v: $t) -> Self { GlanceValue::$variant($conv(v)) }
        })*
    };
}
glance_from!(
    i64 => Int via |v| v,
    usize => Int via |v: usize| i64::try_from(v).unwrap_or(i64::MAX),
    f64 => Float via |v| v,
    bool => Bool via |v| v,
    String => Text via |v| v,
    &str => Text via |v: &str| v.to_string(),
);

/// One row of model-level facts, as ordered `(name, value)` pairs (see [`glance_names`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Glance {
    entries: Vec<(String, GlanceValue)>,
}

impl Glance {
    /// An empty row.
    pub fn new() -> Self {
        Glance::default()
    }

    /// Adds (or replaces) an entry, keeping first-insertion order.
    pub fn with(mut self, name: &str, value: impl Into<GlanceValue>) -> Self {
        self.insert(name, value);
        self
    }

    /// Adds (or replaces) an entry in place.
    pub fn insert(&mut self, name: &str, value: impl Into<GlanceValue>) {
        let value = value.into();
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((name.to_string(), value)),
        }
    }

    /// The value of an entry.
    pub fn get(&self, name: &str) -> Option<&GlanceValue> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[(String, GlanceValue)] {
        &self.entries
    }

    /// As a JSON object (the envelope's `glance` block).
    pub fn to_json(&self) -> serde_json::Map<String, serde_json::Value> {
        self.entries
            .iter()
            .map(|(n, v)| (n.clone(), serde_json::to_value(v).unwrap_or(serde_json::Value::Null)))
            .collect()
    }
}

/// A variance–covariance matrix of the coefficients, with the term names that index it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Vcov {
    /// Term names, in the order of rows and columns.
    pub terms: Vec<String>,
    /// The matrix, row-major, `terms.len()²` values.
    pub values: Vec<f64>,
    /// The estimator's name (`iid`, `HC1`, `CRV1:state`, …).
    pub kind: String,
}

impl Vcov {
    /// Entry (i, j).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.values[i * self.terms.len() + j]
    }
}

/// An interval for one term.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Interval {
    /// The term.
    pub term: String,
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// What every fitted model exposes. Implement the required methods; the provided ones derive the
/// rest identically for every design.
pub trait Estimates {
    /// The design's short name, as in the JSON envelope: `ols`, `did-2x2`, `synth`, `rd`, ….
    fn design(&self) -> &str;

    /// A one-line description of the call that produced the fit, enough to reproduce it.
    fn call(&self) -> String;

    /// Point estimates and standard errors, one per term.
    fn coefficients(&self) -> Vec<Coefficient>;

    /// The distribution Wald statistics are compared with.
    fn reference(&self) -> Reference {
        Reference::Normal
    }

    /// Model-level facts (nobs, clusters, R², …).
    fn glance(&self) -> Glance;

    /// What the fit noticed (dropped rows, collinear terms, …), in order.
    fn diagnostics(&self) -> Vec<Diagnostic> {
        Vec::new()
    }

    /// The covariance matrix of the coefficients, when the design has one.
    fn vcov(&self) -> Option<Vcov> {
        None
    }

    /// The tidy table at the 95 % level.
    fn tidy(&self) -> Tidy {
        Tidy::from_coefficients(&self.coefficients(), self.reference(), ConfidenceLevel::NINETY_FIVE)
    }

    /// The tidy table with intervals at `level`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `level` is not in (0, 1).
    fn tidy_at(&self, level: f64) -> Result<Tidy> {
        Ok(Tidy::from_coefficients(&self.coefficients(), self.reference(), ConfidenceLevel::new(level)?))
    }

    /// Confidence intervals at `level`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `level` is not in (0, 1).
    fn conf_int(&self, level: f64) -> Result<Vec<Interval>> {
        Ok(self
            .tidy_at(level)?
            .rows
            .into_iter()
            .map(|r| Interval { term: r.term, low: r.conf_low, high: r.conf_high })
            .collect())
    }

    /// A summary object rendering to text, Markdown, HTML and LaTeX.
    fn summary(&self) -> Summary {
        Summary::new(self.design(), self.call(), self.tidy(), self.glance(), self.diagnostics())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Toy;
    impl Estimates for Toy {
        fn design(&self) -> &str {
            "toy"
        }
        fn call(&self) -> String {
            "toy()".into()
        }
        fn coefficients(&self) -> Vec<Coefficient> {
            vec![Coefficient::new("ATT", 1.0, 0.5), Coefficient::new("e0", 2.0, 1.0).at_rel_period(RelativePeriod(0))]
        }
        fn glance(&self) -> Glance {
            Glance::new().with(glance_names::NOBS, 10usize)
        }
    }

    #[test]
    fn normal_reference_values() {
        // Φ⁻¹(0.975) and the two-sided p of z = 1.96, known to many digits.
        let c = Reference::Normal.critical_value(ConfidenceLevel::NINETY_FIVE);
        assert!((c - 1.959_963_984_540_054).abs() < 1e-12);
        let p = Reference::Normal.p_value(1.959_963_984_540_054);
        // statrs' erfc is accurate to about 1e-11 relative (measured: p = 0.04999999999775);
        // scipy gives 0.05000000000000002. A p-value is never read beyond four decimals.
        assert!((p - 0.05).abs() < 1e-10, "{p:e}");
        assert!(Reference::Normal.p_value(f64::NAN).is_nan());
    }

    #[test]
    fn student_t_reference_values() {
        // t quantile 0.975 with 10 df = 2.228138851986274 (standard tables).
        let r = Reference::StudentT { df: 10.0 };
        let c = r.critical_value(ConfidenceLevel::NINETY_FIVE);
        assert!((c - 2.228_138_851_986_274).abs() < 1e-10);
        assert!((r.p_value(c) - 0.05).abs() < 1e-10);
    }

    #[test]
    fn tidy_is_derived_consistently() {
        let t = Toy.tidy();
        let r = t.row("ATT").expect("ATT row");
        assert_eq!(r.statistic, 2.0);
        assert!((r.conf_high - r.estimate - (r.estimate - r.conf_low)).abs() < 1e-15);
        assert_eq!(t.column_names().last(), Some(&columns::REL_PERIOD));
        let wide = Toy.tidy_at(0.99).expect("valid level");
        assert!(wide.rows[0].conf_low < r.conf_low);
        assert!(Toy.conf_int(1.5).is_err());
    }

    #[test]
    fn glance_keeps_order_and_replaces() {
        let g = Glance::new().with("b", 1usize).with("a", 2.5).with("b", 3usize);
        assert_eq!(g.entries().len(), 2);
        assert_eq!(g.get("b"), Some(&GlanceValue::Int(3)));
        assert_eq!(g.entries()[0].0, "b");
        assert_eq!(serde_json::Value::Object(g.to_json()).to_string(), r#"{"b":3,"a":2.5}"#);
    }
}
