//! `phare rd`: regression discontinuity.

use crate::OutputFormat;
use crate::commands::{InputArgs, Progress, print_estimates};
use clap::Args;
use phare_causal::rd::{Kernel, RegressionDiscontinuity, Vce};
use phare_core::{Error, Result};

/// `phare rd`.
#[derive(Debug, Args)]
pub struct RdArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The outcome column.
    #[arg(long)]
    outcome: String,
    /// The running variable (score) column.
    #[arg(long)]
    running: String,
    /// The cut-off; observations at or above it are on the treated side.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    cutoff: f64,
    /// Fuzzy design: the treatment take-up column.
    #[arg(long)]
    fuzzy: Option<String>,
    /// Derivative estimated: 0 (jump) or 1 (kink).
    #[arg(long, default_value_t = 0)]
    deriv: usize,
    /// Polynomial order (default 1; 2 for a kink).
    #[arg(long)]
    p: Option<usize>,
    /// Order of the bias-correction polynomial (default p + 1).
    #[arg(long)]
    q: Option<usize>,
    /// Kernel: triangular, epanechnikov or uniform.
    #[arg(long, default_value = "triangular")]
    kernel: String,
    /// Variance: nn (nearest neighbours), hc0, hc1, hc2, hc3.
    #[arg(long, default_value = "nn")]
    vce: String,
    /// Main bandwidth, or `left,right`.
    #[arg(long, value_delimiter = ',', num_args = 1..=2)]
    h: Vec<f64>,
    /// Bias bandwidth, or `left,right` (default: h).
    #[arg(long, value_delimiter = ',', num_args = 1..=2)]
    b: Vec<f64>,
    /// Data-driven bandwidth selector (mserd, msetwo, cerrd, …): not implemented yet.
    #[arg(long)]
    bwselect: Option<String>,
    /// Observation weights column.
    #[arg(long)]
    weights: Option<String>,
    /// Cluster column: cluster-robust (CR1) variances.
    #[arg(long)]
    cluster: Option<String>,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    level: f64,
}

/// Runs `phare rd`.
pub fn run_rd(args: &RdArgs, format: OutputFormat, progress: &Progress) -> Result<()> {
    if let Some(s) = &args.bwselect {
        return Err(Error::InvalidArgument {
            name: "bwselect".into(),
            value: s.clone(),
            reason: "phare does not select RD bandwidths automatically yet".into(),
            hint: Some("give the bandwidth with --h (and --b), e.g. one chosen with rdrobust's rdbwselect".into()),
        });
    }
    let (df, label, sha, _) = args.input.load()?;
    progress.say(&format!("read {label}: {} rows × {} columns", df.height(), df.width()));
    let mut model = RegressionDiscontinuity::new(&args.outcome, &args.running)
        .cutoff(args.cutoff)
        .deriv(args.deriv)
        .kernel(args.kernel.parse::<Kernel>()?)
        .vce(args.vce.parse::<Vce>()?);
    if let Some(d) = &args.fuzzy {
        model = model.fuzzy(d);
    }
    if let Some(w) = &args.weights {
        model = model.weights(w);
    }
    if let Some(g) = &args.cluster {
        model = model.cluster(g);
    }
    if let Some(p) = args.p {
        model = model.order(p);
    }
    if let Some(q) = args.q {
        model = model.bias_order(q);
    }
    match args.h.as_slice() {
        [] => {}
        [h] => model = model.bandwidth(*h),
        [l, r, ..] => model = model.bandwidths(*l, *r),
    }
    match args.b.as_slice() {
        [] => {}
        [b] => model = model.bias_bandwidth(*b),
        [l, r, ..] => model = model.bias_bandwidths(*l, *r),
    }
    let fit = model.fit(&df)?;
    let ((nl, nr), (nhl, nhr)) = fit.n();
    progress.say(&format!("{nl} + {nr} observations, {nhl} + {nhr} within h"));
    let input = serde_json::json!({"label": label, "sha256": sha});
    let (hl, hr) = fit.bandwidths();
    let (bl, br) = fit.bias_bandwidths();
    let bandwidths = serde_json::json!({"h_left": hl, "h_right": hr, "b_left": bl, "b_right": br, "selector": "given"});
    print_estimates(&fit, args.level, format, vec![("input", input), ("bandwidths", bandwidths)])
}
