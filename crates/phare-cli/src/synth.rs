//! `phare synth`: synthetic control, augmented synthetic control, synthetic DiD and DiD.

use crate::OutputFormat;
use crate::commands::{InputArgs, Progress, print_estimates};
use clap::Args;
use phare_causal::synth::{
    Assignment, Predictor, PredictorWeights, SdidMethod, SdidVariance, SyntheticControl, SyntheticDid,
};
use phare_core::{Error, Result, Seed};

/// `phare synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
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
    /// The treated unit(s), as written in the unit column (comma-separated for several).
    #[arg(long, value_delimiter = ',', requires = "treat_start", required_unless_present = "treatment")]
    treated: Vec<String>,
    /// The first treated period.
    #[arg(long)]
    treat_start: Option<i64>,
    /// Instead of --treated: a 0/1 treatment column (staggered adoption with --method sdid or did).
    #[arg(long, conflicts_with = "treated")]
    treatment: Option<String>,
    /// sc (Abadie–Diamond–Hainmueller), ascm (ridge-augmented), sdid (synthetic DiD), did, or
    /// sc-sdid (synthetic control inside the synthetic-DiD framework, as in Arkhangelsky et al.'s
    /// Table 1).
    #[arg(long, default_value = "sdid")]
    method: String,
    /// sc and ascm: predictors, comma-separated, each `column`, `column@1975` or
    /// `column@1980-1988` (mean over the periods; no period: every pre-treatment period).
    /// Default: every pre-treatment outcome.
    #[arg(long, value_delimiter = ',')]
    predictors: Vec<String>,
    /// sc and ascm: how predictor weights are chosen: optimized, regression or equal.
    #[arg(long)]
    predictor_weights: Option<String>,
    /// ascm: the ridge penalty (default: cross-validated).
    #[arg(long)]
    ridge_lambda: Option<f64>,
    /// Standard error: placebo, bootstrap, jackknife (sdid, did, sc-sdid) or none. For sc and
    /// ascm, placebo runs the placebo-in-space permutation test.
    #[arg(long, default_value = "placebo")]
    se: String,
    /// Placebo and bootstrap replications (sdid, did, sc-sdid).
    #[arg(long, default_value_t = 200)]
    replications: usize,
    /// Seed of the placebo and bootstrap draws (recorded in the output).
    #[arg(long, default_value_t = Seed::DEFAULT.0)]
    seed: u64,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    level: f64,
}

impl SynthArgs {
    fn assignment(&self) -> Assignment {
        match (&self.treatment, self.treat_start) {
            (Some(c), _) => Assignment::Column(c.clone()),
            (None, start) => Assignment::Units { units: self.treated.clone(), start: start.unwrap_or(i64::MIN) },
        }
    }
}

/// Runs `phare synth`.
pub fn run_synth(args: &SynthArgs, format: OutputFormat, progress: &Progress) -> Result<()> {
    let (df, label, sha, _) = args.input.load()?;
    progress.say(&format!("read {label}: {} rows × {} columns", df.height(), df.width()));
    let input = serde_json::json!({"label": label, "sha256": sha});
    let method = args.method.to_ascii_lowercase();
    let known = ["sc", "ascm", "sdid", "did", "sc-sdid"];
    let variance: SdidVariance = args.se.parse()?;
    let adh = matches!(method.as_str(), "sc" | "ascm");
    for (flag, set) in [
        ("--predictors", !args.predictors.is_empty()),
        ("--predictor-weights", args.predictor_weights.is_some()),
        ("--ridge-lambda", args.ridge_lambda.is_some()),
    ] {
        if set && !adh && known.contains(&method.as_str()) {
            return Err(Error::InvalidArgument {
                name: flag.trim_start_matches("--").into(),
                value: flag.into(),
                reason: format!("{flag} applies to --method sc and ascm only"),
                hint: Some("drop the flag or use --method sc".into()),
            });
        }
    }
    let settings = serde_json::json!({
        "method": method, "se": variance.name(), "replications": args.replications, "seed": args.seed,
    });
    if adh {
        if matches!(variance, SdidVariance::Bootstrap | SdidVariance::Jackknife) {
            return Err(Error::InvalidArgument {
                name: "se".into(),
                value: args.se.clone(),
                reason: "the synthetic control's inference is the placebo-in-space test (--se placebo) or none".into(),
                hint: Some("use --se placebo, or --method sdid for bootstrap and jackknife".into()),
            });
        }
        let predictors = args.predictors.iter().map(|p| Predictor::parse(p)).collect::<Result<Vec<_>>>()?;
        let mut model = SyntheticControl::new(&args.outcome, &args.unit, &args.time)
            .assignment(args.assignment())
            .predictors(predictors)
            .placebo(variance == SdidVariance::Placebo);
        if let Some(v) = &args.predictor_weights {
            model = model.predictor_weights(match v.as_str() {
                "optimized" => PredictorWeights::Optimized,
                "regression" => PredictorWeights::Regression,
                "equal" => PredictorWeights::Equal,
                other => {
                    return Err(Error::unknown_option(
                        "predictor-weights",
                        other,
                        &["optimized", "regression", "equal"],
                    ));
                }
            });
        }
        if method == "ascm" {
            model = model.augmented(args.ridge_lambda);
        }
        let fit = model.fit(&df)?;
        progress.say(&format!("fitted the synthetic control from {} donors", fit.weights().len()));
        let weights: Vec<_> =
            fit.weights().into_iter().map(|(u, w)| serde_json::json!({"unit": u, "weight": w})).collect();
        let v: Vec<_> =
            fit.predictor_weights().iter().map(|(p, w)| serde_json::json!({"predictor": p, "weight": w})).collect();
        let paths: Vec<_> = fit
            .treated_path()
            .iter()
            .zip(fit.synthetic_path())
            .map(|((p, a), (_, b))| serde_json::json!({"period": p, "treated": a, "synthetic": b, "gap": a - b}))
            .collect();
        let mut blocks = vec![
            ("input", input),
            ("settings", settings),
            ("weights", serde_json::Value::Array(weights)),
            ("predictor_weights", serde_json::Value::Array(v)),
            ("paths", serde_json::Value::Array(paths)),
        ];
        if let Some(p) = fit.placebo_test() {
            let units: Vec<_> = p
                .units
                .iter()
                .map(|u| serde_json::json!({"unit": u.unit, "pre_rmspe": u.pre_rmspe, "post_rmspe": u.post_rmspe, "ratio": u.ratio, "att": u.att}))
                .collect();
            blocks.push((
                "placebo",
                serde_json::json!({
                    "p_value": p.p_value, "treated_ratio": p.treated_ratio, "treated_pre_rmspe": p.treated_pre_rmspe,
                    "std_error": p.std_error, "units": units,
                }),
            ));
        }
        return print_estimates(&fit, args.level, format, blocks);
    }
    let m: SdidMethod = match method.as_str() {
        "sc-sdid" => SdidMethod::Sc,
        other => other.parse().map_err(|_| Error::unknown_option("method", other, &known))?,
    };
    let fit = SyntheticDid::new(&args.outcome, &args.unit, &args.time)
        .assignment(args.assignment())
        .method(m)
        .variance(variance)
        .replications(args.replications)
        .seed(Seed(args.seed))
        .fit(&df)?;
    progress.say(&format!("estimated {} with {} donors", m.label(), fit.donors().len()));
    let weights: Vec<_> =
        fit.unit_weights().into_iter().map(|(u, w)| serde_json::json!({"unit": u, "weight": w})).collect();
    let time_weights: Vec<_> =
        fit.time_weights().into_iter().map(|(p, w)| serde_json::json!({"period": p, "weight": w})).collect();
    let mut blocks = vec![
        ("input", input),
        ("settings", settings),
        ("weights", serde_json::Value::Array(weights)),
        ("time_weights", serde_json::Value::Array(time_weights)),
    ];
    if fit.cohorts().len() > 1 {
        blocks.push(("cohorts", serde_json::to_value(fit.cohorts()).unwrap_or_default()));
    }
    print_estimates(&fit, args.level, format, blocks)
}
