//! `phare weighting`: selection on observables (IPW, regression adjustment, AIPW).

use crate::OutputFormat;
use crate::commands::{InputArgs, Progress, print_estimates, write_chart};
use clap::Args;
use phare_causal::weighting::{Estimand, Weighting, WeightingEstimator};
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
    /// aipw (augmented IPW, doubly robust).
    #[arg(long, default_value = "aipw")]
    estimator: String,
    /// Estimand: ate (everyone) or att (the treated).
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
    if let Some(path) = &args.love {
        let rows = fit.balance().iter().map(|b| BalanceRow::new(b.covariate.clone(), b.smd_before, b.smd_after)).collect();
        let chart = LovePlotChart::new(rows).after_label(estimator.name().to_uppercase());
        write_chart(path, chart.svg(), || chart.png())?;
        progress.say(&format!("wrote the love plot to {}", path.display()));
    }
    let balance: Vec<serde_json::Value> = fit
        .balance()
        .iter()
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
        .collect();
    let scores = fit.propensity_scores();
    let propensity = serde_json::json!({
        "coefficients": fit.propensity_coefficients().iter().map(|(n, v)| serde_json::json!({"term": n, "estimate": v})).collect::<Vec<_>>(),
        "min": scores.iter().copied().fold(f64::INFINITY, f64::min),
        "max": scores.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        "ess_treated": ess1,
        "ess_control": ess0,
    });
    let input = serde_json::json!({"label": label, "sha256": sha});
    print_estimates(
        &fit,
        args.level,
        format,
        vec![("input", input), ("propensity", propensity), ("balance", serde_json::Value::Array(balance))],
    )
}
