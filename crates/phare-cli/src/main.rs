//! `phare`: public-policy impact evaluation from the command line.
//!
//! The binary is a thin layer: it parses arguments, calls the library, and prints or writes what the
//! library returns. It computes no statistic of its own. Results go to standard output; progress and
//! errors to standard error. Exit codes: 0 success; 1 a problem with the input, the data or the
//! arguments (the message names it and says what to do); 2 a bug in phare (please report it).

mod commands;
mod rd;
mod synth;
mod weighting;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Measure the impact of public policies: load administrative data, estimate, report.
#[derive(Debug, Parser)]
#[command(name = "phare", version, about, long_about = None)]
pub struct Cli {
    /// Output format for what is printed on standard output.
    #[arg(long, value_enum, global = true, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// No progress messages on standard error.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned text for a terminal.
    Text,
    /// JSON, stable across versions of phare (see docs/json.md).
    Json,
    /// CSV, for tables.
    Csv,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The real public datasets bundled with phare.
    Datasets {
        /// What to do with them.
        #[command(subcommand)]
        action: DatasetsAction,
    },
    /// A first look at a file or bundled dataset: columns, types, missing values, panel structure,
    /// treatment cohorts and raw outcome trends. With `--out`, writes a Markdown first-look brief.
    Describe(commands::DescribeArgs),
    /// Aggregate microdata (one row per person, firm, claim…) into a unit × period panel.
    Aggregate(commands::AggregateArgs),
    /// Linear regression with absorbed fixed effects, fixest syntax: `y ~ x1 + x2 | fe1 + fe2`.
    Regress(commands::RegressArgs),
    /// Difference-in-differences: Callaway–Sant'Anna (default), Sun–Abraham, imputation,
    /// two-stage, TWFE event study, the 2×2, or the Goodman-Bacon decomposition.
    Did(Box<commands::DidArgs>),
    /// Synthetic control (sc), augmented synthetic control (ascm), synthetic difference-in-differences
    /// (sdid) or DiD, for one or a few treated units compared with many donors.
    Synth(Box<synth::SynthArgs>),
    /// Regression discontinuity: local polynomial estimates of the jump (sharp), the ratio of jumps
    /// (fuzzy) or the change of slope (kink) at a cut-off, with robust bias-corrected inference.
    Rd(Box<rd::RdArgs>),
    /// Selection on observables: inverse probability weighting, regression adjustment or augmented
    /// IPW (doubly robust) for the ATE or the ATT, with covariate balance before and after.
    Weighting(Box<weighting::WeightingArgs>),
    /// Run a study file (TOML): estimate, then write the decision brief (HTML, Markdown + SVG),
    /// the tidy tables (CSV, Parquet) and a manifest into one output folder, atomically.
    Run(commands::RunArgs),
    /// Check a study file without running it: keys, values, data source and columns.
    Validate(commands::ValidateArgs),
}

/// `phare datasets …`
#[derive(Debug, Subcommand)]
pub enum DatasetsAction {
    /// List the bundled datasets.
    List,
    /// Show a dataset's source, licence, paper, suggested roles and codebook.
    Show {
        /// Dataset name (see `phare datasets list`).
        name: String,
    },
    /// Write a bundled dataset to a file (CSV, Parquet or Arrow, by extension).
    Export {
        /// Dataset name.
        name: String,
        /// Destination file.
        #[arg(long)]
        to: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` are not errors; anything else is a usage error, i.e. the
            // user's to fix: exit code 1 like any other bad input.
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(1) } else { ExitCode::SUCCESS };
        }
    };
    let format = cli.format;
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            commands::report_error(&e, format);
            if e.is_user_error() { ExitCode::from(1) } else { ExitCode::from(2) }
        }
    }
}
