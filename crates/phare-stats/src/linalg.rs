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
