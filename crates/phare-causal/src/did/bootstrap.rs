//! The multiplier bootstrap of influence functions (Callaway and Sant'Anna 2021, section 4):
//! each draw multiplies every unit's (or cluster's) influence-function value by an independent
//! Rademacher weight (±1 with probability ½) and records the resulting perturbation of every
//! estimate at once, so simultaneous (sup-t) bands come from the same draws.
//!
//! Draw `b` uses its own random stream `seed.replicate(b)`, and draws are computed in parallel
//! but collected in order: results are identical whatever the number of threads.

use phare_core::{Seed, SimRng};
use rayon::prelude::*;

/// Bootstrap standard errors and the uniform critical value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BootstrapResult {
    /// Per estimate: the interquartile range of its draws divided by that of the standard normal
    /// (a scale estimate robust to the heavy tails that few treated units produce); `NaN` for an
    /// estimate with no variation (a reference cell).
    pub se: Vec<f64>,
    /// The `level` quantile over draws of `max_k |draw_k| / se_k`, floored at the pointwise
    /// normal critical value: intervals `estimate ± crit · se` cover all estimates jointly.
    pub crit: f64,
}

/// Runs `draws` multiplier-bootstrap draws over the influence functions `infs` (each of length
/// n, the number of units; the estimates' standard errors are `√(Σψ²)/n`). With `clusters`
/// (cluster id per unit, `n_clusters` levels) the weights are drawn per cluster.
pub(crate) fn multiplier_bootstrap(
    infs: &[&[f64]],
    draws: usize,
    seed: Seed,
    clusters: Option<(&[u32], usize)>,
    level: f64,
) -> BootstrapResult {
    let n = infs.first().map_or(0, |v| v.len());
    // Sum influence functions within clusters (each unit is its own cluster by default).
    let summed: Vec<Vec<f64>> = match clusters {
        Some((ids, m)) => infs
            .iter()
            .map(|inf| {
                let mut s = vec![0.0; m];
                inf.iter().zip(ids).for_each(|(v, &c)| s[c as usize] += v);
                s
            })
            .collect(),
        None => infs.iter().map(|v| v.to_vec()).collect(),
    };
    let m = summed.first().map_or(0, Vec::len);
    let nf = n as f64;
    // Draws in blocks of BLOCK: one pass over the influence functions serves a whole block (the
    // matrix product IF · V with V the block's weights), instead of one pass per draw. Each draw
    // still has its own stream, so blocking and threads do not change any result.
    const BLOCK: usize = 32;
    let k = summed.len();
    // Unit-major copy (x[i * k + j]): each block streams the influence functions and its weights
    // once, accumulating a k × width outer product that stays in cache. The sums run over units in
    // the same order as a plain dot product, so results are the same bit for bit.
    let x: Vec<f64> = (0..m).flat_map(|i| summed.iter().map(move |s| s[i])).collect();
    let results: Vec<Vec<f64>> = (0..draws.div_ceil(BLOCK))
        .into_par_iter()
        .flat_map_iter(|block| {
            let first = block * BLOCK;
            let width = BLOCK.min(draws - first);
            // v[i * width + d]: weight of unit (cluster) i in draw first + d.
            let mut v = vec![0.0; m * width];
            for d in 0..width {
                let mut rng = SimRng::new(seed.replicate((first + d) as u64));
                for i in 0..m {
                    v[i * width + d] = if rng.next_u64() >> 63 == 1 { 1.0 } else { -1.0 };
                }
            }
            // acc[j * width + d] = Σᵢ x[i][j] · v[i][d].
            let mut acc = vec![0.0; k * width];
            for i in 0..m {
                let row = &v[i * width..(i + 1) * width];
                for (j, xij) in x[i * k..(i + 1) * k].iter().enumerate() {
                    acc[j * width..(j + 1) * width].iter_mut().zip(row).for_each(|(a, w)| *a += xij * w);
                }
            }
            (0..width).map(move |d| (0..k).map(|j| acc[j * width + d] / nf).collect::<Vec<f64>>()).collect::<Vec<_>>()
        })
        .collect();
    let iqr_normal = 2.0 * 0.674_489_750_196_081_7;
    let se: Vec<f64> = (0..k)
        .map(|j| {
            let mut col: Vec<f64> = results.iter().map(|r| r[j]).collect();
            col.sort_by(f64::total_cmp);
            let s = (quantile(&col, 0.75) - quantile(&col, 0.25)) / iqr_normal;
            if s > 0.0 { s } else { f64::NAN }
        })
        .collect();
    let mut sup: Vec<f64> = results
        .iter()
        .map(|r| r.iter().zip(&se).filter(|(_, s)| s.is_finite()).map(|(d, s)| (d / s).abs()).fold(0.0f64, f64::max))
        .collect();
    sup.sort_by(f64::total_cmp);
    let pointwise =
        statrs::distribution::ContinuousCDF::inverse_cdf(&statrs::distribution::Normal::standard(), 0.5 + level / 2.0);
    let crit = if sup.is_empty() { pointwise } else { quantile(&sup, level).max(pointwise) };
    BootstrapResult { se, crit }
}

/// The `q` quantile of sorted values by inverting the empirical distribution function (the
/// smallest value with at least a share `q` of values at or below it; numpy's `inverted_cdf`).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let i = ((q * n as f64).ceil() as usize).clamp(1, n);
    sorted[i - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_errors_approach_the_analytic_ones_with_many_units() {
        // With many units of similar size, the perturbation is nearly normal: IQR-based bootstrap
        // SE ≈ analytic SE √(Σψ²)/n.
        let mut rng = SimRng::new(5);
        let n = 2000;
        let inf: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let analytic = inf.iter().map(|v| v * v).sum::<f64>().sqrt() / n as f64;
        let b = multiplier_bootstrap(&[&inf], 4000, Seed(1), None, 0.95);
        assert!((b.se[0] / analytic - 1.0).abs() < 0.05, "{} vs {analytic}", b.se[0]);
        // One estimate: the sup-t value is the pointwise one (up to Monte Carlo error).
        assert!((b.crit - 1.96).abs() < 0.1, "{}", b.crit);
    }

    #[test]
    fn same_seed_same_result_and_the_quantile_inverts_the_cdf() {
        let inf: Vec<f64> = (0..50).map(|i| (i as f64).sin()).collect();
        let a = multiplier_bootstrap(&[&inf, &inf[..]], 300, Seed(9), None, 0.95);
        let b = multiplier_bootstrap(&[&inf, &inf[..]], 300, Seed(9), None, 0.95);
        assert_eq!(a, b);
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.0);
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.51), 3.0);
    }
}
