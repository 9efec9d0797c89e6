//! Study files: from a TOML spec to a decision brief, reproducibly.
//!
//! A study file says where the data are, which columns play which role, which estimators to run
//! and how to report. `phare run study.toml --out DIR` runs it and writes, atomically, one folder:
//!
//! | file | content |
//! |---|---|
//! | `brief.html` | the decision brief, self-contained (inline CSS and SVG, no JavaScript) |
//! | `brief.md`, `figures/*.svg` | the same brief as Markdown with its charts |
//! | `tidy.csv`, `tidy.parquet` | every estimator's tidy table, with an `estimator` column |
//! | `glance.csv`, `glance.parquet` | one row of model facts per estimator |
//! | `tables/estimates.{md,html,tex,typ}` | the estimators side by side (Markdown, HTML, LaTeX booktabs, Typst) |
//! | `study.toml` | the spec that produced the folder, byte for byte |
//! | `manifest.json` | phare version, input and spec SHA-256, seed, the files written |
//!
//! Unknown keys are errors that list the valid ones; [`StudySpec::check`] (`phare validate`)
//! checks a spec — values, data source, columns — without estimating anything.
//!
//! ```toml
//! title = "Minimum-wage increases and teen employment"
//! policy = "Raising the state minimum wage"
//! lang = "en"
//!
//! [data]
//! dataset = "mpdta"              # or: path = "panel.csv" (relative to the study file)
//!
//! [roles]
//! outcome = "lemp"
//! outcome_label = "teen employment"
//! outcome_scale = "log"
//! unit = "countyreal"
//! time = "year"
//! cohort = "first_treat"         # or: treatment = "treated" (0/1)
//!
//! [[estimators]]
//! method = "cs"                  # cs, sa, bjs, gardner, twfe, 2x2
//! headline = true
//!
//! [[estimators]]
//! method = "twfe"
//!
//! [inference]
//! bootstrap = 999
//! seed = 20261129
//! ```
//!
//! The run does no statistics of its own: estimates come from `phare-causal`, the raw trends and
//! the pre-treatment baseline from `phare-data`'s description of the panel.

use crate::brief::{
    BaselineKind, Brief, Check, Figure, Headline, Methods, OutcomeScale, Reproducibility, RobustnessRow, Verdict,
};
use crate::chart::{
    BaconChart, BaconPoint, CoefficientChart, CoefficientRow, EventStudyChart, EventStudyPoint, TrendsChart,
};
use crate::text::Lang;
use phare_causal::did::{
    Aggregation, Bacon, BaconKind, BasePeriod, CallawaySantAnna, Comparison, DidEstimator, EventMethod, EventStudy,
    PretrendTest, TwoByTwo,
};
use phare_core::{Diagnostic, Error, Estimates, Glance, Result, Seed, Severity, Tidy, TidyRow};
use phare_data::polars::prelude::*;
use phare_data::{Panel, ReadOptions, ToFrame, datasets};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Sets a design's cohorts from the study's roles: the cohort column, or else the 0/1 treatment
/// (`check_values` makes sure exactly one is given).
macro_rules! with_cohorts {
    ($model:expr, $roles:expr) => {
        match (&$roles.cohort, &$roles.treatment) {
            (Some(c), _) => $model.cohort_column(c, $roles.never),
            (None, Some(d)) => $model.treatment(d),
            (None, None) => $model,
        }
    };
}

/// A study: what to estimate on which data, and how to report it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudySpec {
    /// The brief's title.
    pub title: String,
    /// The policy question, in one sentence.
    #[serde(default)]
    pub question: Option<String>,
    /// The policy, as the subject of the answer ("Raising the state minimum wage").
    pub policy: String,
    /// The brief's language: `en` or `fr`.
    #[serde(default)]
    pub lang: Lang,
    /// Where the data are.
    pub data: DataSpec,
    /// Which column plays which role.
    pub roles: RolesSpec,
    /// The estimators, in the order of the robustness table.
    pub estimators: Vec<EstimatorSpec>,
    /// Inference options shared by the estimators.
    #[serde(default)]
    pub inference: InferenceSpec,
    /// Report options.
    #[serde(default)]
    pub report: ReportSpec,
}

/// The data source: a bundled dataset or a file, and what the methods box says about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    /// A bundled dataset (`phare datasets list`).
    #[serde(default)]
    pub dataset: Option<String>,
    /// A CSV, Parquet or Arrow file, relative to the study file.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// CSV separator (`;`, `,`, `tab`, `|`); detected when absent.
    #[serde(default)]
    pub separator: Option<String>,
    /// CSV decimal comma; detected when absent.
    #[serde(default)]
    pub decimal_comma: Option<bool>,
    /// CSV encoding (`utf-8`, `windows-1252`, `auto`).
    #[serde(default)]
    pub encoding: Option<String>,
    /// Where the data come from, for the methods box (bundled datasets have one).
    #[serde(default)]
    pub source: Option<String>,
    /// The data's vintage (release, extraction date), for the methods box.
    #[serde(default)]
    pub vintage: Option<String>,
}

/// Column roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesSpec {
    /// The outcome column.
    pub outcome: String,
    /// The outcome in words, for the brief (default: the column name).
    #[serde(default)]
    pub outcome_label: Option<String>,
    /// `level` (default) or `log`.
    #[serde(default)]
    pub outcome_scale: OutcomeScale,
    /// The unit identifier (difference-in-differences and synthetic control).
    #[serde(default)]
    pub unit: String,
    /// The period, integers (difference-in-differences and synthetic control).
    #[serde(default)]
    pub time: String,
    /// Column with each unit's first treated period.
    #[serde(default)]
    pub cohort: Option<String>,
    /// The value of `cohort` that marks never-treated units (default 0).
    #[serde(default)]
    pub never: i64,
    /// A 0/1 treatment column, instead of `cohort`.
    #[serde(default)]
    pub treatment: Option<String>,
    /// Synthetic control: the treated unit(s), as written in the unit column (with `treat_start`;
    /// or use `treatment`).
    #[serde(default)]
    pub treated: Vec<String>,
    /// Synthetic control: the first treated period of `treated`.
    #[serde(default)]
    pub treat_start: Option<i64>,
    /// Regression discontinuity: the score whose threshold assigns the policy.
    #[serde(default)]
    pub running: Option<String>,
    /// Regression discontinuity: the score in words, for the brief (default: the column name).
    #[serde(default)]
    pub running_label: Option<String>,
    /// Regression discontinuity: the threshold (default 0); units at or above it are treated.
    #[serde(default)]
    pub cutoff: Option<f64>,
    /// Regression discontinuity with partial take-up: the 0/1 (or intensity) take-up column.
    #[serde(default)]
    pub fuzzy: Option<String>,
    /// Regression discontinuity: pre-determined covariates whose balance at the cut-off is checked.
    #[serde(default)]
    pub balance: Vec<String>,
}

/// One estimator to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EstimatorSpec {
    /// `cs`, `sa`, `bjs`, `gardner`, `twfe` or `2x2`.
    pub method: String,
    /// The name shown in the brief (default: the method's full name).
    #[serde(default)]
    pub label: Option<String>,
    /// The brief's answer is about this estimator (default: the first).
    #[serde(default)]
    pub headline: bool,
    /// Comparison units (cs, 2x2): `never` (default) or `notyet`.
    #[serde(default)]
    pub control: Option<String>,
    /// Two-period estimator (cs, 2x2): `dr` (default), `ipw`, `reg`.
    #[serde(default)]
    pub est: Option<String>,
    /// Covariates (cs, 2x2).
    #[serde(default)]
    pub covariates: Vec<String>,
    /// Aggregation giving cs's overall effect: `simple` (default), `dynamic`, `group`, `calendar`.
    #[serde(default)]
    pub aggregate: Option<String>,
    /// Base period of cs: `varying` (default) or `universal`.
    #[serde(default)]
    pub base_period: Option<String>,
    /// Periods of anticipation (cs, event studies).
    #[serde(default)]
    pub anticipation: i64,
    /// Predictors of sc and ascm: `column`, `column@1975` or `column@1980-1988` (default: every
    /// pre-treatment outcome).
    #[serde(default)]
    pub predictors: Vec<String>,
    /// How sc and ascm weigh predictors: `optimized`, `regression` or `equal`.
    #[serde(default)]
    pub predictor_weights: Option<String>,
    /// The ridge penalty of ascm (default: cross-validated).
    #[serde(default)]
    pub ridge_lambda: Option<f64>,
    /// Standard error of the synthetic designs: `placebo` (default), `bootstrap`, `jackknife`
    /// (sdid, did, sc-sdid) or `none`.
    #[serde(default)]
    pub se: Option<String>,
    /// Placebo or bootstrap replications of sdid, did and sc-sdid (default 200).
    #[serde(default)]
    pub replications: Option<usize>,
    /// rd: the polynomial order (default 1).
    #[serde(default)]
    pub p: Option<usize>,
    /// rd: the kernel (`triangular`, `epanechnikov`, `uniform`).
    #[serde(default)]
    pub kernel: Option<String>,
    /// rd: the bandwidth selector (`mserd` by default; `cerrd`, `msetwo`, …).
    #[serde(default)]
    pub bwselect: Option<String>,
    /// rd: the variance estimator (`nn` by default, `hc0`–`hc3`).
    #[serde(default)]
    pub vce: Option<String>,
    /// rd: a given bandwidth instead of a selected one.
    #[serde(default)]
    pub h: Option<f64>,
}

/// Inference options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InferenceSpec {
    /// Confidence level (default 0.95).
    #[serde(default = "default_level")]
    pub level: f64,
    /// Multiplier-bootstrap draws for cs (standard errors and a uniform band).
    #[serde(default)]
    pub bootstrap: Option<usize>,
    /// Seed of anything random.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Cluster column (default: the unit).
    #[serde(default)]
    pub cluster: Option<String>,
}

impl Default for InferenceSpec {
    fn default() -> Self {
        InferenceSpec { level: default_level(), bootstrap: None, seed: default_seed(), cluster: None }
    }
}

fn default_level() -> f64 {
    0.95
}
fn default_seed() -> u64 {
    Seed::DEFAULT.0
}

/// Report options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    /// Limits of the evidence the analyst wants stated, added to phare's standard ones.
    #[serde(default)]
    pub limits: Vec<String>,
    /// Also write the headline chart as PNG (`figures/*.png`).
    #[serde(default)]
    pub png: bool,
}

const METHODS: [&str; 6] = ["cs", "sa", "bjs", "gardner", "twfe", "2x2"];

mod rd;
mod synth;

impl StudySpec {
    /// Parses a study from TOML text; `origin` names it in errors.
    ///
    /// # Errors
    /// [`Error::FileFormat`] for TOML syntax errors, unknown keys (with the valid ones) and
    /// values of the wrong type, with the line and column.
    pub fn from_toml(text: &str, origin: &Path) -> Result<StudySpec> {
        toml::from_str(text).map_err(|e| Error::FileFormat {
            path: origin.to_path_buf(),
            detail: e.to_string().trim().replace('\n', " "),
            hint: Some("see docs/studies.md for every key a study file accepts".into()),
        })
    }

    /// Reads and parses a study file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, and those of [`StudySpec::from_toml`].
    pub fn from_path(path: &Path) -> Result<StudySpec> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
            hint: Some("check the path of the study file".into()),
        })?;
        StudySpec::from_toml(&text, path)
    }

    /// Checks every value of the spec and that the data exist and hold the columns it names,
    /// without estimating anything; `base` is the folder relative paths start from.
    ///
    /// # Errors
    /// The first problem found, naming the key and the accepted values.
    pub fn check(&self, base: &Path) -> Result<()> {
        self.check_values()?;
        let (df, _, _) = self.load(base)?;
        let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
        let r = &self.roles;
        let mut wanted: Vec<&str> = vec![&r.outcome, &r.unit, &r.time];
        wanted.extend(r.cohort.as_deref());
        wanted.extend(r.treatment.as_deref());
        wanted.extend(self.inference.cluster.as_deref());
        wanted.extend(self.estimators.iter().flat_map(|e| e.covariates.iter().map(String::as_str)));
        wanted.extend(
            self.estimators.iter().flat_map(|e| e.predictors.iter().map(|p| p.split('@').next().unwrap_or(p).trim())),
        );
        for c in wanted {
            if !names.iter().any(|n| n == c) {
                return Err(Error::column_not_found(c, &names));
            }
        }
        Ok(())
    }

    /// Whether the study's estimators are the synthetic-control family (a study is either that or
    /// difference-in-differences; `check_values` refuses a mix).
    fn is_synthetic(&self) -> bool {
        self.estimators.iter().any(|e| synth::METHODS.contains(&e.method.as_str()))
    }

    /// Whether the study is a regression discontinuity (its estimators, or its `running` role).
    fn is_rd(&self) -> bool {
        self.roles.running.is_some() || self.estimators.iter().any(|e| rd::METHODS.contains(&e.method.as_str()))
    }

    /// The checks shared by the panel designs (difference-in-differences, synthetic control): unit
    /// and time roles, no RD keys.
    fn check_panel_roles(&self) -> Result<()> {
        let bad = invalid;
        if self.roles.unit.is_empty() || self.roles.time.is_empty() {
            return Err(bad(
                "unit",
                "[roles]".into(),
                "panel designs need the unit and time columns",
                "unit = \"state\" and time = \"year\"",
            ));
        }
        if self.roles.cutoff.is_some() || self.roles.fuzzy.is_some() || !self.roles.balance.is_empty() {
            return Err(bad(
                "cutoff",
                "[roles]".into(),
                "`cutoff`, `fuzzy` and `balance` are roles of regression-discontinuity studies",
                "remove them, or give running = \"score\" and method = \"rd\"",
            ));
        }
        if let Some(e) = self
            .estimators
            .iter()
            .find(|e| e.p.is_some() || e.kernel.is_some() || e.bwselect.is_some() || e.vce.is_some() || e.h.is_some())
        {
            return Err(bad(
                "estimators",
                e.method.clone(),
                "p, kernel, bwselect, vce and h apply to `rd` estimators only",
                &format!("remove them from the `{}` estimator", e.method),
            ));
        }
        Ok(())
    }

    /// The checks that need no data.
    fn check_values(&self) -> Result<()> {
        let bad = invalid;
        match (&self.data.dataset, &self.data.path) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(bad(
                    "data",
                    "[data]".into(),
                    "give exactly one of `dataset` and `path`",
                    "dataset = \"mpdta\" for a bundled dataset, path = \"file.csv\" for a file",
                ));
            }
            (Some(name), None) => {
                datasets::info(name)?;
            }
            (None, Some(_)) => {}
        }
        if self.estimators.is_empty() {
            return Err(bad(
                "estimators",
                "(none)".into(),
                "a study needs at least one [[estimators]] table",
                "add [[estimators]] with method = \"cs\"",
            ));
        }
        if self.is_rd() {
            return rd::check_values(self);
        }
        self.check_panel_roles()?;
        if self.is_synthetic() {
            return synth::check_values(self);
        }
        if !self.roles.treated.is_empty() || self.roles.treat_start.is_some() {
            return Err(bad(
                "treated",
                "[roles]".into(),
                "`treated` and `treat_start` are roles of the synthetic-control methods (sc, ascm, sdid, did, sc-sdid)",
                "difference-in-differences designs take cohort = \"first_treat\" or treatment = \"treated\"",
            ));
        }
        if self.roles.cohort.is_some() == self.roles.treatment.is_some() {
            return Err(bad(
                "roles",
                "[roles]".into(),
                "give exactly one of `cohort` (first treated period) and `treatment` (0/1)",
                "cohort = \"first_treat\" or treatment = \"treated\"",
            ));
        }
        if self.estimators.is_empty() {
            return Err(bad(
                "estimators",
                "(none)".into(),
                "a study needs at least one [[estimators]] table",
                "add [[estimators]] with method = \"cs\"",
            ));
        }
        check_headline(self)?;
        for e in &self.estimators {
            if !METHODS.contains(&e.method.as_str()) {
                return Err(Error::unknown_option("method", &e.method, &METHODS));
            }
            if let Some(c) = &e.control {
                c.parse::<Comparison>()?;
            }
            if let Some(x) = &e.est {
                x.parse::<DidEstimator>()?;
            }
            if let Some(a) = &e.aggregate {
                a.parse::<Aggregation>()?;
            }
            if let Some(b) = &e.base_period {
                b.parse::<BasePeriod>()?;
            }
            let only = |set: bool, key: &str, methods: &[&str]| {
                if set && !methods.contains(&e.method.as_str()) {
                    Err(bad(
                        key,
                        e.method.clone(),
                        &format!("`{key}` applies to method {} only", methods.join(" and ")),
                        &format!("remove `{key}` from the `{}` estimator", e.method),
                    ))
                } else {
                    Ok(())
                }
            };
            only(!e.covariates.is_empty(), "covariates", &["cs", "2x2"])?;
            only(e.control.is_some(), "control", &["cs", "2x2"])?;
            only(e.est.is_some(), "est", &["cs", "2x2"])?;
            only(e.aggregate.is_some(), "aggregate", &["cs"])?;
            only(e.base_period.is_some(), "base_period", &["cs"])?;
            only(e.anticipation != 0, "anticipation", &["cs", "sa", "bjs", "gardner", "twfe"])?;
            only(!e.predictors.is_empty(), "predictors", &["sc", "ascm"])?;
            only(e.predictor_weights.is_some(), "predictor_weights", &["sc", "ascm"])?;
            only(e.ridge_lambda.is_some(), "ridge_lambda", &["ascm"])?;
            only(e.se.is_some(), "se", &synth::METHODS)?;
            only(e.replications.is_some(), "replications", &synth::METHODS)?;
        }
        let level = self.inference.level;
        if !(level > 0.0 && level < 1.0) {
            return Err(bad("level", level.to_string(), "a confidence level is between 0 and 1", "level = 0.95"));
        }
        if self.inference.bootstrap == Some(0) {
            return Err(bad("bootstrap", "0".into(), "the bootstrap needs at least one draw", "bootstrap = 999"));
        }
        Ok(())
    }

    /// Loads the data: the frame, a label and the SHA-256 of the input's bytes.
    fn load(&self, base: &Path) -> Result<(DataFrame, String, String)> {
        if let Some(name) = &self.data.dataset {
            let d = datasets::info(name)?;
            return Ok((d.load()?, format!("bundled dataset `{}` ({})", d.name, d.file), d.sha256()));
        }
        let rel = self.data.path.clone().unwrap_or_default();
        let path = if rel.is_absolute() { rel.clone() } else { base.join(&rel) };
        if !path.exists() {
            return Err(Error::Io {
                action: "read",
                path: path.clone(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
                hint: Some(format!("`path` in [data] is relative to the study file's folder ({})", base.display())),
            });
        }
        let mut options = ReadOptions::default();
        if let Some(s) = &self.data.separator {
            options = options.separator(ReadOptions::parse_separator(s)?);
        }
        if let Some(d) = self.data.decimal_comma {
            options = options.decimal_comma(d);
        }
        if let Some(e) = &self.data.encoding {
            options = options.encoding(phare_data::Encoding::parse(e)?);
        }
        let (df, _) = phare_data::read(&path, &options)?;
        Ok((df, rel.display().to_string(), phare_data::read::sha256_file(&path)?))
    }
}

/// One estimator's results.
#[derive(Debug, Clone)]
pub struct EstimatorResult {
    /// Its name in the brief.
    pub label: String,
    /// The method (`cs`, `twfe`, …).
    pub method: String,
    /// The overall effect (term `ATT`).
    pub att: TidyRow,
    /// Its full tidy table (event-time rows for event studies and dynamic aggregations).
    pub tidy: Tidy,
    /// Event-study rows for the chart (cs: the dynamic aggregation), with the uniform band's
    /// critical value when the bootstrap gave one.
    pub event_study: Option<(Tidy, Option<f64>)>,
    /// Model facts.
    pub glance: Glance,
    /// What the fit noticed.
    pub diagnostics: Vec<Diagnostic>,
    /// The pre-trend test, when the design has one.
    pub pretrend: Option<PretrendTest>,
}

/// A study that ran: the brief and everything written beside it.
#[derive(Debug, Clone)]
pub struct StudyRun {
    /// The spec.
    pub spec: StudySpec,
    /// The spec's text, written back as `study.toml`.
    pub spec_text: Option<String>,
    /// Each estimator's results, in the spec's order.
    pub results: Vec<EstimatorResult>,
    /// The brief.
    pub brief: Brief,
    /// Chart PNGs to write (relative path, bytes).
    pub pngs: Vec<(String, Vec<u8>)>,
    /// Input label and SHA-256.
    pub input: (String, String),
}

/// Runs a study file: reads it, checks it, estimates, and builds the brief.
///
/// # Errors
/// Those of [`StudySpec::from_path`], [`StudySpec::check`] and of the estimators.
pub fn run_file(path: &Path) -> Result<StudyRun> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
        hint: Some("check the path of the study file".into()),
    })?;
    let spec = StudySpec::from_toml(&text, path)?;
    let base = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map_or_else(|| "study.toml".into(), |n| n.to_string_lossy().into_owned());
    let mut run = run(&spec, base, &format!("phare run {name}"))?;
    run.brief.reproducibility.inputs.push((name, hex(&Sha256::digest(text.as_bytes()))));
    run.spec_text = Some(text);
    Ok(run)
}

/// Runs a study spec; relative data paths start from `base`; `command` is recorded in the brief.
///
/// # Errors
/// Those of [`StudySpec::check`] and of the estimators.
pub fn run(spec: &StudySpec, base: &Path, command: &str) -> Result<StudyRun> {
    spec.check_values()?;
    let (df, label, sha) = spec.load(base)?;
    if spec.is_rd() {
        return rd::run(spec, &df, label, sha, command);
    }
    if spec.is_synthetic() {
        return synth::run(spec, &df, label, sha, command);
    }
    let results: Vec<EstimatorResult> =
        spec.estimators.iter().map(|e| estimate(spec, e, &df)).collect::<Result<Vec<_>>>()?;
    let headline_index = spec.estimators.iter().position(|e| e.headline).unwrap_or(0);
    let lang = spec.lang;
    let r = &spec.roles;
    let outcome = r.outcome_label.clone().unwrap_or_else(|| r.outcome.clone());

    // The raw picture: mean outcome by cohort and period, and the treated units' baseline.
    let mut panel = Panel::new(&df, &r.unit, &r.time)?;
    panel = match (&r.cohort, &r.treatment) {
        (Some(c), _) => panel.with_cohort_column(&df, c, r.never)?,
        (None, Some(d)) => panel.with_treatment(&df, d)?,
        (None, None) => panel,
    };
    let trends = phare_data::cohort_trends(&df, &panel, &r.outcome)?;
    let baseline = match r.outcome_scale {
        OutcomeScale::Level => trends.pre_treatment_mean(),
        OutcomeScale::Log => None,
    };

    let head = &results[headline_index];
    let headline = Headline {
        estimator: head.label.clone(),
        estimate: head.att.estimate,
        std_error: head.att.std_error,
        conf_low: head.att.conf_low,
        conf_high: head.att.conf_high,
        level: spec.inference.level,
        p_value: head.att.p_value,
        scale: r.outcome_scale,
        baseline,
        baseline_kind: BaselineKind::TreatedBefore,
    };

    let mut figures = Vec::new();
    let mut pngs = Vec::new();
    let es_source = std::iter::once(head).chain(results.iter()).find(|x| x.event_study.is_some());
    if let Some(src) = es_source
        && let Some((tidy, crit)) = &src.event_study
    {
        let reference = !tidy.rows.iter().any(|row| row.rel_period.map(|e| e.0) == Some(-1));
        // Callaway–Sant'Anna's chart is its aggregation by event time, whatever gives its headline.
        let by = match (src.method.as_str(), lang) {
            ("cs", Lang::En) => format!("{}, aggregated by event time", src.label),
            ("cs", Lang::Fr) => format!("{}, agrégé par délai depuis le traitement", src.label),
            _ => src.label.clone(),
        };
        let title = lang.pick("Effect by periods since treatment", "Effet selon le délai depuis le traitement");
        let chart = event_study_chart(tidy, *crit, reference, lang, &outcome, title)?;
        let reference_note = match (reference, lang) {
            (true, Lang::En) => " The period before treatment is the reference (zero by construction).",
            (true, Lang::Fr) => " La période précédant le traitement sert de référence (nulle par construction).",
            (false, Lang::En) => " Before treatment, each point compares a period with the one before it.",
            (false, Lang::Fr) => " Avant le traitement, chaque point compare une période à la précédente.",
        };
        figures.push(Figure {
            name: "event_study".into(),
            caption: match lang {
                Lang::En => format!(
                    "Effect on {outcome} by periods since treatment ({by}), with {} intervals{}.{reference_note}",
                    lang.ci_label(spec.inference.level),
                    if crit.is_some() { " and the uniform band (lighter)" } else { "" }
                ),
                Lang::Fr => format!(
                    "Effet sur {outcome} selon le nombre de périodes depuis le traitement ({by}), avec {}{}.{reference_note}",
                    lang.ci_label(spec.inference.level),
                    if crit.is_some() { " et la bande uniforme (plus claire)" } else { "" }
                ),
            },
            svg: chart.svg().map_err(chart_err)?,
        });
        if spec.report.png {
            pngs.push(("figures/event_study.png".into(), chart.png().map_err(chart_err)?));
        }
    }
    let trends_chart = trends_chart(&trends, lang, &outcome)?;
    figures.push(Figure {
        name: "trends".into(),
        caption: lang
            .pick(
                "Mean outcome by period, for each treatment cohort and the never-treated units (raw data).",
                "Moyenne de la variable d'intérêt par période, pour chaque cohorte traitée et les unités jamais traitées (données brutes).",
            )
            .to_string(),
        svg: trends_chart.svg().map_err(chart_err)?,
    });

    if results.len() > 1 {
        figures.push(estimators_figure(&results, lang, &outcome, spec.inference.level)?);
    }
    // Two-way fixed effects in a staggered design: what its number is made of (Goodman-Bacon).
    let staggered = panel.cohort_sizes().keys().flatten().count() > 1;
    let bacon = if staggered && results.iter().any(|x| x.method == "twfe") && panel.is_balanced() {
        with_cohorts!(Bacon::new(&r.outcome, &r.unit, &r.time), r).fit(&df).ok()
    } else {
        None
    };
    if let Some(b) = &bacon {
        let kind = |k: BaconKind| match (k, lang) {
            (BaconKind::TreatedVsNever, Lang::En) => "treated vs never treated",
            (BaconKind::EarlierVsLater, Lang::En) => "earlier vs later treated",
            (BaconKind::LaterVsEarlier, Lang::En) => "later vs already treated",
            (BaconKind::TreatedVsNever, Lang::Fr) => "traitées contre jamais traitées",
            (BaconKind::EarlierVsLater, Lang::Fr) => "précoces contre tardives",
            (BaconKind::LaterVsEarlier, Lang::Fr) => "tardives contre déjà traitées",
        };
        let points = b.comparisons().iter().map(|c| BaconPoint::new(c.weight, c.estimate, kind(c.kind))).collect();
        let mut chart = BaconChart::new(points).lang(lang);
        if let Some(o) = b.tidy().rows.first().map(|row| row.estimate) {
            chart = chart.overall(o);
        }
        figures.push(Figure {
            name: "bacon".into(),
            caption: lang
                .pick(
                    "What the two-way fixed-effects estimate is made of (Goodman-Bacon decomposition): each 2×2 comparison's estimate against its weight; the dashed line is the TWFE estimate.",
                    "De quoi est faite l'estimation à effets fixes (décomposition de Goodman-Bacon)\u{a0}: chaque comparaison 2×2, son estimation et son poids\u{a0}; la ligne pointillée est l'estimation à effets fixes.",
                )
                .into(),
            svg: chart.svg().map_err(chart_err)?,
        });
    }

    let robustness = robustness_rows(&results, headline_index, lang);
    let mut checks = checks(spec, &results, headline_index, lang);
    if let Some(b) = &bacon {
        let forbidden: f64 =
            b.by_kind().iter().filter(|(k, _, _)| *k == BaconKind::LaterVsEarlier).map(|(_, w, _)| w).sum();
        checks.push(Check {
            name: lang.pick("Two-way fixed effects (Goodman-Bacon)", "Effets fixes à deux dimensions (Goodman-Bacon)").into(),
            result: match lang {
                Lang::En => format!("{} of its weight on comparisons with already-treated units", lang.percent(forbidden, 0)),
                Lang::Fr => format!("{} de son poids sur des comparaisons avec des unités déjà traitées", lang.percent(forbidden, 0)),
            },
            verdict: Verdict::Info,
            explanation: lang
                .pick(
                    "Those comparisons use treated units as controls: if effects change over time, they pull the two-way fixed-effects estimate away from the average effect. The heterogeneity-robust estimators avoid them.",
                    "Ces comparaisons prennent des unités traitées comme témoins\u{a0}: si les effets évoluent dans le temps, elles éloignent l'estimation à effets fixes de l'effet moyen. Les estimateurs robustes à l'hétérogénéité les évitent.",
                )
                .into(),
        });
    }
    let n_units = panel.n_units();
    let cohorts = panel.cohort_sizes();
    let treated: usize = cohorts.iter().filter(|(g, _)| g.is_some()).map(|(_, n)| n).sum();
    let key_figures = vec![
        (lang.pick("Units", "Unités").to_string(), lang.number(n_units as f64, 0)),
        (lang.pick("Treated units", "Unités traitées").to_string(), lang.number(treated as f64, 0)),
        (
            lang.pick("Periods", "Périodes").to_string(),
            format!("{}–{}", panel.periods()[0], panel.periods()[panel.periods().len() - 1]),
        ),
    ];
    let bootstrap = spec.inference.bootstrap.filter(|_| head.method == "cs");
    let methods = Methods {
        design: match (staggered, lang) {
            (true, Lang::En) => "Difference-in-differences with staggered adoption".into(),
            (false, Lang::En) => "Difference-in-differences".into(),
            (true, Lang::Fr) => "Différence de différences avec adoption échelonnée".into(),
            (false, Lang::Fr) => "Différence de différences".into(),
        },
        assumption: lang
            .pick(
                "Parallel trends: without the policy, treated and comparison units would have followed the same average path; and no effect before treatment starts (no anticipation).",
                "Tendances parallèles\u{a0}: sans la mesure, unités traitées et unités de comparaison auraient suivi la même évolution moyenne\u{a0}; et pas d'effet avant le début du traitement (pas d'anticipation).",
            )
            .into(),
        estimator: head.label.clone(),
        variance: match (bootstrap, lang) {
            (Some(b), Lang::En) => format!(
                "Multiplier bootstrap clustered by {} ({b} draws, seed {}), with a uniform band for the event study",
                spec.inference.cluster.as_deref().unwrap_or(&r.unit),
                spec.inference.seed
            ),
            (Some(b), Lang::Fr) => format!(
                "Bootstrap multiplicateur par grappe {} ({b} tirages, graine {}), avec une bande uniforme pour l'étude d'événement",
                spec.inference.cluster.as_deref().unwrap_or(&r.unit),
                spec.inference.seed
            ),
            (None, Lang::En) => format!(
                "Analytic (influence function or cluster-robust) standard errors, clustered by {}",
                spec.inference.cluster.as_deref().unwrap_or(&r.unit)
            ),
            (None, Lang::Fr) => format!(
                "Écarts-types analytiques (fonction d'influence ou robustes par grappe), grappes\u{a0}: {}",
                spec.inference.cluster.as_deref().unwrap_or(&r.unit)
            ),
        },
        data_source: data_source(spec, &label),
        vintage: spec.data.vintage.clone().unwrap_or_default(),
    };
    let mut limits: Vec<String> = vec![
        lang.pick(
            "Parallel trends cannot be proven: the pre-trend test can only fail to detect departures, and small ones go unseen (see the diagnostics).",
            "Les tendances parallèles ne se démontrent pas\u{a0}: le test de pré-tendances peut seulement ne pas détecter d'écart, et les petits écarts passent inaperçus (voir les diagnostics).",
        )
        .into(),
        lang.pick(
            "The effect is an average over treated units and the periods observed after treatment; it may differ across places, cohorts and over longer horizons.",
            "L'effet est une moyenne sur les unités traitées et les périodes observées après le traitement\u{a0}; il peut différer selon les territoires, les cohortes et à plus long terme.",
        )
        .into(),
    ];
    limits.extend(spec.report.limits.iter().cloned());

    let mut assignment = Vec::new();
    if let Some(c) = &r.cohort {
        assignment.push(("cohort".into(), format!("{c} (never treated: {})", r.never)));
    }
    if let Some(d) = &r.treatment {
        assignment.push(("treatment".into(), d.clone()));
    }
    let parameters = parameters(spec, assignment);
    let brief = Brief {
        lang,
        title: spec.title.clone(),
        question: spec.question.clone(),
        treatment: spec.policy.clone(),
        outcome,
        headline,
        key_figures,
        figures,
        robustness,
        checks,
        methods,
        limits,
        reproducibility: Reproducibility {
            phare_version: phare_core::VERSION.into(),
            command: Some(command.into()),
            parameters,
            seed: spec.inference.bootstrap.map(|_| spec.inference.seed),
            inputs: vec![(label.clone(), sha.clone())],
        },
    };
    Ok(StudyRun { spec: spec.clone(), spec_text: None, results, brief, pngs, input: (label, sha) })
}

/// A study value that is not acceptable, with the fix.
/// A check whose verdict and explanation follow one condition: reassuring with the first
/// (English, French) explanation, caution with the second.
fn binary_check(
    lang: Lang,
    name: &str,
    result: String,
    reassuring: bool,
    good: (&str, &str),
    bad: (&str, &str),
) -> Check {
    let (en, fr) = if reassuring { good } else { bad };
    Check {
        name: name.into(),
        result,
        verdict: if reassuring { Verdict::Reassuring } else { Verdict::Caution },
        explanation: lang.pick(en, fr).into(),
    }
}

fn invalid(name: &str, value: String, reason: &str, hint: &str) -> Error {
    Error::InvalidArgument { name: name.into(), value, reason: reason.into(), hint: Some(hint.into()) }
}

/// At most one estimator is the headline.
fn check_headline(spec: &StudySpec) -> Result<()> {
    if spec.estimators.iter().filter(|e| e.headline).count() > 1 {
        return Err(invalid(
            "headline",
            "true (several)".into(),
            "only one estimator can be the headline",
            "keep headline = true on one estimator",
        ));
    }
    Ok(())
}

/// The estimators' overall effects side by side, as a figure.
fn estimators_figure(results: &[EstimatorResult], lang: Lang, outcome: &str, level: f64) -> Result<Figure> {
    let rows: Vec<CoefficientRow> = results
        .iter()
        .map(|x| CoefficientRow::new(x.label.clone(), "ATT", x.att.estimate, x.att.conf_low, x.att.conf_high))
        .collect();
    let chart = CoefficientChart::new(rows).lang(lang).y_label("").x_label(match lang {
        Lang::En => format!("Effect on {outcome}"),
        Lang::Fr => format!("Effet sur {outcome}"),
    });
    Ok(Figure {
        name: "estimators".into(),
        caption: match lang {
            Lang::En => format!("The overall effect by estimator, with {} intervals.", lang.ci_label(level)),
            Lang::Fr => format!("L'effet global selon l'estimateur, avec {}.", lang.ci_label(level)),
        },
        svg: chart.svg().map_err(chart_err)?,
    })
}

/// The robustness table: every estimator's overall effect.
fn robustness_rows(results: &[EstimatorResult], headline: usize, lang: Lang) -> Vec<RobustnessRow> {
    results
        .iter()
        .enumerate()
        .map(|(i, x)| RobustnessRow {
            estimator: x.label.clone(),
            estimate: x.att.estimate,
            std_error: x.att.std_error,
            conf_low: x.att.conf_low,
            conf_high: x.att.conf_high,
            note: robustness_note(&x.method, i == headline, lang),
        })
        .collect()
}

/// Where the data come from, for the methods box: the study's `source`, the bundled dataset's
/// description, or the file's label.
fn data_source(spec: &StudySpec, label: &str) -> String {
    spec.data.source.clone().unwrap_or_else(|| match &spec.data.dataset {
        Some(name) => datasets::info(name)
            .map(|d| format!("{} — {}; file from {}", d.title, d.paper, d.source))
            .unwrap_or_default(),
        None => label.to_string(),
    })
}

/// The reproducibility annex's parameters: the roles, who is treated (`assignment`), every
/// estimator and the inference options.
fn parameters(spec: &StudySpec, assignment: Vec<(String, String)>) -> Vec<(String, String)> {
    let r = &spec.roles;
    let mut out = vec![("outcome".to_string(), r.outcome.clone())];
    // Regression-discontinuity studies have no unit or time role.
    for (name, v) in [("unit", &r.unit), ("time", &r.time)] {
        if !v.is_empty() {
            out.push((name.to_string(), v.clone()));
        }
    }
    out.extend(assignment);
    for (i, e) in spec.estimators.iter().enumerate() {
        out.push((format!("estimator {}", i + 1), compact(e)));
    }
    out.push(("inference".into(), compact(&spec.inference)));
    out
}

/// Fits one estimator of the study.
fn estimate(spec: &StudySpec, e: &EstimatorSpec, df: &DataFrame) -> Result<EstimatorResult> {
    let r = &spec.roles;
    let inf = &spec.inference;
    let level = inf.level;
    let comparison: Comparison = e.control.as_deref().unwrap_or("never").parse()?;
    let estimator: DidEstimator = e.est.as_deref().unwrap_or("dr").parse()?;
    macro_rules! cohorts {
        ($model:expr) => {
            with_cohorts!($model, r)
        };
    }
    // Each design gives: its label, its tidy table, the event-study rows for the chart, its glance,
    // diagnostics and pre-trend test.
    type Parts = (String, Tidy, Option<(Tidy, Option<f64>)>, Glance, Vec<Diagnostic>, Option<PretrendTest>);
    let (label, tidy, event_study, glance, diagnostics, pretrend): Parts = match e.method.as_str() {
        "cs" => {
            let mut model = CallawaySantAnna::new(&r.outcome, &r.unit, &r.time)
                .comparison(comparison)
                .estimator(estimator)
                .covariates(&e.covariates)
                .base_period(e.base_period.as_deref().unwrap_or("varying").parse()?)
                .anticipation(e.anticipation);
            model = cohorts!(model);
            if let Some(b) = inf.bootstrap {
                model = model.bootstrap(b, Seed(inf.seed));
            }
            if let Some(c) = &inf.cluster {
                model = model.cluster(c);
            }
            let fit = model.fit(df)?;
            let how: Aggregation = e.aggregate.as_deref().unwrap_or("simple").parse()?;
            let agg = fit.aggregate(&how)?;
            let dynamic = fit.aggregate(&Aggregation::dynamic())?;
            let label = e.label.clone().unwrap_or_else(|| {
                let est = match estimator {
                    DidEstimator::DoublyRobust => "doubly robust",
                    DidEstimator::Ipw => "IPW",
                    DidEstimator::Regression => "outcome regression",
                };
                match how {
                    Aggregation::Simple => format!("Callaway–Sant'Anna ({est})"),
                    _ => format!("Callaway–Sant'Anna ({est}, {} aggregation)", how.label()),
                }
            });
            let es = Some((dynamic.tidy_at(level)?, dynamic.uniform_critical_value()));
            (label, agg.tidy_at(level)?, es, agg.glance(), agg.diagnostics(), fit.pretrend_test())
        }
        "2x2" => {
            let mut model = TwoByTwo::new(&r.outcome, &r.unit, &r.time)
                .comparison(comparison)
                .covariates(&e.covariates)
                .estimator(estimator);
            model = cohorts!(model);
            let fit = model.fit(df)?;
            let label = e.label.clone().unwrap_or_else(|| "2×2 difference-in-differences".into());
            (label, fit.tidy_at(level)?, None, fit.glance(), fit.diagnostics(), None)
        }
        m => {
            let method: EventMethod = m.parse()?;
            let mut model = EventStudy::new(&r.outcome, &r.unit, &r.time).method(method).anticipation(e.anticipation);
            model = cohorts!(model);
            if let Some(c) = &inf.cluster {
                model = model.cluster(c);
            }
            let fit = model.fit(df)?;
            let tidy = fit.tidy_at(level)?;
            let label = e.label.clone().unwrap_or_else(|| {
                match method {
                    EventMethod::Twfe => "Two-way fixed effects",
                    EventMethod::SunAbraham => "Sun–Abraham",
                    EventMethod::Imputation => "Imputation (Borusyak–Jaravel–Spiess)",
                    EventMethod::TwoStage => "Two-stage (Gardner)",
                }
                .into()
            });
            let es = Some((tidy.clone(), None));
            (label, tidy, es, fit.glance(), fit.diagnostics(), fit.pretrend_test().cloned())
        }
    };
    let att = tidy
        .row("ATT")
        .cloned()
        .ok_or_else(|| Error::design(format!("{label} returned no overall effect"), "check the design's cohorts"))?;
    Ok(EstimatorResult { label, method: e.method.clone(), att, tidy, event_study, glance, diagnostics, pretrend })
}

/// The headline chart: event-time estimates with their intervals (and the uniform band).
fn event_study_chart(
    tidy: &Tidy,
    crit: Option<f64>,
    reference: bool,
    lang: Lang,
    outcome: &str,
    label: &str,
) -> Result<EventStudyChart> {
    let points: Vec<EventStudyPoint> = tidy
        .rows
        .iter()
        .filter_map(|row| {
            let e = row.rel_period?.0;
            let p = EventStudyPoint::new(e, row.estimate, row.conf_low, row.conf_high);
            Some(match crit {
                Some(c) => p.with_band(row.estimate - c * row.std_error, row.estimate + c * row.std_error),
                None => p,
            })
        })
        .collect();
    // The reference period (e = −1) is marked only when the estimator normalises it to zero (no
    // row for it); Callaway–Sant'Anna's varying base period estimates e = −1 like any other.
    let chart = EventStudyChart::new(points);
    let chart = if reference { chart.reference_period(-1) } else { chart };
    Ok(chart
        .lang(lang)
        .title(label)
        .x_label(lang.pick("Periods since treatment", "Périodes depuis le traitement"))
        .y_label(match lang {
            Lang::En => format!("Effect on {outcome}"),
            Lang::Fr => format!("Effet sur {outcome}"),
        }))
}

/// Raw trends: one line per cohort.
fn trends_chart(trends: &phare_data::CohortTrends, lang: Lang, outcome: &str) -> Result<TrendsChart> {
    let mut chart = TrendsChart::new(Vec::new()).lang(lang).x_label(lang.pick("Period", "Période")).y_label(outcome);
    for (g, n, means) in &trends.rows {
        let name = match (g, lang) {
            (Some(g), Lang::En) => format!("first treated {g} ({n})"),
            (Some(g), Lang::Fr) => format!("traitées en {g} ({n})"),
            (None, Lang::En) => format!("never treated ({n})"),
            (None, Lang::Fr) => format!("jamais traitées ({n})"),
        };
        let points: Vec<(i64, f64)> =
            trends.periods.iter().zip(means).filter_map(|(p, m)| m.map(|m| (*p, m))).collect();
        chart = chart.series(&name, points);
    }
    Ok(chart)
}

/// A spec table as `key = value` pairs, leaving out what is unset (null, false, empty, 0).
fn compact(value: &impl Serialize) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(value) else { return String::new() };
    map.iter()
        .filter(|(_, v)| match v {
            serde_json::Value::Null => false,
            serde_json::Value::Bool(b) => *b,
            serde_json::Value::Array(a) => !a.is_empty(),
            serde_json::Value::Number(n) => n.as_f64() != Some(0.0),
            _ => true,
        })
        .map(|(k, v)| format!("{k} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn chart_err(e: crate::chart::ChartError) -> Error {
    Error::Engine { context: "drawing a chart".into(), message: e.to_string(), hint: None }
}

fn robustness_note(method: &str, headline: bool, lang: Lang) -> String {
    let mut notes = Vec::new();
    if headline {
        notes.push(lang.pick("headline", "estimation principale"));
    }
    if method == "twfe" {
        notes.push(lang.pick(
            "can be biased when effects differ across cohorts",
            "peut être biaisé si les effets diffèrent entre cohortes",
        ));
    }
    notes.join("; ")
}

/// The diagnostics of the brief, each with a plain-language verdict.
fn checks(spec: &StudySpec, results: &[EstimatorResult], headline: usize, lang: Lang) -> Vec<Check> {
    let mut out = Vec::new();
    let head = &results[headline];
    let pre = std::iter::once(head).chain(results.iter()).find_map(|r| r.pretrend.as_ref().map(|p| (r, p)));
    if let Some((from, p)) = pre {
        let result = match p.df2 {
            // French separates the arguments with a semicolon: the comma is the decimal mark.
            Some(d2) => format!(
                "F({}{} {}) = {}, p = {}",
                p.df1,
                lang.pick(",", " ;"),
                lang.number(d2, 0),
                lang.number(p.statistic, 2),
                lang.p_value(p.p_value)
            ),
            None => format!(
                "F({}{} ∞) = {}, p = {}",
                p.df1,
                lang.pick(",", " ;"),
                lang.number(p.statistic, 2),
                lang.p_value(p.p_value)
            ),
        };
        let detect = p.detectable_slope.map(|s| match lang {
            Lang::En => format!(
                " The test would detect, with 80% power, a linear pre-trend of {} per period; smaller departures would go unseen.",
                lang.number(s, crate::text::decimals_for(s, 2))
            ),
            Lang::Fr => format!(
                " Le test détecterait, avec une puissance de 80\u{202F}%, une pré-tendance linéaire de {} par période\u{a0}; des écarts plus faibles passeraient inaperçus.",
                lang.number(s, crate::text::decimals_for(s, 2))
            ),
        });
        let (verdict, text) = if p.p_value >= 0.05 {
            (
                Verdict::Reassuring,
                lang.pick(
                    "Before treatment, treated and comparison units evolved alike: the estimated pre-treatment effects are jointly compatible with zero.",
                    "Avant le traitement, unités traitées et de comparaison évoluaient de la même façon\u{a0}: les effets estimés avant traitement sont conjointement compatibles avec zéro.",
                ),
            )
        } else {
            (
                Verdict::Caution,
                lang.pick(
                    "Before treatment, treated and comparison units already evolved differently: the parallel-trends assumption is in doubt, and the estimate may partly reflect pre-existing differences.",
                    "Avant le traitement, unités traitées et de comparaison évoluaient déjà différemment\u{a0}: l'hypothèse de tendances parallèles est fragile et l'estimation peut refléter en partie des écarts préexistants.",
                ),
            )
        };
        out.push(Check {
            name: format!("{} ({})", lang.pick("Pre-trend test", "Test de pré-tendances"), from.label),
            result,
            verdict,
            explanation: format!("{text}{}", detect.unwrap_or_default()),
        });
    }
    if results.len() > 1 {
        let h = &head.att;
        // An estimator without an interval (no standard error requested) is judged on its sign.
        let agree = results.iter().all(|r| {
            r.att.estimate.signum() == h.estimate.signum()
                && (r.att.conf_low.is_nan()
                    || h.conf_low.is_nan()
                    || (r.att.conf_low <= h.conf_high && r.att.conf_high >= h.conf_low))
        });
        let range = results
            .iter()
            .map(|r| r.att.estimate)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
        let d = crate::text::decimals_for(h.std_error, 2);
        out.push(Check {
            name: lang.pick("Agreement across estimators", "Accord entre estimateurs").into(),
            result: match lang {
                Lang::En => format!("{} estimators, from {} to {}", results.len(), lang.number(range.0, d), lang.number(range.1, d)),
                Lang::Fr => format!("{} estimateurs, de {} à {}", results.len(), lang.number(range.0, d), lang.number(range.1, d)),
            },
            verdict: if agree { Verdict::Reassuring } else { Verdict::Caution },
            explanation: if agree {
                lang.pick(
                    "Every estimator gives the same sign and an interval overlapping the headline's: the answer does not hinge on the choice of estimator.",
                    "Tous les estimateurs donnent le même signe et un intervalle qui recoupe celui de l'estimation principale\u{a0}: la réponse ne dépend pas du choix de l'estimateur.",
                )
                .into()
            } else {
                lang.pick(
                    "Estimators disagree in sign or their intervals do not overlap: the answer depends on the method; read the methods box and the charts before relying on it.",
                    "Les estimateurs divergent (signe ou intervalles disjoints)\u{a0}: la réponse dépend de la méthode\u{a0}; lire l'encadré méthodologique et les graphiques avant de s'y fier.",
                )
                .into()
            },
        });
    }
    let warnings: Vec<&Diagnostic> = head.diagnostics.iter().filter(|d| d.severity == Severity::Warning).collect();
    if warnings.is_empty() {
        out.push(Check {
            name: lang.pick("Sample", "Échantillon").into(),
            result: lang.pick("no unit or row dropped", "aucune unité ni ligne écartée").into(),
            verdict: Verdict::Reassuring,
            explanation: lang
                .pick(
                    "The headline estimate uses every unit of the data.",
                    "L'estimation principale utilise toutes les unités des données.",
                )
                .into(),
        });
    }
    for w in warnings {
        out.push(Check {
            name: lang.pick("Sample", "Échantillon").into(),
            result: w.code.clone(),
            verdict: Verdict::Caution,
            explanation: w.message.clone(),
        });
    }
    if let Some(b) = spec.inference.bootstrap {
        out.push(Check {
            name: lang.pick("Bootstrap", "Bootstrap").into(),
            result: match lang {
                Lang::En => format!("{b} draws, seed {}", spec.inference.seed),
                Lang::Fr => format!("{b} tirages, graine {}", spec.inference.seed),
            },
            verdict: Verdict::Info,
            explanation: lang
                .pick(
                    "Re-running with the same seed gives the same numbers, whatever the number of threads.",
                    "Relancer avec la même graine redonne les mêmes nombres, quel que soit le nombre de fils d'exécution.",
                )
                .into(),
        });
    }
    out
}

impl StudyRun {
    /// Every file of the output folder, as (relative path, bytes).
    ///
    /// # Errors
    /// When a table cannot be converted or serialised.
    pub fn files(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut files: Vec<(String, Vec<u8>)> = vec![("brief.html".into(), self.brief.to_html().into_bytes())];
        let md = self.brief.to_markdown();
        files.push(("brief.md".into(), md.markdown.into_bytes()));
        files.extend(md.files.into_iter().map(|(p, svg)| (p, svg.into_bytes())));
        files.extend(self.pngs.iter().cloned());
        let mut tidy = self.tidy_frame()?;
        files.push(("tidy.csv".into(), frame_bytes(&mut tidy, false)?));
        files.push(("tidy.parquet".into(), frame_bytes(&mut tidy, true)?));
        // The estimates side by side, for papers and annexes (every term of every estimator).
        let table = self.table();
        files.push(("tables/estimates.md".into(), table.to_markdown().into_bytes()));
        files.push(("tables/estimates.html".into(), table.to_html().into_bytes()));
        files.push(("tables/estimates.tex".into(), table.to_latex().into_bytes()));
        files.push(("tables/estimates.typ".into(), table.to_typst().into_bytes()));
        let mut glance = self.glance_frame()?;
        files.push(("glance.csv".into(), frame_bytes(&mut glance, false)?));
        files.push(("glance.parquet".into(), frame_bytes(&mut glance, true)?));
        let spec_text = match &self.spec_text {
            Some(t) => t.clone(),
            None => toml::to_string(&self.spec).unwrap_or_default(),
        };
        files.push(("study.toml".into(), spec_text.into_bytes()));
        let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        let manifest = serde_json::json!({
            "written_by": "phare run",
            "phare_version": phare_core::VERSION,
            "input": {"label": self.input.0, "sha256": self.input.1},
            "seed": self.spec.inference.seed,
            "bootstrap": self.spec.inference.bootstrap,
            "files": names,
        });
        files.push((MANIFEST.into(), serde_json::to_vec_pretty(&manifest).unwrap_or_default()));
        Ok(files)
    }

    /// The estimators side by side as a [`RegressionTable`](crate::table::RegressionTable): the
    /// overall effect first, then the event-time terms.
    pub fn table(&self) -> crate::table::RegressionTable {
        let mut t = crate::table::RegressionTable::new()
            .lang(self.spec.lang)
            .title(&self.spec.lang.typeset(&self.spec.title))
            .order(&["ATT"]);
        for r in &self.results {
            t = t.model_parts(&r.label, r.tidy.clone(), r.glance.clone());
        }
        t
    }

    /// Every estimator's tidy table, stacked, with an `estimator` column first.
    ///
    /// # Errors
    /// When polars cannot build the frame.
    pub fn tidy_frame(&self) -> Result<DataFrame> {
        self.stacked(|r| r.tidy.to_frame())
    }

    /// One glance row per estimator (the union of their columns), with an `estimator` column first.
    ///
    /// # Errors
    /// When polars cannot build the frame.
    pub fn glance_frame(&self) -> Result<DataFrame> {
        self.stacked(|r| r.glance.to_frame())
    }

    /// Per-estimator frames stacked (missing columns as nulls), labelled by estimator.
    fn stacked(&self, frame: impl Fn(&EstimatorResult) -> Result<DataFrame>) -> Result<DataFrame> {
        let mut frames = Vec::new();
        for r in &self.results {
            let mut f = frame(r)?;
            let n = f.height();
            f.insert_column(0, Column::new("estimator".into(), vec![r.label.as_str(); n])).map_err(|e| {
                Error::Engine { context: "building the tidy table".into(), message: e.to_string(), hint: None }
            })?;
            frames.push(f.lazy());
        }
        let args = UnionArgs { diagonal: true, ..UnionArgs::default() };
        concat(frames, args).and_then(|lf| lf.collect()).map_err(|e| Error::Engine {
            context: "stacking the tidy tables".into(),
            message: e.to_string(),
            hint: None,
        })
    }

    /// Writes the output folder `out` atomically: everything is written into a temporary folder
    /// beside it, which then takes its place. An existing `out` is replaced only if an earlier
    /// `phare run` wrote it (it holds `manifest.json`) or it is empty; otherwise nothing is
    /// written.
    ///
    /// # Errors
    /// [`Error::Io`] when the folder cannot be created or written (nothing is left behind), or
    /// when `out` holds files phare did not write.
    pub fn write(&self, out: &Path) -> Result<Vec<String>> {
        let files = self.files()?;
        write_folder(out, &files)?;
        Ok(files.into_iter().map(|(p, _)| p).collect())
    }
}

/// The marker file of a folder written by `phare run`.
const MANIFEST: &str = "manifest.json";

fn frame_bytes(df: &mut DataFrame, parquet: bool) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let res =
        if parquet { ParquetWriter::new(&mut buf).finish(df).map(|_| ()) } else { CsvWriter::new(&mut buf).finish(df) };
    res.map_err(|e| Error::Engine { context: "writing the tidy table".into(), message: e.to_string(), hint: None })?;
    Ok(buf)
}

/// Writes `files` into a fresh folder that then replaces `out` (see [`StudyRun::write`]).
fn write_folder(out: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    let io = |action: &'static str, path: &Path, hint: &str| {
        let path = path.to_path_buf();
        let hint = Some(hint.to_string());
        move |source: std::io::Error| Error::Io { action, path, source, hint }
    };
    if out.exists() {
        let ours = out.join(MANIFEST).is_file();
        let empty = out.is_dir() && std::fs::read_dir(out).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !(ours || empty) {
            return Err(Error::Io {
                action: "replace",
                path: out.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "the folder exists and phare did not write it",
                ),
                hint: Some("choose another output folder with --out, or empty this one".into()),
            });
        }
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(
        "create",
        &parent,
        "check that the output folder's parent is writable",
    ))?;
    let tmp = tempfile::Builder::new().prefix(".phare-run-").tempdir_in(&parent).map_err(io(
        "create a temporary folder in",
        &parent,
        "check that the output folder's parent is writable",
    ))?;
    for (rel, bytes) in files {
        let path = tmp.path().join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io("create", dir, "check free disk space"))?;
        }
        std::fs::write(&path, bytes).map_err(io("write", &path, "check free disk space"))?;
    }
    // Swap: the old folder (if any) moves aside, the new one takes its name, the old one goes.
    let old = if out.exists() {
        let aside = parent.join(format!(".phare-old-{}", std::process::id()));
        std::fs::rename(out, &aside).map_err(io("move aside", out, "check permissions on the output folder"))?;
        Some(aside)
    } else {
        None
    };
    let tmp_path = tmp.keep();
    if let Err(e) = std::fs::rename(&tmp_path, out) {
        if let Some(aside) = &old {
            let _ = std::fs::rename(aside, out);
        }
        let _ = std::fs::remove_dir_all(&tmp_path);
        return Err(io("create", out, "check permissions on the output folder")(e));
    }
    if let Some(aside) = old {
        std::fs::remove_dir_all(&aside).map_err(io("remove", &aside, "remove it by hand"))?;
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
