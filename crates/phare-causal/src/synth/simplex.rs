//! Least squares on the simplex, solved exactly by an active-set method: the donor weights of the
//! synthetic control given predictor weights.
//!
//! ```text
//! minimise ‖A w − b‖²   subject to   wⱼ ≥ 0,  Σ wⱼ = 1
//! ```
//!
//! The method is Lawson and Hanson's (1974) NNLS active-set algorithm with the sum constraint kept
//! in every subproblem: on the current support P, the equality-constrained least-squares problem is
//! solved by eliminating one weight (`w_p = 1 − Σ others`) and a Householder QR; a donor joins P
//! while its Lagrange condition `Aⱼᵀr ≤ μ` (r the residual, μ the common value on P) is violated,
//! and leaves P when a step would make its weight negative. It ends at a vertex-type solution
//! exactly satisfying the optimality conditions (to rounding), in a number of steps of the order
//! of the support's size, each costing O(rows · k) — no iterative tolerance to tune. When the
//! optimum is not unique (more donors in the support than rows of A) it returns one optimum; the
//! objective value is what is unique.

use phare_stats::linalg::LeastSquares;

/// Solves the problem for `a` (rows × k, column-major) and `b` (length rows). Returns the weights.
pub(crate) fn simplex_least_squares(a: &[f64], rows: usize, k: usize, b: &[f64]) -> Vec<f64> {
    if k == 0 {
        return Vec::new();
    }
    let col = |j: usize| &a[j * rows..(j + 1) * rows];
    let dot = |p: &[f64], q: &[f64]| p.iter().zip(q).map(|(u, v)| u * v).sum::<f64>();
    // Start at the best single donor.
    let dist = |j: usize| col(j).iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum::<f64>();
    let mut best = 0;
    for j in 1..k {
        if dist(j) < dist(best) {
            best = j;
        }
    }
    let mut w = vec![0.0; k];
    w[best] = 1.0;
    let mut support = vec![best];
    let mut excluded = vec![false; k];
    let scale = (0..k).map(|j| dot(col(j), col(j))).fold(dot(b, b), f64::max).max(f64::MIN_POSITIVE);
    let tol = 1e-11 * scale;
    for _ in 0..(3 * k + 100) {
        let r: Vec<f64> =
            (0..rows).map(|i| b[i] - support.iter().map(|&j| a[j * rows + i] * w[j]).sum::<f64>()).collect();
        let z: Vec<f64> = (0..k).map(|j| dot(col(j), &r)).collect();
        let mu = support.iter().map(|&j| z[j]).sum::<f64>() / support.len() as f64;
        let mut enter = None;
        let mut gain = tol;
        for j in 0..k {
            if w[j] == 0.0 && !excluded[j] && !support.contains(&j) && z[j] - mu > gain {
                gain = z[j] - mu;
                enter = Some(j);
            }
        }
        let Some(j_in) = enter else { break };
        support.push(j_in);
        // Inner loop: move towards the equality-constrained optimum on the support, dropping
        // donors whose weight would turn negative.
        loop {
            let (s, dropped) = constrained_ls(a, rows, &support, b);
            if dropped.contains(&j_in) && support.len() > 1 {
                // The entering donor is a combination of the support: it cannot improve the fit.
                excluded[j_in] = true;
                support.retain(|&j| j != j_in);
                break;
            }
            if s.iter().all(|&v| v > 0.0) {
                for (&j, &v) in support.iter().zip(&s) {
                    w[j] = v;
                }
                break;
            }
            // Largest step from w towards s that keeps every weight non-negative.
            let mut alpha = 1.0;
            for (&j, &v) in support.iter().zip(&s) {
                if v <= 0.0 {
                    let t = w[j] / (w[j] - v);
                    if t < alpha {
                        alpha = t;
                    }
                }
            }
            for (&j, &v) in support.iter().zip(&s) {
                w[j] += alpha * (v - w[j]);
            }
            let before = support.len();
            support.retain(|&j| w[j] > 1e-14);
            for (j, wj) in w.iter_mut().enumerate() {
                if !support.contains(&j) {
                    *wj = 0.0;
                }
            }
            if support.len() == before {
                // Rounding left every weight barely positive: drop the smallest.
                if let Some((pos, _)) = support.iter().enumerate().min_by(|x, y| w[*x.1].total_cmp(&w[*y.1])) {
                    w[support[pos]] = 0.0;
                    support.remove(pos);
                }
            }
            if support.is_empty() {
                // Cannot happen with exact arithmetic; restart from the best vertex.
                w[best] = 1.0;
                support.push(best);
                break;
            }
        }
        let total: f64 = support.iter().map(|&j| w[j]).sum();
        support.iter().for_each(|&j| w[j] /= total);
    }
    w
}

/// Minimises ‖A_P s − b‖ subject to Σ s = 1 over the support P. Returns s (in P's order) and the
/// positions of P whose columns were dropped as collinear (their weight is 0).
fn constrained_ls(a: &[f64], rows: usize, support: &[usize], b: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let p = support[0];
    let ap = &a[p * rows..(p + 1) * rows];
    if support.len() == 1 {
        return (vec![1.0], Vec::new());
    }
    // s_p = 1 − Σ y, A_P s = A_p + Σ (A_j − A_p) y_j.
    let m = support.len() - 1;
    let x: Vec<f64> =
        support[1..].iter().flat_map(|&j| a[j * rows..(j + 1) * rows].iter().zip(ap).map(|(u, v)| u - v)).collect();
    let target: Vec<f64> = b.iter().zip(ap).map(|(u, v)| u - v).collect();
    let ls = LeastSquares::qr(&x, rows, m, &target, None);
    let mut y = vec![0.0; m];
    for (&c, &beta) in ls.kept.iter().zip(&ls.beta) {
        y[c] = beta;
    }
    let mut s = Vec::with_capacity(support.len());
    s.push(1.0 - y.iter().sum::<f64>());
    s.extend(y);
    let dropped = ls.dropped.iter().map(|&c| support[c + 1]).collect();
    (s, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use phare_core::SimRng;

    fn objective(a: &[f64], rows: usize, k: usize, b: &[f64], w: &[f64]) -> f64 {
        (0..rows).map(|i| (0..k).map(|j| a[j * rows + i] * w[j]).sum::<f64>() - b[i]).map(|v| v * v).sum()
    }

    #[test]
    fn optimality_conditions_hold_on_random_problems() {
        let mut r = SimRng::new(17);
        for &(rows, k) in &[(5, 3), (8, 40), (30, 10), (4, 200), (19, 38)] {
            for _ in 0..5 {
                let a: Vec<f64> = (0..rows * k).map(|_| r.normal()).collect();
                let b: Vec<f64> = (0..rows).map(|_| 0.5 * r.normal()).collect();
                let w = simplex_least_squares(&a, rows, k, &b);
                assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
                assert!(w.iter().all(|&v| v >= 0.0));
                // KKT: with r = b − Aw and z = Aᵀr, z_j = μ on the support and ≤ μ elsewhere.
                let res: Vec<f64> =
                    (0..rows).map(|i| b[i] - (0..k).map(|j| a[j * rows + i] * w[j]).sum::<f64>()).collect();
                let z: Vec<f64> = (0..k).map(|j| (0..rows).map(|i| a[j * rows + i] * res[i]).sum()).collect();
                let on: Vec<f64> = (0..k).filter(|&j| w[j] > 0.0).map(|j| z[j]).collect();
                let mu = on.iter().sum::<f64>() / on.len() as f64;
                for (j, &zj) in z.iter().enumerate() {
                    if w[j] > 0.0 {
                        assert!((zj - mu).abs() < 1e-8, "support condition {rows}×{k}");
                    } else {
                        assert!(zj <= mu + 1e-8, "donor {j} would improve the fit ({rows}×{k})");
                    }
                }
                // And no random feasible point does better.
                let f = objective(&a, rows, k, &b, &w);
                for _ in 0..200 {
                    let mut v: Vec<f64> = (0..k).map(|_| -r.uniform().ln()).collect();
                    let s: f64 = v.iter().sum();
                    v.iter_mut().for_each(|x| *x /= s);
                    assert!(objective(&a, rows, k, &b, &v) >= f - 1e-10);
                }
            }
        }
    }

    #[test]
    fn recovers_an_exact_convex_combination() {
        let mut r = SimRng::new(5);
        let (rows, k) = (12, 6);
        let a: Vec<f64> = (0..rows * k).map(|_| r.normal()).collect();
        let b: Vec<f64> = (0..rows).map(|i| 0.2 * a[i] + 0.5 * a[3 * rows + i] + 0.3 * a[5 * rows + i]).collect();
        let w = simplex_least_squares(&a, rows, k, &b);
        let expect = [0.2, 0.0, 0.0, 0.5, 0.0, 0.3];
        for (x, e) in w.iter().zip(expect) {
            assert!((x - e).abs() < 1e-10, "{w:?}");
        }
    }

    #[test]
    fn duplicated_donors_do_not_loop() {
        // Two identical columns: the solver must end (either may carry the weight).
        let a = vec![1.0, 0.0, 1.0, 0.0, 0.0, 1.0];
        let w = simplex_least_squares(&a, 2, 3, &[0.5, 0.5]);
        assert!((w[0] + w[1] - 0.5).abs() < 1e-12 && (w[2] - 0.5).abs() < 1e-12, "{w:?}");
    }
}
