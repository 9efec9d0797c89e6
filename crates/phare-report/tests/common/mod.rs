//! What the chart tests share: a small deterministic generator of odd inputs (NaN, infinities,
//! zeros, huge and tiny values) for the "never panic" loops.
#![allow(dead_code)]

/// A linear congruential generator (Knuth's MMIX constants): reproducible odd inputs.
pub struct Lcg(pub u64);

impl Lcg {
    /// The next 31 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    /// An odd value: NaN, ±∞, 0, 1e12, −1e-12, f64::MAX, −1e300 or an ordinary one in [−1, 1).
    pub fn value(&mut self) -> f64 {
        match self.next() % 14 {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => 0.0,
            4 => 1e12,
            5 => -1e-12,
            6 => f64::MAX,
            7 => -1e300,
            _ => (self.next() % 2000) as f64 / 1000.0 - 1.0,
        }
    }
    /// An odd value, or none one time in three.
    pub fn maybe(&mut self) -> Option<f64> {
        if self.next().is_multiple_of(3) { None } else { Some(self.value()) }
    }
    /// `n` pairs of odd values.
    pub fn pairs(&mut self, n: usize) -> Vec<(f64, f64)> {
        (0..n).map(|_| (self.value(), self.value())).collect()
    }
    /// `n` (period, odd value) points, periods in −4..=4.
    pub fn series(&mut self, n: usize) -> Vec<(i64, f64)> {
        (0..n).map(|_| ((self.next() % 9) as i64 - 4, self.value())).collect()
    }
}
