//! Difference-in-differences.
//!
//! - [`TwoByTwo`]: one treated cohort, one comparison group, one period before and one after.

mod two_by_two;

pub use two_by_two::{Comparison, MeansTable, TwoByTwo, TwoByTwoFit};
