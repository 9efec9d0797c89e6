//! Local polynomial fits on one side of the cut-off, with the bias correction and the variances of
//! Calonico, Cattaneo and Titiunik (2014).
//!
//! On one side, with `xᵢ` the running variable minus the cut-off, kernel weights
//! `wᵢ = K(xᵢ/h)/h` and `Rₚ(x) = (1, x, …, xᵖ)`:
//!
//! ```text
//! β̂ₚ   = Γₚ⁻¹ Σ wᵢ Rₚ(xᵢ) yᵢ,                 Γₚ = Σ wᵢ Rₚ Rₚᵀ
//! β̂_bc = Γₚ⁻¹ Σ Qᵢ yᵢ,   Qᵢ = wᵢ Rₚ(xᵢ) − L · e_{p+1}ᵀ Γ_q⁻¹ R_q(xᵢ) w^b_i,   L = Σ wᵢ Rₚ(xᵢ) xᵢ^{p+1}
//! ```
//!
//! (the order-q fit with bandwidth b estimates the (p+1)-th derivative, whose contribution `L·β_{q,p+1}`
//! is the leading bias of β̂ₚ). Both are linear in y, so their variances are sandwiches:
//! `Vcl = Γₚ⁻¹ (Σ wᵢ² σ̂ᵢ² RₚRₚᵀ) Γₚ⁻¹` and `Vrb = Γₚ⁻¹ (Σ σ̂ᵢ² QᵢQᵢᵀ) Γₚ⁻¹`, with σ̂ᵢ² from nearest
//! neighbours or from residuals (HC0–HC3).

use phare_stats::linalg::{Cholesky, quad, sandwich};

/// The kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kernel {
    /// `(1 − |u|)` on [−1, 1]: optimal for boundary estimation (the default).
    #[default]
    Triangular,
    /// `¾(1 − u²)` on [−1, 1].
    Epanechnikov,
    /// `½` on [−1, 1].
    Uniform,
}

impl Kernel {
    /// The kernel's value at `u`.
    pub fn at(self, u: f64) -> f64 {
        let a = u.abs();
        if a > 1.0 {
            return 0.0;
        }
        match self {
            Kernel::Triangular => 1.0 - a,
            Kernel::Epanechnikov => 0.75 * (1.0 - a * a),
            Kernel::Uniform => 0.5,
        }
    }
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Triangular => "triangular",
            Kernel::Epanechnikov => "epanechnikov",
            Kernel::Uniform => "uniform",
        }
    }
}

impl std::str::FromStr for Kernel {
    type Err = phare_core::Error;
    fn from_str(s: &str) -> phare_core::Result<Self> {
        match s {
            "triangular" | "tri" => Ok(Kernel::Triangular),
            "epanechnikov" | "epa" => Ok(Kernel::Epanechnikov),
            "uniform" | "uni" => Ok(Kernel::Uniform),
            _ => Err(phare_core::Error::unknown_option("kernel", s, &["triangular", "epanechnikov", "uniform"])),
        }
    }
}

/// How the conditional variance of each observation is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Vce {
    /// Nearest-neighbour: `σ̂ᵢ² = Jᵢ/(Jᵢ+1)·(yᵢ − ȳ_neighbours)²` over the `J` nearest observations on
    /// the same side (all ties at the J-th distance included). The default, with J = 3.
    Nn(usize),
    /// Squared residuals.
    Hc0,
    /// Squared residuals times `n/(n − k)`.
    Hc1,
    /// Squared residuals over `1 − leverage`.
    Hc2,
    /// Squared residuals over `(1 − leverage)²`.
    Hc3,
}

impl Default for Vce {
    fn default() -> Self {
        Vce::Nn(3)
    }
}

impl Vce {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Vce::Nn(_) => "nn",
            Vce::Hc0 => "hc0",
            Vce::Hc1 => "hc1",
            Vce::Hc2 => "hc2",
            Vce::Hc3 => "hc3",
        }
    }
}

impl std::str::FromStr for Vce {
    type Err = phare_core::Error;
    fn from_str(s: &str) -> phare_core::Result<Self> {
        match s {
            "nn" => Ok(Vce::Nn(3)),
            "hc0" => Ok(Vce::Hc0),
            "hc1" => Ok(Vce::Hc1),
            "hc2" => Ok(Vce::Hc2),
            "hc3" => Ok(Vce::Hc3),
            _ => Err(phare_core::Error::unknown_option("vce", s, &["nn", "hc0", "hc1", "hc2", "hc3"])),
        }
    }
}

/// One side's fit, for one or two responses (outcome, and treatment in fuzzy designs).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SideFit {
    /// Observations with positive weight under h, and under b.
    pub n_h: usize,
    pub n_b: usize,
    /// Per response: order-p coefficients.
    pub beta: Vec<Vec<f64>>,
    /// Per response: bias-corrected order-p coefficients.
    pub beta_bc: Vec<Vec<f64>>,
    /// Per pair of responses (r, s), at `r * n_responses + s`: conventional and robust
    /// covariances of the coefficients ((p+1)², row-major).
    pub v_cl: Vec<Vec<f64>>,
    pub v_rb: Vec<Vec<f64>>,
    /// Per pair of responses (r, s), at `r * n_responses + s`: `Σ wᵢ eᵣᵢ eₛᵢ` with `e` the order-p
    /// residuals, the side's share of the covariate-adjustment normal equations.
    pub resid_cross: Vec<f64>,
}

/// Powers `1, x, …, x^k`.
fn powers(x: f64, k: usize) -> impl Iterator<Item = f64> {
    (0..=k).scan(1.0, move |acc, j| {
        let v = if j == 0 { 1.0 } else { *acc * x };
        *acc = v;
        Some(v)
    })
}

/// The weighted Gram matrix `Σ wᵢ R(xᵢ)R(xᵢ)ᵀ` (k+1 square) and its inverse.
fn gram_inverse(x: &[f64], w: &[f64], k: usize) -> Vec<f64> {
    let m = k + 1;
    let mut g = vec![0.0; m * m];
    for (&xi, &wi) in x.iter().zip(w) {
        if wi == 0.0 {
            continue;
        }
        let r: Vec<f64> = powers(xi, k).collect();
        for a in 0..m {
            for c in 0..m {
                g[a * m + c] += wi * r[a] * r[c];
            }
        }
    }
    let chol = Cholesky::new(&g, m);
    if chol.kept.len() < m {
        return vec![f64::NAN; m * m];
    }
    chol.inverse()
}

fn mat_vec(a: &[f64], v: &[f64]) -> Vec<f64> {
    let m = v.len();
    (0..m).map(|i| (0..m).map(|j| a[i * m + j] * v[j]).sum()).collect()
}

/// Nearest neighbours of each observation (sorted by `x`): for each i, the `j` nearest others by
/// |x − xᵢ|, all ties at the j-th distance included. Returns, per observation, the neighbours'
/// indices.
pub(crate) fn nearest_neighbours(x: &[f64], j: usize) -> Vec<Vec<usize>> {
    let n = x.len();
    let tie = 1e-10 * x.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    (0..n)
        .map(|i| {
            let (mut l, mut r) = (i as isize - 1, i + 1);
            let mut out = Vec::with_capacity(j + 2);
            let mut last_d = f64::NAN;
            loop {
                let dl = if l >= 0 { x[i] - x[l as usize] } else { f64::INFINITY };
                let dr = if r < n { x[r] - x[i] } else { f64::INFINITY };
                let d = dl.min(dr);
                // Distances equal up to rounding (values recorded to a few decimals) are ties.
                if !d.is_finite() || (out.len() >= j && d > last_d + tie) {
                    break;
                }
                if dl <= dr {
                    out.push(l as usize);
                    l -= 1;
                } else {
                    out.push(r);
                    r += 1;
                }
                last_d = d;
            }
            out
        })
        .collect()
}

/// The nearest neighbours of [`nearest_neighbours`] as spans: for sorted `x`, the neighbours of
/// `i` are the indices `lo..hi` other than `i` (they are contiguous), so callers can average with
/// prefix sums instead of lists.
pub(crate) fn neighbour_spans(x: &[f64], j: usize) -> Vec<(usize, usize)> {
    let n = x.len();
    let tie = 1e-10 * x.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    (0..n)
        .map(|i| {
            let (mut l, mut r) = (i as isize - 1, i + 1);
            let mut count = 0;
            let mut last_d = f64::NAN;
            loop {
                let dl = if l >= 0 { x[i] - x[l as usize] } else { f64::INFINITY };
                let dr = if r < n { x[r] - x[i] } else { f64::INFINITY };
                let d = dl.min(dr);
                if !d.is_finite() || (count >= j && d > last_d + tie) {
                    break;
                }
                if dl <= dr {
                    l -= 1;
                } else {
                    r += 1;
                }
                count += 1;
                last_d = d;
            }
            ((l + 1) as usize, r)
        })
        .collect()
}

/// Fits one side: `x` (running variable minus cut-off, sorted ascending), responses `ys`,
/// optional observation weights, bandwidths `h` and `b`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn side_fit(
    x: &[f64],
    ys: &[&[f64]],
    weights: Option<&[f64]>,
    clusters: Option<&[u32]>,
    h: f64,
    b: f64,
    p: usize,
    q: usize,
    kernel: Kernel,
    vce: Vce,
) -> SideFit {
    let m = p + 1;
    let mq = q + 1;
    let nr = ys.len();
    let user = |i: usize| weights.map_or(1.0, |w| w[i]);
    let wh: Vec<f64> = x.iter().enumerate().map(|(i, &xi)| kernel.at(xi / h) / h * user(i)).collect();
    let wb: Vec<f64> = x.iter().enumerate().map(|(i, &xi)| kernel.at(xi / b) / b * user(i)).collect();
    let n_h = wh.iter().filter(|&&w| w > 0.0).count();
    let n_b = wb.iter().filter(|&&w| w > 0.0).count();
    let inv_p = gram_inverse(x, &wh, p);
    let inv_q = gram_inverse(x, &wb, q);
    // L = Σ wᵢ Rₚ(xᵢ) xᵢ^{p+1}.
    let mut l = vec![0.0; m];
    for i in 0..x.len() {
        if wh[i] > 0.0 {
            for (a, r) in powers(x[i], p).enumerate() {
                l[a] += wh[i] * r * x[i].powi(m as i32);
            }
        }
    }
    let used: Vec<usize> = (0..x.len()).filter(|&i| wh[i] > 0.0 || wb[i] > 0.0).collect();
    // Qᵢ = wᵢ Rₚ(xᵢ) − L · e_{p+1}ᵀ Γ_q⁻¹ R_q(xᵢ) w^b_i.
    let q_rows: Vec<Vec<f64>> = used
        .iter()
        .map(|&i| {
            let rq: Vec<f64> = powers(x[i], q).collect();
            let coef: f64 = (0..mq).map(|c| inv_q[m * mq + c] * rq[c]).sum::<f64>() * wb[i];
            powers(x[i], p).zip(&l).map(|(r, lv)| wh[i] * r - lv * coef).collect()
        })
        .collect();
    let mut beta = Vec::with_capacity(nr);
    let mut beta_q = Vec::with_capacity(nr);
    let mut beta_bc = Vec::with_capacity(nr);
    for y in ys {
        let mut rhs_p = vec![0.0; m];
        let mut rhs_q = vec![0.0; mq];
        let mut qy = vec![0.0; m];
        for (k, &i) in used.iter().enumerate() {
            if wh[i] > 0.0 {
                for (a, r) in powers(x[i], p).enumerate() {
                    rhs_p[a] += wh[i] * r * y[i];
                }
            }
            if wb[i] > 0.0 {
                for (a, r) in powers(x[i], q).enumerate() {
                    rhs_q[a] += wb[i] * r * y[i];
                }
            }
            for a in 0..m {
                qy[a] += q_rows[k][a] * y[i];
            }
        }
        beta.push(mat_vec(&inv_p, &rhs_p));
        beta_q.push(mat_vec(&inv_q, &rhs_q));
        beta_bc.push(mat_vec(&inv_p, &qy));
    }
    // Per observation and response: the "residual" whose products give σ̂ᵢ(r, s), for the
    // conventional and the robust variance.
    let (res_cl, res_rb): (Vec<Vec<f64>>, Vec<Vec<f64>>) = match vce {
        Vce::Nn(j) if clusters.is_none() => {
            let xs: Vec<f64> = used.iter().map(|&i| x[i]).collect();
            let nbrs = nearest_neighbours(&xs, j);
            let res: Vec<Vec<f64>> = ys
                .iter()
                .map(|y| {
                    used.iter()
                        .enumerate()
                        .map(|(k, &i)| {
                            let nb = &nbrs[k];
                            if nb.is_empty() {
                                return 0.0;
                            }
                            let mean = nb.iter().map(|&o| y[used[o]]).sum::<f64>() / nb.len() as f64;
                            (nb.len() as f64 / (nb.len() as f64 + 1.0)).sqrt() * (y[i] - mean)
                        })
                        .collect()
                })
                .collect();
            (res.clone(), res)
        }
        _ => {
            let fitted =
                |i: usize, beta: &[f64], k: usize| -> f64 { powers(x[i], k).zip(beta).map(|(r, bb)| r * bb).sum() };
            let scale = |i: usize| -> (f64, f64) {
                if clusters.is_some() {
                    // Cluster-robust: raw residuals, the small-sample factor applies to the sums.
                    return (1.0, 1.0);
                }
                match vce {
                    // The degrees-of-freedom correction counts the whole estimation sample (the
                    // wider of the two windows), as rdrobust does.
                    Vce::Hc1 => {
                        let n = used.len() as f64;
                        ((n / (n - m as f64)).sqrt(), (n / (n - mq as f64)).sqrt())
                    }
                    Vce::Hc2 | Vce::Hc3 => {
                        let rp: Vec<f64> = powers(x[i], p).collect();
                        let rq: Vec<f64> = powers(x[i], q).collect();
                        let lev_h = wh[i] * quad(&inv_p, &rp);
                        let lev_b = wb[i] * quad(&inv_q, &rq);
                        let pow = if vce == Vce::Hc2 { 0.5 } else { 1.0 };
                        ((1.0 - lev_h).powf(-pow), (1.0 - lev_b).powf(-pow))
                    }
                    _ => (1.0, 1.0),
                }
            };
            let mut cl = Vec::with_capacity(nr);
            let mut rb = Vec::with_capacity(nr);
            for (r, y) in ys.iter().enumerate() {
                let (c, b): (Vec<f64>, Vec<f64>) = used
                    .iter()
                    .map(|&i| {
                        let (sh, sb) = scale(i);
                        ((y[i] - fitted(i, &beta[r], p)) * sh, (y[i] - fitted(i, &beta_q[r], q)) * sb)
                    })
                    .unzip();
                cl.push(c);
                rb.push(b);
            }
            (cl, rb)
        }
    };
    let resid_cross = residual_cross(x, ys, &wh, &beta, p);
    let mut v_cl = Vec::with_capacity(nr * nr);
    let mut v_rb = Vec::with_capacity(nr * nr);
    if let Some(g) = clusters {
        // CR1: meat = c · Σ_g (Σ_{i∈g} sᵢ)(Σ_{i∈g} sᵢ)ᵀ, c = (n − 1)/(n − k) · G/(G − 1), over the
        // observations with positive weight (sᵢ = wᵢRₚ(xᵢ)eᵢ conventional, Qᵢeᵢ robust).
        let scores =
            |rows: &dyn Fn(usize, usize) -> Vec<f64>, res: &[Vec<f64>], active: &dyn Fn(usize) -> bool, k: usize| {
                let mut out = Vec::with_capacity(nr * nr);
                // The small-sample factor counts observations and clusters over the whole
                // estimation sample (the wider window), as rdrobust does.
                let ids: Vec<u32> = used.iter().map(|&i| g[i]).collect();
                let mut levels = ids.clone();
                levels.sort_unstable();
                levels.dedup();
                let n = ids.len() as f64;
                let gg = levels.len() as f64;
                let c = (n - 1.0) / (n - k as f64) * gg / (gg - 1.0);
                for r in 0..nr {
                    for s2 in 0..nr {
                        let mut sums_r = vec![vec![0.0; m]; levels.len()];
                        let mut sums_s = vec![vec![0.0; m]; levels.len()];
                        for (kk, &i) in used.iter().enumerate() {
                            if !active(i) {
                                continue;
                            }
                            let lvl = levels.binary_search(&g[i]).unwrap_or(0);
                            let row = rows(kk, i);
                            for a in 0..m {
                                sums_r[lvl][a] += row[a] * res[r][kk];
                                sums_s[lvl][a] += row[a] * res[s2][kk];
                            }
                        }
                        let mut meat = vec![0.0; m * m];
                        for (u, v) in sums_r.iter().zip(&sums_s) {
                            for a in 0..m {
                                for b2 in 0..m {
                                    meat[a * m + b2] += c * u[a] * v[b2];
                                }
                            }
                        }
                        out.push(sandwich(&inv_p, &meat, m, 1.0));
                    }
                }
                out
            };
        let cl_rows = |_k: usize, i: usize| -> Vec<f64> { powers(x[i], p).map(|r| wh[i] * r).collect() };
        let rb_rows = |k: usize, _i: usize| -> Vec<f64> { q_rows[k].clone() };
        let v_cl = scores(&cl_rows, &res_cl, &|i| wh[i] > 0.0, m);
        let v_rb = scores(&rb_rows, &res_rb, &|i| wb[i] > 0.0, mq);
        return SideFit { n_h, n_b, beta, beta_bc, v_cl, v_rb, resid_cross };
    }
    for r in 0..nr {
        for s2 in 0..nr {
            let mut meat_cl = vec![0.0; m * m];
            let mut meat_rb = vec![0.0; m * m];
            for (k, &i) in used.iter().enumerate() {
                let rp: Vec<f64> = powers(x[i], p).collect();
                let qrow = &q_rows[k];
                let scl = res_cl[r][k] * res_cl[s2][k] * wh[i] * wh[i];
                let srb = res_rb[r][k] * res_rb[s2][k];
                for a in 0..m {
                    for c in 0..m {
                        meat_cl[a * m + c] += scl * rp[a] * rp[c];
                        meat_rb[a * m + c] += srb * qrow[a] * qrow[c];
                    }
                }
            }
            v_cl.push(sandwich(&inv_p, &meat_cl, m, 1.0));
            v_rb.push(sandwich(&inv_p, &meat_rb, m, 1.0));
        }
    }
    SideFit { n_h, n_b, beta, beta_bc, v_cl, v_rb, resid_cross }
}

/// `Σ wᵢ eᵣᵢ eₛᵢ` for every pair of responses, `e` the residuals of the order-`k` coefficients `beta`.
fn residual_cross(x: &[f64], ys: &[&[f64]], w: &[f64], beta: &[Vec<f64>], k: usize) -> Vec<f64> {
    let nr = ys.len();
    let mut out = vec![0.0; nr * nr];
    for i in (0..x.len()).filter(|&i| w[i] > 0.0) {
        let e: Vec<f64> =
            (0..nr).map(|r| ys[r][i] - powers(x[i], k).zip(&beta[r]).map(|(a, b)| a * b).sum::<f64>()).collect();
        for r in 0..nr {
            for t in 0..nr {
                out[r * nr + t] += w[i] * e[r] * e[t];
            }
        }
    }
    out
}

/// A local polynomial fit of order `o` with bandwidth `h` on one side: what the bandwidth
/// selectors need (coefficients, their covariance, and the constants of their leading bias).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PolyFit {
    /// Per response: the coefficients on `1, x, …, xᵒ`.
    pub beta: Vec<Vec<f64>>,
    /// Per pair of responses (r, s), at `r * n_responses + s`: the covariance of the coefficients
    /// ((o+1)², row-major).
    pub vcov: Vec<Vec<f64>>,
    /// `Γ⁻¹Λ` in the scale `u = x/h`: the bias of coefficient j is `h^{o+1−j}·bias_const[j]·m⁽ᵒ⁺¹⁾/(o+1)!`.
    pub bias_const: Vec<f64>,
    /// Per pair of responses: `Σ wᵢ eᵣᵢ eₛᵢ` (see [`SideFit::resid_cross`]).
    pub resid_cross: Vec<f64>,
}

/// Fits a polynomial of order `o` on one side (`x` sorted, centred), with kernel weights at
/// bandwidth `h` times the observation weights, and the same variance estimator as [`side_fit`]'s
/// conventional variance. The fit is computed in the scale `u = x/h` (a global quartic on scores
/// in the hundreds would otherwise have a Gram matrix too ill-conditioned for Cholesky) and
/// converted back. `None` when fewer distinct values than coefficients have positive weight.
#[allow(clippy::too_many_arguments)]
pub(crate) fn poly_fit(
    x: &[f64],
    ys: &[&[f64]],
    weights: Option<&[f64]>,
    clusters: Option<&[u32]>,
    h: f64,
    o: usize,
    kernel: Kernel,
    vce: Vce,
    need_vcov: bool,
) -> Option<PolyFit> {
    let k = o + 1;
    let nr = ys.len();
    let used: Vec<usize> =
        (0..x.len()).filter(|&i| kernel.at(x[i] / h) * weights.map_or(1.0, |w| w[i]) > 0.0).collect();
    let u: Vec<f64> = used.iter().map(|&i| x[i] / h).collect();
    let w: Vec<f64> = used.iter().map(|&i| kernel.at(x[i] / h) / h * weights.map_or(1.0, |wt| wt[i])).collect();
    // The rows R(uᵢ), flat (n × k): one allocation, not one per observation (this runs on whole
    // sides of a million observations in the selectors' global fit).
    let rows: Vec<f64> = u.iter().flat_map(|&ui| powers(ui, o)).collect();
    let row = |kk: usize| &rows[kk * k..(kk + 1) * k];
    let inv = {
        let mut g = vec![0.0; k * k];
        for (kk, &wi) in w.iter().enumerate() {
            let r = row(kk);
            for a in 0..k {
                let ra = wi * r[a];
                for b in 0..=a {
                    g[a * k + b] += ra * r[b];
                }
            }
        }
        for a in 0..k {
            for b in 0..a {
                g[b * k + a] = g[a * k + b];
            }
        }
        let chol = Cholesky::new(&g, k);
        if chol.kept.len() < k {
            return None;
        }
        chol.inverse()
    };
    let mut lambda = vec![0.0; k];
    for (kk, (&ui, &wi)) in u.iter().zip(&w).enumerate() {
        let top = ui.powi(k as i32);
        for (a, ra) in row(kk).iter().enumerate() {
            lambda[a] += wi * ra * top;
        }
    }
    let bias_const = mat_vec(&inv, &lambda);
    let beta_u: Vec<Vec<f64>> = ys
        .iter()
        .map(|y| {
            let mut rhs = vec![0.0; k];
            for (kk, &i) in used.iter().enumerate() {
                let wy = w[kk] * y[i];
                for (a, ra) in row(kk).iter().enumerate() {
                    rhs[a] += wy * ra;
                }
            }
            mat_vec(&inv, &rhs)
        })
        .collect();
    let n = used.len();
    if !need_vcov {
        let beta = beta_u.iter().map(|b| b.iter().enumerate().map(|(j, v)| v / h.powi(j as i32)).collect()).collect();
        return Some(PolyFit { beta, vcov: Vec::new(), bias_const, resid_cross: Vec::new() });
    }
    let res: Vec<Vec<f64>> = match vce {
        Vce::Nn(j) if clusters.is_none() => {
            let xs: Vec<f64> = used.iter().map(|&i| x[i]).collect();
            let spans = neighbour_spans(&xs, j);
            ys.iter()
                .map(|y| {
                    // Prefix sums: the neighbours of kk are the contiguous span lo..hi without kk.
                    let mut prefix = Vec::with_capacity(n + 1);
                    prefix.push(0.0);
                    for &i in &used {
                        prefix.push(prefix[prefix.len() - 1] + y[i]);
                    }
                    used.iter()
                        .enumerate()
                        .map(|(kk, &i)| {
                            let (lo, hi) = spans[kk];
                            let count = hi - lo - 1;
                            if count == 0 {
                                return 0.0;
                            }
                            let mean = (prefix[hi] - prefix[lo] - y[i]) / count as f64;
                            (count as f64 / (count as f64 + 1.0)).sqrt() * (y[i] - mean)
                        })
                        .collect()
                })
                .collect()
        }
        _ => ys
            .iter()
            .zip(&beta_u)
            .map(|(y, b)| {
                used.iter()
                    .enumerate()
                    .map(|(kk, &i)| {
                        let e = y[i] - row(kk).iter().zip(b).map(|(r, bb)| r * bb).sum::<f64>();
                        let scale = if clusters.is_some() {
                            1.0
                        } else {
                            match vce {
                                Vce::Hc1 => (n as f64 / (n as f64 - k as f64)).sqrt(),
                                Vce::Hc2 => (1.0 - w[kk] * quad(&inv, row(kk))).powf(-0.5),
                                Vce::Hc3 => 1.0 / (1.0 - w[kk] * quad(&inv, row(kk))),
                                _ => 1.0,
                            }
                        };
                        e * scale
                    })
                    .collect()
            })
            .collect(),
    };
    let mut vcov = Vec::with_capacity(nr * nr);
    for r in 0..nr {
        for s in 0..nr {
            let mut meat = vec![0.0; k * k];
            if let Some(g) = clusters {
                let ids: Vec<u32> = used.iter().map(|&i| g[i]).collect();
                let mut levels = ids.clone();
                levels.sort_unstable();
                levels.dedup();
                let mut sr = vec![vec![0.0; k]; levels.len()];
                let mut ss = vec![vec![0.0; k]; levels.len()];
                for kk in 0..n {
                    let lvl = levels.binary_search(&ids[kk]).unwrap_or(0);
                    for a in 0..k {
                        sr[lvl][a] += w[kk] * row(kk)[a] * res[r][kk];
                        ss[lvl][a] += w[kk] * row(kk)[a] * res[s][kk];
                    }
                }
                let (nf, gf) = (n as f64, levels.len() as f64);
                let c = (nf - 1.0) / (nf - k as f64) * gf / (gf - 1.0);
                for (a1, b1) in sr.iter().zip(&ss) {
                    for a in 0..k {
                        for b in 0..k {
                            meat[a * k + b] += c * a1[a] * b1[b];
                        }
                    }
                }
            } else {
                for kk in 0..n {
                    let sc = res[r][kk] * res[s][kk] * w[kk] * w[kk];
                    let rk = row(kk);
                    for a in 0..k {
                        let ra = sc * rk[a];
                        for b in 0..k {
                            meat[a * k + b] += ra * rk[b];
                        }
                    }
                }
            }
            let v_u = sandwich(&inv, &meat, k, 1.0);
            // Back to the scale of x: coefficient j is β_u[j]/h^j.
            vcov.push((0..k * k).map(|ab| v_u[ab] / h.powi((ab / k + ab % k) as i32)).collect());
        }
    }
    let mut resid_cross = vec![0.0; nr * nr];
    for kk in 0..n {
        let e: Vec<f64> = (0..nr)
            .map(|r| ys[r][used[kk]] - row(kk).iter().zip(&beta_u[r]).map(|(a, b)| a * b).sum::<f64>())
            .collect();
        for r in 0..nr {
            for t in 0..nr {
                resid_cross[r * nr + t] += w[kk] * e[r] * e[t];
            }
        }
    }
    let beta = beta_u.iter().map(|b| b.iter().enumerate().map(|(j, v)| v / h.powi(j as i32)).collect()).collect();
    Some(PolyFit { beta, vcov, bias_const, resid_cross })
}

/// Covariate adjustment (Calonico, Cattaneo, Farrell and Titiunik 2019): with responses ordered as
/// `targets` (the outcome, and the treatment in fuzzy designs) followed by covariates, and `cross`
/// the two sides' summed [`SideFit::resid_cross`], the coefficients `γₜ` of each target on the
/// covariates in the pooled local regression (common to both sides), and for each target the
/// weights `eₜ − Σⱼ γₜⱼ e_{covariate j}` over the responses: the adjusted estimate is linear in the
/// responses with these weights. Collinear covariates get a zero coefficient and are listed.
pub(crate) fn covariate_weights(
    cross: &[f64],
    nr: usize,
    targets: usize,
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<usize>) {
    let k = nr - targets;
    let mut a = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            a[i * k + j] = cross[(targets + i) * nr + targets + j];
        }
    }
    let chol = Cholesky::new(&a, k);
    let mut weights = Vec::with_capacity(targets);
    let mut gammas = Vec::with_capacity(targets);
    for t in 0..targets {
        let rhs: Vec<f64> = (0..k).map(|i| cross[(targets + i) * nr + t]).collect();
        let mut gamma = vec![0.0; k];
        if !chol.kept.is_empty() {
            for (v, &j) in chol.solve(&rhs).into_iter().zip(&chol.kept) {
                gamma[j] = v;
            }
        }
        let mut w = vec![0.0; nr];
        w[t] = 1.0;
        for (j, g) in gamma.iter().enumerate() {
            w[targets + j] = -g;
        }
        weights.push(w);
        gammas.push(gamma);
    }
    (weights, gammas, chol.dropped)
}
