//! `phare rd`: regression discontinuity.

use crate::OutputFormat;
use crate::commands::{InputArgs, Progress, print_estimates, write_chart};
use clap::Args;
use phare_causal::rd::{
    BinSelect, BwSelect, DensityTest, Kernel, MassPoints, RdPlotOptions, RegressionDiscontinuity, Vce,
};
use phare_core::{Estimates, Result};
use phare_report::chart::{BandwidthPoint, BandwidthSensitivityChart, RdBin, RdPlotChart};

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
    /// Neighbours of the nearest-neighbour variance.
    #[arg(long, default_value_t = 3)]
    nnmatch: usize,
    /// Main bandwidth, or `left,right` (default: selected by --bwselect).
    #[arg(long, value_delimiter = ',', num_args = 1..=2)]
    h: Vec<f64>,
    /// Bias bandwidth, or `left,right` (default: h when h is given, else selected).
    #[arg(long, value_delimiter = ',', num_args = 1..=2)]
    b: Vec<f64>,
    /// Data-driven bandwidth selector, used when --h is not given: mserd, msetwo, msesum,
    /// msecomb1, msecomb2, cerrd, certwo, cersum, cercomb1, cercomb2.
    #[arg(long, default_value = "mserd")]
    bwselect: String,
    /// Also run every selector and print their bandwidths (a `bandwidth_selectors` block).
    #[arg(long)]
    all_bandwidths: bool,
    /// Repeated scores in the selectors: adjust (count distinct values), check, off.
    #[arg(long, default_value = "adjust")]
    masspoints: String,
    /// The selectors' regularisation scale (0 switches it off).
    #[arg(long, default_value_t = 1.0)]
    scaleregul: f64,
    /// Widen the selectors' pilot bandwidth to at least this many distinct scores per side.
    #[arg(long)]
    bwcheck: Option<usize>,
    /// Fuzzy designs: select the bandwidths as for the sharp reduced form.
    #[arg(long)]
    sharpbw: bool,
    /// Pre-determined covariates adjusting the local regressions (comma-separated).
    #[arg(long, value_delimiter = ',')]
    covariates: Vec<String>,
    /// Observation weights column.
    #[arg(long)]
    weights: Option<String>,
    /// Cluster column: cluster-robust (CR1) variances.
    #[arg(long)]
    cluster: Option<String>,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    level: f64,
    /// Covariate-balance placebo tests: the same design on each of these pre-determined columns
    /// (comma-separated), printed as a `balance` block.
    #[arg(long, value_delimiter = ',')]
    balance: Vec<String>,
    /// Also draw the RD plot (binned means and global quartic fits) to this file (.svg or .png).
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// Bins of the RD plot per side, `left,right` (or one number for both); default: chosen by
    /// --binselect.
    #[arg(long, value_delimiter = ',', num_args = 1..=2)]
    bins: Vec<usize>,
    /// How the RD plot's bins are chosen from the data (Calonico, Cattaneo and Titiunik 2015):
    /// es, espr, esmv, esmvpr (evenly spaced), qs, qspr, qsmv, qsmvpr (quantile spaced); `mv`
    /// mimics the data's variance, otherwise IMSE-optimal.
    #[arg(long, default_value = "esmv")]
    binselect: String,
    /// Also test the score's density for a jump at the cut-off (Cattaneo, Jansson and Ma: units
    /// sorting themselves across the threshold), printed as a `density` block.
    #[arg(long)]
    density: bool,
    /// Also draw the robust estimate at 0.5, 0.75, 1, 1.25, 1.5 and 2 times the bandwidths to this
    /// file (.svg or .png).
    #[arg(long)]
    sensitivity: Option<std::path::PathBuf>,
}

/// Runs `phare rd`.
pub fn run_rd(args: &RdArgs, format: OutputFormat, progress: &Progress) -> Result<()> {
    let vce = match args.vce.parse::<Vce>()? {
        Vce::Nn(_) => Vce::Nn(args.nnmatch.max(1)),
        v => v,
    };
    let selector = args.bwselect.parse::<BwSelect>()?;
    let (df, label, sha, _) = args.input.load()?;
    progress.say(&format!("read {label}: {} rows × {} columns", df.height(), df.width()));
    let mut model = RegressionDiscontinuity::new(&args.outcome, &args.running)
        .cutoff(args.cutoff)
        .deriv(args.deriv)
        .kernel(args.kernel.parse::<Kernel>()?)
        .vce(vce)
        .bwselect(selector)
        .masspoints(args.masspoints.parse::<MassPoints>()?)
        .scaleregul(args.scaleregul)
        .sharp_bandwidth(args.sharpbw);
    if let Some(k) = args.bwcheck {
        model = model.bwcheck(k);
    }
    if !args.covariates.is_empty() {
        let names: Vec<&str> = args.covariates.iter().map(String::as_str).collect();
        model = model.covariates(&names);
    }
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
    if let Some(path) = &args.plot {
        let options = match args.bins.as_slice() {
            [] => RdPlotOptions::new().binselect(args.binselect.parse::<BinSelect>()?),
            [b] => RdPlotOptions::new().bins(*b, *b),
            [l, r, ..] => RdPlotOptions::new().bins(*l, *r),
        };
        let data = model.plot_with(&df, &options)?;
        progress.say(&format!("RD plot: {} + {} bins", data.n_bins.0, data.n_bins.1));
        let bins: Vec<RdBin> = data
            .bins
            .iter()
            .map(|b| {
                let bin = RdBin::new(b.x, b.y);
                if b.se.is_finite() { bin.interval(b.y - 1.96 * b.se, b.y + 1.96 * b.se) } else { bin }
            })
            .collect();
        let chart = RdPlotChart::new(bins)
            .fits(data.left_fit, data.right_fit)
            .cutoff(args.cutoff)
            .x_label(args.running.clone())
            .y_label(args.outcome.clone());
        write_chart(path, chart.svg(), || chart.png())?;
        progress.say(&format!("wrote the RD plot to {}", path.display()));
    }
    if let Some(path) = &args.sensitivity {
        let (hl, _) = fit.bandwidths();
        let mut points = Vec::new();
        for (f, other) in model.bandwidth_sensitivity(&df, &fit, &[0.5, 0.75, 1.0, 1.25, 1.5, 2.0]) {
            if let Some(row) = other.tidy_at(args.level)?.row("Robust").cloned() {
                points.push(BandwidthPoint::new(hl * f, row.estimate, row.conf_low, row.conf_high));
            }
        }
        let chart = BandwidthSensitivityChart::new(points)
            .chosen(hl)
            .y_label(format!("Effect on {} (robust CI)", args.outcome));
        write_chart(path, chart.svg(), || chart.png())?;
        progress.say(&format!("wrote the bandwidth sensitivity chart to {}", path.display()));
    }
    let ((nl, nr), (nhl, nhr)) = fit.n();
    progress.say(&format!("{nl} + {nr} observations, {nhl} + {nhr} within h"));
    let input = serde_json::json!({"label": label, "sha256": sha});
    let (hl, hr) = fit.bandwidths();
    let (bl, br) = fit.bias_bandwidths();
    let chosen = if args.h.is_empty() { selector.name() } else { "given" };
    let mut bandwidths =
        serde_json::json!({"h_left": hl, "h_right": hr, "b_left": bl, "b_right": br, "selector": chosen});
    if let Some(pilot) = fit.pilot_bandwidth() {
        bandwidths["pilot"] = pilot.into();
    }
    progress.say(&format!("bandwidths ({chosen}): h = {hl:.4}, {hr:.4}; b = {bl:.4}, {br:.4}"));
    let mut blocks = vec![("input", input), ("bandwidths", bandwidths)];
    if !fit.covariate_coefficients().is_empty() {
        let rows: Vec<serde_json::Value> = fit
            .covariate_coefficients()
            .iter()
            .map(|(name, g)| serde_json::json!({"covariate": name, "coefficient": g}))
            .collect();
        blocks.push(("covariates", serde_json::Value::Array(rows)));
    }
    if args.all_bandwidths {
        let rows: Vec<serde_json::Value> = model
            .select_bandwidths(&df, &BwSelect::ALL)?
            .into_iter()
            .map(|(s, bw)| serde_json::json!({"selector": s.name(), "h_left": bw.h.0, "h_right": bw.h.1, "b_left": bw.b.0, "b_right": bw.b.1}))
            .collect();
        blocks.push(("bandwidth_selectors", serde_json::Value::Array(rows)));
    }
    if args.density {
        let d = DensityTest::new(&args.running).cutoff(args.cutoff).fit(&df)?;
        progress.say(&format!(
            "density test: f below {:.4}, above {:.4}, T = {:.3}, p = {:.3}",
            d.f_left(),
            d.f_right(),
            d.t(),
            d.p_value()
        ));
        let (hl, hr) = d.bandwidths();
        blocks.push((
            "density",
            serde_json::json!({"f_left": d.f_left(), "f_right": d.f_right(), "t": d.t(), "p_value": d.p_value(), "h_left": hl, "h_right": hr}),
        ));
    }
    if !args.balance.is_empty() {
        let names: Vec<&str> = args.balance.iter().map(String::as_str).collect();
        let mut rows = Vec::new();
        for (name, f) in model.balance(&df, &names)? {
            let r = f.tidy_at(args.level)?.row("Robust").cloned();
            if let Some(r) = r {
                progress.say(&format!("balance of {name}: robust jump {:.4}, p = {:.3}", r.estimate, r.p_value));
                rows.push(serde_json::json!({"covariate": name, "estimate": r.estimate, "std_error": r.std_error, "p_value": r.p_value, "conf_low": r.conf_low, "conf_high": r.conf_high}));
            }
        }
        blocks.push(("balance", serde_json::Value::Array(rows)));
    }
    print_estimates(&fit, args.level, format, blocks)
}
