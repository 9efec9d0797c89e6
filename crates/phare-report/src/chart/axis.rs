//! Axis ranges and ticks: padded ranges that never collapse, "nice" ticks (1, 2, 5 × 10^k), tick
//! labels in the reader's language.

use super::ChartError;
use crate::text::{Lang, MINUS};

/// What the ticks of an axis show.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AxisKind {
    /// Numbers with a fixed number of decimals (`Lang::number`).
    Number { decimals: usize },
    /// Whole numbers such as periods, never grouped by thousands (`2004`, `−3`).
    Integer,
    /// Categories at 0, 1, 2, … (the label of tick `i` is `labels[i]`).
    Categories(Vec<String>),
}

/// A finite, non-empty axis range with its ticks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub kind: AxisKind,
}

/// At most this many ticks on any axis (also bounds every loop below).
const MAX_TICKS: usize = 60;

impl Axis {
    /// A continuous axis covering `values` (non-finite ones ignored), with a 6 % margin each side,
    /// padded when all values are equal. `target` is the wished number of ticks.
    pub fn continuous(
        chart: &'static str,
        values: impl IntoIterator<Item = f64>,
        target: usize,
    ) -> Result<Axis, ChartError> {
        let (lo, hi) = finite_extent(values).ok_or(ChartError::NoFiniteValues { chart })?;
        let (lo, hi) = pad(lo, hi);
        if !(hi - lo).is_finite() || hi <= lo {
            return Err(ChartError::ValueRange { chart });
        }
        let (ticks, decimals) = nice_ticks(lo, hi, target);
        Ok(Axis { lo, hi, ticks, kind: AxisKind::Number { decimals } })
    }

    /// An axis of whole numbers from `lo` to `hi` (half a unit of margin each side), ticks on whole
    /// numbers at a step of 1, 2, 5, 10, … chosen for about `target` ticks.
    pub fn integer(lo: i64, hi: i64, target: usize) -> Axis {
        let (lo, hi) = (lo.min(hi) as f64, hi.max(lo) as f64);
        let (a, b) = (lo - 0.6, hi + 0.6);
        let (mut ticks, _) = nice_ticks(lo.min(hi - 1.0), hi.max(lo + 1.0), target);
        // Whole-number steps only: fall back to every integer when the nice step is below 1.
        if ticks.len() >= 2 && ticks[1] - ticks[0] < 1.0 {
            ticks = (0..=((hi - lo) as usize).min(MAX_TICKS)).map(|k| lo + k as f64).collect();
        }
        ticks.retain(|t| *t >= a && *t <= b && t.fract() == 0.0);
        Axis { lo: a, hi: b, ticks, kind: AxisKind::Integer }
    }

    /// Categories at 0, 1, …, n − 1 (ticks at each).
    pub fn categories(labels: Vec<String>) -> Axis {
        let n = labels.len().max(1) as f64;
        let ticks = (0..labels.len()).map(|i| i as f64).collect();
        Axis { lo: -0.6, hi: n - 0.4, ticks, kind: AxisKind::Categories(labels) }
    }

    /// The tick label of `v`.
    pub fn label(&self, v: f64, lang: Lang) -> String {
        match &self.kind {
            AxisKind::Number { decimals } => lang.number(v, *decimals),
            AxisKind::Integer => integer_label(v.round() as i64),
            AxisKind::Categories(labels) => {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                    labels[i as usize].clone()
                } else {
                    String::new()
                }
            }
        }
    }

    /// `v` clamped into the axis range (so ±∞ lands on an edge); `None` for NaN.
    pub fn clamp(&self, v: f64) -> Option<f64> {
        if v.is_nan() { None } else { Some(v.clamp(self.lo, self.hi)) }
    }
}

/// A whole number with a true minus sign and no thousands separator (periods, years).
pub(crate) fn integer_label(i: i64) -> String {
    if i < 0 { format!("{MINUS}{}", i.unsigned_abs()) } else { i.to_string() }
}

/// The smallest and largest finite values, if any.
pub(crate) fn finite_extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Adds a 6 % margin each side; a degenerate range `[v, v]` becomes `[v − p, v + p]` with
/// `p = 10 % of |v|` (1 when `v` is 0).
pub(crate) fn pad(lo: f64, hi: f64) -> (f64, f64) {
    let span = hi - lo;
    if span <= f64::EPSILON * lo.abs().max(hi.abs()).max(f64::MIN_POSITIVE) {
        let p = if lo == 0.0 { 1.0 } else { 0.1 * lo.abs() };
        (lo - p, hi + p)
    } else {
        (lo - 0.06 * span, hi + 0.06 * span)
    }
}

/// Ticks at multiples of a step 1, 2 or 5 × 10^k, about `target` of them inside `[lo, hi]`, and
/// the decimals that step needs.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, usize) {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return (vec![lo], 0);
    }
    let raw = span / target.clamp(2, MAX_TICKS) as f64;
    let k = raw.log10().floor();
    let mag = 10f64.powf(k);
    let norm = raw / mag;
    let (mult, k) = if norm < 1.5 {
        (1.0, k)
    } else if norm < 3.0 {
        (2.0, k)
    } else if norm < 7.0 {
        (5.0, k)
    } else {
        (1.0, k + 1.0)
    };
    let step = mult * 10f64.powf(k);
    let decimals = if k < 0.0 { (-k).min(12.0) as usize } else { 0 };
    let first = (lo / step).ceil();
    let mut ticks = Vec::new();
    for j in 0..=MAX_TICKS {
        let v = (first + j as f64) * step;
        if v > hi + step * 1e-9 {
            break;
        }
        // Snap to the decimals shown, so labels read `0.3` and not `0.30000000000000004`.
        let v = if decimals > 0 {
            let f = 10f64.powi(decimals as i32);
            (v * f).round() / f
        } else {
            v
        };
        ticks.push(if v == 0.0 { 0.0 } else { v });
    }
    (ticks, decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_nice() {
        let (t, d) = nice_ticks(-0.13, 0.42, 6);
        assert_eq!(d, 1);
        assert_eq!(t, vec![-0.1, 0.0, 0.1, 0.2, 0.3, 0.4]);
        let (t, d) = nice_ticks(0.0, 1000.0, 5);
        assert_eq!((t, d), (vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0], 0));
        let (t, d) = nice_ticks(2.0, 2.0, 5);
        assert_eq!((t, d), (vec![2.0], 0));
    }

    #[test]
    fn ranges_never_collapse() {
        assert_eq!(pad(0.0, 0.0), (-1.0, 1.0));
        let (lo, hi) = pad(5.0, 5.0);
        assert!(lo < 5.0 && hi > 5.0);
        let a = Axis::continuous("t", [3.0, f64::NAN, 3.0], 5).unwrap();
        assert!(a.lo < 3.0 && a.hi > 3.0 && !a.ticks.is_empty());
        assert!(matches!(Axis::continuous("t", [f64::NAN], 5), Err(ChartError::NoFiniteValues { .. })));
        assert!(matches!(Axis::continuous("t", [-f64::MAX, f64::MAX], 5), Err(ChartError::ValueRange { .. })));
    }

    #[test]
    fn integer_axes_and_labels() {
        let a = Axis::integer(-5, 3, 10);
        assert_eq!(a.ticks, (-5..=3).map(|i| i as f64).collect::<Vec<_>>());
        assert_eq!(a.label(-3.0, Lang::Fr), "\u{2212}3");
        let years = Axis::integer(1990, 2020, 6);
        assert!(years.ticks.iter().all(|t| t.fract() == 0.0));
        assert_eq!(years.label(2004.0, Lang::En), "2004");
        let one = Axis::integer(7, 7, 5);
        assert_eq!(one.ticks, vec![7.0]);
        let c = Axis::categories(vec!["a".into(), "b".into()]);
        assert_eq!((c.label(1.0, Lang::En).as_str(), c.label(0.5, Lang::En).as_str()), ("b", ""));
        let n = Axis { lo: 0.0, hi: 1.0, ticks: vec![], kind: AxisKind::Number { decimals: 1 } };
        assert_eq!(n.label(0.5, Lang::Fr), "0,5");
    }
}
