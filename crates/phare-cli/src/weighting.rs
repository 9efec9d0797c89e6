//! `phare weighting`: selection on observables (IPW, regression adjustment, AIPW, nearest-neighbour
//! matching).

use crate::OutputFormat;
use crate::commands::{InputArgs, Progress, print_estimates, write_chart};
use clap::Args;
use phare_causal::weighting::{
    Balance, Estimand, MatchEstimand, Metric, NearestNeighbourMatching, Weighting, WeightingEstimator, balance,
};
use phare_core::{Error, Result};
use phare_report::chart::{BalanceRow, LovePlotChart};

/// `phare weighting`.
#[derive(Debug, Args)]
pub struct WeightingArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The outcome column.
    #[arg(long)]
    outcome: String,
    /// The 0/1 treatment (participation) column.
    #[arg(long)]
    treatment: String,
    /// Covariates of the propensity score (and of the outcome models), comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    covariates: Vec<String>,
    /// Covariates of the outcome models, when they differ (RA, AIPW).
    #[arg(long, value_delimiter = ',')]
    outcome_covariates: Vec<String>,
    /// Estimator: ipw (normalised inverse probability weighting), ra (regression adjustment),
    /// aipw (augmented IPW, doubly robust), ebal (entropy balancing, ATT), match
    /// (nearest-neighbour matching).
    #[arg(long, default_value = "aipw")]
    estimator: String,
    /// Estimand: ate (everyone), att (the treated); atc (the comparison units, matching only).
    #[arg(long, default_value = "ate")]
    estimand: String,
    /// Keep only units whose propensity score lies in `lo,hi` (e.g. 0.1,0.9), then refit.
    #[arg(long, value_delimiter = ',', num_args = 1..=2)]
    trim: Vec<f64>,
    /// Ridge penalty of the propensity logit on standardised covariates (scikit-learn's C = 1/λ).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    penalty: f64,
    /// Propensity scores computed elsewhere (any learner), in this column; taken as known.
    #[arg(long)]
    propensity_column: Option<String>,
    /// Matching: the distance, inverse_variance (default), mahalanobis, pscore or linear_pscore.
    #[arg(long, default_value = "inverse_variance")]
    metric: String,
    /// Matching: matches per unit.
    #[arg(long, default_value_t = 1)]
    matches: usize,
    /// Matching: without replacement (greedy; each comparison unit used once).
    #[arg(long)]
    no_replace: bool,
    /// Matching: the largest distance allowed (in the metric's units); units without a match
    /// within it are dropped and reported.
    #[arg(long)]
    caliper: Option<f64>,
    /// Matching: the Abadie–Imbens regression bias correction.
    #[arg(long)]
    bias_adjust: bool,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    level: f64,
    /// Also draw the love plot (standardised mean differences before and after weighting) to
    /// this file (.svg or .png).
    #[arg(long)]
    love: Option<std::path::PathBuf>,
}

/// Runs `phare weighting`.
pub fn run_weighting(args: &WeightingArgs, format: OutputFormat, progress: &Progress) -> Result<()> {
    if args.estimator == "match" {
        return run_matching(args, format, progress);
    }
    let estimator: WeightingEstimator = args.estimator.parse()?;
    let estimand: Estimand = args.estimand.parse()?;
    let (df, label, sha, _) = args.input.load()?;
    progress.say(&format!("read {label}: {} rows × {} columns", df.height(), df.width()));
    let covs: Vec<&str> = args.covariates.iter().map(String::as_str).collect();
    let mut model = Weighting::new(&args.outcome, &args.treatment, &covs).estimator(estimator).estimand(estimand);
    if !args.outcome_covariates.is_empty() {
        let oc: Vec<&str> = args.outcome_covariates.iter().map(String::as_str).collect();
        model = model.outcome_covariates(&oc);
    }
    if args.penalty != 0.0 {
        model = model.penalty(args.penalty);
    }
    if let Some(c) = &args.propensity_column {
        model = model.propensity_column(c);
    }
    match args.trim.as_slice() {
        [] => {}
        [lo, hi] => model = model.trim(*lo, *hi),
        other => {
            return Err(Error::InvalidArgument {
                name: "trim".into(),
                value: format!("{other:?}"),
                reason: "two bounds are needed".into(),
                hint: Some("--trim 0.1,0.9".into()),
            });
        }
    }
    let fit = model.fit(&df)?;
    let (ess1, ess0) = fit.effective_sample_size();
    progress.say(&format!("effective sample sizes: {ess1:.1} treated, {ess0:.1} comparison"));
    love_plot(args, fit.balance(), estimator.name(), progress)?;
    let balance = balance_block(fit.balance());
    let scores = fit.propensity_scores();
    let propensity = serde_json::json!({
        "coefficients": fit.propensity_coefficients().iter().map(|(n, v)| serde_json::json!({"term": n, "estimate": v})).collect::<Vec<_>>(),
        "min": scores.iter().copied().fold(f64::INFINITY, f64::min),
        "max": scores.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        "ess_treated": ess1,
        "ess_control": ess0,
    });
    let input = serde_json::json!({"label": label, "sha256": sha});
    print_estimates(&fit, args.level, format, vec![("input", input), ("propensity", propensity), ("balance", balance)])
}

/// Writes the love plot when asked.
fn love_plot(args: &WeightingArgs, rows: &[Balance], after: &str, progress: &Progress) -> Result<()> {
    if let Some(path) = &args.love {
        let rows = rows.iter().map(|b| BalanceRow::new(b.covariate.clone(), b.smd_before, b.smd_after)).collect();
        let chart = LovePlotChart::new(rows).after_label(after.to_uppercase());
        write_chart(path, chart.svg(), || chart.png())?;
        progress.say(&format!("wrote the love plot to {}", path.display()));
    }
    Ok(())
}

/// The JSON `balance` block.
fn balance_block(rows: &[Balance]) -> serde_json::Value {
    rows.iter()
        .map(|b| {
            serde_json::json!({
                "covariate": b.covariate,
                "mean_treated": b.mean_treated.1,
                "mean_control": b.mean_control.0,
                "mean_control_weighted": b.mean_control.1,
                "smd_before": b.smd_before,
                "smd_after": b.smd_after,
                "variance_ratio_before": b.variance_ratio_before,
                "variance_ratio_after": b.variance_ratio_after,
            })
        })
        .collect()
}

/// `phare weighting --estimator match`.
fn run_matching(args: &WeightingArgs, format: OutputFormat, progress: &Progress) -> Result<()> {
    let estimand = match args.estimand.as_str() {
        "ate" => MatchEstimand::Ate,
        "att" => MatchEstimand::Att,
        "atc" => MatchEstimand::Atc,
        other => return Err(Error::unknown_option("estimand", other, &["ate", "att", "atc"])),
    };
    let metric = match args.metric.as_str() {
        "inverse_variance" => Metric::InverseVariance,
        "mahalanobis" => Metric::Mahalanobis,
        "pscore" => Metric::PropensityScore,
        "linear_pscore" => Metric::LinearPropensityScore,
        other => {
            return Err(Error::unknown_option(
                "metric",
                other,
                &["inverse_variance", "mahalanobis", "pscore", "linear_pscore"],
            ));
        }
    };
    let (df, label, sha, _) = args.input.load()?;
    progress.say(&format!("read {label}: {} rows × {} columns", df.height(), df.width()));
    let mut model = NearestNeighbourMatching::new(&args.outcome, &args.treatment, &args.covariates)
        .estimand(estimand)
        .metric(metric)
        .matches(args.matches)
        .replace(!args.no_replace)
        .bias_adjust(args.bias_adjust);
    if let Some(c) = args.caliper {
        model = model.caliper(c);
    }
    let fit = model.fit(&df)?;
    progress.say(&format!("{} units matched, {} without a match", fit.n_matched(), fit.n_unmatched()));
    // Balance after matching: the matching weights mapped back to the frame's rows.
    let mut w = vec![0.0; df.height()];
    for (&row, &wt) in fit.rows().iter().zip(fit.weights()) {
        w[row] = wt;
    }
    let covs: Vec<&str> = args.covariates.iter().map(String::as_str).collect();
    let rows = balance(&df, &args.treatment, &covs, Some(&w))?;
    love_plot(args, &rows, "matched", progress)?;
    let input = serde_json::json!({"label": label, "sha256": sha});
    print_estimates(&fit, args.level, format, vec![("input", input), ("balance", balance_block(&rows))])
}
