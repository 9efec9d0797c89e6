//! Covariance estimators for least squares, with the small-sample conventions of fixest/pyfixest.
//!
//! All estimators share the sandwich form `V = B · M · B` with the bread `B = (XᵀWX)⁻¹` and a meat
//! `M` built from the scores `sᵢ = wᵢ eᵢ xᵢ` (X demeaned when fixed effects are absorbed). `N` is
//! the number of observations and `K` the number of parameters counted for the correction: the
//! slopes plus, when there are fixed effects, Σ(levels − 1) + 1 over the fixed effects *not nested*
//! in a clustering variable (pyfixest's `ssc(k_adj=True, k_fixef="nonnested")`, fixest's default).
//!
//! | kind | meat / formula | correction | t degrees of freedom |
//! |---|---|---|---|
//! | `Iid` | `σ² B`, σ² = Σ wᵢeᵢ² / (N − K) | (included) | N − K |
//! | `Hc0` | Σ sᵢsᵢᵀ | 1 | N − K |
//! | `Hc1` | Σ sᵢsᵢᵀ | N / (N − K) | N − K |
//! | `Hc2` | Σ sᵢsᵢᵀ / (1 − hᵢ) | 1 | N − K |
//! | `Hc3` | Σ sᵢsᵢᵀ / (1 − hᵢ)² | 1 | N − K |
//! | `Crv1` | Σ_g S_g S_gᵀ, S_g = Σ_{i∈g} sᵢ; several variables by inclusion–exclusion | G/(G − 1) · (N − 1)/(N − K), G = smallest number of clusters | G − 1 |
//!
//! | `NeweyWest` | per panel: Σₜ sₜsₜᵀ + Σ_{l=1..L} (1 − l/(L+1)) Σₜ (sₜsₜ₋ₗᵀ + sₜ₋ₗsₜᵀ) | (N − 1)/(N − K) · T/(T − 1) | T − 1 |
//! | `DriscollKraay` | the same kernel on the period sums S_t = Σ_{i in t} sᵢ | (N − 1)/(N − K) · T/(T − 1) | T − 1 |
//!
//! For the two HAC estimators, T is the number of distinct periods, every fixed effect counts in K
//! (none is treated as nested), lags count observed periods in order (a gap in a panel's periods is
//! not skipped over), and the sum over lags stops at the panel's (or the sample's) length; these are
//! pyfixest 0.60.0's conventions.
//!
//! hᵢ = wᵢ xᵢᵀ B xᵢ is the leverage; HC2 and HC3 are the textbook versions (statsmodels, and
//! pyfixest with `ssc(k_adj=False)`), and need the full leverage, so they are refused when fixed
//! effects are absorbed (as pyfixest does). Multi-way clustering follows Cameron, Gelbach and
//! Miller (2011): one meat per non-empty subset of the clustering variables, clustered by their
//! intersection, added with sign (−1)^(|subset|+1).

use crate::linalg::{quad, sandwich};
use phare_core::{Error, Result};
use std::collections::HashMap;

/// A clustering variable as integer ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Clusters {
    /// The column it came from.
    pub name: String,
    /// Per observation: its cluster, in `0..n_levels`.
    pub ids: Vec<u32>,
    /// Number of clusters.
    pub n_levels: usize,
}

/// Which covariance estimator.
#[derive(Debug, Clone, PartialEq)]
pub enum VcovKind {
    /// Homoskedastic errors.
    Iid,
    /// White's heteroskedasticity-robust estimator, no correction.
    Hc0,
    /// HC0 × N/(N − K) (Stata's `robust`, fixest's `hetero`).
    Hc1,
    /// Leverage-corrected (MacKinnon and White 1985).
    Hc2,
    /// Jackknife-like leverage correction.
    Hc3,
    /// Cluster-robust, one or several clustering variables.
    Crv1(Vec<Clusters>),
    /// Newey–West for panels: autocorrelation within each panel up to `lag` periods (Bartlett
    /// weights), none across panels.
    NeweyWest {
        /// Panel name (for labels).
        name: String,
        /// Per observation: its panel.
        panel: Vec<u32>,
        /// Per observation: the rank of its period among the sorted distinct periods.
        time: Vec<u32>,
        /// Number of distinct periods T.
        n_times: usize,
        /// Bandwidth L.
        lag: usize,
    },
    /// Driscoll–Kraay: scores summed by period, then Newey–West over periods (robust to
    /// cross-sectional and serial correlation).
    DriscollKraay {
        /// Per observation: the rank of its period.
        time: Vec<u32>,
        /// Number of distinct periods T.
        n_times: usize,
        /// Bandwidth L.
        lag: usize,
    },
}

impl VcovKind {
    /// A short name: `iid`, `HC1`, `CRV1:nr+year`, ….
    pub fn label(&self) -> String {
        match self {
            VcovKind::Iid => "iid".into(),
            VcovKind::Hc0 => "HC0".into(),
            VcovKind::Hc1 => "HC1".into(),
            VcovKind::Hc2 => "HC2".into(),
            VcovKind::Hc3 => "HC3".into(),
            VcovKind::Crv1(c) => format!("CRV1:{}", c.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join("+")),
            VcovKind::NeweyWest { name, lag, .. } => format!("NW:{name}:{lag}"),
            VcovKind::DriscollKraay { lag, .. } => format!("DK:{lag}"),
        }
    }
}

/// What a covariance estimator needs from a least-squares fit.
#[derive(Debug, Clone, Copy)]
pub struct Ingredients<'a> {
    /// Regressors (demeaned if fixed effects were absorbed), column-major, `n × k`.
    pub x: &'a [f64],
    /// Observations.
    pub n: usize,
    /// Regressors.
    pub k: usize,
    /// Residuals.
    pub residuals: &'a [f64],
    /// Observation weights.
    pub weights: Option<&'a [f64]>,
    /// `(XᵀWX)⁻¹`, row-major `k × k`.
    pub bread: &'a [f64],
    /// Whether fixed effects were absorbed (HC2/HC3 are then refused).
    pub absorbed: bool,
}

/// A covariance matrix with the degrees of freedom of its t reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Covariance {
    /// Row-major `k × k`.
    pub matrix: Vec<f64>,
    /// Degrees of freedom for t statistics.
    pub t_df: f64,
    /// The small-sample factor applied to the sandwich.
    pub factor: f64,
    /// Number of clusters (the smallest, for several variables).
    pub n_clusters: Option<usize>,
}

/// Computes the covariance of kind `kind`; `df_k` is K in the module table.
///
/// # Errors
/// [`Error::InvalidArgument`] for HC2/HC3 with absorbed fixed effects or a cluster variable with a
/// single cluster; [`Error::Design`] when N ≤ K.
pub fn covariance(kind: &VcovKind, ing: &Ingredients, df_k: usize) -> Result<Covariance> {
    let (n, k) = (ing.n, ing.k);
    if n <= df_k {
        return Err(Error::design(
            format!("{n} observations for {df_k} parameters (slopes and fixed effects): no degrees of freedom left"),
            "use fewer regressors or fixed effects, or more data",
        ));
    }
    let w = |i: usize| ing.weights.map_or(1.0, |w| w[i]);
    let xi = |i: usize| -> Vec<f64> { (0..k).map(|j| ing.x[j * n + i]).collect() };
    let resid_df = (n - df_k) as f64;
    match kind {
        VcovKind::Iid => {
            let sigma2 = (0..n).map(|i| w(i) * ing.residuals[i].powi(2)).sum::<f64>() / resid_df;
            Ok(Covariance {
                matrix: ing.bread.iter().map(|b| b * sigma2).collect(),
                t_df: resid_df,
                factor: 1.0,
                n_clusters: None,
            })
        }
        VcovKind::Hc0 | VcovKind::Hc1 | VcovKind::Hc2 | VcovKind::Hc3 => {
            if ing.absorbed && matches!(kind, VcovKind::Hc2 | VcovKind::Hc3) {
                return Err(Error::InvalidArgument {
                    name: "vcov".into(),
                    value: kind.label(),
                    reason: "HC2 and HC3 need each observation's leverage including the fixed effects, which absorbing them does not give".into(),
                    hint: Some("use HC1 or a clustered covariance (CRV1) with fixed effects".into()),
                });
            }
            let mut meat = vec![0.0; k * k];
            for i in 0..n {
                let x = xi(i);
                let mut s = w(i) * ing.residuals[i];
                if matches!(kind, VcovKind::Hc2 | VcovKind::Hc3) {
                    let h = w(i) * quad(ing.bread, &x);
                    s /= if matches!(kind, VcovKind::Hc2) { (1.0 - h).sqrt() } else { 1.0 - h };
                }
                add_outer(&mut meat, &x, s * s, k);
            }
            let factor = if matches!(kind, VcovKind::Hc1) { n as f64 / resid_df } else { 1.0 };
            Ok(Covariance { matrix: sandwich(ing.bread, &meat, k, factor), t_df: resid_df, factor, n_clusters: None })
        }
        VcovKind::Crv1(clusters) => {
            if clusters.is_empty() {
                return Err(Error::InvalidArgument {
                    name: "vcov".into(),
                    value: "CRV1".into(),
                    reason: "no clustering variable given".into(),
                    hint: Some("e.g. CRV1:commune".into()),
                });
            }
            if let Some(c) = clusters.iter().find(|c| c.n_levels < 2) {
                return Err(Error::InvalidArgument {
                    name: "vcov".into(),
                    value: format!("CRV1:{}", c.name),
                    reason: format!("`{}` has a single cluster; clustering needs at least two", c.name),
                    hint: Some("cluster on a variable with many groups".into()),
                });
            }
            let g = clusters.iter().map(|c| c.n_levels).min().unwrap_or(2);
            let mut meat = vec![0.0; k * k];
            for subset in 1u32..(1 << clusters.len()) {
                let members: Vec<&Clusters> =
                    clusters.iter().enumerate().filter(|(j, _)| subset & (1 << j) != 0).map(|(_, c)| c).collect();
                let (ids, levels) = intersect(&members, n);
                let mut sums = vec![0.0; levels * k];
                for i in 0..n {
                    let s = w(i) * ing.residuals[i];
                    let row = &mut sums[ids[i] as usize * k..(ids[i] as usize + 1) * k];
                    for (j, r) in row.iter_mut().enumerate() {
                        *r += s * ing.x[j * n + i];
                    }
                }
                let sign = if members.len() % 2 == 1 { 1.0 } else { -1.0 };
                for c in 0..levels {
                    add_outer(&mut meat, &sums[c * k..(c + 1) * k], sign, k);
                }
            }
            let factor = g as f64 / (g as f64 - 1.0) * (n as f64 - 1.0) / resid_df;
            Ok(Covariance {
                matrix: sandwich(ing.bread, &meat, k, factor),
                t_df: g as f64 - 1.0,
                factor,
                n_clusters: Some(g),
            })
        }
        VcovKind::NeweyWest { time, n_times, lag, .. } | VcovKind::DriscollKraay { time, n_times, lag } => {
            let (n_times, lag) = (*n_times, *lag);
            if n_times < 2 {
                return Err(Error::design(
                    "a HAC covariance needs at least two periods",
                    "use a heteroskedasticity-robust (HC1) or clustered covariance",
                ));
            }
            let scores: Vec<f64> = (0..n)
                .flat_map(|i| (0..k).map(move |j| (i, j)))
                .map(|(i, j)| w(i) * ing.residuals[i] * ing.x[j * n + i])
                .collect();
            let score = |i: usize| &scores[i * k..(i + 1) * k];
            let mut meat = vec![0.0; k * k];
            if let VcovKind::NeweyWest { panel, name, .. } = kind {
                let mut order: Vec<usize> = (0..n).collect();
                order.sort_by_key(|&i| (panel[i], time[i]));
                if let Some(w) = order.windows(2).find(|w| panel[w[0]] == panel[w[1]] && time[w[0]] == time[w[1]]) {
                    return Err(Error::DuplicateKeys {
                        keys: vec![name.clone(), "time".into()],
                        count: 1,
                        example: format!("rows {} and {}", w[0], w[1]),
                        hint: Some("Newey–West needs one observation per panel and period".into()),
                    });
                }
                for chunk in order.chunk_by(|a, b| panel[*a] == panel[*b]) {
                    let seq: Vec<&[f64]> = chunk.iter().map(|&i| score(i)).collect();
                    hac_meat(&seq, lag, k, &mut meat);
                }
            } else {
                let mut sums = vec![0.0; n_times * k];
                for (i, &t) in time.iter().enumerate() {
                    let t = t as usize;
                    for (j, v) in score(i).iter().enumerate() {
                        sums[t * k + j] += v;
                    }
                }
                let seq: Vec<&[f64]> = sums.chunks(k).collect();
                hac_meat(&seq, lag, k, &mut meat);
            }
            let factor = (n as f64 - 1.0) / resid_df * n_times as f64 / (n_times as f64 - 1.0);
            Ok(Covariance {
                matrix: sandwich(ing.bread, &meat, k, factor),
                t_df: n_times as f64 - 1.0,
                factor,
                n_clusters: None,
            })
        }
    }
}

/// Bartlett-kernel HAC meat of a sequence of score vectors (each of length k), in time order.
fn hac_meat(seq: &[&[f64]], lag: usize, k: usize, meat: &mut [f64]) {
    for s in seq {
        add_outer(meat, s, 1.0, k);
    }
    for l in 1..=lag.min(seq.len().saturating_sub(1)) {
        let w = 1.0 - l as f64 / (lag as f64 + 1.0);
        for t in l..seq.len() {
            let (a, b) = (seq[t], seq[t - l]);
            for p in 0..k {
                for q in 0..k {
                    meat[p * k + q] += w * (a[p] * b[q] + b[p] * a[q]);
                }
            }
        }
    }
}

/// `meat += c · v vᵀ`.
fn add_outer(meat: &mut [f64], v: &[f64], c: f64, k: usize) {
    for a in 0..k {
        for b in 0..k {
            meat[a * k + b] += c * v[a] * v[b];
        }
    }
}

/// Ids of the intersection of several clusterings (each distinct combination is one cluster).
fn intersect<'a>(members: &[&'a Clusters], n: usize) -> (std::borrow::Cow<'a, [u32]>, usize) {
    if members.len() == 1 {
        return (std::borrow::Cow::Borrowed(&members[0].ids), members[0].n_levels);
    }
    let mut map: HashMap<Vec<u32>, u32> = HashMap::new();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let key: Vec<u32> = members.iter().map(|c| c.ids[i]).collect();
        let next = map.len() as u32;
        ids.push(*map.entry(key).or_insert(next));
    }
    let levels = map.len();
    (std::borrow::Cow::Owned(ids), levels)
}

/// Whether every level of `fe` lies within a single cluster of `cluster` (the fixed effect is
/// nested in the clustering, so its parameters do not count in K for CRV corrections).
pub fn is_nested(fe: impl IntoIterator<Item = u32>, fe_levels: usize, cluster: &[u32]) -> bool {
    let mut owner: Vec<Option<u32>> = vec![None; fe_levels];
    for (f, &c) in fe.into_iter().zip(cluster) {
        match owner[f as usize] {
            None => owner[f as usize] = Some(c),
            Some(o) if o != c => return false,
            Some(_) => {}
        }
    }
    true
}
