//! Regularised simplex least squares by Frank–Wolfe, the weight solver of synthetic
//! difference-in-differences (Arkhangelsky et al. 2021, section 2 and Algorithm 1).
//!
//! Given a matrix `Y` (rows × (k + 1)) whose last column is the target `b` and first `k` columns
//! the candidates `A`, find weights `x` on the simplex minimising
//!
//! ```text
//! ζ² ‖x‖² + ‖A x − b‖² / rows          (columns of Y demeaned first when `intercept`)
//! ```
//!
//! The unit weights ω solve it with A = donors' pre-period outcomes (periods as rows), b = the
//! treated average, ζ = ζ_ω; the time weights λ with A = donors' pre-period outcomes (donors as
//! rows), b = their post-period average, ζ = ζ_λ. With `intercept` the fit allows a constant
//! shift, which is what makes synthetic DiD a difference-in-differences.
//!
//! The iteration is the conditional-gradient method with exact line search: move towards the
//! vertex with the smallest gradient coordinate by the step minimising the (quadratic) objective
//! along the segment, clipped to [0, 1]. It stops after `max_iter` steps or when a step decreases
//! the objective by less than `min_decrease²`. The solution it reaches is therefore defined by the
//! algorithm and its tolerances, not only by the optimisation problem; phare follows the
//! reference implementation's choices (start from uniform weights; 100 steps, then
//! [`sparsify`], then up to 10,000 steps with `min_decrease = 1e-5 · noise level`) so that its
//! estimates agree with the published ones to 1e-4 or better.

use super::data::Mat;

/// Frank–Wolfe weights for `y` (rows × (k + 1), last column the target), starting from `start`
/// (uniform when `None`). Returns the weights (length k).
pub(crate) fn fw_weights(
    y: &Mat,
    zeta: f64,
    intercept: bool,
    start: Option<Vec<f64>>,
    min_decrease: f64,
    max_iter: usize,
) -> Vec<f64> {
    let (rows, k) = (y.rows, y.cols - 1);
    if k == 0 {
        return Vec::new();
    }
    // Column-major copies of A and b, demeaned when an intercept is allowed.
    let mut a: Vec<f64> = (0..k).flat_map(|j| (0..rows).map(move |i| (i, j))).map(|(i, j)| y.get(i, j)).collect();
    let mut b: Vec<f64> = (0..rows).map(|i| y.get(i, k)).collect();
    if intercept && rows > 0 {
        for j in 0..k {
            let col = &mut a[j * rows..(j + 1) * rows];
            let mean = col.iter().sum::<f64>() / rows as f64;
            col.iter_mut().for_each(|v| *v -= mean);
        }
        let mean = b.iter().sum::<f64>() / rows as f64;
        b.iter_mut().for_each(|v| *v -= mean);
    }
    let mut x = start.unwrap_or_else(|| vec![1.0 / k as f64; k]);
    let eta = rows as f64 * zeta * zeta;
    let col = |j: usize| &a[j * rows..(j + 1) * rows];
    let dot = |p: &[f64], q: &[f64]| p.iter().zip(q).map(|(u, v)| u * v).sum::<f64>();
    // The state is kept up to date incrementally, so a step costs O(rows + k) instead of a full
    // pass over A: the residual r = Ax − b, Aᵀr, and ‖x‖². The step towards vertex i needs AᵀAᵢ,
    // a column of the Gram matrix, computed the first time vertex i is chosen and kept (the
    // iterations keep returning to the few vertices of the support).
    let mut r: Vec<f64> = b.iter().map(|v| -v).collect();
    for (j, &xj) in x.iter().enumerate() {
        if xj != 0.0 {
            for (o, &aij) in r.iter_mut().zip(col(j)) {
                *o += aij * xj;
            }
        }
    }
    let atb: Vec<f64> = (0..k).map(|j| dot(col(j), &b)).collect();
    let mut atr: Vec<f64> = (0..k).map(|j| dot(col(j), &r)).collect();
    let mut x_norm2 = dot(&x, &x);
    let mut gram: Vec<Option<Vec<f64>>> = vec![None; k];
    let mut ad = vec![0.0; rows];
    let mut prev = f64::NAN;
    let mut last = f64::NAN;
    let threshold = min_decrease * min_decrease;
    for it in 0..max_iter {
        if it >= 2 && (prev - last).partial_cmp(&threshold) != Some(std::cmp::Ordering::Greater) {
            break;
        }
        // Half the gradient, Aᵀ(Ax − b) + η x, and the vertex with its smallest coordinate.
        let mut i = 0;
        let mut g_min = f64::INFINITY;
        let mut g_dot_x = 0.0;
        for j in 0..k {
            let g = atr[j] + eta * x[j];
            g_dot_x += g * x[j];
            if g < g_min {
                g_min = g;
                i = j;
            }
        }
        if x[i] == 1.0 {
            // Already at the vertex: the objective no longer changes.
            prev = last;
            continue;
        }
        // Direction d = eᵢ − x; A d = Aᵢ − Ax = (Aᵢ − b) − r.
        for ((o, &aij), (&bj, &rj)) in ad.iter_mut().zip(col(i)).zip(b.iter().zip(&r)) {
            *o = aij - bj - rj;
        }
        let d_norm2 = x_norm2 - 2.0 * x[i] + 1.0;
        let num = g_dot_x - g_min;
        let den = dot(&ad, &ad) + eta * d_norm2;
        let step = (num / den).clamp(0.0, 1.0);
        let s = if step.is_finite() { step } else { 0.0 };
        let gi = gram[i].get_or_insert_with(|| (0..k).map(|j| dot(col(j), col(i))).collect());
        // x ← (1 − s)x + s eᵢ; r ← r + s·Ad; Aᵀr ← (1 − s)Aᵀr + s(AᵀAᵢ − Aᵀb).
        x_norm2 = (1.0 - s) * (1.0 - s) * x_norm2 + 2.0 * s * (1.0 - s) * x[i] + s * s;
        for (j, xj) in x.iter_mut().enumerate() {
            *xj *= 1.0 - s;
            atr[j] = (1.0 - s) * atr[j] + s * (gi[j] - atb[j]);
        }
        x[i] += s;
        for (rj, adj) in r.iter_mut().zip(&ad) {
            *rj += s * adj;
        }
        let val = zeta * zeta * x_norm2 + dot(&r, &r) / rows as f64;
        prev = last;
        last = val;
    }
    x
}

/// Zeroes weights at or below a quarter of the largest and rescales the rest to sum to one (the
/// reference implementation's step between the short and the long Frank–Wolfe runs: it drops
/// donors that only contribute noise).
pub(crate) fn sparsify(w: &[f64]) -> Vec<f64> {
    let max = w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let kept: Vec<f64> = w.iter().map(|&v| if v <= max / 4.0 { 0.0 } else { v }).collect();
    sum_normalize(&kept)
}

/// `w / Σw`, or uniform weights when they sum to zero.
pub(crate) fn sum_normalize(w: &[f64]) -> Vec<f64> {
    let s: f64 = w.iter().sum();
    if s != 0.0 { w.iter().map(|v| v / s).collect() } else { vec![1.0 / w.len().max(1) as f64; w.len()] }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phare_core::SimRng;

    /// Objective of the weights problem.
    fn objective(y: &Mat, zeta: f64, intercept: bool, x: &[f64]) -> f64 {
        let k = y.cols - 1;
        let mut res: Vec<f64> =
            (0..y.rows).map(|i| (0..k).map(|j| y.get(i, j) * x[j]).sum::<f64>() - y.get(i, k)).collect();
        if intercept {
            let m = res.iter().sum::<f64>() / res.len() as f64;
            res.iter_mut().for_each(|v| *v -= m);
        }
        zeta * zeta * x.iter().map(|v| v * v).sum::<f64>() + res.iter().map(|v| v * v).sum::<f64>() / y.rows as f64
    }

    #[test]
    fn converges_to_a_simplex_optimum() {
        // At the optimum no vertex direction decreases the objective (first-order condition on the
        // simplex), checked numerically on random data.
        let mut r = SimRng::new(3);
        for &(rows, k, intercept) in &[(20, 8, true), (12, 30, false), (40, 5, true)] {
            let y = Mat::new(rows, k + 1, (0..rows * (k + 1)).map(|_| r.normal()).collect());
            let x = fw_weights(&y, 0.1, intercept, None, 1e-12, 200_000);
            assert!((x.iter().sum::<f64>() - 1.0).abs() < 1e-12 && x.iter().all(|&v| v >= 0.0));
            let f0 = objective(&y, 0.1, intercept, &x);
            for i in 0..k {
                for t in [1e-4, 1e-3] {
                    let z: Vec<f64> =
                        x.iter().enumerate().map(|(j, v)| (1.0 - t) * v + if j == i { t } else { 0.0 }).collect();
                    assert!(objective(&y, 0.1, intercept, &z) >= f0 - 1e-9, "vertex {i} improves");
                }
            }
        }
    }

    #[test]
    fn exact_fit_is_found() {
        // b is exactly 0.3 A₀ + 0.7 A₂: with a tiny penalty the weights recover the mixture.
        let mut r = SimRng::new(9);
        let rows = 30;
        let a: Vec<Vec<f64>> = (0..4).map(|_| (0..rows).map(|_| r.normal()).collect()).collect();
        let v: Vec<f64> = (0..rows)
            .flat_map(|i| {
                let b = 0.3 * a[0][i] + 0.7 * a[2][i];
                [a[0][i], a[1][i], a[2][i], a[3][i], b]
            })
            .collect();
        let x = fw_weights(&Mat::new(rows, 5, v), 1e-8, false, None, 1e-14, 1_000_000);
        assert!((x[0] - 0.3).abs() < 1e-3 && (x[2] - 0.7).abs() < 1e-3, "{x:?}");
    }

    #[test]
    fn sparsify_and_normalize() {
        assert_eq!(sparsify(&[0.5, 0.1, 0.4]), vec![0.5 / 0.9, 0.0, 0.4 / 0.9]);
        assert_eq!(sum_normalize(&[0.0, 0.0]), vec![0.5, 0.5]);
    }
}
