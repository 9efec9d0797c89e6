//! Absorbing fixed effects by alternating projections.
//!
//! Regressing on many dummy variables (one per commune, per firm, per year) is never done
//! explicitly: by the Frisch–Waugh–Lovell theorem the slope coefficients equal those of the
//! regression of demeaned variables, where "demeaned" means projected off the space spanned by all
//! fixed-effect dummies. With one fixed effect that is subtracting group means; with several, the
//! method of alternating projections (Gaure 2013) subtracts each fixed effect's weighted group means
//! in turn until nothing changes. This is what fixest and pyfixest do by default. The same
//! projection is the solution of the fixed effects' normal equations, which a Krylov method
//! (preconditioned conjugate gradients) solves in fewer passes over the data on hard, weakly
//! connected designs; that is phare's default ([`DemeanMethod`]).

use phare_core::{Error, Result};

/// Fixed effects as integer group ids, one vector per fixed effect, ready to demean columns.
#[derive(Debug, Clone)]
pub struct FixedEffects {
    ids: Vec<Vec<u32>>,
    n_levels: Vec<usize>,
    weights: Option<Vec<f64>>,
    /// Per fixed effect, per level: the sum of weights (or the count).
    level_weight: Vec<Vec<f64>>,
}

/// Convergence settings of [`FixedEffects::demean`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemeanOptions {
    /// Stop when the largest adjustment in a full sweep is below `tol` × (1 + largest |value|).
    pub tol: f64,
    /// Give up after this many sweeps.
    pub max_iter: usize,
    /// The algorithm (all reach the same projection; see `benches/demean_methods.rs` for their
    /// speed on easy and hard data).
    pub method: DemeanMethod,
}

/// How several fixed effects are absorbed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DemeanMethod {
    /// Plain alternating projections (Gaure 2013): sweep after sweep of subtracting means.
    Plain,
    /// Alternating projections with Irons–Tuck extrapolation every two sweeps (as fixest).
    IronsTuck,
    /// Conjugate gradients on the fixed effects' normal equations `DᵀWD α = DᵀW v`, with the
    /// level weights as (Jacobi) preconditioner: a Krylov solver, as in lfe's and the `within`
    /// crate's approach, after three plain sweeps (which finish balanced panels). One iteration
    /// costs about one sweep. The default: on weakly connected worker × firm data it needs about
    /// half the iterations of Irons–Tuck and 25 % less time (`benches/demean_methods.rs`).
    #[default]
    ConjugateGradient,
}

impl Default for DemeanOptions {
    fn default() -> Self {
        DemeanOptions { tol: 1e-12, max_iter: 100_000, method: DemeanMethod::default() }
    }
}

impl FixedEffects {
    /// `ids[f][i]` is observation `i`'s level of fixed effect `f`, in `0..n_levels[f]`; `weights`
    /// are observation weights (all positive) or `None`.
    pub fn new(ids: Vec<Vec<u32>>, n_levels: Vec<usize>, weights: Option<&[f64]>) -> FixedEffects {
        let level_weight = ids
            .iter()
            .zip(&n_levels)
            .map(|(g, &m)| {
                let mut s = vec![0.0; m];
                for (i, &l) in g.iter().enumerate() {
                    s[l as usize] += weights.map_or(1.0, |w| w[i]);
                }
                s
            })
            .collect();
        FixedEffects { ids, n_levels, weights: weights.map(<[f64]>::to_vec), level_weight }
    }

    /// Number of fixed effects.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there is no fixed effect.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Levels of each fixed effect.
    pub fn n_levels(&self) -> &[usize] {
        &self.n_levels
    }

    /// The group ids of fixed effect `f`.
    pub fn ids(&self, f: usize) -> &[u32] {
        &self.ids[f]
    }

    /// Demeans every column of `x` (column-major, columns of length `n`) in place, columns in
    /// parallel; returns the largest number of sweeps used. Each column is demeaned on its own,
    /// so the result does not depend on the number of threads.
    ///
    /// # Errors
    /// As [`FixedEffects::demean`].
    pub fn demean_columns(&self, x: &mut [f64], n: usize, options: &DemeanOptions) -> Result<usize> {
        use rayon::prelude::*;
        if n == 0 {
            return Ok(0);
        }
        x.par_chunks_mut(n).map(|col| self.demean(col, options)).try_reduce(|| 0, |a, b| Ok(a.max(b)))
    }

    /// Demeans `v` in place; returns the number of sweeps used.
    ///
    /// # Errors
    /// [`Error::Design`] if the projections have not converged after `max_iter` sweeps.
    pub fn demean(&self, v: &mut [f64], options: &DemeanOptions) -> Result<usize> {
        self.project(v, options, None)
    }

    /// The fixed-effect coefficients of a vector `s` that lies in the span of the fixed-effect
    /// dummies (such as `y − Xβ̂ − ε̂` after a fit): per fixed effect, one value per level, with
    /// `s[i] = Σ_f α_f[level_f(i)]`. They are unique up to constants moving between fixed effects;
    /// as fixest, every fixed effect after the first has its first level (in order of appearance)
    /// at 0. With several fixed effects and disconnected groups of levels, further levels are
    /// only identified up to such constants within each group; sums, and so predictions, are not
    /// affected.
    ///
    /// # Errors
    /// As [`FixedEffects::demean`].
    pub fn coefficients(&self, s: Vec<f64>, options: &DemeanOptions) -> Result<Vec<Vec<f64>>> {
        let mut alpha: Vec<Vec<f64>> = self.n_levels.iter().map(|&m| vec![0.0; m]).collect();
        // `s` is consumed: it becomes the residual of the projection (no copy of a long vector).
        let mut r = s;
        self.project(&mut r, options, Some(&mut alpha))?;
        let (first, rest) = alpha.split_at_mut(1);
        for a in rest {
            let shift = a.first().copied().unwrap_or(0.0);
            a.iter_mut().for_each(|x| *x -= shift);
            first[0].iter_mut().for_each(|x| *x += shift);
        }
        Ok(alpha)
    }

    /// Projects `v` off the fixed effects in place; with `alpha`, accumulates there the
    /// coefficients of what was removed (`v_in − v_out = Σ_f α_f[level_f]`).
    fn project(&self, v: &mut [f64], options: &DemeanOptions, mut alpha: Option<&mut [Vec<f64>]>) -> Result<usize> {
        if self.ids.is_empty() {
            return Ok(0);
        }
        let scale = 1.0 + v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let mut sums: Vec<Vec<f64>> = self.n_levels.iter().map(|&m| vec![0.0; m]).collect();
        let converged = |largest: f64| largest <= options.tol * scale;
        if self.ids.len() == 1 {
            // One fixed effect: one sweep is the exact projection; a second confirms it.
            self.sweep(v, &mut sums, alpha.as_deref_mut());
            self.sweep(v, &mut sums, alpha.as_deref_mut());
            return Ok(2);
        }
        if options.method == DemeanMethod::ConjugateGradient {
            // As for Irons–Tuck, a few plain sweeps first: they finish balanced panels at once.
            for sweep in 1..=3.min(options.max_iter) {
                if converged(self.sweep(v, &mut sums, alpha.as_deref_mut())) {
                    return Ok(sweep);
                }
            }
            return Ok(3 + self.conjugate_gradient(v, options, &mut sums, alpha)?);
        }
        if options.method == DemeanMethod::Plain {
            for sweep in 1..=options.max_iter {
                if converged(self.sweep(v, &mut sums, alpha.as_deref_mut())) {
                    return Ok(sweep);
                }
            }
        } else {
            // Irons–Tuck extrapolation over pairs of sweeps (as fixest): with x, F(x), F(F(x)),
            // x ← F²(x) − (δ₂·Δ²/‖Δ²‖²) δ₂, δ₁ = F(x) − x, δ₂ = F²(x) − F(x), Δ² = δ₂ − δ₁. Every
            // sweep subtracts fixed-effect means, so the iterate stays in x₀ + span(dummies) and
            // the limit is the same projection as without acceleration. The coefficients, when
            // tracked, are extrapolated with the same factor, so they keep describing the iterate.
            //
            // A few plain sweeps first: balanced panels converge in two, and need no extra buffers
            // (fresh memory is expensive for large data).
            let mut sweeps = 0;
            while sweeps < 3.min(options.max_iter) {
                sweeps += 1;
                if converged(self.sweep(v, &mut sums, alpha.as_deref_mut())) {
                    return Ok(sweeps);
                }
            }
            let (mut x0, mut x1) = (vec![0.0; v.len()], vec![0.0; v.len()]);
            let mut alpha1: Vec<Vec<f64>> = Vec::new();
            while sweeps < options.max_iter {
                x0.copy_from_slice(v);
                sweeps += 1;
                if converged(self.sweep(v, &mut sums, alpha.as_deref_mut())) {
                    return Ok(sweeps);
                }
                x1.copy_from_slice(v);
                if let Some(a) = alpha.as_deref() {
                    alpha1 = a.to_vec();
                }
                sweeps += 1;
                if converged(self.sweep(v, &mut sums, alpha.as_deref_mut())) {
                    return Ok(sweeps);
                }
                let (mut num, mut den) = (0.0, 0.0);
                for i in 0..v.len() {
                    let d2 = v[i] - x1[i];
                    let dd = d2 - (x1[i] - x0[i]);
                    num += d2 * dd;
                    den += dd * dd;
                }
                if den > 0.0 {
                    let c = num / den;
                    for i in 0..v.len() {
                        v[i] -= c * (v[i] - x1[i]);
                    }
                    if let Some(a) = alpha.as_deref_mut() {
                        for (af, a1) in a.iter_mut().zip(&alpha1) {
                            af.iter_mut().zip(a1).for_each(|(x, x1)| *x -= c * (*x - x1));
                        }
                    }
                }
            }
        }
        Err(Error::design(
            format!("absorbing the fixed effects did not converge in {} sweeps", options.max_iter),
            "the fixed effects may be nearly collinear; check for nested or almost redundant fixed effects",
        ))
    }

    /// [`DemeanMethod::ConjugateGradient`]: solves `DᵀWD α = DᵀW v` for the stacked level
    /// coefficients α of all fixed effects (see [`FixedEffects::solve_normal_equations`]), then
    /// sets `v ← v − Dα`. The preconditioned residual is, level by level, the weighted mean of the
    /// current residual `v − Dα`, so convergence is judged exactly as for the sweeps. A final
    /// plain sweep removes what the recurrence's rounding left. Returns the iterations (sweeps'
    /// equivalent).
    fn conjugate_gradient(
        &self,
        v: &mut [f64],
        options: &DemeanOptions,
        sums: &mut [Vec<f64>],
        mut alpha: Option<&mut [Vec<f64>]>,
    ) -> Result<usize> {
        let scale = 1.0 + v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let mut b: Vec<Vec<f64>> = self.n_levels.iter().map(|&m| vec![0.0; m]).collect();
        self.dt_w(v, &mut b);
        let (coef, iterations) = self.cg(b, scale, options)?;
        let mut dp = vec![0.0; v.len()];
        self.d(&coef, &mut dp);
        v.iter_mut().zip(&dp).for_each(|(v, x)| *v -= x);
        if let Some(a) = alpha.as_deref_mut() {
            for (a, c) in a.iter_mut().zip(&coef) {
                a.iter_mut().zip(c).for_each(|(a, c)| *a += c);
            }
        }
        self.sweep(v, sums, alpha);
        Ok(iterations + 1)
    }

    /// Solves the fixed effects' normal equations `DᵀWD γ = b` for a right-hand side given level
    /// by level (`b[f][level]`), by the same preconditioned conjugate gradients. `DᵀWD` is
    /// singular with several fixed effects (constants can move between them); `b` must then be
    /// consistent (orthogonal to those directions, as any `Dᵀu` is), and the solution returned is
    /// one of many, all giving the same `Dγ`. Used by imputation estimators, whose variance needs
    /// `(DᵀD)⁻¹` applied to treated observations' weights.
    ///
    /// # Errors
    /// As [`FixedEffects::demean`].
    pub fn solve_normal_equations(&self, b: Vec<Vec<f64>>, options: &DemeanOptions) -> Result<Vec<Vec<f64>>> {
        let scale = 1.0
            + b.iter()
                .zip(&self.level_weight)
                .flat_map(|(b, w)| b.iter().zip(w).map(|(b, w)| (b / w).abs()))
                .fold(0.0f64, f64::max);
        Ok(self.cg(b, scale, options)?.0)
    }

    /// `Dᵀ W u`, stacked by fixed effect, into `out`.
    fn dt_w(&self, u: &[f64], out: &mut [Vec<f64>]) {
        for (f, g) in self.ids.iter().enumerate() {
            out[f].iter_mut().for_each(|x| *x = 0.0);
            match &self.weights {
                Some(w) => g.iter().zip(u).zip(w).for_each(|((&l, x), w)| out[f][l as usize] += w * x),
                None => g.iter().zip(u).for_each(|(&l, x)| out[f][l as usize] += x),
            }
        }
    }

    /// `D a` into `out`.
    fn d(&self, a: &[Vec<f64>], out: &mut [f64]) {
        out.iter_mut().for_each(|x| *x = 0.0);
        for (f, g) in self.ids.iter().enumerate() {
            g.iter().zip(out.iter_mut()).for_each(|(&l, x)| *x += a[f][l as usize]);
        }
    }

    /// Preconditioned conjugate gradients for `DᵀWD γ = b`, stopping when every level's
    /// preconditioned residual is below `tol · scale`; returns γ and the iterations.
    fn cg(&self, b: Vec<Vec<f64>>, scale: f64, options: &DemeanOptions) -> Result<(Vec<Vec<f64>>, usize)> {
        let dot = |a: &[Vec<f64>], b: &[Vec<f64>]| -> f64 {
            a.iter().zip(b).map(|(a, b)| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>()).sum()
        };
        let precondition = |r: &[Vec<f64>], z: &mut [Vec<f64>]| -> f64 {
            let mut largest = 0.0f64;
            for ((z, r), lw) in z.iter_mut().zip(r).zip(&self.level_weight) {
                for ((z, r), w) in z.iter_mut().zip(r).zip(lw) {
                    *z = if *w > 0.0 { r / w } else { 0.0 };
                    largest = largest.max(z.abs());
                }
            }
            largest
        };
        let zeros = || -> Vec<Vec<f64>> { self.n_levels.iter().map(|&m| vec![0.0; m]).collect() };
        let mut coef = zeros();
        let mut r = b;
        let mut z = zeros();
        if precondition(&r, &mut z) <= options.tol * scale {
            return Ok((coef, 0));
        }
        let mut p = z.clone();
        let mut q = zeros();
        let mut rz = dot(&r, &z);
        let n = self.ids.first().map_or(0, Vec::len);
        let mut dp = vec![0.0; n];
        let mut iterations = 0;
        while iterations < options.max_iter {
            iterations += 1;
            self.d(&p, &mut dp);
            self.dt_w(&dp, &mut q);
            let pq = dot(&p, &q);
            if pq <= 0.0 {
                return Ok((coef, iterations));
            }
            let a = rz / pq;
            for f in 0..coef.len() {
                coef[f].iter_mut().zip(&p[f]).for_each(|(c, p)| *c += a * p);
                r[f].iter_mut().zip(&q[f]).for_each(|(r, q)| *r -= a * q);
            }
            if precondition(&r, &mut z) <= options.tol * scale {
                return Ok((coef, iterations));
            }
            let rz_new = dot(&r, &z);
            let beta = rz_new / rz;
            rz = rz_new;
            for f in 0..p.len() {
                p[f].iter_mut().zip(&z[f]).for_each(|(p, z)| *p = z + beta * *p);
            }
        }
        Err(Error::design(
            format!("absorbing the fixed effects did not converge in {} iterations", options.max_iter),
            "the fixed effects may be nearly collinear; check for nested or almost redundant fixed effects",
        ))
    }

    /// One sweep: subtracts each fixed effect's (weighted) level means in turn, adding them to
    /// `alpha` when given; returns the largest mean subtracted.
    fn sweep(&self, v: &mut [f64], sums: &mut [Vec<f64>], mut alpha: Option<&mut [Vec<f64>]>) -> f64 {
        let mut largest = 0.0f64;
        for (f, g) in self.ids.iter().enumerate() {
            let s = &mut sums[f];
            s.iter_mut().for_each(|x| *x = 0.0);
            match &self.weights {
                Some(w) => g.iter().zip(v.iter()).zip(w).for_each(|((&l, x), w)| s[l as usize] += w * x),
                None => g.iter().zip(v.iter()).for_each(|(&l, x)| s[l as usize] += x),
            }
            for (x, wsum) in s.iter_mut().zip(&self.level_weight[f]) {
                *x /= wsum;
                largest = largest.max(x.abs());
            }
            if let Some(a) = alpha.as_deref_mut() {
                a[f].iter_mut().zip(s.iter()).for_each(|(a, m)| *a += m);
            }
            g.iter().zip(v.iter_mut()).for_each(|(&l, x)| *x -= s[l as usize]);
        }
        largest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_fixed_effect_subtracts_group_means() {
        let fe = FixedEffects::new(vec![vec![0, 0, 1, 1, 1]], vec![2], None);
        let mut v = [1.0, 3.0, 2.0, 4.0, 6.0];
        fe.demean(&mut v, &DemeanOptions::default()).unwrap();
        for (got, want) in v.iter().zip([-1.0, 1.0, -2.0, 0.0, 2.0]) {
            assert!((got - want).abs() < 1e-14);
        }
    }

    #[test]
    fn acceleration_reaches_the_same_projection_in_fewer_sweeps() {
        // An unbalanced, weakly connected two-way structure (workers moving between firms), where
        // plain alternating projections are slow.
        let mut state = 12345u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as u32
        };
        let n = 3000;
        let workers: Vec<u32> = (0..n).map(|i| (i / 3) as u32).collect();
        let firms: Vec<u32> = workers.iter().map(|&w| if next() % 10 == 0 { next() % 50 } else { w % 50 }).collect();
        let v0: Vec<f64> = (0..n).map(|_| (next() % 1000) as f64 / 100.0).collect();
        let fe = FixedEffects::new(vec![workers, firms], vec![1000, 50], None);
        let (mut plain, mut fast) = (v0.clone(), v0.clone());
        let slow =
            fe.demean(&mut plain, &DemeanOptions { method: DemeanMethod::Plain, ..DemeanOptions::default() }).unwrap();
        let quick = fe.demean(&mut fast, &DemeanOptions::default()).unwrap();
        for (a, b) in plain.iter().zip(&fast) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
        assert!(quick < slow, "accelerated {quick} sweeps vs plain {slow}");
        // Conjugate gradients reach the same projection, also with weights.
        let mut krylov = v0.clone();
        let cg = DemeanOptions { method: DemeanMethod::ConjugateGradient, ..DemeanOptions::default() };
        let iterations = fe.demean(&mut krylov, &cg).unwrap();
        for (a, b) in plain.iter().zip(&krylov) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
        assert!(iterations < slow, "conjugate gradients {iterations} vs plain {slow}");
        let w: Vec<f64> = (0..n).map(|i| 0.5 + (i % 7) as f64).collect();
        let fe_w = FixedEffects::new(fe.ids.clone(), fe.n_levels.clone(), Some(&w));
        let (mut a, mut b) = (v0.clone(), v0.clone());
        fe_w.demean(&mut a, &DemeanOptions::default()).unwrap();
        fe_w.demean(&mut b, &cg).unwrap();
        for (a, b) in a.iter().zip(&b) {
            assert!((a - b).abs() < 1e-9, "weighted: {a} vs {b}");
        }
    }

    #[test]
    fn coefficients_rebuild_an_additive_vector() {
        // s = a_worker + b_firm on an unbalanced, weakly connected structure; the recovered
        // coefficients must add up to s on every row, and the second fixed effect starts at 0.
        let mut state = 777u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as u32
        };
        let n = 2000;
        let workers: Vec<u32> = (0..n).map(|i| (i / 4) as u32).collect();
        let firms: Vec<u32> = workers.iter().map(|&w| if next() % 5 == 0 { next() % 30 } else { w % 30 }).collect();
        let a: Vec<f64> = (0..500).map(|_| (next() % 1000) as f64 / 50.0).collect();
        let b: Vec<f64> = (0..30).map(|_| (next() % 1000) as f64 / 50.0).collect();
        let s: Vec<f64> = workers.iter().zip(&firms).map(|(&w, &f)| a[w as usize] + b[f as usize]).collect();
        let fe = FixedEffects::new(vec![workers.clone(), firms.clone()], vec![500, 30], None);
        for method in [DemeanMethod::Plain, DemeanMethod::IronsTuck, DemeanMethod::ConjugateGradient] {
            let alpha = fe.coefficients(s.clone(), &DemeanOptions { method, ..DemeanOptions::default() }).unwrap();
            for i in 0..n {
                let rebuilt = alpha[0][workers[i] as usize] + alpha[1][firms[i] as usize];
                assert!((rebuilt - s[i]).abs() < 1e-8, "row {i}: {rebuilt} vs {}", s[i]);
            }
            assert_eq!(alpha[1][0], 0.0);
            // Differences within a fixed effect are identified: they match the truth.
            assert!(((alpha[1][3] - alpha[1][7]) - (b[3] - b[7])).abs() < 1e-8);
        }
    }

    #[test]
    fn normal_equations_are_solved_for_any_consistent_right_hand_side() {
        // b = Dᵀu for some u: the solution γ satisfies DᵀD γ = b.
        let units = vec![0u32, 0, 0, 1, 1, 2, 2, 2, 3];
        let times = vec![0u32, 1, 2, 0, 2, 0, 1, 2, 1];
        let u = [0.3, -1.0, 2.0, 0.5, 0.25, -0.75, 1.5, 0.0, 2.5];
        let fe = FixedEffects::new(vec![units.clone(), times.clone()], vec![4, 3], None);
        let mut b = vec![vec![0.0; 4], vec![0.0; 3]];
        for i in 0..9 {
            b[0][units[i] as usize] += u[i];
            b[1][times[i] as usize] += u[i];
        }
        let g = fe.solve_normal_equations(b.clone(), &DemeanOptions::default()).unwrap();
        let dg: Vec<f64> = (0..9).map(|i| g[0][units[i] as usize] + g[1][times[i] as usize]).collect();
        let mut back = [vec![0.0; 4], vec![0.0; 3]];
        for i in 0..9 {
            back[0][units[i] as usize] += dg[i];
            back[1][times[i] as usize] += dg[i];
        }
        for (x, y) in back.iter().flatten().zip(b.iter().flatten()) {
            assert!((x - y).abs() < 1e-10, "{x} vs {y}");
        }
    }

    #[test]
    fn two_way_demeaning_of_an_additive_term_is_zero() {
        // v = a_unit + b_time on an unbalanced panel: fully absorbed.
        let units = vec![0u32, 0, 0, 1, 1, 2, 2, 2];
        let times = vec![0u32, 1, 2, 0, 2, 0, 1, 2];
        let a = [1.5, -2.0, 0.25];
        let b = [10.0, 20.0, 30.0];
        let mut v: Vec<f64> = units.iter().zip(&times).map(|(&u, &t)| a[u as usize] + b[t as usize]).collect();
        let fe = FixedEffects::new(vec![units, times], vec![3, 3], None);
        fe.demean(&mut v, &DemeanOptions::default()).unwrap();
        assert!(v.iter().all(|x| x.abs() < 1e-10), "{v:?}");
    }
}
