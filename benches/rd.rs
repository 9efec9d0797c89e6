//! Bench: the regression-discontinuity estimator's default call — MSE-optimal common bandwidth
//! (`mserd`), local linear fit with a triangular kernel, bias correction and robust inference with
//! nearest-neighbour variances (the equivalent of `rdrobust(y, x)`) — on the Senate data
//! (`datasets/gpl/rdrobust_senate.csv`, `vote` on `margin`, read from disk at run time: it is GPL
//! data and never compiled in) or on a CSV with columns `x` and `y`. Used by
//! `benches/compare/rd.sh` for the side-by-side with rdrobust 2.1.1 (PyPI, GPL, called only as a
//! black box).
//!
//! ```text
//! cargo bench --profile dev --bench rd -- --senate [--repeat 5]
//! cargo bench --profile dev --bench rd -- --read sim.csv [--case sim1e4] [--repeat 5] [--steps]
//! ```
//!
//! The simulated CSVs are written by `benches/compare/rd_peers.py write N PATH` with the design
//! of `crates/phare-causal/tests/reference/rd_generate.py` (`simulate(n, seed = 20261129 + n)`,
//! SIMULATED: `x ~ U[−1, 1]` rounded to 6 decimals,
//! `y = 1 + 0.8x − 0.5x² + 0.3x³ + 0.5z + 0.5·1{x ≥ 0} + e`, `z ~ N(0, 1)`, `e ~ N(0, 0.5²)`, y
//! rounded to 6 decimals; true jump 0.5), so both tools
//! read identical numbers: the line ends with a fingerprint of the x and y columns as read
//! (`Σᵢ bits(vᵢ)·(2i + 1) mod 2⁶⁴` over the file order, missing values as 0.0) that the Python side
//! computes too.
//!
//! Prints
//! `phare,case,n,best_s,median_s,first_s,peak_rss_mib,est_cl,se_cl,est_rb,se_rb,h_left,h_right,b_left,b_right,fp_x,fp_y`:
//! times over `--repeat` fits in this process (reading excluded), `first_s` the first fit's;
//! `est_cl`/`se_cl` the conventional estimate and standard error, `est_rb`/`se_rb` the robust
//! bias-corrected ones; estimates, standard errors and bandwidths are printed in full (the
//! shortest representation that reads back to the same double).
//!
//! `--steps` adds `#`-lines with a rough breakdown, each timed on its own (median of `--repeat`):
//! the matrix extraction (`DesignMatrix::from_frame`) and an index sort by x (what the fit's
//! preparation does), the selector's pilot bandwidth and the share of observations inside it
//! (cut-off 0), the bandwidth selection alone (`select_bandwidths(mserd)`, preparation
//! included), the estimation at the selected bandwidths (`fit` with `h` and `b` given, preparation
//! included), the estimation with every observation inside the window (`h = b =` the largest
//! |x − c|: the size of the selector's global pilot fits), and all ten selectors
//! (`select_bandwidths(ALL)`).

use phare_causal::rd::{BwSelect, RegressionDiscontinuity};
use phare_data::matrix::{DesignMatrix, MissingPolicy};
use phare_data::polars::prelude::*;
use std::path::Path;
use std::time::Instant;

#[path = "common/mod.rs"]
mod common;
use common::{arg, peak_rss_mib};

/// `Σᵢ bits(vᵢ)·(2i + 1) mod 2⁶⁴` over the column in row order, missing values counted as 0.0.
fn fingerprint(df: &DataFrame, name: &str) -> u64 {
    let col = df.column(name).expect("column").cast(&DataType::Float64).expect("numeric column");
    let ca = col.f64().expect("f64");
    ca.iter().enumerate().fold(0u64, |acc, (i, v)| {
        let v = v.filter(|v| !v.is_nan()).unwrap_or(0.0);
        acc.wrapping_add(v.to_bits().wrapping_mul(2 * i as u64 + 1))
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs `f` `repeat` times; returns every wall time and the last result.
fn timed<T>(repeat: usize, mut f: impl FnMut() -> T) -> (Vec<f64>, T) {
    let mut times = Vec::with_capacity(repeat);
    let mut last = None;
    for _ in 0..repeat {
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed().as_secs_f64());
        last = Some(out);
    }
    (times, last.expect("at least one run"))
}

fn main() {
    let repeat: usize = arg("--repeat").and_then(|r| r.parse().ok()).unwrap_or(1).max(1);
    let senate = std::env::args().any(|a| a == "--senate");
    let steps = std::env::args().any(|a| a == "--steps");
    let (path, y, x, case) = if senate {
        let root = env!("CARGO_MANIFEST_DIR");
        (format!("{root}/datasets/gpl/rdrobust_senate.csv"), "vote", "margin", "senate".to_string())
    } else {
        let path = arg("--read").expect("--senate or --read FILE.csv (columns x, y)");
        let case = arg("--case").unwrap_or_else(|| "csv".into());
        (path, "y", "x", case)
    };
    let df = phare_data::read(Path::new(&path), &phare_data::ReadOptions::default()).expect("read csv").0;
    let (fp_x, fp_y) = (fingerprint(&df, x), fingerprint(&df, y));

    let model = RegressionDiscontinuity::new(y, x);
    let (times, fit) = timed(repeat, || model.fit(&df).expect("rd fit"));
    let first = times[0];
    let best = times.iter().copied().fold(f64::INFINITY, f64::min);
    let med = median(times);
    let ((nl, nr), _) = fit.n();
    let (h, b) = (fit.bandwidths(), fit.bias_bandwidths());
    let robust = fit.bias_corrected();
    println!(
        "phare,{case},{},{best:.4},{med:.4},{first:.4},{:.0},{:?},{:?},{:?},{:?},{:?},{:?},{:?},{:?},{fp_x},{fp_y}",
        nl + nr,
        peak_rss_mib(),
        fit.estimate(),
        fit.std_error(),
        robust,
        fit.robust_std_error(),
        h.0,
        h.1,
        b.0,
        b.1
    );

    if steps {
        let (t, _) = timed(repeat, || {
            let m = DesignMatrix::from_frame(&df, &[y, x], MissingPolicy::Drop).expect("matrix");
            let xs = m.column(1);
            let mut idx: Vec<usize> = (0..m.nrows()).collect();
            idx.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
            idx.len()
        });
        println!("# step {case} matrix+sort: {:.4} s", median(t));
        if let Some(c) = fit.pilot_bandwidth() {
            let m = DesignMatrix::from_frame(&df, &[y, x], MissingPolicy::Drop).expect("matrix");
            let inside = m.column(1).iter().filter(|v| v.abs() < c).count();
            println!(
                "# step {case} pilot bandwidth {c:.6}: {inside} of {} observations ({:.1} %) inside",
                m.nrows(),
                100.0 * inside as f64 / m.nrows() as f64
            );
        }
        let (t, _) = timed(repeat, || model.select_bandwidths(&df, &[BwSelect::MseRd]).expect("select"));
        println!("# step {case} select_bandwidths(mserd): {:.4} s", median(t));
        let fixed = model.clone().bandwidths(h.0, h.1).bias_bandwidths(b.0, b.1);
        let (t, f2) = timed(repeat, || fixed.fit(&df).expect("fit at given h"));
        println!(
            "# step {case} fit at the selected h, b: {:.4} s (same estimate: {})",
            median(t),
            f2.estimate() == fit.estimate()
        );
        // Every observation inside the window: the cost of one whole-sample local fit, the size of
        // the selector's global pilot fits.
        let m = DesignMatrix::from_frame(&df, &[y, x], MissingPolicy::Drop).expect("matrix");
        let wide = m.column(1).iter().fold(0.0f64, |a, v| a.max(v.abs())) * (1.0 + 1e-9);
        let whole = model.clone().bandwidth(wide).bias_bandwidth(wide);
        let (t, _) = timed(repeat, || whole.fit(&df).expect("fit at the whole range"));
        println!("# step {case} fit at h = b = the whole range ({wide:.4}): {:.4} s", median(t));
        let (t, _) = timed(repeat, || model.select_bandwidths(&df, &BwSelect::ALL).expect("select all"));
        println!("# step {case} select_bandwidths(ALL): {:.4} s", median(t));
        println!("# step {case} peak_rss_mib after steps: {:.0}", peak_rss_mib());
    }
}
