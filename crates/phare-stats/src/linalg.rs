//! Small dense linear algebra for least squares.
//!
//! Regression systems here are k × k with k the number of slope coefficients (fixed effects are
//! absorbed, not estimated), so a careful Cholesky factorisation of XᵀWX is both exact enough and
//! fast. It doubles as collinearity detection: a column whose remaining pivot is below a relative
//! tolerance of its own squared norm is linearly dependent on the columns before it, and is dropped
//! (and reported by the caller), as fixest does.

/// Relative pivot tolerance under which a column counts as collinear with earlier ones.
pub const COLLINEARITY_TOL: f64 = 1e-10;

/// `XᵀWX` (k × k, column-major) for `x` with `k` columns of length `n`, column-major; `w` optional.
pub fn crossprod(x: &[f64], n: usize, k: usize, w: Option<&[f64]>) -> Vec<f64> {
    let mut out = vec![0.0; k * k];
    for a in 0..k {
        let xa = &x[a * n..(a + 1) * n];
        for b in 0..=a {
            let xb = &x[b * n..(b + 1) * n];
            let v: f64 = match w {
                Some(w) => xa.iter().zip(xb).zip(w).map(|((p, q), w)| p * q * w).sum(),
                None => xa.iter().zip(xb).map(|(p, q)| p * q).sum(),
            };
            out[a * k + b] = v;
            out[b * k + a] = v;
        }
    }
    out
}

/// `XᵀWy`.
pub fn crossprod_vec(x: &[f64], n: usize, k: usize, y: &[f64], w: Option<&[f64]>) -> Vec<f64> {
    (0..k)
        .map(|a| {
            let xa = &x[a * n..(a + 1) * n];
            match w {
                Some(w) => xa.iter().zip(y).zip(w).map(|((p, q), w)| p * q * w).sum(),
                None => xa.iter().zip(y).map(|(p, q)| p * q).sum(),
            }
        })
        .collect()
}

/// The Cholesky factor `L` (lower, row-major k × k) of a symmetric positive semi-definite matrix,
/// built column by column; columns whose pivot falls below `COLLINEARITY_TOL` × their diagonal are
/// skipped and listed in `dropped`. `L` then factors the submatrix of the `kept` columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Cholesky {
    /// Lower-triangular factor over the kept columns, row-major, `kept.len()²` values.
    pub l: Vec<f64>,
    /// Indices of the columns kept, in order.
    pub kept: Vec<usize>,
    /// Indices of the columns dropped as collinear.
    pub dropped: Vec<usize>,
}

impl Cholesky {
    /// Factors `a` (k × k, symmetric).
    pub fn new(a: &[f64], k: usize) -> Cholesky {
        let mut kept: Vec<usize> = Vec::with_capacity(k);
        let mut dropped = Vec::new();
        // Rows of L for the kept columns, grown as columns are accepted.
        let mut rows: Vec<Vec<f64>> = Vec::with_capacity(k);
        for j in 0..k {
            let m = kept.len();
            // Solve L[..m,..m] · r = a[kept, j].
            let mut r = vec![0.0; m];
            for i in 0..m {
                let mut s = a[kept[i] * k + j];
                for p in 0..i {
                    s -= rows[i][p] * r[p];
                }
                r[i] = s / rows[i][i];
            }
            let diag = a[j * k + j];
            let pivot = diag - r.iter().map(|v| v * v).sum::<f64>();
            // NaN pivots (from NaN inputs) count as collinear too.
            let acceptable = pivot > COLLINEARITY_TOL * diag.abs().max(f64::MIN_POSITIVE);
            if !acceptable {
                dropped.push(j);
                continue;
            }
            r.push(pivot.sqrt());
            rows.push(r);
            kept.push(j);
        }
        let m = kept.len();
        let mut l = vec![0.0; m * m];
        for (i, row) in rows.iter().enumerate() {
            l[i * m..i * m + row.len()].copy_from_slice(row);
        }
        Cholesky { l, kept, dropped }
    }

    /// Solves `A_kept · β = b_kept` for the kept columns (`b` indexed by all k columns).
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let m = self.kept.len();
        let mut z: Vec<f64> = self.kept.iter().map(|&j| b[j]).collect();
        for i in 0..m {
            for p in 0..i {
                z[i] -= self.l[i * m + p] * z[p];
            }
            z[i] /= self.l[i * m + i];
        }
        for i in (0..m).rev() {
            for p in i + 1..m {
                z[i] -= self.l[p * m + i] * z[p];
            }
            z[i] /= self.l[i * m + i];
        }
        z
    }

    /// The inverse of `A_kept` (m × m, row-major, symmetric).
    pub fn inverse(&self) -> Vec<f64> {
        let m = self.kept.len();
        let mut inv = vec![0.0; m * m];
        for c in 0..m {
            let mut e = vec![0.0; self.kept.iter().max().map_or(0, |v| v + 1)];
            e[self.kept[c]] = 1.0;
            let col = self.solve(&e);
            for r in 0..m {
                inv[r * m + c] = col[r];
            }
        }
        inv
    }
}

/// Eigen-decomposition of a small symmetric matrix `a` (k × k, either storage order) by cyclic
/// Jacobi rotations: eigenvalues in ascending order and the matching unit eigenvectors, column-major
/// (`vectors[j * k..(j + 1) * k]` is the eigenvector of `values[j]`). Accurate to rounding for the
/// small matrices of test statistics (rank tests, sandwich matrices); cost O(k³) per sweep.
pub fn symmetric_eigen(a: &[f64], k: usize) -> (Vec<f64>, Vec<f64>) {
    let mut m: Vec<f64> = (0..k * k).map(|i| 0.5 * (a[i] + a[(i % k) * k + i / k])).collect();
    let mut v = vec![0.0; k * k];
    (0..k).for_each(|i| v[i * k + i] = 1.0);
    for _ in 0..100 {
        let off: f64 = (0..k)
            .flat_map(|i| (0..k).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * k + j].powi(2))
            .sum();
        let scale: f64 = m.iter().map(|x| x * x).sum();
        if off <= 1e-30 * scale || off == 0.0 {
            break;
        }
        for p in 0..k {
            for q in p + 1..k {
                let apq = m[p * k + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (m[q * k + q] - m[p * k + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for r in 0..k {
                    let (mrp, mrq) = (m[r * k + p], m[r * k + q]);
                    m[r * k + p] = c * mrp - s * mrq;
                    m[r * k + q] = s * mrp + c * mrq;
                }
                for r in 0..k {
                    let (mpr, mqr) = (m[p * k + r], m[q * k + r]);
                    m[p * k + r] = c * mpr - s * mqr;
                    m[q * k + r] = s * mpr + c * mqr;
                }
                for r in 0..k {
                    let (vrp, vrq) = (v[p * k + r], v[q * k + r]);
                    v[p * k + r] = c * vrp - s * vrq;
                    v[q * k + r] = s * vrp + c * vrq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&i, &j| m[i * k + i].total_cmp(&m[j * k + j]));
    let values = order.iter().map(|&i| m[i * k + i]).collect();
    let vectors = order.iter().flat_map(|&i| v[i * k..(i + 1) * k].to_vec()).collect();
    (values, vectors)
}

/// `a^power` for a symmetric positive semi-definite `a` (k × k) through its eigen-decomposition
/// (`power = 0.5` for the square root, `-0.5` for the inverse square root); eigenvalues below
/// rounding are treated as zero (and left at zero for negative powers).
pub fn symmetric_power(a: &[f64], k: usize, power: f64) -> Vec<f64> {
    let (values, vectors) = symmetric_eigen(a, k);
    let top = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut out = vec![0.0; k * k];
    for (j, &l) in values.iter().enumerate() {
        if l <= 1e-14 * top {
            continue;
        }
        let f = l.powf(power);
        let e = &vectors[j * k..(j + 1) * k];
        for r in 0..k {
            for c in 0..k {
                out[r * k + c] += f * e[r] * e[c];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_known_system() {
        // A = [[4, 2], [2, 3]], b = [2, 1] → β = [0.5, 0].
        let c = Cholesky::new(&[4.0, 2.0, 2.0, 3.0], 2);
        assert_eq!(c.kept, [0, 1]);
        let beta = c.solve(&[2.0, 1.0]);
        assert!((beta[0] - 0.5).abs() < 1e-15 && beta[1].abs() < 1e-15);
        let inv = c.inverse();
        // A⁻¹ = [[3, -2], [-2, 4]] / 8
        for (got, want) in inv.iter().zip([0.375, -0.25, -0.25, 0.5]) {
            assert!((got - want).abs() < 1e-15);
        }
    }

    #[test]
    fn drops_a_collinear_column() {
        // x2 = 2·x1: the second column is dropped, the third kept.
        let n = 4;
        let x = [1.0, 2.0, 3.0, 4.0, 2.0, 4.0, 6.0, 8.0, 1.0, -1.0, 1.0, -1.0];
        let xtx = crossprod(&x, n, 3, None);
        let c = Cholesky::new(&xtx, 3);
        assert_eq!(c.kept, [0, 2]);
        assert_eq!(c.dropped, [1]);
    }
}

/// Weighted least squares that stays accurate on ill-conditioned designs.
///
/// [`LeastSquares::new`] first solves the normal equations by [`Cholesky`] (fast, no copy of X);
/// when a pivot shows that XᵀWX is ill-conditioned (a column keeps less than
/// [`ILL_CONDITIONED`] of its squared norm after projecting out the previous ones) or a column is
/// dropped as collinear, it solves again by Householder QR of √W·X ([`LeastSquares::qr`]), whose
/// error grows with cond(X) rather than cond(X)². NIST's Longley benchmark goes through QR and is
/// reproduced to about 1e-13 (the normal equations alone gave about 1e-8).
#[derive(Debug, Clone, PartialEq)]
pub struct LeastSquares {
    /// Coefficients of the kept columns.
    pub beta: Vec<f64>,
    /// `(XᵀWX)⁻¹` over the kept columns (row-major), from `R⁻¹R⁻ᵀ`.
    pub inverse: Vec<f64>,
    /// Indices of the kept columns.
    pub kept: Vec<usize>,
    /// Indices of the columns dropped as collinear.
    pub dropped: Vec<usize>,
}

/// Smallest share of a column's squared norm left after projecting out the previous columns for the
/// normal equations to be trusted; below it, [`LeastSquares::new`] switches to QR.
pub const ILL_CONDITIONED: f64 = 1e-6;

impl LeastSquares {
    /// Solves `min ‖√W (y − Xβ)‖` for `x` (`n × k`, column-major): normal equations when
    /// well-conditioned, QR otherwise (see the type's docs).
    pub fn new(x: &[f64], n: usize, k: usize, y: &[f64], w: Option<&[f64]>) -> LeastSquares {
        let xtx = crossprod(x, n, k, w);
        let chol = Cholesky::new(&xtx, k);
        let m = chol.kept.len();
        let well_conditioned = chol.dropped.is_empty()
            && chol
                .kept
                .iter()
                .enumerate()
                .all(|(p, &j)| chol.l[p * m + p].powi(2) >= ILL_CONDITIONED * xtx[j * k + j]);
        if !well_conditioned {
            return Self::qr(x, n, k, y, w);
        }
        let beta = chol.solve(&crossprod_vec(x, n, k, y, w));
        LeastSquares { beta, inverse: chol.inverse(), kept: chol.kept, dropped: chol.dropped }
    }

    /// Least squares by Householder QR of √W·X. Columns whose remaining squared norm falls below
    /// [`COLLINEARITY_TOL`] of their own are dropped, in order, as by [`Cholesky`].
    pub fn qr(x: &[f64], n: usize, k: usize, y: &[f64], w: Option<&[f64]>) -> LeastSquares {
        let sw: Vec<f64> = match w {
            Some(w) => w.iter().map(|v| v.sqrt()).collect(),
            None => vec![1.0; n],
        };
        let mut a: Vec<f64> =
            (0..k).flat_map(|j| (0..n).map(move |i| (i, j))).map(|(i, j)| x[j * n + i] * sw[i]).collect();
        let mut qty: Vec<f64> = y.iter().zip(&sw).map(|(v, s)| v * s).collect();
        let (mut kept, mut dropped) = (Vec::new(), Vec::new());
        for j in 0..k {
            let m = kept.len();
            let alpha_sq: f64 = a[j * n + m..(j + 1) * n].iter().map(|v| v * v).sum();
            // Same criterion as the Cholesky pivot: remaining² > tol · total², using the original
            // column norm (the reflections preserve it).
            let original = x[j * n..(j + 1) * n].iter().zip(&sw).map(|(v, s)| (v * s) * (v * s)).sum::<f64>();
            let acceptable = m < n && alpha_sq > COLLINEARITY_TOL * original.max(f64::MIN_POSITIVE);
            if !acceptable {
                dropped.push(j);
                continue;
            }
            // Householder vector v for rows m..n of column j: x − (−sign·‖x‖) e₁.
            let alpha = alpha_sq.sqrt();
            let x0 = a[j * n + m];
            let r = if x0 >= 0.0 { -alpha } else { alpha };
            let mut v: Vec<f64> = a[j * n + m..(j + 1) * n].to_vec();
            v[0] -= r;
            let vnorm_sq: f64 = v.iter().map(|t| t * t).sum();
            if vnorm_sq > 0.0 {
                let apply = |col: &mut [f64]| {
                    let dot: f64 = v.iter().zip(col.iter()).map(|(p, q)| p * q).sum();
                    let f = 2.0 * dot / vnorm_sq;
                    for (c, p) in col.iter_mut().zip(&v) {
                        *c -= f * p;
                    }
                };
                for jj in j..k {
                    apply(&mut a[jj * n + m..(jj + 1) * n]);
                }
                apply(&mut qty[m..]);
            }
            kept.push(j);
        }
        let m = kept.len();
        // R over the kept columns (upper triangular, row-major m × m).
        let mut rmat = vec![0.0; m * m];
        for (p, &j) in kept.iter().enumerate() {
            for i in 0..=p {
                rmat[i * m + p] = a[j * n + i];
            }
        }
        let mut beta = qty[..m].to_vec();
        for i in (0..m).rev() {
            for p in i + 1..m {
                beta[i] -= rmat[i * m + p] * beta[p];
            }
            beta[i] /= rmat[i * m + i];
        }
        // R⁻¹ (upper), then (XᵀWX)⁻¹ = R⁻¹ R⁻ᵀ.
        let mut rinv = vec![0.0; m * m];
        for c in 0..m {
            for i in (0..=c).rev() {
                let mut s = if i == c { 1.0 } else { 0.0 };
                for p in i + 1..=c {
                    s -= rmat[i * m + p] * rinv[p * m + c];
                }
                rinv[i * m + c] = s / rmat[i * m + i];
            }
        }
        let mut inverse = vec![0.0; m * m];
        for i in 0..m {
            for j in 0..m {
                inverse[i * m + j] = (i.max(j)..m).map(|p| rinv[i * m + p] * rinv[j * m + p]).sum();
            }
        }
        LeastSquares { beta, inverse, kept, dropped }
    }
}

#[cfg(test)]
mod qr_tests {
    use super::*;

    #[test]
    fn qr_agrees_with_cholesky_on_a_well_conditioned_problem() {
        let n = 6;
        let x = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, -1.0, 2.0, 0.3, 1.1, -0.7, 3.0, 1.0, 0.0, -2.0, 1.5, 0.2];
        let y = [1.0, 2.0, 0.5, -1.0, 3.0, 0.0];
        let w = [1.0, 2.0, 0.5, 1.5, 1.0, 3.0];
        let ls = LeastSquares::qr(&x, n, 3, &y, Some(&w));
        let chol = Cholesky::new(&crossprod(&x, n, 3, Some(&w)), 3);
        let beta = chol.solve(&crossprod_vec(&x, n, 3, &y, Some(&w)));
        for (a, b) in ls.beta.iter().zip(&beta) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
        for (a, b) in ls.inverse.iter().zip(chol.inverse()) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }

    #[test]
    fn qr_drops_collinear_columns_like_cholesky() {
        let n = 4;
        let x = [1.0, 2.0, 3.0, 4.0, 2.0, 4.0, 6.0, 8.0, 1.0, -1.0, 1.0, -1.0];
        for ls in [
            LeastSquares::qr(&x, n, 3, &[1.0, 0.0, 2.0, 1.0], None),
            LeastSquares::new(&x, n, 3, &[1.0, 0.0, 2.0, 1.0], None),
        ] {
            assert_eq!(ls.kept, [0, 2]);
            assert_eq!(ls.dropped, [1]);
        }
    }

    #[test]
    fn symmetric_eigen_rebuilds_the_matrix() {
        let a = [4.0, 1.0, -2.0, 0.5, 1.0, 3.0, 0.0, 1.5, -2.0, 0.0, 5.0, -1.0, 0.5, 1.5, -1.0, 2.0];
        let k = 4;
        let (values, vectors) = symmetric_eigen(&a, k);
        assert!(values.windows(2).all(|w| w[0] <= w[1]));
        for r in 0..k {
            for c in 0..k {
                let rebuilt: f64 = (0..k).map(|j| values[j] * vectors[j * k + r] * vectors[j * k + c]).sum();
                assert!((rebuilt - a[r * k + c]).abs() < 1e-12, "({r},{c}) {rebuilt}");
            }
        }
        // Square root squared is the matrix (it is positive definite: smallest eigenvalue > 0).
        assert!(values[0] > 0.0);
        let h = symmetric_power(&a, k, 0.5);
        for r in 0..k {
            for c in 0..k {
                let sq: f64 = (0..k).map(|j| h[r * k + j] * h[j * k + c]).sum();
                assert!((sq - a[r * k + c]).abs() < 1e-12);
            }
        }
    }
}

/// `xᵀ B x`.
pub fn quad(b: &[f64], x: &[f64]) -> f64 {
    let k = x.len();
    (0..k).map(|a| x[a] * (0..k).map(|c| b[a * k + c] * x[c]).sum::<f64>()).sum()
}

/// `factor · B M B` for symmetric `B` (k × k, row-major): the sandwich of a variance estimator.
pub fn sandwich(b: &[f64], m: &[f64], k: usize, factor: f64) -> Vec<f64> {
    let mut bm = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            bm[i * k + j] = (0..k).map(|p| b[i * k + p] * m[p * k + j]).sum();
        }
    }
    let mut out = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            out[i * k + j] = factor * (0..k).map(|p| bm[i * k + p] * b[p * k + j]).sum::<f64>();
        }
    }
    out
}
