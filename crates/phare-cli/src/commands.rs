//! What each subcommand does. Each function reads its inputs through phare-data, calls the library,
//! and renders the result; nothing here computes a statistic.

use crate::{Cli, Command, DatasetsAction, OutputFormat};
use clap::Args;
use phare_causal::did::{TwoByTwo, TwoByTwoFit};
use phare_core::{Envelope, Error, Estimates, Result, VERSION};
use phare_data::describe::{cohort_trends, describe};
use phare_data::polars::prelude::*;
use phare_data::read::{Encoding, ReadOptions, ReadReport, sha256_file};
use phare_data::{AggregateSpec, Measure, Panel, Stat, datasets, write};
use phare_models::{Feglm, Feols, VcovSpec};
use std::path::PathBuf;

/// `println!` that does not panic when standard output is closed (e.g. `phare … | head`): once the
/// reader has gone, there is no one left to tell, so write errors are ignored.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

/// `eprintln!` likewise, for progress and errors on standard error.
macro_rules! esay {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($t)*);
    }};
}

/// Progress messages for long work, on standard error, with the time elapsed since the start.
pub struct Progress {
    quiet: bool,
    start: std::time::Instant,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        Progress { quiet, start: std::time::Instant::now() }
    }

    pub(crate) fn say(&self, what: &str) {
        if !self.quiet {
            esay!("[{:>6.1} s] {what}", self.start.elapsed().as_secs_f64());
        }
    }
}

/// A CSV field, quoted only when it must be (separator, quote or line break inside).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// Where the data come from, and how to read them. Shared by every subcommand that reads data.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Input file: CSV/TSV/TXT, Parquet or Arrow IPC.
    #[arg(long, conflicts_with = "dataset", required_unless_present = "dataset")]
    pub data: Option<PathBuf>,
    /// A bundled dataset instead of a file (see `phare datasets list`).
    #[arg(long)]
    pub dataset: Option<String>,
    /// CSV separator: `;`, `,`, `|`, `tab`. Detected when absent.
    #[arg(long)]
    pub sep: Option<String>,
    /// Numbers use a decimal comma (`12,5`). Detected when absent.
    #[arg(long)]
    pub decimal_comma: bool,
    /// CSV encoding: auto, utf-8, windows-1252 (latin-1).
    #[arg(long, default_value = "auto")]
    pub encoding: String,
    /// Read this column as text (repeatable); codes such as `2A004` are detected anyway.
    #[arg(long = "text")]
    pub text: Vec<String>,
}

impl InputArgs {
    fn options(&self) -> Result<ReadOptions> {
        let mut o = ReadOptions::default().encoding(Encoding::parse(&self.encoding)?);
        if let Some(s) = &self.sep {
            o = o.separator(ReadOptions::parse_separator(s)?);
        }
        if self.decimal_comma {
            o = o.decimal_comma(true);
        }
        for c in &self.text {
            o = o.text_column(c.clone());
        }
        Ok(o)
    }

    /// Loads the data; returns the frame, a label, the input's SHA-256, and the read report for files.
    pub(crate) fn load(&self) -> Result<(DataFrame, String, String, Option<ReadReport>)> {
        match (&self.data, &self.dataset) {
            (Some(path), _) => {
                let (df, report) = phare_data::read(path, &self.options()?)?;
                Ok((df, path.display().to_string(), sha256_file(path)?, Some(report)))
            }
            (None, Some(name)) => {
                let d = datasets::info(name)?;
                Ok((d.load()?, format!("bundled dataset `{}` ({})", d.name, d.file), d.sha256(), None))
            }
            (None, None) => Err(Error::InvalidArgument {
                name: "data".into(),
                value: "(none)".into(),
                reason: "no input given".into(),
                hint: Some("pass `--data FILE` or `--dataset NAME`".into()),
            }),
        }
    }
}

/// `phare describe`.
#[derive(Debug, Args)]
pub struct DescribeArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Unit identifier column (with `--time`: describe the panel).
    #[arg(long, requires = "time")]
    unit: Option<String>,
    /// Time column (integer periods).
    #[arg(long, requires = "unit")]
    time: Option<String>,
    /// Column giving each unit's first treated period (0 or empty = never treated).
    #[arg(long, requires = "unit", conflicts_with = "treatment")]
    cohort: Option<String>,
    /// Value of `--cohort` that marks never-treated units.
    #[arg(long, default_value_t = 0)]
    never: i64,
    /// 0/1 treatment column (cohort = first treated period).
    #[arg(long, requires = "unit")]
    treatment: Option<String>,
    /// Outcome column: adds mean outcome by cohort and period.
    #[arg(long)]
    outcome: Option<String>,
    /// Write a Markdown first-look brief to this file (atomically).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `phare aggregate`.
#[derive(Debug, Args)]
pub struct AggregateArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Unit column of the panel to build (e.g. a commune code).
    #[arg(long)]
    unit: String,
    /// Period column of the panel to build.
    #[arg(long)]
    time: String,
    /// Sum this column per unit and period (repeatable).
    #[arg(long)]
    sum: Vec<String>,
    /// Mean of this column (repeatable).
    #[arg(long)]
    mean: Vec<String>,
    /// Weighted mean, as `COLUMN:WEIGHT` (repeatable).
    #[arg(long)]
    wmean: Vec<String>,
    /// Destination file (CSV, Parquet or Arrow by extension).
    #[arg(long)]
    to: PathBuf,
}

/// `phare regress`.
#[derive(Debug, Args)]
pub struct RegressArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The model, e.g. "lwage ~ union + married | nr + year".
    #[arg(long)]
    formula: String,
    /// Covariance: iid, HC0, HC1, HC2, HC3, CRV1:col, CRV1:a+b, CRV3:col, NW:panel,time[,lag],
    /// DK:time[,lag]. Default: iid, or CRV1 on the first fixed effect when there are fixed effects
    /// (as fixest).
    #[arg(long)]
    vcov: Option<String>,
    /// Weights column (weighted least squares).
    #[arg(long)]
    weights: Option<String>,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    level: f64,
    /// Model family: linear (least squares, with 2SLS when the formula has `| endog ~ z`),
    /// poisson (pseudo-maximum likelihood) or logit.
    #[arg(long, default_value = "linear")]
    family: String,
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let progress = Progress::new(cli.quiet);
    match cli.command {
        Command::Datasets { action } => run_datasets(action, cli.format, &progress),
        Command::Describe(args) => run_describe(&args, cli.format, &progress),
        Command::Aggregate(args) => run_aggregate(&args, cli.format, &progress),
        Command::Regress(args) => run_regress(&args, cli.format, &progress),
        Command::Did(args) => run_did(&args, cli.format, &progress),
        Command::Synth(args) => crate::synth::run_synth(&args, cli.format, &progress),
        Command::Rd(args) => crate::rd::run_rd(&args, cli.format, &progress),
        Command::Weighting(args) => crate::weighting::run_weighting(&args, cli.format, &progress),
        Command::Run(args) => run_study(&args, cli.format, &progress),
        Command::Validate(args) => run_validate(&args, cli.format),
    }
}

/// `phare run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The study file (TOML; see docs/studies.md).
    study: PathBuf,
    /// The output folder (default: `out/<study file name without extension>`). Replaced as a whole
    /// if an earlier `phare run` wrote it; refused if it holds other files.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `phare validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The study file (TOML).
    study: PathBuf,
}

fn study_base(path: &std::path::Path) -> &std::path::Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."))
}

fn run_study(args: &RunArgs, format: OutputFormat, progress: &Progress) -> Result<()> {
    let out = args.out.clone().unwrap_or_else(|| {
        let stem = args.study.file_stem().map_or_else(|| "study".into(), |s| s.to_string_lossy().into_owned());
        PathBuf::from("out").join(stem)
    });
    progress.say(&format!("reading {}", args.study.display()));
    let run = phare_report::study::run_file(&args.study)?;
    progress.say(&format!("estimated {} estimator(s) on {}", run.results.len(), run.input.0));
    let files = run.write(&out)?;
    let brief = out.join("brief.html");
    match format {
        OutputFormat::Json => print_json(&serde_json::json!({
            "phare_version": phare_core::VERSION,
            "out": out.display().to_string(),
            "brief": brief.display().to_string(),
            "files": files,
            "answer": run.brief.answer(),
        })),
        _ => {
            say!("{}", run.brief.answer());
            say!("wrote {} files to {} (open {})", files.len(), out.display(), brief.display());
            Ok(())
        }
    }
}

fn run_validate(args: &ValidateArgs, format: OutputFormat) -> Result<()> {
    let spec = phare_report::study::StudySpec::from_path(&args.study)?;
    spec.check(study_base(&args.study))?;
    match format {
        OutputFormat::Json => {
            print_json(&serde_json::json!({"valid": true, "study": args.study.display().to_string()}))
        }
        _ => {
            say!("{}: valid ({} estimator(s))", args.study.display(), spec.estimators.len());
            Ok(())
        }
    }
}

/// Prints an error on standard error: message and hint in text, an object in JSON.
pub fn report_error(e: &Error, format: OutputFormat) {
    if format == OutputFormat::Json {
        let v = serde_json::json!({"error": {"kind": e.kind(), "message": e.to_string(), "hint": e.hint()}});
        esay!("{v}");
    } else {
        esay!("error: {e}");
    }
}

fn print_json(v: &impl serde::Serialize) -> Result<()> {
    let s = serde_json::to_string_pretty(v).map_err(|e| Error::Internal(e.to_string()))?;
    say!("{s}");
    Ok(())
}

fn run_datasets(action: DatasetsAction, format: OutputFormat, progress: &Progress) -> Result<()> {
    match action {
        DatasetsAction::List => match format {
            OutputFormat::Json => print_json(&datasets::DATASETS),
            OutputFormat::Csv => {
                say!("name,rows,columns,licence,design");
                for d in datasets::DATASETS {
                    say!("{},{},{},{},{}", d.name, d.shape.0, d.shape.1, csv_field(d.licence), csv_field(d.design));
                }
                Ok(())
            }
            OutputFormat::Text => {
                let w = datasets::DATASETS.iter().map(|d| d.name.len()).max().unwrap_or(0);
                for d in datasets::DATASETS {
                    say!("{:<w$}  {:>6} × {:<2}  {}", d.name, d.shape.0, d.shape.1, d.title);
                }
                Ok(())
            }
        },
        DatasetsAction::Show { name } => {
            let d = datasets::info(&name)?;
            if format == OutputFormat::Json {
                return print_json(d);
            }
            let roles = ["unit", "time", "outcome", "treatment"]
                .iter()
                .zip(d.roles)
                .filter(|(_, c)| !c.is_empty())
                .map(|(r, c)| format!("{r} = {c}"))
                .collect::<Vec<_>>()
                .join(", ");
            say!("{} — {}\n", d.name, d.title);
            say!(
                "question:  {}\ndesign:    {}\nshape:     {} rows × {} columns\nroles:     {}",
                d.question,
                d.design,
                d.shape.0,
                d.shape.1,
                roles
            );
            say!(
                "source:    {} (file {})\nlicence:   {}\npaper:     {}\nsha256:    {}\n",
                d.source,
                d.file,
                d.licence,
                d.paper,
                d.sha256()
            );
            say!("{}", d.codebook);
            Ok(())
        }
        DatasetsAction::Export { name, to } => {
            let d = datasets::info(&name)?;
            let mut df = d.load()?;
            write::write_frame(&mut df, &to, None)?;
            progress.say(&format!("wrote {} ({} rows) to {}", d.name, df.height(), to.display()));
            Ok(())
        }
    }
}

fn run_describe(args: &DescribeArgs, format: OutputFormat, progress: &Progress) -> Result<()> {
    let (df, label, sha, report) = args.input.load()?;
    progress.say(&format!("read {label}: {} rows × {} columns", df.height(), df.width()));
    let panel_cols = args.unit.as_deref().zip(args.time.as_deref());
    let description = describe(&df, panel_cols)?;
    let mut trends = None;
    let mut first_estimate: Option<std::result::Result<TwoByTwoFit, Error>> = None;
    if let Some((u, t)) = panel_cols {
        let panel = Panel::new(&df, u, t)?;
        let panel = match (&args.cohort, &args.treatment) {
            (Some(c), _) => Some(panel.with_cohort_column(&df, c, args.never)?),
            (None, Some(d)) => Some(panel.with_treatment(&df, d)?),
            _ => None,
        };
        if let (Some(p), Some(y)) = (&panel, &args.outcome) {
            trends = Some(cohort_trends(&df, p, y)?);
            // A first estimate: the 2×2 for the earliest cohort against never-treated units. When the
            // data cannot support it (one treated unit, say), the brief says why instead of failing.
            let design = TwoByTwo::new(y, u, t);
            let design = match (&args.cohort, &args.treatment) {
                (Some(c), _) => design.cohort_column(c, args.never),
                (None, Some(d)) => design.treatment(d),
                _ => design,
            };
            first_estimate = Some(design.fit(&df));
        }
    }
    if let Some(out) = &args.out {
        if let Some(input) = &args.input.data {
            write::refuse_overwriting_input(input, out)?;
        }
        let brief = first_look_brief(
            args,
            &label,
            &sha,
            report.as_ref(),
            &description,
            trends.as_ref(),
            first_estimate.as_ref(),
        );
        write::write_text(out, &brief)?;
        progress.say(&format!("wrote first-look brief to {}", out.display()));
    }
    match format {
        OutputFormat::Json => print_json(&serde_json::json!({
            "phare_version": VERSION,
            "input": {"label": label, "sha256": sha, "read": report},
            "description": description,
            "cohort_trends": trends,
            "first_estimate": match &first_estimate {
                Some(Ok(fit)) => serde_json::to_value(Envelope::from_estimates(fit).with_block("means", fit.means())).unwrap_or_default(),
                Some(Err(e)) => serde_json::json!({"error": {"kind": e.kind(), "message": e.to_string(), "hint": e.hint()}}),
                None => serde_json::Value::Null,
            },
        })),
        OutputFormat::Csv => {
            say!("column,type,missing,distinct,min,mean,max");
            for c in &description.columns {
                let f = |x: Option<f64>| x.map(|x| x.to_string()).unwrap_or_default();
                say!(
                    "{},{},{},{},{},{},{}",
                    csv_field(&c.name),
                    c.dtype,
                    c.missing,
                    c.distinct,
                    f(c.min),
                    f(c.mean),
                    f(c.max)
                );
            }
            Ok(())
        }
        OutputFormat::Text => {
            if let Some(r) = &report {
                progress.say(&read_line(r));
            }
            say!("{}", description.to_text().trim_end());
            if let Some(t) = &trends {
                say!("\nmean `{}` by cohort and period:\n{}", t.outcome, t.to_markdown());
            }
            match &first_estimate {
                Some(Ok(fit)) => say!(
                    "first estimate (2×2 difference-in-differences):\n{}\n{}",
                    fit.means().to_markdown(),
                    fit.summary().to_text()
                ),
                Some(Err(e)) => say!("no first estimate: {e}"),
                None => {}
            }
            Ok(())
        }
    }
}

fn read_line(r: &ReadReport) -> String {
    let mut s = format!("read {} as {:?}", r.path.display(), r.format);
    if let Some(sep) = r.separator {
        let sep = if sep == '\t' { "tab".to_string() } else { sep.to_string() };
        s.push_str(&format!(
            ", separator `{sep}`, decimal {}, encoding {:?}",
            if r.decimal_comma { "comma" } else { "point" },
            r.encoding.unwrap_or_default()
        ));
    }
    for d in &r.diagnostics {
        s.push_str(&format!("\n{d}"));
    }
    s
}

/// The Markdown first-look brief: what the data are, how they were read, and the raw picture.
fn first_look_brief(
    args: &DescribeArgs,
    label: &str,
    sha: &str,
    report: Option<&ReadReport>,
    d: &phare_data::Description,
    trends: Option<&phare_data::CohortTrends>,
    first_estimate: Option<&std::result::Result<TwoByTwoFit, Error>>,
) -> String {
    let mut s = String::from("# First look at the data\n\n");
    s.push_str(&format!("Input: {label}  \nSHA-256: `{sha}`  \nphare {VERSION}\n\n"));
    if let Some(p) = &d.panel {
        s.push_str(&format!("## Structure\n\n{}.\n\n", p.sentence()));
    }
    if let Some(t) = trends {
        let treated: usize = t.rows.iter().filter(|r| r.0.is_some()).map(|r| r.1).sum();
        let never: usize = t.rows.iter().filter(|r| r.0.is_none()).map(|r| r.1).sum();
        s.push_str(&format!(
            "## Who is treated, and when\n\n{treated} units are treated at some point, in {} cohorts; {never} are never treated.\n\n",
            t.rows.iter().filter(|r| r.0.is_some()).count()
        ));
        s.push_str(&format!(
            "## Raw trends\n\nMean `{}` by cohort and period. These are descriptive averages, not effects: \
             an effect estimate compares how treated cohorts changed with how comparable untreated units changed.\n\n",
            t.outcome
        ));
        s.push_str(&t.to_markdown());
        s.push('\n');
    }
    match first_estimate {
        Some(Ok(fit)) => s.push_str(&first_estimate_section(fit)),
        Some(Err(e)) => s.push_str(&format!("## A first estimate\n\nNot computed: {e}\n\n")),
        None => {}
    }
    s.push_str("## Columns\n\n");
    s.push_str(&d.to_markdown());
    if !d.diagnostics.is_empty() || report.is_some_and(|r| !r.diagnostics.is_empty()) {
        s.push_str("\n## Notes\n\n");
        for x in report.map(|r| r.diagnostics.as_slice()).unwrap_or_default().iter().chain(&d.diagnostics) {
            s.push_str(&format!("- {x}\n"));
        }
    }
    s.push_str("\n## How this was produced\n\n```\nphare describe");
    if let Some(p) = &args.input.data {
        s.push_str(&format!(" --data {}", p.display()));
    }
    if let Some(n) = &args.input.dataset {
        s.push_str(&format!(" --dataset {n}"));
    }
    for (flag, v) in [
        ("unit", &args.unit),
        ("time", &args.time),
        ("cohort", &args.cohort),
        ("treatment", &args.treatment),
        ("outcome", &args.outcome),
    ] {
        if let Some(v) = v {
            s.push_str(&format!(" --{flag} {v}"));
        }
    }
    if args.cohort.is_some() {
        s.push_str(&format!(" --never {}", args.never));
    }
    if let Some(r) = report {
        s.push_str(&format!("\n# read as: {}", read_line(r).replace('\n', "; ")));
    }
    s.push_str("\n```\n");
    s
}

/// The brief's section on the 2×2: the four means, the estimate in words, the full table, and
/// what it rests on. Every number comes from the fit.
fn first_estimate_section(fit: &TwoByTwoFit) -> String {
    let m = fit.means();
    let tidy = fit.tidy();
    let Some(r) = tidy.rows.first() else { return String::new() };
    let f = phare_core::summary::format_number;
    let mut s = String::from("## A first estimate\n\n");
    s.push_str(&format!(
        "The simplest comparison: how `{}` changed from {} to {} for the {} units first treated in {}, \
         minus how it changed for the {} never-treated units over the same years.\n\n",
        m.outcome, m.pre, m.post, m.n_treated, m.cohort, m.n_comparison
    ));
    s.push_str(&m.to_markdown());
    s.push_str(&format!(
        "\nEstimated effect on the treated in {}: **{}** (standard error {}; 95 % interval {} to {}; p = {}).\n\n",
        m.post,
        f(r.estimate),
        f(r.std_error),
        f(r.conf_low),
        f(r.conf_high),
        phare_core::summary::format_p_value(r.p_value)
    ));
    s.push_str(
        "This rests on parallel trends (without the policy, both groups would have changed alike) and on \
         no anticipation. It uses one cohort and one year; estimators that use every cohort and year \
         come with the difference-in-differences module.\n\n",
    );
    s.push_str(&fit.summary().to_markdown());
    s.push('\n');
    s
}

fn run_regress(args: &RegressArgs, format: OutputFormat, progress: &Progress) -> Result<()> {
    let (df, label, sha, _) = args.input.load()?;
    progress.say(&format!("read {label}: {} rows × {} columns", df.height(), df.width()));
    let vcov = args.vcov.as_deref().map(VcovSpec::parse).transpose()?;
    let fit: Box<dyn Estimates> = match args.family.to_ascii_lowercase().as_str() {
        "linear" | "ols" | "gaussian" => {
            let mut model = Feols::new(&args.formula)?;
            if let Some(v) = vcov {
                model = model.vcov(v);
            }
            if let Some(w) = &args.weights {
                model = model.weights(w);
            }
            let fit = model.fit(&df)?;
            progress.say(&format!("fitted on {} observations", fit.nobs()));
            Box::new(fit)
        }
        fam @ ("poisson" | "logit") => {
            let mut model =
                if fam == "poisson" { Feglm::poisson(&args.formula)? } else { Feglm::logit(&args.formula)? };
            if let Some(v) = vcov {
                model = model.vcov(v);
            }
            if let Some(w) = &args.weights {
                model = model.weights(w);
            }
            let fit = model.fit(&df)?;
            progress.say(&format!("fitted on {} observations in {} iterations", fit.nobs(), fit.iterations()));
            Box::new(fit)
        }
        other => return Err(Error::unknown_option("family", other, &["linear", "poisson", "logit"])),
    };
    print_estimates(
        fit.as_ref(),
        args.level,
        format,
        vec![("input", serde_json::json!({"label": label, "sha256": sha}))],
    )
}

/// Prints a fit: the JSON envelope (with extra `blocks`), the tidy table as CSV, or the text
/// summary.
pub(crate) fn print_estimates(
    fit: &dyn Estimates,
    level: f64,
    format: OutputFormat,
    blocks: Vec<(&str, serde_json::Value)>,
) -> Result<()> {
    let tidy = fit.tidy_at(level)?;
    match format {
        OutputFormat::Json => {
            let mut env = Envelope::from_estimates(fit);
            for (name, block) in blocks {
                env = env.with_block(name, block);
            }
            env.conf_level = tidy.level.value();
            env.tidy = tidy.rows;
            print_json(&env)
        }
        OutputFormat::Csv => {
            say!("term,estimate,std_error,statistic,p_value,conf_low,conf_high,rel_period,cohort,period");
            let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
            for r in &tidy.rows {
                say!(
                    "{},{},{},{},{},{},{},{},{},{}",
                    csv_field(&r.term),
                    r.estimate,
                    r.std_error,
                    r.statistic,
                    r.p_value,
                    r.conf_low,
                    r.conf_high,
                    opt(r.rel_period.map(|e| e.0)),
                    opt(r.cohort),
                    opt(r.period)
                );
            }
            Ok(())
        }
        OutputFormat::Text => {
            let summary = phare_core::Summary::new(fit.design(), fit.call(), tidy, fit.glance(), fit.diagnostics());
            say!("{}", summary.to_text().trim_end());
            Ok(())
        }
    }
}

/// `phare did`.
#[derive(Debug, Args)]
pub struct DidArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The outcome column.
    #[arg(long)]
    outcome: String,
    /// The unit identifier column.
    #[arg(long)]
    unit: String,
    /// The period column (integers: years, months numbered…).
    #[arg(long)]
    time: String,
    /// Column with each unit's first treated period (0 or empty for never treated).
    #[arg(long, conflicts_with = "treatment", required_unless_present = "treatment")]
    cohort: Option<String>,
    /// 0/1 treatment column (cohorts are the first treated period of each unit).
    #[arg(long)]
    treatment: Option<String>,
    /// The value of `--cohort` that marks never-treated units.
    #[arg(long, default_value_t = 0)]
    never: i64,
    /// Estimator: cs (Callaway–Sant'Anna), sa (Sun–Abraham), bjs (imputation), gardner (two-stage),
    /// twfe (event study), 2x2 (one cohort, two periods), bacon (Goodman-Bacon decomposition).
    #[arg(long, default_value = "cs")]
    method: String,
    /// Comparison units (cs, 2x2): never (never treated) or notyet (not yet treated).
    #[arg(long, default_value = "never")]
    control: String,
    /// Two-period estimator with covariates (cs, 2x2): dr (doubly robust), ipw or reg.
    #[arg(long, default_value = "dr")]
    est: String,
    /// Covariates of cs and 2x2, comma-separated (pre-treatment, time-invariant).
    #[arg(long, value_delimiter = ',')]
    covariates: Vec<String>,
    /// Aggregation of cs: simple, dynamic, group or calendar (default: every ATT(g,t)).
    #[arg(long)]
    aggregate: Option<String>,
    /// Base period of cs pre-treatment effects: varying or universal.
    #[arg(long, default_value = "varying")]
    base_period: String,
    /// Periods of anticipation before treatment.
    #[arg(long, default_value_t = 0)]
    anticipation: i64,
    /// Relative periods shown, `min,max` (twfe: distant periods binned into the ends).
    #[arg(long, value_delimiter = ',', num_args = 2)]
    window: Vec<i64>,
    /// Multiplier-bootstrap draws (cs): bootstrap standard errors and a uniform band.
    #[arg(long)]
    bootstrap: Option<usize>,
    /// Seed of the bootstrap (recorded in the output).
    #[arg(long, default_value_t = phare_core::Seed::DEFAULT.0)]
    seed: u64,
    /// Cluster column (default: the unit).
    #[arg(long)]
    cluster: Option<String>,
    /// cs: keep units not observed in every period (repeated cross-sections, no covariates)
    /// instead of dropping them.
    #[arg(long)]
    unbalanced: bool,
    /// cs and 2x2: the rows are repeated cross-sections (a new sample each period; `--unit` is not used
    /// to link rows), cohorts from `--cohort`.
    #[arg(long)]
    cross_sections: bool,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    level: f64,
}

/// Sets a design's cohorts from `--cohort` or `--treatment` (one is required by clap).
macro_rules! with_cohorts {
    ($model:expr, $args:expr) => {
        match (&$args.cohort, &$args.treatment) {
            (Some(c), _) => $model.cohort_column(c, $args.never),
            (None, Some(d)) => $model.treatment(d),
            (None, None) => $model,
        }
    };
}

fn run_did(args: &DidArgs, format: OutputFormat, progress: &Progress) -> Result<()> {
    use phare_causal::did::{
        Aggregation, Bacon, BasePeriod, CallawaySantAnna, Comparison, DidEstimator, EventMethod, EventStudy, TwoByTwo,
    };
    let (df, label, sha, _) = args.input.load()?;
    progress.say(&format!("read {label}: {} rows × {} columns", df.height(), df.width()));
    let input = serde_json::json!({"label": label, "sha256": sha});
    let comparison: Comparison = args.control.parse()?;
    let window = match args.window.as_slice() {
        [] => None,
        [a, b] => Some((*a, *b)),
        _ => {
            return Err(Error::InvalidArgument {
                name: "window".into(),
                value: format!("{:?}", args.window),
                reason: "give two relative periods, min,max".into(),
                hint: Some("e.g. --window -5,5".into()),
            });
        }
    };
    let method = args.method.to_ascii_lowercase();
    let known = ["cs", "sa", "bjs", "gardner", "twfe", "2x2", "bacon"];
    for (flag, set, methods) in [
        ("--covariates", !args.covariates.is_empty(), &["cs", "2x2"][..]),
        ("--aggregate", args.aggregate.is_some(), &["cs"][..]),
        ("--bootstrap", args.bootstrap.is_some(), &["cs"][..]),
        ("--cross-sections", args.cross_sections, &["cs", "2x2"][..]),
    ] {
        if set && known.contains(&method.as_str()) && !methods.contains(&method.as_str()) {
            return Err(Error::InvalidArgument {
                name: flag.trim_start_matches("--").into(),
                value: flag.into(),
                reason: format!("{flag} applies to --method {} only", methods.join(" and ")),
                hint: Some(format!("drop the flag or use --method {}", methods[0])),
            });
        }
    }
    let estimator: DidEstimator = args.est.parse()?;
    match method.as_str() {
        "cs" => {
            let base: BasePeriod = args.base_period.parse()?;
            let mut model = CallawaySantAnna::new(&args.outcome, &args.unit, &args.time)
                .comparison(comparison)
                .estimator(estimator)
                .covariates(&args.covariates)
                .base_period(base)
                .anticipation(args.anticipation)
                .allow_unbalanced(args.unbalanced)
                .repeated_cross_sections(args.cross_sections);
            model = with_cohorts!(model, args);
            if let Some(draws) = args.bootstrap {
                model = model.bootstrap(draws, phare_core::Seed(args.seed));
            }
            if let Some(c) = &args.cluster {
                model = model.cluster(c);
            }
            let fit = model.fit(&df)?;
            progress.say(&format!("estimated ATT(g,t) on {} units", fit.n_units()));
            let pretrend = fit.pretrend_test().map(|p| serde_json::to_value(p).unwrap_or_default());
            let mut blocks = vec![
                ("input", input),
                ("settings", serde_json::json!({"seed": args.seed, "bootstrap": args.bootstrap})),
            ];
            if let Some(p) = pretrend {
                blocks.push(("pretrend", p));
            }
            match &args.aggregate {
                None => print_estimates(&fit, args.level, format, blocks),
                Some(a) => {
                    let how = match (a.parse::<Aggregation>()?, window) {
                        (Aggregation::Dynamic { .. }, Some((lo, hi))) => {
                            Aggregation::Dynamic { min_e: Some(lo), max_e: Some(hi), balance_e: None }
                        }
                        (how, _) => how,
                    };
                    let agg = fit.aggregate(&how)?;
                    if let Some(c) = agg.uniform_critical_value() {
                        blocks.push(("uniform_band", serde_json::json!({"critical_value": c, "level": 0.95})));
                    }
                    print_estimates(&agg, args.level, format, blocks)
                }
            }
        }
        "sa" | "bjs" | "gardner" | "twfe" => {
            let m: EventMethod = method.parse()?;
            let mut model =
                EventStudy::new(&args.outcome, &args.unit, &args.time).method(m).anticipation(args.anticipation);
            model = with_cohorts!(model, args);
            if let Some((lo, hi)) = window {
                model = model.window(lo, hi);
            }
            if let Some(c) = &args.cluster {
                model = model.cluster(c);
            }
            let fit = model.fit(&df)?;
            let mut blocks = vec![("input", input)];
            if let Some(p) = fit.pretrend_test() {
                blocks.push(("pretrend", serde_json::to_value(p).unwrap_or_default()));
            }
            print_estimates(&fit, args.level, format, blocks)
        }
        "2x2" => {
            let mut model = TwoByTwo::new(&args.outcome, &args.unit, &args.time)
                .comparison(comparison)
                .covariates(&args.covariates)
                .estimator(estimator)
                .repeated_cross_sections(args.cross_sections);
            model = with_cohorts!(model, args);
            let fit = model.fit(&df)?;
            let means = serde_json::to_value(fit.means()).unwrap_or_default();
            print_estimates(&fit, args.level, format, vec![("input", input), ("means", means)])
        }
        "bacon" => {
            let mut model = Bacon::new(&args.outcome, &args.unit, &args.time);
            model = with_cohorts!(model, args);
            let fit = model.fit(&df)?;
            let comparisons = serde_json::to_value(fit.comparisons()).unwrap_or_default();
            print_estimates(&fit, args.level, format, vec![("input", input), ("comparisons", comparisons)])
        }
        other => Err(Error::unknown_option("method", other, &known)),
    }
}

fn run_aggregate(args: &AggregateArgs, format: OutputFormat, progress: &Progress) -> Result<()> {
    let mut spec = AggregateSpec::new(&args.unit, &args.time);
    for c in &args.sum {
        spec = spec.measure(Measure::new(c, Stat::Sum));
    }
    for c in &args.mean {
        spec = spec.measure(Measure::new(c, Stat::Mean));
    }
    for cw in &args.wmean {
        let Some((c, w)) = cw.split_once(':') else {
            return Err(Error::InvalidArgument {
                name: "wmean".into(),
                value: format!("`{cw}`"),
                reason: "expected COLUMN:WEIGHT".into(),
                hint: Some("e.g. `--wmean salaire:poids`".into()),
            });
        };
        spec = spec.measure(Measure::new(c, Stat::WeightedMean(w.into())));
    }
    let lf = match (&args.input.data, &args.input.dataset) {
        (Some(path), _) => {
            write::refuse_overwriting_input(path, &args.to)?;
            phare_data::scan(path, &args.input.options()?)?.0
        }
        (None, Some(name)) => datasets::info(name)?.load()?.lazy(),
        (None, None) => {
            return Err(Error::InvalidArgument {
                name: "data".into(),
                value: "(none)".into(),
                reason: "no input given".into(),
                hint: Some("pass `--data FILE`".into()),
            });
        }
    };
    progress.say(&format!(
        "aggregating to one row per ({}, {}) on the streaming engine ({} measure{})",
        args.unit,
        args.time,
        spec.measures.len(),
        if spec.measures.len() == 1 { "" } else { "s" }
    ));
    let mut panel = phare_data::aggregate(lf, &spec)?;
    write::write_frame(&mut panel, &args.to, None)?;
    if format == OutputFormat::Json {
        print_json(
            &serde_json::json!({"phare_version": VERSION, "rows": panel.height(), "columns": panel.get_column_names().iter().map(|s| s.to_string()).collect::<Vec<_>>(), "output": args.to}),
        )
    } else {
        progress.say(&format!("wrote {} unit-period rows to {}", panel.height(), args.to.display()));
        Ok(())
    }
}

/// Writes a chart atomically as SVG or PNG, by the file's extension.
pub(crate) fn write_chart(
    path: &std::path::Path,
    svg: std::result::Result<String, phare_report::chart::ChartError>,
    png: impl FnOnce() -> std::result::Result<Vec<u8>, phare_report::chart::ChartError>,
) -> Result<()> {
    let err = |e: phare_report::chart::ChartError| Error::Engine {
        context: "drawing a chart".into(),
        message: e.to_string(),
        hint: None,
    };
    let bytes = match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("svg") => svg.map_err(err)?.into_bytes(),
        Some("png") => png().map_err(err)?,
        _ => {
            return Err(Error::InvalidArgument {
                name: "chart".into(),
                value: path.display().to_string(),
                reason: "the chart's file must end in .svg or .png".into(),
                hint: Some("e.g. rd.svg or chart.png".into()),
            });
        }
    };
    phare_data::write::write_atomic(path, |f| {
        std::io::Write::write_all(f, &bytes).map_err(|source| Error::Io {
            action: "write",
            path: path.into(),
            source,
            hint: None,
        })
    })
}
